// SPDX-License-Identifier: MIT
/*
 * Conformance driver for cgroup local storage (shared/spec/cgrp_storage.md
 * §1, §4-§7, §11): helper get/delete paths and flags, user-space access
 * keyed by cgroup fds (flags, bad keys, the cgroup2 root), independence of
 * maps and cgroups, and what rmdir does.  Cgroups come from the harness:
 * real ones under the cgroup2 mount on the kernel, bpfemu's model here.
 */
#define CONF_FAMILY "cgrp_storage"
#include "harness.h"
#include "cgrp_storage.h"
#include "cgrp_storage.skel.h"

#define F_CREATE 1ull

struct cval { uint64_t a, b; };
struct lval { uint32_t lock, pad; uint64_t a; };

static struct cgrp_storage *sk;
static struct conf_cgroup cga, cgb, cgc;

static int mfd(int m)
{
	return bpf_map__fd(m == CM_S1 ? sk->maps.s1 : m == CM_S2 ? sk->maps.s2 : sk->maps.lk);
}

static const char *v(long long r)
{
	static char b[4][32];
	static int i;

	if (r == CR_NULL)
		return "null";
	if (r == CR_NOCG)
		return "no_cgroup";
	if (r < 0)
		return conf_rc(r);
	snprintf(b[i % 4], 32, "%lld", r);
	return b[i++ % 4];
}

static long long rq(int m, int op, uint64_t cgid, uint64_t flags, int use_value,
		    uint64_t arg)
{
	sk->bss->req_map = m;
	sk->bss->req_op = op;
	sk->bss->req_cgid = cgid;
	sk->bss->req_null_cgrp = 0;
	sk->bss->req_flags = flags;
	sk->bss->req_use_value = use_value;
	sk->bss->req_arg = arg;
	sk->bss->res = -99999;
	if (conf_run(sk->progs.run) == INT32_MIN)
		return -99999;
	return sk->bss->res;
}

static long long pget(int m, const struct conf_cgroup *cg, uint64_t flags)
{
	return rq(m, CO_GET, cg->id, flags, 0, 0);
}

static long long pget_val(int m, const struct conf_cgroup *cg, uint64_t flags, uint64_t a)
{
	return rq(m, CO_GET, cg->id, flags, 1, a);
}

static long long pdel(int m, const struct conf_cgroup *cg)
{
	return rq(m, CO_DELETE, cg->id, 0, 0, 0);
}

/* user-space lookup of field a, or the errno */
static long long ulook(int m, int fd)
{
	union { struct cval c; struct lval l; } u;

	memset(&u, 0, sizeof(u));
	if (bpf_map_lookup_elem(mfd(m), &fd, &u))
		return -errno;
	return m == CM_LK ? (long long)u.l.a : (long long)u.c.a;
}

static long uupd(int m, int fd, uint64_t a, uint64_t flags)
{
	union { struct cval c; struct lval l; } u;

	memset(&u, 0, sizeof(u));
	if (m == CM_LK)
		u.l.a = a;
	else
		u.c.a = a;
	return bpf_map_update_elem(mfd(m), &fd, &u, flags) ? -errno : 0;
}

static long udel(int m, int fd)
{
	return bpf_map_delete_elem(mfd(m), &fd) ? -errno : 0;
}

static void wipe(const struct conf_cgroup *cg)
{
	udel(CM_S1, cg->fd);
	udel(CM_S2, cg->fd);
	udel(CM_LK, cg->fd);
}

static void case_get(void)
{
	static const uint64_t flags[] = { 0, F_CREATE, 2, 3, 4, ~0ull };
	char name[64];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		long long absent, present, after;

		wipe(&cga);
		absent = pget(CM_S1, &cga, flags[i]);
		long long created = ulook(CM_S1, cga.fd);
		wipe(&cga);
		uupd(CM_S1, cga.fd, 7, BPF_ANY);
		present = pget(CM_S1, &cga, flags[i]);
		after = pget(CM_S1, &cga, 0);
		snprintf(name, sizeof(name), "get_flags_0x%llx", (unsigned long long)flags[i]);
		CONF_REC(name, "absent=%s created=%s present=%s then_get0=%s",
			 v(absent), v(created), v(present), v(after));
	}

	wipe(&cga);
	long long g1 = pget(CM_S1, &cga, F_CREATE);
	long long u1 = ulook(CM_S1, cga.fd);
	wipe(&cga);
	long long g2 = pget_val(CM_S1, &cga, F_CREATE, 5);
	long long u2 = ulook(CM_S1, cga.fd);
	long long g3 = pget_val(CM_S1, &cga, F_CREATE, 9);
	long long g4 = pget_val(CM_S1, &cga, 0, 9);
	CONF_REC("get_create_null_value", "get=%s user=%s", v(g1), v(u1));
	CONF_REC("get_create_with_value", "get=%s user=%s", v(g2), v(u2));
	CONF_REC("get_create_when_present", "get_create=%s get0=%s", v(g3), v(g4));

	wipe(&cga);
	long long same = rq(CM_S1, CO_SAME_PTR, cga.id, 0, 0, 0);
	long long w = rq(CM_S1, CO_WRITE, cga.id, 0, 0, 77);
	CONF_REC("get_same_pointer_and_write", "same=%s write=%s user=%s prog=%s",
		 v(same), v(w), v(ulook(CM_S1, cga.fd)), v(pget(CM_S1, &cga, 0)));
	wipe(&cga);
	w = rq(CM_S1, CO_WRITE, cga.id, 0, 0, 77);
	CONF_REC("write_without_storage", "write=%s", v(w));

	/* a constant NULL cgroup */
	sk->bss->req_null_cgrp = 1;
	sk->bss->req_map = CM_S1;
	sk->bss->req_op = CO_GET;
	sk->bss->req_flags = F_CREATE;
	sk->bss->req_use_value = 0;
	conf_run(sk->progs.run);
	long long ng = sk->bss->res;
	sk->bss->req_op = CO_DELETE;
	conf_run(sk->progs.run);
	long long nd = sk->bss->res;
	sk->bss->req_null_cgrp = 0;
	CONF_REC("null_cgroup", "get_create=%s delete=%s", v(ng), v(nd));
}

static void case_delete(void)
{
	wipe(&cga);
	uupd(CM_S1, cga.fd, 3, BPF_ANY);
	long long d1 = pdel(CM_S1, &cga);
	long long g = pget(CM_S1, &cga, 0);
	long long d2 = pdel(CM_S1, &cga);
	long long u = ulook(CM_S1, cga.fd);
	CONF_REC("delete_present", "delete=%s get0=%s again=%s user_lookup=%s",
		 v(d1), v(g), v(d2), v(u));
	wipe(&cgc);
	CONF_REC("delete_no_storage_at_all", "delete=%s", v(pdel(CM_S1, &cgc)));
}

static void case_user(void)
{
	static const uint64_t bad[] = { 3, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST, 8, 1ull << 32 };
	char name[64];
	int fd = cga.fd;
	uint32_t nk;

	wipe(&cga);
	CONF_REC("user_lookup_missing", "ret=%s", v(ulook(CM_S1, fd)));
	long long r = uupd(CM_S1, fd, 4, BPF_EXIST);
	CONF_REC("user_update_exist_missing", "ret=%s after=%s", v(r), v(ulook(CM_S1, fd)));
	r = uupd(CM_S1, fd, 4, BPF_NOEXIST);
	long long r2 = uupd(CM_S1, fd, 5, BPF_NOEXIST);
	CONF_REC("user_update_noexist", "missing=%s present=%s value=%s", v(r), v(r2),
		 v(ulook(CM_S1, fd)));
	r = uupd(CM_S1, fd, 6, BPF_EXIST);
	CONF_REC("user_update_exist_present", "ret=%s value=%s prog=%s", v(r),
		 v(ulook(CM_S1, fd)), v(pget(CM_S1, &cga, 0)));
	r = uupd(CM_S1, fd, 8, BPF_ANY);
	CONF_REC("user_update_any_present", "ret=%s value=%s", v(r), v(ulook(CM_S1, fd)));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wipe(&cga);
		r = uupd(CM_S1, fd, 4, bad[i]);
		snprintf(name, sizeof(name), "user_update_flags_0x%llx", (unsigned long long)bad[i]);
		CONF_REC(name, "ret=%s created=%s", v(r), v(ulook(CM_S1, fd)));
	}
	wipe(&cga);
	uupd(CM_S1, fd, 4, BPF_ANY);
	long long d1 = udel(CM_S1, fd);
	long long d2 = udel(CM_S1, fd);
	CONF_REC("user_delete", "present=%s again=%s prog_get0=%s", v(d1), v(d2),
		 v(pget(CM_S1, &cga, 0)));
	r = bpf_map_get_next_key(mfd(CM_S1), NULL, &nk) ? -errno : 0;
	r2 = bpf_map_get_next_key(mfd(CM_S1), &fd, &nk) ? -errno : 0;
	CONF_REC("user_get_next_key", "null=%s cgroup_fd=%s", v(r), v(r2));
	struct cval cv;
	r = bpf_map_lookup_elem_flags(mfd(CM_S1), &fd, &cv, BPF_F_LOCK) ? -errno : 0;
	CONF_REC("user_lookup_flock_no_lock", "ret=%s", v(r));

	/* a value with a spin lock: BPF_F_LOCK works */
	wipe(&cga);
	r = uupd(CM_LK, fd, 1, BPF_F_LOCK | BPF_EXIST);
	r2 = uupd(CM_LK, fd, 2, BPF_F_LOCK);
	long long r3 = uupd(CM_LK, fd, 3, BPF_F_LOCK);
	long long r4 = uupd(CM_LK, fd, 4, BPF_F_LOCK | BPF_NOEXIST);
	struct lval lv;
	long long lk = bpf_map_lookup_elem_flags(mfd(CM_LK), &fd, &lv, BPF_F_LOCK) ? -errno : (long long)lv.a;
	CONF_REC("user_update_flock_lock_value", "exist_missing=%s missing=%s present=%s "
		 "noexist_present=%s lookup_flock=%s prog=%s", v(r), v(r2), v(r3), v(r4),
		 v(lk), v(pget(CM_LK, &cga, 0)));
}

static void case_keys(void)
{
	int nfd = open("/dev/null", O_RDONLY);
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	int closed = dup(nfd);
	struct cval cv = { 1, 2 };

	close(closed);
	struct { const char *name; int fd; } ks[] = {
		{ "minus1", -1 }, { "dev_null", nfd }, { "tmp_dir", dfd }, { "closed_fd", closed },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		int k = ks[i].fd;
		long l = bpf_map_lookup_elem(mfd(CM_S1), &k, &cv) ? -errno : 0;
		long u = bpf_map_update_elem(mfd(CM_S1), &k, &cv, BPF_ANY) ? -errno : 0;
		long d = bpf_map_delete_elem(mfd(CM_S1), &k) ? -errno : 0;

		snprintf(name, sizeof(name), "key_%s", ks[i].name);
		CONF_REC(name, "lookup=%s update=%s delete=%s", conf_rc(l), conf_rc(u), conf_rc(d));
	}
	close(nfd);
	close(dfd);

	int rfd = conf_cgroup_root_fd();
	if (rfd < 0) {
		CONF_FAIL("key_cgroup2_root", "open root");
		return;
	}
	udel(CM_S1, rfd);
	long u = uupd(CM_S1, rfd, 12, BPF_ANY);
	long long l = ulook(CM_S1, rfd);
	long long p = rq(CM_S1, CO_GET, 1, 0, 0, 0);	/* the root's id is 1 */
	long d = udel(CM_S1, rfd);
	CONF_REC("key_cgroup2_root", "update=%s lookup=%s prog_get_id1=%s delete=%s",
		 conf_rc(u), v(l), v(p), conf_rc(d));
	close(rfd);
}

static void case_independence(void)
{
	wipe(&cga);
	wipe(&cgb);
	pget_val(CM_S1, &cga, F_CREATE, 1);
	pget_val(CM_S2, &cga, F_CREATE, 2);
	long long b1 = pget(CM_S1, &cgb, 0);
	long long ub = ulook(CM_S1, cgb.fd);
	long long d = pdel(CM_S1, &cga);
	CONF_REC("two_maps_one_cgroup", "delete_s1=%s s1=%s s2=%s", v(d),
		 v(pget(CM_S1, &cga, 0)), v(pget(CM_S2, &cga, 0)));
	CONF_REC("other_cgroup_sees_nothing", "prog=%s user=%s", v(b1), v(ub));
	wipe(&cga);
}

static void case_from_id(void)
{
	CONF_REC("cgroup_from_id", "live=%s root=%s zero=%s unused=%s",
		 v(rq(CM_S1, CO_FROM_ID, cga.id, 0, 0, 0)),
		 v(rq(CM_S1, CO_FROM_ID, 1, 0, 0, 0)),
		 v(rq(CM_S1, CO_FROM_ID, 0, 0, 0, 0)),
		 v(rq(CM_S1, CO_FROM_ID, 0xfffffffffffull, 0, 0, 0)));
}

/* §7: rmdir with the directory fd still open; a same-named new cgroup */
static void case_rmdir(void)
{
	struct conf_cgroup d;
	int err = conf_cgroup_create(&d, "gone");

	if (err) {
		errno = -err;
		CONF_FAIL("rmdir", "cgroup create");
		return;
	}
	uupd(CM_S1, d.fd, 31, BPF_ANY);
	uint64_t old_id = d.id;
	long long before = ulook(CM_S1, d.fd);
	err = conf_cgroup_rmdir(&d);
	long long l = ulook(CM_S1, d.fd);
	long u = uupd(CM_S1, d.fd, 32, BPF_ANY);
	long dl = udel(CM_S1, d.fd);
	long long fid = rq(CM_S1, CO_FROM_ID, old_id, 0, 0, 0);
	CONF_REC("after_rmdir_old_fd", "before=%s rmdir=%s lookup=%s update=%s delete=%s from_id=%s",
		 v(before), conf_rc(err), v(l), conf_rc(u), conf_rc(dl), v(fid));

	struct conf_cgroup again;
	err = conf_cgroup_create(&again, "gone");
	if (err) {
		errno = -err;
		CONF_FAIL("rmdir_recreate", "cgroup create");
		conf_cgroup_destroy(&d);
		return;
	}
	CONF_REC("after_rmdir_recreated", "new_id=%d lookup=%s prog_get0=%s",
		 again.id != old_id, v(ulook(CM_S1, again.fd)), v(pget(CM_S1, &again, 0)));
	conf_cgroup_destroy(&again);
	conf_cgroup_destroy(&d);
}

static void case_create(void)
{
	static const struct { const char *name; uint32_t key, value, max, flags; } cs[] = {
		{ "valid_attrs_no_btf", 4, 16, 0, BPF_F_NO_PREALLOC },
		{ "max1", 4, 16, 1, BPF_F_NO_PREALLOC },
		{ "flags0", 4, 16, 0, 0 },
		{ "key8", 8, 16, 0, BPF_F_NO_PREALLOC },
		{ "value0", 4, 0, 0, BPF_F_NO_PREALLOC },
		{ "value65536", 4, 65536, 0, BPF_F_NO_PREALLOC },
		{ "rdonly_prog", 4, 16, 0, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		long r = conf_map_create_rc(CONF_MAP_TYPE_CGRP_STORAGE, cs[i].key, cs[i].value,
					    cs[i].max, cs[i].flags);

		snprintf(name, sizeof(name), "create_%s", cs[i].name);
		CONF_REC(name, "ret=%s", conf_rc(r));
	}
}

int main(void)
{
	int err;

	conf_setup();
	sk = cgrp_storage__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "cgrp_storage__open_and_load");
		return 1;
	}
	err = conf_cgroup_create(&cga, "a");
	if (!err)
		err = conf_cgroup_create(&cgb, "b");
	if (!err)
		err = conf_cgroup_create(&cgc, "c");
	if (err) {
		errno = -err;
		CONF_FAIL("setup", "cgroup create");
	} else {
		case_get();
		case_delete();
		case_user();
		case_keys();
		case_independence();
		case_from_id();
		case_rmdir();
	}
	case_create();
	conf_cgroup_destroy(&cga);
	conf_cgroup_destroy(&cgb);
	conf_cgroup_destroy(&cgc);
	cgrp_storage__destroy(sk);
	return conf_failures ? 1 : 0;
}
