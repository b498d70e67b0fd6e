// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "ringbuf": ns per sample through a 4 MiB ring, both ways,
 * with 64- and 4096-byte samples (progs/ringbuf.bpf.c).
 *
 * ringbuf_<size> (BPF_MAP_TYPE_RINGBUF, program -> user space): a batch of
 * produce_<size> runs (BPF_PROG_TEST_RUN, repeat chosen so that the batch
 * fits in the ring) and then one ring_buffer__consume() whose callback
 * checks each sample's sequence number.  Producer and consumer are timed
 * together with twin_now_ns(): a ring's cost is on both ends.
 *
 * user_ringbuf_<size> (BPF_MAP_TYPE_USER_RINGBUF, user space -> program):
 * a batch of user_ring_buffer__reserve/fill/submit and then one run of
 * drain, whose bpf_user_ringbuf_drain callback reads and checks each
 * sample's sequence number; fill and drain timed together.
 *
 * Both sides run this driver and the same program text through libbpf, so
 * the work per sample is the same; the figure is the total time of several
 * batches over their samples, the best of TWIN_TRIES tries.
 */
#define TWIN_NAME "ringbuf"
#include "twin.h"
#include "ringbuf.h"

#include "twin_ringbuf.skel.h"

#define NBATCH		10	/* batches per try */
#define QUICK_SAMPLES	512	/* --quick: samples of the one batch */

static struct twin_ringbuf *skel;

/* ring_buffer__consume callback state */
static uint64_t next_seq, consumed, consume_bad;

static int on_sample(void *ctx, void *data, size_t size)
{
	(void)ctx;
	/* touch the sample: its first word is its sequence number */
	if (size < 8 || *(const uint64_t *)data != next_seq)
		consume_bad++;
	next_seq++;
	consumed++;
	return 0;
}

/* @repeat runs of @prog_fd, one BPF_PROG_TEST_RUN; 0 or -1 and a message */
static int run_prog(int prog_fd, uint32_t repeat)
{
	unsigned char pkt[64] = { [12] = 0x08 };	/* ethertype IPv4 */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = (int)repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "ringbuf: bpf_prog_test_run_opts: %s\n", conf_rc(-(long)errno));
		return -1;
	}
	return 0;
}

/* ns per sample of produce (@calls samples per run, @runs runs a batch) + consume */
static double ringbuf_ns(struct ring_buffer *cons, struct bpf_program *prog, uint32_t calls,
			 uint32_t runs)
{
	int fd = bpf_program__fd(prog), batches = twin_quick ? 1 : NBATCH;
	uint64_t produced = 0, seq0 = skel->bss->seq;
	double best = -1;

	if (twin_quick)
		runs = QUICK_SAMPLES / calls;
	skel->bss->reserve_failures = 0;
	next_seq = seq0;
	consumed = 0;
	consume_bad = 0;
	for (int t = 0; t < (twin_quick ? 1 : TWIN_TRIES); t++) {
		uint64_t ns = 0, n = 0;

		for (int b = 0; b < batches; b++) {
			uint64_t t0 = twin_now_ns();
			int c;

			if (run_prog(fd, runs))
				return -1;
			c = ring_buffer__consume(cons);
			ns += twin_now_ns() - t0;
			if (c < 0) {
				fprintf(stderr, "ringbuf: ring_buffer__consume: %s\n", conf_rc(c));
				return -1;
			}
			n += (uint64_t)runs * calls;
		}
		produced += n;
		if (best < 0 || (double)ns / n < best)
			best = (double)ns / n;
	}
	if (skel->bss->reserve_failures || consume_bad || consumed != produced ||
	    skel->bss->seq - seq0 != produced) {
		fprintf(stderr, "ringbuf: %s: produced %llu, reserve failures %llu, "
			"consumed %llu, out of order %llu\n", bpf_program__name(prog),
			(unsigned long long)(skel->bss->seq - seq0),
			(unsigned long long)skel->bss->reserve_failures,
			(unsigned long long)consumed, (unsigned long long)consume_bad);
		return -1;
	}
	return best;
}

/* ns per sample of filling @batch samples of @size bytes + draining them */
static double user_ringbuf_ns(struct user_ring_buffer *prod, uint32_t size, uint32_t batch)
{
	int fd = bpf_program__fd(skel->progs.drain), batches = twin_quick ? 1 : NBATCH;
	uint64_t produced = 0, seq = skel->bss->useq, drained0 = skel->bss->drained;
	double best = -1;

	if (twin_quick)
		batch = QUICK_SAMPLES / 2;
	for (int t = 0; t < (twin_quick ? 1 : TWIN_TRIES); t++) {
		uint64_t ns = 0, n = 0;

		for (int b = 0; b < batches; b++) {
			uint64_t t0 = twin_now_ns();

			for (uint32_t i = 0; i < batch; i++) {
				uint64_t *p = user_ring_buffer__reserve(prod, size);

				if (!p) {
					fprintf(stderr, "ringbuf: user ring reserve(%u): %s\n",
						size, conf_rc(-(long)errno));
					return -1;
				}
				/* the same words the program's producer writes */
				for (uint32_t j = 0; j < size / 8; j++)
					p[j] = seq;
				seq++;
				user_ring_buffer__submit(prod, p);
			}
			if (run_prog(fd, 1))
				return -1;
			ns += twin_now_ns() - t0;
			n += batch;
		}
		produced += n;
		if (best < 0 || (double)ns / n < best)
			best = (double)ns / n;
	}
	if (skel->bss->drain_bad || skel->bss->drained - drained0 != produced ||
	    skel->bss->useq != seq) {
		fprintf(stderr, "ringbuf: user ring %u: submitted %llu, drained %llu, bad %llu\n",
			size, (unsigned long long)produced,
			(unsigned long long)(skel->bss->drained - drained0),
			(unsigned long long)skel->bss->drain_bad);
		return -1;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct ring_buffer *cons = NULL;
	struct user_ring_buffer *prod = NULL;

	twin_init(argc, argv);
	skel = twin_ringbuf__open_and_load();
	if (!skel) {
		fprintf(stderr, "ringbuf: open_and_load failed: %s\n", conf_rc(-(long)errno));
		return 1;
	}
	cons = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_sample, NULL, NULL);
	prod = user_ring_buffer__new(bpf_map__fd(skel->maps.urb), NULL);
	if (!cons || !prod) {
		fprintf(stderr, "ringbuf: ring buffer setup failed: %s\n", conf_rc(-(long)errno));
		conf_failures++;
		goto out;
	}
	twin_figure("ringbuf_64", ringbuf_ns(cons, skel->progs.produce_64, RB_CALLS_64,
					     RB_RUNS_64));
	twin_figure("ringbuf_4096", ringbuf_ns(cons, skel->progs.produce_4096, RB_CALLS_4096,
					       RB_RUNS_4096));
	/* the same samples per batch as the program -> user space figures */
	twin_figure("user_ringbuf_64", user_ringbuf_ns(prod, 64, RB_CALLS_64 * RB_RUNS_64));
	twin_figure("user_ringbuf_4096", user_ringbuf_ns(prod, 4096,
							 RB_CALLS_4096 * RB_RUNS_4096));
out:
	user_ring_buffer__free(prod);
	ring_buffer__free(cons);
	twin_ringbuf__destroy(skel);
	return conf_failures ? 1 : 0;
}
