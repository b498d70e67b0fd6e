// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "timers": the cost of bpf_timer_start on a timer that is
 * already pending, among N pending timers (N = 1K and 1M, one per ARRAY
 * element), and of an arm + disarm pair.  On the kernel a re-arm is an
 * hrtimer queue removal and insertion (timerqueue, an rbtree); on bpfemu
 * the same on the virtual clock's event queue (a 4-ary heap).  The program
 * text, the walk over the elements and the expiries are the same on both
 * sides, so each side does the same helper calls on the same timers.
 *
 * setup and sweep work on TW_CHUNK elements per run (the driver runs them
 * with repeat = N / TW_CHUNK): one element per helper call sequence, no
 * program ever loops over a million elements.  The measured programs make
 * TW_CALLS helper call sequences per run and record the first unexpected
 * helper result in err, which the driver checks before printing a figure.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "timers.h"

char LICENSE[] SEC("license") = "GPL";

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TW_N_1K);	/* the driver sets N before load */
	__type(key, __u32);
	__type(value, struct elem);
} tmap SEC(".maps");

const volatile __u32 nmask = TW_N_1K - 1;	/* N - 1 (N a power of two) */

__u32 walk;		/* kept across runs: each run continues the walk */
__u32 chunk_next;	/* setup, sweep: the next element */
__u32 setup_ok;		/* elements initialised and armed by setup */
__u32 swept_armed;	/* elements sweep found armed */
__u64 runs;		/* measured runs made */
long long err;		/* first unexpected helper result (0: none) */

static __always_inline __u64 expiry(__u32 w)
{
	return TW_FAR_NS + ((__u64)w << 4);
}

static int timer_cb(void *map, __u32 *key, struct elem *v)
{
	return 0;
}

/* setup, sweep: the next element (its key in *@key), or NULL (err set) if
 * the lookup failed; the caller stops past the last. */
static __always_inline struct elem *chunk_elem(__u32 *key_out)
{
	__u32 key = chunk_next;
	struct elem *v;

	*key_out = key;
	chunk_next = key + 1;
	v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		err = TW_NOELEM;
	return v;
}

/* The measured programs: the walk's next element, or NULL (err set). */
static __always_inline struct elem *walk_elem(__u32 w)
{
	__u32 key = w & nmask;
	struct elem *v = bpf_map_lookup_elem(&tmap, &key);

	if (!v)
		err = TW_NOELEM;
	return v;
}

/* Initialise, set the callback of and arm the next TW_CHUNK elements. */
SEC("xdp")
int setup(struct xdp_md *ctx)
{
	struct elem *v;
	__u32 i, key;
	long r;

	for (i = 0; i < TW_CHUNK && chunk_next <= nmask; i++) {
		v = chunk_elem(&key);
		if (!v)
			continue;
		r = bpf_timer_init(&v->t, &tmap, TW_CLOCK_MONOTONIC);
		if (!r)
			r = bpf_timer_set_callback(&v->t, timer_cb);
		if (!r)
			r = bpf_timer_start(&v->t, expiry(key * TW_STEP), 0);
		if (r)
			err = r;
		else
			setup_ok++;
	}
	return XDP_PASS;
}

/* Measured: re-arm TW_CALLS pending timers (the figures timer_start_*). */
SEC("xdp")
int start(struct xdp_md *ctx)
{
	__u32 w = walk, i;
	struct elem *v;
	long r;

	for (i = 0; i < TW_CALLS; i++) {
		w += TW_STEP;
		v = walk_elem(w);
		if (!v)
			continue;
		r = bpf_timer_start(&v->t, expiry(w), 0);
		if (r)
			err = r;
	}
	walk = w;
	runs++;
	return XDP_PASS;
}

/*
 * Measured: arm a timer and disarm it again, TW_CALLS times (the figure
 * timer_start_cancel_1k).  A cancel drops the callback on both sides (the
 * kernel's drop_prog_refcnt), after which start fails with -EINVAL, so each
 * pair also sets the callback again, as any BPF program that re-arms a
 * cancelled timer must.
 */
SEC("xdp")
int start_cancel(struct xdp_md *ctx)
{
	__u32 w = walk, i;
	struct elem *v;
	long r;

	for (i = 0; i < TW_CALLS; i++) {
		w += TW_STEP;
		v = walk_elem(w);
		if (!v)
			continue;
		r = bpf_timer_set_callback(&v->t, timer_cb);
		if (!r)
			r = bpf_timer_start(&v->t, expiry(w), 0);
		if (!r) {
			r = bpf_timer_cancel(&v->t);	/* 1: it was armed */
			r = r == 1 ? 0 : r ? r : TW_NOT_ARMED;
		}
		if (r)
			err = r;
	}
	walk = w;
	runs++;
	return XDP_PASS;
}

/*
 * Cancel the next TW_CHUNK elements, counting those that were armed: after
 * the timer_start_* runs all N must still be pending.
 */
SEC("xdp")
int sweep(struct xdp_md *ctx)
{
	struct elem *v;
	__u32 i, key;
	long r;

	for (i = 0; i < TW_CHUNK && chunk_next <= nmask; i++) {
		v = chunk_elem(&key);
		if (!v)
			continue;
		r = bpf_timer_cancel(&v->t);
		if (r == 1)
			swept_armed++;
		else if (r)
			err = r;
	}
	return XDP_PASS;
}
