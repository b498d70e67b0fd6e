/* SPDX-License-Identifier: MIT */
/* Shared by progs/vmlinux_types.bpf.c and test_vmlinux_tp.c (as
 * libbpf-bootstrap's bootstrap.h): what the exec program sends. */
#ifndef TEST_VMLINUX_TYPES_H
#define TEST_VMLINUX_TYPES_H

struct exec_event {
	int pid;
	int ppid;
	int exit_code;
	char comm[16];
	char filename[64];
};

#endif
