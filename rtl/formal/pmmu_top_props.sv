// pmmu_top_props: the bounded proofs of pmmu_top (docs/formal.md). Formal only: read by
// rtl/formal/prove with `read_verilog -formal`, never part of rtl/pmmu.f.
//
// Every input of pmmu_top is a free input of this wrapper; assumes restrict them to a legal
// requester, CPU and memory as docs/spec/hardware-interface.md and docs/timing.md define
// them, and asserts check the block's side of those rules:
//
//   environment (assume)                        block (assert)
//   reset in cycle 0 only                       mem_*: request held, unchanged, until accepted
//   req_*: held, unchanged, until accepted;      mem_*: no request while one is outstanding
//     legal access and privilege encodings       req_ready_o: T1, and low through a PDPTE load (T11)
//   control state stable from A to R (T8)        resp_valid_o: only to an accepted request
//   PDPTE load only with no request in flight    pf_irq_o: T10 (held until acked, lowered by the
//     and no load running (T11)                    ack, CR2 and error code of the latest #PF)
//   mem_resp_valid_i only to an outstanding      TLB: no two valid entries for one page in a
//     access (latency >= 1); ready, data and       4 KiB set (pmmu_tlb's arrays, read through
//     the bus-error flag free                      probes that rtl/formal/prove connects)
//   flush commands and acks free
//
// The TLB probes (tlb_v4, tlb_tag4) have no driver here: after `flatten`, prove connects them
// to u_dut.u_tlb.v4_q and u_dut.u_tlb.tag4_q (Yosys 0.23 has no hierarchical references).

module pmmu_top_props #(
  parameter int SETS   = 2,
  parameter int WAYS   = 2,
  parameter int LARGE  = 2,
  parameter int POLICY = 0
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        cr0_pg_i,
  input  logic                        cr0_wp_i,
  input  logic [31:0]                 cr3_i,
  input  logic                        cr4_pse_i,
  input  logic                        cr4_pae_i,
  input  logic                        cr4_pge_i,
  input  logic                        cr4_smep_i,
  input  logic                        cr4_smap_i,
  input  logic                        efer_nxe_i,
  input  logic                        req_valid_i,
  input  logic [31:0]                 req_la_i,
  input  logic [1:0]                  req_acc_i,
  input  logic [1:0]                  req_priv_i,
  input  logic                        req_ac_i,
  input  logic                        mem_req_ready_i,
  input  logic                        mem_resp_valid_i,
  input  logic [63:0]                 mem_resp_data_i,
  input  logic                        mem_resp_err_i,
  input  logic                        flush_valid_i,
  input  logic [1:0]                  flush_kind_i,
  input  logic [31:0]                 flush_la_i,
  input  logic                        pf_ack_i
);

  localparam int PAW  = 36;
  localparam int SB   = $clog2(SETS);
  localparam int TAGW = 20 - SB;
  localparam int NE4  = SETS * WAYS;

  logic                        req_ready_o;
  logic                        resp_valid_o;
  logic [PAW-1:0]              resp_pa_o;
  logic                        resp_fault_o;
  logic [4:0]                  resp_ec_o;
  logic                        resp_bus_err_o;
  logic [1:0]                  resp_tlb_o;
  logic                        resp_pwt_o, resp_pcd_o, resp_pat_o;
  logic                        mem_req_valid_o;
  logic [PAW-1:0]              mem_req_pa_o;
  logic                        mem_req_size_o;
  logic                        mem_req_op_o;
  logic [63:0]                 mem_req_expected_o;
  logic [63:0]                 mem_req_new_o;
  logic                        pdpte_done_o, pdpte_gp_o;
  logic                        pf_irq_o;
  logic [31:0]                 pf_cr2_o;
  logic [4:0]                  pf_ec_o;

  pmmu_top #(
    .SETS   (SETS),
    .WAYS   (WAYS),
    .LARGE  (LARGE),
    .POLICY (POLICY)
  ) u_dut (
    .clk_i              (clk_i),
    .rst_ni             (rst_ni),
    .cr0_pg_i           (cr0_pg_i),
    .cr0_wp_i           (cr0_wp_i),
    .cr3_i              (cr3_i),
    .cr4_pse_i          (cr4_pse_i),
    .cr4_pae_i          (cr4_pae_i),
    .cr4_pge_i          (cr4_pge_i),
    .cr4_smep_i         (cr4_smep_i),
    .cr4_smap_i         (cr4_smap_i),
    .efer_nxe_i         (efer_nxe_i),
    .req_valid_i        (req_valid_i),
    .req_ready_o        (req_ready_o),
    .req_la_i           (req_la_i),
    .req_acc_i          (req_acc_i),
    .req_priv_i         (req_priv_i),
    .req_ac_i           (req_ac_i),
    .resp_valid_o       (resp_valid_o),
    .resp_pa_o          (resp_pa_o),
    .resp_fault_o       (resp_fault_o),
    .resp_ec_o          (resp_ec_o),
    .resp_bus_err_o     (resp_bus_err_o),
    .resp_tlb_o         (resp_tlb_o),
    .resp_pwt_o         (resp_pwt_o),
    .resp_pcd_o         (resp_pcd_o),
    .resp_pat_o         (resp_pat_o),
    .mem_req_valid_o    (mem_req_valid_o),
    .mem_req_ready_i    (mem_req_ready_i),
    .mem_req_pa_o       (mem_req_pa_o),
    .mem_req_size_o     (mem_req_size_o),
    .mem_req_op_o       (mem_req_op_o),
    .mem_req_expected_o (mem_req_expected_o),
    .mem_req_new_o      (mem_req_new_o),
    .mem_resp_valid_i   (mem_resp_valid_i),
    .mem_resp_data_i    (mem_resp_data_i),
    .mem_resp_err_i     (mem_resp_err_i),
    .flush_valid_i      (flush_valid_i),
    .flush_kind_i       (flush_kind_i),
    .flush_la_i         (flush_la_i),
    .pdpte_done_o       (pdpte_done_o),
    .pdpte_gp_o         (pdpte_gp_o),
    .pf_irq_o           (pf_irq_o),
    .pf_cr2_o           (pf_cr2_o),
    .pf_ec_o            (pf_ec_o),
    .pf_ack_i           (pf_ack_i)
  );

  // ---------------------------------------------------------------------------
  // Reset: applied in cycle 0 only; checks start in cycle 1, the first cycle after it
  // ---------------------------------------------------------------------------
  logic f_live = 1'b0;   // this cycle is after the reset
  logic f_past = 1'b0;   // and so was the previous one (the *_q of the wrapper are valid)
  always_ff @(posedge clk_i) begin
    f_live <= 1'b1;
    f_past <= f_live;
  end

  // ---------------------------------------------------------------------------
  // What the wrapper remembers of the previous cycle (all from the ports)
  // ---------------------------------------------------------------------------
  logic accept, mem_accept, load, pf_event;
  assign accept     = req_valid_i & req_ready_o;
  assign mem_accept = mem_req_valid_o & mem_req_ready_i;
  assign load       = flush_valid_i & (flush_kind_i == 2'd3);  // FLUSH_LOAD_PDPTE
  assign pf_event   = resp_valid_o & resp_fault_o;

  logic [41:0]  ctrl, ctrl_q;          // the control state (T8)
  assign ctrl = {cr0_pg_i, cr0_wp_i, cr3_i, cr4_pse_i, cr4_pae_i, cr4_pge_i, cr4_smep_i,
                 cr4_smap_i, efer_nxe_i};

  logic         inflight_q;            // an accepted request waits for its response
  logic [31:0]  inflight_la_q;         // its LA
  logic         req_wait_q;            // last cycle: req_valid_i and not accepted
  logic [36:0]  req_q;                 // last cycle's request payload
  logic         mem_wait_q;            // last cycle: mem_req_valid_o and not accepted
  logic [165:0] mem_q;                 // last cycle's memory request payload
  logic         mem_out_q;             // a memory access is accepted and not answered
  logic         loading_q;             // a PDPTE load runs (cycles c + 1 .. D)
  logic         pf_event_q, pf_ack_q, pf_irq_q;
  logic [31:0]  pf_cr2_q;
  logic [4:0]   pf_ec_q, resp_ec_q;

  logic [36:0]  req_now;
  logic [165:0] mem_now;
  assign req_now = {req_la_i, req_acc_i, req_priv_i, req_ac_i};
  assign mem_now = {mem_req_pa_o, mem_req_size_o, mem_req_op_o, mem_req_expected_o,
                    mem_req_new_o};

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      inflight_q <= 1'b0;
      req_wait_q <= 1'b0;
      mem_wait_q <= 1'b0;
      mem_out_q  <= 1'b0;
      loading_q  <= 1'b0;
      pf_event_q <= 1'b0;
    end else begin
      inflight_q <= accept | (inflight_q & ~resp_valid_o);
      req_wait_q <= req_valid_i & ~req_ready_o;
      mem_wait_q <= mem_req_valid_o & ~mem_req_ready_i;
      mem_out_q  <= mem_accept | (mem_out_q & ~mem_resp_valid_i);
      loading_q  <= load | (loading_q & ~pdpte_done_o);
      pf_event_q <= pf_event;
    end
    if (accept) inflight_la_q <= req_la_i;
    ctrl_q    <= ctrl;
    req_q     <= req_now;
    mem_q     <= mem_now;
    pf_ack_q  <= pf_ack_i;
    pf_irq_q  <= pf_irq_o;
    pf_cr2_q  <= pf_cr2_o;
    pf_ec_q   <= pf_ec_o;
    resp_ec_q <= resp_ec_o;
  end

  // the fault of the previous cycle's response: its LA (the request in flight then)
  logic [31:0] pf_la_q;
  always_ff @(posedge clk_i) pf_la_q <= inflight_la_q;

  // ---------------------------------------------------------------------------
  // Environment: a legal requester, CPU and memory
  // ---------------------------------------------------------------------------
  always @* begin
    if (!f_live) assume (!rst_ni);
    else         assume (rst_ni);
    if (f_live) begin
      // requester: a request waiting for req_ready_o stays, unchanged (valid/ready)
      if (req_wait_q) assume (req_valid_i && req_now == req_q);
      // only the three access kinds and three privilege kinds exist
      if (req_valid_i) assume (req_acc_i != 2'd3 && req_priv_i != 2'd3);
      // T8: control state stable from the accept cycle A to the response cycle R
      if (inflight_q) assume (ctrl == ctrl_q);
      // T11: a PDPTE load only with no request in flight and no load running
      if (load) assume (!inflight_q && !loading_q);
      // memory: a response only to an accepted access that has had none (latency >= 1)
      if (mem_resp_valid_i) assume (mem_out_q);
    end
  end

  // ---------------------------------------------------------------------------
  // Properties of the block: ok_* is 1 when the property holds in this cycle (all of them
  // hold in the reset cycle 0); f_ok gathers them so that a failing proof shows which one
  // failed in which cycle (rtl/formal/prove prints f_ok of the counterexample)
  // ---------------------------------------------------------------------------
  logic ok_mem_req_held, ok_mem_req_stable, ok_mem_one_outstanding;
  logic ok_req_ready_t1, ok_req_ready_t11, ok_resp_only_inflight, ok_pdpte_done_only_loading;
  logic ok_irq_t10, ok_irq_held_until_ack, ok_irq_cr2, ok_irq_ec;
  logic ok_tlb_no_dup_4k;

  // hardware-interface.md, walk memory port (valid/ready): a presented request stays
  // presented, its payload unchanged, until accepted
  assign ok_mem_req_held   = !f_live || !mem_wait_q || mem_req_valid_o;
  assign ok_mem_req_stable = !f_live || !mem_wait_q || mem_now == mem_q;
  // T4: one access at a time: nothing is presented while an access is outstanding (m(k+1)
  // comes in the cycle after mk's response), so at most one is ever outstanding
  assign ok_mem_one_outstanding = !f_live || !(mem_req_valid_o && mem_out_q);

  // T1: ready exactly when no accepted request waits past this cycle (outside a load)
  assign ok_req_ready_t1 = !f_live || load || loading_q ||
                           req_ready_o == (!inflight_q || resp_valid_o);
  // T11: nothing accepted from the load's command cycle c until its done cycle D
  assign ok_req_ready_t11 = !f_live || !(load || (loading_q && !pdpte_done_o)) || !req_ready_o;
  // one response per accepted request; a done only for a load
  assign ok_resp_only_inflight      = !f_live || !resp_valid_o || inflight_q;
  assign ok_pdpte_done_only_loading = !f_live || !pdpte_done_o || loading_q;

  // T10: the line rises after a #PF response, is held until an ack, and falls in the cycle
  // after the ack unless a new #PF came in the ack's cycle
  // after the cycle 0 reset (hardware-interface.md: out of reset no fault is pending) the line
  // is low
  assign ok_irq_t10            = !f_live ||
                                 pf_irq_o == (f_past && (pf_event_q || (pf_irq_q && !pf_ack_q)));
  assign ok_irq_held_until_ack = !f_past || !(pf_irq_q && !pf_ack_q) || pf_irq_o;
  // CR2 and the error code: the latest #PF's, unchanged between faults
  assign ok_irq_cr2 = !f_past || pf_cr2_o == (pf_event_q ? pf_la_q : pf_cr2_q);
  assign ok_irq_ec  = !f_past || pf_ec_o == (pf_event_q ? resp_ec_q : pf_ec_q);

  // pmmu_tlb: a 4 KiB set never holds two valid entries for one page (docs/tlb.md), so after
  // any fill too (a fill follows a lookup that missed or dropped the page's entry). The
  // probes have no driver here: rtl/formal/prove connects them after `flatten`.
  (* keep *) logic [NE4-1:0]      tlb_v4;    // probe: u_dut.u_tlb.v4_q
  (* keep *) logic [NE4*TAGW-1:0] tlb_tag4;  // probe: u_dut.u_tlb.tag4_q
  logic tlb_dup;
  always_comb begin
    tlb_dup = 1'b0;
    for (int s = 0; s < SETS; s++) begin
      for (int i = 0; i < WAYS; i++) begin
        for (int j = i + 1; j < WAYS; j++) begin
          if (tlb_v4[s*WAYS + i] && tlb_v4[s*WAYS + j] &&
              tlb_tag4[(s*WAYS + i)*TAGW +: TAGW] == tlb_tag4[(s*WAYS + j)*TAGW +: TAGW])
            tlb_dup = 1'b1;
        end
      end
    end
  end
  assign ok_tlb_no_dup_4k = !f_live || !tlb_dup;

  // Reachability (prove --cover): f_covered is 1 from the cycle after the response of a
  // successful PAE walk that made both A/D compare-and-swaps (PDE, then PTE). That it can be
  // 1 in the last step shows the bound covers such a walk and that the assumes leave it
  // possible (the proof is not vacuous).
  (* keep *) logic [2:0] cas_cnt_q;   // compare-and-swaps accepted since the last accepted request
  (* keep *) logic f_covered;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cas_cnt_q <= '0;
      f_covered <= 1'b0;
    end else begin
      if (accept)                            cas_cnt_q <= '0;
      else if (mem_accept && mem_req_op_o && cas_cnt_q != 3'd7) cas_cnt_q <= cas_cnt_q + 3'd1;
      if (resp_valid_o && !resp_fault_o && !resp_bus_err_o && resp_tlb_o == 2'd2 &&
          cr4_pae_i && cas_cnt_q == 3'd2)
        f_covered <= 1'b1;
    end
  end

  // bit i of f_ok: property i of this list (rtl/formal/prove names them in this order)
  (* keep *) logic [11:0] f_ok;
  assign f_ok = {ok_tlb_no_dup_4k, ok_irq_ec, ok_irq_cr2, ok_irq_held_until_ack, ok_irq_t10,
                 ok_pdpte_done_only_loading, ok_resp_only_inflight, ok_req_ready_t11,
                 ok_req_ready_t1, ok_mem_one_outstanding, ok_mem_req_stable, ok_mem_req_held};

  always @* begin
    mem_req_held:            assert (ok_mem_req_held);
    mem_req_stable:          assert (ok_mem_req_stable);
    mem_one_outstanding:     assert (ok_mem_one_outstanding);
    req_ready_t1:            assert (ok_req_ready_t1);
    req_ready_t11:           assert (ok_req_ready_t11);
    resp_only_inflight:      assert (ok_resp_only_inflight);
    pdpte_done_only_loading: assert (ok_pdpte_done_only_loading);
    irq_t10:                 assert (ok_irq_t10);
    irq_held_until_ack:      assert (ok_irq_held_until_ack);
    irq_cr2:                 assert (ok_irq_cr2);
    irq_ec:                  assert (ok_irq_ec);
    tlb_no_dup_4k:           assert (ok_tlb_no_dup_4k);
  end

endmodule
