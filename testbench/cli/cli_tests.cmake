# Tests of the pmmu command line itself: usage, exit statuses, and explain's figures (each
# expected value below follows from demo.pmmu's page tables by hand, not from a run).
# `CONFIGURATIONS full` at the end of a helper's arguments reaches add_test(): the test is in
# the full tier (over 0.2 s, or a mutant or another RTL variant; CONTRIBUTING.md "Test tiers").
set(demo ${PROJECT_SOURCE_DIR}/testbench/scenarios/demo.pmmu)

# ctest ignores the exit status of a test with PASS_REGULAR_EXPRESSION: the wrappers print it
# after the output ("exit=N"), and the expression must match it too.
function(pmmu_cli_test_exit name status regex)
  add_test(NAME cli.${name}
    COMMAND sh -c "\"$0\" \"$@\"; echo \"exit=$?\"" $<TARGET_FILE:pmmu> ${ARGN})
  set_tests_properties(cli.${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}.*exit=${status}\n"
                                              LABELS cli)
endfunction()
function(pmmu_cli_test name regex)
  pmmu_cli_test_exit(${name} 0 "${regex}" ${ARGN})
endfunction()

# ctest has no "expect exit status N": a shell wrapper checks the status exactly.
function(pmmu_cli_status name status)
  add_test(NAME cli.${name}
    COMMAND sh -c "\"$0\" \"$@\" >/dev/null 2>&1; test $? -eq ${status}" $<TARGET_FILE:pmmu> ${ARGN})
  set_tests_properties(cli.${name} PROPERTIES LABELS cli)
endfunction()

pmmu_cli_test(help "usage:.*pmmu run FILE" --help)
pmmu_cli_test(version "^pmmu [0-9]+\\.[0-9]+\\.[0-9]+\n" --version)
pmmu_cli_status(no_args 2)
pmmu_cli_status(unknown_command 2 frobnicate)
pmmu_cli_status(missing_file 2 run /nonexistent/x.pmmu)
pmmu_cli_status(unknown_engine 2 run --engine nope ${demo})
pmmu_cli_status(unknown_option 2 run --nope ${demo})
pmmu_cli_status(explain_bad_va 2 explain ${demo} 0x1ffffffff)
pmmu_cli_status(explain_fetch_implicit 2 explain ${demo} 0 fetch implicit)
pmmu_cli_status(golden_expect_fails 1 run ${PROJECT_SOURCE_DIR}/testbench/scenarios/golden/json-forms.pmmu)

# 4 MiB kernel page: PDE[0x300] = 0x010001a3 -> 0x01000000 + 0x123456.
pmmu_cli_test(explain_4m
  "PDE at 0x000100000 \\+ 4 x 0x300 = 0x000100c00.*4 MiB page at 0x001000000.*allowed.*= 0x001123456"
  explain ${demo} 0xc0123456)
# User write to the read-only text page: W = 1 AND 0 = 0 -> #PF 0x7.
pmmu_cli_test(explain_protection
  "U=1 W=0.*denied: a user write to a read-only page.*error code 0x7 \\(protection write user\\), CR2 = 0x00400abc"
  explain ${demo} 0x00400abc write user)
# PTE[2] of the table at 0x00101000 is zero.
pmmu_cli_test(explain_not_present
  "PTE at 0x000101000 \\+ 4 x 0x002 = 0x000101008.*not present.*error code 0x4 \\(not-present read user\\)"
  explain ${demo} 0x00402000 user)
# Two files in one run: every JSON line names its file (json-forms.pmmu has a failing
# expectation on purpose: exit 1).
pmmu_cli_test_exit(two_files_name_file 1 "\"file\":\"${demo}\""
  run --json ${demo} ${PROJECT_SOURCE_DIR}/testbench/scenarios/golden/json-forms.pmmu)

# The shared option parser (cli/options.c): every problem is exit status 2 with a message that
# names the option (and the value), for every command.
function(pmmu_cli_usage name regex)
  add_test(NAME cli.options.${name}
    COMMAND sh -c "err=$(\"$0\" \"$@\" 2>&1 >/dev/null); st=$?; echo \"$err\"; echo \"exit=$st\""
            $<TARGET_FILE:pmmu> ${ARGN})
  set_tests_properties(cli.options.${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}.*exit=2\n" LABELS cli)
endfunction()
pmmu_cli_usage(bad_number "pmmu cosim: bad value '12x' for '--seed' \\(a number" cosim --seed 12x)
pmmu_cli_usage(leading_zero_is_decimal "pmmu cosim: bad value '017' for '--ways' \\(a number 1..16\\)" cosim --ways 017)
pmmu_cli_usage(overflow "pmmu cosim: bad value '18446744073709551616' for '--seed'" cosim --seed 18446744073709551616)
pmmu_cli_usage(sign "pmmu cosim: bad value '\\+5' for '--seed'" cosim --seed +5)
pmmu_cli_usage(white_space "pmmu cosim: bad value ' 5' for '--seed'" cosim "--seed= 5")
pmmu_cli_usage(hex_without_digits "pmmu cosim: bad value '0x' for '--seed'" cosim --seed 0x)
# Found by the fuzzer (testbench/fuzz/corpus/cli_options/regressions): a second 0x was read.
pmmu_cli_usage(hex_double_prefix "pmmu cosim: bad value '0x0x10' for '--seed'" cosim --seed 0x0x10)
pmmu_cli_usage(out_of_range "pmmu cosim: bad value '17' for '--ways' \\(a number 1..16\\)" cosim --ways 17)
pmmu_cli_usage(range_reversed "pmmu cosim: bad value '5..2' for '--latency' \\(N or A..B" cosim --latency 5..2)
pmmu_cli_usage(unknown_option "pmmu cosim: unknown option '--frobnicate'.*Try 'pmmu cosim --help'" cosim --frobnicate)
pmmu_cli_usage(missing_value "pmmu cosim: missing value for '--accesses'" cosim --accesses)
pmmu_cli_usage(value_is_option "pmmu cosim: missing value for '--seed'" cosim --seed --quiet)
pmmu_cli_usage(bad_choice "pmmu run: bad value 'nope' for '--engine' \\(model, rtl, both\\)" run --engine=nope ${demo})
pmmu_cli_usage(flag_with_value "pmmu run: '--json' takes no value" run --json=yes ${demo})
pmmu_cli_usage(waves_value "pmmu run: bad value '0' for '--waves-on-failure' \\(a number 1..100000000\\)"
  run --waves-on-failure 0 ${demo})
pmmu_cli_usage(cosim_mutant_needs_rtl "pmmu cosim: --mutant needs --engine rtl or both" cosim --mutant US_OR)
pmmu_cli_usage(cosim_resets_no_trace "pmmu cosim: --resets does not go with --dump-trace or --waves" cosim --resets 5 --dump-trace t.jsonl)
pmmu_cli_usage(cosim_acks_range "pmmu cosim: bad value '101' for '--acks'" cosim --acks 101)
pmmu_cli_usage(run_mutant_needs_rtl "pmmu run: --mutant needs --engine rtl or both" run --mutant US_OR ${demo})
pmmu_cli_usage(sim_out_of_range "pmmu sim: bad value '65' for '--processes' \\(a number 1..64\\).*Try 'pmmu sim --help'"
  sim --processes 65)
pmmu_cli_usage(sim_missing "pmmu sim: missing value for '--frames'" sim --frames)
pmmu_cli_usage(explain_unknown "pmmu explain: unknown option '--x'" explain ${demo} 0 --x)

# explain's TLB section (item 6 of issue 15) on tests/stale-tlb.pmmu, whose page tables change
# after the TLB cached them, without INVLPG. Each expected value follows from that file's
# comments and docs/tlb.md by hand (set = page number mod 16, the first fill takes way 0);
# stale_tlb_next then checks on the model that the next accesses do what explain says.
set(stale ${CMAKE_CURRENT_LIST_DIR}/tests/stale-tlb.pmmu)
pmmu_cli_test(explain_tlb_agrees
  "TLB .*cached: 4 KiB array, set 1, way 0: page 0x00401000\n    frame 0x000802000, U=1 W=1 X=1 D=1 G=0: the same as memory.*a TLB hit.*PA = 0x000802008, as the walk above.*a CR3 write"
  explain ${demo} 0x00401008 write user)
pmmu_cli_test(explain_tlb_none "TLB .*\n  no entry maps this page: the next access walks, as above.\n"
  explain ${demo} 0x00402000 user)
pmmu_cli_test(explain_tlb_stale_hit
  "cached: 4 KiB array, set 0, way 0: page 0x00400000\n.*frame     0x000803000      0x000806000      <- differs\n    rights    U=1 W=0 X=1      U=1 W=1 X=1      <- differs\n    dirty     D=0              D=1              <- differs\n.*The entry is stale.*next read by user: a TLB hit.*PA = 0x000803abc, not the walk's 0x000806abc.*invlpg 0x00400000"
  explain ${stale} 0x00400abc read user)
pmmu_cli_test(explain_tlb_denied_hit_rewalks
  "Physical address = 0x000806000 \\+ 0xabc = 0x000806abc.*next write by user: the lookup drops the entry: a user write to a read-only page \\(W=0\\).*walked again"
  explain ${stale} 0x00400abc write user)
pmmu_cli_test(explain_tlb_unmapped_still_cached
  "error code 0x4.*set 1, way 0.*memory now: no mapping.*frame     0x000802000      -\n.*PA = 0x000802234, although the walk above faults \\(#PF 0x4\\)"
  explain ${stale} 0x00401234 user)
pmmu_cli_test(explain_tlb_global_survives_cr3
  "cached: large-page array, entry 0: 4 MiB page 0xc0000000.*frame     0x001000000      0x002000000      <- differs.*PA = 0x001001234, not the walk's 0x002001234.*not by a CR3 write: the entry is global"
  explain ${stale} 0xc0001234)
add_test(NAME cli.stale_tlb_next
  COMMAND sh -c "cat \"$1\" \"$2\" | \"$0\" run -" $<TARGET_FILE:pmmu> ${stale}
          ${CMAKE_CURRENT_LIST_DIR}/tests/stale-tlb-next.pmmu)
set_tests_properties(cli.stale_tlb_next PROPERTIES LABELS cli
  PASS_REGULAR_EXPRESSION "16 accesses, 27 expectations, 0 failed")
pmmu_cli_test(explain_help "^usage: pmmu explain FILE VA.*--json" explain --help)

# explain --json: parsed by Python, every value checked against the hand-worked walks.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli.explain_json
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tests/check_explain_json.py
          $<TARGET_FILE:pmmu> ${demo} ${stale}
  CONFIGURATIONS full)
set_tests_properties(cli.explain_json PROPERTIES LABELS cli)
# `pmmu run --json --tlb-state` (scenario-format.md): the model's TLB after every access. The
# expected slots follow from demo.pmmu by hand and docs/tlb.md: LA 0x00400000 is set
# 0x400 mod 16 = 0, the first invalid way (0) is filled; the PTE is read-only (w false) and
# user; the 4 MiB kernel page goes to the large array's entry 0, global; the first write to
# the clean data page (line 41) replaces its own entry (set 1, way 0) by one with D set; the
# user write to the read-only page (line 34) drops the entry it hit.
set(tlb_e "\\{\"la\":\"0x00400000\",\"size\":\"4K\",\"frame\":\"0x000801000\",\"u\":true,\"w\":false,\"x\":true,\"d\":false,\"g\":false\\}")
pmmu_cli_test(run_tlb_state_first_fill
  "\"line\":22,\"op\":\"tlb-state\",\"sets\":16,\"ways\":4,\"large\":8,\"policy\":\"plru\",\"fill\":\\{\"array\":\"4K\",\"set\":0,\"way\":0,\"evicted\":null\\},\"dropped\":\\[\\],\"entries\":\\{\"4K\":\\[\\[${tlb_e},null,null,null\\],\\[null,null,null,null\\]"
  run --json --tlb-state ${demo})
pmmu_cli_test(run_tlb_state_drop
  "\"line\":34,\"op\":\"tlb-state\",[^\n]*\"fill\":null,\"dropped\":\\[\\{\"array\":\"4K\",\"set\":0,\"way\":0\\}\\],\"entries\":\\{\"4K\":\\[\\[null,"
  run --json --tlb-state ${demo})
pmmu_cli_test(run_tlb_state_refill_dirty
  "\"line\":41,\"op\":\"tlb-state\",[^\n]*\"fill\":\\{\"array\":\"4K\",\"set\":1,\"way\":0,\"evicted\":\\{\"la\":\"0x00401000\",[^}]*\"d\":false[^\n]*\\],\\[\\{\"la\":\"0x00401000\",\"size\":\"4K\",\"frame\":\"0x000802000\",\"u\":true,\"w\":true,\"x\":true,\"d\":true,\"g\":false\\}"
  run --json --tlb-state ${demo})
pmmu_cli_test(run_tlb_state_large
  "\"line\":50,\"op\":\"tlb-state\",[^\n]*\"fill\":\\{\"array\":\"large\",\"set\":0,\"way\":0,\"evicted\":null\\}[^\n]*\"large\":\\[\\{\"la\":\"0xc0000000\",\"size\":\"4M\",\"frame\":\"0x001000000\",\"u\":false,\"w\":true,\"x\":true,\"d\":false,\"g\":true\\},null,null,null,null,null,null,null\\]\\}\\}"
  run --json --tlb-state ${demo})
pmmu_cli_usage(run_tlb_state_needs_json "pmmu run: --tlb-state needs --json" run --tlb-state ${demo})
pmmu_cli_usage(run_tlb_state_needs_model "pmmu run: --tlb-state reads the model's TLB" run --json --tlb-state --engine rtl ${demo})

# Output that could not be written is an error, never a success (main.c finish_output): a full
# device as standard output, for a command with a short output and one with a long one.
function(pmmu_cli_stdout_full name)
  add_test(NAME cli.stdout_full.${name}
    COMMAND sh -c "err=$(\"$0\" \"$@\" 2>&1 >/dev/full); st=$?; echo \"$err\"; echo \"exit=$st\""
            $<TARGET_FILE:pmmu> ${ARGN})
  set_tests_properties(cli.stdout_full.${name} PROPERTIES LABELS cli
    PASS_REGULAR_EXPRESSION "pmmu: error: the output could not be written \\(standard output\\): No space left on device\nexit=2\n")
endfunction()
pmmu_cli_stdout_full(quiz quiz)
pmmu_cli_stdout_full(run run ${demo})
pmmu_cli_stdout_full(explain explain ${demo} 0x00400abc)

# Issue 17's cases (tests/robust-test, label `robust`): output that cannot be written (a full
# device, a closed pipe, a file size limit), files named on the command line (a directory, a
# FIFO, devices, symbolic links, a missing or read-only directory, atomic replacement), strict
# options (help, ranges, options without effect, unknown names), and bad input (a directory, an
# unreadable file, a binary file, 5000 bad lines, NUL bytes, malformed trace lines, a trace's
# process errors found before the run).
set(PMMU_ROBUST_CASES stdout_full closed_pipe file_too_big out_directory out_fifo out_device
  out_symlink out_missing_dir out_readonly out_before_work out_is_input out_atomic help ranges_in_help numbers
  no_effect unknown_names usage_to_stderr in_directory in_unreadable in_missing binary_input
  many_errors nul_byte trace_lines trace_procs check_trace_stdin check_trace_stream)
foreach(case IN LISTS PMMU_ROBUST_CASES)
  set(tier "")
  if(case STREQUAL "closed_pipe") # writes until the pipe closes: a fraction of a second
    set(tier CONFIGURATIONS full)
  endif()
  add_test(NAME robust.${case}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/tests/robust-test $<TARGET_FILE:pmmu> ${demo} ${case} ${tier})
  set_tests_properties(robust.${case} PROPERTIES LABELS "cli;robust" SKIP_RETURN_CODE 77)
endforeach()
if(TARGET pmmu_rtl)
  # an unknown mutant lists the ones built (or says none were)
  pmmu_cli_usage(mutant_unknown
    "no mutant 'NOPE' was built \\(([A-Z0-9_, .]+|none: configure with -DPMMU_BUILD_MUTANTS=ON); docs/rtl.md\\)"
    cosim --engine rtl --mutant NOPE --accesses 10)
endif()

# `pmmu cosim --export`: the scenario replays the seed cycle for cycle (scripts/check-export
# compares the two runs' transaction traces event by event), in every configuration the export
# must carry: 32-bit and PAE seeds (odd and even), acks (seed % 4 == 3), bus errors,
# back-pressure, fixed and drawn latency, no gap, other geometries and policies. Flushes
# during walks, page-table edits and INVLPGs come in every seed.
set(pmmu_export_cases
  "pae_default|--seed 2 --accesses 1500"
  "bits32_acks|--seed 3 --accesses 1500"
  "bus_errors|--seed 5 --accesses 1500 --bus-errors 40"
  "backpressure|--seed 6 --accesses 1500 --wait 12 --latency 2..9"
  "fixed_latency|--seed 7 --accesses 1500 --latency 3 --wait 0 --gap 0"
  "lru_small|--seed 8 --accesses 1500 --sets 1 --ways 4 --large 2 --policy lru --acks 60"
  "lru|--seed 11 --accesses 1500 --policy lru --acks 100"
  "pokes_pae|--seed 2 --accesses 2000 --pokes 300"
  "pokes_32bit_acks|--seed 3 --accesses 2000 --pokes 300 --bus-errors 10")
foreach(case IN LISTS pmmu_export_cases)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 args)
  separate_arguments(args)
  add_test(NAME cli.export.model.${name}
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-export $<TARGET_FILE:pmmu> model ${args})
  set_tests_properties(cli.export.model.${name} PROPERTIES LABELS "cli;export")
  if(TARGET pmmu_rtl)
    # another geometry or policy is another RTL variant: the full tier
    set(tier "")
    if(args MATCHES "--policy|--sets")
      set(tier CONFIGURATIONS full)
    endif()
    add_test(NAME cli.export.both.${name}
      COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-export $<TARGET_FILE:pmmu> both ${args} ${tier})
    set_tests_properties(cli.export.both.${name} PROPERTIES LABELS "cli;export;both"
                                                            SKIP_RETURN_CODE 77)
  endif()
endforeach()
pmmu_cli_test_exit(export_resets 2 "--resets does not go with --export"
  cosim --resets 5 --export ${CMAKE_CURRENT_BINARY_DIR}/never.pmmu)

# Timed commands given too early are found while running (the cycles before them depend on the
# memory's timing): the run stops there with FILE:LINE: error: and exit 2.
set(timed ${PROJECT_SOURCE_DIR}/testbench/cli/tests)
pmmu_cli_test_exit(timed.reg_early 2
  "timed-reg-early.pmmu:5: error: cr3 at cycle 10 is too early: .* cycle 16 at the earliest"
  run ${timed}/timed-reg-early.pmmu)
pmmu_cli_test_exit(timed.flush_early 2
  "timed-flush-early.pmmu:3: error: flush at cycle 10 comes before the lookup cycle 11"
  run ${timed}/timed-flush-early.pmmu)
pmmu_cli_test_exit(timed.poke_late 2
  "timed-poke-late.pmmu:8: error: a poke in cycle 5 comes too late: .* in cycle 6 already"
  run ${timed}/timed-poke-late.pmmu)
pmmu_cli_test_exit(timed.ack_order 2 "timed-ack-order.pmmu:4: error: an ack in cycle 20 is out of order"
  run ${timed}/timed-ack-order.pmmu)

# The second memory master in lockstep (issue 11 item 1): pokes into the entries of walks, many
# between a read and its compare-and-swap; every CAS outcome and restart is compared.
if(TARGET pmmu_rtl)
  pmmu_cli_test(cosim_pokes_both "20 passed, 0 failed\n.*second-master pokes [1-9][0-9]*, CAS restarts [1-9]"
    cosim --engine both --seeds 20 --accesses 3000 --pokes 300 --quiet CONFIGURATIONS full)
endif()
if(TARGET pmmu_rtl AND PMMU_BUILD_MUTANTS)
  # a mutant is built in the default geometry alone: a scenario of another is refused, not
  # run against an RTL whose TLB differs from the model's (every mutant was "caught" by
  # tlb-direct-mapped.pmmu through the geometry alone)
  pmmu_cli_test_exit(mutant_other_geometry 2
    "mutant 'US_OR' is built only with sets=16 ways=4 large=8 policy=plru, not sets=4 ways=1 large=1 policy=lru"
    run --engine both --mutant US_OR ${PROJECT_SOURCE_DIR}/testbench/scenarios/tlb-direct-mapped.pmmu
    CONFIGURATIONS full)
endif()
# Triage of a failing cosim seed (issue 13 item 1; tests/cosim-triage-test, docs/cli.md
# "pmmu cosim: failing seeds"): --quiet prints the totals alone; with a mutant RTL, over
# several seeds, each failing seed prints one table (cycles in decimal, results by name) and
# ends, the run names every failing seed with a reproduce command that fails again alone with
# the same table, --quiet keeps the tables and totals, --trace numbers requests as the tables.
set(_triage ${CMAKE_CURRENT_LIST_DIR}/tests/cosim-triage-test)
add_test(NAME cli.cosim.quiet COMMAND ${_triage} $<TARGET_FILE:pmmu> quiet)
set_tests_properties(cli.cosim.quiet PROPERTIES LABELS "cli;cosim")
if(TARGET pmmu_rtl AND PMMU_BUILD_MUTANTS)
  add_test(NAME cli.cosim.triage
    COMMAND ${_triage} $<TARGET_FILE:pmmu> mutant REPL_NO_LAST_WAY --seed 1 --seeds 6 --accesses 1500
    CONFIGURATIONS full)
  set_tests_properties(cli.cosim.triage PROPERTIES LABELS "cli;cosim;both;mutant")
endif()
