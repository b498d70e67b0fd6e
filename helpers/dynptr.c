/* SPDX-License-Identifier: MIT */
/*
 * Dynptr helpers (197, 201-203) and kfuncs (bpf_dynptr_size, _is_null,
 * _is_rdonly, _adjust, _clone, _slice, _slice_rdwr); spec user_ringbuf.md §6.
 *
 * struct bpf_dynptr is the kernel's struct bpf_dynptr_kern (ringbuf.h,
 * struct emu_dynptr): {data, offset, size | type << 28 | rdonly << 31}.
 * A NULL dynptr (data == NULL) is what a failed constructor leaves.
 *
 * The helpers take u32 lengths and offsets in the kernel (BPF_CALL_x casts
 * the 64-bit registers): a program passing 1 << 32 gets offset 0.  Observed
 * on 6.18: bpf_dynptr_data(d, 1ULL << 32, 8) on a 16-byte dynptr is non-NULL.
 *
 * Check order matters and differs per helper (observed on 6.18):
 *   read:  NULL dynptr or flags -> -EINVAL, then bounds -> -E2BIG
 *   write: NULL or read-only -> -EINVAL, then bounds -> -E2BIG, then flags -> -EINVAL
 *   data:  NULL, bounds, read-only -> NULL
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <bpfemu/export.h>
#include <bpfemu/helpers.h>

#include "err.h"
#include "packet.h"
#include "prog.h"
#include "ringbuf.h"

/* bpf_dynptr_check_off_len: the range must lie inside the dynptr. */
static int dynptr_check_off_len(const struct emu_dynptr *p, uint32_t offset, uint32_t len)
{
	uint32_t size = emu_dynptr_size(p);

	if (len > size || offset > size - len)
		return -E2BIG;
	return 0;
}

static bool dynptr_is_mem(const struct emu_dynptr *p)
{
	enum emu_dynptr_type type = emu_dynptr_type(p);

	return type == EMU_DYNPTR_TYPE_LOCAL || type == EMU_DYNPTR_TYPE_RINGBUF;
}

/* A packet dynptr (bpf_dynptr_from_skb / _from_xdp): data is the packet. */
static bool dynptr_is_pkt(const struct emu_dynptr *p)
{
	enum emu_dynptr_type type = emu_dynptr_type(p);

	return type == EMU_DYNPTR_TYPE_SKB || type == EMU_DYNPTR_TYPE_XDP;
}

/* Kept out of the memory types' fast paths. */
static __attribute__((noinline)) long dynptr_pkt_rw(const struct emu_dynptr *p, uint32_t off,
						   void *buf, uint32_t len, bool store)
{
	if (!dynptr_is_pkt(p))
		return -EFAULT;
	return emu_pkt_dynptr_rw(p->data, p->offset + off, buf, len, store);
}

/* A packet's store takes flags: an skb's those of bpf_skb_store_bytes
 * (checked by it, after the bounds), an XDP buffer's none. */
static __attribute__((noinline)) long dynptr_pkt_write(const struct emu_dynptr *p, uint32_t off,
						      void *src, uint32_t len, __u64 flags)
{
	if (!dynptr_is_pkt(p))
		return -EFAULT;
	/* BPF_F_RECOMPUTE_CSUM (1), BPF_F_INVALIDATE_HASH (2) */
	if (emu_dynptr_type(p) == EMU_DYNPTR_TYPE_XDP ? flags != 0 : (flags & ~3ULL) != 0)
		return -EINVAL;
	return dynptr_pkt_rw(p, off, src, len, true);
}

/* 16 bytes, one unaligned vector load or store where the target has them.
 * A vector type, not a struct: clang 14 keeps a struct temporary on the
 * stack (a store and a load more per chunk). */
typedef uint64_t move16 __attribute__((vector_size(16)));

/*
 * memmove(@dst, @src, @len).  Programs mostly read and write a field or a
 * small record at a time, and a libc call costs more than such a copy: up
 * to 64 bytes are moved as two or four possibly overlapping chunks, every
 * chunk loaded before any is stored, so overlapping dynptrs still behave
 * as memmove.
 */
static inline void dynptr_move(void *dst, const void *src, uint32_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (len > 64) {
		memmove(d, s, len);
	} else if (len > 32) {
		move16 a, b, c, e;

		__builtin_memcpy(&a, s, 16);
		__builtin_memcpy(&b, s + 16, 16);
		__builtin_memcpy(&c, s + len - 32, 16);
		__builtin_memcpy(&e, s + len - 16, 16);
		__builtin_memcpy(d, &a, 16);
		__builtin_memcpy(d + 16, &b, 16);
		__builtin_memcpy(d + len - 32, &c, 16);
		__builtin_memcpy(d + len - 16, &e, 16);
	} else if (len > 16) {
		move16 a, b;

		__builtin_memcpy(&a, s, 16);
		__builtin_memcpy(&b, s + len - 16, 16);
		__builtin_memcpy(d, &a, 16);
		__builtin_memcpy(d + len - 16, &b, 16);
	} else if (len >= 8) {
		uint64_t a, b;

		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + len - 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + len - 8, &b, 8);
	} else if (len >= 4) {
		uint32_t a, b;

		__builtin_memcpy(&a, s, 4);
		__builtin_memcpy(&b, s + len - 4, 4);
		__builtin_memcpy(d, &a, 4);
		__builtin_memcpy(d + len - 4, &b, 4);
	} else if (len) {
		/* 1 to 3 bytes */
		uint8_t a = s[0], b = s[len / 2], c = s[len - 1];

		d[0] = a;
		d[len / 2] = b;
		d[len - 1] = c;
	}
}

/*
 * The helpers below run once per sample or record a program handles, often
 * on a few bytes: each splits its helper check from its body (prog.h,
 * after EMU_HELPER_CHECK), so an allowed call needs no callee-saved
 * register.
 */
static inline __attribute__((always_inline)) long
dynptr_from_mem(void *data, __u64 size, __u64 flags, struct bpf_dynptr *ptr)
{
	struct emu_dynptr *p = (struct emu_dynptr *)ptr;
	uint32_t sz = (uint32_t)size;

	/* Size before flags; either way the dynptr ends up NULL. */
	if (sz > EMU_DYNPTR_MAX_SIZE) {
		emu_dynptr_set_null(p);
		return -E2BIG;
	}
	if (flags) {
		emu_dynptr_set_null(p);
		return -EINVAL;
	}
	emu_dynptr_init(p, data, EMU_DYNPTR_TYPE_LOCAL, 0, sz);
	return 0;
}

static __attribute__((noinline)) long
dynptr_from_mem_slow(void *data, __u64 size, __u64 flags, struct bpf_dynptr *ptr)
{
	if (!emu_helper_allowed(BPF_FUNC_dynptr_from_mem))
		return -EINVAL;
	return dynptr_from_mem(data, size, flags, ptr);
}

long bpfemu_helper_dynptr_from_mem(void *data, __u64 size, __u64 flags, struct bpf_dynptr *ptr)
{
	if (!emu_helper_bit_allowed(BPF_FUNC_dynptr_from_mem))
		return dynptr_from_mem_slow(data, size, flags, ptr);
	return dynptr_from_mem(data, size, flags, ptr);
}

static inline __attribute__((always_inline)) long
dynptr_read(void *dst, __u64 len, const struct bpf_dynptr *src, __u64 offset, __u64 flags)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)src;
	uint32_t l = (uint32_t)len, off = (uint32_t)offset;
	int err;

	if (!p->data || flags)
		return -EINVAL;
	err = dynptr_check_off_len(p, off, l);
	if (err)
		return err;
	if (!dynptr_is_mem(p))
		return dynptr_pkt_rw(p, off, dst, l, false);
	/* Two dynptrs may cover overlapping memory: memmove. */
	dynptr_move(dst, (uint8_t *)p->data + p->offset + off, l);
	return 0;
}

static __attribute__((noinline)) long
dynptr_read_slow(void *dst, __u64 len, const struct bpf_dynptr *src, __u64 offset, __u64 flags)
{
	if (!emu_helper_allowed(BPF_FUNC_dynptr_read))
		return -EINVAL;
	return dynptr_read(dst, len, src, offset, flags);
}

long bpfemu_helper_dynptr_read(void *dst, __u64 len, const struct bpf_dynptr *src,
			       __u64 offset, __u64 flags)
{
	if (!emu_helper_bit_allowed(BPF_FUNC_dynptr_read))
		return dynptr_read_slow(dst, len, src, offset, flags);
	return dynptr_read(dst, len, src, offset, flags);
}

static inline __attribute__((always_inline)) long
dynptr_write(const struct bpf_dynptr *dst, __u64 offset, void *src, __u64 len, __u64 flags)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)dst;
	uint32_t l = (uint32_t)len, off = (uint32_t)offset;
	int err;

	if (!p->data || emu_dynptr_rdonly(p))
		return -EINVAL;
	err = dynptr_check_off_len(p, off, l);
	if (err)
		return err;
	if (!dynptr_is_mem(p))
		return dynptr_pkt_write(p, off, src, l, flags);
	/* For LOCAL and RINGBUF dynptrs flags are checked only now. */
	if (flags)
		return -EINVAL;
	dynptr_move((uint8_t *)p->data + p->offset + off, src, l);
	return 0;
}

static __attribute__((noinline)) long
dynptr_write_slow(const struct bpf_dynptr *dst, __u64 offset, void *src, __u64 len, __u64 flags)
{
	if (!emu_helper_allowed(BPF_FUNC_dynptr_write))
		return -EINVAL;
	return dynptr_write(dst, offset, src, len, flags);
}

long bpfemu_helper_dynptr_write(const struct bpf_dynptr *dst, __u64 offset, void *src,
				__u64 len, __u64 flags)
{
	if (!emu_helper_bit_allowed(BPF_FUNC_dynptr_write))
		return dynptr_write_slow(dst, offset, src, len, flags);
	return dynptr_write(dst, offset, src, len, flags);
}

static inline __attribute__((always_inline)) void *
dynptr_data(const struct bpf_dynptr *ptr, __u64 offset, __u64 len)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;
	uint32_t l = (uint32_t)len, off = (uint32_t)offset;

	if (!p->data)
		return NULL;
	if (dynptr_check_off_len(p, off, l))
		return NULL;
	if (emu_dynptr_rdonly(p))
		return NULL;
	/* skb and xdp dynptrs need bpf_dynptr_slice. */
	if (!dynptr_is_mem(p))
		return NULL;
	return (uint8_t *)p->data + p->offset + off;
}

static __attribute__((noinline)) void *
dynptr_data_slow(const struct bpf_dynptr *ptr, __u64 offset, __u64 len)
{
	if (!emu_helper_allowed(BPF_FUNC_dynptr_data))
		return NULL;
	return dynptr_data(ptr, offset, len);
}

void *bpfemu_helper_dynptr_data(const struct bpf_dynptr *ptr, __u64 offset, __u64 len)
{
	if (!emu_helper_bit_allowed(BPF_FUNC_dynptr_data))
		return dynptr_data_slow(ptr, offset, len);
	return dynptr_data(ptr, offset, len);
}

/* ---------------------------------------------------------------- kfuncs */

BPFEMU_API __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;

	if (!p->data)
		return (__u32)-EINVAL;
	return emu_dynptr_size(p);
}

BPFEMU_API bool bpf_dynptr_is_null(const struct bpf_dynptr *ptr)
{
	return !((const struct emu_dynptr *)ptr)->data;
}

BPFEMU_API bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *ptr)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;

	if (!p->data)
		return false;
	return emu_dynptr_rdonly(p);
}

BPFEMU_API int bpf_dynptr_adjust(const struct bpf_dynptr *ptr, __u32 start, __u32 end)
{
	struct emu_dynptr *p = (struct emu_dynptr *)ptr;
	uint32_t size;

	if (!p->data || start > end)
		return -EINVAL;
	size = emu_dynptr_size(p);
	if (start > size || end > size)
		return -ERANGE;
	p->offset += start;
	/* Keep the type and read-only bits. */
	p->size = (end - start) | (p->size & ~EMU_DYNPTR_SIZE_MASK);
	return 0;
}

BPFEMU_API int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone__uninit)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;
	struct emu_dynptr *clone = (struct emu_dynptr *)clone__uninit;

	if (!p->data) {
		emu_dynptr_set_null(clone);
		return -EINVAL;
	}
	*clone = *p;
	return 0;
}

BPFEMU_API void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset,
				  void *buffer__opt, __u32 buffer__szk)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;

	if (!p->data)
		return NULL;
	if (dynptr_check_off_len(p, offset, buffer__szk))
		return NULL;
	/* LOCAL and RINGBUF memory is linear: a direct pointer, whatever the
	 * read-only bit (the verifier makes the slice read-only). */
	if (dynptr_is_pkt(p))
		return emu_pkt_dynptr_slice(p->data, p->offset + offset, buffer__opt, buffer__szk);
	if (!dynptr_is_mem(p))
		return NULL;
	return (uint8_t *)p->data + p->offset + offset;
}

BPFEMU_API void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, __u32 offset,
				       void *buffer__opt, __u32 buffer__szk)
{
	const struct emu_dynptr *p = (const struct emu_dynptr *)ptr;

	if (!p->data || emu_dynptr_rdonly(p))
		return NULL;
	return bpf_dynptr_slice(ptr, offset, buffer__opt, buffer__szk);
}

/*
 * bpf_dynptr_from_skb / bpf_dynptr_from_xdp: a dynptr over the packet of
 * the running test run, from where the program's view starts, as long as
 * the packet (fragments included); read-only for the types that may not
 * write packets.  Flags: none (-EINVAL, the dynptr left NULL).  A context
 * with no packet behind it (bpfemu_prog_run) gives a NULL dynptr and
 * -EINVAL.  Not references: nothing to release.
 */
static int dynptr_from_pkt(const void *ctx, __u64 flags, struct bpf_dynptr *ptr, bool xdp,
			   const char *kfunc)
{
	struct emu_dynptr *d = (struct emu_dynptr *)ptr;
	struct emu_pkt *p = emu_pkt_current();

	if (p && (p->xdp != xdp || ctx != (const void *)&p->ctx)) {
		emu_verifier_reject(-EACCES, xdp ? "xdp_not_ctx" : "skb_not_ctx",
				    "%s: R1 is not the program's context (R1 type=fp expected=ctx)",
				    kfunc);
		emu_dynptr_set_null(d);
		return -EACCES;
	}
	if (flags || !p) {
		emu_dynptr_set_null(d);
		return -EINVAL;
	}
	emu_dynptr_init(d, p, xdp ? EMU_DYNPTR_TYPE_XDP : EMU_DYNPTR_TYPE_SKB, 0,
			emu_pkt_dynptr_size(p));
	if (!emu_pkt_dynptr_writable(p))
		d->size |= EMU_DYNPTR_RDONLY_BIT;
	return 0;
}

BPFEMU_API int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
				   struct bpf_dynptr *ptr__uninit)
{
	return dynptr_from_pkt(skb, flags, ptr__uninit, false, "bpf_dynptr_from_skb");
}

BPFEMU_API int bpf_dynptr_from_xdp(struct xdp_md *xdp, __u64 flags, struct bpf_dynptr *ptr__uninit)
{
	return dynptr_from_pkt(xdp, flags, ptr__uninit, true, "bpf_dynptr_from_xdp");
}
