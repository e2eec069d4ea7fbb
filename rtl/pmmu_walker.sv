// pmmu_walker: the page walker for 32-bit and PAE paging (x86-paging.md sections 3-7) with
// the memory timing of docs/timing.md T4, and the four PAE PDPTE registers with their load
// command (T11).
//
// Memory traffic of one walk: PDE read, PTE read (not for a large page), then the A/D
// compare-and-swaps top-down (PDE, then the leaf PTE). A CAS whose returned value differs
// from the expected one restarts the walk at the PDE read. A not-present entry, a set
// reserved bit or a rights violation ends the walk with a #PF and writes nothing; a bus
// error ends it with pmmu_pkg::WRES_BUSERR. The first request is presented in the cycle of start_i
// (the lookup cycle A + 1); every next request in the cycle after the previous response;
// the result (state DONE, done_o = 1) in the cycle after the last response.
//
// The datapath is 64 bits wide (entries, CAS values, memory port): 32-bit paging uses
// 4-byte accesses and the low 32 bits, PAE 8-byte accesses. In PAE the PDE comes from the
// PDPTE register picked by LA[31:30] (pmmu_top answers a not-present PDPTE register itself,
// without a walk); 2 MiB pages, reserved bits 62:36 (and 63 without NXE, 20:13 in a 2 MiB
// PDE), XD. The PDPTE load (load_i, the command's cycle c) reads the four 8-byte PDPTEs at
// CR3[31:5] as walk accesses, the first presented in c, and reports in D = Q4 + 1 (pdp_done_o,
// pdp_gp_o); the registers change only when no present PDPTE had a reserved bit and no read
// had a bus error.

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

  // PAE PDPTE registers: load command (T11) and the register LA[31:30] picks
  input  logic                          load_i,      // load the PDPTEs from cr3_i (walker idle)
  output logic                          pdp_busy_o,  // a load is running (cycles c+1 .. D-1)
  output logic                          pdp_done_o,  // cycle D of a load
  output logic                          pdp_gp_o,    // with pdp_done_o: refused, #GP(0)
  output logic                          pdpte_np_o,  // the PDPTE register of la_i is not present

  // walk memory port
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

  typedef enum logic [3:0] {
    W_IDLE      = 4'd0,
    W_PDE_REQ   = 4'd1,   // present the PDE read
    W_PDE_WAIT  = 4'd2,   // wait for its response
    W_PTE_REQ   = 4'd3,
    W_PTE_WAIT  = 4'd4,
    W_CASD_REQ  = 4'd5,   // CAS of the PDE (A; D too for a 4 MiB leaf)
    W_CASD_WAIT = 4'd6,
    W_CAST_REQ  = 4'd7,   // CAS of the PTE (A, D)
    W_CAST_WAIT = 4'd8,
    W_EXTRA     = 4'd9,   // only in the PMMU_MUTANT_WALK_EXTRA_CYCLE build
    W_DONE      = 4'd10,  // result cycle R
    W_PDP_REQ   = 4'd11,  // PDPTE load: present the read of PDPTE pdp_idx_q
    W_PDP_WAIT  = 4'd12,
    W_PDP_DONE  = 4'd13,  // PDPTE load: cycle D
    W_PDPM_REQ  = 4'd14,  // only in the PMMU_MUTANT_PDPTE_FROM_MEMORY build: a PDPTE read
    W_PDPM_WAIT = 4'd15   //   from memory at the start of every PAE walk
  } wstate_e;

  wstate_e                  state_q, state_d;
  wstate_e                  st;        // effective state: IDLE + start_i acts as PDE_REQ
  logic [63:0]              pde_q, pde_d;
  logic [63:0]              pte_q, pte_d;
  logic                     large_q, large_d;
  pmmu_pkg::wres_t          res_q, res_d;
  logic [pmmu_pkg::ECW-1:0] ec_q, ec_d;
  logic                     fpend_q, fpend_d;  // A_ON_FAULT mutant only: fault after the CAS

  // PDPTE registers (P and PA[35:12] of each) and the load in progress
  logic [3:0]               pdpte_p_q, pdpte_p_d;
  logic [4*24-1:0]          pdpte_base_q, pdpte_base_d;
  logic [3:0]               sh_p_q, sh_p_d;          // the values read by the running load
  logic [4*24-1:0]          sh_base_q, sh_base_d;
  logic [1:0]               pdp_idx_q, pdp_idx_d;
  logic [26:0]              pdp_addr_q, pdp_addr_d;  // CR3[31:5] of the load command
  logic                     pdp_gp_q, pdp_gp_d;
  logic [63:0]              pdpm_q, pdpm_d;          // PDPTE_FROM_MEMORY mutant only

  logic        pae, xd_en;
  assign pae   = cr4_pae_i;
  assign xd_en = cr4_pae_i & efer_nxe_i;

  logic        is_write;
  assign is_write = (acc_i == pmmu_pkg::ACC_WRITE);

  // 32-bit paging: 4-byte entries, the upper half of the data bus is not used; PAE: 8 bytes.
  logic [63:0] rdata;
  assign rdata = pae ? mem_resp_data_i : {32'b0, mem_resp_data_i[31:0]};

  // The PDPTE register of la_i: PA[35:12] of its page directory
  logic [23:0] pdpte_base_sel;
  logic        pdpte_p_sel;
  always_comb begin
    pdpte_base_sel = '0;
    pdpte_p_sel    = 1'b0;
    for (int i = 0; i < 4; i++) begin
      if (la_i[31:30] == 2'(i)) begin
        pdpte_base_sel = pdpte_base_q[i*24 +: 24];
        pdpte_p_sel    = pdpte_p_q[i];
      end
    end
  end

  // Entry addresses of this walk
  logic [pmmu_pkg::PAW-1:0] pde_addr, pte_addr;
  logic [23:0]              pd_base;   // PAE: PA[35:12] of the page directory
`ifdef PMMU_MUTANT_PDPTE_FROM_MEMORY
  assign pd_base    = pdpm_q[35:12];   // MUTANT: the PDPTE read from memory by this walk
  assign pdpte_np_o = 1'b0;
  logic unused_pdpte_sel;
  assign unused_pdpte_sel = ^{pdpte_base_sel, pdpte_p_sel};
`else
  assign pd_base    = pdpte_base_sel;
  assign pdpte_np_o = ~pdpte_p_sel;
`endif
  always_comb begin
    if (pae) begin
      pde_addr = {pd_base, la_i[29:21], 3'b000};
      pte_addr = {pde_q[35:12], la_i[20:12], 3'b000};
    end else begin
      pde_addr = {4'b0, cr3_i[31:12], la_i[31:22], 2'b00};
      pte_addr = {4'b0, pde_q[31:12], la_i[21:12], 2'b00};
    end
  end

  // Reserved bits of a present entry (rdata)
  logic rsvd_pae;     // PAE PDE/PTE: 62:36, and 63 without NXE
  logic rsvd_2m;      // PAE 2 MiB PDE: 20:13
`ifdef PMMU_MUTANT_BIT63_NOT_RESERVED
  assign rsvd_pae = |rdata[pmmu_pkg::E_RSVDPAE_HI:pmmu_pkg::E_RSVDPAE_LO];  // MUTANT: bit 63 never reserved
`else
  assign rsvd_pae = (|rdata[pmmu_pkg::E_RSVDPAE_HI:pmmu_pkg::E_RSVDPAE_LO]) |
                    (rdata[pmmu_pkg::E_XD] & ~efer_nxe_i);
`endif
  assign rsvd_2m  = |rdata[pmmu_pkg::E_RSVD2M_HI:pmmu_pkg::E_RSVD2M_LO];

  // a PDPTE read by the load: present with a reserved bit (2:1, 8:5, 63:36)
  logic pdpte_bad;
  assign pdpte_bad = mem_resp_data_i[pmmu_pkg::E_P] &
                     (|(mem_resp_data_i & 64'hFFFF_FFF0_0000_01E6));

  // ---------------------------------------------------------------------------
  // Entry helpers
  // ---------------------------------------------------------------------------
  // value of an entry with A set, and D too when set_d
  function automatic logic [63:0] with_ad(logic [63:0] e, logic set_d);
    with_ad = e;
    with_ad[pmmu_pkg::E_A] = 1'b1;
    if (set_d) with_ad[pmmu_pkg::E_D] = 1'b1;
  endfunction

  // the rights of the path: large leaf = the PDE alone; else PDE combined with PTE
  logic [63:0] rt_pde, rt_pte;   // entries the rights come from at the leaf response
  logic        rt_large;
  logic        rt_u, rt_w, rt_x;

  always_comb begin
    // a 4 MiB leaf is judged at the PDE response, a 4 KiB leaf at the PTE response
    rt_large = (st == W_PDE_WAIT);
    rt_pde   = rt_large ? rdata : pde_q;
    rt_pte   = rdata;
    if (rt_large) begin
      rt_u = rt_pde[pmmu_pkg::E_US];
      rt_w = rt_pde[pmmu_pkg::E_RW];
      rt_x = ~(xd_en & rt_pde[pmmu_pkg::E_XD]);
    end else begin
      rt_x = ~(xd_en & (rt_pde[pmmu_pkg::E_XD] | rt_pte[pmmu_pkg::E_XD]));
`ifdef PMMU_MUTANT_US_OR
      rt_u = rt_pde[pmmu_pkg::E_US] | rt_pte[pmmu_pkg::E_US];   // MUTANT: U/S combined with OR
`else
      rt_u = rt_pde[pmmu_pkg::E_US] & rt_pte[pmmu_pkg::E_US];
`endif
      rt_w = rt_pde[pmmu_pkg::E_RW] & rt_pte[pmmu_pkg::E_RW];
    end
  end

  logic           perm_fault;
  logic [pmmu_pkg::ECW-1:0] ec_base;

  pmmu_perm u_perm (
    .u_i        (rt_u),
    .w_i        (rt_w),
`ifdef PMMU_MUTANT_XD_IGNORED
    .x_i        (1'b1 | rt_x),   // MUTANT: XD never denies a fetch
`else
    .x_i        (rt_x),          // 1 unless PAE with NXE and an XD bit
`endif
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
  always_comb begin
    ec_np   = ec_base;
    ec_prot = ec_base;
    ec_prot[pmmu_pkg::EC_P] = 1'b1;
    ec_rsvd = ec_prot;
    ec_rsvd[pmmu_pkg::EC_RSVD] = 1'b1;
  end

  // CAS values: the PDE gets A (and D for a write to a 4 MiB page); the PTE A (and D).
  // A faulting walk (mutant only) would set A alone.
  logic        set_d;
  logic [63:0] pde_new, pte_new;
  assign set_d   = is_write & ~fpend_q;
  assign pde_new = with_ad(pde_q, large_q & set_d);
  assign pte_new = with_ad(pte_q, set_d);

  logic done_next_is_extra;
`ifdef PMMU_MUTANT_WALK_EXTRA_CYCLE
  assign done_next_is_extra = 1'b1;   // MUTANT: one more cycle before every result
`else
  assign done_next_is_extra = 1'b0;
`endif

  wstate_e s_done;
  assign s_done = done_next_is_extra ? W_EXTRA : W_DONE;

  // ---------------------------------------------------------------------------
  // State machine
  // ---------------------------------------------------------------------------
  always_comb begin
    st = state_q;
    if (state_q == W_IDLE && load_i) st = W_PDP_REQ;
    else if (state_q == W_IDLE && start_i) begin
`ifdef PMMU_MUTANT_PDPTE_FROM_MEMORY
      st = pae ? W_PDPM_REQ : W_PDE_REQ;
`else
      st = W_PDE_REQ;
`endif
    end
  end

  logic rsvd_4m;
`ifdef PMMU_MUTANT_NO_RSVD_CHECK
  assign rsvd_4m = 1'b0;              // MUTANT: 4 MiB reserved bits not checked
  logic unused_rsvd;
  assign unused_rsvd = ^rdata[pmmu_pkg::E_RSVD4M_HI:pmmu_pkg::E_RSVD4M_LO];
`else
  assign rsvd_4m = |rdata[pmmu_pkg::E_RSVD4M_HI:pmmu_pkg::E_RSVD4M_LO];
`endif

  // the PDE response: a large page? a reserved bit?
  logic pde_large, pde_rsvd;
  assign pde_large = pae ? rdata[pmmu_pkg::E_PS] : (cr4_pse_i & rdata[pmmu_pkg::E_PS]);
  assign pde_rsvd  = pae ? (rsvd_pae | (rdata[pmmu_pkg::E_PS] & rsvd_2m))
                         : (pde_large & rsvd_4m);

  always_comb begin
    state_d = state_q;
    pde_d   = pde_q;
    pte_d   = pte_q;
    large_d = large_q;
    res_d   = res_q;
    ec_d    = ec_q;
    fpend_d = fpend_q;
    pdpte_p_d    = pdpte_p_q;
    pdpte_base_d = pdpte_base_q;
    sh_p_d       = sh_p_q;
    sh_base_d    = sh_base_q;
    pdp_idx_d    = pdp_idx_q;
    pdp_addr_d   = pdp_addr_q;
    pdp_gp_d     = pdp_gp_q;
    pdpm_d       = pdpm_q;

    unique case (st)
      W_IDLE: ;

      W_PDE_REQ: begin
        large_d = 1'b0;
        fpend_d = 1'b0;
        // Leave IDLE even while the memory holds the request back: the lookup that started
        // this walk must not run again in the next cycle (it would drop another entry).
        if (mem_req_ready_i) state_d = W_PDE_WAIT;
        else                 state_d = W_PDE_REQ;
      end

      W_PDE_WAIT: begin
        if (mem_resp_valid_i) begin
          pde_d = rdata;
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = s_done;
          end else if (!rdata[pmmu_pkg::E_P]) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_np;
            state_d = s_done;
          end else if (pde_rsvd) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_rsvd;
            state_d = s_done;
          end else if (pde_large) begin
            // 4 MiB (or PAE 2 MiB) page: the PDE is the leaf
            large_d = 1'b1;
            if (perm_fault) begin
              res_d   = pmmu_pkg::WRES_PF;
              ec_d    = ec_prot;
              state_d = s_done;
`ifdef PMMU_MUTANT_A_ON_FAULT
              // MUTANT: the faulting walk still sets A
              if (!rdata[pmmu_pkg::E_A]) begin
                fpend_d = 1'b1;
                state_d = W_CASD_REQ;
              end
`endif
            end else if (with_ad(rdata, is_write) != rdata) begin
              res_d   = pmmu_pkg::WRES_OK;
              state_d = W_CASD_REQ;
            end else begin
              res_d   = pmmu_pkg::WRES_OK;
              state_d = s_done;
            end
          end else begin
            state_d = W_PTE_REQ;
          end
        end
      end

      W_PTE_REQ: begin
        if (mem_req_ready_i) state_d = W_PTE_WAIT;
      end

      W_PTE_WAIT: begin
        if (mem_resp_valid_i) begin
          pte_d = rdata;
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = s_done;
          end else if (!rdata[pmmu_pkg::E_P]) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_np;
            state_d = s_done;
          end else if (pae && rsvd_pae) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_rsvd;
            state_d = s_done;
          end else if (perm_fault) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_prot;
            state_d = s_done;
`ifdef PMMU_MUTANT_A_ON_FAULT
            // MUTANT: the faulting walk still sets A
            if (!pde_q[pmmu_pkg::E_A] || !rdata[pmmu_pkg::E_A]) begin
              fpend_d = 1'b1;
              if (!pde_q[pmmu_pkg::E_A]) state_d = W_CASD_REQ;
              else state_d = W_CAST_REQ;
            end
`endif
          end else begin
            res_d = pmmu_pkg::WRES_OK;
            if (!pde_q[pmmu_pkg::E_A]) begin
              state_d = W_CASD_REQ;
            end else if (with_ad(rdata, is_write) != rdata) begin
              state_d = W_CAST_REQ;
            end else begin
              state_d = s_done;
            end
          end
        end
      end

      W_CASD_REQ: begin
        if (mem_req_ready_i) state_d = W_CASD_WAIT;
      end

      W_CASD_WAIT: begin
        if (mem_resp_valid_i) begin
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = s_done;
          end else if (rdata != pde_q) begin
            state_d = W_PDE_REQ;          // memory changed: restart from the top
          end else if (!large_q && pte_new != pte_q) begin
            state_d = W_CAST_REQ;
          end else begin
            state_d = s_done;
          end
        end
      end

      W_CAST_REQ: begin
        if (mem_req_ready_i) state_d = W_CAST_WAIT;
      end

      W_CAST_WAIT: begin
        if (mem_resp_valid_i) begin
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = s_done;
          end else if (rdata != pte_q) begin
            state_d = W_PDE_REQ;          // memory changed: restart from the top
          end else begin
            state_d = s_done;
          end
        end
      end

      W_EXTRA: state_d = W_DONE;

      W_DONE: state_d = W_IDLE;

      // ---- PDPTE load (T11) ----
      W_PDP_REQ: begin
        if (state_q == W_IDLE) begin    // the command's cycle c: start the load
          pdp_idx_d  = 2'd0;
          pdp_gp_d   = 1'b0;
          pdp_addr_d = cr3_i[31:5];
        end
        if (mem_req_ready_i) state_d = W_PDP_WAIT;
        else                 state_d = W_PDP_REQ;
      end

      W_PDP_WAIT: begin
        if (mem_resp_valid_i) begin
          for (int i = 0; i < 4; i++) begin
            if (pdp_idx_q == 2'(i)) begin
              sh_p_d[i]             = mem_resp_data_i[pmmu_pkg::E_P];
              sh_base_d[i*24 +: 24] = mem_resp_data_i[35:12];
            end
          end
          if (mem_resp_err_i || pdpte_bad) pdp_gp_d = 1'b1;
          pdp_idx_d = pdp_idx_q + 2'd1;
          if (pdp_idx_q == 2'd3) state_d = W_PDP_DONE;
          else                   state_d = W_PDP_REQ;
        end
      end

      W_PDP_DONE: begin
        if (!pdp_gp_q) begin            // all four good: the registers take them
          pdpte_p_d    = sh_p_q;
          pdpte_base_d = sh_base_q;
        end
        state_d = W_IDLE;
      end

      // ---- PDPTE_FROM_MEMORY mutant: a PDPTE read at the start of every PAE walk ----
      W_PDPM_REQ: begin
        large_d = 1'b0;
        fpend_d = 1'b0;
        if (mem_req_ready_i) state_d = W_PDPM_WAIT;
        else                 state_d = W_PDPM_REQ;
      end

      W_PDPM_WAIT: begin
        if (mem_resp_valid_i) begin
          pdpm_d = mem_resp_data_i;
          if (mem_resp_err_i) begin
            res_d   = pmmu_pkg::WRES_BUSERR;
            state_d = s_done;
          end else if (!mem_resp_data_i[pmmu_pkg::E_P]) begin
            res_d   = pmmu_pkg::WRES_PF;
            ec_d    = ec_np;
            state_d = s_done;
          end else begin
            state_d = W_PDE_REQ;
          end
        end
      end

      default: state_d = W_IDLE;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= W_IDLE;
      pde_q   <= '0;
      pte_q   <= '0;
      large_q <= 1'b0;
      res_q   <= pmmu_pkg::WRES_OK;
      ec_q    <= '0;
      fpend_q <= 1'b0;
      pdpte_p_q  <= '0;
      pdp_idx_q  <= '0;
      pdp_gp_q   <= 1'b0;
    end else begin
      state_q <= state_d;
      pde_q   <= pde_d;
      pte_q   <= pte_d;
      large_q <= large_d;
      res_q   <= res_d;
      ec_q    <= ec_d;
      fpend_q <= fpend_d;
      pdpte_p_q  <= pdpte_p_d;
      pdp_idx_q  <= pdp_idx_d;
      pdp_gp_q   <= pdp_gp_d;
    end
  end

  // payload registers without reset (read only after a load / walk wrote them)
  always_ff @(posedge clk_i) begin
    pdpte_base_q <= pdpte_base_d;
    sh_p_q       <= sh_p_d;
    sh_base_q    <= sh_base_d;
    pdp_addr_q   <= pdp_addr_d;
    pdpm_q       <= pdpm_d;
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
      W_PDE_REQ: begin
        mem_req_valid_o = 1'b1;
        mem_req_pa_o    = pde_addr;
      end
      W_PTE_REQ: begin
        mem_req_valid_o = 1'b1;
        mem_req_pa_o    = pte_addr;
      end
      W_PDP_REQ: begin
        mem_req_valid_o = 1'b1;
        mem_req_size_o  = pmmu_pkg::MEM_SIZE8;
        if (state_q == W_IDLE) mem_req_pa_o = {4'b0, cr3_i[31:5], 2'd0, 3'b000};
        else                   mem_req_pa_o = {4'b0, pdp_addr_q, pdp_idx_q, 3'b000};
      end
      W_PDPM_REQ: begin
        mem_req_valid_o = 1'b1;
        mem_req_size_o  = pmmu_pkg::MEM_SIZE8;
        mem_req_pa_o    = {4'b0, cr3_i[31:5], la_i[31:30], 3'b000};
      end
      W_CASD_REQ: begin
        mem_req_valid_o    = 1'b1;
        mem_req_pa_o       = pde_addr;
        mem_req_op_o       = pmmu_pkg::MEM_CAS;
        mem_req_expected_o = pde_q;
        mem_req_new_o      = pde_new;
      end
      W_CAST_REQ: begin
        mem_req_valid_o    = 1'b1;
        mem_req_pa_o       = pte_addr;
        mem_req_op_o       = pmmu_pkg::MEM_CAS;
        mem_req_expected_o = pte_q;
        mem_req_new_o      = pte_new;
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------------------
  // Result (cycle R): PA and TLB entry from the registered entries
  // ---------------------------------------------------------------------------
  assign idle_o = (state_q == W_IDLE);
  assign done_o = (state_q == W_DONE);
  assign pdp_busy_o = (state_q == W_PDP_REQ) | (state_q == W_PDP_WAIT);
  assign pdp_done_o = (state_q == W_PDP_DONE);
  assign pdp_gp_o   = pdp_gp_q;
  assign res_o  = res_q;
  assign ec_o   = ec_q;

  always_comb begin
    entry_o = '0;
`ifdef PMMU_MUTANT_XD_IGNORED
    entry_o[pmmu_pkg::TE_X] = 1'b1;   // MUTANT: XD ignored
`else
    if (large_q) entry_o[pmmu_pkg::TE_X] = ~(xd_en & pde_q[pmmu_pkg::E_XD]);
    else         entry_o[pmmu_pkg::TE_X] = ~(xd_en & (pde_q[pmmu_pkg::E_XD] | pte_q[pmmu_pkg::E_XD]));
`endif
    if (large_q) begin
      if (pae) pa_o = {pde_q[35:21], la_i[20:0]};
      else     pa_o = {pde_q[pmmu_pkg::E_PSE36_LO +: 4], pde_q[31:22], la_i[21:0]};
      entry_o[pmmu_pkg::TE_LARGE] = 1'b1;
      entry_o[pmmu_pkg::TE_2M]    = pae;
      entry_o[pmmu_pkg::TE_U]     = pde_q[pmmu_pkg::E_US];
      entry_o[pmmu_pkg::TE_W]     = pde_q[pmmu_pkg::E_RW];
      entry_o[pmmu_pkg::TE_D]     = pde_q[pmmu_pkg::E_D] | is_write;
      entry_o[pmmu_pkg::TE_G]     = pde_q[pmmu_pkg::E_G] & cr4_pge_i;
      entry_o[pmmu_pkg::TE_PWT]   = pde_q[pmmu_pkg::E_PWT];
      entry_o[pmmu_pkg::TE_PCD]   = pde_q[pmmu_pkg::E_PCD];
      entry_o[pmmu_pkg::TE_PAT]   = pde_q[pmmu_pkg::E_PAT_LARGE];
    end else begin
      if (pae) pa_o = {pte_q[35:12], la_i[11:0]};
      else     pa_o = {4'b0, pte_q[31:12], la_i[11:0]};
      entry_o[pmmu_pkg::TE_LARGE] = 1'b0;
`ifdef PMMU_MUTANT_US_OR
      entry_o[pmmu_pkg::TE_U]     = pde_q[pmmu_pkg::E_US] | pte_q[pmmu_pkg::E_US];
`else
      entry_o[pmmu_pkg::TE_U]     = pde_q[pmmu_pkg::E_US] & pte_q[pmmu_pkg::E_US];
`endif
      entry_o[pmmu_pkg::TE_W]     = pde_q[pmmu_pkg::E_RW] & pte_q[pmmu_pkg::E_RW];
      entry_o[pmmu_pkg::TE_D]     = pte_q[pmmu_pkg::E_D] | is_write;
      entry_o[pmmu_pkg::TE_G]     = pte_q[pmmu_pkg::E_G] & cr4_pge_i;
      entry_o[pmmu_pkg::TE_PWT]   = pte_q[pmmu_pkg::E_PWT];
      entry_o[pmmu_pkg::TE_PCD]   = pte_q[pmmu_pkg::E_PCD];
      entry_o[pmmu_pkg::TE_PAT]   = pte_q[pmmu_pkg::E_PAT];
    end
    if (res_q != pmmu_pkg::WRES_OK) begin
      pa_o = '0;
    end
    entry_o[pmmu_pkg::TE_FRAME_LO +: pmmu_pkg::FRW] = pa_o[pmmu_pkg::PAW-1:12];
  end

  logic unused_w;
  assign unused_w = ^{pde_q[62:36], pte_q[62:36], cr3_i[4:0], pdpm_q};

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
`ifndef SYNTHESIS
  logic                 mreq_hold_q;
  logic [pmmu_pkg::PAW-1:0]       mreq_pa_q;
  pmmu_pkg::mem_op_t    mreq_op_q;
  pmmu_pkg::mem_size_t  mreq_size_q;
  logic [63:0]          mreq_exp_q, mreq_new_q;
  logic                 cas_since_start_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      mreq_hold_q       <= 1'b0;
      cas_since_start_q <= 1'b0;
    end else begin
      mreq_hold_q <= mem_req_valid_o & ~mem_req_ready_i;
      mreq_pa_q   <= mem_req_pa_o;
      mreq_op_q   <= mem_req_op_o;
      mreq_size_q <= mem_req_size_o;
      mreq_exp_q  <= mem_req_expected_o;
      mreq_new_q  <= mem_req_new_o;
      if (st == W_PDE_REQ) begin
        cas_since_start_q <= 1'b0;
      end else if (mem_req_valid_o && mem_req_ready_i && mem_req_op_o == pmmu_pkg::MEM_CAS) begin
        cas_since_start_q <= 1'b1;
      end

      // a presented memory request stays valid, with a stable payload, until accepted
      if (mreq_hold_q) begin
        assert (mem_req_valid_o) else $error("pmmu_walker: mem_req_valid dropped before ready");
        assert (mem_req_pa_o == mreq_pa_q && mem_req_op_o == mreq_op_q &&
                mem_req_size_o == mreq_size_q && mem_req_expected_o == mreq_exp_q &&
                mem_req_new_o == mreq_new_q)
          else $error("pmmu_walker: memory request payload changed before ready");
      end
      // responses only come to an accepted request
      assert (!mem_resp_valid_i || st == W_PDE_WAIT || st == W_PTE_WAIT ||
              st == W_CASD_WAIT || st == W_CAST_WAIT || st == W_PDP_WAIT || st == W_PDPM_WAIT)
        else $error("pmmu_walker: memory response without an outstanding request");
      // start only from idle
      assert (!start_i || state_q == W_IDLE) else $error("pmmu_walker: start while busy");
      assert (!load_i || (state_q == W_IDLE && !start_i))
        else $error("pmmu_walker: PDPTE load while a walk or load runs");
`ifndef PMMU_MUTANT_A_ON_FAULT
      // a walk that ends in a #PF has made no CAS since its last (re)start
      assert (!(state_q == W_DONE && res_q == pmmu_pkg::WRES_PF && cas_since_start_q))
        else $error("pmmu_walker: a faulting walk issued a compare-and-swap");
      assert (!(mem_req_valid_o && mem_req_op_o == pmmu_pkg::MEM_CAS && fpend_q))
        else $error("pmmu_walker: CAS issued for a faulting walk");
`else
      if (cas_since_start_q) begin end  // the check is off in this mutant
`endif
    end
  end
`endif

endmodule
