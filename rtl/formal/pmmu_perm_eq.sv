// pmmu_perm_eq: formal equivalence of pmmu_perm (rtl/pmmu_perm.sv) with the reference
// written from the spec (pmmu_perm_ref.sv) for every legal input: a combinational proof
// (bound 1, docs/formal.md). Every input is a free input of this wrapper; the only
// assumption is that the access and privilege kinds are legal encodings (there are three
// of each: hardware-interface.md, pmmu_pkg).

module pmmu_perm_eq (
  input logic       u_i,
  input logic       w_i,
  input logic       x_i,
  input logic [1:0] acc_i,
  input logic [1:0] priv_i,
  input logic       ac_i,
  input logic       wp_i,
  input logic       smep_i,
  input logic       smap_i,
  input logic       id_en_i
);

  logic       dut_fault, ref_fault;
  logic [4:0] dut_ec, ref_ec;

  pmmu_perm u_dut (
    .u_i        (u_i),
    .w_i        (w_i),
    .x_i        (x_i),
    .acc_i      (acc_i),
    .priv_i     (priv_i),
    .ac_i       (ac_i),
    .cr0_wp_i   (wp_i),
    .cr4_smep_i (smep_i),
    .cr4_smap_i (smap_i),
    .id_en_i    (id_en_i),
    .fault_o    (dut_fault),
    .ec_o       (dut_ec)
  );

  pmmu_perm_ref u_ref (
    .u_i     (u_i),
    .w_i     (w_i),
    .x_i     (x_i),
    .acc_i   (acc_i),
    .priv_i  (priv_i),
    .ac_i    (ac_i),
    .wp_i    (wp_i),
    .smep_i  (smep_i),
    .smap_i  (smap_i),
    .id_en_i (id_en_i),
    .fault_o (ref_fault),
    .ec_o    (ref_ec)
  );

  always @* begin
    assume (acc_i != 2'd3);
    assume (priv_i != 2'd3);
    perm_fault_equal: assert (dut_fault == ref_fault);
    perm_ec_equal:    assert (dut_ec == ref_ec);
  end

endmodule
