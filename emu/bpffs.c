// SPDX-License-Identifier: MIT
/*
 * The emulated bpffs, mounted at /sys/fs/bpf (kernel/bpf/inode.c).
 *
 * Paths under the mount are entries of one table: pinned objects (each
 * holding the reference a pin holds: maps usercnt+refcnt) and directories.
 * Paths outside it behave as the kernel's bpf(2) does on a real file
 * system that is not a bpffs: they are looked up in the real one only to
 * pick the errno (user_path_create's -ENOENT/-EEXIST, then -EPERM because
 * the parent is not a bpffs directory; BPF_OBJ_GET of a file that is not a
 * pinned object, -EACCES).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpfemu/core.h>

#include "alloc.h"
#include "err.h"
#include "fd.h"
#include "hash.h"

#define BPFFS_ROOT	"/sys/fs/bpf"
#define BPFFS_ROOT_LEN	(sizeof(BPFFS_ROOT) - 1)

struct bpffs_ent {
	UT_hash_handle hh;
	char *path;
	enum emu_obj_kind kind;		/* 0: a directory */
	void *obj;
};

static pthread_mutex_t bpffs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bpffs_ent *ents;

/* Absolute, no repeated or trailing '/', no "." / ".." components. */
static int normalize(const char *path, char *out, size_t size)
{
	const char *p = path;
	size_t n = 0;

	if (!path || !*path)
		return -ENOENT;
	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	if (*p != '/') {
		/* relative: resolved against the working directory */
		if (!getcwd(out, size))
			return -errno;
		n = strlen(out);
		if (n == 1)
			n = 0;
	}
	while (*p) {
		const char *s;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;
			continue;
		}
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}

static bool is_root(const char *norm)
{
	return !strcmp(norm, BPFFS_ROOT);
}

static bool in_bpffs(const char *norm)
{
	return is_root(norm) ||
	       (!strncmp(norm, BPFFS_ROOT, BPFFS_ROOT_LEN) && norm[BPFFS_ROOT_LEN] == '/');
}

static struct bpffs_ent *find_locked(const char *norm)
{
	struct bpffs_ent *e;

	HASH_FIND_STR(ents, norm, e);
	return e;
}

/* The parent of @norm (inside the bpffs) must be an existing directory. */
static int parent_check_locked(const char *norm)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(norm, '/');
	struct bpffs_ent *e;
	size_t len = (size_t)(slash - norm);

	memcpy(parent, norm, len);
	parent[len] = 0;
	if (is_root(parent))
		return 0;
	if (!in_bpffs(parent))
		return -EPERM;
	e = find_locked(parent);
	if (!e)
		return -ENOENT;
	if (e->kind)
		return -ENOTDIR;
	return 0;
}

/* user_path_create's errors on the real file system, then -EPERM. */
static int outside_create_errno(const char *norm)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(norm, '/');
	struct stat st;
	size_t len = (size_t)(slash - norm);

	memcpy(parent, norm, len);
	parent[len] = 0;
	if (stat(len ? parent : "/", &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!lstat(norm, &st))
		return -EEXIST;
	return -EPERM;
}

static int ent_add_locked(const char *norm, enum emu_obj_kind kind, void *obj)
{
	struct bpffs_ent *e;

	e = emu_calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->path = emu_strdup(norm);
	if (!e->path) {
		emu_free(e);
		return -ENOMEM;
	}
	e->kind = kind;
	e->obj = obj;
	emu_hash_oom = 0;
	HASH_ADD_KEYPTR(hh, ents, e->path, strlen(e->path), e);
	if (emu_hash_oom) {
		emu_free(e->path);
		emu_free(e);
		return -ENOMEM;
	}
	return 0;
}

static void ent_free(struct bpffs_ent *e)
{
	emu_free(e->path);
	emu_free(e);
}

int emu_bpffs_pin(const char *path, enum emu_obj_kind kind, void *obj)
{
	const struct emu_obj_ref_ops *ops = emu_fd_kind_ops(kind);
	char norm[PATH_MAX];
	int ret;

	if (!ops || !obj)
		return -EINVAL;
	ret = normalize(path, norm, sizeof(norm));
	if (ret)
		return ret;
	if (!in_bpffs(norm))
		return outside_create_errno(norm);
	if (is_root(norm))
		return -EEXIST;
	pthread_mutex_lock(&bpffs_lock);
	ret = parent_check_locked(norm);
	if (ret)
		goto out_unlock;
	if (find_locked(norm)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = ent_add_locked(norm, kind, obj);
	if (!ret)
		ops->get(obj);
out_unlock:
	pthread_mutex_unlock(&bpffs_lock);
	return ret;
}

void *emu_bpffs_get(const char *path, enum emu_obj_kind *kind, int *err)
{
	char norm[PATH_MAX];
	struct bpffs_ent *e;
	struct stat st;
	void *obj = NULL;
	int ret;

	ret = normalize(path, norm, sizeof(norm));
	if (ret)
		goto out_err;
	if (!in_bpffs(norm)) {
		/* a real file is not a pinned object: bpf_inode_type's -EACCES */
		ret = stat(norm, &st) ? -errno : -EACCES;
		goto out_err;
	}
	if (is_root(norm)) {
		ret = -EACCES;
		goto out_err;
	}
	pthread_mutex_lock(&bpffs_lock);
	e = find_locked(norm);
	if (!e) {
		ret = parent_check_locked(norm);
		ret = ret == -ENOTDIR ? ret : -ENOENT;
	} else if (!e->kind) {
		ret = -EACCES;
	} else {
		obj = e->obj;
		if (kind)
			*kind = e->kind;
		emu_fd_kind_ops(e->kind)->get(obj);
	}
	pthread_mutex_unlock(&bpffs_lock);
	if (obj)
		return obj;
out_err:
	if (err)
		*err = ret;
	return NULL;
}

int emu_bpffs_unpin(const char *path)
{
	char norm[PATH_MAX];
	struct bpffs_ent *e;
	int ret;

	ret = normalize(path, norm, sizeof(norm));
	if (ret)
		return ret;
	if (!in_bpffs(norm))
		return unlink(norm) ? -errno : 0;
	if (is_root(norm))
		return -EISDIR;
	pthread_mutex_lock(&bpffs_lock);
	e = find_locked(norm);
	if (!e) {
		ret = parent_check_locked(norm);
		ret = ret == -ENOTDIR ? ret : -ENOENT;
	} else if (!e->kind) {
		ret = -EISDIR;
	} else {
		HASH_DEL(ents, e);
	}
	pthread_mutex_unlock(&bpffs_lock);
	if (ret)
		return ret;
	/* the inode is evicted: the pin's reference goes */
	emu_fd_kind_ops(e->kind)->put(e->obj);
	ent_free(e);
	return 0;
}

int emu_bpffs_count(void)
{
	int n;

	pthread_mutex_lock(&bpffs_lock);
	n = (int)HASH_COUNT(ents);
	pthread_mutex_unlock(&bpffs_lock);
	return n;
}

void emu_bpffs_reset(void)
{
	struct bpffs_ent *e, *tmp, *list = NULL;

	pthread_mutex_lock(&bpffs_lock);
	HASH_ITER(hh, ents, e, tmp) {
		HASH_DEL(ents, e);
		e->hh.next = list;
		list = e;
	}
	pthread_mutex_unlock(&bpffs_lock);
	while (list) {
		e = list;
		list = e->hh.next;
		if (e->kind)
			emu_fd_kind_ops(e->kind)->put(e->obj);
		ent_free(e);
	}
}

/* ------------------------------------------------------- public control */

int bpfemu_bpffs_unlink(const char *path)
{
	return emu_err(emu_bpffs_unpin(path));
}

int bpfemu_bpffs_mkdir(const char *path)
{
	char norm[PATH_MAX];
	int ret;

	ret = normalize(path, norm, sizeof(norm));
	if (ret)
		return emu_err(ret);
	if (!in_bpffs(norm))
		return mkdir(norm, 0700) ? emu_err(-errno) : 0;
	if (is_root(norm))
		return emu_err(-EEXIST);
	pthread_mutex_lock(&bpffs_lock);
	ret = parent_check_locked(norm);
	if (!ret && find_locked(norm))
		ret = -EEXIST;
	if (!ret)
		ret = ent_add_locked(norm, 0, NULL);
	pthread_mutex_unlock(&bpffs_lock);
	return emu_err(ret);
}

int bpfemu_bpffs_rmdir(const char *path)
{
	char norm[PATH_MAX];
	struct bpffs_ent *e, *it, *tmp;
	size_t len;
	int ret = 0;

	ret = normalize(path, norm, sizeof(norm));
	if (ret)
		return emu_err(ret);
	if (!in_bpffs(norm))
		return rmdir(norm) ? emu_err(-errno) : 0;
	if (is_root(norm))
		return emu_err(-EBUSY);
	len = strlen(norm);
	pthread_mutex_lock(&bpffs_lock);
	e = find_locked(norm);
	if (!e) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (e->kind) {
		ret = -ENOTDIR;
		goto out_unlock;
	}
	HASH_ITER(hh, ents, it, tmp) {
		if (!strncmp(it->path, norm, len) && it->path[len] == '/') {
			ret = -ENOTEMPTY;
			goto out_unlock;
		}
	}
	HASH_DEL(ents, e);
	ent_free(e);
out_unlock:
	pthread_mutex_unlock(&bpffs_lock);
	return emu_err(ret);
}

int bpfemu_bpffs_pin_count(void)
{
	return emu_bpffs_count();
}
