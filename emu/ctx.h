/* SPDX-License-Identifier: MIT */
/*
 * Per-thread execution context: which program (or callback of which
 * program) is running on this thread, as which emulated CPU.
 *
 * Every native entry into BPF code goes through emu_run_enter/leave:
 * bpf_prog_test_run_opts, timer callbacks, bpf_for_each_map_elem / drain /
 * bpf_loop callbacks (nested entries).  The outermost entry on a thread
 *   - reaps closed user fds (emu_fd_reap) so usercnt is current,
 *   - syncs the object's .bss/.data/.rodata (see prog.h),
 *   - owns the jmp_buf that emu_verifier_reject() longjmps to.
 */
#ifndef BPFEMU_EMU_CTX_H
#define BPFEMU_EMU_CTX_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

struct emu_prog;
struct emu_timer;
struct emu_run_guard;

enum emu_entry_kind {
	EMU_ENTRY_PROG,		/* a program run (test_run, attach point) */
	EMU_ENTRY_TIMER_CB,	/* a bpf_timer callback, run by the clock */
	/* No entry takes a program reference: a program whose last one goes
	 * during a run is freed after the grace period (emu_prog_put). */
	EMU_ENTRY_CALLBACK,	/* a synchronous callback inside a program */
};

struct emu_run_ctx {
	struct emu_prog *prog;		/* program whose code runs; NULL outside BPF */
	int prog_type;			/* enum bpf_prog_type of @prog (callbacks inherit) */
	/* Helpers @prog may call, one bit per BPF_FUNC_* id (helper_table.c);
	 * NULL outside BPF and for programs whose calls all take the slow
	 * check (non-GPL), so EMU_HELPER_CHECK's fast path is one bit test. */
	const uint64_t *helpers_allowed;
	int cpu;			/* emulated CPU id, bpf_get_smp_processor_id() */
	int depth;			/* nesting of entries; 0 = not in BPF */
	enum emu_entry_kind kind;	/* kind of the innermost entry */
	struct emu_timer *running_timer; /* timer whose callback runs here, for -EDEADLK */
	jmp_buf *reject_jb;		/* set by the outermost entry */
	int reject_err;			/* errno emu_verifier_reject() left for the entry */
	bool batch;			/* inside emu_run_batch_begin/end */
	struct emu_run_guard *guard;	/* open emu_run_guard_begin (prog.h), or NULL */
	/* Live entries in emu_refs.refs[]: here, so that every run's exit
	 * check reads this small initial-exec variable, not the table. */
	uint32_t nr_refs;
	/* The newest ring buffer sample the program holds and its ring, or
	 * NULL: a reference kept apart from refs[] (emu_ref_acquire_sample). */
	void *rb_sample;
	void *rb_ring;
};

/*
 * Read on every helper call and program entry.  The library is built
 * position-independent, where a thread-local defaults to the model that
 * may call __tls_get_addr: the compiler then keeps every live register
 * clear of that call around each access, even once the linker has turned
 * it into a plain %fs load.  Initial-exec is that plain load from the
 * start.  But one initial-exec access puts all of the library's
 * thread-locals in static TLS, which a module loaded later with dlopen()
 * cannot get ("cannot allocate memory in static TLS block"): the build
 * defines EMU_TLS_IE_OFF for a shared library (BPFEMU_TLS_INITIAL_EXEC,
 * cmake/options.cmake), where TLS descriptors keep most of the gain.
 */
#if defined(__GNUC__) && defined(__ELF__) && !defined(EMU_TLS_IE_OFF)
#define EMU_TLS_IE __attribute__((tls_model("initial-exec")))
#else
#define EMU_TLS_IE
#endif

extern _Thread_local struct emu_run_ctx emu_ctx EMU_TLS_IE;

/*
 * A batch of event callbacks fired by one advance of the clock (or one
 * dispatch of the real-time loop) on this thread.  The per-entry work that
 * does not depend on the callback is done once for the batch:
 *   emu_run_batch_begin  reaps closed fds (every close made before the
 *                        advance is seen before anything fires) and enters
 *                        the maps' RCU read side;
 *   emu_run_batch_next   between two events: lets a grace period that
 *                        waits on this thread pass (emu_map_rcu_quiesce),
 *                        so an element a callback deleted is freed before
 *                        the next callback runs, as with separate sections;
 *   emu_run_batch_end    leaves the read side.
 * Outermost entries inside a batch skip the fd reap and nest in the
 * batch's section.  A close made by another thread while the batch runs is
 * seen at that thread's next bpfemu call or at the next advance, not
 * between two callbacks.  Not nestable; only outside BPF (depth 0).
 */
void emu_run_batch_begin(void);
void emu_run_batch_next(void);
void emu_run_batch_end(void);

static inline bool emu_in_bpf(void)
{
	return emu_ctx.depth > 0;
}

/*
 * Acquired references (the verifier's acquired_refs).  The kernel refuses
 * at load a program that can exit while holding one ("Unreleased reference
 * id=N alloc_insn=M"), or that releases what it does not hold.  Natively we
 * see it at run time: while a program runs on this thread (emu_in_bpf()),
 * every acquiring helper records what it handed out here and every
 * releasing helper removes it.  The outermost entry (emu_run) checks the
 * table is empty when it returns: otherwise it records
 * "unreleased_reference", fails the run with -EINVAL and releases what was
 * left (ring records discarded, cgroup references dropped, locks given
 * back).  A release of something not in the table is "release_unowned"
 * (emu_ref_release).
 * Outside any program (tests driving helpers directly) nothing is tracked.
 *
 * The table is per thread and spans the whole outermost run: nested
 * callbacks share it, as a kernel callback shares its program's state.
 */
enum emu_ref_kind {
	EMU_REF_RINGBUF_SAMPLE,		/* bpf_ringbuf_reserve: the sample */
	EMU_REF_RINGBUF_DYNPTR,		/* bpf_ringbuf_reserve_dynptr, even a failed one */
	EMU_REF_CGROUP,			/* bpf_cgroup_from_id / _acquire / _ancestor */
	EMU_REF_SPIN_LOCK,		/* bpf_spin_lock: the lock (6.18 keeps it with the refs) */
	EMU_REF_RCU_LOCK,		/* bpf_rcu_read_lock: the read-side section */
	EMU_REF_NR_KINDS,
};

struct emu_ref {
	void *ptr;		/* sample, struct bpf_dynptr *, struct cgroup *, lock */
	void *obj;		/* RINGBUF_SAMPLE: its ring; RINGBUF_DYNPTR: its sample
				 * (NULL if the reserve failed) */
	enum emu_ref_kind kind;
};

/* More than the verifier could track live in a loadable program (10
 * registers and 64 stack slots per frame hold the pointers). */
#define EMU_REFS_MAX 128

struct emu_ref_state {
	/* the number of live entries in refs[] is emu_ctx.nr_refs */
	uint32_t count[EMU_REF_NR_KINDS];	/* outstanding, per kind */
	struct emu_ref refs[EMU_REFS_MAX];
};

/* Initial-exec as emu_ctx (above): every ring sample's reserve and submit
 * reach it, and a TLS descriptor call there makes clang keep the helper's
 * live values in callee-saved registers around it. */
extern _Thread_local struct emu_ref_state emu_refs EMU_TLS_IE;

/* Table full: releases @ptr/@obj at once and rejects the run (prog.c). */
void emu_ref_overflow(enum emu_ref_kind kind, void *ptr, void *obj);

/* A helper handed out a reference.  Cheap: a store and two increments. */
static inline void emu_ref_acquire(enum emu_ref_kind kind, void *ptr, void *obj)
{
	struct emu_ref *r;

	if (!emu_in_bpf())
		return;
	if (emu_ctx.nr_refs == EMU_REFS_MAX) {
		emu_ref_overflow(kind, ptr, obj);
		return;
	}
	r = &emu_refs.refs[emu_ctx.nr_refs++];
	r->ptr = ptr;
	r->obj = obj;
	r->kind = kind;
	emu_refs.count[kind]++;
}

/*
 * A helper is about to release @ptr (RINGBUF_DYNPTR: the dynptr, @obj its
 * data; a clone releases its original, so a non-NULL @obj matches by data).
 * Returns true if the running program holds it (the entry is removed) or no
 * program runs; otherwise rejects the run ("release_unowned", @helper and
 * @kernel_msg, the verifier's wording) and returns false: the caller must
 * then release nothing.
 */
bool emu_ref_release_slow(enum emu_ref_kind kind, void *ptr, void *obj, const char *helper,
			  const char *kernel_msg);

/* The entry, removed, if the newest reference the running program holds
 * is @ptr of @kind (not for RINGBUF_DYNPTR: a clone matches by its
 * sample); NULL otherwise.  The entry stays readable until the next
 * acquisition.  Never rejects: a miss only means "look further". */
static inline const struct emu_ref *emu_ref_pop_newest_entry(enum emu_ref_kind kind,
							     const void *ptr)
{
	uint32_t n = emu_ctx.nr_refs;
	struct emu_ref *r = &emu_refs.refs[n ? n - 1 : 0];

	if (n && r->kind == kind && r->ptr == ptr) {
		emu_ctx.nr_refs = n - 1;
		emu_refs.count[kind]--;
		return r;
	}
	return 0;
}

static inline bool emu_ref_pop_newest(enum emu_ref_kind kind, const void *ptr)
{
	return emu_ref_pop_newest_entry(kind, ptr) != 0;
}

/*
 * Ring buffer samples.  A program sends records one at a time -- reserve,
 * fill, submit -- so the sample it holds is usually one, and that one is
 * kept in emu_ctx (rb_sample, rb_ring) rather than in refs[]: reserve
 * stores two words and submit compares one, where a refs[] entry costs
 * three fields, a counter and the table's bounds (~2 ns of a 15 ns record,
 * bench_ringbuf).  It is a reference like any other: every release of a
 * sample looks there first, and the run's end counts and drops it with the
 * table's (refs_leaked).  A second sample held at once goes to refs[].
 */
void emu_ref_acquire_sample_table(void *sample, void *ring);

/* In a program (the caller knows: its helper passed the bit check, whose
 * bitmap is NULL outside programs). */
static inline void emu_ref_acquire_sample_in_bpf(void *sample, void *ring)
{
	if (__builtin_expect(!emu_ctx.rb_sample, 1)) {
		emu_ctx.rb_sample = sample;
		emu_ctx.rb_ring = ring;
		return;
	}
	emu_ref_acquire_sample_table(sample, ring);
}

static inline void emu_ref_acquire_sample(void *sample, void *ring)
{
	if (emu_in_bpf())
		emu_ref_acquire_sample_in_bpf(sample, ring);
}

/* @sample's ring if @sample is the one kept in emu_ctx (which is emptied),
 * else NULL: the caller then looks in refs[]. */
static inline void *emu_ref_take_sample(const void *sample)
{
	if (__builtin_expect(sample == emu_ctx.rb_sample && sample, 1)) {
		emu_ctx.rb_sample = 0;
		return emu_ctx.rb_ring;
	}
	return 0;
}

static inline bool emu_ref_release(enum emu_ref_kind kind, void *ptr, void *obj,
				   const char *helper, const char *kernel_msg)
{
	/* Releases usually mirror acquisitions (reserve, then submit): the
	 * newest entry, matched by pointer, is popped here.  Dynptrs (matched
	 * by their sample when cloned), a miss and a run-less call take the
	 * full search, which also rejects what is not held. */
	if (kind != EMU_REF_RINGBUF_DYNPTR && emu_ref_pop_newest(kind, ptr))
		return true;
	return emu_ref_release_slow(kind, ptr, obj, helper, kernel_msg);
}

#endif /* BPFEMU_EMU_CTX_H */
