// SPDX-License-Identifier: MIT
/*
 * Ring buffer throughput at 64 B and 4 KiB payloads:
 *   user -> program: user_ring_buffer__reserve/submit, bpf_user_ringbuf_drain
 *   program -> user: bpf_ringbuf_reserve/submit, ring_buffer__consume
 *
 * Single producer: producer and consumer alternate on one thread in batches
 * (fill the ring, then empty it), as a test drives them; the program side
 * runs as a program (emu_run on a bare SCHED_CLS program), so its helpers
 * take their in-program path and the drain's callback its nested entry.
 * Each such figure stands beside two baselines measured in the same run:
 *
 *   memcpy    the payload bytes copied, nothing else;
 *   raw ring  a hand-written ring doing the same protocol with no emulation
 *             layer (raw_* below): 8-byte length headers with BUSY and
 *             DISCARD bits, positions published with release stores and
 *             read with acquire loads, the consumer releasing its position
 *             after each record and calling a function pointer per record.
 *             user -> program is single-producer (release store publishes
 *             the header); program -> user is multi-producer as the
 *             kernel's ring (a spinlock around the reservation, an
 *             exchange to commit, the consumer position read for the
 *             wakeup decision), without the locked instructions while the
 *             process has one thread, as bpfemu.
 *   raw ring, calls
 *             the same raw ring with its reserve and submit out of line:
 *             what any ring costs whose producer calls a function per
 *             record, as a program calls a helper and user space calls
 *             libbpf's user_ring_buffer__reserve/submit.
 *
 * Each figure is the best of TRIES tries, the four taken in turn.  Then
 * several producer threads against a consumer thread (bpfemu only).
 * "BENCH <name> <value> <unit>" lines feed bench/run.sh's table.
 *
 *   bench_ringbuf [samples-per-case [filter]]
 *
 * filter: run only the cases whose name contains it, e.g. "prog->user, 1
 * producer, 64 B" or "threads".
 */
#if defined(__linux__)
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>
#include <bpfemu/libbpf_ringbuf.h>

#include "fd.h"
#include "map.h"
#include "prog.h"
#include "ringbuf.h"

#define RING_SIZE	(1u << 22)	/* 4 MiB */
#define NR_THREADS	3
#define TRIES		5

static long nsamples = 1000000;
static const char *only;	/* run only the cases whose name contains this */
static struct emu_prog *prog;	/* what the program side runs as */

static int skip(const char *what)
{
	return only && !strstr(what, only);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct emu_map *ring_new(uint32_t type, int *fd)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.max_entries = RING_SIZE,
		.inner_map_fd = -1,
	};
	struct emu_map *map;
	int err = 0;

	map = emu_map_create(&attr, &err);
	if (!map) {
		fprintf(stderr, "map create: %d\n", err);
		exit(1);
	}
	*fd = emu_map_new_fd(map, 0);
	emu_map_put(map);
	return map;
}

static void report(const char *what, size_t size, long n, uint64_t ns, double memcpy_bps)
{
	double secs = (double)ns / 1e9;
	double bps = (double)n * (double)size / secs;

	printf("%-34s %5zu B  %10.0f samples/s  %8.1f MB/s  %7.1f ns", what, size, n / secs,
	       bps / 1e6, (double)ns / n);
	if (memcpy_bps > 0)
		printf("  (%5.1f%% of memcpy)", 100.0 * bps / memcpy_bps);
	printf("\n");
}

/* What the consuming side has read: it reads every sample it is sent. */
struct acc {
	uint64_t sum;
	long n;
	uint8_t buf[4096];
};

/* ns for @n memcpys of @size bytes, spread as a ring's records are */
static uint64_t time_memcpy(size_t size, long n)
{
	size_t span = RING_SIZE;
	uint8_t *src = malloc(span + size), *dst = malloc(span + size);
	uint64_t t0, ns;
	long i;

	memset(src, 1, span + size);
	memset(dst, 0, span + size);
	t0 = wall_ns();
	for (i = 0; i < n; i++) {
		size_t off = ((size_t)i * (size + 8)) % span;

		memcpy(dst + off, src + off, size);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	ns = wall_ns() - t0;
	free(src);
	free(dst);
	return ns;
}

/* ------------------------------------------------ the raw rings */

/*
 * The baseline: a ring with the kernel's record format and positions, but
 * nothing of bpfemu (no map, no helpers, no program entry, no checks a
 * verifier would make).  The data area is mapped twice in a row, as the
 * emulated ring's, so a record that wraps stays contiguous.
 */
#define RAW_BUSY	(1u << 31)
#define RAW_DISCARD	(1u << 30)
#define RAW_HDR		8

struct raw_ring {
	_Alignas(64) unsigned long cons;
	_Alignas(64) unsigned long prod;
	_Alignas(64) atomic_uint lock;	/* multi-producer only */
	unsigned long mask;
	uint8_t *data;
	unsigned long wakeups;
};

typedef int (*raw_cb_t)(void *ctx, void *sample, uint32_t len);

static void raw_open(struct raw_ring *r)
{
	size_t size = RING_SIZE;
	uint8_t *p;
	int fd;

	memset(r, 0, sizeof(*r));
	r->mask = size - 1;
#if defined(__linux__)
	fd = memfd_create("raw-ring", 0);
#else
	char tmpl[] = "/tmp/bench-ring-XXXXXX";

	fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
#endif
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("raw ring");
		exit(1);
	}
	p = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED ||
	    mmap(p, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(p + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		perror("raw ring mmap");
		exit(1);
	}
	close(fd);
	r->data = p;
}

static void raw_close(struct raw_ring *r)
{
	munmap(r->data, 2 * (r->mask + 1));
}

static inline uint32_t raw_total(uint32_t len)
{
	return (len + RAW_HDR + 7) & ~7u;
}

/* Single producer: only this thread moves prod. */
static void *raw_sp_reserve(struct raw_ring *r, uint32_t size)
{
	unsigned long cons = __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(&r->prod, __ATOMIC_RELAXED);
	uint32_t total = raw_total(size);
	uint32_t *hdr;

	if (r->mask + 1 - (prod - cons) < total)
		return NULL;
	hdr = (uint32_t *)(r->data + (prod & r->mask));
	hdr[0] = size | RAW_BUSY;
	hdr[1] = 0;
	__atomic_store_n(&r->prod, prod + total, __ATOMIC_RELEASE);
	return hdr + 2;
}

static void raw_sp_submit(void *sample)
{
	uint32_t *hdr = (uint32_t *)((uint8_t *)sample - RAW_HDR);

	__atomic_store_n(hdr, *hdr & ~RAW_BUSY, __ATOMIC_RELEASE);
}

static void raw_spin_lock(atomic_uint *l)
{
	while (atomic_exchange_explicit(l, 1, memory_order_acquire))
		while (atomic_load_explicit(l, memory_order_relaxed))
			sched_yield();
}

/*
 * Multi-producer: positions reserved under the lock.  As a hand-written
 * ring would, and as bpfemu does (emu/lock.h), a process that has only
 * ever had one thread takes the lock and commits without a locked
 * instruction: nothing else can contend or sleep on a wakeup.
 */
static void *raw_mp_reserve(struct raw_ring *r, uint32_t size)
{
	unsigned long cons = __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
	uint32_t total = raw_total(size);
	bool alone = EMU_SINGLE_THREADED();
	unsigned long prod;
	uint32_t *hdr;

	if (!alone)
		raw_spin_lock(&r->lock);
	prod = __atomic_load_n(&r->prod, __ATOMIC_RELAXED);
	if (prod + total - cons > r->mask) {
		atomic_store_explicit(&r->lock, 0, memory_order_release);
		return NULL;
	}
	hdr = (uint32_t *)(r->data + (prod & r->mask));
	hdr[0] = size | RAW_BUSY;
	hdr[1] = 0;
	__atomic_store_n(&r->prod, prod + total, __ATOMIC_RELEASE);
	if (!alone)
		atomic_store_explicit(&r->lock, 0, memory_order_release);
	return hdr + 2;
}

/* Commit with a full barrier (with other threads), then decide on a
 * wakeup: did the consumer catch up with this very record? */
static void raw_mp_submit(struct raw_ring *r, void *sample)
{
	uint32_t *hdr = (uint32_t *)((uint8_t *)sample - RAW_HDR);
	unsigned long pos = (unsigned long)((uint8_t *)hdr - r->data);

	if (EMU_SINGLE_THREADED())
		__atomic_store_n(hdr, *hdr & ~RAW_BUSY, __ATOMIC_RELEASE);
	else
		__atomic_exchange_n(hdr, *hdr & ~RAW_BUSY, __ATOMIC_ACQ_REL);
	if ((__atomic_load_n(&r->cons, __ATOMIC_ACQUIRE) & r->mask) == pos)
		r->wakeups++;
}

/* The consumer: records in order, each position released after its record. */
static long raw_consume(struct raw_ring *r, raw_cb_t cb, void *ctx)
{
	unsigned long cons = __atomic_load_n(&r->cons, __ATOMIC_RELAXED);
	unsigned long prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
	long n = 0;

	while (cons < prod) {
		uint32_t *hdr = (uint32_t *)(r->data + (cons & r->mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t size = len & ~(RAW_BUSY | RAW_DISCARD);

		if (len & RAW_BUSY)
			break;
		if (raw_total(size) > prod - cons)
			break;	/* a broken header: stop, as a drain would */
		cons += raw_total(size);
		if (!(len & RAW_DISCARD)) {
			cb(ctx, hdr + 2, size);
			n++;
		}
		__atomic_store_n(&r->cons, cons, __ATOMIC_RELEASE);
	}
	return n;
}

/* The callback reads what it was sent, as the emulated ones do. */
static int raw_cb(void *ctx, void *sample, uint32_t len)
{
	struct acc *a = ctx;

	memcpy(a->buf, sample, len);
	a->sum += a->buf[0];
	a->n++;
	return 0;
}

/*
 * The same rings with their producer side out of line, as a helper (and
 * libbpf's user_ring_buffer__reserve/submit) is: each reserve and submit a
 * call the compiler cannot see into, so the producer's loop keeps its
 * state in callee-saved registers and the ring's fields are read again on
 * every call.  bpfemu cannot do better than this at the call boundary.
 */
static __attribute__((noinline)) void *raw_sp_reserve_call(struct raw_ring *r, uint32_t size)
{
	return raw_sp_reserve(r, size);
}

static __attribute__((noinline)) void raw_sp_submit_call(void *sample)
{
	raw_sp_submit(sample);
}

static __attribute__((noinline)) void *raw_mp_reserve_call(struct raw_ring *r, uint32_t size)
{
	return raw_mp_reserve(r, size);
}

static __attribute__((noinline)) void raw_mp_submit_call(struct raw_ring *r, void *sample)
{
	raw_mp_submit(r, sample);
}

/* Up to @n samples of @size bytes from @src into the raw ring; how many
 * went in.  Inlined into the two functions below, once with each value of
 * @calls, each its own loop. */
static inline __attribute__((always_inline)) long
raw_fill(struct raw_ring *r, bool multi_producer, bool calls, const uint8_t *src, size_t size,
	 long n)
{
	long i;

	for (i = 0; i < n; i++) {
		void *p;

		if (multi_producer)
			p = calls ? raw_mp_reserve_call(r, (uint32_t)size)
				  : raw_mp_reserve(r, (uint32_t)size);
		else
			p = calls ? raw_sp_reserve_call(r, (uint32_t)size)
				  : raw_sp_reserve(r, (uint32_t)size);
		if (!p)
			break;
		memcpy(p, src, size);
		if (multi_producer) {
			if (calls)
				raw_mp_submit_call(r, p);
			else
				raw_mp_submit(r, p);
		} else {
			if (calls)
				raw_sp_submit_call(p);
			else
				raw_sp_submit(p);
		}
	}
	return i;
}

static __attribute__((noinline)) long
raw_fill_calls(struct raw_ring *r, bool multi_producer, const uint8_t *src, size_t size, long n)
{
	return raw_fill(r, multi_producer, true, src, size, n);
}

/* ns for @n samples of @size bytes through the raw ring, one direction;
 * @calls: its producer side out of line */
static uint64_t time_raw(bool multi_producer, bool calls, size_t size, long n)
{
	static struct acc acc;
	struct raw_ring r;
	uint8_t src[4096];
	uint64_t t0, ns;
	long sent = 0;

	memset(src, 2, sizeof(src));
	memset(&acc, 0, sizeof(acc));
	raw_open(&r);
	t0 = wall_ns();
	while (acc.n < n) {
		if (calls)
			sent += raw_fill_calls(&r, multi_producer, src, size, n - sent);
		else
			sent += raw_fill(&r, multi_producer, false, src, size, n - sent);
		raw_consume(&r, raw_cb, &acc);
	}
	ns = wall_ns() - t0;
	raw_close(&r);
	return ns;
}

/* ------------------------------------------------ bpfemu */

/*
 * Both directions run the same two loops (one producer alternating with the
 * consumer on this thread; NR_THREADS producer threads against a consumer on
 * this thread).  What differs between them -- the ring type, how a sample is
 * put in and how the other side takes it -- is a struct ring_dir; its
 * functions are called once per batch, never per sample, so the loop being
 * shared adds no call to what is measured.
 */
struct bench_ring;

struct ring_dir {
	const char *name;	/* the rows' prefix, also what skip() matches */
	const char *key;	/* the BENCH lines' */
	uint32_t map_type;
	bool multi_producer;	/* the raw ring to measure it against */
	/* Put up to n samples of size bytes from src in the ring without
	 * waiting; returns how many went in (fewer when the ring is full). */
	long (*fill)(struct bench_ring *r, uint8_t *src, size_t size, long n);
	/* Take what is in the ring now. */
	void (*take)(struct bench_ring *r);
	/* Take what is in the ring, waiting a little when it is empty (the
	 * producers are other threads). */
	void (*take_wait)(struct bench_ring *r);
	/* A producer thread: arg is a struct producer. */
	void *(*producer)(void *arg);
};

struct bench_ring {
	void *def;
	int fd;
	struct user_ring_buffer *urb;	/* user -> program */
	struct ring_buffer *rb;		/* program -> user */
	pthread_mutex_t lock;		/* user producers take turns (one urb) */
	struct acc acc;
};

struct producer {
	struct bench_ring *r;
	size_t size;
	long n;
};

/* ------------------------------------------------ user -> program */

static int drain_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct acc *a = ctx;
	uint32_t size = bpf_dynptr_size(d);

	/* A program reads what it was sent. */
	bpfemu_helper_dynptr_read(a->buf, size, d, 0, 0);
	a->sum += a->buf[0];
	a->n++;
	return 0;
}

static long user_fill(struct bench_ring *r, uint8_t *src, size_t size, long n)
{
	long i;
	void *p;

	for (i = 0; i < n && (p = user_ring_buffer__reserve(r->urb, (uint32_t)size)); i++) {
		memcpy(p, src, size);
		user_ring_buffer__submit(r->urb, p);
	}
	return i;
}

/* The program: one drain. */
static long drain_prog(void *arg)
{
	struct bench_ring *r = arg;

	return bpfemu_helper_user_ringbuf_drain(r->def, drain_cb, &r->acc, 0);
}

static void user_take(struct bench_ring *r)
{
	long ret;

	emu_run(prog, EMU_ENTRY_PROG, drain_prog, r, &ret);
}

static void user_take_wait(struct bench_ring *r)
{
	if (bpfemu_helper_user_ringbuf_drain(r->def, drain_cb, &r->acc, 0) == 0)
		sched_yield();
}

static void *user_producer(void *arg)
{
	struct producer *u = arg;
	struct bench_ring *r = u->r;
	uint8_t src[4096];
	long i;

	memset(src, 3, sizeof(src));
	for (i = 0; i < u->n; i++) {
		void *p;

		pthread_mutex_lock(&r->lock);
		p = user_ring_buffer__reserve_blocking(r->urb, (uint32_t)u->size, 10000);
		if (p) {
			memcpy(p, src, u->size);
			user_ring_buffer__submit(r->urb, p);
		}
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static const struct ring_dir user_to_prog = {
	.name = "user->prog",
	.key = "user_to_prog",
	.map_type = BPF_MAP_TYPE_USER_RINGBUF,
	.multi_producer = false,
	.fill = user_fill,
	.take = user_take,
	.take_wait = user_take_wait,
	.producer = user_producer,
};

/* ------------------------------------------------ program -> user */

static int consume_cb(void *ctx, void *data, size_t size)
{
	struct acc *a = ctx;

	/* User space reads what it was sent. */
	memcpy(a->buf, data, size);
	a->sum += a->buf[0];
	a->n++;
	return 0;
}

struct produce_args {
	struct bench_ring *r;
	uint8_t *src;
	size_t size;
	long n;
};

/* The program: reserve, fill and submit samples until n or a full ring. */
static long produce_prog(void *arg)
{
	struct produce_args *a = arg;
	long i;

	for (i = 0; i < a->n; i++) {
		void *p = bpfemu_helper_ringbuf_reserve(a->r->def, a->size, 0);

		if (!p)
			break;
		memcpy(p, a->src, a->size);
		bpfemu_helper_ringbuf_submit(p, 0);
	}
	return i;
}

static long kernel_fill(struct bench_ring *r, uint8_t *src, size_t size, long n)
{
	struct produce_args a = { .r = r, .src = src, .size = size, .n = n };
	long ret = 0;

	emu_run(prog, EMU_ENTRY_PROG, produce_prog, &a, &ret);
	return ret;
}

static void kernel_take(struct bench_ring *r)
{
	ring_buffer__consume(r->rb);
}

static void kernel_take_wait(struct bench_ring *r)
{
	ring_buffer__poll(r->rb, 100);
}

static void *kernel_producer(void *arg)
{
	struct producer *k = arg;
	uint8_t src[4096];
	long i;

	memset(src, 5, sizeof(src));
	for (i = 0; i < k->n; i++) {
		void *p;

		while (!(p = bpfemu_helper_ringbuf_reserve(k->r->def, k->size, 0)))
			sched_yield();
		memcpy(p, src, k->size);
		bpfemu_helper_ringbuf_submit(p, 0);
	}
	return NULL;
}

static const struct ring_dir prog_to_user = {
	.name = "prog->user",
	.key = "prog_to_user",
	.map_type = BPF_MAP_TYPE_RINGBUF,
	.multi_producer = true,
	.fill = kernel_fill,
	.take = kernel_take,
	.take_wait = kernel_take_wait,
	.producer = kernel_producer,
};

/* ------------------------------------------------ the loops */

static void ring_open(struct bench_ring *r, const struct ring_dir *dir)
{
	struct emu_map *map;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	map = ring_new(dir->map_type, &r->fd);
	r->def = emu_map_def(map);
	if (dir->map_type == BPF_MAP_TYPE_USER_RINGBUF)
		r->urb = user_ring_buffer__new(r->fd, NULL);
	else
		r->rb = ring_buffer__new(r->fd, consume_cb, &r->acc, NULL);
}

static void ring_close(struct bench_ring *r)
{
	user_ring_buffer__free(r->urb);
	ring_buffer__free(r->rb);
	close(r->fd);
	emu_fd_reap();
	pthread_mutex_destroy(&r->lock);
}

/* ns for @n samples of @size bytes through bpfemu, one producer */
static uint64_t time_emu(const struct ring_dir *dir, size_t size, long n)
{
	struct bench_ring r;
	uint8_t src[4096];
	uint64_t t0, ns;
	long sent = 0;

	memset(src, 2, sizeof(src));
	ring_open(&r, dir);
	t0 = wall_ns();
	while (r.acc.n < n) {
		/* Fill the ring, then let the other side empty it. */
		sent += dir->fill(&r, src, size, n - sent);
		dir->take(&r);
	}
	ns = wall_ns() - t0;
	ring_close(&r);
	return ns;
}

static uint64_t min_ns(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* One direction, one size: bpfemu, the raw ring and memcpy, best of TRIES. */
static void bench_single(const struct ring_dir *dir, size_t size)
{
	uint64_t emu = UINT64_MAX, raw = UINT64_MAX, raw_calls = UINT64_MAX, mem = UINT64_MAX;
	double n = (double)nsamples, mem_bps;
	char what[64];
	int t;

	snprintf(what, sizeof(what), "%s, 1 producer, %zu B", dir->name, size);
	if (skip(what))
		return;

	for (t = 0; t < TRIES; t++) {
		mem = min_ns(mem, time_memcpy(size, nsamples));
		raw = min_ns(raw, time_raw(dir->multi_producer, false, size, nsamples));
		raw_calls = min_ns(raw_calls, time_raw(dir->multi_producer, true, size, nsamples));
		emu = min_ns(emu, time_emu(dir, size, nsamples));
	}
	mem_bps = n * (double)size / ((double)mem / 1e9);
	report("memcpy", size, nsamples, mem, 0);
	snprintf(what, sizeof(what), "%s, raw ring", dir->name);
	report(what, size, nsamples, raw, mem_bps);
	snprintf(what, sizeof(what), "%s, raw ring, calls", dir->name);
	report(what, size, nsamples, raw_calls, mem_bps);
	snprintf(what, sizeof(what), "%s, 1 producer", dir->name);
	report(what, size, nsamples, emu, mem_bps);

	printf("BENCH ring_%s_%zu %.1f ns/sample\n", dir->key, size, emu / n);
	printf("BENCH ring_%s_%zu_memcpy %.1f ns/sample\n", dir->key, size, mem / n);
	printf("BENCH ring_%s_%zu_raw %.1f ns/sample\n", dir->key, size, raw / n);
	printf("BENCH ring_%s_%zu_raw_calls %.1f ns/sample\n", dir->key, size, raw_calls / n);
	printf("BENCH ratio_ring_%s_%zu_vs_memcpy %.2f x\n", dir->key, size,
	       (double)emu / (double)mem);
	printf("BENCH ratio_ring_%s_%zu_vs_raw %.2f x\n", dir->key, size,
	       (double)emu / (double)raw);
	printf("BENCH ratio_ring_%s_%zu_raw_calls_vs_memcpy %.2f x\n", dir->key, size,
	       (double)raw_calls / (double)mem);
}

static void bench_threads(const struct ring_dir *dir, size_t size)
{
	struct producer prod[NR_THREADS];
	pthread_t th[NR_THREADS];
	struct bench_ring r;
	long per = nsamples / NR_THREADS, total = per * NR_THREADS;
	char what[64];
	uint64_t t0;
	int i;

	snprintf(what, sizeof(what), "%s, %d producer threads, %zu B", dir->name, NR_THREADS, size);
	if (skip(what))
		return;

	ring_open(&r, dir);
	t0 = wall_ns();
	for (i = 0; i < NR_THREADS; i++) {
		prod[i] = (struct producer){ .r = &r, .size = size, .n = per };
		pthread_create(&th[i], NULL, dir->producer, &prod[i]);
	}
	while (r.acc.n < total)
		dir->take_wait(&r);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	snprintf(what, sizeof(what), "%s, %d producer threads", dir->name, NR_THREADS);
	report(what, size, total, wall_ns() - t0, 0);
	ring_close(&r);
}

int main(int argc, char **argv)
{
	size_t sizes[] = { 64, 4096 };
	size_t i;
	int ok;

	if (argc > 1)
		nsamples = atol(argv[1]);
	if (argc > 2)
		only = argv[2];
	emu_ringbuf_register();
	prog = emu_prog_new_bare("bench_ringbuf", BPF_PROG_TYPE_SCHED_CLS);
	if (!prog) {
		fprintf(stderr, "no memory for the program\n");
		return 1;
	}
	printf("ring %u KiB, %ld samples per case, best of %d\n", RING_SIZE >> 10, nsamples,
	       TRIES);
	/* The single-producer cases first: a process that has had a thread
	 * takes the locked paths for good (emu/lock.h), and one producer on
	 * one thread is what a test is. */
	for (i = 0; i < 2; i++) {
		bench_single(&user_to_prog, sizes[i]);
		bench_single(&prog_to_user, sizes[i]);
	}
	for (i = 0; i < 2; i++) {
		bench_threads(&user_to_prog, sizes[i]);
		bench_threads(&prog_to_user, sizes[i]);
	}
	emu_prog_put(prog);
	ok = bpfemu_live_objects() == 0;
	return ok ? 0 : 1;
}
