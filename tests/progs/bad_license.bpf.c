// SPDX-License-Identifier: MIT
/* Timer helpers are GPL-only: a non-GPL program cannot call them. */
#include <linux/bpf.h>
#include <time.h>
#include <bpf/bpf_helpers.h>

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} arr SEC(".maps");

SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&arr, &k);

	if (!e)
		return 1;
	return bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
}

char _license[] SEC("license") = "Proprietary";
