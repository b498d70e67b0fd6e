/* SPDX-License-Identifier: MIT */
/*
 * Shared by the ring buffer tests (tests/test_ringbuf*.c,
 * tests/test_user_ringbuf*.c): the group fixtures.  Sizes in these tests
 * are scaled to the host's page size, read once by the group setup.
 */
#ifndef BPFEMU_TEST_RINGBUF_UTIL_H
#define BPFEMU_TEST_RINGBUF_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpfemu/core.h>

#include "fd.h"
#include "ringbuf.h"

static size_t page;

static inline int ringbuf_group_setup(void **state)
{
	(void)state;
	page = (size_t)sysconf(_SC_PAGESIZE);
	emu_ringbuf_register();
	bpfemu_diag_set_echo(false);
	return 0;
}

/* Map fds close late (emu_fd_reap): reap them, then nothing may be left. */
static inline int ringbuf_group_teardown(void **state)
{
	(void)state;
	emu_fd_reap();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#endif /* BPFEMU_TEST_RINGBUF_UTIL_H */
