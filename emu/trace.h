/* SPDX-License-Identifier: MIT */
/*
 * The bpf_printk machinery (trace.c): the kernel's bpf_bprintf_prepare +
 * bstr_printf rules, the capture buffer, the per-thread nesting level.
 */
#ifndef BPFEMU_EMU_TRACE_H
#define BPFEMU_EMU_TRACE_H

#include <stdint.h>

/* Kernel limits (include/linux/bpf.h, kernel/bpf/helpers.c). */
#define EMU_BPRINTF_BUF		1024	/* MAX_BPRINTF_BUF: formatted text */
#define EMU_BPRINTF_BIN_ARGS	512	/* MAX_BPRINTF_BIN_ARGS: packed arguments */
#define EMU_BPRINTF_VARARGS	12	/* MAX_BPRINTF_VARARGS (vprintk) */
#define EMU_TRACE_PRINTK_VARARGS 3	/* MAX_TRACE_PRINTK_VARARGS */
#define EMU_BPRINTF_NEST_LEVEL	3	/* MAX_BPRINTF_NEST_LEVEL */

/*
 * Format @fmt (at most @fmt_size bytes, which must include a NUL) with
 * @num_args 64-bit arguments, record the text in the trace buffer and
 * return the formatted length (untruncated, as bstr_printf), or -EINVAL
 * (bad format), -EBUSY (nesting), -ENOSPC (packed arguments exceed 512
 * bytes) exactly as the kernel's bpf_trace_printk/bpf_trace_vprintk.
 */
long emu_trace_bprintf(const char *fmt, uint32_t fmt_size, const uint64_t *args,
		       uint32_t num_args);

/*
 * Number of conversions in @fmt that consume an argument (every '%' but
 * "%%"), or -EINVAL when no NUL lies within @fmt_size.  Lets the variadic
 * bpf_trace_printk read only the arguments its caller passed.
 */
int emu_trace_count_args(const char *fmt, uint32_t fmt_size);

void emu_trace_reset(void);

#endif /* BPFEMU_EMU_TRACE_H */
