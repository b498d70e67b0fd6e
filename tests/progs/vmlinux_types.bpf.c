// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel types starter programs take from vmlinux.h (libbpf-bootstrap's
 * bootstrap, kprobe, fentry, tc and lsm examples use these): the scheduler's
 * tracepoint records with a __data_loc string, task_struct's exit_code
 * through BPF_CORE_READ, struct filename behind a kprobe or fentry
 * argument, packet headers, and an LSM hook that takes union bpf_attr *.
 * Their layouts are checked at compile time against 6.18's BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* Sizes and offsets from 6.18's BTF (bpftool btf dump ... format raw). */
_Static_assert(sizeof(struct trace_event_raw_sched_process_exec) == 20, "exec record");
_Static_assert(__builtin_offsetof(struct trace_event_raw_sched_process_exec, old_pid) == 16,
	       "exec record: old_pid");
_Static_assert(sizeof(struct trace_event_raw_sched_process_template) == 20, "process template");
_Static_assert(sizeof(struct trace_event_raw_sched_process_exit) == 36, "exit record");
_Static_assert(__builtin_offsetof(struct trace_event_raw_sched_process_exit, group_dead) == 32,
	       "exit record: group_dead");
_Static_assert(sizeof(struct trace_event_raw_sched_process_fork) == 24, "fork record");
_Static_assert(sizeof(struct trace_event_raw_sched_switch) == 64, "switch record");
_Static_assert(__builtin_offsetof(struct trace_event_raw_sched_switch, next_pid) == 56,
	       "switch record: next_pid");
_Static_assert(sizeof(struct ethhdr) == 14, "ethhdr");
_Static_assert(sizeof(struct iphdr) == 20, "iphdr");
_Static_assert(sizeof(struct ipv6hdr) == 40, "ipv6hdr");
_Static_assert(sizeof(struct tcphdr) == 20, "tcphdr");
_Static_assert(sizeof(struct udphdr) == 8, "udphdr");

#include "vmlinux_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	struct exec_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = ctx->pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_probe_read_str(&e->filename, sizeof(e->filename), (void *)ctx + off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

int switches;
int last_next_pid;

SEC("tp/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	switches++;
	last_next_pid = ctx->next_pid;
	return 0;
}

char unlinked[64];
char unlinked_fentry[64];
int unlink_dfd;

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	const char *path = BPF_CORE_READ(name, name);

	unlink_dfd = dfd;
	bpf_probe_read_kernel_str(unlinked, sizeof(unlinked), path);
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlink_fentry, int dfd, struct filename *name)
{
	bpf_probe_read_kernel_str(unlinked_fentry, sizeof(unlinked_fentry), name->name);
	return 0;
}

/* A packet the test writes: Ethernet, IPv4, TCP, from packet_buf + 2 so
 * that the IP header is 4-byte aligned, as the kernel's and bpfemu's
 * packet buffers align it. */
unsigned char packet_buf[66] __attribute__((aligned(8)));
#define packet (packet_buf + 2)
int ip_version, ip_ihl, ip_ttl, tcp_doff, tcp_syn;
unsigned int dport;

SEC("syscall")
int parse_packet(void *ctx)
{
	struct ethhdr *eth = (struct ethhdr *)packet;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *tcp;

	if (eth->h_proto != bpf_htons(0x0800) || ip->protocol != 6)
		return 1;
	tcp = (struct tcphdr *)((unsigned char *)ip + ip->ihl * 4);
	ip_version = ip->version;
	ip_ihl = ip->ihl;
	ip_ttl = ip->ttl;
	tcp_doff = tcp->doff;
	tcp_syn = tcp->syn;
	dport = bpf_ntohs(tcp->dest);
	return 0;
}

/* minimal_ns's call: the ids in the pid namespace the test names */
__u64 ns_dev, ns_ino;
long ns_ret;
struct bpf_pidns_info ns_info;

SEC("tp/syscalls/sys_enter_write")
int ns_ids(void *ctx)
{
	ns_ret = bpf_get_ns_current_pid_tgid(ns_dev, ns_ino, &ns_info, sizeof(ns_info));
	return 0;
}

int lsm_cmd = -1;

SEC("lsm/bpf")
int BPF_PROG(lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	if (ret != 0)
		return ret;
	lsm_cmd = cmd;
	return -1;	/* -EPERM */
}

char _license[] SEC("license") = "GPL";
