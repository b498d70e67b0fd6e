// SPDX-License-Identifier: GPL-2.0
/*
 * File-scope declarations with several declarators, as libbpf C writes
 * them: each global is its own skeleton member, in its own section.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Declarations of types only: no skeleton member (a forward declaration's
 * tag once became a "global" and broke the skeleton). */
struct task_struct;
union fwd_union;
enum fwd_enum { FWD_A };
struct fwd_def { int v; };

long a = -1, b = -1;			/* .data, .data */
__u64 x, y;				/* .bss, .bss */
static int p, *q;			/* static: not in the skeleton */
const volatile int r1 = 1, r2 = 2;	/* .rodata, .rodata */
int zero = 0, seven = 7, *none;		/* .bss, .data, .bss */
const volatile __u32 lim[2] = { 10, 20 }, cnt = 3;
char msg[8] = "hi", *nil, ch = 'c';	/* .data, .bss, .data */
static const volatile int hidden_ro = 5, hidden_ro2 = 6;
struct { int lo, hi; } span = { 1, 2 }, span2;	/* .data, .bss */

SEC("syscall")
int run(void *ctx)
{
	int i;

	(void)ctx;
	p = 4;
	q = &p;
	x = (__u64)(a + b);		/* -2 */
	y = (__u64)(r1 + r2);		/* 3 */
	seven += *q;			/* 11 */
	none = &seven;
	for (i = 0; i < 2; i++)
		zero += (int)lim[i];	/* 30 */
	zero += (int)cnt + hidden_ro + hidden_ro2;	/* 44 */
	ch = msg[0];
	span2.lo = span.hi;
	span2.hi = span.lo;
	return nil ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
