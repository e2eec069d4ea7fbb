// The PMMU RTL sources, in compile order: one path per line, relative to rtl/.
// The one list of them: rtl/CMakeLists.txt (the Verilated models, rtl_lint),
// testbench/systemc (pmmu_rtl_sc), waves/ (the filters), scripts/synth (Yosys, Icarus) read
// it; Verilator can read it directly with -F rtl/pmmu.f.
pmmu_pkg.sv
pmmu_perm.sv
pmmu_repl.sv
pmmu_tlb.sv
pmmu_pdpte.sv
pmmu_walker.sv
pmmu_top.sv
