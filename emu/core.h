/* SPDX-License-Identifier: MIT */
/*
 * bpfemu_reset(): the one call a test's teardown makes.  Each area
 * registers what it must undo, with an order; hooks run in increasing
 * order (ties in registration order).  Registration is meant for
 * constructors, so it never allocates:
 *
 *	static void __attribute__((constructor)) fd_register_reset(void)
 *	{
 *		emu_reset_register(emu_fd_reset, EMU_RESET_FD);
 *	}
 *
 * Why this order: closing fds and pins drops the user references that keep
 * maps' timers armed (usercnt 0 cancels them and releases their programs);
 * then objects and programs go, then whatever maps remain, then cgroups.
 * Only once every owner of an event is gone is the clock reset (it drops
 * pending events and goes back to its start values), then the trace buffer,
 * diagnostics (which the teardowns above may still add to) and fault
 * injection.
 */
#ifndef BPFEMU_EMU_CORE_H
#define BPFEMU_EMU_CORE_H

enum emu_reset_order {
	EMU_RESET_FD		= 100,	/* user fds and bpffs pins (fd.c, bpffs.c) */
	EMU_RESET_OBJECT	= 200,	/* objects, programs, links (object.c, prog.c) */
	EMU_RESET_MAP		= 300,	/* maps still alive, map ids, nr_cpus */
	EMU_RESET_CGROUP	= 400,	/* cgroup tree, current cgroup */
	EMU_RESET_CLOCK		= 500,	/* virtual clock, event queue, real-time loop */
	EMU_RESET_MISC		= 550,	/* current task, prandom seed */
	EMU_RESET_TRACE		= 600,	/* bpf_printk capture */
	EMU_RESET_DIAG		= 700,	/* diagnostics log */
	EMU_RESET_FAULT		= 800,	/* fault injection off */
};

typedef void (*emu_reset_fn)(void);

/* Maximum number of hooks; registering more is a bug of ours (reported). */
#define EMU_RESET_MAX_HOOKS 64

/*
 * Register @fn to run at bpfemu_reset() in @order.  Registering the same
 * function again only updates its order.  Returns 0, or -ENOSPC when the
 * table is full.  Thread-safe.
 */
int emu_reset_register(emu_reset_fn fn, int order);

/*
 * The emulated current task (helpers/misc.c), also shown in trace lines:
 * its tgid/pid and its comm (NUL-terminated, at most 15 characters).
 */
#include <stdint.h>
void emu_task_ids(uint32_t *tgid, uint32_t *pid);
void emu_task_comm(char comm[16]);
/* Moves whenever either changes (bpfemu_task_set_pid / _comm). */
unsigned int emu_task_identity_gen(void);

#endif /* BPFEMU_EMU_CORE_H */
