// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's limit of 64 maps per program (MAX_USED_MAPS), libbpf's
 * .bss map counted like any other: all_64 uses 64 maps and loads;
 * all_64_and_a_global uses them and a .bss variable, 65 maps, -E2BIG
 * (checked on 6.18: "The total number of maps per program has reached the
 * limit of 64").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAP(n)								\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY);			\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__type(value, __u64);					\
	} m##n SEC(".maps")
#define MAP8(n) MAP(n##0); MAP(n##1); MAP(n##2); MAP(n##3); \
		MAP(n##4); MAP(n##5); MAP(n##6); MAP(n##7)
MAP8(0); MAP8(1); MAP8(2); MAP8(3); MAP8(4); MAP8(5); MAP8(6); MAP8(7);

__u64 seen;

#define GET(n)	do { if (bpf_map_lookup_elem(&m##n, &k)) got++; } while (0)
#define GET8(n)	GET(n##0); GET(n##1); GET(n##2); GET(n##3); \
		GET(n##4); GET(n##5); GET(n##6); GET(n##7)
#define GET64()	GET8(0); GET8(1); GET8(2); GET8(3); GET8(4); GET8(5); GET8(6); GET8(7)

SEC("tc")
int all_64(struct __sk_buff *skb)
{
	__u32 k = 0;
	int got = 0;

	GET64();
	return got;
}

SEC("tc")
int all_64_and_a_global(struct __sk_buff *skb)
{
	__u32 k = 0;
	int got = 0;

	GET64();
	seen = got;
	return 0;
}

char _license[] SEC("license") = "GPL";
