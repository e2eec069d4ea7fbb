# Parsing of the constants of a SystemVerilog source, for the files generated from the RTL
# (waves/gen_filters.cmake: GTKWave filters; rtl/sim/gen_pkg_h.cmake: the C header
# pmmu_rtl_pkg.h; rtl/CMakeLists.txt: the POLICY values). One parser, so that every copy of
# an encoding outside the RTL is derived from the RTL.
#
# pmmu_sv_constants(<prefix> <file>) sets, in the caller's scope:
#   <prefix>_TYPES           typed-constant types, in source order: `typedef logic [H:L] NAME_t;`
#                            (or `typedef logic NAME_t;`) with at least one
#                            `localparam NAME_t CONST = W'[dhb]V;`
#   <prefix>_ENUMS           enum typedefs: `typedef enum ... { NAME = W'[dh]V, ... } TYPE;`
#   <prefix>_<type>_WIDTH    bits of a typed-constant type or enum base (1 without a range)
#   <prefix>_<type>_NAMES    the constants of a type, in source order
#   <prefix>_INTS            `localparam int NAME = N;` with a literal decimal N, in source order
#   <prefix>_VALUE_<NAME>    the value of any constant above, decimal
# Usable in script mode (-P) and at configure time. // comments are ignored.

# a Verilog literal (W'dV, W'hV, W'bV or a plain decimal) -> decimal
function(pmmu_sv_literal_value literal out)
  if(literal MATCHES "^[0-9]*'([dDhHbB])([0-9a-fA-F_]+)$")
    set(radix ${CMAKE_MATCH_1})
    string(REPLACE "_" "" digits "${CMAKE_MATCH_2}")
  elseif(literal MATCHES "^([0-9_]+)$")
    set(radix d)
    string(REPLACE "_" "" digits "${CMAKE_MATCH_1}")
  else()
    message(FATAL_ERROR "pmmu_sv_literal_value: cannot read '${literal}'")
  endif()
  if(radix MATCHES "[hH]")
    math(EXPR value "0x${digits}")
  elseif(radix MATCHES "[bB]")
    set(value 0)
    string(LENGTH "${digits}" n)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(SUBSTRING "${digits}" ${i} 1 d)
      math(EXPR value "${value} * 2 + ${d}")
    endforeach()
  else()
    math(EXPR value "${digits}")
  endif()
  set(${out} ${value} PARENT_SCOPE)
endfunction()

# "[H:L]" or "" -> width
function(pmmu_sv_range_width range out)
  if(range MATCHES "\\[[ \t]*([0-9]+)[ \t]*:[ \t]*([0-9]+)[ \t]*\\]")
    math(EXPR w "${CMAKE_MATCH_1} - ${CMAKE_MATCH_2} + 1")
  else()
    set(w 1)
  endif()
  set(${out} ${w} PARENT_SCOPE)
endfunction()

# One match of "NAME = literal" (`regex` captures both): <prefix>_VALUE_NAME for the caller of
# pmmu_sv_constants, and NAME appended to `list_var`. A macro, so that it runs in
# pmmu_sv_constants' scope.
macro(_pmmu_sv_take match regex list_var)
  string(REGEX REPLACE "${regex}" "\\1;\\2" _nv "${match}")
  list(GET _nv 0 _name)
  list(GET _nv 1 _literal)
  pmmu_sv_literal_value("${_literal}" _value)
  set(${prefix}_VALUE_${_name} ${_value} PARENT_SCOPE)
  list(APPEND ${list_var} ${_name})
endmacro()

function(pmmu_sv_constants prefix file)
  file(READ ${file} text)
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  # ';' separates CMake list items: statements end in '#' here (not a character these
  # declarations otherwise contain)
  string(REPLACE ";" "#" text "${text}")
  set(types "")
  set(enums "")
  set(ints "")
  set(lit "[0-9]*'[dDhHbB][0-9a-fA-F_]+")
  # typed constants
  string(REGEX MATCHALL "typedef[ \t]+logic[ \t]*(\\[[^]]*\\])?[ \t]*[A-Za-z0-9_]+_t[ \t]*#" tdefs "${text}")
  foreach(t IN LISTS tdefs)
    string(REGEX MATCH "([A-Za-z0-9_]+_t)[ \t]*#$" _ "${t}")
    set(tname ${CMAKE_MATCH_1})
    string(REGEX MATCH "\\[[^]]*\\]" range "${t}")
    string(REGEX MATCHALL "localparam[ \t]+${tname}[ \t]+[A-Za-z0-9_]+[ \t]*=[ \t]*${lit}" consts "${text}")
    if(NOT consts)
      continue()
    endif()
    pmmu_sv_range_width("${range}" w)
    set(${prefix}_${tname}_WIDTH ${w} PARENT_SCOPE)
    set(names "")
    foreach(c IN LISTS consts)
      _pmmu_sv_take("${c}" "localparam[ \t]+${tname}[ \t]+([A-Za-z0-9_]+)[ \t]*=[ \t]*(${lit})$" names)
    endforeach()
    set(${prefix}_${tname}_NAMES ${names} PARENT_SCOPE)
    list(APPEND types ${tname})
  endforeach()
  # enum typedefs
  string(REGEX MATCHALL "typedef[ \t]+enum[^{]*{[^}]*}[ \t]*[A-Za-z0-9_]+" edefs "${text}")
  foreach(e IN LISTS edefs)
    string(REGEX MATCH "([A-Za-z0-9_]+)$" tname "${e}")
    string(REGEX MATCH "^typedef[ \t]+enum[^{]*" head "${e}")
    string(REGEX MATCH "\\[[^]]*\\]" range "${head}")
    pmmu_sv_range_width("${range}" w)
    set(${prefix}_${tname}_WIDTH ${w} PARENT_SCOPE)
    string(REGEX MATCHALL "[A-Za-z0-9_]+[ \t]*=[ \t]*${lit}" items "${e}")
    set(names "")
    foreach(it IN LISTS items)
      _pmmu_sv_take("${it}" "^([A-Za-z0-9_]+)[ \t]*=[ \t]*(${lit})$" names)
    endforeach()
    set(${prefix}_${tname}_NAMES ${names} PARENT_SCOPE)
    list(APPEND enums ${tname})
  endforeach()
  # integer parameters with a literal value (expressions such as PAW - 12 are left out)
  string(REGEX MATCHALL "localparam[ \t]+int[ \t]+[A-Za-z0-9_]+[ \t]*=[ \t]*[0-9_]+[ \t]*#" idefs "${text}")
  foreach(i IN LISTS idefs)
    _pmmu_sv_take("${i}" "localparam[ \t]+int[ \t]+([A-Za-z0-9_]+)[ \t]*=[ \t]*([0-9_]+)[ \t]*#" ints)
  endforeach()
  set(${prefix}_TYPES ${types} PARENT_SCOPE)
  set(${prefix}_ENUMS ${enums} PARENT_SCOPE)
  set(${prefix}_INTS ${ints} PARENT_SCOPE)
endfunction()
