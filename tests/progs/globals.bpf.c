// SPDX-License-Identifier: GPL-2.0
/* Globals in every section, anonymous-struct maps, pins, callbacks, BPF_PROG. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared SEC(".maps");

__u64 hits;			/* .bss */
int step = 3;			/* .data */
const volatile int scale = 1;	/* .rodata */
const volatile char tag[8] = "abc";
__u64 sum_seen;

static long sum_cb(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*(__u64 *)ctx += *val;
	return 0;
}

static __always_inline int bump(__u32 k)
{
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
	return 0;
}

SEC("syscall")
int count(void *ctx)
{
	__u64 total = 0;
	__u32 k = 0;
	__u64 *s;

	hits += step * scale;
	bump(1);
	bump(2);
	bpf_for_each_map_elem(&counts, sum_cb, &total, 0);
	sum_seen = total;
	s = bpf_map_lookup_elem(&shared, &k);
	if (s)
		*s += 10;
	bpf_printk("hits %llu tag %s step %d scale %d", hits, tag, step, scale);
	return (int)hits;
}

SEC("fentry/do_nothing")
int BPF_PROG(traced, int a, long b)
{
	return a + (int)b;
}

SEC("?syscall")
int not_loaded(void *ctx)
{
	return 7;
}

char _license[] SEC("license") = "Dual BSD/GPL";
