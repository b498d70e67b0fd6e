// SPDX-License-Identifier: MIT
/*
 * timer_basic: bpf_timer init, set_callback, start and cancel, live.
 *
 * The BPF side arms three timers (100, 300 and 600 ms, the last set to
 * 500 ms through skel->rodata before load) from one program run
 * and user space cancels the middle one with a second run.  The libev loop
 * then fires the other two in real time; we print each as it fires and
 * exit once both did (or after 2 s, as a failure).
 *
 * Everything but two lines is libbpf as on a kernel: those two switch
 * bpfemu to the host's clock and run its event loop, which is where a
 * kernel would fire hrtimers on its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "timer_basic.h"
#include "timer_basic.skel.h"

#define DEADLINE_MS 2000
#define SLICE_MS 10

static int run_prog(struct bpf_program *prog, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	*retval = (int)opts.retval;
	return err;
}

static double ms(__u64 ns)
{
	return (double)ns / 1e6;
}

int main(void)
{
	struct timer_basic *skel;
	__u32 seen[NR_TIMERS] = { 0 };
	int ret, err, i, waited, fired = 0, failed = 0;

	printf("timer_basic: bpf_timer_init/set_callback/start/cancel: three one-shot "
	       "timers in an ARRAY map, one cancelled, fired in real time\n");
	skel = timer_basic__open();
	if (!skel) {
		fprintf(stderr, "open failed: %s\n", strerror(errno));
		return 1;
	}
	/* rodata can be changed until load, as with a real skeleton. */
	skel->rodata->delay_ms[2] = 500;
	err = timer_basic__load(skel);
	if (err) {
		fprintf(stderr, "load failed: %s\n", strerror(-err));
		goto out;
	}

	/* bpfemu: timers follow the host's clock and fire from bpfemu_loop_run(). */
	bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL);

	err = run_prog(skel->progs.arm_timers, &ret);
	if (err || ret) {
		fprintf(stderr, "arm_timers failed: err %d, returned %d\n", err, ret);
		goto out;
	}
	for (i = 0; i < NR_TIMERS; i++)
		printf("armed timer %d for %llu ms\n", i,
		       (unsigned long long)skel->rodata->delay_ms[i]);

	skel->bss->cancel_key = 1;
	err = run_prog(skel->progs.cancel_timer, &ret);
	if (err) {
		fprintf(stderr, "cancel_timer failed: %d\n", err);
		goto out;
	}
	printf("cancelled timer 1: bpf_timer_cancel() returned %d (%s)\n", ret,
	       ret == 1 ? "it was pending" : "it was not pending");

	for (waited = 0; waited < DEADLINE_MS && fired < 2; waited += SLICE_MS) {
		/* bpfemu: run the event loop; the callbacks fire inside. */
		bpfemu_loop_run(SLICE_MS);
		for (i = 0; i < NR_TIMERS; i++) {
			struct timer_report *r = &skel->bss->reports[i];

			if (r->fired == seen[i])
				continue;
			seen[i] = r->fired;
			fired++;
			printf("timer %d fired %.1f ms after it was armed (asked for %llu ms)\n",
			       i, ms(r->fired_ns - r->armed_ns),
			       (unsigned long long)skel->rodata->delay_ms[i]);
		}
	}

	for (i = 0; i < NR_TIMERS; i++) {
		__u32 want = i == 1 ? 0 : 1;

		if (skel->bss->reports[i].fired != want) {
			fprintf(stderr, "timer %d fired %u times, expected %u\n", i,
				skel->bss->reports[i].fired, want);
			failed = 1;
		}
	}
	if (!failed)
		printf("timer 1 never fired: done\n");
	err = failed ? -1 : 0;
out:
	timer_basic__destroy(skel);
	return err ? 1 : 0;
}
