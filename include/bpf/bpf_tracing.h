/* SPDX-License-Identifier: MIT */
/*
 * libbpf's <bpf/bpf_tracing.h> for native BPF C.
 *
 * BPF_PROG(name, args...) works as in libbpf: the program receives the
 * raw context `unsigned long long *ctx` (what bpf_prog_test_run_opts'
 * ctx_in holds for tracing programs) and the body sees typed arguments
 * ctx[0], ctx[1]...  The conversions from u64 to the argument types are the
 * point, hence the -Wint-conversion pragma, as in libbpf.
 *
 * Kprobe contexts are emulated without an architecture: a struct pt_regs
 * is read as an array of u64 where slot i (0-based) is argument i+1, and
 * slot 0 also holds the return value for kretprobes (PT_REGS_RC).
 */
#ifndef __BPF_TRACING_H__
#define __BPF_TRACING_H__

#include "bpf_helpers.h"

struct pt_regs;

#define ___bpfemu_regs(x)	((unsigned long long *)(x))
#define PT_REGS_PARM1(x)	(___bpfemu_regs(x)[0])
#define PT_REGS_PARM2(x)	(___bpfemu_regs(x)[1])
#define PT_REGS_PARM3(x)	(___bpfemu_regs(x)[2])
#define PT_REGS_PARM4(x)	(___bpfemu_regs(x)[3])
#define PT_REGS_PARM5(x)	(___bpfemu_regs(x)[4])
#define PT_REGS_PARM6(x)	(___bpfemu_regs(x)[5])
#define PT_REGS_PARM7(x)	(___bpfemu_regs(x)[6])
#define PT_REGS_PARM8(x)	(___bpfemu_regs(x)[7])
#define PT_REGS_RC(x)		(___bpfemu_regs(x)[0])
#define PT_REGS_PARM1_CORE(x)	PT_REGS_PARM1(x)
#define PT_REGS_PARM2_CORE(x)	PT_REGS_PARM2(x)
#define PT_REGS_PARM3_CORE(x)	PT_REGS_PARM3(x)
#define PT_REGS_PARM4_CORE(x)	PT_REGS_PARM4(x)
#define PT_REGS_PARM5_CORE(x)	PT_REGS_PARM5(x)
#define PT_REGS_RC_CORE(x)	PT_REGS_RC(x)

/* ctx[0], ctx[1], ... converted to each declared argument in turn.  Each
 * expands with its leading comma, so that a program with no argument,
 * BPF_PROG(name), passes only ctx. */
#define ___bpfemu_ctx0()
#define ___bpfemu_ctx1(x)	, (void *)ctx[0]
#define ___bpfemu_ctx2(x, ...)	___bpfemu_ctx1(x), (void *)ctx[1]
#define ___bpfemu_ctx3(x, ...)	___bpfemu_ctx2(__VA_ARGS__), (void *)ctx[2]
#define ___bpfemu_ctx4(x, ...)	___bpfemu_ctx3(__VA_ARGS__), (void *)ctx[3]
#define ___bpfemu_ctx5(x, ...)	___bpfemu_ctx4(__VA_ARGS__), (void *)ctx[4]
#define ___bpfemu_ctx6(x, ...)	___bpfemu_ctx5(__VA_ARGS__), (void *)ctx[5]
#define ___bpfemu_ctx7(x, ...)	___bpfemu_ctx6(__VA_ARGS__), (void *)ctx[6]
#define ___bpfemu_ctx8(x, ...)	___bpfemu_ctx7(__VA_ARGS__), (void *)ctx[7]
#define ___bpfemu_ctx9(x, ...)	___bpfemu_ctx8(__VA_ARGS__), (void *)ctx[8]
#define ___bpfemu_ctx10(x, ...)	___bpfemu_ctx9(__VA_ARGS__), (void *)ctx[9]
#define ___bpfemu_ctx11(x, ...)	___bpfemu_ctx10(__VA_ARGS__), (void *)ctx[10]
#define ___bpfemu_ctx12(x, ...)	___bpfemu_ctx11(__VA_ARGS__), (void *)ctx[11]
#define ___bpfemu_ctx_cast(...)	\
	___bpfemu_concat(___bpfemu_ctx, ___bpfemu_narg(__VA_ARGS__))(__VA_ARGS__)

#define ___bpfemu_ctx_pragmas_push					\
	_Pragma("GCC diagnostic push")					\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")		\
	_Pragma("GCC diagnostic ignored \"-Wpointer-to-int-cast\"")

#define BPF_PROG(name, args...)						\
name(unsigned long long *ctx);						\
static __always_inline typeof(name(0))					\
____##name(unsigned long long *ctx, ##args);				\
typeof(name(0)) name(unsigned long long *ctx)				\
{									\
	___bpfemu_ctx_pragmas_push					\
	return ____##name(ctx ___bpfemu_ctx_cast(args));		\
	_Pragma("GCC diagnostic pop")					\
}									\
static __always_inline typeof(name(0))					\
____##name(unsigned long long *ctx __attribute__((unused)), ##args)

/*
 * BPF_PROG2(name, type1, arg1, type2, arg2, ...): BPF_PROG with each
 * argument's type given apart, so that arguments passed by value in more
 * than one register work.  As for the kernel's trampoline, an argument
 * takes one ctx slot per 8 bytes (a struct of 9..16 bytes takes two) and
 * the next argument starts after it.  Each value is rebuilt from its slots
 * through a union, so a struct comes back whole and a narrow integer takes
 * the low bytes of its slot.
 */
#define ___bpfemu_slots(t)	((sizeof(t) + 7) / 8)
#define ___bpfemu_slot_val(t, n)						\
	__builtin_choose_expr(sizeof(t) == 1,					\
		({ union { unsigned char z; t x; } ___u = { .z = (unsigned char)ctx[n] }; ___u.x; }), \
	__builtin_choose_expr(sizeof(t) == 2,					\
		({ union { unsigned short z; t x; } ___u = { .z = (unsigned short)ctx[n] }; ___u.x; }), \
	__builtin_choose_expr(sizeof(t) == 4,					\
		({ union { unsigned int z; t x; } ___u = { .z = (unsigned int)ctx[n] }; ___u.x; }), \
	__builtin_choose_expr(sizeof(t) <= 8,					\
		({ union { unsigned long long z; t x; } ___u = { .z = ctx[n] }; ___u.x; }), \
		({ union { unsigned long long z[2]; t x; } ___u = { .z = { ctx[n], ctx[(n) + 1] } }; ___u.x; })))))

/* The number of (type, name) pairs, up to 12. */
#define ___bpfemu_nth24(_, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
			_13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, N, ...) N
#define ___bpfemu_npairs(...)							\
	___bpfemu_nth24(_, ##__VA_ARGS__, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8, 7, 7, \
			6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0)

/* ", t1 x1, t2 x2...": the inner function's parameters. */
#define ___bpfemu_p2d0()
#define ___bpfemu_p2d1(t, x)		, t x
#define ___bpfemu_p2d2(t, x, ...)	, t x ___bpfemu_p2d1(__VA_ARGS__)
#define ___bpfemu_p2d3(t, x, ...)	, t x ___bpfemu_p2d2(__VA_ARGS__)
#define ___bpfemu_p2d4(t, x, ...)	, t x ___bpfemu_p2d3(__VA_ARGS__)
#define ___bpfemu_p2d5(t, x, ...)	, t x ___bpfemu_p2d4(__VA_ARGS__)
#define ___bpfemu_p2d6(t, x, ...)	, t x ___bpfemu_p2d5(__VA_ARGS__)
#define ___bpfemu_p2d7(t, x, ...)	, t x ___bpfemu_p2d6(__VA_ARGS__)
#define ___bpfemu_p2d8(t, x, ...)	, t x ___bpfemu_p2d7(__VA_ARGS__)
#define ___bpfemu_p2d9(t, x, ...)	, t x ___bpfemu_p2d8(__VA_ARGS__)
#define ___bpfemu_p2d10(t, x, ...)	, t x ___bpfemu_p2d9(__VA_ARGS__)
#define ___bpfemu_p2d11(t, x, ...)	, t x ___bpfemu_p2d10(__VA_ARGS__)
#define ___bpfemu_p2d12(t, x, ...)	, t x ___bpfemu_p2d11(__VA_ARGS__)
#define ___bpfemu_p2_decl(...)	\
	___bpfemu_concat(___bpfemu_p2d, ___bpfemu_npairs(__VA_ARGS__))(__VA_ARGS__)

/* ", value of x1 from slot 0, value of x2 from the slot after x1's...". */
#define ___bpfemu_p2a0(n)
#define ___bpfemu_p2a1(n, t, x)		, ___bpfemu_slot_val(t, n)
#define ___bpfemu_p2a2(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a1((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a3(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a2((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a4(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a3((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a5(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a4((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a6(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a5((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a7(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a6((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a8(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a7((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a9(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a8((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a10(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a9((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a11(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a10((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2a12(n, t, x, ...)	, ___bpfemu_slot_val(t, n) ___bpfemu_p2a11((n) + ___bpfemu_slots(t), __VA_ARGS__)
#define ___bpfemu_p2_args(...)	\
	___bpfemu_concat(___bpfemu_p2a, ___bpfemu_npairs(__VA_ARGS__))(0, ##__VA_ARGS__)

#define BPF_PROG2(name, args...)					\
name(unsigned long long *ctx);						\
static __always_inline typeof(name(0))					\
____##name(unsigned long long *ctx ___bpfemu_p2_decl(args));		\
typeof(name(0)) name(unsigned long long *ctx)				\
{									\
	return ____##name(ctx ___bpfemu_p2_args(args));			\
}									\
static __always_inline typeof(name(0))					\
____##name(unsigned long long *ctx __attribute__((unused)) ___bpfemu_p2_decl(args))

/* Kprobe arguments PT_REGS_PARMi, each converted to its declared type. */
#define ___bpfemu_kp0()
#define ___bpfemu_kp1(x)	, (void *)PT_REGS_PARM1(ctx)
#define ___bpfemu_kp2(x, ...)	___bpfemu_kp1(x), (void *)PT_REGS_PARM2(ctx)
#define ___bpfemu_kp3(x, ...)	___bpfemu_kp2(__VA_ARGS__), (void *)PT_REGS_PARM3(ctx)
#define ___bpfemu_kp4(x, ...)	___bpfemu_kp3(__VA_ARGS__), (void *)PT_REGS_PARM4(ctx)
#define ___bpfemu_kp5(x, ...)	___bpfemu_kp4(__VA_ARGS__), (void *)PT_REGS_PARM5(ctx)
#define ___bpfemu_kp6(x, ...)	___bpfemu_kp5(__VA_ARGS__), (void *)PT_REGS_PARM6(ctx)
#define ___bpfemu_kp7(x, ...)	___bpfemu_kp6(__VA_ARGS__), (void *)PT_REGS_PARM7(ctx)
#define ___bpfemu_kp8(x, ...)	___bpfemu_kp7(__VA_ARGS__), (void *)PT_REGS_PARM8(ctx)
#define ___bpfemu_kprobe_args(...)	\
	___bpfemu_concat(___bpfemu_kp, ___bpfemu_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KPROBE(name, args...)					\
name(struct pt_regs *ctx);						\
static __always_inline typeof(name(0))					\
____##name(struct pt_regs *ctx, ##args);				\
typeof(name(0)) name(struct pt_regs *ctx)				\
{									\
	___bpfemu_ctx_pragmas_push					\
	return ____##name(ctx ___bpfemu_kprobe_args(args));		\
	_Pragma("GCC diagnostic pop")					\
}									\
static __always_inline typeof(name(0))					\
____##name(struct pt_regs *ctx __attribute__((unused)), ##args)

#define ___bpfemu_kret0()
#define ___bpfemu_kret1(x)	, (void *)PT_REGS_RC(ctx)
#define ___bpfemu_kret_args(...)	\
	___bpfemu_concat(___bpfemu_kret, ___bpfemu_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KRETPROBE(name, args...)					\
name(struct pt_regs *ctx);						\
static __always_inline typeof(name(0))					\
____##name(struct pt_regs *ctx, ##args);				\
typeof(name(0)) name(struct pt_regs *ctx)				\
{									\
	___bpfemu_ctx_pragmas_push					\
	return ____##name(ctx ___bpfemu_kret_args(args));		\
	_Pragma("GCC diagnostic pop")					\
}									\
static __always_inline typeof(name(0))					\
____##name(struct pt_regs *ctx __attribute__((unused)), ##args)

#define BPF_KSYSCALL(name, args...)	BPF_KPROBE(name, ##args)
#define BPF_UPROBE(name, args...)	BPF_KPROBE(name, ##args)
#define BPF_URETPROBE(name, args...)	BPF_KRETPROBE(name, ##args)

#endif /* __BPF_TRACING_H__ */
