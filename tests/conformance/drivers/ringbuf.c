// SPDX-License-Identifier: MIT
/*
 * Conformance driver for the kernel ring buffer (shared/spec/user_ringbuf.md
 * §7): bpf_ringbuf_output/reserve/submit/discard/query/reserve_dynptr, the
 * "never completely full" rule, and libbpf's consumer (callback counts,
 * discards, a failing callback).
 */
#define CONF_FAMILY "ringbuf"
#include "harness.h"
#include "ringbuf.h"
#include "ringbuf.skel.h"

static struct ringbuf *sk;
static struct ring_buffer *cons;

/* consumer callback log */
static int ncb, fail_at;
static size_t cb_sizes[512];
static unsigned char cb_first[512];

static int on_sample(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (ncb < 512) {
		cb_sizes[ncb] = size;
		cb_first[ncb] = size ? *(unsigned char *)data : 0;
	}
	ncb++;
	if (fail_at && ncb == fail_at)
		return -5;
	return 0;
}

static long long rq(int op, uint64_t size, uint64_t flags)
{
	sk->bss->req_op = op;
	sk->bss->req_size = size;
	sk->bss->req_flags = flags;
	sk->bss->res = -99999;
	if (conf_run(sk->progs.run) == INT32_MIN)
		return -99999;
	return sk->bss->res;
}

static long long output(uint64_t size, uint64_t flags)
{
	return rq(RO_OUTPUT, size, flags);
}

static long long reserve(int sel, uint64_t flags, int commit, uint64_t cflags)
{
	sk->bss->req_size_sel = sel;
	sk->bss->req_commit = commit;
	sk->bss->req_commit_flags = cflags;
	return rq(RO_RESERVE, 0, flags);
}

static long long query(uint64_t flags) { return rq(RO_QUERY, 0, flags); }

static int consume(void)
{
	ncb = 0;
	return ring_buffer__consume(cons);
}

static const char *nul(long long r) { return r == -1 ? "null" : conf_rc(r); }

/* runs first: positions start at 0 on a fresh map */
static void case_query(void)
{
	char name[64];
	long long q[3][6];

	for (int f = 0; f < 6; f++)
		q[0][f] = query(f);
	output(8, 0);
	output(13, 0);
	for (int f = 0; f < 6; f++)
		q[1][f] = query(f);
	int n = consume();
	for (int f = 0; f < 6; f++)
		q[2][f] = query(f);
	for (int f = 0; f < 6; f++) {
		snprintf(name, sizeof(name), "query_flags_%d", f);
		CONF_REC(name, "empty=%lld after_two_outputs=%lld after_consume=%lld",
			 q[0][f], q[1][f], q[2][f]);
	}
	CONF_REC("query_consumed", "n=%d sizes=%zu,%zu", n, cb_sizes[0], cb_sizes[1]);
}

static void case_output(void)
{
	static const uint64_t flags[] = { 0, 1, 2, 3, 4, 8, 1ull << 32 };
	static const uint64_t sizes[] = { 0, 1, 4079, 4080, 4081, 4088, 4096, 8000 };
	char name[64];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		long long r = output(8, flags[i]);
		int n = consume();

		snprintf(name, sizeof(name), "output_flags_0x%llx", (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s consumed=%d", conf_rc(r), n);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long long r = output(sizes[i], 0);
		int n = consume();

		snprintf(name, sizeof(name), "output_size_%llu", (unsigned long long)sizes[i]);
		CONF_REC(name, "ret=%s consumed=%d size=%zu", conf_rc(r), n,
			 n > 0 ? cb_sizes[0] : 0);
	}

	/* fill with 8-byte records: a kernel ring never becomes 100% full */
	int k = 0;
	long long r = 0;
	while (k < 600 && !(r = output(8, 0)))
		k++;
	long long avail = query(0);
	int n = consume();
	CONF_REC("output_fill_8byte_records", "accepted=%d stop=%s avail=%lld consumed=%d",
		 k, conf_rc(r), avail, n);

	long long r1 = output(4080, 0);
	long long r2 = output(0, 0);
	n = consume();
	CONF_REC("output_4080_then_0", "first=%s second=%s consumed=%d", conf_rc(r1),
		 conf_rc(r2), n);
}

static void case_reserve(void)
{
	static const struct { const char *name; int sel; } sz[] = {
		{ "0", RS_0 }, { "8", RS_8 }, { "4080", RS_4080 }, { "4081", RS_4081 },
		{ "4088", RS_4088 }, { "4096", RS_4096 },
	};
	static const uint64_t flags[] = { 0, 1, 2, 4, 1ull << 32 };
	char name[64];

	for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		long long r = reserve(sz[i].sel, 0, RC_SUBMIT, 0);
		int n = consume();

		snprintf(name, sizeof(name), "reserve_size_%s", sz[i].name);
		CONF_REC(name, "ret=%s consumed=%d size=%zu", nul(r), n, n > 0 ? cb_sizes[0] : 0);
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		long long r = reserve(RS_8, flags[i], RC_SUBMIT, 0);
		int n = consume();

		snprintf(name, sizeof(name), "reserve_flags_0x%llx", (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s consumed=%d", nul(r), n);
	}
	/* submit / discard, with known and unknown commit flags */
	static const uint64_t cflags[] = { 0, 1, 2, 3, 8 };
	for (size_t i = 0; i < sizeof(cflags) / sizeof(cflags[0]); i++) {
		sk->bss->req_fill = 0x40 + i;
		long long rs = reserve(RS_8, 0, RC_SUBMIT, cflags[i]);
		long long rd = reserve(RS_8, 0, RC_DISCARD, cflags[i]);
		long long avail = query(0);
		int n = consume();

		snprintf(name, sizeof(name), "submit_discard_cflags_0x%llx",
			 (unsigned long long)cflags[i]);
		CONF_REC(name, "submit=%s discard=%s avail=%lld consumed=%d first=0x%02x after=%lld",
			 nul(rs), nul(rd), avail, n, n > 0 ? cb_first[0] : 0, query(0));
	}
	sk->bss->req_fill = 0;

	long long r1 = reserve(RS_4080, 0, RC_SUBMIT, 0);
	long long r2 = reserve(RS_0, 0, RC_SUBMIT, 0);
	int n = consume();
	CONF_REC("reserve_4080_then_0", "first=%s second=%s consumed=%d", nul(r1), nul(r2), n);
}

static void case_dynptr(void)
{
	static const struct { const char *name; uint64_t size, flags; int commit; } cs[] = {
		{ "size8", 8, 0, RC_SUBMIT },
		{ "size0", 0, 0, RC_SUBMIT },
		{ "size8_discard", 8, 0, RC_DISCARD },
		{ "flags1", 8, 1, RC_SUBMIT },
		{ "size_4080", 4080, 0, RC_SUBMIT },
		{ "size_4081_no_space", 4081, 0, RC_SUBMIT },
		{ "size_2pow24_minus1", (1u << 24) - 1, 0, RC_SUBMIT },
		{ "size_2pow24", 1u << 24, 0, RC_SUBMIT },
		{ "size_2pow24_flags1", 1u << 24, 1, RC_SUBMIT },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		sk->bss->req_commit = cs[i].commit;
		sk->bss->req_commit_flags = 0;
		long long r = rq(RO_DYNPTR, cs[i].size, cs[i].flags);
		int n = consume();

		snprintf(name, sizeof(name), "reserve_dynptr_%s", cs[i].name);
		CONF_REC(name, "ret=%s consumed=%d size=%zu", conf_rc(r), n,
			 n > 0 ? cb_sizes[0] : 0);
	}
}

static void case_consumer(void)
{
	for (int i = 0; i < 3; i++) {
		sk->bss->req_fill = 0x10 + i;
		output(8, 0);
	}
	sk->bss->req_fill = 0;
	fail_at = 2;
	int r1 = consume();
	int c1 = ncb;
	fail_at = 0;
	int r2 = consume();
	CONF_REC("consumer_callback_error_on_second", "ret=%s callbacks=%d then=%d first_after=0x%02x",
		 conf_rc(r1), c1, r2, cb_first[0]);

	int p0 = ring_buffer__poll(cons, 0);
	output(8, 0);
	output(8, 0);
	ncb = 0;
	int p2 = ring_buffer__poll(cons, 0);
	CONF_REC("consumer_poll_timeout0", "empty=%d two=%d", p0, p2);

	reserve(RS_8, 0, RC_DISCARD, 0);
	reserve(RS_8, 0, RC_DISCARD, 0);
	int n = consume();
	CONF_REC("consumer_discards_only", "consumed=%d callbacks=%d avail_after=%lld",
		 n, ncb, query(0));

	int afd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
	errno = 0;
	struct ring_buffer *x = ring_buffer__new(afd, on_sample, NULL, NULL);
	CONF_REC("consumer_new_on_array_map", "ret=%s", x ? "ok" : conf_rc(-errno));
	ring_buffer__free(x);
	int ufd = bpf_map_create(CONF_MAP_TYPE_USER_RINGBUF, NULL, 0, 0, 4096, NULL);
	errno = 0;
	x = ring_buffer__new(ufd, on_sample, NULL, NULL);
	CONF_REC("consumer_new_on_user_ringbuf", "ret=%s", x ? "ok" : conf_rc(-errno));
	ring_buffer__free(x);
	close(ufd);
	close(afd);
}

static void case_create(void)
{
	static const struct conf_create_case cs[] = {
		{ "ok_4096", 0, 0, 4096, 0 },
		{ "max0", 0, 0, 0, 0 },
		{ "max2048", 0, 0, 2048, 0 },
		{ "max12288", 0, 0, 12288, 0 },
		{ "key4", 4, 0, 4096, 0 },
		{ "value4", 0, 4, 4096, 0 },
		{ "no_prealloc", 0, 0, 4096, BPF_F_NO_PREALLOC },
		{ "numa_node", 0, 0, 4096, BPF_F_NUMA_NODE },
	};

	conf_create_cases(BPF_MAP_TYPE_RINGBUF, cs, sizeof(cs) / sizeof(cs[0]));

	uint32_t k = 0;
	uint64_t v = 0;
	int fd = bpf_map__fd(sk->maps.rb);
	CONF_REC("user_lookup_elem", "ret=%s", conf_rc(bpf_map_lookup_elem(fd, &k, &v) ? -errno : 0));
	CONF_REC("user_update_elem", "ret=%s", conf_rc(bpf_map_update_elem(fd, &k, &v, 0) ? -errno : 0));
	CONF_REC("user_delete_elem", "ret=%s", conf_rc(bpf_map_delete_elem(fd, &k) ? -errno : 0));
	CONF_REC("user_get_next_key", "ret=%s", conf_rc(bpf_map_get_next_key(fd, NULL, &k) ? -errno : 0));
	/* key_size is 0: a non-NULL key pointer is refused before the map op */
	CONF_REC("user_lookup_elem_null_key", "ret=%s", conf_rc(bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0));
	CONF_REC("user_update_elem_null_key", "ret=%s", conf_rc(bpf_map_update_elem(fd, NULL, &v, 0) ? -errno : 0));
	CONF_REC("user_delete_elem_null_key", "ret=%s", conf_rc(bpf_map_delete_elem(fd, NULL) ? -errno : 0));
	CONF_REC("user_get_next_key_with_key", "ret=%s", conf_rc(bpf_map_get_next_key(fd, &k, &k) ? -errno : 0));
}

/* user_ringbuf.md §2: mmap rules of a RINGBUF map fd */
static void case_mmap(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), sz = 4096;
	size_t all = 2 * pg + 2 * sz;	/* consumer, producer, data twice */
	const int RO = PROT_READ, RW = PROT_READ | PROT_WRITE;
	const struct conf_mmap_case cases[] = {
		{ "mmap_consumer_rw", pg, RW, MAP_SHARED, 0 },
		{ "mmap_consumer_ro", pg, RO, MAP_SHARED, 0 },
		{ "mmap_consumer_producer_rw", 2 * pg, RW, MAP_SHARED, 0 },
		{ "mmap_producer_rw", pg, RW, MAP_SHARED, (long)pg },
		{ "mmap_data_rw", pg, RW, MAP_SHARED, (long)(2 * pg) },
		{ "mmap_producer_data_ro", pg + 2 * sz, RO, MAP_SHARED, (long)pg },
		{ "mmap_whole_ro", all, RO, MAP_SHARED, 0 },
		{ "mmap_whole_plus_page_ro", all + pg, RO, MAP_SHARED, 0 },
		{ "mmap_page_past_end_ro", pg, RO, MAP_SHARED, (long)all },
		{ "mmap_private_ro", pg, RO, MAP_PRIVATE, 0 },
		{ "mmap_private_consumer_rw", pg, RW, MAP_PRIVATE, 0 },
	};
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, (uint32_t)sz, NULL);
	void *p;

	if (fd < 0) {
		CONF_FAIL("mmap_setup", "bpf_map_create");
		return;
	}
	conf_mmap_cases(fd, cases, sizeof(cases) / sizeof(cases[0]));
	conf_mmap_ro_mprotect_rw(fd, "mmap_producer_ro_mprotect_rw", pg, (long)pg);
	close(fd);

	/* a record written by the program is seen in both copies of the data */
	fd = bpf_map__fd(sk->maps.rb);
	p = conf_map_mmap(fd, pg + 2 * sz, PROT_READ, (long)pg);
	if (p == MAP_FAILED) {
		CONF_REC("mmap_data_twice", "map=%s", conf_rc(-(long)errno));
		return;
	}
	volatile uint64_t *prod = p;
	volatile unsigned char *d = (unsigned char *)p + pg;
	uint64_t pos0 = *prod;
	long long r0 = output(0, 0);	/* an 8-byte record first */
	uint64_t at;

	sk->bss->req_fill = 0x77;
	long long r1 = output(16, 0);
	at = (pos0 + 8) & (sz - 1);
	CONF_REC("mmap_data_twice",
		 "outputs=%s,%s hdr_len=%u hdr_len_copy=%u byte=0x%02x byte_copy=0x%02x prod_delta=%llu",
		 conf_rc(r0), conf_rc(r1), *(volatile uint32_t *)(d + at),
		 *(volatile uint32_t *)(d + sz + at), d[at + 8], d[sz + at + 8],
		 (unsigned long long)(*prod - pos0));
	sk->bss->req_fill = 0;
	consume();
	munmap(p, pg + 2 * sz);
}

int main(void)
{
	conf_setup();
	sk = ringbuf__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "ringbuf__open_and_load");
		return 1;
	}
	cons = ring_buffer__new(bpf_map__fd(sk->maps.rb), on_sample, NULL, NULL);
	if (!cons) {
		CONF_FAIL("setup", "ring_buffer__new");
		return 1;
	}
	case_query();
	case_output();
	case_reserve();
	case_dynptr();
	case_consumer();
	case_create();
	case_mmap();
	ring_buffer__free(cons);
	ringbuf__destroy(sk);
	return conf_failures ? 1 : 0;
}
