/* SPDX-License-Identifier: MIT */
/*
 * CO-RE is the identity natively (<bpf/bpf_core_read.h>), so the attribute
 * that asks clang for relocations on a struct's accesses,
 * __attribute__((preserve_access_index)), has nothing to do.  It is dropped
 * for gcc, which warns on it; clang gets a no-op attribute in its place, so
 * that `#pragma clang attribute push (__attribute__((preserve_access_index)),
 * apply_to = record)` still parses.  Included by <bpf/bpf_helpers.h> and
 * <vmlinux.h>, which BPF C includes in either order or alone.
 */
#ifndef BPFEMU_CORE_ATTRS_H
#define BPFEMU_CORE_ATTRS_H

#ifndef preserve_access_index
#ifdef __clang__
#define preserve_access_index	annotate("bpfemu: preserve_access_index")
#else
#define preserve_access_index
#endif
#endif

#endif /* BPFEMU_CORE_ATTRS_H */
