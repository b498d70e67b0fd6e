// SPDX-License-Identifier: GPL-2.0
/*
 * Map helpers given a NULL-ish key or value: a lookup's result used before
 * its NULL check, or that plus an offset.  Natively the helper (or the
 * inline ARRAY path of <bpf/bpf_helper_defs.h>) would read it at once.
 * Linux 6.18 refuses every such call at load with -EACCES, after the map
 * (R1) and before anything about the map's type or flags, whatever the map
 * type -- one whose key has no bytes (RINGBUF, and QUEUE, STACK,
 * BLOOM_FILTER, which bpfemu does not emulate) too:
 *   a lookup's result:    "R2 type=map_value_or_null expected=fp, pkt,
 *                          pkt_meta, map_key, map_value, mem, ringbuf_mem,
 *                          buf, trusted_ptr_" (R3 for an update's value)
 *   a NULL constant:      "R2 type=scalar expected=fp, pkt, ..."
 *   NULL plus an offset:  "R0 pointer arithmetic on map_value_or_null
 *                          prohibited, null-check it first"
 * bpfemu refuses them when they run, as mem_arg_null
 * (docs/verifier-rules.md); tests/test_verifier_args.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Empty: every lookup returns NULL. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} empty SEC(".maps");

/* An ARRAY of 8-byte values: the inline lookup and update. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} arr SEC(".maps");

/* An ARRAY of 4-byte values: the inline update's other path. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, int);
} arr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} rdonly SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

/* The cases (tests/test_verifier_args.c names them in this order). */
enum op {
	OP_LOOKUP_ARRAY,	/* inline path */
	OP_LOOKUP_ARRAY_OFF,	/* NULL + 4 */
	OP_LOOKUP_HASH,
	OP_UPDATE_ARRAY_KEY,	/* inline path */
	OP_UPDATE_ARRAY_VALUE,	/* inline path, 8-byte value */
	OP_UPDATE_ARRAY4_VALUE,	/* inline path, 4-byte value */
	OP_UPDATE_HASH_KEY,
	OP_UPDATE_HASH_VALUE_OFF, /* NULL + 8 */
	OP_UPDATE_BOTH,		/* R2 is the one reported */
	OP_DELETE_HASH,
	OP_DELETE_HASH_NULL,	/* a NULL constant */
	OP_LOOKUP_PERCPU,
	OP_LOOKUP_PERCPU_NOT_PERCPU, /* before "not a per-CPU map" */
	OP_LOOKUP_RINGBUF,	/* no key bytes; before "cannot pass map_type" */
	OP_UPDATE_RDONLY_VALUE,	/* before "write into map forbidden" */
	OP_VALID,		/* the same calls with valid pointers */
};

int op;

/* What the kernel sees as map_value_or_null: the compiler cannot prove
 * it NULL, so no call below is folded away. */
static void *unchecked(void)
{
	int k = 0;

	return bpf_map_lookup_elem(&empty, &k);
}

/* @p plus @off without arithmetic on a null pointer (undefined behaviour
 * the sanitizers would flag in the program itself). */
static void *plus(void *p, unsigned long off)
{
	return (void *)((unsigned long)p + off);
}

SEC("syscall")
int null_key_or_value(void *ctx)
{
	void *p = unchecked();
	long v = 7;
	int k = 1, v4 = 7;

	switch (op) {
	case OP_LOOKUP_ARRAY:
		return bpf_map_lookup_elem(&arr, p) != 0;
	case OP_LOOKUP_ARRAY_OFF:
		return bpf_map_lookup_elem(&arr, plus(p, 4)) != 0;
	case OP_LOOKUP_HASH:
		return bpf_map_lookup_elem(&hash, p) != 0;
	case OP_UPDATE_ARRAY_KEY:
		return bpf_map_update_elem(&arr, p, &v, BPF_ANY);
	case OP_UPDATE_ARRAY_VALUE:
		return bpf_map_update_elem(&arr, &k, p, BPF_ANY);
	case OP_UPDATE_ARRAY4_VALUE:
		return bpf_map_update_elem(&arr4, &k, p, BPF_ANY);
	case OP_UPDATE_HASH_KEY:
		return bpf_map_update_elem(&hash, p, &v, BPF_ANY);
	case OP_UPDATE_HASH_VALUE_OFF:
		return bpf_map_update_elem(&hash, &k, plus(p, 8), BPF_ANY);
	case OP_UPDATE_BOTH:
		return bpf_map_update_elem(&arr, p, p, BPF_ANY);
	case OP_DELETE_HASH:
		return bpf_map_delete_elem(&hash, p);
	case OP_DELETE_HASH_NULL:
		return bpf_map_delete_elem(&hash, (void *)0);
	case OP_LOOKUP_PERCPU:
		return bpf_map_lookup_percpu_elem(&pcpu, p, 0) != 0;
	case OP_LOOKUP_PERCPU_NOT_PERCPU:
		return bpf_map_lookup_percpu_elem(&arr, p, 0) != 0;
	case OP_LOOKUP_RINGBUF:
		return bpf_map_lookup_elem(&rb, p) != 0;
	case OP_UPDATE_RDONLY_VALUE:
		return bpf_map_update_elem(&rdonly, &k, p, BPF_ANY);
	default:
		/* 0 if every call did what it does with valid pointers */
		if (bpf_map_update_elem(&arr, &k, &v, BPF_ANY) ||
		    bpf_map_update_elem(&arr4, &k, &v4, BPF_ANY) ||
		    bpf_map_update_elem(&hash, &k, &v, BPF_ANY))
			return 1;
		p = bpf_map_lookup_elem(&arr, &k);
		if (!p || *(long *)p != 7 || !bpf_map_lookup_elem(&hash, &k) ||
		    !bpf_map_lookup_percpu_elem(&pcpu, &k, 0))
			return 2;
		return bpf_map_delete_elem(&hash, &k) ? 3 : 0;
	}
}

/*
 * A callback argument that is NULL: "R2 type=scalar expected=func",
 * -EACCES (6.18), found while the arguments are checked -- before
 * bpf_loop's flags, before the map's type is found wanting (a ring for
 * bpf_for_each_map_elem, an ARRAY for bpf_user_ringbuf_drain).  A
 * valid key with a map whose key has no bytes: "invalid zero-sized read",
 * -EACCES, before its type; and the queue helpers on a map that takes
 * none of them.
 */
int cb_op;

SEC("syscall")
int null_callback(void *ctx)
{
	long v = 1;
	int k = 0;

	switch (cb_op) {
	case 0:
		return bpf_loop(1, (void *)0, 0, 1);
	case 1:
		return bpf_for_each_map_elem(&rb, (void *)0, 0, 0);
	case 2:
		return bpf_user_ringbuf_drain(&arr, (void *)0, 0, 0);
	case 3:
		return bpf_map_update_elem(&rb, &k, &v, BPF_ANY);
	case 4:
		return bpf_map_push_elem(&rb, &v, 0);
	default:
		return bpf_map_push_elem(&arr, &v, 0);
	}
}

char _license[] SEC("license") = "GPL";
