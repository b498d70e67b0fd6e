/* SPDX-License-Identifier: MIT */
/* Shared between progs/user_ringbuf.bpf.c and drivers/user_ringbuf.c. */
#ifndef CONF_USER_RINGBUF_H
#define CONF_USER_RINGBUF_H

#define UR_SMALL	0	/* 4096-byte ring */
#define UR_BIG		1	/* 2 MiB ring (the 131072-sample budget) */
#define UR_CORR		2	/* 4096-byte ring whose positions the driver writes */
#define UR_HUGE		3	/* 32 MiB ring (the 2^24 - 1 dynptr size limit) */

/* probe kinds, run by the callback on each of the first UR_PSAMPLES samples */
#define UP_READ		1	/* bpf_dynptr_read(buf, len, d, off, flags) */
#define UP_WRITE	2	/* bpf_dynptr_write(d, off, src, len, flags) */
#define UP_DATA8	3	/* bpf_dynptr_data(d, off, 8) != NULL */
#define UP_DATA32	4	/* bpf_dynptr_data(d, off, 32) != NULL */
#define UP_DATA1	5	/* bpf_dynptr_data(d, off, 1) != NULL */

#define UR_NPROBES	32
#define UR_PSAMPLES	4
#define UR_NSIZES	64

#endif
