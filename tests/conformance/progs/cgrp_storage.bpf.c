// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: BPF_MAP_TYPE_CGRP_STORAGE and bpf_cgrp_storage_get/delete
 * (shared/spec/cgrp_storage.md §4-§7).  The program looks the cgroup up by
 * id with the bpf_cgroup_from_id kfunc, performs one request, releases it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cgrp_storage.h"

char LICENSE[] SEC("license") = "GPL";

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct conf_cval {
	__u64 a;
	__u64 b;
};

struct conf_lval {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 a;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conf_cval);
} s1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conf_cval);
} s2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conf_lval);
} lk SEC(".maps");

__u32 req_op;
__u32 req_map;
__u64 req_cgid;
__u32 req_null_cgrp;	/* pass a constant NULL cgroup instead */
__u32 req_use_value;
__u64 req_flags;
__u64 req_arg;
long long res;

#define DEFINE_OPS(MAP, VT)						\
static __always_inline long long ops_##MAP(struct cgroup *cg)		\
{									\
	VT *v, *w, nv;							\
									\
	switch (req_op) {						\
	case CO_GET:							\
		__builtin_memset(&nv, 0, sizeof(nv));			\
		nv.a = req_arg;						\
		v = bpf_cgrp_storage_get(&MAP, cg,			\
					 req_use_value ? &nv : NULL,	\
					 req_flags);			\
		return v ? (long long)v->a : CR_NULL;			\
	case CO_DELETE:							\
		return bpf_cgrp_storage_delete(&MAP, cg);		\
	case CO_WRITE:							\
		v = bpf_cgrp_storage_get(&MAP, cg, NULL, 0);		\
		if (!v)							\
			return CR_NULL;					\
		v->a = req_arg;						\
		return 0;						\
	case CO_SAME_PTR:						\
		v = bpf_cgrp_storage_get(&MAP, cg, NULL,		\
					 BPF_LOCAL_STORAGE_GET_F_CREATE); \
		w = bpf_cgrp_storage_get(&MAP, cg, NULL, 0);		\
		if (!v || !w)						\
			return CR_NULL;					\
		return v == w;						\
	}								\
	return -1000;							\
}

DEFINE_OPS(s1, struct conf_cval)
DEFINE_OPS(s2, struct conf_cval)
DEFINE_OPS(lk, struct conf_lval)

static __always_inline long long dispatch(struct cgroup *cg)
{
	switch (req_map) {
	case CM_S1: return ops_s1(cg);
	case CM_S2: return ops_s2(cg);
	default: return ops_lk(cg);
	}
}

SEC("tc")
int run(struct __sk_buff *skb)
{
	struct cgroup *cg;

	if (req_null_cgrp) {
		res = dispatch(NULL);
		return 0;
	}
	cg = bpf_cgroup_from_id(req_cgid);
	if (req_op == CO_FROM_ID) {
		res = cg != NULL;
	} else if (!cg) {
		res = CR_NOCG;
		return 0;
	} else {
		res = dispatch(cg);
	}
	if (cg)
		bpf_cgroup_release(cg);
	return 0;
}
