// tb_pmmu_file: pmmu_top driven from a port log, for simulators without DPI-C (Icarus
// Verilog 11) and for Verilator's own --binary --timing flow (rtl/tests/icarus/README.md).
//
// A port log (written by the C lockstep's RTL half, engine_set_port_log: pmmu_portlog) holds
// every input and output of pmmu_top in every cycle, reset included. This testbench clocks
// the recorded inputs into the DUT cycle by cycle and checks, in every cycle after reset:
//   - the outputs against the recorded ones (the C lockstep checked those against the C
//     model): the valids (req_ready_o, resp_valid_o, mem_req_valid_o, pf_irq_o, pdpte_done_o)
//     always, each payload while its valid is high;
//   - 4 states: no X or Z on a valid, nor on any payload while its valid is high ($isunknown;
//     always false in a 2-state simulator).
// A difference prints the log's line, the cycle, the signal, its value and the expected one.
//
// Plusargs: +ports=FILE (the port log, required); +out=FILE writes the outputs seen, in the
// port log's own format (a 2-state run's file equals the input file byte for byte);
// +max_errors=N (default 10) differences before it stops; +x_mem_resp=K drives the data of the
// K-th memory response (1 = the first) as all X, to show that the 4-state check catches it. The last line is
// "tb_pmmu_file: PASS: N cycles" or "tb_pmmu_file: FAIL: ..." (then $fatal: non-zero exit).
//
// Each row: the inputs are applied at the falling edge, the outputs checked 2 time units
// later, the rising edge comes 5 units after the falling one (a 10-unit cycle).

module tb_pmmu_file #(
  parameter int SETS   = 16,
  parameter int WAYS   = 4,
  parameter int LARGE  = 8,
  parameter int POLICY = 0
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

  // ---- one row of the port log: rst_n, 22 inputs, 21 outputs (port order of pmmu_top) ----
  // (read as 64-bit words: a field's unused high bits are 0 in a well-formed log)
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
  /* verilator lint_on UNUSEDSIGNAL */

  localparam int FIELDS = 44;  // rst_n, 22 inputs, 21 outputs

  reg [8*1024-1:0] path, out_path;
  reg [8*1024-1:0] header;
  integer          fd, fo, n, line, cycle, errors, max_errors, rows, x_mem_resp, mem_resps;
  logic            have_out, done;
  // Never assigned: its value shows the initial state a simulator gives every variable (Icarus:
  // x; Verilator: 0, or random with --x-initial unique and +verilator+rand+reset+2).
  /* verilator lint_off UNDRIVEN */
  logic [63:0]     init_probe;
  /* verilator lint_on UNDRIVEN */

  // A difference: printed, counted; the run stops after max_errors of them.
  task automatic differ(input reg [8*24-1:0] name, input logic [63:0] got,
                        input logic [63:0] want);
    $display("tb_pmmu_file: %0s:%0d: cycle %0d: %0s is %h, expected %h", path, line, cycle,
             name, got, want);
    errors = errors + 1;
  endtask

  // 4 states: a signal that must be known in this cycle is not.
  task automatic unknown(input reg [8*24-1:0] name, input logic [63:0] got);
    $display("tb_pmmu_file: %0s:%0d: cycle %0d: %0s is %h (X or Z) while it must be known",
             path, line, cycle, name, got);
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

  initial begin
    errors = 0;
    rows = 0;
    cycle = 0;
    line = 1;
    max_errors = 10;
    have_out = 1'b0;
    fo = 0;
    if (!$value$plusargs("ports=%s", path)) begin
      $display("tb_pmmu_file: FAIL: no +ports=FILE");
      $fatal(1);
    end
    n = $value$plusargs("max_errors=%d", max_errors);
    x_mem_resp = 0;
    mem_resps = 0;
    n = $value$plusargs("x_mem_resp=%d", x_mem_resp);
    if ($value$plusargs("out=%s", out_path)) have_out = 1'b1;
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("tb_pmmu_file: FAIL: %0s: cannot open", path);
      $fatal(1);
    end
    if (have_out) begin
      fo = $fopen(out_path, "w");
      if (fo == 0) begin
        $display("tb_pmmu_file: FAIL: %0s: cannot create", out_path);
        $fatal(1);
      end
    end
    // the header: one line starting with '#'
    if ($fgetc(fd) != "#" || $fgets(header, fd) == 0) begin
      $display("tb_pmmu_file: FAIL: %0s:1: not a port log (no '#' header line)", path);
      $fatal(1);
    end
    if (have_out) $fwrite(fo, "#%0s", header);
    done = 1'b0;
    while (!done) begin
      n = $fscanf(fd, "%h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h",
                  r_rst_n, i_cr0_pg, i_cr0_wp, i_cr3, i_cr4_pse, i_cr4_pae, i_cr4_pge,
                  i_cr4_smep, i_cr4_smap, i_efer_nxe, i_req_valid, i_req_la, i_req_acc,
                  i_req_priv, i_req_ac, i_mem_req_ready, i_mem_resp_valid, i_mem_resp_data,
                  i_mem_resp_err, i_flush_valid, i_flush_kind, i_flush_la, i_pf_ack,
                  o_req_ready, o_resp_valid, o_resp_pa, o_resp_fault, o_resp_ec,
                  o_resp_bus_err, o_resp_tlb, o_resp_pwt, o_resp_pcd, o_resp_pat,
                  o_mem_req_valid, o_mem_req_pa, o_mem_req_size, o_mem_req_op,
                  o_mem_req_expected, o_mem_req_new, o_pf_irq, o_pf_cr2, o_pf_ec,
                  o_pdpte_done, o_pdpte_gp);
      line = line + 1;
      if (n <= 0) begin  // end of file
        done = 1'b1;
      end else if (n != FIELDS) begin
        $display("tb_pmmu_file: FAIL: %0s:%0d: %0d fields, want %0d", path, line, n, FIELDS);
        $fatal(1);
      end else begin
      // the falling edge: this cycle's inputs
      rst_ni = r_rst_n[0];
      cr0_pg_i = i_cr0_pg[0];
      cr0_wp_i = i_cr0_wp[0];
      cr3_i = i_cr3[31:0];
      cr4_pse_i = i_cr4_pse[0];
      cr4_pae_i = i_cr4_pae[0];
      cr4_pge_i = i_cr4_pge[0];
      cr4_smep_i = i_cr4_smep[0];
      cr4_smap_i = i_cr4_smap[0];
      efer_nxe_i = i_efer_nxe[0];
      req_valid_i = i_req_valid[0];
      req_la_i = i_req_la[31:0];
      req_acc_i = i_req_acc[1:0];
      req_priv_i = i_req_priv[1:0];
      req_ac_i = i_req_ac[0];
      mem_req_ready_i = i_mem_req_ready[0];
      mem_resp_valid_i = i_mem_resp_valid[0];
      mem_resp_data_i = i_mem_resp_data;
      if (i_mem_resp_valid[0]) begin
        mem_resps = mem_resps + 1;
        if (mem_resps == x_mem_resp) mem_resp_data_i = 'x;
      end
      mem_resp_err_i = i_mem_resp_err[0];
      flush_valid_i = i_flush_valid[0];
      flush_kind_i = i_flush_kind[1:0];
      flush_la_i = i_flush_la[31:0];
      pf_ack_i = i_pf_ack[0];
      #2;
      if (r_rst_n[0]) check_outputs();
      // the outputs seen (in reset rows, which are not checked, the recorded ones)
      if (have_out && !r_rst_n[0])
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
      else if (have_out)
        $fwrite(fo, "%0d %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h  %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h %h\n",
                rst_ni, cr0_pg_i, cr0_wp_i, cr3_i, cr4_pse_i, cr4_pae_i, cr4_pge_i, cr4_smep_i,
                cr4_smap_i, efer_nxe_i, req_valid_i, req_la_i, req_acc_i, req_priv_i, req_ac_i,
                mem_req_ready_i, mem_resp_valid_i, mem_resp_data_i, mem_resp_err_i,
                flush_valid_i, flush_kind_i, flush_la_i, pf_ack_i, req_ready_o, resp_valid_o,
                resp_pa_o, resp_fault_o, {3'b000, resp_ec_o}, resp_bus_err_o, resp_tlb_o,
                resp_pwt_o, resp_pcd_o, resp_pat_o, mem_req_valid_o, mem_req_pa_o,
                mem_req_size_o, mem_req_op_o, mem_req_expected_o, mem_req_new_o, pf_irq_o,
                pf_cr2_o, {3'b000, pf_ec_o}, pdpte_done_o, pdpte_gp_o);
      if (errors >= max_errors) begin
        done = 1'b1;
      end else begin
        #3 clk_i = 1'b1;
        #5 clk_i = 1'b0;
        rows = rows + 1;
        if (r_rst_n[0]) cycle = cycle + 1;
      end
      end
    end
    $fclose(fd);
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
