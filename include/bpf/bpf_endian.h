/* SPDX-License-Identifier: MIT */
/* libbpf's <bpf/bpf_endian.h> for native BPF C: byte order of the host. */
#ifndef __BPF_ENDIAN__
#define __BPF_ENDIAN__

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ___bpfemu_be16(x)	__builtin_bswap16(x)
#define ___bpfemu_be32(x)	__builtin_bswap32(x)
#define ___bpfemu_be64(x)	__builtin_bswap64(x)
#else
#define ___bpfemu_be16(x)	((unsigned short)(x))
#define ___bpfemu_be32(x)	((unsigned int)(x))
#define ___bpfemu_be64(x)	((unsigned long long)(x))
#endif

#define bpf_htons(x)		___bpfemu_be16(x)
#define bpf_ntohs(x)		___bpfemu_be16(x)
#define bpf_htonl(x)		___bpfemu_be32(x)
#define bpf_ntohl(x)		___bpfemu_be32(x)
#define bpf_cpu_to_be64(x)	___bpfemu_be64(x)
#define bpf_be64_to_cpu(x)	___bpfemu_be64(x)
/* The builtins fold constants, so the constant forms are the same. */
#define __bpf_constant_htons(x)		___bpfemu_be16(x)
#define __bpf_constant_ntohs(x)		___bpfemu_be16(x)
#define __bpf_constant_htonl(x)		___bpfemu_be32(x)
#define __bpf_constant_ntohl(x)		___bpfemu_be32(x)
#define __bpf_constant_cpu_to_be64(x)	___bpfemu_be64(x)
#define __bpf_constant_be64_to_cpu(x)	___bpfemu_be64(x)

#endif /* __BPF_ENDIAN__ */
