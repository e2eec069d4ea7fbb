// pmmu_top: the PMMU block (hardware-interface.md, docs/timing.md, docs/tlb.md).
//
// One request register (s1) holds the accepted translation request from cycle A + 1 until
// its response. In A + 1 the TLB is looked up (both arrays); a hit, or paging off, answers
// in that same cycle, and the next request can be accepted in it (T1-T3). A miss starts
// the walker in that cycle, which presents its first memory request in it (T4). The walk's
// result is the response of cycle R; a successful, uncancelled walk fills the TLB at the
// end of R (T5, T7). Flush commands act at the end of their cycle (T6). A #PF response
// raises the interrupt line and latches CR2 and the error code from R + 1 until an ack
// (T10). In PAE paging the walker starts from the PDPTE register picked by LA[31:30]; a
// not-present one is answered in the lookup cycle without a walk. The flush port's fourth
// kind loads the PDPTE registers (T11): no request is accepted from the command's cycle c
// until its done cycle D, in which pdpte_done_o (and pdpte_gp_o for a refused load) is high.

`include "pmmu_assert.svh"

module pmmu_top #(
  parameter int SETS      = 16,
  parameter int WAYS      = 4,
  parameter int LARGE     = 8,
  parameter int POLICY    = 0,          // 0 plru, 1 lru, 2 fifo, 3 random
  parameter logic [15:0] LFSR_SEED = 16'hACE1
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,     // synchronous, active low

  // control state
  input  logic                        cr0_pg_i,
  input  logic                        cr0_wp_i,
  input  logic [31:0]                 cr3_i,
  input  logic                        cr4_pse_i,
  input  logic                        cr4_pae_i,  // with cr0_pg_i: PAE paging
  input  logic                        cr4_pge_i,
  input  logic                        cr4_smep_i,
  input  logic                        cr4_smap_i,
  input  logic                        efer_nxe_i, // XD bits honoured (PAE), bit 63 not reserved

  // translation request
  input  logic                        req_valid_i,
  output logic                        req_ready_o,
  input  logic [31:0]                 req_la_i,
  input  pmmu_pkg::acc_t             req_acc_i,
  input  pmmu_pkg::priv_t            req_priv_i,
  input  logic                        req_ac_i,   // EFLAGS.AC

  // translation response (no back-pressure)
  output logic                        resp_valid_o,
  output logic [pmmu_pkg::PAW-1:0]    resp_pa_o,
  output logic                        resp_fault_o,   // #PF
  output logic [pmmu_pkg::ECW-1:0]    resp_ec_o,      // #PF error code
  output logic                        resp_bus_err_o, // a walk access had a bus error
  output pmmu_pkg::tlb_res_t         resp_tlb_o,     // off / hit / miss
  output logic                        resp_pwt_o,
  output logic                        resp_pcd_o,
  output logic                        resp_pat_o,

  // walk memory port
  output logic                        mem_req_valid_o,
  input  logic                        mem_req_ready_i,
  output logic [pmmu_pkg::PAW-1:0]    mem_req_pa_o,
  output pmmu_pkg::mem_size_t        mem_req_size_o,
  output pmmu_pkg::mem_op_t          mem_req_op_o,
  output logic [63:0]                 mem_req_expected_o,
  output logic [63:0]                 mem_req_new_o,
  input  logic                        mem_resp_valid_i,
  input  logic [63:0]                 mem_resp_data_i,
  input  logic                        mem_resp_err_i,

  // flush commands
  input  logic                        flush_valid_i,
  input  pmmu_pkg::flush_t           flush_kind_i,
  input  logic [31:0]                 flush_la_i,
  output logic                        pdpte_done_o,   // cycle D of a PDPTE load (T11)
  output logic                        pdpte_gp_o,     // with pdpte_done_o: #GP(0), nothing loaded

  // page-fault interrupt
  output logic                        pf_irq_o,
  output logic [31:0]                 pf_cr2_o,
  output logic [pmmu_pkg::ECW-1:0]    pf_ec_o,
  input  logic                        pf_ack_i
);

  // ---------------------------------------------------------------------------
  // Request register (the request between acceptance and response)
  // ---------------------------------------------------------------------------
  logic            s1_valid_q;
  logic [31:0]     s1_la_q;
  pmmu_pkg::acc_t  s1_acc_q;
  pmmu_pkg::priv_t s1_priv_q;
  logic            s1_ac_q;
  logic            cancel_q, cancel_d;  // T7: a flush came during this request's walk window

  // The control state of the request (T8): the user of the block keeps CR0, CR3, CR4 and
  // EFER stable from the cycle a request is accepted until its response, so their values in
  // the accept cycle, registered with the request, are the inputs' values in every cycle that
  // reads them (A + 1 .. R: the lookup, the permission checks, the walk, the response). Only
  // the PDPTE load, which runs with no request in flight, reads cr3_i itself (T11). The
  // lookup, the checks and the walker then depend on registers alone: a simulator evaluates
  // them once per cycle instead of again whenever an input changes.
  logic            s1_pg_q, s1_wp_q, s1_pse_q, s1_pae_q, s1_pge_q, s1_smep_q, s1_smap_q;
  logic            s1_nxe_q;
  logic [31:12]    s1_cr3_q;

  logic            accept;
  assign accept = req_valid_i & req_ready_o;

  // ---------------------------------------------------------------------------
  // TLB lookup and hit decision (cycle A + 1)
  // ---------------------------------------------------------------------------
  logic                     walk_idle, walk_done;
  logic                     lookup, off;
  logic                     lk_match;
  pmmu_pkg::tlb_entry_t     lk_entry;
  logic                     lk_perm_fault;
  logic [pmmu_pkg::ECW-1:0] lk_ec;
  logic                     hit, drop, start, walk_start, pdpte_np, np_fast;
  logic                     id_en;
  logic                     load, pdp_busy;

  // I/D is reported for fetches with SMEP, or in PAE paging with NXE
  assign id_en = s1_smep_q | (s1_pae_q & s1_nxe_q);

  // the PDPTE load command (T11)
  assign load = flush_valid_i & (flush_kind_i == pmmu_pkg::FLUSH_LOAD_PDPTE);

  assign lookup = s1_valid_q & walk_idle &  s1_pg_q;
  assign off    = s1_valid_q & walk_idle & ~s1_pg_q;

  pmmu_perm u_lk_perm (
    .u_i        (lk_entry[pmmu_pkg::TE_U]),
    .w_i        (lk_entry[pmmu_pkg::TE_W]),
    .x_i        (lk_entry[pmmu_pkg::TE_X]),
    .acc_i      (s1_acc_q),
    .priv_i     (s1_priv_q),
    .ac_i       (s1_ac_q),
    .cr0_wp_i   (s1_wp_q),
    .cr4_smep_i (s1_smep_q),
    .cr4_smap_i (s1_smap_q),
    .id_en_i    (id_en),
    .fault_o    (lk_perm_fault),
    .ec_o       (lk_ec)
  );

  // hit: an entry maps LA, its rights allow the access, and it is not a write to a clean
  // entry; an entry that maps LA but is not a hit is dropped and the request walks (T3)
  assign hit   = lookup & lk_match & ~lk_perm_fault &
                 ~((s1_acc_q == pmmu_pkg::ACC_WRITE) & ~lk_entry[pmmu_pkg::TE_D]);
  assign drop  = lookup & lk_match & ~hit;
  assign start = lookup & ~hit;
  // PAE: a not-present PDPTE register ends the walk before it starts: #PF in A + 1 (T11)
  assign np_fast    = start & s1_pae_q & pdpte_np;
  assign walk_start = start & ~np_fast;

  // ---------------------------------------------------------------------------
  // PDPTE registers (PAE) and their load (T11)
  // ---------------------------------------------------------------------------
  logic                     p_mem_valid;
  logic [pmmu_pkg::PAW-1:0] p_mem_pa;
  logic                     pdpte_p;
  logic [23:0]              pdpte_base;

  pmmu_pdpte u_pdpte (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .load_i           (load),
    .cr3_i            (cr3_i),
    .busy_o           (pdp_busy),
    .done_o           (pdpte_done_o),
    .gp_o             (pdpte_gp_o),
    .sel_i            (s1_la_q[31:30]),
    .sel_p_o          (pdpte_p),
    .sel_base_o       (pdpte_base),
    .mem_req_valid_o  (p_mem_valid),
    .mem_req_ready_i  (mem_req_ready_i),
    .mem_req_pa_o     (p_mem_pa),
    .mem_resp_valid_i (mem_resp_valid_i),
    .mem_resp_data_i  (mem_resp_data_i),
    .mem_resp_err_i   (mem_resp_err_i)
  );

  assign pdpte_np = ~pdpte_p;

  // ---------------------------------------------------------------------------
  // Walker
  // ---------------------------------------------------------------------------
  pmmu_pkg::wres_t          w_res;
  logic [pmmu_pkg::PAW-1:0] w_pa;
  logic [pmmu_pkg::ECW-1:0] w_ec;
  pmmu_pkg::tlb_entry_t     w_entry;
  logic                     w_mem_valid;
  logic [pmmu_pkg::PAW-1:0] w_mem_pa;
  pmmu_pkg::mem_size_t      w_mem_size;
  pmmu_pkg::mem_op_t        w_mem_op;

  pmmu_walker u_walker (
    .clk_i              (clk_i),
    .rst_ni             (rst_ni),
    .start_i            (walk_start),
    .la_i               (s1_la_q),
    .acc_i              (s1_acc_q),
    .priv_i             (s1_priv_q),
    .ac_i               (s1_ac_q),
    .cr3_i              ({s1_cr3_q, 12'h000}),
    .cr0_wp_i           (s1_wp_q),
    .cr4_pse_i          (s1_pse_q),
    .cr4_pge_i          (s1_pge_q),
    .cr4_smep_i         (s1_smep_q),
    .cr4_smap_i         (s1_smap_q),
    .cr4_pae_i          (s1_pae_q),
    .efer_nxe_i         (s1_nxe_q),
    .id_en_i            (id_en),
    .pd_base_i          (pdpte_base),
    .mem_req_valid_o    (w_mem_valid),
    .mem_req_ready_i    (mem_req_ready_i),
    .mem_req_pa_o       (w_mem_pa),
    .mem_req_size_o     (w_mem_size),
    .mem_req_op_o       (w_mem_op),
    .mem_req_expected_o (mem_req_expected_o),
    .mem_req_new_o      (mem_req_new_o),
    .mem_resp_valid_i   (mem_resp_valid_i),
    .mem_resp_data_i    (mem_resp_data_i),
    .mem_resp_err_i     (mem_resp_err_i),
    .idle_o             (walk_idle),
    .done_o             (walk_done),
    .res_o              (w_res),
    .pa_o               (w_pa),
    .ec_o               (w_ec),
    .entry_o            (w_entry)
  );

  // The memory port: the PDPTE load's 8-byte reads while it presents one, else the walker's
  // (whose CAS values are 0 for reads). A load runs only with no request in flight, so the
  // walker is idle then (T11; asserted below). Both see every response: each takes it only
  // in its own wait state.
  assign mem_req_valid_o = w_mem_valid | p_mem_valid;
  assign mem_req_pa_o    = p_mem_valid ? p_mem_pa : w_mem_pa;
  assign mem_req_size_o  = p_mem_valid ? pmmu_pkg::MEM_SIZE8 : w_mem_size;
  assign mem_req_op_o    = p_mem_valid ? pmmu_pkg::MEM_READ : w_mem_op;

  // ---------------------------------------------------------------------------
  // Fill (end of cycle R), cancelled by any flush in A + 1 .. R (T7)
  // ---------------------------------------------------------------------------
  logic fill;
  assign fill = walk_done & (w_res == pmmu_pkg::WRES_OK) & ~cancel_q & ~flush_valid_i;

  assign cancel_d = accept ? 1'b0 : (cancel_q | (flush_valid_i & s1_valid_q));

  pmmu_tlb #(
    .SETS      (SETS),
    .WAYS      (WAYS),
    .LARGE     (LARGE),
    .POLICY    (POLICY),
    .LFSR_SEED (LFSR_SEED)
  ) u_tlb (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .lk_valid_i    (lookup),
    .lk_la_i       (s1_la_q),
    .lk_match_o    (lk_match),
    .lk_entry_o    (lk_entry),
    .lk_touch_i    (hit),
    .lk_drop_i     (drop),
    .fill_cycle_i  (walk_done),
    .fill_valid_i  (fill),
    .fill_la_i     (s1_la_q),
    .fill_entry_i  (w_entry),
    .flush_valid_i (flush_valid_i),
    .flush_kind_i  (flush_kind_i),
    .flush_la_i    (flush_la_i)
  );

  // ---------------------------------------------------------------------------
  // Response
  // ---------------------------------------------------------------------------
  assign resp_valid_o = off | hit | walk_done | np_fast;
  // T1; independent of req_valid_i; T11: nothing accepted from a load's cycle c until D
  assign req_ready_o  = (~s1_valid_q | resp_valid_o) & ~load & ~pdp_busy;

  always_comb begin
    resp_pa_o      = '0;
    resp_fault_o   = 1'b0;
    resp_ec_o      = '0;
    resp_bus_err_o = 1'b0;
    resp_tlb_o     = pmmu_pkg::TLB_MISS;
    resp_pwt_o     = 1'b0;
    resp_pcd_o     = 1'b0;
    resp_pat_o     = 1'b0;
    if (walk_done) begin
      resp_tlb_o = pmmu_pkg::TLB_MISS;
      unique case (w_res)
        pmmu_pkg::WRES_OK: begin
          resp_pa_o  = w_pa;
          resp_pwt_o = w_entry[pmmu_pkg::TE_PWT];
          resp_pcd_o = w_entry[pmmu_pkg::TE_PCD];
          resp_pat_o = w_entry[pmmu_pkg::TE_PAT];
        end
        pmmu_pkg::WRES_PF: begin
          resp_fault_o = 1'b1;
          resp_ec_o    = w_ec;
        end
        default: resp_bus_err_o = 1'b1;
      endcase
    end else if (np_fast) begin
      resp_tlb_o   = pmmu_pkg::TLB_MISS;
      resp_fault_o = 1'b1;
      resp_ec_o    = lk_ec;               // P = 0: not present
    end else if (off) begin
      resp_tlb_o = pmmu_pkg::TLB_OFF;
      resp_pa_o  = {4'b0, s1_la_q};
    end else if (hit) begin
      resp_tlb_o = pmmu_pkg::TLB_HIT;
      resp_pa_o  = {lk_entry[pmmu_pkg::TE_FRAME_LO +: pmmu_pkg::FRW], s1_la_q[11:0]};
      resp_pwt_o = lk_entry[pmmu_pkg::TE_PWT];
      resp_pcd_o = lk_entry[pmmu_pkg::TE_PCD];
      resp_pat_o = lk_entry[pmmu_pkg::TE_PAT];
    end
  end

  // ---------------------------------------------------------------------------
  // Page-fault interrupt, CR2 and error code (T10)
  // ---------------------------------------------------------------------------
  logic           pf_event;
  logic           pf_irq_q;
  logic [31:0]    pf_cr2_q;
  logic [pmmu_pkg::ECW-1:0] pf_ec_q;

  assign pf_event = resp_valid_o & resp_fault_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pf_irq_q <= 1'b0;
      pf_cr2_q <= '0;
      pf_ec_q  <= '0;
    end else begin
      if (pf_event) begin
        pf_irq_q <= 1'b1;            // a new fault wins over an ack in the same cycle
        pf_cr2_q <= s1_la_q;
        pf_ec_q  <= resp_ec_o;
      end else if (pf_ack_i) begin
        pf_irq_q <= 1'b0;
      end
    end
  end

  assign pf_irq_o = pf_irq_q;
  assign pf_ec_o  = pf_ec_q;
  assign pf_cr2_o = pf_cr2_q;

  // ---------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      cancel_q   <= 1'b0;
    end else begin
      s1_valid_q <= accept | (s1_valid_q & ~resp_valid_o);
      cancel_q   <= cancel_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s1_la_q   <= '0;
      s1_acc_q  <= pmmu_pkg::ACC_READ;
      s1_priv_q <= pmmu_pkg::PRIV_SUP;
      s1_ac_q   <= 1'b0;
      s1_pg_q   <= 1'b0;
      s1_wp_q   <= 1'b0;
      s1_cr3_q  <= '0;
      s1_pse_q  <= 1'b0;
      s1_pae_q  <= 1'b0;
      s1_pge_q  <= 1'b0;
      s1_smep_q <= 1'b0;
      s1_smap_q <= 1'b0;
      s1_nxe_q  <= 1'b0;
    end else if (accept) begin
      s1_la_q   <= req_la_i;
      s1_acc_q  <= req_acc_i;
      s1_priv_q <= req_priv_i;
      s1_ac_q   <= req_ac_i;
      s1_pg_q   <= cr0_pg_i;
      s1_wp_q   <= cr0_wp_i;
      s1_cr3_q  <= cr3_i[31:12];
      s1_pse_q  <= cr4_pse_i;
      s1_pae_q  <= cr4_pae_i;
      s1_pge_q  <= cr4_pge_i;
      s1_smep_q <= cr4_smep_i;
      s1_smap_q <= cr4_smap_i;
      s1_nxe_q  <= efer_nxe_i;
    end
  end

  logic unused_top;
  assign unused_top = ^{lk_entry[pmmu_pkg::TE_LARGE], lk_entry[pmmu_pkg::TE_2M], lk_entry[pmmu_pkg::TE_G]};

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  // T1: one request at a time, responses only to accepted requests; a request waiting for
  // req_ready_o stays as it is (hardware-interface.md: valid/ready)
  `PMMU_ASSERT(ReqStable, req_valid_i && !req_ready_o |=>
               req_valid_i && $stable({req_la_i, req_acc_i, req_priv_i, req_ac_i}),
               clk_i, !rst_ni)
  `PMMU_ASSERT(RespOnlyToRequest, resp_valid_o |-> s1_valid_q, clk_i, !rst_ni)
  `PMMU_ASSERT(RespOneSource, $countones({off, hit, walk_done, np_fast}) <= 1, clk_i, !rst_ni)
  // a faulting (or bus-error) walk fills nothing; nor does a cancelled one (T7)
  `PMMU_ASSERT(FillOnlyOk, fill |-> w_res == pmmu_pkg::WRES_OK, clk_i, !rst_ni)
  `PMMU_ASSERT(FillNotCancelled, fill |-> !cancel_q && !flush_valid_i, clk_i, !rst_ni)
  // a walk only runs for the request in s1
  `PMMU_ASSERT(WalkOnlyForRequest, !walk_idle |-> s1_valid_q, clk_i, !rst_ni)
  // T11: a PDPTE load comes only with no request in flight, so the walker and the load never
  // share the memory port
  `PMMU_ASSERT(LoadOnlyWithoutRequest, load |-> !s1_valid_q, clk_i, !rst_ni)
  // T11: no request is accepted while a load runs, from its command cycle c to D - 1
  `PMMU_ASSERT_NEVER(NoAcceptDuringLoad, accept && (load || pdp_busy), clk_i, !rst_ni)
  `PMMU_ASSERT(MemPortOneOwner, load || pdp_busy || pdpte_done_o |-> walk_idle && !w_mem_valid,
               clk_i, !rst_ni)

  // The walk memory port: the payload stays stable while valid and not ready; at most one
  // access is outstanding; a response comes only to an outstanding access (T4).
  `PMMU_ASSERT(MemReqStable, mem_req_valid_o && !mem_req_ready_i |=>
               mem_req_valid_o && $stable({mem_req_pa_o, mem_req_size_o, mem_req_op_o,
                                           mem_req_expected_o, mem_req_new_o}),
               clk_i, !rst_ni)
`ifdef PMMU_INC_ASSERT
  logic mem_out_q;   // an access is outstanding (accepted, no response yet)
  always_ff @(posedge clk_i) begin
    if (!rst_ni) mem_out_q <= 1'b0;
    else         mem_out_q <= (mem_req_valid_o & mem_req_ready_i) | (mem_out_q & ~mem_resp_valid_i);
  end
  `PMMU_ASSERT(MemOneOutstanding, mem_req_valid_o && mem_req_ready_i |-> !mem_out_q,
               clk_i, !rst_ni)
  `PMMU_ASSERT(MemRespOnlyOutstanding, mem_resp_valid_i |-> mem_out_q, clk_i, !rst_ni)
`endif

endmodule
