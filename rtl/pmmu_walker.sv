// pmmu_walker: the page walker for 32-bit and PAE paging (x86-paging.md sections 3-7) with
// the memory timing of docs/timing.md T4.
//
// Shape: a level register (lvl_q: the page directory L_PD, or the page table L_PT), an idle
// state and five states that loop over the levels as the C model's walk does (model/src/walk.c: descend,
// then update_accessed_dirty):
//
//   W_IDLE      --start_i-->  W_READ_REQ at L_PD (the lookup cycle A + 1 presents it: T4)
//   W_READ_REQ  present the read of the entry of lvl_q, until accepted
//   W_READ_WAIT its response: a bus error, a not-present entry, a reserved bit or a rights
//               violation ends the walk (W_DONE); a PDE that is not a leaf descends to L_PT
//               (W_READ_REQ); a leaf starts the A/D updates at the topmost entry whose A
//               (or, in the leaf, D for a write) is to be set, or ends the walk
//   W_CAS_REQ   present the compare-and-swap of the entry of lvl_q, until accepted
//   W_CAS_WAIT  its response: memory changed, restart at L_PD (W_READ_REQ); else the next
//               entry down that needs its CAS, or W_DONE
//   W_DONE      the result cycle R (done_o), then W_IDLE (with lvl_q back at L_PD)
//
// Every request is presented in the cycle after the previous response, and the result in the
// cycle after the last one (T4); a faulting walk writes nothing (x86-paging.md section 7).
//
// The datapath is 64 bits wide (entries, CAS values, memory port): 32-bit paging uses
// 4-byte accesses and the low 32 bits, PAE 8-byte accesses. In PAE the page directory is
// the one the PDPTE register of LA[31:30] points to (pd_base_i, from pmmu_pdpte; pmmu_top
// answers a not-present PDPTE register itself, without a walk); 2 MiB pages, reserved bits
// 62:36 (and 63 without NXE, 20:13 in a 2 MiB PDE), XD.

`include "pmmu_assert.svh"

module pmmu_walker (
  input  logic                          clk_i,
  input  logic                          rst_ni,

  // the request being translated (held stable by pmmu_top until done_o)
  input  logic                          start_i,     // lookup-cycle miss: begin a walk
  input  logic [31:0]                   la_i,
  input  pmmu_pkg::acc_t               acc_i,
  input  pmmu_pkg::priv_t              priv_i,
  input  logic                          ac_i,

  // control state (T8: stable during a request)
  input  logic [31:0]                   cr3_i,
  input  logic                          cr0_wp_i,
  input  logic                          cr4_pse_i,
  input  logic                          cr4_pge_i,
  input  logic                          cr4_smep_i,
  input  logic                          cr4_smap_i,
  input  logic                          cr4_pae_i,   // PAE paging (CR0.PG is 1 when walking)
  input  logic                          efer_nxe_i,
  input  logic                          id_en_i,
  input  logic [23:0]                   pd_base_i,   // PAE: PA[35:12] of the page directory

  // walk memory port (shared with pmmu_pdpte through pmmu_top)
  output logic                          mem_req_valid_o,
  input  logic                          mem_req_ready_i,
  output logic [pmmu_pkg::PAW-1:0]      mem_req_pa_o,
  output pmmu_pkg::mem_size_t          mem_req_size_o,
  output pmmu_pkg::mem_op_t            mem_req_op_o,
  output logic [63:0]                   mem_req_expected_o,
  output logic [63:0]                   mem_req_new_o,
  input  logic                          mem_resp_valid_i,
  input  logic [63:0]                   mem_resp_data_i,
  input  logic                          mem_resp_err_i,

  // result
  output logic                          idle_o,
  output logic                          done_o,      // result valid this cycle (cycle R)
  output pmmu_pkg::wres_t              res_o,
  output logic [pmmu_pkg::PAW-1:0]      pa_o,
  output logic [pmmu_pkg::ECW-1:0]      ec_o,
  output pmmu_pkg::tlb_entry_t         entry_o
);

  typedef enum logic [2:0] {
    W_IDLE      = 3'd0,
    W_READ_REQ  = 3'd1,   // present the read of the entry of level lvl_q
    W_READ_WAIT = 3'd2,   // wait for its response
    W_CAS_REQ   = 3'd3,   // present the A/D compare-and-swap of the entry of level lvl_q
    W_CAS_WAIT  = 3'd4,   // wait for its response
    W_DONE      = 3'd5    // result cycle R
  } wstate_e;

  // the level of the entry being read or updated; both paging modes have two walked levels
  // (PAE's PDPTEs are registers: pmmu_pdpte)
  typedef enum logic {
    L_PT = 1'd0,          // page table: the PTE
    L_PD = 1'd1           // page directory: the PDE (the leaf of a 4 MiB / 2 MiB page)
  } wlvl_e;

  wstate_e                  state_q, state_d;
  wstate_e                  st;        // effective state: IDLE + start_i acts as READ_REQ
  wlvl_e                    lvl_q, lvl_d;  // L_PD whenever the walker is idle
  logic [63:0]              pde_q, pde_d;
  logic [63:0]              pte_q, pte_d;
  logic                     large_q, large_d;  // the PDE is the leaf
  pmmu_pkg::wres_t          res_q, res_d;
  logic [pmmu_pkg::ECW-1:0] ec_q, ec_d;

  logic        pae, xd_en, at_pd;
  assign pae   = cr4_pae_i;
  assign xd_en = cr4_pae_i & efer_nxe_i;
  assign at_pd = (lvl_q == L_PD);

  logic        is_write;
  assign is_write = (acc_i == pmmu_pkg::ACC_WRITE);

  // 32-bit paging: 4-byte entries, the upper half of the data bus is not used; PAE: 8 bytes.
  logic [63:0] rdata;
  assign rdata = pae ? mem_resp_data_i : {32'b0, mem_resp_data_i[31:0]};

  // Entry addresses of this walk, and the one of level lvl_q
  logic [pmmu_pkg::PAW-1:0] pde_addr, pte_addr, ent_addr;
  always_comb begin
    if (pae) begin
      pde_addr = {pd_base_i, la_i[29:21], 3'b000};
      pte_addr = {pde_q[35:12], la_i[20:12], 3'b000};
    end else begin
      pde_addr = {4'b0, cr3_i[31:12], la_i[31:22], 2'b00};
      pte_addr = {4'b0, pde_q[31:12], la_i[21:12], 2'b00};
    end
  end
  assign ent_addr = at_pd ? pde_addr : pte_addr;

  // Reserved bits of a present entry (rdata)
  logic rsvd_pae;     // PAE PDE/PTE: 62:36, and 63 without NXE
  logic rsvd_2m;      // PAE 2 MiB PDE: 20:13
  logic rsvd_4m;      // 32-bit 4 MiB PDE: 21:17
  assign rsvd_pae = (|rdata[pmmu_pkg::E_RSVDPAE_HI:pmmu_pkg::E_RSVDPAE_LO]) |
                    (rdata[pmmu_pkg::E_XD] & ~efer_nxe_i);
  assign rsvd_2m  = |rdata[pmmu_pkg::E_RSVD2M_HI:pmmu_pkg::E_RSVD2M_LO];
  assign rsvd_4m  = |rdata[pmmu_pkg::E_RSVD4M_HI:pmmu_pkg::E_RSVD4M_LO];

  // The read response of level lvl_q: a leaf? a reserved bit?
  logic pde_large, rd_rsvd, rd_leaf;
  assign pde_large = pae ? rdata[pmmu_pkg::E_PS] : (cr4_pse_i & rdata[pmmu_pkg::E_PS]);
  assign rd_rsvd   = at_pd ? (pae ? (rsvd_pae | (rdata[pmmu_pkg::E_PS] & rsvd_2m))
                                  : (pde_large & rsvd_4m))
                           : (pae & rsvd_pae);
  assign rd_leaf   = ~at_pd | pde_large;

  // ---------------------------------------------------------------------------
  // Entry helpers
  // ---------------------------------------------------------------------------
  // value of an entry with A set, and D too when set_d
  function automatic logic [63:0] with_ad(logic [63:0] e, logic set_d);
    with_ad = e;
    with_ad[pmmu_pkg::E_A] = 1'b1;
    if (set_d) with_ad[pmmu_pkg::E_D] = 1'b1;
  endfunction

  // The rights of the path at the leaf response: a large leaf = the PDE alone (rdata);
  // a 4 KiB leaf = the PDE (pde_q) combined with the PTE (rdata).
  logic rt_u, rt_w, rt_x;
  always_comb begin
    if (at_pd) begin
      rt_u = rdata[pmmu_pkg::E_US];
      rt_w = rdata[pmmu_pkg::E_RW];
      rt_x = ~(xd_en & rdata[pmmu_pkg::E_XD]);
    end else begin
      rt_u = pde_q[pmmu_pkg::E_US] & rdata[pmmu_pkg::E_US];
      rt_w = pde_q[pmmu_pkg::E_RW] & rdata[pmmu_pkg::E_RW];
      rt_x = ~(xd_en & (pde_q[pmmu_pkg::E_XD] | rdata[pmmu_pkg::E_XD]));
    end
  end

  logic                     perm_fault;
  logic [pmmu_pkg::ECW-1:0] ec_base;

  pmmu_perm u_perm (
    .u_i        (rt_u),
    .w_i        (rt_w),
    .x_i        (rt_x),          // 1 unless PAE with NXE and an XD bit
    .acc_i      (acc_i),
    .priv_i     (priv_i),
    .ac_i       (ac_i),
    .cr0_wp_i   (cr0_wp_i),
    .cr4_smep_i (cr4_smep_i),
    .cr4_smap_i (cr4_smap_i),
    .id_en_i    (id_en_i),
    .fault_o    (perm_fault),
    .ec_o       (ec_base)
  );

  logic [pmmu_pkg::ECW-1:0] ec_np, ec_prot, ec_rsvd;
  // continuous assignments, not an always_comb that sets bits after a copy: Icarus 11 wakes
  // a process on such transients and livelocks (docs/rtl.md "Tool notes")
  assign ec_np   = ec_base;
  assign ec_prot = ec_base | (pmmu_pkg::ECW'(1) << pmmu_pkg::EC_P);
  assign ec_rsvd = ec_prot | (pmmu_pkg::ECW'(1) << pmmu_pkg::EC_RSVD);

  // A/D updates (x86-paging.md section 7): every entry of the path gets A, the leaf D too
  // for a write; top-down, and only the entries whose value changes.
  // CAS values from the registered entries:
  logic [63:0] pde_new, pte_new, ent_q, ent_new;
  assign pde_new = with_ad(pde_q, large_q & is_write);
  assign pte_new = with_ad(pte_q, is_write);
  assign ent_q   = at_pd ? pde_q : pte_q;
  assign ent_new = at_pd ? pde_new : pte_new;
  // At the leaf response, the first CAS: the PDE's (rdata when it is the leaf), else the PTE's
  logic [63:0] leaf_pde;
  logic        leaf_cas_pd, leaf_cas_pt;
  assign leaf_pde    = at_pd ? rdata : pde_q;
  assign leaf_cas_pd = with_ad(leaf_pde, at_pd & is_write) != leaf_pde;
  assign leaf_cas_pt = ~at_pd & (with_ad(rdata, is_write) != rdata);

  // ---------------------------------------------------------------------------
  // State machine
  // ---------------------------------------------------------------------------
  assign st = (state_q == W_IDLE && start_i) ? W_READ_REQ : state_q;

  always_comb begin
    state_d = state_q;
    lvl_d   = lvl_q;
    pde_d   = pde_q;
    pte_d   = pte_q;
    large_d = large_q;
    res_d   = res_q;
    ec_d    = ec_q;

    unique case (st)
      W_IDLE: ;

      W_READ_REQ: begin
        if (at_pd) large_d = 1'b0;      // a (re)start
        // Leave IDLE even while the memory holds the request back: the lookup that started
        // this walk must not run again in the next cycle (it would drop another entry).
        if (mem_req_ready_i) state_d = W_READ_WAIT;
        else                 state_d = W_READ_REQ;
      end

      W_READ_WAIT: begin
        if (mem_resp_valid_i) begin
          if (at_pd) pde_d = rdata;
          else       pte_d = rdata;
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = W_DONE;
          end else if (!rdata[pmmu_pkg::E_P]) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_np;
            state_d = W_DONE;
          end else if (rd_rsvd) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_rsvd;
            state_d = W_DONE;
          end else if (!rd_leaf) begin
            lvl_d   = L_PT;             // descend
            state_d = W_READ_REQ;
          end else begin
            large_d = at_pd;
            if (perm_fault) begin       // judged before any A/D write: a fault writes nothing
              res_d   = pmmu_pkg::WRES_PF;
              ec_d    = ec_prot;
              state_d = W_DONE;
            end else begin
              res_d = pmmu_pkg::WRES_OK;
              if (leaf_cas_pd) begin
                lvl_d   = L_PD;
                state_d = W_CAS_REQ;
              end else if (leaf_cas_pt) begin
                state_d = W_CAS_REQ;    // lvl_q is L_PT
              end else begin
                state_d = W_DONE;
              end
            end
          end
        end
      end

      W_CAS_REQ: begin
        if (mem_req_ready_i) state_d = W_CAS_WAIT;
      end

      W_CAS_WAIT: begin
        if (mem_resp_valid_i) begin
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = W_DONE;
          end else if (rdata != ent_q) begin
            lvl_d   = L_PD;             // memory changed: restart from the top
            state_d = W_READ_REQ;
          end else if (at_pd && !large_q && pte_new != pte_q) begin
            lvl_d   = L_PT;             // next entry down
            state_d = W_CAS_REQ;
          end else begin
            state_d = W_DONE;
          end
        end
      end

      W_DONE: begin
        lvl_d   = L_PD;
        state_d = W_IDLE;
      end

      default: state_d = W_IDLE;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= W_IDLE;
      lvl_q   <= L_PD;
      pde_q   <= '0;
      pte_q   <= '0;
      large_q <= 1'b0;
      res_q   <= pmmu_pkg::WRES_OK;
      ec_q    <= '0;
    end else begin
      state_q <= state_d;
      lvl_q   <= lvl_d;
      pde_q   <= pde_d;
      pte_q   <= pte_d;
      large_q <= large_d;
      res_q   <= res_d;
      ec_q    <= ec_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Memory request
  // ---------------------------------------------------------------------------
  always_comb begin
    mem_req_valid_o    = 1'b0;
    mem_req_pa_o       = '0;
    mem_req_size_o     = pae ? pmmu_pkg::MEM_SIZE8 : pmmu_pkg::MEM_SIZE4;
    mem_req_op_o       = pmmu_pkg::MEM_READ;
    mem_req_expected_o = '0;
    mem_req_new_o      = '0;
    unique case (st)
      W_READ_REQ: begin
        mem_req_valid_o = 1'b1;
        mem_req_pa_o    = ent_addr;
      end
      W_CAS_REQ: begin
        mem_req_valid_o    = 1'b1;
        mem_req_pa_o       = ent_addr;
        mem_req_op_o       = pmmu_pkg::MEM_CAS;
        mem_req_expected_o = ent_q;
        mem_req_new_o      = ent_new;
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------------------
  // Result (cycle R): PA and TLB entry from the registered entries
  // ---------------------------------------------------------------------------
  assign idle_o = (state_q == W_IDLE);
  assign done_o = (state_q == W_DONE);
  assign res_o  = res_q;
  assign ec_o   = ec_q;

  // The leaf's fields come from the registers alone; the control inputs (pae, xd_en,
  // cr4_pge_i) are applied last, to single bits and one frame mux, so the logic that reads
  // them is small (a simulator evaluates it again whenever an input changes).
  logic [63:0]              leaf;      // the leaf entry: the PDE of a large page, else the PTE
  logic                     path_u, path_w, path_xd;
  logic [pmmu_pkg::FRW-1:0] fr_pae, fr_32, frame;
  assign leaf    = large_q ? pde_q : pte_q;
  assign path_u  = pde_q[pmmu_pkg::E_US] & (large_q | pte_q[pmmu_pkg::E_US]);
  assign path_w  = pde_q[pmmu_pkg::E_RW] & (large_q | pte_q[pmmu_pkg::E_RW]);
  assign path_xd = pde_q[pmmu_pkg::E_XD] | (~large_q & pte_q[pmmu_pkg::E_XD]);
  assign fr_pae  = large_q ? {pde_q[35:21], la_i[20:12]} : pte_q[35:12];
  assign fr_32   = large_q ? {pde_q[pmmu_pkg::E_PSE36_LO +: 4], pde_q[31:22], la_i[21:12]}
                           : {4'b0, pte_q[31:12]};
  assign frame   = pae ? fr_pae : fr_32;

  assign pa_o = (res_q != pmmu_pkg::WRES_OK) ? '0 : {frame, la_i[11:0]};

  // in the field order of pmmu_pkg's TE_* (asserted below): frame, 2M, LARGE, U, W, X, D, G,
  // PWT, PCD, PAT
  assign entry_o = {pa_o[pmmu_pkg::PAW-1:12], pae & large_q, large_q, path_u, path_w,
                    ~(xd_en & path_xd), leaf[pmmu_pkg::E_D] | is_write,
                    leaf[pmmu_pkg::E_G] & cr4_pge_i, leaf[pmmu_pkg::E_PWT], leaf[pmmu_pkg::E_PCD],
                    large_q ? pde_q[pmmu_pkg::E_PAT_LARGE] : pte_q[pmmu_pkg::E_PAT]};

  logic unused_w;
  assign unused_w = ^{pde_q[62:36], pte_q[62:36], cr3_i[11:0],
                      leaf[63:9], leaf[7], leaf[5], leaf[2:0]};

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  `PMMU_ASSERT_INIT(WalkEntryLayout, pmmu_pkg::TE_PAT == 0 && pmmu_pkg::TE_PCD == 1 &&
                    pmmu_pkg::TE_PWT == 2 && pmmu_pkg::TE_G == 3 && pmmu_pkg::TE_D == 4 &&
                    pmmu_pkg::TE_X == 5 && pmmu_pkg::TE_W == 6 && pmmu_pkg::TE_U == 7 &&
                    pmmu_pkg::TE_LARGE == 8 && pmmu_pkg::TE_2M == 9 && pmmu_pkg::TE_FRAME_LO == 10)
  // a walk starts only from idle, and idle is always at the top level
  `PMMU_ASSERT(WalkStartOnlyIdle, start_i |-> state_q == W_IDLE, clk_i, !rst_ni)
  `PMMU_ASSERT(WalkIdleAtTop, state_q == W_IDLE |-> lvl_q == L_PD, clk_i, !rst_ni)
  // responses come only to the walker's outstanding request (or to pmmu_pdpte's, while idle)
  `PMMU_ASSERT(WalkRespOnlyInWait,
               mem_resp_valid_i && state_q != W_IDLE |-> st == W_READ_WAIT || st == W_CAS_WAIT,
               clk_i, !rst_ni)
  // section 7: a walk writes A/D only after its leaf was found good (res_q = OK), so a
  // faulting walk issues no compare-and-swap; and a large leaf has no PTE to update
  `PMMU_ASSERT(WalkNoCasOnFault,
               mem_req_valid_o && mem_req_op_o == pmmu_pkg::MEM_CAS |-> res_q == pmmu_pkg::WRES_OK,
               clk_i, !rst_ni)
  `PMMU_ASSERT(WalkNoPteCasLarge, st == W_CAS_REQ && lvl_q == L_PT |-> !large_q, clk_i, !rst_ni)

endmodule
