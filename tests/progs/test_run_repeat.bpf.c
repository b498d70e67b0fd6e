// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_prog_test_run_opts with repeat > 1 (tests/test_compile_test_run.c):
 * every repetition runs, globals carry over from one to the next, retval
 * is the last run's; a run the verifier would have refused (a ring sample
 * leaked on the run numbered leak_at only; the kernel refuses the program
 * at load, bpfemu fails the run) ends the loop with -EINVAL.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

__u32 runs;
__u32 leak_at;

SEC("tc")
int count_runs(struct __sk_buff *skb)
{
	runs++;
	return (int)runs * 10;
}

SEC("tc")
int leak_once(struct __sk_buff *skb)
{
	__u64 *s;

	runs++;
	if (runs != leak_at)
		return 0;
	s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);
	if (s)
		*s = runs;
	return 1;		/* neither submitted nor discarded */
}

char LICENSE[] SEC("license") = "GPL";
