/* SPDX-License-Identifier: MIT */
/*
 * Acquired references (ctx.h): a program that can exit holding a ring
 * buffer record, a ring dynptr or a struct cgroup *, or that releases one
 * it does not hold, is refused by the kernel's verifier at load (-EINVAL;
 * -EACCES for a ring sample submitted twice).  bpfemu sees it when the
 * program runs: the run fails with that errno, a diagnostic names the rule
 * ("unreleased_reference", "release_unowned"), and whatever was leaked is
 * released, so the ring is not stuck and no cgroup stays pinned.
 */
/* bpfemu-objects: bad_ref_ringbuf bad_ref_cgroup */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfemu.h>
#include <bpfemu/cgroup.h>
#include <bpfemu/clock.h>

#include "bad_ref_cgroup.skel.h"
#include "bad_ref_ringbuf.skel.h"
#include "cgroup.h"
#include "test_verifier.h"

/* ------------------------------------------------------------ ring buffer */

struct got {
	int n;
	__u64 v[8];
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;

	if (size != sizeof(__u64) || g->n >= 8)
		return -EINVAL;
	memcpy(&g->v[g->n++], data, size);
	return 0;
}

/*
 * After a failed run the ring works as before: a good producer's record is
 * delivered, and the leaked one (discarded by bpfemu) is not; the ring holds
 * no busy record, so nothing is stuck behind it.
 */
static void assert_ring_flows(struct bad_ref_ringbuf *skel)
{
	struct ring_buffer *r;
	struct got g = { 0 };
	__u32 retval;

	skel->data->value = 77;
	assert_int_equal(test_run(skel->progs.produce, &retval), 0);
	assert_int_equal(retval, 0);
	r = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_sample, &g, NULL);
	assert_non_null(r);
	assert_int_equal(ring_buffer__consume(r), 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0], 77);
	assert_int_equal(ring__avail_data_size(ring_buffer__ring(r, 0)), 0);
	ring_buffer__free(r);
}

static void test_reserved_sample_not_submitted_fails_the_run(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.leak_sample, NULL), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_true(bpfemu_diag_has("unreleased_reference"));
	assert_last_diag("unreleased_reference", "leak_sample", "bpf_ringbuf_reserve");
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

/* What two_samples left in the ring: the records delivered, in order. */
static int two_samples_consume(struct bad_ref_ringbuf *skel, struct got *g)
{
	struct ring_buffer *r;
	int n;

	memset(g, 0, sizeof(*g));
	r = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_sample, g, NULL);
	assert_non_null(r);
	n = ring_buffer__consume(r);
	assert_int_equal(ring__avail_data_size(ring_buffer__ring(r, 0)), 0);
	ring_buffer__free(r);
	return n;
}

/*
 * Two samples held at once: the first is kept apart from the reference
 * table (ctx.h), the second goes in it.  Released in either order, or one
 * discarded, the run is clean and the records arrive in ring order; leaked,
 * either one or both is counted and discarded.
 */
static void test_two_samples_held_at_once(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();
	struct got g;
	__u32 retval;

	(void)state;
	assert_non_null(skel);
	skel->data->value = 10;
	for (skel->bss->mode = 0; skel->bss->mode <= 1; skel->bss->mode++) {
		assert_int_equal(test_run(skel->progs.two_samples, &retval), 0);
		assert_int_equal(retval, 0);
		assert_int_equal(two_samples_consume(skel, &g), 2);
		assert_int_equal(g.v[0], 10);
		assert_int_equal(g.v[1], 11);
	}
	skel->bss->mode = 2;	/* the first discarded */
	assert_int_equal(test_run(skel->progs.two_samples, &retval), 0);
	assert_int_equal(two_samples_consume(skel, &g), 1);
	assert_int_equal(g.v[0], 11);
	assert_int_equal(bpfemu_diag_count(), 0);

	skel->bss->mode = 3;	/* the second leaked */
	assert_int_equal(test_run(skel->progs.two_samples, NULL), -EINVAL);
	assert_last_diag("unreleased_reference", "holding 1 ring buffer sample", "two_samples");
	assert_int_equal(two_samples_consume(skel, &g), 1);
	assert_int_equal(g.v[0], 10);
	skel->bss->mode = 4;	/* the first leaked */
	assert_int_equal(test_run(skel->progs.two_samples, NULL), -EINVAL);
	assert_last_diag("unreleased_reference", "holding 1 ring buffer sample", "two_samples");
	assert_int_equal(two_samples_consume(skel, &g), 1);
	assert_int_equal(g.v[0], 11);
	skel->bss->mode = 5;	/* both */
	assert_int_equal(test_run(skel->progs.two_samples, NULL), -EINVAL);
	assert_last_diag("unreleased_reference", "holding 2 ring buffer sample", "two_samples");
	assert_int_equal(two_samples_consume(skel, &g), 0);
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_reserved_dynptr_not_submitted_fails_the_run(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.leak_dynptr, NULL), -EINVAL);
	assert_last_diag("unreleased_reference", "leak_dynptr", "bpf_ringbuf_reserve_dynptr");
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_failed_dynptr_reserve_must_still_be_discarded(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();
	__u32 retval;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.leak_failed_dynptr, NULL), -EINVAL);
	assert_int_equal(skel->bss->reserve_err, -E2BIG);
	assert_last_diag("unreleased_reference", "leak_failed_dynptr", "dynptr");

	/* the same program with the discard is fine */
	bpfemu_diag_clear();
	skel->bss->reserve_err = 0;
	assert_int_equal(test_run(skel->progs.failed_dynptr_discarded, &retval), 0);
	assert_int_equal(retval, 7);
	assert_int_equal(skel->bss->reserve_err, -E2BIG);
	assert_int_equal(bpfemu_diag_count(), 0);
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_sample_submitted_twice_is_release_unowned(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();
	struct ring_buffer *r;
	struct got g = { 0 };

	(void)state;
	assert_non_null(skel);
	skel->data->value = 5;
	/* the kernel: "R1 type=scalar expected=ringbuf_mem", -EACCES */
	assert_int_equal(test_run(skel->progs.submit_twice, NULL), -EACCES);
	assert_int_equal(errno, EACCES);
	assert_last_diag("release_unowned", "bpf_ringbuf_submit", "submit_twice");
	/* the first submit was a real one; the second changed nothing */
	r = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_sample, &g, NULL);
	assert_non_null(r);
	assert_int_equal(ring_buffer__consume(r), 1);
	assert_int_equal(g.v[0], 5);
	ring_buffer__free(r);
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_stack_buffer_submitted_is_refused_without_reading_it(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();

	(void)state;
	assert_non_null(skel);
	/* its fake header's page offset would send a lookup far away */
	assert_int_equal(test_run(skel->progs.submit_stack_buffer, NULL), -EACCES);
	assert_last_diag("ringbuf_bad_sample", "bpf_ringbuf_submit", "expected=ringbuf_mem");
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_dynptr_released_twice_is_release_unowned(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();

	(void)state;
	assert_non_null(skel);
	/* the kernel: "arg 1 is an unacquired reference", -EINVAL */
	assert_int_equal(test_run(skel->progs.dynptr_submit_then_discard, NULL), -EINVAL);
	assert_last_diag("release_unowned", "bpf_ringbuf_discard_dynptr", "unacquired reference");
	bad_ref_ringbuf__destroy(skel);
}

static void test_local_dynptr_submitted_is_release_unowned(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.submit_local_dynptr, NULL), -EINVAL);
	assert_last_diag("release_unowned", "bpf_ringbuf_submit_dynptr", NULL);
	/* the global the local dynptr covered was not treated as a record */
	assert_int_equal(skel->data->value, 42);
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

static void test_submitting_a_clone_releases_the_original(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();
	struct ring_buffer *r;
	struct got g = { 0 };
	__u32 retval;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.submit_clone, &retval), 0);
	assert_int_equal(retval, 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	r = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_sample, &g, NULL);
	assert_non_null(r);
	assert_int_equal(ring_buffer__consume(r), 1);
	assert_int_equal(g.v[0], 42);
	ring_buffer__free(r);
	bad_ref_ringbuf__destroy(skel);
}

static void test_timer_callback_leaking_a_sample_is_diagnosed(void **state)
{
	struct bad_ref_ringbuf *skel = bad_ref_ringbuf__open_and_load();
	__u32 retval;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(test_run(skel->progs.arm_leaky_timer, &retval), 0);
	assert_int_equal(retval, 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	bpfemu_clock_advance(1000);
	assert_true(bpfemu_diag_has("unreleased_reference"));
	assert_last_diag("unreleased_reference", "arm_leaky_timer", "bpf_ringbuf_reserve");
	assert_ring_flows(skel);
	bad_ref_ringbuf__destroy(skel);
}

/* ----------------------------------------------------------------- cgroups */

/*
 * Run @prog against a fresh cgroup and remove it: with every reference the
 * program took dropped, the cgroup is freed and no object is left beyond
 * what existed before.
 */
static void run_on_fresh_cgroup(struct bpf_program *prog, struct bad_ref_cgroup *skel,
				int want_err, __u32 want_retval)
{
	int64_t id;
	long live;
	__u32 retval;

	live = bpfemu_live_objects();
	id = bpfemu_cgroup_create("/refs");
	assert_true(id > 1);
	skel->bss->target_id = (__u64)id;
	assert_int_equal(test_run(prog, &retval), want_err);
	if (!want_err)
		assert_int_equal(retval, want_retval);
	assert_int_equal(bpfemu_cgroup_remove("/refs"), 0);
	assert_int_equal(bpfemu_live_objects(), live);
}

static void test_cgroup_from_id_not_released_fails_the_run(void **state)
{
	struct bad_ref_cgroup *skel = bad_ref_cgroup__open_and_load();

	(void)state;
	assert_non_null(skel);
	run_on_fresh_cgroup(skel->progs.leak_from_id, skel, -EINVAL, 0);
	assert_int_equal(errno, EINVAL);
	assert_last_diag("unreleased_reference", "leak_from_id", "struct cgroup");
	bad_ref_cgroup__destroy(skel);
}

static void test_cgroup_acquire_not_released_fails_the_run(void **state)
{
	struct bad_ref_cgroup *skel = bad_ref_cgroup__open_and_load();

	(void)state;
	assert_non_null(skel);
	run_on_fresh_cgroup(skel->progs.leak_acquired, skel, -EINVAL, 0);
	assert_last_diag("unreleased_reference", "leak_acquired", "1 struct cgroup");
	bad_ref_cgroup__destroy(skel);
}

static void test_cgroup_ancestor_not_released_fails_the_run(void **state)
{
	struct bad_ref_cgroup *skel = bad_ref_cgroup__open_and_load();

	(void)state;
	assert_non_null(skel);
	run_on_fresh_cgroup(skel->progs.leak_ancestor, skel, -EINVAL, 0);
	assert_last_diag("unreleased_reference", "leak_ancestor", "struct cgroup");
	bad_ref_cgroup__destroy(skel);
}

static void test_cgroup_released_twice_is_release_unowned(void **state)
{
	struct bad_ref_cgroup *skel = bad_ref_cgroup__open_and_load();

	(void)state;
	assert_non_null(skel);
	/* the second release must not drop a count the program did not own:
	 * the cgroup is still freed exactly once when removed */
	run_on_fresh_cgroup(skel->progs.release_twice, skel, -EINVAL, 0);
	assert_last_diag("release_unowned", "bpf_cgroup_release", "must point to scalar");
	bad_ref_cgroup__destroy(skel);
}

static void test_balanced_cgroup_references_run_clean(void **state)
{
	struct bad_ref_cgroup *skel = bad_ref_cgroup__open_and_load();

	(void)state;
	assert_non_null(skel);
	run_on_fresh_cgroup(skel->progs.balanced, skel, 0, 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	bad_ref_cgroup__destroy(skel);
}

/* Outside any program nothing is tracked: tests may drive kfuncs directly. */
static void test_kfuncs_called_outside_a_program_are_not_tracked(void **state)
{
	struct cgroup *cg;
	int64_t id;

	(void)state;
	id = bpfemu_cgroup_create("/direct");
	assert_true(id > 1);
	cg = bpf_cgroup_from_id((__u64)id);
	assert_non_null(cg);
	bpf_cgroup_release(cg);
	assert_int_equal(bpfemu_diag_count(), 0);
	assert_int_equal(bpfemu_cgroup_remove("/direct"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, diag_clear_setup)
		T(test_reserved_sample_not_submitted_fails_the_run),
		T(test_two_samples_held_at_once),
		T(test_reserved_dynptr_not_submitted_fails_the_run),
		T(test_failed_dynptr_reserve_must_still_be_discarded),
		T(test_sample_submitted_twice_is_release_unowned),
		T(test_stack_buffer_submitted_is_refused_without_reading_it),
		T(test_dynptr_released_twice_is_release_unowned),
		T(test_local_dynptr_submitted_is_release_unowned),
		T(test_submitting_a_clone_releases_the_original),
		T(test_timer_callback_leaking_a_sample_is_diagnosed),
		T(test_cgroup_from_id_not_released_fails_the_run),
		T(test_cgroup_acquire_not_released_fails_the_run),
		T(test_cgroup_ancestor_not_released_fails_the_run),
		T(test_cgroup_released_twice_is_release_unowned),
		T(test_balanced_cgroup_references_run_clean),
		T(test_kfuncs_called_outside_a_program_are_not_tracked),
#undef T
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
