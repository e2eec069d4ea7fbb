# The project's version, read from model/include/pmmu/version.h: the header is the one place
# the version is written (PMMU_VERSION_MAJOR/MINOR/PATCH), and project() takes it from here.
# Sets PMMU_VERSION ("MAJOR.MINOR.PATCH"). Included before project().
set(_pmmu_version_h ${CMAKE_CURRENT_LIST_DIR}/../model/include/pmmu/version.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_pmmu_version_h})
file(STRINGS ${_pmmu_version_h} _pmmu_version_lines
     REGEX "^#define PMMU_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+$")
foreach(_part MAJOR MINOR PATCH)
  set(_pmmu_${_part})
  foreach(_line IN LISTS _pmmu_version_lines)
    if(_line MATCHES "^#define PMMU_VERSION_${_part} +([0-9]+)$")
      set(_pmmu_${_part} ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(_pmmu_${_part} STREQUAL "")
    message(FATAL_ERROR "${_pmmu_version_h}: no line '#define PMMU_VERSION_${_part} <number>'")
  endif()
endforeach()
set(PMMU_VERSION ${_pmmu_MAJOR}.${_pmmu_MINOR}.${_pmmu_PATCH})
