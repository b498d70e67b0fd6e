/* SPDX-License-Identifier: MIT */
/*
 * Tracepoint records: what a SEC("tp/<category>/<event>") program gets as
 * its context, laid out as the event's
 * /sys/kernel/tracing/events/<category>/<event>/format file and the kernel's
 * BTF (struct trace_event_raw_<event or its class>) lay it out on 6.18.
 * <vmlinux.h> includes this header, so programs that take these types from
 * vmlinux.h compile unmodified; a test includes it directly to build the
 * record it passes to bpfemu_prog_run().
 *
 * Only the events BPF programs commonly attach to are here: the syscall
 * entry and exit records and the scheduler's process events.  Layouts are
 * those of 6.18; older kernels differ in places (before 6.x the
 * sched_process_template class had char comm[16] where 6.18 has
 * __data_loc_comm).
 *
 * A __data_loc_<field> word locates a variable-length field in the record's
 * tail: its length in the high 16 bits, its offset from the start of the
 * record in the low 16 (bpfemu_tp_data_loc builds one).
 */
#ifndef BPFEMU_TP_RECORDS_H
#define BPFEMU_TP_RECORDS_H

#include <bpfemu/types.h>

/* The common header of every record. */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* syscalls/sys_enter_* and raw_syscalls/sys_enter */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
	char __data[0];
};

/* syscalls/sys_exit_* and raw_syscalls/sys_exit */
struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
	char __data[0];
};

/* Process ids are pid_t (int) in the kernel's records; int here, so the
 * header needs no libc typedef. */

/* sched/sched_process_exec: __data_loc_filename locates the path */
struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	__u32 __data_loc_filename;
	int pid;
	int old_pid;
	char __data[0];
};

/* sched/sched_process_free, sched_process_wait, sched_wait_task */
struct trace_event_raw_sched_process_template {
	struct trace_entry ent;
	__u32 __data_loc_comm;
	int pid;
	int prio;
	char __data[0];
};

/* sched/sched_process_exit */
struct trace_event_raw_sched_process_exit {
	struct trace_entry ent;
	char comm[16];
	int pid;
	int prio;
	_Bool group_dead;
	char __data[0];
};

/* sched/sched_process_fork */
struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	__u32 __data_loc_parent_comm;
	int parent_pid;
	__u32 __data_loc_child_comm;
	int child_pid;
	char __data[0];
};

/* sched/sched_switch */
struct trace_event_raw_sched_switch {
	struct trace_entry ent;
	char prev_comm[16];
	int prev_pid;
	int prev_prio;
	long prev_state;
	char next_comm[16];
	int next_pid;
	int next_prio;
	char __data[0];
};

/* sched/sched_wakeup, sched_wakeup_new, sched_waking */
struct trace_event_raw_sched_wakeup_template {
	struct trace_entry ent;
	char comm[16];
	int pid;
	int prio;
	int target_cpu;
	char __data[0];
};

/* A __data_loc word: @len bytes at @offset from the record's start. */
static inline __u32 bpfemu_tp_data_loc(__u32 offset, __u32 len)
{
	return len << 16 | (offset & 0xffff);
}

#endif /* BPFEMU_TP_RECORDS_H */
