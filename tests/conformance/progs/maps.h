/* SPDX-License-Identifier: MIT */
/* Shared between progs/maps.bpf.c and drivers/maps.c: plain C only. */
#ifndef CONF_MAPS_H
#define CONF_MAPS_H

/* req_map: index into the program's maps */
#define MM_ARR	0	/* ARRAY, 8 x u64 */
#define MM_HSH	1	/* HASH, 4 x u64 */
#define MM_LRU	2	/* LRU_HASH, 4 x u64 */
#define MM_PCA	3	/* PERCPU_ARRAY, 8 x u64 */
#define MM_PCH	4	/* PERCPU_HASH, 4 x u64 */
#define MM_LKH	5	/* HASH, 4 x { bpf_spin_lock; u32; u64 } */
#define MM_LKA	6	/* ARRAY, 8 x { bpf_spin_lock; u32; u64 } */
#define MM_NPH	7	/* HASH, BPF_F_NO_PREALLOC, 4 x u64 */
#define MM_NMAPS 8

#define MO_LOOKUP	1	/* res = found ? value : MR_NONE */
#define MO_UPDATE	2	/* res = update(key, {arg0}, arg1) */
#define MO_DELETE	3	/* res = delete(key) */
#define MO_FOREACH	4	/* res = for_each(map, cb stops after arg0 calls, flags arg1) */

#define MR_NONE		(-1000000)	/* lookup returned NULL */
#define MR_BADOP	(-1000001)

#endif
