#!/bin/sh
# compare-scenario.sh PMMU PMMU_TLM_RUN FILE: the TLM PMMU must print exactly what the C model
# prints for FILE (`pmmu run --json`: every access result, tlb use and cycle count, every dump
# and expectation) and exit with the same status.
pmmu=$1 tlm=$2 file=$3
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
"$pmmu" run --json "$file" >"$want" 2>/dev/null; ws=$?
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tlm" "$file" >"$got"; gs=$?
if ! diff -u "$want" "$got"; then echo "FAIL: $file: TLM output differs from pmmu run --json"; exit 1; fi
if [ "$ws" -ne "$gs" ]; then echo "FAIL: $file: exit status $gs (pmmu run: $ws)"; exit 1; fi
n=$(grep -c '"op":"\(read\|write\|fetch\)"' "$got")
echo "ok: $file ($n accesses identical, exit $gs)"
