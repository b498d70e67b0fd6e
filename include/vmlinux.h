/* SPDX-License-Identifier: MIT */
/*
 * <vmlinux.h> for native BPF C: the uapi types, the kernel's short integer
 * names, and the kernel objects bpfemu models (struct cgroup, task_struct,
 * ...: <bpfemu/kernel_types.h>).  Real vmlinux.h files are dumped from a
 * kernel's BTF; natively the program is compiled against the emulator's own
 * types, which carry the kernel's member names.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpfemu/kernel_types.h>

/* __attribute__((preserve_access_index)) natively */
#include <bpfemu/core_attrs.h>

#ifndef __bpfemu_vmlinux_ints
#define __bpfemu_vmlinux_ints
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
#endif

/* Process ids as the kernel spells them (C11 allows the same typedef twice,
 * so a program that also sees glibc's is fine). */
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;

/*
 * Tracepoint records that libbpf-style programs take as their context
 * (SEC("tp/syscalls/sys_enter_*") and sys_exit_*): the layouts of
 * /sys/kernel/tracing/events/syscalls/<event>/format.  Fire such a program
 * with bpfemu_prog_run() and a filled-in record.
 */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
	char __data[0];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
	char __data[0];
};

#endif /* __VMLINUX_H__ */
