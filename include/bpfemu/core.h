/* SPDX-License-Identifier: MIT */
/*
 * Emulator-wide control: allocator accounting and fault injection,
 * verifier-rule diagnostics, emulated CPUs, reset.
 */
#ifndef BPFEMU_CORE_H
#define BPFEMU_CORE_H

#include <stdbool.h>

#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Objects currently allocated by bpfemu; 0 after everything was freed. */
BPFEMU_API long bpfemu_live_objects(void);
/* Make the @n-th allocation from now fail (1 = the next one); 0 disables. */
BPFEMU_API void bpfemu_fault_inject_nth(long n);
/* Number of failures injected so far (to know a run reached the Nth site). */
BPFEMU_API long bpfemu_fault_injected(void);

/*
 * Diagnostics: what the kernel's verifier would have said about a program
 * that native code could not be stopped from running.  Each has a stable
 * rule name (e.g. "helper_not_allowed", "timer_cb_nonzero_return").
 */
BPFEMU_API int bpfemu_diag_count(void);
BPFEMU_API int bpfemu_diag_get(int idx, const char **rule, const char **msg);
BPFEMU_API bool bpfemu_diag_has(const char *rule);
BPFEMU_API void bpfemu_diag_clear(void);
BPFEMU_API void bpfemu_diag_set_echo(bool on);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_CORE_H */
