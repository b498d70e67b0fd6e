/* SPDX-License-Identifier: MIT */
/*
 * Native kernel objects as BPF programs reach them.
 *
 * A program written against vmlinux.h walks kernel structs by member name:
 *
 *	struct task_struct *t = bpf_get_current_task_btf();
 *	struct cgroup *cg = t->cgroups->dfl_cgrp;
 *	u64 id = cg->kn->id;		(== bpf_get_current_cgroup_id())
 *	struct cgroup *top = cg->ancestors[1];
 *
 * Natively there is no BTF and BPF_CORE_READ is plain member access, so
 * what matters is that the members exist with the kernel's names and
 * meanings; the layout is ours.  These structs are the real objects of the
 * emulator's cgroup model (emu/cgroup.c), not copies: a program reads live
 * values.  They are read-only to programs, as the kernel's verifier makes
 * them.
 *
 * One deliberate difference: the kernel's cgroup ends in a flexible array
 * `struct cgroup *ancestors[]`; ours is a pointer to the same array, which
 * programs index the same way (ancestors[0] is the root, ancestors[level]
 * the cgroup itself).
 *
 * Included by <vmlinux.h>; usable on its own by tests.
 */
#ifndef BPFEMU_KERNEL_TYPES_H
#define BPFEMU_KERNEL_TYPES_H

#include <bpfemu/types.h>

/* Opaque: the per-owner local storage (emu/local_storage.h). */
struct bpf_local_storage;
struct cgroup;

/* A node of the cgroup filesystem; its id is the cgroup id (and the inode
 * number of the cgroup2 directory). */
struct kernfs_node {
	__u64 id;
	const char *name;		/* last path component, "" for the root */
	struct kernfs_node *parent;
};

/* cgroup_subsys_state.flags, with the kernel's values. */
enum {
	CSS_NO_REF	= (1 << 0),	/* the root: never released */
	CSS_ONLINE	= (1 << 1),	/* between mkdir and rmdir */
	CSS_RELEASED	= (1 << 2),
	CSS_VISIBLE	= (1 << 3),
	CSS_DYING	= (1 << 4),	/* rmdir'ed, waiting for its last reference */
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;			/* the cgroup this css belongs to */
	struct cgroup_subsys_state *parent;	/* NULL for the root */
	int id;
	unsigned int flags;			/* CSS_* */
	__u64 serial_nr;			/* creation order, never reused */
};

struct cgroup {
	struct cgroup_subsys_state self;
	unsigned long flags;
	int level;				/* root 0, its children 1, ... */
	int max_depth;
	int nr_descendants;			/* online descendants */
	int nr_dying_descendants;
	int max_descendants;
	int nr_populated_csets;			/* tasks attached directly */
	struct kernfs_node *kn;
	struct bpf_local_storage *bpf_cgrp_storage;	/* BPF_MAP_TYPE_CGRP_STORAGE data */
	struct cgroup **ancestors;		/* [0..level], see above */
};

/* The set of cgroups a task belongs to; only the default (cgroup2)
 * hierarchy is modelled. */
struct css_set {
	struct cgroup *dfl_cgrp;
};

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;				/* thread id */
	int tgid;				/* process id */
	char comm[TASK_COMM_LEN];
	int exit_code;				/* 0: no task here has exited */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct css_set *cgroups;
};

#endif /* BPFEMU_KERNEL_TYPES_H */
