/* SPDX-License-Identifier: MIT */
/*
 * The cgroup model: a cgroup2 hierarchy that needs neither root nor a
 * cgroup filesystem.  Paths are absolute and relative to the cgroup2 root
 * ("/" is the root, "/a/b" a grandchild).  See docs/cgroups.md.
 *
 * Ids are the kernel's cgroup ids (kernfs node ids): the root is 1, each new
 * cgroup gets a larger id, ids are never reused (bpfemu_reset() starts
 * over).  A removed path created again is a new cgroup with a new id.
 *
 * Every function returns a negative errno and sets errno on failure.
 */
#ifndef BPFEMU_CGROUP_H
#define BPFEMU_CGROUP_H

#include <stdint.h>

#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cgroup;

/* The root's id (the cgroup2 root directory). */
#define BPFEMU_CGROUP_ROOT_ID 1

/*
 * mkdir: create the cgroup at @path.  Returns its id (> 1), or -EEXIST (the
 * path exists, "/" included), -ENOENT (the parent does not exist), -EINVAL
 * (NULL, not absolute, a "." or ".." component), -ENAMETOOLONG (a component
 * longer than 255 bytes), -ENOMEM.
 */
BPFEMU_API int64_t bpfemu_cgroup_create(const char *path);

/*
 * rmdir: the cgroup goes offline (dying) and is freed, with its local
 * storage, once nothing references it any more (open fds, kfunc references,
 * bpfemu_cgroup_get).  Returns 0, -ENOENT (no such cgroup), -EBUSY (it has
 * online children or tasks, or it is the root), -EINVAL.
 */
BPFEMU_API int bpfemu_cgroup_remove(const char *path);

/* Id of the online cgroup at @path, or -ENOENT / -EINVAL. */
BPFEMU_API int64_t bpfemu_cgroup_id(const char *path);

/*
 * open(path, O_RDONLY) on the cgroup's directory: a file descriptor that
 * is the user-space key of BPF_MAP_TYPE_CGRP_STORAGE maps.  It holds a
 * reference on the cgroup; after bpfemu_cgroup_remove() it stays open but
 * map operations through it give -ENOENT.  Close it with close(2).
 * Returns the fd or -ENOENT, -EINVAL, -EMFILE, -ENOMEM.
 */
BPFEMU_API int bpfemu_cgroup_open(const char *path);

/*
 * The native struct cgroup of an online cgroup, with a reference, for tests
 * that call helpers directly (bpf_cgrp_storage_get(map, cgrp, ...)).  NULL
 * (errno ENOENT) if no online cgroup has @id.  Drop with bpfemu_cgroup_put();
 * the reference keeps a removed cgroup (and its storage) alive.
 */
BPFEMU_API struct cgroup *bpfemu_cgroup_get(uint64_t id);
BPFEMU_API void bpfemu_cgroup_put(struct cgroup *cgrp);

/*
 * The current task, whose cgroup bpf_get_current_cgroup_id() and
 * bpf_get_current_task_btf()->cgroups->dfl_cgrp report.
 *
 * Each thread sees the process default task until it calls
 * bpfemu_task_set_cgroup(); from then on it has its own task, which stays in
 * the cgroup it was put in (a moved task, like a thread of its own in the
 * kernel) until the thread exits or calls bpfemu_task_follow_default().
 * The default task starts in the root.  A task counts as a member of its
 * cgroup: the cgroup cannot be removed (-EBUSY) while a task is in it.
 * bpfemu_reset() puts the default task and the calling thread back in the
 * root.  Change the default only while no other thread that follows it runs
 * programs.
 *
 * All return 0, or -ENOENT (no online cgroup at @path), -EINVAL.
 */
BPFEMU_API int bpfemu_task_set_cgroup(const char *path);
BPFEMU_API int bpfemu_task_set_default_cgroup(const char *path);
BPFEMU_API int bpfemu_task_follow_default(void);
/* Id of the cgroup of the calling thread's current task. */
BPFEMU_API uint64_t bpfemu_task_cgroup_id(void);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_CGROUP_H */
