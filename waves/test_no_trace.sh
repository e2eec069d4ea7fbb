#!/bin/sh
# ctest waves.no_trace (builds with -DPMMU_RTL_TRACE=OFF): each waves option of `pmmu run`,
# `pmmu cosim` and `pmmu sim` fails with a message naming the cause, and writes no file.
#   waves/test_no_trace.sh BIN_DIR SOURCE_DIR
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
scn="$src/testbench/scenarios/demo.pmmu"
cd "$tmp" || exit 1
check() { # WHAT ARGS...
  what=$1
  shift
  out=$("$bin/pmmu" "$@" 2>&1)
  st=$?
  if [ $st -ne 0 ] && printf '%s\n' "$out" | grep -q "built without tracing" &&
     [ -z "$(ls "$tmp")" ]; then
    echo "ok   $what: status $st: $(printf '%s\n' "$out" | grep "built without tracing")"
  else
    echo "FAIL $what: status $st, output:"
    printf '%s\n' "$out"
    fail=1
  fi
}
check "run --waves" run --engine both --waves "$tmp/a.fst" "$scn"
check "run --waves-on-failure" run --engine both --waves-on-failure 10 "$scn"
check "cosim --waves" cosim --engine both --seeds 1 --waves "$tmp/b.fst"
check "sim --waves" sim --engine both --waves "$tmp/c.fst"
exit $fail
