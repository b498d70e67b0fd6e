/* SPDX-License-Identifier: MIT */
/* Shared by cgroup_accounting.bpf.c and cgroup_accounting.c. */
#ifndef CGROUP_ACCOUNTING_H
#define CGROUP_ACCOUNTING_H

#define MAX_DEPTH 8

/* Per-cgroup counters, kept in the cgroup itself (cgroup local storage). */
struct cg_acct {
	__u64 events;		/* events of tasks directly in this cgroup */
	__u64 bytes;
	__u64 subtree_events;	/* events of tasks in its descendants */
	__u64 subtree_bytes;
};

/* The context user space passes to one run of `account`. */
struct account_args {
	__u64 bytes;
};

#endif
