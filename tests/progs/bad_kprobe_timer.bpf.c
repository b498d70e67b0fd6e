// SPDX-License-Identifier: GPL-2.0
/* A kprobe program may not reference a map holding timers (timers.md §9.3). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	int n;
	struct {
		struct bpf_timer t;
	} inner;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} timers SEC(".maps");

SEC("kprobe/do_sys_open")
int probe(void *ctx)
{
	int k = 0;

	return bpf_map_lookup_elem(&timers, &k) != 0;
}

char _license[] SEC("license") = "GPL";
