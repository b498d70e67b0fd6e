// SPDX-License-Identifier: GPL-2.0
/* Helpers that are emulated reach the emulation, not a stub. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hw_pcpu SEC(".maps");

__u32 want_cpu;
__u64 got;
long got_null;
long comm_ret;
long numa;
__u64 uid_gid;

SEC("tc")
int hw_run(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_percpu_elem(&hw_pcpu, &k, want_cpu);
	char comm[16];

	got_null = !v;
	got = v ? *v : 0;
	comm_ret = bpf_get_current_comm(comm, sizeof(comm));
	numa = bpf_get_numa_node_id();
	uid_gid = bpf_get_current_uid_gid();
	return 0;
}

char _license[] SEC("license") = "GPL";
