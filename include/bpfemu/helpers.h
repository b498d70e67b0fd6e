/* SPDX-License-Identifier: MIT */
/*
 * The BPF helpers bpfemu emulates, as exported C functions.
 *
 * Helper bpf_<name> is bpfemu_helper_<name>, with the kernel's prototype
 * exactly as libbpf's bpf_helper_defs.h declares it (shared/spec/constants.md
 * §1.1).  BPF C never calls these names: <bpf/bpf_helper_defs.h> gives each
 * translation unit a static const pointer `bpf_<name>` set to the function
 * here, so a BPF program's bpf_map_lookup_elem(map, key) and user space's
 * libbpf bpf_map_lookup_elem(fd, key, value) coexist in one test binary.
 *
 * Keep one declaration per line: the build reads this list (the helper stub
 * generator in cmake/bpfemu_add_object.cmake) and gives every helper that no
 * family defines yet a stub that rejects the run ("helper_not_emulated"),
 * so a binary links whichever families have landed.
 *
 * Helpers not in this list are declared by <bpf/bpf_helper_defs.h> too, and
 * point at bpfemu_unemulated_<name> (emu/helper_table.c): calling one
 * rejects the run with a diagnostic naming the helper.
 */
#ifndef BPFEMU_HELPERS_H
#define BPFEMU_HELPERS_H

#include <linux/bpf.h>
#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cgroup;
struct task_struct;
struct bpf_dynptr;
struct bpf_timer;
struct bpf_spin_lock;

/* clang-format off */
BPFEMU_API void *bpfemu_helper_map_lookup_elem(void *map, const void *key);
BPFEMU_API long bpfemu_helper_map_update_elem(void *map, const void *key, const void *value, __u64 flags);
BPFEMU_API long bpfemu_helper_map_delete_elem(void *map, const void *key);
BPFEMU_API long bpfemu_helper_probe_read(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API void *bpfemu_helper_map_lookup_percpu_elem(void *map, const void *key, __u32 cpu);
BPFEMU_API __u64 bpfemu_helper_ktime_get_ns(void);
BPFEMU_API long bpfemu_helper_trace_printk(const char *fmt, __u32 fmt_size, ...);
BPFEMU_API __u32 bpfemu_helper_get_prandom_u32(void);
BPFEMU_API __u32 bpfemu_helper_get_smp_processor_id(void);
BPFEMU_API __u64 bpfemu_helper_get_current_pid_tgid(void);
BPFEMU_API __u64 bpfemu_helper_get_current_uid_gid(void);
BPFEMU_API long bpfemu_helper_get_current_comm(void *buf, __u32 size_of_buf);
struct bpf_pidns_info;
BPFEMU_API long bpfemu_helper_get_ns_current_pid_tgid(__u64 dev, __u64 ino, struct bpf_pidns_info *nsdata, __u32 size);
BPFEMU_API long bpfemu_helper_map_push_elem(void *map, const void *value, __u64 flags);
BPFEMU_API long bpfemu_helper_map_pop_elem(void *map, void *value);
BPFEMU_API long bpfemu_helper_map_peek_elem(void *map, void *value);
BPFEMU_API long bpfemu_helper_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len);
struct __sk_buff;
BPFEMU_API long bpfemu_helper_skb_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len, __u64 flags);
BPFEMU_API long bpfemu_helper_l3_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 size);
BPFEMU_API long bpfemu_helper_l4_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags);
BPFEMU_API __s64 bpfemu_helper_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed);
BPFEMU_API long bpfemu_helper_redirect(__u32 ifindex, __u64 flags);
BPFEMU_API long bpfemu_helper_skb_pull_data(struct __sk_buff *skb, __u32 len);
struct xdp_md;
BPFEMU_API long bpfemu_helper_xdp_adjust_head(struct xdp_md *xdp_md, int delta);
BPFEMU_API long bpfemu_helper_xdp_adjust_meta(struct xdp_md *xdp_md, int delta);
BPFEMU_API long bpfemu_helper_xdp_adjust_tail(struct xdp_md *xdp_md, int delta);
BPFEMU_API __u64 bpfemu_helper_xdp_get_buff_len(struct xdp_md *xdp_md);
BPFEMU_API long bpfemu_helper_xdp_load_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len);
BPFEMU_API long bpfemu_helper_xdp_store_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len);
BPFEMU_API long bpfemu_helper_skb_load_bytes_relative(const void *skb, __u32 offset, void *to, __u32 len, __u32 start_header);
BPFEMU_API __u64 bpfemu_helper_get_current_task(void);
BPFEMU_API __u64 bpfemu_helper_get_current_cgroup_id(void);
BPFEMU_API long bpfemu_helper_get_numa_node_id(void);
BPFEMU_API long bpfemu_helper_probe_read_str(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API void *bpfemu_helper_get_local_storage(void *map, __u64 flags);
BPFEMU_API long bpfemu_helper_spin_lock(struct bpf_spin_lock *lock);
BPFEMU_API long bpfemu_helper_spin_unlock(struct bpf_spin_lock *lock);
BPFEMU_API long bpfemu_helper_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API long bpfemu_helper_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API long bpfemu_helper_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API long bpfemu_helper_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr);
BPFEMU_API __u64 bpfemu_helper_jiffies64(void);
BPFEMU_API __u64 bpfemu_helper_get_current_ancestor_cgroup_id(int ancestor_level);
BPFEMU_API __u64 bpfemu_helper_ktime_get_boot_ns(void);
BPFEMU_API long bpfemu_helper_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags);
BPFEMU_API void *bpfemu_helper_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags);
BPFEMU_API void bpfemu_helper_ringbuf_submit(void *data, __u64 flags);
BPFEMU_API void bpfemu_helper_ringbuf_discard(void *data, __u64 flags);
BPFEMU_API __u64 bpfemu_helper_ringbuf_query(void *ringbuf, __u64 flags);
BPFEMU_API struct task_struct *bpfemu_helper_get_current_task_btf(void);
BPFEMU_API __u64 bpfemu_helper_ktime_get_coarse_ns(void);
BPFEMU_API long bpfemu_helper_for_each_map_elem(void *map, void *callback_fn, void *callback_ctx, __u64 flags);
BPFEMU_API long bpfemu_helper_timer_init(struct bpf_timer *timer, void *map, __u64 flags);
BPFEMU_API long bpfemu_helper_timer_set_callback(struct bpf_timer *timer, void *callback_fn);
BPFEMU_API long bpfemu_helper_timer_start(struct bpf_timer *timer, __u64 nsecs, __u64 flags);
BPFEMU_API long bpfemu_helper_timer_cancel(struct bpf_timer *timer);
BPFEMU_API long bpfemu_helper_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len);
BPFEMU_API long bpfemu_helper_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags);
BPFEMU_API void *bpfemu_helper_kptr_xchg(void *dst, void *ptr);
BPFEMU_API long bpfemu_helper_dynptr_from_mem(void *data, __u64 size, __u64 flags, struct bpf_dynptr *ptr);
BPFEMU_API long bpfemu_helper_ringbuf_reserve_dynptr(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr);
BPFEMU_API void bpfemu_helper_ringbuf_submit_dynptr(struct bpf_dynptr *ptr, __u64 flags);
BPFEMU_API void bpfemu_helper_ringbuf_discard_dynptr(struct bpf_dynptr *ptr, __u64 flags);
BPFEMU_API long bpfemu_helper_dynptr_read(void *dst, __u64 len, const struct bpf_dynptr *src, __u64 offset, __u64 flags);
BPFEMU_API long bpfemu_helper_dynptr_write(const struct bpf_dynptr *dst, __u64 offset, void *src, __u64 len, __u64 flags);
BPFEMU_API void *bpfemu_helper_dynptr_data(const struct bpf_dynptr *ptr, __u64 offset, __u64 len);
BPFEMU_API __u64 bpfemu_helper_ktime_get_tai_ns(void);
BPFEMU_API long bpfemu_helper_user_ringbuf_drain(void *map, void *callback_fn, void *ctx, __u64 flags);
BPFEMU_API void *bpfemu_helper_cgrp_storage_get(void *map, struct cgroup *cgroup, void *value, __u64 flags);
BPFEMU_API long bpfemu_helper_cgrp_storage_delete(void *map, struct cgroup *cgroup);
/* clang-format on */

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_HELPERS_H */
