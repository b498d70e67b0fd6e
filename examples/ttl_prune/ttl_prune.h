/* SPDX-License-Identifier: MIT */
/* Shared between ttl_prune.bpf.c and ttl_prune.c. */
#ifndef TTL_PRUNE_H
#define TTL_PRUNE_H

#define NAME_LEN 32

/* Zero the whole key before filling it: the map compares all 32 bytes. */
struct dns_key {
	char name[NAME_LEN];
};

/* One cached record.  The timer lives in the value, so the map owns it:
 * deleting or replacing the record cancels and frees it. */
struct dns_rec {
	__u32 addr;		/* IPv4 address, host order */
	__u32 ttl_ms;		/* 0: never expires */
	__u64 expires_ns;	/* bpf_ktime_get_ns() deadline, 0 if none */
	struct bpf_timer expiry;
};

/* The context user space passes to add_record (bpf_test_run_opts.ctx_in). */
struct dns_add {
	struct dns_key key;
	__u32 addr;
	__u32 ttl_ms;
};

#endif /* TTL_PRUNE_H */
