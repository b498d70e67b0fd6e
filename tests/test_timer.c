// SPDX-License-Identifier: MIT
/*
 * bpf_timer helpers called directly (through a bare program's runs):
 * every errno of timers.md §3-§6 in the kernel's order, firing in virtual
 * time, and what a callback may do to its own and other timers (§7).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "test_timer.h"

/*
 * Most tests below work on one timer: element 0 of a fresh one-element
 * ARRAY map, often already given a callback.  The map is still closed by
 * the test (tmap_close), as each test's end says what must be gone.
 */
static struct elem *one_timer(struct tmap *m)
{
	assert_int_equal(tmap_open(m, BPF_MAP_TYPE_ARRAY, 1), 0);
	return tmap_elem(m, 0);
}

static struct elem *one_ready_timer(struct tmap *m, void *cb)
{
	struct elem *e = one_timer(m);

	timer_ready(m, e, cb);
	return e;
}

/* Advance virtual time by @ns; @n callbacks have run since the test began.
 * A macro, so a failure names the test's own line. */
#define ADVANCE_EXPECT_FIRES(ns, n)					\
	do {								\
		assert_int_equal(bpfemu_clock_advance(ns), 0);		\
		assert_int_equal(nr_fires, (n));			\
	} while (0)

/* ------------------------------------------------------------ bpf_timer_init */

static void test_timer_init_accepts_monotonic_realtime_boottime(void **state)
{
	struct tmap m;
	uint64_t ok[] = { 0, 1, 7 };
	unsigned int i;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 3), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(t_init(&tmap_elem(&m, i)->t, &m, ok[i]), 0);
	tmap_close(&m);
}

static void test_timer_init_other_clock_ids_return_einval(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t fl;

	(void)state;
	e = one_timer(&m);
	for (fl = 2; fl < 16; fl++) {
		if (fl == 7)
			continue;
		assert_int_equal(t_init(&e->t, &m, fl), -EINVAL);
	}
	/* a rejected init changed nothing: the timer is still UNINIT */
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_init_flags_above_the_clock_nibble_return_einval(void **state)
{
	uint64_t bad[] = { 0x10, 0x11, 0x17, 1ULL << 32, (1ULL << 32) | 1, (1ULL << 63) | 1, UINT64_MAX };
	struct tmap m;
	struct elem *e;
	unsigned int i;

	(void)state;
	e = one_timer(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(t_init(&e->t, &m, bad[i]), -EINVAL);
	tmap_close(&m);
}

static void test_timer_init_twice_returns_ebusy(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(t_init(&e->t, &m, 1), -EBUSY);
	assert_int_equal(t_init(&e->t, &m, 7), -EBUSY);
	/* flag checks come before the busy check */
	assert_int_equal(t_init(&e->t, &m, 2), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 16), -EINVAL);
	tmap_close(&m);
}

static void test_timer_init_without_user_reference_returns_eperm(void **state)
{
	struct tmap m;
	struct elem *e, zero = { 0 };

	(void)state;
	e = one_timer(&m);
	/* a program holds the map; user space closed its fd */
	emu_map_get(m.map);
	emu_map_put_uref(m.map);
	assert_int_equal(t_init(&e->t, &m, 1), -EPERM);
	/* the publication was undone: still UNINIT, bytes zero */
	assert_memory_equal(&e->t, &zero.t, sizeof(e->t));
	assert_int_equal(t_setcb(&e->t, cb_record), -EINVAL);
	/* a new user reference (GET_FD_BY_ID) makes init work again */
	emu_map_get_uref(m.map);
	emu_map_put(m.map);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_init_allocation_failure_returns_enomem(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	bpfemu_fault_inject_nth(1);
	assert_int_equal(bpfemu_helper_timer_init(&e->t, m.def, 1), -ENOMEM);
	bpfemu_fault_inject_nth(0);
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_init_with_another_map_is_rejected_as_timer_map_mismatch(void **state)
{
	struct tmap a, b;

	(void)state;
	assert_int_equal(tmap_open(&a, BPF_MAP_TYPE_ARRAY, 1), 0);
	assert_int_equal(tmap_open(&b, BPF_MAP_TYPE_ARRAY, 1), 0);
	/* the run is abandoned with -EINVAL and the rule is named */
	assert_int_equal(t_init(&tmap_elem(&a, 0)->t, &b, 1), -1000 - EINVAL);
	assert_true(bpfemu_diag_has("timer_map_mismatch"));
	/* outside a program the diagnostic is recorded and -EINVAL returned */
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_timer_init(&tmap_elem(&a, 0)->t, b.def, 1), -EINVAL);
	assert_true(bpfemu_diag_has("timer_map_mismatch"));
	tmap_close(&a);
	tmap_close(&b);
}

/*
 * A hash map finds an element from its value pointer by the header before
 * it.  A timer pointer in no element (6.18: "R1 type=ctx expected=
 * map_value", or another map's value: "timer pointer in R1 map_uid=...
 * doesn't match map pointer in R2") at the start of a page whose
 * predecessor is not mapped: that header was read there, SIGSEGV.
 */
static void test_timer_init_of_no_hash_element_is_refused_without_reading_before_it(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct tmap h;
	struct elem *e;
	char *m;

	(void)state;
	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m, page, PROT_NONE), 0);
	e = (struct elem *)(m + page);
	assert_int_equal(tmap_open(&h, BPF_MAP_TYPE_HASH, 4), 0);
	assert_int_equal(t_init(&e->t, &h, 1), -1000 - EINVAL);
	assert_true(bpfemu_diag_has("timer_map_mismatch"));
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_timer_init(&e->t, h.def, 1), -EINVAL);
	assert_true(bpfemu_diag_has("timer_map_mismatch"));
	/* the bytes there were left alone, and a real element still inits */
	assert_int_equal(e->t.__opaque[0] | e->t.__opaque[1], 0);
	assert_int_equal(t_init(&tmap_elem(&h, 1)->t, &h, 1), 0);
	tmap_close(&h);
	/* without prealloc every element is found through the careful read */
	assert_int_equal(tmap_open_flags(&h, BPF_MAP_TYPE_HASH, 4, BPF_F_NO_PREALLOC), 0);
	assert_int_equal(t_init(&e->t, &h, 1), -1000 - EINVAL);
	assert_int_equal(t_init(&tmap_elem(&h, 1)->t, &h, 1), 0);
	assert_int_equal(t_init(&tmap_elem(&h, 1)->t, &h, 1), -EBUSY);
	tmap_close(&h);
	munmap(m, 2 * page);
}

static void test_timer_init_with_something_that_is_not_a_map_is_rejected(void **state)
{
	struct tmap m;
	void *junk[2] = { NULL, NULL };

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	assert_int_equal(bpfemu_helper_timer_init(&tmap_elem(&m, 0)->t, junk, 1), -EINVAL);
	assert_true(bpfemu_diag_has("not_a_map"));
	tmap_close(&m);
}

/* ------------------------------------------------------ bpf_timer_set_callback */

static void test_timer_set_callback_on_uninitialised_timer_returns_einval(void **state)
{
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	assert_int_equal(t_setcb(&tmap_elem(&m, 0)->t, cb_record), -EINVAL);
	tmap_close(&m);
}

static void test_timer_set_callback_twice_returns_zero_both_times(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	/* one program reference per timer: teardown's leak check sees the
	 * program freed after the map (and so the timer) is gone */
	tmap_close(&m);
}

static void test_timer_set_callback_in_map_without_user_reference_returns_eperm(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	/* the window of an init racing with the last close: usercnt is 0 but
	 * release_uref has not reached this timer yet */
	atomic_fetch_sub(&m.map->usercnt, 1);
	assert_int_equal(t_setcb(&e->t, cb_record), -EPERM);
	atomic_fetch_add(&m.map->usercnt, 1);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	tmap_close(&m);
}

/* ----------------------------------------------------------- bpf_timer_start */

static void test_timer_start_before_set_callback_returns_einval(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(t_start(&e->t, MS, 0), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(t_start(&e->t, MS, 0), -EINVAL);
	ADVANCE_EXPECT_FIRES(10 * MS, 0);
	tmap_close(&m);
}

static void test_timer_start_with_unknown_flags_returns_einval_and_leaves_it_unarmed(void **state)
{
	uint64_t bad[] = { 4, BPF_F_TIMER_ABS | 4, 1ULL << 32, 1ULL << 63 };
	struct tmap m;
	struct elem *e;
	unsigned int i;

	(void)state;
	e = one_timer(&m);
	/* on an uninitialised timer too: the flag check comes first */
	assert_int_equal(t_start(&e->t, MS, 4), -EINVAL);
	timer_ready(&m, e, cb_record);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(t_start(&e->t, MS, bad[i]), -EINVAL);
	ADVANCE_EXPECT_FIRES(10 * MS, 0);
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_start_accepts_cpu_pin_and_abs_cpu_pin(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, MS, BPF_F_TIMER_CPU_PIN), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(t_start(&e->t, now_mono() + MS, BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), 0);
	ADVANCE_EXPECT_FIRES(MS, 2);
	tmap_close(&m);
}

static void test_timer_fires_once_exactly_at_its_deadline(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t t0;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	t0 = now_mono();
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(5 * MS - 1, 0);
	ADVANCE_EXPECT_FIRES(1, 1);
	assert_int_equal(fires[0].now, t0 + 5 * MS);
	ADVANCE_EXPECT_FIRES(100 * MS, 1);
	/* fired: callback and program reference stay; start again works */
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 2);
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_start_with_zero_delay_fires_once_at_the_next_advance(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, 0, 0), 0);
	assert_int_equal(nr_fires, 0);
	ADVANCE_EXPECT_FIRES(0, 1);
	ADVANCE_EXPECT_FIRES(MS, 1);
	tmap_close(&m);
}

static void test_timer_restart_of_pending_timer_replaces_its_expiry(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t t0;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	t0 = now_mono();
	assert_int_equal(t_start(&e->t, 300 * MS, 0), 0);
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(400 * MS, 1);
	assert_int_equal(fires[0].now, t0 + 5 * MS);
	tmap_close(&m);
}

static void test_timer_absolute_start_uses_the_timer_clock(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t t0;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 3), 0);
	t0 = now_mono();
	/* MONOTONIC: bpf_ktime_get_ns() + 5 ms */
	e = tmap_elem(&m, 0);
	timer_ready(&m, e, cb_record);
	e->counter = 1;
	assert_int_equal(t_start(&e->t, emu_clock_now(EMU_CLOCK_MONOTONIC) + 5 * MS, BPF_F_TIMER_ABS), 0);
	/* REALTIME: wall-clock ns + 10 ms */
	e = tmap_elem(&m, 1);
	assert_int_equal(t_init(&e->t, &m, EMU_CLOCK_REALTIME), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	e->counter = 2;
	assert_int_equal(t_start(&e->t, emu_clock_now(EMU_CLOCK_REALTIME) + 10 * MS, BPF_F_TIMER_ABS), 0);
	/* BOOTTIME: bpf_ktime_get_boot_ns() + 15 ms */
	e = tmap_elem(&m, 2);
	assert_int_equal(t_init(&e->t, &m, EMU_CLOCK_BOOTTIME), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	e->counter = 3;
	assert_int_equal(t_start(&e->t, emu_clock_now(EMU_CLOCK_BOOTTIME) + 15 * MS, BPF_F_TIMER_ABS), 0);

	ADVANCE_EXPECT_FIRES(20 * MS, 3);
	assert_int_equal(fires[0].counter, 1);
	assert_int_equal(fires[0].now, t0 + 5 * MS);
	assert_int_equal(fires[1].counter, 2);
	assert_int_equal(fires[1].now, t0 + 10 * MS);
	assert_int_equal(fires[2].counter, 3);
	assert_int_equal(fires[2].now, t0 + 15 * MS);
	tmap_close(&m);
}

static void test_timer_absolute_start_in_the_past_fires_at_the_next_advance(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, 0, BPF_F_TIMER_ABS), 0);
	ADVANCE_EXPECT_FIRES(0, 1);
	tmap_close(&m);
}

static void test_timer_absolute_start_far_ahead_stays_pending_and_cancel_returns_one(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, now_mono() + 10000 * MS, BPF_F_TIMER_ABS), 0);
	ADVANCE_EXPECT_FIRES(60 * MS, 0);
	assert_int_equal(t_cancel(&e->t), 1);
	tmap_close(&m);
}

static void test_timer_huge_relative_delays_saturate_and_never_fire(void **state)
{
	uint64_t huge[] = { UINT64_MAX, (uint64_t)INT64_MAX, 1ULL << 63,
			    (uint64_t)INT64_MAX - 1000 * MS };
	struct tmap m;
	struct elem *e;
	unsigned int i;

	(void)state;
	e = one_timer(&m);
	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		timer_ready(&m, e, cb_record);
		assert_int_equal(t_start(&e->t, huge[i], 0), 0);
		/* 10 years of virtual time (the kernel clock never nears 2^63) */
		ADVANCE_EXPECT_FIRES(10ULL * 365 * 86400 * BPFEMU_NSEC_PER_SEC, 0);
		assert_int_equal(t_cancel(&e->t), 1);
		assert_int_equal(t_init(&e->t, &m, 1), -EBUSY);
		tmap_close(&m);
		e = one_timer(&m);
	}
	tmap_close(&m);
}

static void test_timer_distinct_deadlines_fire_in_deadline_order(void **state)
{
	uint64_t delay[] = { 60, 20, 40 };
	struct tmap m;
	struct elem *e;
	uint32_t i;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 3), 0);
	for (i = 0; i < 3; i++) {
		e = tmap_elem(&m, i);
		timer_ready(&m, e, cb_record);
		assert_int_equal(t_start(&e->t, delay[i] * MS, 0), 0);
	}
	ADVANCE_EXPECT_FIRES(100 * MS, 3);
	assert_int_equal(fires[0].key_val, 1);
	assert_int_equal(fires[1].key_val, 2);
	assert_int_equal(fires[2].key_val, 0);
	tmap_close(&m);
}

static void test_timer_equal_deadlines_fire_in_start_order(void **state)
{
	uint32_t order[] = { 2, 0, 3, 1 };
	struct tmap m;
	uint32_t i;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 4), 0);
	for (i = 0; i < 4; i++)
		timer_ready(&m, tmap_elem(&m, i), cb_record);
	for (i = 0; i < 4; i++)
		assert_int_equal(t_start(&tmap_elem(&m, order[i])->t, 10 * MS, 0), 0);
	/* re-starting one moves it behind the others */
	assert_int_equal(t_start(&tmap_elem(&m, 2)->t, 10 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(10 * MS, 4);
	assert_int_equal(fires[0].key_val, 0);
	assert_int_equal(fires[1].key_val, 3);
	assert_int_equal(fires[2].key_val, 1);
	assert_int_equal(fires[3].key_val, 2);
	tmap_close(&m);
}

static void test_timer_callback_runs_on_the_cpu_that_started_it(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	emu_ctx.cpu = 3;
	assert_int_equal(t_start(&e->t, MS, BPF_F_TIMER_CPU_PIN), 0);
	emu_ctx.cpu = 0;
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(fires[0].cpu, 3);
	assert_int_equal(emu_ctx.cpu, 0);
	tmap_close(&m);
}

/* ---------------------------------------------------------- bpf_timer_cancel */

static void test_timer_cancel_of_pending_timer_returns_one_then_zero(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	assert_int_equal(t_cancel(&e->t), 1);
	assert_int_equal(t_cancel(&e->t), 0);
	ADVANCE_EXPECT_FIRES(10 * MS, 0);
	tmap_close(&m);
}

static void test_timer_cancel_clears_the_callback_so_start_returns_einval(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	assert_int_equal(t_cancel(&e->t), 1);
	assert_int_equal(t_start(&e->t, 5 * MS, 0), -EINVAL);
	/* init is not needed again; set_callback is */
	assert_int_equal(t_init(&e->t, &m, 1), -EBUSY);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(5 * MS, 1);
	tmap_close(&m);
}

static void test_timer_cancel_returns_zero_for_idle_timers_and_clears_their_callback(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	/* uninitialised */
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	/* initialised only */
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(t_cancel(&e->t), 0);
	/* callback set, never started */
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_cancel(&e->t), 0);
	assert_int_equal(t_start(&e->t, MS, 0), -EINVAL);
	/* fired */
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(t_cancel(&e->t), 0);
	assert_int_equal(t_start(&e->t, MS, 0), -EINVAL);
	/* after a rejected start */
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_start(&e->t, MS, 4), -EINVAL);
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_bytes_copied_to_another_element_are_not_a_live_timer(void **state)
{
	struct tmap m;
	struct elem *a, *b;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = tmap_elem(&m, 0);
	b = tmap_elem(&m, 1);
	timer_ready(&m, a, cb_record);
	memcpy(&b->t, &a->t, sizeof(b->t));
	assert_int_equal(t_cancel(&b->t), -EINVAL);
	assert_int_equal(t_start(&b->t, MS, 0), -EINVAL);
	/* init overwrites the stale bytes */
	assert_int_equal(t_init(&b->t, &m, 1), 0);
	tmap_close(&m);
}

/* ------------------------------------------------------------- the callback */

static int rearm_left;

static int cb_rearm(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	if (rearm_left-- > 0)
		assert_int_equal(bpfemu_helper_timer_start(&value->t, MS, 0), 0);
	return 0;
}

static void test_timer_callback_rearming_itself_n_times_runs_n_plus_one_times(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t t0;
	int i;

	(void)state;
	e = one_ready_timer(&m, cb_rearm);
	rearm_left = 4;
	t0 = now_mono();
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	/* one advance covers all: re-armed expiries inside the window fire */
	ADVANCE_EXPECT_FIRES(100 * MS, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(fires[i].now, t0 + (uint64_t)(i + 1) * MS);
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static int cb_rearm_abs_past_once;

static int cb_rearm_abs_past(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	if (cb_rearm_abs_past_once-- > 0)
		assert_int_equal(bpfemu_helper_timer_start(&value->t, 0, BPF_F_TIMER_ABS), 0);
	return 0;
}

static void test_timer_callback_rearming_in_the_past_runs_once_more(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_rearm_abs_past);
	cb_rearm_abs_past_once = 1;
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 2);
	assert_int_equal(fires[1].now, fires[0].now);
	tmap_close(&m);
}

static long self_ret[4];

static int cb_self_ops(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	self_ret[0] = bpfemu_helper_timer_start(&value->t, 10 * MS, 0);
	self_ret[1] = bpfemu_helper_timer_cancel(&value->t);
	self_ret[2] = bpfemu_helper_timer_init(&value->t, map, 1);
	self_ret[3] = bpfemu_helper_timer_set_callback(&value->t, (void *)cb_record);
	return 0;
}

static void test_timer_cancel_from_its_own_callback_returns_edeadlk_and_changes_nothing(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_self_ops);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(self_ret[0], 0);
	assert_int_equal(self_ret[1], -EDEADLK);
	assert_int_equal(self_ret[2], -EBUSY);
	assert_int_equal(self_ret[3], 0);
	/* the re-arm made before the refused cancel is still pending, and runs
	 * the callback installed afterwards */
	ADVANCE_EXPECT_FIRES(10 * MS, 2);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(t_cancel(&e->t), 1);
	tmap_close(&m);
}

static struct bpf_timer *other_timer;
static long other_ret;

static int cb_cancel_other(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	other_ret = bpfemu_helper_timer_cancel(other_timer);
	return 0;
}

static void test_timer_callback_cancelling_another_pending_timer_returns_one(void **state)
{
	struct tmap m;
	struct elem *a, *b;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = tmap_elem(&m, 0);
	b = tmap_elem(&m, 1);
	timer_ready(&m, a, cb_cancel_other);
	timer_ready(&m, b, cb_record);
	other_timer = &b->t;
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&b->t, 2 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(5 * MS, 1);
	assert_int_equal(other_ret, 1);
	assert_int_equal(t_start(&b->t, MS, 0), -EINVAL);
	tmap_close(&m);
}

static void test_timer_callback_receives_map_definition_index_key_and_value(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 8), 0);
	e = tmap_elem(&m, 5);
	timer_ready(&m, e, cb_record);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_ptr_equal(fires[0].map, m.def);
	assert_ptr_equal(fires[0].value, e);
	assert_int_equal(fires[0].key_val, 5);
	/* the ARRAY key is a local index, not a pointer into the map */
	assert_true((char *)fires[0].key < (char *)tmap_elem(&m, 0) ||
		    (char *)fires[0].key >= (char *)(tmap_elem(&m, 7) + 1));
	tmap_close(&m);
}

static void test_timer_hash_callback_receives_the_element_stored_key(void **state)
{
	struct tmap m;
	struct elem *e;
	uint32_t idx;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_HASH, 8), 0);
	e = tmap_elem(&m, 42);
	timer_ready(&m, e, cb_record);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(fires[0].key_val, 42);
	assert_ptr_equal(fires[0].key, emu_map_elem_key(m.map, e, &idx));
	assert_ptr_equal(fires[0].value, e);
	tmap_close(&m);
}

static int cb_returns_one(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	return 1;
}

static void test_timer_callback_returning_nonzero_is_diagnosed(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_ready_timer(&m, cb_returns_one);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_true(bpfemu_diag_has("timer_cb_nonzero_return"));
	tmap_close(&m);
}

static void test_timer_ktime_get_ns_agrees_with_monotonic_timers(void **state)
{
	struct tmap m;
	struct elem *e;
	uint64_t t0;

	(void)state;
	e = one_ready_timer(&m, cb_record);
	t0 = bpfemu_helper_ktime_get_ns();
	assert_int_equal(t_start(&e->t, 7 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(7 * MS, 1);
	assert_int_equal(fires[0].now, t0 + 7 * MS);
	assert_int_equal(bpfemu_helper_ktime_get_ns(), t0 + 7 * MS);
	tmap_close(&m);
}

static void test_timer_boottime_timer_fires_after_a_suspend_monotonic_does_not(void **state)
{
	struct tmap m;
	struct elem *mono, *boot;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	mono = tmap_elem(&m, 0);
	boot = tmap_elem(&m, 1);
	timer_ready(&m, mono, cb_record);
	assert_int_equal(t_init(&boot->t, &m, EMU_CLOCK_BOOTTIME), 0);
	assert_int_equal(t_setcb(&boot->t, cb_record), 0);
	assert_int_equal(t_start(&mono->t, 50 * MS, 0), 0);
	assert_int_equal(t_start(&boot->t, bpfemu_helper_ktime_get_boot_ns() + 50 * MS,
				 BPF_F_TIMER_ABS), 0);
	assert_int_equal(bpfemu_clock_suspend(100 * MS), 0);
	ADVANCE_EXPECT_FIRES(0, 1);
	assert_int_equal(fires[0].key_val, 1);
	ADVANCE_EXPECT_FIRES(50 * MS, 2);
	assert_int_equal(fires[1].key_val, 0);
	tmap_close(&m);
}

static void test_timer_helpers_are_allowed_outside_any_program(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(bpfemu_helper_timer_init(&e->t, m.def, 1), 0);
	assert_int_equal(bpfemu_helper_timer_set_callback(&e->t, (void *)cb_record), 0);
	assert_int_equal(bpfemu_helper_timer_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(bpfemu_helper_timer_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_tracing_programs_may_use_timers_kprobes_may_not(void **state)
{
	struct emu_prog *tracing = emu_prog_new_bare("tp_btf", BPF_PROG_TYPE_TRACING);
	struct emu_prog *kprobe = emu_prog_new_bare("kprobe", BPF_PROG_TYPE_KPROBE);
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_non_null(tracing);
	assert_non_null(kprobe);
	e = one_timer(&m);
	/* observed on 6.18: a tp_btf program with a timer map loads and arms */
	assert_int_equal(prog_call(tracing, OP_INIT, &e->t, m.def, 1, 0), 0);
	/* "tracing progs cannot use bpf_timer yet" */
	assert_int_equal(prog_call(kprobe, OP_CANCEL, &e->t, NULL, 0, 0), -1000 - EINVAL);
	assert_true(bpfemu_diag_has("helper_not_allowed"));
	emu_prog_put(tracing);
	emu_prog_put(kprobe);
	tmap_close(&m);
}

/* ------------------------------------------ timers due in one advance */

/*
 * The clock takes a fired timer out of its queue while the callback runs;
 * a re-arm from the callback only marks it, and it goes back when the
 * callback returns.  Nothing of that may be visible: the cases below are
 * the ones that path changes.
 */

static int zero_rearm_left;

static int cb_rearm_zero(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	if (zero_rearm_left-- > 0)
		assert_int_equal(bpfemu_helper_timer_start(&value->t, 0, 0), 0);
	return 0;
}

static void test_timer_zero_delay_rearm_fires_again_in_the_same_advance_after_the_others_due(void **state)
{
	struct tmap m;
	struct elem *a, *b;
	uint64_t t0;
	int i;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = tmap_elem(&m, 0);
	b = tmap_elem(&m, 1);
	timer_ready(&m, a, cb_rearm_zero);
	timer_ready(&m, b, cb_record);
	zero_rearm_left = 2;
	t0 = now_mono();
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&b->t, MS, 0), 0);
	/* a's re-arm is started after b was: b first, then a twice more */
	ADVANCE_EXPECT_FIRES(MS, 4);
	assert_int_equal(fires[0].key_val, 0);
	assert_int_equal(fires[1].key_val, 1);
	assert_int_equal(fires[2].key_val, 0);
	assert_int_equal(fires[3].key_val, 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(fires[i].now, t0 + MS);
	assert_int_equal(bpfemu_clock_pending(), 0);
	/* re-armed with no delay and nothing else due: fires alone, at once */
	zero_rearm_left = 1;
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 6);
	assert_int_equal(fires[5].now, fires[4].now);
	assert_int_equal(t_cancel(&a->t), 0);
	tmap_close(&m);
}

static struct bpf_timer *victim;
static void *victim_map;
static uint32_t victim_key;
static long victim_ret;

static int cb_cancel_victim(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	victim_ret = bpfemu_helper_timer_cancel(victim);
	return 0;
}

static int cb_overwrite_victim(void *map, int *key, struct elem *value)
{
	struct elem zero = { 0 };

	fire_record(map, key, value);
	/* an ARRAY update: cancel-and-free of the victim's timer */
	victim_ret = bpfemu_helper_map_update_elem(victim_map, &victim_key, &zero, 0);
	return 0;
}

static void test_timer_callback_cancelling_or_freeing_a_timer_due_at_the_same_instant(void **state)
{
	struct tmap m;
	struct elem *a, *b, *c;

	(void)state;
	three_ready_timers(&m, &a, cb_cancel_victim, &b, cb_record, &c, cb_record);
	victim = &b->t;
	/* a re-arms itself before b is due: b was still pending when a ran */
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&b->t, MS, 0), 0);
	assert_int_equal(t_start(&c->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 2);
	assert_int_equal(victim_ret, 1);
	assert_int_equal(fires[0].key_val, 0);
	assert_int_equal(fires[1].key_val, 2);
	assert_int_equal(t_start(&b->t, MS, 0), -EINVAL);

	/* the same with a cancel-and-free: c's element is overwritten */
	assert_int_equal(t_setcb(&a->t, cb_overwrite_victim), 0);
	victim_map = m.def;
	victim_key = 2;
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&c->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 3);
	assert_int_equal(victim_ret, 0);
	assert_int_equal(fires[2].key_val, 0);
	assert_int_equal(t_cancel(&c->t), -EINVAL);
	assert_int_equal(bpfemu_clock_pending(), 0);
	tmap_close(&m);
}

static int reject_round;

/* Re-arms itself, then breaks a verifier rule the first time round. */
static int cb_rearm_then_reject(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	assert_int_equal(bpfemu_helper_timer_start(&value->t, MS, 0), 0);
	if (reject_round++ == 0)
		bpfemu_helper_timer_start(NULL, 0, 0);
	return 0;
}

static void test_timer_rejection_in_a_callback_leaves_the_other_timers_due_firing(void **state)
{
	struct tmap m;
	struct elem *a, *b, *c;

	(void)state;
	three_ready_timers(&m, &a, cb_record, &b, cb_rearm_then_reject, &c, cb_record);
	reject_round = 0;
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&b->t, MS, 0), 0);
	assert_int_equal(t_start(&c->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 3);
	assert_true(bpfemu_diag_has("timer_not_map_value"));
	assert_int_equal(fires[0].key_val, 0);
	assert_int_equal(fires[1].key_val, 1);
	assert_int_equal(fires[2].key_val, 2);
	/* the abandoned callback's re-arm, made before the rejection, stays;
	 * its timer is not left running: it fires again, and cancels work */
	assert_int_equal(bpfemu_clock_pending(), 1);
	ADVANCE_EXPECT_FIRES(MS, 4);
	assert_int_equal(fires[3].key_val, 1);
	assert_int_equal(t_cancel(&b->t), 1);
	assert_int_equal(bpfemu_clock_pending(), 0);
	tmap_close(&m);
}

static uint64_t seen_pending, seen_next;
static int suspend_once;

static int cb_rearm_and_look(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	assert_int_equal(bpfemu_helper_timer_start(&value->t, 10 * MS, 0), 0);
	seen_pending = bpfemu_clock_pending();
	seen_next = bpfemu_clock_next_deadline();
	if (suspend_once-- > 0)
		assert_int_equal(bpfemu_clock_suspend(4 * MS), 0);
	return 0;
}

static void test_timer_rearmed_by_its_callback_is_pending_and_moves_with_its_clock(void **state)
{
	struct tmap m;
	struct elem *a, *b;
	uint64_t t0;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = tmap_elem(&m, 0);
	b = tmap_elem(&m, 1);
	assert_int_equal(t_init(&a->t, &m, EMU_CLOCK_BOOTTIME), 0);
	assert_int_equal(t_setcb(&a->t, cb_rearm_and_look), 0);
	timer_ready(&m, b, cb_record);
	suspend_once = 1;
	t0 = now_mono();
	assert_int_equal(t_start(&a->t, MS, 0), 0);
	assert_int_equal(t_start(&b->t, 20 * MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	/* during its callback: pending, and the earliest */
	assert_int_equal(seen_pending, 2);
	assert_int_equal(seen_next, t0 + 11 * MS);
	/* the suspend made in the callback moved the BOOTTIME re-arm 4 ms
	 * closer on the MONOTONIC timeline; b (MONOTONIC) did not move */
	assert_int_equal(bpfemu_clock_next_deadline(), t0 + 7 * MS);
	ADVANCE_EXPECT_FIRES(6 * MS - 1, 1);
	ADVANCE_EXPECT_FIRES(1, 2);
	assert_int_equal(fires[1].now, t0 + 7 * MS);
	assert_int_equal(t_cancel(&a->t), 1);
	assert_int_equal(t_cancel(&b->t), 1);
	tmap_close(&m);
}

static long loop_cb_bad(__u32 i, void *ctx)
{
	(void)i;
	(void)ctx;
	return 2;	/* the verifier's range for bpf_loop callbacks is [0, 1] */
}

static int nested_reject_round;

/* Breaks a rule one entry deeper, inside a bpf_loop callback, once. */
static int cb_nested_reject(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	if (nested_reject_round++ == 0)
		bpfemu_helper_loop(1, (void *)loop_cb_bad, NULL, 0);
	return 0;
}

static void test_timer_rejection_in_a_nested_callback_ends_only_that_timer_callback(void **state)
{
	struct tmap m;
	struct elem *a, *b;
	int i;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = tmap_elem(&m, 0);
	b = tmap_elem(&m, 1);
	timer_ready(&m, a, cb_nested_reject);
	timer_ready(&m, b, cb_record);
	nested_reject_round = 0;
	/* several advances, each with a rejection or not: the state left
	 * behind by one never leaks into the next */
	for (i = 0; i < 3; i++) {
		assert_int_equal(t_start(&a->t, MS, 0), 0);
		assert_int_equal(t_start(&b->t, MS, 0), 0);
		ADVANCE_EXPECT_FIRES(MS, 2 * (i + 1));
		assert_int_equal(fires[2 * i].key_val, 0);
		assert_int_equal(fires[2 * i + 1].key_val, 1);
		assert_false(emu_in_bpf());
		assert_null(emu_ctx.running_timer);
	}
	assert_true(bpfemu_diag_has("loop_cb_bad_return"));
	assert_int_equal(bpfemu_diag_count(), 1);
	tmap_close(&m);
}

static long reject_now(void *arg)
{
	(void)arg;
	bpfemu_helper_timer_start(NULL, 0, 0);
	return 0;
}

static int plain_run_err;

/* A callback set outside any program: plain code, which runs a program
 * whose rejection must come back to it as an error, as anywhere else. */
static int cb_plain_runs_a_program(void *map, int *key, struct elem *value)
{
	plain_run_err = emu_run(test_prog, EMU_ENTRY_PROG, reject_now, NULL, NULL);
	fire_record(map, key, value);
	return 0;
}

static void test_timer_plain_callback_running_a_rejected_program_gets_its_error(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	e = one_timer(&m);
	assert_int_equal(bpfemu_helper_timer_init(&e->t, m.def, 1), 0);
	assert_int_equal(bpfemu_helper_timer_set_callback(&e->t, (void *)cb_plain_runs_a_program), 0);
	assert_int_equal(bpfemu_helper_timer_start(&e->t, MS, 0), 0);
	ADVANCE_EXPECT_FIRES(MS, 1);
	assert_int_equal(plain_run_err, -EACCES);
	assert_true(bpfemu_diag_has("timer_not_map_value"));
	assert_int_equal(bpfemu_helper_timer_cancel(&e->t), 0);
	tmap_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TT(test_timer_init_accepts_monotonic_realtime_boottime),
		TT(test_timer_init_other_clock_ids_return_einval),
		TT(test_timer_init_flags_above_the_clock_nibble_return_einval),
		TT(test_timer_init_twice_returns_ebusy),
		TT(test_timer_init_without_user_reference_returns_eperm),
		TT(test_timer_init_allocation_failure_returns_enomem),
		TT(test_timer_init_with_another_map_is_rejected_as_timer_map_mismatch),
		TT(test_timer_init_of_no_hash_element_is_refused_without_reading_before_it),
		TT(test_timer_init_with_something_that_is_not_a_map_is_rejected),
		TT(test_timer_set_callback_on_uninitialised_timer_returns_einval),
		TT(test_timer_set_callback_twice_returns_zero_both_times),
		TT(test_timer_set_callback_in_map_without_user_reference_returns_eperm),
		TT(test_timer_start_before_set_callback_returns_einval),
		TT(test_timer_start_with_unknown_flags_returns_einval_and_leaves_it_unarmed),
		TT(test_timer_start_accepts_cpu_pin_and_abs_cpu_pin),
		TT(test_timer_fires_once_exactly_at_its_deadline),
		TT(test_timer_start_with_zero_delay_fires_once_at_the_next_advance),
		TT(test_timer_restart_of_pending_timer_replaces_its_expiry),
		TT(test_timer_absolute_start_uses_the_timer_clock),
		TT(test_timer_absolute_start_in_the_past_fires_at_the_next_advance),
		TT(test_timer_absolute_start_far_ahead_stays_pending_and_cancel_returns_one),
		TT(test_timer_huge_relative_delays_saturate_and_never_fire),
		TT(test_timer_distinct_deadlines_fire_in_deadline_order),
		TT(test_timer_equal_deadlines_fire_in_start_order),
		TT(test_timer_callback_runs_on_the_cpu_that_started_it),
		TT(test_timer_cancel_of_pending_timer_returns_one_then_zero),
		TT(test_timer_cancel_clears_the_callback_so_start_returns_einval),
		TT(test_timer_cancel_returns_zero_for_idle_timers_and_clears_their_callback),
		TT(test_timer_bytes_copied_to_another_element_are_not_a_live_timer),
		TT(test_timer_callback_rearming_itself_n_times_runs_n_plus_one_times),
		TT(test_timer_callback_rearming_in_the_past_runs_once_more),
		TT(test_timer_cancel_from_its_own_callback_returns_edeadlk_and_changes_nothing),
		TT(test_timer_callback_cancelling_another_pending_timer_returns_one),
		TT(test_timer_callback_receives_map_definition_index_key_and_value),
		TT(test_timer_hash_callback_receives_the_element_stored_key),
		TT(test_timer_callback_returning_nonzero_is_diagnosed),
		TT(test_timer_ktime_get_ns_agrees_with_monotonic_timers),
		TT(test_timer_boottime_timer_fires_after_a_suspend_monotonic_does_not),
		TT(test_timer_helpers_are_allowed_outside_any_program),
		TT(test_timer_tracing_programs_may_use_timers_kprobes_may_not),
		TT(test_timer_zero_delay_rearm_fires_again_in_the_same_advance_after_the_others_due),
		TT(test_timer_callback_cancelling_or_freeing_a_timer_due_at_the_same_instant),
		TT(test_timer_rejection_in_a_callback_leaves_the_other_timers_due_firing),
		TT(test_timer_rearmed_by_its_callback_is_pending_and_moves_with_its_clock),
		TT(test_timer_rejection_in_a_nested_callback_ends_only_that_timer_callback),
		TT(test_timer_plain_callback_running_a_rejected_program_gets_its_error),
	};

	return cmocka_run_group_tests(tests, timer_group_setup, timer_group_teardown);
}
