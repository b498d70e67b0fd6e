// SPDX-License-Identifier: GPL-2.0
/*
 * A SEC("syscall") program that writes into its context: the kernel
 * copies the context back into ctx_in after the run
 * (tests/test_compile_test_run.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct syscall_args {
	int a;
	int b;
};

__u32 runs;

SEC("syscall")
int add_one(struct syscall_args *ctx)
{
	runs++;
	ctx->b = ctx->a + 1;
	return 7;
}

/* Reads no context: the kernel runs it without one. */
SEC("syscall")
int no_ctx(void *ctx)
{
	runs++;
	return 3;
}

char LICENSE[] SEC("license") = "GPL";
