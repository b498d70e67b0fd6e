// SPDX-License-Identifier: GPL-2.0
/*
 * Three one-shot timers kept in an ARRAY map.  arm_timers initialises and
 * starts all of them; cancel_timer cancels the one user space names.  The
 * callback records when it ran, so user space can show the delay it asked
 * for beside the delay it got.
 */
#include <linux/bpf.h>
#include <time.h>
#include <errno.h>
#include <bpf/bpf_helpers.h>

#include "timer_basic.h"

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_TIMERS);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

/* Set by user space before load. */
const volatile __u64 delay_ms[NR_TIMERS] = { 100, 300, 600 };

/* Set by user space before running cancel_timer. */
int cancel_key;

struct timer_report reports[NR_TIMERS];

static int on_timer(void *map, int *key, struct elem *e)
{
	int k = *key;

	if (k < 0 || k >= NR_TIMERS)
		return 0;
	reports[k].fired_ns = bpf_ktime_get_ns();
	reports[k].fired++;
	bpf_printk("timer %d fired", k);
	/* The verifier only accepts timer callbacks that return 0. */
	return 0;
}

SEC("syscall")
int arm_timers(void *ctx)
{
	int i;

	for (i = 0; i < NR_TIMERS; i++) {
		int key = i, err;
		struct elem *e;

		e = bpf_map_lookup_elem(&timers, &key);
		if (!e)
			return -ENOENT;
		/* A second run finds the timer initialised already: fine. */
		err = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
		if (err && err != -EBUSY)
			return err;
		err = bpf_timer_set_callback(&e->t, on_timer);
		if (err)
			return err;
		reports[i].armed_ns = bpf_ktime_get_ns();
		err = bpf_timer_start(&e->t, delay_ms[i] * 1000000ULL, 0);
		if (err)
			return err;
	}
	return 0;
}

SEC("syscall")
int cancel_timer(void *ctx)
{
	int key = cancel_key;
	struct elem *e;

	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return -ENOENT;
	/* 1 if the timer was pending, 0 if not, a negative errno otherwise. */
	return bpf_timer_cancel(&e->t);
}

char _license[] SEC("license") = "GPL";
