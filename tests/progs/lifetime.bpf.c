// SPDX-License-Identifier: GPL-2.0
/* A program that outlives its skeleton: kept by a dup'd fd or a pending timer. */
#include <linux/bpf.h>
#include <time.h>
#include <bpf/bpf_helpers.h>

struct lt_val {
	struct bpf_timer t;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct lt_val);
} lt_map SEC(".maps");

__u64 delay_ns;
__u64 cb_runs;

/* Fired after the skeleton is gone: &lt_map must still resolve. */
static int lt_cb(void *map, __u32 *key, struct lt_val *val)
{
	__u32 k = 1;
	struct lt_val *v = bpf_map_lookup_elem(&lt_map, &k);

	if (v)
		v->hits += 100;
	val->hits++;
	cb_runs++;
	return 0;
}

SEC("tc")
int lt_arm(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct lt_val *v = bpf_map_lookup_elem(&lt_map, &k);
	long err;

	if (!v)
		return 1;
	err = bpf_timer_init(&v->t, &lt_map, CLOCK_MONOTONIC);
	if (err)
		return err;
	err = bpf_timer_set_callback(&v->t, lt_cb);
	if (err)
		return err;
	return bpf_timer_start(&v->t, delay_ns, 0);
}

/* bpf_timer_init on a fresh element: -EPERM once the map has no user. */
SEC("tc")
int lt_probe(struct __sk_buff *skb)
{
	__u32 k = 2;
	struct lt_val *v = bpf_map_lookup_elem(&lt_map, &k);

	if (!v)
		return 1;
	return bpf_timer_init(&v->t, &lt_map, CLOCK_MONOTONIC);
}

char _license[] SEC("license") = "GPL";
