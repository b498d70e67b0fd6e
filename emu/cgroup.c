/* SPDX-License-Identifier: MIT */
/*
 * The cgroup model (see cgroup.h for the lifetime rules).
 *
 * One mutex guards the tree, the id table, task membership and the
 * descendant counters.  References are atomics: tryget paths either hold
 * the mutex while the cgroup is online (the base reference is then held) or
 * go through an fd, whose own reference keeps the count above zero.  The
 * memory of a released cgroup, with its local storage, goes after a grace
 * period (css_free_rwork_fn runs after RCU in the kernel), so a program
 * still holding the pointer inside its run never reads freed memory.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <bpfemu/cgroup.h>

#include "alloc.h"
#include "cgroup.h"
#include "core.h"
#include "err.h"
#include "fd.h"
#include "hash.h"
#include "local_storage.h"
#include "map.h"

#define CGROUP_NAME_MAX 255

struct emu_cgroup {
	atomic_long refcnt;
	atomic_bool online;
	int nr_tasks;				/* tasks attached here (cgroup_mutex) */
	struct emu_cgroup *parent;		/* holds a reference on it */
	struct emu_cgroup *children;		/* online children (cgroup_mutex) */
	struct emu_cgroup *prev, *next;		/* siblings */
	UT_hash_handle hh;			/* id table, online only */
	struct emu_rcu_head rcu;
	struct kernfs_node kn;
	struct cgroup cg;
	struct cgroup *ancestors_buf[];		/* level + 1, then the name */
};

struct emu_task {
	struct task_struct task;
	struct css_set cset;
	struct emu_cgroup *cgrp;		/* counted in nr_tasks, referenced */
	/* emu_task_identity_gen() + 1 when pid, tgid and comm were copied
	 * into task; 0: never */
	unsigned int identity_gen;
};

static pthread_mutex_t cgroup_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct emu_cgroup cgrp_root;
static struct cgroup *root_ancestors[1];
static struct emu_cgroup *id_table;		/* online cgroups but the root */
static uint64_t next_id = BPFEMU_CGROUP_ROOT_ID + 1;
static uint64_t next_serial = 1;

static struct emu_task default_task;
static _Thread_local struct emu_task thread_task;
static _Thread_local bool thread_task_own;
static pthread_key_t task_key;

static inline struct emu_cgroup *ecg(const struct cgroup *cg)
{
	return (struct emu_cgroup *)((char *)cg - offsetof(struct emu_cgroup, cg));
}

static void task_init(struct emu_task *t)
{
	/* pid, tgid and comm: task_sync_identity, on first use */
	t->identity_gen = 0;
	t->task.real_parent = &t->task;
	t->task.group_leader = &default_task.task;
	t->task.cgroups = &t->cset;
	t->cgrp = &cgrp_root;
	t->cset.dfl_cgrp = &cgrp_root.cg;
}

static void task_key_destroy(void *arg);

/* The root exists from the start, like the cgroup2 mount. */
static void __attribute__((constructor)) cgroup_root_init(void)
{
	struct emu_cgroup *r = &cgrp_root;

	atomic_init(&r->refcnt, 1);
	atomic_init(&r->online, true);
	r->kn.id = BPFEMU_CGROUP_ROOT_ID;
	r->kn.name = "";
	r->cg.self.cgroup = &r->cg;
	r->cg.self.flags = CSS_NO_REF | CSS_ONLINE;
	r->cg.max_depth = INT_MAX;
	r->cg.max_descendants = INT_MAX;
	r->cg.kn = &r->kn;
	root_ancestors[0] = &r->cg;
	r->cg.ancestors = root_ancestors;
	task_init(&default_task);
	pthread_key_create(&task_key, task_key_destroy);
}

struct cgroup *emu_cgroup_root(void)
{
	return &cgrp_root.cg;
}

/* ------------------------------------------------------------ references */

void emu_cgroup_get(struct cgroup *cgrp)
{
	if (cgrp == &cgrp_root.cg)
		return;
	atomic_fetch_add_explicit(&ecg(cgrp)->refcnt, 1, memory_order_relaxed);
}

bool emu_cgroup_tryget(struct cgroup *cgrp)
{
	struct emu_cgroup *c = ecg(cgrp);
	long v = atomic_load_explicit(&c->refcnt, memory_order_relaxed);

	if (c == &cgrp_root)
		return true;
	while (v > 0)
		if (atomic_compare_exchange_weak_explicit(&c->refcnt, &v, v + 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
	return false;
}

static void cgroup_free_rcu(struct emu_rcu_head *head)
{
	struct emu_cgroup *c = (void *)((char *)head - offsetof(struct emu_cgroup, rcu));
	struct emu_cgroup *parent = c->parent;

	/* css_free_rwork_fn: the storage of every map goes with the cgroup. */
	emu_ls_destroy(&c->cg.bpf_cgrp_storage);
	/* No longer one of ours (emu_cgroup_is_cgroup), should the memory
	 * be read again before it is reused. */
	c->cg.self.cgroup = NULL;
	emu_free(c);
	emu_cgroup_put(&parent->cg);
}

void emu_cgroup_put(struct cgroup *cgrp)
{
	struct emu_cgroup *c, *a;

	if (!cgrp)
		return;
	c = ecg(cgrp);
	/* CSS_NO_REF: the root is not counted and outlives everything. */
	if (c == &cgrp_root)
		return;
	if (atomic_fetch_sub_explicit(&c->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	pthread_mutex_lock(&cgroup_mutex);
	for (a = c->parent; a; a = a->parent)
		a->cg.nr_dying_descendants--;
	pthread_mutex_unlock(&cgroup_mutex);
	emu_map_retire(&c->rcu, cgroup_free_rcu);
}

bool emu_cgroup_is_dying(const struct cgroup *cgrp)
{
	return !atomic_load_explicit(&ecg(cgrp)->online, memory_order_acquire);
}

struct cgroup *emu_cgroup_from_id(uint64_t id)
{
	struct emu_cgroup *c = NULL;

	if (id == BPFEMU_CGROUP_ROOT_ID)
		return &cgrp_root.cg;
	pthread_mutex_lock(&cgroup_mutex);
	HASH_FIND(hh, id_table, &id, sizeof(id), c);
	if (c)
		emu_cgroup_get(&c->cg);		/* online: the base ref is held */
	pthread_mutex_unlock(&cgroup_mutex);
	return c ? &c->cg : NULL;
}

/* ------------------------------------------------------------------ fds */

static void fd_ref_get(void *obj)
{
	emu_cgroup_get(&((struct emu_cgroup *)obj)->cg);
}

static void fd_ref_put(void *obj)
{
	emu_cgroup_put(&((struct emu_cgroup *)obj)->cg);
}

static const struct emu_obj_ref_ops cgroup_ref_ops = {
	.get = fd_ref_get,
	.put = fd_ref_put,
	.hold = fd_ref_get,
	.release = fd_ref_put,
};

struct cgroup *emu_cgroup_from_fd(int fd, int *err)
{
	unsigned int fmode = 0;
	struct emu_cgroup *c;

	c = emu_fd_hold(fd, EMU_OBJ_CGROUP, &fmode, err);
	if (!c) {
		/* Open but not a cgroup directory: the kernel says -EBADF too. */
		if (*err == -EINVAL)
			*err = -EBADF;
		return NULL;
	}
	/* css_tryget_online_from_dir: a removed cgroup is -ENOENT. */
	if (!atomic_load_explicit(&c->online, memory_order_acquire)) {
		emu_fd_release(EMU_OBJ_CGROUP, c);
		*err = -ENOENT;
		return NULL;
	}
	return &c->cg;
}

/* ---------------------------------------------------------------- paths */

/*
 * Resolve @path (absolute) under cgroup_mutex.  All components but the last
 * must be online cgroups (-ENOENT).  With no component ("/"), *parent is
 * NULL and *found the root; otherwise *parent is the last component's parent,
 * *found the cgroup named by it or NULL, and *name, *len that component.
 */
static int path_resolve(const char *path, struct emu_cgroup **parent, struct emu_cgroup **found,
			const char **name, size_t *len)
{
	struct emu_cgroup *cur = &cgrp_root, *child, *prev = NULL;
	const char *p, *comp = NULL;
	size_t n = 0;

	if (!path || path[0] != '/')
		return -EINVAL;
	for (p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - comp);
		if (n > CGROUP_NAME_MAX)
			return -ENAMETOOLONG;
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (!cur)
			return -ENOENT;		/* a middle component is missing */
		prev = cur;
		child = NULL;
		for (child = cur->children; child; child = child->next)
			if (strlen(child->kn.name) == n && !memcmp(child->kn.name, comp, n))
				break;
		cur = child;
	}
	*parent = prev;
	*found = comp ? cur : &cgrp_root;
	*name = comp;
	*len = n;
	return 0;
}

int64_t bpfemu_cgroup_create(const char *path)
{
	struct emu_cgroup *parent, *found, *c = NULL, *a;
	const char *name;
	size_t len, sz;
	int64_t id;
	int ret, level, i;
	char *nm;

	pthread_mutex_lock(&cgroup_mutex);
	ret = path_resolve(path, &parent, &found, &name, &len);
	if (ret)
		goto out_unlock;
	if (found) {
		ret = -EEXIST;
		goto out_unlock;
	}
	level = parent->cg.level + 1;
	sz = sizeof(*c) + (size_t)(level + 1) * sizeof(struct cgroup *) + len + 1;
	c = emu_calloc(1, sz);
	if (!c) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	nm = (char *)&c->ancestors_buf[level + 1];
	memcpy(nm, name, len);
	nm[len] = '\0';
	atomic_init(&c->refcnt, 1);		/* the base reference: online */
	atomic_init(&c->online, true);
	c->parent = parent;
	c->kn.id = next_id;
	c->kn.name = nm;
	c->kn.parent = &parent->kn;
	c->cg.self.cgroup = &c->cg;
	c->cg.self.parent = &parent->cg.self;
	c->cg.self.flags = CSS_ONLINE;
	c->cg.self.serial_nr = next_serial;
	c->cg.level = level;
	c->cg.max_depth = INT_MAX;
	c->cg.max_descendants = INT_MAX;
	c->cg.kn = &c->kn;
	for (i = 0; i < level; i++)
		c->ancestors_buf[i] = parent->cg.ancestors[i];
	c->ancestors_buf[level] = &c->cg;
	c->cg.ancestors = c->ancestors_buf;

	emu_hash_oom = 0;
	HASH_ADD(hh, id_table, kn.id, sizeof(uint64_t), c);
	if (emu_hash_oom) {
		ret = -ENOMEM;
		goto out_free;
	}
	next_id++;
	next_serial++;
	DL_APPEND(parent->children, c);
	emu_cgroup_get(&parent->cg);
	for (a = parent; a; a = a->parent)
		a->cg.nr_descendants++;
	id = (int64_t)c->kn.id;
	pthread_mutex_unlock(&cgroup_mutex);
	return id;

out_free:
	emu_free(c);
out_unlock:
	pthread_mutex_unlock(&cgroup_mutex);
	return emu_err(ret);
}

/* rmdir under cgroup_mutex: offline, unreachable; the caller drops the base
 * reference. */
static void cgroup_offline(struct emu_cgroup *c)
{
	struct emu_cgroup *a;

	atomic_store_explicit(&c->online, false, memory_order_release);
	c->cg.self.flags &= ~CSS_ONLINE;
	DL_DELETE(c->parent->children, c);
	HASH_DELETE(hh, id_table, c);
	for (a = c->parent; a; a = a->parent) {
		a->cg.nr_descendants--;
		a->cg.nr_dying_descendants++;
	}
}

int bpfemu_cgroup_remove(const char *path)
{
	struct emu_cgroup *parent, *found;
	const char *name;
	size_t len;
	int ret;

	pthread_mutex_lock(&cgroup_mutex);
	ret = path_resolve(path, &parent, &found, &name, &len);
	if (ret)
		goto out_unlock;
	if (!found) {
		ret = -ENOENT;
		goto out_unlock;
	}
	/* The root is a mount point; a populated cgroup or one with online
	 * children cannot go (cgroup_destroy_locked). */
	if (found == &cgrp_root || found->nr_tasks || found->children) {
		ret = -EBUSY;
		goto out_unlock;
	}
	cgroup_offline(found);
	pthread_mutex_unlock(&cgroup_mutex);
	emu_cgroup_put(&found->cg);
	return 0;

out_unlock:
	pthread_mutex_unlock(&cgroup_mutex);
	return emu_err(ret);
}

/* The online cgroup at @path with a reference, or NULL and *err. */
static struct emu_cgroup *cgroup_lookup_get(const char *path, int *err)
{
	struct emu_cgroup *parent, *found;
	const char *name;
	size_t len;

	pthread_mutex_lock(&cgroup_mutex);
	*err = path_resolve(path, &parent, &found, &name, &len);
	if (!*err && !found)
		*err = -ENOENT;
	if (!*err)
		emu_cgroup_get(&found->cg);
	pthread_mutex_unlock(&cgroup_mutex);
	return *err ? NULL : found;
}

int64_t bpfemu_cgroup_id(const char *path)
{
	struct emu_cgroup *c;
	int64_t id;
	int err;

	c = cgroup_lookup_get(path, &err);
	if (!c)
		return emu_err(err);
	id = (int64_t)c->kn.id;
	emu_cgroup_put(&c->cg);
	return id;
}

int bpfemu_cgroup_open(const char *path)
{
	struct emu_cgroup *c;
	int err, fd;

	c = cgroup_lookup_get(path, &err);
	if (!c)
		return emu_err(err);
	fd = emu_fd_new(EMU_OBJ_CGROUP, c, EMU_FD_RDONLY);
	emu_cgroup_put(&c->cg);
	return emu_err(fd);
}

struct cgroup *bpfemu_cgroup_get(uint64_t id)
{
	struct cgroup *cg = emu_cgroup_from_id(id);

	if (!cg)
		return emu_err_ptr(-ENOENT);
	return cg;
}

void bpfemu_cgroup_put(struct cgroup *cgrp)
{
	emu_cgroup_put(cgrp);
}

/* ---------------------------------------------------------------- tasks */

/*
 * What bpf_get_current_pid_tgid and bpf_get_current_comm report (the
 * process's, or what bpfemu_task_set_pid / _comm set) copied into the task
 * a program reads, so task->tgid and task->comm agree with them.
 */
static __attribute__((noinline)) void task_sync_identity(struct emu_task *t, unsigned int gen)
{
	uint32_t tgid, pid;
	char comm[16];

	emu_task_ids(&tgid, &pid);
	emu_task_comm(comm);
	pthread_mutex_lock(&cgroup_mutex);
	t->task.tgid = (int)tgid;
	t->task.pid = (int)pid;
	memcpy(t->task.comm, comm, sizeof(comm));
	__atomic_store_n(&t->identity_gen, gen, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cgroup_mutex);
}

struct task_struct *emu_task_current(void)
{
	struct emu_task *t = thread_task_own ? &thread_task : &default_task;
	unsigned int gen = emu_task_identity_gen() + 1;

	if (__atomic_load_n(&t->identity_gen, __ATOMIC_ACQUIRE) != gen)
		task_sync_identity(t, gen);
	return &t->task;
}

struct cgroup *emu_task_dfl_cgroup(const struct task_struct *task)
{
	/* The default task may be moved by another thread. */
	return __atomic_load_n(&task->cgroups->dfl_cgrp, __ATOMIC_ACQUIRE);
}

/* Move @t to @c (which the caller holds a reference on, given to @t);
 * returns the cgroup left, whose reference the caller drops. */
static struct emu_cgroup *task_move_locked(struct emu_task *t, struct emu_cgroup *c)
{
	struct emu_cgroup *old = t->cgrp;

	c->nr_tasks++;
	t->cgrp = c;
	__atomic_store_n(&t->cset.dfl_cgrp, &c->cg, __ATOMIC_RELEASE);
	if (old)
		old->nr_tasks--;
	return old;
}

static int task_move(struct emu_task *t, const char *path)
{
	struct emu_cgroup *c, *old;
	int err;

	c = cgroup_lookup_get(path, &err);
	if (!c)
		return emu_err(err);
	pthread_mutex_lock(&cgroup_mutex);
	old = task_move_locked(t, c);
	pthread_mutex_unlock(&cgroup_mutex);
	if (old)
		emu_cgroup_put(&old->cg);
	return 0;
}

/* The thread's own task leaves its cgroup (thread exit, follow_default). */
static void thread_task_detach(struct emu_task *t)
{
	struct emu_cgroup *old;

	pthread_mutex_lock(&cgroup_mutex);
	old = t->cgrp;
	if (old)
		old->nr_tasks--;
	t->cgrp = NULL;
	pthread_mutex_unlock(&cgroup_mutex);
	if (old)
		emu_cgroup_put(&old->cg);
}

static void task_key_destroy(void *arg)
{
	thread_task_detach(arg);
}

int bpfemu_task_set_cgroup(const char *path)
{
	int ret;

	if (!thread_task_own) {
		task_init(&thread_task);
		/* task_init put it in the root without a reference: take one. */
		thread_task.cgrp = NULL;
	}
	ret = task_move(&thread_task, path);
	if (ret)
		return ret;
	if (!thread_task_own) {
		thread_task_own = true;
		pthread_setspecific(task_key, &thread_task);
	}
	return 0;
}

int bpfemu_task_set_default_cgroup(const char *path)
{
	return task_move(&default_task, path);
}

int bpfemu_task_follow_default(void)
{
	if (!thread_task_own)
		return 0;
	thread_task_own = false;
	pthread_setspecific(task_key, NULL);
	thread_task_detach(&thread_task);
	return 0;
}

uint64_t bpfemu_task_cgroup_id(void)
{
	return emu_cgroup_id(emu_task_dfl_cgroup(emu_task_current()));
}

/* ---------------------------------------------------------------- reset */

/*
 * bpfemu_reset(): the calling thread follows the default again, the
 * default task goes back to the root, and every cgroup is removed, deepest
 * first, tasks or not.  Ids start over.  Whatever still holds a reference
 * (a leak of the test) keeps its cgroup until it lets go.
 */
static void cgroup_reset(void)
{
	struct emu_cgroup *c, *old;

	bpfemu_task_follow_default();
	pthread_mutex_lock(&cgroup_mutex);
	emu_cgroup_get(&cgrp_root.cg);
	old = task_move_locked(&default_task, &cgrp_root);
	pthread_mutex_unlock(&cgroup_mutex);
	if (old)
		emu_cgroup_put(&old->cg);
	for (;;) {
		pthread_mutex_lock(&cgroup_mutex);
		c = cgrp_root.children;
		while (c && c->children)
			c = c->children;
		if (c)
			cgroup_offline(c);
		pthread_mutex_unlock(&cgroup_mutex);
		if (!c)
			break;
		emu_cgroup_put(&c->cg);
	}
	pthread_mutex_lock(&cgroup_mutex);
	next_id = BPFEMU_CGROUP_ROOT_ID + 1;
	next_serial = 1;
	pthread_mutex_unlock(&cgroup_mutex);
}

static void __attribute__((constructor)) cgroup_register(void)
{
	emu_fd_register_kind(EMU_OBJ_CGROUP, &cgroup_ref_ops);
	emu_reset_register(cgroup_reset, EMU_RESET_CGROUP);
	/* Pulls the map type's object in with ours from a static library. */
	emu_cgrp_storage_register();
}
