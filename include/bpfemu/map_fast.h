/* SPDX-License-Identifier: MIT */
/*
 * Inline ARRAY access for native BPF C (layout version 1).
 *
 * The kernel's verifier inlines bpf_map_lookup_elem on an ARRAY into the
 * program (array_map_gen_lookup: a bounds check and a multiply), so an
 * ARRAY lookup costs no helper call there.  <bpf/bpf_helper_defs.h> does the
 * same natively: its bpf_map_lookup_elem / bpf_map_update_elem are static
 * inline functions with the kernel's prototypes that take the ARRAY fast
 * path below and otherwise -- any other map type, an unbound or foreign
 * pointer, an out-of-range index, any flag or map property the fast path
 * does not cover -- call the exported helper, which does every check and
 * diagnostic in the kernel's order.  The fast path returns exactly what the
 * helper returns for the cases it takes.
 *
 * What the fast path reads, and nothing else of the map:
 *   - a loaded map definition (`&map` in BPF C) holds two words, filled by
 *     the loader: the map's address and the check word
 *     def ^ map ^ BPFEMU_MAP_DEF_MAGIC, further XORed with
 *     BPFEMU_MAP_DEF_ARRAY when the map's kind is ARRAY (emu_map_bind_def):
 *     one compare both validates the binding and says "inline ARRAY", as
 *     the verifier decides once what the kernel inlines;
 *   - the map begins with a struct bpfemu_map_fast, filled at map creation
 *     and constant for the map's life.
 * Availability: bpf_map_lookup_elem and bpf_map_update_elem may be called
 * by every program type (bpf_base_func_proto) and are not GPL-only; the
 * library sets kind = ARRAY only if its helper table agrees.
 *
 * Layout changes bump BPFEMU_MAP_FAST_VERSION; objects are compiled against
 * the headers of the library they link.
 */
#ifndef BPFEMU_MAP_FAST_H
#define BPFEMU_MAP_FAST_H

#include <stdint.h>

#include <bpfemu/helpers.h>
#include <bpfemu/types.h>

#define BPFEMU_MAP_FAST_VERSION	2
#define BPFEMU_MAP_DEF_MAGIC	((uintptr_t)0x6270666d61704446ULL)	/* "bpfmapDF" */
/* XORed into the check word of a definition bound to a kind-ARRAY map */
#define BPFEMU_MAP_DEF_ARRAY	((uintptr_t)0x4152524159000000ULL)	/* "ARRAY" */

enum {
	BPFEMU_MAP_FAST_NONE = 0,	/* always the exported helpers */
	BPFEMU_MAP_FAST_ARRAY = 1,	/* BPF_MAP_TYPE_ARRAY: inline lookup */
};

/* flags */
#define BPFEMU_MAP_FAST_F_UPDATE	1u	/* plain copy update: no special
						 * fields, not BPF_F_RDONLY_PROG */

struct bpfemu_map_fast {
	__u32 kind;		/* BPFEMU_MAP_FAST_* */
	__u32 flags;		/* BPFEMU_MAP_FAST_F_* */
	__u32 max_entries;
	__u32 value_size;
	__u64 stride;		/* bytes between elements */
	char *base;		/* element 0 */
};

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define BPFEMU_FAST_NO_SANITIZE __attribute__((no_sanitize_address, no_sanitize("thread")))
#else
#define BPFEMU_FAST_NO_SANITIZE
#endif

/*
 * The ARRAY behind @map, or NULL.  @map may be any pointer a program
 * passes (the exported helper turns a non-map into the "not_a_map"
 * diagnostic), so these two reads are not instrumented, as in
 * emu_map_from_def.  One compare decides: the check word names both the
 * binding and the kind (the map pointer is trusted only when it matches,
 * as in emu_map_from_def; an unbound definition, both words 0, never
 * matches since def ^ MAGIC ^ ARRAY is not 0 for an aligned def).
 */
static inline BPFEMU_FAST_NO_SANITIZE int
bpfemu_map_fast_bound(const void *map, const struct bpfemu_map_fast **f)
{
	const uintptr_t *slot = (const uintptr_t *)map;
	uintptr_t m, check;

	if (!map || ((uintptr_t)map & (sizeof(uintptr_t) - 1)))
		return 0;
	check = __atomic_load_n(&slot[1], __ATOMIC_ACQUIRE);
	m = __atomic_load_n(&slot[0], __ATOMIC_RELAXED);
	*f = (const struct bpfemu_map_fast *)m;
	return check == ((uintptr_t)map ^ m ^ BPFEMU_MAP_DEF_MAGIC ^ BPFEMU_MAP_DEF_ARRAY);
}

static inline const struct bpfemu_map_fast *bpfemu_map_fast_array(const void *map)
{
	const struct bpfemu_map_fast *f;

	return bpfemu_map_fast_bound(map, &f) ? f : 0;
}

static inline void *bpfemu_map_fast_lookup(void *map, const void *key)
{
	const struct bpfemu_map_fast *f;
	__u32 idx;

	if (__builtin_expect(bpfemu_map_fast_bound(map, &f), 1)) {
		__builtin_memcpy(&idx, key, sizeof(idx));
		if (__builtin_expect(idx < f->max_entries, 1))
			return f->base + (__u64)idx * f->stride;
	}
	return bpfemu_helper_map_lookup_elem(map, key);
}

/* array_map_update_elem for BPF_ANY / BPF_EXIST on a map without special
 * fields: the value copied, 0.  Anything else goes to the helper. */
static inline long bpfemu_map_fast_update(void *map, const void *key, const void *value,
					  __u64 flags)
{
	const struct bpfemu_map_fast *f;
	__u32 idx;
	char *dst;

	if (__builtin_expect(bpfemu_map_fast_bound(map, &f) && (f->flags & BPFEMU_MAP_FAST_F_UPDATE) &&
			     (flags == 0 /* BPF_ANY */ || flags == 2 /* BPF_EXIST */), 1)) {
		__builtin_memcpy(&idx, key, sizeof(idx));
		if (__builtin_expect(idx < f->max_entries, 1)) {
			dst = f->base + (__u64)idx * f->stride;
			switch (f->value_size) {
			case 4:
				__builtin_memcpy(dst, value, 4);
				break;
			case 8:
				__builtin_memcpy(dst, value, 8);
				break;
			default:
				__builtin_memcpy(dst, value, f->value_size);
				break;
			}
			return 0;
		}
	}
	return bpfemu_helper_map_update_elem(map, key, value, flags);
}

#endif /* BPFEMU_MAP_FAST_H */
