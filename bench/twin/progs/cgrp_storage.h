/* SPDX-License-Identifier: MIT */
/* Shared by progs/cgrp_storage.bpf.c and drivers/cgrp_storage.c. */
#ifndef TWIN_CGRP_STORAGE_H
#define TWIN_CGRP_STORAGE_H

#define CS_NMAPS	64	/* storage maps m_00 .. m_3f */
/*
 * The cgroup: the cgroup2 root, whose id is 1 on both sides.  Not a cgroup
 * of our own, found by an id in a global: .rodata or .bss would be a 65th
 * map, and the kernel refuses a program that uses more than 64 maps.
 */
#define CS_CGROUP_ID	1
/* bpf_cgrp_storage_get calls per program run: four unrolled blocks of 64. */
#define CS_CALLS	256

/* What map i holds for the cgroup after the setup run: never 0, so a get
 * that returned NULL shows in the sum a measured program returns. */
#define CS_VALUE(i)	((i) + 1)

#endif
