/*
 * The version of libpmmu. This is the one place it is written: the top-level CMakeLists.txt
 * reads these three numbers for project(), the package files (pmmuConfigVersion.cmake,
 * pmmu.pc) and the shared library's SONAME; `pmmu --version` prints PMMU_VERSION_STRING.
 *
 * The macros are the version of the header a program was compiled with; pmmu_version() and
 * pmmu_version_number() (pmmu.h) are the version of the library it runs with.
 * docs/integration.md states what the numbers promise.
 */
#ifndef PMMU_VERSION_H
#define PMMU_VERSION_H

#define PMMU_VERSION_MAJOR 0
#define PMMU_VERSION_MINOR 1
#define PMMU_VERSION_PATCH 0

/* Two steps, so that the macros are expanded before they are turned into strings. */
#define PMMU_VERSION_STR_(x) #x
#define PMMU_VERSION_STR(x) PMMU_VERSION_STR_(x)

/* "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define PMMU_VERSION_STRING            \
  PMMU_VERSION_STR(PMMU_VERSION_MAJOR) \
  "." PMMU_VERSION_STR(PMMU_VERSION_MINOR) "." PMMU_VERSION_STR(PMMU_VERSION_PATCH)

/* 0xMMmmpp: one byte each for major, minor and patch, so that versions compare as numbers
 * (0.1.0 is 0x000100). */
#define PMMU_VERSION_NUMBER \
  ((PMMU_VERSION_MAJOR << 16) | (PMMU_VERSION_MINOR << 8) | PMMU_VERSION_PATCH)

#endif
