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

/* ------------------------------------------------ user -> program */

struct drain_acc {
	uint64_t sum;
	long n;
	uint8_t buf[4096];
};

static int drain_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct drain_acc *a = ctx;
	uint32_t size = bpf_dynptr_size(d);

	/* A program reads what it was sent. */
	bpfemu_helper_dynptr_read(a->buf, size, d, 0, 0);
	a->sum += a->buf[0];
	a->n++;
	return 0;
}

static void bench_user_single(size_t size, double memcpy_bps)
{
	struct drain_acc acc = { 0 };
	struct user_ring_buffer *urb;
	struct emu_map *map;
	uint8_t src[4096];
	uint64_t t0;
	long sent = 0;
	void *def;
	int fd;

	if (skip("user->prog, 1 producer"))
		return;

	memset(src, 2, sizeof(src));
	map = ring_new(BPF_MAP_TYPE_USER_RINGBUF, &fd);
	def = emu_map_def(map);
	urb = user_ring_buffer__new(fd, NULL);
	t0 = wall_ns();
	while (acc.n < nsamples) {
		void *p;

		/* Fill the ring, then let the program drain it. */
		while (sent < nsamples && (p = user_ring_buffer__reserve(urb, (uint32_t)size))) {
			memcpy(p, src, size);
			user_ring_buffer__submit(urb, p);
			sent++;
		}
		bpfemu_helper_user_ringbuf_drain(def, drain_cb, &acc, 0);
	}
	report("user->prog, 1 producer", size, nsamples, wall_ns() - t0, memcpy_bps);
	user_ring_buffer__free(urb);
	close(fd);
	emu_fd_reap();
}

struct uprod {
	struct user_ring_buffer *urb;
	pthread_mutex_t *lock;
	size_t size;
	long n;
};

static void *user_producer(void *arg)
{
	struct uprod *u = arg;
	uint8_t src[4096];
	long i;

	memset(src, 3, sizeof(src));
	for (i = 0; i < u->n; i++) {
		void *p;

		pthread_mutex_lock(u->lock);
		p = user_ring_buffer__reserve_blocking(u->urb, (uint32_t)u->size, 10000);
		if (p) {
			memcpy(p, src, u->size);
			user_ring_buffer__submit(u->urb, p);
		}
		pthread_mutex_unlock(u->lock);
	}
	return NULL;
}

static void bench_user_threads(size_t size, double memcpy_bps)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct uprod up[NR_THREADS];
	pthread_t th[NR_THREADS];
	struct drain_acc acc = { 0 };
	struct user_ring_buffer *urb;
	struct emu_map *map;
	long per = nsamples / NR_THREADS, total = per * NR_THREADS;
	uint64_t t0;
	void *def;
	int fd, i;

	if (skip("user->prog, 3 producer threads"))
		return;

	map = ring_new(BPF_MAP_TYPE_USER_RINGBUF, &fd);
	def = emu_map_def(map);
	urb = user_ring_buffer__new(fd, NULL);
	t0 = wall_ns();
	for (i = 0; i < NR_THREADS; i++) {
		up[i] = (struct uprod){ .urb = urb, .lock = &lock, .size = size, .n = per };
		pthread_create(&th[i], NULL, user_producer, &up[i]);
	}
	while (acc.n < total)
		if (bpfemu_helper_user_ringbuf_drain(def, drain_cb, &acc, 0) == 0)
			sched_yield();
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	report("user->prog, 3 producer threads", size, total, wall_ns() - t0, memcpy_bps);
	user_ring_buffer__free(urb);
	close(fd);
	emu_fd_reap();
}

/* ------------------------------------------------ program -> user */

struct cons_acc {
	uint64_t sum;
	long n;
	uint8_t buf[4096];
};

static int consume_cb(void *ctx, void *data, size_t size)
{
	struct cons_acc *a = ctx;

	/* User space reads what it was sent. */
	memcpy(a->buf, data, size);
	a->sum += a->buf[0];
	a->n++;
	return 0;
}

static void bench_kernel_single(size_t size, double memcpy_bps)
{
	struct cons_acc acc = { 0 };
	struct ring_buffer *rb;
	struct emu_map *map;
	uint8_t src[4096];
	uint64_t t0;
	long sent = 0;
	void *def;
	int fd;

	if (skip("prog->user, 1 producer"))
		return;

	memset(src, 4, sizeof(src));
	map = ring_new(BPF_MAP_TYPE_RINGBUF, &fd);
	def = emu_map_def(map);
	rb = ring_buffer__new(fd, consume_cb, &acc, NULL);
	t0 = wall_ns();
	while (acc.n < nsamples) {
		while (sent < nsamples && !bpfemu_helper_ringbuf_output(def, src, size, 0))
			sent++;
		ring_buffer__consume(rb);
	}
	report("prog->user, 1 producer", size, nsamples, wall_ns() - t0, memcpy_bps);
	ring_buffer__free(rb);
	close(fd);
	emu_fd_reap();
}

struct kprod {
	void *def;
	size_t size;
	long n;
};

static void *kernel_producer(void *arg)
{
	struct kprod *k = arg;
	uint8_t src[4096];
	long i;

	memset(src, 5, sizeof(src));
	for (i = 0; i < k->n; i++) {
		void *p;

		while (!(p = bpfemu_helper_ringbuf_reserve(k->def, k->size, 0)))
			sched_yield();
		memcpy(p, src, k->size);
		bpfemu_helper_ringbuf_submit(p, 0);
	}
	return NULL;
}

static void bench_kernel_threads(size_t size, double memcpy_bps)
{
	struct kprod kp[NR_THREADS];
	pthread_t th[NR_THREADS];
	struct cons_acc acc = { 0 };
	struct ring_buffer *rb;
	struct emu_map *map;
	long per = nsamples / NR_THREADS, total = per * NR_THREADS;
	uint64_t t0;
	void *def;
	int fd, i;

	if (skip("prog->user, 3 producer threads"))
		return;

	map = ring_new(BPF_MAP_TYPE_RINGBUF, &fd);
	def = emu_map_def(map);
	rb = ring_buffer__new(fd, consume_cb, &acc, NULL);
	t0 = wall_ns();
	for (i = 0; i < NR_THREADS; i++) {
		kp[i] = (struct kprod){ .def = def, .size = size, .n = per };
		pthread_create(&th[i], NULL, kernel_producer, &kp[i]);
	}
	while (acc.n < total)
		ring_buffer__poll(rb, 100);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	report("prog->user, 3 producer threads", size, total, wall_ns() - t0, memcpy_bps);
	ring_buffer__free(rb);
	close(fd);
	emu_fd_reap();
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

		bench_user_single(sizes[i], m);
		bench_user_threads(sizes[i], m);
		bench_kernel_single(sizes[i], m);
		bench_kernel_threads(sizes[i], m);
	}
	return bpfemu_live_objects() == 0 ? 0 : 1;
}
