// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_rcu_read_lock / _unlock and bpf_task_get_cgroup1 as programs declare
 * them (__ksym), with the constructs of the kernel's cgrp_ls_recursion.c:
 * the task's default cgroup read inside a read-side section, a cgroup v1
 * lookup whose result is released.  op picks a case; the misuses are what
 * 6.18 refuses at load (tests/test_rcu_kfuncs.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;
struct cgroup *bpf_task_get_cgroup1(struct task_struct *task, int hierarchy_id) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

int op;
int target_hid;
long got;

SEC("syscall")
int rcu_cases(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup *cgrp;
	long *n;

	switch (op) {
	case 0:		/* a section around the task's cgroup, then storage */
		bpf_rcu_read_lock();
		cgrp = task->cgroups->dfl_cgrp;
		n = bpf_cgrp_storage_get(&counts, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (n)
			got = ++*n;
		bpf_rcu_read_unlock();
		return 0;
	case 1:		/* nested */
		bpf_rcu_read_lock();
		bpf_rcu_read_lock();
		bpf_rcu_read_unlock();
		bpf_rcu_read_unlock();
		return 0;
	case 2:		/* unlock without a section */
		bpf_rcu_read_unlock();
		return 0;
	case 3:		/* exit inside the section */
		bpf_rcu_read_lock();
		return 0;
	case 4:		/* a v1 hierarchy: none is modelled */
		cgrp = bpf_task_get_cgroup1(task, target_hid);
		if (!cgrp)
			return 1;
		bpf_cgroup_release(cgrp);
		return 0;
	default:	/* a possibly-NULL task */
		cgrp = bpf_task_get_cgroup1((struct task_struct *)0, target_hid);
		if (cgrp)
			bpf_cgroup_release(cgrp);
		return 0;
	}
}

char _license[] SEC("license") = "GPL";
