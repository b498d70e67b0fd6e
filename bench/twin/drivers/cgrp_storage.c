// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "cgrp_storage": ns per bpf_cgrp_storage_get call on one
 * cgroup holding storage in M CGRP_STORAGE maps (progs/cgrp_storage.bpf.c):
 *
 *   cgrp_get_same_<M>  (M = 1, 16, 64): always the same map, a cache hit;
 *   cgrp_get_rr_<M>    (M = 16, 64):    the M maps round robin; with 64,
 *                                       the kernel's maps share cache slots
 *                                       and miss (bpfemu's per-cgroup index
 *                                       by map id never misses).
 *
 * Each M is its own load of the object with only maps m_00 .. m_<M-1>
 * created (autocreate), so M maps exist and all of them hold storage for the
 * cgroup -- the kernel hands out cache slots over all live maps of the type.
 * The cgroup is the cgroup2 root (CS_CGROUP_ID): the real one on the
 * kernel, bpfemu's model here; nothing is created, and the storage goes
 * with the maps when the object is destroyed (or the process exits).  On
 * the kernel other users' storage on the root sits behind ours in its list
 * (newest first), so only concurrent gets by others would disturb a figure.
 * A figure is the run's ns (twin_run_ns) / CS_CALLS, the run's
 * bpf_cgroup_from_id/release included.  Before a figure is printed, the
 * setup is checked through the maps (the root's fd as key) and the timed
 * program's sum of the values it read (its return value), before and after
 * the timed runs.
 */
#define TWIN_NAME "cgrp_storage"
#include "twin.h"

#include "cgrp_storage.h"
#include "twin_cgrp_storage.skel.h"

#define REPEAT	10000	/* runs per try: CS_CALLS gets each */

static int root_fd = -1;	/* the cgroup's fd: the maps' user-space key */

static struct bpf_map *map_of(struct twin_cgrp_storage *skel, unsigned int i)
{
	char name[16];

	snprintf(name, sizeof(name), "m_%02x", i);
	return bpf_object__find_map_by_name(skel->obj, name);
}

/* The setup run made storage in maps 0 .. nmaps-1 holding CS_VALUE(i):
 * checked from user space, keyed by the cgroup's fd. */
static int check_setup(struct twin_cgrp_storage *skel, unsigned int nmaps, int created)
{
	uint64_t val;
	unsigned int i;

	if (created != (int)nmaps) {
		fprintf(stderr, "cgrp_storage: setup_%u created %d storages\n", nmaps, created);
		return -1;
	}
	for (i = 0; i < nmaps; i++) {
		if (bpf_map_lookup_elem(bpf_map__fd(map_of(skel, i)), &root_fd, &val)) {
			fprintf(stderr, "cgrp_storage: lookup m_%02x: %s\n", i,
				conf_rc(-(long)errno));
			return -1;
		}
		if (val != CS_VALUE(i)) {
			fprintf(stderr, "cgrp_storage: m_%02x holds %llu, not %u\n", i,
				(unsigned long long)val, CS_VALUE(i));
			return -1;
		}
	}
	return 0;
}

/* A run of @prog must read every value: its sum (return value) is @expect. */
static int check_sum(struct bpf_program *prog, const char *figure, int expect)
{
	int sum = conf_run_fd(bpf_program__fd(prog));

	if (sum == INT32_MIN)
		return -1;
	if (sum != expect) {
		fprintf(stderr, "cgrp_storage: %s: sum %d, expected %d (a get returned NULL?)\n",
			figure, sum, expect);
		return -1;
	}
	return 0;
}

/* One figure, printed only if the program reads every value both before
 * and after the timed runs. */
static int measure(struct bpf_program *prog, const char *figure, int expect)
{
	double ns;

	if (check_sum(prog, figure, expect))
		return -1;
	ns = twin_run_ns(bpf_program__fd(prog), REPEAT);
	if (ns < 0 || check_sum(prog, figure, expect))
		return -1;
	twin_figure(figure, ns / CS_CALLS);
	return 0;
}

/* Load the object with @nmaps maps, populate them, measure. */
static int bench(unsigned int nmaps)
{
	struct twin_cgrp_storage *skel;
	struct bpf_program *setup, *rr;
	char figure[32];
	unsigned int i;
	int err = -1, expect_rr = 0;

	skel = twin_cgrp_storage__open();
	if (!skel) {
		fprintf(stderr, "cgrp_storage: open: %s\n", conf_rc(-(long)errno));
		return -1;
	}
	for (i = 0; i < CS_NMAPS; i++)
		bpf_map__set_autocreate(map_of(skel, i), i < nmaps);
	/* Only the programs whose maps exist are loaded. */
	setup = nmaps == 1 ? skel->progs.setup_1 :
		nmaps == 16 ? skel->progs.setup_16 : skel->progs.setup_64;
	rr = nmaps == 16 ? skel->progs.get_rr_16 : nmaps == 64 ? skel->progs.get_rr_64 : NULL;
	bpf_program__set_autoload(skel->progs.setup_1, setup == skel->progs.setup_1);
	bpf_program__set_autoload(skel->progs.setup_16, setup == skel->progs.setup_16);
	bpf_program__set_autoload(skel->progs.setup_64, setup == skel->progs.setup_64);
	bpf_program__set_autoload(skel->progs.get_rr_16, rr == skel->progs.get_rr_16);
	bpf_program__set_autoload(skel->progs.get_rr_64, rr == skel->progs.get_rr_64);
	if (twin_cgrp_storage__load(skel)) {
		fprintf(stderr, "cgrp_storage: load with %u maps: %s\n", nmaps,
			conf_rc(-(long)errno));
		goto out;
	}

	if (check_setup(skel, nmaps, conf_run_fd(bpf_program__fd(setup))))
		goto out;

	snprintf(figure, sizeof(figure), "cgrp_get_same_%u", nmaps);
	if (measure(skel->progs.get_same, figure, CS_CALLS * CS_VALUE(0)))
		goto out;
	if (rr) {
		for (i = 0; i < CS_CALLS; i++)
			expect_rr += CS_VALUE(i % nmaps);
		snprintf(figure, sizeof(figure), "cgrp_get_rr_%u", nmaps);
		if (measure(rr, figure, expect_rr))
			goto out;
	}
	err = 0;
out:
	/* Frees the maps and with them the cgroup's storage. */
	twin_cgrp_storage__destroy(skel);
	return err;
}

int main(int argc, char **argv)
{
	static const unsigned int nmaps[] = { 1, 16, 64 };
	int failed = 0;
	size_t i;

	twin_init(argc, argv);
	root_fd = conf_cgroup_root_fd();
	if (root_fd < 0) {
		fprintf(stderr, "cgrp_storage: open the cgroup2 root: %s\n",
			conf_rc(root_fd == -1 ? -(long)errno : root_fd));
		return 1;
	}
	for (i = 0; i < sizeof(nmaps) / sizeof(nmaps[0]) && !failed; i++)
		failed = bench(nmaps[i]) != 0;
	close(root_fd);
	return failed || conf_failures ? 1 : 0;
}
