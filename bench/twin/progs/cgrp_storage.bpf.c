// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "cgrp_storage": bpf_cgrp_storage_get on a cgroup that
 * holds storage in 1, 16 or 64 BPF_MAP_TYPE_CGRP_STORAGE maps (u64 values).
 *
 * Every measured program takes the cgroup by id (bpf_cgroup_from_id), makes
 * CS_CALLS gets without F_CREATE, each adding the u64 it finds to a sum (so
 * no get can be dropped, and a NULL shows as a wrong sum), releases the
 * cgroup and returns the sum.  The from_id/release pair is part of every
 * run on both sides and is not subtracted: it is amortised over the
 * CS_CALLS gets.
 *
 *   get_same:  every get on m_00, the per-cgroup 16-slot cache's hit;
 *   get_rr_16: m_00, m_01, ... m_0f, m_00, ...: 16 maps take 16 slots (each
 *              map's slot is the least used one when it is created): hits;
 *   get_rr_64: m_00 ... m_3f: four maps per slot evict each other, so every
 *              get walks the cgroup's storage list and re-caches.
 *
 * (The slots are the kernel's.  bpfemu indexes each cgroup's storage by a
 * dense map id instead, which programs cannot tell apart: every get there
 * is a hit; see docs/cgroups.md.)
 *
 * Maps are defined by macro and the gets unrolled, since each call site
 * needs a constant map pointer.  setup_<M> creates the storage of the first
 * M maps (F_CREATE), stores CS_VALUE(i) in map i and returns how many it
 * made.  Which maps and programs exist in a load is the driver's choice
 * (autocreate/autoload).  No global variables: with .rodata or .bss,
 * get_rr_64 would use 65 maps, over the kernel's limit of 64 per program.
 * XDP programs may call bpf_cgrp_storage_get (a base helper) and the
 * generic cgroup kfuncs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cgrp_storage.h"

char LICENSE[] SEC("license") = "GPL";

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

/* M(00) ... M(3f): two hex digits, so m_##n names a map and 0x##n its index. */
#define X16(h, M)							\
	M(h##0) M(h##1) M(h##2) M(h##3) M(h##4) M(h##5) M(h##6) M(h##7)	\
	M(h##8) M(h##9) M(h##a) M(h##b) M(h##c) M(h##d) M(h##e) M(h##f)
#define X64(M)		X16(0, M) X16(1, M) X16(2, M) X16(3, M)
#define REPEAT4(x)	x x x x

#define DEFINE_MAP(n)							\
	struct {							\
		__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);		\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__type(key, int);					\
		__type(value, __u64);					\
	} m_##n SEC(".maps");

X64(DEFINE_MAP)

/* One measured get: s, v and cg are the program's locals. */
#define GET(n)								\
	v = bpf_cgrp_storage_get(&m_##n, cg, 0, 0);			\
	if (v)								\
		s += *v;
#define GET_00(n)	GET(00)

/* CS_CALLS (4 x 64) gets each. */
#define GETS_SAME	REPEAT4(X64(GET_00))
#define GETS_RR_16	REPEAT4(REPEAT4(X16(0, GET)))
#define GETS_RR_64	REPEAT4(X64(GET))

#define BENCH_PROG(name, GETS)						\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	struct cgroup *cg = bpf_cgroup_from_id(CS_CGROUP_ID);		\
	__u64 s = 0, *v;						\
									\
	if (!cg)							\
		return 0;						\
	GETS								\
	bpf_cgroup_release(cg);						\
	return (int)s;							\
}

BENCH_PROG(get_same, GETS_SAME)
BENCH_PROG(get_rr_16, GETS_RR_16)
BENCH_PROG(get_rr_64, GETS_RR_64)

#define CREATE(n)							\
	v = bpf_cgrp_storage_get(&m_##n, cg, 0,				\
				 BPF_LOCAL_STORAGE_GET_F_CREATE);	\
	if (v) {							\
		*v = CS_VALUE(0x##n);					\
		c++;							\
	}

#define SETUP_PROG(name, CREATES)					\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	struct cgroup *cg = bpf_cgroup_from_id(CS_CGROUP_ID);		\
	__u64 *v;							\
	int c = 0;							\
									\
	if (!cg)							\
		return 0;						\
	CREATES								\
	bpf_cgroup_release(cg);						\
	return c;							\
}

SETUP_PROG(setup_1, CREATE(00))
SETUP_PROG(setup_16, X16(0, CREATE))
SETUP_PROG(setup_64, X64(CREATE))
