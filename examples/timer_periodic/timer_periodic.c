// SPDX-License-Identifier: MIT
/*
 * timer_periodic: a BPF timer that ticks every PERIOD_MS ms, live.
 *
 * One program run arms the timer; its callback re-arms itself until it has
 * ticked NR_TICKS times.  We print each tick as it arrives and exit when
 * all did (or after 2 s, as a failure).
 *
 * This is libbpf as on a kernel, except for the two bpfemu calls: one puts
 * the emulator on the host's clock, the other runs its libev loop, which is
 * where a kernel would fire hrtimers by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "timer_periodic.h"
#include "timer_periodic.skel.h"

#define DEADLINE_MS 2000
#define SLICE_MS 10

int main(void)
{
	char pkt[64] = { 0 };	/* a tc program runs on a packet */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));
	struct timer_periodic *skel;
	__u32 shown = 0, n;
	int err, waited;

	printf("timer_periodic: a bpf_timer that re-arms itself from its callback: a "
	       "periodic timer\n");
	skel = timer_periodic__open_and_load();
	if (!skel) {
		fprintf(stderr, "open_and_load failed: %s\n", strerror(errno));
		return 1;
	}

	/* bpfemu: timers follow the host's clock and fire from bpfemu_loop_run(). */
	bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL);

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.start_ticker), &opts);
	if (err || opts.retval) {
		fprintf(stderr, "start_ticker failed: err %d, returned %u\n", err, opts.retval);
		err = 1;
		goto out;
	}
	printf("ticking every %d ms, %d times\n", PERIOD_MS, NR_TICKS);

	for (waited = 0; shown < NR_TICKS && waited < DEADLINE_MS; waited += SLICE_MS) {
		bpfemu_loop_run(SLICE_MS);
		n = skel->bss->nr_ticks;
		for (; shown < n && shown < NR_TICKS; shown++) {
			const struct tick *t = &skel->bss->ticks[shown];

			printf("tick %u on cpu %u at +%.1f ms\n", t->seq, t->cpu,
			       (double)(t->ns - skel->bss->started_ns) / 1e6);
		}
	}
	err = shown == NR_TICKS ? 0 : 1;
	if (err)
		fprintf(stderr, "only %u of %d ticks within %d ms\n", shown, NR_TICKS, DEADLINE_MS);
	else
		printf("done: %d ticks, the timer stopped re-arming itself\n", NR_TICKS);
out:
	timer_periodic__destroy(skel);
	return err;
}
