// tb_pmmu_file: pmmu_top driven from a port log, for simulators without DPI-C (Icarus
// Verilog 11) and for Verilator's own --binary --timing flow (rtl/tests/icarus/README.md).
//
// A port log (written by the C lockstep's RTL half, engine_set_port_log: pmmu_portlog) holds
// every input and output of pmmu_top in every cycle, reset included; `pmmu_portlog pack` turns
// it into one binary word per cycle, which this testbench reads with $fread into a memory (one
// read per CHUNK cycles), so that the time a run takes is the simulator's time on the RTL, not
// the parsing of text. It clocks the recorded inputs into the DUT cycle by cycle and checks, in
// every cycle after reset:
//   - the outputs against the recorded ones (the C lockstep checked those against the C
//     model): the valids (req_ready_o, resp_valid_o, mem_req_valid_o, pf_irq_o, pdpte_done_o)
//     always, each payload while its valid is high;
//   - 4 states: no X or Z on a valid, nor on any payload while its valid is high (!== on the
//     masked outputs; never true in a 2-state simulator).
// One comparison of the packed outputs per cycle; on a difference the signal-by-signal check
// prints the log's line, the cycle, the signal, its value and the expected one.
//
// Plusargs: +stim=FILE (the packed port log: required); +out=FILE writes
// the outputs seen, in the text port log's own format (a 2-state run's file equals the text
// log byte for byte); +max_errors=N (default 10) differences before it stops; +x_mem_resp=K
// drives the data of the K-th memory response (1 = the first) as all X, to show that the
// 4-state check catches it. The last line is "tb_pmmu_file: PASS: N cycles" or
// "tb_pmmu_file: FAIL: ..." (then $fatal: non-zero exit).
//
// Each row: the inputs are applied at the falling edge, the outputs checked 5 time units
// later, when the rising edge comes (before it); the next falling edge 5 units after that.

module tb_pmmu_file #(
  parameter int SETS   = 16,
  parameter int WAYS   = 4,
  parameter int LARGE  = 8,
  parameter int POLICY = 0,
  parameter int CHUNK  = 8192  // rows read from the packed log at a time
);
  logic clk_i = 1'b0;
  logic rst_ni = 1'b0;

  // ---- the DUT's ports ----
  logic        cr0_pg_i = 1'b0, cr0_wp_i = 1'b0;
  logic [31:0] cr3_i = '0;
  logic        cr4_pse_i = 1'b0, cr4_pae_i = 1'b0, cr4_pge_i = 1'b0;
  logic        cr4_smep_i = 1'b0, cr4_smap_i = 1'b0, efer_nxe_i = 1'b0;
  logic        req_valid_i = 1'b0, req_ready_o;
  logic [31:0] req_la_i = '0;
  logic [1:0]  req_acc_i = '0, req_priv_i = '0;
  logic        req_ac_i = 1'b0;
  logic        resp_valid_o;
  logic        resp_fault_o, resp_bus_err_o, resp_pwt_o, resp_pcd_o, resp_pat_o;
  logic [35:0] resp_pa_o;
  logic [4:0]  resp_ec_o;
  logic [1:0]  resp_tlb_o;
  logic        mem_req_valid_o, mem_req_size_o, mem_req_op_o;
  logic        mem_req_ready_i = 1'b0;
  logic [35:0] mem_req_pa_o;
  logic [63:0] mem_req_expected_o, mem_req_new_o;
  logic        mem_resp_valid_i = 1'b0, mem_resp_err_i = 1'b0;
  logic [63:0] mem_resp_data_i = '0;
  logic        flush_valid_i = 1'b0;
  logic [1:0]  flush_kind_i = '0;
  logic [31:0] flush_la_i = '0;
  logic        pdpte_done_o, pdpte_gp_o;
  logic        pf_irq_o;
  logic [31:0] pf_cr2_o;
  logic [4:0]  pf_ec_o;
  logic        pf_ack_i = 1'b0;

  pmmu_top #(.SETS(SETS), .WAYS(WAYS), .LARGE(LARGE), .POLICY(POLICY)) dut (.*);

  // ---- a row: the text log's 44 fields on whole hex digits, as one 540-bit word ----
  // rst_n, 22 inputs (59 digits), then 21 outputs (76 digits), in pmmu_top's port order; the
  // packed log holds each row as the 32-bit lanes of this word that changed
  localparam int IN_W = 59 * 4;
  localparam int OUT_W = 76 * 4;
  localparam int W = IN_W + OUT_W;
  localparam int LANES = 17;  // the row as 17 lanes of 32 bits (the top 4 bits 0)

  logic [31:0] words[CHUNK];  // a chunk of the packed log's body
  /* verilator lint_off UNUSEDSIGNAL */
  logic [LANES*32-1:0] row;   // the current row (bits 543:540 are 0)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] ctl;           // a row's control word
  logic [3:0] mask_valids;    // the recorded valids `mask` was made for
  logic [OUT_W-1:0] got, want, mask;

  // the fields of a row (each as wide as its digits; read as 64-bit words), for the
  // signal-by-signal check and +out only
  /* verilator lint_off UNUSEDSIGNAL */
  logic [63:0] r_rst_n;
  logic [63:0] i_cr0_pg, i_cr0_wp, i_cr3, i_cr4_pse, i_cr4_pae, i_cr4_pge, i_cr4_smep;
  logic [63:0] i_cr4_smap, i_efer_nxe, i_req_valid, i_req_la, i_req_acc, i_req_priv, i_req_ac;
  logic [63:0] i_mem_req_ready, i_mem_resp_valid, i_mem_resp_data, i_mem_resp_err;
  logic [63:0] i_flush_valid, i_flush_kind, i_flush_la, i_pf_ack;
  logic [63:0] o_req_ready, o_resp_valid, o_resp_pa, o_resp_fault, o_resp_ec, o_resp_bus_err;
  logic [63:0] o_resp_tlb, o_resp_pwt, o_resp_pcd, o_resp_pat, o_mem_req_valid, o_mem_req_pa;
  logic [63:0] o_mem_req_size, o_mem_req_op, o_mem_req_expected, o_mem_req_new, o_pf_irq;
  logic [63:0] o_pf_cr2, o_pf_ec, o_pdpte_done, o_pdpte_gp;
  // the padding above each 1-bit input in its digit
  logic [2:0]  z_rst, z_pg, z_wp, z_pse, z_pae, z_pge, z_smep, z_smap, z_nxe, z_rv, z_ac;
  logic [2:0]  z_mrr, z_mrv, z_mre, z_fv, z_ack;
  logic [1:0]  z_acc, z_priv, z_fk;
  /* verilator lint_on UNUSEDSIGNAL */

  reg [8*1024-1:0] stim_path, out_path;
  reg [8*255-1:0]  header, path;
  integer          fd, fo, n, line, cycle, errors, max_errors, rows, x_mem_resp, mem_resps;
  integer          p, chunk_words, words_left, rows_left, repeat_left;
  logic            have_out, done;
  // Never assigned: its value shows the initial state a simulator gives every variable (Icarus:
  // x; Verilator: 0, or random with --x-initial unique and +verilator+rand+reset+2).
  /* verilator lint_off UNDRIVEN */
  logic [63:0]     init_probe;
  /* verilator lint_on UNDRIVEN */

  // The row's fields, for the signal-by-signal check and +out.
  task automatic unpack;
    {r_rst_n, i_cr0_pg, i_cr0_wp, i_cr3, i_cr4_pse, i_cr4_pae, i_cr4_pge, i_cr4_smep,
     i_cr4_smap, i_efer_nxe, i_req_valid, i_req_la, i_req_acc, i_req_priv, i_req_ac,
     i_mem_req_ready, i_mem_resp_valid, i_mem_resp_data, i_mem_resp_err, i_flush_valid,
     i_flush_kind, i_flush_la, i_pf_ack, o_req_ready, o_resp_valid, o_resp_pa, o_resp_fault,
     o_resp_ec, o_resp_bus_err, o_resp_tlb, o_resp_pwt, o_resp_pcd, o_resp_pat, o_mem_req_valid,
     o_mem_req_pa, o_mem_req_size, o_mem_req_op, o_mem_req_expected, o_mem_req_new, o_pf_irq,
     o_pf_cr2, o_pf_ec, o_pdpte_done, o_pdpte_gp} = {
      60'h0, row[539:536], 60'h0, row[535:532], 60'h0, row[531:528], 32'h0, row[527:496],
      60'h0, row[495:492], 60'h0, row[491:488], 60'h0, row[487:484], 60'h0, row[483:480],
      60'h0, row[479:476], 60'h0, row[475:472], 60'h0, row[471:468], 32'h0, row[467:436],
      60'h0, row[435:432], 60'h0, row[431:428], 60'h0, row[427:424], 60'h0, row[423:420],
      60'h0, row[419:416], row[415:352], 60'h0, row[351:348], 60'h0, row[347:344],
      60'h0, row[343:340], 32'h0, row[339:308], 60'h0, row[307:304],
      60'h0, row[303:300], 60'h0, row[299:296], 28'h0, row[295:260], 60'h0, row[259:256],
      56'h0, row[255:248], 60'h0, row[247:244], 60'h0, row[243:240], 60'h0, row[239:236],
      60'h0, row[235:232], 60'h0, row[231:228], 60'h0, row[227:224], 28'h0, row[223:188],
      60'h0, row[187:184], 60'h0, row[183:180], row[179:116], row[115:52], 60'h0, row[51:48],
      32'h0, row[47:16], 56'h0, row[15:8], 60'h0, row[7:4], 60'h0, row[3:0]};
  endtask

  // The outputs as a packed word, on the same digits as the row's outputs (a net: Icarus
  // updates it when an output changes).
  wire [OUT_W-1:0] got_w = {
      3'b0, req_ready_o, 3'b0, resp_valid_o, resp_pa_o, 3'b0, resp_fault_o, 3'b0, resp_ec_o,
      3'b0, resp_bus_err_o, 2'b0, resp_tlb_o, 3'b0, resp_pwt_o, 3'b0, resp_pcd_o, 3'b0,
      resp_pat_o, 3'b0, mem_req_valid_o, mem_req_pa_o, 3'b0, mem_req_size_o, 3'b0, mem_req_op_o,
      mem_req_expected_o, mem_req_new_o, 3'b0, pf_irq_o, pf_cr2_o, 3'b0, pf_ec_o, 3'b0,
      pdpte_done_o, 3'b0, pdpte_gp_o};

  // What is checked in a row whose recorded valids are rv (resp), mv (mem_req), iv (pf_irq)
  // and dv (pdpte_done): the valids' digits always, each payload's digits while its recorded
  // valid is high (a valid that differs is caught by the valid's own digit, and the
  // signal-by-signal check then goes by the DUT's valid).
  function automatic logic [OUT_W-1:0] checked(input logic rv, input logic mv, input logic iv,
                                               input logic dv);
    return {4'hf, 4'hf, {36{rv}}, {4{rv}}, {8{rv}}, {4{rv}}, {4{rv}}, {4{rv}}, {4{rv}},
            {4{rv}}, 4'hf, {36{mv}}, {4{mv}}, {4{mv}}, {64{mv}}, {64{mv}}, 4'hf, {32{iv}},
            {8{iv}}, 4'hf, {4{dv}}};
  endfunction

  // A difference: printed, counted; the run stops after max_errors of them.
  task automatic differ(input reg [8*24-1:0] name, input logic [63:0] got_v,
                        input logic [63:0] want_v);
    $display("tb_pmmu_file: %0s:%0d: cycle %0d: %0s is %h, expected %h", path, line, cycle,
             name, got_v, want_v);
    errors = errors + 1;
  endtask

  // 4 states: a signal that must be known in this cycle is not.
  task automatic unknown(input reg [8*24-1:0] name, input logic [63:0] got_v);
    $display("tb_pmmu_file: %0s:%0d: cycle %0d: %0s is %h (X or Z) while it must be known",
             path, line, cycle, name, got_v);
    errors = errors + 1;
  endtask

  task automatic check_outputs;
    // the valids, in every cycle
    if ($isunknown(req_ready_o)) unknown("req_ready_o", 64'(req_ready_o));
    else if (64'(req_ready_o) != o_req_ready) differ("req_ready_o", 64'(req_ready_o), o_req_ready);
    if ($isunknown(resp_valid_o)) unknown("resp_valid_o", 64'(resp_valid_o));
    else if (64'(resp_valid_o) != o_resp_valid)
      differ("resp_valid_o", 64'(resp_valid_o), o_resp_valid);
    if ($isunknown(mem_req_valid_o)) unknown("mem_req_valid_o", 64'(mem_req_valid_o));
    else if (64'(mem_req_valid_o) != o_mem_req_valid)
      differ("mem_req_valid_o", 64'(mem_req_valid_o), o_mem_req_valid);
    if ($isunknown(pf_irq_o)) unknown("pf_irq_o", 64'(pf_irq_o));
    else if (64'(pf_irq_o) != o_pf_irq) differ("pf_irq_o", 64'(pf_irq_o), o_pf_irq);
    if ($isunknown(pdpte_done_o)) unknown("pdpte_done_o", 64'(pdpte_done_o));
    else if (64'(pdpte_done_o) != o_pdpte_done)
      differ("pdpte_done_o", 64'(pdpte_done_o), o_pdpte_done);
    // each payload while its valid is high
    if (resp_valid_o === 1'b1) begin
      if ($isunknown(resp_pa_o)) unknown("resp_pa_o", 64'(resp_pa_o));
      else if (64'(resp_pa_o) != o_resp_pa) differ("resp_pa_o", 64'(resp_pa_o), o_resp_pa);
      if ($isunknown(resp_fault_o)) unknown("resp_fault_o", 64'(resp_fault_o));
      else if (64'(resp_fault_o) != o_resp_fault)
        differ("resp_fault_o", 64'(resp_fault_o), o_resp_fault);
      if ($isunknown(resp_ec_o)) unknown("resp_ec_o", 64'(resp_ec_o));
      else if (64'(resp_ec_o) != o_resp_ec) differ("resp_ec_o", 64'(resp_ec_o), o_resp_ec);
      if ($isunknown(resp_bus_err_o)) unknown("resp_bus_err_o", 64'(resp_bus_err_o));
      else if (64'(resp_bus_err_o) != o_resp_bus_err)
        differ("resp_bus_err_o", 64'(resp_bus_err_o), o_resp_bus_err);
      if ($isunknown(resp_tlb_o)) unknown("resp_tlb_o", 64'(resp_tlb_o));
      else if (64'(resp_tlb_o) != o_resp_tlb) differ("resp_tlb_o", 64'(resp_tlb_o), o_resp_tlb);
      if ($isunknown(resp_pwt_o)) unknown("resp_pwt_o", 64'(resp_pwt_o));
      else if (64'(resp_pwt_o) != o_resp_pwt) differ("resp_pwt_o", 64'(resp_pwt_o), o_resp_pwt);
      if ($isunknown(resp_pcd_o)) unknown("resp_pcd_o", 64'(resp_pcd_o));
      else if (64'(resp_pcd_o) != o_resp_pcd) differ("resp_pcd_o", 64'(resp_pcd_o), o_resp_pcd);
      if ($isunknown(resp_pat_o)) unknown("resp_pat_o", 64'(resp_pat_o));
      else if (64'(resp_pat_o) != o_resp_pat) differ("resp_pat_o", 64'(resp_pat_o), o_resp_pat);
    end
    if (mem_req_valid_o === 1'b1) begin
      if ($isunknown(mem_req_pa_o)) unknown("mem_req_pa_o", 64'(mem_req_pa_o));
      else if (64'(mem_req_pa_o) != o_mem_req_pa)
        differ("mem_req_pa_o", 64'(mem_req_pa_o), o_mem_req_pa);
      if ($isunknown(mem_req_size_o)) unknown("mem_req_size_o", 64'(mem_req_size_o));
      else if (64'(mem_req_size_o) != o_mem_req_size)
        differ("mem_req_size_o", 64'(mem_req_size_o), o_mem_req_size);
      if ($isunknown(mem_req_op_o)) unknown("mem_req_op_o", 64'(mem_req_op_o));
      else if (64'(mem_req_op_o) != o_mem_req_op)
        differ("mem_req_op_o", 64'(mem_req_op_o), o_mem_req_op);
      if ($isunknown(mem_req_expected_o)) unknown("mem_req_expected_o", mem_req_expected_o);
      else if (mem_req_expected_o != o_mem_req_expected)
        differ("mem_req_expected_o", mem_req_expected_o, o_mem_req_expected);
      if ($isunknown(mem_req_new_o)) unknown("mem_req_new_o", mem_req_new_o);
      else if (mem_req_new_o != o_mem_req_new)
        differ("mem_req_new_o", mem_req_new_o, o_mem_req_new);
    end
    if (pf_irq_o === 1'b1) begin
      if ($isunknown(pf_cr2_o)) unknown("pf_cr2_o", 64'(pf_cr2_o));
      else if (64'(pf_cr2_o) != o_pf_cr2) differ("pf_cr2_o", 64'(pf_cr2_o), o_pf_cr2);
      if ($isunknown(pf_ec_o)) unknown("pf_ec_o", 64'(pf_ec_o));
      else if (64'(pf_ec_o) != o_pf_ec) differ("pf_ec_o", 64'(pf_ec_o), o_pf_ec);
    end
    if (pdpte_done_o === 1'b1) begin
      if ($isunknown(pdpte_gp_o)) unknown("pdpte_gp_o", 64'(pdpte_gp_o));
      else if (64'(pdpte_gp_o) != o_pdpte_gp) differ("pdpte_gp_o", 64'(pdpte_gp_o), o_pdpte_gp);
    end
  endtask

  // Opens the packed log: "// pmmu packed port log v2 ROWS WORDS", "// #HEADER",
  // "// TEXT_LOG"; the body's words follow (read by read_chunk).
  task automatic open_stim;
    fd = $fopen(stim_path, "rb");
    if (fd == 0) begin
      $display("tb_pmmu_file: FAIL: %0s: cannot open", stim_path);
      $fatal(1);
    end
    if ($fscanf(fd, "// pmmu packed port log v2 %d %d", rows_left, words_left) != 2 ||
        $fgetc(fd) != "\n" || rows_left < 1 || words_left < 1 || $fgetc(fd) != "/" ||
        $fgetc(fd) != "/" || $fgetc(fd) != " " || $fgetc(fd) != "#" || $fgets(header, fd) == 0 ||
        $fgetc(fd) != "/" || $fgetc(fd) != "/" || $fgetc(fd) != " " ||
        $fscanf(fd, "%s", path) != 1 || $fgetc(fd) != "\n") begin
      $display("tb_pmmu_file: FAIL: %0s: not a packed port log v2 (pmmu_portlog pack)",
               stim_path);
      $fatal(1);
    end
    p = 0;
    chunk_words = 0;
    repeat_left = 0;
    row = '0;
  endtask

  // The next chunk of the body into words[0 .. chunk_words - 1]; after the last one, the file
  // must end.
  task automatic read_chunk;
    if (words_left == 0) begin
      $display("tb_pmmu_file: FAIL: %0s: the rows go on after the last word", stim_path);
      $fatal(1);
    end
    chunk_words = words_left < CHUNK ? words_left : CHUNK;
    n = $fread(words, fd, 0, chunk_words);
    if (n != 4 * chunk_words) begin
      $display("tb_pmmu_file: FAIL: %0s: words missing (the file is cut short)", stim_path);
      $fatal(1);
    end
    words_left = words_left - chunk_words;
    p = 0;
    if (words_left == 0) begin
      if ($fgetc(fd) != -1) begin
        $display("tb_pmmu_file: FAIL: %0s: more after the last word", stim_path);
        $fatal(1);
      end
      $fclose(fd);
    end
  endtask


  // The outputs seen, as a line of the text log (in reset rows, which are not checked, the
  // recorded ones).
  task automatic write_out;
    unpack();
    if (!r_rst_n[0])
      $fwrite(fo, "%0d %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h  %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h\n",
              rst_ni, cr0_pg_i, cr0_wp_i, cr3_i, cr4_pse_i, cr4_pae_i, cr4_pge_i, cr4_smep_i,
              cr4_smap_i, efer_nxe_i, req_valid_i, req_la_i, req_acc_i, req_priv_i, req_ac_i,
              mem_req_ready_i, mem_resp_valid_i, mem_resp_data_i, mem_resp_err_i,
              flush_valid_i, flush_kind_i, flush_la_i, pf_ack_i, o_req_ready[0],
              o_resp_valid[0], o_resp_pa[35:0], o_resp_fault[0], o_resp_ec[7:0],
              o_resp_bus_err[0], o_resp_tlb[1:0], o_resp_pwt[0], o_resp_pcd[0], o_resp_pat[0],
              o_mem_req_valid[0], o_mem_req_pa[35:0], o_mem_req_size[0], o_mem_req_op[0],
              o_mem_req_expected, o_mem_req_new, o_pf_irq[0], o_pf_cr2[31:0], o_pf_ec[7:0],
              o_pdpte_done[0], o_pdpte_gp[0]);
    else
      $fwrite(fo, "%0d %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h  %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h\n",
              rst_ni, cr0_pg_i, cr0_wp_i, cr3_i, cr4_pse_i, cr4_pae_i, cr4_pge_i, cr4_smep_i,
              cr4_smap_i, efer_nxe_i, req_valid_i, req_la_i, req_acc_i, req_priv_i, req_ac_i,
              mem_req_ready_i, mem_resp_valid_i, mem_resp_data_i, mem_resp_err_i,
              flush_valid_i, flush_kind_i, flush_la_i, pf_ack_i, req_ready_o, resp_valid_o,
              resp_pa_o, resp_fault_o, {3'b000, resp_ec_o}, resp_bus_err_o, resp_tlb_o,
              resp_pwt_o, resp_pcd_o, resp_pat_o, mem_req_valid_o, mem_req_pa_o,
              mem_req_size_o, mem_req_op_o, mem_req_expected_o, mem_req_new_o, pf_irq_o,
              pf_cr2_o, {3'b000, pf_ec_o}, pdpte_done_o, pdpte_gp_o);
  endtask

  initial begin
    errors = 0;
    rows = 0;
    cycle = 0;
    line = 1;
    max_errors = 10;
    have_out = 1'b0;
    fo = 0;
    if (!$value$plusargs("stim=%s", stim_path)) begin
      $display("tb_pmmu_file: FAIL: no +stim=FILE (the packed port log)");
      $fatal(1);
    end
    n = $value$plusargs("max_errors=%d", max_errors);
    x_mem_resp = 0;
    mem_resps = 0;
    n = $value$plusargs("x_mem_resp=%d", x_mem_resp);
    if ($value$plusargs("out=%s", out_path)) have_out = 1'b1;
    open_stim();
    if (have_out) begin
      fo = $fopen(out_path, "w");
      if (fo == 0) begin
        $display("tb_pmmu_file: FAIL: %0s: cannot create", out_path);
        $fatal(1);
      end
      $fwrite(fo, "#%0s", header);
    end
    mask_valids = 4'b0000;
    mask = checked(1'b0, 1'b0, 1'b0, 1'b0);
    done = 1'b0;
    while (!done) begin
      if (rows_left == 0) begin
        // every word read, no row left over
        if (p != chunk_words || words_left != 0 || repeat_left != 0) begin
          $display("tb_pmmu_file: FAIL: %0s: the rows end before the words", stim_path);
          $fatal(1);
        end
        done = 1'b1;
      end else begin
      line = line + 1;  // the text log's line of this row
      // the next row: the same as the one before, or its changed lanes (pmmu_portlog pack;
      // written out here: under Icarus a task call is a thread)
      if (repeat_left != 0) begin
        repeat_left = repeat_left - 1;
      end else begin
        if (p == chunk_words) read_chunk();
        ctl = words[p];
        p = p + 1;
        repeat_left = 32'(ctl[31:17]);
        if (ctl[0]) begin
          if (p == chunk_words) read_chunk();
          row[31:0] = words[p];
          p = p + 1;
        end
        if (ctl[1]) begin
          if (p == chunk_words) read_chunk();
          row[63:32] = words[p];
          p = p + 1;
        end
        if (ctl[2]) begin
          if (p == chunk_words) read_chunk();
          row[95:64] = words[p];
          p = p + 1;
        end
        if (ctl[3]) begin
          if (p == chunk_words) read_chunk();
          row[127:96] = words[p];
          p = p + 1;
        end
        if (ctl[4]) begin
          if (p == chunk_words) read_chunk();
          row[159:128] = words[p];
          p = p + 1;
        end
        if (ctl[5]) begin
          if (p == chunk_words) read_chunk();
          row[191:160] = words[p];
          p = p + 1;
        end
        if (ctl[6]) begin
          if (p == chunk_words) read_chunk();
          row[223:192] = words[p];
          p = p + 1;
        end
        if (ctl[7]) begin
          if (p == chunk_words) read_chunk();
          row[255:224] = words[p];
          p = p + 1;
        end
        if (ctl[8]) begin
          if (p == chunk_words) read_chunk();
          row[287:256] = words[p];
          p = p + 1;
        end
        if (ctl[9]) begin
          if (p == chunk_words) read_chunk();
          row[319:288] = words[p];
          p = p + 1;
        end
        if (ctl[10]) begin
          if (p == chunk_words) read_chunk();
          row[351:320] = words[p];
          p = p + 1;
        end
        if (ctl[11]) begin
          if (p == chunk_words) read_chunk();
          row[383:352] = words[p];
          p = p + 1;
        end
        if (ctl[12]) begin
          if (p == chunk_words) read_chunk();
          row[415:384] = words[p];
          p = p + 1;
        end
        if (ctl[13]) begin
          if (p == chunk_words) read_chunk();
          row[447:416] = words[p];
          p = p + 1;
        end
        if (ctl[14]) begin
          if (p == chunk_words) read_chunk();
          row[479:448] = words[p];
          p = p + 1;
        end
        if (ctl[15]) begin
          if (p == chunk_words) read_chunk();
          row[511:480] = words[p];
          p = p + 1;
        end
        if (ctl[16]) begin
          if (p == chunk_words) read_chunk();
          row[543:512] = words[p];
          p = p + 1;
        end
      end
      rows_left = rows_left - 1;
      // the falling edge: this cycle's inputs (the digits' padding bits are not looked at)
      {z_rst, rst_ni, z_pg, cr0_pg_i, z_wp, cr0_wp_i, cr3_i, z_pse, cr4_pse_i, z_pae, cr4_pae_i,
       z_pge, cr4_pge_i, z_smep, cr4_smep_i, z_smap, cr4_smap_i, z_nxe, efer_nxe_i, z_rv,
       req_valid_i, req_la_i, z_acc, req_acc_i, z_priv, req_priv_i, z_ac, req_ac_i, z_mrr,
       mem_req_ready_i, z_mrv, mem_resp_valid_i, mem_resp_data_i, z_mre, mem_resp_err_i, z_fv,
       flush_valid_i, z_fk, flush_kind_i, flush_la_i, z_ack, pf_ack_i} = row[W-1:OUT_W];
      if (x_mem_resp != 0 && mem_resp_valid_i) begin
        mem_resps = mem_resps + 1;
        if (mem_resps == x_mem_resp) mem_resp_data_i = 'x;
      end
      #5;
      if (rst_ni) begin
        got = got_w;
        want = row[OUT_W-1:0];
        // the mask only when a recorded valid changes (Icarus: a function call costs)
        if ({want[296], want[224], want[48], want[4]} !== mask_valids) begin
          mask_valids = {want[296], want[224], want[48], want[4]};
          mask = checked(want[296], want[224], want[48], want[4]);
        end
        // 4 states: an X or Z where it is checked makes !== true
        if ((got & mask) !== (want & mask)) begin
          n = errors;
          unpack();
          check_outputs();
          if (errors == n) differ("outputs", 64'(got), 64'(want));  // (cannot happen)
        end
      end
      if (have_out) write_out();
      if (errors >= max_errors) begin
        done = 1'b1;
      end else begin
        clk_i = 1'b1;
        #5 clk_i = 1'b0;
        rows = rows + 1;
        if (rst_ni) cycle = cycle + 1;
      end
      end
    end
    if (have_out) $fclose(fo);
    if (errors != 0) begin
      $display("tb_pmmu_file: FAIL: %0d differences in %0s", errors, path);
      $fatal(1);
    end
    if (cycle == 0) begin
      $display("tb_pmmu_file: FAIL: %0s: no cycle after reset", path);
      $fatal(1);
    end
    $display("tb_pmmu_file: initial state probe %h", init_probe);
    $display("tb_pmmu_file: PASS: %0d cycles (%0d rows)", cycle, rows);
    $finish;
  end
endmodule
