/* SPDX-License-Identifier: MIT */
/* Shared between progs/ringbuf.bpf.c and drivers/ringbuf.c. */
#ifndef CONF_RINGBUF_H
#define CONF_RINGBUF_H

#define RO_OUTPUT	1	/* res = output(obuf, arg_size, arg_flags) */
#define RO_RESERVE	2	/* reserve(size #arg_size_sel, arg_flags); commit: res = 0 / -1 for NULL */
#define RO_QUERY	3	/* res = query(arg_flags) */
#define RO_DYNPTR	4	/* res = reserve_dynptr(arg_size, arg_flags), then commit it */

/* constant reservation sizes (the verifier wants a constant) */
#define RS_0		0
#define RS_8		1
#define RS_4080		2
#define RS_4081		3
#define RS_4088		4
#define RS_4096		5

#define RC_SUBMIT	0
#define RC_DISCARD	1

#endif
