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

#endif /* __VMLINUX_H__ */
