# The RTL source list rtl/pmmu.f, for every CMake consumer (rtl/, testbench/systemc, waves/).
#
# pmmu_rtl_files(<var>) sets <var> to the sources of rtl/pmmu.f as absolute paths, in the
# file's (compile) order. Format of rtl/pmmu.f: one path per line, relative to rtl/;
# `//` starts a comment; blank lines are ignored. A missing file is an error. Editing
# rtl/pmmu.f re-runs the configuration.

set(PMMU_RTL_FILELIST ${CMAKE_CURRENT_LIST_DIR}/../rtl/pmmu.f)
get_filename_component(PMMU_RTL_FILELIST ${PMMU_RTL_FILELIST} ABSOLUTE)

function(pmmu_rtl_files var)
  get_filename_component(dir ${PMMU_RTL_FILELIST} DIRECTORY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PMMU_RTL_FILELIST})
  file(STRINGS ${PMMU_RTL_FILELIST} lines)
  set(files "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "//.*" "" line "${line}")
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(NOT EXISTS ${dir}/${line})
      message(FATAL_ERROR "rtl/pmmu.f: '${line}' does not exist in ${dir}")
    endif()
    list(APPEND files ${dir}/${line})
  endforeach()
  if(NOT files)
    message(FATAL_ERROR "rtl/pmmu.f lists no source")
  endif()
  set(${var} ${files} PARENT_SCOPE)
endfunction()
