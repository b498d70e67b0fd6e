// SPDX-License-Identifier: GPL-2.0
/* Holds a pointer into a hash element while user space replaces it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rr_val {
	__u64 a;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rr_val);
} rr_map SEC(".maps");

/*
 * Returns how many reads saw something key 0 never holds: user space writes
 * even values (a == b) under key 0 and odd ones under key 1, so an odd or
 * torn value means key 0's element was recycled under this program.
 */
SEC("tc")
int rr_read(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct rr_val *v = bpf_map_lookup_elem(&rr_map, &k);
	int i, torn = 0;

	if (!v)
		return 0;
	for (i = 0; i < 2000; i++)
	{
		__u64 a = *(volatile __u64 *)&v->a;
		__u64 b = *(volatile __u64 *)&v->b;

		if ((a & 1) || a != b)
			torn++;
	}
	return torn;
}

char _license[] SEC("license") = "GPL";
