// pmmu_perm: combinational access-rights check (x86-paging.md section 5) and the #PF
// error code of a protection violation (section 6).
//
// The combined rights U, W, X of a complete translation come in; the access kind,
// privilege kind, EFLAGS.AC and the current CR0.WP / CR4.SMEP / CR4.SMAP are applied here,
// never folded into TLB entries (section 8 CHOICE). Used twice: by the TLB lookup (cached
// rights) and by the walker (rights of the walked path).

module pmmu_perm (
  input  logic                        u_i,        // page is a user page (AND of U/S)
  input  logic                        w_i,        // page is writable (AND of R/W)
  input  logic                        x_i,        // page is executable
  input  pmmu_pkg::acc_t             acc_i,
  input  pmmu_pkg::priv_t            priv_i,
  input  logic                        ac_i,       // EFLAGS.AC
  input  logic                        cr0_wp_i,
  input  logic                        cr4_smep_i,
  input  logic                        cr4_smap_i,
  input  logic                        id_en_i,    // report I/D: SMEP, or PAE with NXE
  output logic                        fault_o,    // protection violation
  output logic [pmmu_pkg::ECW-1:0]    ec_o        // error code bits other than P and RSVD
);

  logic is_user, is_write, is_fetch, is_data, is_implicit;
  logic f_user, f_write, f_fetch_x, f_smep, f_smap;

  assign is_user     = (priv_i == pmmu_pkg::PRIV_USER);
  assign is_implicit = (priv_i == pmmu_pkg::PRIV_IMPLICIT);
  assign is_write    = (acc_i == pmmu_pkg::ACC_WRITE);
  assign is_fetch    = (acc_i == pmmu_pkg::ACC_FETCH);
  assign is_data     = ~is_fetch;

  // user access and U = 0
  assign f_user = is_user & ~u_i;
  // write and W = 0 and (user access or CR0.WP = 1)
  assign f_write = is_write & ~w_i & (is_user | cr0_wp_i);
  // fetch and X = 0
  assign f_fetch_x = is_fetch & ~x_i;
  // fetch, not user access, U = 1, CR4.SMEP = 1
  assign f_smep = is_fetch & ~is_user & u_i & cr4_smep_i;
  // read or write, not user access, U = 1, CR4.SMAP = 1, and (implicit or AC = 0)
  assign f_smap = is_data & ~is_user & u_i & cr4_smap_i & (is_implicit | ~ac_i);

  assign fault_o = f_user | f_write | f_fetch_x | f_smep | f_smap;

  // Error code of any #PF for this access; the caller ORs in P and RSVD.
  always_comb begin
    ec_o = '0;
    ec_o[pmmu_pkg::EC_WR] = is_write;
    ec_o[pmmu_pkg::EC_US] = is_user;
    ec_o[pmmu_pkg::EC_ID] = is_fetch & id_en_i;
  end

endmodule
