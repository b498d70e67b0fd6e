/* SPDX-License-Identifier: MIT */
/*
 * libbpf's ring buffer API over emulated maps (spec user_ringbuf.md §4,
 * §7.3): the consumer of BPF_MAP_TYPE_RINGBUF and the producer of
 * BPF_MAP_TYPE_USER_RINGBUF, with libbpf's algorithms, errnos and memory
 * ordering (one place is cheaper with the same guarantees: the producer's
 * submit publishes with a release store, see user_ringbuf_commit).
 *
 * Where libbpf mmap()s the map fd, we map the ring's shared-memory file
 * with the permissions the kernel grants (emu_ringbuf_view_map): consumer
 * of a RINGBUF: consumer page read-write, producer page and data read-only;
 * producer of a USER_RINGBUF: consumer page read-only, the rest read-write.
 * A buggy program writing where the kernel forbids it faults, as it would.
 *
 * Waiting goes through the map fd exactly as libbpf does (epoll on Linux,
 * poll(2) elsewhere): the fd reports readiness the way the kernel's epoll
 * would (ringbuf.h), so wakeups and their absence (BPF_RB_NO_WAKEUP) match.
 * One rule of our own: a process with a single thread has nobody who could
 * produce or drain while it waits, so waiting there is skipped instead of
 * burning the timeout (or hanging forever with -1); see docs/ringbuf.md.
 */
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
#define RB_USE_EPOLL 1
#endif

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifdef RB_USE_EPOLL
#include <sys/epoll.h>
#endif
#ifdef __APPLE__
#include <mach/mach.h>
#endif

#include <bpfemu/libbpf_ringbuf.h>

#include "alloc.h"
#include "clock.h"
#include "err.h"
#include "fd.h"
#include "opts.h"
#include "ringbuf.h"

struct ring {
	ring_buffer_sample_fn sample_cb;
	void *ctx;
	struct emu_ringbuf *erb;	/* holds a map reference */
	struct emu_ringbuf_view view;
	unsigned long mask;
	int map_fd;
};

struct ring_buffer {
#ifdef RB_USE_EPOLL
	struct epoll_event *events;
#else
	struct pollfd *pfds;
#endif
	struct ring **rings;
	size_t page_size;
	int epoll_fd;
	int ring_cnt;
};

struct user_ring_buffer {
#ifdef RB_USE_EPOLL
	struct epoll_event event;
#endif
	struct emu_ringbuf *erb;	/* holds a map reference */
	struct emu_ringbuf_view view;
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	uint8_t *data;
	unsigned long mask;
	size_t page_size;
	int map_fd;
	int epoll_fd;
};

/*
 * The ring behind @map_fd with a map reference, after the checks libbpf
 * makes through bpf_map_get_info_by_fd: a descriptor that is not open
 * gives -EBADFD (the kernel's BPF_OBJ_GET_INFO_BY_FD), one that is not a
 * map -EINVAL, a map of another type -EINVAL.
 */
static int ring_of_fd(int map_fd, uint32_t type, struct emu_ringbuf **out)
{
	struct emu_ringbuf *erb;
	struct emu_map *map;
	int err = 0;

	emu_fd_reap();
	map = emu_fd_hold(map_fd, EMU_OBJ_MAP, NULL, &err);
	if (!map) {
#ifdef EBADFD
		if (err == -EBADF)
			err = -EBADFD;
#endif
		return err ? err : -EINVAL;
	}
	erb = emu_ringbuf_from_map(map);
	if (!erb || map->map_type != type) {
		emu_fd_release(EMU_OBJ_MAP, map);
		return -EINVAL;
	}
	emu_map_get(map);
	emu_fd_release(EMU_OBJ_MAP, map);
	*out = erb;
	return 0;
}

/* Threads of this process, or -1 if unknown. */
static int process_threads(void)
{
#ifdef __APPLE__
	thread_act_array_t list;
	mach_msg_type_number_t n, i;

	if (task_threads(mach_task_self(), &list, &n) != KERN_SUCCESS)
		return -1;
	for (i = 0; i < n; i++)
		mach_port_deallocate(mach_task_self(), list[i]);
	vm_deallocate(mach_task_self(), (vm_address_t)list, n * sizeof(*list));
	return (int)n;
#else
	char buf[1024], *p;
	int field, threads = -1;
	size_t len;
	FILE *f;

	f = fopen("/proc/self/stat", "r");
	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* The command name may contain anything: count fields after the
	 * last ')'.  num_threads is field 20; field 3 follows the ')'. */
	p = strrchr(buf, ')');
	for (field = 2; p && *p; p++) {
		if (*p == ' ' && ++field == 20) {
			threads = atoi(p + 1);
			break;
		}
	}
	return threads;
#endif
}

/*
 * Nobody could produce or drain while this thread waits.  Reading the
 * thread count costs a file read, and spinning producers ask often: a
 * "several threads" answer is trusted for 50 ms (threads rarely go away,
 * and waiting for nothing is only what the kernel would do anyway); a
 * "single thread" answer is never cached, since a thread started a moment
 * later must be able to drain.
 */
static bool wait_is_futile(void)
{
	static _Atomic uint64_t multi_until_ns;
	uint64_t now = emu_clock_host_now(EMU_CLOCK_MONOTONIC);

	if (now < atomic_load_explicit(&multi_until_ns, memory_order_relaxed))
		return false;
	if (process_threads() == 1)
		return true;
	atomic_store_explicit(&multi_until_ns, now + 50000000ull, memory_order_relaxed);
	return false;
}

/* ------------------------------------------------------------ consumer */

static void ringbuf_free_ring(struct ring *r)
{
	if (!r)
		return;
	emu_ringbuf_view_unmap(&r->view);
	if (r->erb)
		emu_map_put(&r->erb->map);
	emu_free(r);
}

void ring_buffer__free(struct ring_buffer *rb)
{
	int i;

	if (!rb)
		return;
	for (i = 0; i < rb->ring_cnt; i++)
		ringbuf_free_ring(rb->rings[i]);
#ifdef RB_USE_EPOLL
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
	emu_free(rb->events);
#else
	emu_free(rb->pfds);
#endif
	emu_free(rb->rings);
	emu_free(rb);
}

int ring_buffer__add(struct ring_buffer *rb, int map_fd, ring_buffer_sample_fn sample_cb, void *ctx)
{
	struct ring **rings, *r;
	struct emu_ringbuf *erb;
	int err;
#ifdef RB_USE_EPOLL
	struct epoll_event *e;
#else
	struct pollfd *e;
#endif

	err = ring_of_fd(map_fd, BPF_MAP_TYPE_RINGBUF, &erb);
	if (err)
		return emu_err(err);

	rings = emu_realloc(rb->rings, (rb->ring_cnt + 1) * sizeof(*rings));
	if (!rings) {
		err = -ENOMEM;
		goto out_put_map;
	}
	rb->rings = rings;
#ifdef RB_USE_EPOLL
	e = emu_realloc(rb->events, (rb->ring_cnt + 1) * sizeof(*e));
	if (!e) {
		err = -ENOMEM;
		goto out_put_map;
	}
	rb->events = e;
#else
	e = emu_realloc(rb->pfds, (rb->ring_cnt + 1) * sizeof(*e));
	if (!e) {
		err = -ENOMEM;
		goto out_put_map;
	}
	rb->pfds = e;
#endif

	r = emu_calloc(1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out_put_map;
	}
	r->erb = erb;
	r->map_fd = map_fd;
	r->sample_cb = sample_cb;
	r->ctx = ctx;
	r->mask = (unsigned long)erb->mask;

	/* Consumer page writable, producer page and data read-only. */
	err = emu_ringbuf_view_map(erb, PROT_READ | PROT_WRITE, PROT_READ, &r->view);
	if (err)
		goto out_free_ring;

#ifdef RB_USE_EPOLL
	e = &rb->events[rb->ring_cnt];
	memset(e, 0, sizeof(*e));
	e->events = EPOLLIN;
	e->data.fd = rb->ring_cnt;
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, map_fd, e) < 0) {
		err = -errno;
		goto out_free_ring;
	}
#else
	e = &rb->pfds[rb->ring_cnt];
	e->fd = map_fd;
	e->events = POLLIN;
	e->revents = 0;
#endif
	rb->rings[rb->ring_cnt] = r;
	rb->ring_cnt++;
	return 0;

out_free_ring:
	ringbuf_free_ring(r);
	return emu_err(err);
out_put_map:
	emu_map_put(&erb->map);
	return emu_err(err);
}

/*
 * The epoll instance a ring object waits on, one per object as libbpf
 * makes it; -1 in the POSIX build, which polls the map fds instead.
 */
static int rb_epoll_create(int *epoll_fd)
{
	*epoll_fd = -1;
#ifdef RB_USE_EPOLL
	*epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (*epoll_fd < 0)
		return -errno;
#endif
	return 0;
}

struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
				     const struct ring_buffer_opts *opts)
{
	struct ring_buffer *rb;
	int err;

	if (!OPTS_VALID(opts, ring_buffer_opts))
		return emu_err_ptr(-EINVAL);

	rb = emu_calloc(1, sizeof(*rb));
	if (!rb)
		return emu_err_ptr(-ENOMEM);
	rb->page_size = (size_t)sysconf(_SC_PAGESIZE);
	err = rb_epoll_create(&rb->epoll_fd);
	if (err)
		goto out_free_rb;
	err = ring_buffer__add(rb, map_fd, sample_cb, ctx);
	if (err)
		goto out_free_rb;
	return rb;

out_free_rb:
	ring_buffer__free(rb);
	return emu_err_ptr(err);
}

/* libbpf's roundup_len: drop the BUSY/DISCARD bits, add the header, align. */
static inline uint32_t roundup_len(uint32_t len)
{
	len <<= 2;
	len >>= 2;
	len += BPF_RINGBUF_HDR_SZ;
	return (len + 7) / 8 * 8;
}

/*
 * libbpf's ringbuf_process_ring: consume up to @n records, in order.  Its
 * loop reads the producer position again after every pass that found new
 * data; a pass finds some exactly when it starts with cons_pos < prod_pos
 * (a BUSY record ends everything), so that test stands for libbpf's
 * got_new_data flag, set on every record.
 */
static int64_t ringbuf_process_ring(struct ring *r, size_t n)
{
	/* fixed while the ring lives: a local need not be read again after
	 * each callback, as r's fields would be */
	unsigned long *consumer_pos = r->view.consumer_pos;
	unsigned long cons_pos, prod_pos;
	int64_t cnt = 0;
	uint32_t *len_ptr, len;
	int err;

	cons_pos = emu_ringbuf_load(consumer_pos);
	for (;;) {
		prod_pos = emu_ringbuf_load(r->view.producer_pos);
		if (cons_pos >= prod_pos)
			break;
		do {
			len_ptr = (uint32_t *)(r->view.data + (cons_pos & r->mask));
			len = __atomic_load_n(len_ptr, __ATOMIC_ACQUIRE);
			emu_ringbuf_tsan_acquire(&r->erb->tsan_data);
			/* Not committed yet: nothing behind it may be read. */
			if (len & BPF_RINGBUF_BUSY_BIT)
				goto done;
			cons_pos += roundup_len(len);
			if ((len & BPF_RINGBUF_DISCARD_BIT) == 0) {
				void *sample = (uint8_t *)len_ptr + BPF_RINGBUF_HDR_SZ;

				err = r->sample_cb(r->ctx, sample, len);
				if (err < 0) {
					/* The failing record counts as consumed. */
					emu_ringbuf_tsan_release(&r->erb->tsan_space);
					emu_ringbuf_store(consumer_pos, cons_pos);
					cnt = err;
					goto done;
				}
				cnt++;
			}
			emu_ringbuf_tsan_release(&r->erb->tsan_space);
			emu_ringbuf_store(consumer_pos, cons_pos);
			if ((size_t)cnt >= n)
				goto done;
		} while (cons_pos < prod_pos);
	}
done:
	/* Caught up: the fd stops being readable, as the kernel's poll says. */
	emu_ringbuf_sync_ready(r->erb);
	return cnt;
}

int ring_buffer__consume_n(struct ring_buffer *rb, size_t n)
{
	int64_t err, res = 0;
	int i;

	for (i = 0; i < rb->ring_cnt; i++) {
		err = ringbuf_process_ring(rb->rings[i], n);
		if (err < 0)
			return emu_err((int)err);
		res += err;
		n -= (size_t)err;
		if (n == 0)
			break;
	}
	return res > INT_MAX ? INT_MAX : (int)res;
}

int ring_buffer__consume(struct ring_buffer *rb)
{
	int64_t err, res = 0;
	int i;

	for (i = 0; i < rb->ring_cnt; i++) {
		err = ringbuf_process_ring(rb->rings[i], INT_MAX);
		if (err < 0)
			return emu_err((int)err);
		res += err;
		if (res > INT_MAX) {
			res = INT_MAX;
			break;
		}
	}
	return (int)res;
}

int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
{
	int64_t err, res = 0;
	int i, cnt;

	if (timeout_ms != 0 && wait_is_futile())
		timeout_ms = 0;
#ifdef RB_USE_EPOLL
	cnt = epoll_wait(rb->epoll_fd, rb->events, rb->ring_cnt, timeout_ms);
	if (cnt < 0)
		return emu_err(-errno);
	for (i = 0; i < cnt; i++) {
		uint32_t ring_id = (uint32_t)rb->events[i].data.fd;

		err = ringbuf_process_ring(rb->rings[ring_id], INT_MAX);
		if (err < 0)
			return emu_err((int)err);
		res += err;
	}
#else
	cnt = poll(rb->pfds, (nfds_t)rb->ring_cnt, timeout_ms);
	if (cnt < 0)
		return emu_err(-errno);
	for (i = 0; cnt > 0 && i < rb->ring_cnt; i++) {
		if (!(rb->pfds[i].revents & POLLIN))
			continue;
		err = ringbuf_process_ring(rb->rings[i], INT_MAX);
		if (err < 0)
			return emu_err((int)err);
		res += err;
	}
#endif
	return res > INT_MAX ? INT_MAX : (int)res;
}

int ring_buffer__epoll_fd(const struct ring_buffer *rb)
{
#ifdef RB_USE_EPOLL
	return rb->epoll_fd;
#else
	/* No epoll here: the first ring's map fd, pollable for POLLIN. */
	return rb->ring_cnt ? rb->pfds[0].fd : -1;
#endif
}

struct ring *ring_buffer__ring(struct ring_buffer *rb, unsigned int idx)
{
	if (idx >= (unsigned int)rb->ring_cnt)
		return emu_err_ptr(-ERANGE);
	return rb->rings[idx];
}

unsigned long ring__consumer_pos(const struct ring *r)
{
	/* Synchronizes with the release in ringbuf_process_ring. */
	return emu_ringbuf_load(r->view.consumer_pos);
}

unsigned long ring__producer_pos(const struct ring *r)
{
	/* Synchronizes with the kernel producer's release. */
	return emu_ringbuf_load(r->view.producer_pos);
}

size_t ring__avail_data_size(const struct ring *r)
{
	unsigned long cons_pos = ring__consumer_pos(r);
	unsigned long prod_pos = ring__producer_pos(r);

	return prod_pos - cons_pos;
}

size_t ring__size(const struct ring *r)
{
	return r->mask + 1;
}

int ring__map_fd(const struct ring *r)
{
	return r->map_fd;
}

int ring__consume_n(struct ring *r, size_t n)
{
	int64_t res = ringbuf_process_ring(r, n);

	if (res < 0)
		return emu_err((int)res);
	return res > INT_MAX ? INT_MAX : (int)res;
}

int ring__consume(struct ring *r)
{
	return ring__consume_n(r, INT_MAX);
}

/* ------------------------------------------------------------ producer */

void user_ring_buffer__free(struct user_ring_buffer *rb)
{
	if (!rb)
		return;
	emu_ringbuf_view_unmap(&rb->view);
	if (rb->erb)
		emu_map_put(&rb->erb->map);
#ifdef RB_USE_EPOLL
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
#endif
	emu_free(rb);
}

static int user_ringbuf_map(struct user_ring_buffer *rb, int map_fd)
{
	int err;

	err = ring_of_fd(map_fd, BPF_MAP_TYPE_USER_RINGBUF, &rb->erb);
	if (err)
		return err;
	rb->map_fd = map_fd;
	rb->mask = (unsigned long)rb->erb->mask;

	/* The kernel refuses a writable consumer page (-EPERM): read-only. */
	err = emu_ringbuf_view_map(rb->erb, PROT_READ, PROT_READ | PROT_WRITE, &rb->view);
	if (err)
		return err;
	rb->consumer_pos = rb->view.consumer_pos;
	rb->producer_pos = rb->view.producer_pos;
	rb->data = rb->view.data;

#ifdef RB_USE_EPOLL
	rb->event.events = EPOLLOUT;
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, map_fd, &rb->event) < 0)
		return -errno;
#endif
	return 0;
}

struct user_ring_buffer *user_ring_buffer__new(int map_fd, const struct user_ring_buffer_opts *opts)
{
	struct user_ring_buffer *rb;
	int err;

	if (!OPTS_VALID(opts, user_ring_buffer_opts))
		return emu_err_ptr(-EINVAL);

	rb = emu_calloc(1, sizeof(*rb));
	if (!rb)
		return emu_err_ptr(-ENOMEM);
	rb->page_size = (size_t)sysconf(_SC_PAGESIZE);
	err = rb_epoll_create(&rb->epoll_fd);
	if (err)
		goto out_free_rb;
	err = user_ringbuf_map(rb, map_fd);
	if (err)
		goto out_free_rb;
	return rb;

out_free_rb:
	user_ring_buffer__free(rb);
	return emu_err_ptr(err);
}

static void user_ringbuf_commit(struct user_ring_buffer *rb, void *sample, bool discard)
{
	uintptr_t hdr_offset;
	uint32_t *hdr, new_len;

	/* Works for a pointer into either copy of the data area. */
	hdr_offset = rb->mask + 1 + ((uint8_t *)sample - rb->data) - BPF_RINGBUF_HDR_SZ;
	hdr = (uint32_t *)(rb->data + (hdr_offset & rb->mask));
	new_len = *hdr & ~BPF_RINGBUF_BUSY_BIT;
	if (discard)
		new_len |= BPF_RINGBUF_DISCARD_BIT;
	/*
	 * The release that publishes the payload to the drain's acquire of
	 * the header.  libbpf exchanges here; a release store orders the
	 * payload the same way and avoids a locked instruction.  Nothing
	 * needs the exchange's full barrier: submit decides no wakeup, the
	 * drain never writes a header, and each producer commits only its
	 * own record (reserve is serialised by the caller; submits of
	 * different records may race, and touch different words).
	 */
	emu_ringbuf_tsan_release(&rb->erb->tsan_data);
	/* The store is itself the synchronisation (mirrored on tsan_data
	 * above): hidden, or another producer's later payload over this word,
	 * after the drain freed it, looks racy to TSan when the submits ran
	 * outside the producers' lock. */
	emu_ringbuf_tsan_ignore_writes_begin();
	__atomic_store_n(hdr, new_len, __ATOMIC_RELEASE);
	emu_ringbuf_tsan_ignore_writes_end();
}

void user_ring_buffer__discard(struct user_ring_buffer *rb, void *sample)
{
	user_ringbuf_commit(rb, sample, true);
}

void user_ring_buffer__submit(struct user_ring_buffer *rb, void *sample)
{
	user_ringbuf_commit(rb, sample, false);
}

/*
 * user_ring_buffer__reserve's rare ends, out of line and reached by tail
 * calls, so that a successful reserve needs no stack frame (the calls in
 * them would otherwise make the whole function save registers).
 */
static __attribute__((noinline, cold)) void *user_ringbuf_reserve_fail(int err)
{
	return emu_err_ptr(err);
}

/* The ring is 100% full with @sample: the map fd stops being writable. */
static __attribute__((noinline)) void *user_ringbuf_reserve_full(struct user_ring_buffer *rb,
								 void *sample)
{
	emu_ringbuf_sync_ready(rb->erb);
	return sample;
}

void *user_ring_buffer__reserve(struct user_ring_buffer *rb, __u32 size)
{
	/* Loaded before the acquires below, after which the compiler would
	 * load them again.  producer_pos is loaded where it is used: keeping
	 * it too would take a register that has to be saved. */
	uint8_t *data = rb->data;
	unsigned long mask = rb->mask;
	uint32_t avail_size, total_size, max_size;
	unsigned long cons_pos, prod_pos;
	uint32_t *hdr;
	void *sample;

	/* The length word keeps its top two bits for BUSY and DISCARD. */
	if (size & (BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT))
		return user_ringbuf_reserve_fail(-E2BIG);

	/* Synchronizes with the drain's release of consumer_pos. */
	cons_pos = emu_ringbuf_load(rb->consumer_pos);
	/* Synchronizes with our own release, should producers be serialised
	 * by a lock the compiler cannot see. */
	prod_pos = emu_ringbuf_load(rb->producer_pos);
	emu_ringbuf_tsan_acquire(&rb->erb->tsan_space);

	max_size = (uint32_t)(mask + 1);
	avail_size = max_size - (uint32_t)(prod_pos - cons_pos);
	total_size = (size + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8;
	if (total_size > max_size)
		return user_ringbuf_reserve_fail(-E2BIG);
	/* The ring may be filled to exactly 100%. */
	if (avail_size < total_size)
		return user_ringbuf_reserve_fail(-ENOSPC);

	hdr = (uint32_t *)(data + (prod_pos & mask));
	sample = data + ((prod_pos + BPF_RINGBUF_HDR_SZ) & mask);
	hdr[0] = size | BPF_RINGBUF_BUSY_BIT;
	hdr[1] = 0;
	emu_ringbuf_tsan_release(&rb->erb->tsan_data);
	/* The producer position moves at reserve time (the drain stops at
	 * the BUSY header until submit). */
	emu_ringbuf_store(rb->producer_pos, prod_pos + total_size);
	if (avail_size == total_size)
		return user_ringbuf_reserve_full(rb, sample);
	return sample;
}

static uint64_t ns_elapsed_timespec(const struct timespec *start, const struct timespec *end)
{
	uint64_t start_ns = (uint64_t)start->tv_sec * 1000000000ull + (uint64_t)start->tv_nsec;
	uint64_t end_ns = (uint64_t)end->tv_sec * 1000000000ull + (uint64_t)end->tv_nsec;

	return end_ns - start_ns;
}

/* Wait for the map fd to report writable, up to @ms (-1: forever). */
static int user_ringbuf_wait(struct user_ring_buffer *rb, int ms)
{
#ifdef RB_USE_EPOLL
	return epoll_wait(rb->epoll_fd, &rb->event, 1, ms);
#else
	struct pollfd pfd = { .fd = rb->map_fd, .events = POLLOUT };

	return poll(&pfd, 1, ms);
#endif
}

void *user_ring_buffer__reserve_blocking(struct user_ring_buffer *rb, __u32 size, int timeout_ms)
{
	const uint64_t ns_per_ms = 1000000;
	uint64_t ns_elapsed = 0, timeout_ns;
	struct timespec start;
	bool futile = false;
	int err;

	if (timeout_ms < 0 && timeout_ms != -1)
		return emu_err_ptr(-EINVAL);
	if (timeout_ms != -1) {
		err = clock_gettime(CLOCK_MONOTONIC, &start);
		if (err)
			return NULL;
	}
	timeout_ns = (uint64_t)timeout_ms * ns_per_ms;

	do {
		uint64_t ns_remaining = timeout_ns - ns_elapsed;
		struct timespec curr;
		void *sample;
		int cnt, ms_remaining;

		sample = user_ring_buffer__reserve(rb, size);
		if (sample)
			return sample;
		if (errno != ENOSPC)
			return NULL;

		/* Alone in the process, nobody can drain while we wait. */
		if (!futile && wait_is_futile()) {
			futile = true;
			if (timeout_ms == -1)
				emu_diag("reserve_blocking_would_hang",
					 "user_ring_buffer__reserve_blocking(timeout -1) on a full ring in a single-threaded process would never return; failing with ENOSPC");
			break;
		}

		/* At least one wakeup comes per drain that consumed a sample
		 * (unless BPF_RB_NO_WAKEUP), or per BPF_RB_FORCE_WAKEUP. */
		ms_remaining = timeout_ms == -1 ? -1 : (int)(ns_remaining / ns_per_ms);
		cnt = user_ringbuf_wait(rb, ms_remaining);
		if (cnt < 0)
			return NULL;
		if (timeout_ms == -1)
			continue;
		err = clock_gettime(CLOCK_MONOTONIC, &curr);
		if (err)
			return NULL;
		ns_elapsed = ns_elapsed_timespec(&start, &curr);
	} while (ns_elapsed <= timeout_ns);

	/* Timed out: one last attempt, ENOSPC if it fails. */
	return user_ring_buffer__reserve(rb, size);
}
