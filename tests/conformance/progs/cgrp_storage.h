/* SPDX-License-Identifier: MIT */
/* Shared between progs/cgrp_storage.bpf.c and drivers/cgrp_storage.c. */
#ifndef CONF_CGRP_STORAGE_H
#define CONF_CGRP_STORAGE_H

#define CM_S1	0	/* CGRP_STORAGE, value { u64 a; u64 b; } */
#define CM_S2	1	/* a second map of the same shape */
#define CM_LK	2	/* value { bpf_spin_lock; u32; u64 a; } */

#define CO_GET		1	/* res = get(map, cg, use_value ? &gval : NULL, flags) ? ->a : CR_NULL */
#define CO_DELETE	2	/* res = delete(map, cg) */
#define CO_WRITE	3	/* p = get(0); p->a = arg: res 0, or CR_NULL */
#define CO_FROM_ID	4	/* res = bpf_cgroup_from_id(cgid) != NULL */
#define CO_SAME_PTR	5	/* get(F_CREATE) then get(0): res = same pointer */

#define CR_NULL		(-1000000)	/* helper returned NULL */
#define CR_NOCG		(-1000001)	/* bpf_cgroup_from_id() gave NULL */

#endif
