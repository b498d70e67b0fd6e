// SPDX-License-Identifier: MIT
/*
 * Map-in-map (emu/map_in_map.c): BPF_MAP_TYPE_ARRAY_OF_MAPS and
 * BPF_MAP_TYPE_HASH_OF_MAPS from user space (bpf_map_create with
 * inner_map_fd, fd in / id out) and from BPF C (tests/progs/mim_*.bpf.c:
 * `__array(values, ...)` templates, initial slots, programs reaching inner
 * maps, a timer in an inner map).  Every errno here was observed on 6.18.
 */
/* bpfemu-objects: mim_basic mim_timer */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "mim_basic.skel.h"
#include "mim_timer.skel.h"
#include "test_group.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif
#define MS 1000000ULL

static int mk(enum bpf_map_type type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(type, NULL, ks, vs, max, &o);
}

static int mk_outer(enum bpf_map_type type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		    int inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags, .inner_map_fd = (uint32_t)inner_fd);

	return bpf_map_create(type, "outer", ks, vs, max, &o);
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_map_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

static int upd(int outer, uint32_t key, int fd, uint64_t flags)
{
	uint32_t v = (uint32_t)fd;

	return bpf_map_update_elem(outer, &key, &v, flags);
}

static int look(int outer, uint32_t key, uint32_t *id)
{
	return bpf_map_lookup_elem(outer, &key, id);
}

/* ------------------------------------------------------------ creation */

static void test_mim_create_checks(void **state)
{
	int in, devnull, aom, hom, fd;

	(void)state;
	in = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	devnull = open("/dev/null", O_RDONLY);
	assert_true(in >= 0 && devnull >= 0);
	/* bpf_map_meta_alloc: a closed fd, a file that is no map */
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, 9999), -EBADF);
	assert_int_equal(errno, EBADF);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, devnull), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, 9999), -EBADF);
	/* the attribute checks come first: value_size 8 with a bad fd */
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 4, 0, 9999), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 4, 0, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 8, 4, 0, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 8, 4, 4, 0, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 0, 0, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 0, 0, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_RDONLY_PROG, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_INNER_MAP, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_MMAPABLE, in), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_NO_PREALLOC, in), -EINVAL);
	/* hash of maps: these are fine */
	fd = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, BPF_F_RDONLY_PROG, in);
	assert_true(fd >= 0);
	close(fd);
	fd = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, BPF_F_NO_PREALLOC, in);
	assert_true(fd >= 0);
	close(fd);
	fd = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 8, 4, 4, 0, in);
	assert_true(fd >= 0);
	close(fd);
	/* one level only */
	aom = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, in);
	hom = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, 0, in);
	assert_true(aom >= 0 && hom >= 0);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, aom), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, aom), -EINVAL);
	assert_int_equal(mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, hom), -EINVAL);
	close(aom);
	close(hom);
	close(devnull);
	close(in);
}

static void test_mim_inner_types(void **state)
{
	static const struct { enum bpf_map_type type; uint32_t ks, vs, max; } ok[] = {
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4 },
		{ BPF_MAP_TYPE_HASH, 4, 8, 4 },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4 },
		{ BPF_MAP_TYPE_LRU_HASH, 4, 8, 4 },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 },
		{ BPF_MAP_TYPE_USER_RINGBUF, 0, 0, 4096 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int t = mk(ok[i].type, ok[i].ks, ok[i].vs, ok[i].max, 0), o;

		assert_true(t >= 0);
		o = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, t);
		assert_true(o >= 0);
		close(o);
		close(t);
	}
}

/* ------------------------------------------------------- ARRAY_OF_MAPS */

static void test_mim_array_elements(void **state)
{
	int in, in2, aom, devnull, bad[5];
	uint32_t id = 0, key, nk;
	size_t i;

	(void)state;
	in = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	aom = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, in);
	in2 = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	devnull = open("/dev/null", O_RDONLY);
	assert_true(aom >= 0 && in2 >= 0 && devnull >= 0);

	/* BPF_ANY only, then the index, then the fd */
	assert_int_equal(upd(aom, 0, in2, BPF_NOEXIST), -EINVAL);
	assert_int_equal(upd(aom, 0, in2, BPF_EXIST), -EINVAL);
	assert_int_equal(upd(aom, 4, in2, BPF_ANY), -E2BIG);
	assert_int_equal(upd(aom, 4, 9999, BPF_ANY), -E2BIG);
	assert_int_equal(upd(aom, 0, 9999, BPF_ANY), -EBADF);
	assert_int_equal(upd(aom, 0, devnull, BPF_ANY), -EINVAL);
	/* bpf_map_meta_equal / array_map_meta_equal */
	bad[0] = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);			/* max_entries */
	bad[1] = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);			/* type */
	bad[2] = mk(BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0);			/* value_size */
	bad[3] = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG);	/* map_flags */
	bad[4] = dup(aom);						/* the outer map */
	for (i = 0; i < 5; i++) {
		assert_true(bad[i] >= 0);
		assert_int_equal(upd(aom, 0, bad[i], BPF_ANY), -EINVAL);
		close(bad[i]);
	}
	/* empty and out-of-range slots */
	assert_int_equal(look(aom, 0, &id), -ENOENT);
	assert_int_equal(look(aom, 9, &id), -ENOENT);
	key = 9;
	assert_int_equal(bpf_map_delete_elem(aom, &key), -E2BIG);
	key = 1;
	assert_int_equal(bpf_map_delete_elem(aom, &key), -ENOENT);

	assert_int_equal(upd(aom, 0, in2, BPF_ANY), 0);
	assert_int_equal(look(aom, 0, &id), 0);
	assert_int_equal(id, map_id(in2));
	key = 0;
	assert_int_equal(bpf_map_lookup_elem_flags(aom, &key, &id, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpf_map_lookup_and_delete_elem(aom, &key, &id), -ENOTSUPP);
	/* the template's own map fits too */
	assert_int_equal(upd(aom, 3, in, BPF_ANY), 0);
	assert_int_equal(look(aom, 3, &id), 0);
	assert_int_equal(id, map_id(in));

	/* get_next_key as for ARRAY */
	assert_int_equal(bpf_map_get_next_key(aom, NULL, &nk), 0);
	assert_int_equal(nk, 0);
	key = 2;
	assert_int_equal(bpf_map_get_next_key(aom, &key, &nk), 0);
	assert_int_equal(nk, 3);
	key = 3;
	assert_int_equal(bpf_map_get_next_key(aom, &key, &nk), -ENOENT);
	key = 7;
	nk = 99;
	assert_int_equal(bpf_map_get_next_key(aom, &key, &nk), 0);
	assert_int_equal(nk, 0);

	key = 0;
	assert_int_equal(bpf_map_delete_elem(aom, &key), 0);
	assert_int_equal(bpf_map_delete_elem(aom, &key), -ENOENT);
	assert_int_equal(look(aom, 0, &id), -ENOENT);
	close(devnull);
	close(in2);
	close(in);
	close(aom);
}

static void test_mim_template_max_entries(void **state)
{
	int ti, aomi, th, homh, aomh, fd;

	(void)state;
	/* BPF_F_INNER_MAP: any max_entries, but the flag must match */
	ti = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP);
	aomi = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, ti);
	assert_true(aomi >= 0);
	fd = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 100, BPF_F_INNER_MAP);
	assert_int_equal(upd(aomi, 0, fd, BPF_ANY), 0);
	close(fd);
	fd = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	assert_int_equal(upd(aomi, 0, fd, BPF_ANY), -EINVAL);
	close(fd);
	/* hash templates never compare max_entries (HoM and AoM alike) */
	th = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	homh = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, th);
	aomh = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, th);
	fd = mk(BPF_MAP_TYPE_HASH, 4, 8, 77, 0);
	assert_int_equal(upd(homh, 0, fd, BPF_ANY), 0);
	assert_int_equal(upd(aomh, 0, fd, BPF_ANY), 0);
	close(fd);
	fd = mk(BPF_MAP_TYPE_HASH, 4, 8, 77, BPF_F_NO_PREALLOC);
	assert_int_equal(upd(homh, 0, fd, BPF_ANY), -EINVAL);
	close(fd);
	close(ti);
	close(aomi);
	close(th);
	close(homh);
	close(aomh);
}

/* -------------------------------------------------------- HASH_OF_MAPS */

static void test_mim_hash_elements(void **state)
{
	int in, hom, a, b;
	uint32_t key, id, nk, seen = 0;
	int n = 0, err;

	(void)state;
	in = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	hom = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, 0, in);
	a = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	b = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	assert_true(hom >= 0 && a >= 0 && b >= 0);
	assert_int_equal(upd(hom, 1, a, BPF_EXIST), -ENOENT);
	assert_int_equal(upd(hom, 1, a, BPF_NOEXIST), 0);
	assert_int_equal(upd(hom, 1, a, BPF_NOEXIST), -EEXIST);
	/* the fd is checked before the flags and the key */
	assert_int_equal(upd(hom, 1, 9999, BPF_NOEXIST), -EBADF);
	assert_int_equal(upd(hom, 2, b, BPF_F_LOCK), -EINVAL);
	assert_int_equal(upd(hom, 2, b, 8), -EINVAL);
	assert_int_equal(upd(hom, 2, b, BPF_ANY), 0);
	/* full: a new key is -E2BIG, a replace still works */
	assert_int_equal(upd(hom, 3, b, BPF_ANY), -E2BIG);
	assert_int_equal(upd(hom, 3, b, BPF_NOEXIST), -E2BIG);
	assert_int_equal(upd(hom, 2, a, BPF_EXIST), 0);
	assert_int_equal(look(hom, 2, &id), 0);
	assert_int_equal(id, map_id(a));
	assert_int_equal(look(hom, 3, &id), -ENOENT);
	key = 1;
	assert_int_equal(bpf_map_lookup_and_delete_elem(hom, &key, &id), -ENOTSUPP);
	assert_int_equal(bpf_map_lookup_elem_flags(hom, &key, &id, BPF_F_LOCK), -EINVAL);

	/* get_next_key visits both keys once; an unknown key starts over */
	err = bpf_map_get_next_key(hom, NULL, &nk);
	while (!err) {
		seen |= 1u << nk;
		n++;
		key = nk;
		err = bpf_map_get_next_key(hom, &key, &nk);
	}
	assert_int_equal(err, -ENOENT);
	assert_int_equal(n, 2);
	assert_int_equal(seen, (1u << 1) | (1u << 2));
	key = 99;
	assert_int_equal(bpf_map_get_next_key(hom, &key, &nk), 0);
	assert_true(nk == 1 || nk == 2);

	key = 2;
	assert_int_equal(bpf_map_delete_elem(hom, &key), 0);
	assert_int_equal(bpf_map_delete_elem(hom, &key), -ENOENT);
	assert_int_equal(upd(hom, 3, b, BPF_ANY), 0);
	close(a);
	close(b);
	close(in);
	close(hom);
}

/* ---------------------------------------------------------- references */

static void test_mim_inner_held_by_refcnt(void **state)
{
	int in, aom, x, y;
	uint32_t id = 0, xid, key = 1;

	(void)state;
	in = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	aom = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, in);
	/* the template is not kept: closing it changes nothing */
	close(in);
	x = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	xid = map_id(x);
	assert_int_equal(upd(aom, 1, x, BPF_ANY), 0);
	close(x);
	/* alive through the outer map alone */
	assert_int_equal(look(aom, 1, &id), 0);
	assert_int_equal(id, xid);
	y = bpf_map_get_fd_by_id(xid);
	assert_true(y >= 0);
	close(y);
	/* deleting drops the last reference */
	assert_int_equal(bpf_map_delete_elem(aom, &key), 0);
	assert_int_equal(bpf_map_get_fd_by_id(xid), -ENOENT);

	/* replacing drops the old one */
	x = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	xid = map_id(x);
	assert_int_equal(upd(aom, 1, x, BPF_ANY), 0);
	close(x);
	x = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	assert_int_equal(upd(aom, 1, x, BPF_ANY), 0);
	assert_int_equal(bpf_map_get_fd_by_id(xid), -ENOENT);
	xid = map_id(x);
	close(x);
	/* freeing the outer map drops the rest */
	close(aom);
	assert_int_equal(bpf_map_get_fd_by_id(xid), -ENOENT);
}

static void test_mim_hash_outer_free_drops_inners(void **state)
{
	int in, hom, x;
	uint32_t xid;

	(void)state;
	in = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	hom = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, in);
	x = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	xid = map_id(x);
	assert_int_equal(upd(hom, 5, x, BPF_ANY), 0);
	close(x);
	close(in);
	assert_true(bpf_map_get_fd_by_id(xid) >= 0);	/* closed by the reset */
	close(hom);
	bpfemu_reset();
	assert_int_equal(bpf_map_get_fd_by_id(xid), -ENOENT);
}

/* -------------------------------------------------------------- BPF C */

struct args {
	uint32_t outer_key;
	uint32_t inner_key;
	uint64_t add;
	uint32_t hash;
	uint32_t pad;
};

static int run_args(struct bpf_program *prog, struct args *a, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = a, .ctx_size_in = sizeof(*a));
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	*retval = (int)opts.retval;
	return err;
}

static void test_mim_bpf_c_initial_slots(void **state)
{
	struct mim_basic *skel;
	uint32_t id, key;
	uint64_t v;
	struct args a = { .outer_key = 2, .inner_key = 1, .add = 7 };
	int ret, fa, ia;

	(void)state;
	skel = mim_basic__open_and_load();
	assert_non_null(skel);
	/* [0] = &ia, [2] = &ib */
	assert_int_equal(look(bpf_map__fd(skel->maps.outer), 0, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ia)));
	assert_int_equal(look(bpf_map__fd(skel->maps.outer), 2, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ib)));
	assert_int_equal(look(bpf_map__fd(skel->maps.outer), 1, &id), -ENOENT);
	assert_int_equal(look(bpf_map__fd(skel->maps.outer), 3, &id), -ENOENT);
	/* HASH_OF_MAPS: [7] = &ia, [3] = &ib */
	assert_int_equal(look(bpf_map__fd(skel->maps.houter), 7, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ia)));
	assert_int_equal(look(bpf_map__fd(skel->maps.houter), 3, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ib)));
	assert_int_equal(look(bpf_map__fd(skel->maps.houter), 0, &id), -ENOENT);
	/* positional: { &ib, &ia } */
	assert_int_equal(look(bpf_map__fd(skel->maps.pos), 0, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ib)));
	assert_int_equal(look(bpf_map__fd(skel->maps.pos), 1, &id), 0);
	assert_int_equal(id, map_id(bpf_map__fd(skel->maps.ia)));
	assert_int_equal(bpf_map__type(skel->maps.outer), BPF_MAP_TYPE_ARRAY_OF_MAPS);
	assert_int_equal(bpf_map__type(skel->maps.houter), BPF_MAP_TYPE_HASH_OF_MAPS);
	assert_int_equal(bpf_map__value_size(skel->maps.outer), 4);

	/* the program reaches ib through outer[2] */
	assert_int_equal(run_args(skel->progs.look, &a, &ret), 0);
	assert_int_equal(ret, 0);
	key = 1;
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ib), &key, &v), 0);
	assert_int_equal(v, 7);
	/* an empty slot is NULL */
	a.outer_key = 1;
	assert_int_equal(run_args(skel->progs.look, &a, &ret), 0);
	assert_int_equal(ret, 1);
	/* through houter[3], then an inner key out of range */
	a.outer_key = 3;
	a.hash = 1;
	a.add = 5;
	assert_int_equal(run_args(skel->progs.look, &a, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ib), &key, &v), 0);
	assert_int_equal(v, 12);
	a.inner_key = 5;
	assert_int_equal(run_args(skel->progs.look, &a, &ret), 0);
	assert_int_equal(ret, 2);
	/* a helper taking the inner map: update through outer[0] = ia */
	a = (struct args){ .outer_key = 0, .inner_key = 1, .add = 9 };
	assert_int_equal(run_args(skel->progs.inner_upd, &a, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ia), &key, &v), 0);
	assert_int_equal(v, 9);

	/* the inline template carries BPF_F_INNER_MAP: fa (5 entries) fits, ia not */
	fa = bpf_map__fd(skel->maps.fa);
	ia = bpf_map__fd(skel->maps.ia);
	assert_int_equal(upd(bpf_map__fd(skel->maps.flex), 0, fa, BPF_ANY), 0);
	assert_int_equal(upd(bpf_map__fd(skel->maps.flex), 1, ia, BPF_ANY), -EINVAL);
	/* outer templates are struct inner: 2-entry arrays of u64 */
	assert_int_equal(upd(bpf_map__fd(skel->maps.outer), 1, fa, BPF_ANY), -EINVAL);
	assert_int_equal(upd(bpf_map__fd(skel->maps.outer), 1, ia, BPF_ANY), 0);
	mim_basic__destroy(skel);
}

static void test_mim_bpf_c_program_cannot_write(void **state)
{
	struct mim_basic *skel;
	struct args a = { 0 };
	int ret = -1;
	uint32_t id;

	(void)state;
	skel = mim_basic__open_and_load();
	assert_non_null(skel);
	assert_int_equal(run_args(skel->progs.upd, &a, &ret), -EINVAL);
	assert_true(bpfemu_diag_has("map_func_incompatible"));
	bpfemu_diag_clear();
	a.outer_key = 7;
	assert_int_equal(run_args(skel->progs.del, &a, &ret), -EINVAL);
	assert_true(bpfemu_diag_has("map_func_incompatible"));
	/* nothing changed */
	assert_int_equal(look(bpf_map__fd(skel->maps.outer), 0, &id), 0);
	assert_int_equal(look(bpf_map__fd(skel->maps.houter), 7, &id), 0);
	mim_basic__destroy(skel);
}

/* ---------------------------------------------------------------- timers */

struct telem {
	uint64_t runs;
	uint64_t t[2];
};

static int run_timer(struct mim_timer *skel)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.arm), &opts);

	return err ? err : (int)opts.retval;
}

static void test_mim_inner_timer_dies_with_its_last_fd(void **state)
{
	static const struct bpfemu_map_field f = { BPFEMU_FIELD_TIMER, offsetof(struct telem, t) };
	struct mim_timer *skel;
	int inner, plain, outer;
	uint32_t id;

	(void)state;
	skel = mim_timer__open_and_load();
	assert_non_null(skel);
	outer = bpf_map__fd(skel->maps.outer);
	/* empty slot */
	assert_int_equal(run_timer(skel), 1);
	/* the template has the timer (btf_record_equal): without it, -EINVAL */
	plain = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct telem), 1, 0);
	assert_int_equal(upd(outer, 0, plain, BPF_ANY), -EINVAL);
	close(plain);
	inner = bpfemu_map_create_fields(BPF_MAP_TYPE_ARRAY, "inner", 4, sizeof(struct telem), 1,
					 NULL, &f, 1);
	assert_true(inner >= 0);
	id = map_id(inner);
	assert_int_equal(upd(outer, 0, inner, BPF_ANY), 0);

	assert_int_equal(run_timer(skel), 0);
	assert_int_equal(skel->data->init_ret, 0);
	assert_int_equal(skel->data->start_ret, 0);
	assert_int_equal(bpfemu_clock_advance(2 * MS), 0);
	assert_int_equal(skel->bss->cb_runs, 1);
	/* armed again, then the inner map's last fd goes: usercnt 0 while the
	 * outer map still holds it (refcnt), and its timers are freed */
	assert_int_equal(run_timer(skel), 0);
	assert_int_equal(skel->data->init_ret, -EBUSY);
	assert_int_equal(skel->data->start_ret, 0);
	close(inner);
	assert_int_equal(look(outer, 0, &id), 0);
	assert_int_equal(bpfemu_clock_advance(5 * MS), 0);
	assert_int_equal(skel->bss->cb_runs, 1);
	assert_int_equal(bpfemu_clock_pending(), 0);
	/* no user reference: bpf_timer_init is -EPERM, start on the freed timer -EINVAL */
	assert_int_equal(run_timer(skel), 0);
	assert_int_equal(skel->data->init_ret, -EPERM);
	assert_int_equal(skel->data->start_ret, -EINVAL);
	/* a new fd by id brings usercnt back: init works again */
	inner = bpf_map_get_fd_by_id(id);
	assert_true(inner >= 0);
	assert_int_equal(run_timer(skel), 0);
	assert_int_equal(skel->data->init_ret, 0);
	assert_int_equal(skel->data->start_ret, 0);
	assert_int_equal(bpfemu_clock_advance(2 * MS), 0);
	assert_int_equal(skel->bss->cb_runs, 2);
	close(inner);
	mim_timer__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mim_create_checks, reset_teardown),
		cmocka_unit_test_teardown(test_mim_inner_types, reset_teardown),
		cmocka_unit_test_teardown(test_mim_array_elements, reset_teardown),
		cmocka_unit_test_teardown(test_mim_template_max_entries, reset_teardown),
		cmocka_unit_test_teardown(test_mim_hash_elements, reset_teardown),
		cmocka_unit_test_teardown(test_mim_inner_held_by_refcnt, reset_teardown),
		cmocka_unit_test_teardown(test_mim_hash_outer_free_drops_inners, reset_teardown),
		cmocka_unit_test_teardown(test_mim_bpf_c_initial_slots, reset_teardown),
		cmocka_unit_test_teardown(test_mim_bpf_c_program_cannot_write, reset_teardown),
		cmocka_unit_test_teardown(test_mim_inner_timer_dies_with_its_last_fd, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
