/* SPDX-License-Identifier: MIT */
/*
 * Twin benchmarks: one BPF program (progs/<name>.bpf.c) and one driver
 * (drivers/<name>.c), written once against libbpf and built twice, as the
 * conformance suite's (docs/conformance.md): natively against bpfemu
 * (CONF_BPFEMU, bench/twin/CMakeLists.txt) and with clang -target bpf
 * against the running kernel (CONF_KERNEL, run.sh).  So the kernel figure
 * is the same work by construction: same program text, same driver, same
 * BPF_PROG_TEST_RUN repeat loop timed by the same `duration` field.
 *
 * A driver prints one line per figure, "TWIN <figure> <ns per op>";
 * run.sh puts the two sides' figures beside each other.
 * The driver's first argument may be --quick: a smoke run (CI), whose
 * figures mean nothing.
 */
#ifndef TWIN_H
#define TWIN_H

#ifndef TWIN_NAME
#error "define TWIN_NAME before including twin.h"
#endif
#define CONF_FAMILY TWIN_NAME
#include "harness.h"

#include <time.h>

#define TWIN_TRIES	5	/* each figure: the best of this many tries */

static int twin_quick;

static inline void twin_init(int argc, char **argv)
{
	conf_setup();
	twin_quick = argc > 1 && !strcmp(argv[1], "--quick");
}

static inline uint64_t twin_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Mean ns per run of @prog_fd (an XDP or tc program) over @repeat runs
 * with a 64-byte packet, as BPF_PROG_TEST_RUN's duration reports it, the
 * best of TWIN_TRIES tries (on a shared machine a figure can only be slowed
 * down by what else runs).  --quick: one try of a few runs.  -1 and a
 * message if the program cannot be run.
 */
static inline double twin_run_ns(int prog_fd, uint32_t repeat)
{
	unsigned char pkt[64];
	double best = -1;
	int i;

	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;		/* ethertype IPv4 */
	if (twin_quick)
		repeat = repeat < 4 ? repeat : 4;
	for (i = 0; i < (twin_quick ? 1 : TWIN_TRIES); i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = (int)repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "%s: bpf_prog_test_run_opts: %s\n", TWIN_NAME,
				conf_rc(-(long)errno));
			return -1;
		}
		if (best < 0 || opts.duration < best)
			best = opts.duration;
	}
	return best;
}

/* One figure: @ns per operation (< 0: could not be measured, not printed). */
static inline void twin_figure(const char *figure, double ns)
{
	if (ns >= 0)
		printf("TWIN %s %.1f\n", figure, ns);
	else
		conf_failures++;
}

#endif /* TWIN_H */
