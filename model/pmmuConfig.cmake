# find_package(pmmu [0.1] REQUIRED): the imported targets
#   pmmu::pmmu          the shared library (libpmmu.so, hidden symbols but the API)
#   pmmu::pmmu_static   the static library (libpmmu.a)
# Both carry the include directory; link one of them. docs/integration.md.
include(${CMAKE_CURRENT_LIST_DIR}/pmmuTargets.cmake)
