// SPDX-License-Identifier: MIT
/*
 * Map lookup and update per helper call, ARRAY and HASH at 1K and 1M keys.
 *
 * Four columns, measured in the same run on the same key sequence:
 *   bpfemu  bpf_map_lookup_elem / bpf_map_update_elem as a native BPF
 *           program calls them (<bpf/bpf_helper_defs.h>: ARRAY inline, as
 *           the kernel inlines array lookups, else the helper): through a
 *           bound map definition (what a loaded object's `&map` is), inside
 *           a program run (emu_run), CALLS_PER_RUN calls per run like the
 *           kernel program below;
 *   helper  the same through the exported bpfemu_helper_map_* functions
 *           (what every non-ARRAY call and every error path costs);
 *   raw     the data structure alone doing the same work: a C array index
 *           (update: a store, as the kernel's array update copies in
 *           place), or uthash on a 4-byte key -- HASH_FIND, and for an
 *           update HASH_REPLACE, since a BPF hash update gives the key a new
 *           element and leaves the old one to its readers (the in-place
 *           find + store is printed too, for reference);
 *   kernel  the same program as BPF instructions on this machine's kernel,
 *           BPF_PROG_TEST_RUN with repeat (needs root and a BPF kernel;
 *           skipped otherwise, and with --no-kernel).
 *
 * Keys walk every slot with an odd stride (k = (k + STRIDE) & mask), so the
 * 1M tables are read cache-cold as a busy map would be.  Each lookup reads
 * the value, so a lookup that returned a pointer without touching memory
 * does not look cheap.  Each column is measured several times, in turn,
 * and its best kept (measure()).  Targets (issue 8): no slower than the
 * kernel, and within 1.5x of raw.
 *
 * Usage: bench_map [calls per figure] [--no-kernel] [--quick] [--only NAME]
 * --quick (what the test suite runs): 1K keys only, few calls.
 * --only NAME: one figure pair's map (NAME as in the BENCH lines, e.g.
 * hash_1k_update), for callgrind: instructions per call = the inclusive
 * cost of emu_run / (runs * CALLS_PER_RUN), runs = calls / CALLS_PER_RUN +
 * the warm-up (deferred frees at run exit included; the body alone is
 * body_<op>_<path>); with BENCH_PATH=inline
 * or BENCH_PATH=helper only that column runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <uthash.h>

#include <linux/bpf.h>
#include <bpfemu.h>
#include <bpfemu/helpers.h>
#include <bpf/bpf_helper_defs.h>

#include "map.h"
#include "prog.h"

#define CALLS_PER_RUN	256
#define STRIDE		0x9e3779b1u	/* odd: the walk visits every key */

enum op { OP_LOOKUP, OP_UPDATE };

struct figure {
	uint32_t map_type;
	uint32_t nr_keys;		/* a power of two */
	enum op op;
	double emu_ns, call_ns, raw_ns, kern_ns; /* per call; kern_ns < 0: not run */
	double inplace_ns;		/* HASH update: raw find + store in place */
	double stack_ns;		/* ARRAY update: raw, key and value in memory first */
};

static volatile uint64_t sink;	/* keeps the loads alive */

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_map: %s failed (%d)\n", what, err);
	exit(1);
}

/* ------------------------------------------------------------ bpfemu */

struct emu_work {
	void *def;			/* the bound definition: a program's &map */
	uint32_t mask;
	uint32_t key;
	enum op op;
	bool helper;			/* the exported functions, not the header's */
	uint64_t sum;
};

/*
 * The map definition a native program's `&map` names: a global, so its
 * address is a link-time constant, as in compiled BPF C (and as the
 * kernel program's LD_MAP_FD immediate).  Bound for one bench_emu.
 */
static void *bench_def[4];

/*
 * The body of one program run: what the BPF C would be, helper for helper.
 * One loop per (operation, path), like the kernel program below, so that
 * no per-call dispatch of the bench itself is counted as the helper's.
 * As in that program, the walk lives in a register (r7 there) and each
 * call gets a fresh stack copy of it as its key (r10 - 4): the key's
 * address escapes into the helper, the walk's does not, so the walk's
 * loop-carried chain does not go through memory on either side.
 */
#define BODY(name, CALL)						\
static long name(void *arg)						\
{									\
	struct emu_work *w = arg;					\
	uint32_t walk = w->key, mask = w->mask, i;			\
	uint64_t sum = 0;						\
									\
	for (i = 0; i < CALLS_PER_RUN; i++) {				\
		uint32_t key = walk;					\
		uint64_t val;						\
									\
		CALL;							\
		(void)val;						\
		walk = (walk + STRIDE) & mask;				\
	}								\
	w->key = walk;							\
	w->sum += sum;							\
	return 0;							\
}

#define LOOKUP(fn)	do {						\
		uint64_t *v = fn(&bench_def, &key);			\
									\
		if (v)							\
			sum += *v;					\
	} while (0)
#define UPDATE(fn)	do {						\
		val = key;						\
		sum += (uint64_t)fn(&bench_def, &key, &val, BPF_ANY);	\
	} while (0)

BODY(body_lookup_inline, LOOKUP(bpf_map_lookup_elem))
BODY(body_lookup_helper, LOOKUP(bpfemu_helper_map_lookup_elem))
BODY(body_update_inline, UPDATE(bpf_map_update_elem))
BODY(body_update_helper, UPDATE(bpfemu_helper_map_update_elem))

/* for callgrind: the program bodies all start with body_ */
static long (*prog_body(enum op op, bool helper))(void *)
{
	if (op == OP_LOOKUP)
		return helper ? body_lookup_helper : body_lookup_inline;
	return helper ? body_update_helper : body_update_inline;
}

static struct emu_map *emu_map_new(uint32_t type, uint32_t n)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.key_size = sizeof(uint32_t),
		.value_size = sizeof(uint64_t),
		.max_entries = n,
		.inner_map_fd = -1,
	};
	struct emu_map *map;
	uint64_t val;
	uint32_t k;
	int err = 0;

	strcpy(attr.name, "bench");
	map = emu_map_create(&attr, &err);
	if (!map)
		die("emu_map_create", err);
	emu_map_get_uref(map);
	emu_map_put(map);
	/* Fill every key from user space, as a loader would. */
	for (k = 0; k < n; k++) {
		val = k;
		err = map->ops->update_sys(map, &k, &val, BPF_ANY);
		if (err)
			die("populating the map", err);
	}
	return map;
}

static double bench_emu(struct emu_map *map, uint32_t n, enum op op, bool helper, uint64_t calls)
{
	struct emu_work w = { .def = bench_def, .mask = n - 1, .op = op, .helper = helper };
	long (*body)(void *) = prog_body(op, helper);
	struct emu_prog *prog;
	uint64_t runs = calls / CALLS_PER_RUN, r, t0, t1;
	long ret;

	prog = emu_prog_new_bare("bench_map", BPF_PROG_TYPE_XDP);
	if (!prog)
		die("emu_prog_new_bare", -ENOMEM);
	emu_map_bind_def(bench_def, sizeof(bench_def), map);
	/* warm-up: one pass over the keys (bounded) */
	for (r = 0; r < n / CALLS_PER_RUN + 1 && r < runs; r++)
		emu_run(prog, EMU_ENTRY_PROG, body, &w, &ret);
	t0 = wall_ns();
	for (r = 0; r < runs; r++) {
		if (emu_run(prog, EMU_ENTRY_PROG, body, &w, &ret))
			die("emu_run", -EINVAL);
	}
	t1 = wall_ns();
	sink += w.sum;
	emu_map_unbind_def(bench_def);
	emu_prog_put(prog);
	return (double)(t1 - t0) / (double)(runs * CALLS_PER_RUN);
}

/* ------------------------------------------------------------ raw */

struct raw_elem {
	uint32_t key;
	uint64_t val;
	UT_hash_handle hh;
};

/*
 * @stack (updates only, for reference): each store is preceded by the two
 * stores a BPF program must make before any helper call, its key and its
 * value on the stack (volatile, so that they stay stores), to show what the
 * calling convention costs by itself.
 */
static double bench_raw_array(uint32_t n, enum op op, bool stack, uint64_t calls)
{
	uint64_t *arr = calloc(n, sizeof(*arr));
	uint32_t mask = n - 1, key = 0;
	uint64_t i, sum = 0, t0, t1;

	if (!arr)
		die("calloc", -ENOMEM);
	for (i = 0; i < n; i++)
		arr[i] = i;
	t0 = wall_ns();
	for (i = 0; i < calls; i++) {
		if (op == OP_LOOKUP) {
			sum += arr[key];
		} else if (stack) {
			volatile uint32_t stack_key = key;
			volatile uint64_t stack_val = key;

			(void)stack_key;
			(void)stack_val;
			arr[key] = key;
		} else {
			uint64_t val = key;

			memcpy(&arr[key], &val, sizeof(val));
		}
		key = (key + STRIDE) & mask;
	}
	t1 = wall_ns();
	sink += sum + arr[key];
	free(arr);
	return (double)(t1 - t0) / (double)calls;
}

/*
 * uthash, the same work as the map operation: a lookup is HASH_FIND; an
 * update is HASH_REPLACE with a spare element, as a BPF hash update is a
 * replace (a new element takes the key, the old one stays intact for
 * whoever holds it; htab_map_update_elem), the replaced element becoming
 * the next spare.  @inplace: the update as find + store in the found
 * element instead, which the kernel does not do (printed for reference).
 */
static double bench_raw_uthash(uint32_t n, enum op op, bool inplace, uint64_t calls)
{
	struct raw_elem *head = NULL, *elems, *e, *spare, *old;
	uint32_t mask = n - 1, key = 0, k;
	uint64_t i, sum = 0, t0, t1;

	elems = calloc(n + 1, sizeof(*elems));
	if (!elems)
		die("calloc", -ENOMEM);
	for (k = 0; k < n; k++) {
		elems[k].key = k;
		elems[k].val = k;
		HASH_ADD(hh, head, key, sizeof(uint32_t), &elems[k]);
	}
	spare = &elems[n];
	t0 = wall_ns();
	for (i = 0; i < calls; i++) {
		if (op == OP_LOOKUP) {
			HASH_FIND(hh, head, &key, sizeof(uint32_t), e);
			if (e)
				sum += e->val;
		} else if (inplace) {
			HASH_FIND(hh, head, &key, sizeof(uint32_t), e);
			if (e)
				e->val = key;
		} else {
			spare->key = key;
			spare->val = key;
			HASH_REPLACE(hh, head, key, sizeof(uint32_t), spare, old);
			spare = old;
		}
		key = (key + STRIDE) & mask;
	}
	t1 = wall_ns();
	sink += sum;
	HASH_CLEAR(hh, head);
	free(elems);
	return (double)(t1 - t0) / (double)calls;
}

/* ------------------------------------------------------------ kernel */

#if defined(__linux__) && defined(__NR_bpf)

/*
 * bpf(2) attribute blocks, laid out as the kernel's union bpf_attr for the
 * four commands used here (bpfemu's <linux/bpf.h> has no union bpf_attr:
 * nothing in the emulator makes the syscall).
 */
struct k_map_create {
	uint32_t map_type, key_size, value_size, max_entries, map_flags;
};

struct k_map_elem {
	uint32_t map_fd, pad;
	uint64_t key, value, flags;
};

struct k_prog_load {
	uint32_t prog_type, insn_cnt;
	uint64_t insns, license;
	uint32_t log_level, log_size;
	uint64_t log_buf;
};

struct k_test_run {
	uint32_t prog_fd, retval, data_size_in, data_size_out;
	uint64_t data_in, data_out;
	uint32_t repeat, duration;
};

static long sys_bpf(int cmd, void *attr, size_t size)
{
	/* The kernel reads (and checks as zero) up to its own attr size. */
	unsigned char buf[160];
	long ret;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, attr, size);
	ret = syscall(__NR_bpf, cmd, buf, sizeof(buf));
	/* BPF_PROG_TEST_RUN writes retval and duration back */
	memcpy(attr, buf, size);
	return ret;
}

/* Instruction encoders (the eBPF ISA, Documentation/bpf/standardization). */
#define I_ALU64_IMM(op, dst, imm)	{ 0x07 | (op), (dst), 0, 0, (imm) }
#define I_ALU64_REG(op, dst, src)	{ 0x0f | (op), (dst), (src), 0, 0 }
#define I_MOV64_IMM(dst, imm)		I_ALU64_IMM(0xb0, dst, imm)
#define I_MOV64_REG(dst, src)		I_ALU64_REG(0xb0, dst, src)
#define I_ADD64_IMM(dst, imm)		I_ALU64_IMM(0x00, dst, imm)
#define I_ADD64_REG(dst, src)		I_ALU64_REG(0x00, dst, src)
#define I_SUB64_IMM(dst, imm)		I_ALU64_IMM(0x10, dst, imm)
#define I_AND64_IMM(dst, imm)		I_ALU64_IMM(0x50, dst, imm)
#define I_STX_W(dst, src, off)		{ 0x63, (dst), (src), (off), 0 }
#define I_STX_DW(dst, src, off)		{ 0x7b, (dst), (src), (off), 0 }
#define I_LDX_DW(dst, src, off)		{ 0x79, (dst), (src), (off), 0 }
#define I_LD_MAP_FD(dst, fd)		{ 0x18, (dst), 1 /* BPF_PSEUDO_MAP_FD */, 0, (fd) }, \
					{ 0, 0, 0, 0, 0 }
#define I_JEQ_IMM(dst, imm, off)	{ 0x15, (dst), 0, (off), (imm) }
#define I_JNE_IMM(dst, imm, off)	{ 0x55, (dst), 0, (off), (imm) }
#define I_CALL(fn)			{ 0x85, 0, 0, 0, (fn) }
#define I_EXIT()			{ 0x95, 0, 0, 0, 0 }

/*
 * XDP program: start at a random key, then CALLS_PER_RUN lookups (reading
 * the value) or updates on the stride walk; return XDP_PASS.
 */
static int kern_prog_load(int map_fd, uint32_t mask, enum op op)
{
	struct bpf_insn lookup[] = {
		I_MOV64_IMM(9, 0),
		I_CALL(BPF_FUNC_get_prandom_u32),
		I_MOV64_REG(7, 0),
		I_AND64_IMM(7, (int32_t)mask),
		I_MOV64_IMM(8, CALLS_PER_RUN),
		/* loop: */
		I_STX_W(10, 7, -4),
		I_LD_MAP_FD(1, map_fd),
		I_MOV64_REG(2, 10),
		I_ADD64_IMM(2, -4),
		I_CALL(BPF_FUNC_map_lookup_elem),
		I_JEQ_IMM(0, 0, 2),
		I_LDX_DW(1, 0, 0),
		I_ADD64_REG(9, 1),
		I_ADD64_IMM(7, (int32_t)STRIDE),
		I_AND64_IMM(7, (int32_t)mask),
		I_SUB64_IMM(8, 1),
		I_JNE_IMM(8, 0, -13),
		I_MOV64_IMM(0, 2 /* XDP_PASS */),
		I_EXIT(),
	};
	struct bpf_insn update[] = {
		I_CALL(BPF_FUNC_get_prandom_u32),
		I_MOV64_REG(7, 0),
		I_AND64_IMM(7, (int32_t)mask),
		I_MOV64_IMM(8, CALLS_PER_RUN),
		/* loop: */
		I_STX_W(10, 7, -4),
		I_STX_DW(10, 7, -16),
		I_LD_MAP_FD(1, map_fd),
		I_MOV64_REG(2, 10),
		I_ADD64_IMM(2, -4),
		I_MOV64_REG(3, 10),
		I_ADD64_IMM(3, -16),
		I_MOV64_IMM(4, BPF_ANY),
		I_CALL(BPF_FUNC_map_update_elem),
		I_ADD64_IMM(7, (int32_t)STRIDE),
		I_AND64_IMM(7, (int32_t)mask),
		I_SUB64_IMM(8, 1),
		I_JNE_IMM(8, 0, -14),
		I_MOV64_IMM(0, 2 /* XDP_PASS */),
		I_EXIT(),
	};
	static char log[1 << 20];
	struct k_prog_load a = {
		.prog_type = BPF_PROG_TYPE_XDP,
		.license = (uintptr_t)"GPL",
	};
	long fd;

	if (op == OP_LOOKUP) {
		a.insns = (uintptr_t)lookup;
		a.insn_cnt = sizeof(lookup) / sizeof(lookup[0]);
	} else {
		a.insns = (uintptr_t)update;
		a.insn_cnt = sizeof(update) / sizeof(update[0]);
	}
	fd = sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0 && getenv("BENCH_VERBOSE")) {
		int err = errno;

		/* again with the verifier's log, only to say why */
		a.log_level = 1;
		a.log_size = sizeof(log);
		a.log_buf = (uintptr_t)log;
		log[0] = 0;
		sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		fprintf(stderr, "bench_map: kernel rejected the program: %s\n%.2000s\n",
			strerror(err), log);
	}
	return (int)fd;
}

static int kern_map_new(uint32_t type, uint32_t n)
{
	struct k_map_create c = {
		.map_type = type,
		.key_size = sizeof(uint32_t),
		.value_size = sizeof(uint64_t),
		.max_entries = n,
	};
	struct k_map_elem u = { 0 };
	uint64_t val;
	uint32_t k;
	int fd;

	fd = (int)sys_bpf(BPF_MAP_CREATE, &c, sizeof(c));
	if (fd < 0)
		return -errno;
	u.map_fd = (uint32_t)fd;
	u.key = (uintptr_t)&k;
	u.value = (uintptr_t)&val;
	for (k = 0; k < n; k++) {
		val = k;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &u, sizeof(u)) < 0) {
			close(fd);
			return -errno;
		}
	}
	return fd;
}

/* Per-call ns on the kernel, or -1 when the kernel cannot run it. */
static double bench_kernel(int map_fd, uint32_t n, enum op op, uint64_t calls)
{
	unsigned char pkt[64] = { 0 };
	struct k_test_run t = {
		.data_size_in = sizeof(pkt),
		.data_in = (uintptr_t)pkt,
	};
	uint64_t runs = calls / CALLS_PER_RUN;
	int prog_fd;

	if (map_fd < 0)
		return -1;
	prog_fd = kern_prog_load(map_fd, n - 1, op);
	if (prog_fd < 0)
		return -1;
	t.prog_fd = (uint32_t)prog_fd;
	/* warm-up, then the measured repeat */
	t.repeat = 64;
	sys_bpf(BPF_PROG_TEST_RUN, &t, sizeof(t));
	t.repeat = (uint32_t)runs;
	t.duration = 0;
	if (sys_bpf(BPF_PROG_TEST_RUN, &t, sizeof(t)) < 0 || t.retval != 2) {
		close(prog_fd);
		return -1;
	}
	close(prog_fd);
	/* duration is the mean ns per run, each run CALLS_PER_RUN calls */
	return (double)t.duration / CALLS_PER_RUN;
}

#else /* no bpf(2) on this host */

static int kern_map_new(uint32_t type, uint32_t n)
{
	(void)type;
	(void)n;
	return -ENOSYS;
}

static double bench_kernel(int map_fd, uint32_t n, enum op op, uint64_t calls)
{
	(void)map_fd;
	(void)n;
	(void)op;
	(void)calls;
	return -1;
}

#endif

/* ------------------------------------------------------------ main */

static const char *type_name(uint32_t t)
{
	return t == BPF_MAP_TYPE_ARRAY ? "ARRAY" : "HASH";
}

/* "array_1k", "hash_1m": the BENCH lines' prefix of a figure */
static const char *fig_name(const struct figure *f)
{
	static char name[16];

	snprintf(name, sizeof(name), "%s_%s", f->map_type == BPF_MAP_TYPE_ARRAY ? "array" : "hash",
		 f->nr_keys == 1u << 10 ? "1k" : "1m");
	return name;
}

static void print_ratio(double a, double b)
{
	if (a > 0 && b > 0)
		printf(" %7.2fx", a / b);
	else
		printf(" %8s", "-");
}

/* The smaller of a best-so-far and a new figure (< 0: none yet). */
static double best(double so_far, double ns)
{
	return so_far < 0 || (ns >= 0 && ns < so_far) ? ns : so_far;
}

/*
 * Every column of @f, @reps times in turn, each column's best kept: on a
 * shared machine a figure can only be slowed down by what else runs, so
 * the minimum is the closest to the cost itself, and taking the columns in
 * turn exposes them all to the same disturbances.
 */
static void measure(struct figure *f, struct emu_map *map, int kfd, const char *path, int reps,
		    uint64_t calls)
{
	bool array = f->map_type == BPF_MAP_TYPE_ARRAY;
	int r;

	f->emu_ns = path && strcmp(path, "inline") ? -2 : -1;
	f->call_ns = f->raw_ns = f->kern_ns = f->inplace_ns = f->stack_ns = -1;
	for (r = 0; r < reps; r++) {
		if (!path || !strcmp(path, "inline"))
			f->emu_ns = best(f->emu_ns, bench_emu(map, f->nr_keys, f->op, false, calls));
		if (!path || !strcmp(path, "helper"))
			f->call_ns = best(f->call_ns, bench_emu(map, f->nr_keys, f->op, true, calls));
		f->raw_ns = best(f->raw_ns, array ? bench_raw_array(f->nr_keys, f->op, false, calls) :
				 bench_raw_uthash(f->nr_keys, f->op, false, calls));
		if (array && f->op == OP_UPDATE)
			f->stack_ns = best(f->stack_ns,
					   bench_raw_array(f->nr_keys, f->op, true, calls));
		if (!array && f->op == OP_UPDATE)
			f->inplace_ns = best(f->inplace_ns,
					     bench_raw_uthash(f->nr_keys, f->op, true, calls));
		f->kern_ns = best(f->kern_ns, bench_kernel(kfd, f->nr_keys, f->op, calls));
	}
}

int main(int argc, char **argv)
{
	struct figure figs[] = {
		{ .map_type = BPF_MAP_TYPE_ARRAY, .nr_keys = 1u << 10, .op = OP_LOOKUP },
		{ .map_type = BPF_MAP_TYPE_ARRAY, .nr_keys = 1u << 10, .op = OP_UPDATE },
		{ .map_type = BPF_MAP_TYPE_ARRAY, .nr_keys = 1u << 20, .op = OP_LOOKUP },
		{ .map_type = BPF_MAP_TYPE_ARRAY, .nr_keys = 1u << 20, .op = OP_UPDATE },
		{ .map_type = BPF_MAP_TYPE_HASH, .nr_keys = 1u << 10, .op = OP_LOOKUP },
		{ .map_type = BPF_MAP_TYPE_HASH, .nr_keys = 1u << 10, .op = OP_UPDATE },
		{ .map_type = BPF_MAP_TYPE_HASH, .nr_keys = 1u << 20, .op = OP_LOOKUP },
		{ .map_type = BPF_MAP_TYPE_HASH, .nr_keys = 1u << 20, .op = OP_UPDATE },
	};
	uint64_t calls = 2000000;
	int reps = 5;
	bool kernel = true, any_kernel = false, quick = false;
	const char *only = NULL, *path = getenv("BENCH_PATH");
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--no-kernel"))
			kernel = false;
		else if (!strcmp(argv[a], "--quick"))
			quick = true;
		else if (!strcmp(argv[a], "--only") && a + 1 < argc)
			only = argv[++a];
		else
			calls = strtoull(argv[a], NULL, 0);
	}
	if (quick) {
		calls = 20000;
		reps = 1;
	}
	if (calls < CALLS_PER_RUN)
		calls = CALLS_PER_RUN;
	bpfemu_diag_set_echo(false);

	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i += 2) {
		struct figure *f = &figs[i];
		struct emu_map *map;
		int kfd, j;

		if ((quick && f->nr_keys > 1u << 10) ||
		    (only && strncmp(only, fig_name(f), strlen(fig_name(f))))) {
			f[0].emu_ns = f[1].emu_ns = -1;
			continue;
		}
		map = emu_map_new(f->map_type, f->nr_keys);
		kfd = kernel ? kern_map_new(f->map_type, f->nr_keys) : -ENOSYS;

		/* lookup then update on the same maps */
		for (j = 0; j < 2; j++) {
			const char *op = f[j].op == OP_LOOKUP ? "lookup" : "update";

			if (only && strlen(only) > strlen(fig_name(f)) &&
			    strcmp(only + strlen(fig_name(f)) + 1, op)) {
				f[j].emu_ns = -1;
				continue;
			}
			measure(&f[j], map, kfd, path, reps, calls);
			if (f[j].kern_ns > 0)
				any_kernel = true;
		}
		if (kfd >= 0)
			close(kfd);
		emu_map_put_uref(map);
		bpfemu_reset();
	}

	printf("%-6s %5s %-7s %10s %10s %10s %10s %8s %8s\n", "map", "keys", "op",
	       "bpfemu", "helper", "raw", "kernel", "emu/raw", "emu/kern");
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		struct figure *f = &figs[i];

		if (f->emu_ns == -1)
			continue;
		printf("%-6s %5s %-7s %7.1f ns %7.1f ns %7.1f ns", type_name(f->map_type),
		       f->nr_keys == 1u << 10 ? "1K" : "1M",
		       f->op == OP_LOOKUP ? "lookup" : "update", f->emu_ns, f->call_ns, f->raw_ns);
		if (f->kern_ns > 0)
			printf(" %7.1f ns", f->kern_ns);
		else
			printf(" %10s", "-");
		print_ratio(f->emu_ns, f->raw_ns);
		print_ratio(f->emu_ns, f->kern_ns);
		printf("\n");
	}
	/* bench/run.sh collects these into its table */
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		struct figure *f = &figs[i];
		char name[32];

		if (f->emu_ns == -1)
			continue;
		snprintf(name, sizeof(name), "%s_%s_%s",
			 f->map_type == BPF_MAP_TYPE_ARRAY ? "array" : "hash",
			 f->nr_keys == 1u << 10 ? "1k" : "1m",
			 f->op == OP_LOOKUP ? "lookup" : "update");
		if (f->emu_ns > 0)
			printf("BENCH %s %.1f ns\n", name, f->emu_ns);
		if (f->call_ns > 0)
			printf("BENCH %s_helper %.1f ns\n", name, f->call_ns);
		printf("BENCH %s_raw %.1f ns\n", name, f->raw_ns);
		if (f->inplace_ns > 0)
			printf("BENCH %s_raw_inplace %.1f ns\n", name, f->inplace_ns);
		if (f->stack_ns > 0)
			printf("BENCH %s_raw_stack %.1f ns\n", name, f->stack_ns);
		if (f->kern_ns > 0)
			printf("BENCH %s_kernel %.1f ns\n", name, f->kern_ns);
	}
	printf("bpfemu = <bpf/bpf_helper_defs.h> (ARRAY inline); helper = bpfemu_helper_map_*\n");
	printf("raw = C array index / uthash HASH_FIND, HASH_REPLACE for a HASH update; "
	       "%d calls per program run; best of %d\n", CALLS_PER_RUN, reps);
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		if (figs[i].inplace_ns > 0 && figs[i].emu_ns != -1)
			printf("  HASH %s update, raw find + store in place (not the kernel's replace): "
			       "%.1f ns\n", figs[i].nr_keys == 1u << 10 ? "1K" : "1M",
			       figs[i].inplace_ns);
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		if (figs[i].stack_ns > 0 && figs[i].emu_ns != -1)
			printf("  ARRAY %s update, raw store after storing key and value in memory "
			       "(what a program does before any call): %.1f ns\n",
			       figs[i].nr_keys == 1u << 10 ? "1K" : "1M", figs[i].stack_ns);
	if (!any_kernel)
		printf("kernel: not measured (needs root and bpf(2); BENCH_VERBOSE=1 says why)\n");
	printf("targets: emu/raw <= 1.5x, emu/kern <= 1.0x\n");
	if (bpfemu_live_objects())
		fprintf(stderr, "bench_map: %ld objects leaked\n", bpfemu_live_objects());
	return 0;
}
