/* SPDX-License-Identifier: MIT */
/*
 * Reads that fail instead of faulting: the kernel's copy_from_kernel_nofault
 * and strncpy_from_kernel_nofault, for memory a program names but nothing
 * vouches for (probe reads, bpf_printk's %s and %pI4 arguments, a header
 * looked for before a pointer).  Natively a bad address would be SIGSEGV;
 * here it is -EFAULT.
 *
 * Each page is copied with process_vm_readv(2) on ourselves, which answers
 * EFAULT for memory that is not mapped readable, or, where that call is
 * missing or refused (seccomp), checked by write(2) of the range into a pipe
 * we own and then copied.  One system call per page touched: for cold
 * paths, never for memory already known good.
 */
#ifndef BPFEMU_EMU_NOFAULT_H
#define BPFEMU_EMU_NOFAULT_H

#include <stddef.h>

/* Copy @n bytes from @src to @dst: 0, or -EFAULT if any of them is not
 * readable (@dst then holds an unspecified prefix). */
int emu_copy_nofault(void *dst, const void *src, size_t n);

/*
 * Copy the string at @src into @dst (@size bytes), always terminated when
 * @size > 0: returns the length including the NUL, or @size when the string
 * was cut.  Up to @size source bytes are read, and a fault on any of them
 * (even the one that would become the NUL) is -EFAULT, @dst then holding
 * an unspecified prefix.  Bytes of @dst past the NUL are not written.
 * @size 0 returns 0.
 */
long emu_strncpy_nofault(char *dst, const void *src, size_t size);

#endif /* BPFEMU_EMU_NOFAULT_H */
