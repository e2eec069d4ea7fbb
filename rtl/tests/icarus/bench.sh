#!/usr/bin/env bash
# rtl/tests/icarus/bench.sh: the Verilator:Icarus speed ratio on one long stimulus.
#
#   rtl/tests/icarus/bench.sh BUILD_DIR [ACCESSES [SEED]]     (default 20000 accesses, seed 1)
#
# Records the port log of `pmmu cosim --seed SEED --accesses ACCESSES` (default geometry, in
# lockstep: pmmu_portlog), then replays it with the same testbench (tb_pmmu_file.sv) under
# Verilator (--binary --timing, pmmu_tb_file_vl) and under Icarus (vvp); both must pass. Prints
# ONE line on standard output (scripts/bench reads it):
#   verilator_seconds icarus_seconds cycles
# (CPU seconds, user + system, of each replay, reading the log included: CPU time, because
# the machine is shared and wall time measures the neighbours). Builds the three targets
# first; everything else goes to standard error. Exit 1 when a replay fails.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: bench.sh BUILD_DIR [ACCESSES [SEED]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
accesses=${2:-20000}
seed=${3:-1}

cmake --build "$build" --target pmmu_portlog pmmu_tb_file_ivl pmmu_tb_file_vl >&2
portlog="$build/bin/pmmu_portlog"
vvp_file="$build/icarus/tb_pmmu_file.vvp"
vl_bin="$build/icarus/vl/pmmu_tb_file_vl"
for f in "$portlog" "$vvp_file" "$vl_bin"; do
  [ -e "$f" ] || { echo "bench.sh: $f was not built" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pmmu-icarus-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
"$portlog" cosim "$seed" "$accesses" "$work/run.ports" >&2

# run NAME COMMAND...: the replay's CPU seconds on stdout; its output in $work/NAME
run() {
  local name=$1 t
  shift
  local TIMEFORMAT='%3U %3S'
  if ! t=$( { time "$@" "+ports=$work/run.ports" >"$work/$name" 2>&1; } 2>&1 ) ||
     ! grep -q "^tb_pmmu_file: PASS" "$work/$name"; then
    echo "bench.sh: the $name replay failed:" >&2
    tail -20 "$work/$name" >&2
    exit 1
  fi
  awk '{ printf "%.3f\n", $1 + $2 }' <<<"$t"
}

vl=$(run verilator "$vl_bin")
ivl=$(run icarus vvp -n "$vvp_file")
cycles=$(sed -n 's/^tb_pmmu_file: PASS: \([0-9]*\) cycles.*/\1/p' "$work/icarus")
echo "$vl $ivl $cycles"
