# Transaction traces (docs/spec/transaction-trace.md), label `trace`: the hand-written example,
# edits of it that must differ in the field worked out by hand, malformed traces with their
# exact messages, model traces; with the RTL, the RTL's traces of the scenario suite, of cosim
# seeds and of `pmmu sim`, and every mutant caught from its trace alone.
set(PMMU_TRACE_TEST ${CMAKE_CURRENT_LIST_DIR}/tests/check-trace-test)
set(PMMU_TRACE_EXAMPLE ${CMAKE_CURRENT_LIST_DIR}/examples/smallest.jsonl)

function(pmmu_trace_test name)
  add_test(NAME trace.${name} COMMAND ${PMMU_TRACE_TEST} $<TARGET_FILE:pmmu> ${ARGN})
  set_tests_properties(trace.${name} PROPERTIES LABELS trace)
endfunction()

add_test(NAME trace.example COMMAND pmmu check-trace ${PMMU_TRACE_EXAMPLE})
set_tests_properties(trace.example PROPERTIES LABELS trace PASS_REGULAR_EXPRESSION
  "smallest.jsonl: 9 transactions matched \\(3 requests, 3 responses, 3 memory transactions; 0 PDPTE loads, 2 interrupt checks\\)")
pmmu_trace_test(example.diverge diverge ${PMMU_TRACE_EXAMPLE})
pmmu_trace_test(unwritable unwritable)
file(GLOB pmmu_bad_traces CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/tests/bad/*.jsonl)
foreach(file IN LISTS pmmu_bad_traces)
  get_filename_component(name ${file} NAME_WE)
  pmmu_trace_test(malformed.${name} malformed ${file})
endforeach()

# Golden traces of the model (--engine model) round-trip too.
# (whole runs: the full tier, as the RTL's runs below: CONFIGURATIONS full reaches add_test)
pmmu_trace_test(model.cosim roundtrip cosim --engine model --seed 1 --seeds 4 --quiet CONFIGURATIONS full)
pmmu_trace_test(model.sim roundtrip sim --engine model --accesses 20000 CONFIGURATIONS full)
pmmu_trace_test(model.scenario roundtrip run --engine model ${pmmu_good} CONFIGURATIONS full)

if(TARGET pmmu_rtl)
  foreach(file IN LISTS pmmu_good)
    get_filename_component(name ${file} NAME_WE)
    set(tier "")
    if(name MATCHES "^latency-max-") # millions of cycles waiting on memory
      set(tier CONFIGURATIONS full)
    endif()
    pmmu_trace_test(rtl.scenario.${name} roundtrip run --engine rtl ${file} ${tier})
  endforeach()
  # seeds 1..6: odd ones in 32-bit paging, even ones in PAE (cosim.h); bus errors under heavy
  # back-pressure and random latency; a small TLB with every policy; both engines (the RTL's
  # trace is written)
  pmmu_trace_test(rtl.cosim.seeds roundtrip cosim --engine rtl --seed 1 --seeds 6 --quiet
    CONFIGURATIONS full)
  pmmu_trace_test(rtl.cosim.bus_errors roundtrip
    cosim --engine rtl --seed 20 --seeds 4 --accesses 5000 --bus-errors 30 --wait 8 --latency 1..12 --quiet
    CONFIGURATIONS full)
  foreach(policy plru lru fifo random)
    pmmu_trace_test(rtl.cosim.${policy} roundtrip
      cosim --engine rtl --sets 1 --ways 4 --large 2 --policy ${policy} --seeds 2 --accesses 5000 --quiet
      CONFIGURATIONS full)
  endforeach()
  pmmu_trace_test(rtl.cosim.both roundtrip cosim --engine both --seed 3 --seeds 2 --quiet
    CONFIGURATIONS full)
  pmmu_trace_test(rtl.sim roundtrip sim --engine rtl --accesses 20000 CONFIGURATIONS full)
  # the doc's SystemVerilog monitor stays valid SystemVerilog
  add_test(NAME trace.sv_snippet COMMAND ${CMAKE_CURRENT_LIST_DIR}/tests/sv-snippet-lint ${VERILATOR_BIN}
    ${PROJECT_SOURCE_DIR}/docs/spec/transaction-trace.md ${PROJECT_SOURCE_DIR}/rtl/pmmu_pkg.sv)
  set_tests_properties(trace.sv_snippet PROPERTIES LABELS trace)
  if(PMMU_BUILD_MUTANTS)
    foreach(mutant IN LISTS PMMU_RTL_MUTANTS)
      pmmu_trace_test(mutant.${mutant} mutant ${mutant} CONFIGURATIONS full)
    endforeach()
  endif()
endif()
