/* SPDX-License-Identifier: MIT */
/*
 * Verifier-rule diagnostics.  Kept in a bounded in-memory log that tests
 * read (bpfemu_diag_*), and echoed to stderr unless silenced.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpfemu/core.h>

#include "ctx.h"
#include "err.h"

#define DIAG_MAX 64		/* entries kept; older ones are dropped */
#define DIAG_LEN 256

struct diag_entry {
	char rule[48];
	char msg[DIAG_LEN];
};

static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
static struct diag_entry diag_log[DIAG_MAX];
static unsigned long diag_total;	/* ever recorded since the last clear */
static bool diag_echo = true;

static void diag_record(const char *rule, const char *fmt, va_list ap)
{
	struct diag_entry *e;

	pthread_mutex_lock(&diag_lock);
	e = &diag_log[diag_total % DIAG_MAX];
	snprintf(e->rule, sizeof(e->rule), "%s", rule);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	diag_total++;
	if (diag_echo)
		fprintf(stderr, "bpfemu: %s: %s\n", e->rule, e->msg);
	pthread_mutex_unlock(&diag_lock);
}

void emu_diag(const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_record(rule, fmt, ap);
	va_end(ap);
}

void emu_verifier_reject(int err, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_record(rule, fmt, ap);
	va_end(ap);
	if (emu_ctx.depth > 0 && emu_ctx.reject_jb) {
		emu_ctx.reject_err = err;
		longjmp(*emu_ctx.reject_jb, 1);
	}
}

void emu_reject_mem_arg(const char *helper, int regno)
{
	emu_verifier_reject(-EACCES, "mem_arg_null",
			    "%s: R%d type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
			    helper, regno);
}

bool emu_mem_size_arg_ok(const void *p, uint32_t size, const char *helper, int regno)
{
	if (!emu_mem_arg_ok(p, helper, regno))
		return false;
	if (size)
		return true;
	emu_verifier_reject(-EACCES, "zero_size_buffer", "%s: R%d invalid zero-sized read", helper,
			    regno + 1);
	return false;
}

int bpfemu_diag_count(void)
{
	int n;

	pthread_mutex_lock(&diag_lock);
	n = diag_total < DIAG_MAX ? (int)diag_total : DIAG_MAX;
	pthread_mutex_unlock(&diag_lock);
	return n;
}

int bpfemu_diag_get(int idx, const char **rule, const char **msg)
{
	int n, ret = -EINVAL;

	pthread_mutex_lock(&diag_lock);
	n = diag_total < DIAG_MAX ? (int)diag_total : DIAG_MAX;
	if (idx >= 0 && idx < n) {
		/* idx 0 = oldest kept entry */
		struct diag_entry *e = &diag_log[(diag_total - n + idx) % DIAG_MAX];

		if (rule)
			*rule = e->rule;
		if (msg)
			*msg = e->msg;
		ret = 0;
	}
	pthread_mutex_unlock(&diag_lock);
	return emu_err(ret);
}

bool bpfemu_diag_has(const char *rule)
{
	int i, n = bpfemu_diag_count();
	const char *r;

	for (i = 0; i < n; i++)
		if (!bpfemu_diag_get(i, &r, NULL) && !strcmp(r, rule))
			return true;
	return false;
}

void bpfemu_diag_clear(void)
{
	pthread_mutex_lock(&diag_lock);
	diag_total = 0;
	pthread_mutex_unlock(&diag_lock);
}

void bpfemu_diag_set_echo(bool on)
{
	pthread_mutex_lock(&diag_lock);
	diag_echo = on;
	pthread_mutex_unlock(&diag_lock);
}
