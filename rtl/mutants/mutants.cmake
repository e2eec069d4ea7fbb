# rtl/mutants/mutants.cmake: the RTL mutants, deliberately broken copies of the RTL that the
# kill tests must catch (docs/rtl.md, "Mutants"). The production sources hold no test code:
# each mutant is a small unified diff rtl/mutants/<NAME>.patch against rtl/ (paths a/rtl/...,
# applied with -p1), its bug described in the comment lines before the diff.
#
#   pmmu_mutant_sources(NAME SOURCES_VAR OUT_DIR_VAR OUT_SOURCES_VAR)
#
# copies the files of the list SOURCES_VAR (and rtl/pmmu_assert.svh) into
# ${CMAKE_CURRENT_BINARY_DIR}/mutants/NAME/rtl, applies NAME.patch to the copy at configure
# time and returns that directory (for -I) and the patched sources. A patch that does not
# apply exactly (no fuzz) stops the configure step with an error: a mutant is never silently
# dropped. The copies are rewritten only when their contents change (no needless rebuilds),
# and cmake re-runs the configure step when a source or a patch changes.

set(PMMU_MUTANT_PATCH_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(PMMU_MUTANT_RTL_DIR ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

function(pmmu_mutant_sources name sources_var out_dir_var out_sources_var)
  find_program(PMMU_PATCH_EXECUTABLE patch)
  if(NOT PMMU_PATCH_EXECUTABLE)
    message(FATAL_ERROR "pmmu: 'patch' not found; it applies the RTL mutants (rtl/mutants/)")
  endif()
  set(patch_file ${PMMU_MUTANT_PATCH_DIR}/${name}.patch)
  if(NOT EXISTS ${patch_file})
    message(FATAL_ERROR "pmmu: mutant ${name}: no ${patch_file}")
  endif()
  set(files ${${sources_var}} ${PMMU_MUTANT_RTL_DIR}/pmmu_assert.svh)

  # patch a scratch copy, then copy what changed to the directory the build reads
  set(scratch ${CMAKE_CURRENT_BINARY_DIR}/mutants/.scratch/${name})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/mutants/${name})
  file(REMOVE_RECURSE ${scratch})
  file(MAKE_DIRECTORY ${scratch}/rtl)
  foreach(f IN LISTS files)
    file(COPY ${f} DESTINATION ${scratch}/rtl)
  endforeach()
  execute_process(
    COMMAND ${PMMU_PATCH_EXECUTABLE} -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch
            --reject-file=- --input=${patch_file}
    WORKING_DIRECTORY ${scratch}
    RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pmmu: mutant ${name}: ${patch_file} does not apply to rtl/ any more "
                        "(patch exit status ${rc}); update the patch:\n${log}")
  endif()

  set(patched "")
  file(MAKE_DIRECTORY ${out}/rtl)
  foreach(f IN LISTS files)
    get_filename_component(base ${f} NAME)
    execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different
                            ${scratch}/rtl/${base} ${out}/rtl/${base})
    if(base MATCHES "\\.sv$")
      list(APPEND patched ${out}/rtl/${base})
    endif()
  endforeach()
  file(REMOVE_RECURSE ${scratch})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${patch_file} ${files})
  set(${out_dir_var} ${out}/rtl PARENT_SCOPE)
  set(${out_sources_var} ${patched} PARENT_SCOPE)
endfunction()
