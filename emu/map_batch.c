// SPDX-License-Identifier: MIT
/*
 * libbpf's batch map commands (<bpf/bpf.h>): bpf_map_lookup_batch,
 * bpf_map_lookup_and_delete_batch, bpf_map_update_batch and
 * bpf_map_delete_batch, as the kernel runs BPF_MAP_*_BATCH
 * (kernel/bpf/syscall.c bpf_map_do_batch and the generic_map_*_batch
 * functions, kernel/bpf/hashtab.c __htab_map_lookup_and_delete_batch).
 *
 * Order of checks, as observed on 6.18: the fd (-EBADF / -EINVAL), the
 * descriptor's access (-EPERM: lookups need read, the others write), whether
 * the type has the command (-ENOTSUPP), then the command's own checks:
 * elem_flags other than BPF_F_LOCK, or BPF_F_LOCK without a spin lock
 * (-EINVAL); for bucket-wise lookups any flags (-EINVAL); count 0 (returns
 * 0).  From there the kernel has set count to 0, and counts what it did.
 *
 * As libbpf does, *count is always written back with what the "kernel"
 * left in it, also on errors.  The user's buffers are plain pointers here:
 * NULL is the only address that faults (-EFAULT), at the element where the
 * kernel's copy would have faulted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpf/bpf.h>

#include "alloc.h"
#include "err.h"
#include "fd.h"
#include "map.h"
#include "opts.h"

/* A hash bucket rarely holds more; larger ones grow the buffers (hashtab.c
 * starts at 5 for the same reason). */
#define BUCKET_BUF_START	5

/* One BPF_MAP_*_BATCH request: union bpf_attr's batch member. */
struct map_batch {
	const void *in_batch;
	void *out_batch;
	void *keys;
	void *values;
	uint32_t count;		/* in: how many fit; out: what the kernel reports */
	uint64_t elem_flags;
	uint64_t flags;
};

/* What every generic batch and the htab lookups check first. */
static int check_elem_flags(const struct emu_map *map, uint64_t elem_flags)
{
	if (elem_flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	if ((elem_flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	return 0;
}

/*
 * generic_map_lookup_batch: in/out_batch are keys.  Walks get_next_key from
 * in_batch (NULL: the first key; an unknown key restarts as get_next_key
 * does) and copies each element; an element gone meanwhile (-ENOENT, also
 * an empty map-in-map slot) is skipped but still advances the walk, so
 * out_batch is the last key visited.  Reaching the end is -ENOENT with the
 * elements copied counted.
 */
static int generic_lookup_batch(struct emu_map *map, struct map_batch *b)
{
	size_t vsize = emu_map_sys_value_size(map);
	uint32_t ksize = map->key_size, max_count = b->count, cp = 0;
	char *prev_buf, *key_buf, *value, *prev_key = NULL, *key, *tmp;
	int err;

	err = check_elem_flags(map, b->elem_flags);
	if (err)
		return err;
	if (!max_count)
		return 0;
	b->count = 0;
	prev_buf = emu_malloc(ksize);
	key_buf = emu_malloc(ksize + vsize);
	if (!prev_buf || !key_buf) {
		err = -ENOMEM;
		goto out_free;
	}
	if (b->in_batch) {
		memcpy(prev_buf, b->in_batch, ksize);
		prev_key = prev_buf;
	}
	key = key_buf;
	value = key_buf + ksize;
	while (cp < max_count) {
		err = map->ops->get_next_key(map, prev_key, key);
		if (err)
			break;
		err = map->ops->lookup_sys(map, key, value, b->elem_flags);
		if (err && err != -ENOENT)
			goto out_free;
		if (!err) {
			if (!b->keys || !b->values) {
				err = -EFAULT;
				goto out_free;
			}
			memcpy((char *)b->keys + (size_t)cp * ksize, key, ksize);
			memcpy((char *)b->values + (size_t)cp * vsize, value, vsize);
			cp++;
		}
		/* the key just visited is where the next step starts */
		if (!prev_key)
			prev_key = prev_buf;
		tmp = prev_key;
		prev_key = key;
		key = tmp;
	}
	b->count = cp;
	if (cp) {
		if (b->out_batch)
			memcpy(b->out_batch, prev_key, ksize);
		else
			err = -EFAULT;
	}
out_free:
	emu_free(prev_buf);
	emu_free(key_buf);
	return err;
}

/*
 * __htab_map_lookup_and_delete_batch: in/out_batch are a u32 bucket index.
 * Whole buckets only: a bucket that does not fit in what is left of count
 * ends the batch, with -ENOSPC if nothing was copied yet (count 0,
 * out_batch that bucket).  Past the last bucket: -ENOENT.  A deleted
 * bucket's elements are gone even if copying them to the user faults.
 */
static int bucket_lookup_batch(struct emu_map *map, struct map_batch *b, bool do_delete)
{
	size_t vsize = emu_map_sys_value_size(map);
	uint32_t ksize = map->key_size, max_count = b->count;
	uint32_t n_buckets, bucket = 0, total = 0, cap = BUCKET_BUF_START, n, room;
	char *keys = NULL, *values = NULL;
	int err;

	err = check_elem_flags(map, b->elem_flags);
	if (err)
		return err;
	if (b->flags)
		return -EINVAL;
	if (!max_count)
		return 0;
	b->count = 0;
	if (b->in_batch)
		memcpy(&bucket, b->in_batch, sizeof(bucket));
	n_buckets = map->ops->batch_n_buckets(map);
	if (bucket >= n_buckets)
		return -ENOENT;
	for (;;) {
		if (!keys) {
			keys = emu_malloc((size_t)cap * ksize);
			values = emu_malloc((size_t)cap * vsize);
			if (!keys || !values) {
				err = -ENOMEM;
				break;
			}
		}
		room = max_count - total;
		n = map->ops->batch_bucket(map, bucket, keys, values, cap < room ? cap : room,
					   b->elem_flags, do_delete);
		if (n > room) {
			if (!total)
				err = -ENOSPC;
			break;
		}
		if (n > cap) {
			/* fits the user's count but not our buffers: grow, retry */
			emu_free(keys);
			emu_free(values);
			keys = values = NULL;
			cap = n;
			continue;
		}
		if (n) {
			if (!b->keys || !b->values) {
				err = -EFAULT;
				goto out_free;
			}
			memcpy((char *)b->keys + (size_t)total * ksize, keys, (size_t)n * ksize);
			memcpy((char *)b->values + (size_t)total * vsize, values, (size_t)n * vsize);
		}
		total += n;
		if (++bucket >= n_buckets) {
			err = -ENOENT;
			break;
		}
	}
	/* the next bucket, then the count (also after -ENOMEM, as the
	 * kernel's after_loop): a bad out_batch leaves count 0 */
	if (!b->out_batch) {
		err = -EFAULT;
		goto out_free;
	}
	memcpy(b->out_batch, &bucket, sizeof(bucket));
	b->count = total;
out_free:
	emu_free(keys);
	emu_free(values);
	return err;
}

/* generic_map_update_batch: element by element, as BPF_MAP_UPDATE_ELEM
 * with elem_flags (so BPF_F_LOCK only); stops at the first error, count
 * saying how many were updated. */
static int generic_update_batch(struct emu_map *map, struct map_batch *b)
{
	size_t vsize = emu_map_sys_value_size(map);
	uint32_t ksize = map->key_size, max_count = b->count, cp;
	int err;

	err = check_elem_flags(map, b->elem_flags);
	if (err)
		return err;
	if (!max_count)
		return 0;
	b->count = 0;
	for (cp = 0; cp < max_count; cp++) {
		if (!b->keys || !b->values) {
			err = -EFAULT;
			break;
		}
		err = map->ops->update_sys(map, (const char *)b->keys + (size_t)cp * ksize,
					   (const char *)b->values + (size_t)cp * vsize,
					   b->elem_flags);
		if (err)
			break;
	}
	b->count = cp;
	return err;
}

/* generic_map_delete_batch: key by key; a missing key (-ENOENT) stops it. */
static int generic_delete_batch(struct emu_map *map, struct map_batch *b)
{
	uint32_t ksize = map->key_size, max_count = b->count, cp;
	int err;

	err = check_elem_flags(map, b->elem_flags);
	if (err)
		return err;
	if (!max_count)
		return 0;
	b->count = 0;
	for (cp = 0; cp < max_count; cp++) {
		if (!b->keys) {
			err = -EFAULT;
			break;
		}
		err = map->ops->delete_sys(map, (const char *)b->keys + (size_t)cp * ksize);
		if (err)
			break;
	}
	b->count = cp;
	return err;
}

/* bpf_map_do_batch */
static int map_do_batch(int fd, unsigned int cmd, struct map_batch *b)
{
	bool has_read = cmd & (EMU_BATCH_LOOKUP | EMU_BATCH_LOOKUP_AND_DELETE);
	bool has_write = cmd != EMU_BATCH_LOOKUP;
	struct emu_map *map;
	unsigned int fmode;
	int err = 0;

	map = emu_fd_hold(fd, EMU_OBJ_MAP, &fmode, &err);
	if (!map)
		return err;
	if ((has_read && !emu_map_fd_can_read(fmode)) || (has_write && !emu_map_fd_can_write(map, fmode))) {
		err = -EPERM;
		goto out_release;
	}
	if (!(map->ops->batch_cmds & cmd)) {
		err = -ENOTSUPP;
		goto out_release;
	}
	switch (cmd) {
	case EMU_BATCH_LOOKUP:
		if (map->ops->batch_bucket)
			err = bucket_lookup_batch(map, b, false);
		else
			err = generic_lookup_batch(map, b);
		break;
	case EMU_BATCH_LOOKUP_AND_DELETE:
		err = bucket_lookup_batch(map, b, true);
		break;
	case EMU_BATCH_UPDATE:
		err = generic_update_batch(map, b);
		break;
	default:
		err = generic_delete_batch(map, b);
		break;
	}
out_release:
	emu_fd_release(EMU_OBJ_MAP, map);
	return err;
}

/*
 * bpf_map_batch_common: the opts are checked before anything else; libbpf
 * then reads *count unconditionally (a NULL count crashes there: here it is
 * -EFAULT) and always writes back what the kernel left in it.
 */
static int map_batch(unsigned int cmd, int fd, const void *in_batch, void *out_batch,
		     const void *keys, void *values, __u32 *count,
		     const struct bpf_map_batch_opts *opts)
{
	struct map_batch b;
	int err;

	emu_fd_reap();
	if (!OPTS_VALID(opts, bpf_map_batch_opts))
		return emu_err(-EINVAL);
	if (!count)
		return emu_err(-EFAULT);
	memset(&b, 0, sizeof(b));
	b.in_batch = in_batch;
	b.out_batch = out_batch;
	b.keys = (void *)keys;
	b.values = values;
	b.count = *count;
	b.elem_flags = OPTS_GET(opts, elem_flags, 0);
	b.flags = OPTS_GET(opts, flags, 0);
	err = map_do_batch(fd, cmd, &b);
	*count = b.count;
	return emu_err(err);
}

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	return map_batch(EMU_BATCH_LOOKUP, fd, in_batch, out_batch, keys, values, count, opts);
}

int bpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch, void *keys,
				    void *values, __u32 *count,
				    const struct bpf_map_batch_opts *opts)
{
	return map_batch(EMU_BATCH_LOOKUP_AND_DELETE, fd, in_batch, out_batch, keys, values,
			 count, opts);
}

int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	return map_batch(EMU_BATCH_UPDATE, fd, NULL, NULL, keys, (void *)values, count, opts);
}

int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	return map_batch(EMU_BATCH_DELETE, fd, NULL, NULL, keys, NULL, count, opts);
}
