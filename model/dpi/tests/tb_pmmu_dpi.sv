// tb_pmmu_dpi: the project's RTL (pmmu_top) in a SystemVerilog testbench, checked by
// pmmu_scoreboard bound into it (docs/dpi.md, "How it is tested").
//
// The testbench is a thin driver: the C side (tb_stimulus.c) records a scenario file or a
// cosim stream on the C model and hands over its operations (DPI imports); this module plays
// the CPU on the translation, control and flush ports exactly as the C lockstep's RTL half
// does (testbench/engine/engine_rtl.c), and the memory on the walk port: a sparse memory of
// its own, with the back-pressure, latency and bus errors the run asks for (drawn by the C
// side's pmem, so the k-th access gets the timing it gets in every engine).
//
// Plusargs: +scenario=FILE, or +seed=N +accesses=N [+latency=MIN..MAX +wait=W +bus_errors=P]
// for a cosim stream; +trace prints every operation as it is given. The exit status (tb_main.cpp): 0 pass, 3 the scoreboard found a
// difference (or the DUT hung), 1 no difference but counts unlike the model run's, 2 bad
// input, 77 the run needs a TLB geometry this testbench was not built with.
//
// Each cycle c the driver acts between the edges, as engine_rtl.c does between evaluations:
// at the falling edge it drops last cycle's one-cycle inputs; one time unit later it follows
// its operation (a response, a PDPTE load's done cycle) and gives the next operations whose
// cycle has come; one unit later it answers the memory port (a PDPTE load command presents
// its first read in its own cycle; the port's outputs do not depend on its own inputs); one
// more unit later it sees whether the request was accepted. The rising edge samples it all.

module tb_pmmu_dpi #(
  parameter int SETS   = 16,
  parameter int WAYS   = 4,
  parameter int LARGE  = 8,
  parameter int POLICY = 0
);
  import "DPI-C" function int pmmu_tb_open(input string scenario_path, input longint seed,
      input longint accesses, input int bus_errors, input int wait_max, input int lat_min,
      input int lat_max, input int sets, input int ways, input int large_entries, input int policy);
  import "DPI-C" function int pmmu_tb_next();
  import "DPI-C" function longint pmmu_tb_arg(input int index);
  import "DPI-C" function void pmmu_tb_mem_timing(input longint present, output longint accept,
                                                  output longint response, output bit err);
  import "DPI-C" function void pmmu_tb_done(input longint requests, input longint txns,
      input longint mismatches, input longint loads, input bit hang);

  localparam int CMD_END = 0, CMD_REQUEST = 1, CMD_CONTROL = 2, CMD_LOAD = 3, CMD_MEM_WRITE = 4;
  // as the C lockstep (engine_sides.h): cycles of the DUT's own per operation, the cycles the
  // memory holds each walk access not counted, and at most HANG_ACCESSES accesses
  localparam longint HANG_CYCLES = 100000;
  localparam int HANG_ACCESSES = 256;

  logic clk_i = 1'b0;
  logic rst_ni = 1'b0;
  always #5 clk_i <= ~clk_i;

  // ---- the DUT's ports ----
  logic        cr0_pg_i = 1'b1, cr0_wp_i = 1'b0;  // the block's reset state: paging on
  logic [31:0] cr3_i = '0;
  logic        cr4_pse_i = 1'b0, cr4_pae_i = 1'b0, cr4_pge_i = 1'b0;
  logic        cr4_smep_i = 1'b0, cr4_smap_i = 1'b0, efer_nxe_i = 1'b0;
  logic        req_valid_i = 1'b0, req_ready_o;
  logic [31:0] req_la_i = '0;
  logic [1:0]  req_acc_i = '0, req_priv_i = '0;
  logic        req_ac_i = 1'b0;
  logic        resp_valid_o;
  // The response's fields and the interrupt are read by the bound scoreboard only, through
  // the DUT's own ports: the driver does not need them.
  /* verilator lint_off UNUSEDSIGNAL */
  logic        resp_fault_o, resp_bus_err_o, resp_pwt_o, resp_pcd_o, resp_pat_o;
  logic [35:0] resp_pa_o;
  logic [4:0]  resp_ec_o;
  logic [1:0]  resp_tlb_o;
  logic        pf_irq_o;
  logic [31:0] pf_cr2_o;
  logic [4:0]  pf_ec_o;
  /* verilator lint_on UNUSEDSIGNAL */
  logic        mem_req_valid_o, mem_req_size_o, mem_req_op_o;
  logic        mem_req_ready_i = 1'b0;
  logic [35:0] mem_req_pa_o;
  logic [63:0] mem_req_expected_o, mem_req_new_o;
  logic        mem_resp_valid_i = 1'b0, mem_resp_err_i = 1'b0;
  logic [63:0] mem_resp_data_i = '0;
  logic        flush_valid_i = 1'b0;
  logic [1:0]  flush_kind_i = '0;
  logic [31:0] flush_la_i = '0;
  logic        pdpte_done_o, pdpte_gp_o;
  logic        pf_ack_i = 1'b0;

  pmmu_top #(.SETS(SETS), .WAYS(WAYS), .LARGE(LARGE), .POLICY(POLICY)) dut (.*);

  // ---- the memory: 4-byte words, zero where never written ----
  logic [31:0] mem [longint];

  function automatic logic [63:0] mem_read(longint pa, bit eight);
    logic [63:0] v = '0;
    if (mem.exists(pa >> 2) != 0) v[31:0] = mem[pa >> 2];
    if (eight && mem.exists((pa >> 2) + 1) != 0) v[63:32] = mem[(pa >> 2) + 1];
    return v;
  endfunction

  function automatic void mem_write(longint pa, bit eight, logic [63:0] v);
    mem[pa >> 2] = v[31:0];
    if (eight) mem[(pa >> 2) + 1] = v[63:32];
  endfunction

  // the access in flight on the walk port (tb side)
  bit          m_busy, m_err;
  longint      m_accept, m_response;
  longint      m_held;   // cycles the memory held the accesses of the operation under way
  int          m_count;  // and how many there were
  logic [63:0] m_data;

  // answers the walk port for cycle c (engine_rtl.c serve_memory)
  task automatic serve_memory(longint c);
    mem_req_ready_i  = 1'b0;
    mem_resp_valid_i = 1'b0;
    mem_resp_err_i   = 1'b0;
    mem_resp_data_i  = '0;
    if (!m_busy && mem_req_valid_o) begin
      m_busy = 1'b1;
      pmmu_tb_mem_timing(c, m_accept, m_response, m_err);
      m_held += m_response - c + 1;  // the give-up limit follows the memory timing
      m_count++;
    end
    if (!m_busy) return;
    if (c == m_accept) begin  // the memory acts when it takes the request
      mem_req_ready_i = 1'b1;
      m_data = '0;
      if (!m_err) begin
        m_data = mem_read(longint'(mem_req_pa_o), mem_req_size_o);
        if (mem_req_op_o && m_data == mem_req_expected_o)
          mem_write(longint'(mem_req_pa_o), mem_req_size_o, mem_req_new_o);
      end
    end
    if (c == m_response) begin
      mem_resp_valid_i = 1'b1;
      mem_resp_data_i  = m_data;
      mem_resp_err_i   = m_err;
      m_busy = 1'b0;
    end
  endtask

  task automatic set_control(logic [7:0] bits, logic [31:0] cr3);
    cr0_pg_i   = bits[0];
    cr0_wp_i   = bits[1];
    cr4_pse_i  = bits[2];
    cr4_pae_i  = bits[3];
    cr4_pge_i  = bits[4];
    cr4_smep_i = bits[5];
    cr4_smap_i = bits[6];
    efer_nxe_i = bits[7];
    cr3_i      = cr3;
  endtask

  task automatic give_flush(logic [1:0] kind, logic [31:0] la);
    flush_valid_i = 1'b1;
    flush_kind_i  = kind;
    flush_la_i    = la;
  endtask

  // the operation under way
  int     busy;           // CMD_REQUEST or CMD_LOAD, 0 when none
  bit     accepted, answered, flushed, has_flush;
  longint accept_cycle, flush_after, busy_since, load_flush;
  logic [1:0]  flush_kind;
  logic [31:0] flush_la, load_old_cr3;
  logic [7:0]  load_old_bits;
  // the next operation, fetched but not given yet
  int     next_kind;
  longint a [9];
  bit     have_next, finished, hang, trace;

  function automatic void fetch();
    next_kind = pmmu_tb_next();
    for (int i = 0; i < 9; i++) a[i] = pmmu_tb_arg(i);
    have_next = 1'b1;
  endfunction

  // gives the operations due by cycle c, until one that takes cycles
  task automatic give(longint c);
    while (busy == 0 && !finished) begin
      if (!have_next) fetch();
      if (next_kind == CMD_END) begin
        finished = 1'b1;
        break;
      end
      if (next_kind == CMD_MEM_WRITE) begin  // the testbench's memory and the model's image
        mem_write(a[0], a[1] == 8, a[2]);
        if (dut.u_sb.mem_write(a[0], int'(a[1]), a[2]) != 0)
          $fatal(1, "tb_pmmu_dpi: the scoreboard refused a memory write at 0x%0h", a[0]);
        have_next = 1'b0;
        continue;
      end
      if (a[0] > c) break;  // not its cycle yet (a late DUT: given at once)
      have_next = 1'b0;
      if (trace)
        $display("tb_pmmu_dpi: cycle %0d: operation %0d (cycle %0d) %0h %0h %0h %0h %0h %0h", c,
                 next_kind, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
      case (next_kind)
        CMD_REQUEST: begin
          req_valid_i = 1'b1;
          req_la_i    = a[1][31:0];
          req_acc_i   = a[2][1:0];
          req_priv_i  = a[3][1:0];
          req_ac_i    = a[4][0];
          has_flush   = a[5][0];
          flush_kind  = a[6][1:0];
          flush_la    = a[7][31:0];
          flush_after = a[8];
          accepted    = 1'b0;
          answered    = 1'b0;
          flushed     = !has_flush;
          busy        = CMD_REQUEST;
          busy_since  = c;
          m_held      = 0;
          m_count     = 0;
        end
        CMD_CONTROL: begin
          set_control(a[1][7:0], a[2][31:0]);
          if (a[3] >= 0) give_flush(a[3][1:0], a[4][31:0]);
        end
        CMD_LOAD: begin
          set_control(a[1][7:0], a[2][31:0]);
          give_flush(2'd3, '0);
          load_old_bits = a[3][7:0];
          load_old_cr3  = a[4][31:0];
          load_flush    = a[5];
          busy          = CMD_LOAD;
          busy_since    = c;
          m_held        = 0;
          m_count       = 0;
        end
        default: $fatal(1, "tb_pmmu_dpi: unknown operation %0d", next_kind);
      endcase
    end
  endtask

  // follows the operation under way in cycle c
  task automatic follow(longint c);
    if (busy == CMD_REQUEST) begin
      if (accepted && !answered && resp_valid_o) answered = 1'b1;
      if (accepted && !flushed && c == accept_cycle + 1 + flush_after) begin
        give_flush(flush_kind, flush_la);
        flushed = 1'b1;
      end
      if (answered && flushed) busy = 0;
    end else if (busy == CMD_LOAD && pdpte_done_o) begin
      if (trace) $display("tb_pmmu_dpi: cycle %0d: PDPTE load done%s", c, pdpte_gp_o ? ", #GP" : "");
      if (pdpte_gp_o) set_control(load_old_bits, load_old_cr3);  // refused: the old values
      else if (load_flush >= 0) give_flush(load_flush[1:0], '0);
      busy = 0;
    end
    if (busy != 0 && (c - busy_since - m_held > HANG_CYCLES || m_count > HANG_ACCESSES)) begin
      $display("tb_pmmu_dpi: the DUT gave no %s within %0d cycles (cycle %0d)",
               busy == CMD_REQUEST ? "response" : "PDPTE load done", HANG_CYCLES, c);
      hang = 1'b1;
      finished = 1'b1;
      busy = 0;
    end
  endtask

  initial begin
    string  scenario_path;
    longint seed = 1, accesses = 10000, c = 0;
    int     bus_errors = 0, wait_max = 3, lat_min = 1, lat_max = 6, st, tail = 0;
    string  latency;
    if (!$value$plusargs("scenario=%s", scenario_path)) scenario_path = "";
    trace = $test$plusargs("trace") != 0;
    void'($value$plusargs("seed=%d", seed));
    void'($value$plusargs("accesses=%d", accesses));
    void'($value$plusargs("bus_errors=%d", bus_errors));
    void'($value$plusargs("wait=%d", wait_max));
    if ($value$plusargs("latency=%s", latency))
      if ($sscanf(latency, "%d..%d", lat_min, lat_max) == 1) lat_max = lat_min;
    st = pmmu_tb_open(scenario_path, seed, accesses, bus_errors, wait_max, lat_min, lat_max,
                      SETS, WAYS, LARGE, POLICY);
    if (st != 0) $finish;
    // two reset edges, then cycle 0 (as rtl/sim/pmmu_rtl.cpp)
    repeat (2) @(posedge clk_i);
    forever begin
      @(negedge clk_i);
      rst_ni = 1'b1;
      flush_valid_i = 1'b0;  // one-cycle inputs of the last cycle
      pf_ack_i = 1'b0;
      if (accepted && busy == CMD_REQUEST) req_valid_i = 1'b0;
      #1;
      follow(c);
      give(c);
      #1;
      serve_memory(c);  // after the inputs: a PDPTE load presents its first read in its cycle
      #1;
      if (busy == CMD_REQUEST && req_valid_i && !accepted && req_ready_o) begin  // at the edge
        accepted = 1'b1;
        accept_cycle = c;
      end
      // two cycles after the last operation: the interrupt of a last #PF is seen in R + 1
      if (finished && busy == 0 && !m_busy) tail++;
      if (tail > 2) break;
      c++;
    end
    pmmu_tb_done(dut.u_sb.requests(), dut.u_sb.transactions(), dut.u_sb.mismatches(),
                 dut.u_sb.loads(), hang);
    $finish;
  end

endmodule

// The scoreboard, bound into the DUT with its own port names: nothing in rtl/ changes.
// It goes on after a difference (STOP_ON_MISMATCH = 0) so that the run's counts are printed.
bind pmmu_top pmmu_scoreboard #(
  .SETS(SETS), .WAYS(WAYS), .LARGE(LARGE), .POLICY(POLICY), .LFSR_SEED(int'(LFSR_SEED)),
  .STOP_ON_MISMATCH(1'b0)
) u_sb (.*);
