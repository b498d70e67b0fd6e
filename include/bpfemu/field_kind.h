/* SPDX-License-Identifier: MIT */
/*
 * Kinds of special field in a map value (what the kernel finds in the
 * value's BTF).  One definition, shared by the control API (<bpfemu/core.h>,
 * bpfemu_map_create_fields) and the generator's tables (<bpfemu/gen.h>),
 * so a file may include both.  Same numbering as the runtime's
 * enum emu_field_kind (emu/map.h).
 *
 * No system header here: <bpfemu/gen.h> is included after a program's
 * preprocessed text.
 */
#ifndef BPFEMU_FIELD_KIND_H
#define BPFEMU_FIELD_KIND_H

enum bpfemu_field_kind {
	BPFEMU_FIELD_SPIN_LOCK,		/* struct bpf_spin_lock, 4 bytes */
	BPFEMU_FIELD_TIMER,		/* struct bpf_timer, 16 bytes */
	BPFEMU_FIELD_WQ,		/* struct bpf_wq, 16 bytes */
	BPFEMU_FIELD_KPTR,		/* a __kptr, 8 bytes */
};

#endif /* BPFEMU_FIELD_KIND_H */
