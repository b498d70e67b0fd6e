/* SPDX-License-Identifier: MIT */
/*
 * Shared fixtures of the bpf_timer tests (tests/test_timer*.c): maps with a
 * timer in their value, bound to a fake two-pointer definition as the
 * loader binds a real one, a bare program to run helpers in, and a log of
 * callback runs.
 */
#ifndef BPFEMU_TEST_TIMER_H
#define BPFEMU_TEST_TIMER_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <linux/bpf.h>
#include <bpfemu.h>
#include <bpfemu/helpers.h>

#include "clock.h"
#include "ctx.h"
#include "map.h"
#include "prog.h"

#define MS 1000000ULL

struct elem {
	long counter;
	struct bpf_timer t;
	long tail;
};

/* A map with struct elem values, as a program would see it. */
struct tmap {
	void *def[4];			/* the "map definition" programs pass */
	struct emu_map *map;
};

static inline int tmap_open_flags(struct tmap *m, uint32_t type, uint32_t max_entries,
				  uint32_t map_flags)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.key_size = sizeof(uint32_t),
		.value_size = sizeof(struct elem),
		.max_entries = max_entries,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
		.nr_fields = 1,
		.fields = { { EMU_FIELD_TIMER, offsetof(struct elem, t), sizeof(struct bpf_timer) } },
	};
	int err = 0;

	attr.map_flags = map_flags;
	strcpy(attr.name, "tmap");
	m->map = emu_map_create(&attr, &err);
	if (!m->map)
		return err;
	/* As if user space held an fd: usercnt 1; the creation ref goes. */
	emu_map_get_uref(m->map);
	emu_map_put(m->map);
	emu_map_bind_def(m->def, sizeof(m->def), m->map);
	return 0;
}

static inline int tmap_open(struct tmap *m, uint32_t type, uint32_t max_entries)
{
	return tmap_open_flags(m, type, max_entries, 0);
}

/* The last user reference goes: every timer in the map is freed. */
static inline void tmap_close(struct tmap *m)
{
	if (!m->map)
		return;
	emu_map_unbind_def(m->def);
	emu_map_put_uref(m->map);
	m->map = NULL;
}

/* Element @key, created zeroed first for hash maps. */
static inline struct elem *tmap_elem(struct tmap *m, uint32_t key)
{
	struct elem zero = { 0 };
	void *v = m->map->ops->lookup(m->map, &key);

	if (!v) {
		if (m->map->ops->update(m->map, &key, &zero, BPF_ANY))
			return NULL;
		v = m->map->ops->lookup(m->map, &key);
	}
	return v;
}

/* ---------------------------------------------------- running as a program */

static struct emu_prog *test_prog;

enum top { OP_INIT, OP_SETCB, OP_START, OP_CANCEL };

struct tcall {
	enum top op;
	struct bpf_timer *timer;
	void *p;
	uint64_t a, b;
	long ret;
};

static inline long tcall_fn(void *arg)
{
	struct tcall *c = arg;

	switch (c->op) {
	case OP_INIT:
		c->ret = bpfemu_helper_timer_init(c->timer, c->p, c->a);
		break;
	case OP_SETCB:
		c->ret = bpfemu_helper_timer_set_callback(c->timer, c->p);
		break;
	case OP_START:
		c->ret = bpfemu_helper_timer_start(c->timer, c->a, c->b);
		break;
	case OP_CANCEL:
		c->ret = bpfemu_helper_timer_cancel(c->timer);
		break;
	}
	return 0;
}

/* Run one helper call inside a run of @prog; returns the helper's value,
 * or the run's error (a verifier rejection) as -1000 + err. */
static inline long prog_call(struct emu_prog *prog, enum top op, struct bpf_timer *timer,
			     void *p, uint64_t a, uint64_t b)
{
	struct tcall c = { op, timer, p, a, b, -9999 };
	long r = 0;
	int err;

	err = emu_run(prog, EMU_ENTRY_PROG, tcall_fn, &c, &r);
	if (err)
		return -1000 + err;
	return c.ret;
}

#define t_init(tm, m, fl)	prog_call(test_prog, OP_INIT, (tm), (m)->def, (fl), 0)
#define t_setcb(tm, cb)		prog_call(test_prog, OP_SETCB, (tm), (void *)(cb), 0, 0)
#define t_start(tm, ns, fl)	prog_call(test_prog, OP_START, (tm), NULL, (ns), (fl))
#define t_cancel(tm)		prog_call(test_prog, OP_CANCEL, (tm), NULL, 0, 0)

/* ------------------------------------------------------------ callback log */

#define FIRE_MAX 64

struct fire {
	void *map;
	void *key;
	uint32_t key_val;
	void *value;
	uint64_t now;
	int cpu;
	long counter;
};

static struct fire fires[FIRE_MAX];
static int nr_fires;

static inline void fire_record(void *map, void *key, void *value)
{
	struct fire *f;

	if (nr_fires >= FIRE_MAX)
		return;
	f = &fires[nr_fires++];
	f->map = map;
	f->key = key;
	f->key_val = key ? *(uint32_t *)key : ~0u;
	f->value = value;
	f->now = emu_clock_now(EMU_CLOCK_MONOTONIC);
	f->cpu = emu_ctx.cpu;
	f->counter = ((struct elem *)value)->counter;
}

static inline int cb_record(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	return 0;
}

static inline void fires_clear(void)
{
	memset(fires, 0, sizeof(fires));
	nr_fires = 0;
}

static inline uint64_t now_mono(void)
{
	return emu_clock_now(EMU_CLOCK_MONOTONIC);
}

/* Ready to start: init (MONOTONIC) + set_callback, from the test program. */
static inline void timer_ready(struct tmap *m, struct elem *e, void *cb)
{
	assert_int_equal(t_init(&e->t, m, EMU_CLOCK_MONOTONIC), 0);
	assert_int_equal(t_setcb(&e->t, cb), 0);
}

/* An ARRAY of three timers, each ready with its own callback. */
static inline void three_ready_timers(struct tmap *m, struct elem **a, void *cb_a,
				      struct elem **b, void *cb_b, struct elem **c, void *cb_c)
{
	assert_int_equal(tmap_open(m, BPF_MAP_TYPE_ARRAY, 3), 0);
	*a = tmap_elem(m, 0);
	*b = tmap_elem(m, 1);
	*c = tmap_elem(m, 2);
	timer_ready(m, *a, cb_a);
	timer_ready(m, *b, cb_b);
	timer_ready(m, *c, cb_c);
}

static inline int timer_group_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	return 0;
}

static inline int timer_group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

/* Per test: a fresh program; at the end everything the test made is gone. */
static inline int timer_setup(void **state)
{
	(void)state;
	fires_clear();
	bpfemu_diag_clear();
	test_prog = emu_prog_new_bare("timer_test", BPF_PROG_TYPE_XDP);
	return test_prog ? 0 : -1;
}

static inline int timer_teardown(void **state)
{
	(void)state;
	emu_prog_put(test_prog);
	test_prog = NULL;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#define TT(fn) cmocka_unit_test_setup_teardown(fn, timer_setup, timer_teardown)

#endif /* BPFEMU_TEST_TIMER_H */
