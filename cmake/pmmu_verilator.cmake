# Verilated models that share one Verilator runtime (rtl/, model/dpi/).
#
# Verilator's verilate() adds its runtime (verilated.cpp, verilated_threads.cpp, the FST
# writer, the DPI and timing support: ${PREFIX}_GLOBAL) to the sources of every target it is
# called on. With one target per model (the RTL variants, the mutants, the DPI testbenches)
# that is the same ~30 s of compilation once per model, and the same objects twice in a link.
# Here the runtime is compiled once, into the static library pmmu_verilated, and each model
# target links that instead:
#
#   pmmu_verilate(TARGET <verilate() arguments...>)
#       verilate() on TARGET, then the runtime sources taken out of TARGET and
#       pmmu_verilated linked (PUBLIC) in their place.
#
# The runtime does not depend on the model's options except VM_SC (SystemC): the SystemC
# build (testbench/systemc) keeps verilate()'s own runtime. verilated_timing.cpp needs the
# coroutine flag that verilate(... --timing) sets; it is harmless for the other files.
# PMMU_RTL_TRACE=OFF builds leave the FST writer out.

include_guard(GLOBAL)

set(_pmmu_vlt_rt_sources
  ${VERILATOR_ROOT}/include/verilated.cpp
  ${VERILATOR_ROOT}/include/verilated_threads.cpp
  ${VERILATOR_ROOT}/include/verilated_dpi.cpp
  ${VERILATOR_ROOT}/include/verilated_timing.cpp)
set(_pmmu_vlt_rt_libs "")
if(PMMU_RTL_COVERAGE) # scripts/coverage: the models count lines and toggles
  list(APPEND _pmmu_vlt_rt_sources ${VERILATOR_ROOT}/include/verilated_cov.cpp)
endif()
if(NOT DEFINED PMMU_RTL_TRACE OR PMMU_RTL_TRACE)
  list(APPEND _pmmu_vlt_rt_sources ${VERILATOR_ROOT}/include/verilated_fst_c.cpp)
  list(APPEND _pmmu_vlt_rt_libs z)  # the FST writer compresses with zlib (Verilator's -lz)
endif()

# GLOBAL: created in rtl/ and linked from model/dpi/ too
add_library(pmmu_verilated STATIC ${_pmmu_vlt_rt_sources})
target_include_directories(pmmu_verilated SYSTEM PUBLIC
  ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
target_compile_definitions(pmmu_verilated PRIVATE VM_SC=0 VM_COVERAGE=$<BOOL:${PMMU_RTL_COVERAGE}>)
target_link_libraries(pmmu_verilated PUBLIC ${_pmmu_vlt_rt_libs} ${VERILATOR_MT_CFLAGS})
include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-fcoroutines-ts PMMU_COROUTINES_TS_FLAG)
if(PMMU_COROUTINES_TS_FLAG)
  set(_pmmu_coro -fcoroutines-ts)
else()
  set(_pmmu_coro -fcoroutines)
endif()
set_source_files_properties(${VERILATOR_ROOT}/include/verilated_timing.cpp
  TARGET_DIRECTORY pmmu_verilated PROPERTIES COMPILE_OPTIONS ${_pmmu_coro})
# Verilator's runtime has undefined behaviour that UBSan reports (unaligned accesses and
# shifts of negative values in the trace code and the FST writer it bundles). That code is
# not ours: built with ASan, without UBSan; our own C and C++ keep every check.
if(PMMU_SANITIZE)
  target_compile_options(pmmu_verilated PRIVATE -fno-sanitize=undefined)
endif()

function(pmmu_verilate target)
  verilate(${target} ${ARGN})
  # take out whichever runtime files verilate() added (which ones depends on the options)
  file(GLOB runtime ${VERILATOR_ROOT}/include/verilated*.cpp)
  get_target_property(srcs ${target} SOURCES)
  list(REMOVE_ITEM srcs ${runtime})
  set_property(TARGET ${target} PROPERTY SOURCES ${srcs})
  target_link_libraries(${target} PUBLIC pmmu_verilated)
endfunction()
