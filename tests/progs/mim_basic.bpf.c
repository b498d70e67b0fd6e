// SPDX-License-Identifier: GPL-2.0
/*
 * Map-in-map from BPF C as libbpf programs write it: an ARRAY_OF_MAPS and
 * a HASH_OF_MAPS whose inner template is `__array(values, struct inner)`,
 * with initial slots given by designators (and positional entries), and
 * programs that reach an inner map through the outer one.  Driven by
 * tests/test_map_in_map.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner ia SEC(".maps");
struct inner ib SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &ia, [2] = &ib },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} houter SEC(".maps") = {
	.values = { [7] = &ia, [3] = &ib },
};

/* BPF_F_INNER_MAP arrays of other sizes fit an inline template with the flag */
struct flex_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u32);
};

struct flex_inner fa SEC(".maps");

/* an inline template with BPF_F_INNER_MAP: filled from user space */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(map_flags, BPF_F_INNER_MAP);
		__uint(max_entries, 1);
		__type(key, __u32);
		__type(value, __u32);
	});
} flex SEC(".maps");

/* positional initial slots: [0] = &ib, [1] = &ia */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} pos SEC(".maps") = {
	.values = { &ib, &ia },
};

struct args {
	__u32 outer_key;
	__u32 inner_key;
	__u64 add;
	__u32 hash;		/* 0: outer, 1: houter */
	__u32 pad;
};

/* 0 ok, 1 empty outer slot, 2 no inner element */
SEC("syscall")
int look(struct args *a)
{
	__u32 ok = a->outer_key, ik = a->inner_key;
	__u64 *v;
	void *m;

	if (a->hash)
		m = bpf_map_lookup_elem(&houter, &ok);
	else
		m = bpf_map_lookup_elem(&outer, &ok);
	if (!m)
		return 1;
	v = bpf_map_lookup_elem(m, &ik);
	if (!v)
		return 2;
	*v += a->add;
	return 0;
}

/* bpf_map_update_elem on the inner map found through the outer one */
SEC("syscall")
int inner_upd(struct args *a)
{
	__u32 ok = a->outer_key, ik = a->inner_key;
	__u64 add = a->add;
	void *m = bpf_map_lookup_elem(&outer, &ok);

	if (!m)
		return 1;
	return bpf_map_update_elem(m, &ik, &add, BPF_ANY);
}

SEC("syscall")
int upd(struct args *a)
{
	__u32 k = a->outer_key, v = 0;

	return bpf_map_update_elem(&outer, &k, &v, BPF_ANY);
}

SEC("syscall")
int del(struct args *a)
{
	__u32 k = a->outer_key;

	return bpf_map_delete_elem(&houter, &k);
}

char _license[] SEC("license") = "GPL";
