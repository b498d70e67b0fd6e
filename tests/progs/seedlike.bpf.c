// SPDX-License-Identifier: GPL-2.0
/* Modelled on the bpf_timer_init seed: every construct it uses. */
#include <linux/bpf.h>
#include <time.h>
#include <stdbool.h>
#include <errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct tval {
	struct bpf_timer tm;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} tmap SEC(".maps");

int init_err;
int cb_runs;

static int on_timer(void *map, int *key, struct bpf_timer *timer)
{
	bpf_printk("timer fired");
	cb_runs++;
	return 0;
}

SEC("cgroup_skb/egress")
int egress(void *ctx)
{
	struct tval zero, *v;
	struct bpf_timer *t;
	int key = 0, err;

	__builtin_memset(&zero, 0, sizeof(zero));
	bpf_map_update_elem(&tmap, &key, &zero, BPF_ANY);
	v = bpf_map_lookup_elem(&tmap, &key);
	if (!v)
		return 1;
	t = &v->tm;
	err = bpf_timer_init(t, &tmap, CLOCK_MONOTONIC);
	init_err = err;
	if (err && err != -EBUSY)
		return 1;
	bpf_timer_set_callback(t, on_timer);
	bpf_timer_start(t, 0, 0);
	bpf_timer_cancel(t);
	return 0;
}

char _license[] SEC("license") = "GPL";
