#!/bin/sh
# Writes the WaveDrom timing diagrams of docs/waves-timing.md from real runs of the RTL:
# every waves/diagrams/*.pmmu scenario is run with `pmmu run --engine rtl --waves X.vcd` and
# the request its '# diagram-request: N' line names is turned into a diagram by pmmu-wavedrom.
#   waves/diagrams.sh BIN_DIR FILTER_DIR OUT.md
# BIN_DIR holds pmmu and pmmu-wavedrom; FILTER_DIR the generated translate filters.
# Regenerate the committed page:  waves/diagrams.sh build/bin build/waves/filters docs/waves-timing.md
set -e
bin=$1 filters=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "# Timing diagrams of the PMMU RTL"
  echo
  echo "Generated from real runs of the RTL by \`waves/diagrams.sh\` (do not edit by hand: the ctest"
  echo "\`waves.diagrams\` regenerates this page and fails when it differs, i.e. when the RTL's timing"
  echo "changed). Each diagram is one request of a scenario in \`waves/diagrams/\`, sampled once"
  echo "per cycle just before the rising edge; A is the cycle the request is accepted in, R the"
  echo "response cycle (docs/timing.md). Render with any WaveDrom viewer (e.g. the VS Code or"
  echo "mdBook WaveDrom plugins, or paste the JSON into wavedrom.com/editor.html)."
  for s in "$here"/diagrams/*.pmmu; do
    name=$(basename "$s" .pmmu)
    title=$(sed -n '1s/^# diagram: //p' "$s")
    request=$(sed -n 's/^# diagram-request: \([0-9-]*\).*/\1/p' "$s")
    "$bin/pmmu" run --engine rtl "$s" --waves "$tmp/$name.vcd" >"$tmp/$name.out" 2>&1 || {
      cat "$tmp/$name.out" >&2
      exit 1
    }
    echo
    echo "## ${name#?-}: $title"
    echo
    echo "Scenario: \`waves/diagrams/$name.pmmu\`."
    echo
    echo '```wavedrom'
    "$bin/pmmu-wavedrom" "$tmp/$name.vcd" "$filters" "${request:--1}" "$name: $title"
    echo '```'
  done
} >"$tmp/out.md"
mv "$tmp/out.md" "$out"
