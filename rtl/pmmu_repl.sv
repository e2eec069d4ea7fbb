// pmmu_repl: replacement state of one TLB array (docs/tlb.md "The policies").
//
// NSETS sets of N ways (the large-page array is one set of LARGE ways). POLICY selects
// tree pseudo-LRU (0), true LRU (1), FIFO (2) or the 16-bit Fibonacci LFSR (3).
// The victim is the policy's choice for set vset_i; the caller applies "invalid way first"
// and tells, with the update, whether the fill took the policy victim.
//
// Updates (at most one per cycle; a hit and a fill never share a cycle):
//   hit  (upd_valid_i & ~upd_fill_i): touch upd_way_i      (plru, lru)
//   fill (upd_valid_i &  upd_fill_i): touch upd_way_i      (plru, lru)
//                                     p = upd_way_i + 1     (fifo)
//                                     LFSR step if upd_victim_i (random)

`include "pmmu_assert.svh"

module pmmu_repl #(
  parameter int NSETS     = 16,
  parameter int N         = 4,
  parameter int POLICY    = 0,
  parameter logic [15:0] LFSR_SEED = 16'hACE1,
  // derived, not to be overridden
  parameter int LOG       = $clog2(N),
  parameter int LW        = (LOG > 0) ? LOG : 1,
  parameter int SB        = $clog2(NSETS),
  parameter int IW        = (SB > 0) ? SB : 1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [IW-1:0] vset_i,
  output logic [LW-1:0] victim_o,
  input  logic          upd_valid_i,
  input  logic          upd_fill_i,
  input  logic          upd_victim_i,
  input  logic [IW-1:0] upd_set_i,
  input  logic [LW-1:0] upd_way_i
);

  logic [LW-1:0] victim_raw;
  logic          unused_upd;

  if (N == 1) begin : g_one
    // One way: no state, the victim is way 0.
    assign victim_raw = '0;
    assign unused_upd = ^{vset_i, upd_valid_i, upd_fill_i, upd_victim_i, upd_set_i,
                          upd_way_i, clk_i, rst_ni, LFSR_SEED};

  end else if (POLICY == pmmu_pkg::POL_PLRU) begin : g_plru
    // N - 1 bits per set stored as a heap at indices 1 .. N-1 of an N-bit row
    // (index 0 is unused). 0: victim on the left (lower ways), 1: on the right.
    logic [NSETS*N-1:0] plru_q;
    logic [N-1:0]       vrow, urow, urow_d;

    // (the top bit of a node index is never read: the heap index of a leaf is N + way)
    /* verilator lint_off UNUSEDSIGNAL */
    // the victim of a row: follow the bits from the root (functions with automatic locals:
    // no always_comb reads what it writes, docs/rtl.md "Tool notes")
    function automatic logic [LW-1:0] plru_victim(logic [N-1:0] row);
      logic [LW:0] node;
      node = {{LW{1'b0}}, 1'b1};
      for (int l = 0; l < LOG; l++) begin
        node = {node[LW-1:0], row[node[LW-1:0]]};
      end
      plru_victim = node[LW-1:0];  // node - N: drop the top bit
    endfunction

    // a row touched at way `way`: every node on its path points away from it
    function automatic logic [N-1:0] plru_touch(logic [N-1:0] row, logic [LW-1:0] way);
      logic [N-1:0] r;
      logic [LW:0]  node;
      r    = row;
      node = {{LW{1'b0}}, 1'b1};
      for (int l = 0; l < LOG; l++) begin
        // point away from the touched way: 1 if it is in the left half
        r[node[LW-1:0]] = ~way[LOG-1-l];
        node = {node[LW-1:0], way[LOG-1-l]};
      end
      plru_touch = r;
    endfunction
    /* verilator lint_on UNUSEDSIGNAL */

    assign vrow       = plru_q[vset_i*N +: N];
    assign victim_raw = plru_victim(vrow);
    assign urow       = plru_q[upd_set_i*N +: N];
    assign urow_d     = plru_touch(urow, upd_way_i);

    // one set's row is written per update (per-set write enable)
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        plru_q <= '0;
      end else if (upd_valid_i) begin
        plru_q[upd_set_i*N +: N] <= urow_d;
      end
    end

    logic unused_plru;
    assign unused_plru = ^{upd_fill_i, upd_victim_i, vrow[0], urow_d[0], LFSR_SEED};

  end else if (POLICY == pmmu_pkg::POL_LRU) begin : g_lru
    // One rank per way, 0 = most recently used; the ranks of a set are a permutation.
    logic [NSETS*N*LW-1:0] rank_q;
    logic [N*LW-1:0]       vranks, uranks, uranks_d;

    // the way of rank N - 1 (the least recently used)
    function automatic logic [LW-1:0] lru_victim(logic [N*LW-1:0] ranks);
      logic [LW-1:0] r;
      r = '0;
      for (int j = 0; j < N; j++) begin
        if (ranks[j*LW +: LW] == LW'(N - 1)) r = LW'(j);
      end
      lru_victim = r;
    endfunction

    // the ranks after a touch of `way`: it becomes 0, the ways more recent than it age by one
    function automatic logic [N*LW-1:0] lru_touch(logic [N*LW-1:0] ranks, logic [LW-1:0] way);
      logic [N*LW-1:0] r;
      logic [LW-1:0]   urank;
      r     = ranks;
      urank = ranks[32'(way)*LW +: LW];
      for (int j = 0; j < N; j++) begin
        if (ranks[j*LW +: LW] < urank) r[j*LW +: LW] = ranks[j*LW +: LW] + 1'b1;
      end
      r[32'(way)*LW +: LW] = '0;
      lru_touch = r;
    endfunction

    assign vranks     = rank_q[vset_i*N*LW +: N*LW];
    assign victim_raw = lru_victim(vranks);
    assign uranks     = rank_q[upd_set_i*N*LW +: N*LW];
    assign uranks_d   = lru_touch(uranks, upd_way_i);

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        for (int s = 0; s < NSETS; s++) begin
          for (int j = 0; j < N; j++) begin
            rank_q[(s*N + j)*LW +: LW] <= LW'(j);
          end
        end
      end else if (upd_valid_i) begin
        rank_q[upd_set_i*N*LW +: N*LW] <= uranks_d;  // one set's ranks per update
      end
    end

    logic unused_lru;
    assign unused_lru = ^{upd_fill_i, upd_victim_i, LFSR_SEED};

  end else if (POLICY == pmmu_pkg::POL_FIFO) begin : g_fifo
    // One pointer per set; a fill into way w sets it to (w + 1) mod N.
    logic [NSETS*LW-1:0] ptr_q, ptr_d;

    assign victim_raw = ptr_q[vset_i*LW +: LW];

    always_comb begin
      ptr_d = ptr_q;
      if (upd_valid_i && upd_fill_i) begin
        ptr_d[upd_set_i*LW +: LW] = upd_way_i + 1'b1;  // N is a power of two
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        ptr_q <= '0;
      end else begin
        ptr_q <= ptr_d;
      end
    end

    logic unused_fifo;
    assign unused_fifo = ^{upd_victim_i, LFSR_SEED};

  end else begin : g_random  // POLICY == pmmu_pkg::POL_RANDOM
    // One 16-bit Fibonacci LFSR for the whole array, taps 16, 14, 13, 11, right-shifting:
    // bit = s[0] ^ s[2] ^ s[3] ^ s[5]; s = (s >> 1) | (bit << 15). Steps only when a fill
    // takes the victim from a full set.
    logic [15:0] lfsr_q, lfsr_d;

    assign victim_raw = lfsr_q[LW-1:0];

    always_comb begin
      lfsr_d = lfsr_q;
      if (upd_valid_i && upd_fill_i && upd_victim_i) begin
        lfsr_d = {lfsr_q[0] ^ lfsr_q[2] ^ lfsr_q[3] ^ lfsr_q[5], lfsr_q[15:1]};
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        lfsr_q <= LFSR_SEED;
      end else begin
        lfsr_q <= lfsr_d;
      end
    end

    logic unused_rand;
    assign unused_rand = ^{vset_i, upd_set_i, upd_way_i};
  end

  assign victim_o = victim_raw;

  `PMMU_ASSERT_INIT(ReplNPow2, N >= 1 && (N & (N - 1)) == 0)
  `PMMU_ASSERT_INIT(ReplNsetsPow2, NSETS >= 1 && (NSETS & (NSETS - 1)) == 0)
  `PMMU_ASSERT_INIT(ReplPolicy, POLICY <= pmmu_pkg::POL_RANDOM)
  `PMMU_ASSERT_INIT(ReplSeed, LFSR_SEED != 16'h0)

endmodule
