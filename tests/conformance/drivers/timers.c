// SPDX-License-Identifier: MIT
/*
 * Conformance driver for bpf_timer_* (shared/spec/timers.md §2-§8, §12).
 * Each case works on fresh elements (a new array index / hash key), so a
 * wrong answer in one case cannot change another's.
 */
#define CONF_FAMILY "timers"
#include "harness.h"
#include "timers.h"
#include "timers.skel.h"

#define NOELEM 1000
#define MS 1000000ull
#define F_ABS 1ull
#define F_PIN 2ull

struct elem {		/* user-space view of struct elem in the program */
	uint64_t t[2];
	uint64_t slot, action, arg;
};

struct lelem {
	uint32_t lock, pad;
	uint64_t t[2];
	uint64_t slot, action, arg;
};

static struct timers *sk;
static int next_key = 1;

static const char *rc(long v)
{
	return v == NOELEM ? "noelem" : conf_rc(v);
}

static long rq(int map, int op, uint32_t key, uint64_t a0, uint64_t a1)
{
	sk->bss->req_map = map;
	sk->bss->req_op = op;
	sk->bss->req_key = key;
	sk->bss->req_arg0 = a0;
	sk->bss->req_arg1 = a1;
	sk->bss->res = -12345;
	if (conf_run(sk->progs.run) == INT32_MIN)
		return -99999;
	return (long)sk->bss->res;
}

static int map_fd(int map)
{
	switch (map) {
	case TM_ARR: return bpf_map__fd(sk->maps.arr);
	case TM_HSH: return bpf_map__fd(sk->maps.hsh);
	case TM_LRU: return bpf_map__fd(sk->maps.lru);
	default: return bpf_map__fd(sk->maps.lck);
	}
}

/* User-space update of an element's plain fields (slot = key). */
static long uset(int map, uint32_t key, uint64_t action, uint64_t arg,
		 uint64_t flags)
{
	int err;

	if (map == TM_LCK) {
		struct lelem v = { .slot = key, .action = action, .arg = arg };

		err = bpf_map_update_elem(map_fd(map), &key, &v, flags);
	} else {
		struct elem v = { .slot = key, .action = action, .arg = arg };

		err = bpf_map_update_elem(map_fd(map), &key, &v, flags);
	}
	return err ? -(long)errno : 0;
}

/* A fresh element of @map (slot == key), with a callback behaviour. */
static uint32_t fresh(int map, uint64_t action, uint64_t arg)
{
	uint32_t key = next_key++;

	if (key >= TM_SLOTS || uset(map, key, action, arg, BPF_ANY))
		CONF_FAIL("fresh", "element setup");
	return key;
}

/* fresh element, timer initialised on @clock with the callback set */
static uint32_t ready(int map, uint64_t clock, uint64_t action, uint64_t arg)
{
	uint32_t key = fresh(map, action, arg);
	long r = rq(map, TO_SETUP, key, clock, 0);

	if (r)
		CONF_FAIL("ready", rc(r));
	return key;
}

static unsigned int fired(uint32_t key)
{
	return sk->bss->fired[key % TM_SLOTS];
}

/* firing order as letters: key @base is "a", base+1 "b"... */
static void order_str(char *buf, size_t sz, uint32_t first, int n,
		      uint32_t base)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < n && first + i < TM_SLOTS && off < sz; i++) {
		uint32_t k = sk->bss->order[first + i];

		off += snprintf(buf + off, sz - off, "%s%c", i ? "," : "",
				k >= base && k < base + 26 ? 'a' + (k - base) : '?');
	}
}

static void case_init_flags(void)
{
	static const uint64_t flags[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
		0x17, 1ull << 32, (1ull << 32) | 1, (1ull << 63) | 1, ~0ull,
	};
	char name[64];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		uint32_t k = fresh(TM_ARR, TA_NONE, 0);

		snprintf(name, sizeof(name), "init_flags_0x%llx",
			 (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s", rc(rq(TM_ARR, TO_INIT, k, flags[i], 0)));
	}
}

static void case_init_twice(void)
{
	static const uint64_t clocks[] = { 0, 1, 7 };
	char name[64];

	for (size_t i = 0; i < 3; i++) {
		uint32_t k = fresh(TM_ARR, TA_NONE, 0);
		long r1 = rq(TM_ARR, TO_INIT, k, clocks[i], 0);
		long r2 = rq(TM_ARR, TO_INIT, k, clocks[i], 0);

		snprintf(name, sizeof(name), "init_twice_clock%llu",
			 (unsigned long long)clocks[i]);
		CONF_REC(name, "first=%s second=%s", rc(r1), rc(r2));
	}
	uint32_t k = fresh(TM_ARR, TA_NONE, 0);
	long r1 = rq(TM_ARR, TO_INIT, k, 1, 0);
	long r2 = rq(TM_ARR, TO_INIT, k, 7, 0);
	long r3 = rq(TM_ARR, TO_INIT, k, 0x10, 0);
	long r4 = rq(TM_ARR, TO_INIT, k, 3, 0);

	CONF_REC("init_twice_other_clock", "first=%s second=%s", rc(r1), rc(r2));
	CONF_REC("init_bad_flags_on_initialised", "flags16=%s clock3=%s",
		 rc(r3), rc(r4));

	k = fresh(TM_ARR, TA_NONE, 0);
	r1 = rq(TM_ARR, TO_INIT, k, 0x10, 0);
	r2 = rq(TM_ARR, TO_INIT, k, 1, 0);
	CONF_REC("init_after_rejected_init", "rejected=%s then=%s", rc(r1), rc(r2));

	k = fresh(TM_HSH, TA_NONE, 0);
	r1 = rq(TM_HSH, TO_INIT, k, 1, 0);
	r2 = rq(TM_HSH, TO_INIT, k, 1, 0);
	CONF_REC("init_twice_hash", "first=%s second=%s", rc(r1), rc(r2));
	k = fresh(TM_LRU, TA_NONE, 0);
	r1 = rq(TM_LRU, TO_INIT, k, 1, 0);
	r2 = rq(TM_LRU, TO_INIT, k, 1, 0);
	CONF_REC("init_twice_lru", "first=%s second=%s", rc(r1), rc(r2));
}

static void case_uninit(void)
{
	static const int maps[] = { TM_ARR, TM_HSH, TM_LRU };
	static const char *names[] = { "array", "hash", "lru" };
	char name[64];

	for (int i = 0; i < 3; i++) {
		uint32_t k = fresh(maps[i], TA_NONE, 0);
		long s = rq(maps[i], TO_SETCB, k, 0, 0);
		long st = rq(maps[i], TO_START, k, 0, 0);
		long stb = rq(maps[i], TO_START, k, 0, 4);
		long c = rq(maps[i], TO_CANCEL, k, 0, 0);

		snprintf(name, sizeof(name), "uninit_%s", names[i]);
		CONF_REC(name, "set_callback=%s start=%s start_badflags=%s cancel=%s",
			 rc(s), rc(st), rc(stb), rc(c));
	}
}

static void case_start_no_callback(void)
{
	uint32_t k = fresh(TM_ARR, TA_NONE, 0);
	long i = rq(TM_ARR, TO_INIT, k, 1, 0);
	long s = rq(TM_ARR, TO_START, k, 0, 0);

	conf_wait_ms(20);
	CONF_REC("start_without_callback", "init=%s start=%s fired=%u cancel=%s",
		 rc(i), rc(s), fired(k), rc(rq(TM_ARR, TO_CANCEL, k, 0, 0)));
}

static void case_start_flags(void)
{
	static const uint64_t flags[] = {
		0, F_ABS, F_PIN, F_ABS | F_PIN, 4, F_ABS | 4, 8,
		1ull << 32, 1ull << 63,
	};
	enum { N = sizeof(flags) / sizeof(flags[0]) };
	uint32_t keys[N];
	long ret[N];
	char name[64];

	for (int i = 0; i < N; i++) {
		keys[i] = ready(TM_ARR, 1, TA_NONE, 0);
		/* absolute 0 is in the past: fires at once */
		ret[i] = rq(TM_ARR, TO_START, keys[i],
			    (flags[i] & F_ABS) ? 0 : 2 * MS, flags[i]);
	}
	conf_wait_ms(30);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "start_flags_0x%llx",
			 (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s fired=%u cancel_after=%s", rc(ret[i]),
			 fired(keys[i]), rc(rq(TM_ARR, TO_CANCEL, keys[i], 0, 0)));
	}
}

static void case_cancel(void)
{
	uint32_t k = ready(TM_ARR, 1, TA_NONE, 0);
	long s = rq(TM_ARR, TO_START, k, 10000 * MS, 0);
	long c1 = rq(TM_ARR, TO_CANCEL, k, 0, 0);
	long c2 = rq(TM_ARR, TO_CANCEL, k, 0, 0);
	long s2 = rq(TM_ARR, TO_START, k, 2 * MS, 0);
	long i2 = rq(TM_ARR, TO_INIT, k, 1, 0);
	long cb = rq(TM_ARR, TO_SETCB, k, 0, 0);
	long s3 = rq(TM_ARR, TO_START, k, 2 * MS, 0);

	conf_wait_ms(30);
	CONF_REC("cancel_pending_then_again",
		 "start=%s cancel1=%s cancel2=%s start_after_cancel=%s init_after_cancel=%s "
		 "set_callback=%s start=%s fired=%u", rc(s), rc(c1), rc(c2),
		 rc(s2), rc(i2), rc(cb), rc(s3), fired(k));

	k = fresh(TM_ARR, TA_NONE, 0);
	long i = rq(TM_ARR, TO_INIT, k, 1, 0);
	CONF_REC("cancel_init_only", "init=%s cancel=%s", rc(i),
		 rc(rq(TM_ARR, TO_CANCEL, k, 0, 0)));

	k = ready(TM_ARR, 1, TA_NONE, 0);
	c1 = rq(TM_ARR, TO_CANCEL, k, 0, 0);
	s = rq(TM_ARR, TO_START, k, 2 * MS, 0);
	CONF_REC("cancel_callback_never_started", "cancel=%s start_after=%s",
		 rc(c1), rc(s));

	uint32_t kf = ready(TM_ARR, 1, TA_NONE, 0);
	long sf = rq(TM_ARR, TO_START, kf, 1 * MS, 0);
	uint32_t kr = ready(TM_ARR, 1, TA_NONE, 0);
	long sr = rq(TM_ARR, TO_START, kr, 1 * MS, 4);
	conf_wait_ms(30);
	c1 = rq(TM_ARR, TO_CANCEL, kf, 0, 0);
	s = rq(TM_ARR, TO_START, kf, 1 * MS, 0);
	CONF_REC("cancel_after_fired", "start=%s fired=%u cancel=%s start_after=%s",
		 rc(sf), fired(kf), rc(c1), rc(s));
	c1 = rq(TM_ARR, TO_CANCEL, kr, 0, 0);
	CONF_REC("cancel_after_rejected_start", "start=%s fired=%u cancel=%s",
		 rc(sr), fired(kr), rc(c1));
}

static void case_fire(void)
{
	static const uint64_t clocks[] = { 0, 1, 7 };
	uint32_t keys[3];
	long ret[3];
	char name[64];

	for (int i = 0; i < 3; i++) {
		keys[i] = ready(TM_ARR, clocks[i], TA_NONE, 0);
		ret[i] = rq(TM_ARR, TO_START, keys[i], 2 * MS, 0);
	}
	uint32_t kz = ready(TM_ARR, 1, TA_NONE, 0);
	long rz = rq(TM_ARR, TO_START, kz, 0, 0);
	uint32_t kh = ready(TM_HSH, 1, TA_NONE, 0);
	long rh = rq(TM_HSH, TO_START, kh, 2 * MS, 0);
	uint32_t kl = ready(TM_LRU, 1, TA_NONE, 0);
	long rl = rq(TM_LRU, TO_START, kl, 2 * MS, 0);
	uint32_t ka = ready(TM_ARR, 1, TA_NONE, 0);
	long ra = rq(TM_ARR, TO_START_ABS, ka, 3 * MS, 0);
	uint32_t kb = ready(TM_ARR, 7, TA_NONE, 0);
	long rb = rq(TM_ARR, TO_START, kb, 0, F_ABS);

	conf_wait_ms(40);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "fires_clock%llu",
			 (unsigned long long)clocks[i]);
		CONF_REC(name, "start=%s fired=%u key_is_index=%d", rc(ret[i]),
			 fired(keys[i]), sk->bss->cbkey[keys[i]] == keys[i]);
	}
	CONF_REC("fires_zero_delay", "start=%s fired=%u", rc(rz), fired(kz));
	CONF_REC("fires_hash", "start=%s fired=%u key_is_key=%d", rc(rh),
		 fired(kh), sk->bss->cbkey[kh] == kh);
	CONF_REC("fires_lru", "start=%s fired=%u key_is_key=%d", rc(rl),
		 fired(kl), sk->bss->cbkey[kl] == kl);
	CONF_REC("fires_abs_future", "start=%s fired=%u cancel=%s", rc(ra),
		 fired(ka), rc(rq(TM_ARR, TO_CANCEL, ka, 0, 0)));
	CONF_REC("fires_abs_past_boottime", "start=%s fired=%u", rc(rb), fired(kb));

	/* fired timers keep their callback: start again without set_callback */
	long again = rq(TM_ARR, TO_START, keys[1], 1 * MS, 0);
	conf_wait_ms(30);
	CONF_REC("restart_after_fire", "start=%s fired=%u", rc(again),
		 fired(keys[1]));
}

static void case_never_fires(void)
{
	uint32_t ku = ready(TM_ARR, 1, TA_NONE, 0);
	long ru = rq(TM_ARR, TO_START, ku, ~0ull, 0);
	uint32_t ks = ready(TM_ARR, 1, TA_NONE, 0);
	long rs = rq(TM_ARR, TO_START, ks, ~0ull >> 1, 0);
	uint32_t ka = ready(TM_ARR, 1, TA_NONE, 0);
	long ra = rq(TM_ARR, TO_START_ABS, ka, 10000 * MS, 0);
	uint32_t kr = ready(TM_ARR, 1, TA_NONE, 0);
	long r1 = rq(TM_ARR, TO_START, kr, 300 * MS, 0);
	long r2 = rq(TM_ARR, TO_START, kr, 2 * MS, 0);

	conf_wait_ms(40);
	CONF_REC("start_u64_max", "start=%s fired=%u cancel=%s", rc(ru),
		 fired(ku), rc(rq(TM_ARR, TO_CANCEL, ku, 0, 0)));
	CONF_REC("start_s64_max", "start=%s fired=%u cancel=%s", rc(rs),
		 fired(ks), rc(rq(TM_ARR, TO_CANCEL, ks, 0, 0)));
	CONF_REC("start_abs_10s_ahead", "start=%s fired=%u cancel=%s", rc(ra),
		 fired(ka), rc(rq(TM_ARR, TO_CANCEL, ka, 0, 0)));
	CONF_REC("restart_while_armed", "start300ms=%s start2ms=%s fired=%u cancel=%s",
		 rc(r1), rc(r2), fired(kr), rc(rq(TM_ARR, TO_CANCEL, kr, 0, 0)));
}

static void case_order(void)
{
	char buf[256];
	uint32_t first, a, b, c;

	/* distinct delays: started 30, 10, 20 ms */
	a = ready(TM_ARR, 1, TA_NONE, 0);
	b = ready(TM_ARR, 1, TA_NONE, 0);
	c = ready(TM_ARR, 1, TA_NONE, 0);
	first = sk->bss->norder;
	rq(TM_ARR, TO_START, a, 30 * MS, 0);
	rq(TM_ARR, TO_START, b, 10 * MS, 0);
	rq(TM_ARR, TO_START, c, 20 * MS, 0);
	conf_wait_ms(60);
	order_str(buf, sizeof(buf), first, sk->bss->norder - first, a);
	CONF_REC("order_distinct_delays", "started=a30ms,b10ms,c20ms fired=%s", buf);

	/* equal absolute expiry, started in key order within one run */
	a = ready(TM_ARR, 1, TA_NONE, 0);
	b = ready(TM_ARR, 1, TA_NONE, 0);
	c = ready(TM_ARR, 1, TA_NONE, 0);
	uint32_t d = ready(TM_ARR, 1, TA_NONE, 0);
	first = sk->bss->norder;
	long r = (b == a + 1 && c == b + 1 && d == c + 1) ?
		 rq(TM_ARR, TO_ABS_MANY, a, 5 * MS, 4) : -99999;
	conf_wait_ms(30);
	order_str(buf, sizeof(buf), first, sk->bss->norder - first, a);
	CONF_REC("order_equal_abs_expiry", "start=%s started=a,b,c,d fired=%s",
		 rc(r), buf);

	/* equal relative delays, started one run after the other */
	a = ready(TM_ARR, 1, TA_NONE, 0);
	b = ready(TM_ARR, 1, TA_NONE, 0);
	c = ready(TM_ARR, 1, TA_NONE, 0);
	first = sk->bss->norder;
	rq(TM_ARR, TO_START, c, 5 * MS, 0);
	rq(TM_ARR, TO_START, a, 5 * MS, 0);
	rq(TM_ARR, TO_START, b, 5 * MS, 0);
	conf_wait_ms(30);
	order_str(buf, sizeof(buf), first, sk->bss->norder - first, a);
	CONF_REC("order_equal_relative_delay", "started=c,a,b fired=%s", buf);
}

static void case_callback(void)
{
	uint32_t kre = ready(TM_ARR, 1, TA_REARM, 3);
	long rre = rq(TM_ARR, TO_START, kre, 1 * MS, 0);
	uint32_t kab = ready(TM_ARR, 1, TA_REARM_ABS0, 1);
	long rab = rq(TM_ARR, TO_START, kab, 1 * MS, 0);
	uint32_t ksc = ready(TM_ARR, 1, TA_SELF_CANCEL, 0);
	long rsc = rq(TM_ARR, TO_START, ksc, 1 * MS, 0);
	uint32_t kin = ready(TM_ARR, 1, TA_INIT_SELF, 0);
	long rin = rq(TM_ARR, TO_START, kin, 1 * MS, 0);
	uint32_t kcb = ready(TM_ARR, 1, TA_SETCB_SELF, 0);
	long rcb = rq(TM_ARR, TO_START, kcb, 1 * MS, 0);
	uint32_t kcs = ready(TM_ARR, 1, TA_CANCEL_THEN_START, 1);
	long rcs = rq(TM_ARR, TO_START, kcs, 1 * MS, 0);
	uint32_t kds = ready(TM_HSH, 1, TA_DELETE_SELF, 0);
	long rds = rq(TM_HSH, TO_START, kds, 1 * MS, 0);

	conf_wait_ms(40);
	CONF_REC("cb_rearm_3_times", "start=%s fired=%u last_start=%s", rc(rre),
		 fired(kre), rc(sk->bss->cb_ret[kre]));
	CONF_REC("cb_rearm_abs_past", "start=%s fired=%u rearm=%s", rc(rab),
		 fired(kab), rc(sk->bss->cb_ret[kab]));
	/* the refused self-cancel keeps the callback: start again works */
	long again = rq(TM_ARR, TO_START, ksc, 1 * MS, 0);
	CONF_REC("cb_init_self", "start=%s fired=%u init=%s", rc(rin), fired(kin),
		 rc(sk->bss->cb_ret[kin]));
	CONF_REC("cb_set_callback_self", "start=%s fired=%u set_callback=%s",
		 rc(rcb), fired(kcb), rc(sk->bss->cb_ret[kcb]));
	long sz = -1;
	struct elem v;
	if (bpf_map_lookup_elem(map_fd(TM_HSH), &kds, &v))
		sz = -(long)errno;
	else
		sz = 0;
	CONF_REC("cb_delete_own_hash_elem", "start=%s fired=%u delete=%s start_after=%s lookup=%s",
		 rc(rds), fired(kds), rc(sk->bss->cb_ret[kds]),
		 rc(sk->bss->cb_ret2[kds]), rc(sz));
	conf_wait_ms(30);
	CONF_REC("cb_self_cancel", "start=%s fired=%u cancel=%s start_again=%s",
		 rc(rsc), fired(ksc), rc(sk->bss->cb_ret[ksc]), rc(again));
	CONF_REC("cb_cancel_then_start_self", "start=%s fired=%u cancel=%s start=%s",
		 rc(rcs), fired(kcs), rc(sk->bss->cb_ret[kcs]),
		 rc(sk->bss->cb_ret2[kcs]));
}

/* user-space lookup shows the timer bytes zeroed while it is armed */
static void case_lookup(void)
{
	static const int maps[] = { TM_ARR, TM_HSH, TM_LRU };
	static const char *names[] = { "array", "hash", "lru" };
	char name[64];

	for (int i = 0; i < 3; i++) {
		uint32_t k = ready(maps[i], 1, TA_NONE, 7);
		long s = rq(maps[i], TO_START, k, 10000 * MS, 0);
		struct elem v;
		int err = bpf_map_lookup_elem(map_fd(maps[i]), &k, &v);

		snprintf(name, sizeof(name), "user_lookup_armed_%s", names[i]);
		CONF_REC(name, "start=%s lookup=%s timer_zero=%d slot_ok=%d arg=%llu cancel=%s",
			 rc(s), rc(err ? -errno : 0), !v.t[0] && !v.t[1],
			 v.slot == k, (unsigned long long)v.arg,
			 rc(rq(maps[i], TO_CANCEL, k, 0, 0)));
	}
}

/* §8: what update/delete do to a timer */
static void case_lifetime(void)
{
	struct {
		const char *name;
		int map;
		int how;	/* 0 user update, 1 prog update, 2 user delete, 3 prog delete */
		uint64_t flags;
		int armed;
	} cs[] = {
		{ "array_user_update_armed", TM_ARR, 0, BPF_ANY, 1 },
		{ "array_user_update_exist_armed", TM_ARR, 0, BPF_EXIST, 1 },
		{ "array_prog_update_armed", TM_ARR, 1, BPF_ANY, 1 },
		{ "array_user_update_idle", TM_ARR, 0, BPF_ANY, 0 },
		{ "array_prog_update_noexist", TM_ARR, 1, BPF_NOEXIST, 1 },
		{ "array_user_delete_armed", TM_ARR, 2, 0, 1 },
		{ "array_prog_delete_armed", TM_ARR, 3, 0, 1 },
		{ "hash_user_update_exist_armed", TM_HSH, 0, BPF_EXIST, 1 },
		{ "hash_prog_update_any_armed", TM_HSH, 1, BPF_ANY, 1 },
		{ "hash_prog_update_noexist_armed", TM_HSH, 1, BPF_NOEXIST, 1 },
		{ "hash_user_delete_armed", TM_HSH, 2, 0, 1 },
		{ "hash_prog_delete_armed", TM_HSH, 3, 0, 1 },
		{ "lru_user_update_exist_armed", TM_LRU, 0, BPF_EXIST, 1 },
		{ "lru_prog_update_any_armed", TM_LRU, 1, BPF_ANY, 1 },
		{ "lru_user_delete_armed", TM_LRU, 2, 0, 1 },
		{ "lru_prog_delete_armed", TM_LRU, 3, 0, 1 },
		{ "lock_user_update_flock_armed", TM_LCK, 0, BPF_F_LOCK, 1 },
		{ "lock_user_update_exist_flock_armed", TM_LCK, 0, BPF_EXIST | BPF_F_LOCK, 1 },
		{ "lock_prog_update_flock_armed", TM_LCK, 1, BPF_F_LOCK, 1 },
		{ "lock_user_update_any_armed", TM_LCK, 0, BPF_ANY, 1 },
		{ "lock_prog_update_exist_armed", TM_LCK, 1, BPF_EXIST, 1 },
	};
	enum { N = sizeof(cs) / sizeof(cs[0]) };
	uint32_t keys[N];
	long op[N], st[N];

	for (int i = 0; i < N; i++) {
		keys[i] = ready(cs[i].map, 1, TA_NONE, 0);
		st[i] = cs[i].armed ? rq(cs[i].map, TO_START, keys[i], 20 * MS, 0) : 0;
		switch (cs[i].how) {
		case 0: op[i] = uset(cs[i].map, keys[i], TA_NONE, 5, cs[i].flags); break;
		case 1: op[i] = rq(cs[i].map, TO_UPDATE, keys[i], keys[i], cs[i].flags); break;
		case 2:
			op[i] = bpf_map_delete_elem(map_fd(cs[i].map), &keys[i]) ? -errno : 0;
			break;
		default: op[i] = rq(cs[i].map, TO_DELETE, keys[i], 0, 0); break;
		}
	}
	conf_wait_ms(60);
	for (int i = 0; i < N; i++) {
		long present, c, in;

		/* a deleted hash element is re-inserted to look at its timer */
		present = rq(cs[i].map, TO_CANCEL, keys[i], 0, 0) != NOELEM;
		if (!present)
			uset(cs[i].map, keys[i], TA_NONE, 0, BPF_NOEXIST);
		c = rq(cs[i].map, TO_CANCEL, keys[i], 0, 0);
		in = rq(cs[i].map, TO_INIT, keys[i], 1, 0);
		CONF_REC(cs[i].name, "start=%s op=%s fired=%u present_after=%ld cancel=%s init=%s",
			 rc(st[i]), rc(op[i]), fired(keys[i]), present, rc(c), rc(in));
	}
}

/*
 * §8 usercnt: a second skeleton instance; its programs are kept by
 * duplicated fds while the skeleton (and so the last user fd of ucarr) is
 * destroyed.
 */
static void case_usercnt(void)
{
	struct timers *s2 = timers__open_and_load();
	struct { const char *name; struct bpf_program *p; int fd; } ps[8];
	int n = 0, prep, fd_fired;

	if (!s2) {
		CONF_FAIL("usercnt", "open_and_load");
		return;
	}
#define KEEP(nm) ps[n].name = #nm, ps[n].p = s2->progs.nm, \
	ps[n].fd = dup(bpf_program__fd(s2->progs.nm)), n++
	KEEP(uc_init_fresh);
	KEEP(uc_init_armed);
	KEEP(uc_setcb_fresh);
	KEEP(uc_setcb_idle);
	KEEP(uc_start_armed);
	KEEP(uc_cancel_armed);
	KEEP(uc_cancel_idle);
#undef KEEP
	fd_fired = dup(bpf_program__fd(s2->progs.uc_fired));
	prep = conf_run(s2->progs.uc_prep);
	timers__destroy(s2);
	conf_wait_ms(150);	/* past the 100 ms the armed timer had */
	CONF_REC("usercnt0_prep", "prep=%s", rc(prep));
	CONF_REC("usercnt0_pending_never_fires", "fired=%d", conf_run_fd(fd_fired));
	for (int i = 0; i < n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "usercnt0_%s", ps[i].name + 3);
		CONF_REC(name, "ret=%s", rc(conf_run_fd(ps[i].fd)));
		close(ps[i].fd);
	}
	close(fd_fired);
}

/*
 * §8 and maps.md §6: pins.  A third skeleton instance (bpfemu loads one
 * instance of an object at a time): pnarr is pinned and every fd of every
 * map is closed (the skeleton destroyed; only programs kept by duplicated
 * fds remain, and they hold no user reference).  Timers keep firing while
 * the pin exists; unlinking it drops usercnt to 0 and cancels the pending
 * one.  The kernel side pins under a directory of its own in /sys/fs/bpf
 * and removes it on every path; bpfemu uses the same paths in its emulated
 * bpffs.
 */
static const char *pin_rc(int r) { return conf_rc(r ? -(long)errno : 0); }

static const char *fd_rc(int fd)
{
	return fd >= 0 ? "fd" : conf_rc(-(long)errno);
}

/* value of @key in the pinned map, through a new fd from bpf_obj_get */
static void pin_lookup(const char *casename, const char *pin, uint32_t key)
{
	int fd = bpf_obj_get(pin);
	struct elem v;
	int r = -1;

	memset(&v, 0xff, sizeof(v));
	if (fd >= 0)
		r = bpf_map_lookup_elem(fd, &key, &v);
	CONF_REC(casename, "obj_get=%s lookup=%s fired=%llu timer_bytes=%llx,%llx", fd_rc(fd),
		 pin_rc(r), (unsigned long long)v.arg, (unsigned long long)v.t[0],
		 (unsigned long long)v.t[1]);
	if (fd >= 0)
		close(fd);
}

static void case_pin(void)
{
	char dir[96], pin[128], path[160];
	struct timers *a;
	int fd_c0 = -1, fd_c1 = -1, fd_c3 = -1, fd_init = -1, fd_cancel = -1, fd;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), key, map_id = 0;
	struct elem v;
	long prep;
	int r, pinned = 0;

	snprintf(dir, sizeof(dir), CONF_BPFFS "/bpfemu-conf-%d", (int)getpid());
	snprintf(pin, sizeof(pin), "%s/pnarr", dir);
	r = conf_bpffs_mkdir(dir);
	if (r) {
		errno = -r;
		CONF_FAIL("pin_setup", "mkdir");
		return;
	}
	a = timers__open_and_load();
	if (!a) {
		CONF_FAIL("pin_setup", "open_and_load");
		goto out;
	}

	/* pin errors */
	snprintf(path, sizeof(path), "%s/nodir/pnarr", dir);
	CONF_REC("pin_missing_parent", "ret=%s", pin_rc(bpf_obj_pin(bpf_map__fd(a->maps.pnarr), path)));
	r = bpf_obj_pin(bpf_map__fd(a->maps.pnarr), pin);
	pinned = !r;
	CONF_REC("pin_map", "ret=%s", pin_rc(r));
	CONF_REC("pin_existing_path", "ret=%s", pin_rc(bpf_obj_pin(bpf_map__fd(a->maps.ucarr), pin)));
	CONF_REC("pin_same_map_twice", "ret=%s", pin_rc(bpf_obj_pin(bpf_map__fd(a->maps.pnarr), pin)));
	CONF_REC("pin_existing_dir", "ret=%s", pin_rc(bpf_obj_pin(bpf_map__fd(a->maps.pnarr), dir)));
	snprintf(path, sizeof(path), "%s/x", pin);
	CONF_REC("pin_parent_is_pin", "ret=%s", pin_rc(bpf_obj_pin(bpf_map__fd(a->maps.pnarr), path)));
	/* outside the bpffs: the path is created nowhere, -EPERM */
	snprintf(path, sizeof(path), "/tmp/bpfemu-conf-%d-pin", (int)getpid());
	r = bpf_obj_pin(bpf_map__fd(a->maps.pnarr), path);
	CONF_REC("pin_outside_bpffs", "ret=%s", pin_rc(r));
	if (!r)
		unlink(path);
	fd = bpf_obj_get("/dev/null");
	CONF_REC("obj_get_outside_bpffs", "ret=%s", fd_rc(fd));
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/missing", dir);
	fd = bpf_obj_get(path);
	CONF_REC("obj_get_missing", "ret=%s", fd_rc(fd));
	if (fd >= 0)
		close(fd);
	fd = bpf_obj_get(dir);
	CONF_REC("obj_get_dir", "ret=%s", fd_rc(fd));
	if (fd >= 0)
		close(fd);
	if (!pinned) {
		CONF_FAIL("pin_setup", "bpf_obj_pin");
		goto out;
	}

	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(bpf_map__fd(a->maps.pnarr), &info, &ilen))
		map_id = info.id;
	prep = conf_run(a->progs.pn_prep);
	fd_c0 = dup(bpf_program__fd(a->progs.pn_count0));
	fd_c1 = dup(bpf_program__fd(a->progs.pn_count1));
	fd_c3 = dup(bpf_program__fd(a->progs.pn_count3));
	fd_init = dup(bpf_program__fd(a->progs.pn_init2));
	fd_cancel = dup(bpf_program__fd(a->progs.pn_cancel3));
	/* every map fd closed: only the pin holds a user reference */
	timers__destroy(a);
	a = NULL;
	CONF_REC("pin_prep", "ret=%s", rc(prep));

	conf_wait_ms(80);	/* key 0 (20 ms) due; keys 1 and 3 pending */
	pin_lookup("pin_fds_closed_timer_fires", pin, 0);
	CONF_REC("pin_fds_closed_others_pending", "key1=%s key3=%s",
		 rc(conf_run_fd(fd_c1)), rc(conf_run_fd(fd_c3)));
	fd = bpf_obj_get(pin);
	if (fd >= 0) {
		struct bpf_map_info gi;
		uint32_t glen = sizeof(gi);
		struct elem nv = { .slot = 7, .action = 0, .arg = 42 };
		int r2;

		memset(&gi, 0, sizeof(gi));
		r = bpf_obj_get_info_by_fd(fd, &gi, &glen);
		CONF_REC("pin_obj_get_info", "ret=%s type=%u max_entries=%u value_size=%u same_id=%d",
			 pin_rc(r), gi.type, gi.max_entries, gi.value_size, gi.id == map_id);
		key = 5;
		r = bpf_map_update_elem(fd, &key, &nv, BPF_ANY);
		memset(&v, 0, sizeof(v));
		r2 = bpf_map_lookup_elem(fd, &key, &v);
		CONF_REC("pin_obj_get_fd_works", "update=%s lookup=%s slot=%llu arg=%llu",
			 pin_rc(r), conf_rc(r2 ? -(long)errno : 0), (unsigned long long)v.slot,
			 (unsigned long long)v.arg);
		close(fd);
	} else {
		CONF_REC("pin_obj_get_info", "obj_get=%s", fd_rc(fd));
	}

	conf_wait_ms(120);	/* key 1 (150 ms) due too, key 3 (400 ms) pending */
	pin_lookup("pin_fds_closed_later_timer_fires", pin, 1);

	/* unlink the pin while key 3 is pending -> usercnt 0 */
	r = conf_bpffs_unlink(pin);
	pinned = r != 0;
	CONF_REC("pin_unlink", "ret=%s", conf_rc(r));
	CONF_REC("pin_unlink_again", "ret=%s", conf_rc(conf_bpffs_unlink(pin)));
	fd = bpf_obj_get(pin);
	CONF_REC("pin_obj_get_after_unlink", "ret=%s", fd_rc(fd));
	if (fd >= 0)
		close(fd);
	conf_wait_ms(300);	/* past key 3's 400 ms */
	CONF_REC("pin_unlinked_pending_cancelled", "fired=%s earlier_counts=%s,%s",
		 rc(conf_run_fd(fd_c3)), rc(conf_run_fd(fd_c0)), rc(conf_run_fd(fd_c1)));
	CONF_REC("pin_unlinked_init", "ret=%s", rc(conf_run_fd(fd_init)));
	CONF_REC("pin_unlinked_cancel_pending", "ret=%s", rc(conf_run_fd(fd_cancel)));

	/* usercnt back above 0 through BPF_MAP_GET_FD_BY_ID: init works again */
	fd = map_id ? bpf_map_get_fd_by_id(map_id) : -1;
	CONF_REC("pin_unlinked_get_fd_by_id_init", "get=%s init=%s", fd_rc(fd),
		 rc(conf_run_fd(fd_init)));
	if (fd >= 0)
		close(fd);
	r = conf_bpffs_rmdir(dir);
	CONF_REC("pin_rmdir", "ret=%s", conf_rc(r));
	if (!r)
		dir[0] = 0;
out:
	if (fd_c0 >= 0)
		close(fd_c0);
	if (fd_c1 >= 0)
		close(fd_c1);
	if (fd_c3 >= 0)
		close(fd_c3);
	if (fd_init >= 0)
		close(fd_init);
	if (fd_cancel >= 0)
		close(fd_cancel);
	timers__destroy(a);
	if (pinned)
		conf_bpffs_unlink(pin);
	if (dir[0])
		conf_bpffs_rmdir(dir);
}

int main(void)
{
	conf_setup();
	sk = timers__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "timers__open_and_load");
		return 1;
	}
	case_init_flags();
	case_init_twice();
	case_uninit();
	case_start_no_callback();
	case_start_flags();
	case_cancel();
	case_fire();
	case_never_fires();
	case_order();
	case_callback();
	case_lookup();
	case_lifetime();
	timers__destroy(sk);
	case_usercnt();
	case_pin();
	return conf_failures ? 1 : 0;
}
