// SPDX-License-Identifier: GPL-2.0
/*
 * struct cgroup * references (KF_ACQUIRE kfuncs) the verifier refuses to
 * see leaked or released twice (kernel 6.18 says, at load, -EINVAL):
 *   leak:            "Unreleased reference id=2 alloc_insn=1"
 *                    "BPF_EXIT instruction in main prog would lead to reference leak"
 *   release twice:   "arg#0 pointer type STRUCT cgroup must point to scalar,
 *                     or struct with scalar"
 * bpfemu sees them when the program runs (docs/verifier-rules.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

__u64 target_id;

SEC("syscall")
int leak_from_id(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id);

	if (!cg)
		return 1;
	return 0;		/* never released */
}

SEC("syscall")
int leak_acquired(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id), *again;

	if (!cg)
		return 1;
	again = bpf_cgroup_acquire(cg);
	bpf_cgroup_release(cg);
	return again ? 0 : 2;	/* the second reference leaks */
}

SEC("syscall")
int leak_ancestor(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id), *root;

	if (!cg)
		return 1;
	root = bpf_cgroup_ancestor(cg, 0);
	bpf_cgroup_release(cg);
	return root ? 0 : 2;	/* the ancestor leaks */
}

SEC("syscall")
int release_twice(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id);

	if (!cg)
		return 1;
	bpf_cgroup_release(cg);
	bpf_cgroup_release(cg);
	return 0;
}

SEC("syscall")
int balanced(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id), *again, *root;

	if (!cg)
		return 1;
	again = bpf_cgroup_acquire(cg);
	root = bpf_cgroup_ancestor(cg, 0);
	if (root)
		bpf_cgroup_release(root);
	if (again)
		bpf_cgroup_release(again);
	bpf_cgroup_release(cg);
	return 0;
}

char _license[] SEC("license") = "GPL";
