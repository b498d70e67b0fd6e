/* SPDX-License-Identifier: MIT */
/*
 * libbpf's common definitions, under libbpf's names: the export marker and
 * the opts-struct convention.  Every *_opts struct starts with `size_t sz`
 * (its size as the caller compiled it), ends with `size_t :0;`, and has a
 * <type>__last_field define; LIBBPF_OPTS() zeroes it, padding included, and
 * sets .sz.  The library accepts an older (smaller) struct, and refuses a
 * newer one whose fields it does not know with -EINVAL unless they are zero.
 */
#ifndef __LIBBPF_LIBBPF_COMMON_H
#define __LIBBPF_LIBBPF_COMMON_H

#include <string.h>

#include <bpfemu/export.h>

#ifndef LIBBPF_API
#define LIBBPF_API BPFEMU_API
#endif

#define LIBBPF_MAJOR_VERSION 1
#define LIBBPF_MINOR_VERSION 5

#define LIBBPF_DEPRECATED(msg) __attribute__((deprecated(msg)))

#define ___libbpf_cat(A, B) A ## B
#define ___libbpf_select(NAME, NUM) ___libbpf_cat(NAME, NUM)
#define ___libbpf_nth(_1, _2, _3, _4, _5, _6, N, ...) N
#define ___libbpf_cnt(...) ___libbpf_nth(__VA_ARGS__, 6, 5, 4, 3, 2, 1)
#define ___libbpf_overload(NAME, ...) ___libbpf_select(NAME, ___libbpf_cnt(__VA_ARGS__))(__VA_ARGS__)

/* Declare and zero-initialize an opts struct (padding included), .sz set. */
#define LIBBPF_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

/* Reinitialize an opts struct declared with LIBBPF_OPTS(). */
#define LIBBPF_OPTS_RESET(NAME, ...)					\
	do {								\
		typeof(NAME) ___##NAME = ({				\
			memset(&___##NAME, 0, sizeof(NAME));		\
			(typeof(NAME)) {				\
				.sz = sizeof(NAME),			\
				__VA_ARGS__				\
			};						\
		});							\
		memcpy(&NAME, &___##NAME, sizeof(NAME));		\
	} while (0)

#endif /* __LIBBPF_LIBBPF_COMMON_H */
