/* SPDX-License-Identifier: MIT */
/* Shared by the maps area's tests: fixtures and small helpers. */
#ifndef BPFEMU_TEST_MAP_UTIL_H
#define BPFEMU_TEST_MAP_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "ctx.h"
#include "err.h"
#include "fd.h"
#include "map.h"

static int map_group_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	return 0;
}

static int map_group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

/* Each test leaves nothing behind: the next one starts clean. */
static int map_test_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	bpfemu_diag_set_echo(false);
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

/* The map behind a user fd, and a definition a helper accepts. */
static inline struct emu_map *map_of(int fd)
{
	int err = 0;
	struct emu_map *m = emu_fd_get(fd, EMU_OBJ_MAP, &err);

	assert_non_null(m);
	return m;
}

static inline void *def_of(int fd)
{
	return emu_map_def(map_of(fd));
}

static inline int create(enum bpf_map_type t, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(t, "m", ks, vs, max, &o);
}

#define T(f) cmocka_unit_test_teardown(f, map_test_teardown)

#endif
