/* SPDX-License-Identifier: MIT */
/*
 * Every BPF helper, declared the way libbpf's bpf_helper_defs.h declares it
 * (a static const function pointer per translation unit, with the kernel's
 * prototype), but pointing at native code instead of at the helper's id:
 *   - helpers bpfemu emulates point at bpfemu_helper_<name> (the library,
 *     <bpfemu/helpers.h>); the assignment checks that our prototype is the
 *     kernel's;
 *   - the others point at bpfemu_unemulated_<name>, which rejects the run
 *     with the diagnostic "helper_not_emulated" naming the helper.
 * Static pointers keep BPF-side names out of the link, so a test binary can
 * also use libbpf's user-space bpf_map_lookup_elem(fd, key, value).
 *
 * Derived mechanically from the helper id list (include/linux/bpf.h) and the
 * prototype list of constants.md §1; keep it in that order.
 */
#ifndef __BPF_HELPER_DEFS__
#define __BPF_HELPER_DEFS__

#include <linux/bpf.h>
#include <bpfemu/helpers.h>
#include <bpfemu/map_fast.h>

struct bpf_fib_lookup;
struct bpf_sk_lookup;
struct bpf_perf_event_data;
struct bpf_perf_event_value;
struct bpf_pidns_info;
struct bpf_redir_neigh;
struct bpf_sock;
struct bpf_sock_addr;
struct bpf_sock_ops;
struct bpf_sock_tuple;
struct bpf_spin_lock;
struct bpf_sysctl;
struct bpf_tcp_sock;
struct bpf_tunnel_key;
struct bpf_xfrm_state;
struct linux_binprm;
struct pt_regs;
struct sk_reuseport_md;
struct sockaddr;
struct tcphdr;
struct seq_file;
struct tcp6_sock;
struct tcp_sock;
struct tcp_timewait_sock;
struct tcp_request_sock;
struct udp6_sock;
struct unix_sock;
struct task_struct;
struct cgroup;
struct __sk_buff;
struct sk_msg_md;
struct xdp_md;
struct path;
struct btf_ptr;
struct inode;
struct socket;
struct file;
struct bpf_timer;
struct mptcp_sock;
struct bpf_dynptr;
struct iphdr;
struct ipv6hdr;

/*
 * A helper bpfemu does not emulate: bpf_<name> points at a static inline
 * function with the kernel's prototype, which calls the library's
 * bpfemu_unemulated_<name>; that refuses the run ("helper_not_emulated").
 * Pointing bpf_<name> at the library's argument-less stub itself would
 * make every call one through an incompatible function type: undefined,
 * and an unconditional warning from GCC at -O2 (an error under -Werror).
 * The wrappers ignore their arguments.
 */
#define BPFEMU_UNEMULATED(ret, name, params)				\
	BPFEMU_API long bpfemu_unemulated_##name(void);			\
	static inline ret bpfemu_unemulated_call_##name params		\
	{								\
		return (ret)bpfemu_unemulated_##name();			\
	}								\
	static ret (* const bpf_##name) params = bpfemu_unemulated_call_##name;

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

/* Lookup and update are static inline functions with the kernel's
 * prototypes: ARRAY accesses inline, as the kernel's verifier inlines them,
 * everything else through the helper (<bpfemu/map_fast.h>). */
static inline void *bpf_map_lookup_elem(void *map, const void *key)
{
	return bpfemu_map_fast_lookup(map, key);
}
static inline long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)
{
	return bpfemu_map_fast_update(map, key, value, flags);
}
static long (* const bpf_map_delete_elem)(void *map, const void *key) = bpfemu_helper_map_delete_elem;
static long (* const bpf_probe_read)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read;
static __u64 (* const bpf_ktime_get_ns)(void) = bpfemu_helper_ktime_get_ns;
static long (* const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = bpfemu_helper_trace_printk;
static __u32 (* const bpf_get_prandom_u32)(void) = bpfemu_helper_get_prandom_u32;
static __u32 (* const bpf_get_smp_processor_id)(void) = bpfemu_helper_get_smp_processor_id;
static long (* const bpf_skb_store_bytes)(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = bpfemu_helper_skb_store_bytes;
static long (* const bpf_l3_csum_replace)(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 size) = bpfemu_helper_l3_csum_replace;
static long (* const bpf_l4_csum_replace)(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags) = bpfemu_helper_l4_csum_replace;
BPFEMU_UNEMULATED(long, tail_call, (void *ctx, void *prog_array_map, __u32 index))
BPFEMU_UNEMULATED(long, clone_redirect, (struct __sk_buff *skb, __u32 ifindex, __u64 flags))
static __u64 (* const bpf_get_current_pid_tgid)(void) = bpfemu_helper_get_current_pid_tgid;
static __u64 (* const bpf_get_current_uid_gid)(void) = bpfemu_helper_get_current_uid_gid;
static long (* const bpf_get_current_comm)(void *buf, __u32 size_of_buf) = bpfemu_helper_get_current_comm;
BPFEMU_UNEMULATED(__u32, get_cgroup_classid, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(long, skb_vlan_push, (struct __sk_buff *skb, __be16 vlan_proto, __u16 vlan_tci))
BPFEMU_UNEMULATED(long, skb_vlan_pop, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(long, skb_get_tunnel_key, (struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags))
BPFEMU_UNEMULATED(long, skb_set_tunnel_key, (struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags))
BPFEMU_UNEMULATED(__u64, perf_event_read, (void *map, __u64 flags))
static long (* const bpf_redirect)(__u32 ifindex, __u64 flags) = bpfemu_helper_redirect;
BPFEMU_UNEMULATED(__u32, get_route_realm, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(long, perf_event_output, (void *ctx, void *map, __u64 flags, void *data, __u64 size))
static long (* const bpf_skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = bpfemu_helper_skb_load_bytes;
BPFEMU_UNEMULATED(long, get_stackid, (void *ctx, void *map, __u64 flags))
static __s64 (* const bpf_csum_diff)(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed) = bpfemu_helper_csum_diff;
BPFEMU_UNEMULATED(long, skb_get_tunnel_opt, (struct __sk_buff *skb, void *opt, __u32 size))
BPFEMU_UNEMULATED(long, skb_set_tunnel_opt, (struct __sk_buff *skb, void *opt, __u32 size))
BPFEMU_UNEMULATED(long, skb_change_proto, (struct __sk_buff *skb, __be16 proto, __u64 flags))
BPFEMU_UNEMULATED(long, skb_change_type, (struct __sk_buff *skb, __u32 type))
BPFEMU_UNEMULATED(long, skb_under_cgroup, (struct __sk_buff *skb, void *map, __u32 index))
BPFEMU_UNEMULATED(__u32, get_hash_recalc, (struct __sk_buff *skb))
static __u64 (* const bpf_get_current_task)(void) = bpfemu_helper_get_current_task;
BPFEMU_UNEMULATED(long, probe_write_user, (void *dst, const void *src, __u32 len))
BPFEMU_UNEMULATED(long, current_task_under_cgroup, (void *map, __u32 index))
BPFEMU_UNEMULATED(long, skb_change_tail, (struct __sk_buff *skb, __u32 len, __u64 flags))
static long (* const bpf_skb_pull_data)(struct __sk_buff *skb, __u32 len) = bpfemu_helper_skb_pull_data;
BPFEMU_UNEMULATED(__s64, csum_update, (struct __sk_buff *skb, __wsum csum))
BPFEMU_API long bpfemu_unemulated_set_hash_invalid(void);
static inline void bpfemu_unemulated_call_set_hash_invalid(struct __sk_buff *skb)
{
	bpfemu_unemulated_set_hash_invalid();
}
static void (* const bpf_set_hash_invalid)(struct __sk_buff *skb) = bpfemu_unemulated_call_set_hash_invalid;
static long (* const bpf_get_numa_node_id)(void) = bpfemu_helper_get_numa_node_id;
BPFEMU_UNEMULATED(long, skb_change_head, (struct __sk_buff *skb, __u32 len, __u64 flags))
static long (* const bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int delta) = bpfemu_helper_xdp_adjust_head;
static long (* const bpf_probe_read_str)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read_str;
BPFEMU_UNEMULATED(__u64, get_socket_cookie, (void *ctx))
BPFEMU_UNEMULATED(__u32, get_socket_uid, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(long, set_hash, (struct __sk_buff *skb, __u32 hash))
BPFEMU_UNEMULATED(long, setsockopt, (void *bpf_socket, int level, int optname, void *optval, int optlen))
BPFEMU_UNEMULATED(long, skb_adjust_room, (struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags))
BPFEMU_UNEMULATED(long, redirect_map, (void *map, __u64 key, __u64 flags))
BPFEMU_UNEMULATED(long, sk_redirect_map, (struct __sk_buff *skb, void *map, __u32 key, __u64 flags))
BPFEMU_UNEMULATED(long, sock_map_update, (struct bpf_sock_ops *skops, void *map, void *key, __u64 flags))
static long (* const bpf_xdp_adjust_meta)(struct xdp_md *xdp_md, int delta) = bpfemu_helper_xdp_adjust_meta;
BPFEMU_UNEMULATED(long, perf_event_read_value, (void *map, __u64 flags, struct bpf_perf_event_value *buf, __u32 buf_size))
BPFEMU_UNEMULATED(long, perf_prog_read_value, (struct bpf_perf_event_data *ctx, struct bpf_perf_event_value *buf, __u32 buf_size))
BPFEMU_UNEMULATED(long, getsockopt, (void *bpf_socket, int level, int optname, void *optval, int optlen))
BPFEMU_UNEMULATED(long, override_return, (struct pt_regs *regs, __u64 rc))
BPFEMU_UNEMULATED(long, sock_ops_cb_flags_set, (struct bpf_sock_ops *bpf_sock, int argval))
BPFEMU_UNEMULATED(long, msg_redirect_map, (struct sk_msg_md *msg, void *map, __u32 key, __u64 flags))
BPFEMU_UNEMULATED(long, msg_apply_bytes, (struct sk_msg_md *msg, __u32 bytes))
BPFEMU_UNEMULATED(long, msg_cork_bytes, (struct sk_msg_md *msg, __u32 bytes))
BPFEMU_UNEMULATED(long, msg_pull_data, (struct sk_msg_md *msg, __u32 start, __u32 end, __u64 flags))
BPFEMU_UNEMULATED(long, bind, (struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len))
static long (* const bpf_xdp_adjust_tail)(struct xdp_md *xdp_md, int delta) = bpfemu_helper_xdp_adjust_tail;
BPFEMU_UNEMULATED(long, skb_get_xfrm_state, (struct __sk_buff *skb, __u32 index, struct bpf_xfrm_state *xfrm_state, __u32 size, __u64 flags))
BPFEMU_UNEMULATED(long, get_stack, (void *ctx, void *buf, __u32 size, __u64 flags))
static long (* const bpf_skb_load_bytes_relative)(const void *skb, __u32 offset, void *to, __u32 len, __u32 start_header) = bpfemu_helper_skb_load_bytes_relative;
BPFEMU_UNEMULATED(long, fib_lookup, (void *ctx, struct bpf_fib_lookup *params, int plen, __u32 flags))
BPFEMU_UNEMULATED(long, sock_hash_update, (struct bpf_sock_ops *skops, void *map, void *key, __u64 flags))
BPFEMU_UNEMULATED(long, msg_redirect_hash, (struct sk_msg_md *msg, void *map, void *key, __u64 flags))
BPFEMU_UNEMULATED(long, sk_redirect_hash, (struct __sk_buff *skb, void *map, void *key, __u64 flags))
BPFEMU_UNEMULATED(long, lwt_push_encap, (struct __sk_buff *skb, __u32 type, void *hdr, __u32 len))
BPFEMU_UNEMULATED(long, lwt_seg6_store_bytes, (struct __sk_buff *skb, __u32 offset, const void *from, __u32 len))
BPFEMU_UNEMULATED(long, lwt_seg6_adjust_srh, (struct __sk_buff *skb, __u32 offset, __s32 delta))
BPFEMU_UNEMULATED(long, lwt_seg6_action, (struct __sk_buff *skb, __u32 action, void *param, __u32 param_len))
BPFEMU_UNEMULATED(long, rc_repeat, (void *ctx))
BPFEMU_UNEMULATED(long, rc_keydown, (void *ctx, __u32 protocol, __u64 scancode, __u32 toggle))
BPFEMU_UNEMULATED(__u64, skb_cgroup_id, (struct __sk_buff *skb))
static __u64 (* const bpf_get_current_cgroup_id)(void) = bpfemu_helper_get_current_cgroup_id;
static void *(* const bpf_get_local_storage)(void *map, __u64 flags) = bpfemu_helper_get_local_storage;
BPFEMU_UNEMULATED(long, sk_select_reuseport, (struct sk_reuseport_md *reuse, void *map, void *key, __u64 flags))
BPFEMU_UNEMULATED(__u64, skb_ancestor_cgroup_id, (struct __sk_buff *skb, int ancestor_level))
BPFEMU_UNEMULATED(struct bpf_sock *, sk_lookup_tcp, (void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags))
BPFEMU_UNEMULATED(struct bpf_sock *, sk_lookup_udp, (void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags))
BPFEMU_UNEMULATED(long, sk_release, (void *sock))
static long (* const bpf_map_push_elem)(void *map, const void *value, __u64 flags) = bpfemu_helper_map_push_elem;
static long (* const bpf_map_pop_elem)(void *map, void *value) = bpfemu_helper_map_pop_elem;
static long (* const bpf_map_peek_elem)(void *map, void *value) = bpfemu_helper_map_peek_elem;
BPFEMU_UNEMULATED(long, msg_push_data, (struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags))
BPFEMU_UNEMULATED(long, msg_pop_data, (struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags))
BPFEMU_UNEMULATED(long, rc_pointer_rel, (void *ctx, __s32 rel_x, __s32 rel_y))
static long (* const bpf_spin_lock)(struct bpf_spin_lock *lock) = bpfemu_helper_spin_lock;
static long (* const bpf_spin_unlock)(struct bpf_spin_lock *lock) = bpfemu_helper_spin_unlock;
BPFEMU_UNEMULATED(struct bpf_sock *, sk_fullsock, (struct bpf_sock *sk))
BPFEMU_UNEMULATED(struct bpf_tcp_sock *, tcp_sock, (struct bpf_sock *sk))
BPFEMU_UNEMULATED(long, skb_ecn_set_ce, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(struct bpf_sock *, get_listener_sock, (struct bpf_sock *sk))
BPFEMU_UNEMULATED(struct bpf_sock *, skc_lookup_tcp, (void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags))
BPFEMU_UNEMULATED(long, tcp_check_syncookie, (void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len))
BPFEMU_UNEMULATED(long, sysctl_get_name, (struct bpf_sysctl *ctx, char *buf, unsigned long buf_len, __u64 flags))
BPFEMU_UNEMULATED(long, sysctl_get_current_value, (struct bpf_sysctl *ctx, char *buf, unsigned long buf_len))
BPFEMU_UNEMULATED(long, sysctl_get_new_value, (struct bpf_sysctl *ctx, char *buf, unsigned long buf_len))
BPFEMU_UNEMULATED(long, sysctl_set_new_value, (struct bpf_sysctl *ctx, const char *buf, unsigned long buf_len))
BPFEMU_UNEMULATED(long, strtol, (const char *buf, unsigned long buf_len, __u64 flags, long *res))
BPFEMU_UNEMULATED(long, strtoul, (const char *buf, unsigned long buf_len, __u64 flags, unsigned long *res))
BPFEMU_UNEMULATED(void *, sk_storage_get, (void *map, void *sk, void *value, __u64 flags))
BPFEMU_UNEMULATED(long, sk_storage_delete, (void *map, void *sk))
BPFEMU_UNEMULATED(long, send_signal, (__u32 sig))
BPFEMU_UNEMULATED(__s64, tcp_gen_syncookie, (void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len))
BPFEMU_UNEMULATED(long, skb_output, (void *ctx, void *map, __u64 flags, void *data, __u64 size))
static long (* const bpf_probe_read_user)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read_user;
static long (* const bpf_probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read_kernel;
static long (* const bpf_probe_read_user_str)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read_user_str;
static long (* const bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *unsafe_ptr) = bpfemu_helper_probe_read_kernel_str;
BPFEMU_UNEMULATED(long, tcp_send_ack, (void *tp, __u32 rcv_nxt))
BPFEMU_UNEMULATED(long, send_signal_thread, (__u32 sig))
static __u64 (* const bpf_jiffies64)(void) = bpfemu_helper_jiffies64;
BPFEMU_UNEMULATED(long, read_branch_records, (struct bpf_perf_event_data *ctx, void *buf, __u32 size, __u64 flags))
static long (* const bpf_get_ns_current_pid_tgid)(__u64 dev, __u64 ino, struct bpf_pidns_info *nsdata, __u32 size) = bpfemu_helper_get_ns_current_pid_tgid;
BPFEMU_UNEMULATED(long, xdp_output, (void *ctx, void *map, __u64 flags, void *data, __u64 size))
BPFEMU_UNEMULATED(__u64, get_netns_cookie, (void *ctx))
static __u64 (* const bpf_get_current_ancestor_cgroup_id)(int ancestor_level) = bpfemu_helper_get_current_ancestor_cgroup_id;
BPFEMU_UNEMULATED(long, sk_assign, (void *ctx, void *sk, __u64 flags))
static __u64 (* const bpf_ktime_get_boot_ns)(void) = bpfemu_helper_ktime_get_boot_ns;
BPFEMU_UNEMULATED(long, seq_printf, (struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len))
BPFEMU_UNEMULATED(long, seq_write, (struct seq_file *m, const void *data, __u32 len))
BPFEMU_UNEMULATED(__u64, sk_cgroup_id, (void *sk))
BPFEMU_UNEMULATED(__u64, sk_ancestor_cgroup_id, (void *sk, int ancestor_level))
static long (* const bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = bpfemu_helper_ringbuf_output;
static void *(* const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = bpfemu_helper_ringbuf_reserve;
static void (* const bpf_ringbuf_submit)(void *data, __u64 flags) = bpfemu_helper_ringbuf_submit;
static void (* const bpf_ringbuf_discard)(void *data, __u64 flags) = bpfemu_helper_ringbuf_discard;
static __u64 (* const bpf_ringbuf_query)(void *ringbuf, __u64 flags) = bpfemu_helper_ringbuf_query;
BPFEMU_UNEMULATED(long, csum_level, (struct __sk_buff *skb, __u64 level))
BPFEMU_UNEMULATED(struct tcp6_sock *, skc_to_tcp6_sock, (void *sk))
BPFEMU_UNEMULATED(struct tcp_sock *, skc_to_tcp_sock, (void *sk))
BPFEMU_UNEMULATED(struct tcp_timewait_sock *, skc_to_tcp_timewait_sock, (void *sk))
BPFEMU_UNEMULATED(struct tcp_request_sock *, skc_to_tcp_request_sock, (void *sk))
BPFEMU_UNEMULATED(struct udp6_sock *, skc_to_udp6_sock, (void *sk))
BPFEMU_UNEMULATED(long, get_task_stack, (struct task_struct *task, void *buf, __u32 size, __u64 flags))
BPFEMU_UNEMULATED(long, load_hdr_opt, (struct bpf_sock_ops *skops, void *searchby_res, __u32 len, __u64 flags))
BPFEMU_UNEMULATED(long, store_hdr_opt, (struct bpf_sock_ops *skops, const void *from, __u32 len, __u64 flags))
BPFEMU_UNEMULATED(long, reserve_hdr_opt, (struct bpf_sock_ops *skops, __u32 len, __u64 flags))
BPFEMU_UNEMULATED(void *, inode_storage_get, (void *map, void *inode, void *value, __u64 flags))
BPFEMU_UNEMULATED(int, inode_storage_delete, (void *map, void *inode))
BPFEMU_UNEMULATED(long, d_path, (struct path *path, char *buf, __u32 sz))
BPFEMU_UNEMULATED(long, copy_from_user, (void *dst, __u32 size, const void *user_ptr))
BPFEMU_UNEMULATED(long, snprintf_btf, (char *str, __u32 str_size, struct btf_ptr *ptr, __u32 btf_ptr_size, __u64 flags))
BPFEMU_UNEMULATED(long, seq_printf_btf, (struct seq_file *m, struct btf_ptr *ptr, __u32 ptr_size, __u64 flags))
BPFEMU_UNEMULATED(__u64, skb_cgroup_classid, (struct __sk_buff *skb))
BPFEMU_UNEMULATED(long, redirect_neigh, (__u32 ifindex, struct bpf_redir_neigh *params, int plen, __u64 flags))
BPFEMU_UNEMULATED(void *, per_cpu_ptr, (const void *percpu_ptr, __u32 cpu))
BPFEMU_UNEMULATED(void *, this_cpu_ptr, (const void *percpu_ptr))
BPFEMU_UNEMULATED(long, redirect_peer, (__u32 ifindex, __u64 flags))
BPFEMU_UNEMULATED(void *, task_storage_get, (void *map, struct task_struct *task, void *value, __u64 flags))
BPFEMU_UNEMULATED(long, task_storage_delete, (void *map, struct task_struct *task))
static struct task_struct *(* const bpf_get_current_task_btf)(void) = bpfemu_helper_get_current_task_btf;
BPFEMU_UNEMULATED(long, bprm_opts_set, (struct linux_binprm *bprm, __u64 flags))
static __u64 (* const bpf_ktime_get_coarse_ns)(void) = bpfemu_helper_ktime_get_coarse_ns;
BPFEMU_UNEMULATED(long, ima_inode_hash, (struct inode *inode, void *dst, __u32 size))
BPFEMU_UNEMULATED(struct socket *, sock_from_file, (struct file *file))
BPFEMU_UNEMULATED(long, check_mtu, (void *ctx, __u32 ifindex, __u32 *mtu_len, __s32 len_diff, __u64 flags))
static long (* const bpf_for_each_map_elem)(void *map, void *callback_fn, void *callback_ctx, __u64 flags) = bpfemu_helper_for_each_map_elem;
BPFEMU_UNEMULATED(long, snprintf, (char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len))
BPFEMU_UNEMULATED(long, sys_bpf, (__u32 cmd, void *attr, __u32 attr_size))
BPFEMU_UNEMULATED(long, btf_find_by_name_kind, (char *name, int name_sz, __u32 kind, int flags))
BPFEMU_UNEMULATED(long, sys_close, (__u32 fd))
static long (* const bpf_timer_init)(struct bpf_timer *timer, void *map, __u64 flags) = bpfemu_helper_timer_init;
static long (* const bpf_timer_set_callback)(struct bpf_timer *timer, void *callback_fn) = bpfemu_helper_timer_set_callback;
static long (* const bpf_timer_start)(struct bpf_timer *timer, __u64 nsecs, __u64 flags) = bpfemu_helper_timer_start;
static long (* const bpf_timer_cancel)(struct bpf_timer *timer) = bpfemu_helper_timer_cancel;
BPFEMU_UNEMULATED(__u64, get_func_ip, (void *ctx))
BPFEMU_UNEMULATED(__u64, get_attach_cookie, (void *ctx))
BPFEMU_UNEMULATED(long, task_pt_regs, (struct task_struct *task))
BPFEMU_UNEMULATED(long, get_branch_snapshot, (void *entries, __u32 size, __u64 flags))
static long (* const bpf_trace_vprintk)(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len) = bpfemu_helper_trace_vprintk;
BPFEMU_UNEMULATED(struct unix_sock *, skc_to_unix_sock, (void *sk))
BPFEMU_UNEMULATED(long, kallsyms_lookup_name, (const char *name, int name_sz, int flags, __u64 *res))
BPFEMU_UNEMULATED(long, find_vma, (struct task_struct *task, __u64 addr, void *callback_fn, void *callback_ctx, __u64 flags))
static long (* const bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags) = bpfemu_helper_loop;
BPFEMU_UNEMULATED(long, strncmp, (const char *s1, __u32 s1_sz, const char *s2))
BPFEMU_UNEMULATED(long, get_func_arg, (void *ctx, __u32 n, __u64 *value))
BPFEMU_UNEMULATED(long, get_func_ret, (void *ctx, __u64 *value))
BPFEMU_UNEMULATED(long, get_func_arg_cnt, (void *ctx))
BPFEMU_UNEMULATED(int, get_retval, (void))
BPFEMU_UNEMULATED(int, set_retval, (int retval))
static __u64 (* const bpf_xdp_get_buff_len)(struct xdp_md *xdp_md) = bpfemu_helper_xdp_get_buff_len;
static long (* const bpf_xdp_load_bytes)(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len) = bpfemu_helper_xdp_load_bytes;
static long (* const bpf_xdp_store_bytes)(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len) = bpfemu_helper_xdp_store_bytes;
BPFEMU_UNEMULATED(long, copy_from_user_task, (void *dst, __u32 size, const void *user_ptr, struct task_struct *tsk, __u64 flags))
BPFEMU_UNEMULATED(long, skb_set_tstamp, (struct __sk_buff *skb, __u64 tstamp, __u32 tstamp_type))
BPFEMU_UNEMULATED(long, ima_file_hash, (struct file *file, void *dst, __u32 size))
static void *(* const bpf_kptr_xchg)(void *dst, void *ptr) = bpfemu_helper_kptr_xchg;
static void *(* const bpf_map_lookup_percpu_elem)(void *map, const void *key, __u32 cpu) = bpfemu_helper_map_lookup_percpu_elem;
BPFEMU_UNEMULATED(struct mptcp_sock *, skc_to_mptcp_sock, (void *sk))
static long (* const bpf_dynptr_from_mem)(void *data, __u64 size, __u64 flags, struct bpf_dynptr *ptr) = bpfemu_helper_dynptr_from_mem;
static long (* const bpf_ringbuf_reserve_dynptr)(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = bpfemu_helper_ringbuf_reserve_dynptr;
static void (* const bpf_ringbuf_submit_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = bpfemu_helper_ringbuf_submit_dynptr;
static void (* const bpf_ringbuf_discard_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = bpfemu_helper_ringbuf_discard_dynptr;
static long (* const bpf_dynptr_read)(void *dst, __u64 len, const struct bpf_dynptr *src, __u64 offset, __u64 flags) = bpfemu_helper_dynptr_read;
static long (* const bpf_dynptr_write)(const struct bpf_dynptr *dst, __u64 offset, void *src, __u64 len, __u64 flags) = bpfemu_helper_dynptr_write;
static void *(* const bpf_dynptr_data)(const struct bpf_dynptr *ptr, __u64 offset, __u64 len) = bpfemu_helper_dynptr_data;
BPFEMU_UNEMULATED(__s64, tcp_raw_gen_syncookie_ipv4, (struct iphdr *iph, struct tcphdr *th, __u32 th_len))
BPFEMU_UNEMULATED(__s64, tcp_raw_gen_syncookie_ipv6, (struct ipv6hdr *iph, struct tcphdr *th, __u32 th_len))
BPFEMU_UNEMULATED(long, tcp_raw_check_syncookie_ipv4, (struct iphdr *iph, struct tcphdr *th))
BPFEMU_UNEMULATED(long, tcp_raw_check_syncookie_ipv6, (struct ipv6hdr *iph, struct tcphdr *th))
static __u64 (* const bpf_ktime_get_tai_ns)(void) = bpfemu_helper_ktime_get_tai_ns;
static long (* const bpf_user_ringbuf_drain)(void *map, void *callback_fn, void *ctx, __u64 flags) = bpfemu_helper_user_ringbuf_drain;
static void *(* const bpf_cgrp_storage_get)(void *map, struct cgroup *cgroup, void *value, __u64 flags) = bpfemu_helper_cgrp_storage_get;
static long (* const bpf_cgrp_storage_delete)(void *map, struct cgroup *cgroup) = bpfemu_helper_cgrp_storage_delete;

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* __BPF_HELPER_DEFS__ */
