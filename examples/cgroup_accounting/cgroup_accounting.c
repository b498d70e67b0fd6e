// SPDX-License-Identifier: MIT
/*
 * cgroup_accounting: per-cgroup counters kept in cgroup local storage.
 *
 * A small tree (/web, /web/frontend, /web/backend, /batch) gets a
 * scripted workload: for each event the task moves into a cgroup and runs
 * the `account` program, which charges the event to that cgroup and, as
 * subtree totals, to each ancestor.  User space then reads every cgroup's
 * counters with bpf_map_lookup_elem(), the key being an fd of the cgroup's
 * directory, checks that the subtree totals add up, and removes /batch to
 * show its storage going with it (a re-created /batch starts empty).
 *
 * Everything is libbpf as on a kernel except the cgroup tree itself: where
 * a kernel program would mkdir/rmdir under /sys/fs/cgroup, open the
 * directory and write its pid to cgroup.procs, this one calls
 * bpfemu_cgroup_create/remove/open and bpfemu_task_set_cgroup.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "cgroup_accounting.h"
#include "cgroup_accounting.skel.h"

static const char *const tree[] = { "/web", "/web/frontend", "/web/backend", "/batch" };
#define NR_CG (sizeof(tree) / sizeof(tree[0]))

static const struct {
	const char *path;
	__u64 bytes;
	int times;
} workload[] = {
	{ "/web/frontend", 100, 3 },
	{ "/web/backend", 500, 2 },
	{ "/web", 10, 1 },
	{ "/batch", 50, 4 },
};

static int charge(struct cgroup_accounting *skel, const char *path, __u64 bytes)
{
	struct account_args args = { .bytes = bytes };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int err;

	err = bpfemu_task_set_cgroup(path);		/* echo $$ > cgroup.procs */
	if (err)
		return err;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.account), &opts);
	return err ? err : (int)opts.retval;
}

/* The counters of @path, read with a cgroup fd as the key; -ENOENT if none. */
static int read_acct(int map_fd, const char *path, struct cg_acct *a)
{
	int fd, err;

	fd = bpfemu_cgroup_open(path);		/* open(dir, O_RDONLY) */
	if (fd < 0)
		return fd;
	err = bpf_map_lookup_elem(map_fd, &fd, a);
	close(fd);
	return err;
}

int main(void)
{
	struct cgroup_accounting *skel;
	struct cg_acct a, web, fe, be, batch, root;
	unsigned int i;
	int k, err, map_fd, old_fd = -1, ret = 1;
	int64_t id, new_id;

	printf("cgroup_accounting: per-cgroup event and byte counters in "
	       "BPF_MAP_TYPE_CGRP_STORAGE, charged to a cgroup and its ancestors, gone "
	       "with the cgroup\n");
	skel = cgroup_accounting__open_and_load();
	if (!skel) {
		fprintf(stderr, "open_and_load failed: %s\n", strerror(errno));
		return 1;
	}
	map_fd = bpf_map__fd(skel->maps.acct);

	for (i = 0; i < NR_CG; i++) {
		id = bpfemu_cgroup_create(tree[i]);	/* mkdir */
		if (id < 0) {
			fprintf(stderr, "mkdir %s: %s\n", tree[i], strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < sizeof(workload) / sizeof(workload[0]); i++)
		for (k = 0; k < workload[i].times; k++) {
			err = charge(skel, workload[i].path, workload[i].bytes);
			if (err) {
				fprintf(stderr, "account in %s failed: %d\n", workload[i].path, err);
				goto out;
			}
		}
	bpfemu_task_set_cgroup("/");

	printf("%-15s %4s %7s %7s %9s %9s\n", "cgroup", "id", "events", "bytes",
	       "subtree", "sub_bytes");
	if (read_acct(map_fd, "/", &root))
		goto out;
	printf("%-15s %4lld %7llu %7llu %9llu %9llu\n", "/", (long long)bpfemu_cgroup_id("/"),
	       (unsigned long long)root.events, (unsigned long long)root.bytes,
	       (unsigned long long)root.subtree_events, (unsigned long long)root.subtree_bytes);
	for (i = 0; i < NR_CG; i++) {
		if (read_acct(map_fd, tree[i], &a)) {
			fprintf(stderr, "no counters for %s\n", tree[i]);
			goto out;
		}
		printf("%-15s %4lld %7llu %7llu %9llu %9llu\n", tree[i],
		       (long long)bpfemu_cgroup_id(tree[i]), (unsigned long long)a.events,
		       (unsigned long long)a.bytes, (unsigned long long)a.subtree_events,
		       (unsigned long long)a.subtree_bytes);
	}

	read_acct(map_fd, "/web", &web);
	read_acct(map_fd, "/web/frontend", &fe);
	read_acct(map_fd, "/web/backend", &be);
	read_acct(map_fd, "/batch", &batch);
	if (web.subtree_events != fe.events + be.events ||
	    web.subtree_bytes != fe.bytes + be.bytes ||
	    root.subtree_events != web.events + web.subtree_events + batch.events ||
	    root.subtree_events != skel->bss->charged || skel->bss->failed) {
		fprintf(stderr, "subtree totals do not add up\n");
		goto out;
	}
	printf("subtree totals add up: %llu events, %llu bytes\n",
	       (unsigned long long)root.subtree_events, (unsigned long long)root.subtree_bytes);

	/* rmdir /batch: its counters go with it, even through an open fd. */
	old_fd = bpfemu_cgroup_open("/batch");
	id = bpfemu_cgroup_id("/batch");
	if (bpfemu_cgroup_remove("/batch")) {
		fprintf(stderr, "rmdir /batch: %s\n", strerror(errno));
		goto out;
	}
	err = bpf_map_lookup_elem(map_fd, &old_fd, &a);
	printf("/batch removed: lookup through its old fd: %s\n", err ? strerror(errno) : "found");
	if (err != -ENOENT)
		goto out;
	new_id = bpfemu_cgroup_create("/batch");
	err = read_acct(map_fd, "/batch", &a);
	printf("/batch re-created with id %lld (was %lld): counters %s\n", (long long)new_id,
	       (long long)id, err ? "empty" : "present");
	if (err != -ENOENT || new_id <= id)
		goto out;
	ret = 0;
out:
	if (old_fd >= 0)
		close(old_fd);
	cgroup_accounting__destroy(skel);
	bpfemu_reset();
	return ret;
}
