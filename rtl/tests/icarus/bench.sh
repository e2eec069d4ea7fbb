#!/usr/bin/env bash
# rtl/tests/icarus/bench.sh: the Verilator:Icarus speed ratio on one long stimulus.
#
#   rtl/tests/icarus/bench.sh BUILD_DIR [ACCESSES [SEED]]     (default 20000 accesses, seed 1)
#
# Records the port log of `pmmu cosim --seed SEED --accesses ACCESSES` (default geometry, in
# lockstep: pmmu_portlog) and packs it (pmmu_portlog pack: one binary word per cycle, read with
# $fread, so that the replays spend their time on the RTL, not on parsing text), then replays it
# with the same testbench (tb_pmmu_file.sv) under Verilator (--binary --timing,
# pmmu_tb_file_vl) and under Icarus (vvp); both must pass. Then the same run through the
# C-driven Verilated engine (`pmmu cosim --engine rtl`, same seed and accesses: the same
# cycles). Prints ONE line on standard output (scripts/bench reads it):
#   verilator_seconds icarus_seconds cycles engine_seconds
# (CPU seconds, user + system, of each process, reading the packed log included: CPU time,
# because the machine is shared and wall time measures the neighbours). Builds the targets
# first; everything else goes to standard error. Exit 1 when a replay fails or the engine's
# cycles differ.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: bench.sh BUILD_DIR [ACCESSES [SEED]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
accesses=${2:-20000}
seed=${3:-1}

cmake --build "$build" --target pmmu pmmu_portlog pmmu_tb_file_ivl pmmu_tb_file_vl >&2
pmmu="$build/bin/pmmu"
portlog="$build/bin/pmmu_portlog"
vvp_file="$build/icarus/tb_pmmu_file.vvp"
vl_bin="$build/icarus/vl/pmmu_tb_file_vl"
for f in "$pmmu" "$portlog" "$vvp_file" "$vl_bin"; do
  [ -e "$f" ] || { echo "bench.sh: $f was not built" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pmmu-icarus-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
"$portlog" cosim "$seed" "$accesses" "$work/run.ports" >&2
"$portlog" pack "$work/run.ports" "$work/run.bin" >&2
rm -f "$work/run.ports"

# run NAME COMMAND...: the replay's CPU seconds on stdout; its output in $work/NAME
run() {
  local name=$1 t
  shift
  local TIMEFORMAT='%3U %3S'
  if ! t=$( { time "$@" "+stim=$work/run.bin" >"$work/$name" 2>&1; } 2>&1 ) ||
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

# the C-driven engine on the same run: its cycles must be the replay's
TIMEFORMAT='%3U %3S'
if ! t=$( { time "$pmmu" cosim --engine rtl --seed "$seed" --accesses "$accesses" \
              >"$work/engine" 2>&1; } 2>&1 ) ||
   ! grep -q "cycles simulated $cycles in" "$work/engine"; then
  echo "bench.sh: pmmu cosim --engine rtl failed or did not simulate $cycles cycles:" >&2
  tail -5 "$work/engine" >&2
  exit 1
fi
engine=$(awk '{ printf "%.3f\n", $1 + $2 }' <<<"$t")
echo "$vl $ivl $cycles $engine"
