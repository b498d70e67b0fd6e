/* SPDX-License-Identifier: MIT */
/*
 * libbpf's <bpf/bpf_core_read.h> for native BPF C.  Native code is compiled
 * against the very types it runs with, so CO-RE relocation is the identity:
 * reads are plain member accesses and every field/type exists.  (gcc has
 * no __builtin_preserve_access_index, and clang's needs -g natively.)
 */
#ifndef __BPF_CORE_READ_H__
#define __BPF_CORE_READ_H__

#include "bpf_helpers.h"

enum bpf_field_info_kind {
	BPF_FIELD_BYTE_OFFSET = 0,
	BPF_FIELD_BYTE_SIZE = 1,
	BPF_FIELD_EXISTS = 2,
	BPF_FIELD_SIGNED = 3,
	BPF_FIELD_LSHIFT_U64 = 4,
	BPF_FIELD_RSHIFT_U64 = 5,
};

#define bpf_core_field_exists(field...)		1
#define bpf_core_field_size(field)		sizeof(field)
#define bpf_core_field_offset(type, member)	__builtin_offsetof(type, member)
#define bpf_core_type_exists(type)		1
#define bpf_core_type_matches(type)		1
#define bpf_core_type_size(type)		sizeof(type)
#define bpf_core_type_id_local(type)		0
#define bpf_core_type_id_kernel(type)		0
#define bpf_core_enum_value_exists(enum_type, enum_value)	1
#define bpf_core_enum_value(enum_type, enum_value)	(enum_value)
#define bpf_core_cast(ptr, type)		((type *)(ptr))

#define bpf_core_read(dst, sz, src)				\
	({ __builtin_memcpy((dst), (src), (sz)); 0; })
#define bpf_core_read_user(dst, sz, src)	bpf_core_read(dst, sz, src)
#define bpf_core_read_str(dst, sz, src)				\
	({							\
		long ___n = 0;					\
		const char *___s = (const char *)(src);		\
		char *___d = (char *)(dst);			\
		while (___n < (long)(sz) - 1 && ___s[___n]) {	\
			___d[___n] = ___s[___n];		\
			___n++;					\
		}						\
		if ((long)(sz) > 0)				\
			___d[___n++] = '\0';			\
		___n;						\
	})
#define bpf_core_read_user_str(dst, sz, src)	bpf_core_read_str(dst, sz, src)

/* BPF_CORE_READ(src, a, b, c) is src->a->b->c. */
#define ___bpfemu_arrow1(s, a)			(s)->a
#define ___bpfemu_arrow2(s, a, ...)		___bpfemu_arrow1((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow3(s, a, ...)		___bpfemu_arrow2((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow4(s, a, ...)		___bpfemu_arrow3((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow5(s, a, ...)		___bpfemu_arrow4((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow6(s, a, ...)		___bpfemu_arrow5((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow7(s, a, ...)		___bpfemu_arrow6((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow8(s, a, ...)		___bpfemu_arrow7((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow9(s, a, ...)		___bpfemu_arrow8((s)->a, __VA_ARGS__)
#define ___bpfemu_arrow10(s, a, ...)		___bpfemu_arrow9((s)->a, __VA_ARGS__)
#define ___bpfemu_arrows(s, ...)		\
	___bpfemu_concat(___bpfemu_arrow, ___bpfemu_narg(__VA_ARGS__))(s, __VA_ARGS__)

#define BPF_CORE_READ(src, a, ...)		___bpfemu_arrows(src, a, ##__VA_ARGS__)
#define BPF_CORE_READ_USER(src, a, ...)		BPF_CORE_READ(src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ(src, a, ...)		BPF_CORE_READ(src, a, ##__VA_ARGS__)
#define BPF_CORE_READ_INTO(dst, src, a, ...)				\
	({ *(dst) = BPF_CORE_READ(src, a, ##__VA_ARGS__); 0; })
#define BPF_CORE_READ_USER_INTO(dst, src, a, ...)	BPF_CORE_READ_INTO(dst, src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_INTO(dst, src, a, ...)	BPF_CORE_READ_INTO(dst, src, a, ##__VA_ARGS__)
#define BPF_CORE_READ_STR_INTO(dst, src, a, ...)			\
	bpf_core_read_str((dst), sizeof(*(dst)), BPF_CORE_READ(src, a, ##__VA_ARGS__))
#define BPF_CORE_READ_BITFIELD(s, field)	((s)->field)
#define BPF_CORE_READ_BITFIELD_PROBED(s, field)	((s)->field)

#endif /* __BPF_CORE_READ_H__ */
