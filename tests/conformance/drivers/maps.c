// SPDX-License-Identifier: MIT
/*
 * Conformance driver for generic maps (shared/spec/maps.md §2-§5, §11):
 * the update/delete/lookup errno matrix from programs and from user space
 * for ARRAY, HASH, LRU_HASH, PERCPU_ARRAY, PERCPU_HASH, spin-lock values and
 * NO_PREALLOC hashes; get_next_key; lookup_and_delete; for_each; full maps;
 * map creation errors; the four batch commands (§5).
 *
 * Per-CPU values: user space writes its value into CPU 0's copy only and
 * reads back the largest copy, so records do not depend on how many CPUs
 * the machine has or on which CPU a test run executed.
 */
#define CONF_FAMILY "maps"
#include "harness.h"
#include "maps.h"
#include "maps.skel.h"

struct lval {
	uint32_t lock, pad;
	uint64_t v;
};

static struct maps *sk;
static int ncpus;

static const char *mname[MM_NMAPS] = {
	"array", "hash", "lru", "percpu_array", "percpu_hash",
	"lock_hash", "lock_array", "nopre_hash",
};

static int is_array(int m) { return m == MM_ARR || m == MM_PCA || m == MM_LKA; }
static int is_percpu(int m) { return m == MM_PCA || m == MM_PCH; }
static int is_lock(int m) { return m == MM_LKH || m == MM_LKA; }
static uint32_t max_entries(int m) { return is_array(m) ? 8 : 4; }

static int ufd(int m)
{
	struct bpf_map *maps[MM_NMAPS] = {
		sk->maps.arr, sk->maps.hsh, sk->maps.lru, sk->maps.pca,
		sk->maps.pch, sk->maps.lkh, sk->maps.lka, sk->maps.nph,
	};
	return bpf_map__fd(maps[m]);
}

static const char *vstr(long long v)
{
	static char b[4][32];
	static int i;

	if (v == MR_NONE)
		return "none";
	if (v == MR_BADOP)
		return "badop";
	if (v < 0)
		return conf_rc(v);
	snprintf(b[i % 4], 32, "%lld", v);
	return b[i++ % 4];
}

static long long rq(int m, int op, uint32_t key, uint64_t a0, uint64_t a1)
{
	sk->bss->req_map = m;
	sk->bss->req_op = op;
	sk->bss->req_key = key;
	sk->bss->req_arg0 = a0;
	sk->bss->req_arg1 = a1;
	sk->bss->res = -999999;
	if (conf_run(sk->progs.run) == INT32_MIN)
		return -999999;
	return sk->bss->res;
}

/* user-space value buffer for map @m holding @v (CPU 0 only if per-CPU) */
static void *ubuf(int m, uint64_t v)
{
	static uint64_t buf[1024];

	memset(buf, 0, sizeof(buf));
	if (is_lock(m))
		((struct lval *)buf)->v = v;
	else
		buf[0] = v;
	return buf;
}

static uint64_t uget(int m, const void *p)
{
	const uint64_t *b = p;
	uint64_t mx = 0;

	if (is_lock(m))
		return ((const struct lval *)p)->v;
	if (!is_percpu(m))
		return b[0];
	for (int c = 0; c < ncpus; c++)
		if (b[c] > mx)
			mx = b[c];
	return mx;
}

static long uupdate(int m, uint32_t key, uint64_t v, uint64_t flags)
{
	return bpf_map_update_elem(ufd(m), &key, ubuf(m, v), flags) ? -errno : 0;
}

static long udelete(int m, uint32_t key)
{
	return bpf_map_delete_elem(ufd(m), &key) ? -errno : 0;
}

/* user lookup: value or MR_NONE-style error */
static long long ulookup_flags(int m, uint32_t key, uint64_t flags)
{
	void *b = ubuf(m, 0);

	if (bpf_map_lookup_elem_flags(ufd(m), &key, b, flags))
		return -errno;
	return (long long)uget(m, b);
}

static long long ulookup(int m, uint32_t key)
{
	long long r = ulookup_flags(m, key, 0);

	return r < 0 ? MR_NONE : r;
}

/* arrays: every element back to 0; hashes: every key deleted */
static void clear(int m)
{
	uint32_t k;

	if (is_array(m)) {
		for (k = 0; k < max_entries(m); k++)
			uupdate(m, k, 0, BPF_ANY);
		return;
	}
	while (!bpf_map_get_next_key(ufd(m), NULL, &k))
		if (udelete(m, k))
			break;
}

/* §2.2, §3.2, §3.3: update flags x present/absent, from prog and user */
static void case_update_matrix(void)
{
	static const uint64_t flags[] = {
		BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3, BPF_F_LOCK,
		BPF_F_LOCK | BPF_NOEXIST, BPF_F_LOCK | BPF_EXIST, 8, 1ull << 32,
	};
	char name[96];

	for (int side = 0; side < 2; side++)
	for (int m = 0; m < MM_NMAPS; m++)
	for (int present = 1; present >= 0; present--)
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		/* absent: a missing hash key, or an array index past the end */
		uint32_t key = (!present && is_array(m)) ? 8 : 1;
		long long r;

		clear(m);
		if (present)
			uupdate(m, key, 11, BPF_ANY);
		if (side == 0)
			r = rq(m, MO_UPDATE, key, 22, flags[i]);
		else
			r = uupdate(m, key, 22, flags[i]);
		snprintf(name, sizeof(name), "%s_update_%s_%s_flags_0x%llx",
			 side ? "user" : "prog", mname[m],
			 present ? "present" : "absent",
			 (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s after=%s", vstr(r), vstr(ulookup(m, key)));
	}
}

static void case_delete_lookup(void)
{
	char name[96];

	for (int m = 0; m < MM_NMAPS; m++) {
		long long pd, ud, pl, ul, pn, un, po, uo;

		/* present */
		clear(m);
		uupdate(m, 1, 11, BPF_ANY);
		pl = rq(m, MO_LOOKUP, 1, 0, 0);
		/* per-CPU: the test run's CPU copy is 0 or 11 depending on
		 * where it ran; only "found" is portable */
		if (is_percpu(m) && pl >= 0)
			pl = 1;
		ul = ulookup_flags(m, 1, 0);
		pd = rq(m, MO_DELETE, 1, 0, 0);
		po = ulookup(m, 1);
		uupdate(m, 1, 11, BPF_ANY);
		ud = udelete(m, 1);
		uo = ulookup(m, 1);
		snprintf(name, sizeof(name), "delete_present_%s", mname[m]);
		CONF_REC(name, "prog_lookup=%s user_lookup=%s prog_delete=%s after=%s user_delete=%s after=%s",
			 vstr(pl), vstr(ul), vstr(pd), vstr(po), vstr(ud), vstr(uo));
		/* absent / out of range */
		uint32_t key = is_array(m) ? 8 : 2;

		clear(m);
		pn = rq(m, MO_LOOKUP, key, 0, 0);
		un = ulookup_flags(m, key, 0);
		pd = rq(m, MO_DELETE, key, 0, 0);
		ud = udelete(m, key);
		snprintf(name, sizeof(name), "delete_absent_%s", mname[m]);
		CONF_REC(name, "prog_lookup=%s user_lookup=%s prog_delete=%s user_delete=%s",
			 vstr(pn), vstr(un), vstr(pd), vstr(ud));
	}
}

static void case_user_lookup_flags(void)
{
	static const uint64_t flags[] = { BPF_F_LOCK, 1, 2, 8 };
	char name[96];

	for (int m = 0; m < MM_NMAPS; m++) {
		clear(m);
		uupdate(m, 1, 11, BPF_ANY);
		for (size_t i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "user_lookup_%s_flags_0x%llx",
				 mname[m], (unsigned long long)flags[i]);
			CONF_REC(name, "ret=%s", vstr(ulookup_flags(m, 1, flags[i])));
		}
	}
}

static void case_lookup_and_delete(void)
{
	char name[96];

	for (int m = 0; m < MM_NMAPS; m++) {
		void *b;
		long r1, r2, r3;
		uint32_t key = 1, miss = is_array(m) ? 8 : 2;
		long long v = MR_NONE;

		clear(m);
		uupdate(m, key, 11, BPF_ANY);
		b = ubuf(m, 0);
		r1 = bpf_map_lookup_and_delete_elem(ufd(m), &key, b) ? -errno : 0;
		if (!r1)
			v = (long long)uget(m, b);
		long long after = ulookup(m, key);
		r2 = bpf_map_lookup_and_delete_elem(ufd(m), &miss, ubuf(m, 0)) ? -errno : 0;
		uupdate(m, key, 11, BPF_ANY);
		r3 = bpf_map_lookup_and_delete_elem_flags(ufd(m), &key, ubuf(m, 0),
							  BPF_F_LOCK) ? -errno : 0;
		snprintf(name, sizeof(name), "lookup_and_delete_%s", mname[m]);
		CONF_REC(name, "present=%s value=%s after=%s absent=%s flock=%s",
			 conf_rc(r1), vstr(v), vstr(after), conf_rc(r2), conf_rc(r3));
	}
}

static void case_get_next_key(void)
{
	char name[96];
	uint32_t next;
	long r;

	for (int m = 0; m < MM_NMAPS; m++) {
		if (!is_array(m))
			continue;
		static const int64_t keys[] = { -1, 0, 3, 6, 7, 8, 100 };

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			uint32_t k = (uint32_t)keys[i];

			next = 12345;
			r = bpf_map_get_next_key(ufd(m), keys[i] < 0 ? NULL : &k,
						 &next) ? -errno : 0;
			if (keys[i] < 0)
				snprintf(name, sizeof(name), "get_next_key_%s_null", mname[m]);
			else
				snprintf(name, sizeof(name), "get_next_key_%s_%lld",
					 mname[m], (long long)keys[i]);
			CONF_REC(name, "ret=%s next=%s", conf_rc(r),
				 r ? "-" : vstr(next));
		}
	}
	for (int m = 0; m < MM_NMAPS; m++) {
		if (is_array(m))
			continue;
		uint32_t k, seen = 0, steps = 0;

		clear(m);
		r = bpf_map_get_next_key(ufd(m), NULL, &next) ? -errno : 0;
		snprintf(name, sizeof(name), "get_next_key_%s_empty", mname[m]);
		CONF_REC(name, "ret=%s", conf_rc(r));
		for (k = 1; k <= 3; k++)
			uupdate(m, k * 10, k, BPF_ANY);
		/* walk: every key once, then -ENOENT */
		long end = 0;
		void *prev = NULL;
		while (steps < 10) {
			if (bpf_map_get_next_key(ufd(m), prev, &next)) {
				end = -errno;
				break;
			}
			steps++;
			if (next == 10 || next == 20 || next == 30)
				seen |= 1u << (next / 10);
			k = next;
			prev = &k;
		}
		snprintf(name, sizeof(name), "get_next_key_%s_walk3", mname[m]);
		CONF_REC(name, "steps=%u all_seen=%d end=%s", steps, seen == 0xe,
			 conf_rc(end));
		k = 999;
		r = bpf_map_get_next_key(ufd(m), &k, &next) ? -errno : 0;
		snprintf(name, sizeof(name), "get_next_key_%s_unknown_key", mname[m]);
		CONF_REC(name, "ret=%s next_is_member=%d", conf_rc(r),
			 !r && (next == 10 || next == 20 || next == 30));
	}
}

static void case_for_each(void)
{
	char name[96];

	for (int m = 0; m < MM_NMAPS; m++) {
		long long all, one, two, bad;

		clear(m);
		if (!is_array(m))
			for (uint32_t k = 1; k <= 3; k++)
				uupdate(m, k, k, BPF_ANY);
		all = rq(m, MO_FOREACH, 0, 100, 0);
		int ordered = 1;
		for (uint32_t i = 0; is_array(m) && i < 8; i++)
			ordered &= sk->bss->visited[i] == i;
		one = rq(m, MO_FOREACH, 0, 1, 0);
		two = rq(m, MO_FOREACH, 0, 2, 0);
		bad = rq(m, MO_FOREACH, 0, 100, 1);
		snprintf(name, sizeof(name), "for_each_%s", mname[m]);
		CONF_REC(name, "all=%s index_order=%d stop_at_first=%s stop_at_second=%s flags1=%s",
			 vstr(all), ordered, vstr(one), vstr(two), vstr(bad));
		clear(m);
		snprintf(name, sizeof(name), "for_each_%s_cleared", mname[m]);
		CONF_REC(name, "count=%s", vstr(rq(m, MO_FOREACH, 0, 100, 0)));
	}
}

/* full hash: -E2BIG for a new key, replacing still works; LRU evicts */
static void case_full(void)
{
	char name[96];

	for (int m = 0; m < MM_NMAPS; m++) {
		long long pn, un, pnx, pr, ur, cnt;

		if (is_array(m))
			continue;
		clear(m);
		for (uint32_t k = 1; k <= max_entries(m); k++)
			uupdate(m, k, k, BPF_ANY);
		pn = rq(m, MO_UPDATE, 100, 7, BPF_ANY);
		un = uupdate(m, 101, 7, BPF_ANY);
		pnx = rq(m, MO_UPDATE, 102, 7, BPF_NOEXIST);
		/* LRU: which keys were evicted is not specified (§3.3) */
		pr = m == MM_LRU ? 0 : rq(m, MO_UPDATE, 1, 7, BPF_EXIST);
		ur = m == MM_LRU ? 0 : uupdate(m, 2, 8, BPF_ANY);
		cnt = rq(m, MO_FOREACH, 0, 100, 0);
		snprintf(name, sizeof(name), "full_%s", mname[m]);
		CONF_REC(name, "prog_new=%s user_new=%s prog_new_noexist=%s prog_replace=%s "
			 "user_replace=%s count_le_max=%d", vstr(pn), vstr(un), vstr(pnx),
			 vstr(pr), vstr(ur), cnt >= 0 && cnt <= max_entries(m));
	}
}

/* §2.1, §3.1, §5.1: BPF_MAP_CREATE errors */
static void case_create(void)
{
	static const struct {
		const char *name;
		int type;
		uint32_t key, value, max, flags;
	} cs[] = {
		{ "array_ok", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0 },
		{ "array_key8", BPF_MAP_TYPE_ARRAY, 8, 8, 4, 0 },
		{ "array_key0", BPF_MAP_TYPE_ARRAY, 0, 8, 4, 0 },
		{ "array_value0", BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0 },
		{ "array_max0", BPF_MAP_TYPE_ARRAY, 4, 8, 0, 0 },
		{ "array_no_prealloc", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_NO_PREALLOC },
		{ "array_mmapable", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE },
		{ "array_rdonly_wronly", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY },
		{ "array_rdonly_prog_wronly_prog", BPF_MAP_TYPE_ARRAY, 4, 8, 4,
		  BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG },
		{ "array_preserve_elems", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_PRESERVE_ELEMS },
		{ "array_zero_seed", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_ZERO_SEED },
		{ "percpu_array_ok", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0 },
		{ "percpu_array_key8", BPF_MAP_TYPE_PERCPU_ARRAY, 8, 8, 4, 0 },
		{ "percpu_array_value_40k", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 40000, 4, 0 },
		{ "hash_ok", BPF_MAP_TYPE_HASH, 4, 8, 4, 0 },
		{ "hash_key0", BPF_MAP_TYPE_HASH, 0, 8, 4, 0 },
		{ "hash_value0", BPF_MAP_TYPE_HASH, 4, 0, 4, 0 },
		{ "hash_max0", BPF_MAP_TYPE_HASH, 4, 8, 0, 0 },
		{ "hash_key_value_odd", BPF_MAP_TYPE_HASH, 3, 5, 4, 0 },
		{ "hash_no_prealloc", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC },
		{ "hash_no_common_lru", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_COMMON_LRU },
		{ "hash_zero_seed", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_ZERO_SEED },
		{ "hash_mmapable", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_MMAPABLE },
		{ "hash_rdonly_prog_wronly_prog", BPF_MAP_TYPE_HASH, 4, 8, 4,
		  BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG },
		{ "hash_flag_bit31", BPF_MAP_TYPE_HASH, 4, 8, 4, 1u << 31 },
		{ "percpu_hash_ok", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0 },
		{ "percpu_hash_value_40k", BPF_MAP_TYPE_PERCPU_HASH, 4, 40000, 4, 0 },
		{ "lru_ok", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0 },
		{ "lru_no_prealloc", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, BPF_F_NO_PREALLOC },
		{ "lru_no_common_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, BPF_F_NO_COMMON_LRU },
		{ "lru_key0", BPF_MAP_TYPE_LRU_HASH, 0, 8, 4, 0 },
		{ "lru_percpu_ok", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4, 0 },
		{ "unknown_type_999", 999, 4, 8, 4, 0 },
	};
	char name[96];

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		long r = conf_map_create_rc(cs[i].type, cs[i].key, cs[i].value,
					    cs[i].max, cs[i].flags);

		snprintf(name, sizeof(name), "create_%s", cs[i].name);
		CONF_REC(name, "ret=%s", conf_rc(r));
	}
	/* name rules (§5.1) */
	static const char *names[] = { "ok_name.1", "bad-name", "sixteen_chars_xx" };
	for (size_t i = 0; i < 3; i++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, names[i], 4, 8, 1, NULL);
		long r = fd < 0 ? -errno : 0;

		if (fd >= 0)
			close(fd);
		snprintf(name, sizeof(name), "create_name_%zu", i);
		CONF_REC(name, "name=%s ret=%s", names[i], conf_rc(r));
	}
}

/* §5.2 generic fd errors */
static void case_fd_errors(void)
{
	uint32_t k = 0;
	uint64_t v = 0;
	int nfd = open("/dev/null", O_RDONLY);

	CONF_REC("user_lookup_bad_fd", "ret=%s",
		 conf_rc(bpf_map_lookup_elem(-1, &k, &v) ? -errno : 0));
	CONF_REC("user_update_bad_fd", "ret=%s",
		 conf_rc(bpf_map_update_elem(-1, &k, &v, 0) ? -errno : 0));
	CONF_REC("user_lookup_not_a_map_fd", "ret=%s",
		 conf_rc(bpf_map_lookup_elem(nfd, &k, &v) ? -errno : 0));
	CONF_REC("user_delete_not_a_map_fd", "ret=%s",
		 conf_rc(bpf_map_delete_elem(nfd, &k) ? -errno : 0));
	close(nfd);
}

/* ------------------------------------------------------------ batches */

/*
 * BPF_MAP_*_BATCH (maps.md §5).  Arrays walk keys; hashes walk buckets,
 * whose order depends on the kernel's random hash seed: their records hold
 * counts, return codes and the sorted set of keys, never an order.
 */
#define BATCH_MAX	16
#define NOT_WRITTEN	0xabcdef01u

static size_t uvsize(int m)
{
	size_t v = is_lock(m) ? sizeof(struct lval) : 8;

	return is_percpu(m) ? v * (size_t)ncpus : v;
}

/* "k1,k2,..." sorted, each with "!" if its value is not key + 100 */
static const char *keyset(int m, const uint32_t *keys, const void *vals, uint32_t n)
{
	static char b[256];
	uint32_t s[BATCH_MAX], i, j, t;
	size_t len = 0;

	if (n > BATCH_MAX)
		return "overflow";
	memcpy(s, keys, n * sizeof(*s));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (s[j] < s[i]) {
				t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
	b[0] = 0;
	for (i = 0; i < n; i++) {
		uint64_t v = 0;

		for (j = 0; j < n; j++)
			if (keys[j] == s[i])
				v = uget(m, (const char *)vals + j * uvsize(m));
		len += snprintf(b + len, sizeof(b) - len, "%s%u%s", i ? "," : "", s[i],
				v == s[i] + 100 ? "" : "!");
	}
	return n ? b : "-";
}

static const char *outstr(uint32_t out)
{
	return out == NOT_WRITTEN ? "unset" : vstr(out);
}

/* user value buffer for @n elements of map @m, element i holding keys[i] + 100 */
static void *ubatch_vals(int m, const uint32_t *keys, uint32_t n)
{
	static uint64_t buf[BATCH_MAX * 128];

	memset(buf, 0, sizeof(buf));
	for (uint32_t i = 0; i < n; i++) {
		char *p = (char *)buf + i * uvsize(m);

		if (is_lock(m))
			((struct lval *)p)->v = keys[i] + 100;
		else
			*(uint64_t *)p = keys[i] + 100;
	}
	return buf;
}

static void fill(int m, uint32_t n)
{
	clear(m);
	for (uint32_t k = 0; k < n; k++)
		uupdate(m, is_array(m) ? k : k + 1, (is_array(m) ? k : k + 1) + 100, BPF_ANY);
}

typedef int (*lookup_batch_fn)(int, void *, void *, void *, void *, __u32 *,
			       const struct bpf_map_batch_opts *);

static void case_batch_lookup(void)
{
	static uint64_t vals[BATCH_MAX * 128];
	uint32_t keys[BATCH_MAX], in, out, count;
	char name[96];
	long r;

	for (int m = 0; m < MM_NMAPS; m++) {
		uint32_t n = is_array(m) ? 8 : 4;

		fill(m, n);
		count = 0;
		out = NOT_WRITTEN;
		r = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_count0", mname[m]);
		CONF_REC(name, "ret=%s count=%u out=%s", conf_rc(r), count, outstr(out));

		/* all of it at once, more room than elements */
		count = BATCH_MAX;
		out = NOT_WRITTEN;
		r = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_all", mname[m]);
		CONF_REC(name, "ret=%s count=%u out=%s keys=%s", conf_rc(r), count, outstr(out),
			 keyset(m, keys, vals, count));

		/* exactly as many as there are */
		count = n;
		r = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_exact", mname[m]);
		CONF_REC(name, "ret=%s count=%u keys=%s", conf_rc(r), count,
			 keyset(m, keys, vals, count));

		/* the walk, 3 at a time for arrays, 1 for hashes (a bucket that
		 * does not fit is -ENOSPC with count 0 and out_batch that
		 * bucket: resume there with room for it) */
		uint32_t all[BATCH_MAX * 4], got = 0, calls = 0, enospc_ok = 1;
		void *pin = NULL;

		for (;;) {
			count = is_array(m) ? 3 : 1;
			out = NOT_WRITTEN;
			r = bpf_map_lookup_batch(ufd(m), pin, &out, keys, vals, &count, NULL) ? -errno : 0;
			if (r == -ENOSPC) {
				enospc_ok &= count == 0 && out != NOT_WRITTEN;
				in = out;
				pin = &in;
				count = BATCH_MAX;
				r = bpf_map_lookup_batch(ufd(m), pin, &out, keys, vals, &count, NULL) ?
				    -errno : 0;
			}
			for (uint32_t i = 0; i < count && got < BATCH_MAX * 4; i++)
				all[got++] = keys[i];
			if (r || ++calls > 20)
				break;
			in = out;
			pin = &in;
		}
		snprintf(name, sizeof(name), "batch_lookup_%s_walk3", mname[m]);
		CONF_REC(name, "end=%s got=%u enospc_ok=%u keys=%s", conf_rc(r), got, enospc_ok,
			 got <= BATCH_MAX ? keyset(m, all, ubatch_vals(m, all, got), got) : "overflow");

		/* past the end: arrays start over, hashes are -ENOENT */
		in = is_array(m) ? 100 : 4;
		count = 2;
		out = NOT_WRITTEN;
		r = bpf_map_lookup_batch(ufd(m), &in, &out, keys, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_in_past_end", mname[m]);
		CONF_REC(name, "ret=%s count=%u out=%s", conf_rc(r), count, outstr(out));

		if (is_array(m)) {
			in = 5;
			count = 2;
			r = bpf_map_lookup_batch(ufd(m), &in, &out, keys, vals, &count, NULL) ? -errno : 0;
			snprintf(name, sizeof(name), "batch_lookup_%s_in_5", mname[m]);
			CONF_REC(name, "ret=%s count=%u out=%s keys=%s", conf_rc(r), count,
				 outstr(out), keyset(m, keys, vals, count));
			in = 7;
			count = 2;
			out = NOT_WRITTEN;
			r = bpf_map_lookup_batch(ufd(m), &in, &out, keys, vals, &count, NULL) ? -errno : 0;
			snprintf(name, sizeof(name), "batch_lookup_%s_in_last", mname[m]);
			CONF_REC(name, "ret=%s count=%u out=%s", conf_rc(r), count, outstr(out));
		}

		/* faults: out_batch, keys, values */
		count = 2;
		r = bpf_map_lookup_batch(ufd(m), NULL, NULL, keys, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_out_null", mname[m]);
		CONF_REC(name, "ret=%s count=%u", conf_rc(r), count);
		count = BATCH_MAX;
		r = bpf_map_lookup_batch(ufd(m), NULL, &out, NULL, vals, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_keys_null", mname[m]);
		CONF_REC(name, "ret=%s count=%u", conf_rc(r), count);
		count = BATCH_MAX;
		r = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, NULL, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_%s_values_null", mname[m]);
		CONF_REC(name, "ret=%s count=%u", conf_rc(r), count);

		/* elem_flags and flags, with count 2 and count 0 */
		static const uint64_t ef[] = { BPF_F_LOCK, BPF_NOEXIST, BPF_EXIST, 8, 0 };
		static const uint64_t fl[] = { 0, 0, 0, 0, 1 };

		for (size_t i = 0; i < sizeof(ef) / sizeof(ef[0]); i++) {
			LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = ef[i], .flags = fl[i]);
			long r0;

			count = BATCH_MAX;
			r = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, vals, &count, &o) ? -errno : 0;
			uint32_t c1 = count;

			count = 0;
			r0 = bpf_map_lookup_batch(ufd(m), NULL, &out, keys, vals, &count, &o) ? -errno : 0;
			snprintf(name, sizeof(name), "batch_lookup_%s_elem_flags_0x%llx_flags_0x%llx",
				 mname[m], (unsigned long long)ef[i], (unsigned long long)fl[i]);
			CONF_REC(name, "ret=%s count=%u keys=%s count0_ret=%s", conf_rc(r), c1,
				 r == 0 || r == -ENOENT ? keyset(m, keys, vals, c1) : "-", conf_rc(r0));
		}
	}
}

static void case_batch_lookup_and_delete(void)
{
	static uint64_t vals[BATCH_MAX * 128];
	uint32_t keys[BATCH_MAX], out, count, k, left;
	char name[96];
	long r;

	for (int m = 0; m < MM_NMAPS; m++) {
		fill(m, is_array(m) ? 8 : 4);
		count = BATCH_MAX;
		out = NOT_WRITTEN;
		r = bpf_map_lookup_and_delete_batch(ufd(m), NULL, &out, keys, vals, &count, NULL) ?
		    -errno : 0;
		for (left = 0, k = 0; k <= 8; k++)
			left += ulookup(m, k) != MR_NONE;
		snprintf(name, sizeof(name), "batch_lookup_and_delete_%s_all", mname[m]);
		CONF_REC(name, "ret=%s count=%u out=%s keys=%s left=%u", conf_rc(r), count,
			 outstr(out), r == 0 || r == -ENOENT ? keyset(m, keys, vals, count) : "-",
			 left);
		if (is_array(m))
			continue;

		/* a fault on the keys: the first bucket is deleted anyway */
		fill(m, 4);
		count = BATCH_MAX;
		out = NOT_WRITTEN;
		r = bpf_map_lookup_and_delete_batch(ufd(m), NULL, &out, NULL, vals, &count, NULL) ?
		    -errno : 0;
		for (left = 0, k = 0; k <= 8; k++)
			left += ulookup(m, k) != MR_NONE;
		snprintf(name, sizeof(name), "batch_lookup_and_delete_%s_keys_null", mname[m]);
		CONF_REC(name, "ret=%s count=%u out=%s some_deleted=%d", conf_rc(r), count,
			 outstr(out), left < 4);

		LIBBPF_OPTS(bpf_map_batch_opts, o, .flags = 1);
		fill(m, 4);
		count = BATCH_MAX;
		r = bpf_map_lookup_and_delete_batch(ufd(m), NULL, &out, keys, vals, &count, &o) ?
		    -errno : 0;
		o.flags = 0;
		o.elem_flags = BPF_F_LOCK;
		long rl = bpf_map_lookup_and_delete_batch(ufd(m), NULL, &out, keys, vals, &count, &o) ?
			  -errno : 0;
		snprintf(name, sizeof(name), "batch_lookup_and_delete_%s_flags", mname[m]);
		CONF_REC(name, "flags1=%s count=%u f_lock=%s", conf_rc(r), count, conf_rc(rl));
	}
}

static void case_batch_update_delete(void)
{
	uint32_t keys[BATCH_MAX], count;
	char name[96];
	long r;

	for (int m = 0; m < MM_NMAPS; m++) {
		/* arrays: index 9 is out of range; hashes: the fifth key is one
		 * too many (LRU evicts) */
		static const uint32_t akeys[] = { 0, 9, 1 }, hkeys[] = { 1, 2, 3, 4, 5 };
		const uint32_t *ks = is_array(m) ? akeys : hkeys;
		uint32_t n = is_array(m) ? 3 : 5;

		clear(m);
		memcpy(keys, ks, n * sizeof(*keys));
		count = n;
		r = bpf_map_update_batch(ufd(m), keys, ubatch_vals(m, keys, n), &count, NULL) ?
		    -errno : 0;
		snprintf(name, sizeof(name), "batch_update_%s", mname[m]);
		/* which key an LRU evicted is not specified */
		CONF_REC(name, "ret=%s count=%u first=%s", conf_rc(r), count,
			 m == MM_LRU ? "-" : vstr(ulookup(m, ks[0])));

		static const uint64_t ef[] = { BPF_F_LOCK, BPF_NOEXIST, BPF_EXIST, 0 };
		static const uint64_t fl[] = { 0, 0, 0, 1 };

		for (size_t i = 0; i < sizeof(ef) / sizeof(ef[0]); i++) {
			LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = ef[i], .flags = fl[i]);
			long r0;

			clear(m);
			keys[0] = 1;
			count = 1;
			r = bpf_map_update_batch(ufd(m), keys, ubatch_vals(m, keys, 1), &count, &o) ?
			    -errno : 0;
			uint32_t c1 = count;

			count = 0;
			r0 = bpf_map_update_batch(ufd(m), keys, ubatch_vals(m, keys, 1), &count, &o) ?
			     -errno : 0;
			snprintf(name, sizeof(name), "batch_update_%s_elem_flags_0x%llx_flags_0x%llx",
				 mname[m], (unsigned long long)ef[i], (unsigned long long)fl[i]);
			CONF_REC(name, "ret=%s count=%u after=%s count0_ret=%s", conf_rc(r), c1,
				 vstr(ulookup(m, 1)), conf_rc(r0));
			if (is_array(m))
				continue;
			keys[1] = 2;
			count = 2;
			r = bpf_map_delete_batch(ufd(m), keys, &count, &o) ? -errno : 0;
			snprintf(name, sizeof(name), "batch_delete_%s_elem_flags_0x%llx_flags_0x%llx",
				 mname[m], (unsigned long long)ef[i], (unsigned long long)fl[i]);
			CONF_REC(name, "ret=%s count=%u", conf_rc(r), count);
		}

		long rv;
		uint32_t cv;

		keys[0] = 1;
		count = 3;
		r = bpf_map_update_batch(ufd(m), NULL, ubatch_vals(m, keys, 1), &count, NULL) ?
		    -errno : 0;
		cv = count;
		count = 3;
		rv = bpf_map_update_batch(ufd(m), keys, NULL, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_update_%s_null", mname[m]);
		CONF_REC(name, "keys_null=%s count=%u values_null=%s count=%u", conf_rc(r), cv,
			 conf_rc(rv), count);

		/* delete: arrays have none; a missing key stops a hash's */
		fill(m, is_array(m) ? 8 : 4);
		keys[0] = 1;
		keys[1] = 99;
		keys[2] = 2;
		count = 3;
		r = bpf_map_delete_batch(ufd(m), keys, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_delete_%s", mname[m]);
		CONF_REC(name, "ret=%s count=%u key1=%s key2=%s", conf_rc(r), count,
			 vstr(ulookup(m, 1)), vstr(ulookup(m, 2)));
		count = 2;
		r = bpf_map_delete_batch(ufd(m), NULL, &count, NULL) ? -errno : 0;
		snprintf(name, sizeof(name), "batch_delete_%s_keys_null", mname[m]);
		CONF_REC(name, "ret=%s count=%u", conf_rc(r), count);
	}
}

/* fds, access modes and map types without batches */
static void case_batch_fds(void)
{
	static uint64_t vals[BATCH_MAX * 128];
	uint32_t keys[BATCH_MAX] = { 0, 1 }, out, count;
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int nfd = open("/dev/null", O_RDONLY);
	LIBBPF_OPTS(bpf_map_batch_opts, bad, .elem_flags = 77);
	long r;

	count = 1;
	r = bpf_map_lookup_batch(-1, NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
	CONF_REC("batch_lookup_bad_fd", "ret=%s count=%u", conf_rc(r), count);
	r = bpf_map_update_batch(nfd, keys, vals, &count, NULL) ? -errno : 0;
	CONF_REC("batch_update_not_a_map_fd", "ret=%s count=%u", conf_rc(r), count);
	close(nfd);

	int rb = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);

	count = 0;
	r = bpf_map_lookup_batch(rb, NULL, &out, keys, vals, &count, &bad) ? -errno : 0;
	long ru = bpf_map_update_batch(rb, keys, vals, &count, NULL) ? -errno : 0;
	CONF_REC("batch_ringbuf", "lookup_bad_flags_count0=%s update=%s", conf_rc(r), conf_rc(ru));
	close(rb);

	/* read-only and write-only fds of the array, then a frozen array */
	memset(&info, 0, sizeof(info));
	bpf_obj_get_info_by_fd(ufd(MM_ARR), &info, &len);
	for (int mode = 0; mode < 2; mode++) {
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, go,
			    .open_flags = mode ? BPF_F_WRONLY : BPF_F_RDONLY);
		int fd = bpf_map_get_fd_by_id_opts(info.id, &go);
		long rl, rld, rup, rd;

		count = 2;
		rl = bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
		count = 2;
		rld = bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL) ?
		      -errno : 0;
		keys[0] = 0;
		keys[1] = 1;
		count = 2;
		rup = bpf_map_update_batch(fd, keys, vals, &count, NULL) ? -errno : 0;
		count = 2;
		rd = bpf_map_delete_batch(fd, keys, &count, &bad) ? -errno : 0;
		CONF_REC(mode ? "batch_wronly_fd" : "batch_rdonly_fd",
			 "lookup=%s lookup_and_delete=%s update=%s delete=%s count=%u",
			 conf_rc(rl), conf_rc(rld), conf_rc(rup), conf_rc(rd), count);
		close(fd);
	}
	int fz = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 4, NULL);

	bpf_map_freeze(fz);
	count = 2;
	r = bpf_map_update_batch(fz, keys, vals, &count, NULL) ? -errno : 0;
	long rl = bpf_map_lookup_batch(fz, NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
	CONF_REC("batch_frozen", "update=%s lookup=%s count=%u", conf_rc(r), conf_rc(rl), count);
	close(fz);
}

/* map-in-map: values are inner map ids (records say whether they match) */
static void case_batch_map_in_map(void)
{
	int inner[2], ids[2];
	char name[96];

	for (int i = 0; i < 2; i++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		inner[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
		memset(&info, 0, sizeof(info));
		bpf_obj_get_info_by_fd(inner[i], &info, &len);
		ids[i] = (int)info.id;
	}
	for (int t = BPF_MAP_TYPE_ARRAY_OF_MAPS; t <= BPF_MAP_TYPE_HASH_OF_MAPS; t++) {
		LIBBPF_OPTS(bpf_map_create_opts, co, .inner_map_fd = inner[0]);
		int fd = bpf_map_create(t, NULL, 4, 4, 4, &co);
		uint32_t keys[8] = { 0, 2 }, vals[8] = { inner[0], inner[1] }, count, out;
		long ru, rl, rd, rld, rb;
		int ids_ok = 1;

		count = 2;
		ru = bpf_map_update_batch(fd, keys, vals, &count, NULL) ? -errno : 0;
		count = 8;
		out = NOT_WRITTEN;
		rl = bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) ? -errno : 0;
		for (uint32_t i = 0; i < count; i++)
			ids_ok &= keys[i] < 4 && (int)vals[i] == ids[keys[i] / 2];
		uint32_t cl = count, ol = out;

		keys[0] = 1;
		vals[0] = 12345;
		count = 1;
		rb = bpf_map_update_batch(fd, keys, vals, &count, NULL) ? -errno : 0;
		keys[0] = 0;
		count = 1;
		rd = bpf_map_delete_batch(fd, keys, &count, NULL) ? -errno : 0;
		count = 8;
		rld = bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL) ?
		      -errno : 0;
		snprintf(name, sizeof(name), "batch_%s",
			 t == BPF_MAP_TYPE_ARRAY_OF_MAPS ? "array_of_maps" : "hash_of_maps");
		CONF_REC(name, "update=%s lookup=%s count=%u out=%s ids_ok=%d bad_fd=%s delete=%s "
			 "lookup_and_delete=%s count=%u", conf_rc(ru), conf_rc(rl), cl, outstr(ol),
			 ids_ok, conf_rc(rb), conf_rc(rd), conf_rc(rld), count);
		close(fd);
	}
	close(inner[0]);
	close(inner[1]);
}

/*
 * Per-CPU values written from user space keep the caller's padding: each
 * CPU's copy is round_up(value_size, 8) bytes, copied whole
 * (copy_map_value_long), and a lookup gives them back.
 */
static void case_percpu_padding(void)
{
	static const struct { const char *name; int type; } t[] = {
		{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY },
		{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
		{ "lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH },
	};
	unsigned char in[1024], out[1024];
	char name[64];
	uint32_t k = 1;
	size_t i;
	int c;

	memset(in, 0xab, sizeof(in));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int fd = bpf_map_create(t[i].type, NULL, 4, 4, 4, NULL);
		long up, lk;
		int kept = 1;

		snprintf(name, sizeof(name), "percpu_padding_%s", t[i].name);
		if (fd < 0) {
			CONF_FAIL(name, "bpf_map_create");
			continue;
		}
		memset(out, 0, sizeof(out));
		up = bpf_map_update_elem(fd, &k, in, BPF_ANY) ? -(long)errno : 0;
		lk = bpf_map_lookup_elem(fd, &k, out) ? -(long)errno : 0;
		for (c = 0; c < ncpus; c++)
			kept &= !memcmp(out + c * 8, in, 8);
		CONF_REC(name, "update=%s lookup=%s padding_kept=%d", conf_rc(up), conf_rc(lk), kept);
		close(fd);
	}
}

/* The program's run_cnt (BPF_OBJ_GET_INFO_BY_FD), or -1. */
static long long run_cnt(void)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(sk->progs.run), &info, &len))
		return -1;
	return (long long)info.run_cnt;
}

/* Runs counted in run_cnt over three runs. */
static long long runs_counted(void)
{
	long long before = run_cnt();
	int i;

	for (i = 0; i < 3; i++)
		rq(MM_ARR, MO_LOOKUP, 0, 0, 0);
	return before < 0 ? -1 : run_cnt() - before;
}

/*
 * Run statistics (bpf_enable_stats): programs count runs only while a
 * stats fd is open; any type but BPF_STATS_RUN_TIME is refused.  Counted
 * as differences, so a machine with kernel.bpf_stats_enabled set records
 * "off" differently, and says so.
 */
static void case_run_stats(void)
{
	long long off, on, closed;
	int stats, stats_err, bad;

	off = runs_counted();
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	stats_err = stats < 0 ? errno : 0;
	on = runs_counted();
	if (stats >= 0)
		close(stats);
	closed = runs_counted();
	bad = bpf_enable_stats((enum bpf_stats_type)1);
	if (bad >= 0)
		close(bad);
	CONF_REC("run_stats", "off=%lld enable=%s on=%lld closed=%lld bad_type=%s", off,
		 stats >= 0 ? "fd" : conf_rc(-(long)stats_err), on, closed,
		 bad >= 0 ? "fd" : conf_rc(bad < 0 ? -(long)errno : 0));
}

int main(void)
{
	conf_setup();
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > 1024 / 8) {
		CONF_FAIL("setup", "libbpf_num_possible_cpus");
		return 1;
	}
	sk = maps__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "maps__open_and_load");
		return 1;
	}
	case_update_matrix();
	case_delete_lookup();
	case_user_lookup_flags();
	case_lookup_and_delete();
	case_get_next_key();
	case_for_each();
	case_full();
	case_batch_lookup();
	case_batch_lookup_and_delete();
	case_batch_update_delete();
	case_batch_fds();
	case_run_stats();
	case_percpu_padding();
	maps__destroy(sk);
	case_batch_map_in_map();
	case_create();
	case_fd_errors();
	return conf_failures ? 1 : 0;
}
