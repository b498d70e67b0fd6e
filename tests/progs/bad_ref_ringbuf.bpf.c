// SPDX-License-Identifier: GPL-2.0
/*
 * Ring buffer references the verifier refuses to see leaked or released
 * twice (kernel 6.18 says, at load, -EINVAL):
 *   leak:          "Unreleased reference id=2 alloc_insn=4"
 *                  "BPF_EXIT instruction in main prog would lead to reference leak"
 *   submit twice:  "R1 type=scalar expected=ringbuf_mem"
 *   submit a stack buffer: "R1 type=fp expected=ringbuf_mem" (-EACCES)
 *   dynptr twice, or a local dynptr submitted:
 *                  "arg 1 is an unacquired reference"
 * bpfemu sees them when the program runs (docs/verifier-rules.md).
 */
#include <linux/bpf.h>
#include <time.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;

__u32 big_size = 1 << 24;	/* more than a dynptr can hold: the reserve fails */
__u64 value = 42;
long reserve_err;

SEC("syscall")
int leak_sample(void *ctx)
{
	__u64 *s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);

	if (!s)
		return 1;
	*s = value;
	return 0;		/* neither submitted nor discarded */
}

SEC("syscall")
int leak_dynptr(void *ctx)
{
	struct bpf_dynptr d;

	if (bpf_ringbuf_reserve_dynptr(&rb, sizeof(value), 0, &d))
		return 1;	/* leaks too: a failed reserve must be discarded */
	bpf_dynptr_write(&d, 0, &value, sizeof(value), 0);
	return 0;
}

/* The reserve fails and the program returns without the discard. */
SEC("syscall")
int leak_failed_dynptr(void *ctx)
{
	struct bpf_dynptr d;

	reserve_err = bpf_ringbuf_reserve_dynptr(&rb, big_size, 0, &d);
	return 0;
}

SEC("syscall")
int failed_dynptr_discarded(void *ctx)
{
	struct bpf_dynptr d;

	reserve_err = bpf_ringbuf_reserve_dynptr(&rb, big_size, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 7;
}

SEC("syscall")
int submit_twice(void *ctx)
{
	__u64 *s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);

	if (!s)
		return 1;
	*s = value;
	bpf_ringbuf_submit(s, 0);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

/* Not a reserved sample: a stack buffer whose bytes before the pointer
 * look like a header with a wild page offset (the verifier: "R1 type=fp
 * expected=ringbuf_mem", -EACCES at load). */
SEC("syscall")
int submit_stack_buffer(void *ctx)
{
	__u64 buf[4] = { 0x4000000000000000ull, 1, 2, 3 };

	bpf_ringbuf_submit(&buf[1], 0);
	return 0;
}

SEC("syscall")
int dynptr_submit_then_discard(void *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&rb, sizeof(value), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int submit_local_dynptr(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(&value, sizeof(value), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* Releasing a clone releases the original (they share the reference). */
SEC("syscall")
int submit_clone(void *ctx)
{
	struct bpf_dynptr d, c;

	if (bpf_ringbuf_reserve_dynptr(&rb, sizeof(value), 0, &d)) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 1;
	}
	bpf_dynptr_write(&d, 0, &value, sizeof(value), 0);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&c, 0);
	return 0;
}

SEC("syscall")
int produce(void *ctx)
{
	__u64 *s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);

	if (!s)
		return 1;
	*s = value;
	bpf_ringbuf_submit(s, 0);
	return 0;
}

static int leaky_cb(void *map, int *key, struct elem *e)
{
	__u64 *s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);

	if (s)
		*s = value;	/* leaked: the callback ends holding it */
	return 0;
}

SEC("syscall")
int arm_leaky_timer(void *ctx)
{
	int k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 1;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, leaky_cb);
	return bpf_timer_start(&e->t, 1000, 0);
}

/*
 * Two samples held at once (bpfemu keeps the first apart from its table of
 * references, ctx.h): released in reserve order, in the reverse order, one
 * discarded, or one or both leaked -- modes 0 to 5.
 */
__u32 mode;

SEC("syscall")
int two_samples(void *ctx)
{
	__u64 *a = bpf_ringbuf_reserve(&rb, sizeof(*a), 0), *b;

	if (!a)
		return 1;
	b = bpf_ringbuf_reserve(&rb, sizeof(*b), 0);
	if (!b) {
		bpf_ringbuf_discard(a, 0);
		return 2;
	}
	*a = value;
	*b = value + 1;
	switch (mode) {
	case 0:
		bpf_ringbuf_submit(a, 0);
		bpf_ringbuf_submit(b, 0);
		break;
	case 1:
		bpf_ringbuf_submit(b, 0);
		bpf_ringbuf_submit(a, 0);
		break;
	case 2:
		bpf_ringbuf_discard(a, 0);
		bpf_ringbuf_submit(b, 0);
		break;
	case 3:
		bpf_ringbuf_submit(a, 0);	/* b leaks */
		break;
	case 4:
		bpf_ringbuf_submit(b, 0);	/* a leaks */
		break;
	default:
		break;				/* both leak */
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
