// SPDX-License-Identifier: GPL-2.0
/*
 * A libbpf-bootstrap-style tracepoint pair written against "vmlinux.h"
 * alone: the syscall records come from bpfemu's vmlinux.h, as they come
 * from a BTF dump on the kernel side.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

pid_t last_pid;
long last_ret;
unsigned long last_flags;

SEC("tp/syscalls/sys_enter_openat")
int on_enter(struct trace_event_raw_sys_enter *ctx)
{
	last_pid = ctx->ent.pid;
	last_flags = ctx->args[2];
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int on_exit(struct trace_event_raw_sys_exit *ctx)
{
	last_ret = ctx->ret;
	return 0;
}

char _license[] SEC("license") = "GPL";
