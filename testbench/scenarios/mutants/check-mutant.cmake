# The shrunk reproducer of an RTL mutant (testbench/scenarios/mutants/NAME.pmmu, written by
# `pmmu shrink`): at most 40 commands; on the mutant it fails with the kind its `# kind:` line
# names (the op and first differing field of the first lockstep mismatch, or a failed expect);
# on the real RTL it passes.
#
#   cmake -DPMMU=path/to/pmmu -DMUTANT=NAME -DFILE=NAME.pmmu [-DSHRINK_FROM=BIG.pmmu]
#         -P check-mutant.cmake
#
# With SHRINK_FROM, FILE is first written by `pmmu shrink SHRINK_FROM --mutant NAME -o FILE`
# (the shrinker end to end).
foreach(v PMMU MUTANT FILE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check-mutant.cmake: -D${v}=... missing")
  endif()
endforeach()

if(DEFINED SHRINK_FROM)
  file(REMOVE ${FILE})
  execute_process(COMMAND ${PMMU} shrink ${SHRINK_FROM} --engine both --mutant ${MUTANT} -o ${FILE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "pmmu shrink: ${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pmmu shrink ${SHRINK_FROM} --mutant ${MUTANT}: exit status ${rc}")
  endif()
endif()

# the size: lines that are neither blank nor comments
file(STRINGS ${FILE} lines)
set(commands 0)
set(kind "")
foreach(l IN LISTS lines)
  if(l MATCHES "^# kind: (.*)$")
    set(kind "${CMAKE_MATCH_1}")
  endif()
  string(REGEX REPLACE "#.*$" "" l "${l}")
  string(STRIP "${l}" l)
  if(NOT l STREQUAL "")
    math(EXPR commands "${commands} + 1")
  endif()
endforeach()
if(commands GREATER 40)
  message(FATAL_ERROR "${FILE}: ${commands} commands, more than 40")
endif()
if(kind STREQUAL "")
  message(FATAL_ERROR "${FILE}: no '# kind:' line")
endif()

# on the mutant: the same kind of failure
execute_process(COMMAND ${PMMU} run --engine both --mutant ${MUTANT} ${FILE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(kind MATCHES "^mismatch (request|interrupt|pdpte-load)( hang)? (.*)$")
  set(op "${CMAKE_MATCH_1}")
  set(hang "${CMAKE_MATCH_2}")
  set(field "${CMAKE_MATCH_3}")
  if(NOT rc EQUAL 3)
    message(FATAL_ERROR "mutant ${MUTANT}: exit status ${rc}, want 3 (a mismatch)\n${out}${err}")
  endif()
  # the first report: its header, the column titles, then the first differing field
  if(NOT err MATCHES "lockstep mismatch at ([^\n]*)\n[^\n]*\n  ([^\n]*)\n")
    message(FATAL_ERROR "mutant ${MUTANT}: no mismatch report\n${err}")
  endif()
  set(where "${CMAKE_MATCH_1}")
  set(row "${CMAKE_MATCH_2}")
  if(op STREQUAL "pdpte-load")
    set(want_where "^the PDPTE load")
  else()
    set(want_where "^request")
  endif()
  # the field column is 22 wide (engine_report.c); a memory access field has its index after
  # it ("memory access 3"); a longer field is followed by one blank
  string(LENGTH "${field}" flen)
  set(field_ok FALSE)
  if(flen LESS 22)
    string(SUBSTRING "${row}" 0 22 got_field)
    string(STRIP "${got_field}" got_field)
    string(LENGTH "${got_field}" glen)
    string(SUBSTRING "${got_field}" 0 ${flen} head)
    math(EXPR rest "${glen} - ${flen}")
    if(rest GREATER_EQUAL 0)
      string(SUBSTRING "${got_field}" ${flen} ${rest} tail)
      if(head STREQUAL field AND tail MATCHES "^( [0-9]+)?$")
        set(field_ok TRUE)
      endif()
    endif()
  else()
    string(SUBSTRING "${row}" 0 ${flen} head)
    string(SUBSTRING "${row}" ${flen} 1 after)
    if(head STREQUAL field AND after STREQUAL " ")
      set(field_ok TRUE)
    endif()
  endif()
  if(NOT where MATCHES "${want_where}" OR NOT field_ok)
    message(FATAL_ERROR "mutant ${MUTANT}: the first mismatch is not '${kind}':\n${err}")
  endif()
  if(hang AND NOT row MATCHES "\\(none by cycle")
    message(FATAL_ERROR "mutant ${MUTANT}: the first mismatch is not a hang:\n${err}")
  endif()
elseif(kind STREQUAL "expect")
  if(NOT rc EQUAL 1 OR NOT out MATCHES "FAILED")
    message(FATAL_ERROR "mutant ${MUTANT}: exit status ${rc}, want 1 (a failed expect)\n${out}${err}")
  endif()
else()
  message(FATAL_ERROR "${FILE}: unknown kind '${kind}'")
endif()
message(STATUS "mutant ${MUTANT}: ${commands} commands, fails as '${kind}'")

# on the real RTL: it passes (the expect lines are the model's results)
execute_process(COMMAND ${PMMU} run --engine both ${FILE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the real RTL: exit status ${rc}, want 0\n${out}${err}")
endif()
message(STATUS "the real RTL: passes")
