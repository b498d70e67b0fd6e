/* SPDX-License-Identifier: MIT */
/*
 * bpfemu_reset() and the registry of reset hooks (emu/core.h).
 *
 * The table is static: areas register from constructors, before main(),
 * when allocating would both be early and show up in the leak count.
 */
#include <pthread.h>

#include <bpfemu/core.h>

#include "core.h"
#include "ctx.h"
#include "err.h"

struct reset_hook {
	emu_reset_fn fn;
	int order;
	unsigned int seq;	/* registration order, for ties */
};

static pthread_mutex_t reset_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reset_hook hooks[EMU_RESET_MAX_HOOKS];
static unsigned int nr_hooks;
static unsigned int next_seq;

static int hook_cmp(const struct reset_hook *a, const struct reset_hook *b)
{
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int emu_reset_register(emu_reset_fn fn, int order)
{
	struct reset_hook h;
	unsigned int i;
	int err = 0;

	if (!fn)
		return -EINVAL;
	pthread_mutex_lock(&reset_lock);
	for (i = 0; i < nr_hooks && hooks[i].fn != fn; i++)
		;
	if (i == nr_hooks) {
		if (nr_hooks == EMU_RESET_MAX_HOOKS) {
			err = -ENOSPC;
			goto out_unlock;
		}
		hooks[nr_hooks].fn = fn;
		hooks[nr_hooks].seq = next_seq++;
		nr_hooks++;
	}
	hooks[i].order = order;

	/* Insertion sort: the table is tiny and registered once. */
	for (i = 1; i < nr_hooks; i++) {
		unsigned int j = i;

		h = hooks[i];
		while (j > 0 && hook_cmp(&h, &hooks[j - 1]) < 0) {
			hooks[j] = hooks[j - 1];
			j--;
		}
		hooks[j] = h;
	}
out_unlock:
	pthread_mutex_unlock(&reset_lock);
	return err;
}

int bpfemu_reset(void)
{
	struct reset_hook snapshot[EMU_RESET_MAX_HOOKS];
	unsigned int i, n;

	if (emu_ctx.depth > 0) {
		emu_diag("reset_in_bpf", "bpfemu_reset() called from inside a BPF program or callback; nothing was reset");
		return emu_err(-EDEADLK);
	}
	/* Hooks may take their own locks and call back into the library:
	 * run them from a copy, without reset_lock held. */
	pthread_mutex_lock(&reset_lock);
	n = nr_hooks;
	for (i = 0; i < n; i++)
		snapshot[i] = hooks[i];
	pthread_mutex_unlock(&reset_lock);

	for (i = 0; i < n; i++)
		snapshot[i].fn();
	return 0;
}

/* The diagnostics log and fault injection live in err.c and alloc.c. */
static void diag_reset(void)
{
	bpfemu_diag_clear();
}

static void fault_reset(void)
{
	bpfemu_fault_inject_nth(0);
}

static void __attribute__((constructor)) core_register_reset(void)
{
	emu_reset_register(diag_reset, EMU_RESET_DIAG);
	emu_reset_register(fault_reset, EMU_RESET_FAULT);
}
