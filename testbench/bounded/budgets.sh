#!/bin/sh
# ctest robust.budget.*: --max-cycles and --timeout on `pmmu run`, `pmmu cosim`, `pmmu sim`
# (docs/verification.md, "Bounded runs"). A budget that runs out ends the run cleanly: the
# partial report is printed, a line names the budget and the cycle, the exit status is 124;
# a run that found worse keeps its own status; a budget not reached changes nothing; bad
# values are usage errors (exit 2) before anything runs.
#   testbench/bounded/budgets.sh PMMU SOURCE_DIR CASE [ENGINE]
pmmu=$1 src=$2 case=$3 engine=${4:-model}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $case: $*"; echo "--- stdout"; tail -12 "$tmp/out"; echo "--- stderr"; tail -12 "$tmp/err"; exit 1; }
expect_status() { [ "$st" -eq "$1" ] || fail "exit status $st (want $1)"; }
# "stopped by BUDGET before cycle N": N at or past the budget
stopped_line() { # BUDGET FILE
  line=$(grep "stopped by $1 before cycle" "$2") || fail "no line 'stopped by $1 before cycle N'"
  echo "$line" | grep -q 'the report above is partial' || fail "the stop line does not say the report is partial"
}
scn=$src/testbench/scenarios/ad-topdown.pmmu
case $case in
run.max_cycles)
  "$pmmu" run --engine "$engine" "$scn" >"$tmp/full" 2>&1 || fail "the whole run failed"
  "$pmmu" run --engine "$engine" --max-cycles 20 "$scn" >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--max-cycles 20" "$tmp/err"
  n=$(sed -n 's/.*before cycle \([0-9]*\).*/\1/p' "$tmp/err")
  [ "$n" -ge 20 ] || fail "stopped before cycle $n, under the budget"
  got=$(sed -n 's/.*: \([0-9]*\) accesses,.*/\1/p' "$tmp/out")
  all=$(sed -n 's/.*: \([0-9]*\) accesses,.*/\1/p' "$tmp/full")
  [ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt "$all" ] ||
    fail "partial report: $got of $all accesses"
  # a budget that is not reached changes nothing
  "$pmmu" run --engine "$engine" --max-cycles 1000000 "$scn" >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 0
  cmp -s "$tmp/out" "$tmp/full" || fail "a budget not reached changed the output"
  # a failed expectation before the stop is worse than the stop: exit 1
  printf 'cr3 0x1000\nmem32 0x1000 0x00002007\nmem32 0x2004 0x00100007\nread 0x1000\nexpect pa 0x00200000\nread 0x1000\nread 0x1000\n' >"$tmp/f.pmmu"
  "$pmmu" run --engine "$engine" --max-cycles 12 "$tmp/f.pmmu" >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 1
  stopped_line "--max-cycles 12" "$tmp/err"
  echo "ok: run --max-cycles: exit 124 with $got of $all accesses; not reached: same output; a failure first: exit 1"
  ;;
run.timeout)
  # walks of 2,000,002 cycles each (latency 1000000) on the RTL: far more than a second of
  # work, even with the idle cycles of a walk waiting for memory not evaluated (docs/rtl.md)
  { echo "memory latency=1000000"; echo "cr3 0x1000"; i=0
    while [ $i -lt 200 ]; do printf 'mem32 0x%x 0x%08x\n' $((0x1000 + 4 * i)) $((0x2007 + 0x1000 * i)); i=$((i + 1)); done
    i=0
    while [ $i -lt 200 ]; do printf 'read 0x%x\n' $((i << 22)); i=$((i + 1)); done
    echo "expect miss"; } >"$tmp/long.pmmu"
  "$pmmu" run --engine "$engine" --timeout 1 "$tmp/long.pmmu" "$scn" >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--timeout 1" "$tmp/err"
  grep -q "1 of 2 files not run" "$tmp/err" || fail "the second file was run after the timeout"
  got=$(sed -n 's/.*: \([0-9]*\) accesses,.*/\1/p' "$tmp/out")
  [ -n "$got" ] && [ "$got" -lt 200 ] || fail "partial report: '$got' of 200 accesses"
  echo "ok: run --timeout 1: exit 124 after $got of 200 accesses, the next file not run"
  ;;
cosim.max_cycles)
  "$pmmu" cosim --engine "$engine" --accesses 100000 --max-cycles 5000 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--max-cycles 5000" "$tmp/out"
  c=$(sed -n 's/.*cycles simulated \([0-9]*\).*/\1/p' "$tmp/out")
  r=$(sed -n 's/.*requests \([0-9]*\):.*/\1/p' "$tmp/out")
  [ -n "$c" ] && [ "$c" -ge 5000 ] && [ "$r" -lt 100000 ] || fail "partial report: $r requests, $c cycles"
  "$pmmu" cosim --engine "$engine" --seeds 3 --accesses 100000 --max-cycles 3000 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  grep -q '^0 passed, 0 failed, 3 cut short$' "$tmp/out" || fail "the seeds' summary does not say 3 cut short"
  "$pmmu" cosim --engine "$engine" --accesses 300 --max-cycles 1000000000 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 0
  echo "ok: cosim --max-cycles: exit 124 after $r requests, $c cycles; per seed; not reached: exit 0"
  ;;
cosim.timeout)
  "$pmmu" cosim --engine "$engine" --accesses 1000000000 --seeds 5 --timeout 1 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--timeout 1" "$tmp/out"
  grep -q 'seeds 2..5 not run (stopped)' "$tmp/out" || fail "the other seeds were run after the timeout"
  r=$(sed -n 's/.*requests \([0-9]*\):.*/\1/p' "$tmp/out" | head -1)
  echo "ok: cosim --timeout 1: exit 124 after $r requests, seeds 2..5 not run"
  ;;
sim.max_cycles)
  "$pmmu" sim --engine "$engine" --accesses 100000 --max-cycles 20000 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--max-cycles 20000" "$tmp/err"
  a=$(sed -n 's/.*(user accesses \([0-9]*\),.*/\1/p' "$tmp/out")
  [ -n "$a" ] && [ "$a" -gt 0 ] && [ "$a" -lt 100000 ] || fail "partial report: '$a' user accesses"
  echo "ok: sim --max-cycles: exit 124 after $a user accesses, with the report"
  ;;
sim.timeout)
  "$pmmu" sim --engine "$engine" --accesses 1000000000 --timeout 1 >"$tmp/out" 2>"$tmp/err"; st=$?
  expect_status 124
  stopped_line "--timeout 1" "$tmp/err"
  a=$(sed -n 's/.*(user accesses \([0-9]*\),.*/\1/p' "$tmp/out")
  [ -n "$a" ] && [ "$a" -gt 0 ] || fail "no report"
  echo "ok: sim --timeout 1: exit 124 after $a user accesses, with the report"
  ;;
bad_values)
  for cmd in "run $scn" "cosim" "sim"; do
    for opt in "--max-cycles 0" "--max-cycles -5" "--max-cycles 1x" "--timeout 0" "--timeout 1000000001" "--timeout ' 3'" \
      "--max-cycles 18446744073709551616"; do
      eval "\"\$pmmu\" $cmd $opt" >"$tmp/out" 2>"$tmp/err"; st=$?
      [ "$st" -eq 2 ] || fail "'$cmd $opt': exit status $st (want 2)"
      [ -s "$tmp/out" ] && fail "'$cmd $opt' printed results: something ran"
    done
  done
  echo "ok: bad budget values are usage errors on run, cosim and sim"
  ;;
*) echo "budgets.sh: unknown case $case"; exit 2 ;;
esac
