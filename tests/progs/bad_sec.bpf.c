// SPDX-License-Identifier: GPL-2.0
/* A section libbpf does not know: the load fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("no_such_section/x")
int prog(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
