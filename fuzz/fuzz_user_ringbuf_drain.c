/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for bpf_user_ringbuf_drain: arbitrary producer positions
 * and record headers, as a buggy or hostile user-space producer could
 * write them.  The drain must never crash or touch memory outside the ring
 * (the kernel view ends in a guard page, and ASan watches the callback's
 * copies), and must always return a sample count or one of the kernel's
 * errnos.  Consumption is bounded: the consumer only moves forward and
 * every drain call stops after 131072 records.
 *
 * Input: a ring-size selector byte, then a sequence of 16-byte commands
 *   { u8 op; u8 pad[3]; u32 a; u64 b; }
 * op 0: write header word b at consumer + a*8 (length and flag bits)
 * op 1: set producer_pos = consumer + (b & 0xffffff)
 * op 2: set producer_pos = b (anything, misaligned or behind)
 * op 3: drain with flags b & 7 (unknown flags included)
 * op 4: write 8 bytes b at data offset a (payload bytes)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "map.h"
#include "ringbuf.h"

struct cmd {
	uint8_t op;
	uint8_t pad[3];
	uint32_t a;
	uint64_t b;
};

struct cb_state {
	uint64_t calls;
	uint8_t buf[64];
};

static int fuzz_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct cb_state *s = ctx;
	uint32_t size = bpf_dynptr_size(d);
	const uint8_t *p;

	s->calls++;
	/* Touch the first and last bytes of every sample handed out. */
	if (size) {
		if (bpfemu_helper_dynptr_read(s->buf, 1, d, 0, 0) ||
		    bpfemu_helper_dynptr_read(s->buf, 1, d, size - 1, 0))
			abort();
		p = bpfemu_helper_dynptr_data(d, 0, size);
		if (!p)
			abort();
		s->buf[1] ^= p[size - 1];
	}
	/* Stop early now and then, as programs do. */
	return (s->calls % 97) == 0;
}

static struct emu_map *ring_new(uint32_t size)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_USER_RINGBUF,
		.max_entries = size,
		.inner_map_fd = -1,
	};
	int err = 0;

	return emu_map_create(&attr, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static size_t page;
	struct cb_state st = { 0 };
	struct emu_ringbuf *rb;
	struct emu_map *map;
	unsigned long cons;
	size_t off;
	void *def;

	if (!page) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		emu_ringbuf_register();
		bpfemu_diag_set_echo(false);
	}
	if (len < 1)
		return 0;
	map = ring_new((uint32_t)page << (data[0] & 3));
	if (!map)
		abort();
	rb = emu_ringbuf_from_map(map);
	def = emu_map_def(map);

	for (off = 1; off + sizeof(struct cmd) <= len; off += sizeof(struct cmd)) {
		struct cmd c;
		long ret;

		memcpy(&c, data + off, sizeof(c));
		cons = __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
		switch (c.op % 5) {
		case 0:
			*(uint32_t *)(rb->data + ((cons + (uint64_t)c.a * 8) & rb->mask)) = (uint32_t)c.b;
			break;
		case 1:
			__atomic_store_n(rb->producer_pos, cons + (c.b & 0xffffff), __ATOMIC_RELEASE);
			break;
		case 2:
			__atomic_store_n(rb->producer_pos, (unsigned long)c.b, __ATOMIC_RELEASE);
			break;
		case 3: {
			unsigned long before = cons;

			ret = bpfemu_helper_user_ringbuf_drain(def, fuzz_cb, &st, c.b & 7);
			if (ret != -EINVAL && ret != -E2BIG && ret != -EBUSY &&
			    (ret < 0 || ret > EMU_MAX_USER_RINGBUF_SAMPLES))
				abort();
			/* The consumer never moves backwards. */
			if (__atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE) < before)
				abort();
			break;
		}
		case 4:
			memcpy(rb->data + (c.a & rb->mask & ~7u), &c.b, 8);
			break;
		}
	}
	emu_map_put(map);
	if (bpfemu_live_objects() != 0)
		abort();
	return 0;
}
