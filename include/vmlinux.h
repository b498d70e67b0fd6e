/* SPDX-License-Identifier: MIT */
/*
 * <vmlinux.h> for native BPF C: the uapi types, the kernel's short integer
 * names, the kernel objects bpfemu models (struct cgroup, task_struct,
 * ...: <bpfemu/kernel_types.h>), tracepoint records and packet headers.  Real vmlinux.h files are dumped from a
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

/* Tracepoint records (SEC("tp/...") contexts) and packet headers, with
 * the names and layouts a dumped vmlinux.h gives them. */
#include <bpfemu/tp_records.h>
#include <bpfemu/net_headers.h>

typedef struct {
	int counter;
} atomic_t;

/* The path a kernel function takes (do_unlinkat, do_sys_openat2, ...
 * kprobe and fentry arguments): what BPF programs read of it. */
struct filename {
	const char *name;		/* kernel copy of the path */
	const char *uptr;		/* the user pointer it came from */
	atomic_t refcnt;
	struct audit_names *aname;
	const char iname[];
};

#endif /* __VMLINUX_H__ */
