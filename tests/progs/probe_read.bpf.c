// SPDX-License-Identifier: GPL-2.0
/*
 * Probe reads as libbpf-bootstrap-style tracing programs use them: a
 * raw_tp program reads the memory its arguments point at with every
 * probe-read helper (tests/test_probe_read.c fires it with
 * bpfemu_prog_run_args), and a tc program calls the legacy bpf_probe_read,
 * which the kernel gives only to tracing types.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Which helper the run calls (set by the test before each run). */
enum {
	PR_USER, PR_KERNEL, PR_USER_STR, PR_KERNEL_STR, PR_COMPAT, PR_COMPAT_STR,
};

int which;
long ret;
long ret_zero;			/* the same helper with size 0 */
unsigned char out[8];		/* dst, prefilled by the test */
unsigned char out_zero[8];	/* dst of the size-0 call, prefilled by the test */
unsigned char small[4];		/* a 4-byte str read, for truncation */
long ret_small;

SEC("raw_tp/sys_enter")
int read_arg(__u64 *ctx)
{
	const void *src = (const void *)ctx[0];

	switch (which) {
	case PR_USER:
		ret = bpf_probe_read_user(out, sizeof(out), src);
		ret_zero = bpf_probe_read_user(out_zero, 0, src);
		break;
	case PR_KERNEL:
		ret = bpf_probe_read_kernel(out, sizeof(out), src);
		ret_zero = bpf_probe_read_kernel(out_zero, 0, src);
		break;
	case PR_USER_STR:
		ret = bpf_probe_read_user_str(out, sizeof(out), src);
		ret_zero = bpf_probe_read_user_str(out_zero, 0, src);
		ret_small = bpf_probe_read_user_str(small, sizeof(small), src);
		break;
	case PR_KERNEL_STR:
		ret = bpf_probe_read_kernel_str(out, sizeof(out), src);
		ret_zero = bpf_probe_read_kernel_str(out_zero, 0, src);
		ret_small = bpf_probe_read_kernel_str(small, sizeof(small), src);
		break;
	case PR_COMPAT:
		ret = bpf_probe_read(out, sizeof(out), src);
		ret_zero = bpf_probe_read(out_zero, 0, src);
		break;
	case PR_COMPAT_STR:
		ret = bpf_probe_read_str(out, sizeof(out), src);
		ret_zero = bpf_probe_read_str(out_zero, 0, src);
		ret_small = bpf_probe_read_str(small, sizeof(small), src);
		break;
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
