// SPDX-License-Identifier: GPL-2.0
/*
 * A drain callback returning 2: the kernel's verifier refuses this program
 * ("At callback return the register R0 has value ..."; observed on 6.18:
 * load fails with -EINVAL).  bpfemu notices at the first such return.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 64 * 1024);
} bad_cmds SEC(".maps");

long bad_ret = 12345;

static long bad_cb(struct bpf_dynptr *dynptr, void *ctx)
{
	return 2;
}

SEC("syscall")
int drain_bad(void *ctx)
{
	bad_ret = bpf_user_ringbuf_drain(&bad_cmds, bad_cb, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
