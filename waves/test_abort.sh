#!/bin/sh
# ctest waves.abort: abort() inside pmmu (a failed assert, a fatal library error: here a
# preloaded helper, waves/test_abort_preload.c) ends the process whatever its handler does;
# the handler's only async-signal-safe words: the dump being written is renamed FILE.partial
# and said to be incomplete. Never FILE, never "written"; exit 134 (SIGABRT). With
# --waves-flush, FILE.partial opens (GTKWave's reader, with FILE.partial.hier beside it) up to
# the last flushed block.
#   waves/test_abort.sh BIN_DIR PRELOAD_LIBRARY
bin=$1 lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0
[ -f "$lib" ] || { echo "FAIL: no $lib"; exit 1; }
# --timeout: if abort() never comes, the run still ends (exit 124, a failure here)
PMMU_TEST_ABORT_MS=2000 LD_PRELOAD=$lib "$bin/pmmu" cosim --engine both --accesses 100000000 --timeout 120 \
  --waves "$tmp/a.fst" --waves-flush 1000 >"$tmp/out" 2>"$tmp/err"
st=$?
fail=0
[ $st -eq 134 ] || { echo "FAIL: exit status $st (want 134, SIGABRT)"; fail=1; }
[ -e "$tmp/a.fst" ] || [ -e "$tmp/a.fst.gtkw" ] && { echo "FAIL: a dump was named FILE"; fail=1; }
grep -q written "$tmp/err" && { echo "FAIL: announced as written"; fail=1; }
grep -q "waves: error: $tmp/a.fst is incomplete (the process aborted); what was dumped is in $tmp/a.fst.partial" "$tmp/err" ||
  { echo "FAIL: no message: $(cat "$tmp/err")"; fail=1; }
[ -s "$tmp/a.fst.partial" ] || { echo "FAIL: no $tmp/a.fst.partial"; fail=1; }
[ -s "$tmp/a.fst.partial.hier" ] || { echo "FAIL: no $tmp/a.fst.partial.hier"; fail=1; }
steps=0
if fst2vcd -f "$tmp/a.fst.partial" -o "$tmp/a.vcd" >/dev/null 2>&1 && grep -q '^\$enddefinitions' "$tmp/a.vcd"; then
  steps=$(grep -c '^#' "$tmp/a.vcd")
fi
[ "$steps" -gt 100 ] || { echo "FAIL: a.fst.partial does not open ($steps time steps)"; fail=1; }
[ $fail -eq 0 ] && echo "ok: abort() in pmmu: $(wc -c <"$tmp/a.fst.partial") bytes in a.fst.partial, $steps time steps readable, reported incomplete, exit 134"
exit $fail
