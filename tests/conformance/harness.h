/* SPDX-License-Identifier: MIT */
/*
 * Conformance harness: the little a driver needs besides libbpf's own API.
 *
 * Every driver is written once against libbpf (<bpf/libbpf.h>, <bpf/bpf.h>
 * and the family's skeleton) and built twice:
 *   - CONF_KERNEL: against the system libbpf, programs compiled with
 *     clang -target bpf and loaded into the running kernel;
 *   - CONF_BPFEMU: against bpfemu's headers and library, programs compiled
 *     natively by bpfemu_add_object().
 * Only time, cgroups, mmap of a map fd and the bpffs differ between the two
 * sides; they go through conf_wait_ms(), conf_cgroup_*(), conf_map_mmap()
 * and conf_bpffs_*() below.
 *
 * A driver prints one record per observation:
 *     <family>.<case>: <key>=<value> [<key>=<value> ...]
 * Return codes are printed by name (conf_rc) so records are portable across
 * hosts whose errno numbers differ (macOS).  Time-dependent cases print
 * order and counts only, never durations.
 */
#ifndef CONF_HARNESS_H
#define CONF_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#if defined(CONF_BPFEMU)
#include <bpfemu/clock.h>
#include <bpfemu/cgroup.h>
#include <bpfemu/core.h>
#elif !defined(CONF_KERNEL)
#error "build with -DCONF_KERNEL or -DCONF_BPFEMU"
#endif

#ifndef CONF_FAMILY
#error "define CONF_FAMILY before including harness.h"
#endif

/* uapi values the Debian 6.1 <linux/bpf.h> may lack (numbers are ABI). */
#define CONF_MAP_TYPE_USER_RINGBUF	31
#define CONF_MAP_TYPE_CGRP_STORAGE	32
#define CONF_ENOTSUPP			524	/* kernel-internal errno */

static int conf_failures;	/* driver-side problems (not differences) */

/* Printable name of a helper/syscall return value: "0", "3", "-EINVAL". */
static inline const char *conf_rc(long v)
{
	static char bufs[8][32];
	static unsigned int next;
	char *b = bufs[next++ % 8];
	long e = -v;

	if (v >= 0) {
		snprintf(b, 32, "%ld", v);
		return b;
	}
	if (v == INT32_MIN)
		return "run_failed";	/* conf_run_fd() could not run it */
#define CONF_E(name) if (e == name) return "-" #name
	CONF_E(EPERM); CONF_E(ENOENT); CONF_E(ESRCH); CONF_E(EINTR);
	CONF_E(EBADF); CONF_E(EAGAIN); CONF_E(ENOMEM); CONF_E(EACCES);
	CONF_E(EFAULT); CONF_E(EBUSY); CONF_E(EEXIST); CONF_E(ENODEV);
	CONF_E(EINVAL); CONF_E(ENOSPC); CONF_E(ERANGE); CONF_E(EDEADLK);
	CONF_E(E2BIG); CONF_E(ENOSYS); CONF_E(EOPNOTSUPP); CONF_E(ETIMEDOUT);
	CONF_E(ECANCELED); CONF_E(ENOTDIR); CONF_E(EISDIR);
#undef CONF_E
	if (e == CONF_ENOTSUPP)
		return "-ENOTSUPP";
	snprintf(b, 32, "%ld", v);
	return b;
}

/* Print one record line: CONF_REC("case", "ret=%s", conf_rc(r)). */
#define CONF_REC(casename, fmt, ...) \
	printf("%s.%s: " fmt "\n", CONF_FAMILY, casename, ##__VA_ARGS__)

/* A problem of the driver itself (setup failed): recorded as a case too, so
 * the comparison names it. */
#define CONF_FAIL(casename, what) do { \
	printf("%s.%s: driver_error=%s errno=%s\n", CONF_FAMILY, casename, \
	       what, conf_rc(-(long)errno)); \
	conf_failures++; \
} while (0)

/* Kernel side: libbpf's messages (verifier logs) only with CONF_VERBOSE=1
 * in the environment.  bpfemu reports through its own diagnostics. */
static inline void conf_setup(void)
{
#if defined(CONF_KERNEL)
	const char *v = getenv("CONF_VERBOSE");

	if (!v || !*v || *v == '0')
		libbpf_set_print(NULL);
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* ---- time ---------------------------------------------------------- */

/*
 * Let @ms of timer time pass.  On the kernel this sleeps (timers of a few
 * ms are given a generous margin by the callers); on bpfemu it advances the
 * virtual clock, which fires everything due.
 */
static inline void conf_wait_ms(unsigned int ms)
{
#if defined(CONF_KERNEL)
	usleep((useconds_t)ms * 1000);
#else
	bpfemu_clock_advance((uint64_t)ms * 1000000ull);
#endif
}

/* ---- running programs --------------------------------------------- */

/* Run @prog_fd once through BPF_PROG_TEST_RUN with a 64-byte packet (the
 * programs are SEC("tc")).  Returns the program's return value as an int,
 * or INT32_MIN after printing a driver error. */
static inline int conf_run_fd(int prog_fd)
{
	unsigned char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);
	int err;

	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;		/* ethertype IPv4, otherwise unused */
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		/* the case's own record shows "run_failed" */
		fprintf(stderr, "%s: bpf_prog_test_run_opts: %s\n", CONF_FAMILY,
			conf_rc(-(long)errno));
		conf_failures++;
		return INT32_MIN;
	}
	return (int)opts.retval;
}

#define conf_run(prog) conf_run_fd(bpf_program__fd(prog))

/* BPF_MAP_CREATE through libbpf: 0 (the map is closed again) or -errno. */
static inline long conf_map_create_rc(int type, uint32_t key, uint32_t value,
				      uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(type, NULL, key, value, max, &o);

	if (fd < 0)
		return -(long)errno;
	close(fd);
	return 0;
}

/*
 * Map-creation rule cases, recorded the same way by every family that has
 * them: one BPF_MAP_CREATE of @type per row, in table order, as
 * "create_<name>: ret=<rc>" (a map that was created is closed again).
 */
struct conf_create_case {
	const char *name;	/* the record's case name without "create_" */
	uint32_t key, value, max, flags;
};

static inline void conf_create_cases(int type, const struct conf_create_case *c, size_t n)
{
	char name[96];

	for (; n--; c++) {
		long r = conf_map_create_rc(type, c->key, c->value, c->max, c->flags);

		snprintf(name, sizeof(name), "create_%s", c->name);
		CONF_REC(name, "ret=%s", conf_rc(r));
	}
}

/* ---- cgroups ------------------------------------------------------- */

struct conf_cgroup {
	int fd;			/* open directory fd (the map key) */
	uint64_t id;		/* cgroup id (kernfs id / bpfemu id) */
	char path[256];		/* kernel: the directory */
};

#if defined(CONF_KERNEL)
static inline const char *conf_cgroup2_root(void)
{
	static char root[256];
	char dev[256], dir[256], type[64];
	FILE *f;

	if (root[0])
		return root;
	f = fopen("/proc/self/mounts", "r");
	if (!f)
		return NULL;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", dir);
			break;
		}
	}
	fclose(f);
	return root[0] ? root : NULL;
}
#endif

#if defined(CONF_BPFEMU)
/* bpfemu: the cgroup model of <bpfemu/cgroup.h>, same naming. */
static inline int conf_bpfemu_cgroup_create(struct conf_cgroup *cg, const char *name)
{
	int64_t id;

	snprintf(cg->path, sizeof(cg->path), "/bpfemu-conf-%d-%s", (int)getpid(), name);
	id = bpfemu_cgroup_create(cg->path);
	if (id < 0) {
		cg->path[0] = 0;
		return (int)id;
	}
	cg->id = (uint64_t)id;
	cg->fd = bpfemu_cgroup_open(cg->path);
	if (cg->fd < 0) {
		int err = cg->fd;

		bpfemu_cgroup_remove(cg->path);
		cg->path[0] = 0;
		cg->fd = -1;
		return err;
	}
	return 0;
}

static inline int conf_bpfemu_cgroup_rmdir(struct conf_cgroup *cg)
{
	int err;

	if (!cg->path[0])
		return 0;
	err = bpfemu_cgroup_remove(cg->path);
	if (!err)
		cg->path[0] = 0;
	return err;
}
#endif

/* Create a fresh cgroup named after @name (unique per process) and open it. */
static inline int conf_cgroup_create(struct conf_cgroup *cg, const char *name)
{
	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
#if defined(CONF_KERNEL)
	const char *root = conf_cgroup2_root();
	struct stat st;

	if (!root)
		return -ENOENT;
	snprintf(cg->path, sizeof(cg->path), "%s/bpfemu-conf-%d-%s", root,
		 (int)getpid(), name);
	if (mkdir(cg->path, 0755) && errno != EEXIST)
		return -errno;
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY);
	if (cg->fd < 0) {
		int err = -errno;

		rmdir(cg->path);
		cg->path[0] = 0;
		return err;
	}
	/* On cgroup2 the cgroup id is the directory's inode number. */
	if (fstat(cg->fd, &st))
		return -errno;
	cg->id = st.st_ino;
	return 0;
#else
	return conf_bpfemu_cgroup_create(cg, name);
#endif
}

/* rmdir the cgroup but keep its fd open (the "after rmdir" cases). */
static inline int conf_cgroup_rmdir(struct conf_cgroup *cg)
{
#if defined(CONF_KERNEL)
	if (!cg->path[0])
		return 0;
	if (rmdir(cg->path))
		return -errno;
	cg->path[0] = 0;
	return 0;
#else
	return conf_bpfemu_cgroup_rmdir(cg);
#endif
}

/* An fd of the cgroup2 root directory (a valid storage key). */
static inline int conf_cgroup_root_fd(void)
{
#if defined(CONF_KERNEL)
	const char *root = conf_cgroup2_root();

	return root ? open(root, O_RDONLY | O_DIRECTORY) : -ENOENT;
#else
	return bpfemu_cgroup_open("/");
#endif
}

/* Close the fd and remove the cgroup if still there.  Safe to call twice. */
static inline void conf_cgroup_destroy(struct conf_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	conf_cgroup_rmdir(cg);
}

/* ---- mmap of a map fd ------------------------------------------------ */

/*
 * mmap(NULL, @len, @prot, @flags, @fd, @off) of a map fd: the kernel's
 * mmap(2), bpfemu's bpfemu_map_mmap() (its map fds are pipe ends).  Returns
 * the mapping or MAP_FAILED with errno set; release it with munmap(2).
 */
static inline void *conf_map_mmap_flags(int fd, size_t len, int prot, int flags, long off)
{
#if defined(CONF_KERNEL)
	return mmap(NULL, len, prot, flags, fd, (off_t)off);
#else
	return bpfemu_map_mmap(NULL, len, prot, flags, fd, off);
#endif
}

static inline void *conf_map_mmap(int fd, size_t len, int prot, long off)
{
	return conf_map_mmap_flags(fd, len, prot, MAP_SHARED, off);
}

/*
 * The mmap rules of a ring map fd (RINGBUF and USER_RINGBUF, user_ringbuf.md
 * §2) are checked the same way by both families' drivers: one mapping per
 * case, recorded as "ret=ok" (the mapping is released again) or the errno.
 * The cases differ per family (which pages are writable), so each driver
 * keeps its own table; rows are recorded in table order.
 */
static inline const char *conf_mmap_rc(void *p, size_t len)
{
	if (p == MAP_FAILED)
		return conf_rc(-(long)errno);
	munmap(p, len);
	return "ok";
}

struct conf_mmap_case {
	const char *name;	/* the record's case name */
	size_t len;
	int prot;
	int flags;		/* MAP_SHARED or MAP_PRIVATE */
	long off;
};

static inline void conf_mmap_cases(int fd, const struct conf_mmap_case *c, size_t n)
{
	for (; n--; c++)
		CONF_REC(c->name, "ret=%s",
			 conf_mmap_rc(conf_map_mmap_flags(fd, c->len, c->prot, c->flags, c->off),
				      c->len));
}

/* A read-only mapping of @len bytes at @off cannot be made writable
 * (VM_MAYWRITE cleared): "map=ok mprotect=<rc>", or "map=<errno>". */
static inline void conf_mmap_ro_mprotect_rw(int fd, const char *name, size_t len, long off)
{
	void *p = conf_map_mmap(fd, len, PROT_READ, off);

	if (p != MAP_FAILED) {
		int r = mprotect(p, len, PROT_READ | PROT_WRITE) ? -errno : 0;

		CONF_REC(name, "map=ok mprotect=%s", conf_rc(r));
		munmap(p, len);
	} else {
		CONF_REC(name, "map=%s", conf_rc(-(long)errno));
	}
}

/* ---- bpffs ------------------------------------------------------------ */

/*
 * mkdir/rmdir/unlink under /sys/fs/bpf: the real bpffs on the kernel side,
 * bpfemu's emulated one (same paths) otherwise.  0 or -errno.  Pins
 * themselves go through libbpf's bpf_obj_pin/bpf_obj_get on both sides.
 */
#define CONF_BPFFS "/sys/fs/bpf"

static inline int conf_bpffs_mkdir(const char *path)
{
#if defined(CONF_KERNEL)
	return mkdir(path, 0700) ? -errno : 0;
#else
	return bpfemu_bpffs_mkdir(path);
#endif
}

static inline int conf_bpffs_rmdir(const char *path)
{
#if defined(CONF_KERNEL)
	return rmdir(path) ? -errno : 0;
#else
	return bpfemu_bpffs_rmdir(path);
#endif
}

static inline int conf_bpffs_unlink(const char *path)
{
#if defined(CONF_KERNEL)
	return unlink(path) ? -errno : 0;
#else
	return bpfemu_bpffs_unlink(path);
#endif
}

#endif /* CONF_HARNESS_H */
