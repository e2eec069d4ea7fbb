#!/bin/sh
# ctest waves.signals: a dump is complete and readable (fst2vcd reads it to its end) after
# SIGINT, SIGTERM, a lockstep mismatch, and a normal end.
#   waves/test_signals.sh BIN_DIR [MUTANT]
bin=$1 mutant=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
readable() { # FILE WHAT
  if fst2vcd -f "$1" -o "$1.vcd" >/dev/null 2>&1 && grep -q '^\$enddefinitions' "$1.vcd" &&
     [ "$(grep -c '^#' "$1.vcd")" -gt 100 ] && [ -s "${1%.fst}.gtkw" ]; then
    echo "ok   $2: $(grep -c '^#' "$1.vcd") time steps, save file written"
  else
    echo "FAIL $2: $1 is not a complete dump (or no save file)"
    fail=1
  fi
}
for sig in INT:2 TERM:15; do
  num=${sig#*:}
  sig=${sig%:*}
  # a long run, stopped by the signal (a shell's background job ignores SIGINT: undo that)
  env --default-signal=INT "$bin/pmmu" cosim --engine both --accesses 100000000 --waves "$tmp/$sig.fst" \
    >/dev/null 2>&1 &
  pid=$!
  sleep 2
  kill -s $sig $pid
  wait $pid
  st=$?
  want=$((128 + num))
  [ $st -eq $want ] || { echo "FAIL SIG$sig: exit status $st, want $want"; fail=1; }
  readable "$tmp/$sig.fst" "SIG$sig"
done
"$bin/pmmu" cosim --engine both --accesses 500 --waves "$tmp/end.fst" >/dev/null 2>&1
readable "$tmp/end.fst" "normal end"
if [ -n "$mutant" ]; then
  "$bin/pmmu" cosim --engine both --accesses 2000 --mutant "$mutant" --waves "$tmp/mm.fst" >/dev/null 2>&1
  st=$?
  [ $st -eq 3 ] || { echo "FAIL mismatch: exit status $st, want 3"; fail=1; }
  readable "$tmp/mm.fst" "lockstep mismatch ($mutant)"
  grep -q 'markername\] Arequest accepted' "$tmp/mm.gtkw" || { echo "FAIL mismatch: no markers"; fail=1; }
fi
exit $fail
