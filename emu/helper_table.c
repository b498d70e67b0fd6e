/* SPDX-License-Identifier: MIT */
/*
 * Helper metadata as data: name, GPL-only flag and the program types that
 * may call each helper (the kernel's per-type func_proto, as listed on the
 * helper pages of the seeds and in constants.md / timers.md §9), turned at
 * start-up into one bitmap per program type so that emu_helper_allowed()
 * -- called at the top of every helper -- is a shift and a mask.
 *
 * Also the stubs of the helpers bpfemu does not emulate: <bpf/bpf_helper_defs.h>
 * points bpf_<name> at bpfemu_unemulated_<name>, which rejects the run with
 * a diagnostic naming the helper instead of jumping to address <id> as the
 * stock header's pointers would.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <bpfemu/export.h>

#include "ctx.h"
#include "err.h"
#include "object_priv.h"

/*
 * Every helper id 1..211 in order: E(name) = emulated (bpfemu_helper_<name>,
 * include/bpfemu/helpers.h), X(name) = not emulated.
 */
#define BPFEMU_HELPER_LIST \
	E(map_lookup_elem) \
	E(map_update_elem) \
	E(map_delete_elem) \
	E(probe_read) \
	E(ktime_get_ns) \
	E(trace_printk) \
	E(get_prandom_u32) \
	E(get_smp_processor_id) \
	E(skb_store_bytes) \
	E(l3_csum_replace) \
	E(l4_csum_replace) \
	X(tail_call) \
	X(clone_redirect) \
	E(get_current_pid_tgid) \
	E(get_current_uid_gid) \
	E(get_current_comm) \
	X(get_cgroup_classid) \
	X(skb_vlan_push) \
	X(skb_vlan_pop) \
	X(skb_get_tunnel_key) \
	X(skb_set_tunnel_key) \
	X(perf_event_read) \
	E(redirect) \
	X(get_route_realm) \
	X(perf_event_output) \
	E(skb_load_bytes) \
	X(get_stackid) \
	E(csum_diff) \
	X(skb_get_tunnel_opt) \
	X(skb_set_tunnel_opt) \
	X(skb_change_proto) \
	X(skb_change_type) \
	X(skb_under_cgroup) \
	X(get_hash_recalc) \
	E(get_current_task) \
	X(probe_write_user) \
	X(current_task_under_cgroup) \
	X(skb_change_tail) \
	E(skb_pull_data) \
	X(csum_update) \
	X(set_hash_invalid) \
	E(get_numa_node_id) \
	X(skb_change_head) \
	E(xdp_adjust_head) \
	E(probe_read_str) \
	X(get_socket_cookie) \
	X(get_socket_uid) \
	X(set_hash) \
	X(setsockopt) \
	X(skb_adjust_room) \
	X(redirect_map) \
	X(sk_redirect_map) \
	X(sock_map_update) \
	E(xdp_adjust_meta) \
	X(perf_event_read_value) \
	X(perf_prog_read_value) \
	X(getsockopt) \
	X(override_return) \
	X(sock_ops_cb_flags_set) \
	X(msg_redirect_map) \
	X(msg_apply_bytes) \
	X(msg_cork_bytes) \
	X(msg_pull_data) \
	X(bind) \
	E(xdp_adjust_tail) \
	X(skb_get_xfrm_state) \
	X(get_stack) \
	E(skb_load_bytes_relative) \
	X(fib_lookup) \
	X(sock_hash_update) \
	X(msg_redirect_hash) \
	X(sk_redirect_hash) \
	X(lwt_push_encap) \
	X(lwt_seg6_store_bytes) \
	X(lwt_seg6_adjust_srh) \
	X(lwt_seg6_action) \
	X(rc_repeat) \
	X(rc_keydown) \
	X(skb_cgroup_id) \
	E(get_current_cgroup_id) \
	E(get_local_storage) \
	X(sk_select_reuseport) \
	X(skb_ancestor_cgroup_id) \
	X(sk_lookup_tcp) \
	X(sk_lookup_udp) \
	X(sk_release) \
	E(map_push_elem) \
	E(map_pop_elem) \
	E(map_peek_elem) \
	X(msg_push_data) \
	X(msg_pop_data) \
	X(rc_pointer_rel) \
	E(spin_lock) \
	E(spin_unlock) \
	X(sk_fullsock) \
	X(tcp_sock) \
	X(skb_ecn_set_ce) \
	X(get_listener_sock) \
	X(skc_lookup_tcp) \
	X(tcp_check_syncookie) \
	X(sysctl_get_name) \
	X(sysctl_get_current_value) \
	X(sysctl_get_new_value) \
	X(sysctl_set_new_value) \
	X(strtol) \
	X(strtoul) \
	X(sk_storage_get) \
	X(sk_storage_delete) \
	X(send_signal) \
	X(tcp_gen_syncookie) \
	X(skb_output) \
	E(probe_read_user) \
	E(probe_read_kernel) \
	E(probe_read_user_str) \
	E(probe_read_kernel_str) \
	X(tcp_send_ack) \
	X(send_signal_thread) \
	E(jiffies64) \
	X(read_branch_records) \
	E(get_ns_current_pid_tgid) \
	X(xdp_output) \
	X(get_netns_cookie) \
	E(get_current_ancestor_cgroup_id) \
	X(sk_assign) \
	E(ktime_get_boot_ns) \
	X(seq_printf) \
	X(seq_write) \
	X(sk_cgroup_id) \
	X(sk_ancestor_cgroup_id) \
	E(ringbuf_output) \
	E(ringbuf_reserve) \
	E(ringbuf_submit) \
	E(ringbuf_discard) \
	E(ringbuf_query) \
	X(csum_level) \
	X(skc_to_tcp6_sock) \
	X(skc_to_tcp_sock) \
	X(skc_to_tcp_timewait_sock) \
	X(skc_to_tcp_request_sock) \
	X(skc_to_udp6_sock) \
	X(get_task_stack) \
	X(load_hdr_opt) \
	X(store_hdr_opt) \
	X(reserve_hdr_opt) \
	X(inode_storage_get) \
	X(inode_storage_delete) \
	X(d_path) \
	X(copy_from_user) \
	X(snprintf_btf) \
	X(seq_printf_btf) \
	X(skb_cgroup_classid) \
	X(redirect_neigh) \
	X(per_cpu_ptr) \
	X(this_cpu_ptr) \
	X(redirect_peer) \
	X(task_storage_get) \
	X(task_storage_delete) \
	E(get_current_task_btf) \
	X(bprm_opts_set) \
	E(ktime_get_coarse_ns) \
	X(ima_inode_hash) \
	X(sock_from_file) \
	X(check_mtu) \
	E(for_each_map_elem) \
	X(snprintf) \
	X(sys_bpf) \
	X(btf_find_by_name_kind) \
	X(sys_close) \
	E(timer_init) \
	E(timer_set_callback) \
	E(timer_start) \
	E(timer_cancel) \
	X(get_func_ip) \
	X(get_attach_cookie) \
	X(task_pt_regs) \
	X(get_branch_snapshot) \
	E(trace_vprintk) \
	X(skc_to_unix_sock) \
	X(kallsyms_lookup_name) \
	X(find_vma) \
	E(loop) \
	X(strncmp) \
	X(get_func_arg) \
	X(get_func_ret) \
	X(get_func_arg_cnt) \
	X(get_retval) \
	X(set_retval) \
	E(xdp_get_buff_len) \
	E(xdp_load_bytes) \
	E(xdp_store_bytes) \
	X(copy_from_user_task) \
	X(skb_set_tstamp) \
	X(ima_file_hash) \
	E(kptr_xchg) \
	E(map_lookup_percpu_elem) \
	X(skc_to_mptcp_sock) \
	E(dynptr_from_mem) \
	E(ringbuf_reserve_dynptr) \
	E(ringbuf_submit_dynptr) \
	E(ringbuf_discard_dynptr) \
	E(dynptr_read) \
	E(dynptr_write) \
	E(dynptr_data) \
	X(tcp_raw_gen_syncookie_ipv4) \
	X(tcp_raw_gen_syncookie_ipv6) \
	X(tcp_raw_check_syncookie_ipv4) \
	X(tcp_raw_check_syncookie_ipv6) \
	E(ktime_get_tai_ns) \
	E(user_ringbuf_drain) \
	E(cgrp_storage_get) \
	E(cgrp_storage_delete)

#define PT(t) (1ull << BPF_PROG_TYPE_##t)

/* Every program type the kernel knows (1..32). */
#define TYPES_ALL (((1ull << 33) - 1) & ~1ull)

/*
 * bpf_base_func_proto reaches every type but LIRC_MODE2 and EXT (EXT takes
 * its target's type): the lists of bpf_user_ringbuf_drain (seed 003) and
 * bpf_cgrp_storage_get (seed 004).
 */
#define TYPES_BASE (TYPES_ALL & ~PT(LIRC_MODE2) & ~PT(EXT))

/* Tracing types that may not use timers or coarse time (timers.md §9.3, §9.7). */
#define TYPES_TRACING_OLD (PT(KPROBE) | PT(TRACEPOINT) | PT(PERF_EVENT) | \
			   PT(RAW_TRACEPOINT) | PT(RAW_TRACEPOINT_WRITABLE))

/*
 * bpf_timer_*: the list on the helper pages (seed 002, bpf_timer_set_callback),
 * which is the base set minus the old tracing types.  Seed 000's list for
 * bpf_timer_init also omits NETFILTER and STRUCT_OPS; the kernel serves all
 * four timer helpers from the same bpf_base_func_proto block, so both get
 * the same set (see docs/native-compile.md).
 */
#define TYPES_TIMER (TYPES_BASE & ~TYPES_TRACING_OLD)

/* bpf_get_local_storage: the cgroup program types. */
#define TYPES_CGROUP (PT(CGROUP_SKB) | PT(CGROUP_SOCK) | PT(CGROUP_SOCK_ADDR) | \
		      PT(SOCK_OPS) | PT(CGROUP_DEVICE) | PT(CGROUP_SYSCTL) | \
		      PT(CGROUP_SOCKOPT))

/*
 * The legacy bpf_probe_read/_str: bpf_tracing_func_proto only (x86-64 has
 * non-overlapping address spaces), reached by the tracing types, LSM and
 * SYSCALL (tracing_prog_func_proto).  The _user/_kernel forms are in
 * bpf_base_func_proto (TYPES_BASE).  Checked on Linux 6.18 by loading a
 * call in every type: kprobe, tracepoint, perf_event, raw_tp(_writable)
 * and syscall take all six; socket_filter, tc, xdp, cgroup_*, lwt_*,
 * sk_*, flow_dissector, netfilter take only the four new ones.
 */
#define TYPES_PROBE_READ_COMPAT (TYPES_TRACING_OLD | PT(TRACING) | PT(LSM) | PT(SYSCALL))

/* bpf_skb_load_bytes: the socket-buffer types (sk_filter, tc_cls_act,
 * cg_skb, lwt and sk_skb func_protos). */
#define TYPES_SKB (PT(SOCKET_FILTER) | PT(SCHED_CLS) | PT(SCHED_ACT) | PT(CGROUP_SKB) | \
		   PT(LWT_IN) | PT(LWT_OUT) | PT(LWT_XMIT) | PT(LWT_SEG6LOCAL) | PT(SK_SKB))

/*
 * The packet-writing helpers, as 6.18 loads them (a call per type,
 * probes): tc is SCHED_CLS and SCHED_ACT alike.
 *   bpf_skb_store_bytes              tc, lwt_xmit, sk_skb
 *   bpf_l3/l4_csum_replace           tc, lwt_xmit
 *   bpf_csum_diff                    tc, xdp, lwt_in/out/xmit
 *   bpf_redirect                     tc, xdp, lwt_xmit
 *   bpf_skb_pull_data                tc, lwt_in/out/xmit, sk_skb
 * lwt_seg6local as lwt_in (csum_diff, skb_pull_data); never socket filters
 * or cgroup_skb.
 */
#define TYPES_TC (PT(SCHED_CLS) | PT(SCHED_ACT))
#define TYPES_LWT (PT(LWT_IN) | PT(LWT_OUT) | PT(LWT_XMIT) | PT(LWT_SEG6LOCAL))

struct helper_info {
	const char *name;
	uint64_t types;			/* PT() bits */
	bool gpl_only;
	bool emulated;
};

#define E(n) [BPF_FUNC_##n] = { "bpf_" #n, TYPES_BASE, false, true },
#define X(n) [BPF_FUNC_##n] = { "bpf_" #n, TYPES_BASE, false, false },
static struct helper_info helpers[__BPF_FUNC_MAX_ID] = {
	BPFEMU_HELPER_LIST
};
#undef E
#undef X

/* Where a helper differs from the base set. */
struct helper_override {
	int id;
	uint64_t types;
	bool gpl_only;
};

static const struct helper_override overrides[] = {
	/* "every type": map ops, time, printk, prandom, CPU id */
	{ BPF_FUNC_map_lookup_elem,		TYPES_ALL,	false },
	{ BPF_FUNC_map_update_elem,		TYPES_ALL,	false },
	{ BPF_FUNC_map_delete_elem,		TYPES_ALL,	false },
	{ BPF_FUNC_ktime_get_ns,		TYPES_ALL,	false },
	{ BPF_FUNC_ktime_get_boot_ns,		TYPES_ALL,	false },
	{ BPF_FUNC_ktime_get_tai_ns,		TYPES_ALL,	false },
	{ BPF_FUNC_trace_printk,		TYPES_ALL,	true },
	{ BPF_FUNC_trace_vprintk,		TYPES_ALL,	true },
	{ BPF_FUNC_get_prandom_u32,		TYPES_ALL,	false },
	{ BPF_FUNC_get_smp_processor_id,	TYPES_ALL,	false },
	/* not in kprobe/tracepoint/perf_event/raw_tp (timers.md §9.7) */
	{ BPF_FUNC_ktime_get_coarse_ns,		TYPES_BASE & ~TYPES_TRACING_OLD, false },
	/* GPL-only, and not in the old tracing types (seeds 000, 002) */
	{ BPF_FUNC_timer_init,			TYPES_TIMER,	true },
	{ BPF_FUNC_timer_set_callback,		TYPES_TIMER,	true },
	{ BPF_FUNC_timer_start,			TYPES_TIMER,	true },
	{ BPF_FUNC_timer_cancel,		TYPES_TIMER,	true },
	{ BPF_FUNC_get_local_storage,		TYPES_CGROUP,	false },
	/* other GPL-only helpers of the kernel (gpl_only = true in their proto) */
	{ BPF_FUNC_probe_read,			TYPES_PROBE_READ_COMPAT, true },
	{ BPF_FUNC_probe_read_str,		TYPES_PROBE_READ_COMPAT, true },
	{ BPF_FUNC_probe_read_user,		TYPES_BASE,	true },
	{ BPF_FUNC_probe_read_kernel,		TYPES_BASE,	true },
	{ BPF_FUNC_probe_read_user_str,		TYPES_BASE,	true },
	{ BPF_FUNC_probe_read_kernel_str,	TYPES_BASE,	true },
	{ BPF_FUNC_probe_write_user,		TYPES_BASE,	true },
	{ BPF_FUNC_perf_event_output,		TYPES_BASE,	false },
	{ BPF_FUNC_get_current_task,		TYPES_BASE,	true },
	{ BPF_FUNC_skb_load_bytes,		TYPES_SKB,	false },
	{ BPF_FUNC_skb_store_bytes,	TYPES_TC | PT(LWT_XMIT) | PT(SK_SKB), false },
	{ BPF_FUNC_l3_csum_replace,	TYPES_TC | PT(LWT_XMIT),	false },
	{ BPF_FUNC_l4_csum_replace,	TYPES_TC | PT(LWT_XMIT),	false },
	{ BPF_FUNC_csum_diff,		TYPES_TC | PT(XDP) | TYPES_LWT,	false },
	{ BPF_FUNC_redirect,		TYPES_TC | PT(XDP) | PT(LWT_XMIT), false },
	{ BPF_FUNC_skb_pull_data,	TYPES_TC | TYPES_LWT | PT(SK_SKB), false },
	{ BPF_FUNC_skb_load_bytes_relative, TYPES_TC | PT(SOCKET_FILTER) | PT(CGROUP_SKB), false },
	{ BPF_FUNC_xdp_get_buff_len,	PT(XDP),	false },
	{ BPF_FUNC_xdp_load_bytes,	PT(XDP),	false },
	{ BPF_FUNC_xdp_store_bytes,	PT(XDP),	false },
	{ BPF_FUNC_xdp_adjust_head,		PT(XDP),	false },
	{ BPF_FUNC_xdp_adjust_meta,		PT(XDP),	false },
	{ BPF_FUNC_xdp_adjust_tail,		PT(XDP),	false },
	{ BPF_FUNC_send_signal,			TYPES_BASE,	false },
};

/* Bit h of allowed[type][h / 64]: helper h may be called by that type. */
#define NR_PROG_TYPES (BPF_PROG_TYPE_NETFILTER + 1)
static uint64_t allowed[NR_PROG_TYPES][(__BPF_FUNC_MAX_ID + 63) / 64];

__attribute__((constructor)) static void helper_table_init(void)
{
	size_t i;
	int h, t;

	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		helpers[overrides[i].id].types = overrides[i].types;
		helpers[overrides[i].id].gpl_only = overrides[i].gpl_only;
	}
	for (h = 1; h < __BPF_FUNC_MAX_ID; h++)
		for (t = 0; t < NR_PROG_TYPES; t++)
			if (helpers[h].types & (1ull << t))
				allowed[t][h / 64] |= 1ull << (h % 64);
}

/* What a bare program of type UNSPEC (helper-family tests) may call. */
static const uint64_t allowed_all[(__BPF_FUNC_MAX_ID + 63) / 64] = {
	~0ull, ~0ull, ~0ull, ~0ull,
};
_Static_assert(sizeof(allowed_all) == 4 * sizeof(uint64_t), "allowed_all covers every id");

const uint64_t *emu_helper_allowed_bitmap(const struct emu_prog *prog)
{
	/* Non-GPL programs take the full check on every call, for the
	 * GPL-only refusal; out-of-range types are refused by it too. */
	if (!prog->gpl || prog->type < 0 || prog->type >= NR_PROG_TYPES)
		return NULL;
	return prog->type == BPF_PROG_TYPE_UNSPEC ? allowed_all : allowed[prog->type];
}

bool emu_helper_type_allowed(int func_id, int prog_type)
{
	if (func_id <= 0 || func_id >= __BPF_FUNC_MAX_ID)
		return false;
	/* A bare program of type UNSPEC (helper-family tests) may call anything. */
	if (prog_type == BPF_PROG_TYPE_UNSPEC)
		return true;
	if (prog_type < 0 || prog_type >= NR_PROG_TYPES)
		return false;
	return allowed[prog_type][func_id / 64] & (1ull << (func_id % 64));
}

const char *emu_helper_name(int func_id)
{
	if (func_id <= 0 || func_id >= __BPF_FUNC_MAX_ID || !helpers[func_id].name)
		return "bpf_unknown_helper";
	return helpers[func_id].name;
}

bool emu_helper_gpl_only(int func_id)
{
	if (func_id <= 0 || func_id >= __BPF_FUNC_MAX_ID)
		return false;
	return helpers[func_id].gpl_only;
}

bool emu_helper_emulated(int func_id)
{
	if (func_id <= 0 || func_id >= __BPF_FUNC_MAX_ID)
		return false;
	return helpers[func_id].emulated;
}

static const char *const prog_type_names[NR_PROG_TYPES] = {
#define N(t) [BPF_PROG_TYPE_##t] = "BPF_PROG_TYPE_" #t
	N(UNSPEC), N(SOCKET_FILTER), N(KPROBE), N(SCHED_CLS), N(SCHED_ACT),
	N(TRACEPOINT), N(XDP), N(PERF_EVENT), N(CGROUP_SKB), N(CGROUP_SOCK),
	N(LWT_IN), N(LWT_OUT), N(LWT_XMIT), N(SOCK_OPS), N(SK_SKB),
	N(CGROUP_DEVICE), N(SK_MSG), N(RAW_TRACEPOINT), N(CGROUP_SOCK_ADDR),
	N(LWT_SEG6LOCAL), N(LIRC_MODE2), N(SK_REUSEPORT), N(FLOW_DISSECTOR),
	N(CGROUP_SYSCTL), N(RAW_TRACEPOINT_WRITABLE), N(CGROUP_SOCKOPT),
	N(TRACING), N(STRUCT_OPS), N(EXT), N(LSM), N(SK_LOOKUP), N(SYSCALL),
	N(NETFILTER),
#undef N
};

const char *emu_prog_type_name(int prog_type)
{
	if (prog_type < 0 || prog_type >= NR_PROG_TYPES)
		return "BPF_PROG_TYPE_(unknown)";
	return prog_type_names[prog_type];
}

/*
 * A helper bpfemu does not emulate was called.  The kernel would have run
 * it; we cannot, so the run is abandoned with a diagnostic naming it.
 */
static long helper_unemulated(int func_id)
{
	emu_verifier_reject(-EOPNOTSUPP, "helper_not_emulated",
			    "%s (helper %d) is not emulated by bpfemu",
			    emu_helper_name(func_id), func_id);
	return -EOPNOTSUPP;
}

long emu_helper_not_emulated(int func_id)
{
	return helper_unemulated(func_id);
}

/* One exported stub per helper that is not emulated (bpf_helper_defs.h). */
#define E(n)
#define X(n)								\
	BPFEMU_API long bpfemu_unemulated_##n(void);			\
	BPFEMU_API long bpfemu_unemulated_##n(void)			\
	{								\
		return helper_unemulated(BPF_FUNC_##n);			\
	}
BPFEMU_HELPER_LIST
#undef E
#undef X
