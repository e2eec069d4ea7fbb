#!/bin/sh
# ctest waves.failure_view, and docs/waves-failure.png: the save file written for a failing
# seed (--waves-on-failure) opened the way a user opens it, in GTKWave at the save file's own
# window size on a 1920x1080 screen (Xvfb), and checked as seen (waves/check_failure.tcl):
# - the named markers A (request accepted) and B (divergence) are where pmmu said, and the
#   window spans both with at least a cycle of context on either side;
# - every trace of the open groups, and the title of every closed group, fits in the window;
# - the model group is there beside the RTL's ports, and the values are decoded (TLB_*,
#   MEM_READ/MEM_CAS of the one-bit memory operation, entries as "frame ...");
# - the screenshot is the window at its default size and not blank.
#   waves/test_failure_view.sh BIN_DIR MUTANT [OUT.png]
#   e.g. waves/test_failure_view.sh build/bin WALK_EXTRA_CYCLE docs/waves-failure.png
set -e
bin=$(cd "$1" && pwd) mutant=$2 out=${3:-}
case $out in "" | /*) ;; *) out=$(pwd)/$out ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
st=0
(cd "$tmp" && "$bin/pmmu" cosim --engine both --seed 1 --accesses 300 --mutant "$mutant" \
  --waves-on-failure 40 --waves f.fst >/dev/null 2>err) || st=$?
cat "$tmp/err"
[ $st -eq 3 ] || fail "pmmu cosim --mutant $mutant: exit status $st, want 3 (a lockstep mismatch)"
line=$(grep 'first failure: divergence in cycle' "$tmp/err") || fail "no failure announced"
div=$(echo "$line" | sed 's/.*divergence in cycle \([0-9]*\).*/\1/')
acc=$(echo "$line" | sed 's/.*request accepted in cycle \([0-9]*\).*/\1/')
save="$tmp/f.fst.gtkw"
[ -s "$save" ] || fail "no save file f.fst.gtkw"
size=$(sed -n 's/^\[size\] //p' "$save")
w=${size% *} h=${size#* }
(cd "$tmp" && PMMU_GTKW_RESULT="$tmp/res" PMMU_GTKW_PNG="$tmp/f.png" \
  timeout 120 xvfb-run -a -s "-screen 0 1920x1080x24" gtkwave -S "$here/check_failure.tcl" f.fst.gtkw) \
  >"$tmp/log" 2>&1 || true
[ -s "$tmp/res" ] || { cat "$tmp/log"; fail "GTKWave wrote no result"; }
get() { sed -n "s/^$1 //p" "$tmp/res"; }
# cycle c begins at 10 (c + 2) ns (docs/waves.md, "Time base")
ta=$((10 * (acc + 2))) tb=$((10 * (div + 2)))
[ "$(get 'marker A')" = "$ta" ] || fail "marker A at $(get 'marker A'), want $ta (cycle $acc)"
[ "$(get 'marker B')" = "$tb" ] || fail "marker B at $(get 'marker B'), want $tb (cycle $div)"
[ "$(get primary)" = "$tb" ] || fail "primary marker at $(get primary), want $tb"
set -- $(get window)
lo=$ta hi=$tb
[ $ta -gt $tb ] && lo=$tb hi=$ta
[ "$1" -le $((lo - 10)) ] && [ "$2" -ge $((hi + 10)) ] ||
  fail "window $1..$2 does not show both markers ($lo, $hi) with a cycle either side"
set -- $(get rows)
[ "$1" -gt 30 ] && [ "$1" -le "$2" ] || fail "$1 traces shown, $2 rows fit: not every group shows"
for g in 'Request and response: RTL, model' 'Walk memory: RTL, model' 'Translation port' TLB \
  Walker 'Walk memory port' 'Fault interrupt' 'Control state'; do
  grep -q "^value $g \$" "$tmp/res" || fail "group '$g' missing"
done
# decoded values at the divergence, the model's beside the RTL's
grep -Eq '^value resp_tlb_o\[1:0\] TLB_(OFF|HIT|MISS)$' "$tmp/res" || fail "resp_tlb_o not decoded"
grep -Eq '^value mem_req_op_o MEM_(READ|CAS)$' "$tmp/res" || fail "mem_req_op_o (1 bit) not decoded"
grep -Eq '^value model_mem_req_op (MEM_(READ|CAS)|x)$' "$tmp/res" || fail "no model memory operation"
grep -Eq '^value mem_resp_data_i\[63:0\] frame 0x' "$tmp/res" || fail "entries not decoded"
grep -Eq '^value model_resp_valid [01]$' "$tmp/res" || fail "no model response"
# the window at its default size (the grab adds the title bar), and not blank
geo=$(identify -format '%w %h' "$tmp/f.png")
gw=${geo% *} gh=${geo#* }
[ "$gw" -ge "$w" ] && [ "$gw" -le $((w + 20)) ] && [ "$gh" -ge "$h" ] && [ "$gh" -le $((h + 80)) ] ||
  fail "screenshot ${gw}x$gh, want the default window ${w}x$h"
colours=$(convert "$tmp/f.png" -format '%k' info:)
[ "$colours" -gt 16 ] || fail "the screenshot is blank ($colours colours)"
echo "ok   markers A $ta B $tb, window $(get window), rows $(get rows), screenshot ${gw}x$gh, $colours colours"
if [ -n "$out" ]; then
  cp "$tmp/f.png" "$out"
  echo "wrote $out"
fi
