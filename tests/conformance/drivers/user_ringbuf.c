// SPDX-License-Identifier: MIT
/*
 * Conformance driver for the user ring buffer (shared/spec/user_ringbuf.md):
 * map creation, libbpf producer reserve boundaries, drain counts and flags,
 * discards, the 131072-sample budget, malformed headers (written through
 * the sample pointer), and the dynptr helpers inside the drain callback.
 */
#define CONF_FAMILY "user_ringbuf"
#include <poll.h>
#include "harness.h"
#include "user_ringbuf.h"
#include "user_ringbuf.skel.h"

#define BUSY	0x80000000u
#define DISCARD	0x40000000u

static struct user_ringbuf *sk;
static struct user_ring_buffer *rs, *rbig;

static long drain_ring(int ring, uint64_t flags)
{
	sk->bss->req_ring = ring;
	sk->bss->req_flags = flags;
	sk->bss->res = -999999;
	if (conf_run(sk->progs.drain) == INT32_MIN)
		return -999999;
	return (long)sk->bss->res;
}

static long drain(uint64_t flags) { return drain_ring(UR_SMALL, flags); }

static void reset_req(void)
{
	sk->bss->req_stop_at = 0;
	sk->bss->req_nested = 0;
	sk->bss->req_probe = 0;
	sk->bss->req_copy = 0;
}

/* drain until empty (a case must leave the ring empty) */
static void flush(int ring)
{
	reset_req();
	for (int i = 0; i < 8 && drain_ring(ring, 0) > 0; i++)
		;
}

static uint32_t *hdr(void *sample) { return (uint32_t *)((char *)sample - 8); }

/* reserve: errno name or "ok" */
static const char *rsv(struct user_ring_buffer *r, uint32_t size, void **out)
{
	void *p;

	errno = 0;
	p = user_ring_buffer__reserve(r, size);
	if (out)
		*out = p;
	return p ? "ok" : conf_rc(-errno);
}

static int submit_n(struct user_ring_buffer *r, int n, uint32_t size)
{
	for (int i = 0; i < n; i++) {
		void *p = user_ring_buffer__reserve(r, size);

		if (!p)
			return i;
		user_ring_buffer__submit(r, p);
	}
	return n;
}

static void case_create(void)
{
	static const struct conf_create_case cs[] = {
		{ "ok_4096", 0, 0, 4096, 0 },
		{ "ok_8192", 0, 0, 8192, 0 },
		{ "max0", 0, 0, 0, 0 },
		{ "max2048", 0, 0, 2048, 0 },
		{ "max4095", 0, 0, 4095, 0 },
		{ "max12288", 0, 0, 12288, 0 },
		{ "key4", 4, 0, 4096, 0 },
		{ "value4", 0, 4, 4096, 0 },
		{ "no_prealloc", 0, 0, 4096, BPF_F_NO_PREALLOC },
		{ "rdonly_prog", 0, 0, 4096, BPF_F_RDONLY_PROG },
		{ "numa_node", 0, 0, 4096, BPF_F_NUMA_NODE },
		{ "mmapable", 0, 0, 4096, BPF_F_MMAPABLE },
	};

	conf_create_cases(CONF_MAP_TYPE_USER_RINGBUF, cs, sizeof(cs) / sizeof(cs[0]));

	int afd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
	struct user_ring_buffer *u;

	errno = 0;
	u = user_ring_buffer__new(afd, NULL);
	CONF_REC("new_on_array_map", "ret=%s", u ? "ok" : conf_rc(-errno));
	user_ring_buffer__free(u);
	close(afd);

	struct { struct user_ring_buffer_opts o; char tail[16]; } big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.tail[3] = 1;
	errno = 0;
	u = user_ring_buffer__new(bpf_map__fd(sk->maps.urb), &big.o);
	CONF_REC("new_opts_nonzero_tail", "ret=%s", u ? "ok" : conf_rc(-errno));
	user_ring_buffer__free(u);

	/* syscall element commands (key_size 0: with and without a key pointer) */
	int fd = bpf_map__fd(sk->maps.urb);
	uint32_t k = 0;
	uint64_t v = 0;
	CONF_REC("user_lookup_elem", "key=%s null_key=%s",
		 conf_rc(bpf_map_lookup_elem(fd, &k, &v) ? -errno : 0),
		 conf_rc(bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0));
	CONF_REC("user_update_elem", "key=%s null_key=%s",
		 conf_rc(bpf_map_update_elem(fd, &k, &v, 0) ? -errno : 0),
		 conf_rc(bpf_map_update_elem(fd, NULL, &v, 0) ? -errno : 0));
	CONF_REC("user_delete_elem", "key=%s null_key=%s",
		 conf_rc(bpf_map_delete_elem(fd, &k) ? -errno : 0),
		 conf_rc(bpf_map_delete_elem(fd, NULL) ? -errno : 0));
	CONF_REC("user_get_next_key", "key=%s null_key=%s",
		 conf_rc(bpf_map_get_next_key(fd, &k, &k) ? -errno : 0),
		 conf_rc(bpf_map_get_next_key(fd, NULL, &k) ? -errno : 0));
}

static void case_reserve(void)
{
	static const uint32_t sizes[] = {
		4096, 4089, 1u << 30, 1u << 31, 0x3fffffff, 0xffffffff,
	};
	char name[64];
	void *p, *q;
	const char *r, *r2;
	long d;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		r = rsv(rs, sizes[i], &p);
		if (p)
			user_ring_buffer__discard(rs, p);
		flush(UR_SMALL);
		snprintf(name, sizeof(name), "reserve_0x%x", sizes[i]);
		CONF_REC(name, "ret=%s", r);
	}

	r = rsv(rs, 4088, &p);
	r2 = rsv(rs, 0, &q);
	if (q)
		user_ring_buffer__discard(rs, q);
	if (p)
		user_ring_buffer__submit(rs, p);
	d = drain(0);
	CONF_REC("reserve_4088_fills_ring", "reserve=%s then_reserve0=%s drain=%s size=%u",
		 r, r2, conf_rc(d), sk->bss->sizes[0]);
	flush(UR_SMALL);

	int n = 0;
	void *ps[200];
	while (n < 200 && (ps[n] = user_ring_buffer__reserve(rs, 16)))
		n++;
	int err = errno;
	for (int i = 0; i < n; i++)
		user_ring_buffer__submit(rs, ps[i]);
	d = drain(0);
	r = rsv(rs, 16, &p);
	if (p)
		user_ring_buffer__discard(rs, p);
	CONF_REC("reserve_16_until_full", "reserved=%d stop=%s drain=%s reserve_after_drain=%s",
		 n, conf_rc(-err), conf_rc(d), r);
	flush(UR_SMALL);

	r = rsv(rs, 0, &p);
	if (p)
		user_ring_buffer__submit(rs, p);
	d = drain(0);
	CONF_REC("reserve_zero_length", "reserve=%s drain=%s size=%u", r,
		 conf_rc(d), sk->bss->sizes[0]);
	flush(UR_SMALL);

	errno = 0;
	p = user_ring_buffer__reserve_blocking(rs, 16, -2);
	CONF_REC("reserve_blocking_timeout_minus2", "ret=%s", p ? "ok" : conf_rc(-errno));
	if (p)
		user_ring_buffer__discard(rs, p);
	errno = 0;
	p = user_ring_buffer__reserve_blocking(rs, 4096, 1000);
	CONF_REC("reserve_blocking_too_big", "ret=%s", p ? "ok" : conf_rc(-errno));
	if (p)
		user_ring_buffer__discard(rs, p);
	p = user_ring_buffer__reserve(rs, 4088);
	errno = 0;
	q = user_ring_buffer__reserve_blocking(rs, 16, 0);
	CONF_REC("reserve_blocking_full_timeout0", "ret=%s", q ? "ok" : conf_rc(-errno));
	if (q)
		user_ring_buffer__discard(rs, q);
	if (p)
		user_ring_buffer__discard(rs, p);
	flush(UR_SMALL);

	/* reserve_blocking results that need no waiting (§4.4) */
	static const struct {
		const char *name;
		uint32_t fill, size;	/* fill: bytes reserved first */
		int timeout;
	} bl[] = {
		{ "empty_timeout0", 0, 16, 0 },
		{ "too_big_timeout0", 0, 4096, 0 },
		{ "too_big_forever", 0, 4089, -1 },
		{ "size_1<<30_timeout0", 0, 1u << 30, 0 },
		{ "timeout_minus2_full", 4096, 16, -2 },
		{ "timeout_minus1000", 0, 16, -1000 },
		{ "full_timeout0_size0", 4096, 0, 0 },
		{ "16_free_timeout0", 4080, 16, 0 },
		{ "16_free_timeout0_size8", 4080, 8, 0 },
	};
	for (size_t i = 0; i < sizeof(bl) / sizeof(bl[0]); i++) {
		p = bl[i].fill ? user_ring_buffer__reserve(rs, bl[i].fill - 8) : NULL;
		errno = 0;
		q = user_ring_buffer__reserve_blocking(rs, bl[i].size, bl[i].timeout);
		snprintf(name, sizeof(name), "reserve_blocking_%s", bl[i].name);
		CONF_REC(name, "fill=%s ret=%s", bl[i].fill ? (p ? "ok" : "failed") : "none",
			 q ? "ok" : conf_rc(-errno));
		if (q)
			user_ring_buffer__discard(rs, q);
		if (p)
			user_ring_buffer__discard(rs, p);
		flush(UR_SMALL);
	}
}

static void case_drain(void)
{
	static const uint64_t flags[] = { 1, 2, 3, 4, 8, 1ull << 32 };
	char name[64];
	long d1, d2;
	void *a, *b, *c;

	reset_req();
	d1 = drain(0);
	d2 = drain(BPF_RB_FORCE_WAKEUP);
	CONF_REC("drain_empty", "flags0=%s force_wakeup=%s", conf_rc(d1), conf_rc(d2));

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		submit_n(rs, 2, 8);
		d1 = drain(flags[i]);
		unsigned int n1 = sk->bss->ncb;
		d2 = drain(0);
		snprintf(name, sizeof(name), "drain_flags_0x%llx", (unsigned long long)flags[i]);
		CONF_REC(name, "ret=%s callbacks=%u then=%s", conf_rc(d1), n1, conf_rc(d2));
	}

	submit_n(rs, 5, 8);
	sk->bss->req_stop_at = 2;
	d1 = drain(0);
	sk->bss->req_stop_at = 0;
	d2 = drain(0);
	CONF_REC("drain_callback_returns_1_on_second", "ret=%s then=%s", conf_rc(d1), conf_rc(d2));

	submit_n(rs, 3, 8);
	sk->bss->req_stop_at = 1;
	d1 = drain(0);
	sk->bss->req_stop_at = 0;
	d2 = drain(0);
	CONF_REC("drain_callback_returns_1_on_first", "ret=%s then=%s", conf_rc(d1), conf_rc(d2));

	a = user_ring_buffer__reserve(rs, 8);
	b = user_ring_buffer__reserve(rs, 8);
	c = user_ring_buffer__reserve(rs, 8);
	user_ring_buffer__submit(rs, a);
	user_ring_buffer__discard(rs, b);
	user_ring_buffer__submit(rs, c);
	d1 = drain(0);
	CONF_REC("drain_submit_discard_submit", "ret=%s callbacks=%u", conf_rc(d1), sk->bss->ncb);

	for (int i = 0; i < 3; i++)
		if ((a = user_ring_buffer__reserve(rs, 8)))
			user_ring_buffer__discard(rs, a);
	d1 = drain(0);
	d2 = drain(0);
	CONF_REC("drain_three_discards", "ret=%s then=%s", conf_rc(d1), conf_rc(d2));

	submit_n(rs, 3, 8);
	sk->bss->req_nested = 1;
	d1 = drain(0);
	sk->bss->req_nested = 0;
	CONF_REC("drain_nested_same_ring", "ret=%s nested=%s", conf_rc(d1),
		 conf_rc(sk->bss->nested_ret));

	a = user_ring_buffer__reserve(rs, 8);
	submit_n(rs, 1, 8);
	d1 = drain(0);
	user_ring_buffer__submit(rs, a);
	d2 = drain(0);
	CONF_REC("drain_unsubmitted_head", "ret=%s after_submit=%s", conf_rc(d1), conf_rc(d2));

	submit_n(rs, 1, 8);
	a = user_ring_buffer__reserve(rs, 8);
	submit_n(rs, 1, 8);
	d1 = drain(0);
	user_ring_buffer__submit(rs, a);
	d2 = drain(0);
	CONF_REC("drain_unsubmitted_middle", "ret=%s after_submit=%s", conf_rc(d1), conf_rc(d2));
	flush(UR_SMALL);

	/* a sample that wraps past the end of the data area */
	a = user_ring_buffer__reserve(rs, 4000);
	if (a)
		user_ring_buffer__submit(rs, a);
	drain(0);
	b = user_ring_buffer__reserve(rs, 200);
	int intact = 0;
	if (b) {
		for (int i = 0; i < 200; i++)
			((unsigned char *)b)[i] = (unsigned char)(i * 7 + 1);
		user_ring_buffer__submit(rs, b);
		sk->bss->req_copy = 200;
		d1 = drain(0);
		sk->bss->req_copy = 0;
		intact = 1;
		for (int i = 0; i < 200; i++)
			intact &= sk->bss->copybuf[i] == (unsigned char)(i * 7 + 1);
	}
	CONF_REC("drain_wrapping_sample", "ret=%s size=%u read=%s intact=%d", conf_rc(d1),
		 sk->bss->sizes[0], conf_rc(sk->bss->copy_ret), intact);
	flush(UR_SMALL);
}

/* §5.3 the per-call budget of 131072 samples (2 MiB ring) */
static void case_budget(void)
{
	long d1, d2, d3;
	int n;

	reset_req();
	n = submit_n(rbig, 140000, 0);
	d1 = drain_ring(UR_BIG, 0);
	d2 = drain_ring(UR_BIG, 0);
	d3 = drain_ring(UR_BIG, 0);
	CONF_REC("budget_140000_samples", "submitted=%d drains=%s,%s,%s", n,
		 conf_rc(d1), conf_rc(d2), conf_rc(d3));

	n = 0;
	for (int i = 0; i < 131072; i++) {
		void *p = user_ring_buffer__reserve(rbig, 0);

		if (p) {
			user_ring_buffer__discard(rbig, p);
			n++;
		}
	}
	n += submit_n(rbig, 5, 0);
	d1 = drain_ring(UR_BIG, 0);
	d2 = drain_ring(UR_BIG, 0);
	d3 = drain_ring(UR_BIG, 0);
	CONF_REC("budget_131072_discards_then_5", "queued=%d drains=%s,%s,%s", n,
		 conf_rc(d1), conf_rc(d2), conf_rc(d3));
	flush(UR_BIG);
}

/* §5.2 malformed headers, written through the sample pointer */
static void case_headers(void)
{
	void *a, *b, *c;
	long d1, d2, d3;
	unsigned int n1;

	reset_req();
	a = user_ring_buffer__reserve(rs, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 64;
	d1 = drain(0);
	n1 = sk->bss->ncb;
	d2 = drain(0);
	*hdr(a) = 16;
	d3 = drain(0);
	CONF_REC("hdr_len_past_producer", "ret=%s callbacks=%u again=%s repaired=%s",
		 conf_rc(d1), n1, conf_rc(d2), conf_rc(d3));

	a = user_ring_buffer__reserve(rs, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 4096;
	d1 = drain(0);
	*hdr(a) = 16;
	d2 = drain(0);
	CONF_REC("hdr_len_ring_size", "ret=%s repaired=%s", conf_rc(d1), conf_rc(d2));

	a = user_ring_buffer__reserve(rs, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 64 | DISCARD;
	d1 = drain(0);
	*hdr(a) = 16 | DISCARD;
	d2 = drain(0);
	CONF_REC("hdr_discard_len_past_producer", "ret=%s repaired_discard=%s",
		 conf_rc(d1), conf_rc(d2));

	a = user_ring_buffer__reserve(rs, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 64 | BUSY;
	d1 = drain(0);
	*hdr(a) = 16;
	d2 = drain(0);
	CONF_REC("hdr_busy_len_past_producer", "ret=%s repaired=%s", conf_rc(d1), conf_rc(d2));

	a = user_ring_buffer__reserve(rs, 16);
	b = user_ring_buffer__reserve(rs, 12);
	user_ring_buffer__submit(rs, a);
	user_ring_buffer__submit(rs, b);
	*hdr(a) = 16 | BUSY | DISCARD;
	d1 = drain(0);
	CONF_REC("hdr_busy_and_discard", "ret=%s callbacks=%u size=%u", conf_rc(d1),
		 sk->bss->ncb, sk->bss->sizes[0]);

	a = user_ring_buffer__reserve(rs, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 16 | BUSY;
	d1 = drain(0);
	*hdr(a) = 16;
	d2 = drain(0);
	CONF_REC("hdr_busy_set_after_submit", "ret=%s cleared=%s", conf_rc(d1), conf_rc(d2));

	a = user_ring_buffer__reserve(rs, 8);
	b = user_ring_buffer__reserve(rs, 8);
	c = user_ring_buffer__reserve(rs, 8);
	user_ring_buffer__submit(rs, a);
	user_ring_buffer__submit(rs, b);
	user_ring_buffer__submit(rs, c);
	*hdr(c) = 4000;
	d1 = drain(0);
	n1 = sk->bss->ncb;
	*hdr(c) = 8;
	d2 = drain(0);
	CONF_REC("hdr_bad_after_two_good", "ret=%s callbacks=%u repaired=%s",
		 conf_rc(d1), n1, conf_rc(d2));

	/* a header shrunk below what was reserved: the rest reads as headers */
	a = user_ring_buffer__reserve(rs, 16);
	memset(a, 0, 16);
	user_ring_buffer__submit(rs, a);
	*hdr(a) = 0;
	d1 = drain(0);
	CONF_REC("hdr_shrunk_to_zero", "ret=%s callbacks=%u", conf_rc(d1), sk->bss->ncb);
	flush(UR_SMALL);
}

/* §2 mmap rules of a USER_RINGBUF map fd (a fresh 4096-byte ring) */
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
		{ "mmap_producer_data_rw", pg + 2 * sz, RW, MAP_SHARED, (long)pg },
		{ "mmap_whole_ro", all, RO, MAP_SHARED, 0 },
		{ "mmap_whole_plus_page_ro", all + pg, RO, MAP_SHARED, 0 },
		{ "mmap_producer_data_plus_page_rw", pg + 2 * sz + pg, RW, MAP_SHARED, (long)pg },
		{ "mmap_page_past_end_ro", pg, RO, MAP_SHARED, (long)all },
		{ "mmap_last_page_rw", pg, RW, MAP_SHARED, (long)(all - pg) },
		{ "mmap_private_ro", pg, RO, MAP_PRIVATE, 0 },
		{ "mmap_private_producer_rw", pg, RW, MAP_PRIVATE, (long)pg },
	};
	int fd = bpf_map_create(CONF_MAP_TYPE_USER_RINGBUF, NULL, 0, 0, (uint32_t)sz, NULL);
	void *p;

	if (fd < 0) {
		CONF_FAIL("mmap_setup", "bpf_map_create");
		return;
	}
	conf_mmap_cases(fd, cases, sizeof(cases) / sizeof(cases[0]));
	conf_mmap_ro_mprotect_rw(fd, "mmap_producer_ro_mprotect_rw", pg, (long)pg);

	/* the data pages are mapped twice in a row */
	p = conf_map_mmap(fd, pg + 2 * sz, RW, (long)pg);
	if (p != MAP_FAILED) {
		volatile unsigned char *d = (unsigned char *)p + pg;

		d[0] = 0xa5;
		d[sz + 9] = 0x5a;
		CONF_REC("mmap_data_twice", "data_size=0x%02x data_9=0x%02x", d[sz], d[9]);
		d[0] = 0;
		d[sz + 9] = 0;
		munmap(p, pg + 2 * sz);
	} else {
		CONF_REC("mmap_data_twice", "map=%s", conf_rc(-(long)errno));
	}
	close(fd);
}

/*
 * §5.2 producer-position corruption: positions and headers written by hand
 * through a read-write mapping of ucorr's producer page and data (the
 * kernel trusts them), consumer position read through a read-only one.
 */
static volatile uint64_t *c_cons, *c_prod;
static volatile unsigned char *c_data;
#define CORR_SIZE 4096u

static void put_hdr(uint64_t pos, uint32_t len)
{
	volatile uint32_t *h = (volatile uint32_t *)(c_data + (pos & (CORR_SIZE - 1)));

	h[0] = len;
	h[1] = 0;
}

static long drain_corr(void) { return drain_ring(UR_CORR, 0); }

static void case_positions(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int fd = bpf_map__fd(sk->maps.ucorr);
	void *cm, *pm;
	uint64_t base;
	long d1, d2;
	unsigned int n1, z1;

	reset_req();
	cm = conf_map_mmap(fd, pg, PROT_READ, 0);
	pm = conf_map_mmap(fd, pg + 2 * CORR_SIZE, PROT_READ | PROT_WRITE, (long)pg);
	if (cm == MAP_FAILED || pm == MAP_FAILED) {
		CONF_FAIL("pos_setup", "mmap");
		if (cm != MAP_FAILED)
			munmap(cm, pg);
		if (pm != MAP_FAILED)
			munmap(pm, pg + 2 * CORR_SIZE);
		return;
	}
	c_cons = cm;
	c_prod = pm;
	c_data = (unsigned char *)pm + pg;

	/* runs first, on the fresh (zeroed) ring: one real 16-byte sample at
	 * offset 0, producer moved to three times the ring size */
	put_hdr(0, 16);
	memset((void *)(c_data + 8), 0x5a, 16);
	*c_prod = 3 * CORR_SIZE;
	d1 = drain_corr();
	n1 = sk->bss->ncb;
	z1 = sk->bss->nnonzero;
	CONF_REC("pos_producer_3x_ring_one_sample",
		 "ret=%s callbacks=%u nonzero_size=%u first_size=%u second_size=%u cons=%llu again=%s",
		 conf_rc(d1), n1, z1, sk->bss->sizes[0], sk->bss->sizes[1],
		 (unsigned long long)*c_cons, conf_rc(drain_corr()));

	/* misaligned producer (base + 28) with one 24-byte sample */
	base = *c_cons;
	put_hdr(base, 16);
	*c_prod = base + 28;
	d1 = drain_corr();
	n1 = sk->bss->ncb;
	d2 = drain_corr();
	CONF_REC("pos_misaligned_28_one_sample", "ret=%s callbacks=%u again=%s consumed=%llu",
		 conf_rc(d1), n1, conf_rc(d2), (unsigned long long)(*c_cons - base));
	*c_prod = base + 24;
	d1 = drain_corr();
	CONF_REC("pos_misaligned_28_repaired", "ret=%s size=%u consumed=%llu", conf_rc(d1),
		 sk->bss->sizes[0], (unsigned long long)(*c_cons - base));

	/* misaligned producer, no sample published / producer behind consumer */
	static const struct { const char *name; int64_t delta; } pd[] = {
		{ "pos_misaligned_4_ahead", 4 },
		{ "pos_misaligned_4_behind", -4 },
		{ "pos_aligned_8_behind", -8 },
		{ "pos_aligned_4096_behind", -4096 },
	};
	char name[96];
	for (size_t i = 0; i < sizeof(pd) / sizeof(pd[0]); i++) {
		base = *c_cons;
		put_hdr(base, 0);
		*c_prod = base + (uint64_t)pd[i].delta;
		d1 = drain_corr();
		n1 = sk->bss->ncb;
		snprintf(name, sizeof(name), "%s", pd[i].name);
		CONF_REC(name, "ret=%s callbacks=%u consumed=%lld", conf_rc(d1), n1,
			 (long long)(*c_cons - base));
		*c_prod = *c_cons;
	}

	/* a header longer than the ring: -EINVAL while the producer is less
	 * than the record ahead, -E2BIG once it is (steps 4 and 5) */
	static const struct { uint32_t len; uint64_t ahead; } hl[] = {
		{ 4096, 24 }, { 4096, 4096 }, { 4096, 4104 }, { 4096, 8192 },
		{ 4096 | DISCARD, 24 }, { 4096 | DISCARD, 8192 },
		{ 4096 | BUSY, 8192 }, { 4089, 4096 }, { 4089, 4104 },
		{ 1u << 24, 3 * CORR_SIZE }, { 0x3fffffff, 3 * CORR_SIZE },
	};
	for (size_t i = 0; i < sizeof(hl) / sizeof(hl[0]); i++) {
		base = *c_cons;
		put_hdr(base, hl[i].len);
		*c_prod = base + hl[i].ahead;
		d1 = drain_corr();
		n1 = sk->bss->ncb;
		snprintf(name, sizeof(name), "pos_hdr_len_0x%x_producer_ahead_%llu", hl[i].len,
			 (unsigned long long)hl[i].ahead);
		CONF_REC(name, "ret=%s callbacks=%u consumed=%llu", conf_rc(d1), n1,
			 (unsigned long long)(*c_cons - base));
		put_hdr(*c_cons, 0);
		*c_prod = *c_cons;
	}

	/* a sample that fills the whole ring, producer exactly one ring ahead */
	base = *c_cons;
	put_hdr(base, 4088);
	*c_prod = base + 4096;
	d1 = drain_corr();
	CONF_REC("pos_hdr_len_4088_producer_ahead_4096", "ret=%s size=%u consumed=%llu",
		 conf_rc(d1), sk->bss->sizes[0], (unsigned long long)(*c_cons - base));
	*c_prod = *c_cons;

	/* BUSY and DISCARD in the only header: skipped */
	base = *c_cons;
	put_hdr(base, 16 | BUSY | DISCARD);
	*c_prod = base + 24;
	d1 = drain_corr();
	CONF_REC("pos_busy_and_discard_alone", "ret=%s callbacks=%u consumed=%llu",
		 conf_rc(d1), sk->bss->ncb, (unsigned long long)(*c_cons - base));
	*c_prod = *c_cons;

	munmap(cm, pg);
	munmap(pm, pg + 2 * CORR_SIZE);
}

/* §5.2 step 6 on a 32 MiB ring: the dynptr size limit 2^24 - 1 */
static void case_huge(void)
{
	struct user_ring_buffer *h = user_ring_buffer__new(bpf_map__fd(sk->maps.uhuge), NULL);
	void *p;
	const char *r;
	long d1, d2;

	if (!h) {
		CONF_FAIL("huge_setup", "user_ring_buffer__new");
		return;
	}
	reset_req();
	r = rsv(h, (1u << 24) - 1, &p);
	if (p)
		user_ring_buffer__submit(h, p);
	d1 = drain_ring(UR_HUGE, 0);
	CONF_REC("huge_len_2^24-1", "reserve=%s ret=%s size=%u", r, conf_rc(d1),
		 sk->bss->sizes[0]);

	r = rsv(h, 1u << 24, &p);
	if (p)
		user_ring_buffer__submit(h, p);
	d1 = drain_ring(UR_HUGE, 0);
	unsigned int n1 = sk->bss->ncb;
	if (p)
		user_ring_buffer__discard(h, p);	/* DISCARD, same length */
	d2 = drain_ring(UR_HUGE, 0);
	CONF_REC("huge_len_2^24", "reserve=%s ret=%s callbacks=%u discarded=%s", r,
		 conf_rc(d1), n1, conf_rc(d2));
	if (p) {
		/* a length one smaller has the same footprint: skipped */
		*hdr(p) = ((1u << 24) - 1) | DISCARD;
		d1 = drain_ring(UR_HUGE, 0);
		r = rsv(h, 8, &p);
		if (p)
			user_ring_buffer__submit(h, p);
		d2 = drain_ring(UR_HUGE, 0);
		CONF_REC("huge_len_2^24_repaired_discard", "ret=%s next=%s", conf_rc(d1),
			 conf_rc(d2));
	}
	user_ring_buffer__free(h);
}

/* poll(2) of the map fd for POLLIN|POLLOUT, without waiting, by name */
static const char *poll_rc(int fd)
{
	static char buf[4][64];
	static unsigned int next;
	char *b = buf[next++ % 4];
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	int r = poll(&pfd, 1, 0);

	if (r < 0)
		return conf_rc(-(long)errno);
	snprintf(b, 64, "%s%s%s%s", r == 0 ? "none" : "",
		 pfd.revents & POLLIN ? "IN" : "", pfd.revents & POLLOUT ? "OUT" : "",
		 pfd.revents & ~(POLLIN | POLLOUT) ? "+other" : "");
	return b;
}

/* §2.1 readiness: POLLOUT while at least one byte is free, never POLLIN */
static void case_poll(void)
{
	int fd = bpf_map__fd(sk->maps.urb);
	const char *empty, *free16, *full, *after;
	void *p, *q;
	long d;

	reset_req();
	flush(UR_SMALL);
	empty = poll_rc(fd);
	p = user_ring_buffer__reserve(rs, 4072);	/* 4080 bytes: 16 free */
	free16 = poll_rc(fd);
	q = user_ring_buffer__reserve(rs, 8);		/* exactly full */
	full = poll_rc(fd);
	if (p)
		user_ring_buffer__submit(rs, p);
	if (q)
		user_ring_buffer__submit(rs, q);
	sk->bss->req_stop_at = 1;
	d = drain(0);					/* frees 4080 bytes */
	sk->bss->req_stop_at = 0;
	after = poll_rc(fd);
	CONF_REC("poll_readiness", "empty=%s free16=%s full=%s drain=%s after_drain=%s",
		 empty, free16, full, conf_rc(d), after);
	flush(UR_SMALL);

	int n = submit_n(rs, 256, 8);			/* 256 x 16 bytes: full */
	full = poll_rc(fd);
	sk->bss->req_stop_at = 1;
	d = drain(0);					/* frees 16 bytes */
	sk->bss->req_stop_at = 0;
	after = poll_rc(fd);
	CONF_REC("poll_full_then_16_freed", "submitted=%d full=%s drain=%s after=%s", n, full,
		 conf_rc(d), after);
	flush(UR_SMALL);
}

/* §6: dynptr helpers inside the callback, on samples of 16, 12 and 0 bytes */
static void case_dynptr(void)
{
	static const struct {
		const char *name;
		int kind, rel;
		int64_t off;
		uint32_t len;
		uint64_t flags;
	} pr[] = {
		{ "read_8_at_0", UP_READ, 0, 0, 8, 0 },
		{ "read_8_at_size-8", UP_READ, 1, -8, 8, 0 },
		{ "read_8_at_size-7", UP_READ, 1, -7, 8, 0 },
		{ "read_1_at_size", UP_READ, 1, 0, 1, 0 },
		{ "read_0_at_size+1", UP_READ, 1, 1, 0, 0 },
		{ "read_0_at_size", UP_READ, 1, 0, 0, 0 },
		{ "read_8_at_0xffffffff", UP_READ, 0, 0xffffffff, 8, 0 },
		{ "read_32_at_0", UP_READ, 0, 0, 32, 0 },
		{ "read_8_at_0_flags1", UP_READ, 0, 0, 8, 1 },
		{ "read_0_at_0_flags1", UP_READ, 0, 0, 0, 1 },
		{ "write_4_at_0_flags1", UP_WRITE, 0, 0, 4, 1 },
		{ "write_4_at_size-2", UP_WRITE, 1, -2, 4, 0 },
		{ "write_4_at_0xffffffff", UP_WRITE, 0, 0xffffffff, 4, 0 },
		{ "write_0_at_size", UP_WRITE, 1, 0, 0, 0 },
		{ "data8_at_0", UP_DATA8, 0, 0, 0, 0 },
		{ "data8_at_size-8", UP_DATA8, 1, -8, 0, 0 },
		{ "data8_at_size-4", UP_DATA8, 1, -4, 0, 0 },
		{ "data8_at_0xffffffff", UP_DATA8, 0, 0xffffffff, 0, 0 },
		{ "data32_at_0", UP_DATA32, 0, 0, 0, 0 },
		{ "data1_at_size-1", UP_DATA1, 1, -1, 0, 0 },
		{ "data1_at_size", UP_DATA1, 1, 0, 0, 0 },
		{ "write_4_at_0", UP_WRITE, 0, 0, 4, 0 },	/* last: changes the bytes */
	};
	enum { NP = sizeof(pr) / sizeof(pr[0]) };
	static const uint32_t sizes[] = { 16, 12, 0 };
	void *s[3];
	char name[96];
	long d;

	_Static_assert(NP <= UR_NPROBES, "too many probes");
	reset_req();
	memset(sk->bss->probe_kind, 0, sizeof(sk->bss->probe_kind));
	for (int i = 0; i < NP; i++) {
		sk->bss->probe_kind[i] = pr[i].kind;
		sk->bss->probe_rel[i] = pr[i].rel;
		sk->bss->probe_off[i] = pr[i].off;
		sk->bss->probe_len[i] = pr[i].len;
		sk->bss->probe_flags[i] = pr[i].flags;
	}
	/* one drain per probe: three fresh samples each time */
	for (int i = 0; i < NP; i++) {
		for (int j = 0; j < 3; j++) {
			s[j] = user_ring_buffer__reserve(rs, sizes[j]);
			if (s[j]) {
				memset(s[j], 0x11, sizes[j]);
				user_ring_buffer__submit(rs, s[j]);
			}
		}
		sk->bss->req_probe = i + 1;
		d = drain(0);
		sk->bss->req_probe = 0;
		if (d != 3) {
			snprintf(name, sizeof(name), "dynptr_drain_%s", pr[i].name);
			CONF_REC(name, "ret=%s", conf_rc(d));
		}
	}
	for (int j = 0; j < 3; j++) {
		snprintf(name, sizeof(name), "dynptr_%u_size", sizes[j]);
		CONF_REC(name, "size=%u rdonly=%u", sk->bss->sizes[j], sk->bss->rdonly[j]);
		for (int i = 0; i < NP; i++) {
			snprintf(name, sizeof(name), "dynptr_%u_%s", sizes[j], pr[i].name);
			CONF_REC(name, "ret=%s", conf_rc(sk->bss->probe_res[j][i]));
		}
	}
	/* the successful write is visible to user space in the ring */
	for (int j = 0; j < 2; j++) {
		unsigned char *b = s[j];

		snprintf(name, sizeof(name), "dynptr_%u_write_visible", sizes[j]);
		CONF_REC(name, "bytes=%02x%02x%02x%02x%02x", b ? b[0] : 0, b ? b[1] : 0,
			 b ? b[2] : 0, b ? b[3] : 0, b ? b[4] : 0);
	}
	flush(UR_SMALL);
}

int main(void)
{
	conf_setup();
	sk = user_ringbuf__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "user_ringbuf__open_and_load");
		return 1;
	}
	rs = user_ring_buffer__new(bpf_map__fd(sk->maps.urb), NULL);
	rbig = user_ring_buffer__new(bpf_map__fd(sk->maps.ubig), NULL);
	if (!rs || !rbig) {
		CONF_FAIL("setup", "user_ring_buffer__new");
		return 1;
	}
	case_create();
	case_reserve();
	case_drain();
	case_budget();
	case_headers();
	case_dynptr();
	case_mmap();
	case_positions();
	case_huge();
	case_poll();
	user_ring_buffer__free(rs);
	user_ring_buffer__free(rbig);
	user_ringbuf__destroy(sk);
	return conf_failures ? 1 : 0;
}
