/* SPDX-License-Identifier: MIT */
/*
 * libbpf's user-space producer (user_ring_buffer__*) against the emulated
 * BPF_MAP_TYPE_USER_RINGBUF and bpf_user_ringbuf_drain
 * (shared/spec/user_ringbuf.md §4, observations on 6.18 with 4 KiB pages,
 * scaled to the host's page size).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>
#include <bpfemu/libbpf_ringbuf.h>

#include "err.h"
#include "fd.h"
#include "map.h"
#include "ringbuf.h"
#include "test_ringbuf_util.h"

struct uring {
	struct emu_map *map;
	void *def;
	int fd;
	struct user_ring_buffer *urb;
};

static int map_fd_of_type(uint32_t type, uint32_t size, struct emu_map **out)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.max_entries = size,
		.inner_map_fd = -1,
	};
	struct emu_map *map;
	int err = 0, fd;

	map = emu_map_create(&attr, &err);
	assert_non_null(map);
	fd = emu_map_new_fd(map, 0);
	assert_true(fd >= 0);
	if (out)
		*out = map;
	emu_map_put(map);
	return fd;
}

static void uring_open(struct uring *u, uint32_t size)
{
	memset(u, 0, sizeof(*u));
	u->fd = map_fd_of_type(BPF_MAP_TYPE_USER_RINGBUF, size, &u->map);
	u->def = emu_map_def(u->map);
	u->urb = user_ring_buffer__new(u->fd, NULL);
	assert_non_null(u->urb);
}

static void uring_close(struct uring *u)
{
	user_ring_buffer__free(u->urb);
	close(u->fd);
	emu_fd_reap();
}

struct seen {
	int calls;
	uint32_t sizes[8];
	uint64_t firsts[8];
};

static int seen_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct seen *s = ctx;
	int i = s->calls++;

	if (i < 8) {
		s->sizes[i] = bpf_dynptr_size(d);
		s->firsts[i] = 0;
		bpfemu_helper_dynptr_read(&s->firsts[i], s->sizes[i] < 8 ? s->sizes[i] : 8, d, 0, 0);
	}
	return 0;
}

static long drain(struct uring *u, struct seen *s, uint64_t flags)
{
	return bpfemu_helper_user_ringbuf_drain(u->def, seen_cb, s, flags);
}

/* ------------------------------------------------------------ new */

static void test_new_validates_opts(void **state)
{
	struct {
		struct user_ring_buffer_opts o;
		char tail[8];
	} big = { .o.sz = sizeof(big) };
	struct user_ring_buffer_opts small = { .sz = 1 };
	struct user_ring_buffer *urb;
	int fd;

	(void)state;
	fd = map_fd_of_type(BPF_MAP_TYPE_USER_RINGBUF, page, NULL);
	errno = 0;
	assert_null(user_ring_buffer__new(fd, &small));
	assert_int_equal(errno, EINVAL);
	big.tail[0] = 1;
	assert_null(user_ring_buffer__new(fd, &big.o));
	assert_int_equal(errno, EINVAL);
	big.tail[0] = 0;
	urb = user_ring_buffer__new(fd, &big.o);
	assert_non_null(urb);
	user_ring_buffer__free(urb);
	close(fd);
	emu_fd_reap();
}

static void test_new_rejects_other_map_types_and_bad_fds(void **state)
{
	int fd;

	(void)state;
	fd = map_fd_of_type(BPF_MAP_TYPE_RINGBUF, page, NULL);
	errno = 0;
	assert_null(user_ring_buffer__new(fd, NULL));
	assert_int_equal(errno, EINVAL);
	close(fd);
	emu_fd_reap();
	/* Observed on 6.18: -1 and closed fds give EBADFD, stdin EINVAL. */
	assert_null(user_ring_buffer__new(-1, NULL));
#ifdef EBADFD
	assert_int_equal(errno, EBADFD);
#else
	assert_int_equal(errno, EBADF);
#endif
	assert_null(user_ring_buffer__new(0, NULL));
	assert_int_equal(errno, EINVAL);
	user_ring_buffer__free(NULL);
}

static void test_new_fails_cleanly_when_allocation_fails(void **state)
{
	struct user_ring_buffer *urb;
	int fd, n;

	(void)state;
	fd = map_fd_of_type(BPF_MAP_TYPE_USER_RINGBUF, page, NULL);
	/* Fail each allocation in turn until none is left to fail. */
	for (n = 1;; n++) {
		bpfemu_fault_inject_nth(n);
		urb = user_ring_buffer__new(fd, NULL);
		bpfemu_fault_inject_nth(0);
		if (urb)
			break;
		assert_int_equal(errno, ENOMEM);
	}
	assert_true(n > 1);
	user_ring_buffer__free(urb);
	close(fd);
	emu_fd_reap();
}

/* ------------------------------------------------------------ reserve */

static void test_reserve_gives_e2big_for_samples_that_never_fit(void **state)
{
	struct uring u;

	(void)state;
	uring_open(&u, page);
	errno = 0;
	assert_null(user_ring_buffer__reserve(u.urb, 1u << 31));
	assert_int_equal(errno, E2BIG);
	assert_null(user_ring_buffer__reserve(u.urb, 1u << 30));
	assert_int_equal(errno, E2BIG);
	assert_null(user_ring_buffer__reserve(u.urb, (uint32_t)page));
	assert_int_equal(errno, E2BIG);
	/* + 8 header bytes, rounded to 8: larger than the ring. */
	assert_null(user_ring_buffer__reserve(u.urb, (uint32_t)page - 7));
	assert_int_equal(errno, E2BIG);
	uring_close(&u);
}

static void test_reserve_fills_the_ring_to_exactly_100_percent(void **state)
{
	struct seen s = { 0 };
	struct uring u;
	void *p;

	(void)state;
	uring_open(&u, page);
	p = user_ring_buffer__reserve(u.urb, (uint32_t)page - 8);
	assert_non_null(p);
	errno = 0;
	assert_null(user_ring_buffer__reserve(u.urb, 0));
	assert_int_equal(errno, ENOSPC);
	user_ring_buffer__submit(u.urb, p);
	assert_int_equal(drain(&u, &s, 0), 1);
	assert_int_equal(s.sizes[0], page - 8);
	assert_non_null(user_ring_buffer__reserve(u.urb, 0));
	uring_close(&u);
}

static void test_reserve_of_16_byte_samples_until_enospc(void **state)
{
	struct seen s = { 0 };
	struct uring u;
	size_t i, fit = page / 24;
	void *p;

	(void)state;
	uring_open(&u, page);
	for (i = 0; i < fit; i++) {
		p = user_ring_buffer__reserve(u.urb, 16);
		assert_non_null(p);
		memcpy(p, &i, sizeof(i));
		user_ring_buffer__submit(u.urb, p);
	}
	errno = 0;
	assert_null(user_ring_buffer__reserve(u.urb, 16));
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(drain(&u, &s, 0), fit);
	assert_int_equal(s.firsts[7], 7);
	assert_non_null(user_ring_buffer__reserve(u.urb, 16));
	uring_close(&u);
}

static void test_zero_sized_sample_moves_producer_by_8(void **state)
{
	struct seen s = { 0 };
	struct emu_ringbuf *rb;
	struct uring u;
	void *p;

	(void)state;
	uring_open(&u, page);
	rb = emu_ringbuf_from_map(u.map);
	p = user_ring_buffer__reserve(u.urb, 0);
	assert_non_null(p);
	assert_int_equal(*rb->producer_pos, 8);
	/* Reserved but not submitted: the drain waits for it. */
	assert_int_equal(drain(&u, &s, 0), 0);
	user_ring_buffer__submit(u.urb, p);
	assert_int_equal(drain(&u, &s, 0), 1);
	assert_int_equal(s.sizes[0], 0);
	uring_close(&u);
}

static void test_discard_is_skipped_by_the_drain(void **state)
{
	struct seen s = { 0 };
	struct uring u;
	uint64_t *a, *b, *c;

	(void)state;
	uring_open(&u, page);
	a = user_ring_buffer__reserve(u.urb, 8);
	b = user_ring_buffer__reserve(u.urb, 8);
	c = user_ring_buffer__reserve(u.urb, 8);
	*a = 1, *b = 2, *c = 3;
	user_ring_buffer__submit(u.urb, c);
	user_ring_buffer__discard(u.urb, b);
	user_ring_buffer__submit(u.urb, a);
	assert_int_equal(drain(&u, &s, 0), 2);
	assert_int_equal(s.firsts[0], 1);
	assert_int_equal(s.firsts[1], 3);
	uring_close(&u);
}

static void test_sample_across_the_wrap_is_contiguous(void **state)
{
	struct seen s = { 0 };
	struct uring u;
	uint8_t *p;
	uint32_t i;

	(void)state;
	uring_open(&u, page);
	p = user_ring_buffer__reserve(u.urb, (uint32_t)page - 40);
	user_ring_buffer__submit(u.urb, p);
	assert_int_equal(drain(&u, &s, 0), 1);
	p = user_ring_buffer__reserve(u.urb, 300);
	assert_non_null(p);
	for (i = 0; i < 300; i++)
		p[i] = (uint8_t)(i * 7);
	user_ring_buffer__submit(u.urb, p);	/* header found through either copy */
	assert_int_equal(drain(&u, &s, 0), 1);
	assert_int_equal(s.sizes[1], 300);
	uring_close(&u);
}

/* The consumer page is read-only to the producer, as the kernel maps it. */
static void test_writing_the_consumer_page_faults(void **state)
{
	struct uring u;
	int status;
	pid_t pid;

	(void)state;
	uring_open(&u, page);
	pid = fork();
	if (pid == 0) {
		struct emu_ringbuf_view v;

		/* The mapping user_ring_buffer__new makes; a buggy producer
		 * moving the consumer position through it. */
		signal(SIGSEGV, SIG_DFL);
		if (emu_ringbuf_view_map(emu_ringbuf_from_map(u.map), PROT_READ,
					 PROT_READ | PROT_WRITE, &v))
			_exit(2);
		*(volatile unsigned long *)v.consumer_pos = 8;
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	uring_close(&u);
}

/* ------------------------------------------------------------ blocking */

static void test_reserve_blocking_rejects_timeouts_below_minus_one(void **state)
{
	struct uring u;

	(void)state;
	uring_open(&u, page);
	errno = 0;
	assert_null(user_ring_buffer__reserve_blocking(u.urb, 8, -2));
	assert_int_equal(errno, EINVAL);
	uring_close(&u);
}

static void test_reserve_blocking_gives_e2big_at_once(void **state)
{
	struct uring u;

	(void)state;
	uring_open(&u, page);
	assert_null(user_ring_buffer__reserve_blocking(u.urb, (uint32_t)page, 1000));
	assert_int_equal(errno, E2BIG);
	uring_close(&u);
}

static void test_reserve_blocking_times_out_with_enospc(void **state)
{
	struct uring u;

	(void)state;
	uring_open(&u, page);
	assert_non_null(user_ring_buffer__reserve(u.urb, (uint32_t)page - 8));
	assert_null(user_ring_buffer__reserve_blocking(u.urb, 8, 0));
	assert_int_equal(errno, ENOSPC);
	/* Alone in the process: the 200 ms wait is skipped, same result. */
	assert_null(user_ring_buffer__reserve_blocking(u.urb, 8, 200));
	assert_int_equal(errno, ENOSPC);
	bpfemu_diag_clear();
	assert_null(user_ring_buffer__reserve_blocking(u.urb, 8, -1));
	assert_int_equal(errno, ENOSPC);
	assert_true(bpfemu_diag_has("reserve_blocking_would_hang"));
	uring_close(&u);
}

static void test_reserve_blocking_succeeds_when_room_exists(void **state)
{
	struct uring u;

	(void)state;
	uring_open(&u, page);
	assert_non_null(user_ring_buffer__reserve_blocking(u.urb, 8, -1));
	assert_non_null(user_ring_buffer__reserve_blocking(u.urb, 8, 0));
	uring_close(&u);
}

/* ------------------------------------------------------------ readiness */

static void test_map_fd_is_writable_until_exactly_full(void **state)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct seen s = { 0 };
	struct uring u;
	void *p;

	(void)state;
	uring_open(&u, page);
	pfd.fd = u.fd;
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLOUT);
	p = user_ring_buffer__reserve(u.urb, (uint32_t)page - 8 - 24);
	user_ring_buffer__submit(u.urb, p);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLOUT);
	p = user_ring_buffer__reserve(u.urb, 16);
	user_ring_buffer__submit(u.urb, p);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* A drain without wakeup frees room but wakes nobody. */
	assert_int_equal(drain(&u, &s, BPF_RB_NO_WAKEUP), 2);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* The next wakeup (here forced) reports it. */
	assert_int_equal(drain(&u, &s, BPF_RB_FORCE_WAKEUP), 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLOUT);
	uring_close(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_validates_opts),
		cmocka_unit_test(test_new_rejects_other_map_types_and_bad_fds),
		cmocka_unit_test(test_new_fails_cleanly_when_allocation_fails),
		cmocka_unit_test(test_reserve_gives_e2big_for_samples_that_never_fit),
		cmocka_unit_test(test_reserve_fills_the_ring_to_exactly_100_percent),
		cmocka_unit_test(test_reserve_of_16_byte_samples_until_enospc),
		cmocka_unit_test(test_zero_sized_sample_moves_producer_by_8),
		cmocka_unit_test(test_discard_is_skipped_by_the_drain),
		cmocka_unit_test(test_sample_across_the_wrap_is_contiguous),
		cmocka_unit_test(test_writing_the_consumer_page_faults),
		cmocka_unit_test(test_reserve_blocking_rejects_timeouts_below_minus_one),
		cmocka_unit_test(test_reserve_blocking_gives_e2big_at_once),
		cmocka_unit_test(test_reserve_blocking_times_out_with_enospc),
		cmocka_unit_test(test_reserve_blocking_succeeds_when_room_exists),
		cmocka_unit_test(test_map_fd_is_writable_until_exactly_full),
	};

	return cmocka_run_group_tests(tests, ringbuf_group_setup, ringbuf_group_teardown);
}
