#!/bin/sh
# compare-export.sh PMMU PMMU_TLM_RUN PMMU_RTL_SC|- SEEDS ACCESSES: random `pmmu cosim` runs
# exported as timed scenarios (`--export`: acks at random cycles, also in the response cycle of
# a new fault; pokes, also between a walk's read and its CAS; bus errors; back-pressure;
# flushes during walks) must print through the TLM PMMU exactly what `pmmu run --json` prints,
# and, for the seeds the RTL bench can run (no PAE), agree with the Verilated RTL in every
# cycle, with at least one ack among them. PMMU_RTL_SC "-": without the RTL.
pmmu=$1 tlm=$2 rtl=$3 seeds=$4 accesses=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
"$pmmu" cosim --seed 1 --seeds "$seeds" --accesses "$accesses" --pokes 200 --bus-errors 20 \
  --quiet --export "$dir/seed.pmmu" >"$dir/cosim.txt" 2>&1 || {
  cat "$dir/cosim.txt"
  echo "FAIL: pmmu cosim"
  exit 1
}
n=0 ran=0 acks=0
for f in "$dir"/seed.seed*.pmmu; do
  n=$((n + 1))
  "$pmmu" run --json "$f" >"$dir/want" 2>/dev/null; ws=$?
  "$tlm" "$f" >"$dir/got"; gs=$?
  if ! diff -u "$dir/want" "$dir/got" >"$dir/diff"; then
    head -20 "$dir/diff"
    echo "FAIL: $(basename "$f"): TLM output differs from pmmu run --json"
    exit 1
  fi
  if [ "$ws" -ne "$gs" ] || [ "$gs" -ne 0 ]; then
    echo "FAIL: $(basename "$f"): exit status $gs (pmmu run: $ws)"
    exit 1
  fi
  [ "$rtl" = "-" ] && continue
  "$rtl" "$f" >"$dir/rtl" 2>&1; rs=$?
  [ "$rs" -eq 77 ] && continue
  if [ "$rs" -ne 0 ]; then
    grep MISMATCH "$dir/rtl" | head -10
    echo "FAIL: $(basename "$f"): the RTL and the TLM PMMU differ (exit $rs)"
    exit 1
  fi
  ran=$((ran + 1))
  k=$(sed -n 's/.* accesses, \([0-9]*\) acks, .*/\1/p' "$dir/rtl" | tail -1)
  acks=$((acks + ${k:-0}))
done
[ "$n" -eq "$seeds" ] || { echo "FAIL: $n exported files for $seeds seeds"; exit 1; }
if [ "$rtl" != "-" ] && { [ "$ran" -eq 0 ] || [ "$acks" -eq 0 ]; }; then
  echo "FAIL: the RTL ran $ran of the seeds, with $acks acks: nothing checked"
  exit 1
fi
echo "ok: $n exported seeds identical through the TLM PMMU; $ran on the RTL with $acks acks"
