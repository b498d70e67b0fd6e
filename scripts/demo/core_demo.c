/* SPDX-License-Identifier: MIT */
/*
 * The core of bpfemu in one page: what scripts/examples.sh runs while
 * examples/ is empty.  It calls BPF helpers the way a natively compiled
 * program does (bpfemu_helper_* is what bpf_ktime_get_ns & co. point at)
 * and drives virtual time from the "test" side.
 */
#include <stdint.h>
#include <stdio.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>

static int sum_cb(__u64 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += index;
	return 0;
}

int main(void)
{
	__u64 t0, t1, sum = 0;
	long n;

	bpfemu_trace_set_echo(true);

	t0 = bpfemu_helper_ktime_get_ns();
	printf("virtual MONOTONIC starts at %llu ns, REALTIME at %llu ns\n",
	       (unsigned long long)t0,
	       (unsigned long long)bpfemu_clock_now(BPFEMU_CLOCK_REALTIME));

	/* Tests move time instead of sleeping. */
	bpfemu_clock_advance(1500 * 1000 * 1000ULL);
	t1 = bpfemu_helper_ktime_get_ns();
	printf("after bpfemu_clock_advance(1.5 s): bpf_ktime_get_ns() moved %llu ns\n",
	       (unsigned long long)(t1 - t0));

	n = bpfemu_helper_loop(10, (void *)sum_cb, &sum, 0);
	printf("bpf_loop(10) ran %ld iterations, sum of indexes %llu\n", n, (unsigned long long)sum);

	/* bpf_printk: the kernel's format rules and return values. */
	n = bpfemu_helper_trace_printk("hello from %s, pid %d\n", 23, (__u64)(uintptr_t)"bpfemu",
				       (__u64)(bpfemu_helper_get_current_pid_tgid() >> 32));
	printf("bpf_trace_printk returned %ld; captured: \"%.*s\"\n", n,
	       (int)(n > 0 ? n - 1 : 0), bpfemu_trace_line(0));
	n = bpfemu_helper_trace_printk("%q is not a conversion\n", 24);
	printf("a bad format returns %ld (-EINVAL), as on Linux\n", n);

	bpfemu_reset();
	if (bpfemu_live_objects() != 0) {
		printf("leak: %ld objects\n", bpfemu_live_objects());
		return 1;
	}
	printf("bpfemu_reset(): clock back at %llu ns, nothing allocated\n",
	       (unsigned long long)bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC));
	return 0;
}
