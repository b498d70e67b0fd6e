/* SPDX-License-Identifier: MIT */
/*
 * bpf_printk: the kernel's two-step formatting, and the capture buffer.
 *
 * The kernel first checks the format and packs the arguments into a
 * 512-byte buffer (bpf_bprintf_prepare: numbers at 4-byte alignment,
 * strings and IP addresses copied as text), then formats the text from
 * that buffer into 1024 bytes (bstr_printf).  Several observable results
 * only follow from doing the same two steps:
 *   - -ENOSPC when the packed arguments outgrow 512 bytes (a long %s first);
 *   - a %s string is cut to what fits in the packed buffer (511 characters);
 *   - the return value is the untruncated length, except that text packed
 *     before formatting (%pI4, %pks, %pB...) adds nothing to it once the
 *     output is already full.
 * So this file does the same two steps, in its own words.  Every rule here
 * was checked against Linux 6.18 (docs/printk.md lists the observations).
 *
 * Differences that cannot be helped: %p/%pK print a hash of the pointer as
 * the kernel does, but with our own fixed hash (the kernel's key is random
 * per boot); %ps/%pS/%pB name native symbols through dladdr(); natively
 * every address is the process's own, so %s of a program's stack or map
 * memory prints it where the kernel's nofault read of a user address would
 * print nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#if defined(__GLIBC__) && !defined(BPFEMU_POSIX_ONLY)
#include <link.h>
#define HAVE_DLADDR1 1
#endif
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfemu/clock.h>
#include <bpfemu/trace.h>

#include "clock.h"
#include "core.h"
#include "ctx.h"
#include "err.h"
#include "nofault.h"
#include "trace.h"

/* ------------------------------------------------------------ kernel ctype */

/* The kernel's <linux/ctype.h> classes (Latin-1 above 0x7f), not the
 * host's locale-dependent ones. */
static bool k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool k_ispunct(unsigned char c)
{
	if (c < 0x80)
		return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
		       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
	return (c >= 0xa1 && c <= 0xbf) || c == 0xd7 || c == 0xf7;
}

static bool k_isalnum(unsigned char c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return c >= 0xc0 && c != 0xd7 && c != 0xf7;
}

static bool k_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Observed on 6.18: control characters below 0x80 other than whitespace
 * (0x01, 0x1b, 0x7f) are refused; every byte from 0x80 up is accepted.
 */
static bool fmt_char_ok(unsigned char c)
{
	return c >= 0x80 || (c >= 0x20 && c <= 0x7e) || k_isspace(c);
}

/* ------------------------------------------------------------ reading */

/*
 * The verifier checks none of these arguments: bpf_printk("%s", pid) loads,
 * and the kernel reads the string or address with its nofault copies,
 * printing a fault as an empty string or a zero address (6.18: "s=[%s]" of
 * 12345678 is "s=[]", 4 bytes; "%pI4" of 0x10000 is "0.0.0.0").  So every
 * read goes through emu/nofault.c: natively a wild pointer would be SIGSEGV.
 * NULL and the first page are refused before any system call.
 */
static bool readable(uint64_t p)
{
	return p >= 4096;
}

/*
 * Copy the string at @p into @dst (@size > 0 bytes), always terminated, as
 * strncpy_from_kernel_nofault: returns the bytes used including the NUL,
 * or @size if the string was cut; 1 (an empty string) on a fault.
 */
static size_t copy_string(char *dst, uint64_t p, size_t size)
{
	long n = readable(p) ? emu_strncpy_nofault(dst, (const void *)(uintptr_t)p, size) : -EFAULT;

	if (n < 0) {
		dst[0] = '\0';
		return 1;
	}
	return (size_t)n;
}

/* ------------------------------------------------------------ symbols */

/* %ps / %pS / %pB: native code is our "kernel text". */
static void symbol_text(char *buf, size_t size, uint64_t addr, char kind)
{
	uint64_t lookup = kind == 'B' && addr ? addr - 1 : addr;
	unsigned long off;
	Dl_info info;
	size_t symsz = 0;

	memset(&info, 0, sizeof(info));
#ifdef HAVE_DLADDR1
	{
		const ElfW(Sym) *sym = NULL;

		if (!dladdr1((void *)(uintptr_t)lookup, &info, (void **)&sym, RTLD_DL_SYMENT))
			goto out_hex;
		if (sym)
			symsz = sym->st_size;
	}
#else
	if (!dladdr((void *)(uintptr_t)lookup, &info))
		goto out_hex;
#endif
	if (!info.dli_sname || !info.dli_saddr)
		goto out_hex;
	off = (unsigned long)(addr - (uintptr_t)info.dli_saddr);
	if (kind == 's')
		snprintf(buf, size, "%s", info.dli_sname);
	else if (symsz)
		snprintf(buf, size, "%s+0x%lx/0x%zx", info.dli_sname, off, symsz);
	else
		snprintf(buf, size, "%s+0x%lx", info.dli_sname, off);
	return;
out_hex:
	/* What kallsyms prints for an address it does not know. */
	snprintf(buf, size, "0x%llx", (unsigned long long)addr);
}

/* ------------------------------------------------------------ step 1 */

struct packed {
	unsigned char buf[EMU_BPRINTF_BIN_ARGS];
	size_t pos;
};

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

static int pack_number(struct packed *pk, uint64_t v, size_t size)
{
	uint32_t v32 = (uint32_t)v;

	pk->pos = align4(pk->pos);
	if (pk->pos > sizeof(pk->buf) || sizeof(pk->buf) - pk->pos < size)
		return -ENOSPC;
	if (size == 8)
		memcpy(pk->buf + pk->pos, &v, 8);
	else
		memcpy(pk->buf + pk->pos, &v32, 4);
	pk->pos += size;
	return 0;
}

/* Text packed by snprintf: the kernel advances by the untruncated length. */
static void pack_text(struct packed *pk, const char *text)
{
	size_t room = sizeof(pk->buf) - pk->pos, len = strlen(text);

	if (room) {
		size_t n = len < room - 1 ? len : room - 1;

		memcpy(pk->buf + pk->pos, text, n);
		pk->buf[pk->pos + n] = '\0';
	}
	/* Beyond the end the kernel would write out of bounds; we stop at
	 * the end, so any further argument gets -ENOSPC. */
	pk->pos = pk->pos + len + 1 < sizeof(pk->buf) ? pk->pos + len + 1 : sizeof(pk->buf);
}

static void ip_text(char *buf, size_t size, uint64_t p, char style, char ver)
{
	unsigned char ip[16] = { 0 };
	size_t i, n = 0;

	if (!readable(p) || emu_copy_nofault(ip, (const void *)(uintptr_t)p, ver == '4' ? 4 : 16))
		memset(ip, 0, sizeof(ip));
	if (ver == '4') {
		snprintf(buf, size, style == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u",
			 ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	for (i = 0; i < 16; i += 2) {
		n += snprintf(buf + n, size - n, "%s%02x%02x",
			      style == 'I' && i ? ":" : "", ip[i], ip[i + 1]);
	}
}

/*
 * Check @fmt (@len bytes before its NUL) and pack its arguments, in the
 * kernel's order and with its errors.
 */
static int prepare(const char *fmt, size_t len, const uint64_t *args, uint32_t num_args,
		   struct packed *pk)
{
	uint32_t spec = 0;
	size_t i;
	char text[64];
	int err;

	for (i = 0; i < len; i++) {
		unsigned char c = fmt[i];
		size_t size;

		if (!fmt_char_ok(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (spec >= num_args)
			return -EINVAL;
		/* fmt is NUL-terminated, so looking one past a non-NUL is safe. */
		i++;
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			i++;
			while (k_isdigit(fmt[i]))
				i++;
		}

		if (fmt[i] == 'p') {
			unsigned char n = fmt[i + 1];

			if (n == 0 || k_isspace(n) || k_ispunct(n)) {
				err = pack_number(pk, args[spec], 8);
				goto next;
			}
			if ((n == 'k' || n == 'u') && fmt[i + 2] == 's') {
				i += 2;
				goto string;
			}
			if (n == 'K' || n == 'x' || n == 's' || n == 'S') {
				i++;
				err = pack_number(pk, args[spec], 8);
				goto next;
			}
			if (n == 'B') {
				symbol_text(text, sizeof(text), args[spec], 'B');
				pack_text(pk, text);
				i++;
				spec++;
				continue;
			}
			/* Only %pI4, %pi4, %pI6 and %pi6 are left. */
			if ((n != 'i' && n != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
				return -EINVAL;
			i += 2;
			/* The kernel checks room for the raw address, not the text. */
			if (sizeof(pk->buf) - pk->pos < (fmt[i] == '4' ? 4u : 16u))
				return -ENOSPC;
			ip_text(text, sizeof(text), args[spec], fmt[i - 1], fmt[i]);
			pack_text(pk, text);
			spec++;
			continue;
		} else if (fmt[i] == 's') {
string:
			/* %s must end the word: "%sx" is refused. */
			if (fmt[i + 1] != 0 && !k_isspace(fmt[i + 1]) && !k_ispunct(fmt[i + 1]))
				return -EINVAL;
			if (pk->pos >= sizeof(pk->buf))
				return -ENOSPC;
			pk->pos += copy_string((char *)pk->buf + pk->pos, args[spec],
					       sizeof(pk->buf) - pk->pos);
			spec++;
			continue;
		} else if (fmt[i] == 'c') {
			if (pk->pos >= sizeof(pk->buf))
				return -ENOSPC;
			pk->buf[pk->pos++] = (unsigned char)args[spec];
			spec++;
			continue;
		}

		size = 4;
		if (fmt[i] == 'l') {
			size = 8;
			i++;
		}
		if (fmt[i] == 'l') {
			size = 8;
			i++;
		}
		if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' && fmt[i] != 'X')
			return -EINVAL;
		err = pack_number(pk, args[spec], size);
next:
		if (err)
			return err;
		spec++;
	}
	return 0;
}

/* ------------------------------------------------------------ step 2 */

#define F_LEFT		0x01
#define F_PLUS		0x02
#define F_SPACE		0x04
#define F_ZEROPAD	0x08
#define F_SIGN		0x10
#define F_SMALL		0x20

/* The kernel caps field widths (set_field_width). */
#define FIELD_WIDTH_MAX	((1 << 23) - 1)

struct out {
	char *buf;
	size_t size;	/* EMU_BPRINTF_BUF */
	size_t len;	/* what would have been written: the return value */
};

static void put(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_number(struct out *o, uint64_t num, int base, int flags, int width)
{
	const char *digits = flags & F_SMALL ? "0123456789abcdef" : "0123456789ABCDEF";
	char tmp[24], sign = 0;
	int i = 0;

	if (flags & F_LEFT)
		flags &= ~F_ZEROPAD;
	if (flags & F_SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = -num;
		} else if (flags & F_PLUS) {
			sign = '+';
		} else if (flags & F_SPACE) {
			sign = ' ';
		}
		if (sign)
			width--;
	}
	do {
		tmp[i++] = digits[num % (unsigned int)base];
		num /= (unsigned int)base;
	} while (num);
	width -= i;
	if (!(flags & (F_ZEROPAD | F_LEFT))) {
		put_n(o, ' ', width);
		width = 0;
	}
	if (sign)
		put(o, sign);
	if (!(flags & F_LEFT)) {
		put_n(o, flags & F_ZEROPAD ? '0' : ' ', width);
		width = 0;
	}
	while (--i >= 0)
		put(o, tmp[i]);
	put_n(o, ' ', width);
}

static void put_string(struct out *o, const char *s, int flags, int width)
{
	int len = (int)strlen(s);

	if (!(flags & F_LEFT))
		put_n(o, ' ', width - len);
	while (*s)
		put(o, *s++);
	if (flags & F_LEFT)
		put_n(o, ' ', width - len);
}

/* An address as %px prints it: 16 zero-padded hex digits unless a width
 * was given (-1 = none). */
static void put_pointer(struct out *o, uint64_t v, int flags, int width)
{
	if (width == -1) {
		width = 16;
		flags |= F_ZEROPAD;
	}
	put_number(o, v, 16, flags | F_SMALL, width);
}

/* Stand-in for the kernel's siphash of %p: 32 bits, fixed key. */
static uint32_t pointer_hash(uint64_t v)
{
	v ^= 0x9e3779b97f4a7c15ULL;
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
	v ^= v >> 31;
	return (uint32_t)v;
}

struct unpack {
	const unsigned char *buf;
	size_t pos;
};

static uint64_t get8(struct unpack *u)
{
	uint64_t v;

	u->pos = align4(u->pos);
	memcpy(&v, u->buf + u->pos, 8);
	u->pos += 8;
	return v;
}

static uint32_t get4(struct unpack *u)
{
	uint32_t v;

	u->pos = align4(u->pos);
	memcpy(&v, u->buf + u->pos, 4);
	u->pos += 4;
	return v;
}

static void format_pointer(struct out *o, const char *p, uint64_t v, int flags, int width)
{
	char text[160];

	switch (*p) {
	case 'x':
		put_pointer(o, v, flags, width);
		return;
	case 's':
	case 'S':
		symbol_text(text, sizeof(text), v, *p);
		put_string(o, text, flags, width);
		return;
	default:
		/* %p and %pK (kptr_restrict 0): NULL and error pointers print
		 * as they are, anything else hashed. */
		if (!v || v >= (uint64_t)-4095)
			put_pointer(o, v, flags, width);
		else
			put_pointer(o, pointer_hash(v), flags, width);
	}
}

/* Format @fmt from the packed arguments; returns the untruncated length. */
static size_t format(const char *fmt, const struct packed *pk, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };
	struct unpack u = { .buf = pk->buf };

	while (*fmt) {
		int flags = 0, width = -1, qual = 0;
		uint64_t num;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(&o, *fmt++);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '0')
				flags |= F_ZEROPAD;
			else
				break;
		}
		if (k_isdigit(*fmt)) {
			/* skip_atoi: int arithmetic, wrapping as the kernel's does. */
			uint32_t w = 0;

			while (k_isdigit(*fmt))
				w = w * 10 + (uint32_t)(*fmt++ - '0');
			width = (int32_t)w;
			if (width > FIELD_WIDTH_MAX)
				width = FIELD_WIDTH_MAX;
			else if (width < -FIELD_WIDTH_MAX)
				width = -FIELD_WIDTH_MAX;
		}
		if (*fmt == 'l') {
			qual = 'l';
			fmt++;
			if (*fmt == 'l') {
				qual = 'L';
				fmt++;
			}
		}

		switch (*fmt) {
		case 'c':
			if (!(flags & F_LEFT)) {
				put_n(&o, ' ', width - 1);
				width = 0;
			}
			put(&o, (char)u.buf[u.pos++]);
			put_n(&o, ' ', width - 1);
			fmt++;
			continue;
		case 's': {
			const char *s = (const char *)u.buf + u.pos;

			u.pos += strlen(s) + 1;
			put_string(&o, s, flags, width);
			fmt++;
			continue;
		}
		case 'p':
			fmt++;
			if (*fmt == 'S' || *fmt == 's' || *fmt == 'x' || *fmt == 'K' ||
			    !k_isalnum(*fmt)) {
				format_pointer(&o, fmt, get8(&u), flags, width);
			} else if (o.len < o.size) {
				/* Packed text, copied without width; past the end
				 * of the output the kernel neither counts it nor
				 * moves on (its bstr_printf quirk). */
				const char *s = (const char *)u.buf + u.pos;
				size_t len = strlen(s), i;

				for (i = 0; i < len; i++)
					put(&o, s[i]);
				u.pos += len + 1;
			}
			while (k_isalnum(*fmt))
				fmt++;
			continue;
		case 'd':
		case 'i':
			flags |= F_SIGN;
			break;
		case 'x':
			flags |= F_SMALL;
			break;
		default:	/* 'u', 'X': prepare() let nothing else through */
			break;
		}

		if (qual)
			num = get8(&u);
		else if (flags & F_SIGN)
			num = (uint64_t)(int64_t)(int32_t)get4(&u);
		else
			num = get4(&u);
		put_number(&o, num, *fmt == 'x' || *fmt == 'X' ? 16 : 10, flags, width);
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

/* ------------------------------------------------------------ capture */

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
/* A ring of fixed slots: printing never allocates. */
static char lines[BPFEMU_TRACE_MAX_LINES][BPFEMU_TRACE_LINE_MAX];
static unsigned long first;	/* index of the oldest held entry, ever-increasing */
static unsigned long total;	/* entries ever recorded */
static bool echo;
static bool echo_env_read;
static bpfemu_trace_hook_fn hook;
static void *hook_data;

/* The per-CPU buffers of the kernel are held while a call formats and
 * traces; a call nested inside (from the trace hook) takes the next. */
static _Thread_local int nest_level;

static void echo_line(const char *text)
{
	uint64_t t = emu_clock_now(EMU_CLOCK_MONOTONIC);
	uint32_t tgid, pid;
	char comm[16];

	emu_task_ids(&tgid, &pid);
	emu_task_comm(comm);
	/* trace_pipe's layout; the trailing newline is the trace layer's own,
	 * so a text ending in "\n" shows an empty line after it (6.18). */
	fprintf(stderr, "%16s-%-7u [%03d] ...2. %5llu.%06llu: bpf_trace_printk: %s\n",
		comm, pid, emu_ctx.cpu, (unsigned long long)(t / BPFEMU_NSEC_PER_SEC),
		(unsigned long long)(t % BPFEMU_NSEC_PER_SEC / 1000), text);
}

static void record(const char *text)
{
	bpfemu_trace_hook_fn fn;
	void *data;

	pthread_mutex_lock(&trace_lock);
	if (!echo_env_read) {
		const char *env = getenv("BPFEMU_TRACE_ECHO");

		echo_env_read = true;
		if (env && *env && strcmp(env, "0"))
			echo = true;
	}
	snprintf(lines[total % BPFEMU_TRACE_MAX_LINES], BPFEMU_TRACE_LINE_MAX, "%s", text);
	total++;
	if (total - first > BPFEMU_TRACE_MAX_LINES)
		first = total - BPFEMU_TRACE_MAX_LINES;
	if (echo)
		echo_line(text);
	fn = hook;
	data = hook_data;
	pthread_mutex_unlock(&trace_lock);

	if (fn)
		fn(text, data);
}

int emu_trace_count_args(const char *fmt, uint32_t fmt_size)
{
	const char *end = memchr(fmt, 0, fmt_size);
	int n = 0;

	if (!end)
		return -EINVAL;
	for (; fmt < end; fmt++) {
		if (*fmt != '%')
			continue;
		if (fmt[1] == '%')
			fmt++;
		else
			n++;
	}
	return n;
}

long emu_trace_bprintf(const char *fmt, uint32_t fmt_size, const uint64_t *args,
		       uint32_t num_args)
{
	char text[EMU_BPRINTF_BUF];
	struct packed pk;
	const char *end;
	long ret;

	if (!fmt)
		return -EINVAL;
	end = memchr(fmt, 0, fmt_size);
	if (!end)
		return -EINVAL;
	if (++nest_level > EMU_BPRINTF_NEST_LEVEL) {
		ret = -EBUSY;
		goto out_unnest;
	}
	pk.pos = 0;
	ret = prepare(fmt, (size_t)(end - fmt), args, num_args, &pk);
	if (ret)
		goto out_unnest;
	ret = (long)format(fmt, &pk, text, sizeof(text));
	/* The trace event copies a C string: text after a %c of 0 is lost. */
	record(text);
out_unnest:
	nest_level--;
	return ret;
}

/* ------------------------------------------------------------ public API */

int bpfemu_trace_count(void)
{
	int n;

	pthread_mutex_lock(&trace_lock);
	n = (int)(total - first);
	pthread_mutex_unlock(&trace_lock);
	return n;
}

const char *bpfemu_trace_line(int i)
{
	const char *line = NULL;

	pthread_mutex_lock(&trace_lock);
	if (i >= 0 && (unsigned long)i < total - first)
		line = lines[(first + (unsigned long)i) % BPFEMU_TRACE_MAX_LINES];
	pthread_mutex_unlock(&trace_lock);
	return line;
}

int bpfemu_trace_copy_line(int i, char *buf, size_t size)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&trace_lock);
	if (i >= 0 && (unsigned long)i < total - first) {
		const char *line = lines[(first + (unsigned long)i) % BPFEMU_TRACE_MAX_LINES];

		ret = (int)strlen(line);
		if (size)
			snprintf(buf, size, "%s", line);
	}
	pthread_mutex_unlock(&trace_lock);
	return emu_err(ret);
}

bool bpfemu_trace_contains(const char *substr)
{
	bool found = false;
	unsigned long i;

	pthread_mutex_lock(&trace_lock);
	for (i = first; i < total && !found; i++)
		found = strstr(lines[i % BPFEMU_TRACE_MAX_LINES], substr) != NULL;
	pthread_mutex_unlock(&trace_lock);
	return found;
}

unsigned long bpfemu_trace_dropped(void)
{
	unsigned long n;

	pthread_mutex_lock(&trace_lock);
	n = first;
	pthread_mutex_unlock(&trace_lock);
	return n;
}

void bpfemu_trace_clear(void)
{
	pthread_mutex_lock(&trace_lock);
	first = 0;
	total = 0;
	pthread_mutex_unlock(&trace_lock);
}

void bpfemu_trace_set_echo(bool on)
{
	pthread_mutex_lock(&trace_lock);
	echo = on;
	echo_env_read = true;
	pthread_mutex_unlock(&trace_lock);
}

void bpfemu_trace_set_hook(bpfemu_trace_hook_fn fn, void *data)
{
	pthread_mutex_lock(&trace_lock);
	hook = fn;
	hook_data = data;
	pthread_mutex_unlock(&trace_lock);
}

void emu_trace_reset(void)
{
	pthread_mutex_lock(&trace_lock);
	first = 0;
	total = 0;
	echo = false;
	echo_env_read = false;
	hook = NULL;
	hook_data = NULL;
	pthread_mutex_unlock(&trace_lock);
}

static void __attribute__((constructor)) trace_register_reset(void)
{
	emu_reset_register(emu_trace_reset, EMU_RESET_TRACE);
}
