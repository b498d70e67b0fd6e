// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe that reaches bpf_ktime_get_coarse_ns (not available to kprobe
 * programs) through a pointer, where the loader's scan of the program's
 * calls cannot see it: the helper's own check rejects the run when
 * bpfemu_prog_run() fires it (tests/test_prog_run.c).  The kernel's
 * verifier refuses the indirect call itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

static __u64 (*const *const coarse)(void) = &bpf_ktime_get_coarse_ns;

__u64 reached;

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(sneaky, void *t)
{
	reached = (*coarse)() + 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
