/* SPDX-License-Identifier: MIT */
/*
 * Shared between progs/timers.bpf.c and drivers/timers.c (twin benchmark
 * "timers"): plain C only.
 */
#ifndef TWIN_TIMERS_H
#define TWIN_TIMERS_H

#define TW_N_1K		1024u		/* timers of the 1K figures */
#define TW_N_1M		(1u << 20)	/* timers of the 1M figure */
#define TW_N_QUICK	64		/* --quick: both sizes */
#define TW_CALLS	256		/* measured calls per program run */
#define TW_CHUNK	256		/* elements set up / swept per run */

/*
 * The walk: element (walk & (N - 1)) after walk += TW_STEP.  The step is
 * odd, so every element comes round once per N calls, and the next one is
 * far from the last (no cache line shared between neighbouring calls).
 */
#define TW_STEP		0x9e3779b1u

/*
 * Relative expiry: 1000 s, plus up to 68.7 s (walk << 4) so that a re-armed
 * timer lands at a pseudo-random place among the pending ones on both
 * sides.  The kernel's clock moves on by at most a few seconds while the
 * benchmark runs, small beside the spread; bpfemu's virtual clock does not
 * move at all.  Nothing ever fires.
 */
#define TW_FAR_NS	(1000ull * 1000000000ull)

#define TW_CLOCK_MONOTONIC	1	/* the kernel's clock id */

#define TW_NOELEM	1000		/* "lookup failed": not a helper result */
#define TW_NOT_ARMED	1001		/* cancel returned 0 where 1 was due */

#endif /* TWIN_TIMERS_H */
