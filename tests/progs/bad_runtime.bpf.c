// SPDX-License-Identifier: GPL-2.0
/* Programs the verifier would refuse that only fail when they run. */
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

int not_a_map_at_all;

static int bad_cb(void *map, int *key, struct elem *e)
{
	return 1;	/* the verifier requires 0 */
}

SEC("syscall")
int arm_bad_callback(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&arr, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, bad_cb);
	return bpf_timer_start(&e->t, 1000, 0);
}

SEC("syscall")
int lookup_non_map(void *ctx)
{
	int k = 0;

	return bpf_map_lookup_elem(&not_a_map_at_all, &k) != 0;
}

SEC("tc")
int unemulated(struct __sk_buff *skb)
{
	return bpf_clone_redirect(skb, 1, 0);
}

char _license[] SEC("license") = "GPL";
