#!/bin/sh
# Loads every save file given in GTKWave under Xvfb (from the save file's directory, as the
# printed open command does) and fails if any signal it names is missing from the dump, if
# GTKWave could not load the dump, or if the save file holds an absolute path.
#   waves/check_gtkw.sh SAVE.gtkw...
here=$(cd "$(dirname "$0")" && pwd)
status=0
for save in "$@"; do
  dir=$(cd "$(dirname "$save")" && pwd)
  base=$(basename "$save")
  if grep -nE '^\[dumpfile\] "/|^\^>?[0-9]+ /' "$save"; then
    echo "FAIL $save: absolute path (above)"
    status=1
    continue
  fi
  res=$(mktemp)
  rm -f "$res"
  (cd "$dir" && PMMU_GTKW_SAVE="$dir/$base" PMMU_GTKW_RESULT="$res" \
    timeout 120 xvfb-run -a -s "-screen 0 1400x800x24" gtkwave -S "$here/check_gtkw.tcl" "$base") \
    >"$res.log" 2>&1
  if [ -s "$res" ] && grep -q '^OK' "$res"; then
    echo "ok   $save: $(cat "$res")"
  else
    echo "FAIL $save: $(cat "$res" 2>/dev/null || echo 'GTKWave wrote no result')"
    tail -5 "$res.log"
    status=1
  fi
  rm -f "$res" "$res.log"
done
exit $status
