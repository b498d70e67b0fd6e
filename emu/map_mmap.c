/* SPDX-License-Identifier: MIT */
/*
 * bpfemu_map_mmap(): what mmap(2) on a map fd does in the kernel, for the
 * maps bpfemu can back with shared memory (RINGBUF, USER_RINGBUF).
 *
 * bpfemu's map fds are pipe ends (fd.h), so mmap(2) itself cannot be
 * pointed at a map.  This function takes mmap's arguments and applies the
 * kernel's rules (kernel/bpf/syscall.c bpf_map_mmap, kernel/bpf/ringbuf.c
 * ringbuf_map_mmap_kern / ringbuf_map_mmap_user):
 *   - only MAP_SHARED mappings (-EINVAL otherwise);
 *   - RINGBUF: a writable mapping must be exactly the consumer page
 *     (offset 0, one page), else -EPERM;
 *   - USER_RINGBUF: a writable mapping must not include the consumer page
 *     (offset 0), else -EPERM;
 *   - the mappable range is consumer page, producer page, then the data
 *     pages twice in a row (so a wrapped record is contiguous); anything
 *     past it is -EINVAL;
 *   - a read-only mapping cannot later be made writable (the kernel clears
 *     VM_MAYWRITE): it maps a read-only descriptor of the memory.
 * The result is a plain mapping: release it with munmap(2).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpfemu/core.h>

#include "err.h"
#include "fd.h"
#include "map.h"
#include "ringbuf.h"

/* Map [pgoff, pgoff + npages) of the user-visible layout at @dst. */
static int map_pages(uint8_t *dst, size_t first, size_t npages, size_t page,
		     size_t data_pages, int prot, int fd)
{
	size_t file_pages = EMU_RINGBUF_POS_PAGES + data_pages;

	while (npages) {
		/* The second copy of the data maps the same file pages again. */
		size_t file_pg = first < file_pages ? first : first - data_pages;
		size_t run = first < file_pages ? file_pages - first : 2 * data_pages +
			     EMU_RINGBUF_POS_PAGES - first;
		void *p;

		if (run > npages)
			run = npages;
		p = mmap(dst, run * page, prot, MAP_SHARED | MAP_FIXED, fd,
			 (off_t)(file_pg * page));
		if (p == MAP_FAILED)
			return -errno;
		dst += run * page;
		first += run;
		npages -= run;
	}
	return 0;
}

static int ringbuf_mmap(struct emu_ringbuf *rb, void **out, void *addr, size_t len,
			int prot, int flags, off_t off)
{
	size_t page = rb->page_size;
	size_t data_pages = (size_t)(emu_ringbuf_size(rb) / page);
	size_t pgoff, npages, limit = EMU_RINGBUF_POS_PAGES + 2 * data_pages;
	bool writable = prot & PROT_WRITE;
	uint8_t *area;
	int fd, err;

	if (!len || off < 0 || (size_t)off % page)
		return -EINVAL;
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED)
		return -EINVAL;
	pgoff = (size_t)off / page;
	npages = (len + page - 1) / page;
	if (writable) {
		if (rb->map.map_type == BPF_MAP_TYPE_RINGBUF) {
			/* Only the consumer position may be written by user space. */
			if (pgoff != 0 || npages != 1)
				return -EPERM;
		} else if (pgoff == 0) {
			/* User ring buffer: the kernel owns the consumer position. */
			return -EPERM;
		}
	}
	if (pgoff > limit || npages > limit - pgoff)
		return -EINVAL;

	fd = emu_ringbuf_shm_fd(rb, prot);
	area = mmap(addr, npages * page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | (flags & MAP_FIXED), -1, 0);
	if (area == MAP_FAILED)
		return -errno;
	err = map_pages(area, pgoff, npages, page, data_pages, prot, fd);
	if (err) {
		munmap(area, npages * page);
		return err;
	}
	*out = area;
	return 0;
}

void *bpfemu_map_mmap(void *addr, size_t len, int prot, int flags, int map_fd, long off)
{
	struct emu_map *map;
	unsigned int fmode = 0;
	void *out = MAP_FAILED;
	int err = 0;

	emu_fd_reap();
	map = emu_fd_hold(map_fd, EMU_OBJ_MAP, &fmode, &err);
	if (!map) {
		/* mmap(2) of a file that is not a map: the kernel's answer for a
		 * pipe or regular file without mmap support. */
		errno = err == -EINVAL ? ENODEV : -err;
		return MAP_FAILED;
	}
	if (map->map_type != BPF_MAP_TYPE_RINGBUF && map->map_type != BPF_MAP_TYPE_USER_RINGBUF) {
		err = -ENODEV;	/* no map_mmap op (bpfemu maps no arrays) */
		goto out_release;
	}
	/* A descriptor opened read-only gives no writable mapping. */
	if ((prot & PROT_WRITE) && (fmode & EMU_FD_RDONLY)) {
		err = -EACCES;
		goto out_release;
	}
	err = ringbuf_mmap(emu_ringbuf_from_map(map), &out, addr, len, prot, flags, (off_t)off);
out_release:
	emu_fd_release(EMU_OBJ_MAP, map);
	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	return out;
}
