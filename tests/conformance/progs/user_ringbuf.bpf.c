// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: BPF_MAP_TYPE_USER_RINGBUF and bpf_user_ringbuf_drain, with
 * the dynptr helpers a drain callback uses (shared/spec/user_ringbuf.md
 * §1-§6).  The drain program is configured by the req_* globals.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "user_ringbuf.h"

char LICENSE[] SEC("license") = "GPL";

extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024);
} ubig SEC(".maps");

/* producer position corruption: the driver writes positions and headers
 * through its own mapping of the producer page and data (fresh ring, so
 * the stale bytes a far-ahead producer exposes are known) */
struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} ucorr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
} uhuge SEC(".maps");

/* request */
__u32 req_ring;
__u64 req_flags;
__u32 req_stop_at;	/* callback returns 1 on this sample (1-based), 0 = never */
__u32 req_nested;	/* callback drains the same ring again */
__u32 req_probe;	/* 1 + index of the probe to run on the first samples */
__u32 req_copy;		/* copy the first sample's bytes into copybuf */

__u32 probe_kind[UR_NPROBES];
__u32 probe_rel[UR_NPROBES];	/* offset is relative to the sample size */
__s64 probe_off[UR_NPROBES];
__u32 probe_len[UR_NPROBES];
__u64 probe_flags[UR_NPROBES];

/* results */
long long res;
__u32 ncb;
__u32 nnonzero;		/* callbacks on samples of non-zero size */
__u32 sizes[UR_NSIZES];
__u32 rdonly[UR_PSAMPLES];
long long nested_ret;
long long probe_res[UR_PSAMPLES][UR_NPROBES];
__u8 copybuf[256];
long long copy_ret;

__u8 wsrc[64] = { 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab };
__u8 rbuf[64];

static long cb_nested(struct bpf_dynptr *d, void *ctx)
{
	return 0;
}

/*
 * One probe per drain (req_probe = index + 1) on each of the first
 * UR_PSAMPLES samples: keeping the callback straight-line keeps the dynptr
 * pointer in a register (the verifier cannot follow it through a spill).
 */
static __always_inline long long probe(struct bpf_dynptr *d, __u32 size, __u32 i)
{
	__u32 off = probe_rel[i] ? size + probe_off[i] : probe_off[i];
	__u32 len = probe_len[i] & 63;

	switch (probe_kind[i]) {
	case UP_READ:
		return bpf_dynptr_read(rbuf, len, d, off, probe_flags[i]);
	case UP_WRITE:
		return bpf_dynptr_write(d, off, wsrc, len, probe_flags[i]);
	case UP_DATA8:
		return bpf_dynptr_data(d, off, 8) != NULL;
	case UP_DATA32:
		return bpf_dynptr_data(d, off, 32) != NULL;
	case UP_DATA1:
		return bpf_dynptr_data(d, off, 1) != NULL;
	}
	return -1000;
}

static long cb(struct bpf_dynptr *d, void *ctx)
{
	__u32 n = ncb++;
	__u32 size = bpf_dynptr_size(d);

	if (n < UR_NSIZES)
		sizes[n & (UR_NSIZES - 1)] = size;
	if (n < UR_PSAMPLES) {
		rdonly[n & (UR_PSAMPLES - 1)] = bpf_dynptr_is_rdonly(d);
		if (req_probe && req_probe <= UR_NPROBES)
			probe_res[n & (UR_PSAMPLES - 1)][(req_probe - 1) & (UR_NPROBES - 1)] =
				probe(d, size, (req_probe - 1) & (UR_NPROBES - 1));
	}
	if (n == 0 && req_copy)
		copy_ret = bpf_dynptr_read(copybuf, req_copy & 255, d, 0, 0);
	if (req_nested) {
		if (req_ring == UR_BIG)
			nested_ret = bpf_user_ringbuf_drain(&ubig, cb_nested, NULL, 0);
		else
			nested_ret = bpf_user_ringbuf_drain(&urb, cb_nested, NULL, 0);
	}
	/* last: the dynptr pointer must not be spilled before its uses */
	if (size)
		nnonzero++;
	if (req_stop_at && n + 1 == req_stop_at)
		return 1;
	return 0;
}

SEC("tc")
int drain(struct __sk_buff *skb)
{
	ncb = 0;
	nnonzero = 0;
	if (req_ring == UR_BIG)
		res = bpf_user_ringbuf_drain(&ubig, cb, NULL, req_flags);
	else if (req_ring == UR_CORR)
		res = bpf_user_ringbuf_drain(&ucorr, cb, NULL, req_flags);
	else if (req_ring == UR_HUGE)
		res = bpf_user_ringbuf_drain(&uhuge, cb, NULL, req_flags);
	else
		res = bpf_user_ringbuf_drain(&urb, cb, NULL, req_flags);
	return 0;
}
