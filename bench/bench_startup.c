// SPDX-License-Identifier: MIT
/*
 * Start-up cost: what a unit test pays before its first assertion.
 * Measured in fresh processes (this binary re-spawned with --child, the
 * median of RUNS), because everything here happens once per process:
 *
 *   exec to main     spawning a process at all (the baseline: no test
 *                    runner avoids it; includes loading libbpfemu and its
 *                    constructors)
 *   emulator init    the first map creation minus the second: the lazy
 *                    set-up of fd table, map registry, allocator
 *   skeleton open    startup__open()  (bench/startup.bpf.c)
 *   skeleton load    startup__load(): maps created, globals copied in
 *   first run        the first bpf_prog_test_run_opts()
 *   main to result   all of the above from main(); target < 1 ms
 *
 * The skeleton rows need the object built from bench/startup.bpf.c (object
 * name "startup", linked by bench/CMakeLists.txt); without it they are
 * skipped and "main to result" ends at the first map's creation.
 */
#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#if defined(__has_include)
#if __has_include("startup.skel.h")
#include "startup.skel.h"
#define HAVE_SKEL 1
#endif
#endif

#define RUNS 21

extern char **environ;

enum {
	T_SPAWN,	/* parent, just before posix_spawn */
	T_MAIN,
	T_CREATE1,
	T_CREATE2,
	T_OPEN,
	T_LOAD,
	T_RUN1,
	T_RUN2,
	T_NR,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One fresh process: take the timestamps and print them on one line. */
static int child(void)
{
	uint64_t t[T_NR] = { 0 };
	int fd1, fd2;

	t[T_MAIN] = now_ns();
	fd1 = bpf_map_create(BPF_MAP_TYPE_ARRAY, "first", 4, 8, 16, NULL);
	t[T_CREATE1] = now_ns();
	fd2 = bpf_map_create(BPF_MAP_TYPE_ARRAY, "second", 4, 8, 16, NULL);
	t[T_CREATE2] = now_ns();
	if (fd1 < 0 || fd2 < 0)
		return 1;
#ifdef HAVE_SKEL
	{
		struct startup *skel;
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		skel = startup__open();
		t[T_OPEN] = now_ns();
		if (!skel || startup__load(skel))
			return 1;
		t[T_LOAD] = now_ns();
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.first_run), &opts))
			return 1;
		t[T_RUN1] = now_ns();
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.first_run), &opts) ||
		    skel->bss->runs != 2 || skel->data->last_err != -EBUSY)
			return 1;
		t[T_RUN2] = now_ns();
		startup__destroy(skel);
	}
#endif
	printf("%llu %llu %llu %llu %llu %llu %llu\n",
	       (unsigned long long)t[T_MAIN], (unsigned long long)t[T_CREATE1],
	       (unsigned long long)t[T_CREATE2], (unsigned long long)t[T_OPEN],
	       (unsigned long long)t[T_LOAD], (unsigned long long)t[T_RUN1],
	       (unsigned long long)t[T_RUN2]);
	return 0;
}

static int spawn_child(const char *self, uint64_t t[T_NR])
{
	char *argv[] = { (char *)self, "--child", NULL };
	posix_spawn_file_actions_t fa;
	unsigned long long v[T_NR - 1];
	char line[512];
	FILE *f;
	pid_t pid;
	int p[2], st, n, i;

	if (pipe(p))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	t[T_SPAWN] = now_ns();
	if (posix_spawn(&pid, self, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	f = fdopen(p[0], "r");
	n = f && fgets(line, sizeof(line), f) ?
	    sscanf(line, "%llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) : 0;
	if (f)
		fclose(f);
	waitpid(pid, &st, 0);
	if (n != T_NR - 1 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	for (i = 1; i < T_NR; i++)
		t[i] = v[i - 1];
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *d, int n)
{
	qsort(d, n, sizeof(*d), cmp_u64);
	return (double)d[n / 2] / 1000.0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *label, *bench;
		int from, to;
		bool skel;
	} rows[] = {
		{ "exec to main (process baseline)", "exec_to_main", T_SPAWN, T_MAIN, false },
		{ "first map create (emulator init)", "first_map_create", T_MAIN, T_CREATE1, false },
		{ "second map create", "second_map_create", T_CREATE1, T_CREATE2, false },
		{ "skeleton open", "skeleton_open", T_CREATE2, T_OPEN, true },
		{ "skeleton load", "skeleton_load", T_OPEN, T_LOAD, true },
		{ "first program run", "first_run", T_LOAD, T_RUN1, true },
		{ "second program run", "second_run", T_RUN1, T_RUN2, true },
	};
	uint64_t t[RUNS][T_NR], d[RUNS], total[RUNS];
	const char *self = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : argv[0];
	int runs = RUNS, i, r, last;
	double us, total_us, med[16];
	bool have_skel = false;

	if (argc > 1 && !strcmp(argv[1], "--child"))
		return child();
	if (argc > 1 && !strcmp(argv[1], "--quick"))
		runs = 3;
#ifdef HAVE_SKEL
	have_skel = true;
#endif
	/* The parent never touches the emulator: each child starts cold. */
	for (r = 0; r < runs; r++) {
		if (spawn_child(self, t[r])) {
			fprintf(stderr, "bench_startup: child run %d failed\n", r);
			return 1;
		}
	}

	printf("start-up, median of %d fresh processes\n", runs);
	for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
		if (rows[i].skel && !have_skel)
			continue;
		for (r = 0; r < runs; r++)
			d[r] = t[r][rows[i].to] - t[r][rows[i].from];
		us = median_us(d, runs);
		med[i] = us;
		printf("  %-36s %9.1f us\n", rows[i].label, us);
	}
	last = have_skel ? T_RUN1 : T_CREATE1;
	for (r = 0; r < runs; r++)
		total[r] = t[r][last] - t[r][T_MAIN];
	total_us = median_us(total, runs);
	printf("  %-36s %9.1f us  (target < 1000 us)\n",
	       have_skel ? "main to first run result" : "main to first map", total_us);
	/* bench/run.sh collects these into its table */
	for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++)
		if (!rows[i].skel || have_skel)
			printf("BENCH %s %.1f us\n", rows[i].bench, med[i]);
	printf("BENCH main_to_first_result %.1f us\n", total_us);
	if (!have_skel)
		printf("skeleton rows skipped: bench/startup.bpf.c is not linked into bench_startup\n");
	return 0;
}
