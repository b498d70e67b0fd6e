/* SPDX-License-Identifier: MIT */
#ifndef BPFEMU_TRACE_H
#define BPFEMU_TRACE_H
/* placeholder: filled in by the owner of this area */
#endif
