// SPDX-License-Identifier: MIT
/*
 * command_channel: user space sends commands to a BPF program through a
 * user ring buffer (BPF_MAP_TYPE_USER_RINGBUF); the program drains them,
 * applies each to a hash map and answers through a kernel ring buffer
 * (BPF_MAP_TYPE_RINGBUF).
 *
 * Live, on two threads: a sender queues the commands with
 * user_ring_buffer__reserve_blocking -- the command ring holds about 2000
 * of them, so it regularly sleeps until the program has drained some --
 * while the main thread runs the program and collects the replies with
 * ring_buffer__poll.  It exits by itself once every reply has arrived and
 * the final table is what the commands add up to (or after 5 s, failing).
 *
 * This is plain libbpf code; it builds against libbpf for a kernel too.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "command_channel.h"
#include "command_channel.skel.h"

#define NR_ADDS		4000
#define NR_COMMANDS	(NR_KEYS + NR_ADDS + NR_KEYS)
#define DEADLINE_MS	5000

struct state {
	struct user_ring_buffer *urb;
	int send_err;
	long replies;
	long errors;
	__s64 expect[NR_KEYS];
	__s64 got[NR_KEYS];
};

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* Command number @seq of the script: SET every key to 0, ADD, then GET. */
static void script(__u32 seq, struct command *c)
{
	memset(c, 0, sizeof(*c));
	c->seq = seq;
	if (seq < NR_KEYS) {
		c->op = CMD_SET;
		c->key = seq;
	} else if (seq < NR_KEYS + NR_ADDS) {
		c->op = CMD_ADD;
		c->key = seq % NR_KEYS;
		c->value = seq;
	} else {
		c->op = CMD_GET;
		c->key = seq - NR_KEYS - NR_ADDS;
	}
}

static void *sender(void *arg)
{
	struct state *st = arg;
	__u32 seq;

	for (seq = 0; seq < NR_COMMANDS; seq++) {
		struct command *c;

		/* Sleeps while the ring is full, until a drain wakes us. */
		c = user_ring_buffer__reserve_blocking(st->urb, sizeof(*c), 2000);
		if (!c) {
			st->send_err = -errno;
			return NULL;
		}
		script(seq, c);
		user_ring_buffer__submit(st->urb, c);
	}
	return NULL;
}

static int on_reply(void *ctx, void *data, size_t size)
{
	struct state *st = ctx;
	const struct reply *r = data;

	if (size != sizeof(*r) || r->err || r->key >= NR_KEYS) {
		st->errors++;
		return 0;
	}
	if (r->op == CMD_GET)
		st->got[r->key] = r->value;
	st->replies++;
	return 0;
}

int main(void)
{
	struct command_channel *skel;
	struct ring_buffer *rb = NULL;
	struct state st;
	pthread_t thread;
	int err, i, ok = 1, started = 0;
	__u64 t0;

	memset(&st, 0, sizeof(st));
	for (i = NR_KEYS; i < NR_KEYS + NR_ADDS; i++)
		st.expect[i % NR_KEYS] += i;

	printf("command_channel: user space sends commands through a USER_RINGBUF, the "
	       "program applies them to a HASH map and replies through a RINGBUF, on "
	       "two threads\n");
	skel = command_channel__open_and_load();
	if (!skel) {
		fprintf(stderr, "load failed: %s\n", strerror(errno));
		return 1;
	}
	st.urb = user_ring_buffer__new(bpf_map__fd(skel->maps.commands), NULL);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.replies), on_reply, &st, NULL);
	if (!st.urb || !rb) {
		fprintf(stderr, "ring buffers: %s\n", strerror(errno));
		ok = 0;
		goto out;
	}
	if (pthread_create(&thread, NULL, sender, &st)) {
		ok = 0;
		goto out;
	}
	started = 1;

	t0 = now_ms();
	while (st.replies + st.errors < NR_COMMANDS && now_ms() - t0 < DEADLINE_MS) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		/* The program drains what was sent, and wakes the sender. */
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.apply_commands), &opts);
		if (err) {
			fprintf(stderr, "apply_commands: %d\n", err);
			ok = 0;
			break;
		}
		err = ring_buffer__poll(rb, 10);
		if (err < 0) {
			fprintf(stderr, "ring_buffer__poll: %d\n", err);
			ok = 0;
			break;
		}
	}

out:
	if (started)
		pthread_join(thread, NULL);
	if (ok) {
		printf("sent %d commands, %ld replies, %ld errors, program applied %ld\n",
		       NR_COMMANDS, st.replies, st.errors, (long)skel->bss->applied);
		if (st.send_err || st.errors || st.replies != NR_COMMANDS ||
		    skel->bss->dropped_replies) {
			fprintf(stderr, "failed: send error %d, dropped replies %ld\n",
				st.send_err, (long)skel->bss->dropped_replies);
			ok = 0;
		}
		for (i = 0; ok && i < NR_KEYS; i++) {
			if (st.got[i] != st.expect[i]) {
				fprintf(stderr, "key %d: %lld, expected %lld\n", i,
					(long long)st.got[i], (long long)st.expect[i]);
				ok = 0;
			}
		}
		if (ok)
			printf("table matches: key 0 = %lld ... key %d = %lld\n",
			       (long long)st.got[0], NR_KEYS - 1, (long long)st.got[NR_KEYS - 1]);
	}
	ring_buffer__free(rb);
	user_ring_buffer__free(st.urb);
	command_channel__destroy(skel);
	return ok ? 0 : 1;
}
