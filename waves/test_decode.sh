#!/bin/sh
# ctest waves.decode: the translate filter processes on known values, as GTKWave calls them
# (one hex value per line on stdin, one line back).
#   waves/test_decode.sh BIN_DIR
bin=$1
got=$(printf '00123027\n00000000\n010000e7\nxxxxxxxx\n' | "$bin/pmmu-decode-entry")
want='frame 0x00123 P W U A - -- -
frame 0x00000 - - - - - -- -
frame 0x01000 P W U A D PS -
xxxxxxxx'
[ "$got" = "$want" ] || { printf 'entry: got\n%s\nwant\n%s\n' "$got" "$want"; exit 1; }
got=$(printf '07\n00\n18\n' | "$bin/pmmu-decode-ec")
want='P WR US
-
RSVD ID'
[ "$got" = "$want" ] || { printf 'ec: got\n%s\nwant\n%s\n' "$got" "$want"; exit 1; }
echo ok
