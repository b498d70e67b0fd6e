/* SPDX-License-Identifier: MIT */
/*
 * libbpf's ring buffer API, with libbpf's names, types and opts structs:
 * the consumer of BPF_MAP_TYPE_RINGBUF maps (ring_buffer__*, ring__*) and
 * the producer of BPF_MAP_TYPE_USER_RINGBUF maps (user_ring_buffer__*).
 * Included by <bpf/libbpf.h>; code written against libbpf compiles as is.
 *
 * Errors as libbpf reports them: functions returning int give a negative
 * errno and set errno; functions returning a pointer give NULL and set
 * errno.  Differences from libbpf on a real kernel: docs/ringbuf.md.
 */
#ifndef BPFEMU_LIBBPF_RINGBUF_H
#define BPFEMU_LIBBPF_RINGBUF_H

#include <stddef.h>

#include <bpfemu/types.h>

#ifndef LIBBPF_API
#define LIBBPF_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------ BPF_MAP_TYPE_RINGBUF consumer */

struct ring_buffer;
struct ring;

/*
 * Called once per record, in order.  A negative return stops the
 * consumption (the record counts as consumed) and is returned by the
 * consuming call.
 */
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct ring_buffer_opts {
	size_t sz; /* size of this struct, for forward/backward compatibility */
};

#define ring_buffer_opts__last_field sz

LIBBPF_API struct ring_buffer *
ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
		 const struct ring_buffer_opts *opts);
LIBBPF_API void ring_buffer__free(struct ring_buffer *rb);
LIBBPF_API int ring_buffer__add(struct ring_buffer *rb, int map_fd,
				ring_buffer_sample_fn sample_cb, void *ctx);
LIBBPF_API int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms);
LIBBPF_API int ring_buffer__consume(struct ring_buffer *rb);
LIBBPF_API int ring_buffer__consume_n(struct ring_buffer *rb, size_t n);
LIBBPF_API int ring_buffer__epoll_fd(const struct ring_buffer *rb);

/* The ring of the @idx-th map added (NULL, errno = ERANGE, if none). */
LIBBPF_API struct ring *ring_buffer__ring(struct ring_buffer *rb, unsigned int idx);
LIBBPF_API unsigned long ring__consumer_pos(const struct ring *r);
LIBBPF_API unsigned long ring__producer_pos(const struct ring *r);
LIBBPF_API size_t ring__avail_data_size(const struct ring *r);
LIBBPF_API size_t ring__size(const struct ring *r);
LIBBPF_API int ring__map_fd(const struct ring *r);
LIBBPF_API int ring__consume(struct ring *r);
LIBBPF_API int ring__consume_n(struct ring *r, size_t n);

/* ------------------------------------------- BPF_MAP_TYPE_USER_RINGBUF producer */

struct user_ring_buffer;

struct user_ring_buffer_opts {
	size_t sz; /* size of this struct, for forward/backward compatibility */
};

#define user_ring_buffer_opts__last_field sz

LIBBPF_API struct user_ring_buffer *
user_ring_buffer__new(int map_fd, const struct user_ring_buffer_opts *opts);

/*
 * Reserve @size bytes (8-byte aligned, contiguous even across the wrap).
 * NULL with errno E2BIG if the sample can never fit (size >= 2^30, or
 * size + 8 rounded up to 8 exceeds the ring), ENOSPC if the ring lacks room
 * now.  Not thread-safe: serialise producers.
 */
LIBBPF_API void *user_ring_buffer__reserve(struct user_ring_buffer *rb, __u32 size);

/*
 * Like __reserve, waiting up to @timeout_ms (-1: forever) for a drain to
 * make room.  Timing out gives ENOSPC (not ETIMEDOUT); a timeout below -1
 * gives EINVAL.  In a process with a single thread nobody can drain during
 * the wait, so the wait is skipped (docs/ringbuf.md).
 */
LIBBPF_API void *user_ring_buffer__reserve_blocking(struct user_ring_buffer *rb,
						    __u32 size, int timeout_ms);

/* Publish / drop a reserved sample (an atomic exchange; no syscall). */
LIBBPF_API void user_ring_buffer__submit(struct user_ring_buffer *rb, void *sample);
LIBBPF_API void user_ring_buffer__discard(struct user_ring_buffer *rb, void *sample);
LIBBPF_API void user_ring_buffer__free(struct user_ring_buffer *rb);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_LIBBPF_RINGBUF_H */
