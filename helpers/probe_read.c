/* SPDX-License-Identifier: MIT */
/*
 * Probe reads (kernel/trace/bpf_trace.c): bpf_probe_read_user/_kernel,
 * their _str forms, and the legacy bpf_probe_read/bpf_probe_read_str.
 *
 * In the emulator user and kernel memory are one and the same: the test
 * process's memory.  A program reads whatever pointer it was handed (a
 * context field, a map value, a string in the test) and an unreadable
 * address fails as the kernel's nofault copies fail, never with SIGSEGV:
 * each source page is copied with process_vm_readv(2) on ourselves, which
 * returns EFAULT for memory that is not mapped readable, or, where that
 * call is missing or refused (seccomp), checked by write(2) of the range
 * into a pipe we own and then copied.  The common case -- a valid pointer --
 * costs one system call per page touched.
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
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpfemu/helpers.h>

#include "prog.h"

/* Addresses below this are never kernel memory: the _kernel reads give -ERANGE. */
#define PROBE_KERNEL_FLOOR	(64 * 1024)
/* Copies go page by page, so a fault is found at the page that has it. */
#define PROBE_CHUNK		4096

/* ------------------------------------------------------------ raw copy */

#if defined(__linux__)
/* Cleared when process_vm_readv is unavailable (ENOSYS, EPERM under seccomp). */
static atomic_bool use_vm_readv = true;
#endif

static pthread_mutex_t pipe_lock = PTHREAD_MUTEX_INITIALIZER;
static int probe_pipe[2] = { -1, -1 };

static int pipe_open_locked(void)
{
	if (probe_pipe[0] >= 0)
		return 0;
	if (pipe(probe_pipe))
		return -errno;
	fcntl(probe_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(probe_pipe[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/*
 * POSIX: the kernel checks the source of write(2) and answers EFAULT for
 * an unreadable range instead of faulting us.  @n <= PROBE_CHUNK, less
 * than any pipe's capacity, so an empty pipe takes it whole.
 */
static int copy_via_pipe(void *dst, const void *src, size_t n)
{
	ssize_t w, r;
	int err;

	pthread_mutex_lock(&pipe_lock);
	err = pipe_open_locked();
	if (err)
		goto out_unlock;
	w = write(probe_pipe[1], src, n);
	if (w < 0) {
		err = -EFAULT;
		goto out_unlock;
	}
	/* Drain what went in, so the pipe is empty for the next caller. */
	r = read(probe_pipe[0], dst, (size_t)w);
	err = r == (ssize_t)n ? 0 : -EFAULT;
out_unlock:
	pthread_mutex_unlock(&pipe_lock);
	return err;
}

/* Copy @n bytes (within one page of @src, n <= PROBE_CHUNK): 0 or -EFAULT. */
static int copy_chunk(void *dst, const void *src, size_t n)
{
#if defined(__linux__)
	if (atomic_load_explicit(&use_vm_readv, memory_order_relaxed)) {
		struct iovec local = { .iov_base = dst, .iov_len = n };
		struct iovec remote = { .iov_base = (void *)src, .iov_len = n };
		ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

		if (got == (ssize_t)n)
			return 0;
		if (got >= 0 || errno == EFAULT)
			return -EFAULT;
		atomic_store(&use_vm_readv, false);
	}
#endif
	return copy_via_pipe(dst, src, n);
}

/* Bytes from @p to the end of its page, at most @max. */
static size_t chunk_len(const void *p, size_t max)
{
	size_t left = PROBE_CHUNK - ((uintptr_t)p & (PROBE_CHUNK - 1));

	return left < max ? left : max;
}

/* ------------------------------------------------------------ common paths */

static long probe_read_common(void *dst, __u32 size, const void *unsafe_ptr)
{
	const char *src = unsafe_ptr;
	char *out = dst;
	size_t left = size;

	while (left) {
		size_t n = chunk_len(src, left);

		if (copy_chunk(out, src, n)) {
			memset(dst, 0, size);
			return -EFAULT;
		}
		out += n;
		src += n;
		left -= n;
	}
	return 0;
}

/*
 * As strncpy_from_{user,kernel}_nofault: up to @size bytes of the source
 * are read, so a fault on byte size - 1 fails the read even though that
 * byte would become the NUL.  Each page goes through a bounce buffer, so
 * bytes past the NUL never land in @dst.
 */
static long probe_read_str_common(void *dst, __u32 size, const void *unsafe_ptr)
{
	char bounce[PROBE_CHUNK];
	const char *src = unsafe_ptr;
	char *out = dst;
	size_t left = size;

	if (!size)
		return 0;
	while (left) {
		size_t n = chunk_len(src, left);
		const char *nul;

		if (copy_chunk(bounce, src, n)) {
			memset(dst, 0, size);
			return -EFAULT;
		}
		nul = memchr(bounce, '\0', n);
		if (nul) {
			memcpy(out, bounce, (size_t)(nul - bounce) + 1);
			return out - (char *)dst + (nul - bounce) + 1;
		}
		memcpy(out, bounce, n);
		out += n;
		src += n;
		left -= n;
	}
	/* Truncated: the last byte becomes the NUL. */
	((char *)dst)[size - 1] = '\0';
	return size;
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
