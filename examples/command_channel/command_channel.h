/* SPDX-License-Identifier: MIT */
/* command_channel: what user space and the BPF program exchange. */
#ifndef COMMAND_CHANNEL_H
#define COMMAND_CHANNEL_H

enum cmd_op {
	CMD_SET = 1,	/* table[key] = value */
	CMD_ADD,	/* table[key] += value (missing key: -ENOENT) */
	CMD_GET,	/* reply with table[key] */
	CMD_DEL,	/* delete table[key] */
};

/* user space -> program, through a BPF_MAP_TYPE_USER_RINGBUF */
struct command {
	__u32 seq;
	__u32 op;
	__u32 key;
	__u32 pad;
	__s64 value;
};

/* program -> user space, through a BPF_MAP_TYPE_RINGBUF */
struct reply {
	__u32 seq;
	__u32 op;
	__u32 key;
	__s32 err;	/* 0 or the helper's negative errno */
	__s64 value;	/* the value after the command */
};

#define NR_KEYS 16

#endif /* COMMAND_CHANNEL_H */
