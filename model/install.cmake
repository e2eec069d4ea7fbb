# `cmake --install BUILD --prefix P`: what a project that uses pmmu as its reference model
# needs, and nothing else (no test programs, no RTL):
#   P/include/pmmu/{pmmu.h,version.h}
#   P/lib/libpmmu.a, P/lib/libpmmu.so -> libpmmu.so.<ABI> -> libpmmu.so.<version>
#   P/lib/cmake/pmmu/{pmmuConfig,pmmuConfigVersion,pmmuTargets*}.cmake   (find_package)
#   P/lib/pkgconfig/pmmu.pc                                             (pkg-config)
#   P/bin/pmmu                                    (installed by testbench/CMakeLists.txt)
# (lib is CMAKE_INSTALL_LIBDIR: lib/<multiarch> on Debian when the prefix is /usr.)
# The package files are relocatable: they find the prefix from their own place, so that
# --prefix and DESTDIR at install time work, and a copied prefix still works.
# Checked by the ctest install.consumers (tests/consumers/).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PMMU_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pmmu)
set(PMMU_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS libpmmu libpmmu_shared EXPORT pmmuTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES include/pmmu/pmmu.h include/pmmu/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pmmu)

# find_package(pmmu 0.1): pmmu::pmmu (shared) and pmmu::pmmu_static. A 0.x release accepts a
# request for its own 0.MINOR only (each minor release may break the API before 1.0); from
# 1.0 on, any request with the same major version (docs/integration.md, "What is stable").
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_pmmu_compat SameMinorVersion)
else()
  set(_pmmu_compat SameMajorVersion)
endif()
install(EXPORT pmmuTargets NAMESPACE pmmu:: DESTINATION ${PMMU_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/pmmuConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${_pmmu_compat})
install(FILES pmmuConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/pmmuConfigVersion.cmake
  DESTINATION ${PMMU_CMAKE_DIR})

# pmmu.pc: the prefix is found from the .pc file's own directory (${pcfiledir}, which pkg-config
# and pkgconf both define), so it is right for any --prefix given at install time.
# (An absolute CMAKE_INSTALL_LIBDIR or INCLUDEDIR is written as it is.)
file(RELATIVE_PATH _pmmu_pc_up /prefix/${PMMU_PKGCONFIG_DIR} /prefix)
set(PMMU_PC_PREFIX "\${pcfiledir}/${_pmmu_pc_up}")
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(PMMU_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE ${CMAKE_INSTALL_${_dir}})
    set(PMMU_PC_${_dir} ${CMAKE_INSTALL_${_dir}})
  else()
    set(PMMU_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
configure_file(pmmu.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pmmu.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pmmu.pc DESTINATION ${PMMU_PKGCONFIG_DIR})
