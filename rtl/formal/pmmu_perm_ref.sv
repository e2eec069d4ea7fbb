// pmmu_perm_ref: the access-rights check and the #PF error code of x86-paging.md sections
// 5 and 6, written from the spec's text (not from rtl/pmmu_perm.sv) as the reference of the
// formal equivalence proof (rtl/formal/pmmu_perm_eq.sv, docs/formal.md). Formal only: not in
// rtl/pmmu.f.
//
// Inputs, as the spec names them: the combined rights U, W, X of the translation (section
// 5: U = AND of U/S, W = AND of R/W, X = NOT(OR of XD) or 1); the access (read, write,
// fetch) and its privilege kind (user, supervisor, implicit supervisor); EFLAGS.AC, CR0.WP,
// CR4.SMEP, CR4.SMAP; and whether I/D is reported for a fetch (section 6: CR4.SMEP = 1, or
// PAE paging with EFER.NXE = 1). Only the three legal encodings of each kind are defined.

module pmmu_perm_ref (
  input  logic       u_i,
  input  logic       w_i,
  input  logic       x_i,
  input  logic [1:0] acc_i,
  input  logic [1:0] priv_i,
  input  logic       ac_i,
  input  logic       wp_i,
  input  logic       smep_i,
  input  logic       smap_i,
  input  logic       id_en_i,
  output logic       fault_o,
  output logic [4:0] ec_o      // P and RSVD (bits 0, 3) are 0: not the rights check's to set
);

  // the encodings of hardware-interface.md / pmmu_pkg (the port's contract)
  logic read, write, fetch;
  logic user, supervisor, implicit_sup;
  assign read         = (acc_i == 2'd0);
  assign write        = (acc_i == 2'd1);
  assign fetch        = (acc_i == 2'd2);
  assign user         = (priv_i == 2'd0);
  assign supervisor   = (priv_i == 2'd1);
  assign implicit_sup = (priv_i == 2'd2);

  // Section 5: "The access is a protection violation if any one of these lines holds"
  logic line1, line2, line3, line4, line5;
  // user access and U = 0
  assign line1 = user & !u_i;
  // write and W = 0 and (user access or CR0.WP = 1)
  assign line2 = write & !w_i & (user | wp_i);
  // fetch and X = 0
  assign line3 = fetch & !x_i;
  // fetch, not user access, U = 1, CR4.SMEP = 1
  assign line4 = fetch & (supervisor | implicit_sup) & u_i & smep_i;
  // read or write, not user access, U = 1, CR4.SMAP = 1, and (implicit or EFLAGS.AC = 0)
  assign line5 = (read | write) & (supervisor | implicit_sup) & u_i & smap_i &
                 (implicit_sup | !ac_i);

  assign fault_o = line1 | line2 | line3 | line4 | line5;

  // Section 6: W/R = the access was a write; U/S = a user access (implicit reports 0);
  // I/D = a fetch with SMEP or PAE+NXE
  assign ec_o = {fetch & id_en_i, 1'b0, user, write, 1'b0};

endmodule
