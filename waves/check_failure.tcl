# Run by GTKWave (gtkwave -S check_failure.tcl SAVE.gtkw) from waves/test_failure_view.sh and
# waves/screenshot.sh: reports what a user sees when the failure's save file opens, one fact
# a line, to $PMMU_GTKW_RESULT:
#   window START END          the time span of the wave pane
#   marker A|B TIME           the named markers
#   primary TIME              the primary marker
#   rows VISIBLE FIT          traces shown (groups open) and how many rows the pane holds
#   value NAME VALUE          a trace's value at the primary marker, as drawn (decoded)
# and grabs the window, as it opened (no zoom), to $PMMU_GTKW_PNG when set.
set out [open $::env(PMMU_GTKW_RESULT) w]
puts $out "window [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime]"
foreach m {A B} { puts $out "marker $m [gtkwave::getNamedMarker $m]" }
puts $out "primary [gtkwave::getMarker]"
set fh [gtkwave::getFontHeight]
puts $out "rows [gtkwave::getVisibleNumTraces] [expr {[gtkwave::getWaveHeight] / $fh}]"
set n [gtkwave::getTotalNumTraces]
for {set i 0} {$i < $n} {incr i} {
  set name [gtkwave::getTraceNameFromIndex $i]
  if {$name eq ""} { continue }
  puts $out "value $name [gtkwave::getTraceValueAtMarkerFromIndex $i]"
}
close $out
if {[info exists ::env(PMMU_GTKW_PNG)]} {
  gtkwave::/File/Grab_To_File $::env(PMMU_GTKW_PNG)
}
gtkwave::/File/Quit
