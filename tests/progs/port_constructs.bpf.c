// SPDX-License-Identifier: GPL-2.0
/*
 * Constructs that kernel-selftest-style programs use and that first failed
 * to build or run natively (tests/test_port_constructs.c):
 *   - BPF_PROG / BPF_KPROBE / BPF_KRETPROBE with no argument after the name;
 *   - BPF_PROG2, whose arguments may span two context slots;
 *   - structs marked __attribute__((preserve_access_index)), also through
 *     clang's `#pragma clang attribute`;
 *   - ring buffers whose definition holds `type` alone (sized before load);
 *   - a ring map-in-map whose template has no size (bpf_map__set_inner_map_fd);
 *   - fentry programs test-run without ctx_in.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* A CO-RE-style local view of a kernel struct. */
struct task_view {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

#ifdef __clang__
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#endif
struct pushed_view {
	long state;
};
#ifdef __clang__
#pragma clang attribute pop
#endif

/* Sized by the test with bpf_map__set_max_entries before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
} commands SEC(".maps");

/* Inner template without a size: the test supplies one. */
struct sizeless_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} ring_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct sizeless_ring);
} rings SEC(".maps") = {
	.values = { [1] = &ring_a },
};

__u64 noarg_runs;
__u64 kprobe_runs;
__u64 kretprobe_runs;

int p2_a;
long p2_lo, p2_hi;
char p2_c;
__u64 p2_last;

int view_pid;
long view_state;

long sent;
long drained;
__u64 first_arg = 99;

SEC("fentry/do_nothing")
int BPF_PROG(no_args)
{
	struct task_view v = { .pid = 7, .tgid = 8 };
	struct pushed_view p = { .state = 3 };

	view_pid = v.pid;
	view_state = p.state;
	noarg_runs++;
	return 0;
}

SEC("kprobe/do_nothing")
int BPF_KPROBE(kprobe_no_args)
{
	kprobe_runs++;
	return 0;
}

SEC("kretprobe/do_nothing")
int BPF_KRETPROBE(kretprobe_no_args)
{
	kretprobe_runs++;
	return 0;
}

struct two_words {
	long lo;
	long hi;
};

/* int in slot 0, the struct in slots 1 and 2, the char in slot 3, a u64
 * in slot 4. */
SEC("fentry/takes_struct")
int BPF_PROG2(by_value, int, a, struct two_words, w, char, c, __u64, last)
{
	p2_a = a;
	p2_lo = w.lo;
	p2_hi = w.hi;
	p2_c = c;
	p2_last = last;
	return 0;
}

SEC("fentry/reads_first_arg")
int BPF_PROG(reads_arg, __u64 x)
{
	first_arg = x;
	return 0;
}

static long count_command(struct bpf_dynptr *dynptr, void *ctx)
{
	drained++;
	return 0;
}

SEC("syscall")
int send_and_drain(void *ctx)
{
	int one = 1;
	long *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	void *inner;

	if (rec) {
		*rec = 42;
		bpf_ringbuf_submit(rec, 0);
		sent++;
	}
	inner = bpf_map_lookup_elem(&rings, &one);
	if (inner && bpf_ringbuf_output(inner, &one, sizeof(one), 0) == 0)
		sent++;
	bpf_user_ringbuf_drain(&commands, count_command, NULL, 0);
	return 0;
}
