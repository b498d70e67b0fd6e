// SPDX-License-Identifier: GPL-2.0
/*
 * timer_periodic: one bpf_timer that re-arms itself from its own callback,
 * the documented way to get a periodic timer.  start_ticker arms it once;
 * each tick records itself and starts the timer again, NR_TICKS times.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "timer_periodic.h"

#define CLOCK_MONOTONIC 1

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} ticker SEC(".maps");

const volatile __u64 period_ns = PERIOD_MS * 1000000ULL;

struct tick ticks[NR_TICKS];
__u32 nr_ticks;
__u64 started_ns;

static int tick_cb(void *map, int *key, struct elem *e)
{
	__u32 n = nr_ticks;

	if (n < NR_TICKS) {
		ticks[n].seq = n + 1;
		ticks[n].cpu = bpf_get_smp_processor_id();
		ticks[n].ns = bpf_ktime_get_ns();
	}
	nr_ticks = n + 1;
	/* periodic: the callback starts its own timer again */
	if (n + 1 < NR_TICKS)
		bpf_timer_start(&e->t, period_ns, 0);
	return 0;
}

SEC("tc")
int start_ticker(struct __sk_buff *skb)
{
	int key = 0;
	struct elem *e = bpf_map_lookup_elem(&ticker, &key);
	long err;

	if (!e)
		return 1;
	err = bpf_timer_init(&e->t, &ticker, CLOCK_MONOTONIC);
	if (err)
		return 2;
	err = bpf_timer_set_callback(&e->t, tick_cb);
	if (err)
		return 3;
	started_ns = bpf_ktime_get_ns();
	err = bpf_timer_start(&e->t, period_ns, 0);
	return err ? 4 : 0;
}

char _license[] SEC("license") = "GPL";
