/* SPDX-License-Identifier: MIT */
/*
 * User-visible file descriptors of emulated kernel objects (maps, programs,
 * links, cgroups) and the emulated bpffs.
 *
 * Every fd handed to user space is a real descriptor of the process (a pipe
 * end on every platform), one per "open file description" the kernel would
 * create (BPF_MAP_CREATE, BPF_OBJ_GET, BPF_MAP_GET_FD_BY_ID...).  The runtime
 * keeps the other end, so:
 *   - close(2) of the last descriptor referring to it (dup(2)s and fork()ed
 *     copies included) is seen as a hang-up on our end, without the user
 *     calling us: emu_fd_reap() drops that handle's user reference;
 *   - a descriptor number reused by an unrelated file is told apart by its
 *     identity (fstat dev/ino), so stale numbers give -EBADF/-EINVAL exactly
 *     as the kernel would.
 * emu_fd_reap() runs at every user-space API call (test_run and
 * bpfemu_prog_run included, once per call) and once per clock-advance batch
 * (before the first timer fires), which is when a kernel's synchronous
 * fput() would have been observed; each outermost program entry also calls
 * emu_fd_reap_for_run(), which looks only when a close could change what
 * the program sees.
 */
#ifndef BPFEMU_EMU_FD_H
#define BPFEMU_EMU_FD_H

#include <stdbool.h>
#include <stdint.h>

enum emu_obj_kind {
	EMU_OBJ_MAP = 1,
	EMU_OBJ_PROG,
	EMU_OBJ_LINK,
	EMU_OBJ_CGROUP,
	EMU_OBJ_STATS,		/* bpf_enable_stats: stats on while open */
};

/*
 * How a kind takes and drops the reference an fd or a pin holds
 * (maps: emu_map_get_uref / emu_map_put_uref).
 */
struct emu_obj_ref_ops {
	void (*get)(void *obj);
	void (*put)(void *obj);
	/* Optional: a short-lived reference (maps: refcnt only) taken under the
	 * fd table lock by emu_fd_hold(), so a concurrent close cannot free the
	 * object while a user-space call works on it. */
	void (*hold)(void *obj);
	void (*release)(void *obj);
	/* Optional: BPF_OBJ_GET_INFO_BY_FD for this kind.  @info_len in: the
	 * user's buffer size (already tail-checked, <= the kind's struct);
	 * fills at most that many bytes. */
	int (*get_info)(void *obj, void *info, uint32_t info_len);
	uint32_t info_size;	/* sizeof the kind's bpf_*_info */
	/* Optional: whether dropping an fd's reference to @obj can change what
	 * a program run sees (a map whose timers die with its last fd);
	 * asked once, when the fd is made.  NULL: never. */
	bool (*run_visible)(const void *obj);
};
void emu_fd_register_kind(enum emu_obj_kind kind, const struct emu_obj_ref_ops *ops);
/* The registered ops of @kind, or NULL. */
const struct emu_obj_ref_ops *emu_fd_kind_ops(enum emu_obj_kind kind);

/*
 * emu_fd_new() flags.
 * Readiness of fds that user space polls (ring buffers): the runtime sets
 * whether the user's descriptor reports POLLIN (EMU_FD_POLLIN: RINGBUF, data
 * available) or POLLOUT (EMU_FD_POLLOUT: USER_RINGBUF, space available);
 * emu_fd_set_ready() moves the level.  A new POLLIN fd starts not readable,
 * a new POLLOUT fd starts writable; later fds of the same object start at
 * the object's current level.
 * Access mode of the open file description (BPF_F_RDONLY / BPF_F_WRONLY at
 * create, BPF_OBJ_GET file_flags, GET_FD_BY_ID open_flags).
 */
#define EMU_FD_POLLIN	0x1
#define EMU_FD_POLLOUT	0x2
#define EMU_FD_POLLABLE	EMU_FD_POLLIN	/* older name */
#define EMU_FD_RDONLY	0x10		/* no FMODE_CAN_WRITE */
#define EMU_FD_WRONLY	0x20		/* no FMODE_CAN_READ */

/*
 * New user fd for @obj: takes one reference through the kind's ops->get.
 * @flags: 0 or EMU_FD_POLLABLE.  Returns the fd (>= 0) or -errno
 * (-EMFILE, -ENOMEM...), in which case no reference is held.
 */
int emu_fd_new(enum emu_obj_kind kind, void *obj, unsigned int flags);

/*
 * Drop the references of user fds that were closed (every bpfemu call does
 * this first).  emu_fd_reap_for_run() is the program-entry variant: it
 * looks only when some open fd's close could change what a program sees
 * (ops->run_visible), so entering a program whose maps have no timers
 * costs no system call; the other closes are seen at the next call.
 */
void emu_fd_reap(void);
void emu_fd_reap_for_run(void);

/*
 * Object behind a user fd.  Returns the object or NULL with *err:
 * -EBADF if @fd is not open, -EINVAL if it is open but is not an object of
 * @kind (a regular file, or another kind).  Does not take a reference.
 */
void *emu_fd_get(int fd, enum emu_obj_kind kind, int *err);

/* Kind of the object behind @fd, or 0. */
enum emu_obj_kind emu_fd_kind(int fd);

/*
 * Like emu_fd_get, and also takes the kind's hold (ops->hold, if any) and
 * reports the descriptor's access mode (EMU_FD_RDONLY/WRONLY bits) in
 * *@fmode.  Drop with emu_fd_release(kind, obj).
 */
void *emu_fd_hold(int fd, enum emu_obj_kind kind, unsigned int *fmode, int *err);
void emu_fd_release(enum emu_obj_kind kind, void *obj);

/* BPF_OBJ_GET_INFO_BY_FD on any kind: -EBADF, -EINVAL, -E2BIG (non-zero
 * bytes past the kind's struct), or 0 with *@info_len set. */
int emu_fd_get_info(int fd, void *info, uint32_t *info_len);

/* Make the user's descriptors of a POLLABLE object report @events
 * (POLLIN / POLLOUT bits); wakes anyone in poll/epoll on them. */
void emu_fd_set_ready(void *obj, int events);

/*
 * Emulated bpffs (mounted at /sys/fs/bpf): a pin holds one reference
 * (ops->get) until unpinned.  emu_bpffs_pin: -ENOENT (parent directory
 * missing), -EEXIST (path exists), -EPERM (parent is not in the bpffs).
 * emu_bpffs_get returns the object with a new reference (ops->get): -ENOENT,
 * -EACCES (not a pinned object: a directory, a file outside the bpffs).
 * emu_bpffs_unpin: unlink(2) of a pinned path.
 */
int emu_bpffs_pin(const char *path, enum emu_obj_kind kind, void *obj);
void *emu_bpffs_get(const char *path, enum emu_obj_kind *kind, int *err);
int emu_bpffs_unpin(const char *path);
/* Number of pins (tests, leak checks). */
int emu_bpffs_count(void);

/* Drop every pin (emu_fd_reset calls it). */
void emu_bpffs_reset(void);

/* Close every handle and pin (bpfemu_reset). */
void emu_fd_reset(void);

/* Live handles (tests). */
long emu_fd_count(void);

/* POSIX build: the directory holding this process's FIFOs, NULL while it
 * has none (and always in the Linux build, which makes none).  Tests. */
const char *emu_fd_fifo_dir(void);

#endif /* BPFEMU_EMU_FD_H */
