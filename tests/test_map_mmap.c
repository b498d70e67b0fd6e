/* SPDX-License-Identifier: MIT */
/*
 * bpfemu_map_mmap(): mmap(2) of a ring buffer map fd with the kernel's
 * rules (kernel/bpf/ringbuf.c ringbuf_map_mmap_kern/_user, syscall.c
 * bpf_map_mmap) and the data pages mapped twice in a row.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "fd.h"
#include "map.h"

#define RING 8192

static size_t page;

static int ring_fd(enum bpf_map_type type)
{
	int fd = bpf_map_create(type, "rb", 0, 0, RING, NULL);

	assert_true(fd >= 0);
	return fd;
}

static void *map_or_null(size_t len, int prot, int flags, int fd, long off, int *err)
{
	void *p = bpfemu_map_mmap(NULL, len, prot, flags, fd, off);

	*err = p == MAP_FAILED ? errno : 0;
	return p == MAP_FAILED ? NULL : p;
}

static void test_user_ringbuf_consumer_page_is_never_writable(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_USER_RINGBUF), err;
	void *p;

	(void)state;
	assert_null(map_or_null(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, &err));
	assert_int_equal(err, EPERM);
	/* whole layout writable from offset 0: still the consumer page */
	assert_null(map_or_null(3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, &err));
	assert_int_equal(err, EPERM);
	p = map_or_null(page, PROT_READ, MAP_SHARED, fd, 0, &err);
	assert_non_null(p);
	munmap(p, page);
	close(fd);
}

static long never_called(const struct bpf_dynptr *d, void *ctx)
{
	(void)d, (void)ctx;
	return 0;
}

static void test_user_ringbuf_producer_and_data_map_writable_and_twice(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_USER_RINGBUF), err;
	uint8_t *p, *data;

	(void)state;
	p = map_or_null(page + 2 * RING, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (long)page, &err);
	assert_non_null(p);
	data = p + page;
	/* the same memory is seen right after the ring's end */
	data[0] = 0x5a;
	data[RING - 1] = 0xa5;
	assert_int_equal(data[RING], 0x5a);
	assert_int_equal(data[2 * RING - 1], 0xa5);
	/* a producer position written here is what the kernel side reads */
	*(unsigned long *)p = 28;	/* misaligned, as a buggy producer would */
	assert_int_equal(bpfemu_helper_user_ringbuf_drain(emu_map_def(emu_fd_get(fd, EMU_OBJ_MAP,
			 &err)), (void *)never_called, NULL, 0), -EINVAL);
	munmap(p, page + 2 * RING);
	close(fd);
}

static void test_kernel_ringbuf_only_the_consumer_page_is_writable(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_RINGBUF), err;
	void *p;

	(void)state;
	p = map_or_null(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, &err);
	assert_non_null(p);
	munmap(p, page);
	assert_null(map_or_null(2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, &err));
	assert_int_equal(err, EPERM);
	assert_null(map_or_null(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (long)page, &err));
	assert_int_equal(err, EPERM);
	close(fd);
}

static void test_kernel_ringbuf_readonly_view_sees_program_output(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_RINGBUF), err;
	uint64_t sample = 0x1122334455667788ULL;
	uint8_t *p;
	void *def;

	(void)state;
	p = map_or_null(page + 2 * RING, PROT_READ, MAP_SHARED, fd, (long)page, &err);
	assert_non_null(p);
	def = emu_map_def(emu_fd_get(fd, EMU_OBJ_MAP, &err));
	assert_int_equal(bpfemu_helper_ringbuf_output(def, &sample, sizeof(sample), 0), 0);
	assert_int_equal(*(unsigned long *)p, 16);		/* producer position */
	assert_int_equal(*(uint32_t *)(p + page), sizeof(sample));	/* header length */
	assert_memory_equal(p + page + 8, &sample, sizeof(sample));
	munmap(p, page + 2 * RING);
	close(fd);
}

static void test_mmap_argument_errors_are_the_kernels(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_USER_RINGBUF), err;
	int hash = bpf_map_create(BPF_MAP_TYPE_HASH, "h", 4, 4, 4, NULL);
	int devnull = open("/dev/null", O_RDONLY);

	(void)state;
	assert_null(map_or_null(page, PROT_READ, MAP_PRIVATE, fd, 0, &err));
	assert_int_equal(err, EINVAL);
	/* consumer + producer + 2 x data pages is the whole mappable range */
	assert_null(map_or_null(page, PROT_READ, MAP_SHARED, fd,
				(long)(2 * page + 2 * RING), &err));
	assert_int_equal(err, EINVAL);
	assert_null(map_or_null(3 * page, PROT_READ, MAP_SHARED, fd,
				(long)(2 * RING), &err));
	assert_int_equal(err, EINVAL);
	assert_null(map_or_null(page, PROT_READ, MAP_SHARED, fd, 1, &err));
	assert_int_equal(err, EINVAL);
	assert_null(map_or_null(0, PROT_READ, MAP_SHARED, fd, 0, &err));
	assert_int_equal(err, EINVAL);
	assert_null(map_or_null(page, PROT_READ, MAP_SHARED, hash, 0, &err));
	assert_int_equal(err, ENODEV);
	assert_null(map_or_null(page, PROT_READ, MAP_SHARED, devnull, 0, &err));
	assert_int_equal(err, ENODEV);
	close(devnull);
	close(hash);
	close(fd);
	assert_null(map_or_null(page, PROT_READ, MAP_SHARED, fd, 0, &err));
	assert_int_equal(err, EBADF);
}

/* The kernel clears VM_MAYWRITE on a read-only mapping. */
static void test_readonly_mapping_cannot_be_made_writable(void **state)
{
	int fd = ring_fd(BPF_MAP_TYPE_USER_RINGBUF), err;
	void *p;

	(void)state;
	p = map_or_null(page, PROT_READ, MAP_SHARED, fd, 0, &err);
	assert_non_null(p);
	assert_int_equal(mprotect(p, page, PROT_READ | PROT_WRITE), -1);
	assert_int_equal(errno, EACCES);
	munmap(p, page);
	close(fd);
}

static int group_setup(void **state)
{
	(void)state;
	page = (size_t)sysconf(_SC_PAGESIZE);
	bpfemu_diag_set_echo(false);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_ringbuf_consumer_page_is_never_writable),
		cmocka_unit_test(test_user_ringbuf_producer_and_data_map_writable_and_twice),
		cmocka_unit_test(test_kernel_ringbuf_only_the_consumer_page_is_writable),
		cmocka_unit_test(test_kernel_ringbuf_readonly_view_sees_program_output),
		cmocka_unit_test(test_mmap_argument_errors_are_the_kernels),
		cmocka_unit_test(test_readonly_mapping_cannot_be_made_writable),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
