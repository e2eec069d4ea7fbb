// pmmu_assert.svh: assertion macros of the PMMU RTL (after lowRISC's prim_assert.sv).
//
// Under Verilator (the simulator, run with --assert) the macros expand to concurrent SVA;
// Yosys 0.23 and Icarus 11 (scripts/synth) do not accept concurrent assertions, so there
// they expand to nothing. PMMU_INC_ASSERT is defined when assertions are compiled in: logic
// that exists only to be asserted on (e.g. an outstanding-request flag) goes under it.
//
//   `PMMU_ASSERT(Name, prop, clk, rst)          prop holds at every clk edge unless rst
//   `PMMU_ASSERT_KNOWN(Name, sig, clk, rst)     sig has no X/Z bit unless rst
//   `PMMU_ASSERT_NEVER(Name, prop, clk, rst)    prop never holds unless rst
//   `PMMU_ASSERT_INIT(Name, prop)               prop holds at time 0 (parameter checks)
//
// prop may be a sequence implication (a |-> b, a |=> b). rst is the disabling condition,
// i.e. `!rst_ni` for the active-low reset of the PMMU. Name is a CamelCase label that the
// failure message repeats (Verilator adds the instance path).

`ifndef PMMU_ASSERT_SVH
`define PMMU_ASSERT_SVH

`ifdef VERILATOR
  `define PMMU_INC_ASSERT
`endif

`ifdef PMMU_INC_ASSERT

`define PMMU_ASSERT(__name, __prop, __clk, __rst)                                   \
  __name: assert property (@(posedge __clk) disable iff (__rst) (__prop))           \
    else $error("assertion %s failed", `"__name`");

`define PMMU_ASSERT_NEVER(__name, __prop, __clk, __rst)                             \
  __name: assert property (@(posedge __clk) disable iff (__rst) !(__prop))          \
    else $error("assertion %s failed", `"__name`");

`define PMMU_ASSERT_KNOWN(__name, __sig, __clk, __rst)                              \
  __name: assert property (@(posedge __clk) disable iff (__rst) !$isunknown(__sig)) \
    else $error("assertion %s failed (X/Z)", `"__name`");

`define PMMU_ASSERT_INIT(__name, __prop)                                            \
  initial begin                                                                     \
    __name: assert (__prop) else $error("assertion %s failed", `"__name`");     \
  end

`else

`define PMMU_ASSERT(__name, __prop, __clk, __rst)
`define PMMU_ASSERT_NEVER(__name, __prop, __clk, __rst)
`define PMMU_ASSERT_KNOWN(__name, __sig, __clk, __rst)
`define PMMU_ASSERT_INIT(__name, __prop)

`endif

`endif // PMMU_ASSERT_SVH
