/* SPDX-License-Identifier: MIT */
/*
 * Is a pointer on the calling thread's stack?  A program's locals live
 * there natively, as they live on the BPF stack in the kernel, where the
 * verifier knows every stack pointer for what it is (PTR_TO_STACK, "fp")
 * and refuses one where a helper wants a map value: a struct bpf_timer or
 * struct bpf_spin_lock declared as a local ("R1 type=fp
 * expected=map_value", -EACCES).  Natively such a lock or timer would
 * work, or half work, on memory that dies with the frame.
 *
 * The bounds are the thread's own (pthread attributes), looked up once per
 * thread; the test is then two compares.  Where they cannot be had the
 * answer is "no", and the helper goes on as before.
 */
#ifndef BPFEMU_EMU_STACK_H
#define BPFEMU_EMU_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"

struct emu_stack_bounds {
	uintptr_t lo, hi;	/* [lo, hi); hi 0 until looked up */
};

extern _Thread_local struct emu_stack_bounds emu_stack EMU_TLS_IE;

void emu_stack_lookup(void);

static inline bool emu_ptr_on_stack(const void *p)
{
	if (__builtin_expect(!emu_stack.hi, 0))
		emu_stack_lookup();
	return (uintptr_t)p - emu_stack.lo < emu_stack.hi - emu_stack.lo;
}

#endif /* BPFEMU_EMU_STACK_H */
