/* SPDX-License-Identifier: MIT */
#ifndef BPFEMU_CGROUP_H
#define BPFEMU_CGROUP_H
/* placeholder: filled in by the owner of this area */
#endif
