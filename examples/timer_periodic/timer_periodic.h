/* SPDX-License-Identifier: MIT */
/* timer_periodic: what the BPF side and user space share. */
#ifndef TIMER_PERIODIC_H
#define TIMER_PERIODIC_H

#define PERIOD_MS	50	/* one tick every 50 ms */
#define NR_TICKS	5	/* then the callback stops re-arming */

/* One tick, as the timer callback saw it. */
struct tick {
	__u32 seq;
	__u32 cpu;
	__u64 ns;		/* bpf_ktime_get_ns() when it fired */
};

#endif /* TIMER_PERIODIC_H */
