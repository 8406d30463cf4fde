#!/bin/sh
# The fixed cost of `gohv run`, side by side with qemu-user (issue 12 item 9): the same static
# linux/riscv64 hello program, RUNS times each, from an empty working directory (so gohv packs
# nothing but the program); prints each runner's median wall time and the ratio. A timing, so it
# is a make target of its own (`make startup-cost`), never a test.
# Usage: tools/startup-cost.sh GOHV PROGRAM [RUNS]
set -eu
gohv=$(realpath "$1") prog=$(realpath "$2") runs=${3:-7}
dir=$(mktemp -d "${TMPDIR:-/tmp}/gohv-startup.XXXXXX")
trap 'rmdir "$dir"' EXIT

# Median of RUNS wall times (seconds, 3 decimals) of "$@", run in $dir; each must exit 0.
median() {
	i=0 times=""
	while [ "$i" -lt "$runs" ]; do
		s=$(date +%s.%N)
		(cd "$dir" && "$@" >/dev/null 2>&1) || { echo "startup-cost: $* failed" >&2; return 1; }
		e=$(date +%s.%N)
		times="$times $(awk "BEGIN { print $e - $s }")"
		i=$((i + 1))
	done
	echo $times | tr ' ' '\n' | sort -n | awk '{ t[NR] = $1 } END { printf "%.3f\n", t[int((NR + 1) / 2)] }'
}

q=$(median qemu-riscv64 "$prog")
g=$(median "$gohv" run "$prog")
echo "startup: $(basename "$prog"), median of $runs runs: qemu-riscv64 ${q} s, gohv run ${g} s," \
	"ratio $(awk "BEGIN { printf \"%.1f\", $g / $q }") (target <= 4)"
