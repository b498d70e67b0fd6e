/* SPDX-License-Identifier: MIT */
/*
 * The event queue against libev, measured in the same run.
 *
 * With N events already pending (far in the future, so they stay), time:
 *   emu arm+disarm  one emu_event_arm + emu_event_disarm
 *   libev start+stop one ev_timer_start + ev_timer_stop (libev's 4-heap)
 *   emu arm+fire    emu_event_arm(now + 1) + bpfemu_clock_advance(1), which
 *                   fires it: the whole path a bpf_timer takes
 * at N = 1K and 1M.  Prints a table, then "BENCH name value unit" lines that
 * bench/run.sh collects.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ev.h>

#include <bpfemu.h>

#include "clock.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long fired;

static void count_fire(struct emu_event *ev)
{
	(void)ev;
	fired++;
}

static void nop_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

#define FAR (3600ULL * 1000000000ULL)

static double bench_emu_arm_disarm(struct emu_event *probe, long ops)
{
	uint64_t base = bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), t0;
	long i;

	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		emu_event_arm(probe, base + FAR / 2 + (next_rand() % FAR));
		emu_event_disarm(probe);
	}
	return (double)(now_ns() - t0) / (double)ops;
}

static double bench_emu_arm_fire(struct emu_event *probe, long ops)
{
	uint64_t t0;
	long i;

	fired = 0;
	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		emu_event_arm(probe, bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC) + 1);
		bpfemu_clock_advance(1);
	}
	if (fired != (unsigned long)ops)
		fprintf(stderr, "bench_clock: fired %lu of %ld\n", fired, ops);
	return (double)(now_ns() - t0) / (double)ops;
}

static double bench_libev_start_stop(struct ev_loop *loop, ev_timer *probe, long ops)
{
	uint64_t t0;
	long i;

	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		ev_timer_set(probe, (double)(FAR / 2 + next_rand() % FAR) / 1e9, 0.);
		ev_timer_start(loop, probe);
		ev_timer_stop(loop, probe);
	}
	return (double)(now_ns() - t0) / (double)ops;
}

static int run(long pending, long ops)
{
	struct emu_event *evs = calloc((size_t)pending, sizeof(*evs)), probe = { .fire = count_fire };
	ev_timer *timers = calloc((size_t)pending, sizeof(*timers)), tprobe;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	uint64_t base = bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC);
	double emu_ad, emu_af, ev_ss;
	long i;

	if (!evs || !timers || !loop) {
		fprintf(stderr, "bench_clock: out of memory\n");
		return 1;
	}
	for (i = 0; i < pending; i++) {
		evs[i].fire = count_fire;
		emu_event_arm(&evs[i], base + FAR + next_rand() % FAR);
		ev_timer_init(&timers[i], nop_timer, (double)(FAR + next_rand() % FAR) / 1e9, 0.);
		ev_timer_start(loop, &timers[i]);
	}
	ev_timer_init(&tprobe, nop_timer, 1., 0.);

	emu_ad = bench_emu_arm_disarm(&probe, ops);
	ev_ss = bench_libev_start_stop(loop, &tprobe, ops);
	emu_af = bench_emu_arm_fire(&probe, ops);

	printf("%9ld pending | emu arm+disarm %7.1f ns | libev start+stop %7.1f ns | ratio %5.2f | emu arm+fire %7.1f ns\n",
	       pending, emu_ad, ev_ss, emu_ad / ev_ss, emu_af);
	printf("BENCH clock_arm_disarm_%ld %.1f ns/op\n", pending, emu_ad);
	printf("BENCH clock_arm_disarm_%ld_libev %.1f ns/op\n", pending, ev_ss);
	printf("BENCH ratio_emu_vs_libev_%ld %.2f x\n", pending, emu_ad / ev_ss);
	printf("BENCH clock_arm_fire_%ld %.1f ns/op\n", pending, emu_af);

	for (i = 0; i < pending; i++)
		ev_timer_stop(loop, &timers[i]);
	ev_loop_destroy(loop);
	bpfemu_reset();
	free(timers);
	free(evs);
	return 0;
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? atol(argv[1]) : 1000000;

	if (run(1000, ops) || run(1000000, ops))
		return 1;
	return bpfemu_live_objects() != 0;
}
