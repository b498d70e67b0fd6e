// SPDX-License-Identifier: MIT
/*
 * Ring buffers both ways, with 64- and 4096-byte samples (driver:
 * drivers/ringbuf.c).
 *
 * produce_<size>: BPF_MAP_TYPE_RINGBUF, program -> user space.  One run
 * reserves RB_CALLS_<size> samples, fills each with its sequence number
 * (every 8-byte word, so that the sample's bytes are really written) and
 * submits it without a wakeup: nobody sleeps on the ring, the driver
 * consumes it after each batch.
 *
 * drain: BPF_MAP_TYPE_USER_RINGBUF, user space -> program.  Drains the ring
 * until it is empty; the callback reads the sample's first word (its
 * sequence number, written by the driver) and checks the order.
 *
 * The same text is compiled natively for bpfemu and with clang -target bpf
 * for the kernel, so both sides do the same ring work per sample.
 *
 * The programs are SEC("tc"), not XDP, because the driver times whole
 * BPF_PROG_TEST_RUN calls: the kernel's XDP test run with repeat > 1
 * installs the program in the XDP dispatcher and removes it again
 * (bpf_dispatcher_change_prog: text patching, then waiting for RCU), about
 * 15 ms of wall time per call on a 6.18 VM, which would swamp a batch.
 * The tc test run has no such step; the ring work is the same.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ringbuf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_RING_SIZE);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, RB_RING_SIZE);
} urb SEC(".maps");

/* program -> user space */
__u64 seq;		/* next sequence number a sample gets */
__u64 reserve_failures;	/* must stay 0: a batch always fits */

/* user space -> program */
__u64 useq;		/* sequence number the next drained sample must have */
__u64 drained;		/* samples the callbacks saw */
__u64 drain_bad;	/* samples out of order, unreadable, or failed drains */

/* @size is a constant after inlining: the verifier wants one for reserve */
static __always_inline void produce(__u32 size, __u32 calls)
{
	for (__u32 i = 0; i < calls; i++) {
		__u64 *p = bpf_ringbuf_reserve(&rb, size, 0);
		__u64 s;

		if (!p) {
			reserve_failures++;
			continue;
		}
		s = seq++;
		for (__u32 j = 0; j < size / 8; j++)
			p[j] = s;
		bpf_ringbuf_submit(p, BPF_RB_NO_WAKEUP);
	}
}

SEC("tc")
int produce_64(struct __sk_buff *skb)
{
	produce(64, RB_CALLS_64);
	return 0;
}

SEC("tc")
int produce_4096(struct __sk_buff *skb)
{
	produce(4096, RB_CALLS_4096);
	return 0;
}

static long on_sample(struct bpf_dynptr *d, void *ctx)
{
	__u64 v;

	if (bpf_dynptr_read(&v, sizeof(v), d, 0, 0) || v != useq)
		drain_bad++;
	useq++;
	drained++;
	return 0;
}

SEC("tc")
int drain(struct __sk_buff *skb)
{
	/* one call drains at most 128 Ki samples (kernel): a full ring of
	 * 64-byte samples is 58254, so the second call normally returns 0 */
	for (int i = 0; i < 16; i++) {
		long n = bpf_user_ringbuf_drain(&urb, on_sample, NULL, BPF_RB_NO_WAKEUP);

		if (n < 0)
			drain_bad++;
		if (n <= 0)
			break;
	}
	return 0;
}
