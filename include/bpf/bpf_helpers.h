/* SPDX-License-Identifier: MIT */
/*
 * libbpf's BPF-side <bpf/bpf_helpers.h>, for BPF C compiled natively
 * against bpfemu.
 *
 * Two modes:
 *   - BPFEMU_SCAN (bpfemu-gen's preprocessing run): SEC(), __uint(),
 *     __type(), __array(), __ulong() and __kconfig become marker calls that
 *     survive preprocessing, so the generator can find maps, programs and
 *     their attributes in the preprocessed text and rewrite them;
 *   - otherwise they expand as libbpf expands them, minus ELF sections
 *     (native objects have none; Mach-O refuses libbpf's section names).
 * Everything else expands the same in both modes.
 */
#ifndef __BPF_HELPERS__
#define __BPF_HELPERS__

#include "bpf_helper_defs.h"

/* BPF C uses NULL without <stddef.h>; libbpf defines it here too. */
#ifndef NULL
#define NULL ((void *)0)
#endif

#ifdef BPFEMU_SCAN
#define SEC(name)		__bpfemu_sec__(name)
#define __uint(name, val)	__bpfemu_uint__(name, val)
#define __type(name, val)	__bpfemu_type__(name, val)
#define __array(name, val)	__bpfemu_array__(name, val)
#define __ulong(name, val)	__bpfemu_ulong__(name, val)
#define __kconfig		__bpfemu_kconfig__
#else
#define SEC(name)		__attribute__((used))
/* Map attributes are carried in the types of the definition's members. */
#define __uint(name, val)	int (*name)[val]
#define __type(name, val)	typeof(val) *name
#define __array(name, val)	typeof(val) *name[]
#define __ulong(name, val)	enum { ___bpfemu_concat(__bpfemu_ulong_, __COUNTER__) = (val) } name
#define __kconfig
#endif

#define ___bpfemu_concat2(a, b)	a##b
#define ___bpfemu_concat(a, b)	___bpfemu_concat2(a, b)

/* Apple's compilers define __weak for Objective-C. */
#ifdef __weak
#undef __weak
#endif
#define __weak			__attribute__((weak))
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline		__attribute__((noinline))
#endif
#define __hidden		__attribute__((visibility("hidden")))
#ifndef __noreturn
#define __noreturn		__attribute__((noreturn))
#endif

/* __attribute__((preserve_access_index)) natively */
#include <bpfemu/core_attrs.h>

/* kfuncs are exported by bpfemu under their kernel names. */
#define __ksym
#define __kptr_untrusted
#define __kptr
#define __percpu_kptr
#define __uptr
#define __arg_ctx
#define __arg_nonnull
#define __arg_nullable
#define __arg_trusted
#define __arg_arena
#define __contains(name, node)
#define __bpf_fastcall
#define __arena

#ifndef offsetof
#define offsetof(type, member)	__builtin_offsetof(type, member)
#endif
#ifndef container_of
#define container_of(ptr, type, member)				\
	({							\
		void *__mptr = (void *)(ptr);			\
		((type *)((char *)__mptr - offsetof(type, member))); \
	})
#endif

#ifndef barrier
#define barrier()		__asm__ __volatile__("" : : : "memory")
#endif
#ifndef barrier_var
#define barrier_var(var)	__asm__ __volatile__("" : "+r"(var))
#endif
#ifndef __bpf_unreachable
#define __bpf_unreachable()	__builtin_unreachable()
#endif

/* A weak kfunc declaration that nothing defines resolves to NULL. */
#define bpf_ksym_exists(sym)	(!!(sym))

#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#endif

enum libbpf_pin_type {
	LIBBPF_PIN_NONE,
	/* pin at pin_root_path/<map name>, default /sys/fs/bpf */
	LIBBPF_PIN_BY_NAME,
};

enum libbpf_tristate {
	TRI_NO = 0,
	TRI_YES = 1,
	TRI_MODULE = 2,
};

/* Native tail calls would need bpf_tail_call; it is not emulated. */
#define bpf_tail_call_static(ctx, map, slot)	bpf_tail_call((ctx), (map), (slot))

/*
 * Argument plumbing for bpf_printk: count up to 12 arguments and cast each
 * to u64, which is how the kernel's printk helpers receive them.
 */
#define ___bpfemu_nth(_, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
#define ___bpfemu_narg(...)	___bpfemu_nth(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define ___bpfemu_u64(x)	((unsigned long long)(x))
#define ___bpfemu_cast1(a)	___bpfemu_u64(a)
#define ___bpfemu_cast2(a, ...)	___bpfemu_u64(a), ___bpfemu_cast1(__VA_ARGS__)
#define ___bpfemu_cast3(a, ...)	___bpfemu_u64(a), ___bpfemu_cast2(__VA_ARGS__)
#define ___bpfemu_cast4(a, ...)	___bpfemu_u64(a), ___bpfemu_cast3(__VA_ARGS__)
#define ___bpfemu_cast5(a, ...)	___bpfemu_u64(a), ___bpfemu_cast4(__VA_ARGS__)
#define ___bpfemu_cast6(a, ...)	___bpfemu_u64(a), ___bpfemu_cast5(__VA_ARGS__)
#define ___bpfemu_cast7(a, ...)	___bpfemu_u64(a), ___bpfemu_cast6(__VA_ARGS__)
#define ___bpfemu_cast8(a, ...)	___bpfemu_u64(a), ___bpfemu_cast7(__VA_ARGS__)
#define ___bpfemu_cast9(a, ...)	___bpfemu_u64(a), ___bpfemu_cast8(__VA_ARGS__)
#define ___bpfemu_cast10(a, ...) ___bpfemu_u64(a), ___bpfemu_cast9(__VA_ARGS__)
#define ___bpfemu_cast11(a, ...) ___bpfemu_u64(a), ___bpfemu_cast10(__VA_ARGS__)
#define ___bpfemu_cast12(a, ...) ___bpfemu_u64(a), ___bpfemu_cast11(__VA_ARGS__)
#define ___bpfemu_casts(...)	\
	___bpfemu_concat(___bpfemu_cast, ___bpfemu_narg(__VA_ARGS__))(__VA_ARGS__)

/* No argument, or up to three: bpf_trace_printk, each argument as a u64. */
#define ___bpfemu_printk_0(fmt)							\
	({									\
		static const char ___fmt[] = fmt;				\
		bpf_trace_printk(___fmt, sizeof(___fmt));			\
	})
#define ___bpfemu_printk_short(fmt, ...)					\
	({									\
		static const char ___fmt[] = fmt;				\
		bpf_trace_printk(___fmt, sizeof(___fmt), ___bpfemu_casts(__VA_ARGS__)); \
	})

/* More: bpf_trace_vprintk with the arguments packed in a u64 array. */
#define ___bpfemu_printk_long(fmt, ...)						\
	({									\
		static const char ___fmt[] = fmt;				\
		unsigned long long ___param[] = { ___bpfemu_casts(__VA_ARGS__) }; \
		bpf_trace_vprintk(___fmt, sizeof(___fmt), ___param, sizeof(___param)); \
	})

#define ___bpfemu_printk_1	___bpfemu_printk_short
#define ___bpfemu_printk_2	___bpfemu_printk_short
#define ___bpfemu_printk_3	___bpfemu_printk_short
#define ___bpfemu_printk_4	___bpfemu_printk_long
#define ___bpfemu_printk_5	___bpfemu_printk_long
#define ___bpfemu_printk_6	___bpfemu_printk_long
#define ___bpfemu_printk_7	___bpfemu_printk_long
#define ___bpfemu_printk_8	___bpfemu_printk_long
#define ___bpfemu_printk_9	___bpfemu_printk_long
#define ___bpfemu_printk_10	___bpfemu_printk_long
#define ___bpfemu_printk_11	___bpfemu_printk_long
#define ___bpfemu_printk_12	___bpfemu_printk_long

#define bpf_printk(fmt, ...)							\
	___bpfemu_concat(___bpfemu_printk_, ___bpfemu_narg(__VA_ARGS__))(fmt, ##__VA_ARGS__)

/*
 * Open-coded loops.  In the kernel they are iterator kfuncs the verifier
 * can bound; natively a plain loop has the same effect.
 */
#define bpf_for(i, start, end)	for ((i) = (start); (i) < (end); (i)++)
#define bpf_repeat(N)							\
	for (int ___bpfemu_rep = 0; ___bpfemu_rep < (N); ___bpfemu_rep++)

#endif /* __BPF_HELPERS__ */
