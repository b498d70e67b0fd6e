/* SPDX-License-Identifier: MIT */
/* Reads that fail with -EFAULT instead of faulting (nofault.h). */
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

#include "nofault.h"

/* Copies go page by page, so a fault is found at the page that has it. */
#define NOFAULT_CHUNK		4096

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
 * an unreadable range instead of faulting us.  @n <= NOFAULT_CHUNK, less
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

/* Copy @n bytes (within one page of @src, n <= NOFAULT_CHUNK): 0 or -EFAULT. */
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
	size_t left = NOFAULT_CHUNK - ((uintptr_t)p & (NOFAULT_CHUNK - 1));

	return left < max ? left : max;
}

int emu_copy_nofault(void *dst, const void *src, size_t n)
{
	const char *s = src;
	char *d = dst;

	while (n) {
		size_t len = chunk_len(s, n);

		if (copy_chunk(d, s, len))
			return -EFAULT;
		d += len;
		s += len;
		n -= len;
	}
	return 0;
}

/* Each page goes through a bounce buffer, so bytes past the NUL never land
 * in @dst. */
long emu_strncpy_nofault(char *dst, const void *src, size_t size)
{
	char bounce[NOFAULT_CHUNK];
	const char *s = src;
	char *out = dst;
	size_t left = size;

	if (!size)
		return 0;
	while (left) {
		size_t n = chunk_len(s, left);
		const char *nul;

		if (copy_chunk(bounce, s, n))
			return -EFAULT;
		nul = memchr(bounce, '\0', n);
		if (nul) {
			memcpy(out, bounce, (size_t)(nul - bounce) + 1);
			return out - dst + (nul - bounce) + 1;
		}
		memcpy(out, bounce, n);
		out += n;
		s += n;
		left -= n;
	}
	/* Cut: the last byte becomes the NUL. */
	dst[size - 1] = '\0';
	return (long)size;
}
