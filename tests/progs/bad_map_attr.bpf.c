// SPDX-License-Identifier: GPL-2.0
/* A map attribute libbpf does not know: the open fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(flavour, 3);
	__type(key, int);
	__type(value, int);
} odd SEC(".maps");

SEC("syscall")
int prog(void *ctx)
{
	int k = 0;

	return bpf_map_lookup_elem(&odd, &k) != 0;
}

char _license[] SEC("license") = "GPL";
