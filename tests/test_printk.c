/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk / bpf_trace_vprintk against what Linux 6.18 printed.
 *
 * The golden table below was recorded on a 6.18 x86-64 kernel: a raw_tp
 * program called bpf_trace_printk / bpf_trace_vprintk with each format and
 * argument list, and the return value and the trace_pipe line were kept.
 * %p/%pK (hashed with a per-boot key) are checked for shape only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>

#include "ctx.h"

/* Markers replaced at run time by the addresses of the strings below. */
#define ARG_S0	0x7e57000000000000ULL
#define ARG_S1	(ARG_S0 + 1)
#define ARG_S2	(ARG_S0 + 2)
#define ARG_S3	(ARG_S0 + 3)
#define ARG_IP4	(ARG_S0 + 4)
#define ARG_IP6	(ARG_S0 + 5)

static char s0[] = "hello";
static char s1[] = "";
static char s2[601];			/* 600 x 'a' */
static char s3[] = "wor ld";
static unsigned char ip4[4] = { 1, 2, 3, 4 };
static unsigned char ip6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x02, 0xb3, 0xff, 0xfe, 0x1e, 0x83, 0x29 };

struct golden {
	int mode;		/* 0: bpf_trace_printk, 1: bpf_trace_vprintk */
	int fmt_run;		/* the format starts with this many 'L' */
	const char *fmt;	/* then this (may hold a NUL: see fmt_len) */
	unsigned int fmt_len;	/* whole format, without the final NUL */
	int fmt_size;		/* -1: fmt_len + 1 */
	int data_len;		/* -1: nargs * 8 */
	uint64_t args[12];
	int nargs;
	long ret;
	char text_c;		/* the trace line starts with text_run x text_c */
	int text_run;
	const char *text;	/* then this; NULL: nothing traced */
	/* bpfemu knowingly differs (the reason); checked by its own test. */
	const char *differs;
};

static const struct golden golden[] = {
	{ .mode = 0, .fmt = "%d|%i|%u", .fmt_len = 8, .fmt_size = -1, .data_len = -1,
	  .args = { 0xfffffffffffffffbULL, 0xfffffffffffffffbULL, 0xfffffffffffffffbULL }, .nargs = 3, .ret = 16, .text = "-5|-5|4294967291" },
	{ .mode = 0, .fmt = "%x|%X|%lx", .fmt_len = 9, .fmt_size = -1, .data_len = -1,
	  .args = { 0xffULL, 0xffULL, 0xffffffffffffffffULL }, .nargs = 3, .ret = 22, .text = "ff|FF|ffffffffffffffff" },
	{ .mode = 0, .fmt = "%ld|%lld|%llu", .fmt_len = 13, .fmt_size = -1, .data_len = -1,
	  .args = { 0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL }, .nargs = 3, .ret = 26, .text = "-1|-1|18446744073709551615" },
	{ .mode = 0, .fmt = "%lu %llx %llX", .fmt_len = 13, .fmt_size = -1, .data_len = -1,
	  .args = { 0xffffffffffffffffULL, 0xabcdef0123ULL, 0xabcdef0123ULL }, .nargs = 3, .ret = 42, .text = "18446744073709551615 abcdef0123 ABCDEF0123" },
	{ .mode = 0, .fmt = "%d|%u|%x", .fmt_len = 8, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ffffffffULL, 0x1ffffffffULL, 0x1ffffffffULL }, .nargs = 3, .ret = 22, .text = "-1|4294967295|ffffffff" },
	{ .mode = 0, .fmt = "%li|%lli|%lX", .fmt_len = 12, .fmt_size = -1, .data_len = -1,
	  .args = { 0xfffffffffffffff9ULL, 0xfffffffffffffff9ULL, 0xfffffffffffffff9ULL }, .nargs = 3, .ret = 22, .text = "-7|-7|FFFFFFFFFFFFFFF9" },
	{ .mode = 0, .fmt = "[%5d][%-5d][%05d]", .fmt_len = 17, .fmt_size = -1, .data_len = -1,
	  .args = { 0x2aULL, 0x2aULL, 0x2aULL }, .nargs = 3, .ret = 21, .text = "[   42][42   ][00042]" },
	{ .mode = 0, .fmt = "[%+d][% d][%+05d]", .fmt_len = 17, .fmt_size = -1, .data_len = -1,
	  .args = { 0x2aULL, 0x2aULL, 0x2aULL }, .nargs = 3, .ret = 17, .text = "[+42][ 42][+0042]" },
	{ .mode = 0, .fmt = "[%-05d][%0-5d][%+ d]", .fmt_len = 20, .fmt_size = -1, .data_len = -1,
	  .args = { 0x2aULL, 0x2aULL, 0x2aULL }, .nargs = 3, .ret = 19, .text = "[42   ][42   ][+42]" },
	{ .mode = 0, .fmt = "[%05d][%+u][% x]", .fmt_len = 16, .fmt_size = -1, .data_len = -1,
	  .args = { 0xffffffffffffffd6ULL, 0x2aULL, 0x2aULL }, .nargs = 3, .ret = 15, .text = "[-0042][42][2a]" },
	{ .mode = 0, .fmt = "[%08x][%-8X][%8lx]", .fmt_len = 18, .fmt_size = -1, .data_len = -1,
	  .args = { 0xbeefULL, 0xbeefULL, 0xbeefULL }, .nargs = 3, .ret = 30, .text = "[0000beef][BEEF    ][    beef]" },
	{ .mode = 0, .fmt = "[%c][%3c][%-3c]", .fmt_len = 15, .fmt_size = -1, .data_len = -1,
	  .args = { 0x41ULL, 0x42ULL, 0x43ULL }, .nargs = 3, .ret = 13, .text = "[A][  B][C  ]" },
	{ .mode = 0, .fmt = "[%05c][%c]", .fmt_len = 10, .fmt_size = -1, .data_len = -1,
	  .args = { 0x41ULL, 0x141ULL }, .nargs = 2, .ret = 10, .text = "[    A][A]" },
	{ .mode = 0, .fmt = "[%c]x", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = 4, .text = "[" },
	{ .mode = 0, .fmt = "[%s][%10s][%-10s]", .fmt_len = 17, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0, ARG_S0, ARG_S0 }, .nargs = 3, .ret = 31, .text = "[hello][     hello][hello     ]" },
	{ .mode = 0, .fmt = "[%05s][%s][%s]", .fmt_len = 14, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0, ARG_S1, ARG_S3 }, .nargs = 3, .ret = 17, .text = "[hello][][wor ld]" },
	{ .mode = 0, .fmt = "[%s]", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = 2, .text = "[]" },
	{ .mode = 0, .fmt = "[%s]", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = 2, .text = "[]" },
	{ .mode = 0, .fmt = "[%p]", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = 18, .text = "[0000000000000000]" },
	{ .mode = 0, .fmt = "[%px]", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = 18, .text = "[0000000000000000]" },
	{ .mode = 0, .fmt = "[%pI4][%pi4]", .fmt_len = 12, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP4, ARG_IP4 }, .nargs = 2, .ret = 26, .text = "[1.2.3.4][001.002.003.004]" },
	{ .mode = 0, .fmt = "[%pI6]", .fmt_len = 6, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP6 }, .nargs = 1, .ret = 41, .text = "[fe80:0000:0000:0000:0202:b3ff:fe1e:8329]" },
	{ .mode = 0, .fmt = "[%pi6]", .fmt_len = 6, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP6 }, .nargs = 1, .ret = 34, .text = "[fe800000000000000202b3fffe1e8329]" },
	{ .mode = 0, .fmt = "[%pI4]", .fmt_len = 6, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = 9, .text = "[0.0.0.0]" },
	{ .mode = 0, .fmt = "[%pks][%pus]", .fmt_len = 12, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0, ARG_S0 }, .nargs = 2, .ret = 9, .text = "[hello][]",
	  .differs = "a user-space emulator cannot tell kernel from user pointers: %pus reads them" },
	{ .mode = 0, .fmt = "[%ps]", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1234ULL }, .nargs = 1, .ret = 8, .text = "[0x1234]" },
	{ .mode = 0, .fmt = "[%pS]", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1234ULL }, .nargs = 1, .ret = 8, .text = "[0x1234]" },
	{ .mode = 0, .fmt = "[%pB]", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1234ULL }, .nargs = 1, .ret = 8, .text = "[0x1234]" },
	{ .mode = 0, .fmt = "[%10pI4][%20px]", .fmt_len = 15, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP4, 0x1234ULL }, .nargs = 2, .ret = 31, .text = "[1.2.3.4][                1234]" },
	{ .mode = 0, .fmt = "[%pI6c]", .fmt_len = 7, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP6 }, .nargs = 1, .ret = 41, .text = "[fe80:0000:0000:0000:0202:b3ff:fe1e:8329]" },
	{ .mode = 0, .fmt = "[%pI4x]", .fmt_len = 7, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP4 }, .nargs = 1, .ret = 9, .text = "[1.2.3.4]" },
	{ .mode = 0, .fmt = "[%10pks][%-8s]", .fmt_len = 14, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0, ARG_S0 }, .nargs = 2, .ret = 17, .text = "[hello][hello   ]" },
	{ .mode = 0, .fmt = "%sx", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0 }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%s.", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0 }, .nargs = 1, .ret = 6, .text = "hello." },
	{ .mode = 0, .fmt = "%pa", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%pIx", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%pz", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { 0x0ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%%d %d", .fmt_len = 6, .fmt_size = -1, .data_len = -1,
	  .args = { 0x7ULL }, .nargs = 1, .ret = 4, .text = "%d 7" },
	{ .mode = 0, .fmt = "%d %d %d %d", .fmt_len = 11, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL, 0x2ULL, 0x3ULL }, .nargs = 3, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%d %d", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = 3, .text = "1 0" },
	{ .mode = 0, .fmt = "%hd", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%.2d", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%*d", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL, 0x2ULL }, .nargs = 2, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%o", .fmt_len = 2, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%lllx", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%z", .fmt_len = 2, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%", .fmt_len = 1, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "%5", .fmt_len = 2, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "\001abc", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "\200abc", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 4, .text = "\200abc" },
	{ .mode = 0, .fmt = "tab\there\013", .fmt_len = 9, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 9, .text = "tab\there\013" },
	{ .mode = 0, .fmt = "abc", .fmt_len = 3, .fmt_size = 3, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt = "abc\000def", .fmt_len = 7, .fmt_size = 8, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 3, .text = "abc" },
	{ .mode = 0, .fmt = "hello", .fmt_len = 5, .fmt_size = 1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = -22, .text = NULL },
	{ .mode = 0, .fmt_run = 1100, .fmt = "", .fmt_len = 1100, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 1100, .text_c = 'L', .text_run = 1023, .text = "" },
	{ .mode = 0, .fmt_run = 1020, .fmt = "%d", .fmt_len = 1022, .fmt_size = -1, .data_len = -1,
	  .args = { 0x3039ULL }, .nargs = 1, .ret = 1025, .text_c = 'L', .text_run = 1020, .text = "123" },
	{ .mode = 0, .fmt_run = 1030, .fmt = "[%pI4]", .fmt_len = 1036, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_IP4 }, .nargs = 1, .ret = 1032, .text_c = 'L', .text_run = 1023, .text = "" },
	{ .mode = 0, .fmt_run = 1030, .fmt = "[%s]", .fmt_len = 1034, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S0 }, .nargs = 1, .ret = 1037, .text_c = 'L', .text_run = 1023, .text = "" },
	{ .mode = 0, .fmt_run = 1022, .fmt = "%d%d", .fmt_len = 1026, .fmt_size = -1, .data_len = -1,
	  .args = { 0x5ULL, 0x6ULL }, .nargs = 2, .ret = 1024, .text_c = 'L', .text_run = 1022, .text = "5" },
	{ .mode = 0, .fmt = "%s", .fmt_len = 2, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2 }, .nargs = 1, .ret = 511, .text_c = 'a', .text_run = 511, .text = "" },
	{ .mode = 0, .fmt = "%%%%", .fmt_len = 4, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 2, .text = "%%" },
	{ .mode = 0, .fmt = "%123456789d", .fmt_len = 11, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL }, .nargs = 1, .ret = 8388607, .text_c = ' ', .text_run = 1023, .text = "" },
	{ .mode = 0, .fmt = "a\nb", .fmt_len = 3, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 3, .text = "a\nb" },
	{ .mode = 0, .fmt = "end\n\n", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = {  }, .nargs = 0, .ret = 5, .text = "end\n\n" },
	{ .mode = 1, .fmt = "%d %d %d %d %d %d %d %d %d %d %d %d", .fmt_len = 35, .fmt_size = -1, .data_len = -1,
	  .args = { 0x1ULL, 0x2ULL, 0x3ULL, 0x4ULL, 0x5ULL, 0x6ULL, 0x7ULL, 0x8ULL, 0x9ULL, 0xaULL, 0xbULL, 0xcULL }, .nargs = 12, .ret = 26, .text = "1 2 3 4 5 6 7 8 9 10 11 12" },
	{ .mode = 1, .fmt = "%d", .fmt_len = 2, .fmt_size = -1, .data_len = 8,
	  .args = { 0x1ULL }, .nargs = 1, .ret = 1, .text = "1" },
	{ .mode = 1, .fmt = "%d", .fmt_len = 2, .fmt_size = -1, .data_len = 12,
	  .args = { 0x1ULL, 0x2ULL }, .nargs = 2, .ret = -22, .text = NULL },
	{ .mode = 1, .fmt = "%d %d", .fmt_len = 5, .fmt_size = -1, .data_len = 8,
	  .args = { 0x1ULL }, .nargs = 1, .ret = -22, .text = NULL },
	{ .mode = 1, .fmt = "hello", .fmt_len = 5, .fmt_size = -1, .data_len = 0,
	  .args = {  }, .nargs = 0, .ret = 5, .text = "hello" },
	{ .mode = 1, .fmt = "%s %s", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2, ARG_S2 }, .nargs = 2, .ret = -28, .text = NULL },
	{ .mode = 1, .fmt = "%s %d", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2, 0x5ULL }, .nargs = 2, .ret = -28, .text = NULL },
	{ .mode = 1, .fmt = "%s %c", .fmt_len = 5, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2, 0x41ULL }, .nargs = 2, .ret = -28, .text = NULL },
	{ .mode = 1, .fmt = "%s %pI4", .fmt_len = 7, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2, ARG_IP4 }, .nargs = 2, .ret = -28, .text = NULL },
	{ .mode = 1, .fmt = "%s", .fmt_len = 2, .fmt_size = -1, .data_len = -1,
	  .args = { ARG_S2 }, .nargs = 1, .ret = 511, .text_c = 'a', .text_run = 511, .text = "" },
	{ .mode = 1, .fmt = "%d %d %d %d %d %d %d %d %d %d %d %d %d", .fmt_len = 38, .fmt_size = -1, .data_len = 96,
	  .args = { 0x1ULL, 0x2ULL, 0x3ULL, 0x4ULL, 0x5ULL, 0x6ULL, 0x7ULL, 0x8ULL, 0x9ULL, 0xaULL, 0xbULL, 0xcULL }, .nargs = 12, .ret = -22, .text = NULL },
	{ .mode = 1, .fmt = "%s", .fmt_len = 2, .fmt_size = 3, .data_len = -1,
	  .args = { ARG_S0 }, .nargs = 1, .ret = 5, .text = "hello" },
	{ .mode = 1, .fmt = "\001", .fmt_len = 1, .fmt_size = -1, .data_len = 0,
	  .args = {  }, .nargs = 0, .ret = -22, .text = NULL },
	{ .mode = 1, .fmt = "%d", .fmt_len = 2, .fmt_size = -1, .data_len = 16,
	  .args = { 0x1ULL, 0x2ULL }, .nargs = 2, .ret = 1, .text = "1" },
};

static int test_setup(void **state)
{
	(void)state;
	memset(s2, 'a', 600);
	bpfemu_diag_set_echo(false);
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_reset(), 0);
	return 0;
}

static uint64_t resolve(uint64_t v)
{
	void *p[] = { s0, s1, s2, s3, ip4, ip6 };

	if (v >= ARG_S0 && v <= ARG_IP6)
		return (uint64_t)(uintptr_t)p[v - ARG_S0];
	return v;
}

static long call(const struct golden *g, char *fmt)
{
	uint64_t a[12] = { 0 };
	uint32_t size = g->fmt_size < 0 ? g->fmt_len + 1 : (uint32_t)g->fmt_size;
	int i;

	for (i = 0; i < g->nargs; i++)
		a[i] = resolve(g->args[i]);
	if (g->mode == 0)
		return bpfemu_helper_trace_printk(fmt, size, a[0], a[1], a[2]);
	return bpfemu_helper_trace_vprintk(fmt, size, a,
					   g->data_len < 0 ? (uint32_t)g->nargs * 8 : (uint32_t)g->data_len);
}

static void test_every_format_returns_and_prints_what_linux_6_18_did(void **state)
{
	char fmt[2048], want[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const struct golden *g = &golden[i];
		long ret;

		if (g->differs)
			continue;
		memset(fmt, 0, sizeof(fmt));
		memset(fmt, 'L', (size_t)g->fmt_run);
		memcpy(fmt + g->fmt_run, g->fmt, g->fmt_len - (unsigned int)g->fmt_run);
		bpfemu_trace_clear();
		ret = call(g, fmt);
		if (ret != g->ret)
			fail_msg("case %zu (\"%.40s\"): returned %ld, Linux %ld", i, g->fmt, ret, g->ret);
		if (!g->text) {
			assert_int_equal(bpfemu_trace_count(), 0);
			continue;
		}
		memset(want, g->text_c, (size_t)g->text_run);
		strcpy(want + g->text_run, g->text);
		assert_int_equal(bpfemu_trace_count(), 1);
		if (strcmp(bpfemu_trace_line(0), want))
			fail_msg("case %zu (\"%.40s\"): printed \"%.80s\", Linux \"%.80s\"", i, g->fmt,
				 bpfemu_trace_line(0), want);
	}
}

static void test_plain_p_and_pk_print_a_32_bit_hash_zero_padded_to_16(void **state)
{
	const char *line;

	(void)state;
	assert_int_equal(bpfemu_helper_trace_printk("[%p][%pK]", 10, 0x1234ULL, 0x1234ULL), 36);
	line = bpfemu_trace_line(0);
	assert_int_equal(strlen(line), 36);
	assert_memory_equal(line, "[00000000", 9);
	/* Same pointer, same hash, for %p and %pK (kptr_restrict 0). */
	assert_memory_equal(line + 1, line + 19, 16);
	/* NULL and error pointers are printed as they are. */
	assert_int_equal(bpfemu_helper_trace_printk("%p %p", 6, 0ULL, (uint64_t)-22), 33);
	assert_string_equal(bpfemu_trace_line(1), "0000000000000000 ffffffffffffffea");
}

static void test_symbol_conversions_name_native_functions(void **state)
{
	char want[64];

	(void)state;
	assert_true(bpfemu_helper_trace_printk("%ps", 4, (uint64_t)(uintptr_t)bpfemu_live_objects) > 0);
	/* A symbol dladdr() can see, or the kernel's "0x..." for unknown. */
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)(uintptr_t)bpfemu_live_objects);
	assert_true(!strcmp(bpfemu_trace_line(0), "bpfemu_live_objects") ||
		    !strcmp(bpfemu_trace_line(0), want));
}

static void test_pus_reads_the_string_where_the_kernel_finds_no_user_memory(void **state)
{
	(void)state;
	/* On 6.18 "[%pks][%pus]" of a map value printed "[hello][]": the
	 * address is kernel memory, which a user read cannot see.  Natively
	 * every address is ours, so both read the string. */
	assert_int_equal(bpfemu_helper_trace_printk("[%pks][%pus]", 13, (uint64_t)(uintptr_t)s0,
						    (uint64_t)(uintptr_t)s0), 14);
	assert_string_equal(bpfemu_trace_line(0), "[hello][hello]");
}

static void test_vprintk_without_an_array_but_with_a_length_is_einval(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_trace_vprintk("%d", 3, NULL, 8), -EINVAL);
	assert_int_equal(bpfemu_helper_trace_vprintk("x", 2, NULL, 0), 1);
	/* 13 arguments is one too many, before the format is even read. */
	assert_int_equal(bpfemu_helper_trace_vprintk("x", 2, s2, 104), -EINVAL);
	assert_int_equal(bpfemu_helper_trace_printk(NULL, 4), -EINVAL);
	assert_int_equal(bpfemu_helper_trace_vprintk(NULL, 4, NULL, 0), -EINVAL);
}

static void test_an_unreadable_string_or_address_prints_empty_or_zero(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_trace_printk("[%s][%pI4][%pi6]", 17, 16ULL, 0ULL, 8ULL), 45);
	assert_string_equal(bpfemu_trace_line(0), "[][0.0.0.0][00000000000000000000000000000000]");
}

/*
 * The verifier checks no argument of bpf_printk: bpf_printk("%s", pid)
 * loads, and 6.18 prints an empty string for it ("s=[%s]" of 12345678 is
 * "s=[]", and "%pI4" of 0x10000 "0.0.0.0", read back through
 * bpf_snprintf).  Such pointers used to be read natively: SIGSEGV.
 */
static void test_a_wild_string_or_address_prints_empty_or_zero_instead_of_faulting(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const char *want = "[0.0.0.0][0000:0000:0000:0000:0000:0000:0000:0000][]";
	uint64_t args[3];
	char *m, *end;

	(void)state;
	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + page, page, PROT_NONE), 0);
	/* readable up to the page end, where no NUL comes: the copy faults
	 * before the string ends, and the kernel then prints nothing at all */
	end = m + page - 3;
	memcpy(end, "abc", 3);

	assert_int_equal(bpfemu_helper_trace_printk("[%s][%s][%s]", 13, 12345678ULL,
						    (uint64_t)(uintptr_t)(m + page),
						    (uint64_t)(uintptr_t)end), 6);
	assert_string_equal(bpfemu_trace_line(0), "[][][]");
	/* an address whose last two bytes cannot be read, and two that cannot
	 * be read at all */
	args[0] = (uint64_t)(uintptr_t)(m + page - 2);
	args[1] = (uint64_t)(uintptr_t)(m + page);
	args[2] = 0x10000;
	assert_int_equal(bpfemu_helper_trace_vprintk("[%pI4][%pI6][%pks]", 19, args, sizeof(args)),
			 (long)strlen(want));
	assert_string_equal(bpfemu_trace_line(1), want);
	munmap(m, 2 * page);
}

static int nested_rets[8];
static int nested_depth;

static void nesting_hook(const char *text, void *data)
{
	(void)text;
	(void)data;
	int me;

	if (nested_depth >= 8)
		return;
	me = nested_depth++;
	nested_rets[me] = (int)bpfemu_helper_trace_printk("n", 2);
}

static void test_a_fourth_nested_printk_is_ebusy(void **state)
{
	(void)state;
	nested_depth = 0;
	bpfemu_trace_set_hook(nesting_hook, NULL);
	assert_int_equal(bpfemu_helper_trace_printk("x", 2), 1);
	/* Levels 2 and 3 print; level 4 gets -EBUSY and stops the chain. */
	assert_int_equal(nested_depth, 3);
	assert_int_equal(nested_rets[0], 1);
	assert_int_equal(nested_rets[1], 1);
	assert_int_equal(nested_rets[2], -EBUSY);
	assert_int_equal(bpfemu_trace_count(), 3);
	bpfemu_trace_set_hook(NULL, NULL);
	/* The level is released after each call. */
	assert_int_equal(bpfemu_helper_trace_printk("y", 2), 1);
}

static void test_no_nul_within_fmt_size_is_einval_before_anything_else(void **state)
{
	(void)state;
	nested_depth = 0;
	bpfemu_trace_set_hook(nesting_hook, NULL);
	assert_int_equal(bpfemu_helper_trace_printk("abc", 3), -EINVAL);
	assert_int_equal(bpfemu_helper_trace_printk("abc", 0), -EINVAL);
	assert_int_equal(nested_depth, 0);
	assert_int_equal(bpfemu_trace_count(), 0);
}

static void test_the_buffer_keeps_the_latest_lines_and_counts_the_dropped(void **state)
{
	char buf[8];
	int i;

	(void)state;
	for (i = 0; i < BPFEMU_TRACE_MAX_LINES + 5; i++)
		bpfemu_helper_trace_printk("%d", 3, (uint64_t)i);
	assert_int_equal(bpfemu_trace_count(), BPFEMU_TRACE_MAX_LINES);
	assert_int_equal(bpfemu_trace_dropped(), 5);
	assert_string_equal(bpfemu_trace_line(0), "5");
	assert_true(bpfemu_trace_contains("1028"));
	assert_false(bpfemu_trace_contains("zzz"));
	assert_null(bpfemu_trace_line(BPFEMU_TRACE_MAX_LINES));
	assert_null(bpfemu_trace_line(-1));
	assert_int_equal(bpfemu_trace_copy_line(1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "6");
	errno = 0;
	assert_int_equal(bpfemu_trace_copy_line(BPFEMU_TRACE_MAX_LINES, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(errno, ENOENT);
	bpfemu_trace_clear();
	assert_int_equal(bpfemu_trace_count(), 0);
	assert_int_equal(bpfemu_trace_dropped(), 0);
}

static void test_printing_never_allocates(void **state)
{
	long before = bpfemu_live_objects();

	(void)state;
	bpfemu_fault_inject_nth(1);
	assert_int_equal(bpfemu_helper_trace_printk("ok %s", 6, (uint64_t)(uintptr_t)s0), 8);
	assert_int_equal(bpfemu_fault_injected(), 0);
	bpfemu_fault_inject_nth(0);
	assert_int_equal(bpfemu_live_objects(), before);
}

static void test_echo_can_be_turned_on_and_reset_turns_it_off(void **state)
{
	(void)state;
	bpfemu_task_set_comm("echo-test");
	bpfemu_trace_set_echo(true);
	assert_int_equal(bpfemu_helper_trace_printk("echoed to stderr\n", 18), 17);
	assert_string_equal(bpfemu_trace_line(0), "echoed to stderr\n");
	assert_int_equal(bpfemu_reset(), 0);
	assert_int_equal(bpfemu_trace_count(), 0);
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_every_format_returns_and_prints_what_linux_6_18_did),
		T(test_plain_p_and_pk_print_a_32_bit_hash_zero_padded_to_16),
		T(test_symbol_conversions_name_native_functions),
		T(test_pus_reads_the_string_where_the_kernel_finds_no_user_memory),
		T(test_vprintk_without_an_array_but_with_a_length_is_einval),
		T(test_an_unreadable_string_or_address_prints_empty_or_zero),
		T(test_a_wild_string_or_address_prints_empty_or_zero_instead_of_faulting),
		T(test_a_fourth_nested_printk_is_ebusy),
		T(test_no_nul_within_fmt_size_is_einval_before_anything_else),
		T(test_the_buffer_keeps_the_latest_lines_and_counts_the_dropped),
		T(test_printing_never_allocates),
		T(test_echo_can_be_turned_on_and_reset_turns_it_off),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
