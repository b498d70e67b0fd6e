// SPDX-License-Identifier: GPL-2.0
/*
 * The object bench_startup loads: a small but typical one (a hash map, an
 * array holding a timer, globals in .bss/.data/.rodata, two programs).
 * Built as object "startup" when bench/CMakeLists.txt links it.
 */
#include <linux/bpf.h>
#include <time.h>
#include <bpf/bpf_helpers.h>

struct tval {
	struct bpf_timer t;
	__u64 armed;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} tmap SEC(".maps");

const volatile __u32 step = 1;
__u64 runs;
int last_err = -1;

static int on_timer(void *map, int *key, struct tval *v)
{
	return 0;
}

SEC("syscall")
int first_run(void *ctx)
{
	__u32 k = 7;
	__u64 one = 1, *v;
	struct tval *t;
	int key = 0;

	v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		*v += step;
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
	t = bpf_map_lookup_elem(&tmap, &key);
	if (t) {
		last_err = bpf_timer_init(&t->t, &tmap, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&t->t, on_timer);
	}
	runs++;
	return 0;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
