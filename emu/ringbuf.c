/* SPDX-License-Identifier: MIT */
/*
 * Ring buffer maps (BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF): creation
 * checks, the kernel's memory layout, the kernel-side producer and the
 * wakeup plumbing.  See ringbuf.h for the layout and the readiness model.
 *
 * Lifetime: the map owns the shared-memory file and the kernel view.
 * User-space views (libbpf objects) are separate mappings of that file and
 * hold a map reference (emu_map_get), so the ring outlives every view.
 */
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "err.h"
#include "fd.h"
#include "ringbuf.h"

unsigned int emu_ringbuf_page_shift;

/* Every live ring, for emu_ringbuf_find (rings are few; it runs rarely). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_ringbuf *live_rings;

static void live_add(struct emu_ringbuf *rb)
{
	pthread_mutex_lock(&live_lock);
	rb->next_live = live_rings;
	live_rings = rb;
	pthread_mutex_unlock(&live_lock);
}

static void live_del(struct emu_ringbuf *rb)
{
	struct emu_ringbuf **pp;

	pthread_mutex_lock(&live_lock);
	for (pp = &live_rings; *pp; pp = &(*pp)->next_live) {
		if (*pp == rb) {
			*pp = rb->next_live;
			break;
		}
	}
	pthread_mutex_unlock(&live_lock);
}

struct emu_ringbuf *emu_ringbuf_find(const void *p)
{
	const uint8_t *q = p;
	struct emu_ringbuf *rb;

	pthread_mutex_lock(&live_lock);
	for (rb = live_rings; rb; rb = rb->next_live) {
		/* Either copy of the data area; records start 8-aligned. */
		if (q >= rb->data + BPF_RINGBUF_HDR_SZ && q < rb->data + 2 * emu_ringbuf_size(rb) &&
		    !((uintptr_t)(q - rb->data) % 8))
			break;
	}
	pthread_mutex_unlock(&live_lock);
	return rb;
}

static size_t host_page_size(void)
{
	static size_t page;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

static bool is_power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* ringbuf_map_alloc's checks, in the kernel's order (spec §1). */
static int ringbuf_alloc_check(const struct emu_map_attr *attr)
{
	uint64_t page = host_page_size();
	/* ((1 << 24) - POS_PAGES - PGOFF) pages: the header's pg_off field is
	 * 32-bit and 8 bits are kept in reserve. */
	uint64_t max_data_sz = ((1ull << 24) - EMU_RINGBUF_POS_PAGES - EMU_RINGBUF_PGOFF) * page;

	/* Only BPF_F_NUMA_NODE; BPF_F_RB_OVERWRITE and the rest are refused. */
	if (attr->map_flags & ~BPF_F_NUMA_NODE)
		return -EINVAL;
	if (attr->key_size || attr->value_size ||
	    !is_power_of_2(attr->max_entries) || attr->max_entries % page)
		return -EINVAL;
	if (attr->max_entries > max_data_sz)
		return -E2BIG;
	return 0;
}

/*
 * A file holding consumer page, producer page and data pages, zero-filled
 * (data pages start zeroed, as the kernel's __GFP_ZERO pages do: a producer
 * running ahead reads zeroes as empty records, spec §5.2).
 */
static int ringbuf_shm_open(size_t len, int *ro_fd)
{
	int fd;

	/*
	 * Besides the read-write descriptor, open a read-only one of the same
	 * memory now, while the file can still be named: read-only views are
	 * mapped through it, so -- as on the kernel, which clears VM_MAYWRITE --
	 * they can never be mprotect()ed writable.
	 */
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
	char path[64];

	fd = memfd_create("bpfemu-ringbuf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	*ro_fd = open(path, O_RDONLY | O_CLOEXEC);
#else
	char path[64];
	static atomic_uint seq;

	/* shm_open names are global: make ours unique, then unlink at once so
	 * the file lives exactly as long as its descriptors and mappings. */
	snprintf(path, sizeof(path), "/bpfemu-rb-%ld-%u", (long)getpid(),
		 atomic_fetch_add(&seq, 1));
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		*ro_fd = shm_open(path, O_RDONLY, 0);
		shm_unlink(path);
	} else {
		char tmpl[] = "/tmp/bpfemu-rb-XXXXXX";

		fd = mkstemp(tmpl);
		if (fd < 0)
			return -errno;
		*ro_fd = open(tmpl, O_RDONLY);
		unlink(tmpl);
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (*ro_fd >= 0)
		fcntl(*ro_fd, F_SETFD, FD_CLOEXEC);
#endif
	if (*ro_fd < 0 || ftruncate(fd, (off_t)len) < 0) {
		int err = -errno;

		if (*ro_fd >= 0)
			close(*ro_fd);
		close(fd);
		return err;
	}
	return fd;
}

/* Map @len bytes of @fd at @off over [addr, addr+len) of a reserved range. */
static int map_fixed(void *addr, size_t len, int prot, int fd, off_t off)
{
	void *p = mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, fd, off);

	return p == MAP_FAILED ? -errno : 0;
}

static struct emu_map *ringbuf_alloc(const struct emu_map_attr *attr, int *err)
{
	size_t page = host_page_size();
	size_t size = attr->max_entries;
	struct emu_ringbuf_hdr_page *hp;
	struct emu_ringbuf *rb;
	int ret;

	rb = emu_calloc(1, sizeof(*rb));
	if (!rb) {
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&rb->map, attr);
	rb->shm_fd = -1;
	rb->shm_ro_fd = -1;
	rb->page_size = page;
	/* a power of two: pg_off is a shift away, not a division */
	rb->page_shift = (unsigned int)__builtin_ctzl(page);
	rb->mask = size - 1;
	rb->max_sample = size - BPF_RINGBUF_HDR_SZ < EMU_RINGBUF_MAX_RECORD_SZ ?
			 size - BPF_RINGBUF_HDR_SZ : EMU_RINGBUF_MAX_RECORD_SZ;

	ret = ringbuf_shm_open(EMU_RINGBUF_POS_PAGES * page + size, &rb->shm_ro_fd);
	if (ret < 0)
		goto out_free_rb;
	rb->shm_fd = ret;

	/* Reserve the whole view (accounted, fault-injectable), then put the
	 * file's pages over it; the guard page stays inaccessible. */
	rb->area_size = (EMU_RINGBUF_PGOFF + EMU_RINGBUF_POS_PAGES + 1) * page + 2 * size;
	rb->area = emu_alloc_pages(rb->area_size);
	if (!rb->area) {
		ret = -ENOMEM;
		goto out_close_shm;
	}
	ret = map_fixed(rb->area + page, EMU_RINGBUF_POS_PAGES * page + size,
			PROT_READ | PROT_WRITE, rb->shm_fd, 0);
	if (ret)
		goto out_free_area;
	ret = map_fixed(rb->area + (EMU_RINGBUF_PGOFF + EMU_RINGBUF_POS_PAGES) * page + size,
			size, PROT_READ | PROT_WRITE, rb->shm_fd,
			(off_t)(EMU_RINGBUF_POS_PAGES * page));
	if (ret)
		goto out_free_area;
	if (mprotect(rb->area + rb->area_size - page, page, PROT_NONE)) {
		ret = -errno;
		goto out_free_area;
	}

	hp = (struct emu_ringbuf_hdr_page *)rb->area;
	hp->magic = EMU_RINGBUF_MAGIC;
	hp->rb = rb;
	/* before the ring can be reached (live_add, its fd): a sample of it
	 * may be submitted on any thread */
	__atomic_store_n(&emu_ringbuf_page_shift, rb->page_shift, __ATOMIC_RELAXED);
	rb->consumer_pos = (unsigned long *)(rb->area + page);
	rb->producer_pos = (unsigned long *)(rb->area + 2 * page);
	rb->data = rb->area + (EMU_RINGBUF_PGOFF + EMU_RINGBUF_POS_PAGES) * page;

	emu_lock_init(&rb->prod_lock);
	pthread_mutex_init(&rb->ready_lock, NULL);
	atomic_init(&rb->busy, 0);
	/* A new USER_RINGBUF fd starts writable, a new RINGBUF fd unreadable
	 * (fd.h): the same levels an empty ring reports. */
	rb->ready = attr->map_type == BPF_MAP_TYPE_USER_RINGBUF ? POLLOUT : 0;
	live_add(rb);
	return &rb->map;

out_free_area:
	emu_free_pages(rb->area, rb->area_size);
out_close_shm:
	close(rb->shm_ro_fd);
	close(rb->shm_fd);
out_free_rb:
	emu_free(rb);
	*err = ret;
	return NULL;
}

static void ringbuf_free(struct emu_map *map)
{
	struct emu_ringbuf *rb = (struct emu_ringbuf *)map;

	live_del(rb);
	pthread_mutex_destroy(&rb->ready_lock);
	emu_free_pages(rb->area, rb->area_size);
	close(rb->shm_ro_fd);
	close(rb->shm_fd);
	emu_free(rb);
}

/*
 * Element commands: ringbuf_map_lookup_elem and friends all answer
 * -ENOTSUPP.  Programs cannot get here: the verifier only lets ring buffer
 * maps reach the ring buffer helpers (check_map_func_compatibility).
 */
static void *ringbuf_lookup(struct emu_map *map, const void *key)
{
	(void)key;
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func bpf_map_lookup_elem", map->map_type);
	return NULL;
}

static long ringbuf_update(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func bpf_map_update_elem", map->map_type);
	return -ENOTSUPP;
}

static long ringbuf_delete(struct emu_map *map, const void *key)
{
	(void)key;
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func bpf_map_delete_elem", map->map_type);
	return -ENOTSUPP;
}

static int ringbuf_lookup_sys(struct emu_map *map, const void *key, void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int ringbuf_update_sys(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int ringbuf_delete_sys(struct emu_map *map, const void *key)
{
	(void)map, (void)key;
	return -ENOTSUPP;
}

static int ringbuf_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	(void)map, (void)key, (void)next_key;
	return -ENOTSUPP;
}

int emu_ringbuf_poll_state(struct emu_ringbuf *rb)
{
	unsigned long cons = emu_ringbuf_load(rb->consumer_pos);
	unsigned long prod = emu_ringbuf_load(rb->producer_pos);

	/* ringbuf_map_poll_user: writable while at least one byte is free;
	 * ringbuf_map_poll_kern: readable while anything is published. */
	if (rb->map.map_type == BPF_MAP_TYPE_USER_RINGBUF)
		return prod - cons < emu_ringbuf_size(rb) ? POLLOUT : 0;
	return prod - cons ? POLLIN : 0;
}

static int ringbuf_poll(struct emu_map *map)
{
	return emu_ringbuf_poll_state((struct emu_ringbuf *)map);
}

const struct emu_map_ops emu_ringbuf_kern_ops = {
	.alloc_check = ringbuf_alloc_check,
	.alloc = ringbuf_alloc,
	.free = ringbuf_free,
	.lookup = ringbuf_lookup,
	.update = ringbuf_update,
	.delete = ringbuf_delete,
	.lookup_sys = ringbuf_lookup_sys,
	.update_sys = ringbuf_update_sys,
	.delete_sys = ringbuf_delete_sys,
	.get_next_key = ringbuf_get_next_key,
	.poll = ringbuf_poll,
	.fd_flags = EMU_FD_POLLIN,
};

const struct emu_map_ops emu_ringbuf_user_ops = {
	.alloc_check = ringbuf_alloc_check,
	.alloc = ringbuf_alloc,
	.free = ringbuf_free,
	.lookup = ringbuf_lookup,
	.update = ringbuf_update,
	.delete = ringbuf_delete,
	.lookup_sys = ringbuf_lookup_sys,
	.update_sys = ringbuf_update_sys,
	.delete_sys = ringbuf_delete_sys,
	.get_next_key = ringbuf_get_next_key,
	.poll = ringbuf_poll,
	.fd_flags = EMU_FD_POLLOUT,
};

void emu_ringbuf_register(void)
{
	emu_map_register_type(BPF_MAP_TYPE_RINGBUF, &emu_ringbuf_kern_ops);
	emu_map_register_type(BPF_MAP_TYPE_USER_RINGBUF, &emu_ringbuf_user_ops);
}

__attribute__((constructor)) static void ringbuf_init(void)
{
	emu_ringbuf_register();
}

/* ---------------------------------------------------------------- wakeups */

void emu_ringbuf_wakeup(struct emu_ringbuf *rb)
{
	int state;

	atomic_fetch_add_explicit(&rb->wakeups, 1, memory_order_relaxed);
	pthread_mutex_lock(&rb->ready_lock);
	state = emu_ringbuf_poll_state(rb);
	if (state != rb->ready) {
		__atomic_store_n(&rb->ready, state, __ATOMIC_RELAXED);
		emu_fd_set_ready(&rb->map, state);
	}
	pthread_mutex_unlock(&rb->ready_lock);
}

void emu_ringbuf_sync_ready(struct emu_ringbuf *rb)
{
	int state;

	/* Cheap unlocked look first: the common case has nothing to drop. */
	if (!__atomic_load_n(&rb->ready, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&rb->ready_lock);
	state = emu_ringbuf_poll_state(rb);
	if (!state && rb->ready) {
		__atomic_store_n(&rb->ready, 0, __ATOMIC_RELAXED);
		emu_fd_set_ready(&rb->map, 0);
	}
	pthread_mutex_unlock(&rb->ready_lock);
}

/* ---------------------------------------------------------------- kernel producer */

void *emu_ringbuf_reserve(struct emu_ringbuf *rb, uint64_t size)
{
	/* One thread: the lock's two stores are left out (ringbuf.h). */
	if (EMU_SINGLE_THREADED())
		return emu_ringbuf_reserve_body(rb, size, false);
	return emu_ringbuf_reserve_body(rb, size, true);
}

/* A sample exists only once a ring does, so emu_ringbuf_page_shift is set. */
struct emu_ringbuf *emu_ringbuf_of_sample(const void *sample)
{
	const struct emu_ringbuf_rec_hdr *hdr =
		(const void *)((const uint8_t *)sample - BPF_RINGBUF_HDR_SZ);
	unsigned int shift = __atomic_load_n(&emu_ringbuf_page_shift, __ATOMIC_RELAXED);
	const struct emu_ringbuf_hdr_page *hp;

	hp = (const void *)((((uintptr_t)hdr >> shift) - hdr->pg_off) << shift);
	return hp->magic == EMU_RINGBUF_MAGIC ? hp->rb : NULL;
}

void emu_ringbuf_commit(void *sample, uint64_t flags, bool discard)
{
	emu_ringbuf_commit_rb(emu_ringbuf_of_sample(sample), sample, flags, discard);
}

void emu_ringbuf_commit_rb(struct emu_ringbuf *rb, void *sample, uint64_t flags, bool discard)
{
	emu_ringbuf_commit_body(rb, sample, flags, discard);
}

/* ---------------------------------------------------------------- user-space views */

int emu_ringbuf_view_map(struct emu_ringbuf *rb, int cons_prot, int prod_prot,
			 struct emu_ringbuf_view *view)
{
	size_t page = rb->page_size;
	uint64_t size = emu_ringbuf_size(rb);
	uint64_t prod_len = page + 2 * size;
	uint8_t *p;
	int err;

	memset(view, 0, sizeof(*view));
	if (prod_len != (uint64_t)(size_t)prod_len)
		return -E2BIG;

	/* Reserve each range through the allocator (leak accounting, fault
	 * injection), then put the file's pages over it. */
	p = emu_alloc_pages(page);
	if (!p)
		return -ENOMEM;
	view->cons_map = p;
	view->cons_len = page;
	err = map_fixed(p, page, cons_prot, emu_ringbuf_shm_fd(rb, cons_prot), 0);
	if (err)
		goto out_unmap;

	/* Producer page + data, then the data again right behind it. */
	p = emu_alloc_pages((size_t)prod_len);
	if (!p) {
		err = -ENOMEM;
		goto out_unmap;
	}
	view->prod_map = p;
	view->prod_len = (size_t)prod_len;
	err = map_fixed(p, page + size, prod_prot, emu_ringbuf_shm_fd(rb, prod_prot), (off_t)page);
	if (err)
		goto out_unmap;
	err = map_fixed(p + page + size, size, prod_prot, emu_ringbuf_shm_fd(rb, prod_prot),
			(off_t)(2 * page));
	if (err)
		goto out_unmap;

	view->consumer_pos = view->cons_map;
	view->producer_pos = view->prod_map;
	view->data = p + page;
	return 0;

out_unmap:
	emu_ringbuf_view_unmap(view);
	return err;
}

void emu_ringbuf_view_unmap(struct emu_ringbuf_view *view)
{
	emu_free_pages(view->cons_map, view->cons_len);
	emu_free_pages(view->prod_map, view->prod_len);
	memset(view, 0, sizeof(*view));
}
