// SPDX-License-Identifier: GPL-2.0
/*
 * Helper arguments of a type the verifier checks, given something else.
 * Linux 6.18 refuses each program at load; natively the helper would have
 * read, and followed, whatever the pointer pointed at.  bpfemu refuses
 * them when they run (docs/verifier-rules.md); tests/test_verifier_args.c.
 *
 * A lookup's result used before its NULL check (6.18, -EACCES):
 *   &v->t:  "R1 pointer arithmetic on map_value_or_null prohibited,
 *            null-check it first"
 *   v:      "R1 type=map_value_or_null expected=map_value"
 * The programs form &v->t with integer arithmetic: natively, member access
 * through a NULL pointer is undefined behaviour the sanitizers would flag
 * in the program itself, before the helper is reached.
 */
#include <linux/bpf.h>
#include <stddef.h>
#include <time.h>
#include <bpf/bpf_helpers.h>

struct elem {
	long pad;
	struct bpf_timer t;
};

/* Empty: every lookup returns NULL. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

struct locked {
	long pad;
	struct bpf_spin_lock lock;
	long count;
};

/* Element 0 is used; the HASH one stays empty. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct locked);
} locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct locked);
} no_locks SEC(".maps");

enum timer_op { OP_INIT, OP_SET_CALLBACK, OP_START, OP_CANCEL };

int op;

static int timer_cb(void *map, int *key, struct elem *v)
{
	return 0;
}

/* @v's bpf_timer, taken before @v is known not to be NULL. */
static struct bpf_timer *timer_of(struct elem *v)
{
	return (struct bpf_timer *)((unsigned long)v + offsetof(struct elem, t));
}

SEC("syscall")
int timer_before_null_check(void *ctx)
{
	int key = 0;
	struct elem *v = bpf_map_lookup_elem(&timers, &key);
	struct bpf_timer *t = timer_of(v);

	switch (op) {
	case OP_INIT:
		return bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	case OP_SET_CALLBACK:
		return bpf_timer_set_callback(t, timer_cb);
	case OP_START:
		return bpf_timer_start(t, 0, 0);
	default:
		return bpf_timer_cancel(t);
	}
}

/*
 * bpf_spin_lock (6.18, all -EINVAL but the first):
 *   NULL-ish:     "R6 pointer arithmetic on map_value_or_null prohibited,
 *                  null-check it first" (-EACCES)
 *   lock twice:   "function calls are not allowed while holding a lock"
 *   exit held:    "BPF_EXIT instruction in main prog cannot be used inside
 *                  bpf_spin_lock-ed region"
 *   unlock only:  "bpf_spin_unlock without taking a lock"
 *   another lock: "bpf_spin_unlock of different lock"
 */
static struct locked *locked_elem(int key)
{
	return bpf_map_lookup_elem(&locks, &key);
}

SEC("syscall")
int spin_lock_before_null_check(void *ctx)
{
	int key = 0;
	struct locked *v = bpf_map_lookup_elem(&no_locks, &key);
	struct bpf_spin_lock *l =
		(struct bpf_spin_lock *)((unsigned long)v + offsetof(struct locked, lock));

	bpf_spin_lock(l);
	bpf_spin_unlock(l);
	return 0;
}

SEC("syscall")
int spin_lock_twice(void *ctx)
{
	struct locked *v = locked_elem(0);

	if (!v)
		return 1;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int spin_lock_exit_held(void *ctx)
{
	struct locked *v = locked_elem(0);

	if (!v)
		return 1;
	bpf_spin_lock(&v->lock);
	v->count++;
	return 0;
}

SEC("syscall")
int spin_unlock_unheld(void *ctx)
{
	struct locked *v = locked_elem(0);

	if (!v)
		return 1;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int spin_unlock_other_lock(void *ctx)
{
	struct locked *v = locked_elem(0), *w = locked_elem(1);

	if (!v || !w)
		return 1;
	bpf_spin_lock(&v->lock);
	bpf_spin_unlock(&w->lock);
	return 0;
}

/* The well-behaved program: counts under the lock. */
SEC("syscall")
int spin_lock_count(void *ctx)
{
	struct locked *v = locked_elem(0);

	if (!v)
		return 1;
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/*
 * A struct bpf_timer or struct bpf_spin_lock declared as a local: 6.18
 * refuses every helper given one, "R1 type=fp expected=map_value" (", ptr_"
 * for the lock), -EACCES.  Natively the timer would live in a dead frame
 * and the lock would be taken on it.  op: the timer ops, then OP_LOCK.
 */
#define OP_LOCK 4

SEC("syscall")
int locals(void *ctx)
{
	struct bpf_timer t = {};
	struct bpf_spin_lock l = {};

	switch (op) {
	case OP_INIT:
		return bpf_timer_init(&t, &timers, CLOCK_MONOTONIC);
	case OP_SET_CALLBACK:
		return bpf_timer_set_callback(&t, timer_cb);
	case OP_START:
		return bpf_timer_start(&t, 1, 0);
	case OP_CANCEL:
		return bpf_timer_cancel(&t);
	default:
		bpf_spin_lock(&l);
		bpf_spin_unlock(&l);
		return 0;
	}
}

char _license[] SEC("license") = "GPL";
