#!/bin/sh
# Writes docs/waves-walk.png: GTKWave showing a two-level walk (waves/diagrams/2-walk.pmmu)
# through the save file pmmu writes next to its dump.
#   waves/screenshot.sh BIN_DIR OUT.png
#   e.g. waves/screenshot.sh build/bin docs/waves-walk.png
set -e
bin=$1
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/pmmu" run --engine rtl "$here/diagrams/2-walk.pmmu" --waves "$tmp/walk.fst" >/dev/null 2>&1
# a taller window than the default view, so that every group shows
sed 's/^\[size\] .*/[size] 1400 1560/' "$tmp/walk.fst.gtkw" >"$tmp/walk-tall.gtkw"
(cd "$tmp" && PMMU_GTKW_SAVE="$tmp/walk-tall.gtkw" PMMU_GTKW_RESULT="$tmp/result" PMMU_GTKW_PNG="$tmp/walk.png" \
  timeout 120 xvfb-run -a -s "-screen 0 1400x1600x24" gtkwave -S "$here/check_gtkw.tcl" walk-tall.gtkw) \
  >"$tmp/log" 2>&1
grep -q '^OK' "$tmp/result" || { cat "$tmp/result" "$tmp/log"; exit 1; }
cp "$tmp/walk.png" "$out"
echo "wrote $out"
