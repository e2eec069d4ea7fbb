// pmmu_scoreboard: the pmmu reference model as a checker beside (or bound into) a PMMU block
// with the project's port list (docs/spec/hardware-interface.md, rtl/pmmu_top.sv). Inputs
// only: it watches the block and changes nothing. docs/dpi.md shows how to bind it, and how
// to map the ports of a block whose names or widths differ.
//
// Every cycle (sampled at the rising edge; cycle 0 is the first after reset, docs/timing.md)
// it follows the ports and steps the model (pmmu_dpi_pkg) with what it saw:
//   - a translation request: presented in the first cycle req_valid_i is high, accepted in
//     the cycle req_ready_i is high too; in its response cycle the model translates it, with
//     the walker accesses the block made for it (their back-pressure, latency and bus errors
//     become the model's), and the response (outcome, PA, attributes, error code, hit/miss,
//     accept and response cycles) and every access (operation, address, size, data, the
//     present/accept/response cycles) are compared;
//   - a #PF: the interrupt line, CR2 and the error code are compared in R + 1 (timing.md T10);
//     pf_ack_i acknowledges it in the model;
//   - the control inputs and the flush port: a change of the inputs is the register write that
//     makes it, with its own invalidation (pmmu_dpi_control in pmmu_dpi.h); flush commands
//     given while a request is in flight are applied after its translation (T6, T7); a PDPTE
//     load is compared in its done cycle (#GP, done cycle, the four reads).
// The first difference is printed as the C lockstep's table (testbench/engine/engine_report.c)
// with the cycle it was seen in; then the run stops ($fatal, STOP_ON_MISMATCH = 1) or goes on
// counting (0: up to MAX_REPORTS tables are printed). The testbench writes page tables into
// the model's memory image with mem_write() (a hierarchical call: u_sb.mem_write(...)).

// Verification code, not logic: its state is the checker's own, read by nothing else, and it
// is updated in order as a cycle is followed (sample() below), so its assignments are blocking.
// The lint rule BLKSEQ (a style rule for synthesizable flops) is off for this module only; an
// `initial forever @(posedge)` process would avoid it, but would make Verilator users build
// with --timing.
/* verilator lint_off BLKSEQ */
module pmmu_scoreboard #(
  parameter int SETS             = 16,
  parameter int WAYS             = 4,
  parameter int LARGE            = 8,
  parameter int POLICY           = 0,        // 0 plru, 1 lru, 2 fifo, 3 random
  parameter int LFSR_SEED        = 'hACE1,
  parameter int MEM_LATENCY      = 3,        // only for accesses the block did not make
  parameter bit STOP_ON_MISMATCH = 1'b1,     // $fatal at the first difference
  parameter int MAX_REPORTS      = 10        // tables printed when going on
) (
  input logic        clk_i,
  input logic        rst_ni,
  // control state
  input logic        cr0_pg_i,
  input logic        cr0_wp_i,
  input logic [31:0] cr3_i,
  input logic        cr4_pse_i,
  input logic        cr4_pae_i,
  input logic        cr4_pge_i,
  input logic        cr4_smep_i,
  input logic        cr4_smap_i,
  input logic        efer_nxe_i,
  // translation request and response
  input logic        req_valid_i,
  input logic        req_ready_o,
  input logic [31:0] req_la_i,
  input logic [1:0]  req_acc_i,      // 0 read, 1 write, 2 fetch
  input logic [1:0]  req_priv_i,     // 0 user, 1 supervisor, 2 implicit
  input logic        req_ac_i,
  input logic        resp_valid_o,
  input logic [35:0] resp_pa_o,
  input logic        resp_fault_o,
  input logic [4:0]  resp_ec_o,
  input logic        resp_bus_err_o,
  input logic [1:0]  resp_tlb_o,     // 0 off, 1 hit, 2 miss
  input logic        resp_pwt_o,
  input logic        resp_pcd_o,
  input logic        resp_pat_o,
  // walk memory port
  input logic        mem_req_valid_o,
  input logic        mem_req_ready_i,
  input logic [35:0] mem_req_pa_o,
  input logic        mem_req_size_o, // 0: 4 bytes, 1: 8 bytes
  input logic        mem_req_op_o,   // 0 read, 1 compare-and-swap
  input logic [63:0] mem_req_expected_o,
  input logic [63:0] mem_req_new_o,
  input logic        mem_resp_valid_i,
  input logic [63:0] mem_resp_data_i,
  input logic        mem_resp_err_i,
  // flush commands
  input logic        flush_valid_i,
  input logic [1:0]  flush_kind_i,   // 0 non-global, 1 all, 2 page, 3 load PDPTEs
  input logic [31:0] flush_la_i,
  input logic        pdpte_done_o,
  input logic        pdpte_gp_o,
  // page-fault interrupt
  input logic        pf_irq_o,
  input logic [31:0] pf_cr2_o,
  input logic [4:0]  pf_ec_o,
  input logic        pf_ack_i
);
  import pmmu_dpi_pkg::*;

  chandle h;
  string  where;
  longint cyc;            // the cycle being sampled
  bit     in_reset;

  // the translation request: presented, then in flight until its response
  bit          presenting, in_flight;
  longint      present_cycle, accept_cycle;
  logic [31:0] q_la;
  logic [1:0]  q_acc, q_priv;
  logic        q_ac;
  // the walker access: presented, then accepted until its response
  bit          m_presented, m_accepted;
  longint      m_present, m_accept;
  logic [35:0] m_pa;
  logic        m_size, m_op;
  logic [63:0] m_expected, m_new;
  // control inputs and flush commands seen while a request is in flight (applied after it)
  typedef struct packed {
    longint      cycle;
    logic [7:0]  ctl;
    logic [31:0] cr3;
    logic        fv;
    logic [1:0]  kind;
    logic [31:0] la;
  } event_t;
  event_t      pending[$];
  logic [7:0]  prev_ctl;
  logic [31:0] prev_cr3;
  bit          loading;
  bit          irq_check;
  longint      irq_cycle;

  longint n_requests, n_txns, n_loads, n_mismatches;

  // page-table writes by the testbench, for the model's memory image
  typedef struct packed {
    longint pa;
    int     size;
    longint value;
  } write_t;
  write_t writes[$];

  // ---- for the testbench ----
  // A write to the memory the block walks (a page-table store), made in the current cycle: it
  // reaches the model's image once the responses of this cycle have been checked, or after the
  // response of a request in flight or the done cycle of a PDPTE load under way (whose reads
  // came before it). 0, or -1 for a size other than 4 or 8, a misaligned address or one beyond
  // 36 bits.
  function automatic int mem_write(longint pa, int size, longint value);
    write_t w;
    if (!(size == 4 || size == 8) || pa % longint'(size) != 0 || pa < 0 || pa >= 64'h10_0000_0000)
      return -1;
    w.pa = pa;
    w.size = size;
    w.value = value;
    writes.push_back(w);
    return 0;
  endfunction
  function automatic longint mismatches();
    return n_mismatches;
  endfunction
  function automatic longint requests();
    return n_requests;
  endfunction
  function automatic longint transactions();
    return n_txns;
  endfunction
  function automatic longint loads();
    return n_loads;
  endfunction

  initial begin
    where = $sformatf("%m");
    h = pmmu_dpi_create(SETS, WAYS, LARGE, POLICY, LFSR_SEED, MEM_LATENCY);
    if (h == null) $fatal(1, "%s: %s", where, pmmu_dpi_create_error());
  end

  final begin
    $display("%s: %0d requests, %0d memory transactions, %0d PDPTE loads, %0d mismatches",
             where, n_requests, n_txns, n_loads, n_mismatches);
    pmmu_dpi_destroy(h);
  end

  function automatic logic [7:0] control_inputs();
    return 8'((cr0_pg_i ? PMMU_DPI_CTL_PG : 0) | (cr0_wp_i ? PMMU_DPI_CTL_WP : 0) |
              (cr4_pse_i ? PMMU_DPI_CTL_PSE : 0) | (cr4_pae_i ? PMMU_DPI_CTL_PAE : 0) |
              (cr4_pge_i ? PMMU_DPI_CTL_PGE : 0) | (cr4_smep_i ? PMMU_DPI_CTL_SMEP : 0) |
              (cr4_smap_i ? PMMU_DPI_CTL_SMAP : 0) | (efer_nxe_i ? PMMU_DPI_CTL_NXE : 0));
  endfunction

  function automatic void mismatch(string rows, longint request);
    if (rows.len() == 0) return;
    n_mismatches++;
    if (n_mismatches <= longint'(MAX_REPORTS) || STOP_ON_MISMATCH)
      $display("%s  seen by %s in cycle %0d", pmmu_dpi_report(h, request), where, cyc);
    if (STOP_ON_MISMATCH) $fatal(1, "%s: the block differs from the pmmu model", where);
  endfunction

  // The model refused a step (a negative pmmu_error, e.g. a cycle going backwards). After a
  // difference that is its consequence (the DUT's cycles drifted from the model's) and is only
  // noted; before one, the block's ports broke the rules the model follows: a mismatch.
  function automatic void refused(string what, int st);
    if (n_mismatches == 0) begin
      n_mismatches++;
      $display("%s: the model refused %s (pmmu_error %0d) in cycle %0d: the block's ports break %s",
               where, what, st, cyc, "docs/timing.md (T1, T8, T11)");
      if (STOP_ON_MISMATCH) $fatal(1, "%s: the block differs from the pmmu model", where);
    end else if (n_mismatches <= longint'(MAX_REPORTS)) begin
      $display("%s: note: the model refused %s (pmmu_error %0d) in cycle %0d, after a difference",
               where, what, st, cyc);
    end
  endfunction

  function automatic void apply(event_t e);
    int st = pmmu_dpi_control(h, int'(e.ctl), int'(e.cr3), e.fv, int'(e.kind), int'(e.la),
                              e.cycle);
    if (st < 0) refused($sformatf("the control inputs of cycle %0d", e.cycle), st);
    if (st == 1) loading = 1'b1;
  endfunction

  function automatic void take_response();
    int     outcome;
    int     st;
    string  rows;
    if (!in_flight) begin
      refused("a response without a request", -1);
      return;
    end
    in_flight = 1'b0;
    n_requests++;
    st = pmmu_dpi_translate(h, int'(q_la), int'(q_acc), int'(q_priv), q_ac, present_cycle);
    if (st < 0) refused($sformatf("request %0d", n_requests), st);
    outcome = resp_bus_err_o ? PMMU_DPI_BUS_ERROR : resp_fault_o ? PMMU_DPI_PF : PMMU_DPI_OK;
    rows = pmmu_dpi_compare_response(h, outcome, longint'(resp_pa_o),
                                     int'({resp_pat_o, resp_pcd_o, resp_pwt_o}),
                                     int'(resp_ec_o), int'(resp_tlb_o), accept_cycle, cyc);
    mismatch(rows, n_requests);
    if (pmmu_dpi_expected_outcome(h) == PMMU_DPI_PF || outcome == PMMU_DPI_PF) begin
      irq_check = 1'b1;
      irq_cycle = cyc + 1;
    end
    // the flush commands and control inputs seen during the request come after it
    while (pending.size() > 0) apply(pending.pop_front());
  endfunction

  // a monitor process, not logic: the state above is its own, updated as it goes
  task automatic sample();
    if (!rst_ni) begin
      if (!in_reset) pmmu_dpi_reset(h);
      in_reset      = 1'b1;
      cyc           = 0;
      presenting    = 1'b0;
      in_flight     = 1'b0;
      m_presented   = 1'b0;
      m_accepted    = 1'b0;
      loading       = 1'b0;
      irq_check     = 1'b0;
      prev_ctl      = 8'(PMMU_DPI_CTL_PG);  // the block's reset state
      prev_cr3      = '0;
      pending.delete();
      while (writes.size() > 0) begin  // memory is not reset
        write_t w = writes.pop_front();
        void'(pmmu_dpi_mem_write(h, w.pa, w.size, w.value));
      end
    end else begin
      in_reset = 1'b0;
      // the interrupt as it stands in R + 1, before this cycle's acknowledgement (T10)
      if (irq_check && cyc == irq_cycle) begin
        irq_check = 1'b0;
        mismatch(pmmu_dpi_compare_interrupt(h, pf_irq_o, int'(pf_cr2_o), int'(pf_ec_o)),
                 n_requests);
      end
      if (pf_ack_i) pmmu_dpi_ack(h);
      if (resp_valid_o) take_response();
      if (loading && pdpte_done_o) begin
        loading = 1'b0;
        n_loads++;
        mismatch(pmmu_dpi_load_done(h, pdpte_gp_o, cyc), n_requests);
      end
      // the testbench's memory writes, once no step that reads memory is under way
      if (!in_flight && !loading)
        while (writes.size() > 0) begin
          write_t w = writes.pop_front();
          void'(pmmu_dpi_mem_write(h, w.pa, w.size, w.value));
        end
      if (flush_valid_i || control_inputs() != prev_ctl || cr3_i != prev_cr3) begin
        event_t e;
        e.cycle = cyc;
        e.ctl   = control_inputs();
        e.cr3   = cr3_i;
        e.fv    = flush_valid_i;
        e.kind  = flush_kind_i;
        e.la    = flush_la_i;
        if (in_flight) pending.push_back(e);
        else apply(e);
        prev_ctl = e.ctl;
        prev_cr3 = e.cr3;
      end
      if (req_valid_i && !presenting) begin
        presenting    = 1'b1;
        present_cycle = cyc;
      end
      if (req_valid_i && req_ready_o) begin
        presenting   = 1'b0;
        in_flight    = 1'b1;
        accept_cycle = cyc;
        q_la         = req_la_i;
        q_acc        = req_acc_i;
        q_priv       = req_priv_i;
        q_ac         = req_ac_i;
      end
      // the walker's access
      if (mem_req_valid_o && !m_presented && !m_accepted) begin
        m_presented = 1'b1;
        m_present   = cyc;
        m_pa        = mem_req_pa_o;
        m_size      = mem_req_size_o;
        m_op        = mem_req_op_o;
        m_expected  = mem_req_expected_o;
        m_new       = mem_req_new_o;
      end
      if (m_presented && mem_req_valid_o && mem_req_ready_i) begin
        m_presented = 1'b0;
        m_accepted  = 1'b1;
        m_accept    = cyc;
      end
      if (m_accepted && mem_resp_valid_i) begin
        m_accepted = 1'b0;
        n_txns++;
        pmmu_dpi_observe_txn(h, int'(m_op), longint'(m_pa), m_size ? 8 : 4,
                             longint'(m_expected), longint'(m_new), longint'(mem_resp_data_i),
                             mem_resp_err_i, m_present, m_accept, cyc);
      end
      cyc = cyc + 1;
    end
  endtask

  always @(posedge clk_i) sample();

endmodule
/* verilator lint_on BLKSEQ */
