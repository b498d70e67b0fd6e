/* SPDX-License-Identifier: MIT */
/*
 * Emulator-wide control: allocator accounting and fault injection,
 * verifier-rule diagnostics, emulated CPUs, the current task, reset.
 */
#ifndef BPFEMU_CORE_H
#define BPFEMU_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpfemu/export.h>
#include <bpfemu/field_kind.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Objects currently allocated by bpfemu; 0 after everything was freed. */
BPFEMU_API long bpfemu_live_objects(void);
/* Make the @n-th allocation from now fail (1 = the next one); 0 disables. */
BPFEMU_API void bpfemu_fault_inject_nth(long n);
/* Number of failures injected so far (to know a run reached the Nth site). */
BPFEMU_API long bpfemu_fault_injected(void);

/*
 * Diagnostics: what the kernel's verifier would have said about a program
 * that native code could not be stopped from running.  Each has a stable
 * rule name (e.g. "helper_not_allowed", "timer_cb_nonzero_return").
 */
BPFEMU_API int bpfemu_diag_count(void);
/* 0, or -EINVAL (errno set) when @idx is not in [0, bpfemu_diag_count()). */
BPFEMU_API int bpfemu_diag_get(int idx, const char **rule, const char **msg);
BPFEMU_API bool bpfemu_diag_has(const char *rule);
BPFEMU_API void bpfemu_diag_clear(void);
BPFEMU_API void bpfemu_diag_set_echo(bool on);

/*
 * Put the emulator back in its initial state: the one call a test's
 * teardown makes, before asserting bpfemu_live_objects() == 0.  Closes
 * every fd and pin, destroys objects, programs, maps and cgroups, drops
 * pending events and resets the virtual clock to its start values, clears
 * the trace buffer and the diagnostics, turns fault injection off, restores
 * the default current task and prandom seed.  The order is documented in
 * emu/core.h.  Returns 0, or -EDEADLK (errno set) when called from inside a
 * BPF program or callback, where nothing is reset.
 */
BPFEMU_API int bpfemu_reset(void);

/*
 * bpf_get_prandom_u32(): a deterministic generator, per emulator (not per
 * CPU).  The same seed gives the same sequence; bpfemu_reset() restores
 * the default seed (BPFEMU_PRANDOM_DEFAULT_SEED).
 */
#define BPFEMU_PRANDOM_DEFAULT_SEED 0x5eed5eedULL
BPFEMU_API void bpfemu_prandom_seed(uint64_t seed);

/*
 * The task bpf_get_current_pid_tgid/uid_gid/comm report.  Defaults: the
 * real process (getpid() for both pid and tgid, getuid(), getgid(), the
 * program name truncated to 15 characters), restored by bpfemu_reset().
 * bpfemu_task_set_comm() truncates to 15 characters (TASK_COMM_LEN 16).
 */
BPFEMU_API void bpfemu_task_set_pid(uint32_t tgid, uint32_t pid);
BPFEMU_API void bpfemu_task_set_ids(uint32_t uid, uint32_t gid);
BPFEMU_API void bpfemu_task_set_comm(const char *comm);
/* bpf_get_numa_node_id(); default 0. */
BPFEMU_API void bpfemu_task_set_numa_node(int node);

/*
 * Emulated CPUs: per-CPU maps hold this many copies (fixed when each map is
 * created) and bpf_get_smp_processor_id() ranges below it.  Default 4;
 * 1..BPFEMU_MAX_CPUS, else -EINVAL.
 */
#define BPFEMU_MAX_CPUS 256
BPFEMU_API int bpfemu_set_nr_cpus(int n);
BPFEMU_API int bpfemu_nr_cpus(void);

/*
 * The emulated bpffs (mounted at /sys/fs/bpf).  libbpf unpins with
 * unlink(2) and makes pin directories with mkdir(2): the emulation's
 * bpf_map__unpin / pin helpers call these instead.  Paths outside the
 * mount go to the real file system.  -ENOENT, -EEXIST, -EISDIR, -ENOTDIR,
 * -ENOTEMPTY as unlink(2)/mkdir(2)/rmdir(2) give them.
 */
BPFEMU_API int bpfemu_bpffs_unlink(const char *path);
BPFEMU_API int bpfemu_bpffs_mkdir(const char *path);
BPFEMU_API int bpfemu_bpffs_rmdir(const char *path);
BPFEMU_API int bpfemu_bpffs_pin_count(void);

/*
 * bpf_map_create() with a value layout: the special fields the kernel would
 * find in the value's BTF (user space has no BTF to hand us).  The map is
 * created as if BTF described the value (btf_value_type_id given), and the
 * fields are checked as map_check_btf does (-EACCES with
 * BPF_F_RDONLY_PROG/WRONLY_PROG, -EOPNOTSUPP for a map type that cannot hold
 * them).  @opts as bpf_map_create's (may be NULL).
 */
struct bpfemu_map_field {
	uint32_t kind;			/* enum bpfemu_field_kind */
	uint32_t offset;		/* offsetof() in the value */
};
struct bpf_map_create_opts;
BPFEMU_API int bpfemu_map_create_fields(int map_type, const char *map_name,
					uint32_t key_size, uint32_t value_size,
					uint32_t max_entries,
					const struct bpf_map_create_opts *opts,
					const struct bpfemu_map_field *fields,
					uint32_t nr_fields);

/*
 * mmap(2) of a map fd, as the kernel does it (bpfemu's map fds are pipe
 * ends, so mmap itself cannot reach them).  mmap's arguments in mmap's
 * order; returns the mapping, or MAP_FAILED with errno set; release it
 * with munmap(2).
 * Ring buffers only (RINGBUF, USER_RINGBUF), with the kernel's rules:
 * MAP_SHARED only (EINVAL); RINGBUF writable only for the consumer page
 * (EPERM); USER_RINGBUF never writable over the consumer page (EPERM);
 * consumer page, producer page, then the data pages twice in a row, and
 * nothing past that (EINVAL); other maps ENODEV; not a map fd ENODEV or
 * EBADF.  A read-only mapping cannot be made writable later.
 */
BPFEMU_API void *bpfemu_map_mmap(void *addr, size_t len, int prot, int flags,
				 int map_fd, long off);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_CORE_H */
