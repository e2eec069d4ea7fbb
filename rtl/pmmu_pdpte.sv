// pmmu_pdpte: the four PAE PDPTE registers and their load command (x86-paging.md section 4,
// docs/timing.md T11).
//
// The load (load_i, the flush port's FLUSH_LOAD_PDPTE in the command's cycle c) reads the
// four 8-byte PDPTEs at CR3[31:5] one after the other on the walk memory port, the first
// presented in c, every next one in the cycle after the previous response, and reports in
// D = Q4 + 1 (done_o, with gp_o for #GP(0)). The registers change in D only when no present
// PDPTE had a reserved bit (2:1, 8:5, 63:36) and no read had a bus error; otherwise they keep
// their values. pmmu_top accepts no request from c until D, so the walker is idle through a
// load and the two never share the memory port (asserted in pmmu_top).
//
// The walker and pmmu_top read the register that LA[31:30] picks (sel_p_o, sel_base_o): a
// not-present one is answered by pmmu_top in the lookup cycle without a walk.

`include "pmmu_assert.svh"

module pmmu_pdpte (
  input  logic                     clk_i,
  input  logic                     rst_ni,

  input  logic                     load_i,      // T11 command cycle c (no request in flight)
  input  logic [31:0]              cr3_i,       // CR3 of cycle c: the PDPT is at CR3[31:5]
  output logic                     busy_o,      // a load is running (cycles c+1 .. D-1)
  output logic                     done_o,      // cycle D of a load
  output logic                     gp_o,        // with done_o: refused, #GP(0)

  // the register LA[31:30] picks
  input  logic [1:0]               sel_i,
  output logic                     sel_p_o,     // its P bit
  output logic [23:0]              sel_base_o,  // PA[35:12] of its page directory

  // memory port (8-byte reads; shared with the walker through pmmu_top)
  output logic                     mem_req_valid_o,
  input  logic                     mem_req_ready_i,
  output logic [pmmu_pkg::PAW-1:0] mem_req_pa_o,
  input  logic                     mem_resp_valid_i,
  input  logic [63:0]              mem_resp_data_i,
  input  logic                     mem_resp_err_i
);

  typedef enum logic [1:0] {
    P_IDLE = 2'd0,
    P_REQ  = 2'd1,   // present the read of PDPTE idx_q (in c: PDPTE 0, from cr3_i)
    P_WAIT = 2'd2,   // wait for its response
    P_DONE = 2'd3    // cycle D
  } pstate_e;

  pstate_e         state_q, state_d;
  pstate_e         st;                    // effective state: IDLE + load_i acts as REQ (c)
  logic [3:0]      p_q, p_d;              // the registers: P and PA[35:12] of each
  logic [4*24-1:0] base_q, base_d;
  logic [3:0]      rd_p_q, rd_p_d;        // the values read by the running load
  logic [4*24-1:0] rd_base_q, rd_base_d;
  logic [1:0]      idx_q, idx_d;          // the PDPTE being read
  logic [26:0]     addr_q, addr_d;        // CR3[31:5] of the command
  logic            gp_q, gp_d;

  // a PDPTE read by the load: present with a reserved bit (2:1, 8:5, 63:36)
  logic bad;
  assign bad = mem_resp_data_i[pmmu_pkg::E_P] &
               (|(mem_resp_data_i & 64'hFFFF_FFF0_0000_01E6));

  assign st = (state_q == P_IDLE && load_i) ? P_REQ : state_q;

  always_comb begin
    state_d   = state_q;
    p_d       = p_q;
    base_d    = base_q;
    rd_p_d    = rd_p_q;
    rd_base_d = rd_base_q;
    idx_d     = idx_q;
    addr_d    = addr_q;
    gp_d      = gp_q;

    unique case (st)
      P_IDLE: ;

      P_REQ: begin
        if (state_q == P_IDLE) begin    // the command's cycle c: start the load
          idx_d  = 2'd0;
          gp_d   = 1'b0;
          addr_d = cr3_i[31:5];
        end
        if (mem_req_ready_i) state_d = P_WAIT;
        else                 state_d = P_REQ;
      end

      P_WAIT: begin
        if (mem_resp_valid_i) begin
          for (int i = 0; i < 4; i++) begin
            if (idx_q == 2'(i)) begin
              rd_p_d[i]             = mem_resp_data_i[pmmu_pkg::E_P];
              rd_base_d[i*24 +: 24] = mem_resp_data_i[35:12];
            end
          end
          if (mem_resp_err_i || bad) gp_d = 1'b1;
          idx_d = idx_q + 2'd1;
          if (idx_q == 2'd3) state_d = P_DONE;
          else               state_d = P_REQ;
        end
      end

      P_DONE: begin
        if (!gp_q) begin                // all four good: the registers take them
          p_d    = rd_p_q;
          base_d = rd_base_q;
        end
        state_d = P_IDLE;
      end

      default: state_d = P_IDLE;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= P_IDLE;
      p_q     <= '0;
      idx_q   <= '0;
      gp_q    <= 1'b0;
    end else begin
      state_q <= state_d;
      p_q     <= p_d;
      idx_q   <= idx_d;
      gp_q    <= gp_d;
    end
  end

  // payload registers without reset (read only after a load wrote them; P is reset)
  always_ff @(posedge clk_i) begin
    base_q    <= base_d;
    rd_p_q    <= rd_p_d;
    rd_base_q <= rd_base_d;
    addr_q    <= addr_d;
  end

  assign mem_req_valid_o = (st == P_REQ);
  assign mem_req_pa_o    = (state_q == P_IDLE) ? {4'b0, cr3_i[31:5], 2'd0, 3'b000}
                                               : {4'b0, addr_q, idx_q, 3'b000};

  assign busy_o = (state_q == P_REQ) | (state_q == P_WAIT);
  assign done_o = (state_q == P_DONE);
  assign gp_o   = gp_q;

  always_comb begin
    sel_p_o    = 1'b0;
    sel_base_o = '0;
    for (int i = 0; i < 4; i++) begin
      if (sel_i == 2'(i)) begin
        sel_p_o    = p_q[i];
        sel_base_o = base_q[i*24 +: 24];
      end
    end
  end

  logic unused_pdpte;
  assign unused_pdpte = ^cr3_i[4:0];

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  // T11: a load starts only when none runs
  `PMMU_ASSERT_NEVER(PdpteLoadWhileBusy, load_i && state_q != P_IDLE, clk_i, !rst_ni)
  // responses come only while a read is outstanding
  `PMMU_ASSERT(PdpteRespOnlyInWait, mem_resp_valid_i && st != P_IDLE |-> st == P_WAIT,
               clk_i, !rst_ni)

endmodule
