# Run by GTKWave (gtkwave -S check_gtkw.tcl SAVE.gtkw) from waves/check_gtkw.sh: checks that
# every signal the save file names (with its bit range) exists in the dump GTKWave loaded
# through it, and writes
# "OK <signals> <dump>" or "MISSING <names...>" to $PMMU_GTKW_RESULT; with $PMMU_GTKW_PNG set,
# also grabs the window to that file.
set save $::env(PMMU_GTKW_SAVE)
set result $::env(PMMU_GTKW_RESULT)
set facs [dict create]
set n [gtkwave::getNumFacs]
for {set i 0} {$i < $n} {incr i} {
  dict set facs [gtkwave::getFacName $i] 1
}
set missing {}
set count 0
set fp [open $save r]
while {[gets $fp line] >= 0} {
  set c [string index $line 0]
  if {$line eq "" || [lsearch -exact {@ ^ * [ -} $c] >= 0} { continue }
  # an aliased signal: "+{shown name} signal"; a vector made of bits: "#{shown name} bit..."
  if {[regsub {^#\{[^\}]*\} } $line "" bits]} {
    set names [split $bits " "]
  } else {
    regsub {^\+\{[^\}]*\} } $line "" base
    set names [list $base]
  }
  incr count
  foreach base $names {
    if {![dict exists $facs $base]} { lappend missing $base }
  }
}
close $fp
set out [open $result w]
if {$n == 0} {
  puts $out "MISSING the dump itself (no signals loaded)"
} elseif {[llength $missing] > 0} {
  puts $out "MISSING $missing"
} else {
  puts $out "OK $count [gtkwave::getDumpFileName]"
}
close $out
if {[info exists ::env(PMMU_GTKW_PNG)]} {
  gtkwave::/Time/Zoom/Zoom_Full
  gtkwave::/File/Grab_To_File $::env(PMMU_GTKW_PNG)
}
gtkwave::/File/Quit
