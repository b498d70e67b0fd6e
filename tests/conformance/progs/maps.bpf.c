// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: generic maps from programs (shared/spec/maps.md §1-§4).
 * One SEC("tc") program performs one map helper call per test run, chosen
 * by the req_* globals.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

struct conf_lval {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 v;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hsh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} pca SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct conf_lval);
} lkh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct conf_lval);
} lka SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} nph SEC(".maps");

__u32 req_op;
__u32 req_map;
__u32 req_key;
__u64 req_arg0;
__u64 req_arg1;
long long res;

struct conf_fe_ctx {
	__u32 n;
	__u32 stop_after;
};

/* keys visited by the last for_each, in order */
__u32 visited[16];

static long fe_cb(void *map, __u32 *key, void *val, struct conf_fe_ctx *c)
{
	if (c->n < 16)
		visited[c->n & 15] = *key;
	c->n++;
	return c->n >= c->stop_after ? 1 : 0;
}

#define SETV_U64(p, x)	(*(p) = (x))
#define GETV_U64(p)	(*(p))
#define SETV_L(p, x)	((p)->v = (x))
#define GETV_L(p)	((p)->v)

#define DEFINE_OPS(MAP, VT, SETV, GETV)					\
static __always_inline long long ops_##MAP(void)			\
{									\
	__u32 key = req_key;						\
	struct conf_fe_ctx c = { .stop_after = req_arg0 };			\
	VT nv;							\
	VT *v;								\
									\
	switch (req_op) {						\
	case MO_LOOKUP:							\
		v = bpf_map_lookup_elem(&MAP, &key);			\
		return v ? (long long)GETV(v) : MR_NONE;		\
	case MO_UPDATE:							\
		__builtin_memset(&nv, 0, sizeof(nv));			\
		SETV(&nv, req_arg0);					\
		return bpf_map_update_elem(&MAP, &key, &nv, req_arg1);	\
	case MO_DELETE:							\
		return bpf_map_delete_elem(&MAP, &key);			\
	case MO_FOREACH:						\
		return bpf_for_each_map_elem(&MAP, fe_cb, &c, req_arg1); \
	}								\
	return MR_BADOP;						\
}

DEFINE_OPS(arr, __u64, SETV_U64, GETV_U64)
DEFINE_OPS(hsh, __u64, SETV_U64, GETV_U64)
DEFINE_OPS(lru, __u64, SETV_U64, GETV_U64)
DEFINE_OPS(pca, __u64, SETV_U64, GETV_U64)
DEFINE_OPS(pch, __u64, SETV_U64, GETV_U64)
DEFINE_OPS(lkh, struct conf_lval, SETV_L, GETV_L)
DEFINE_OPS(lka, struct conf_lval, SETV_L, GETV_L)
DEFINE_OPS(nph, __u64, SETV_U64, GETV_U64)

SEC("tc")
int run(struct __sk_buff *skb)
{
	switch (req_map) {
	case MM_ARR: res = ops_arr(); break;
	case MM_HSH: res = ops_hsh(); break;
	case MM_LRU: res = ops_lru(); break;
	case MM_PCA: res = ops_pca(); break;
	case MM_PCH: res = ops_pch(); break;
	case MM_LKH: res = ops_lkh(); break;
	case MM_LKA: res = ops_lka(); break;
	case MM_NPH: res = ops_nph(); break;
	default: res = MR_BADOP; break;
	}
	return 0;
}
