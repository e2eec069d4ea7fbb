// my_mmu_pmmu_sb: how to put pmmu_scoreboard on a block whose ports differ from pmmu's
// (docs/dpi.md, "A DUT with other port names"). `my_mmu` is an imagined MMU: active-high
// reset, whole CR0/CR4/EFER registers as inputs, a 40-bit physical address, one-hot access
// and privilege bits, its own flush encoding and an "ack"-style memory handshake. This
// adapter takes my_mmu's ports as they are named and maps them onto the scoreboard's; bind it
// to the DUT with
//
//   bind my_mmu my_mmu_pmmu_sb #(.SETS(32)) u_pmmu_sb (.*);
//
// Nothing in my_mmu changes. ctest lints this file (dpi.scoreboard_lint).

module my_mmu_pmmu_sb #(
  parameter int SETS = 16,
  parameter int WAYS = 4,
  parameter int LARGE = 8
) (
  input logic        clk,
  input logic        reset,            // active high
  input logic [31:0] cr0, cr3, cr4,
  input logic [63:0] efer,
  // CPU side
  input logic        cpu_req, cpu_gnt, // valid / ready
  input logic [31:0] cpu_va,
  input logic        cpu_wr, cpu_ifetch,
  input logic        cpu_cpl3, cpu_implicit,
  input logic        cpu_ac,
  input logic        rsp_vld,
  input logic [39:0] rsp_pa,           // 40 bits: the upper four are 0 on a 36-bit machine
  input logic        rsp_pf, rsp_berr,
  input logic [4:0]  rsp_pf_code,
  input logic        rsp_hit, rsp_paging_off,
  input logic [2:0]  rsp_memtype,      // {PAT, PCD, PWT}
  // page walker's memory port
  input logic        ptw_req, ptw_ack,
  input logic [39:0] ptw_addr,
  input logic        ptw_dword,        // 8-byte access
  input logic        ptw_atomic,       // compare-and-swap
  input logic [63:0] ptw_cmp, ptw_swap,
  input logic        ptw_rvalid, ptw_rerr,
  input logic [63:0] ptw_rdata,
  // TLB maintenance: 0 INVLPG, 1 all, 2 non-global (CR3), 3 load PDPTEs
  input logic        inv_req,
  input logic [1:0]  inv_op,
  input logic [31:0] inv_va,
  input logic        pdpte_done, pdpte_fault,
  // #PF interrupt
  input logic        pf_irq, pf_irq_ack,
  input logic [31:0] pf_addr,
  input logic [4:0]  pf_code
);
  // my_mmu's flush encoding -> pmmu's (0 non-global, 1 all, 2 page, 3 load PDPTEs)
  logic [1:0] kind;
  always_comb
    unique case (inv_op)
      2'd0:    kind = 2'd2;
      2'd1:    kind = 2'd1;
      2'd2:    kind = 2'd0;
      default: kind = 2'd3;
    endcase

  // bits of the whole registers that pmmu's block does not look at
  logic unused;
  assign unused = ^{cr0[30:17], cr0[15:0], cr4[31:22], cr4[19:8], cr4[6], cr4[3:0], efer[63:12],
                    efer[10:0], rsp_pa[39:36], ptw_addr[39:36]};

  pmmu_scoreboard #(.SETS(SETS), .WAYS(WAYS), .LARGE(LARGE)) u_sb (
    .clk_i              (clk),
    .rst_ni             (!reset),
    .cr0_pg_i           (cr0[31]),
    .cr0_wp_i           (cr0[16]),
    .cr3_i              (cr3),
    .cr4_pse_i          (cr4[4]),
    .cr4_pae_i          (cr4[5]),
    .cr4_pge_i          (cr4[7]),
    .cr4_smep_i         (cr4[20]),
    .cr4_smap_i         (cr4[21]),
    .efer_nxe_i         (efer[11]),
    .req_valid_i        (cpu_req),
    .req_ready_o        (cpu_gnt),
    .req_la_i           (cpu_va),
    .req_acc_i          (cpu_ifetch ? 2'd2 : cpu_wr ? 2'd1 : 2'd0),
    .req_priv_i         (cpu_implicit ? 2'd2 : cpu_cpl3 ? 2'd0 : 2'd1),
    .req_ac_i           (cpu_ac),
    .resp_valid_o       (rsp_vld),
    .resp_pa_o          (rsp_pa[35:0]),
    .resp_fault_o       (rsp_pf),
    .resp_ec_o          (rsp_pf_code),
    .resp_bus_err_o     (rsp_berr),
    .resp_tlb_o         (rsp_paging_off ? 2'd0 : rsp_hit ? 2'd1 : 2'd2),
    .resp_pwt_o         (rsp_memtype[0]),
    .resp_pcd_o         (rsp_memtype[1]),
    .resp_pat_o         (rsp_memtype[2]),
    .mem_req_valid_o    (ptw_req),
    .mem_req_ready_i    (ptw_ack),
    .mem_req_pa_o       (ptw_addr[35:0]),
    .mem_req_size_o     (ptw_dword),
    .mem_req_op_o       (ptw_atomic),
    .mem_req_expected_o (ptw_cmp),
    .mem_req_new_o      (ptw_swap),
    .mem_resp_valid_i   (ptw_rvalid),
    .mem_resp_data_i    (ptw_rdata),
    .mem_resp_err_i     (ptw_rerr),
    .flush_valid_i      (inv_req),
    .flush_kind_i       (kind),
    .flush_la_i         (inv_va),
    .pdpte_done_o       (pdpte_done),
    .pdpte_gp_o         (pdpte_fault),
    .pf_irq_o           (pf_irq),
    .pf_cr2_o           (pf_addr),
    .pf_ec_o            (pf_code),
    .pf_ack_i           (pf_irq_ack)
  );

endmodule
