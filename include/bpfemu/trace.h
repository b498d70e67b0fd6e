/* SPDX-License-Identifier: MIT */
/*
 * What bpf_printk() / bpf_trace_printk() / bpf_trace_vprintk() print.
 *
 * The kernel writes each call as one event to the trace ring buffer
 * (/sys/kernel/tracing/trace_pipe).  bpfemu keeps the formatted text of
 * each successful call as one entry of a capture buffer that tests read and
 * clear.  An entry is exactly the text the kernel formats, up to its first
 * NUL (a %c of 0 ends it), trailing "\n" included: trace_pipe adds a newline
 * of its own after every event, so on Linux 6.18 bpf_printk("hi\n") shows
 * "hi" and then an empty line.
 * The buffer keeps the last BPFEMU_TRACE_MAX_LINES entries (older ones are
 * overwritten, like the kernel's ring buffer); it never allocates, so
 * printing never disturbs fault injection or leak accounting.
 *
 * Thread-safe; a pointer from bpfemu_trace_line() is valid until the entry
 * is cleared or overwritten (bpfemu_trace_copy_line() is the safe way while
 * other threads print).
 */
#ifndef BPFEMU_TRACE_H
#define BPFEMU_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFEMU_TRACE_MAX_LINES	1024
#define BPFEMU_TRACE_LINE_MAX	1024	/* the kernel's MAX_BPRINTF_BUF */

/* Entries held (at most BPFEMU_TRACE_MAX_LINES). */
BPFEMU_API int bpfemu_trace_count(void);
/* Entry @i (0 = oldest held), or NULL. */
BPFEMU_API const char *bpfemu_trace_line(int i);
/* Copy entry @i into @buf; returns its length or -ENOENT (errno set). */
BPFEMU_API int bpfemu_trace_copy_line(int i, char *buf, size_t size);
/* True if some held entry contains @substr. */
BPFEMU_API bool bpfemu_trace_contains(const char *substr);
/* Entries overwritten because the buffer was full, since the last clear. */
BPFEMU_API unsigned long bpfemu_trace_dropped(void);
BPFEMU_API void bpfemu_trace_clear(void);

/*
 * Echo each entry to stderr in trace_pipe's line format:
 *   "<comm>-<pid> [<cpu>] d..3. <seconds.micros>: bpf_trace_printk: <text>"
 * Off by default; bpfemu_reset() turns it off.  Setting BPFEMU_TRACE_ECHO=1
 * in the environment turns it on at start.
 */
BPFEMU_API void bpfemu_trace_set_echo(bool on);

/*
 * A function called with each entry, while the printing helper still holds
 * its per-CPU buffer: the place of a program attached to the
 * bpf_trace/bpf_trace_printk tracepoint.  A bpf_printk from inside it nests
 * (the kernel allows 3 levels; the 4th gets -EBUSY).  NULL removes it;
 * bpfemu_reset() removes it.
 */
typedef void (*bpfemu_trace_hook_fn)(const char *text, void *data);
BPFEMU_API void bpfemu_trace_set_hook(bpfemu_trace_hook_fn fn, void *data);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_TRACE_H */
