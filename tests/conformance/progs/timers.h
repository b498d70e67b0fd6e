/* SPDX-License-Identifier: MIT */
/* Shared between progs/timers.bpf.c and drivers/timers.c: plain C only. */
#ifndef CONF_TIMERS_H
#define CONF_TIMERS_H

/* Maps a request can address (req_map). */
#define TM_ARR	0	/* ARRAY, 256 elements */
#define TM_HSH	1	/* HASH, 256*/
#define TM_LRU	2	/* LRU_HASH, 256*/
#define TM_LCK	3	/* HASH whose value also holds a bpf_spin_lock */

/* Operations (req_op).  Each run performs one helper call on one element. */
#define TO_INIT		1	/* bpf_timer_init(t, map, arg0) */
#define TO_SETCB	2	/* bpf_timer_set_callback(t, cb) */
#define TO_START	3	/* bpf_timer_start(t, arg0, arg1) */
#define TO_CANCEL	4	/* bpf_timer_cancel(t) */
#define TO_START_ABS	5	/* start(t, ktime_get_ns() + arg0, BPF_F_TIMER_ABS) */
#define TO_UPDATE	6	/* bpf_map_update_elem(map, key, {slot=arg0}, arg1) */
#define TO_DELETE	7	/* bpf_map_delete_elem(map, key) */
#define TO_SETUP	8	/* init(arg0) + set_callback, result of the last failing step */
#define TO_ABS_MANY	9	/* keys req_key..req_key+arg1-1: start all at one absolute time now+arg0 */

/* What a callback does besides recording (value->action). */
#define TA_NONE		0
#define TA_SELF_CANCEL	1	/* cb_ret = cancel(own timer) */
#define TA_REARM	2	/* while arg-- > 0: cb_ret = start(own, 1000, 0) */
#define TA_DELETE_SELF	3	/* cb_ret = delete(own element); cb_ret2 = start(own) */
#define TA_INIT_SELF	4	/* cb_ret = init(own, 1) */
#define TA_SETCB_SELF	5	/* cb_ret = set_callback(own) */
#define TA_REARM_ABS0	6	/* while arg-- > 0: cb_ret = start(own, 0, ABS) */
#define TA_CANCEL_THEN_START 7	/* cb_ret = cancel(own); while arg-- > 0: cb_ret2 = start(own, 1000, 0) */

#define TM_SLOTS	256

#endif
