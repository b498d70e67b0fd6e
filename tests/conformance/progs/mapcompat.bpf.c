// SPDX-License-Identifier: GPL-2.0
/*
 * Every map type bpfemu emulates against every helper that takes a map:
 * one program per pair, each loaded alone by the driver, so that the
 * kernel's verdict (a refusal at load, with its errno) or the call's
 * result (the program's return value) is recorded pair by pair.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} inner_a SEC(".maps");

#define KV_MAP(name, map_type, n)				\
	struct {						\
		__uint(type, map_type);				\
		__uint(max_entries, n);				\
		__type(key, int);				\
		__type(value, long);				\
	} m_##name SEC(".maps")

KV_MAP(arr, BPF_MAP_TYPE_ARRAY, 4);
KV_MAP(parr, BPF_MAP_TYPE_PERCPU_ARRAY, 4);
KV_MAP(hash, BPF_MAP_TYPE_HASH, 4);
KV_MAP(phash, BPF_MAP_TYPE_PERCPU_HASH, 4);
KV_MAP(lru, BPF_MAP_TYPE_LRU_HASH, 4);
KV_MAP(plru, BPF_MAP_TYPE_LRU_PERCPU_HASH, 4);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, int);
	__array(values, struct inner);
} m_aom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, int);
	__array(values, struct inner);
} m_hom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} m_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} m_urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} m_cgs SEC(".maps");

static long each_cb(void *map, void *key, void *value, void *ctx)
{
	return 0;
}

static long drain_cb(struct bpf_dynptr *d, void *ctx)
{
	return 0;
}

/* The twelve calls on map M; each program returns what its call gave. */
#define PROG(m, call, body)					\
	SEC("tc")						\
	int p_##m##__##call(struct __sk_buff *skb)		\
	{							\
		int k = 0;					\
		long val = 5;					\
		(void)k, (void)val;				\
		body						\
	}

#define CALLS(m)										\
	PROG(m, lookup, void *v = bpf_map_lookup_elem(&m_##m, &k); return v ? 1 : 0;)		\
	PROG(m, update, return bpf_map_update_elem(&m_##m, &k, &val, 0);)			\
	PROG(m, delete, return bpf_map_delete_elem(&m_##m, &k);)				\
	PROG(m, lookup_percpu,									\
	     void *v = bpf_map_lookup_percpu_elem(&m_##m, &k, 0); return v ? 1 : 0;)		\
	PROG(m, for_each, return bpf_for_each_map_elem(&m_##m, each_cb, 0, 0);)		\
	PROG(m, rb_output, return bpf_ringbuf_output(&m_##m, &val, 8, 0);)			\
	PROG(m, rb_reserve,									\
	     void *p = bpf_ringbuf_reserve(&m_##m, 8, 0);					\
	     if (p) bpf_ringbuf_discard(p, 0); return p ? 1 : 0;)				\
	PROG(m, rb_query, return bpf_ringbuf_query(&m_##m, BPF_RB_RING_SIZE);)			\
	PROG(m, urb_drain, return bpf_user_ringbuf_drain(&m_##m, drain_cb, 0, 0);)		\
	PROG(m, push, return bpf_map_push_elem(&m_##m, &val, 0);)				\
	PROG(m, cgs_get,									\
	     struct cgroup *cg = bpf_cgroup_from_id(1); void *v;				\
	     if (!cg) return -1;								\
	     v = bpf_cgrp_storage_get(&m_##m, cg, 0, 0); bpf_cgroup_release(cg);		\
	     return v ? 1 : 0;)									\
	PROG(m, cgs_delete,									\
	     struct cgroup *cg = bpf_cgroup_from_id(1); long r;					\
	     if (!cg) return -1;								\
	     r = bpf_cgrp_storage_delete(&m_##m, cg); bpf_cgroup_release(cg); return r;)

CALLS(arr)
CALLS(parr)
CALLS(hash)
CALLS(phash)
CALLS(lru)
CALLS(plru)
CALLS(aom)
CALLS(hom)
CALLS(rb)
CALLS(urb)
CALLS(cgs)

char _license[] SEC("license") = "GPL";
