/* SPDX-License-Identifier: MIT */
#ifndef BPFEMU_CLOCK_H
#define BPFEMU_CLOCK_H
/* placeholder: filled in by the owner of this area */
#endif
