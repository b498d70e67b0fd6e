// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cgroup accounting with cgroup local storage: each event is charged to
 * the current task's cgroup and, as subtree totals, to every ancestor.
 * The counters live in the cgroups themselves (BPF_MAP_TYPE_CGRP_STORAGE),
 * so they vanish with a removed cgroup and need no cleanup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "cgroup_accounting.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_acct);
} acct SEC(".maps");

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

__u64 charged;
__u64 failed;

SEC("syscall")
int account(struct account_args *args)
{
	struct cgroup *cg, *anc;
	struct cg_acct *a;
	int level, i;

	cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	if (!cg)
		return 1;
	level = cg->level;
	for (i = 0; i < MAX_DEPTH && i <= level; i++) {
		anc = bpf_cgroup_ancestor(cg, i);
		if (!anc)
			continue;
		a = bpf_cgrp_storage_get(&acct, anc, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!a) {
			failed++;
		} else if (i == level) {
			__sync_fetch_and_add(&a->events, 1);
			__sync_fetch_and_add(&a->bytes, args->bytes);
		} else {
			__sync_fetch_and_add(&a->subtree_events, 1);
			__sync_fetch_and_add(&a->subtree_bytes, args->bytes);
		}
		bpf_cgroup_release(anc);
	}
	bpf_cgroup_release(cg);
	charged++;
	return 0;
}

char _license[] SEC("license") = "GPL";
