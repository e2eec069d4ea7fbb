# Writes pmmu_rtl_pkg.h, the C view of rtl/pmmu_pkg.sv's encodings, at build time, so that
# the C side never holds a copy of a value (rtl/CMakeLists.txt runs it; pmmu_rtl.h includes
# the result).  cmake -DPKG=rtl/pmmu_pkg.sv -DOUT=pmmu_rtl_pkg.h -P gen_pkg_h.cmake
#   typed constants   localparam acc_t ACC_READ = 2'd0;  ->  #define PMMU_RTL_ACC_READ 0u
#                     and the type's width               ->  #define PMMU_RTL_ACC_T_BITS 2u
#   int parameters    localparam int EC_P = 0;           ->  #define PMMU_RTL_PKG_EC_P 0
#                     (PKG_: pmmu_rtl.h's names such as PMMU_RTL_EC_P are masks built
#                     from these bit positions)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/sv_constants.cmake)
pmmu_sv_constants(sv ${PKG})
if(NOT sv_TYPES)
  message(FATAL_ERROR "gen_pkg_h: no typed constants found in ${PKG}")
endif()
get_filename_component(pkg_name ${PKG} NAME)
set(h "/* Generated from rtl/${pkg_name} by rtl/sim/gen_pkg_h.cmake: do not edit. */\n")
string(APPEND h "#ifndef PMMU_RTL_PKG_H\n#define PMMU_RTL_PKG_H\n")
foreach(t IN LISTS sv_TYPES)
  string(TOUPPER ${t} T)
  string(APPEND h "\n/* ${t} */\n#define PMMU_RTL_${T}_BITS ${sv_${t}_WIDTH}u\n")
  foreach(c IN LISTS sv_${t}_NAMES)
    string(APPEND h "#define PMMU_RTL_${c} ${sv_VALUE_${c}}u\n")
  endforeach()
endforeach()
string(APPEND h "\n/* int parameters */\n")
foreach(c IN LISTS sv_INTS)
  string(APPEND h "#define PMMU_RTL_PKG_${c} ${sv_VALUE_${c}}\n")
endforeach()
string(APPEND h "\n#endif /* PMMU_RTL_PKG_H */\n")
file(WRITE ${OUT} "${h}")
