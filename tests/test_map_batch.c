// SPDX-License-Identifier: MIT
/*
 * libbpf's batch commands (bpf_map_lookup_batch, _lookup_and_delete_batch,
 * _update_batch, _delete_batch): the order of checks, what *count says on
 * every path, array batches walking keys, hash batches walking whole
 * buckets (-ENOSPC), per-CPU layouts, BPF_F_LOCK, map-in-map, allocation
 * failures and concurrent batches.  Every expectation was observed on
 * Linux 6.18 (see docs/maps.md, "Batch operations").
 */
#include <pthread.h>

#include "test_map_util.h"

#define NOT_WRITTEN	0xabcdef01u

struct lval {
	struct bpf_spin_lock lock;
	uint32_t pad;
	uint64_t v;
};

static const struct bpfemu_map_field lock_field[] = {
	{ BPFEMU_FIELD_SPIN_LOCK, offsetof(struct lval, lock) },
};

/* An ARRAY/PERCPU_ARRAY of @n u64 with value i + 10 at index i. */
static int filled_array(enum bpf_map_type t, uint32_t n)
{
	uint64_t v[16] = { 0 };
	int fd = create(t, 4, 8, n, 0);
	uint32_t k;

	assert_true(fd >= 0);
	for (k = 0; k < n; k++) {
		v[0] = k + 10;
		assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_ANY), 0);
	}
	return fd;
}

static void put(int fd, uint32_t key, uint64_t v)
{
	uint64_t buf[16] = { v };

	assert_int_equal(bpf_map_update_elem(fd, &key, buf, BPF_ANY), 0);
}

static int nr_keys(int fd)
{
	uint32_t k, prev;
	int n = 0;

	while (!bpf_map_get_next_key(fd, n ? &prev : NULL, &k)) {
		prev = k;
		n++;
	}
	return n;
}

/*
 * Bucket of @key in the hash @fd, which holds nothing else: a lookup batch
 * from bucket j finds it iff its bucket is j or later.
 */
static uint32_t bucket_of(int fd, uint32_t key, uint32_t n_buckets)
{
	uint32_t j, keys[1], out, count;
	uint64_t vals[16];

	put(fd, key, 1);
	for (j = n_buckets; j-- > 0;) {
		count = 1;
		bpf_map_lookup_batch(fd, &j, &out, keys, vals, &count, NULL);
		if (count == 1)
			break;
	}
	assert_int_equal(bpf_map_delete_elem(fd, &key), 0);
	return j;
}

/* @n keys (from 1 up) that the empty hash @fd puts in bucket @b. */
static void keys_in_bucket(int fd, uint32_t n_buckets, uint32_t b, uint32_t *keys, uint32_t n)
{
	uint32_t k, found = 0;

	for (k = 1; found < n && k < 100000; k++)
		if (bucket_of(fd, k, n_buckets) == b)
			keys[found++] = k;
	assert_int_equal(found, n);
}

static void test_opts_then_count_are_checked_before_the_fd(void **state)
{
	struct {
		struct bpf_map_batch_opts o;
		char tail[8];
	} big;
	uint32_t keys[4], out = NOT_WRITTEN, count = 4;
	uint64_t vals[4];

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.tail[1] = 1;
	errno = 0;
	assert_int_equal(bpf_map_lookup_batch(-1, NULL, &out, keys, vals, &count, &big.o), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(count, 4);
	big.o.sz = 4;
	big.tail[1] = 0;
	assert_int_equal(bpf_map_delete_batch(-1, keys, &count, &big.o), -EINVAL);
	/* libbpf itself would crash on a NULL count */
	assert_int_equal(bpf_map_update_batch(-1, keys, vals, NULL, NULL), -EFAULT);
	assert_int_equal(errno, EFAULT);
	/* an older, smaller opts: the fields past it read as 0 */
	big.o.sz = sizeof(size_t);
	big.o.elem_flags = 77;
	assert_int_equal(bpf_map_lookup_batch(-1, NULL, &out, keys, vals, &count, &big.o), -EBADF);
	assert_int_equal(count, 4);
}

static void test_fd_access_and_command_support_come_before_the_flags(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bad, .elem_flags = 77);
	uint32_t keys[4] = { 0, 1 }, out, count;
	uint64_t vals[4] = { 0 };
	int pfd[2], fd, ro, wo, rb;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	count = 1;
	assert_int_equal(bpf_map_lookup_batch(-1, NULL, &out, keys, vals, &count, NULL), -EBADF);
	assert_int_equal(count, 1);
	assert_int_equal(bpf_map_lookup_batch(pfd[0], NULL, &out, keys, vals, &count, NULL), -EINVAL);
	assert_int_equal(count, 1);
	close(pfd[0]);
	close(pfd[1]);

	/* arrays have no delete or lookup-and-delete batch: -ENOTSUPP, even
	 * with bad flags and a zero count */
	fd = filled_array(BPF_MAP_TYPE_ARRAY, 4);
	count = 0;
	assert_int_equal(bpf_map_delete_batch(fd, keys, &count, &bad), -ENOTSUPP);
	count = 2;
	assert_int_equal(bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL),
			 -ENOTSUPP);
	assert_int_equal(count, 2);
	rb = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	assert_true(rb >= 0);
	count = 0;
	assert_int_equal(bpf_map_update_batch(rb, keys, vals, &count, &bad), -ENOTSUPP);
	assert_int_equal(bpf_map_lookup_batch(rb, NULL, &out, keys, vals, &count, NULL), -ENOTSUPP);

	/* read-only: lookups work, anything that writes is -EPERM (before
	 * -ENOTSUPP); write-only: lookups are -EPERM */
	ro = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY);
	wo = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY);
	assert_true(ro >= 0 && wo >= 0);
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(ro, NULL, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(bpf_map_update_batch(ro, keys, vals, &count, NULL), -EPERM);
	assert_int_equal(bpf_map_delete_batch(ro, keys, &count, NULL), -EPERM);
	assert_int_equal(bpf_map_lookup_and_delete_batch(ro, NULL, &out, keys, vals, &count, NULL),
			 -EPERM);
	assert_int_equal(bpf_map_lookup_batch(wo, NULL, &out, keys, vals, &count, &bad), -EPERM);
	assert_int_equal(bpf_map_lookup_and_delete_batch(wo, NULL, &out, keys, vals, &count, NULL),
			 -EPERM);
	assert_int_equal(count, 2);
	assert_int_equal(bpf_map_update_batch(wo, keys, vals, &count, NULL), 0);

	/* a frozen map takes no update batch */
	assert_int_equal(bpf_map_freeze(fd), 0);
	assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, NULL), -EPERM);
	close(fd);
	close(rb);
	close(ro);
	close(wo);
}

static void test_array_lookup_walks_keys_and_ends_with_enoent(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t keys[16], in, out, count;
	uint64_t vals[16];
	int fd = filled_array(BPF_MAP_TYPE_ARRAY, 4);

	(void)state;
	/* count 0: nothing happens, count and out_batch untouched */
	count = 0;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 0);
	assert_int_equal(out, NOT_WRITTEN);
	/* two at a time: out_batch is the last key copied */
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(out, 1);
	assert_int_equal(keys[0], 0);
	assert_int_equal(keys[1], 1);
	assert_int_equal(vals[0], 10);
	assert_int_equal(vals[1], 11);
	in = out;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(out, 3);
	assert_int_equal(keys[0], 2);
	assert_int_equal(vals[1], 13);
	/* from the last key: -ENOENT, count 0, out_batch not written */
	in = out;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 0);
	assert_int_equal(out, NOT_WRITTEN);
	/* more room than elements: -ENOENT with all of them */
	count = 10;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 4);
	assert_int_equal(out, 3);
	in = 2;
	count = 10;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 1);
	assert_int_equal(keys[0], 3);
	/* an index past the end starts over, as get_next_key does */
	in = 100;
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(keys[0], 0);
	assert_int_equal(out, 1);
	/* batch.flags is not looked at by the generic batches */
	o.flags = 1;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &o), 0);
	close(fd);
}

static void test_array_lookup_faults_and_flags(void **state)
{
	static const uint64_t bad_flags[] = { BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, 8 };
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t keys[16], in, out, count;
	uint64_t vals[16];
	size_t i;
	int fd = filled_array(BPF_MAP_TYPE_ARRAY, 4);

	(void)state;
	/* out_batch is written after count: count says what was copied */
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, NULL, keys, vals, &count, NULL), -EFAULT);
	assert_int_equal(count, 2);
	/* nothing copied, out_batch never touched */
	in = 3;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, NULL, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 0);
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, NULL, vals, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, NULL, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	/* elem_flags: BPF_F_LOCK only, and only with a spin lock; checked
	 * before count 0, and count is left alone */
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		o.elem_flags = bad_flags[i];
		count = 2;
		assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &o),
				 -EINVAL);
		assert_int_equal(count, 2);
		count = 0;
		assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &o),
				 -EINVAL);
		count = 2;
		assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, &o), -EINVAL);
		assert_int_equal(count, 2);
	}
	close(fd);
}

static void test_array_update_stops_at_the_first_error(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .flags = 1);
	uint32_t keys[4] = { 0, 9, 1 }, count;
	uint64_t vals[4] = { 100, 101, 102 }, v;
	int fd = filled_array(BPF_MAP_TYPE_ARRAY, 4);

	(void)state;
	count = 3;
	assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, &o), -E2BIG);
	assert_int_equal(count, 1);
	assert_int_equal(bpf_map_lookup_elem(fd, &keys[0], &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(bpf_map_lookup_elem(fd, &keys[2], &v), 0);
	assert_int_equal(v, 11);
	count = 3;
	assert_int_equal(bpf_map_update_batch(fd, NULL, vals, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	count = 3;
	assert_int_equal(bpf_map_update_batch(fd, keys, NULL, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	count = 0;
	assert_int_equal(bpf_map_update_batch(fd, NULL, NULL, &count, NULL), 0);
	close(fd);
}

static void test_percpu_values_are_8_aligned_per_cpu(void **state)
{
	uint32_t keys[4] = { 1, 2 }, in, out, count, i, c;
	uint32_t vals[2 * 3 * 2];	/* 2 elements x 3 CPUs x round_up(4, 8) */
	int arr, hash;

	(void)state;
	assert_int_equal(bpfemu_set_nr_cpus(3), 0);
	arr = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 0);
	hash = create(BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 4, 0);
	assert_true(arr >= 0 && hash >= 0);
	for (i = 0; i < 2; i++)
		for (c = 0; c < 3; c++)
			vals[(i * 3 + c) * 2] = 100 * (i + 1) + c;
	count = 2;
	assert_int_equal(bpf_map_update_batch(arr, keys, vals, &count, NULL), 0);
	assert_int_equal(bpf_map_update_batch(hash, keys, vals, &count, NULL), 0);
	memset(vals, 0, sizeof(vals));
	in = 1;
	count = 2;
	assert_int_equal(bpf_map_lookup_batch(arr, &in, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(keys[0], 2);
	assert_int_equal(vals[0], 200);
	assert_int_equal(vals[4], 202);
	assert_int_equal(vals[6], 0);	/* index 3 */
	memset(vals, 0, sizeof(vals));
	count = 2;
	assert_int_equal(bpf_map_lookup_and_delete_batch(hash, NULL, &out, keys, vals, &count,
							 NULL), -ENOENT);
	assert_int_equal(count, 2);
	for (i = 0; i < 2; i++)
		for (c = 0; c < 3; c++)
			assert_int_equal(vals[(i * 3 + c) * 2], 100 * keys[i] + c);
	assert_int_equal(nr_keys(hash), 0);
	close(arr);
	close(hash);
	bpfemu_set_nr_cpus(4);
}

static void test_hash_lookup_returns_every_key_then_enoent(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .flags = 1);
	uint32_t keys[16], in, out, count, seen = 0, i;
	uint64_t vals[16];
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 8, 0);

	(void)state;
	assert_true(fd >= 0);
	/* empty: every bucket walked, out_batch the bucket count */
	count = 4;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 0);
	assert_int_equal(out, 8);
	for (i = 1; i <= 6; i++)
		put(fd, i, i + 10);
	count = 0;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(out, NOT_WRITTEN);
	count = 6;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 6);
	assert_int_equal(out, 8);
	for (i = 0; i < 6; i++) {
		assert_int_equal(vals[i], keys[i] + 10);
		seen |= 1u << keys[i];
	}
	assert_int_equal(seen, 0x7e);
	/* a bucket index past the end: -ENOENT, count 0, out_batch untouched */
	in = 8;
	count = 6;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 0);
	assert_int_equal(out, NOT_WRITTEN);
	/* hash lookups refuse batch.flags, before count 0 */
	count = 6;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &o), -EINVAL);
	assert_int_equal(count, 6);
	count = 0;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &o), -EINVAL);
	o.flags = 0;
	o.elem_flags = BPF_F_LOCK;
	count = 6;
	assert_int_equal(bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, &o),
			 -EINVAL);
	assert_int_equal(count, 6);
	/* out_batch is written before count: a bad one leaves count 0 */
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, NULL, keys, vals, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	count = 6;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, NULL, vals, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	assert_int_equal(nr_keys(fd), 6);
	close(fd);
}

static void test_hash_batches_take_whole_buckets(void **state)
{
	uint32_t keys[16], same[7], other[1], in, out, count, i, b0;
	uint64_t vals[16];
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 8, 0);

	(void)state;
	assert_true(fd >= 0);
	/* six keys in bucket 0 (more than the first buffer's five), one in 1 */
	keys_in_bucket(fd, 8, 0, same, 6);
	keys_in_bucket(fd, 8, 1, other, 1);
	for (i = 0; i < 6; i++)
		put(fd, same[i], same[i]);
	/* the first bucket does not fit: -ENOSPC, count 0, out_batch there */
	count = 5;
	out = NOT_WRITTEN;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOSPC);
	assert_int_equal(count, 0);
	assert_int_equal(out, 0);
	count = 5;
	assert_int_equal(bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL),
			 -ENOSPC);
	assert_int_equal(nr_keys(fd), 6);
	count = 6;
	assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(vals[i], keys[i]);
	/* a later bucket that does not fit ends the batch with 0 */
	put(fd, other[0], 77);
	b0 = 0;
	count = 6;
	assert_int_equal(bpf_map_lookup_batch(fd, &b0, &out, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 6);
	assert_int_equal(out, 1);
	in = out;
	count = 1;
	assert_int_equal(bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 1);
	assert_int_equal(keys[0], other[0]);
	assert_int_equal(vals[0], 77);
	assert_int_equal(out, 8);
	/* deleting: the bucket's elements go even when the copy faults */
	count = 16;
	assert_int_equal(bpf_map_lookup_and_delete_batch(fd, NULL, &out, NULL, vals, &count, NULL),
			 -EFAULT);
	assert_int_equal(count, 0);
	assert_int_equal(nr_keys(fd), 1);
	count = 16;
	assert_int_equal(bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL),
			 -ENOENT);
	assert_int_equal(count, 1);
	assert_int_equal(keys[0], other[0]);
	assert_int_equal(nr_keys(fd), 0);
	close(fd);
}

static void test_hash_lookup_and_delete_empties_every_hash_type(void **state)
{
	static const enum bpf_map_type types[] = {
		BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_HASH,
		BPF_MAP_TYPE_LRU_PERCPU_HASH,
	};
	uint32_t keys[64], in, out, count, got, i, seen;
	uint64_t vals[64 * 4];
	size_t t;

	(void)state;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		int fd = create(types[t], 4, 8, 32, 0);

		assert_true(fd >= 0);
		for (i = 0; i < 20; i++)
			put(fd, i, i);
		/* three at a time, resuming at out_batch (ENOSPC: take more) */
		got = 0;
		seen = 0;
		in = 0;
		for (;;) {
			int r;

			count = 3;
			r = bpf_map_lookup_and_delete_batch(fd, &in, &out, keys, vals, &count, NULL);
			if (r == -ENOSPC) {
				count = 64;
				r = bpf_map_lookup_and_delete_batch(fd, &in, &out, keys, vals,
								    &count, NULL);
			}
			assert_true(r == 0 || r == -ENOENT);
			for (i = 0; i < count; i++)
				seen |= 1u << keys[i];
			got += count;
			if (r == -ENOENT)
				break;
			in = out;
		}
		assert_int_equal(got, 20);
		assert_int_equal(seen, 0xfffff);
		assert_int_equal(nr_keys(fd), 0);
		close(fd);
	}
}

static void test_hash_update_and_delete_batches(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .flags = 1);
	uint32_t keys[8] = { 1, 2, 3, 4, 5 }, count;
	uint64_t vals[8] = { 11, 12, 13, 14, 15 }, v;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	int lru = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0);

	(void)state;
	assert_true(fd >= 0 && lru >= 0);
	/* batch.flags ignored; the fifth key finds the map full */
	count = 5;
	assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, &o), -E2BIG);
	assert_int_equal(count, 4);
	assert_int_equal(bpf_map_lookup_elem(fd, &keys[3], &v), 0);
	assert_int_equal(v, 14);
	/* an LRU evicts instead */
	count = 5;
	assert_int_equal(bpf_map_update_batch(lru, keys, vals, &count, NULL), 0);
	assert_int_equal(count, 5);
	/* per-element flags are not update flags: BPF_NOEXIST is -EINVAL */
	o.elem_flags = BPF_NOEXIST;
	count = 1;
	assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, &o), -EINVAL);
	assert_int_equal(count, 1);
	assert_int_equal(bpf_map_delete_batch(fd, keys, &count, &o), -EINVAL);
	/* delete: a missing key stops the batch with -ENOENT */
	o.elem_flags = 0;
	keys[1] = 99;
	count = 3;
	assert_int_equal(bpf_map_delete_batch(fd, keys, &count, &o), -ENOENT);
	assert_int_equal(count, 1);
	assert_int_equal(nr_keys(fd), 3);
	count = 2;
	assert_int_equal(bpf_map_delete_batch(fd, NULL, &count, NULL), -EFAULT);
	assert_int_equal(count, 0);
	count = 0;
	assert_int_equal(bpf_map_delete_batch(fd, NULL, &count, NULL), 0);
	keys[0] = 3;
	keys[1] = 4;
	count = 2;
	assert_int_equal(bpf_map_delete_batch(fd, keys, &count, NULL), 0);
	assert_int_equal(count, 2);
	assert_int_equal(nr_keys(fd), 1);
	close(fd);
	close(lru);
}

static void test_f_lock_copies_under_the_lock_and_zeroes_it(void **state)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_F_LOCK);
	static const enum bpf_map_type types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY };
	struct lval vals[4], back[4];
	uint32_t keys[4] = { 0, 1 }, out, count, i;
	size_t t;

	(void)state;
	for (t = 0; t < 2; t++) {
		int fd = bpfemu_map_create_fields(types[t], "l", 4, sizeof(struct lval), 4, NULL,
						  lock_field, 1);

		assert_true(fd >= 0);
		memset(vals, 0, sizeof(vals));
		for (i = 0; i < 2; i++) {
			keys[i] = i;
			vals[i].lock.val = 0xdead;	/* never copied in */
			vals[i].v = 50 + i;
		}
		count = 2;
		assert_int_equal(bpf_map_update_batch(fd, keys, vals, &count, &o), 0);
		assert_int_equal(count, 2);
		memset(back, 0xff, sizeof(back));
		count = 2;
		/* the hash reaches its end, the array does not */
		assert_int_equal(bpf_map_lookup_batch(fd, NULL, &out, keys, back, &count, &o),
				 types[t] == BPF_MAP_TYPE_HASH ? -ENOENT : 0);
		assert_int_equal(count, 2);
		for (i = 0; i < 2; i++) {
			assert_int_equal(back[i].lock.val, 0);
			assert_int_equal(back[i].v, 50 + keys[i]);
		}
		close(fd);
	}
}

static void test_map_in_map_batches(void **state)
{
	uint32_t keys[8] = { 0, 2 }, vals[8], out, count, ids[2];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int inner[2], aom, hom, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		inner[i] = create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
		assert_true(inner[i] >= 0);
		memset(&info, 0, sizeof(info));
		assert_int_equal(bpf_obj_get_info_by_fd(inner[i], &info, &len), 0);
		ids[i] = info.id;
	}
	{
		LIBBPF_OPTS(bpf_map_create_opts, co, .inner_map_fd = inner[0]);

		aom = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 4, &co);
		hom = bpf_map_create(BPF_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 4, 4, &co);
	}
	assert_true(aom >= 0 && hom >= 0);
	/* array of maps: empty slots are skipped, out_batch is the last index
	 * visited; no delete batches */
	vals[0] = inner[0];
	vals[1] = inner[1];
	count = 2;
	assert_int_equal(bpf_map_update_batch(aom, keys, vals, &count, NULL), 0);
	count = 8;
	assert_int_equal(bpf_map_lookup_batch(aom, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 2);
	assert_int_equal(out, 3);
	assert_int_equal(keys[1], 2);
	assert_int_equal(vals[0], ids[0]);
	assert_int_equal(vals[1], ids[1]);
	assert_int_equal(bpf_map_delete_batch(aom, keys, &count, NULL), -ENOTSUPP);
	/* a bad fd stops an update batch where it is */
	keys[0] = 1;
	vals[0] = 12345;
	count = 1;
	assert_int_equal(bpf_map_update_batch(aom, keys, vals, &count, NULL), -EBADF);
	assert_int_equal(count, 0);
	/* hash of maps: all four, values are ids */
	keys[0] = 0;
	keys[1] = 2;
	vals[0] = inner[0];
	vals[1] = inner[1];
	count = 2;
	assert_int_equal(bpf_map_update_batch(hom, keys, vals, &count, NULL), 0);
	count = 8;
	assert_int_equal(bpf_map_lookup_batch(hom, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	assert_int_equal(count, 2);
	assert_int_equal(out, 4);
	for (i = 0; i < 2; i++)
		assert_int_equal(vals[i], ids[keys[i] / 2]);
	count = 1;
	assert_int_equal(bpf_map_delete_batch(hom, keys, &count, NULL), 0);
	count = 8;
	assert_int_equal(bpf_map_lookup_and_delete_batch(hom, NULL, &out, keys, vals, &count, NULL),
			 -ENOENT);
	assert_int_equal(count, 1);
	assert_int_equal(nr_keys(hom), 0);
	close(aom);
	close(hom);
	close(inner[0]);
	close(inner[1]);
}

static void test_allocation_failures_are_enomem(void **state)
{
	uint32_t keys[8], out, count;
	uint64_t vals[8];
	int arr = filled_array(BPF_MAP_TYPE_ARRAY, 4);
	int hash = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);

	(void)state;
	assert_true(hash >= 0);
	put(hash, 1, 1);
	count = 2;
	bpfemu_fault_inject_nth(1);
	assert_int_equal(bpf_map_lookup_batch(arr, NULL, &out, keys, vals, &count, NULL), -ENOMEM);
	bpfemu_fault_inject_nth(0);
	assert_int_equal(count, 0);
	/* the bucket-wise lookup still reports where it stopped */
	count = 2;
	out = NOT_WRITTEN;
	bpfemu_fault_inject_nth(1);
	assert_int_equal(bpf_map_lookup_batch(hash, NULL, &out, keys, vals, &count, NULL), -ENOMEM);
	bpfemu_fault_inject_nth(0);
	assert_int_equal(count, 0);
	assert_int_equal(out, 0);
	close(arr);
	close(hash);
}

#define NTHREADS	2
#define PER_THREAD	200

struct worker {
	int fd;
	uint32_t base;
};

static void *update_then_delete(void *arg)
{
	struct worker *w = arg;
	uint32_t keys[PER_THREAD], count, i;
	uint64_t vals[PER_THREAD];

	for (i = 0; i < PER_THREAD; i++) {
		keys[i] = w->base + i;
		vals[i] = keys[i];
	}
	count = PER_THREAD;
	if (bpf_map_update_batch(w->fd, keys, vals, &count, NULL) || count != PER_THREAD)
		return (void *)1;
	count = PER_THREAD;
	if (bpf_map_delete_batch(w->fd, keys, &count, NULL) || count != PER_THREAD)
		return (void *)1;
	return NULL;
}

/* Batches are element operations under the map's locks: concurrent ones
 * from several threads neither lose nor duplicate elements. */
static void test_concurrent_batches(void **state)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	uint32_t keys[64], out, in, count;
	uint64_t vals[64];
	void *ret;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, NTHREADS * PER_THREAD + 64, 0);
	int i, r;

	(void)state;
	assert_true(fd >= 0);
	for (i = 0; i < 64; i++)
		put(fd, 1000000 + i, i);
	for (i = 0; i < NTHREADS; i++) {
		w[i].fd = fd;
		w[i].base = (uint32_t)i * PER_THREAD;
		assert_int_equal(pthread_create(&t[i], NULL, update_then_delete, &w[i]), 0);
	}
	/* meanwhile, walk: every key seen is one of ours or a worker's */
	in = 0;
	do {
		count = 64;
		r = bpf_map_lookup_batch(fd, &in, &out, keys, vals, &count, NULL);
		assert_true(r == 0 || r == -ENOENT || r == -ENOSPC);
		in = out;
	} while (r == 0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(nr_keys(fd), 64);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_opts_then_count_are_checked_before_the_fd),
		T(test_fd_access_and_command_support_come_before_the_flags),
		T(test_array_lookup_walks_keys_and_ends_with_enoent),
		T(test_array_lookup_faults_and_flags),
		T(test_array_update_stops_at_the_first_error),
		T(test_percpu_values_are_8_aligned_per_cpu),
		T(test_hash_lookup_returns_every_key_then_enoent),
		T(test_hash_batches_take_whole_buckets),
		T(test_hash_lookup_and_delete_empties_every_hash_type),
		T(test_hash_update_and_delete_batches),
		T(test_f_lock_copies_under_the_lock_and_zeroes_it),
		T(test_map_in_map_batches),
		T(test_allocation_failures_are_enomem),
		T(test_concurrent_batches),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
