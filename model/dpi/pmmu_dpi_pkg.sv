// pmmu_dpi_pkg: the pmmu reference model in SystemVerilog, through standard DPI-C
// (IEEE 1800-2017 chapter 35). The C side is model/dpi/pmmu_dpi.c (declarations and the
// encodings: pmmu_dpi.h); docs/dpi.md explains the design. Only DPI's simple types are used
// (int, longint, bit, string, chandle), so VCS, Xcelium, Questa and Verilator all accept it.
//
// A handle (chandle) is one model: pmmu_dpi_create() ... pmmu_dpi_destroy(). The model keeps
// its own image of physical memory: write page tables into it with pmmu_dpi_mem_write()
// whenever the testbench writes them into its own memory. Encodings are the block's port
// encodings (rtl/pmmu_pkg.sv); the constants below name the ones the C API adds.

package pmmu_dpi_pkg;

  // register numbers (pmmu_dpi_write_reg)
  typedef enum int {
    PMMU_DPI_CR0  = 0,
    PMMU_DPI_CR3  = 1,
    PMMU_DPI_CR4  = 2,
    PMMU_DPI_EFER = 3
  } pmmu_dpi_reg_e;

  // outcome of a translation (pmmu_dpi_expected, pmmu_dpi_compare_response)
  typedef enum int {
    PMMU_DPI_OK        = 0,
    PMMU_DPI_PF        = 1,  // #PF
    PMMU_DPI_BUS_ERROR = 2
  } pmmu_dpi_outcome_e;

  // the control inputs packed in an int (pmmu_dpi_control)
  localparam int PMMU_DPI_CTL_PG   = 'h01;
  localparam int PMMU_DPI_CTL_WP   = 'h02;
  localparam int PMMU_DPI_CTL_PSE  = 'h04;
  localparam int PMMU_DPI_CTL_PAE  = 'h08;
  localparam int PMMU_DPI_CTL_PGE  = 'h10;
  localparam int PMMU_DPI_CTL_SMEP = 'h20;
  localparam int PMMU_DPI_CTL_SMAP = 'h40;
  localparam int PMMU_DPI_CTL_NXE  = 'h80;

  // ---- life cycle ----
  // policy: 0 plru, 1 lru, 2 fifo, 3 random; null on failure (pmmu_dpi_create_error says why)
  import "DPI-C" function chandle pmmu_dpi_create(input int sets, input int ways,
                                                  input int large_entries, input int policy,
                                                  input int lfsr_seed, input int mem_latency);
  import "DPI-C" function string pmmu_dpi_create_error();
  import "DPI-C" function void pmmu_dpi_destroy(input chandle h);
  import "DPI-C" function void pmmu_dpi_reset(input chandle h);

  // ---- the model's memory image (size 4 or 8, aligned); 0 or a negative error ----
  import "DPI-C" function int pmmu_dpi_mem_write(input chandle h, input longint pa,
                                                 input int size, input longint value);
  import "DPI-C" function longint pmmu_dpi_mem_read(input chandle h, input longint pa,
                                                    input int size);

  // ---- the DUT's walker accesses for the next step (timing, bus errors, comparison) ----
  import "DPI-C" function void pmmu_dpi_observe_txn(input chandle h, input int op,
      input longint pa, input int size, input longint expected, input longint desired,
      input longint data, input bit err, input longint present, input longint accept,
      input longint response);

  // ---- control ----
  import "DPI-C" function int pmmu_dpi_write_reg(input chandle h, input int regno,
                                                 input longint value, input longint cycle);
  import "DPI-C" function void pmmu_dpi_reg_result(input chandle h, output bit gp,
                                                   output bit loaded, output longint done_cycle);
  import "DPI-C" function int pmmu_dpi_invlpg(input chandle h, input int la, input longint cycle);
  import "DPI-C" function int pmmu_dpi_flush(input chandle h, input int kind, input int la,
                                             input longint cycle);
  import "DPI-C" function void pmmu_dpi_ack(input chandle h);
  import "DPI-C" function void pmmu_dpi_interrupt(input chandle h, output bit pending,
                                                  output int cr2, output int ec);

  // ---- translation ----
  import "DPI-C" function int pmmu_dpi_translate(input chandle h, input int la, input int acc,
                                                 input int priv, input bit ac,
                                                 input longint cycle);
  import "DPI-C" function void pmmu_dpi_expected(input chandle h, output int outcome,
      output longint pa, output int attr, output int ec, output int tlb,
      output longint accept_cycle, output longint response_cycle);
  import "DPI-C" function int pmmu_dpi_expected_outcome(input chandle h);
  import "DPI-C" function int pmmu_dpi_expected_txns(input chandle h);
  import "DPI-C" function void pmmu_dpi_expected_txn(input chandle h, input int index,
      output int op, output longint pa, output int size, output longint expected,
      output longint desired, output longint data, output bit err, output longint present,
      output longint accept, output longint response);

  // ---- comparison: "" when equal, else the differing fields, one row each ----
  import "DPI-C" function string pmmu_dpi_compare_response(input chandle h, input int outcome,
      input longint pa, input int attr, input int ec, input int tlb,
      input longint accept_cycle, input longint response_cycle);
  import "DPI-C" function string pmmu_dpi_compare_load(input chandle h, input bit gp,
                                                       input longint done_cycle);
  import "DPI-C" function string pmmu_dpi_compare_interrupt(input chandle h, input bit line,
                                                            input int cr2, input int ec);
  // the last comparison that differed, as the C lockstep's table
  import "DPI-C" function string pmmu_dpi_report(input chandle h, input longint request);

  // ---- following the block's control inputs and flush port (pmmu_scoreboard) ----
  import "DPI-C" function int pmmu_dpi_control(input chandle h, input int control,
      input int cr3, input bit flush_valid, input int flush_kind, input int flush_la,
      input longint cycle);
  import "DPI-C" function string pmmu_dpi_load_done(input chandle h, input bit gp,
                                                    input longint done_cycle);

endpackage
