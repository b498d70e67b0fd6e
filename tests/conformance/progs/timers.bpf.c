// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: bpf_timer_* (shared/spec/timers.md).  One SEC("tc") program
 * performs one helper call per test run on one element of one map, chosen
 * by the req_* globals; the driver composes the sequences.  Callbacks record
 * what happened into .bss (counts, firing order, key, helper results).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "timers.h"

char LICENSE[] SEC("license") = "GPL";

#define NOELEM 1000	/* element missing: not a helper return value */
#define BADOP  1001

struct elem {
	struct bpf_timer t;
	__u64 slot;
	__u64 action;
	__u64 arg;
};

struct lelem {
	struct bpf_spin_lock lock;
	__u32 pad;
	struct bpf_timer t;
	__u64 slot;
	__u64 action;
	__u64 arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct elem);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct elem);
} hsh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct elem);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct lelem);
} lck SEC(".maps");

/* usercnt cases: a separate map, driven by dedicated programs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct elem);
} ucarr SEC(".maps");

/* pin cases: a separate map, driven by dedicated programs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct elem);
} pnarr SEC(".maps");

/* request */
__u32 req_op;
__u32 req_map;
__u32 req_key;
__u64 req_arg0;
__u64 req_arg1;
/* result of the request */
long long res;

/* callback observations, indexed by value->slot */
__u32 fired[TM_SLOTS];
__u32 cbkey[TM_SLOTS];
long long cb_ret[TM_SLOTS];
long long cb_ret2[TM_SLOTS];
__u32 order[TM_SLOTS];
__u32 norder;

#define CB_BODY(v, map, key)						\
	__u64 s = (v)->slot & (TM_SLOTS - 1);				\
	__u32 n = __sync_fetch_and_add(&norder, 1);			\
									\
	__sync_fetch_and_add(&fired[s], 1);				\
	cbkey[s] = *(key);						\
	if (n < TM_SLOTS)						\
		order[n & (TM_SLOTS - 1)] = s;				\
	switch ((v)->action) {						\
	case TA_SELF_CANCEL:						\
		cb_ret[s] = bpf_timer_cancel(&(v)->t);			\
		break;							\
	case TA_REARM:							\
		if ((v)->arg) {						\
			(v)->arg--;					\
			cb_ret[s] = bpf_timer_start(&(v)->t, 1000, 0);	\
		}							\
		break;							\
	case TA_REARM_ABS0:						\
		if ((v)->arg) {						\
			(v)->arg--;					\
			cb_ret[s] = bpf_timer_start(&(v)->t, 0,		\
						    BPF_F_TIMER_ABS);	\
		}							\
		break;							\
	case TA_DELETE_SELF:						\
		cb_ret[s] = bpf_map_delete_elem(map, key);		\
		cb_ret2[s] = bpf_timer_start(&(v)->t, 1000, 0);		\
		break;							\
	case TA_INIT_SELF:						\
		cb_ret[s] = bpf_timer_init(&(v)->t, map, 1);		\
		break;							\
	case TA_CANCEL_THEN_START:					\
		cb_ret[s] = bpf_timer_cancel(&(v)->t);			\
		if ((v)->arg) {						\
			(v)->arg--;					\
			cb_ret2[s] = bpf_timer_start(&(v)->t, 1000, 0);	\
		}							\
		break;							\
	}								\
	return 0

static int cb_arr(void *map, __u32 *key, struct elem *v)
{
	if (v->action == TA_SETCB_SELF)
		cb_ret[v->slot & (TM_SLOTS - 1)] =
			bpf_timer_set_callback(&v->t, cb_arr);
	CB_BODY(v, map, key);
}

static int cb_hsh(void *map, __u32 *key, struct elem *v)
{
	if (v->action == TA_SETCB_SELF)
		cb_ret[v->slot & (TM_SLOTS - 1)] =
			bpf_timer_set_callback(&v->t, cb_hsh);
	CB_BODY(v, map, key);
}

static int cb_lru(void *map, __u32 *key, struct elem *v)
{
	CB_BODY(v, map, key);
}

static int cb_lck(void *map, __u32 *key, struct lelem *v)
{
	CB_BODY(v, map, key);
}

#define DEFINE_OPS(NAME, MAP, VT, CB)					\
static __always_inline long ops_##NAME(void)				\
{									\
	__u32 key = req_key;						\
	VT nv = {};							\
	VT *v;								\
	long r;								\
	__u64 t;							\
	__u32 i;							\
									\
	switch (req_op) {						\
	case TO_UPDATE:							\
		nv.slot = req_arg0;					\
		return bpf_map_update_elem(&MAP, &key, &nv, req_arg1);	\
	case TO_DELETE:							\
		return bpf_map_delete_elem(&MAP, &key);			\
	case TO_ABS_MANY:						\
		t = bpf_ktime_get_ns() + req_arg0;			\
		for (i = 0; i < 8; i++) {				\
			if (i >= req_arg1)				\
				break;					\
			key = req_key + i;				\
			v = bpf_map_lookup_elem(&MAP, &key);		\
			if (!v)						\
				return NOELEM;				\
			r = bpf_timer_start(&v->t, t, BPF_F_TIMER_ABS);	\
			if (r)						\
				return r;				\
		}							\
		return 0;						\
	}								\
	v = bpf_map_lookup_elem(&MAP, &key);				\
	if (!v)								\
		return NOELEM;						\
	switch (req_op) {						\
	case TO_INIT:							\
		return bpf_timer_init(&v->t, &MAP, req_arg0);		\
	case TO_SETCB:							\
		return bpf_timer_set_callback(&v->t, CB);		\
	case TO_START:							\
		return bpf_timer_start(&v->t, req_arg0, req_arg1);	\
	case TO_CANCEL:							\
		return bpf_timer_cancel(&v->t);				\
	case TO_START_ABS:						\
		return bpf_timer_start(&v->t,				\
				       bpf_ktime_get_ns() + req_arg0,	\
				       BPF_F_TIMER_ABS);		\
	case TO_SETUP:							\
		r = bpf_timer_init(&v->t, &MAP, req_arg0);		\
		if (r)							\
			return r;					\
		return bpf_timer_set_callback(&v->t, CB);		\
	}								\
	return BADOP;							\
}

DEFINE_OPS(arr, arr, struct elem, cb_arr)
DEFINE_OPS(hsh, hsh, struct elem, cb_hsh)
DEFINE_OPS(lru, lru, struct elem, cb_lru)
DEFINE_OPS(lck, lck, struct lelem, cb_lck)

SEC("tc")
int run(struct __sk_buff *skb)
{
	switch (req_map) {
	case TM_ARR: res = ops_arr(); break;
	case TM_HSH: res = ops_hsh(); break;
	case TM_LRU: res = ops_lru(); break;
	case TM_LCK: res = ops_lck(); break;
	default: res = BADOP; break;
	}
	return 0;
}

/*
 * usercnt: the driver keeps these programs (and so ucarr) alive with
 * duplicated program fds, destroys the skeleton (last user fd of ucarr
 * closed), then runs them.  Each returns its helper's result.
 * Key 0: initialised, callback set, armed for 100 ms before the close.
 * Key 1: never initialised.  Key 2: initialised with a callback, idle.
 */
#define UC_SLOT 63

static __always_inline struct elem *uc_elem(__u32 key)
{
	return bpf_map_lookup_elem(&ucarr, &key);
}

SEC("tc")
int uc_prep(struct __sk_buff *skb)
{
	struct elem *v0 = uc_elem(0), *v2 = uc_elem(2);
	long r;

	if (!v0 || !v2)
		return NOELEM;
	v0->slot = UC_SLOT;
	v2->slot = UC_SLOT;
	r = bpf_timer_init(&v0->t, &ucarr, 1);
	if (!r)
		r = bpf_timer_set_callback(&v0->t, cb_arr);
	if (!r)
		r = bpf_timer_start(&v0->t, 100000000, 0);
	if (!r)
		r = bpf_timer_init(&v2->t, &ucarr, 1);
	if (!r)
		r = bpf_timer_set_callback(&v2->t, cb_arr);
	return r;
}

#define UC_PROG(name, key, call)					\
SEC("tc")								\
int name(struct __sk_buff *skb)						\
{									\
	struct elem *v = uc_elem(key);					\
									\
	if (!v)								\
		return NOELEM;						\
	return call;							\
}

UC_PROG(uc_init_fresh, 1, bpf_timer_init(&v->t, &ucarr, 1))
UC_PROG(uc_init_armed, 0, bpf_timer_init(&v->t, &ucarr, 1))
UC_PROG(uc_setcb_fresh, 1, bpf_timer_set_callback(&v->t, cb_arr))
UC_PROG(uc_setcb_idle, 2, bpf_timer_set_callback(&v->t, cb_arr))
UC_PROG(uc_start_armed, 0, bpf_timer_start(&v->t, 1000, 0))
UC_PROG(uc_cancel_armed, 0, bpf_timer_cancel(&v->t))
UC_PROG(uc_cancel_idle, 2, bpf_timer_cancel(&v->t))

SEC("tc")
int uc_fired(struct __sk_buff *skb)
{
	return fired[UC_SLOT];
}

/*
 * Pins (timers.md §8, maps.md §6): pnarr is pinned and every fd of it is
 * closed.  The callback counts its firings in the element itself (arg), so
 * the count can be read back through bpf_obj_get or by a program kept by a
 * duplicated fd, without the .bss the skeleton unmapped.
 * Key 0: armed for 20 ms.  Key 1: 150 ms.  Key 3: 400 ms.  Key 2: never
 * initialised.  Keys 4-7: plain values.
 */
static int cb_pin(void *map, __u32 *key, struct elem *v)
{
	__sync_fetch_and_add(&v->arg, 1);
	return 0;
}

static __always_inline struct elem *pn_elem(__u32 key)
{
	return bpf_map_lookup_elem(&pnarr, &key);
}

static __always_inline long pn_arm(struct elem *v, __u64 ns)
{
	long r = bpf_timer_init(&v->t, &pnarr, 1);

	if (!r)
		r = bpf_timer_set_callback(&v->t, cb_pin);
	if (!r)
		r = bpf_timer_start(&v->t, ns, 0);
	return r;
}

SEC("tc")
int pn_prep(struct __sk_buff *skb)
{
	struct elem *v0 = pn_elem(0), *v1 = pn_elem(1), *v3 = pn_elem(3);
	long r;

	if (!v0 || !v1 || !v3)
		return NOELEM;
	r = pn_arm(v0, 20000000);
	if (!r)
		r = pn_arm(v1, 150000000);
	if (!r)
		r = pn_arm(v3, 400000000);
	return r;
}

#define PN_PROG(name, key, call)					\
SEC("tc")								\
int name(struct __sk_buff *skb)						\
{									\
	struct elem *v = pn_elem(key);					\
									\
	if (!v)								\
		return NOELEM;						\
	return call;							\
}

PN_PROG(pn_count0, 0, v->arg)
PN_PROG(pn_count1, 1, v->arg)
PN_PROG(pn_count3, 3, v->arg)
PN_PROG(pn_init2, 2, bpf_timer_init(&v->t, &pnarr, 1))
PN_PROG(pn_cancel3, 3, bpf_timer_cancel(&v->t))
