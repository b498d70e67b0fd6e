/* SPDX-License-Identifier: MIT */
/* Shared between progs/ringbuf.bpf.c and drivers/ringbuf.c. */
#ifndef TWIN_RINGBUF_H
#define TWIN_RINGBUF_H

#define RB_RING_SIZE	(4u << 20)	/* both rings: 4 MiB */

/*
 * Samples one program run reserves: many per run so that a run's fixed
 * entry cost (bench "run") is small beside the ring work.  A 4096-byte
 * sample takes 4104 bytes of ring, so fewer of them per run.
 */
#define RB_CALLS_64	256
#define RB_CALLS_4096	16

/*
 * Runs per batch: a batch is produced, then consumed, and must fit in the
 * ring (72 resp. 4104 bytes per sample with the 8-byte header):
 * 51200 * 72 = 3.5 MiB, 960 * 4104 = 3.8 MiB of the 4 MiB.
 */
#define RB_RUNS_64	200
#define RB_RUNS_4096	60

#endif
