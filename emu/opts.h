/* SPDX-License-Identifier: MIT */
/*
 * libbpf's "opts" convention, in one place (libbpf_internal.h's OPTS_VALID,
 * OPTS_HAS, OPTS_GET): every *_opts struct starts with `size_t sz`, so an
 * old binary passing a smaller struct works with a newer library (fields
 * past its sz read as the fallback), and a newer binary passing a larger
 * struct works as long as the fields this library does not know are zero.
 */
#ifndef BPFEMU_EMU_OPTS_H
#define BPFEMU_EMU_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#ifndef offsetofend
#define offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
#endif

/* NULL is valid (defaults); otherwise sz >= sizeof(size_t) and every byte
 * past the @known_sz this library understands is zero. */
static inline bool emu_opts_valid(const void *opts, size_t known_sz)
{
	const unsigned char *p = opts;
	size_t user_sz, i;

	if (!opts)
		return true;
	user_sz = *(const size_t *)opts;
	if (user_sz < sizeof(size_t))
		return false;
	for (i = known_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}

/* @type is the struct's tag without "struct": libbpf's headers define
 * <type>__last_field for each opts struct. */
#define OPTS_VALID(opts, type) \
	emu_opts_valid(opts, offsetofend(struct type, type##__last_field))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetofend(__typeof__(*(opts)), field))
#define OPTS_GET(opts, field, fallback) \
	(OPTS_HAS(opts, field) ? (opts)->field : (fallback))

#endif /* BPFEMU_EMU_OPTS_H */
