# Every scenario file is a ctest: the directed suite (expectations must hold), the bad-input
# suite (must be rejected on exactly the lines it names) and the golden outputs (the JSON of
# scenario-format.md, byte for byte, with expected output worked out by hand).
set(PMMU_SCENARIO_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PMMU_CHECK_SCENARIO ${PROJECT_SOURCE_DIR}/scripts/check-scenario)

file(GLOB pmmu_good CONFIGURE_DEPENDS ${PMMU_SCENARIO_DIR}/*.pmmu)
file(GLOB pmmu_bad CONFIGURE_DEPENDS ${PMMU_SCENARIO_DIR}/bad/*.pmmu)
file(GLOB pmmu_golden CONFIGURE_DEPENDS ${PMMU_SCENARIO_DIR}/golden/*.pmmu)

foreach(kind good bad golden)
  foreach(file IN LISTS pmmu_${kind})
    get_filename_component(name ${file} NAME_WE)
    add_test(NAME scenario.${kind}.${name}
      COMMAND ${PMMU_CHECK_SCENARIO} $<TARGET_FILE:pmmu> ${kind} ${file}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(scenario.${kind}.${name} PROPERTIES LABELS "scenario;${kind}")
  endforeach()
endforeach()

# The same files in lockstep on the model and the RTL (`--engine both`): any difference in a
# result, a cycle count or a walker memory transaction fails the test; PAE scenarios included
# (the PDPTE loads are compared too: #GP, done cycle, the four reads).
if(TARGET pmmu_rtl)
  foreach(kind good golden)
    foreach(file IN LISTS pmmu_${kind})
      get_filename_component(name ${file} NAME_WE)
      # latency-max-*: millions of cycles of waiting on memory in lockstep, seconds: full tier
      set(tier "")
      if(name MATCHES "^latency-max-")
        set(tier CONFIGURATIONS full)
      endif()
      add_test(NAME scenario.both.${kind}.${name}
        COMMAND ${PMMU_CHECK_SCENARIO} $<TARGET_FILE:pmmu> ${kind} ${file} both
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} ${tier})
      set_tests_properties(scenario.both.${kind}.${name} PROPERTIES LABELS "scenario;both")
    endforeach()
  endforeach()
endif()

# Scenarios with timed commands (scenario-format.md, "Cycles": at CYCLE, flush during an access,
# ack, poke): golden files like golden/, on the model and in lockstep. Kept apart from the other
# folders because the SystemC, DPI and Icarus replays of those folders drive the block without
# these commands.
file(GLOB pmmu_timed CONFIGURE_DEPENDS ${PMMU_SCENARIO_DIR}/timed/*.pmmu)
foreach(file IN LISTS pmmu_timed)
  get_filename_component(name ${file} NAME_WE)
  add_test(NAME scenario.timed.${name}
    COMMAND ${PMMU_CHECK_SCENARIO} $<TARGET_FILE:pmmu> golden ${file}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(scenario.timed.${name} PROPERTIES LABELS "scenario;timed")
  if(TARGET pmmu_rtl)
    add_test(NAME scenario.both.timed.${name}
      COMMAND ${PMMU_CHECK_SCENARIO} $<TARGET_FILE:pmmu> golden ${file} both
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(scenario.both.timed.${name} PROPERTIES LABELS "scenario;timed;both")
  endif()
endforeach()
