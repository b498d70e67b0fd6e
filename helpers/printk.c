/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk (6) and bpf_trace_vprintk (177); what bpf_printk()
 * expands to.  The formatting rules live in emu/trace.c.
 *
 * The kernel's bpf_trace_printk always receives three register arguments.
 * Natively it is variadic, and reading more arguments than the caller
 * passed is undefined, so it reads exactly as many as the format converts
 * (at most three; the rest count as 0).  Each is read as a 64-bit value:
 * bpf_printk() passes every argument as u64, and a direct caller must too
 * (on 64-bit hosts ints work for %d/%u/%x/%c, which use the low 32 bits).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <bpfemu/helpers.h>

#include "prog.h"
#include "trace.h"

long bpfemu_helper_trace_printk(const char *fmt, __u32 fmt_size, ...)
{
	uint64_t args[EMU_TRACE_PRINTK_VARARGS] = { 0 };
	va_list ap;
	int n, i;

	EMU_HELPER_CHECK(BPF_FUNC_trace_printk, -EINVAL);

	/* Without a NUL inside fmt_size the kernel fails before looking at
	 * any argument, and so do we. */
	n = fmt ? emu_trace_count_args(fmt, fmt_size) : -EINVAL;
	if (n < 0)
		return n;
	if (n > EMU_TRACE_PRINTK_VARARGS)
		n = EMU_TRACE_PRINTK_VARARGS;
	va_start(ap, fmt_size);
	for (i = 0; i < n; i++)
		args[i] = va_arg(ap, uint64_t);
	va_end(ap);

	return emu_trace_bprintf(fmt, fmt_size, args, EMU_TRACE_PRINTK_VARARGS);
}

long bpfemu_helper_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)
{
	EMU_HELPER_CHECK(BPF_FUNC_trace_vprintk, -EINVAL);

	/* Whole u64 arguments, at most 12, and an array when there are any. */
	if (data_len % 8 || data_len > EMU_BPRINTF_VARARGS * 8 || (data_len && !data))
		return -EINVAL;
	return emu_trace_bprintf(fmt, fmt_size, data, data_len / 8);
}
