#!/bin/sh
# ctest waves.files: the --waves FILE is checked before the run and named only when complete
# (docs/waves.md, "Files"). On `pmmu run`, `pmmu cosim` and `pmmu sim`:
# - a path that cannot be created (no such directory) or that exists and is not a regular
#   file (a device, a FIFO, a directory, a symlink to a device) is exit 2 before any work:
#   nothing on standard output, and the special file is still there, untouched;
# - an existing regular file is replaced, with the mode a new file gets;
# - a dump that cannot be completed (a file size limit) is FILE.partial, never FILE, with no
#   save file, reported as incomplete (never "written"), exit 2; no temporary file is left.
#   waves/test_files.sh BIN_DIR SOURCE_DIR
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
scn=$src/testbench/scenarios/ad-topdown.pmmu
# a longer scenario for the incomplete dump: 3000 accesses
{ echo "cr3 0x1000"; echo "mem32 0x1000 0x00002007"; echo "mem32 0x2000 0x00003007"
  i=0; while [ $i -lt 3000 ]; do echo "read 0x$((i % 4))00"; i=$((i + 1)); done; echo "expect hit"; } >"$tmp/long.pmmu"
mkfifo "$tmp/fifo"
mkdir "$tmp/dir"
ln -s /dev/null "$tmp/link"
for cmd in "run --engine both $scn" "cosim --engine both --accesses 2000" "sim --engine both --accesses 2000"; do
  name=${cmd%% *}
  long=$cmd
  [ "$name" = run ] && long="run --engine both $tmp/long.pmmu"
  for target in /dev/null "$tmp/fifo" "$tmp/dir" "$tmp/link" "$tmp/none/x.fst"; do
    # shellcheck disable=SC2086
    "$bin/pmmu" $cmd --waves "$target" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -ne 2 ] || [ -s "$tmp/out" ] || ! grep -q "error: --waves $target" "$tmp/err"; then
      echo "FAIL $name --waves $target: exit $st (want 2 before the run), stdout $(wc -c <"$tmp/out") bytes: $(cat "$tmp/err")"
      fail=1
    fi
  done
  [ -p "$tmp/fifo" ] && [ -d "$tmp/dir" ] && [ -L "$tmp/link" ] && [ -c /dev/null ] ||
    { echo "FAIL $name: a special file was replaced"; fail=1; }
  # an existing regular file is replaced by the complete dump
  echo old >"$tmp/$name.fst"
  # shellcheck disable=SC2086
  "$bin/pmmu" $cmd --waves "$tmp/$name.fst" >/dev/null 2>"$tmp/err"
  st=$?
  if [ $st -ne 0 ] || ! fst2vcd -f "$tmp/$name.fst" -o "$tmp/check.vcd" >/dev/null 2>&1 ||
    [ ! -s "$tmp/$name.fst.gtkw" ] || ! grep -q "written (cycles 0\.\." "$tmp/err"; then
    echo "FAIL $name: exit $st, the dump or its save file is not complete: $(cat "$tmp/err")"
    fail=1
  fi
  # an incomplete dump: FILE.partial, never FILE, reported so, exit 2
  # shellcheck disable=SC2086
  # (the FST writer's own buffers are mapped files: a limit below them is a SIGBUS in it)
  (ulimit -f 64; trap '' XFSZ; exec "$bin/pmmu" $long --waves "$tmp/p$name.fst" --waves-flush 100) \
    >/dev/null 2>"$tmp/err"
  st=$?
  if [ $st -ne 2 ] || [ -e "$tmp/p$name.fst" ] || [ -e "$tmp/p$name.fst.gtkw" ] ||
    [ ! -s "$tmp/p$name.fst.partial" ] || grep -q written "$tmp/err" ||
    ! grep -q "waves: error: $tmp/p$name.fst is incomplete" "$tmp/err"; then
    echo "FAIL $name partial: exit $st (want 2): $(cat "$tmp/err"); $(ls "$tmp")"
    fail=1
  fi
  left=$(ls -A "$tmp" | grep '^\.' || true)
  [ -z "$left" ] || { echo "FAIL $name: temporary files left: $left"; fail=1; }
  [ $fail -eq 0 ] && echo "ok   $name: special and impossible paths refused before the run, file replaced, partial dump named .partial"
done
# the mode of a new file: 0666 less the umask (not mkstemp's 0600)
(umask 022; "$bin/pmmu" cosim --engine both --accesses 50 --waves "$tmp/mode.fst" >/dev/null 2>&1)
m=$(stat -c %a "$tmp/mode.fst" "$tmp/mode.fst.gtkw" | sort -u)
[ "$m" = 644 ] || { echo "FAIL mode: $m (want 644 with umask 022)"; fail=1; }
exit $fail
