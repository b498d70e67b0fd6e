# SPDX-License-Identifier: MIT
#
# bench/run.sh's last table: each bpfemu figure beside its baselines from
# the same run and the kernel's, as ratios.  Input: "bench name value unit"
# rows.  A baseline of figure F (in the same benchmark) is F_raw, F_libev,
# F_memcpy or, for cgroup storage, cgrp_get_<maps>_uthash; reference
# variants (F_raw_calls, F_raw_inplace, F_raw_stack) get rows of their own.  The kernel's
# figure is F_kernel.  Rows that are baselines, ratios or the helper-call
# variants are not figures of their own.
{
	key = $1 SUBSEP $2
	val[key] = $3
	unit[key] = $4
	order[++n] = key
}

function is_figure(name) {
	return name !~ /^ratio_/ &&
	       name !~ /_(raw|raw_calls|raw_inplace|raw_stack|libev|memcpy|kernel|uthash|helper)$/
}

function row(label, f, b, bkey,    r, k) {
	r = (bkey in val) && val[bkey] > 0 ? sprintf("%.2fx", val[f] / val[bkey]) : "-"
	printf "%-18s %-26s %8s %-9s %-34s %8s %7s", b, label, val[f], unit[f],
	       (bkey in val) ? substr(bkey, index(bkey, SUBSEP) + 1) : "-",
	       (bkey in val) ? val[bkey] : "-", r
}

function kernel_cols(f, b, name,    k) {
	k = b SUBSEP name "_kernel"
	if (k in val && val[k] > 0)
		printf " %8s %7.2fx\n", val[k], val[f] / val[k]
	else
		printf " %8s %8s\n", "-", "-"
}

END {
	printf "\n%-18s %-26s %8s %-9s %-34s %8s %7s %8s %8s\n", "benchmark", "figure",
	       "bpfemu", "", "baseline (same run)", "value", "ratio", "kernel", "emu/kern"
	for (i = 1; i <= n; i++) {
		f = order[i]
		split(f, p, SUBSEP)
		b = p[1]
		name = p[2]
		if (!is_figure(name))
			continue
		nb = 0
		ns = split("_raw _raw_calls _libev _memcpy _raw_stack _raw_inplace", suf, " ")
		for (s = 1; s <= ns; s++) {
			bkey = b SUBSEP name suf[s]
			if (!(bkey in val))
				continue
			row(nb ? "" : name, f, b, bkey)
			if (nb++)
				printf "\n"
			else
				kernel_cols(f, b, name)
		}
		if (name ~ /^cgrp_get_(same|rr)_[0-9]+$/) {
			m = name
			sub(/^cgrp_get_(same|rr)_/, "", m)
			bkey = b SUBSEP "cgrp_get_" m "_uthash"
			if (bkey in val) {
				row(name, f, b, bkey)
				kernel_cols(f, b, name)
				nb++
			}
		}
		if (!nb) {
			row(name, f, b, "")
			kernel_cols(f, b, name)
		}
	}
}
