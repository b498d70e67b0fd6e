// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "timers" (progs/timers.bpf.c): ns per bpf_timer_start on
 * a pending timer among N pending ones, N = 1K (timer_start_1k) and 1M
 * (timer_start_1m), and ns per arm + disarm pair (timer_start_cancel_1k:
 * set_callback + start + cancel, see the program).  Both sides load the
 * same object with the same N, arm the same timers at the same relative
 * expiries and walk them in the same order; the figure is the test_run
 * duration divided by the calls per run.
 *
 * Every figure is checked: setup must have armed all N timers, the
 * measured program must have run and seen only the expected helper
 * results, and after timer_start_* a sweep must find all N still armed.
 * The object is loaded once per N (bpfemu holds one instance of an object
 * at a time); destroying it frees the timers on both sides.
 *
 * Kernel side: from 6.18 bpf_timer_init allocates with kmalloc_nolock(),
 * which cannot add a page to a slab while deferred struct page init is
 * unfinished (alloc_pages_nolock() bails out); a kernel booted with
 * deferred_init=lazy, as some VMs are, never finishes it, so only the few
 * hundred free objects of kmalloc-cg-192 can become timers and setup fails
 * with -ENOMEM.  That size's figures are then left out (with a note on
 * stderr); timer_start_128 / timer_start_cancel_128 give the comparison on
 * such machines.
 */
#define TWIN_NAME "timers"
#include "twin.h"
#include "timers.h"

#include "twin_timers.skel.h"

/* test_run repetitions per try: some 50 ms at ~100 ns (1K), ~1 us (1M) a call. */
#define REPEAT_1K	2000
#define REPEAT_1M	200

static struct twin_timers *load(uint32_t n)
{
	struct twin_timers *s = twin_timers__open();

	if (!s) {
		fprintf(stderr, "timers: open failed: %s\n", conf_rc(-(long)errno));
		return NULL;
	}
	if (bpf_map__set_max_entries(s->maps.tmap, n)) {
		fprintf(stderr, "timers: set_max_entries(%u) failed\n", n);
		goto fail;
	}
	s->rodata->nmask = n - 1;
	if (twin_timers__load(s)) {
		fprintf(stderr, "timers: load (N = %u) failed: %s\n", n, conf_rc(-(long)errno));
		goto fail;
	}
	return s;
fail:
	twin_timers__destroy(s);
	return NULL;
}

/* Runs @prog over all N elements, TW_CHUNK per run: 0 or -1 and a message. */
static int run_chunks(struct twin_timers *s, struct bpf_program *prog, uint32_t n)
{
	unsigned char pkt[64] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = (int)((n + TW_CHUNK - 1) / TW_CHUNK));

	s->bss->chunk_next = 0;
	s->bss->err = 0;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts)) {
		fprintf(stderr, "timers: %s: test_run: %s\n", bpf_program__name(prog),
			conf_rc(-(long)errno));
		return -1;
	}
	if (s->bss->chunk_next != n || s->bss->err) {
		fprintf(stderr, "timers: %s: %u of %u elements done, error %s\n",
			bpf_program__name(prog), s->bss->chunk_next, n,
			conf_rc((long)s->bss->err));
		return -1;
	}
	return 0;
}

/* Arm all N timers; 0 or -1 and a message. */
static int setup(struct twin_timers *s, uint32_t n)
{
	if (run_chunks(s, s->progs.setup, n)) {
		if (s->bss->err == -ENOMEM)
			fprintf(stderr, "timers: bpf_timer_init: -ENOMEM after %u timers "
				"(see the top of drivers/timers.c)\n", s->bss->setup_ok);
		return -1;
	}
	if (s->bss->setup_ok != n) {
		fprintf(stderr, "timers: setup armed %u of %u timers\n", s->bss->setup_ok, n);
		return -1;
	}
	return 0;
}

/* Cancel all N timers, which must all have been armed; 0 or -1. */
static int sweep(struct twin_timers *s, uint32_t n)
{
	s->bss->swept_armed = 0;
	if (run_chunks(s, s->progs.sweep, n))
		return -1;
	if (s->bss->swept_armed != n) {
		fprintf(stderr, "timers: sweep found %u of %u timers armed\n",
			s->bss->swept_armed, n);
		return -1;
	}
	return 0;
}

/* ns per call of @prog's loop, or -1 (and a message) if a call went wrong. */
static double measure(struct twin_timers *s, struct bpf_program *prog, uint32_t repeat)
{
	double ns;

	s->bss->runs = 0;
	s->bss->err = 0;
	ns = twin_run_ns(bpf_program__fd(prog), repeat);
	if (ns < 0)
		return -1;
	if (!s->bss->runs || s->bss->err) {
		fprintf(stderr, "timers: %s: %llu runs, error %s\n", bpf_program__name(prog),
			(unsigned long long)s->bss->runs, conf_rc((long)s->bss->err));
		return -1;
	}
	return ns / TW_CALLS;
}

/*
 * The figures of one N (named "<figure>_<suffix>"): 0, or -1 after a
 * message.  A kernel that cannot make N timers (see the top) is not a
 * failure of the benchmark: its figures are left out, with a note.
 */
static int run_size(uint32_t n, const char *suffix, uint32_t repeat, bool with_cancel)
{
	struct twin_timers *s = load(n);
	char name[64];
	double ns;

	if (!s)
		return -1;
	if (setup(s, n)) {
		bool kernel_limit = false;

#if defined(CONF_KERNEL)
		kernel_limit = s->bss->err == -ENOMEM;
#endif
		twin_timers__destroy(s);
		if (kernel_limit)
			fprintf(stderr, "timers: no kernel figures for N = %u on this machine\n", n);
		return kernel_limit ? 0 : -1;
	}
	ns = measure(s, s->progs.start, repeat);
	/* before start_cancel, which leaves the timers it touches disarmed */
	if (ns >= 0 && sweep(s, n)) {
		twin_timers__destroy(s);
		return -1;
	}
	snprintf(name, sizeof(name), "timer_start_%s", suffix);
	twin_figure(name, ns);
	if (with_cancel) {
		snprintf(name, sizeof(name), "timer_start_cancel_%s", suffix);
		twin_figure(name, measure(s, s->progs.start_cancel, repeat));
	}
	twin_timers__destroy(s);
	return 0;
}

int main(int argc, char **argv)
{
	twin_init(argc, argv);
	/* --quick: every figure's code path on a few timers.  N = 128 is the
	 * size most kernels can make even when they cannot make 1K (above). */
	if (run_size(twin_quick ? TW_N_QUICK : 128, "128", REPEAT_1K, true) ||
	    run_size(twin_quick ? TW_N_QUICK : TW_N_1K, "1k", REPEAT_1K, true) ||
	    run_size(twin_quick ? TW_N_QUICK : TW_N_1M, "1m", REPEAT_1M, false))
		return 1;
	return conf_failures ? 1 : 0;
}
