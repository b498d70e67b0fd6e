/* SPDX-License-Identifier: MIT */
/*
 * Inline ARRAY access for native BPF C (layout version 3).
 *
 * The kernel's verifier inlines bpf_map_lookup_elem on an ARRAY into the
 * program (array_map_gen_lookup: a bounds check and a multiply), so an
 * ARRAY lookup costs no helper call there.  <bpf/bpf_helper_defs.h> does the
 * same natively: its bpf_map_lookup_elem / bpf_map_update_elem are static
 * inline functions with the kernel's prototypes that take the ARRAY fast
 * path below and otherwise -- any other map type, an unbound or foreign
 * pointer, a NULL-ish key or value, an out-of-range index, any flag or map
 * property the fast path does not cover -- call the exported helper, which
 * does every check and diagnostic in the kernel's order.  The fast path
 * returns exactly what the helper returns for the cases it takes.
 *
 * What the fast path reads: the map definition (`&map` in BPF C) alone,
 * never the map.  A loaded definition holds pointer-sized words the loader
 * fills (emu_map_bind_def):
 *   [0] the map, [1] the check word -- every binding;
 *   [2] element 0, [3] max_entries | stride << 32 -- inline ARRAY bindings,
 *       made only for definitions of at least four words (an ARRAY's type,
 *       max_entries, key and value), constant while the binding lasts.
 * The check word of an inline ARRAY binding is BPFEMU_MAP_DEF_ARRAY_CHECK
 * of the definition's own address with BPFEMU_MAP_DEF_UPD_* in its two low
 * bits; any other binding's word is def ^ map ^ BPFEMU_MAP_DEF_MAGIC, which
 * never equals it.  So one load and one compare, against a value the
 * compiler derives from the definition's address, validate the binding and
 * say "inline ARRAY", as the verifier decides once what the kernel inlines;
 * the words the path then uses sit beside it, one level from the program
 * (the kernel's JIT has them as immediates).
 * Availability: bpf_map_lookup_elem and bpf_map_update_elem may be called
 * by every program type (bpf_base_func_proto) and are not GPL-only; the
 * library makes inline bindings only if its helper table agrees.
 *
 * Layout changes bump BPFEMU_MAP_FAST_VERSION; objects are compiled against
 * the headers of the library they link.
 */
#ifndef BPFEMU_MAP_FAST_H
#define BPFEMU_MAP_FAST_H

#include <stdint.h>

#include <bpfemu/helpers.h>
#include <bpfemu/types.h>

#define BPFEMU_MAP_FAST_VERSION	3
#define BPFEMU_MAP_DEF_MAGIC	((uintptr_t)0x6270666d61704446ULL)	/* "bpfmapDF" */
#define BPFEMU_MAP_DEF_ARRAY	((uintptr_t)0x4152524159000000ULL)	/* "ARRAY" */
/* The check word of an inline ARRAY binding at @def, low three bits clear
 * (def is pointer-aligned; the constants' low bits are masked off). */
#define BPFEMU_MAP_DEF_ARRAY_CHECK(def) \
	(((uintptr_t)(def) ^ BPFEMU_MAP_DEF_MAGIC ^ BPFEMU_MAP_DEF_ARRAY) & ~(uintptr_t)7)
/* Its low bits: which inline update the map allows (neither UPD bit: lookups
 * only -- special fields, BPF_F_RDONLY_PROG, or a value size that is
 * neither 4 nor the stride), and whether elements are other than 8 bytes
 * apart.  So the common u32/u64 values give 0..3 and one compare selects
 * their path, whose address needs no stride read. */
#define BPFEMU_MAP_DEF_UPD_STRIDE	1u	/* copy stride bytes: value_size == stride */
#define BPFEMU_MAP_DEF_UPD_4		2u	/* copy 4 bytes: value_size == 4 */
#define BPFEMU_MAP_DEF_STRIDE_N		4u	/* stride != 8: read it from word 3 */

enum {
	BPFEMU_MAP_FAST_NONE = 0,	/* always the exported helpers */
	BPFEMU_MAP_FAST_ARRAY = 1,	/* BPF_MAP_TYPE_ARRAY: inline lookup */
};

/* flags */
#define BPFEMU_MAP_FAST_F_UPDATE	1u	/* plain copy update: no special
						 * fields, not BPF_F_RDONLY_PROG */

/* What the library keeps per map to fill inline bindings from. */
struct bpfemu_map_fast {
	__u32 kind;		/* BPFEMU_MAP_FAST_* */
	__u32 flags;		/* BPFEMU_MAP_FAST_F_* */
	__u32 max_entries;
	__u32 value_size;
	__u64 stride;		/* bytes between elements */
	char *base;		/* element 0 */
};

/*
 * The paths below read words 2 and 3 of a definition, and 4 bytes of a
 * key, only once the check word says an inline ARRAY binding (made only
 * for definitions of four words or more, with 4-byte keys).  GCC at -O2
 * cannot see that and warns where a program passes a smaller object -- a
 * map-in-map outer definition, the 2-byte key of a HASH map -- so that a
 * correct program built with -Werror would fail: not warned here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define BPFEMU_FAST_NO_SANITIZE __attribute__((no_sanitize_address, no_sanitize("thread")))
#else
#define BPFEMU_FAST_NO_SANITIZE
#endif

/*
 * @map's check word, 0 for a pointer that cannot be a definition.  @map
 * may be any pointer a program passes (the exported helper turns a non-map
 * into the "not_a_map" diagnostic), so this read is not instrumented, as
 * in emu_map_from_def.  A plain load: a binding is made before its
 * object's programs can run and undone only after the last of them is
 * gone, so no run sees one change; and plain loads let the compiler keep a
 * program's repeated accesses together.
 */
static inline BPFEMU_FAST_NO_SANITIZE uintptr_t bpfemu_map_fast_word(const void *map)
{
	if (map && !((uintptr_t)map & (sizeof(uintptr_t) - 1)))
		return ((const uintptr_t *)map)[1];
	return 0;	/* never an ARRAY check: its high bits are MAGIC's */
}

/* The low bits of @map's check word if @map is an inline ARRAY binding
 * (0..7), else a larger value. */
static inline uintptr_t bpfemu_map_fast_bits(const void *map)
{
	return bpfemu_map_fast_word(map) ^ BPFEMU_MAP_DEF_ARRAY_CHECK(map);
}

static inline int bpfemu_map_fast_is_array(const void *map)
{
	return bpfemu_map_fast_bits(map) < 8;
}

/*
 * A NULL-ish key or value: below 64 KiB, where nothing is mapped (emu/err.h
 * EMU_NULL_GUARD, which the library checks equal) -- NULL, or NULL plus an
 * offset: a lookup's result used before its NULL check.  The kernel's
 * verifier refuses such a program at load; the paths below read neither
 * pointer until it is known not to be one, and send it to the exported
 * helper, which refuses it ("mem_arg_null", -EACCES).
 *
 * The test costs nothing for a pointer into an object the compiler can
 * name -- a local or a global, as a program's key and value usually are:
 * __builtin_object_size knows its size, so it is no NULL-ish pointer, and
 * the test folds to 0.  (It knows none for NULL, a constant, or a pointer
 * that may be either, such as a lookup's result: those are tested.  It
 * would know malloc's, NULL or not; BPF C has no allocator.)
 * Otherwise it is one compare and branch, in the condition the path tests
 * already; an update's two pointers are tested as one, their lower.
 */
#define BPFEMU_MAP_FAST_NULL_GUARD	(64 * 1024)

/* @p as an address, or UINTPTR_MAX if it points into a known object. */
#define BPFEMU_MAP_FAST_ADDR(p) \
	(__builtin_object_size(p, 0) == (__SIZE_TYPE__)-1 ? (uintptr_t)(p) : UINTPTR_MAX)

static inline int bpfemu_map_fast_nullish(const void *p)
{
	return BPFEMU_MAP_FAST_ADDR(p) < BPFEMU_MAP_FAST_NULL_GUARD;
}

static inline int bpfemu_map_fast_nullish2(const void *a, const void *b)
{
	uintptr_t x = BPFEMU_MAP_FAST_ADDR(a), y = BPFEMU_MAP_FAST_ADDR(b);

	return (x < y ? x : y) < BPFEMU_MAP_FAST_NULL_GUARD;
}

/*
 * The exported helpers get copies of a key or value the compiler can see
 * whole: a local or global of at most BPFEMU_MAP_FAST_COPY_MAX bytes, as a
 * program's key and value usually are.  Its address then escapes only on
 * the slow path, so on the fast path the program's own key and value stay
 * in registers: without the copy, the compiler must store them to memory
 * before every call, in case the helper is called -- two stores per ARRAY
 * update, which at 1M elements queue behind the element's cache miss (in
 * order, in the store buffer) and cost up to half a raw store again.  The
 * copy is of the object's remaining bytes (__builtin_object_size): what the
 * helper may read.  Larger objects, and any whose remaining size the
 * compiler does not know exactly, are passed as they are.  (At -O0 it knows
 * none: no copies.)
 */
#define BPFEMU_MAP_FAST_COPY_MAX	64

/* Known exactly: the most (type 0) and the least (type 2) the pointer may
 * have left agree -- not so for &buf[i] with i unknown, where copying the
 * most could read past the object. */
#define BPFEMU_MAP_FAST_COPYABLE(p) \
	(__builtin_object_size(p, 0) <= BPFEMU_MAP_FAST_COPY_MAX && \
	 __builtin_object_size(p, 0) == __builtin_object_size(p, 2))

static inline __attribute__((always_inline)) void *
bpfemu_map_fast_lookup_slow(void *map, const void *key)
{
	if (BPFEMU_MAP_FAST_COPYABLE(key)) {
		char k[BPFEMU_MAP_FAST_COPY_MAX];

		__builtin_memcpy(k, key, __builtin_object_size(key, 0));
		return bpfemu_helper_map_lookup_elem(map, k);
	}
	return bpfemu_helper_map_lookup_elem(map, key);
}

static inline __attribute__((always_inline)) long
bpfemu_map_fast_update_slow(void *map, const void *key, const void *value, __u64 flags)
{
	if (BPFEMU_MAP_FAST_COPYABLE(key) && BPFEMU_MAP_FAST_COPYABLE(value)) {
		char k[BPFEMU_MAP_FAST_COPY_MAX], v[BPFEMU_MAP_FAST_COPY_MAX];

		__builtin_memcpy(k, key, __builtin_object_size(key, 0));
		__builtin_memcpy(v, value, __builtin_object_size(value, 0));
		return bpfemu_helper_map_update_elem(map, k, v, flags);
	}
	return bpfemu_helper_map_update_elem(map, key, value, flags);
}

/* Element @idx of the inline ARRAY binding @map with check bits @bits, or
 * NULL past the end. */
static inline void *bpfemu_map_fast_elem(const void *map, uintptr_t bits, __u32 idx)
{
	const uintptr_t *w = (const uintptr_t *)map;
	char *p;

	if (__builtin_expect(idx >= (__u32)w[3], 0))
		return 0;
	if (__builtin_expect(!(bits & BPFEMU_MAP_DEF_STRIDE_N), 1))
		p = (char *)w[2] + (__u64)idx * 8;
	else
		p = (char *)w[2] + (__u64)idx * (w[3] >> 32);
	if (!p)
		__builtin_unreachable();	/* lets the program's NULL check go */
	return p;
}

static inline void *bpfemu_map_fast_lookup(void *map, const void *key)
{
	uintptr_t bits = bpfemu_map_fast_bits(map);
	__u32 idx;
	void *p;

	if (__builtin_expect(bits < 8 && !bpfemu_map_fast_nullish(key), 1)) {
		__builtin_memcpy(&idx, key, sizeof(idx));
		p = bpfemu_map_fast_elem(map, bits, idx);
		if (__builtin_expect(p != 0, 1))
			return p;
	}
	return bpfemu_map_fast_lookup_slow(map, key);
}

/* array_map_update_elem for BPF_ANY / BPF_EXIST on a map without special
 * fields: the value copied, 0.  Anything else goes to the helper.  An
 * 8-byte value (the u64 counter) is decided by one compare. */
static inline long bpfemu_map_fast_update(void *map, const void *key, const void *value,
					  __u64 flags)
{
	const uintptr_t *w = (const uintptr_t *)map;
	uintptr_t word = bpfemu_map_fast_word(map), bits;
	__u32 idx, size;
	char *dst;

	if (__builtin_expect((flags != 0 /* BPF_ANY */ && flags != 2 /* BPF_EXIST */) ||
			     bpfemu_map_fast_nullish2(key, value), 0))
		goto helper;
	/* 8-byte values: the whole word compared, no bits extracted.  The key
	 * is read only once the map is known to be an ARRAY (4-byte keys):
	 * another map's key may be shorter. */
	if (__builtin_expect(word == (BPFEMU_MAP_DEF_ARRAY_CHECK(map) | BPFEMU_MAP_DEF_UPD_STRIDE), 1)) {
		__builtin_memcpy(&idx, key, sizeof(idx));
		if (__builtin_expect(idx >= (__u32)w[3], 0))
			goto helper;
		__builtin_memcpy((char *)w[2] + (__u64)idx * 8, value, 8);
		return 0;
	}
	bits = word ^ BPFEMU_MAP_DEF_ARRAY_CHECK(map);
	if (bits >= 8 || !(bits & 3))
		goto helper;
	__builtin_memcpy(&idx, key, sizeof(idx));
	dst = (char *)bpfemu_map_fast_elem(map, bits, idx);
	if (!dst)
		goto helper;
	size = bits & BPFEMU_MAP_DEF_UPD_4 ? 4 : (__u32)(w[3] >> 32);
	if (BPFEMU_MAP_FAST_COPYABLE(value)) {
		/* As the helper's copy above: the value's address must not
		 * reach a copy of a run-time size, or it is stored first on
		 * every path. */
		char v[BPFEMU_MAP_FAST_COPY_MAX];

		if (size > __builtin_object_size(value, 0))
			goto helper;
		__builtin_memcpy(v, value, __builtin_object_size(value, 0));
		if (size == 4)
			__builtin_memcpy(dst, v, 4);
		else
			__builtin_memcpy(dst, v, size);
		return 0;
	}
	__builtin_memcpy(dst, value, size);
	return 0;
helper:
	return bpfemu_map_fast_update_slow(map, key, value, flags);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif /* BPFEMU_MAP_FAST_H */
