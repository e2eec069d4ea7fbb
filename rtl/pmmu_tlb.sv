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
  input  logic                  fill_cycle_i, // the walk's result cycle: a fill may come in it
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
  localparam int NLOG = $clog2(NE4);
  localparam int NIW  = (NLOG > 0) ? NLOG : 1;
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
  logic [NE4*TAGW-1:0]   tag4_q;
  logic [NE4*FRW-1:0]    frame4_q;
  logic [NE4*ATW-1:0]    attr4_q;

  logic [LARGE-1:0]      vl_q, vl_d;
  logic [LARGE-1:0]      szl_q;             // 1: a 2 MiB entry, 0: a 4 MiB entry
  logic [LARGE*LTW-1:0]  tagl_q;
  logic [LARGE*LFRW-1:0] framel_q;
  logic [LARGE*ATW-1:0]  attrl_q;

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
  // variable part-selects of the flat vectors): for the lookup, the fill and INVLPG (page_inv).
  logic [IW-1:0]        fill_set, fl_set;
  logic [WAYS-1:0]      lk_vs, fill_vs;
  logic [WAYS*TAGW-1:0] lk_tags;
  logic [WAYS*FRW-1:0]  lk_frames;
  logic [WAYS*ATW-1:0]  lk_attrs;

  always_comb begin
    lk_vs     = '0;
    lk_tags   = '0;
    lk_frames = '0;
    lk_attrs  = '0;
    for (int s = 0; s < SETS; s++) begin
      if (lk_set == IW'(s)) begin
        lk_vs     = v4_q[s*WAYS +: WAYS];
        lk_tags   = tag4_q[s*WAYS*TAGW +: WAYS*TAGW];
        lk_frames = frame4_q[s*WAYS*FRW +: WAYS*FRW];
        lk_attrs  = attr4_q[s*WAYS*ATW +: WAYS*ATW];
      end
    end
  end

  // (separate blocks: the lookup's depends on registers only, the others on ports, and a
  // simulator re-runs a block whenever any of its inputs changes)
  always_comb begin
    fill_vs = '0;
    for (int s = 0; s < SETS; s++) begin
      if (fill_set == IW'(s)) fill_vs = v4_q[s*WAYS +: WAYS];
    end
  end

  // Every always_comb below writes only what it does not read (Icarus 11 re-runs a block on
  // its own transient writes; docs/rtl.md "Tool notes"): selections and encodings are
  // functions with automatic locals.

  // the index of the set bit of a one-hot (or zero) vector
  function automatic logic [WLW-1:0] enc_way(logic [WAYS-1:0] v);
    logic [WLW-1:0] r;
    r = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (v[w]) r = WLW'(w);
    end
    enc_way = r;
  endfunction

  // the index of the lowest set bit of v (0 when v is zero); the loop runs from the top
  // without a "found" flag (each iteration one test: cheaper to simulate, the same priority)
  function automatic logic [LLW-1:0] low_large(logic [LARGE-1:0] v);
    logic [LLW-1:0] r;
    r = '0;
    for (int e = LARGE - 1; e >= 0; e--) begin
      if (v[e]) r = LLW'(e);
    end
    low_large = r;
  endfunction

  // the OR of the rows of `rows` selected by `sel` (one-hot or zero: a mux)
  function automatic logic [ATW-1:0] sel_attr4(logic [WAYS-1:0] sel, logic [WAYS*ATW-1:0] rows);
    logic [ATW-1:0] r;
    r = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (sel[w]) r = r | rows[w*ATW +: ATW];
    end
    sel_attr4 = r;
  endfunction

  function automatic logic [FRW-1:0] sel_frame4(logic [WAYS-1:0] sel, logic [WAYS*FRW-1:0] rows);
    logic [FRW-1:0] r;
    r = '0;
    for (int w = 0; w < WAYS; w++) begin
      if (sel[w]) r = r | rows[w*FRW +: FRW];
    end
    sel_frame4 = r;
  endfunction

  for (genvar w = 0; w < WAYS; w++) begin : g_m4
    assign m4[w] = lk_vs[w] && (lk_tags[w*TAGW +: TAGW] == lk_tag);
  end
  for (genvar e = 0; e < LARGE; e++) begin : g_ml
    assign ml_raw[e] = vl_q[e] && large_covers(tagl_q[e*LTW +: LTW], szl_q[e], lk_la_i[31:21]);
  end

  // Overlapping entries (a PDE changed size without INVLPG) are legal: docs/tlb.md says
  // the 4 KiB entry wins, then the lowest-numbered large entry. The large entry is used
  // through its index (one row selected, not every row masked and ORed).
  logic            ml_hit;     // the lookup uses a large entry
  logic [LFRW-1:0] ml_frame;   // its frame field
  assign ml_hit   = ~(|m4) & (|ml_raw);
  assign ml_way   = low_large(ml_raw);
  assign ml       = ml_hit ? (LARGE'(1) << ml_way) : '0;
  assign ml_frame = framel_q[32'(ml_way)*LFRW +: LFRW];
  assign lk_2m    = ml_hit & szl_q[ml_way];
  assign m4_way   = enc_way(m4);
  // a 4 MiB entry: PA[21:12] from the LA, a 2 MiB entry: PA[20:12]
  assign lk_attr  = (|m4) ? sel_attr4(m4, lk_attrs)
                  : (ml_hit ? attrl_q[32'(ml_way)*ATW +: ATW] : '0);
  assign lk_frame = (|m4) ? sel_frame4(m4, lk_frames)
                  : (!ml_hit ? '0
                  : (lk_2m ? {ml_frame, lk_la_i[20:12]} : {ml_frame[LFRW-1:1], lk_la_i[21:12]}));

  assign lk_match_o = (|m4) | ml_hit;

  // the entry in the field order of pmmu_pkg (TE_*: attributes, LARGE, 2M, frame)
  assign lk_entry_o = {lk_frame, lk_2m, ml_hit, lk_attr};

  // ---------------------------------------------------------------------------
  // Fill way selection: lowest invalid way, else the policy's victim
  // ---------------------------------------------------------------------------
  logic [WLW-1:0] fill4_way, victim4;
  logic [LLW-1:0] filll_way, victiml;
  logic           full4, fulll;

  assign fill_set = set_of(fill_la_i[12 +: IW]);

  // the lowest clear bit of v (0 when v is all ones; from the top, no "found" flag)
  function automatic logic [WLW-1:0] free_way(logic [WAYS-1:0] v);
    logic [WLW-1:0] r;
    r = '0;
    for (int w = WAYS - 1; w >= 0; w--) begin
      if (!v[w]) r = WLW'(w);
    end
    free_way = r;
  endfunction

  function automatic logic [LLW-1:0] free_large(logic [LARGE-1:0] v);
    free_large = low_large(~v);
  endfunction

  assign full4     = &fill_vs;
  assign fill4_way = full4 ? victim4 : free_way(fill_vs);
  assign fulll     = &vl_q;
  assign filll_way = fulll ? victiml : free_large(vl_q);

  logic fill4, filll;
  assign fill4 = fill_valid_i & ~fill_entry_i[pmmu_pkg::TE_LARGE];
  assign filll = fill_valid_i &  fill_entry_i[pmmu_pkg::TE_LARGE];

  // ---------------------------------------------------------------------------
  // Replacement state
  // ---------------------------------------------------------------------------
  logic           touch4, touchl;
  assign touch4 = lk_touch_i & (|m4);
  assign touchl = lk_touch_i & ml_hit;

  // The update's set and way are chosen by fill_cycle_i (registers only) rather than by the
  // fill itself (which reads the flush inputs): a hit never comes in a fill cycle, so the
  // choice is the same whenever an update is made, and the new replacement row is computed
  // once per cycle from registers instead of again whenever an input changes.
  logic [IW-1:0]  upd4_set;
  logic [WLW-1:0] upd4_way;
  logic [LLW-1:0] updl_way;
  assign upd4_set = fill_cycle_i ? fill_set : lk_set;
  assign upd4_way = fill_cycle_i ? fill4_way : m4_way;
  assign updl_way = fill_cycle_i ? filll_way : ml_way;

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
    .upd_set_i    (upd4_set),
    .upd_way_i    (upd4_way)
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
    .upd_way_i    (updl_way)
  );

  // ---------------------------------------------------------------------------
  // Next state: drop, flush (valid bits only), then fill
  // ---------------------------------------------------------------------------
  logic [TAGW-1:0] fl_tag;
  assign fl_set = set_of(flush_la_i[12 +: IW]);
  assign fl_tag = flush_la_i[31 -: TAGW];

  // INVLPG in the 4 KiB array: the entries of set `set` whose tag is `tag` (a function, called
  // only in a FLUSH_PAGE cycle: the set's tags are not selected in the other cycles)
  function automatic logic [NE4-1:0] page_inv(logic [NE4*TAGW-1:0] tags, logic [IW-1:0] set,
                                              logic [TAGW-1:0] tag);
    logic [WAYS*TAGW-1:0] set_tags;
    logic [WAYS-1:0]      hit;
    set_tags = '0;
    for (int s = 0; s < SETS; s++) begin
      if (set == IW'(s)) set_tags = tags[s*WAYS*TAGW +: WAYS*TAGW];
    end
    for (int w = 0; w < WAYS; w++) hit[w] = (set_tags[w*TAGW +: TAGW] == tag);
    page_inv = '0;
    for (int s = 0; s < SETS; s++) begin
      if (set == IW'(s)) page_inv[s*WAYS +: WAYS] = hit;
    end
  endfunction

  // Valid bits: each entry's next value is its own: cleared by a drop or a flush, set by a
  // fill. The masks are built only for the entries a command names (the whole-array loops
  // run only in a flush's cycle), so the next state costs nothing in a cycle without one.
  logic [NE4-1:0]   drop4, inv4, set4;
  logic [LARGE-1:0] dropl, invl, setl;
  logic [NIW-1:0]   fill4_idx;        // the entry a 4 KiB fill writes: set * WAYS + way

  assign fill4_idx = NIW'(32'(fill_set) * WAYS + 32'(fill4_way));

  // drop the matching entry of this cycle's lookup
  always_comb begin
    drop4 = '0;
    if (lk_drop_i) begin
      for (int s = 0; s < SETS; s++) begin
        if (lk_set == IW'(s)) drop4[s*WAYS +: WAYS] = m4;
      end
    end
  end
  assign dropl = lk_drop_i ? ml : '0;

  // flush command
  always_comb begin
    inv4 = '0;
    invl = '0;
    if (flush_valid_i) begin
      unique case (flush_kind_i)
        pmmu_pkg::FLUSH_NONGLOBAL: begin
          for (int i = 0; i < NE4; i++) inv4[i] = !attr4_q[i*ATW + pmmu_pkg::TE_G];
          for (int e = 0; e < LARGE; e++) invl[e] = !attrl_q[e*ATW + pmmu_pkg::TE_G];
        end
        pmmu_pkg::FLUSH_ALL: begin
          inv4 = '1;
          invl = '1;
        end
        pmmu_pkg::FLUSH_PAGE: begin
          inv4 = page_inv(tag4_q, fl_set, fl_tag);
          for (int e = 0; e < LARGE; e++) begin
            invl[e] = large_covers(tagl_q[e*LTW +: LTW], szl_q[e], flush_la_i[31:21]);
          end
        end
        default: ;  // reserved kind: no effect
      endcase
    end
  end

  // fill (a flush in the same cycle cancels it in pmmu_top, T7)
  always_comb begin
    set4 = '0;
    if (fill4) begin
      for (int i = 0; i < NE4; i++) set4[i] = (fill4_idx == NIW'(i));
    end
  end

  always_comb begin
    setl = '0;
    if (filll) begin
      for (int e = 0; e < LARGE; e++) setl[e] = (filll_way == LLW'(e));
    end
  end

  assign v4_d = (v4_q & ~(drop4 | inv4)) | set4;
  assign vl_d = (vl_q & ~(dropl | invl)) | setl;

  // Valid bits are reset; the payload needs no reset (never read while invalid).
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      v4_q <= '0;
      vl_q <= '0;
    end else begin
      v4_q <= v4_d;
      vl_q <= vl_d;
    end
  end

  // Payload: a fill writes its one entry (per-entry write enable set4 / setl); the others
  // keep theirs, and a cycle without a fill touches none.
  always_ff @(posedge clk_i) begin
    if (fill4) begin
      for (int i = 0; i < NE4; i++) begin
        if (set4[i]) begin
          tag4_q[i*TAGW +: TAGW] <= fill_la_i[31 -: TAGW];
          frame4_q[i*FRW +: FRW] <= fill_entry_i[pmmu_pkg::TE_FRAME_LO +: FRW];
          attr4_q[i*ATW +: ATW]  <= fill_attr;
        end
      end
    end
    if (filll) begin
      for (int e = 0; e < LARGE; e++) begin
        if (setl[e]) begin
          tagl_q[e*LTW +: LTW]     <= fill_la_i[31:21];
          szl_q[e]                 <= fill_entry_i[pmmu_pkg::TE_2M];
          framel_q[e*LFRW +: LFRW] <= fill_entry_i[pmmu_pkg::TE_FRAME_LO + FRW - 1 -: LFRW];
          attrl_q[e*ATW +: ATW]    <= fill_attr;
        end
      end
    end
  end

  // Unused: the low bits of a large fill's frame (PA[20:12] come from the LA).
  logic unused_fill;
  assign unused_fill = ^{fill_entry_i[pmmu_pkg::TE_FRAME_LO +: FRW - LFRW], fill_la_i[11:0], flush_la_i[11:0],
                         lk_la_i[11:0]};

  // ---------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------
  `PMMU_ASSERT_INIT(TlbEntryWidth, $bits(pmmu_pkg::tlb_entry_t) == pmmu_pkg::TEW)
  // lk_entry_o is built as {frame, 2M, LARGE, attributes}
  `PMMU_ASSERT_INIT(TlbEntryLayout, pmmu_pkg::TE_LARGE == pmmu_pkg::TE_ATW &&
                    pmmu_pkg::TE_2M == pmmu_pkg::TE_LARGE + 1 &&
                    pmmu_pkg::TE_FRAME_LO == pmmu_pkg::TE_2M + 1)
  // a 4 KiB set never holds two entries for one page (the large array may: docs/tlb.md)
  `PMMU_ASSERT(TlbOneMatch4k, lk_valid_i |-> $countones(m4) <= 1, clk_i, !rst_ni)
  // a hit and a fill never share a cycle; a hit is not also dropped
  `PMMU_ASSERT_NEVER(TlbTouchAndFill, lk_touch_i && fill_valid_i, clk_i, !rst_ni)
  `PMMU_ASSERT(TlbFillInFillCycle, fill_valid_i |-> fill_cycle_i, clk_i, !rst_ni)
  `PMMU_ASSERT_NEVER(TlbTouchInFillCycle, lk_touch_i && fill_cycle_i, clk_i, !rst_ni)
  `PMMU_ASSERT_NEVER(TlbTouchAndDrop, lk_touch_i && lk_drop_i, clk_i, !rst_ni)
  `PMMU_ASSERT(TlbTouchDropMatch, lk_touch_i || lk_drop_i |-> lk_match_o, clk_i, !rst_ni)

endmodule
