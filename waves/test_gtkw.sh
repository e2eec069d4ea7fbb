#!/bin/sh
# ctest waves.gtkw: makes dumps the way a user does (run, cosim, sim; FST and VCD; a window;
# a failing mutant with --waves-on-failure), then loads every save file written next to them
# in GTKWave (check_gtkw.sh).
#   waves/test_gtkw.sh BIN_DIR SOURCE_DIR [MUTANT]
set -e
bin=$1 src=$2 mutant=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a" "$tmp/b"
"$bin/pmmu" run --engine both "$src/testbench/scenarios/walk-4k-basic.pmmu" --waves "$tmp/a/run.fst"
"$bin/pmmu" run --engine both "$src/testbench/scenarios/ec-protection.pmmu" --waves "$tmp/b/run.vcd"
# an FST of the same base name: each dump keeps its own save file (run.vcd.gtkw, run.fst.gtkw)
"$bin/pmmu" run --engine rtl "$src/testbench/scenarios/ec-protection.pmmu" --waves "$tmp/b/run.fst"
grep -qx '\[dumpfile\] "run.vcd"' "$tmp/b/run.vcd.gtkw"
grep -qx '\[dumpfile\] "run.fst"' "$tmp/b/run.fst.gtkw"
# the model group of a lockstep run is in the dump (and the save file), the RTL's alone is not
grep -q '^model.model_resp_valid$' "$tmp/b/run.vcd.gtkw"
grep -q '^model\.' "$tmp/b/run.fst.gtkw" && { echo "FAIL: a model group in an RTL-only view"; exit 1; }
"$bin/pmmu" cosim --engine both --accesses 300 --waves "$tmp/a/cosim.fst" --waves-from 100 --waves-to 400 >/dev/null
"$bin/pmmu" sim --engine both --accesses 2000 --frames 64 --waves "$tmp/b/sim.fst" >/dev/null
if [ -n "$mutant" ]; then
  # a failing seed: exit 3, a dump of the cycles before the mismatch, markers in the save file
  st=0
  (cd "$tmp/a" && "$bin/pmmu" cosim --engine both --mutant "$mutant" --waves-on-failure 40 >/dev/null 2>"$tmp/fail.err") || st=$?
  cat "$tmp/fail.err"
  test "$st" -eq 3
  grep -q "markername\] Bdivergence" "$tmp/a/pmmu-failure.fst.gtkw"
  grep -q "cd '.*' && gtkwave 'pmmu-failure.fst.gtkw'" "$tmp/fail.err"
fi
for f in "$tmp"/a/*.fst "$tmp"/b/*.fst "$tmp"/b/*.vcd; do test -s "$f"; done
"$here/check_gtkw.sh" "$tmp"/a/*.gtkw "$tmp"/b/*.gtkw
