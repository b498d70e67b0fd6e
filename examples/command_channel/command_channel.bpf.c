// SPDX-License-Identifier: GPL-2.0
/*
 * command_channel, BPF side: drain the commands user space queued in a user
 * ring buffer, apply each to a hash map, and answer each through a kernel
 * ring buffer.  Plain libbpf-style BPF C; it loads on a kernel too.
 */
#include <linux/bpf.h>
#include <errno.h>
#include <bpf/bpf_helpers.h>

#include "command_channel.h"

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 64 * 1024);
} commands SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} replies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NR_KEYS);
	__type(key, __u32);
	__type(value, __s64);
} table SEC(".maps");

long applied;
long dropped_replies;
long last_drain;

static long apply(struct bpf_dynptr *dynptr, void *ctx)
{
	struct command c;
	struct reply r = {};
	__s64 *v;

	if (bpf_dynptr_read(&c, sizeof(c), dynptr, 0, 0))
		return 0;	/* a malformed command: skip it */
	r.seq = c.seq;
	r.op = c.op;
	r.key = c.key;

	switch (c.op) {
	case CMD_SET:
		r.err = bpf_map_update_elem(&table, &c.key, &c.value, BPF_ANY);
		r.value = c.value;
		break;
	case CMD_ADD:
		v = bpf_map_lookup_elem(&table, &c.key);
		if (!v) {
			r.err = -ENOENT;
			break;
		}
		__sync_fetch_and_add(v, c.value);
		r.value = *v;
		break;
	case CMD_GET:
		v = bpf_map_lookup_elem(&table, &c.key);
		if (v)
			r.value = *v;
		else
			r.err = -ENOENT;
		break;
	case CMD_DEL:
		r.err = bpf_map_delete_elem(&table, &c.key);
		break;
	default:
		r.err = -EINVAL;
	}
	applied++;
	if (bpf_ringbuf_output(&replies, &r, sizeof(r), 0))
		dropped_replies++;
	return 0;
}

SEC("syscall")
int apply_commands(void *ctx)
{
	last_drain = bpf_user_ringbuf_drain(&commands, apply, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
