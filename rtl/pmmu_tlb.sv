// pmmu_tlb: the two TLB arrays of docs/tlb.md.
//
//  - 4 KiB pages: SETS x WAYS, set index LA[12 + log2(SETS) - 1 : 12], tag = the rest of
//    the page number LA[31 : 12 + log2(SETS)];
//  - large pages: LARGE entries, fully associative, tag LA[31:21] with a size bit: a 4 MiB
//    entry matches on LA[31:22] (tag bit 0 unused), a 2 MiB entry (PAE) on LA[31:21].
//
// Lookup is combinational on the array registers (a hit answers in the lookup cycle).
// Touch (hit), drop (rights denied / write to a clean entry), fill and flush all take
// effect at the closing edge of their cycle. A fill picks the lowest invalid way, else
// the policy's victim (pmmu_repl). Flushes and drops only clear valid bits.

`include "pmmu_assert.svh"

module pmmu_tlb #(
  parameter int SETS      = 16,
  parameter int WAYS      = 4,
  parameter int LARGE     = 8,
  parameter int POLICY    = pmmu_pkg::POL_PLRU,
  parameter logic [15:0] LFSR_SEED = 16'hACE1
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,

  // lookup (combinational)
  input  logic                  lk_valid_i,   // a lookup is made this cycle (assertions)
  input  logic [31:0]           lk_la_i,
  output logic                  lk_match_o,   // an entry maps lk_la_i
  output pmmu_pkg::tlb_entry_t      lk_entry_o,   // that entry (frame is PA[35:12] of lk_la_i)
  input  logic                  lk_touch_i,   // the match is a hit: touch its way
  input  logic                  lk_drop_i,    // the match is dropped: invalidate it

  // fill (end of the response cycle of a successful walk)
  input  logic                  fill_valid_i,
  input  logic [31:0]           fill_la_i,
  input  pmmu_pkg::tlb_entry_t      fill_entry_i,

  // flush command
  input  logic                  flush_valid_i,
  input  pmmu_pkg::flush_t      flush_kind_i,
  input  logic [31:0]           flush_la_i
);

  localparam int SB   = $clog2(SETS);
  localparam int IW   = (SB > 0) ? SB : 1;
  localparam int TAGW = 20 - SB;
  localparam int NE4  = SETS * WAYS;
  localparam int WLOG = $clog2(WAYS);
  localparam int WLW  = (WLOG > 0) ? WLOG : 1;
  localparam int LLOG = $clog2(LARGE);
  localparam int LLW  = (LLOG > 0) ? LLOG : 1;
  localparam int LTW  = 11;                   // large tag: LA[31:21]
  localparam int LFRW = pmmu_pkg::PAW - 21;   // large frame: PA[35:21] (bit 21 unused for 4 MiB)
  localparam int ATW  = pmmu_pkg::TE_ATW;     // {u, w, x, d, g, pwt, pcd, pat}
  localparam int FRW  = pmmu_pkg::FRW;

  // ---------------------------------------------------------------------------
  // Storage: flat vectors, one per field (no arrays of structs, see docs/toolchain.md)
  // ---------------------------------------------------------------------------
  logic [NE4-1:0]        v4_q, v4_d;
  logic [NE4*TAGW-1:0]   tag4_q, tag4_d;
  logic [NE4*FRW-1:0]    frame4_q, frame4_d;
  logic [NE4*ATW-1:0]    attr4_q, attr4_d;

  logic [LARGE-1:0]      vl_q, vl_d;
  logic [LARGE-1:0]      szl_q, szl_d;      // 1: a 2 MiB entry, 0: a 4 MiB entry
  logic [LARGE*LTW-1:0]  tagl_q, tagl_d;
  logic [LARGE*LFRW-1:0] framel_q, framel_d;
  logic [LARGE*ATW-1:0]  attrl_q, attrl_d;

  // does large entry e (tag, size) cover the LA?
  // (la_hi = LA[31:21])
  function automatic logic large_covers(logic [LTW-1:0] tag, logic sz2m, logic [LTW-1:0] la_hi);
    if (sz2m) large_covers = (tag == la_hi);
    else      large_covers = (tag[LTW-1:1] == la_hi[LTW-1:1]);
  endfunction

  // the set index of an LA: LA[12 + log2(SETS) - 1 : 12], 0 with one set
  function automatic logic [IW-1:0] set_of(logic [IW-1:0] la_12);
    set_of = (SB == 0) ? '0 : la_12;
  endfunction

  logic [ATW-1:0] fill_attr;
  assign fill_attr = fill_entry_i[pmmu_pkg::TE_ATW-1:0];  // {u, w, x, d, g, pwt, pcd, pat}

  // ---------------------------------------------------------------------------
  // Lookup
  // ---------------------------------------------------------------------------
  logic [IW-1:0]    lk_set;
  logic [TAGW-1:0]  lk_tag;
  logic [WAYS-1:0]  m4;
  logic [LARGE-1:0] ml;      // the large entry the lookup uses (one-hot or zero)
  logic [LARGE-1:0] ml_raw;  // every large entry that maps the address
  logic [WLW-1:0]   m4_way;
  logic [LLW-1:0]   ml_way;
  logic [ATW-1:0]   lk_attr;
  logic [FRW-1:0]   lk_frame;
  logic             lk_2m;

  assign lk_set = set_of(lk_la_i[12 +: IW]);
  assign lk_tag = lk_la_i[31 -: TAGW];

  // The ways of one set, selected by a constant-index mux per set (cheaper in gates than
  // variable part-selects of the flat vectors): for the lookup, the fill and INVLPG.
  logic [IW-1:0]        fill_set, fl_set;
  logic [WAYS-1:0]      lk_vs, fill_vs;
  logic [WAYS*TAGW-1:0] lk_tags, fl_tags;
  logic [WAYS*FRW-1:0]  lk_frames;
  logic [WAYS*ATW-1:0]  lk_attrs;

  always_comb begin
    lk_vs     = '0;
    lk_tags   = '0;
    lk_frames = '0;
    lk_attrs  = '0;
    fill_vs   = '0;
    fl_tags   = '0;
    for (int s = 0; s < SETS; s++) begin
      if (lk_set == IW'(s)) begin
        lk_vs     = v4_q[s*WAYS +: WAYS];
        lk_tags   = tag4_q[s*WAYS*TAGW +: WAYS*TAGW];
        lk_frames = frame4_q[s*WAYS*FRW +: WAYS*FRW];
        lk_attrs  = attr4_q[s*WAYS*ATW +: WAYS*ATW];
      end
      if (fill_set == IW'(s)) begin
        fill_vs = v4_q[s*WAYS +: WAYS];
      end
      if (fl_set == IW'(s)) begin
        fl_tags = tag4_q[s*WAYS*TAGW +: WAYS*TAGW];
      end
    end
  end

  always_comb begin
    m4       = '0;
    ml       = '0;
    m4_way   = '0;
    ml_way   = '0;
    lk_attr  = '0;
    lk_frame = '0;
    lk_2m    = 1'b0;
    for (int w = 0; w < WAYS; w++) begin
      m4[w] = lk_vs[w] && (lk_tags[w*TAGW +: TAGW] == lk_tag);
      if (m4[w]) begin
        m4_way   = WLW'(w);
        lk_attr  = lk_attr | lk_attrs[w*ATW +: ATW];
        lk_frame = lk_frame | lk_frames[w*FRW +: FRW];
      end
    end
    ml_raw   = '0;
    // Overlapping entries (a PDE changed size without INVLPG) are legal: docs/tlb.md says
    // the 4 KiB entry wins, then the lowest-numbered large entry.
    for (int e = 0; e < LARGE; e++) begin
      ml_raw[e] = vl_q[e] && large_covers(tagl_q[e*LTW +: LTW], szl_q[e], lk_la_i[31:21]);
      if (ml_raw[e] && !(|m4) && !(|ml)) begin
        ml[e]    = 1'b1;
        ml_way   = LLW'(e);
        lk_attr  = lk_attr | attrl_q[e*ATW +: ATW];
        lk_2m    = szl_q[e];
        if (szl_q[e]) lk_frame = lk_frame | {framel_q[e*LFRW +: LFRW], lk_la_i[20:12]};
        else          lk_frame = lk_frame | {framel_q[e*LFRW + 1 +: LFRW - 1], lk_la_i[21:12]};
      end
    end
  end

  assign lk_match_o = (|m4) | (|ml);

  always_comb begin
    lk_entry_o       = '0;
    lk_entry_o[pmmu_pkg::TE_FRAME_LO +: pmmu_pkg::FRW] = lk_frame;
    lk_entry_o[pmmu_pkg::TE_LARGE] = |ml;
    lk_entry_o[pmmu_pkg::TE_2M]    = lk_2m;
    lk_entry_o[pmmu_pkg::TE_ATW-1:0] = lk_attr;
  end

  // ---------------------------------------------------------------------------
  // Fill way selection: lowest invalid way, else the policy's victim
  // ---------------------------------------------------------------------------
  logic [WLW-1:0] fill4_way, victim4;
  logic [LLW-1:0] filll_way, victiml;
  logic           full4, fulll;

  assign fill_set = set_of(fill_la_i[12 +: IW]);

  always_comb begin
    full4     = 1'b1;
    fill4_way = victim4;
    for (int w = 0; w < WAYS; w++) begin
      if (full4 && !fill_vs[w]) begin
        full4     = 1'b0;
        fill4_way = WLW'(w);
      end
    end
    fulll     = 1'b1;
    filll_way = victiml;
    for (int e = 0; e < LARGE; e++) begin
      if (fulll && !vl_q[e]) begin
        fulll     = 1'b0;
        filll_way = LLW'(e);
      end
    end
  end

  logic fill4, filll;
  assign fill4 = fill_valid_i & ~fill_entry_i[pmmu_pkg::TE_LARGE];
  assign filll = fill_valid_i &  fill_entry_i[pmmu_pkg::TE_LARGE];

  // ---------------------------------------------------------------------------
  // Replacement state
  // ---------------------------------------------------------------------------
  logic           touch4, touchl;
  assign touch4 = lk_touch_i & (|m4);
  assign touchl = lk_touch_i & (|ml);

  pmmu_repl #(
    .NSETS     (SETS),
    .N         (WAYS),
    .POLICY    (POLICY),
    .LFSR_SEED (LFSR_SEED)
  ) u_repl4 (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .vset_i       (fill_set),
    .victim_o     (victim4),
    .upd_valid_i  (touch4 | fill4),
    .upd_fill_i   (fill4),
    .upd_victim_i (full4),
    .upd_set_i    (fill4 ? fill_set : lk_set),
    .upd_way_i    (fill4 ? fill4_way : m4_way)
  );

  pmmu_repl #(
    .NSETS     (1),
    .N         (LARGE),
    .POLICY    (POLICY),
    .LFSR_SEED (LFSR_SEED)
  ) u_repll (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .vset_i       (1'b0),
    .victim_o     (victiml),
    .upd_valid_i  (touchl | filll),
    .upd_fill_i   (filll),
    .upd_victim_i (fulll),
    .upd_set_i    (1'b0),
    .upd_way_i    (filll ? filll_way : ml_way)
  );

  // ---------------------------------------------------------------------------
  // Next state: drop, flush (valid bits only), then fill
  // ---------------------------------------------------------------------------
  logic [TAGW-1:0] fl_tag;
  logic [WAYS-1:0] fl_m4;
  assign fl_set = set_of(flush_la_i[12 +: IW]);
  assign fl_tag = flush_la_i[31 -: TAGW];

  always_comb begin
    for (int w = 0; w < WAYS; w++) begin
      fl_m4[w] = (fl_tags[w*TAGW +: TAGW] == fl_tag);
    end
  end

  always_comb begin
    v4_d     = v4_q;
    tag4_d   = tag4_q;
    frame4_d = frame4_q;
    attr4_d  = attr4_q;
    vl_d     = vl_q;
    szl_d    = szl_q;
    tagl_d   = tagl_q;
    framel_d = framel_q;
    attrl_d  = attrl_q;

    // drop the matching entry of this cycle's lookup
    if (lk_drop_i) begin
      for (int s = 0; s < SETS; s++) begin
        for (int w = 0; w < WAYS; w++) begin
          if (lk_set == IW'(s) && m4[w]) v4_d[s*WAYS + w] = 1'b0;
        end
      end
      for (int e = 0; e < LARGE; e++) begin
        if (ml[e]) vl_d[e] = 1'b0;
      end
    end

    // flush command
    if (flush_valid_i) begin
      unique case (flush_kind_i)
        pmmu_pkg::FLUSH_NONGLOBAL: begin
          for (int i = 0; i < NE4; i++) begin
            if (!attr4_q[i*ATW + pmmu_pkg::TE_G]) v4_d[i] = 1'b0;
          end
          for (int e = 0; e < LARGE; e++) begin
            if (!attrl_q[e*ATW + pmmu_pkg::TE_G]) vl_d[e] = 1'b0;
          end
        end
        pmmu_pkg::FLUSH_ALL: begin
          for (int i = 0; i < NE4; i++) v4_d[i] = 1'b0;  // loop: no 8k replication
          vl_d = '0;
        end
        pmmu_pkg::FLUSH_PAGE: begin
          for (int s = 0; s < SETS; s++) begin
            for (int w = 0; w < WAYS; w++) begin
              if (fl_set == IW'(s) && fl_m4[w]) v4_d[s*WAYS + w] = 1'b0;
            end
          end
          for (int e = 0; e < LARGE; e++) begin
            if (large_covers(tagl_q[e*LTW +: LTW], szl_q[e], flush_la_i[31:21])) vl_d[e] = 1'b0;
          end
        end
        default: ;  // reserved kind: no effect
      endcase
    end

    // fill (a flush in the same cycle cancels it in pmmu_top, T7)
    for (int s = 0; s < SETS; s++) begin
      for (int w = 0; w < WAYS; w++) begin
        if (fill4 && fill_set == IW'(s) && fill4_way == WLW'(w)) begin
          v4_d[s*WAYS + w]                   = 1'b1;
          tag4_d[(s*WAYS + w)*TAGW +: TAGW]  = fill_la_i[31 -: TAGW];
          frame4_d[(s*WAYS + w)*FRW +: FRW]  = fill_entry_i[pmmu_pkg::TE_FRAME_LO +: FRW];
          attr4_d[(s*WAYS + w)*ATW +: ATW]   = fill_attr;
        end
      end
    end
    for (int e = 0; e < LARGE; e++) begin
      if (filll && filll_way == LLW'(e)) begin
        vl_d[e]                   = 1'b1;
        tagl_d[e*LTW +: LTW]      = fill_la_i[31:21];
        szl_d[e]                  = fill_entry_i[pmmu_pkg::TE_2M];
        framel_d[e*LFRW +: LFRW]  = fill_entry_i[pmmu_pkg::TE_FRAME_LO + FRW - 1 -: LFRW];
        attrl_d[e*ATW +: ATW]     = fill_attr;
      end
    end
  end

  // Valid bits are reset; the payload needs no reset (never read while invalid).
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      for (int i = 0; i < NE4; i++) v4_q[i] <= 1'b0;
      vl_q <= '0;
    end else begin
      v4_q <= v4_d;
      vl_q <= vl_d;
    end
  end

  always_ff @(posedge clk_i) begin
    tag4_q   <= tag4_d;
    frame4_q <= frame4_d;
    attr4_q  <= attr4_d;
    tagl_q   <= tagl_d;
    framel_q <= framel_d;
    szl_q    <= szl_d;
    attrl_q  <= attrl_d;
  end

  // Unused: the low bits of a large fill's frame (PA[20:12] come from the LA).
  logic unused_fill;
  assign unused_fill = ^{fill_entry_i[pmmu_pkg::TE_FRAME_LO +: FRW - LFRW], fill_la_i[11:0], flush_la_i[11:0],
                         lk_la_i[11:0]};

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  `PMMU_ASSERT_INIT(TlbEntryWidth, $bits(pmmu_pkg::tlb_entry_t) == pmmu_pkg::TEW)
  // a 4 KiB set never holds two entries for one page (the large array may: docs/tlb.md)
  `PMMU_ASSERT(TlbOneMatch4k, lk_valid_i |-> $countones(m4) <= 1, clk_i, !rst_ni)
  `PMMU_ASSERT(TlbOneLargeSel, lk_valid_i |-> $countones(ml) <= 1, clk_i, !rst_ni)
  // a hit and a fill never share a cycle; a hit is not also dropped
  `PMMU_ASSERT_NEVER(TlbTouchAndFill, lk_touch_i && fill_valid_i, clk_i, !rst_ni)
  `PMMU_ASSERT_NEVER(TlbTouchAndDrop, lk_touch_i && lk_drop_i, clk_i, !rst_ni)
  `PMMU_ASSERT(TlbTouchDropMatch, lk_touch_i || lk_drop_i |-> lk_match_o, clk_i, !rst_ni)

endmodule
