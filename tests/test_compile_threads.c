// SPDX-License-Identifier: MIT
/*
 * emu_run is an RCU read side: a native program holding a pointer into a
 * hash element keeps that element's memory from being freed or recycled
 * while user space on another thread replaces and deletes it.  Without it
 * a preallocated element would be reused under the reader (torn values;
 * a data race under TSan).
 */
/* bpfemu-objects: rcu_reader */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rcu_reader.skel.h"
#include "test_group.h"

struct rr_val_user {
	__u64 a;
	__u64 b;
};

static atomic_bool stop;
static atomic_ulong writes;

static void *writer(void *arg)
{
	int fd = *(int *)arg;
	struct rr_val_user v;
	__u32 k = 0;
	__u64 i;

	for (i = 1; !atomic_load(&stop); i++) {
		/* key 0 only ever holds even values, key 1 odd ones */
		k = i & 1;
		v.a = v.b = 2 * i + k;
		bpf_map_update_elem(fd, &k, &v, BPF_ANY);	/* replaces the element */
		if ((i & 7) == 6)
			bpf_map_delete_elem(fd, &k);
		atomic_store(&writes, i);
	}
	return NULL;
}

static void test_program_reads_stay_whole_while_elements_are_replaced(void **state)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	static char pkt[64];
	struct rcu_reader *skel;
	unsigned long torn = 0;
	pthread_t th;
	int i, mfd, pfd;

	(void)state;
	skel = rcu_reader__open_and_load();
	assert_non_null(skel);
	mfd = bpf_map__fd(skel->maps.rr_map);
	pfd = bpf_program__fd(skel->progs.rr_read);
	atomic_store(&stop, false);
	atomic_store(&writes, 0);
	assert_int_equal(pthread_create(&th, NULL, writer, &mfd), 0);
	while (atomic_load(&writes) < 16)
		;
	for (i = 0; i < 20000; i++) {
		opts.data_in = pkt;
		opts.data_size_in = sizeof(pkt);
		assert_int_equal(bpf_prog_test_run_opts(pfd, &opts), 0);
		torn += opts.retval;
	}
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	assert_true(atomic_load(&writes) > 1000);
	assert_int_equal(torn, 0);
	rcu_reader__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_program_reads_stay_whole_while_elements_are_replaced,
					  reset_teardown),
	};

	bpfemu_diag_set_echo(false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
