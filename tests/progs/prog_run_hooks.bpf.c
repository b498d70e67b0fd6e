// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf-bootstrap-style programs whose logic lives behind hooks the
 * kernel cannot test-run (tp, kprobe) or runs only from its hook (fentry,
 * raw_tp): tests/test_prog_run.c fires each one with bpfemu_prog_run().
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* The tracepoint's record, as a program without vmlinux.h declares it
 * (/sys/kernel/tracing/events/syscalls/sys_enter_openat/format). */
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
};

/* Opens per tgid, as bootstrap-style tools count them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} opens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} switches SEC(".maps");

long tp_syscall_nr;
long tp_dfd;
__u64 tp_flags;
int tp_common_pid;

int kp_dfd;
__u64 kp_name;
__u64 kp_hits;

int fentry_dfd;
__u64 fentry_how;

__u64 rawtp_prev;
__u64 rawtp_next;
__u32 rawtp_cpu;

SEC("tp/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n;

	tp_syscall_nr = ctx->id;
	tp_common_pid = ctx->ent.pid;
	tp_dfd = (long)ctx->args[0];
	tp_flags = ctx->args[2];
	n = bpf_map_lookup_elem(&opens, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&opens, &tgid, &one, BPF_NOEXIST);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlinkat, int dfd, void *name)
{
	kp_dfd = dfd;
	kp_name = (__u64)(unsigned long)name;
	kp_hits++;
	return dfd + 1;
}

SEC("fentry/do_sys_openat2")
int BPF_PROG(on_openat2, int dfd, const char *filename, void *how)
{
	fentry_dfd = dfd;
	fentry_how = (__u64)(unsigned long)how;
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(on_switch, bool preempt, void *prev, void *next)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&switches, &zero);

	if (n)
		(*n)++;
	rawtp_prev = (__u64)(unsigned long)prev;
	rawtp_next = (__u64)(unsigned long)next;
	rawtp_cpu = bpf_get_smp_processor_id();
	return preempt ? 2 : 1;
}

char _license[] SEC("license") = "GPL";
