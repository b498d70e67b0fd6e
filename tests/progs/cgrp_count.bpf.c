// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup local storage the way BPF programs use it with libbpf: the current
 * task's cgroup through bpf_get_current_task_btf(), a cgroup by id through
 * the bpf_cgroup_from_id kfunc, F_CREATE, delete, and the errors the
 * helpers return.  Compiled unmodified for the kernel and natively.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct cg_val {
	long count;
	__u64 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_val);
} cg_count SEC(".maps");

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

__u64 target_id;
__u64 cur_id;
__u64 task_cg_id;
__u64 anc1_id;
__u64 parent_id;
long seen_count;
long bad_flags_found;
long null_cg_found;
long del_ret;
long del_again;
long get_after_del;
long del_null;

/* The current task's cgroup by id, as programs without BTF do. */
SEC("syscall")
int count_current(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	struct cgroup *parent;
	struct cg_val *v;
	int ret = 1;

	if (!cg)
		return 2;
	cur_id = bpf_get_current_cgroup_id();
	anc1_id = bpf_get_current_ancestor_cgroup_id(1);
	parent = bpf_cgroup_ancestor(cg, cg->level - 1);
	if (parent) {
		parent_id = parent->kn->id;
		bpf_cgroup_release(parent);
	}
	v = bpf_cgrp_storage_get(&cg_count, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v) {
		v->count++;
		v->id = cg->kn->id;
		seen_count = v->count;
		ret = 0;
	}
	bpf_cgroup_release(cg);
	return ret;
}

/* The same through the task: bpf_get_current_task_btf()->cgroups->dfl_cgrp. */
SEC("tp_btf/sys_enter")
int count_task(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup *cg = task->cgroups->dfl_cgrp;
	struct cg_val *v;

	task_cg_id = cg->kn->id;
	v = bpf_cgrp_storage_get(&cg_count, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 0;
	v->count++;
	seen_count = v->count;
	return 0;
}

SEC("syscall")
int poke_by_id(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(target_id);

	if (!cg)
		return 1;
	bad_flags_found = bpf_cgrp_storage_get(&cg_count, cg, 0, 2) != 0;
	null_cg_found = bpf_cgrp_storage_get(&cg_count, 0, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) != 0;
	del_null = bpf_cgrp_storage_delete(&cg_count, 0);
	del_ret = bpf_cgrp_storage_delete(&cg_count, cg);
	del_again = bpf_cgrp_storage_delete(&cg_count, cg);
	get_after_del = bpf_cgrp_storage_get(&cg_count, cg, 0, 0) != 0;
	bpf_cgroup_release(cg);
	return 0;
}

char _license[] SEC("license") = "GPL";
