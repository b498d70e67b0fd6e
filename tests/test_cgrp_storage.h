/* SPDX-License-Identifier: MIT */
/*
 * Shared by the cgroup-storage tests: maps created as the loader would
 * (emu_map_create + a bound definition programs pass to helpers), helper
 * calls inside a run of a bare program, and user-space element commands.
 */
#ifndef BPFEMU_TEST_CGRP_STORAGE_H
#define BPFEMU_TEST_CGRP_STORAGE_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/bpf.h>
#include <bpfemu.h>
#include <bpfemu/helpers.h>
#include <bpfemu/kernel_types.h>

#include "cgroup.h"
#include "ctx.h"
#include "err.h"
#include "fd.h"
#include "local_storage.h"
#include "map.h"
#include "prog.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define F_CREATE BPF_LOCAL_STORAGE_GET_F_CREATE

struct val {
	long a;
	long b;
};

struct lval {
	long a;
	struct bpf_spin_lock lock;
	long b;
};

/* A map as a program sees it: a definition bound to the map. */
struct smap {
	void *def[2];
	struct emu_map *map;
};

static inline struct emu_map_attr smap_attr(uint32_t value_size)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_CGRP_STORAGE,
		.key_size = sizeof(int),
		.value_size = value_size,
		.map_flags = BPF_F_NO_PREALLOC,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
	};

	strcpy(attr.name, "stor");
	return attr;
}

static inline int smap_open_attr(struct smap *m, const struct emu_map_attr *attr)
{
	int err = 0;

	m->map = emu_map_create(attr, &err);
	if (!m->map)
		return err;
	/* As the loader: a user reference (the fd); the creation ref goes. */
	emu_map_get_uref(m->map);
	emu_map_put(m->map);
	emu_map_bind_def(m->def, sizeof(m->def), m->map);
	return 0;
}

static inline int smap_open(struct smap *m)
{
	struct emu_map_attr attr = smap_attr(sizeof(struct val));

	return smap_open_attr(m, &attr);
}

static inline int smap_open_locked(struct smap *m)
{
	struct emu_map_attr attr = smap_attr(sizeof(struct lval));

	attr.nr_fields = 1;
	attr.fields[0].kind = EMU_FIELD_SPIN_LOCK;
	attr.fields[0].offset = offsetof(struct lval, lock);
	attr.fields[0].size = sizeof(struct bpf_spin_lock);
	return smap_open_attr(m, &attr);
}

/* The last reference goes: the map and its storage on every cgroup. */
static inline void smap_close(struct smap *m)
{
	if (!m->map)
		return;
	emu_map_unbind_def(m->def);
	emu_map_put_uref(m->map);
	m->map = NULL;
}

/* User-space element commands with a cgroup fd as the key. */
static inline int us_lookup(struct smap *m, int fd, void *v, uint64_t flags)
{
	return m->map->ops->lookup_sys(m->map, &fd, v, flags);
}

static inline int us_update(struct smap *m, int fd, const void *v, uint64_t flags)
{
	return m->map->ops->update_sys(m->map, &fd, v, flags);
}

static inline int us_delete(struct smap *m, int fd)
{
	return m->map->ops->delete_sys(m->map, &fd);
}

/* Helpers called directly (no program running: every helper allowed). */
static inline void *s_get(struct smap *m, struct cgroup *cg, void *v, uint64_t flags)
{
	return bpfemu_helper_cgrp_storage_get(m->def, cg, v, flags);
}

static inline long s_del(struct smap *m, struct cgroup *cg)
{
	return bpfemu_helper_cgrp_storage_delete(m->def, cg);
}

/* The element the index of @cg holds for map @m (NULL: no storage, an
 * index too small for the map's id, or an empty slot). */
static inline struct emu_ls_elem *ls_indexed(struct cgroup *cg, struct smap *m)
{
	struct bpf_local_storage *ls = cg->bpf_cgrp_storage;
	unsigned int id = emu_ls_map_id(m->map);
	struct emu_ls_index *idx;

	if (!ls)
		return NULL;
	idx = atomic_load(&ls->index);
	return id < idx->nr ? atomic_load(&idx->slot[id]) : NULL;
}

/* Slots in the index of @cg (0: no storage). */
static inline uint32_t ls_index_nr(struct cgroup *cg)
{
	struct bpf_local_storage *ls = cg->bpf_cgrp_storage;

	return ls ? atomic_load(&ls->index)->nr : 0;
}

/* Elements on the list of @cg. */
static inline int ls_list_len(struct cgroup *cg)
{
	struct bpf_local_storage *ls = cg->bpf_cgrp_storage;
	struct emu_ls_elem *e;
	int n = 0;

	for (e = ls ? atomic_load(&ls->list) : NULL; e; e = atomic_load(&e->snext))
		n++;
	return n;
}

static inline struct emu_ls_elem *ls_elem_of(void *data)
{
	return (struct emu_ls_elem *)((char *)data - offsetof(struct emu_ls_elem, data));
}

/* A cgroup at @path, created, with a test reference; its id in *id. */
static inline struct cgroup *cg_make(const char *path, uint64_t *id)
{
	int64_t r = bpfemu_cgroup_create(path);

	if (r < 0)
		return NULL;
	if (id)
		*id = (uint64_t)r;
	return bpfemu_cgroup_get((uint64_t)r);
}

static inline int cg_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	return 0;
}

static inline int cg_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	emu_map_rcu_barrier();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#endif /* BPFEMU_TEST_CGRP_STORAGE_H */
