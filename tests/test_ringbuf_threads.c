/* SPDX-License-Identifier: MIT */
/*
 * Ring buffers under concurrency (label "threaded", run under TSan in CI):
 *   - producers on several threads (serialised, as libbpf requires) feed a
 *     USER_RINGBUF through user_ring_buffer__reserve_blocking while drainer
 *     threads race each other in bpf_user_ringbuf_drain;
 *   - programs on several threads produce into a RINGBUF while a consumer
 *     thread waits in ring_buffer__poll.
 * Every sample carries (producer, sequence) and a payload derived from
 * them: none may be lost, duplicated, reordered within its producer, or
 * torn.  Bounded in time: fixed sample counts, finite timeouts.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>
#include <bpfemu/libbpf_ringbuf.h>

#include "fd.h"
#include "map.h"
#include "prog.h"
#include "ringbuf.h"
#include "test_ringbuf_util.h"

#define NR_PRODUCERS	4
#define NR_DRAINERS	2
#define PER_PRODUCER	4000
#define PAYLOAD_WORDS	6	/* 64-byte samples with the two ids */

struct sample {
	uint32_t producer;
	uint32_t seq;
	uint64_t words[PAYLOAD_WORDS];
	uint32_t len_words;	/* samples vary in size */
	uint32_t pad;
};

static uint64_t word_of(uint32_t producer, uint32_t seq, uint32_t i)
{
	return ((uint64_t)producer << 48) ^ ((uint64_t)seq << 16) ^ (i * 0x9e3779b97f4a7c15ull);
}

static size_t sample_size(uint32_t seq)
{
	uint32_t n = seq % (PAYLOAD_WORDS + 1);

	return offsetof(struct sample, words) + n * sizeof(uint64_t);
}

static void fill(struct sample *s, uint32_t producer, uint32_t seq)
{
	uint32_t i, n = seq % (PAYLOAD_WORDS + 1);

	s->producer = producer;
	s->seq = seq;
	for (i = 0; i < n; i++)
		s->words[i] = word_of(producer, seq, i);
}

/* Checks one received sample against what its producer must have sent. */
struct checker {
	uint32_t next[NR_PRODUCERS];
	long total;
	long errors;
};

static void check(struct checker *c, const void *data, size_t size)
{
	struct sample s;
	uint32_t i, n;

	memset(&s, 0, sizeof(s));
	memcpy(&s, data, size < sizeof(s) ? size : sizeof(s));
	if (s.producer >= NR_PRODUCERS || size != sample_size(s.seq) ||
	    s.seq != c->next[s.producer]) {
		c->errors++;
		return;
	}
	n = s.seq % (PAYLOAD_WORDS + 1);
	for (i = 0; i < n; i++)
		if (s.words[i] != word_of(s.producer, s.seq, i))
			c->errors++;
	c->next[s.producer]++;
	c->total++;
}

static struct emu_map *map_of_type(uint32_t type, uint32_t size, int *fd)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.max_entries = size,
		.inner_map_fd = -1,
	};
	struct emu_map *map;
	int err = 0;

	map = emu_map_create(&attr, &err);
	assert_non_null(map);
	*fd = emu_map_new_fd(map, 0);
	assert_true(*fd >= 0);
	emu_map_put(map);
	return map;
}

/* ------------------------------------------------ user space -> program */

struct uctx {
	struct user_ring_buffer *urb;
	pthread_mutex_t prod_lock;	/* libbpf's reserve is not thread-safe */
	void *def;
	struct checker chk;		/* touched only inside drain callbacks */
	atomic_long drained;
	atomic_long ebusy;
	atomic_long failures;
	uint32_t id;
};

struct producer_arg {
	struct uctx *u;
	uint32_t id;
};

static void *user_producer(void *arg)
{
	struct producer_arg *a = arg;
	struct uctx *u = a->u;
	uint32_t seq;

	for (seq = 0; seq < PER_PRODUCER; seq++) {
		struct sample *s;

		pthread_mutex_lock(&u->prod_lock);
		/* Blocks in epoll until a drain frees room. */
		s = user_ring_buffer__reserve_blocking(u->urb, (uint32_t)sample_size(seq), 10000);
		if (!s) {
			pthread_mutex_unlock(&u->prod_lock);
			atomic_fetch_add(&u->failures, 1);
			return NULL;
		}
		/* Only reserve needs the lock (libbpf): every other sample is
		 * filled and submitted after it is released, racing the other
		 * producers' submits. */
		if (seq & 1)
			pthread_mutex_unlock(&u->prod_lock);
		fill(s, a->id, seq);
		user_ring_buffer__submit(u->urb, s);
		if (!(seq & 1))
			pthread_mutex_unlock(&u->prod_lock);
	}
	return NULL;
}

static int drain_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct uctx *u = ctx;
	uint32_t size = bpf_dynptr_size(d);
	const void *p = bpfemu_helper_dynptr_data(d, 0, size);

	/* Only one drain runs at a time, so the checker needs no lock. */
	check(&u->chk, p, size);
	return 0;
}

static void *drainer(void *arg)
{
	struct uctx *u = arg;
	const long want = (long)NR_PRODUCERS * PER_PRODUCER;

	while (atomic_load(&u->drained) < want && atomic_load(&u->failures) == 0) {
		long n = bpfemu_helper_user_ringbuf_drain(u->def, drain_cb, u, 0);

		if (n == -EBUSY)
			atomic_fetch_add(&u->ebusy, 1);
		else if (n > 0)
			atomic_fetch_add(&u->drained, n);
		else
			sched_yield();
	}
	return NULL;
}

static void test_producers_on_threads_against_racing_drainers(void **state)
{
	pthread_t prod[NR_PRODUCERS], drn[NR_DRAINERS];
	struct producer_arg pa[NR_PRODUCERS];
	struct uctx u;
	struct emu_map *map;
	int fd, i;

	(void)state;
	memset(&u, 0, sizeof(u));
	pthread_mutex_init(&u.prod_lock, NULL);
	map = map_of_type(BPF_MAP_TYPE_USER_RINGBUF, (uint32_t)sysconf(_SC_PAGESIZE), &fd);
	u.def = emu_map_def(map);
	u.urb = user_ring_buffer__new(fd, NULL);
	assert_non_null(u.urb);

	for (i = 0; i < NR_DRAINERS; i++)
		assert_int_equal(pthread_create(&drn[i], NULL, drainer, &u), 0);
	for (i = 0; i < NR_PRODUCERS; i++) {
		pa[i].u = &u;
		pa[i].id = (uint32_t)i;
		assert_int_equal(pthread_create(&prod[i], NULL, user_producer, &pa[i]), 0);
	}
	for (i = 0; i < NR_PRODUCERS; i++)
		pthread_join(prod[i], NULL);
	for (i = 0; i < NR_DRAINERS; i++)
		pthread_join(drn[i], NULL);

	assert_int_equal(atomic_load(&u.failures), 0);
	assert_int_equal(u.chk.errors, 0);
	assert_int_equal(u.chk.total, (long)NR_PRODUCERS * PER_PRODUCER);
	for (i = 0; i < NR_PRODUCERS; i++)
		assert_int_equal(u.chk.next[i], PER_PRODUCER);

	user_ring_buffer__free(u.urb);
	pthread_mutex_destroy(&u.prod_lock);
	close(fd);
	emu_fd_reap();
}

/* ------------------------------------------------ program -> user space */

struct kctx {
	void *def;
	uint64_t flags;		/* the producers' commit flags */
	atomic_long eagain;
	atomic_int stop;	/* the consumer gave up: producers must not spin */
	struct checker chk;	/* consumer thread only */
	/* Each sample is produced by a run of this program (the helpers'
	 * in-program path, references tracked), or outside any if NULL. */
	struct emu_prog *prog;
	atomic_long run_errors;
};

struct kprod_arg {
	struct kctx *k;
	uint32_t id;
};

/* Sample @seq of producer @a; false if the consumer gave up first. */
static bool produce(struct kprod_arg *a, uint32_t seq)
{
	struct sample s;

	fill(&s, a->id, seq);
	/* Alternate the two ways programs produce. */
	if (seq & 1) {
		while (bpfemu_helper_ringbuf_output(a->k->def, &s, sample_size(seq),
						    a->k->flags) == -EAGAIN) {
			atomic_fetch_add(&a->k->eagain, 1);
			if (atomic_load(&a->k->stop))
				return false;
			sched_yield();
		}
	} else {
		void *p;

		while (!(p = bpfemu_helper_ringbuf_reserve(a->k->def, sample_size(seq), 0))) {
			atomic_fetch_add(&a->k->eagain, 1);
			if (atomic_load(&a->k->stop))
				return false;
			sched_yield();
		}
		memcpy(p, &s, sample_size(seq));
		bpfemu_helper_ringbuf_submit(p, a->k->flags);
	}
	return true;
}

struct produce_call {
	struct kprod_arg *a;
	uint32_t seq;
};

static long produce_entry(void *arg)
{
	struct produce_call *c = arg;

	return produce(c->a, c->seq);
}

static void *kernel_producer(void *arg)
{
	struct kprod_arg *a = arg;
	uint32_t seq;

	for (seq = 0; seq < PER_PRODUCER; seq++) {
		struct produce_call c = { a, seq };
		long ok;

		if (!a->k->prog) {
			ok = produce(a, seq);
		} else if (emu_run(a->k->prog, EMU_ENTRY_PROG, produce_entry, &c, &ok)) {
			atomic_fetch_add(&a->k->run_errors, 1);
			return NULL;
		}
		if (!ok)
			return NULL;
	}
	return NULL;
}

static int consume_cb(void *ctx, void *data, size_t size)
{
	struct kctx *k = ctx;

	check(&k->chk, data, size);
	return 0;
}

struct consumer_arg {
	struct ring_buffer *rb;
	struct kctx *k;
	bool spin;		/* consume without waiting (no wakeups come) */
	int polls_timed_out;
	int last_ret;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *consumer(void *arg)
{
	struct consumer_arg *c = arg;
	const long want = (long)NR_PRODUCERS * PER_PRODUCER;
	uint64_t last_progress = now_ms();

	/*
	 * A poll may legitimately consume nothing (the head record is still
	 * being written); give up only after 10 s without progress, which
	 * means a lost wakeup.
	 */
	while (c->k->chk.total < want && c->k->chk.errors == 0 &&
	       now_ms() - last_progress < 10000) {
		int n;

		if (c->spin) {
			n = ring_buffer__consume(c->rb);
			if (n == 0)
				sched_yield();
		} else {
			n = ring_buffer__poll(c->rb, 200);
		}

		c->last_ret = n;
		if (n < 0)
			break;
		if (n > 0)
			last_progress = now_ms();
		else
			c->polls_timed_out++;
	}
	atomic_store(&c->k->stop, 1);
	return NULL;
}

/* NR_PRODUCERS programs committing with @flags against a consumer thread
 * that polls (or, with @spin, consumes without waiting); with @as_prog
 * each sample is produced inside a run of a SCHED_CLS program. */
static void programs_on_threads(uint64_t flags, bool spin, bool as_prog)
{
	pthread_t prod[NR_PRODUCERS], cons;
	struct kprod_arg pa[NR_PRODUCERS];
	struct consumer_arg ca;
	struct emu_map *map;
	struct kctx k;
	int fd, i;

	memset(&k, 0, sizeof(k));
	k.flags = flags;
	if (as_prog) {
		k.prog = emu_prog_new_bare("producer", BPF_PROG_TYPE_SCHED_CLS);
		assert_non_null(k.prog);
	}
	map = map_of_type(BPF_MAP_TYPE_RINGBUF, (uint32_t)sysconf(_SC_PAGESIZE) * 2, &fd);
	k.def = emu_map_def(map);
	memset(&ca, 0, sizeof(ca));
	ca.k = &k;
	ca.spin = spin;
	ca.rb = ring_buffer__new(fd, consume_cb, &k, NULL);
	assert_non_null(ca.rb);

	assert_int_equal(pthread_create(&cons, NULL, consumer, &ca), 0);
	for (i = 0; i < NR_PRODUCERS; i++) {
		pa[i].k = &k;
		pa[i].id = (uint32_t)i;
		assert_int_equal(pthread_create(&prod[i], NULL, kernel_producer, &pa[i]), 0);
	}
	for (i = 0; i < NR_PRODUCERS; i++)
		pthread_join(prod[i], NULL);
	pthread_join(cons, NULL);

	if (k.chk.errors || k.chk.total != (long)NR_PRODUCERS * PER_PRODUCER)
		print_error("consumer stopped: total %ld errors %ld last poll %d empty polls %d avail %zu\n",
			    k.chk.total, k.chk.errors, ca.last_ret, ca.polls_timed_out,
			    ring__avail_data_size(ring_buffer__ring(ca.rb, 0)));
	assert_int_equal(atomic_load(&k.run_errors), 0);
	assert_int_equal(k.chk.errors, 0);
	assert_int_equal(k.chk.total, (long)NR_PRODUCERS * PER_PRODUCER);
	for (i = 0; i < NR_PRODUCERS; i++)
		assert_int_equal(k.chk.next[i], PER_PRODUCER);

	if (k.prog)
		emu_prog_put(k.prog);
	ring_buffer__free(ca.rb);
	close(fd);
	emu_fd_reap();
}

static void test_programs_on_threads_against_a_polling_consumer(void **state)
{
	(void)state;
	programs_on_threads(0, false, false);
}

/* The same from inside programs: the helpers' in-program path of a
 * process with threads (producer lock, exchange commit, references). */
static void test_programs_running_on_threads_against_a_polling_consumer(void **state)
{
	(void)state;
	programs_on_threads(0, false, true);
}

/* BPF_RB_NO_WAKEUP commits publish with a release store instead of the
 * exchange: the consumer must still see every payload whole. */
static void test_no_wakeup_programs_on_threads_against_a_spinning_consumer(void **state)
{
	(void)state;
	programs_on_threads(BPF_RB_NO_WAKEUP, true, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producers_on_threads_against_racing_drainers),
		cmocka_unit_test(test_programs_on_threads_against_a_polling_consumer),
		cmocka_unit_test(test_programs_running_on_threads_against_a_polling_consumer),
		cmocka_unit_test(test_no_wakeup_programs_on_threads_against_a_spinning_consumer),
	};

	return cmocka_run_group_tests(tests, ringbuf_group_setup, ringbuf_group_teardown);
}
