// SPDX-License-Identifier: GPL-2.0
/*
 * A DNS cache in an LRU hash that prunes records when their TTL runs out,
 * instead of waiting for the LRU to evict them (which might push out a
 * record that is still valid while expired ones stay).
 *
 * add_record inserts or refreshes a record and starts a timer stored in
 * the record itself; the timer's callback deletes the record.
 */
#include <linux/bpf.h>
#include <time.h>
#include <errno.h>
#include <bpf/bpf_helpers.h>

#include "ttl_prune.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, struct dns_key);
	__type(value, struct dns_rec);
} dns_cache SEC(".maps");

__u64 added;
__u64 expired;

static int expire_record(void *map, struct dns_key *key, struct dns_rec *rec)
{
	/* Deleting the element that holds the running timer is allowed: the
	 * timer is freed once this callback returns. */
	if (bpf_map_delete_elem(map, key) == 0)
		expired++;
	bpf_printk("expired %s after %u ms", key->name, rec->ttl_ms);
	return 0;
}

SEC("syscall")
int add_record(struct dns_add *args)
{
	struct dns_rec rec, *r;
	struct dns_key key;
	__u32 ttl_ms;
	long err;

	/* Map helpers take keys from the stack, not from the context. */
	__builtin_memcpy(&key, &args->key, sizeof(key));
	ttl_ms = args->ttl_ms;

	__builtin_memset(&rec, 0, sizeof(rec));
	rec.addr = args->addr;
	rec.ttl_ms = ttl_ms;
	if (ttl_ms)
		rec.expires_ns = bpf_ktime_get_ns() + ttl_ms * 1000000ULL;

	/* Replacing a record frees the old value's timer, so a refresh
	 * starts over with a fresh one and the old deadline is gone. */
	err = bpf_map_update_elem(&dns_cache, &key, &rec, BPF_ANY);
	if (err)
		return err;
	added++;
	if (!ttl_ms)
		return 0;

	r = bpf_map_lookup_elem(&dns_cache, &key);
	if (!r)
		return -ENOENT;
	err = bpf_timer_init(&r->expiry, &dns_cache, CLOCK_MONOTONIC);
	if (err)
		return err;
	err = bpf_timer_set_callback(&r->expiry, expire_record);
	if (err)
		return err;
	return bpf_timer_start(&r->expiry, ttl_ms * 1000000ULL, 0);
}

char _license[] SEC("license") = "GPL";
