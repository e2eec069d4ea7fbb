# The ctest install.consumers (cmake -P): pmmu installed into a fresh prefix, used as another
# team would use it (docs/integration.md).
#  1. cmake --install into ${WORK}/prefix; exactly the expected files are installed;
#     the SONAME; `bin/pmmu --version`; pmmuConfigVersion.cmake's compatibility rule
#  2. the CMake consumer (consumers/cmake, copied to ${WORK}/src): find_package(pmmu 0.1),
#     pmmu::pmmu (shared), pmmu::pmmu_static and a C++ caller, each run
#  3. the Makefile consumer (consumers/make): pkg-config --cflags --libs pmmu, shared (RPATH)
#     and static, each run
# Variables: BUILD_DIR, SRC (consumers/), WORK, VERSION, SOVERSION, LIBDIR, GENERATOR, CC, CXX,
# MAKE, PKG_CONFIG, READELF, EXTRA_FLAGS (the sanitizer flags of a PMMU_SANITIZE build, or empty).
cmake_minimum_required(VERSION 3.20)

function(fail)
  string(JOIN "" msg ${ARGN})
  message(FATAL_ERROR "install.consumers: ${msg}")
endfunction()

# Runs a command; fails the test with its output unless it exits 0. Output in ${out_var}.
function(run out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    fail("`${cmd}` failed (${rc}):\n${out}${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK}/prefix)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# ---- 1. The installed tree ----------------------------------------------------------------
run(out ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE ${prefix} ${prefix}/*)
list(SORT installed)
set(expected bin/pmmu include/pmmu/pmmu.h include/pmmu/version.h
  ${LIBDIR}/cmake/pmmu/pmmuConfig.cmake ${LIBDIR}/cmake/pmmu/pmmuConfigVersion.cmake
  ${LIBDIR}/cmake/pmmu/pmmuTargets.cmake ${LIBDIR}/libpmmu.a ${LIBDIR}/libpmmu.so
  ${LIBDIR}/libpmmu.so.${SOVERSION} ${LIBDIR}/libpmmu.so.${VERSION} ${LIBDIR}/pkgconfig/pmmu.pc)
set(unexpected ${installed})
foreach(f IN LISTS expected)
  list(FIND installed ${f} at)
  if(at EQUAL -1)
    fail("not installed: ${f}\ninstalled:\n${installed}")
  endif()
  list(REMOVE_ITEM unexpected ${f})
endforeach()
# pmmuTargets-<build type>.cmake: one per configuration installed.
list(FILTER unexpected EXCLUDE REGEX "^${LIBDIR}/cmake/pmmu/pmmuTargets-[a-z]+\\.cmake$")
if(unexpected)
  fail("installed, but not part of the package: ${unexpected}")
endif()
message(STATUS "installed ${prefix}: ${installed}")

run(out ${READELF} -d ${prefix}/${LIBDIR}/libpmmu.so.${VERSION})
if(NOT out MATCHES "\\(SONAME\\)[^\n]*\\[libpmmu\\.so\\.${SOVERSION}\\]")
  fail("the SONAME of libpmmu.so.${VERSION} is not libpmmu.so.${SOVERSION}:\n${out}")
endif()
run(out ${prefix}/bin/pmmu --version)
if(NOT out STREQUAL "pmmu ${VERSION}\n")
  fail("bin/pmmu --version printed '${out}', not 'pmmu ${VERSION}'")
endif()

# What find_package(pmmu X.Y) accepts: the version file's rule, asked directly.
string(REPLACE "." ";" v ${VERSION})
list(GET v 0 major)
list(GET v 1 minor)
math(EXPR next_minor "${minor} + 1")
math(EXPR next_major "${major} + 1")
set(requests "${major}.${minor}=TRUE" "${major}.${next_minor}=FALSE" "${next_major}.0=FALSE")
if(major EQUAL 0 AND minor GREATER 0)
  math(EXPR prev_minor "${minor} - 1")
  list(APPEND requests "0.${prev_minor}=FALSE") # before 1.0 a minor release breaks the API
endif()
foreach(r IN LISTS requests)
  string(REPLACE "=" ";" r ${r})
  list(GET r 0 PACKAGE_FIND_VERSION)
  list(GET r 1 want)
  string(REPLACE "." ";" parts ${PACKAGE_FIND_VERSION})
  list(GET parts 0 PACKAGE_FIND_VERSION_MAJOR)
  list(GET parts 1 PACKAGE_FIND_VERSION_MINOR)
  set(PACKAGE_FIND_VERSION_PATCH 0)
  set(PACKAGE_FIND_VERSION_COUNT 2)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
  include(${prefix}/${LIBDIR}/cmake/pmmu/pmmuConfigVersion.cmake)
  if(NOT PACKAGE_VERSION_COMPATIBLE STREQUAL want)
    fail("find_package(pmmu ${PACKAGE_FIND_VERSION}) with pmmu ${VERSION}: compatible is "
         "${PACKAGE_VERSION_COMPATIBLE}, should be ${want}")
  endif()
endforeach()

# Runs a consumer program: exit 0 and its last line "all as expected".
function(run_consumer exe)
  run(out ${exe})
  message(STATUS "${exe}:\n${out}")
  if(NOT out MATCHES "all as expected\n$")
    fail("${exe} did not end with 'all as expected':\n${out}")
  endif()
endfunction()

# The dynamic section: NEEDED libpmmu.so.<ABI> (the shared link) or no libpmmu at all.
function(check_needed exe want_shared)
  run(out ${READELF} -d ${exe})
  string(FIND "${out}" "[libpmmu.so.${SOVERSION}]" at)
  if(want_shared AND at EQUAL -1)
    fail("${exe} does not need libpmmu.so.${SOVERSION}:\n${out}")
  elseif(NOT want_shared AND out MATCHES "libpmmu")
    fail("${exe} should be linked statically, but needs libpmmu:\n${out}")
  endif()
endfunction()

# Outside the source tree: the consumers are copied and built in ${WORK}.
file(COPY ${SRC}/example.c ${SRC}/cmake ${SRC}/make DESTINATION ${WORK}/src)

# ---- 2. find_package ------------------------------------------------------------------------
set(flags)
if(EXTRA_FLAGS)
  set(flags "-DCMAKE_C_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}")
endif()
run(out ${CMAKE_COMMAND} -S ${WORK}/src/cmake -B ${WORK}/build-cmake -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_BUILD_TYPE=Release ${flags})
run(out ${CMAKE_COMMAND} --build ${WORK}/build-cmake)
run_consumer(${WORK}/build-cmake/consumer)
check_needed(${WORK}/build-cmake/consumer TRUE)
run_consumer(${WORK}/build-cmake/consumer_static)
check_needed(${WORK}/build-cmake/consumer_static FALSE)
run(out ${WORK}/build-cmake/consumer_cxx)
message(STATUS "consumer_cxx:\n${out}")

# ---- 3. pkg-config and a Makefile -----------------------------------------------------------
run(out ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig
    "CFLAGS=-O2 ${EXTRA_FLAGS}" "LDFLAGS=${EXTRA_FLAGS}"
    ${MAKE} -C ${WORK}/src/make CC=${CC} PKG_CONFIG=${PKG_CONFIG})
message(STATUS "make:\n${out}")
run(modversion ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig
    ${PKG_CONFIG} --modversion pmmu)
if(NOT modversion STREQUAL "${VERSION}\n")
  fail("pkg-config --modversion pmmu: '${modversion}', not ${VERSION}")
endif()
# The .pc names the prefix it was installed into (${pcfiledir}/../..), not the build's.
string(FIND "${out}" "-I${prefix}/${LIBDIR}/pkgconfig/" at)
if(at EQUAL -1)
  fail("the Makefile's compile line does not use the installed headers:\n${out}")
endif()
run_consumer(${WORK}/src/make/consumer)
check_needed(${WORK}/src/make/consumer TRUE)
run_consumer(${WORK}/src/make/consumer_static)
check_needed(${WORK}/src/make/consumer_static FALSE)
message(STATUS "install.consumers: the CMake and the Makefile consumers agree with the model")
