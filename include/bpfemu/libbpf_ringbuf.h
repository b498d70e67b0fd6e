/* SPDX-License-Identifier: MIT */
/* placeholder: libbpf's ring buffer API (ring_buffer__*, user_ring_buffer__*),
 * declared with libbpf's names; included by <bpf/libbpf.h>.  Owned by the
 * ring buffer area. */
#ifndef BPFEMU_LIBBPF_RINGBUF_H
#define BPFEMU_LIBBPF_RINGBUF_H
#endif
