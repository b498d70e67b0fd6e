/* SPDX-License-Identifier: MIT */
/* Shared between timer_basic.bpf.c and timer_basic.c. */
#ifndef TIMER_BASIC_H
#define TIMER_BASIC_H

#define NR_TIMERS 3

/* What the BPF side records about each timer, read through skel->bss. */
struct timer_report {
	__u64 armed_ns;		/* bpf_ktime_get_ns() when started */
	__u64 fired_ns;		/* bpf_ktime_get_ns() in the callback */
	__u32 fired;		/* number of callback runs */
	__u32 pad;
};

#endif /* TIMER_BASIC_H */
