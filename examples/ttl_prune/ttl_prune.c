// SPDX-License-Identifier: MIT
/*
 * ttl_prune: DNS records with TTLs in an LRU hash, pruned by per-record
 * bpf_timers while the event loop runs in real time.
 *
 * We insert five records (one without a TTL) through the add_record
 * program, refresh one of them at 400 ms, and print the cache each time
 * the BPF side prunes something.  The run ends when only the record
 * without a TTL is left, about 1.2 s later.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "ttl_prune.h"
#include "ttl_prune.skel.h"

#define DEADLINE_MS 3000
#define SLICE_MS 10
#define REFRESH_AT_MS 400

struct record {
	const char *name;
	__u32 addr;
	__u32 ttl_ms;
};

static const struct record records[] = {
	{ "a.example.com", 0x0a000001, 300 },
	{ "b.example.com", 0x0a000002, 700 },
	{ "c.example.com", 0x0a000003, 1100 },
	{ "d.example.com", 0x0a000004, 500 },
	{ "static.local",  0x0a000009, 0 },
};
#define NR_RECORDS (sizeof(records) / sizeof(records[0]))

/* b.example.com is refreshed with this TTL at REFRESH_AT_MS. */
static const struct record refresh = { "b.example.com", 0x0a000022, 800 };

static __u64 now_ns(void)
{
	struct timespec ts;

	/* In real-time mode bpf_ktime_get_ns() reads this same clock. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void make_key(struct dns_key *key, const char *name)
{
	memset(key, 0, sizeof(*key));
	strncpy(key->name, name, sizeof(key->name) - 1);
}

static int add_record(struct ttl_prune *skel, const struct record *r)
{
	struct dns_add args;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.ctx_in = &args,
		.ctx_size_in = sizeof(args),
	);
	int err;

	memset(&args, 0, sizeof(args));
	make_key(&args.key, r->name);
	args.addr = r->addr;
	args.ttl_ms = r->ttl_ms;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.add_record), &opts);
	if (err)
		return err;
	return (int)opts.retval;
}

static void print_addr(char *buf, size_t len, __u32 a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* Walk the map from user space as any libbpf tool would. */
static int print_cache(int fd)
{
	struct dns_key key, next;
	struct dns_rec rec;
	void *prev = NULL;
	__u64 now = now_ns();
	char addr[16];
	int n = 0;

	printf("    %-16s %-12s %s\n", "name", "address", "expires in");
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rec))
			continue;	/* pruned between the two calls */
		print_addr(addr, sizeof(addr), rec.addr);
		if (rec.expires_ns)
			printf("    %-16s %-12s %5lld ms\n", key.name, addr,
			       ((long long)rec.expires_ns - (long long)now) / 1000000);
		else
			printf("    %-16s %-12s %8s\n", key.name, addr, "never");
		n++;
	}
	return n;
}

int main(void)
{
	struct ttl_prune *skel;
	struct dns_key key;
	struct dns_rec rec;
	__u64 start, last_expired = 0, elapsed_ms = 0;
	bool refreshed = false, gone[NR_RECORDS] = { false };
	int fd, err = 0, left = NR_RECORDS;
	unsigned int i;

	printf("ttl_prune: DNS records in an LRU_HASH, each deleted by its own "
	       "bpf_timer when its TTL runs out\n");
	skel = ttl_prune__open_and_load();
	if (!skel) {
		fprintf(stderr, "open/load failed: %s\n", strerror(errno));
		return 1;
	}
	fd = bpf_map__fd(skel->maps.dns_cache);

	/* bpfemu: timers follow the host's clock and fire from bpfemu_loop_run(). */
	bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL);

	start = now_ns();
	for (i = 0; i < NR_RECORDS; i++) {
		err = add_record(skel, &records[i]);
		if (err) {
			fprintf(stderr, "add_record %s: %d\n", records[i].name, err);
			goto out;
		}
	}
	printf("[%4d ms] added %u records\n", 0, (unsigned int)NR_RECORDS);
	print_cache(fd);

	while (left > 1) {
		elapsed_ms = (now_ns() - start) / 1000000;
		if (elapsed_ms >= DEADLINE_MS) {
			fprintf(stderr, "records still cached after %d ms\n", DEADLINE_MS);
			err = -ETIMEDOUT;
			goto out;
		}
		if (!refreshed && elapsed_ms >= REFRESH_AT_MS) {
			err = add_record(skel, &refresh);
			if (err) {
				fprintf(stderr, "refresh %s: %d\n", refresh.name, err);
				goto out;
			}
			refreshed = true;
			printf("[%4llu ms] refreshed %s with a %u ms TTL\n",
			       (unsigned long long)elapsed_ms, refresh.name, refresh.ttl_ms);
			print_cache(fd);
		}

		/* bpfemu: run the event loop; expiry callbacks fire inside. */
		bpfemu_loop_run(SLICE_MS);

		if (skel->bss->expired == last_expired)
			continue;
		last_expired = skel->bss->expired;
		printf("[%4llu ms] pruned", (unsigned long long)((now_ns() - start) / 1000000));
		for (i = 0; i < NR_RECORDS; i++) {
			make_key(&key, records[i].name);
			if (gone[i] || bpf_map_lookup_elem(fd, &key, &rec) != -ENOENT)
				continue;
			gone[i] = true;
			printf(" %s", records[i].name);
		}
		printf("\n");
		left = print_cache(fd);
	}

	/* b's first timer (700 ms) must have died with the value it lived in. */
	if (skel->bss->expired != NR_RECORDS - 1 || elapsed_ms < REFRESH_AT_MS + refresh.ttl_ms - 50) {
		fprintf(stderr, "unexpected: %llu pruned, last after %llu ms\n",
			(unsigned long long)skel->bss->expired, (unsigned long long)elapsed_ms);
		err = -EINVAL;
		goto out;
	}
	make_key(&key, "static.local");
	err = bpf_map_lookup_elem(fd, &key, &rec);
	if (err) {
		fprintf(stderr, "static.local is gone: %d\n", err);
		goto out;
	}
	printf("only the record without a TTL is left: done\n");
out:
	ttl_prune__destroy(skel);
	return err ? 1 : 0;
}
