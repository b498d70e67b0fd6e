// SPDX-License-Identifier: MIT
/*
 * Ring buffer throughput, samples/s at 64 B and 4 KiB payloads:
 *   user -> program: user_ring_buffer__reserve/submit, bpf_user_ringbuf_drain
 *   program -> user: bpf_ringbuf_reserve/submit, ring_buffer__consume
 * each with one producer (producer and consumer alternate on one thread in
 * batches, as a test would drive them) and with several producer threads
 * against a consumer thread; beside a plain memcpy of the same bytes,
 * measured in the same run.  Targets (docs/ringbuf.md): at least the
 * kernel's rate on this machine, and >= 30% of memcpy bandwidth at 4 KiB.
 *
 *   bench_ringbuf [samples-per-case]
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>
#include <bpfemu/libbpf_ringbuf.h>

#include "fd.h"
#include "map.h"
#include "ringbuf.h"

#define RING_SIZE	(1u << 22)	/* 4 MiB */
#define NR_THREADS	3

static long nsamples = 1000000;
static const char *only;	/* run only the cases whose name contains this */

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

	printf("%-34s %5zu B  %10.0f samples/s  %8.1f MB/s", what, size, n / secs, bps / 1e6);
	if (memcpy_bps > 0)
		printf("  (%5.1f%% of memcpy)", 100.0 * bps / memcpy_bps);
	printf("\n");
}

static double bench_memcpy(size_t size)
{
	size_t span = RING_SIZE;
	uint8_t *src = malloc(span + size), *dst = malloc(span + size);
	uint64_t t0, ns;
	long i;

	memset(src, 1, span + size);
	memset(dst, 0, span + size);
	t0 = wall_ns();
	for (i = 0; i < nsamples; i++) {
		size_t off = ((size_t)i * (size + 8)) % span;

		memcpy(dst + off, src + off, size);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	ns = wall_ns() - t0;
	report("memcpy", size, nsamples, ns, 0);
	free(src);
	free(dst);
	return (double)nsamples * (double)size / ((double)ns / 1e9);
}

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
	uint32_t map_type;
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

/* What the consuming side has read: it reads every sample it is sent. */
struct acc {
	uint64_t sum;
	long n;
	uint8_t buf[4096];
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

static void user_take(struct bench_ring *r)
{
	bpfemu_helper_user_ringbuf_drain(r->def, drain_cb, &r->acc, 0);
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
	.map_type = BPF_MAP_TYPE_USER_RINGBUF,
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

static long kernel_fill(struct bench_ring *r, uint8_t *src, size_t size, long n)
{
	long i;

	for (i = 0; i < n && !bpfemu_helper_ringbuf_output(r->def, src, size, 0); i++)
		;
	return i;
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
	.map_type = BPF_MAP_TYPE_RINGBUF,
	.fill = kernel_fill,
	.take = kernel_take,
	.take_wait = kernel_take_wait,
	.producer = kernel_producer,
};

/* ------------------------------------------------ the two loops */

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

static void bench_single(const struct ring_dir *dir, size_t size, double memcpy_bps)
{
	struct bench_ring r;
	uint8_t src[4096];
	char what[64];
	uint64_t t0;
	long sent = 0;

	snprintf(what, sizeof(what), "%s, 1 producer", dir->name);
	if (skip(what))
		return;

	memset(src, 2, sizeof(src));
	ring_open(&r, dir);
	t0 = wall_ns();
	while (r.acc.n < nsamples) {
		/* Fill the ring, then let the other side empty it. */
		sent += dir->fill(&r, src, size, nsamples - sent);
		dir->take(&r);
	}
	report(what, size, nsamples, wall_ns() - t0, memcpy_bps);
	ring_close(&r);
}

static void bench_threads(const struct ring_dir *dir, size_t size, double memcpy_bps)
{
	struct producer prod[NR_THREADS];
	pthread_t th[NR_THREADS];
	struct bench_ring r;
	long per = nsamples / NR_THREADS, total = per * NR_THREADS;
	char what[64];
	uint64_t t0;
	int i;

	snprintf(what, sizeof(what), "%s, %d producer threads", dir->name, NR_THREADS);
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
	report(what, size, total, wall_ns() - t0, memcpy_bps);
	ring_close(&r);
}

int main(int argc, char **argv)
{
	size_t sizes[] = { 64, 4096 };
	size_t i;

	if (argc > 1)
		nsamples = atol(argv[1]);
	if (argc > 2)
		only = argv[2];
	emu_ringbuf_register();
	printf("ring %u KiB, %ld samples per case\n", RING_SIZE >> 10, nsamples);
	for (i = 0; i < 2; i++) {
		double m = bench_memcpy(sizes[i]);

		bench_single(&user_to_prog, sizes[i], m);
		bench_threads(&user_to_prog, sizes[i], m);
		bench_single(&prog_to_user, sizes[i], m);
		bench_threads(&prog_to_user, sizes[i], m);
	}
	return bpfemu_live_objects() == 0 ? 0 : 1;
}
