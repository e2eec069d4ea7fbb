#!/bin/sh
# expect_output.sh EXPECTED [--no-cycles] [--lines REGEX] COMMAND...: runs COMMAND (exit status 0
# required) and compares its standard output, byte for byte, with EXPECTED without its '##'
# lines (the hand derivation written beside the expected output).
#   --no-cycles  every `cyc=N` of the output becomes `cyc=*` (the event log's cycles follow the
#                memory timing, not the OS's logic)
#   --lines RE   only the lines that match the extended regular expression RE are compared
expected=$1
shift
cycles="s/cyc=[0-9][0-9]*/&/"
lines=""
while :; do
  case "$1" in
  --no-cycles) cycles="s/cyc=[0-9][0-9]*/cyc=*/g" ;;
  --lines) lines=$2; shift ;;
  *) break ;;
  esac
  shift
done
want=$(mktemp) || exit 1
got=$(mktemp) || exit 1
trap 'rm -f "$want" "$got"' EXIT
grep -v '^##' "$expected" >"$want"
"$@" >"$got"
status=$?
if [ $status -ne 0 ]; then
  echo "expect_output: '$*' exited with status $status" >&2
  exit 1
fi
grep -E "$lines" "$got" | sed -e "$cycles" | diff -u "$want" - || exit 1
echo "expect_output: $(basename "$expected") matches"
