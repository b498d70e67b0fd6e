/* SPDX-License-Identifier: MIT */
/*
 * The kernel's fixed-width type names (__u32, __be16, ...).
 *
 * On Linux these come from <linux/types.h>, so BPF C that also includes
 * other uapi headers sees one definition.  The POSIX-only build (macOS, or
 * BPFEMU_NO_LINUX_HEADERS) defines the same names itself, with the same
 * underlying types the kernel uses on every 64-bit target.
 */
#ifndef BPFEMU_TYPES_H
#define BPFEMU_TYPES_H

#if defined(__linux__) && !defined(BPFEMU_NO_LINUX_HEADERS) && \
	defined(__has_include)
#if __has_include(<linux/types.h>)
#include <linux/types.h>
#define BPFEMU_HAVE_LINUX_TYPES 1
#endif
#endif

#ifndef BPFEMU_HAVE_LINUX_TYPES
#ifndef __bpfemu_own_types
#define __bpfemu_own_types
typedef signed char		__s8;
typedef unsigned char		__u8;
typedef short			__s16;
typedef unsigned short		__u16;
typedef int			__s32;
typedef unsigned int		__u32;
typedef long long		__s64;
typedef unsigned long long	__u64;
typedef __u16			__le16;
typedef __u16			__be16;
typedef __u32			__le32;
typedef __u32			__be32;
typedef __u64			__le64;
typedef __u64			__be64;
typedef __u16			__sum16;
typedef __u32			__wsum;
typedef __u64 __attribute__((aligned(8))) __aligned_u64;
#endif
#endif

#endif /* BPFEMU_TYPES_H */
