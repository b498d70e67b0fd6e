// SPDX-License-Identifier: MIT
/*
 * Twin benchmark "run": one BPF_PROG_TEST_RUN repetition of an empty XDP
 * program, the fixed cost every program run pays (bpfemu: emu_run's entry
 * and exit; the kernel: bpf_test_run's loop).
 */
#define TWIN_NAME "run"
#include "twin.h"

#include "twin_run.skel.h"

int main(int argc, char **argv)
{
	struct twin_run *skel;

	twin_init(argc, argv);
	skel = twin_run__open_and_load();
	if (!skel) {
		fprintf(stderr, "run: open_and_load failed: %s\n", conf_rc(-(long)errno));
		return 1;
	}
	twin_figure("prog_run_empty", twin_run_ns(bpf_program__fd(skel->progs.empty), 1000000));
	twin_run__destroy(skel);
	return conf_failures ? 1 : 0;
}
