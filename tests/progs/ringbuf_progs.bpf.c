// SPDX-License-Identifier: GPL-2.0
/*
 * Ring buffers from unmodified libbpf-style BPF C: a program drains
 * commands user space sent through a USER_RINGBUF and answers each through
 * a RINGBUF (tests/test_ringbuf_progs.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

struct cmd {
	__u32 op;
	__u32 arg;
};

struct result {
	__u32 seq;
	__u32 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 64 * 1024);
} cmds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} results SEC(".maps");

__u64 drain_flags;
long drain_ret;
long nested_ret;
__u64 sum;
int seen;
int stop_after;
int bad_sizes;
__u64 avail, ring_size, prod_pos, cons_pos;

static long on_cmd(struct bpf_dynptr *dynptr, void *ctx)
{
	struct result *r;
	struct cmd c;

	if (bpf_dynptr_size(dynptr) != sizeof(c)) {
		bad_sizes++;
		return 0;
	}
	if (bpf_dynptr_read(&c, sizeof(c), dynptr, 0, 0))
		return 0;
	sum += c.arg;
	seen++;
	r = bpf_ringbuf_reserve(&results, sizeof(*r), 0);
	if (r) {
		r->seq = seen;
		r->value = c.arg * 2;
		bpf_ringbuf_submit(r, 0);
	}
	if (stop_after && seen == stop_after)
		return 1;
	return 0;
}

SEC("syscall")
int drain_cmds(void *ctx)
{
	drain_ret = bpf_user_ringbuf_drain(&cmds, on_cmd, NULL, drain_flags);
	return 0;
}

static long nested_cb(struct bpf_dynptr *dynptr, void *ctx)
{
	nested_ret = bpf_user_ringbuf_drain(&cmds, on_cmd, NULL, 0);
	return 0;
}

SEC("syscall")
int drain_nested(void *ctx)
{
	drain_ret = bpf_user_ringbuf_drain(&cmds, nested_cb, NULL, 0);
	return 0;
}

SEC("syscall")
int emit_dynptr(void *ctx)
{
	struct bpf_dynptr d;
	__u32 v = 42;
	long err;

	err = bpf_ringbuf_reserve_dynptr(&results, 8, 0, &d);
	if (err) {
		/* Even a failed reservation must be discarded. */
		bpf_ringbuf_discard_dynptr(&d, 0);
		return (int)err;
	}
	bpf_dynptr_write(&d, 4, &v, sizeof(v), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int query(void *ctx)
{
	avail = bpf_ringbuf_query(&results, BPF_RB_AVAIL_DATA);
	ring_size = bpf_ringbuf_query(&results, BPF_RB_RING_SIZE);
	prod_pos = bpf_ringbuf_query(&results, BPF_RB_PROD_POS);
	cons_pos = bpf_ringbuf_query(&results, BPF_RB_CONS_POS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
