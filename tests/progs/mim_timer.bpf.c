// SPDX-License-Identifier: GPL-2.0
/*
 * Timers in inner maps (the kernel's selftest timer_mim.c pattern): the
 * program finds the inner map through an ARRAY_OF_MAPS filled from user
 * space and arms the timer of its element 0.  Driven by
 * tests/test_map_in_map.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct elem {
	__u64 runs;
	struct bpf_timer t;
};

struct inner_t {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner_t);
} outer SEC(".maps");

long init_ret = -100;
long start_ret = -100;
__u64 cb_runs;

static int timer_cb(void *map, int *key, struct elem *val)
{
	cb_runs++;
	val->runs++;
	return 0;
}

/* 1: empty slot, 2: no element; else init_ret/start_ret tell */
SEC("syscall")
int arm(void *ctx)
{
	int k = 0;
	void *m = bpf_map_lookup_elem(&outer, &k);
	struct elem *v;

	if (!m)
		return 1;
	v = bpf_map_lookup_elem(m, &k);
	if (!v)
		return 2;
	init_ret = bpf_timer_init(&v->t, m, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&v->t, timer_cb);
	start_ret = bpf_timer_start(&v->t, 1000000, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
