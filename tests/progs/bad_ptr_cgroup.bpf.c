// SPDX-License-Identifier: GPL-2.0
/*
 * A struct cgroup * argument that is no cgroup: a stack buffer cast to one.
 * Linux 6.18 refuses each at load:
 *   storage helpers: "R2 type=fp expected=ptr_, trusted_ptr_, rcu_ptr_"
 *                    (-EACCES)
 *   cgroup kfuncs:   "arg#0 pointer type STRUCT cgroup must point to scalar,
 *                    or struct with scalar" (-EINVAL)
 * The buffer's bytes stand where a cgroup keeps its storage, level and
 * ancestors: natively they were read and followed (0x4141... -> SIGSEGV).
 * bpfemu refuses them when they run (tests/test_verifier_args.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} cg_store SEC(".maps");

extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

enum cgroup_op { OP_STORAGE_GET, OP_STORAGE_CREATE, OP_STORAGE_DELETE, OP_ANCESTOR };

int op;

SEC("syscall")
int stack_buffer_as_cgroup(void *ctx)
{
	char buf[256];
	struct cgroup *cg = (struct cgroup *)buf;
	struct cgroup *anc;

	__builtin_memset(buf, 0x41, sizeof(buf));
	switch (op) {
	case OP_STORAGE_GET:
		return bpf_cgrp_storage_get(&cg_store, cg, 0, 0) != 0;
	case OP_STORAGE_CREATE:
		return bpf_cgrp_storage_get(&cg_store, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) != 0;
	case OP_STORAGE_DELETE:
		return bpf_cgrp_storage_delete(&cg_store, cg);
	default:
		anc = bpf_cgroup_ancestor(cg, 0);
		if (anc)
			bpf_cgroup_release(anc);
		return 0;
	}
}

char _license[] SEC("license") = "GPL";
