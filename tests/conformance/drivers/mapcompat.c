// SPDX-License-Identifier: MIT
/*
 * Conformance driver for map types against map helpers
 * (progs/mapcompat.bpf.c): each program loaded alone and run once on a
 * packet.  res= is the kernel's refusal at load (the verifier's errno) or
 * bpfemu's refusal at run time (the same rule, the same errno), else the
 * program's return value.
 */
#define CONF_FAMILY "mapcompat"
#include "harness.h"
#include "mapcompat.skel.h"

static void one(const char *name)
{
	unsigned char pkt[64] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	struct mapcompat *s = mapcompat__open();
	struct bpf_program *q, *prog = NULL;
	int err;

	if (!s) {
		CONF_FAIL(name, "mapcompat__open");
		return;
	}
	bpf_object__for_each_program(q, s->obj) {
		bool it = strcmp(bpf_program__name(q), name) == 0;

		bpf_program__set_autoload(q, it);
		if (it)
			prog = q;
	}
	err = mapcompat__load(s);
	if (!err) {
		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
		if (err)
			err = -errno;
	}
	CONF_REC(name + 2, "res=%s", conf_rc(err ? err : (int)o.retval));
	mapcompat__destroy(s);
}

int main(void)
{
	struct mapcompat *names = mapcompat__open();
	struct bpf_program *q;

	conf_setup();
	if (!names) {
		CONF_FAIL("open", "mapcompat__open");
		return 1;
	}
	bpf_object__for_each_program(q, names->obj)
		one(bpf_program__name(q));
	mapcompat__destroy(names);
	return conf_failures ? 1 : 0;
}
