/* SPDX-License-Identifier: MIT */
/*
 * What bpfemu-gen emits about one BPF object (X.bpfemu.c) and the library
 * reads at open/load: the native equivalent of the ELF sections and BTF
 * libbpf reads.  Generated code and the library must agree on this layout;
 * bump BPFEMU_GEN_ABI when it changes.
 *
 * Attribute values are computed by the compiler from the program's own
 * definitions (sizeof(*m.max_entries) / sizeof(int), sizeof(*m.value)), and
 * special-field offsets with offsetof() on the value type: this is bpfemu's
 * BTF.  Only attributes the definition has are filled; @present says which.
 */
#ifndef BPFEMU_GEN_H
#define BPFEMU_GEN_H

#include <bpfemu/export.h>
#include <bpfemu/field_kind.h>

/*
 * No system header here: generated code includes this after the
 * program's preprocessed text, where re-including <stdint.h> would
 * redefine its typedefs (their include guards are gone).
 */
#define uint32_t __UINT32_TYPE__
#define uint64_t __UINT64_TYPE__

#ifdef __cplusplus
extern "C" {
#endif

#define BPFEMU_GEN_ABI 2

/* Bits of bpfemu_map_desc.present: attribute members the definition has. */
enum {
	BPFEMU_MA_TYPE		= 1u << 0,
	BPFEMU_MA_MAX_ENTRIES	= 1u << 1,
	BPFEMU_MA_MAP_FLAGS	= 1u << 2,
	BPFEMU_MA_KEY		= 1u << 3,	/* __type(key, T) */
	BPFEMU_MA_VALUE		= 1u << 4,	/* __type(value, T) */
	BPFEMU_MA_KEY_SIZE	= 1u << 5,	/* __uint(key_size, N) */
	BPFEMU_MA_VALUE_SIZE	= 1u << 6,
	BPFEMU_MA_PINNING	= 1u << 7,
	BPFEMU_MA_NUMA_NODE	= 1u << 8,
	BPFEMU_MA_MAP_EXTRA	= 1u << 9,
	BPFEMU_MA_VALUES	= 1u << 10,	/* __array(values, ...) map-in-map */
};

/* Special field kinds: enum bpfemu_field_kind (<bpfemu/field_kind.h>);
 * the generator's older names stay as aliases. */
#define BPFEMU_GEN_FIELD_SPIN_LOCK	BPFEMU_FIELD_SPIN_LOCK
#define BPFEMU_GEN_FIELD_TIMER		BPFEMU_FIELD_TIMER
#define BPFEMU_GEN_FIELD_WQ		BPFEMU_FIELD_WQ
#define BPFEMU_GEN_FIELD_KPTR		BPFEMU_FIELD_KPTR

struct bpfemu_field_desc {
	uint32_t kind;
	uint32_t offset;
	uint32_t size;
};

#define BPFEMU_GEN_MAX_FIELDS 8

struct bpfemu_map_desc {
	const char *name;
	void *def;			/* the definition variable (&m) */
	uint32_t present;		/* BPFEMU_MA_* */
	uint32_t type;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t key_size;		/* from __type(key) or __uint(key_size) */
	uint32_t value_size;
	uint32_t pinning;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t nr_fields;
	struct bpfemu_field_desc fields[BPFEMU_GEN_MAX_FIELDS];
	const struct bpfemu_map_desc *inner;	/* __array(values, struct {...}) */
	uint32_t nr_init;		/* __array initial slots: [idx] = &map */
	const uint32_t *init_idx;
	const char *const *init_name;
	const char *unknown_attr;	/* first member libbpf would not know */
};

struct bpfemu_prog_desc {
	const char *name;		/* the function's name */
	const char *sec;		/* SEC("...") string, '?' included */
	void *func;			/* int fn(void *ctx) in native code */
	const int *helpers;		/* BPF_FUNC_* ids the program can reach */
	uint32_t nr_helpers;
	const uint32_t *maps;		/* indexes into bpfemu_obj_desc.maps it references */
	uint32_t nr_maps;
	/* .bss/.data/.rodata sections whose variables it references: on a
	 * kernel each is one more map the program uses (libbpf's internal
	 * maps), counted against the 64 per program. */
	uint32_t nr_global_maps;
};

enum bpfemu_sec {
	BPFEMU_SEC_BSS,
	BPFEMU_SEC_DATA,
	BPFEMU_SEC_RODATA,
	BPFEMU_SEC_NR,
};

struct bpfemu_var_desc {
	const char *name;
	void *addr;			/* the BPF code's variable */
	uint32_t offset;		/* in struct X__bss (etc.) */
	uint32_t size;
};

struct bpfemu_sec_desc {
	const char *name;		/* ".bss", ".data", ".rodata" */
	uint32_t size;			/* sizeof(struct X__bss), 0 if none */
	const struct bpfemu_var_desc *vars;
	uint32_t nr_vars;
	const void *init;		/* initial image, taken before main() */
};

struct bpfemu_obj_desc {
	uint32_t abi;			/* BPFEMU_GEN_ABI */
	const char *name;		/* object name (X) */
	const char *license;		/* the _license string, NULL if none */
	const struct bpfemu_map_desc *maps;
	uint32_t nr_maps;
	const struct bpfemu_prog_desc *progs;
	uint32_t nr_progs;
	struct bpfemu_sec_desc secs[BPFEMU_SEC_NR];
	/* Library-private: registry link and the instance that holds it. */
	struct bpfemu_obj_desc *next;
	void *owner;
};

/* Called by a constructor in every X.bpfemu.c; bpf_object__open("X.bpf.o") finds it. */
BPFEMU_API void bpfemu_object_register(struct bpfemu_obj_desc *desc);

#ifdef __cplusplus
}
#endif

#undef uint32_t
#undef uint64_t

#endif /* BPFEMU_GEN_H */
