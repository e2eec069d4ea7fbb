# model/mutants/mutants.cmake: the model mutants, deliberately broken copies of libpmmu that the
# directed tests must catch (docs/verification.md, "A test for every rule"; model/mutants/README.md).
#
# Each mutant is a unified diff model/mutants/<NAME>.patch against model/src (paths
# a/model/src/..., applied with -p1), its bug described in the comment lines before the diff,
# with one or more lines
#   # test: testbench/scenarios/FILE.pmmu
# naming the directed tests (scenario files, relative to the source tree) that must fail on it,
# or `# test: directed` / `# test: inject` / `# test: busy` for testbench/directed/P.c on the
# model.
# At configure time the patch is applied to a copy of model/src (a patch that does not apply
# exactly stops the configure step: a mutant is never silently dropped); the copy is built as
# its own static library and linked, with the scenario runner compiled once (no RTL), into
# pmmu_mutant_run_<NAME>. ctest model_mutant.<NAME> (label `mutant`) runs the named files on it
# and wants exit status 1: an expectation failed. model_mutant.control* run every scenario of
# testbench/scenarios, and the two directed programs, on the unbroken library and want 0.
#
# Built when PMMU_BUILD_MUTANTS is ON (the option of rtl/CMakeLists.txt; defined here too, ON,
# when the RTL is not configured). The model builds in seconds: five files per mutant.

if(NOT DEFINED PMMU_BUILD_MUTANTS)
  option(PMMU_BUILD_MUTANTS "Build the mutants (rtl/mutants, model/mutants)" ON)
endif()

set(PMMU_MODEL_MUTANT_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB _pmmu_model_patches CONFIGURE_DEPENDS ${PMMU_MODEL_MUTANT_DIR}/*.patch)

if(PMMU_BUILD_MUTANTS AND _pmmu_model_patches)
  find_program(PMMU_PATCH_EXECUTABLE patch)
  if(NOT PMMU_PATCH_EXECUTABLE)
    message(FATAL_ERROR "pmmu: 'patch' not found; it applies the model mutants (model/mutants/)")
  endif()
  set(_src ${PROJECT_SOURCE_DIR}/model/src)
  set(_tb ${PROJECT_SOURCE_DIR}/testbench)
  file(GLOB _model_files ${_src}/*.c ${_src}/*.h)

  # the scenario runner without the RTL, compiled once for every mutant
  add_library(pmmu_mutant_runner OBJECT
    ${_tb}/engine/engine.c ${_tb}/engine/engine_report.c
    ${_tb}/scenario/scenario.c ${_tb}/scenario/run.c ${_tb}/cosim/cosim.c
    ${_tb}/txtrace/txtrace_write.c ${_tb}/txtrace/txtrace_read.c ${_tb}/txtrace/txtrace_check.c
    ${_tb}/mem/pmem.c ${_tb}/directed/rig.c ${_tb}/common/tb_status.c ${_tb}/common/tb_file.c ${_tb}/common/tb_budget.c)
  target_include_directories(pmmu_mutant_runner PRIVATE
    ${PROJECT_SOURCE_DIR}/model/include ${_tb}/common ${_tb}/engine ${_tb}/scenario ${_tb}/cosim
    ${_tb}/txtrace ${_tb}/mem)
  target_compile_options(pmmu_mutant_runner PRIVATE ${PMMU_C_WARNINGS})
  foreach(prog run directed inject busy)
    if(prog STREQUAL "run")
      add_library(pmmu_mutant_main_run OBJECT ${PMMU_MODEL_MUTANT_DIR}/runner.c)
    else()
      add_library(pmmu_mutant_main_${prog} OBJECT ${_tb}/directed/${prog}.c)
    endif()
    target_include_directories(pmmu_mutant_main_${prog} PRIVATE
      ${PROJECT_SOURCE_DIR}/model/include ${_tb}/common ${_tb}/engine ${_tb}/scenario ${_tb}/cosim
      ${_tb}/txtrace ${_tb}/mem)
    target_compile_options(pmmu_mutant_main_${prog} PRIVATE ${PMMU_C_WARNINGS})
  endforeach()

  # the control: the same programs on the unbroken library pass
  foreach(prog run directed inject busy)
    add_executable(pmmu_mutant_${prog}_control
      $<TARGET_OBJECTS:pmmu_mutant_main_${prog}> $<TARGET_OBJECTS:pmmu_mutant_runner>)
    target_link_libraries(pmmu_mutant_${prog}_control PRIVATE libpmmu m)
  endforeach()
  file(GLOB _all_scenarios ${_tb}/scenarios/*.pmmu ${_tb}/scenarios/golden/*.pmmu)
  list(FILTER _all_scenarios EXCLUDE REGEX "latency-max-")
  # the mutant kills and their controls: the full tier (CONTRIBUTING.md "Test tiers")
  add_test(NAME model_mutant.control COMMAND pmmu_mutant_run_control ${_all_scenarios}
           CONFIGURATIONS full)
  add_test(NAME model_mutant.control_directed COMMAND pmmu_mutant_directed_control model
           CONFIGURATIONS full)
  add_test(NAME model_mutant.control_inject COMMAND pmmu_mutant_inject_control model
           CONFIGURATIONS full)
  add_test(NAME model_mutant.control_busy COMMAND pmmu_mutant_busy_control model
           CONFIGURATIONS full)
  set_tests_properties(model_mutant.control model_mutant.control_directed
                       model_mutant.control_inject model_mutant.control_busy
                       PROPERTIES LABELS "mutant;model")

  set(PMMU_MODEL_MUTANTS "")
  foreach(patch IN LISTS _pmmu_model_patches)
    get_filename_component(name ${patch} NAME_WE)
    list(APPEND PMMU_MODEL_MUTANTS ${name})
    file(STRINGS ${patch} _tests REGEX "^# test: ")
    list(TRANSFORM _tests REPLACE "^# test: *" "")
    if(NOT _tests)
      message(FATAL_ERROR "pmmu: model mutant ${name}: ${patch} names no '# test: FILE'")
    endif()
    set(prog run)
    foreach(p directed inject busy) # testbench/directed/P.c on the model instead of scenarios
      if(p IN_LIST _tests)
        set(prog ${p})
        list(REMOVE_ITEM _tests ${p})
      endif()
    endforeach()
    list(TRANSFORM _tests PREPEND "${PROJECT_SOURCE_DIR}/")
    foreach(t IN LISTS _tests)
      if(NOT EXISTS ${t})
        message(FATAL_ERROR "pmmu: model mutant ${name}: no test file ${t}")
      endif()
    endforeach()

    set(scratch ${CMAKE_CURRENT_BINARY_DIR}/model-mutants/.scratch/${name})
    set(out ${CMAKE_CURRENT_BINARY_DIR}/model-mutants/${name}/model/src)
    file(REMOVE_RECURSE ${scratch})
    file(MAKE_DIRECTORY ${scratch}/model/src ${out})
    file(COPY ${_model_files} DESTINATION ${scratch}/model/src)
    execute_process(
      COMMAND ${PMMU_PATCH_EXECUTABLE} -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch
              --reject-file=- --input=${patch}
      WORKING_DIRECTORY ${scratch}
      RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "pmmu: model mutant ${name}: ${patch} does not apply to model/src any "
                          "more (patch exit status ${rc}); update the patch:\n${log}")
    endif()
    set(srcs "")
    foreach(f IN LISTS _model_files)
      get_filename_component(base ${f} NAME)
      execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different
                              ${scratch}/model/src/${base} ${out}/${base})
      if(base MATCHES "\\.c$")
        list(APPEND srcs ${out}/${base})
      endif()
    endforeach()
    file(REMOVE_RECURSE ${scratch})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${patch} ${_model_files})

    add_library(pmmu_model_mut_${name} STATIC ${srcs})
    target_include_directories(pmmu_model_mut_${name} PUBLIC ${PROJECT_SOURCE_DIR}/model/include)
    # a deliberate bug may leave a helper or a parameter unused: no -Werror on the mutant copy
    target_compile_options(pmmu_model_mut_${name} PRIVATE -w)
    if(NOT prog STREQUAL "run")
      set(_tests model)
    endif()
    add_executable(pmmu_mutant_${prog}_${name}
      $<TARGET_OBJECTS:pmmu_mutant_main_${prog}> $<TARGET_OBJECTS:pmmu_mutant_runner>)
    target_link_libraries(pmmu_mutant_${prog}_${name} PRIVATE pmmu_model_mut_${name} m)
    add_test(NAME model_mutant.${name}
      COMMAND sh -c "\"$0\" \"$@\" >/dev/null 2>&1; test $? -eq 1"
              $<TARGET_FILE:pmmu_mutant_${prog}_${name}> ${_tests}
      CONFIGURATIONS full)
    set_tests_properties(model_mutant.${name} PROPERTIES LABELS "mutant;model")
  endforeach()
endif()
