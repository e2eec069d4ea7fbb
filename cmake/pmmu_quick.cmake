# The quick loop (CONTRIBUTING.md, "The quick loop"): the tests worth running after every
# edit, which build and run in seconds, and whose programs do not wait for the RTL variants
# other than the default one, the mutants, the DPI testbenches, SystemC or the web page.
#
#   pmmu_quick(TESTS test... [TARGETS target...])
#       labels the tests `quick` and makes the target `quick` build the targets they run.
#
#   cmake --build build --target quick && ctest --test-dir build -L quick -j2
#
# A test belongs here only if it is fast (well under a second) and its targets link neither
# pmmu_rtl (every variant: use pmmu_rtl_default) nor anything that does (the `pmmu` command,
# pmmu_testbench). `scripts/test` runs every test, quick or not.

include_guard(GLOBAL)
add_custom_target(quick)

function(pmmu_quick)
  cmake_parse_arguments(Q "" "" "TESTS;TARGETS" ${ARGN})
  if(Q_TESTS)
    set_property(TEST ${Q_TESTS} APPEND PROPERTY LABELS quick)
  endif()
  if(Q_TARGETS)
    add_dependencies(quick ${Q_TARGETS})
  endif()
endfunction()
