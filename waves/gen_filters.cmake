# Writes GTKWave translate filter files (value name per line, value in hex) for the RTL's
# enumerations: the package's typed constants (typedef logic [..] NAME_t; localparam NAME_t
# CONST = W'dV;) and the enum typedefs (typedef enum ... { NAME = W'dV, ... } TYPE;).
# cmake -DOUT=dir -P gen_filters.cmake file.sv...  (files as -DSOURCES="a;b")
# The parsing is cmake/sv_constants.cmake's (shared with the C header of rtl/sim/).
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/sv_constants.cmake)
file(MAKE_DIRECTORY ${OUT})
set(written "")
foreach(src IN LISTS SOURCES)
  pmmu_sv_constants(sv ${src})
  foreach(tname IN LISTS sv_TYPES sv_ENUMS)
    set(body "")
    foreach(cname IN LISTS sv_${tname}_NAMES)
      math(EXPR value "${sv_VALUE_${cname}}" OUTPUT_FORMAT HEXADECIMAL)
      string(REGEX REPLACE "^0x" "" value "${value}")
      string(TOUPPER "${value}" value)
      string(APPEND body "${value} ${cname}\n")
    endforeach()
    file(WRITE ${OUT}/${tname}.txt "${body}")
    list(APPEND written ${tname})
  endforeach()
endforeach()
file(WRITE ${OUT}/filters.stamp "${written}\n")
