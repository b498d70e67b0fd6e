/* SPDX-License-Identifier: MIT */
/*
 * SEC() name -> program type, with libbpf's section table and matching rules
 * (constants.md §14): an entry ending in '+' matches the name exactly or
 * followed by "/anything"; other entries match exactly; the first matching
 * entry wins.  A leading '?' only turns autoload off.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/bpf.h>

#include "object_priv.h"

#define SEC_SLEEP 0x1

struct sec_entry {
	const char *prefix;
	bool extras;		/* '+': "prefix" or "prefix/..." */
	int prog_type;
	int attach_type;
	unsigned int flags;
};

static const struct sec_entry sec_table[] = {
	{ "socket", false, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0 },
	{ "sk_reuseport/migrate", false, BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, 0 },
	{ "sk_reuseport", false, BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, 0 },
	{ "kprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "uprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "uprobe.s", true, BPF_PROG_TYPE_KPROBE, 0, SEC_SLEEP },
	{ "kretprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "uretprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "uretprobe.s", true, BPF_PROG_TYPE_KPROBE, 0, SEC_SLEEP },
	{ "kprobe.multi", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0 },
	{ "kretprobe.multi", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0 },
	{ "kprobe.session", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_SESSION, 0 },
	{ "uprobe.multi", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI, 0 },
	{ "uretprobe.multi", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI, 0 },
	{ "uprobe.session", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_SESSION, 0 },
	{ "uprobe.multi.s", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI, SEC_SLEEP },
	{ "uretprobe.multi.s", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI, SEC_SLEEP },
	{ "uprobe.session.s", true, BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_SESSION, SEC_SLEEP },
	{ "ksyscall", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "kretsyscall", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "usdt", true, BPF_PROG_TYPE_KPROBE, 0, 0 },
	{ "usdt.s", true, BPF_PROG_TYPE_KPROBE, 0, SEC_SLEEP },
	{ "tc/ingress", false, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS, 0 },
	{ "tc/egress", false, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS, 0 },
	{ "tcx/ingress", false, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS, 0 },
	{ "tcx/egress", false, BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS, 0 },
	{ "tc", false, BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
	{ "classifier", false, BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
	{ "action", false, BPF_PROG_TYPE_SCHED_ACT, 0, 0 },
	{ "netkit/primary", false, BPF_PROG_TYPE_SCHED_CLS, BPF_NETKIT_PRIMARY, 0 },
	{ "netkit/peer", false, BPF_PROG_TYPE_SCHED_CLS, BPF_NETKIT_PEER, 0 },
	{ "tracepoint", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0 },
	{ "tp", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0 },
	{ "tracepoint.s", true, BPF_PROG_TYPE_TRACEPOINT, 0, SEC_SLEEP },
	{ "tp.s", true, BPF_PROG_TYPE_TRACEPOINT, 0, SEC_SLEEP },
	{ "raw_tracepoint", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 },
	{ "raw_tp", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 },
	{ "raw_tracepoint.s", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, SEC_SLEEP },
	{ "raw_tp.s", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, SEC_SLEEP },
	{ "raw_tracepoint.w", true, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0 },
	{ "raw_tp.w", true, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0 },
	{ "tp_btf", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, 0 },
	{ "tp_btf.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, SEC_SLEEP },
	{ "fentry", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0 },
	{ "fmod_ret", true, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, 0 },
	{ "fexit", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, 0 },
	{ "fentry.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, SEC_SLEEP },
	{ "fmod_ret.s", true, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, SEC_SLEEP },
	{ "fexit.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, SEC_SLEEP },
	{ "fsession", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FSESSION, 0 },
	{ "fsession.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FSESSION, SEC_SLEEP },
	{ "fsession.multi", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FSESSION_MULTI, 0 },
	{ "fsession.multi.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FSESSION_MULTI, SEC_SLEEP },
	{ "fentry.multi", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY_MULTI, 0 },
	{ "fexit.multi", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT_MULTI, 0 },
	{ "fentry.multi.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY_MULTI, SEC_SLEEP },
	{ "fexit.multi.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT_MULTI, SEC_SLEEP },
	{ "freplace", true, BPF_PROG_TYPE_EXT, 0, 0 },
	{ "lsm", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0 },
	{ "lsm.s", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, SEC_SLEEP },
	{ "lsm_cgroup", true, BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, 0 },
	{ "iter", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0 },
	{ "iter.s", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, SEC_SLEEP },
	{ "syscall", false, BPF_PROG_TYPE_SYSCALL, 0, SEC_SLEEP },
	{ "xdp.frags/devmap", false, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0 },
	{ "xdp/devmap", false, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0 },
	{ "xdp.frags/cpumap", false, BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0 },
	{ "xdp/cpumap", false, BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0 },
	{ "xdp.frags", false, BPF_PROG_TYPE_XDP, BPF_XDP, 0 },
	{ "xdp", false, BPF_PROG_TYPE_XDP, BPF_XDP, 0 },
	{ "perf_event", false, BPF_PROG_TYPE_PERF_EVENT, 0, 0 },
	{ "lwt_in", false, BPF_PROG_TYPE_LWT_IN, 0, 0 },
	{ "lwt_out", false, BPF_PROG_TYPE_LWT_OUT, 0, 0 },
	{ "lwt_xmit", false, BPF_PROG_TYPE_LWT_XMIT, 0, 0 },
	{ "lwt_seg6local", false, BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0 },
	{ "sockops", false, BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0 },
	{ "sk_skb/stream_parser", false, BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, 0 },
	{ "sk_skb/stream_verdict", false, BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0 },
	{ "sk_skb/verdict", false, BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_VERDICT, 0 },
	{ "sk_skb", false, BPF_PROG_TYPE_SK_SKB, 0, 0 },
	{ "sk_msg", false, BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0 },
	{ "lirc_mode2", false, BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2, 0 },
	{ "flow_dissector", false, BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 0 },
	{ "cgroup_skb/ingress", false, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0 },
	{ "cgroup_skb/egress", false, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0 },
	{ "cgroup/skb", false, BPF_PROG_TYPE_CGROUP_SKB, 0, 0 },
	{ "cgroup/sock_create", false, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 },
	{ "cgroup/sock_release", false, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 0 },
	{ "cgroup/sock", false, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 },
	{ "cgroup/post_bind4", false, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0 },
	{ "cgroup/post_bind6", false, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 0 },
	{ "cgroup/bind4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0 },
	{ "cgroup/bind6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0 },
	{ "cgroup/connect4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0 },
	{ "cgroup/connect6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0 },
	{ "cgroup/connect_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_CONNECT, 0 },
	{ "cgroup/sendmsg4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0 },
	{ "cgroup/sendmsg6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 0 },
	{ "cgroup/sendmsg_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_SENDMSG, 0 },
	{ "cgroup/recvmsg4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0 },
	{ "cgroup/recvmsg6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0 },
	{ "cgroup/recvmsg_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_RECVMSG, 0 },
	{ "cgroup/getpeername4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 0 },
	{ "cgroup/getpeername6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 0 },
	{ "cgroup/getpeername_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_GETPEERNAME, 0 },
	{ "cgroup/getsockname4", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 0 },
	{ "cgroup/getsockname6", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 0 },
	{ "cgroup/getsockname_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_GETSOCKNAME, 0 },
	{ "cgroup/sysctl", false, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0 },
	{ "cgroup/getsockopt", false, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0 },
	{ "cgroup/setsockopt", false, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0 },
	{ "cgroup/dev", false, BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0 },
	{ "struct_ops", true, BPF_PROG_TYPE_STRUCT_OPS, 0, 0 },
	{ "struct_ops.s", true, BPF_PROG_TYPE_STRUCT_OPS, 0, SEC_SLEEP },
	{ "sk_lookup", false, BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0 },
	{ "netfilter", false, BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER, 0 },
};

static bool sec_matches(const struct sec_entry *e, const char *name)
{
	size_t len = strlen(e->prefix);

	if (!e->extras)
		return !strcmp(name, e->prefix);
	if (strncmp(name, e->prefix, len))
		return false;
	return name[len] == '\0' || name[len] == '/';
}

int emu_sec_resolve(const char *sec, struct emu_sec_def *def)
{
	size_t i;
	bool autoload = true;

	if (!sec || !def)
		return -EINVAL;
	if (sec[0] == '?') {
		autoload = false;
		sec++;
	}
	for (i = 0; i < sizeof(sec_table) / sizeof(sec_table[0]); i++) {
		const struct sec_entry *e = &sec_table[i];

		if (!sec_matches(e, sec))
			continue;
		def->prog_type = e->prog_type;
		def->attach_type = e->attach_type;
		def->sleepable = e->flags & SEC_SLEEP;
		def->autoload = autoload;
		return 0;
	}
	/* libbpf: "missing BPF prog type, check ELF section name" */
	return -ESRCH;
}
