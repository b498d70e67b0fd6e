/* SPDX-License-Identifier: MIT */
/*
 * Error conventions and verifier-rule diagnostics.
 *
 * Helpers return the kernel's negative errno (or NULL) exactly as the
 * kernel does.  User-space entry points (libbpf-compatible API, bpfemu_*)
 * return a negative errno *and* set errno, through emu_err()/emu_err_ptr(),
 * like libbpf_err()/libbpf_err_ptr().
 *
 * Where the kernel's verifier would have refused a program (and native code
 * cannot be stopped from trying), the runtime records a diagnostic naming
 * the rule with emu_diag().  Tests read them back with bpfemu_diag_*().
 */
#ifndef BPFEMU_EMU_ERR_H
#define BPFEMU_EMU_ERR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel-internal errno that leaks to user space (include/linux/errno.h). */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static inline int emu_err(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

static inline void *emu_err_ptr(int err)
{
	errno = err < 0 ? -err : err;
	return NULL;
}

/*
 * A pointer no map value, stack slot or kernel object can have: NULL plus
 * a field offset, what `&v->field` gives when @v is a lookup's result used
 * before its NULL check.  The verifier refuses that at load ("R1 type=
 * map_value_or_null expected=map_value", "R1 pointer arithmetic on
 * map_value_or_null prohibited, null-check it first": -EACCES); natively
 * the helper would fault on it.  Nothing is mapped in the first 64 KiB
 * (vm.mmap_min_addr), so no valid pointer is ever refused.
 */
#define EMU_NULL_GUARD		(64 * 1024)

static inline bool emu_ptr_nullish(const void *p)
{
	return (uintptr_t)p < EMU_NULL_GUARD;
}

/*
 * Record a diagnostic.  @rule is a short stable identifier tests can match
 * (e.g. "timer_cb_nonzero_return", "helper_not_allowed", "not_a_map"); the
 * message says what the kernel's verifier says, in our words.  Also echoed
 * to stderr as "bpfemu: <rule>: <message>" unless silenced
 * (bpfemu_diag_set_echo(false)).  Thread-safe.
 */
void emu_diag(const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Abort the running program (outermost native BPF entry on this thread)
 * after a verifier-rule violation: records the diagnostic, then longjmps back
 * to the entry, which fails with @err (a negative errno).  If no program is
 * running on this thread, only records the diagnostic and returns.
 */
void emu_verifier_reject(int err, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A memory argument of a helper (R@regno, ARG_PTR_TO_MEM and the like)
 * that is NULL-ish: the verifier's refusal at load, "R@regno type=scalar
 * expected=fp, pkt, ...", -EACCES ("mem_arg_null"); false then.  A size
 * argument of 0 where the helper needs one (R@regno + 1, ARG_CONST_SIZE)
 * is "invalid zero-sized read", -EACCES too ("zero_size_buffer"): pass
 * @size_regno 0 where a size of 0 is allowed.
 */
void emu_reject_mem_arg(const char *helper, int regno);

static inline bool emu_mem_arg_ok(const void *p, const char *helper, int regno)
{
	if (__builtin_expect(!emu_ptr_nullish(p), 1))
		return true;
	emu_reject_mem_arg(helper, regno);
	return false;
}

bool emu_mem_size_arg_ok(const void *p, uint32_t size, const char *helper, int regno);

#endif /* BPFEMU_EMU_ERR_H */
