/* SPDX-License-Identifier: MIT */
#ifndef BPFEMU_EXPORT_H
#define BPFEMU_EXPORT_H
/* Symbols of the public API; the library is built with -fvisibility=hidden. */
#define BPFEMU_API __attribute__((visibility("default")))
#endif
