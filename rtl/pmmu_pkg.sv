// pmmu_pkg: shared types and constants of the PMMU RTL.
//
// Behaviour: docs/spec/x86-paging.md (32-bit paging, PSE, PSE-36, PGE, WP,
// SMEP, SMAP); timing: docs/timing.md; TLB rules: docs/tlb.md.

package pmmu_pkg;

  // Note on types: the shared types are typedefs of plain logic vectors with typed
  // constants, not enums. Icarus 11 crashes when a package enum type is used for a module
  // variable (or aliased in two modules), and Yosys 0.23 rejects casts to user types;
  // plain vector typedefs work in all three tools. The state machines (walker, PDPTE load)
  // and the walker's level register are module-local enums.

  // -------------------------------------------------------------------------
  // Processor profile
  // -------------------------------------------------------------------------
  localparam int PAW = 36;  // MAXPHYADDR
  localparam int FRW = PAW - 12;  // 4 KiB frame number width, PA[35:12]
  localparam int ECW = 5;  // #PF error code width (bits 4:0)

  // -------------------------------------------------------------------------
  // Request encodings (translation port)
  // -------------------------------------------------------------------------
  typedef logic [1:0] acc_t;  // access kind
  localparam acc_t       ACC_READ        = 2'd0;
  localparam acc_t       ACC_WRITE       = 2'd1;
  localparam acc_t       ACC_FETCH       = 2'd2;

  typedef logic [1:0] priv_t;  // privilege kind
  localparam priv_t      PRIV_USER       = 2'd0;  // CPL = 3, explicit
  localparam priv_t      PRIV_SUP        = 2'd1;  // CPL < 3, explicit
  localparam priv_t      PRIV_IMPLICIT   = 2'd2;  // implicit supervisor (GDT, LDT, IDT, TSS)

  // Response: where the translation came from.
  typedef logic [1:0] tlb_res_t;  // resp_tlb_o
  localparam tlb_res_t   TLB_OFF         = 2'd0;  // paging off, PA = LA
  localparam tlb_res_t   TLB_HIT         = 2'd1;
  localparam tlb_res_t   TLB_MISS        = 2'd2;  // the block walked (success, #PF or bus error)

  // -------------------------------------------------------------------------
  // Flush command port
  // -------------------------------------------------------------------------
  typedef logic [1:0] flush_t;  // flush command kind
  localparam flush_t     FLUSH_NONGLOBAL = 2'd0;  // CR3 write: every entry with G = 0
  localparam flush_t     FLUSH_ALL       = 2'd1;  // every entry
  localparam flush_t     FLUSH_PAGE      = 2'd2;  // INVLPG LA: every entry that maps LA, global too
  localparam flush_t     FLUSH_LOAD_PDPTE = 2'd3; // PAE: load the four PDPTE registers from cr3_i
                                                  // (T11); reports done and #GP, flushes nothing

  // -------------------------------------------------------------------------
  // Walk memory port
  // -------------------------------------------------------------------------
  typedef logic mem_op_t;  // memory operation
  localparam mem_op_t    MEM_READ        = 1'b0;
  localparam mem_op_t    MEM_CAS         = 1'b1;

  typedef logic mem_size_t;  // memory access size
  localparam mem_size_t  MEM_SIZE4       = 1'b0;  // 4-byte access (32-bit paging entries)
  localparam mem_size_t  MEM_SIZE8       = 1'b1;  // 8-byte access (PAE entries, PDPTEs)

  // -------------------------------------------------------------------------
  // Replacement policies (parameter POLICY)
  // -------------------------------------------------------------------------
  localparam int POL_PLRU   = 0;
  localparam int POL_LRU    = 1;
  localparam int POL_FIFO   = 2;
  localparam int POL_RANDOM = 3;

  // -------------------------------------------------------------------------
  // Paging-structure entry bit positions (x86-paging.md section 3)
  // -------------------------------------------------------------------------
  localparam int E_P   = 0;
  localparam int E_RW  = 1;
  localparam int E_US  = 2;
  localparam int E_PWT = 3;
  localparam int E_PCD = 4;
  localparam int E_A   = 5;
  localparam int E_D   = 6;
  localparam int E_PS  = 7;  // PDE: page size
  localparam int E_PAT = 7;  // PTE: PAT
  localparam int E_G   = 8;
  localparam int E_PAT_LARGE = 12;  // 4 MiB PDE: PAT
  // 4 MiB PDE: PA[35:32] = PDE[16:13] (PSE-36), reserved PDE[21:17], PA[31:22] = PDE[31:22]
  localparam int E_PSE36_LO = 13;
  localparam int E_RSVD4M_LO = 17;
  localparam int E_RSVD4M_HI = 21;
  // PAE (x86-paging.md section 4): 8-byte entries
  localparam int E_XD  = 63;        // execute-disable with EFER.NXE = 1, reserved without
  localparam int E_RSVDPAE_LO = 36; // bits 62:36 reserved in every present PDE/PTE
  localparam int E_RSVDPAE_HI = 62;
  localparam int E_RSVD2M_LO = 13;  // 2 MiB PDE: bits 20:13 reserved
  localparam int E_RSVD2M_HI = 20;

  // -------------------------------------------------------------------------
  // #PF error code bit positions (x86-paging.md section 6)
  // -------------------------------------------------------------------------
  localparam int EC_P    = 0;
  localparam int EC_WR   = 1;
  localparam int EC_US   = 2;
  localparam int EC_RSVD = 3;
  localparam int EC_ID   = 4;

  // -------------------------------------------------------------------------
  // Walk result kinds
  // -------------------------------------------------------------------------
  typedef logic [1:0] wres_t;  // walk result
  localparam wres_t      WRES_OK         = 2'd0;
  localparam wres_t      WRES_PF         = 2'd1;  // page fault (error code valid)
  localparam wres_t      WRES_BUSERR     = 2'd2;  // bus error on a walk access: not a #PF

  // -------------------------------------------------------------------------
  // One TLB entry's payload (what a fill writes and a hit reads), a flat vector
  // logic [TEW-1:0] with these bit positions (Icarus 11 cannot elaborate packed structs
  // declared in a package, so none is used).
  // -------------------------------------------------------------------------
  localparam int TE_PAT      = 0;   // leaf PAT (PTE bit 7 / 4 MiB PDE bit 12)
  localparam int TE_PCD      = 1;   // leaf PCD
  localparam int TE_PWT      = 2;   // leaf PWT
  localparam int TE_G        = 3;   // leaf G and CR4.PGE
  localparam int TE_D        = 4;   // leaf D
  localparam int TE_X        = 5;   // NOT(OR of XD); 1 in 32-bit paging
  localparam int TE_W        = 6;   // AND of R/W
  localparam int TE_U        = 7;   // AND of U/S
  localparam int TE_LARGE    = 8;   // 1: large-page array (4 MiB, or 2 MiB in PAE)
  localparam int TE_2M       = 9;   // with TE_LARGE: a 2 MiB page (tag LA[31:21])
  localparam int TE_FRAME_LO = 10;  // frame PA[35:12] at [TE_FRAME_LO +: FRW]
  localparam int TEW         = TE_FRAME_LO + FRW;
  localparam int TE_ATW      = TE_LARGE;  // the attribute bits [TE_ATW-1:0] = {u..pat}
  // = logic [TEW-1:0]; a literal width because Icarus 11 cannot bind a package parameter
  // in a package typedef (pmmu_tlb checks $bits(tlb_entry_t) == TEW at elaboration)
  typedef logic [33:0] tlb_entry_t;

endpackage
