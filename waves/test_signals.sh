#!/bin/sh
# ctest waves.signals: a dump survives what users do. For SIGINT, SIGTERM, SIGHUP, SIGQUIT,
# SIGPIPE and SIGABRT sent by PID to exactly the pmmu this test started, and for SIGPIPE from
# `| head`: the process ends by that signal (exit 128 + N) after finishing the dump; the FST
# opens (fst2vcd reads it to its end) and ends with the last cycle the run reached (the cycle
# "waves: ... written (cycles 0..N)" names: its last time step is 10 * (N + 2) + 9 ns,
# docs/waves.md); the save file exists; no temporary file is left. Also: a normal end, a
# lockstep mismatch (with a mutant), SIGKILL with --waves-flush (no file is announced or named
# FILE; the flushed data is on disk under the temporary name).
#   waves/test_signals.sh BIN_DIR [MUTANT]
bin=$1 mutant=${2:-}
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
ulimit -c 0 # SIGQUIT and SIGABRT: no core file
readable() { # FILE WHAT [ERRFILE]: complete, with the save file, ending where the run ended
  vcd="$tmp/check.vcd"
  if fst2vcd -f "$1" -o "$vcd" >/dev/null 2>&1 && grep -q '^\$enddefinitions' "$vcd" &&
    [ "$(grep -c '^#' "$vcd")" -gt "${min_steps:-100}" ] && [ -s "$1.gtkw" ]; then
    steps=$(grep -c '^#' "$vcd")
    last=$(grep '^#' "$vcd" | tail -1 | tr -d '#')
    if [ -n "${3:-}" ]; then
      n=$(sed -n 's/^waves: .* written (cycles [0-9]*\.\.\([0-9]*\)).*/\1/p' "$3")
      if [ -z "$n" ] || [ "$last" -ne $((10 * (n + 2) + 9)) ]; then
        echo "FAIL $2: the dump ends at ${last} ns, the run at cycle '${n}' ($(cat "$3"))"
        fail=1
        return
      fi
      echo "ok   $2: $steps time steps, cycles 0..$n, save file written"
    else
      echo "ok   $2: $steps time steps, save file written"
    fi
  else
    echo "FAIL $2: $1 is not a complete dump (or no save file)"
    fail=1
  fi
}
no_temp() { # WHAT: no temporary file of the waves left
  left=$(ls -A "$tmp" | grep '^\.' || true)
  [ -z "$left" ] || { echo "FAIL $1: temporary files left: $left"; fail=1; }
}
# wait until the dump has begun (its temporary file exists), at most 60 s
started() {
  i=0
  while [ $i -lt 600 ]; do
    ls -A "$tmp" | grep -q "^\.$1\.fst\." && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
for sig in INT:2 TERM:15 HUP:1 QUIT:3 PIPE:13 ABRT:6; do
  num=${sig#*:}
  sig=${sig%:*}
  # a long run, stopped by the signal (a background job of a shell ignores SIGINT and
  # SIGQUIT: undo that)
  env --default-signal=INT,QUIT "$bin/pmmu" cosim --engine both --accesses 100000000 --timeout 300 \
    --waves "$tmp/$sig.fst" >"$tmp/$sig.out" 2>"$tmp/$sig.err" &
  pid=$!
  started "$sig" || { echo "FAIL SIG$sig: the dump never began"; fail=1; }
  sleep 1
  kill -s "$sig" "$pid"
  wait "$pid"
  st=$?
  pid=
  want=$((128 + num))
  [ $st -eq $want ] || { echo "FAIL SIG$sig: exit status $st, want $want"; fail=1; }
  grep -q "stopped by signal $num" "$tmp/$sig.out" ||
    { echo "FAIL SIG$sig: no partial report"; fail=1; }
  readable "$tmp/$sig.fst" "SIG$sig" "$tmp/$sig.err"
  no_temp "SIG$sig"
done
# SIGPIPE as users get it: the reader of the output goes away
{
  env --default-signal=INT,QUIT,PIPE "$bin/pmmu" cosim --engine both --trace --accesses 100000000 --timeout 300 \
    --waves "$tmp/head.fst" 2>"$tmp/head.err"
  echo $? >"$tmp/head.status"
} | head -n 3 >/dev/null
st=$(cat "$tmp/head.status")
[ "$st" -eq 141 ] || { echo "FAIL | head: exit status $st, want 141 (SIGPIPE)"; fail=1; }
readable "$tmp/head.fst" "| head (SIGPIPE)" "$tmp/head.err"
no_temp "| head"
"$bin/pmmu" cosim --engine both --accesses 500 --waves "$tmp/end.fst" >/dev/null 2>"$tmp/end.err"
readable "$tmp/end.fst" "normal end" "$tmp/end.err"
no_temp "normal end"
# SIGKILL cannot be caught: nothing may be named FILE or announced; with --waves-flush the
# dump's data up to the last flush is on disk in the temporary file, which opens as it is
# (with its .hier file beside it, docs/waves.md)
"$bin/pmmu" cosim --engine both --accesses 100000000 --timeout 300 --waves "$tmp/kill.fst" --waves-flush 1000 \
  >/dev/null 2>"$tmp/kill.err" &
pid=$!
started kill || { echo "FAIL SIGKILL: the dump never began"; fail=1; }
sleep 2
kill -s KILL "$pid"
wait "$pid"
pid=
if [ -e "$tmp/kill.fst" ] || [ -e "$tmp/kill.fst.gtkw" ] || grep -q written "$tmp/kill.err"; then
  echo "FAIL SIGKILL: a dump was named or announced"
  fail=1
fi
size=$(cat "$tmp"/.kill.fst.* 2>/dev/null | wc -c)
# the temporary dump opens as it is (GTKWave's reader rebuilds it from its .hier file)
dump=$(ls -A "$tmp" | grep '^\.kill\.fst\.[^.]*$' | head -1)
steps=0
if [ -n "$dump" ] && fst2vcd -f "$tmp/$dump" -o "$tmp/kill.vcd" >/dev/null 2>&1 &&
  grep -q '^\$enddefinitions' "$tmp/kill.vcd"; then
  steps=$(grep -c '^#' "$tmp/kill.vcd")
fi
if [ "$size" -gt 100000 ] && [ "$steps" -gt 1000 ]; then
  echo "ok   SIGKILL with --waves-flush 1000: $size bytes flushed, $steps time steps readable in $dump, nothing announced"
else
  echo "FAIL SIGKILL with --waves-flush 1000: $size bytes on disk, $steps time steps readable"
  fail=1
fi
rm -f "$tmp/kill.vcd"
rm -f "$tmp"/.kill.fst.*
if [ -n "$mutant" ]; then
  "$bin/pmmu" cosim --engine both --accesses 2000 --mutant "$mutant" --waves "$tmp/mm.fst" >"$tmp/mm.out" 2>&1
  st=$?
  [ $st -eq 3 ] || { echo "FAIL mismatch: exit status $st, want 3"; fail=1; }
  # the seed stops at its first mismatch (docs/cli.md): a short dump, ending with the run's
  # last cycle (C cycles simulated: cycles 0..C-1, the last time step 10 * (C + 1) + 9 ns)
  min_steps=10 readable "$tmp/mm.fst" "lockstep mismatch ($mutant)"
  c=$(sed -n 's/^  cycles simulated \([0-9]*\) .*/\1/p' "$tmp/mm.out")
  fst2vcd -f "$tmp/mm.fst" -o "$tmp/mm.vcd" >/dev/null 2>&1
  last=$(grep '^#' "$tmp/mm.vcd" | tail -1 | tr -d '#')
  if [ -z "$c" ] || [ "$last" != $((10 * (c + 1) + 9)) ]; then
    echo "FAIL mismatch: the dump ends at ${last} ns, the run after '$c' cycles"
    fail=1
  fi
  rm -f "$tmp/mm.vcd"
  grep -q 'markername\] Arequest accepted' "$tmp/mm.fst.gtkw" || { echo "FAIL mismatch: no markers"; fail=1; }
fi
exit $fail
