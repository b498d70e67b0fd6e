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
 * emu_fd_reap() runs at every outermost BPF entry, before timers fire, and
 * at every user-space API call, which is when a kernel's synchronous fput()
 * would have been observed.
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
};

/*
 * How a kind takes and drops the reference an fd or a pin holds
 * (maps: emu_map_get_uref / emu_map_put_uref).
 */
struct emu_obj_ref_ops {
	void (*get)(void *obj);
	void (*put)(void *obj);
};
void emu_fd_register_kind(enum emu_obj_kind kind, const struct emu_obj_ref_ops *ops);

/* Readiness of fds that user space polls (ring buffers): the runtime sets
 * which of POLLIN/POLLOUT the user's descriptor reports. */
#define EMU_FD_POLLABLE 0x1

/*
 * New user fd for @obj: takes one reference through the kind's ops->get.
 * @flags: 0 or EMU_FD_POLLABLE.  Returns the fd (>= 0) or -errno
 * (-EMFILE, -ENOMEM...), in which case no reference is held.
 */
int emu_fd_new(enum emu_obj_kind kind, void *obj, unsigned int flags);

/*
 * Object behind a user fd.  Returns the object or NULL with *err:
 * -EBADF if @fd is not open, -EINVAL if it is open but is not an object of
 * @kind (a regular file, or another kind).  Does not take a reference.
 */
void *emu_fd_get(int fd, enum emu_obj_kind kind, int *err);

/* Kind of the object behind @fd, or 0. */
enum emu_obj_kind emu_fd_kind(int fd);

/* Make the user's descriptors of a POLLABLE object report @events
 * (POLLIN / POLLOUT bits); wakes anyone in poll/epoll on them. */
void emu_fd_set_ready(void *obj, int events);

/* Drop the references of every handle whose user descriptors are all closed. */
void emu_fd_reap(void);

/* Emulated bpffs: a pin holds one reference (ops->get) until unpinned. */
int emu_bpffs_pin(const char *path, enum emu_obj_kind kind, void *obj);
void *emu_bpffs_get(const char *path, enum emu_obj_kind *kind, int *err);
int emu_bpffs_unpin(const char *path);

/* Close every handle and pin (bpfemu_reset). */
void emu_fd_reset(void);

#endif /* BPFEMU_EMU_FD_H */
