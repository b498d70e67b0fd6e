/* SPDX-License-Identifier: MIT */
/*
 * Small helpers with no family of their own: time (kernel/bpf/helpers.c),
 * the current CPU and task, prandom, NUMA node, and bpf_loop.
 *
 * Time helpers read the one clock (emu/clock.c), so bpf_ktime_get_ns() and
 * CLOCK_MONOTONIC timers agree, as spec maps.md §9 requires.  The current
 * task is whatever the test configured (bpfemu_task_*), by default the real
 * process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpfemu/clock.h>
#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "clock.h"
#include "core.h"
#include "ctx.h"
#include "err.h"
#include "prog.h"

/* kernel/bpf/helpers.c: the largest nr_loops bpf_loop accepts. */
#define BPF_MAX_LOOPS (8 * 1024 * 1024)

/* ------------------------------------------------------------ time */

__u64 bpfemu_helper_ktime_get_ns(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_ktime_get_ns, 0);
	return emu_clock_now(EMU_CLOCK_MONOTONIC);
}

__u64 bpfemu_helper_ktime_get_boot_ns(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_ktime_get_boot_ns, 0);
	return emu_clock_now(EMU_CLOCK_BOOTTIME);
}

__u64 bpfemu_helper_ktime_get_coarse_ns(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_ktime_get_coarse_ns, 0);
	return emu_clock_now(EMU_CLOCK_MONOTONIC_COARSE);
}

__u64 bpfemu_helper_ktime_get_tai_ns(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_ktime_get_tai_ns, 0);
	return emu_clock_now(EMU_CLOCK_TAI);
}

__u64 bpfemu_helper_jiffies64(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_jiffies64, 0);
	/* jiffies count ticks since boot from INITIAL_JIFFIES. */
	return BPFEMU_INITIAL_JIFFIES + emu_clock_now(EMU_CLOCK_MONOTONIC) / BPFEMU_CLOCK_TICK_NS;
}

/* ------------------------------------------------------------ CPU, NUMA */

__u32 bpfemu_helper_get_smp_processor_id(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_get_smp_processor_id, 0);
	return (__u32)emu_ctx.cpu;
}

static _Atomic int numa_node;

long bpfemu_helper_get_numa_node_id(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_get_numa_node_id, 0);
	return atomic_load(&numa_node);
}

void bpfemu_task_set_numa_node(int node)
{
	atomic_store(&numa_node, node);
}

/* ------------------------------------------------------------ prandom */

/*
 * splitmix64 over an atomic counter: deterministic for a seed, lock-free,
 * and every thread's call takes the next value of one sequence.
 */
static _Atomic uint64_t prandom_state = BPFEMU_PRANDOM_DEFAULT_SEED;

__u32 bpfemu_helper_get_prandom_u32(void)
{
	uint64_t z;

	EMU_HELPER_CHECK(BPF_FUNC_get_prandom_u32, 0);
	z = atomic_fetch_add(&prandom_state, 0x9e3779b97f4a7c15ULL) + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (__u32)((z ^ (z >> 31)) >> 32);
}

void bpfemu_prandom_seed(uint64_t seed)
{
	atomic_store(&prandom_state, seed);
}

/* ------------------------------------------------------------ current task */

static pthread_mutex_t task_lock = PTHREAD_MUTEX_INITIALIZER;
/* Bumped by every change of the identity: the task_struct a program reads
 * (emu/cgroup.c) copies it again when this moved. */
static atomic_uint task_identity_gen;

unsigned int emu_task_identity_gen(void)
{
	return atomic_load_explicit(&task_identity_gen, memory_order_acquire);
}
static struct {
	bool set_pid, set_ids, set_comm;
	uint32_t tgid, pid, uid, gid;
	char comm[16];
} task;

static void default_comm(char comm[16])
{
	const char *name = NULL;

#if defined(__GLIBC__)
	name = program_invocation_short_name;
#elif defined(__APPLE__) || defined(__FreeBSD__)
	name = getprogname();
#endif
	memset(comm, 0, 16);
	if (name)
		strncpy(comm, name, 15);
}

void emu_task_ids(uint32_t *tgid, uint32_t *pid)
{
	pthread_mutex_lock(&task_lock);
	if (task.set_pid) {
		*tgid = task.tgid;
		*pid = task.pid;
	} else {
		*tgid = *pid = (uint32_t)getpid();
	}
	pthread_mutex_unlock(&task_lock);
}

void emu_task_comm(char comm[16])
{
	pthread_mutex_lock(&task_lock);
	if (task.set_comm)
		memcpy(comm, task.comm, 16);
	else
		default_comm(comm);
	pthread_mutex_unlock(&task_lock);
}

void bpfemu_task_set_pid(uint32_t tgid, uint32_t pid)
{
	pthread_mutex_lock(&task_lock);
	task.set_pid = true;
	task.tgid = tgid;
	task.pid = pid;
	pthread_mutex_unlock(&task_lock);
	atomic_fetch_add_explicit(&task_identity_gen, 1, memory_order_release);
}

void bpfemu_task_set_ids(uint32_t uid, uint32_t gid)
{
	pthread_mutex_lock(&task_lock);
	task.set_ids = true;
	task.uid = uid;
	task.gid = gid;
	pthread_mutex_unlock(&task_lock);
}

void bpfemu_task_set_comm(const char *comm)
{
	pthread_mutex_lock(&task_lock);
	task.set_comm = comm != NULL;
	memset(task.comm, 0, sizeof(task.comm));
	if (comm)
		strncpy(task.comm, comm, sizeof(task.comm) - 1);
	pthread_mutex_unlock(&task_lock);
	atomic_fetch_add_explicit(&task_identity_gen, 1, memory_order_release);
}

__u64 bpfemu_helper_get_current_pid_tgid(void)
{
	uint32_t tgid, pid;

	EMU_HELPER_CHECK(BPF_FUNC_get_current_pid_tgid, 0);
	emu_task_ids(&tgid, &pid);
	return (__u64)tgid << 32 | pid;
}

/*
 * The pid namespace the emulated task lives in: the process's own, as
 * /proc/self/ns/pid names it (device and inode, what user space passes to
 * bpf_get_ns_current_pid_tgid).  A process's pid namespace never changes,
 * so it is looked up once.  Where there is no such file (macOS) nothing
 * matches.
 */
static pthread_once_t pidns_once = PTHREAD_ONCE_INIT;
static bool pidns_known;
static uint64_t pidns_dev, pidns_ino;

static void pidns_lookup(void)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) == 0) {
		pidns_known = true;
		pidns_dev = (uint64_t)st.st_dev;
		pidns_ino = (uint64_t)st.st_ino;
	}
}

/*
 * bpf_get_ns_current_pid_tgid (kernel/bpf/helpers.c): the task's ids as
 * seen in the pid namespace @dev/@ino, else -EINVAL with @nsdata cleared
 * (a size other than the struct's, a device number wider than 32 bits,
 * another namespace).  Checked on 6.18: the right namespace gives what
 * bpf_get_current_pid_tgid gives, any other -EINVAL and zeros.
 */
long bpfemu_helper_get_ns_current_pid_tgid(__u64 dev, __u64 ino, struct bpf_pidns_info *nsdata,
					   __u32 size)
{
	uint32_t tgid, pid;

	EMU_HELPER_CHECK(BPF_FUNC_get_ns_current_pid_tgid, -EINVAL);
	if (!emu_mem_arg_ok(nsdata, "bpf_get_ns_current_pid_tgid", 3))
		return -EACCES;
	pthread_once(&pidns_once, pidns_lookup);
	if (size != sizeof(*nsdata) || dev != (uint32_t)dev || !pidns_known ||
	    dev != pidns_dev || ino != pidns_ino) {
		memset(nsdata, 0, size);
		return -EINVAL;
	}
	emu_task_ids(&tgid, &pid);
	nsdata->pid = pid;
	nsdata->tgid = tgid;
	return 0;
}

__u64 bpfemu_helper_get_current_uid_gid(void)
{
	uint32_t uid, gid;

	EMU_HELPER_CHECK(BPF_FUNC_get_current_uid_gid, 0);
	pthread_mutex_lock(&task_lock);
	uid = task.set_ids ? task.uid : (uint32_t)getuid();
	gid = task.set_ids ? task.gid : (uint32_t)getgid();
	pthread_mutex_unlock(&task_lock);
	return (__u64)gid << 32 | uid;
}

long bpfemu_helper_get_current_comm(void *buf, __u32 size_of_buf)
{
	char comm[16];
	size_t n;

	EMU_HELPER_CHECK(BPF_FUNC_get_current_comm, -EINVAL);
	if (!buf || !size_of_buf) {
		/* ARG_CONST_SIZE: the verifier refuses a zero or NULL buffer. */
		emu_verifier_reject(-EINVAL, "zero_size_buffer",
				    "bpf_get_current_comm needs a buffer of at least 1 byte");
		return -EINVAL;
	}
	emu_task_comm(comm);
	/* strscpy_pad: copy what fits, always terminate, zero the rest. */
	n = strnlen(comm, sizeof(comm));
	if (n > size_of_buf - 1)
		n = size_of_buf - 1;
	memset(buf, 0, size_of_buf);
	memcpy(buf, comm, n);
	return 0;
}

/* ------------------------------------------------------------ bpf_loop */

/* BPF callbacks are static int functions natively. */
typedef int (*loop_cb_t)(__u64 index, void *ctx);

struct loop_call {
	loop_cb_t cb;
	void *ctx;
	__u32 nr_loops;
};

/* The loop: the iterations run, or -EINVAL for a callback return the
 * verifier would refuse (rejected through emu_callback_check_ret). */
static long loop_run(void *arg)
{
	struct loop_call *c = arg;
	__u32 i;

	for (i = 0; i < c->nr_loops; i++) {
		long ret = c->cb(i, c->ctx);

		if (emu_callback_check_ret(BPF_FUNC_loop, ret))
			return -EINVAL;
		/* 0: continue; 1: stop, counting this iteration. */
		if (ret)
			return i + 1;
	}
	return i;
}

long bpfemu_helper_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags)
{
	struct loop_call call = { .cb = (loop_cb_t)callback_fn, .ctx = callback_ctx,
				  .nr_loops = nr_loops };
	long ret = 0;
	int err;

	EMU_HELPER_CHECK(BPF_FUNC_loop, -EINVAL);
	/* R2 is checked at load, before anything the call itself decides */
	if (!callback_fn) {
		emu_verifier_reject(-EACCES, "loop_cb_null",
				    "bpf_loop: R2 type=scalar expected=func");
		return -EACCES;
	}
	if (flags)
		return -EINVAL;
	if (nr_loops > BPF_MAX_LOOPS)
		return -E2BIG;
	/* Called from plain C (depth 0), the callback simply runs.  Inside a
	 * program it runs as the program's callback: one nested entry holds
	 * the whole loop (as bpf_for_each_map_elem's walk), since nothing
	 * between two iterations depends on the entry's context. */
	if (!emu_ctx.prog)
		return loop_run(&call);
	err = emu_run(emu_ctx.prog, EMU_ENTRY_CALLBACK, loop_run, &call, &ret);
	return err ? err : ret;
}

/* ------------------------------------------------------------ reset */

static void misc_reset(void)
{
	pthread_mutex_lock(&task_lock);
	memset(&task, 0, sizeof(task));
	pthread_mutex_unlock(&task_lock);
	atomic_store(&numa_node, 0);
	atomic_store(&prandom_state, BPFEMU_PRANDOM_DEFAULT_SEED);
}

static void __attribute__((constructor)) misc_register_reset(void)
{
	emu_reset_register(misc_reset, EMU_RESET_MISC);
}

/*
 * bpf_rcu_read_lock / bpf_rcu_read_unlock: the program runs inside the
 * emulator's read-side section already, so the kfuncs only keep the
 * verifier's rules, which 6.18 applies to every program type: no nesting
 * ("nested rcu read lock", -EINVAL), no unlock outside a section
 * ("unmatched rcu read unlock", -EINVAL), no exit inside one
 * (rcu_lock_held_at_exit in prog.c).  The section is a reference of the
 * run (ctx.h).  Outside a program they do nothing.
 */
static char rcu_section;	/* what the reference points at */

BPFEMU_API void bpf_rcu_read_lock(void)
{
	if (!emu_in_bpf())
		return;
	if (emu_refs.count[EMU_REF_RCU_LOCK]) {
		emu_verifier_reject(-EINVAL, "rcu_nested",
				    "nested rcu read lock (kernel function bpf_rcu_read_lock)");
		return;
	}
	emu_ref_acquire(EMU_REF_RCU_LOCK, &rcu_section, NULL);
}

BPFEMU_API void bpf_rcu_read_unlock(void)
{
	if (!emu_in_bpf())
		return;
	if (!emu_refs.count[EMU_REF_RCU_LOCK]) {
		emu_verifier_reject(-EINVAL, "rcu_unmatched_unlock",
				    "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)");
		return;
	}
	emu_ref_release(EMU_REF_RCU_LOCK, &rcu_section, NULL, "bpf_rcu_read_unlock",
			"unmatched rcu read unlock");
}
