// SPDX-License-Identifier: MIT
/*
 * libbpf's map and object commands (<bpf/bpf.h>) over emulated maps.
 *
 * Each entry point first reaps closed descriptors (the kernel's fput would
 * have run by now), then follows the kernel's syscall handler
 * (kernel/bpf/syscall.c) check by check: flags it checks before looking at
 * the fd, the fd (-EBADF / -EINVAL), the descriptor's access mode (-EPERM),
 * the map's own restrictions, the user pointers (-EFAULT), then the map
 * type's operation.  Failures return -errno and set errno (libbpf_err).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpfemu/core.h>

#include "alloc.h"
#include "err.h"
#include "fd.h"
#include "map.h"
#include "opts.h"

#define BPF_OBJ_FLAG_MASK	(BPF_F_RDONLY | BPF_F_WRONLY)


/* bpf_get_file_flag: the open file description's access mode. */
static int file_mode(uint32_t flags, unsigned int *fmode)
{
	if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
		return -EINVAL;
	*fmode = (flags & BPF_F_RDONLY) ? EMU_FD_RDONLY : (flags & BPF_F_WRONLY) ? EMU_FD_WRONLY : 0;
	return 0;
}

static struct emu_map *map_hold(int fd, unsigned int *fmode, int *err)
{
	return emu_fd_hold(fd, EMU_OBJ_MAP, fmode, err);
}

static void map_release(struct emu_map *map)
{
	emu_fd_release(EMU_OBJ_MAP, map);
}

/* --------------------------------------------------------------- create */

static int map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
		      __u32 value_size, __u32 max_entries, const struct bpf_map_create_opts *opts,
		      const struct bpfemu_map_field *fields, __u32 nr_fields)
{
	struct emu_map_attr attr;
	struct emu_map *map;
	unsigned int fmode = 0;
	int fd, err = 0;
	__u32 i;

	emu_fd_reap();
	if (!OPTS_VALID(opts, bpf_map_create_opts))
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = OPTS_GET(opts, map_flags, 0);
	attr.map_extra = OPTS_GET(opts, map_extra, 0);
	attr.numa_node = OPTS_GET(opts, numa_node, 0);
	attr.btf_key_type_id = OPTS_GET(opts, btf_key_type_id, 0);
	attr.btf_value_type_id = OPTS_GET(opts, btf_value_type_id, 0);
	attr.inner_map_fd = (int)OPTS_GET(opts, inner_map_fd, 0);
	attr.map_ifindex = OPTS_GET(opts, map_ifindex, 0);
	/* libbpf_strlcpy: a long name is cut to 15 characters, not refused */
	if (map_name) {
		strncpy(attr.name, map_name, sizeof(attr.name) - 1);
		attr.name[sizeof(attr.name) - 1] = 0;
	}
	/* struct_ops only, and then without key/value ids */
	if (OPTS_GET(opts, btf_vmlinux_value_type_id, 0))
		return -EINVAL;
	if (fields) {
		/* what BTF would have said: value described, these fields in it */
		if (!attr.btf_value_type_id)
			attr.btf_value_type_id = 1;
		if (nr_fields > EMU_MAX_FIELDS)
			return -E2BIG;
		for (i = 0; i < nr_fields; i++) {
			attr.fields[i].kind = (enum emu_field_kind)fields[i].kind;
			attr.fields[i].offset = fields[i].offset;
		}
		attr.nr_fields = nr_fields;
	}
	attr.has_btf = attr.btf_value_type_id != 0;
	map = emu_map_create(&attr, &err);
	if (!map)
		return err;
	file_mode(attr.map_flags, &fmode);	/* both flags were refused above */
	fd = emu_map_new_fd(map, fmode);
	/* the fd holds the map now (or failed and holds nothing) */
	emu_map_put(map);
	return fd;
}

int bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
		   __u32 value_size, __u32 max_entries, const struct bpf_map_create_opts *opts)
{
	return emu_err(map_create(map_type, map_name, key_size, value_size, max_entries, opts,
				  NULL, 0));
}

int bpfemu_map_create_fields(int map_type, const char *map_name, uint32_t key_size,
			     uint32_t value_size, uint32_t max_entries,
			     const struct bpf_map_create_opts *opts,
			     const struct bpfemu_map_field *fields, uint32_t nr_fields)
{
	static const struct bpfemu_map_field none[1];

	return emu_err(map_create((enum bpf_map_type)map_type, map_name, key_size, value_size,
				  max_entries, opts, fields ? fields : none,
				  fields ? nr_fields : 0));
}

/* ------------------------------------------------------------- elements */

/*
 * The kernel copies the user's key with __bpf_copy_key(): a map with a key
 * copies key_size bytes (a NULL pointer faults), and a map without one (ring
 * buffers) refuses any key pointer with -EINVAL before the map op runs, so
 * only a NULL key reaches the op's -ENOTSUPP (observed on 6.18).
 */
static int check_user_key(const struct emu_map *map, const void *key)
{
	if (map->key_size)
		return key ? 0 : -EFAULT;
	return key ? -EINVAL : 0;
}

/*
 * Run a value-returning op into a bounce buffer and copy the value to the
 * user only after it succeeded, as the kernel does: a missing key is
 * -ENOENT even when the user's buffer is bad (-EFAULT only for a hit).
 */
typedef int (*value_op_fn)(struct emu_map *map, const void *key, void *value, uint64_t flags);

static int copy_value_out(struct emu_map *map, value_op_fn op, const void *key, void *value,
			  __u64 flags)
{
	size_t vsize = emu_map_sys_value_size(map);
	void *buf;
	int err;

	buf = emu_malloc(vsize);
	if (!buf)
		return -ENOMEM;
	err = op ? op(map, key, buf, flags) : -ENOTSUPP;
	if (!err) {
		if (value)
			memcpy(value, buf, vsize);
		else
			err = -EFAULT;
	}
	emu_free(buf);
	return err;
}

static int lookup_common(int fd, const void *key, void *value, __u64 flags)
{
	struct emu_map *map;
	unsigned int fmode;
	int err = 0;

	emu_fd_reap();
	if (flags & ~(__u64)BPF_F_LOCK)
		return -EINVAL;
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return err;
	if (!emu_map_fd_can_read(fmode)) {
		err = -EPERM;
		goto out_release;
	}
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0) {
		err = -EINVAL;
		goto out_release;
	}
	err = check_user_key(map, key);
	if (err)
		goto out_release;
	err = copy_value_out(map, map->ops->lookup_sys, key, value, flags);
out_release:
	map_release(map);
	return err;
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return emu_err(lookup_common(fd, key, value, 0));
}

int bpf_map_lookup_elem_flags(int fd, const void *key, void *value, __u64 flags)
{
	return emu_err(lookup_common(fd, key, value, flags));
}

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	struct emu_map *map;
	unsigned int fmode;
	int err = 0;

	emu_fd_reap();
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return emu_err(err);
	if (!emu_map_fd_can_write(map, fmode)) {
		err = -EPERM;
		goto out_release;
	}
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0) {
		err = -EINVAL;
		goto out_release;
	}
	err = check_user_key(map, key);
	if (err)
		goto out_release;
	if (!value) {
		err = -EFAULT;
		goto out_release;
	}
	err = map->ops->update_sys ? map->ops->update_sys(map, key, value, flags) : -ENOTSUPP;
out_release:
	map_release(map);
	return emu_err(err);
}

/* BPF_MAP_DELETE_ELEM's attr ends at the key: flags are refused by
 * CHECK_ATTR before anything else. */
static int delete_common(int fd, const void *key, __u64 flags)
{
	struct emu_map *map;
	unsigned int fmode;
	int err = 0;

	emu_fd_reap();
	if (flags)
		return -EINVAL;
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return err;
	if (!emu_map_fd_can_write(map, fmode)) {
		err = -EPERM;
		goto out_release;
	}
	err = check_user_key(map, key);
	if (err)
		goto out_release;
	err = map->ops->delete_sys ? map->ops->delete_sys(map, key) : -ENOTSUPP;
out_release:
	map_release(map);
	return err;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	return emu_err(delete_common(fd, key, 0));
}

int bpf_map_delete_elem_flags(int fd, const void *key, __u64 flags)
{
	return emu_err(delete_common(fd, key, flags));
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct emu_map *map;
	unsigned int fmode;
	void *buf = NULL;
	int err = 0;

	emu_fd_reap();
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return emu_err(err);
	if (!emu_map_fd_can_read(fmode)) {
		err = -EPERM;
		goto out_release;
	}
	if (key) {
		err = check_user_key(map, key);
		if (err)
			goto out_release;
	}
	buf = emu_malloc(map->key_size);
	if (!buf) {
		err = -ENOMEM;
		goto out_release;
	}
	err = map->ops->get_next_key ? map->ops->get_next_key(map, key, buf) : -ENOTSUPP;
	if (!err) {
		if (next_key)
			memcpy(next_key, buf, map->key_size);
		else
			err = -EFAULT;
	}
	emu_free(buf);
out_release:
	map_release(map);
	return emu_err(err);
}

static int lookup_and_delete_common(int fd, const void *key, void *value, __u64 flags)
{
	struct emu_map *map;
	unsigned int fmode;
	int err = 0;

	emu_fd_reap();
	if (flags & ~(__u64)BPF_F_LOCK)
		return -EINVAL;
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return err;
	if (!emu_map_fd_can_read(fmode) || !emu_map_fd_can_write(map, fmode)) {
		err = -EPERM;
		goto out_release;
	}
	if (flags && (map->map_type == BPF_MAP_TYPE_QUEUE || map->map_type == BPF_MAP_TYPE_STACK)) {
		err = -EINVAL;
		goto out_release;
	}
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0) {
		err = -EINVAL;
		goto out_release;
	}
	err = check_user_key(map, key);
	if (err)
		goto out_release;
	err = copy_value_out(map, map->ops->lookup_and_delete_sys, key, value, flags);
out_release:
	map_release(map);
	return err;
}

int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	return emu_err(lookup_and_delete_common(fd, key, value, 0));
}

int bpf_map_lookup_and_delete_elem_flags(int fd, const void *key, void *value, __u64 flags)
{
	return emu_err(lookup_and_delete_common(fd, key, value, flags));
}

int bpf_map_freeze(int fd)
{
	struct emu_map *map;
	unsigned int fmode;
	bool expected = false;
	int err = 0;

	emu_fd_reap();
	map = map_hold(fd, &fmode, &err);
	if (!map)
		return emu_err(err);
	/* special fields (a record) cannot be frozen */
	if (map->map_type == BPF_MAP_TYPE_STRUCT_OPS || map->nr_fields) {
		err = -ENOTSUPP;
		goto out_release;
	}
	/* a frozen map is not writable any more: a second freeze is -EPERM
	 * (observed on 6.18); -EBUSY is left for a race between two freezes */
	if (!emu_map_fd_can_write(map, fmode)) {
		err = -EPERM;
		goto out_release;
	}
	if (!atomic_compare_exchange_strong(&map->frozen, &expected, true))
		err = -EBUSY;
out_release:
	map_release(map);
	return emu_err(err);
}

/* ------------------------------------------------------------ objects */

int bpf_obj_pin_opts(int fd, const char *pathname, const struct bpf_obj_pin_opts *opts)
{
	const struct emu_obj_ref_ops *ops;
	enum emu_obj_kind kind;
	__u32 file_flags;
	void *obj;
	int err = 0;

	emu_fd_reap();
	if (!OPTS_VALID(opts, bpf_obj_pin_opts))
		return emu_err(-EINVAL);
	file_flags = OPTS_GET(opts, file_flags, 0);
	if (file_flags & ~BPF_F_PATH_FD)
		return emu_err(-EINVAL);
	if (!(file_flags & BPF_F_PATH_FD) && OPTS_GET(opts, path_fd, 0))
		return emu_err(-EINVAL);
	/* bpf_fd_probe_obj: whatever is wrong with the fd, -EINVAL */
	obj = emu_fd_hold(fd, 0, NULL, &err);
	if (!obj)
		return emu_err(-EINVAL);
	kind = emu_fd_kind(fd);
	ops = emu_fd_kind_ops(kind);
	if (!pathname)
		err = -EFAULT;
	else
		err = emu_bpffs_pin(pathname, kind, obj);
	if (ops && ops->release)
		ops->release(obj);
	return emu_err(err);
}

int bpf_obj_pin(int fd, const char *pathname)
{
	return bpf_obj_pin_opts(fd, pathname, NULL);
}

int bpf_obj_get_opts(const char *pathname, const struct bpf_obj_get_opts *opts)
{
	const struct emu_obj_ref_ops *ops;
	enum emu_obj_kind kind = 0;
	unsigned int fmode, fd_flags = 0;
	__u32 file_flags;
	void *obj;
	int fd, err = 0;

	emu_fd_reap();
	if (!OPTS_VALID(opts, bpf_obj_get_opts))
		return emu_err(-EINVAL);
	file_flags = OPTS_GET(opts, file_flags, 0);
	if (file_flags & ~(BPF_OBJ_FLAG_MASK | BPF_F_PATH_FD))
		return emu_err(-EINVAL);
	if (!(file_flags & BPF_F_PATH_FD) && OPTS_GET(opts, path_fd, 0))
		return emu_err(-EINVAL);
	err = file_mode(file_flags, &fmode);
	if (err)
		return emu_err(err);
	if (!pathname)
		return emu_err(-EFAULT);
	obj = emu_bpffs_get(pathname, &kind, &err);
	if (!obj)
		return emu_err(err);
	ops = emu_fd_kind_ops(kind);
	if (kind == EMU_OBJ_MAP) {
		fd = emu_map_new_fd(obj, fmode);
	} else if (fmode) {
		/* programs and links are only opened read-write */
		fd = -EINVAL;
	} else {
		fd = emu_fd_new(kind, obj, fd_flags);
	}
	/* the new fd took its own reference */
	ops->put(obj);
	return emu_err(fd);
}

int bpf_obj_get(const char *pathname)
{
	return bpf_obj_get_opts(pathname, NULL);
}

int bpf_map_get_next_id(__u32 start_id, __u32 *next_id)
{
	__u32 id;

	emu_fd_reap();
	if (start_id >= INT_MAX)
		return emu_err(-EINVAL);
	id = emu_map_next_id(start_id);
	if (!id)
		return emu_err(-ENOENT);
	if (!next_id)
		return emu_err(-EFAULT);
	*next_id = id;
	return 0;
}

int bpf_map_get_fd_by_id_opts(__u32 id, const struct bpf_get_fd_by_id_opts *opts)
{
	struct emu_map *map;
	unsigned int fmode;
	__u32 open_flags;
	int fd, err;

	emu_fd_reap();
	if (!OPTS_VALID(opts, bpf_get_fd_by_id_opts))
		return emu_err(-EINVAL);
	open_flags = OPTS_GET(opts, open_flags, 0);
	if (open_flags & ~BPF_OBJ_FLAG_MASK)
		return emu_err(-EINVAL);
	err = file_mode(open_flags, &fmode);
	if (err)
		return emu_err(err);
	map = emu_map_get_by_id(id);
	if (!map)
		return emu_err(-ENOENT);
	fd = emu_map_new_fd(map, fmode);
	/* drop the reference emu_map_get_by_id took; the fd holds its own */
	emu_map_put_uref(map);
	return emu_err(fd);
}

int bpf_map_get_fd_by_id(__u32 id)
{
	return bpf_map_get_fd_by_id_opts(id, NULL);
}

int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
{
	__u32 len;
	int err;

	emu_fd_reap();
	if (!info_len)
		return emu_err(-EFAULT);
	len = *info_len;
	err = emu_fd_get_info(bpf_fd, info, &len);
	if (err == -EBADF)
		err = -EBADFD;
	if (!err)
		*info_len = len;
	return emu_err(err);
}

int bpf_map_get_info_by_fd(int map_fd, struct bpf_map_info *info, __u32 *info_len)
{
	return bpf_obj_get_info_by_fd(map_fd, info, info_len);
}
