/* SPDX-License-Identifier: MIT */
/*
 * Probe reads (kernel/trace/bpf_trace.c): bpf_probe_read_user/_kernel,
 * their _str forms, and the legacy bpf_probe_read/bpf_probe_read_str.
 *
 * In the emulator user and kernel memory are one and the same: the test
 * process's memory.  A program reads whatever pointer it was handed (a
 * context field, a map value, a string in the test) and an unreadable
 * address fails as the kernel's nofault copies fail, never with SIGSEGV
 * (emu/nofault.c: each source page is copied by a system call that answers
 * EFAULT for memory not mapped readable).  The common case -- a valid
 * pointer -- costs one system call per page touched.
 *
 * Return values and destination contents as on the kernel (checked on
 * Linux 6.18, x86-64; docs/porting.md "Probe reads"):
 *   - bpf_probe_read_user/_kernel: 0, or -EFAULT with all @size bytes of
 *     @dst zeroed;
 *   - *_str: copy up to the NUL, at most @size - 1 bytes plus a NUL;
 *     return the length including the NUL (so @size on truncation); on a
 *     fault (up to @size source bytes are read) -EFAULT with @dst's @size
 *     bytes zeroed; @size 0 returns 0 and touches nothing.  Bytes of @dst
 *     after the NUL are left as they were (the kernel's word-at-a-time
 *     user copy may zero a few of them);
 *   - the _kernel variants refuse an address in the user half with -ERANGE
 *     (x86-64's copy_from_kernel_nofault_allowed), even for @size 0.  Here
 *     only the first 64 KiB, never mappable by default (vm.mmap_min_addr),
 *     are such an address: a NULL kernel pointer plus a field offset gives
 *     -ERANGE as on x86-64;
 *   - the legacy bpf_probe_read/_str read a user-half address as user
 *     memory, so they behave as the _user variants (-EFAULT for NULL).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/bpf.h>
#include <bpfemu/helpers.h>

#include "nofault.h"
#include "prog.h"

/* Addresses below this are never kernel memory: the _kernel reads give -ERANGE. */
#define PROBE_KERNEL_FLOOR	(64 * 1024)

/* ------------------------------------------------------------ common paths */

static long probe_read_common(void *dst, __u32 size, const void *unsafe_ptr)
{
	if (emu_copy_nofault(dst, unsafe_ptr, size)) {
		memset(dst, 0, size);
		return -EFAULT;
	}
	return 0;
}

/* As strncpy_from_{user,kernel}_nofault (emu_strncpy_nofault); a fault
 * leaves all @size bytes of @dst zeroed. */
static long probe_read_str_common(void *dst, __u32 size, const void *unsafe_ptr)
{
	long ret = emu_strncpy_nofault(dst, unsafe_ptr, size);

	if (ret < 0)
		memset(dst, 0, size);
	return ret;
}

static bool kernel_addr_refused(const void *unsafe_ptr)
{
	return (uintptr_t)unsafe_ptr < PROBE_KERNEL_FLOOR;
}

/* ------------------------------------------------------------ helpers */

long bpfemu_helper_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read_user, -EINVAL);
	return probe_read_common(dst, size, unsafe_ptr);
}

long bpfemu_helper_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read_kernel, -EINVAL);
	if (kernel_addr_refused(unsafe_ptr)) {
		memset(dst, 0, size);
		return -ERANGE;
	}
	return probe_read_common(dst, size, unsafe_ptr);
}

long bpfemu_helper_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read_user_str, -EINVAL);
	return probe_read_str_common(dst, size, unsafe_ptr);
}

long bpfemu_helper_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read_kernel_str, -EINVAL);
	/* strncpy_from_kernel_nofault: a zero count returns before the address check. */
	if (!size)
		return 0;
	if (kernel_addr_refused(unsafe_ptr)) {
		memset(dst, 0, size);
		return -ERANGE;
	}
	return probe_read_str_common(dst, size, unsafe_ptr);
}

/* bpf_probe_read_compat: a user-half address is read as user memory. */
long bpfemu_helper_probe_read(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read, -EINVAL);
	return probe_read_common(dst, size, unsafe_ptr);
}

long bpfemu_helper_probe_read_str(void *dst, __u32 size, const void *unsafe_ptr)
{
	EMU_HELPER_CHECK(BPF_FUNC_probe_read_str, -EINVAL);
	return probe_read_str_common(dst, size, unsafe_ptr);
}
