/* SPDX-License-Identifier: MIT */
/*
 * Packet headers as 6.18's dumped vmlinux.h declares them (the kernel's
 * uapi struct ethhdr, iphdr, ipv6hdr, tcphdr, udphdr: member names, widths
 * and the bit-field order of the host's byte order), for BPF C that parses
 * packets with types from <vmlinux.h>, which includes this header.  Not for
 * user-space code, which has <linux/if_ether.h>, <netinet/ip.h> and the
 * like: these would clash with them, as a real vmlinux.h would.
 */
#ifndef BPFEMU_NET_HEADERS_H
#define BPFEMU_NET_HEADERS_H

#include <bpfemu/types.h>

#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__)
#error "bpfemu/net_headers.h needs the compiler's __BYTE_ORDER__"
#endif

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
};

struct iphdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u8 ihl:4;
	__u8 version:4;
#else
	__u8 version:4;
	__u8 ihl:4;
#endif
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		};
		struct {
			__be32 saddr;
			__be32 daddr;
		} addrs;
	};
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
};

struct ipv6hdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u8 priority:4;
	__u8 version:4;
#else
	__u8 version:4;
	__u8 priority:4;
#endif
	__u8 flow_lbl[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	union {
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		};
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		} addrs;
	};
};

struct tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u16 ae:1;
	__u16 res1:3;
	__u16 doff:4;
	__u16 fin:1;
	__u16 syn:1;
	__u16 rst:1;
	__u16 psh:1;
	__u16 ack:1;
	__u16 urg:1;
	__u16 ece:1;
	__u16 cwr:1;
#else
	__u16 doff:4;
	__u16 res1:3;
	__u16 ae:1;
	__u16 cwr:1;
	__u16 ece:1;
	__u16 urg:1;
	__u16 ack:1;
	__u16 psh:1;
	__u16 rst:1;
	__u16 syn:1;
	__u16 fin:1;
#endif
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

struct udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__sum16 check;
};

#endif /* BPFEMU_NET_HEADERS_H */
