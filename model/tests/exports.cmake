# The ctest install.exports (cmake -P): the shared library exports exactly the functions that
# pmmu.h declares with PMMU_API, nothing of the model's insides (walk_*, tlb_*, perm_*).
# Variables: LIB (libpmmu.so), HEADER (pmmu.h), NM.
cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND ${NM} -D --defined-only ${LIB} RESULT_VARIABLE rc OUTPUT_VARIABLE nm_out
                ERROR_VARIABLE nm_err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install.exports: ${NM} -D ${LIB} failed: ${nm_err}")
endif()
# "0000000000001234 T pmmu_create": the symbols of code and data the library defines.
string(REGEX MATCHALL "[0-9a-f]+ [TDBRVW] [A-Za-z_][A-Za-z0-9_@.]*" lines "${nm_out}")
set(exported)
foreach(l IN LISTS lines)
  string(REGEX REPLACE "^[0-9a-f]+ [TDBRVW] " "" name "${l}")
  # Names that begin with _ belong to the toolchain (__bss_start, the sanitizers' runtime
  # hooks in a PMMU_SANITIZE build), never to the API.
  if(NOT name MATCHES "^_")
    list(APPEND exported ${name})
  endif()
endforeach()
list(SORT exported)

file(READ ${HEADER} header)
string(REGEX MATCHALL "PMMU_API [^;(]*[ *](pmmu_[a-z0-9_]+)\\(" decls "${header}")
set(declared)
foreach(d IN LISTS decls)
  string(REGEX REPLACE ".*[ *](pmmu_[a-z0-9_]+)\\($" "\\1" name "${d}")
  list(APPEND declared ${name})
endforeach()
list(SORT declared)

list(LENGTH exported n_exported)
list(LENGTH declared n_declared)
if(n_declared LESS 30)
  message(FATAL_ERROR "install.exports: only ${n_declared} PMMU_API functions found in ${HEADER}")
endif()
if(NOT exported STREQUAL declared)
  set(extra ${exported})
  list(REMOVE_ITEM extra ${declared})
  set(missing ${declared})
  list(REMOVE_ITEM missing ${exported})
  message(FATAL_ERROR "install.exports: ${LIB} exports ${n_exported} symbols, pmmu.h declares "
                      "${n_declared} functions\nexported, not declared: ${extra}\n"
                      "declared, not exported: ${missing}")
endif()
message(STATUS "install.exports: ${n_exported} symbols exported, the ${n_declared} functions of pmmu.h")
