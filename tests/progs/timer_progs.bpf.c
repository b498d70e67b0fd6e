// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_timer from BPF C, the way kernel selftests write it: an ARRAY and a
 * HASH of elements holding a timer, programs that arm and cancel them, and
 * callbacks that re-arm themselves, cancel themselves and delete their own
 * element.  Driven by tests/test_timer_progs.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define EDEADLK 35

struct elem {
	__u64 runs;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} hmap SEC(".maps");

/* inputs */
__u64 delay_ns = 1000000;
int rearm = 0;			/* times the array callback re-arms itself */
int key_in = 0;

/* outputs */
long init_ret = -1;
long cb_ret = -1;
long start_ret = -1;
long cancel_ret = -1;
long self_cancel_ret = -1;
long delete_ret = -1;
long restart_after_delete = -1;
__u64 cb_runs;
__u64 last_key;
__u64 last_fire_ns;
__u64 hash_runs;

static int arr_cb(void *map, int *key, struct elem *val)
{
	cb_runs++;
	val->runs++;
	last_key = *key;
	last_fire_ns = bpf_ktime_get_ns();
	self_cancel_ret = bpf_timer_cancel(&val->t);
	if (rearm > 0) {
		rearm--;
		bpf_timer_start(&val->t, delay_ns, 0);
	}
	return 0;
}

static int hash_cb(void *map, int *key, struct elem *val)
{
	hash_runs++;
	/* re-arm, then delete the element: the pending re-arm dies with it */
	bpf_timer_start(&val->t, delay_ns, 0);
	delete_ret = bpf_map_delete_elem(map, key);
	restart_after_delete = bpf_timer_start(&val->t, delay_ns, 0);
	return 0;
}

SEC("tc")
int arm_array(struct __sk_buff *skb)
{
	int key = key_in;
	struct elem *e = bpf_map_lookup_elem(&arr, &key);

	if (!e)
		return 1;
	init_ret = bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
	cb_ret = bpf_timer_set_callback(&e->t, arr_cb);
	start_ret = bpf_timer_start(&e->t, delay_ns, 0);
	return 0;
}

SEC("tc")
int cancel_array(struct __sk_buff *skb)
{
	int key = key_in;
	struct elem *e = bpf_map_lookup_elem(&arr, &key);

	if (!e)
		return 1;
	cancel_ret = bpf_timer_cancel(&e->t);
	return 0;
}

SEC("tc")
int arm_hash(struct __sk_buff *skb)
{
	struct elem zero = {};
	int key = key_in;
	struct elem *e;

	bpf_map_update_elem(&hmap, &key, &zero, BPF_ANY);
	e = bpf_map_lookup_elem(&hmap, &key);
	if (!e)
		return 1;
	init_ret = bpf_timer_init(&e->t, &hmap, CLOCK_MONOTONIC);
	cb_ret = bpf_timer_set_callback(&e->t, hash_cb);
	start_ret = bpf_timer_start(&e->t, delay_ns, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
