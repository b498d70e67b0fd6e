/* SPDX-License-Identifier: MIT */
/*
 * bpfemu's own control API: what a test uses to drive the emulator (the
 * clock, cgroups, diagnostics, fault injection, trace capture).  Names are
 * bpfemu_<object>_<verb>; everything returns a negative errno and sets errno
 * on failure.  The libbpf-compatible API lives in <bpf/bpf.h> and
 * <bpf/libbpf.h>; the BPF-side headers in <bpf/bpf_helpers.h>.
 */
#ifndef BPFEMU_H
#define BPFEMU_H

#include <bpfemu/core.h>	/* init/reset, CPUs, allocator and fault injection, diagnostics */
#include <bpfemu/clock.h>	/* virtual and real time */
#include <bpfemu/trace.h>	/* bpf_printk capture */
#include <bpfemu/cgroup.h>	/* the cgroup model */
#include <bpfemu/prog.h>	/* firing a program as its hook would */

#endif /* BPFEMU_H */
