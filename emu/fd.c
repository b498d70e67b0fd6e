// SPDX-License-Identifier: MIT
/*
 * User file descriptors of emulated objects (see fd.h).
 *
 * A handle is one "open file description": a pipe whose one end the user
 * holds (and may dup or inherit) and whose other end we keep.  When every
 * copy of the user's end is closed our end reports a hang-up (read end:
 * POLLHUP; write end: POLLERR), which emu_fd_reap() finds without blocking
 * and turns into the put of the reference the handle held.  The pipe's
 * inode (fstat dev/ino, the same for both ends) identifies the handle, so a
 * descriptor number reused for another file is told apart.
 *
 * Readiness (EMU_FD_POLLIN / EMU_FD_POLLOUT objects) is the pipe's own: the
 * user holds the read end of a POLLIN object, readable while one byte sits
 * in the pipe; the write end of a POLLOUT object, writable while the
 * (shrunk) pipe is not full.  Moving the level needs the end we do not
 * hold, so we open a transient one (Linux: /proc/self/fd/N of our end; the
 * POSIX build makes such handles FIFOs in a private directory and opens
 * the path) and close it again at once: close detection keeps working.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
#include <sys/epoll.h>
#define FD_USE_EPOLL 1
#endif

#include "alloc.h"
#include "core.h"
#include "err.h"
#include "fd.h"
#include "hash.h"

#define KIND_MAX 8

struct fd_ident {
	dev_t dev;
	ino_t ino;
};

struct fd_obj;

struct fd_handle {
	UT_hash_handle hh;		/* by identity */
	struct fd_ident id;
	int our_fd;
	enum emu_obj_kind kind;
	void *obj;
	unsigned int flags;		/* EMU_FD_* */
	int level;			/* POLLIN/POLLOUT the user's end reports now */
	struct fd_obj *po;		/* pollable objects: shared level */
	struct fd_handle *po_next;
	char *fifo_path;		/* POSIX build, pollable handles */
	pid_t fifo_pid;			/* the process that made the FIFO */
	size_t slot;			/* index in the reap array */
	bool run_visible;		/* ops->run_visible(obj) when made */
};

/* The level of a pollable object, shared by all its descriptors. */
struct fd_obj {
	UT_hash_handle hh;		/* by object pointer */
	void *obj;
	int events;
	struct fd_handle *handles;
};

static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct emu_obj_ref_ops *_Atomic kinds[KIND_MAX];
static struct fd_handle *handles;	/* uthash by identity */
static struct fd_obj *objs;		/* uthash by object */
static atomic_long nr_handles;
static atomic_long nr_run_visible;	/* handles with run_visible set */
/* Every handle, by slot: what the reaper looks at. */
static struct fd_handle **slots;
static size_t nr_slots, cap_slots;
#ifdef FD_USE_EPOLL
static int epfd = -1;
#else
static struct pollfd *pfds;
#endif

void emu_fd_register_kind(enum emu_obj_kind kind, const struct emu_obj_ref_ops *ops)
{
	if ((unsigned int)kind >= KIND_MAX)
		return;
	atomic_store(&kinds[kind], ops);
}

const struct emu_obj_ref_ops *emu_fd_kind_ops(enum emu_obj_kind kind)
{
	if ((unsigned int)kind >= KIND_MAX)
		return NULL;
	return atomic_load(&kinds[kind]);
}

static const struct emu_obj_ref_ops *kind_ops(enum emu_obj_kind kind)
{
	if ((unsigned int)kind >= KIND_MAX)
		return NULL;
	return atomic_load(&kinds[kind]);
}

/* ------------------------------------------------------------ pipes */

static int set_cloexec_nonblock(int fd, bool nonblock)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	fl = nonblock ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	if (fcntl(fd, F_SETFL, fl))
		return -errno;
	return 0;
}

#ifndef FD_USE_EPOLL
/*
 * POSIX build: a pollable handle's pipe is a FIFO, so that its other end
 * can be opened by path.  The FIFOs live in a private directory made on
 * first need and removed with the last of them, and at exit with those
 * still open, so that a process leaves nothing in /tmp.  A forked child
 * shares the parent's handles but not their files: it makes its own
 * directory, and leaves the parent's FIFOs to the parent.
 */
static pthread_mutex_t fifo_lock = PTHREAD_MUTEX_INITIALIZER;
static char fifo_dir[64];
static pid_t fifo_dir_pid;	/* the process the directory belongs to */
static long nr_fifos;		/* FIFOs in it */
static unsigned long fifo_seq;

static void fifo_dir_remove_if_empty(void)
{
	if (!nr_fifos && fifo_dir[0]) {
		rmdir(fifo_dir);
		fifo_dir[0] = 0;
	}
}

/* A new FIFO for @h (h->fifo_path).  Returns 0 or -errno. */
static int fifo_create(struct fd_handle *h)
{
	char path[PATH_MAX];
	pid_t pid = getpid();
	int ret = 0;

	pthread_mutex_lock(&fifo_lock);
	if (fifo_dir[0] && fifo_dir_pid != pid) {
		/* the parent's directory: not ours to fill or remove */
		fifo_dir[0] = 0;
		nr_fifos = 0;
	}
	if (!fifo_dir[0]) {
		char tmpl[] = "/tmp/bpfemu-fd.XXXXXX";

		if (!mkdtemp(tmpl)) {
			ret = -errno;
			goto out;
		}
		snprintf(fifo_dir, sizeof(fifo_dir), "%s", tmpl);
		fifo_dir_pid = pid;
	}
	snprintf(path, sizeof(path), "%s/%lu", fifo_dir, fifo_seq++);
	h->fifo_path = emu_strdup(path);
	if (!h->fifo_path) {
		ret = -ENOMEM;
	} else if (mkfifo(path, 0600)) {
		ret = -errno;
		emu_free(h->fifo_path);
		h->fifo_path = NULL;
	} else {
		h->fifo_pid = pid;
		nr_fifos++;
	}
	fifo_dir_remove_if_empty();
out:
	pthread_mutex_unlock(&fifo_lock);
	return ret;
}

static void fifo_remove(struct fd_handle *h)
{
	pthread_mutex_lock(&fifo_lock);
	if (h->fifo_pid == getpid() && h->fifo_pid == fifo_dir_pid) {
		unlink(h->fifo_path);
		nr_fifos--;
		fifo_dir_remove_if_empty();
	}
	pthread_mutex_unlock(&fifo_lock);
	emu_free(h->fifo_path);
	h->fifo_path = NULL;
}

/* At exit: the FIFOs of handles still open, then the directory.  The
 * handles stay as they are (their ends still work); a later destroy finds
 * its file gone and the count already settled. */
static void __attribute__((destructor)) fifo_cleanup_at_exit(void)
{
	struct fd_handle *h, *tmp;

	if (pthread_mutex_trylock(&fd_lock))
		return;		/* another thread is inside: leave it */
	pthread_mutex_lock(&fifo_lock);
	if (fifo_dir[0] && fifo_dir_pid == getpid()) {
		HASH_ITER(hh, handles, h, tmp) {
			if (h->fifo_path && h->fifo_pid == fifo_dir_pid) {
				unlink(h->fifo_path);
				h->fifo_pid = 0;
				nr_fifos--;
			}
		}
		fifo_dir_remove_if_empty();
	}
	pthread_mutex_unlock(&fifo_lock);
	pthread_mutex_unlock(&fd_lock);
}

const char *emu_fd_fifo_dir(void)
{
	return fifo_dir[0] ? fifo_dir : NULL;
}
#else
const char *emu_fd_fifo_dir(void)
{
	return NULL;
}
#endif

/* p[0] read end, p[1] write end, both close-on-exec, blocking. */
static int make_pipe(int p[2], struct fd_handle *h)
{
	int ret;

#ifndef FD_USE_EPOLL
	if (h->flags & (EMU_FD_POLLIN | EMU_FD_POLLOUT)) {
		ret = fifo_create(h);
		if (ret)
			return ret;
		p[0] = open(h->fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (p[0] < 0)
			return -errno;
		p[1] = open(h->fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (p[1] < 0) {
			ret = -errno;
			close(p[0]);
			return ret;
		}
		goto out_flags;
	}
#else
	(void)h;
#endif
	if (pipe(p))
		return -errno;
#ifndef FD_USE_EPOLL
out_flags:
#endif
	ret = set_cloexec_nonblock(p[0], false);
	if (!ret)
		ret = set_cloexec_nonblock(p[1], false);
	if (ret) {
		close(p[0]);
		close(p[1]);
	}
	return ret;
}

/* A transient second end of @h's pipe, the side we do not hold. */
static int open_other_end(struct fd_handle *h, int mode)
{
#ifdef FD_USE_EPOLL
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", h->our_fd);
	return open(path, mode | O_NONBLOCK | O_CLOEXEC);
#else
	if (!h->fifo_path)
		return -1;
	return open(h->fifo_path, mode | O_NONBLOCK | O_CLOEXEC);
#endif
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void fill(int fd)
{
	char buf[4096];

	memset(buf, 0, sizeof(buf));
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	/* writes up to PIPE_BUF are all-or-nothing: top up byte by byte */
	while (write(fd, buf, 1) > 0)
		;
}

/* Make the user's end of @h report @events (POLLIN or POLLOUT bit). */
static void handle_set_level(struct fd_handle *h, int events)
{
	int t;

	if (h->flags & EMU_FD_POLLIN) {
		events &= POLLIN;
		if (events == h->level)
			return;
		if (events) {
			/* we hold the write end */
			if (write(h->our_fd, "", 1) < 0 && errno != EAGAIN)
				return;
		} else {
			t = open_other_end(h, O_RDONLY);
			if (t < 0)
				return;
			drain(t);
			close(t);
		}
	} else if (h->flags & EMU_FD_POLLOUT) {
		events &= POLLOUT;
		if (events == h->level)
			return;
		if (events) {
			/* we hold the read end */
			drain(h->our_fd);
		} else {
			t = open_other_end(h, O_WRONLY);
			if (t < 0)
				return;
			fill(t);
			close(t);
		}
	} else {
		return;
	}
	h->level = events;
}

/* ----------------------------------------------------------- handles */

static int slot_add(struct fd_handle *h)
{
	if (nr_slots == cap_slots) {
		size_t cap = cap_slots ? cap_slots * 2 : 16;
		struct fd_handle **s = emu_realloc(slots, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		slots = s;
#ifndef FD_USE_EPOLL
		{
			struct pollfd *p = emu_realloc(pfds, cap * sizeof(*p));

			if (!p) {
				/* slots grew; cap stays: retried next time.  An
				 * empty table holds nothing (leak checks), as
				 * after slot_del of its last handle. */
				if (!nr_slots) {
					emu_free(slots);
					slots = NULL;
				}
				return -ENOMEM;
			}
			pfds = p;
		}
#endif
		cap_slots = cap;
	}
#ifdef FD_USE_EPOLL
	{
		struct epoll_event ev = { .events = 0, .data.ptr = h };

		if (epfd < 0) {
			epfd = epoll_create1(EPOLL_CLOEXEC);
			if (epfd < 0)
				return -errno;
		}
		/* no events asked: EPOLLERR/EPOLLHUP are always reported */
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, h->our_fd, &ev))
			return -errno;
	}
#else
	pfds[nr_slots].fd = h->our_fd;
	pfds[nr_slots].events = 0;
	pfds[nr_slots].revents = 0;
#endif
	h->slot = nr_slots;
	slots[nr_slots++] = h;
	return 0;
}

static void slot_del(struct fd_handle *h)
{
	size_t last = nr_slots - 1;

#ifdef FD_USE_EPOLL
	epoll_ctl(epfd, EPOLL_CTL_DEL, h->our_fd, NULL);
#else
	pfds[h->slot] = pfds[last];
#endif
	slots[h->slot] = slots[last];
	slots[h->slot]->slot = h->slot;
	nr_slots--;
	if (!nr_slots) {
		/* an idle process holds nothing (leak checks) */
		emu_free(slots);
		slots = NULL;
#ifdef FD_USE_EPOLL
		close(epfd);
		epfd = -1;
#else
		emu_free(pfds);
		pfds = NULL;
#endif
		cap_slots = 0;
	}
}

static void po_unlink(struct fd_handle *h)
{
	struct fd_obj *po = h->po;
	struct fd_handle **pp;

	if (!po)
		return;
	for (pp = &po->handles; *pp; pp = &(*pp)->po_next) {
		if (*pp == h) {
			*pp = h->po_next;
			break;
		}
	}
	h->po = NULL;
	if (!po->handles) {
		HASH_DEL(objs, po);
		emu_free(po);
	}
}

/* Unlink @h from every table; fd_lock held.  The caller closes and puts. */
static void handle_unlink(struct fd_handle *h)
{
	HASH_DEL(handles, h);
	slot_del(h);
	po_unlink(h);
	atomic_fetch_sub(&nr_handles, 1);
	if (h->run_visible)
		atomic_fetch_sub(&nr_run_visible, 1);
}

static void handle_destroy(struct fd_handle *h)
{
	if (h->our_fd >= 0)
		close(h->our_fd);
#ifndef FD_USE_EPOLL
	if (h->fifo_path)
		fifo_remove(h);
#endif
	emu_free(h);
}

static int ident_of(int fd, struct fd_ident *id)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	memset(id, 0, sizeof(*id));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

int emu_fd_new(enum emu_obj_kind kind, void *obj, unsigned int flags)
{
	const struct emu_obj_ref_ops *ops = kind_ops(kind);
	struct fd_handle *h;
	struct fd_obj *po = NULL;
	int p[2], user_fd, ret;

	if (!ops || !obj || (flags & EMU_FD_POLLIN && flags & EMU_FD_POLLOUT))
		return -EINVAL;
	h = emu_calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->our_fd = -1;
	h->kind = kind;
	h->obj = obj;
	h->flags = flags;
	ret = make_pipe(p, h);
	if (ret)
		goto out_free;
	/* the user reads a POLLIN object's pipe and writes a POLLOUT one's */
	if (flags & EMU_FD_POLLOUT) {
		user_fd = p[1];
		h->our_fd = p[0];
		h->level = POLLOUT;
	} else {
		user_fd = p[0];
		h->our_fd = p[1];
		h->level = 0;
	}
	ret = set_cloexec_nonblock(h->our_fd, true);
	if (ret)
		goto out_close;
#if defined(__linux__) && defined(F_SETPIPE_SZ)
	/* one page: cheap to fill when a POLLOUT object runs out of space */
	if (flags & EMU_FD_POLLOUT)
		fcntl(h->our_fd, F_SETPIPE_SZ, 4096);
#endif
	ret = ident_of(user_fd, &h->id);
	if (ret)
		goto out_close;

	pthread_mutex_lock(&fd_lock);
	if (flags & (EMU_FD_POLLIN | EMU_FD_POLLOUT)) {
		HASH_FIND_PTR(objs, &obj, po);
		if (!po) {
			po = emu_calloc(1, sizeof(*po));
			if (!po) {
				ret = -ENOMEM;
				goto out_unlock;
			}
			po->obj = obj;
			po->events = h->level;
			emu_hash_oom = 0;
			HASH_ADD_PTR(objs, obj, po);
			if (emu_hash_oom) {
				emu_free(po);
				po = NULL;
				ret = -ENOMEM;
				goto out_unlock;
			}
		}
	}
	ret = slot_add(h);
	if (ret)
		goto out_unlock_po;
	emu_hash_oom = 0;
	HASH_ADD(hh, handles, id, sizeof(h->id), h);
	if (emu_hash_oom) {
		slot_del(h);
		ret = -ENOMEM;
		goto out_unlock_po;
	}
	if (po) {
		h->po = po;
		h->po_next = po->handles;
		po->handles = h;
		handle_set_level(h, po->events);
	}
	atomic_fetch_add(&nr_handles, 1);
	h->run_visible = ops->run_visible && ops->run_visible(obj);
	if (h->run_visible)
		atomic_fetch_add(&nr_run_visible, 1);
	/* the reference is taken before anyone can reap the handle */
	ops->get(obj);
	pthread_mutex_unlock(&fd_lock);
	return user_fd;

out_unlock_po:
	if (po && !po->handles) {
		HASH_DEL(objs, po);
		emu_free(po);
	}
out_unlock:
	pthread_mutex_unlock(&fd_lock);
out_close:
	close(user_fd);
out_free:
	handle_destroy(h);
	return ret == -EMFILE || ret == -ENFILE ? ret : (ret ? ret : -ENOMEM);
}

static struct fd_handle *find_handle(int fd, int *err)
{
	struct fd_ident id;
	struct fd_handle *h;
	int ret;

	ret = ident_of(fd, &id);
	if (ret) {
		*err = ret;
		return NULL;
	}
	HASH_FIND(hh, handles, &id, sizeof(id), h);
	if (!h)
		*err = -EINVAL;
	return h;
}

void *emu_fd_get(int fd, enum emu_obj_kind kind, int *err)
{
	struct fd_handle *h;
	void *obj = NULL;
	int ret = 0;

	pthread_mutex_lock(&fd_lock);
	h = find_handle(fd, &ret);
	if (h && kind && h->kind != kind)
		ret = -EINVAL;
	else if (h)
		obj = h->obj;
	pthread_mutex_unlock(&fd_lock);
	if (!obj && err)
		*err = ret;
	return obj;
}

void *emu_fd_hold(int fd, enum emu_obj_kind kind, unsigned int *fmode, int *err)
{
	const struct emu_obj_ref_ops *ops;
	struct fd_handle *h;
	void *obj = NULL;
	int ret = 0;

	pthread_mutex_lock(&fd_lock);
	h = find_handle(fd, &ret);
	if (h && kind && h->kind != kind) {
		ret = -EINVAL;
	} else if (h) {
		obj = h->obj;
		ops = kind_ops(h->kind);
		if (ops->hold)
			ops->hold(obj);
		if (fmode)
			*fmode = h->flags & (EMU_FD_RDONLY | EMU_FD_WRONLY);
	}
	pthread_mutex_unlock(&fd_lock);
	if (!obj && err)
		*err = ret;
	return obj;
}

void emu_fd_release(enum emu_obj_kind kind, void *obj)
{
	const struct emu_obj_ref_ops *ops = kind_ops(kind);

	if (ops && ops->release && obj)
		ops->release(obj);
}

enum emu_obj_kind emu_fd_kind(int fd)
{
	struct fd_handle *h;
	enum emu_obj_kind kind = 0;
	int err;

	pthread_mutex_lock(&fd_lock);
	h = find_handle(fd, &err);
	if (h)
		kind = h->kind;
	pthread_mutex_unlock(&fd_lock);
	return kind;
}

/* bpf_check_uarg_tail_zero: bytes past what we know must be zero. */
static int tail_zero(const void *buf, uint32_t expected, uint32_t actual)
{
	const unsigned char *p = buf;
	uint32_t i;

	if (actual > 4096)
		return -E2BIG;
	for (i = expected; i < actual; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}

int emu_fd_get_info(int fd, void *info, uint32_t *info_len)
{
	const struct emu_obj_ref_ops *ops;
	enum emu_obj_kind kind;
	uint32_t len;
	void *obj;
	int ret = 0;

	obj = emu_fd_hold(fd, 0, NULL, &ret);
	if (!obj)
		return ret;
	kind = emu_fd_kind(fd);
	ops = kind_ops(kind);
	if (!ops || !ops->get_info) {
		ret = -EINVAL;
		goto out_release;
	}
	len = *info_len;
	ret = tail_zero(info, ops->info_size, len);
	if (ret)
		goto out_release;
	if (len > ops->info_size)
		len = ops->info_size;
	ret = ops->get_info(obj, info, len);
	if (!ret)
		*info_len = len;
out_release:
	if (ops)
		emu_fd_release(kind, obj);
	return ret;
}

void emu_fd_set_ready(void *obj, int events)
{
	struct fd_handle *h;
	struct fd_obj *po;

	pthread_mutex_lock(&fd_lock);
	HASH_FIND_PTR(objs, &obj, po);
	if (!po || po->events == events)
		goto out_unlock;
	po->events = events;
	for (h = po->handles; h; h = h->po_next)
		handle_set_level(h, events);
out_unlock:
	pthread_mutex_unlock(&fd_lock);
}

/* ------------------------------------------------------------- reaping */

static struct fd_handle *reap_collect_locked(void)
{
	struct fd_handle *dead = NULL, *h;
#ifdef FD_USE_EPOLL
	struct epoll_event evs[64];
	int n, i;

	if (epfd < 0)
		return NULL;
	do {
		n = epoll_wait(epfd, evs, 64, 0);
		for (i = 0; i < n; i++) {
			h = evs[i].data.ptr;
			handle_unlink(h);
			h->po_next = dead;
			dead = h;
		}
	} while (n == 64);
#else
	size_t i;

	if (!nr_slots)
		return NULL;
	if (poll(pfds, nr_slots, 0) <= 0)
		return NULL;
	for (i = nr_slots; i-- > 0;) {
		if (!(pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL)))
			continue;
		h = slots[i];
		handle_unlink(h);	/* moves the last slot to i: already looked at */
		h->po_next = dead;
		dead = h;
	}
#endif
	return dead;
}

void emu_fd_reap(void)
{
	struct fd_handle *dead, *next;

	if (!atomic_load_explicit(&nr_handles, memory_order_relaxed))
		return;
	pthread_mutex_lock(&fd_lock);
	dead = reap_collect_locked();
	pthread_mutex_unlock(&fd_lock);
	/* puts run unlocked: freeing an object may come back here */
	for (; dead; dead = next) {
		const struct emu_obj_ref_ops *ops = kind_ops(dead->kind);

		next = dead->po_next;
		ops->put(dead->obj);
		handle_destroy(dead);
	}
}

void emu_fd_reap_for_run(void)
{
	if (atomic_load_explicit(&nr_run_visible, memory_order_relaxed))
		emu_fd_reap();
}

void emu_fd_reset(void)
{
	struct fd_handle *dead = NULL, *h, *tmp, *next;

	pthread_mutex_lock(&fd_lock);
	HASH_ITER(hh, handles, h, tmp) {
		handle_unlink(h);
		h->po_next = dead;
		dead = h;
	}
	pthread_mutex_unlock(&fd_lock);
	for (; dead; dead = next) {
		next = dead->po_next;
		kind_ops(dead->kind)->put(dead->obj);
		handle_destroy(dead);
	}
	emu_bpffs_reset();
}

/* Handles alive (tests). */
long emu_fd_count(void)
{
	return atomic_load(&nr_handles);
}

static void __attribute__((constructor)) fd_register_reset(void)
{
	emu_reset_register(emu_fd_reset, EMU_RESET_FD);
}
