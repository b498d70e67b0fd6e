// SPDX-License-Identifier: MIT
/*
 * bpf_cgrp_storage_get on a hit, with 1, 16 and 64 storage maps on one
 * cgroup, beside two baselines measured in the same run:
 *   - a raw walk of a linked list of N nodes keyed by map pointer (what the
 *     kernel's slow path does; the target is the oldest node, the worst
 *     case, as for the first map created on a cgroup);
 *   - a uthash lookup by pointer in a table of N entries.
 * Helper calls run inside one program run (emu_run), as a program's would.
 *
 * "same map" hits one map again and again; "round robin" cycles over all
 * N maps.  On a kernel, beyond 16 maps, maps share the 16 cache slots and
 * evict each other, so most round-robin calls walk the list; bpfemu's
 * per-cgroup index by map id (local_storage.h) has no misses, so both
 * figures should be the same at any N.
 * Target: <= 10 ns, and within 1.5x of uthash, for either.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/bpf.h>
#include <bpfemu.h>
#include <bpfemu/helpers.h>
#include <bpfemu/kernel_types.h>

#include "cgroup.h"
#include "hash.h"
#include "local_storage.h"
#include "map.h"
#include "prog.h"

#define MAX_MAPS 64
#define ITERS 5000000L

struct smap {
	void *def[2];
	struct emu_map *map;
};

static struct smap maps[MAX_MAPS];
static volatile uintptr_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int map_open(struct smap *m)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_CGRP_STORAGE,
		.key_size = 4,
		.value_size = 16,
		.map_flags = BPF_F_NO_PREALLOC,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
	};
	int err = 0;

	strcpy(attr.name, "bench");
	m->map = emu_map_create(&attr, &err);
	if (!m->map)
		return err;
	emu_map_bind_def(m->def, sizeof(m->def), m->map);
	return 0;
}

struct run {
	struct cgroup *cg;
	int n;
	int round_robin;
	double ns;
};

static long bench_get(void *arg)
{
	struct run *r = arg;
	uintptr_t acc = 0;
	uint64_t t0;
	long i;
	int k = 0;

	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		acc += (uintptr_t)bpfemu_helper_cgrp_storage_get(maps[k].def, r->cg, NULL, 0);
		if (r->round_robin && ++k == r->n)
			k = 0;
	}
	r->ns = (double)(now_ns() - t0) / ITERS;
	sink = acc;
	return 0;
}

/* Baseline 1: a list walk to the oldest of n nodes. */
struct lnode {
	struct lnode *next;
	const void *key;
	long data[2];
};

static double bench_list(int n)
{
	struct lnode nodes[MAX_MAPS], *head = NULL, *e;
	uintptr_t acc = 0;
	uint64_t t0;
	long i;
	int j;

	for (j = 0; j < n; j++) {
		nodes[j].key = &maps[j];
		nodes[j].next = head;	/* newest first, as the kernel links */
		head = &nodes[j];
	}
	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		const void *want = *(const void *volatile *)&nodes[0].key;

		for (e = head; e; e = e->next)
			if (e->key == want)
				break;
		acc += (uintptr_t)e->data;
	}
	sink = acc;
	return (double)(now_ns() - t0) / ITERS;
}

/* Baseline 2: uthash by pointer. */
struct hnode {
	const void *key;
	long data[2];
	UT_hash_handle hh;
};

static double bench_uthash(int n)
{
	struct hnode nodes[MAX_MAPS], *table = NULL, *e, *tmp;
	uintptr_t acc = 0;
	uint64_t t0;
	long i;
	int j;

	memset(nodes, 0, sizeof(nodes));
	for (j = 0; j < n; j++) {
		nodes[j].key = &maps[j];
		HASH_ADD_PTR(table, key, &nodes[j]);
	}
	t0 = now_ns();
	for (i = 0; i < ITERS; i++) {
		const void *want = *(const void *volatile *)&nodes[0].key;

		HASH_FIND_PTR(table, &want, e);
		acc += (uintptr_t)e->data;
	}
	sink = acc;
	HASH_ITER(hh, table, e, tmp)
		HASH_DEL(table, e);
	return (double)(now_ns() - t0) / ITERS;
}

int main(void)
{
	static const int configs[] = { 1, 16, 64 };
	struct emu_prog *prog;
	struct cgroup *cg;
	unsigned int c;
	int64_t id;
	long ret;
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (map_open(&maps[i])) {
			fprintf(stderr, "map create failed\n");
			return 1;
		}
	prog = emu_prog_new_bare("bench_cgrp", BPF_PROG_TYPE_TRACING);
	if (!prog)
		return 1;

	printf("%-8s %14s %14s %14s %14s %12s %12s\n", "maps", "get same (ns)",
	       "get rr (ns)", "list walk (ns)", "uthash (ns)", "same/list", "same/uthash");
	for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
		struct run same = { 0 }, rr = { 0 };
		double list_ns, hash_ns;
		char path[32];
		int n = configs[c];

		snprintf(path, sizeof(path), "/bench%d", n);
		id = bpfemu_cgroup_create(path);
		cg = bpfemu_cgroup_get((uint64_t)id);
		/* map 0 first: the oldest element, last in the list */
		for (i = 0; i < n; i++)
			bpfemu_helper_cgrp_storage_get(maps[i].def, cg, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
		same.cg = rr.cg = cg;
		same.n = rr.n = n;
		rr.round_robin = 1;
		emu_run(prog, EMU_ENTRY_PROG, bench_get, &same, &ret);
		emu_run(prog, EMU_ENTRY_PROG, bench_get, &rr, &ret);
		list_ns = bench_list(n);
		hash_ns = bench_uthash(n);
		printf("%-8d %14.2f %14.2f %14.2f %14.2f %12.2f %12.2f\n", n, same.ns, rr.ns,
		       list_ns, hash_ns, same.ns / list_ns, same.ns / hash_ns);
		/* for bench/run.sh's table */
		printf("BENCH cgrp_get_same_%d %.1f ns\n", n, same.ns);
		printf("BENCH cgrp_get_rr_%d %.1f ns\n", n, rr.ns);
		printf("BENCH cgrp_get_%d_uthash %.1f ns\n", n, hash_ns);
		bpfemu_cgroup_put(cg);
		bpfemu_cgroup_remove(path);
	}

	emu_prog_put(prog);
	for (i = 0; i < MAX_MAPS; i++) {
		emu_map_unbind_def(maps[i].def);
		emu_map_put(maps[i].map);
	}
	bpfemu_reset();
	return 0;
}
