/* SPDX-License-Identifier: MIT */
#ifndef BPFEMU_CORE_H
#define BPFEMU_CORE_H
/* placeholder: filled in by the owner of this area */
#endif
