// Suite 11: PAE paging with NX (x86-paging.md sections 2, 4, 5, 6, 7, 8; docs/timing.md).
//
// - the permission matrix of test_permissions.cpp repeated in PAE: PDE U/W/XD x PTE U/W/XD x
//   (access, privilege) x WP x SMEP x SMAP x AC x EFER.NXE, on 4 KiB and 2 MiB pages, cold and
//   warm, with its own oracle (below, from the spec text only);
// - the PDPTE registers: when they are loaded, #GP(0) on a present PDPTE with a reserved bit,
//   stale PDPTEs, a not-present PDPTE;
// - reserved bits of PAE PDEs and PTEs (62:36, 20:13 of a 2 MiB PDE, 63 without NXE);
// - 2 MiB pages in the large array, the NXE flush, the cycles of a PAE walk, and switching
//   between 32-bit and PAE paging.
#include "pmmu_test_support.hpp"

#include <iostream>

using namespace pmmu_test;

namespace {

// ---- PAE layout ------------------------------------------------------------------------
//
// CR3 = kPdpt (the Rig writes kPageDir = 0x00100000 at creation; it is 32-byte aligned and
// serves as the PDPT). PDPTE i points to the page directory at kPd + i * 4K. The page table
// of the 2 MiB region r = LA[31:21] is at kPt + r * 4K.
constexpr uint32_t kPdpt = kPageDir;
constexpr uint64_t kPd = 0x00300000;
constexpr uint64_t kPt = 0x00400000;

constexpr uint64_t XD = PMMU_PTE_XD;
constexpr uint64_t P64 = PMMU_PTE_P, RW64 = PMMU_PTE_RW, US64 = PMMU_PTE_US, A64 = PMMU_PTE_A,
                   D64 = PMMU_PTE_D, PS64 = PMMU_PTE_PS, G64 = PMMU_PTE_G;

inline uint64_t bit(unsigned b) { return UINT64_C(1) << b; }

inline uint64_t pdpte_addr(uint32_t cr3, unsigned i) { return (cr3 & 0xFFFFFFE0u) + 8u * i; }
inline uint64_t pd_of(uint32_t la) { return kPd + (la >> 30) * 0x1000u; }
inline uint64_t pt_of(uint32_t la) { return kPt + static_cast<uint64_t>(la >> 21) * 0x1000u; }
inline uint64_t pde_addr_pae(uint32_t la, uint64_t pd) { return pd + ((la >> 21) & 0x1FFu) * 8u; }
inline uint64_t pte_addr_pae(uint32_t la, uint64_t pt) { return pt + ((la >> 12) & 0x1FFu) * 8u; }
inline uint64_t pde_addr_pae(uint32_t la) { return pde_addr_pae(la, pd_of(la)); }
inline uint64_t pte_addr_pae(uint32_t la) { return pte_addr_pae(la, pt_of(la)); }

// A Rig switched to PAE paging: the four PDPTEs present (PD i), then EFER, then CR4.PAE
// (CR0.PG is already 1 from reset, so the CR4 write loads the PDPTEs).
struct PaeRig : Rig {
  explicit PaeRig(bool nxe = true, const std::function<void(pmmu_config &)> &tweak = {},
                  bool with_timing = false)
      : Rig(tweak, with_timing) {
    if (!m) return;
    for (unsigned i = 0; i < 4; i++) mem.store(pdpte_addr(kPdpt, i), 8, (kPd + i * 0x1000u) | P64);
    efer(nxe ? PMMU_EFER_NXE : 0);
    pmmu_reg_result rr = cr4(PMMU_CR4_PAE);
    EXPECT_FALSE(rr.gp_fault);
    EXPECT_TRUE(rr.pdptes_loaded);
  }
  uint64_t r64(uint64_t pa) const { return mem.load(pa, 8); }
  void w64(uint64_t pa, uint64_t v) { mem.store(pa, 8, v); }
  // 4 KiB: PDE (through the default PD and PT) and PTE; flags are the whole low/high bits.
  void map4k(uint32_t la, uint64_t pde_flags, uint64_t pte_flags, uint64_t frame) {
    w64(pde_addr_pae(la), pt_of(la) | pde_flags);
    w64(pte_addr_pae(la), (frame & 0xFFFFFF000ull) | pte_flags);
  }
  void map2m(uint32_t la, uint64_t value) { w64(pde_addr_pae(la), value | PS64); }
  pmmu_response fetch(uint32_t la, pmmu_priv p = PMMU_SUPERVISOR, bool ac = false) {
    return access(la, PMMU_FETCH, p, ac);
  }
};

uint32_t ec_for(pmmu_access a, pmmu_priv p, bool smep, bool nxe) {
  uint32_t ec = 0;
  if (a == PMMU_WRITE) ec |= PMMU_EC_WR;
  if (p == PMMU_USER) ec |= PMMU_EC_US;
  if (a == PMMU_FETCH && (smep || nxe)) ec |= PMMU_EC_ID; // PAE paging: I/D with SMEP or NXE
  return ec;
}

// =======================================================================================
// 1. The permission matrix in PAE
// =======================================================================================

struct Case {
  bool large;
  bool pde_u, pde_w, pde_xd, pte_u, pte_w, pte_xd; // pte_* ignored for a 2 MiB page
  pmmu_access access;
  pmmu_priv priv;
  bool wp, smep, smap, ac, nxe;
  bool pse; // CR4.PSE: ignored in PAE (section 4); varied to show it
};

std::string describe_case(const Case &c, bool warm) {
  std::ostringstream os;
  os << (c.large ? "2MiB" : "4KiB") << " PDE U=" << c.pde_u << " W=" << c.pde_w
     << " XD=" << c.pde_xd;
  if (!c.large) os << " PTE U=" << c.pte_u << " W=" << c.pte_w << " XD=" << c.pte_xd;
  os << " " << access_name(c.access) << " by " << priv_name(c.priv) << " WP=" << c.wp
     << " SMEP=" << c.smep << " SMAP=" << c.smap << " AC=" << c.ac << " NXE=" << c.nxe
     << " PSE=" << c.pse << (warm ? " [warm]" : " [cold]");
  return os.str();
}

struct Expect {
  bool fault;
  pmmu_fault_kind kind;
  pmmu_level level; // for RESERVED
  uint32_t ec;
};

// x86-paging.md sections 4 (bit 63 reserved without NXE; the walk stops at the first entry
// with a reserved bit), 5 (rights, X = NOT(OR XD) with NXE = 1) and 6 (error code, I/D with
// SMEP or with PAE + NXE).
Expect oracle(const Case &c) {
  const bool user = c.priv == PMMU_USER;
  const bool implicit = c.priv == PMMU_IMPLICIT;
  const bool rd = c.access == PMMU_READ, wr = c.access == PMMU_WRITE, fe = c.access == PMMU_FETCH;
  uint32_t id_ec = (fe && (c.smep || c.nxe)) ? PMMU_EC_ID : 0;
  uint32_t base = (wr ? PMMU_EC_WR : 0) | (user ? PMMU_EC_US : 0) | id_ec;

  // Bit 63 is reserved when NXE = 0: the PDE is read first, so it stops the walk first.
  if (!c.nxe && c.pde_xd)
    return {true, PMMU_FAULT_RESERVED, PMMU_LEVEL_PDE, PMMU_EC_P | PMMU_EC_RSVD | base};
  if (!c.nxe && !c.large && c.pte_xd)
    return {true, PMMU_FAULT_RESERVED, PMMU_LEVEL_PTE, PMMU_EC_P | PMMU_EC_RSVD | base};

  const bool U = c.large ? c.pde_u : (c.pde_u && c.pte_u);
  const bool W = c.large ? c.pde_w : (c.pde_w && c.pte_w);
  const bool X = c.nxe ? !(c.pde_xd || (!c.large && c.pte_xd)) : true;
  bool fault = false;
  if (user && !U) fault = true;
  if (wr && !W && (user || c.wp)) fault = true;
  if (fe && !X) fault = true;
  if (fe && !user && U && c.smep) fault = true;
  if ((rd || wr) && !user && U && c.smap && (implicit || !c.ac)) fault = true;
  if (!fault) return {false, PMMU_FAULT_NONE, PMMU_LEVEL_PDE, 0};
  return {true, PMMU_FAULT_PROTECTION, PMMU_LEVEL_PDE, PMMU_EC_P | base};
}

std::vector<Case> all_cases(bool large) {
  std::vector<Case> v;
  const int pte_combos = large ? 1 : 8;
  for (int pde = 0; pde < 8; pde++)
    for (int pte = 0; pte < pte_combos; pte++)
      for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
        for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER, PMMU_IMPLICIT}) {
          if (a == PMMU_FETCH && p == PMMU_IMPLICIT) continue; // PMMU_E_INVALID
          for (int ctl = 0; ctl < 32; ctl++) {
            Case c{};
            c.large = large;
            c.pde_u = pde & 1;
            c.pde_w = (pde >> 1) & 1;
            c.pde_xd = (pde >> 2) & 1;
            c.pte_u = !large && (pte & 1);
            c.pte_w = !large && ((pte >> 1) & 1);
            c.pte_xd = !large && ((pte >> 2) & 1);
            c.access = a;
            c.priv = p;
            c.wp = ctl & 1;
            c.smep = (ctl >> 1) & 1;
            c.smap = (ctl >> 2) & 1;
            c.ac = (ctl >> 3) & 1;
            c.nxe = (ctl >> 4) & 1;
            c.pse = ((pde + pte + ctl) & 1) != 0;
            v.push_back(c);
          }
        }
  return v;
}

// 4 KiB: PDPTE 2, PDE index 0x091, PTE index 0x145; a frame above 4 GiB.
constexpr uint32_t kLa4k = 0x92345000;
constexpr uint64_t kFrame4k = 0x9ABCDE000ull;
// 2 MiB: PDPTE 3, PDE index 1; a frame above 4 GiB.
constexpr uint32_t kLa2m = 0xC0200000;
constexpr uint64_t kFrame2m = 0x8C0200000ull;

class Matrix {
public:
  explicit Matrix(bool large) : large_(large) {}

  pmmu_response run(const Case &c, unsigned index, bool warm) {
    const std::string what = describe_case(c, warm);
    const uint32_t la =
        large_ ? kLa2m + ((index * 0x1357u) & 0x1FFFFFu) : kLa4k + ((index * 0x37u) & 0xFFFu);
    const uint64_t pdpte_before = rig_.r64(pdpte_addr(kPdpt, la >> 30));

    uint64_t pde_v, pte_v = 0;
    const uint64_t pde_flags =
        P64 | (c.pde_u ? US64 : 0) | (c.pde_w ? RW64 : 0) | (c.pde_xd ? XD : 0);
    if (large_) {
      pde_v = kFrame2m | PS64 | pde_flags;
      rig_.w64(pde_addr_pae(la), pde_v);
    } else {
      pde_v = pt_of(la) | pde_flags;
      pte_v = kFrame4k | P64 | (c.pte_u ? US64 : 0) | (c.pte_w ? RW64 : 0) | (c.pte_xd ? XD : 0);
      rig_.w64(pde_addr_pae(la), pde_v);
      rig_.w64(pte_addr_pae(la), pte_v);
    }
    rig_.efer(c.nxe ? PMMU_EFER_NXE : 0);
    rig_.cr0(PMMU_CR0_PG | (c.wp ? PMMU_CR0_WP : 0));
    pmmu_reg_result rr = rig_.cr4(PMMU_CR4_PAE | (c.pse ? PMMU_CR4_PSE : 0) |
                                  (c.smep ? PMMU_CR4_SMEP : 0) | (c.smap ? PMMU_CR4_SMAP : 0));
    if (rr.gp_fault) {
      fail(what, "CR4 write refused with #GP");
      return pmmu_response{};
    }
    rig_.invlpg(la);
    pmmu_ack_interrupt(rig_.m);

    const Expect ex = oracle(c);
    const bool rsvd = ex.kind == PMMU_FAULT_RESERVED;
    if (warm) {
      // A supervisor read with AC = 1 never fails a rights check (section 5); when the entries
      // hold a reserved bit it faults with RSVD and caches nothing (section 8).
      pmmu_response p = rig_.read(la, PMMU_SUPERVISOR, true);
      if (rsvd) {
        if (p.outcome != PMMU_PAGE_FAULT || p.error_code != (PMMU_EC_P | PMMU_EC_RSVD) ||
            rig_.cached(la)) {
          fail(
              what,
              "priming read of a reserved entry: expected RSVD fault 0x9 and nothing cached, got " +
                  pmmu_test::describe(p));
          return pmmu_response{};
        }
        pmmu_ack_interrupt(rig_.m);
      } else {
        if (p.outcome != PMMU_OK || p.tlb != PMMU_TLB_MISS) {
          fail(what, "priming read: expected OK/miss, got " + pmmu_test::describe(p));
          return pmmu_response{};
        }
        if (!rig_.cached(la)) {
          fail(what, "priming read left no TLB entry");
          return pmmu_response{};
        }
        pde_v |= A64;
        if (!large_) pte_v |= A64;
      }
    }
    if (rig_.r64(pde_addr_pae(la)) != pde_v || (!large_ && rig_.r64(pte_addr_pae(la)) != pte_v)) {
      fail(what, "entries before the access are not as set up / primed");
      return pmmu_response{};
    }

    const pmmu_interrupt_state before = rig_.interrupt();
    const TestMemory::Snapshot snap = rig_.mem.snapshot();
    rig_.mem.clear_log();
    const pmmu_response r = rig_.access(la, c.access, c.priv, c.ac);
    const pmmu_interrupt_state after = rig_.interrupt();
    const bool wr = c.access == PMMU_WRITE;

    if (ex.fault) {
      if (r.outcome != PMMU_PAGE_FAULT) {
        fail(what, "expected #PF ec=" + hex(ex.ec) + ", got " + pmmu_test::describe(r));
      } else {
        if (r.error_code != ex.ec)
          fail(what, "error code " + hex(r.error_code) + ", expected " + hex(ex.ec));
        if (r.cr2 != la) fail(what, "response cr2 " + hex(r.cr2) + ", expected " + hex(la));
        if (!after.pending || after.cr2 != la || after.error_code != ex.ec)
          fail(what, "interrupt state pending=" + std::to_string(after.pending) +
                         " cr2=" + hex(after.cr2) + " ec=" + hex(after.error_code));
        if (r.fault_kind != ex.kind)
          fail(what, "fault_kind " + std::to_string(r.fault_kind) + ", expected " +
                         std::to_string(ex.kind));
        if (rsvd && r.fault_level != ex.level)
          fail(what, std::string("fault_level ") + pmmu_level_name(r.fault_level) + ", expected " +
                         pmmu_level_name(ex.level));
        // Reads made: PDE only when the PDE stopped the walk; PDE and PTE otherwise (4 KiB).
        const unsigned reads = (large_ || (rsvd && ex.level == PMMU_LEVEL_PDE)) ? 1u : 2u;
        if (r.mem_accesses != reads)
          fail(what, "mem_accesses " + std::to_string(r.mem_accesses) + ", expected " +
                         std::to_string(reads));
      }
      if (rig_.cached(la)) fail(what, "a TLB entry for the page remains after the #PF");
      if (!rig_.mem.same_as(snap) || rig_.mem.cas_count() != 0)
        fail(what, "memory was written by a faulting access (" +
                       std::to_string(rig_.mem.cas_count()) + " CAS)");
    } else {
      const uint64_t exp_pa = large_ ? (kFrame2m | (la & 0x1FFFFFu)) : (kFrame4k | (la & 0xFFFu));
      if (r.outcome != PMMU_OK) {
        fail(what, "expected OK pa=" + hex(exp_pa) + ", got " + pmmu_test::describe(r));
      } else {
        if (r.pa != exp_pa) fail(what, "pa " + hex(r.pa) + ", expected " + hex(exp_pa));
        if (r.page_shift != (large_ ? 21u : 12u))
          fail(what, "page_shift " + std::to_string(r.page_shift));
      }
      if (after.pending || after.cr2 != before.cr2 || after.error_code != before.error_code)
        fail(what, "a successful access changed the interrupt state / CR2");
      const uint64_t got_pde = rig_.r64(pde_addr_pae(la));
      const uint64_t want_pde = pde_v | A64 | ((large_ && wr) ? D64 : 0);
      if (got_pde != want_pde)
        fail(what, "PDE in memory " + hex(got_pde) + ", expected " + hex(want_pde));
      if (!large_) {
        const uint64_t got_pte = rig_.r64(pte_addr_pae(la));
        const uint64_t want_pte = pte_v | A64 | (wr ? D64 : 0);
        if (got_pte != want_pte)
          fail(what, "PTE in memory " + hex(got_pte) + ", expected " + hex(want_pte));
      }
      auto slot = rig_.find(la);
      if (!slot) {
        fail(what, "no TLB entry after a successful access");
      } else {
        const bool U = large_ ? c.pde_u : (c.pde_u && c.pte_u);
        const bool W = large_ ? c.pde_w : (c.pde_w && c.pte_w);
        const bool X = c.nxe ? !(c.pde_xd || (!large_ && c.pte_xd)) : true;
        if (slot->large != large_) fail(what, "entry in the wrong array");
        if (slot->e.page_shift != (large_ ? 21u : 12u))
          fail(what, "cached page_shift " + std::to_string(slot->e.page_shift));
        if (slot->e.frame_pa != (large_ ? kFrame2m : kFrame4k))
          fail(what, "cached frame " + hex(slot->e.frame_pa));
        if (slot->e.u != U || slot->e.w != W)
          fail(what, "cached U/W are not the AND of the entries");
        if (slot->e.x != X)
          fail(what,
               "cached X is " + std::to_string(slot->e.x) + ", expected " + std::to_string(X));
        if (slot->e.d != wr) fail(what, "cached D is " + std::to_string(slot->e.d));
      }
    }
    // PDPTEs carry no A/D and are never written (section 4).
    if (rig_.r64(pdpte_addr(kPdpt, la >> 30)) != pdpte_before)
      fail(what, "the PDPTE in memory was written");

    // TLB use: cold always walks; warm hits unless denied / write to clean (dropped + miss);
    // after a reserved-bit priming fault nothing was cached: a plain miss.
    if (!warm || rsvd) {
      if (r.tlb != PMMU_TLB_MISS || r.dropped_entry)
        fail(what, std::string("expected a plain miss, got tlb=") + tlb_name(r.tlb) +
                       (r.dropped_entry ? " dropped" : ""));
    } else {
      const bool hit = !ex.fault && !wr;
      if (hit && (r.tlb != PMMU_TLB_HIT || r.dropped_entry))
        fail(what, std::string("warm access: expected a hit, got tlb=") + tlb_name(r.tlb));
      if (!hit && (r.tlb != PMMU_TLB_MISS || !r.dropped_entry))
        fail(what, std::string("warm access: expected a dropped entry and a miss, got tlb=") +
                       tlb_name(r.tlb) + (r.dropped_entry ? " dropped" : " not dropped"));
    }
    pmmu_ack_interrupt(rig_.m);
    return r;
  }

  void fail(const std::string &what, const std::string &msg) {
    failures_++;
    if (failures_ <= 60) ADD_FAILURE() << what << ": " << msg;
    else if (failures_ == 61) ADD_FAILURE() << "(further failures are counted but not printed)";
  }
  bool ok() const { return rig_.m != nullptr; }
  unsigned failures() const { return failures_; }

private:
  bool large_;
  PaeRig rig_;
  unsigned failures_ = 0;
};

void run_matrix(bool large, unsigned expected_cases) {
  Matrix mx(large);
  ASSERT_TRUE(mx.ok());
  const std::vector<Case> cases = all_cases(large);
  unsigned cases_run = 0, runs = 0, faults = 0, rsvd = 0;
  for (unsigned i = 0; i < cases.size(); i++) {
    const pmmu_response cold = mx.run(cases[i], i, false);
    const pmmu_response warm = mx.run(cases[i], i, true);
    runs += 2;
    if (cold.outcome != warm.outcome || (cold.outcome == PMMU_OK && cold.pa != warm.pa) ||
        (cold.outcome == PMMU_PAGE_FAULT && cold.error_code != warm.error_code))
      mx.fail(describe_case(cases[i], true), "cold gave " + pmmu_test::describe(cold) +
                                                 ", warm gave " + pmmu_test::describe(warm));
    const Expect ex = oracle(cases[i]);
    faults += ex.fault;
    rsvd += ex.kind == PMMU_FAULT_RESERVED;
    cases_run++;
  }
  const char *name = large ? "PAE-2MiB" : "PAE-4KiB";
  std::cout << "[ matrix   ] " << name << ": " << cases_run << " cases (" << faults
            << " expected to fault, " << rsvd << " of them RSVD), " << runs << " runs cold+warm, "
            << mx.failures() << " failed checks\n";
  ::testing::Test::RecordProperty(std::string(name) + "_cases", static_cast<int>(cases_run));
  ::testing::Test::RecordProperty(std::string(name) + "_runs", static_cast<int>(runs));
  ::testing::Test::RecordProperty(std::string(name) + "_expected_faults", static_cast<int>(faults));
  EXPECT_EQ(cases_run, expected_cases);
  EXPECT_EQ(runs, 2 * expected_cases);
  EXPECT_EQ(mx.failures(), 0u);
}

} // namespace

// 64 PDE x PTE U/W/XD combinations x 8 (access, privilege) pairs x 32 (WP, SMEP, SMAP, AC, NXE).
TEST(PaePermissionMatrix, Pages4KiB) { run_matrix(false, 64 * 8 * 32); }

// 8 PDE U/W/XD combinations x 8 (access, privilege) pairs x 32 (WP, SMEP, SMAP, AC, NXE).
TEST(PaePermissionMatrix, Pages2MiB) { run_matrix(true, 8 * 8 * 32); }

// The oracle on cases read straight off the spec text.
TEST(PaePermissionMatrix, OracleSpotChecks) {
  Case c{};
  c.pde_u = c.pde_w = c.pte_u = c.pte_w = true;
  c.access = PMMU_FETCH;
  c.priv = PMMU_USER;
  c.nxe = true;
  EXPECT_FALSE(oracle(c).fault); // user fetch of a user page, XD clear
  c.pte_xd = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_US | PMMU_EC_ID); // XD: protection, I/D from NXE
  c.access = PMMU_READ;
  EXPECT_FALSE(oracle(c).fault); // XD concerns fetches only
  c.nxe = false;                 // bit 63 now reserved: RSVD on a read too
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_US | PMMU_EC_RSVD);
  EXPECT_EQ(oracle(c).level, PMMU_LEVEL_PTE);
  c.pde_xd = true; // the PDE is read first
  EXPECT_EQ(oracle(c).level, PMMU_LEVEL_PDE);
  c = Case{};
  c.pde_u = c.pte_u = true;
  c.access = PMMU_FETCH;
  c.priv = PMMU_SUPERVISOR;
  c.nxe = false;
  c.smep = false;
  c.pde_w = true;
  EXPECT_FALSE(oracle(c).fault); // fetch ignores R/W
  c.pde_xd = true;
  c.nxe = false;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_RSVD); // no I/D: neither SMEP nor NXE
  c.smep = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_RSVD | PMMU_EC_ID);
  c = Case{};
  c.pde_u = c.pte_u = true;
  c.access = PMMU_FETCH;
  c.priv = PMMU_SUPERVISOR;
  c.smep = true;
  c.nxe = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_ID);
  c = Case{};
  c.large = true;
  c.pde_u = true;
  c.pte_xd = true; // ignored for a 2 MiB page
  c.access = PMMU_FETCH;
  c.priv = PMMU_USER;
  c.nxe = false;
  EXPECT_FALSE(oracle(c).fault);
}

// =======================================================================================
// 2. PDPTE registers
// =======================================================================================

namespace {

const std::vector<unsigned> &pdpte_reserved_bits() {
  static const std::vector<unsigned> bits = [] {
    std::vector<unsigned> v = {1, 2, 5, 6, 7, 8};
    for (unsigned b = 36; b <= 63; b++) v.push_back(b);
    return v;
  }();
  return bits;
}

constexpr uint32_t kLaProbe = 0x00001000;    // PDPTE 0, PDE 0, PTE 1
constexpr uint64_t kFrameProbe = 0x00A01000; // its frame
constexpr uint32_t kPdptAlt = 0x00104000;    // another PDPT (same PDs)

void same_control(const pmmu_control &a, const pmmu_control &b, const std::string &what) {
  EXPECT_EQ(a.cr0, b.cr0) << what;
  EXPECT_EQ(a.cr3, b.cr3) << what;
  EXPECT_EQ(a.cr4, b.cr4) << what;
  EXPECT_EQ(a.efer, b.efer) << what;
  for (int i = 0; i < 4; i++) EXPECT_EQ(a.pdpte[i], b.pdpte[i]) << what << " pdpte[" << i << "]";
}

class PaePdpteGp : public ::testing::TestWithParam<unsigned> {};

} // namespace

// A present PDPTE with a reserved bit (2:1, 8:5, 63:36) refuses the register write that loads
// it with #GP(0): nothing is loaded, the register keeps its old value (section 4), and nothing
// else changes (pmmu.h: "then nothing changes at all": no TLB flush).
TEST_P(PaePdpteGp, PresentReservedBitRefusesEveryLoadingWrite) {
  const unsigned b = GetParam();
  for (unsigned idx = 0; idx < 4; idx++) {
    SCOPED_TRACE("bit " + std::to_string(b) + " in PDPTE " + std::to_string(idx));
    PaeRig rig(true);
    ASSERT_NE(rig.m, nullptr);
    rig.map4k(kLaProbe, P64 | RW64, P64 | RW64 | A64 | D64, kFrameProbe);
    rig.w64(pde_addr_pae(kLaProbe), pt_of(kLaProbe) | P64 | RW64 | A64);
    ASSERT_EQ(rig.read(kLaProbe).outcome, PMMU_OK);
    ASSERT_TRUE(rig.cached(kLaProbe));
    const uint64_t bad = (kPd + idx * 0x1000u) | P64 | bit(b);

    // (a) CR3 write to another PDPT holding the bad entry.
    for (unsigned i = 0; i < 4; i++) rig.w64(pdpte_addr(kPdptAlt, i), (kPd + i * 0x1000u) | P64);
    rig.w64(pdpte_addr(kPdptAlt, idx), bad);
    pmmu_control before = rig.control();
    const uint64_t gp_before = rig.stats().gp_faults;
    pmmu_reg_result rr = rig.cr3(kPdptAlt);
    EXPECT_TRUE(rr.gp_fault) << "cr3";
    EXPECT_FALSE(rr.pdptes_loaded) << "cr3";
    EXPECT_EQ(rr.flushed, 0u) << "cr3: a refused write flushed the TLB";
    same_control(rig.control(), before, "after refused cr3");
    EXPECT_EQ(rig.stats().gp_faults, gp_before + 1);
    EXPECT_TRUE(rig.cached(kLaProbe)) << "a refused CR3 write flushed the TLB";
    {
      pmmu_response r = rig.read(kLaProbe);
      EXPECT_EQ(r.outcome, PMMU_OK) << describe(r);
      EXPECT_EQ(r.pa, kFrameProbe);
      EXPECT_EQ(r.tlb, PMMU_TLB_HIT);
    }
    // (a') the same CR3 value, with the bad entry in the current PDPT: refused too.
    const uint64_t good = rig.r64(pdpte_addr(kPdpt, idx));
    rig.w64(pdpte_addr(kPdpt, idx), bad);
    rr = rig.cr3(kPdpt);
    EXPECT_TRUE(rr.gp_fault) << "cr3 same value";
    same_control(rig.control(), before, "after refused cr3 (same value)");
    EXPECT_TRUE(rig.cached(kLaProbe)) << "a refused CR3 write flushed the TLB";

    // (b) CR4 writes that reload while PAE paging stays in use: PSE, PGE, SMEP changes.
    // The whole write is refused: a bit that would not load by itself (SMAP) is not written
    // either when it comes with one that loads.
    for (uint32_t flip :
         {PMMU_CR4_PSE, PMMU_CR4_PGE, PMMU_CR4_SMEP, PMMU_CR4_PSE | PMMU_CR4_SMAP}) {
      rr = rig.cr4(PMMU_CR4_PAE | flip);
      EXPECT_TRUE(rr.gp_fault) << "cr4 flip " << hex(flip);
      EXPECT_EQ(rr.flushed, 0u);
      same_control(rig.control(), before, "after refused cr4 flip " + hex(flip));
    }
    EXPECT_TRUE(rig.cached(kLaProbe)) << "a refused CR4 write flushed the TLB";

    // (c) CR0 write turning paging on with CR4.PAE = 1.
    rr = rig.cr0(0); // PG off: PAE paging not in use afterwards: no load, no #GP
    EXPECT_FALSE(rr.gp_fault) << "cr0 PG=0";
    EXPECT_FALSE(rr.pdptes_loaded) << "cr0 PG=0";
    pmmu_control off = rig.control();
    EXPECT_EQ(off.cr0, 0u);
    rr = rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
    EXPECT_TRUE(rr.gp_fault) << "cr0 PG=1";
    same_control(rig.control(), off, "after refused cr0 PG=1");
    EXPECT_EQ(rig.read(kLaProbe).tlb, PMMU_TLB_OFF) << "CR0.PG must have stayed 0";

    // (d) CR4 write turning PAE on with CR0.PG = 1, from 32-bit paging.
    rig.w64(pdpte_addr(kPdpt, idx), good);
    rr = rig.cr0(PMMU_CR0_PG); // now loads the good entries
    EXPECT_FALSE(rr.gp_fault);
    EXPECT_TRUE(rr.pdptes_loaded);
    rr = rig.cr4(0); // to 32-bit paging: no load
    EXPECT_FALSE(rr.gp_fault);
    EXPECT_FALSE(rr.pdptes_loaded);
    rig.w64(pdpte_addr(kPdpt, idx), bad);
    pmmu_control in32 = rig.control();
    rr = rig.cr4(PMMU_CR4_PAE);
    EXPECT_TRUE(rr.gp_fault) << "cr4 PAE=1";
    same_control(rig.control(), in32, "after refused cr4 PAE=1");
    // CR4.PAE stayed 0: 32-bit paging, whose walk reads the 4-byte PDE at CR3[31:12] +
    // LA[31:22] * 4 (here the high half of PDPTE 1; not present, which does not matter).
    rig.mem.clear_log();
    pmmu_response r = rig.read(0x00C00000); // 32-bit PDE index 3: 0x10000c
    EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
    ASSERT_GE(rig.mem.txns.size(), 1u);
    EXPECT_EQ(rig.mem.txns[0].size, 4u) << "CR4.PAE must have stayed 0";
    EXPECT_EQ(rig.mem.txns[0].pa, kPdpt + 3 * 4u);
  }
}

INSTANTIATE_TEST_SUITE_P(ReservedBits, PaePdpteGp, ::testing::ValuesIn(pdpte_reserved_bits()),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "bit" + std::to_string(i.param);
                         });

// The same bits in a PDPTE that is not present are not checked: the load succeeds, the
// register holds the value, and an access through it is a not-present #PF (P = 0).
TEST(PaePdpteLoad, NotPresentWithReservedBitsLoadsAndFaultsNotPresent) {
  std::vector<uint64_t> values;
  for (unsigned b : pdpte_reserved_bits()) values.push_back(kPd | bit(b));
  uint64_t all = 0;
  for (unsigned b : pdpte_reserved_bits()) all |= bit(b);
  values.push_back(all | 0xFFFFFFE00ull); // every bit but P
  for (uint64_t v : values) {
    SCOPED_TRACE("PDPTE 1 = " + hex(v));
    PaeRig rig(true);
    ASSERT_NE(rig.m, nullptr);
    rig.w64(pdpte_addr(kPdpt, 1), v);
    pmmu_reg_result rr = rig.cr3(kPdpt);
    EXPECT_FALSE(rr.gp_fault);
    EXPECT_TRUE(rr.pdptes_loaded);
    EXPECT_EQ(rig.control().pdpte[1], v);
    rig.mem.clear_log();
    for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH}) {
      const uint32_t la = 0x40123456;
      pmmu_response r = rig.access(la, a, PMMU_USER);
      ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
      EXPECT_EQ(r.error_code, ec_for(a, PMMU_USER, false, true))
          << access_name(a); // P = 0, no RSVD
      EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT);
      EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDPTE);
      EXPECT_EQ(r.cr2, la);
      EXPECT_EQ(r.mem_accesses, 0u);
      EXPECT_EQ(r.cycles, 1u) << "a not-present PDPTE answers at A + 1";
    }
    EXPECT_EQ(rig.mem.read_calls + rig.mem.cas_calls, 0u)
        << "a not-present PDPTE walk touched memory";
  }
}

// Bits that are not reserved in a PDPTE (PWT 3, PCD 4, ignored 11:9) load fine, and the
// page-directory address is PDPTE[35:12] (the low bits do not leak into it).
TEST(PaePdpteLoad, NonReservedLowBitsAreFine) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint64_t pd = 0x9000A0000ull; // above 4 GiB
  const uint64_t v = pd | P64 | bit(3) | bit(4) | bit(9) | bit(10) | bit(11);
  rig.w64(pdpte_addr(kPdpt, 2), v);
  pmmu_reg_result rr = rig.cr3(kPdpt);
  ASSERT_FALSE(rr.gp_fault);
  EXPECT_EQ(rig.control().pdpte[2], v);
  const uint32_t la = 0x80000000 | (5u << 21) | (7u << 12) | 0x123;
  rig.w64(pd + 5 * 8, 0xA00003000ull | P64 | RW64 | A64);
  rig.w64(0xA00003000ull + 7 * 8, 0xF00007000ull | P64 | RW64 | A64);
  rig.mem.clear_log();
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0xF00007123ull);
  ASSERT_EQ(rig.mem.txns.size(), 2u);
  EXPECT_EQ(rig.mem.txns[0].pa, pd + 5 * 8);
  EXPECT_EQ(rig.mem.txns[0].size, 8u);
  EXPECT_EQ(rig.mem.txns[1].pa, 0xA00003000ull + 7 * 8);
  EXPECT_EQ(rig.mem.txns[1].size, 8u);
}

namespace {

// When a register write loads the PDPTEs (section 4). Each row starts from a fresh rig in
// a given (CR0, CR4) state, changes PDPTE 0 in memory, makes one write and says whether that
// write must load.
struct LoadRow {
  const char *name;
  uint32_t cr0, cr4; // the state before
  int reg;           // 0 = CR0, 3 = CR3, 4 = CR4, 8 = EFER
  uint64_t value;
  bool loads;
};

const LoadRow kLoadRows[] = {
    {"cr3_pae_in_use", PMMU_CR0_PG, PMMU_CR4_PAE, 3, kPdpt, true},
    {"cr3_pae_in_use_low_bits", PMMU_CR0_PG, PMMU_CR4_PAE, 3, kPdpt | 0x18, true},
    {"cr3_32bit_paging", PMMU_CR0_PG, 0, 3, kPdpt, false},
    {"cr3_paging_off_pae_set", 0, PMMU_CR4_PAE, 3, kPdpt, false},
    {"cr3_paging_off", 0, 0, 3, kPdpt, false},
    {"cr4_pae_on_with_pg", PMMU_CR0_PG, 0, 4, PMMU_CR4_PAE, true},
    {"cr4_pae_on_without_pg", 0, 0, 4, PMMU_CR4_PAE, false},
    {"cr4_pae_off", PMMU_CR0_PG, PMMU_CR4_PAE, 4, 0, false},
    {"cr4_pse_on", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | PMMU_CR4_PSE, true},
    {"cr4_pse_off", PMMU_CR0_PG, PMMU_CR4_PAE | PMMU_CR4_PSE, 4, PMMU_CR4_PAE, true},
    {"cr4_pge_on", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | PMMU_CR4_PGE, true},
    {"cr4_smep_on", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | PMMU_CR4_SMEP, true},
    {"cr4_smep_off", PMMU_CR0_PG, PMMU_CR4_PAE | PMMU_CR4_SMEP, 4, PMMU_CR4_PAE, true},
    {"cr4_smap_on", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | PMMU_CR4_SMAP, false},
    {"cr4_other_bit", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | (1u << 9), false},
    {"cr4_same_value", PMMU_CR0_PG, PMMU_CR4_PAE, 4, PMMU_CR4_PAE, false},
    {"cr4_pse_on_paging_off", 0, PMMU_CR4_PAE, 4, PMMU_CR4_PAE | PMMU_CR4_PSE, false},
    {"cr0_pg_on_with_pae", 0, PMMU_CR4_PAE, 0, PMMU_CR0_PG, true},
    {"cr0_pg_on_without_pae", 0, 0, 0, PMMU_CR0_PG, false},
    {"cr0_pg_off", PMMU_CR0_PG, PMMU_CR4_PAE, 0, 0, false},
    {"cr0_wp_on", PMMU_CR0_PG, PMMU_CR4_PAE, 0, PMMU_CR0_PG | PMMU_CR0_WP, false},
    {"cr0_other_bit", PMMU_CR0_PG, PMMU_CR4_PAE, 0, PMMU_CR0_PG | 1u, false},
    {"cr0_same_value", PMMU_CR0_PG, PMMU_CR4_PAE, 0, PMMU_CR0_PG, false},
    {"efer_nxe_on", PMMU_CR0_PG, PMMU_CR4_PAE, 8, PMMU_EFER_NXE, false},
};

class PaePdpteLoadWhen : public ::testing::TestWithParam<LoadRow> {};

pmmu_reg_result write_reg(Rig &rig, int reg, uint64_t v) {
  switch (reg) {
  case 0: return rig.cr0(static_cast<uint32_t>(v));
  case 3: return rig.cr3(static_cast<uint32_t>(v));
  case 4: return rig.cr4(static_cast<uint32_t>(v));
  default: return rig.efer(v);
  }
}

} // namespace

TEST_P(PaePdpteLoadWhen, LoadsExactlyWhenTheSpecSays) {
  const LoadRow &row = GetParam();
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  const uint64_t first = kPd | P64, second = (kPd + 0x10000) | P64;
  rig.mem.store(pdpte_addr(kPdpt, 0), 8, first);
  for (unsigned i = 1; i < 4; i++)
    rig.mem.store(pdpte_addr(kPdpt, i), 8, (kPd + i * 0x1000u) | P64);
  // Reach the starting state; with PAE in use make sure PDPTE 0 = `first` was loaded.
  rig.cr0(0);
  rig.cr4(row.cr4);
  if (row.cr0 & PMMU_CR0_PG) rig.cr0(row.cr0);
  {
    pmmu_control c = rig.control();
    ASSERT_EQ(c.cr0, row.cr0);
    ASSERT_EQ(c.cr4, row.cr4);
    if ((row.cr0 & PMMU_CR0_PG) && (row.cr4 & PMMU_CR4_PAE)) {
      ASSERT_EQ(c.pdpte[0], first);
    }
  }
  const pmmu_control before = rig.control();
  rig.mem.store(pdpte_addr(kPdpt, 0), 8, second);
  rig.mem.clear_log();
  pmmu_reg_result rr = write_reg(rig, row.reg, row.value);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_EQ(rr.pdptes_loaded, row.loads);
  const pmmu_control after = rig.control();
  EXPECT_EQ(after.pdpte[0], row.loads ? second : before.pdpte[0]);
  if (row.loads) {
    for (unsigned i = 1; i < 4; i++) EXPECT_EQ(after.pdpte[i], (kPd + i * 0x1000u) | P64);
    // The load reads the four PDPTEs from memory (8 bytes each, at CR3[31:5] + 8i).
    unsigned seen = 0;
    for (const auto &t : rig.mem.txns)
      if (t.op == PMMU_MEM_READ && t.size == 8 && t.pa >= kPdpt && t.pa < kPdpt + 32 &&
          t.pa % 8 == 0)
        seen |= 1u << ((t.pa - kPdpt) / 8);
    EXPECT_EQ(seen, 0xFu) << "the load did not read all four PDPTEs (observed transactions)";
  } else {
    EXPECT_EQ(rig.mem.read_calls, 0u) << "a write that loads nothing read memory";
  }
  // A loading write that finds a bad PDPTE is refused; a non-loading one is not. Check it
  // from the same state with PDPTE 0 present and reserved bit 1 set.
  Rig rig2;
  ASSERT_NE(rig2.m, nullptr);
  rig2.mem.store(pdpte_addr(kPdpt, 0), 8, first);
  for (unsigned i = 1; i < 4; i++)
    rig2.mem.store(pdpte_addr(kPdpt, i), 8, (kPd + i * 0x1000u) | P64);
  rig2.cr0(0);
  rig2.cr4(row.cr4);
  if (row.cr0 & PMMU_CR0_PG) rig2.cr0(row.cr0);
  rig2.mem.store(pdpte_addr(kPdpt, 0), 8, first | RW64);
  const pmmu_control before2 = rig2.control();
  rr = write_reg(rig2, row.reg, row.value);
  EXPECT_EQ(rr.gp_fault, row.loads);
  if (row.loads) same_control(rig2.control(), before2, "refused write");
}

INSTANTIATE_TEST_SUITE_P(Rows, PaePdpteLoadWhen, ::testing::ValuesIn(kLoadRows),
                         [](const ::testing::TestParamInfo<LoadRow> &i) {
                           return std::string(i.param.name);
                         });

// Later changes to the PDPTEs in memory are not seen until the next load (section 4).
TEST(PaePdpteLoad, StalePdptesUntilTheNextLoad) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x00201000; // PDPTE 0, PDE 1, PTE 1
  const uint64_t pd_b = 0x00500000, pt_b = 0x00501000;
  rig.map4k(la, P64 | RW64 | A64, P64 | RW64 | A64 | D64, 0x00A00000);
  rig.w64(pde_addr_pae(la, pd_b), pt_b | P64 | RW64 | A64);
  rig.w64(pte_addr_pae(la, pt_b), 0x00B00000 | P64 | RW64 | A64 | D64);
  EXPECT_EQ(rig.read(la).pa, 0x00A00000u);

  // (1) PDPTE 0 now points to PD B: the walk still uses the loaded register.
  rig.w64(pdpte_addr(kPdpt, 0), pd_b | P64);
  rig.invlpg(la);
  pmmu_response r = rig.read(la);
  EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
  EXPECT_EQ(r.pa, 0x00A00000u) << "a PDPTE edited in memory was seen without a load";
  EXPECT_EQ(rig.control().pdpte[0], kPd | P64);
  // SMAP and WP changes do not load; the stale register stays.
  rig.cr4(PMMU_CR4_PAE | PMMU_CR4_SMAP);
  rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
  rig.invlpg(la);
  EXPECT_EQ(rig.read(la).pa, 0x00A00000u);
  // The next load (CR3 written with the same value) sees PD B.
  pmmu_reg_result rr = rig.cr3(kPdpt);
  EXPECT_TRUE(rr.pdptes_loaded);
  r = rig.read(la);
  EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
  EXPECT_EQ(r.pa, 0x00B00000u);

  // (2) PDPTE 1 made not present in memory: still translated until a load.
  const uint32_t la1 = 0x40001000;
  rig.map4k(la1, P64 | RW64 | A64, P64 | RW64 | A64 | D64, 0x00C01000);
  EXPECT_EQ(rig.read(la1).pa, 0x00C01000u);
  rig.w64(pdpte_addr(kPdpt, 1), 0);
  rig.invlpg(la1);
  r = rig.read(la1);
  EXPECT_EQ(r.outcome, PMMU_OK) << describe(r);
  rr = rig.cr4(PMMU_CR4_PAE | PMMU_CR4_SMAP | PMMU_CR4_SMEP); // SMEP change: load
  EXPECT_TRUE(rr.pdptes_loaded);
  r = rig.read(la1);
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDPTE);

  // (3) PDPTE 1 present again but with a reserved bit: accesses through the (not-present)
  // register still fault P = 0; the next load is refused and the register stays.
  rig.w64(pdpte_addr(kPdpt, 1), (kPd + 0x1000) | P64 | bit(40));
  rr = rig.cr3(kPdpt);
  EXPECT_TRUE(rr.gp_fault);
  EXPECT_EQ(rig.control().pdpte[1], 0u);
  r = rig.read(la1);
  EXPECT_EQ(r.error_code, 0u);
  rig.w64(pdpte_addr(kPdpt, 1), (kPd + 0x1000) | P64);
  rr = rig.cr3(kPdpt);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_EQ(rig.read(la1).pa, 0x00C01000u);
}

// A not-present PDPTE: #PF with P = 0 (section 4), no memory access, answered at A + 1
// (docs/timing.md), CR2 set, nothing cached; I/D for a fetch with NXE = 1 or SMEP.
TEST(PaePdpteLoad, NotPresentPdpteFaultsWithoutMemoryAccess) {
  for (bool nxe : {false, true})
    for (bool smep : {false, true}) {
      SCOPED_TRACE(std::string("NXE=") + (nxe ? "1" : "0") + " SMEP=" + (smep ? "1" : "0"));
      PaeRig rig(nxe);
      ASSERT_NE(rig.m, nullptr);
      rig.w64(pdpte_addr(kPdpt, 3), 0);
      rig.cr4(PMMU_CR4_PAE | (smep ? PMMU_CR4_SMEP : 0));
      rig.cr3(kPdpt); // loads
      ASSERT_EQ(rig.control().pdpte[3], 0u);
      // A PDE where the walk would find one if it (wrongly) read memory.
      rig.w64(kPd + 3 * 0x1000, 0x00E00000ull | PS64 | P64 | RW64 | US64 | A64 | D64);
      for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
        for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER, PMMU_IMPLICIT}) {
          if (a == PMMU_FETCH && p == PMMU_IMPLICIT) continue;
          const uint32_t la = 0xC0000ABC;
          rig.mem.clear_log();
          pmmu_ack_interrupt(rig.m);
          pmmu_response r = rig.access(la, a, p);
          ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
          EXPECT_EQ(r.error_code, ec_for(a, p, smep, nxe)) << access_name(a) << " " << priv_name(p);
          EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT);
          EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDPTE);
          EXPECT_EQ(r.cr2, la);
          EXPECT_EQ(r.mem_accesses, 0u);
          EXPECT_EQ(r.response_cycle, r.accept_cycle + 1);
          EXPECT_EQ(r.cycles, 1u);
          EXPECT_EQ(rig.mem.read_calls + rig.mem.cas_calls + rig.mem.timing_calls, 0u);
          EXPECT_TRUE(rig.interrupt().pending);
          EXPECT_EQ(rig.interrupt().cr2, la);
          EXPECT_FALSE(rig.cached(la));
        }
    }
}

// CR3[31:5] is the PDPT base in PAE: bits 4:0 are ignored, bit 5 is used.
TEST(PaePdpteLoad, Cr3Bits31To5AreThePdptBase) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t base = 0x00100060; // 32-byte aligned, not 4 KiB aligned
  for (unsigned i = 0; i < 4; i++) rig.w64(base + 8 * i, (0x00700000 + i * 0x1000u) | P64);
  rig.w64(0x00700000 + 0 * 8, 0x00800000 | PS64 | P64 | RW64 | A64 | D64); // 2 MiB at LA 0
  pmmu_reg_result rr = rig.cr3(base | 0x1F);
  ASSERT_FALSE(rr.gp_fault);
  EXPECT_TRUE(rr.pdptes_loaded);
  pmmu_control c = rig.control();
  EXPECT_EQ(c.cr3, base | 0x1Fu);
  for (unsigned i = 0; i < 4; i++) EXPECT_EQ(c.pdpte[i], (0x00700000 + i * 0x1000u) | P64);
  pmmu_response r = rig.read(0x00012345);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00812345u);
  EXPECT_EQ(r.page_shift, 21u);
}

// =======================================================================================
// 3. Reserved bits in PAE PDEs and PTEs
// =======================================================================================

namespace {

struct Acc {
  pmmu_access a;
  pmmu_priv p;
};
const Acc kAccs[] = {{PMMU_READ, PMMU_SUPERVISOR},  {PMMU_WRITE, PMMU_SUPERVISOR},
                     {PMMU_FETCH, PMMU_SUPERVISOR}, {PMMU_READ, PMMU_USER},
                     {PMMU_WRITE, PMMU_USER},       {PMMU_FETCH, PMMU_USER},
                     {PMMU_READ, PMMU_IMPLICIT},    {PMMU_WRITE, PMMU_IMPLICIT}};

enum class Where { Pde4k, Pde2m, Pte };
const char *where_name(Where w) {
  return w == Where::Pde4k ? "PDE(table)" : w == Where::Pde2m ? "PDE(2MiB)" : "PTE";
}

// Sets up one user-writable page with `extra` in the entry `where` names (A, D clear), makes
// every access twice and checks an RSVD fault at that level, nothing written, nothing cached.
void expect_rsvd_everywhere(PaeRig &rig, Where where, uint64_t extra, bool nxe, bool smep) {
  const uint32_t la = 0x80654321; // PDPTE 2
  for (const Acc &acc : kAccs) {
    SCOPED_TRACE(std::string(where_name(where)) + " extra=" + hex(extra) + " " +
                 access_name(acc.a) + " by " + priv_name(acc.p) + (nxe ? " NXE=1" : " NXE=0") +
                 (smep ? " SMEP=1" : " SMEP=0"));
    if (where == Where::Pde2m) {
      rig.map2m(la, 0x00E00000 | P64 | RW64 | US64 | extra);
    } else {
      rig.map4k(la, P64 | RW64 | US64 | (where == Where::Pde4k ? extra : 0),
                P64 | RW64 | US64 | (where == Where::Pte ? extra : 0), 0x00E01000);
    }
    rig.invlpg(la);
    const auto snap = rig.mem.snapshot();
    rig.mem.clear_log();
    for (int attempt = 0; attempt < 2; attempt++) {
      pmmu_ack_interrupt(rig.m);
      pmmu_response r = rig.access(la, acc.a, acc.p);
      ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
      EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_RSVD | ec_for(acc.a, acc.p, smep, nxe));
      EXPECT_EQ(r.cr2, la);
      EXPECT_EQ(r.fault_kind, PMMU_FAULT_RESERVED);
      EXPECT_EQ(r.fault_level, where == Where::Pte ? PMMU_LEVEL_PTE : PMMU_LEVEL_PDE);
      EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
      EXPECT_EQ(r.mem_accesses, where == Where::Pte ? 2u : 1u);
      EXPECT_TRUE(rig.interrupt().pending);
      EXPECT_FALSE(rig.cached(la));
    }
    EXPECT_TRUE(rig.mem.same_as(snap)) << "a reserved-bit fault wrote memory";
    EXPECT_EQ(rig.mem.cas_calls, 0u);
  }
}

class PaeRsvd2MiB : public ::testing::TestWithParam<unsigned> {};
class PaeRsvd62to36 : public ::testing::TestWithParam<unsigned> {};

} // namespace

// Bits 20:13 of a 2 MiB PDE are reserved (section 4), with NXE on or off, SMEP on or off.
TEST_P(PaeRsvd2MiB, EachBitFaultsRsvd) {
  const unsigned b = GetParam();
  for (bool nxe : {false, true})
    for (bool smep : {false, true}) {
      PaeRig rig(nxe);
      ASSERT_NE(rig.m, nullptr);
      rig.cr4(PMMU_CR4_PAE | (smep ? PMMU_CR4_SMEP : 0));
      expect_rsvd_everywhere(rig, Where::Pde2m, bit(b), nxe, smep);
    }
}
INSTANTIATE_TEST_SUITE_P(Bits20to13, PaeRsvd2MiB, ::testing::Range(13u, 21u),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "bit" + std::to_string(i.param);
                         });

// Bits 62:36 are reserved in every present PDE (table or 2 MiB) and PTE (section 4).
TEST_P(PaeRsvd62to36, EachBitFaultsRsvdAtEveryLevel) {
  const unsigned b = GetParam();
  for (bool nxe : {false, true}) {
    PaeRig rig(nxe);
    ASSERT_NE(rig.m, nullptr);
    for (Where w : {Where::Pde4k, Where::Pde2m, Where::Pte})
      expect_rsvd_everywhere(rig, w, bit(b), nxe, false);
  }
}
INSTANTIATE_TEST_SUITE_P(Bits62to36, PaeRsvd62to36, ::testing::Range(36u, 63u),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "bit" + std::to_string(i.param);
                         });

// Bit 63 is reserved when NXE = 0: a set bit 63 faults with RSVD on any access, reads and
// writes too, at every level; with NXE = 1 it is XD: reads and writes work, fetches fault
// with a protection violation and I/D.
TEST(PaeReservedBits, Bit63WithoutNxeIsReservedForEveryAccess) {
  for (bool smep : {false, true}) {
    PaeRig rig(false);
    ASSERT_NE(rig.m, nullptr);
    rig.cr4(PMMU_CR4_PAE | (smep ? PMMU_CR4_SMEP : 0));
    for (Where w : {Where::Pde4k, Where::Pde2m, Where::Pte})
      expect_rsvd_everywhere(rig, w, XD, false, smep);
  }
}

TEST(PaeReservedBits, Bit63WithNxeIsXd) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x80654321;
  for (Where w : {Where::Pde4k, Where::Pde2m, Where::Pte}) {
    SCOPED_TRACE(where_name(w));
    for (const Acc &acc : kAccs) {
      SCOPED_TRACE(std::string(access_name(acc.a)) + " by " + priv_name(acc.p));
      if (w == Where::Pde2m) rig.map2m(la, 0x00E00000 | P64 | RW64 | US64 | XD);
      else
        rig.map4k(la, P64 | RW64 | US64 | (w == Where::Pde4k ? XD : 0),
                  P64 | RW64 | US64 | (w == Where::Pte ? XD : 0), 0x00E01000);
      rig.invlpg(la);
      pmmu_response r = rig.access(la, acc.a, acc.p);
      if (acc.a == PMMU_FETCH) {
        ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
        EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_ID | (acc.p == PMMU_USER ? PMMU_EC_US : 0));
        EXPECT_EQ(r.fault_kind, PMMU_FAULT_PROTECTION);
      } else {
        ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
        const uint64_t pa =
            w == Where::Pde2m ? (0x00E00000u | (la & 0x1FFFFF)) : (0x00E01000u | (la & 0xFFF));
        EXPECT_EQ(r.pa, pa);
        auto slot = rig.find(la);
        ASSERT_TRUE(slot.has_value());
        EXPECT_FALSE(slot->e.x);
      }
      pmmu_ack_interrupt(rig.m);
    }
  }
}

// An entry that is not present is not checked for reserved bits: P = 0 error codes.
TEST(PaeReservedBits, NotPresentEntriesAreNotChecked) {
  PaeRig rig(false);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x80654321;
  const uint64_t junk = XD | bit(62) | bit(40) | bit(36) | bit(13) | bit(20) | RW64 | US64;
  // PDE not present.
  rig.w64(pde_addr_pae(la), junk | PS64);
  pmmu_response r = rig.read(la, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_US);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
  EXPECT_EQ(r.mem_accesses, 1u);
  // PTE not present.
  rig.w64(pde_addr_pae(la), pt_of(la) | P64 | RW64 | US64);
  rig.w64(pte_addr_pae(la), junk);
  r = rig.write(la, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_US | PMMU_EC_WR);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PTE);
  EXPECT_EQ(r.mem_accesses, 2u);
}

// Attribute and ignored bits are not reserved: PTE bit 7 (PAT), 2 MiB PDE bit 12 (PAT),
// bits 11:9, and bits 8 (G) / 6 (D) of a table PDE. The PA comes from PDE[35:21] for a 2 MiB
// page (bit 12 is not an address bit), and CR4.PSE = 0 does not matter (section 4).
TEST(PaeReservedBits, AttributeBitsAreNotReserved) {
  PaeRig rig(false);
  ASSERT_NE(rig.m, nullptr);
  ASSERT_EQ(rig.control().cr4 & PMMU_CR4_PSE, 0u);
  const uint32_t la2m = 0x00412345; // PDPTE 0, PDE 2
  rig.map2m(la2m,
            0x0FFE00000ull | P64 | RW64 | bit(12) | bit(9) | bit(10) | bit(11) | bit(3) | bit(4));
  pmmu_response r = rig.read(la2m);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x0FFE12345ull);
  EXPECT_EQ(r.page_shift, 21u);
  EXPECT_EQ(r.attr, 7u); // PWT, PCD, PAT
  const uint32_t la4k = 0x00601234;
  rig.map4k(la4k, P64 | RW64 | bit(6) | bit(8) | bit(9) | bit(11),
            P64 | RW64 | bit(7) | bit(9) | bit(11), 0xFFFFFF000ull);
  r = rig.read(la4k);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0xFFFFFF234ull);
  EXPECT_EQ(r.attr, 4u); // PAT from the PTE
}

// =======================================================================================
// 4. 2 MiB pages in the TLB, NXE flush, walks, cycles, mode switches
// =======================================================================================

// A 2 MiB page is one entry of the large array (tlb.md), tag LA[31:21]; two 2 MiB pages of
// one 4 MiB region are two entries; INVLPG anywhere inside removes only its page.
TEST(Pae2MiB, LargeArrayEntries) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PAE | PMMU_CR4_PGE);
  const uint32_t la0 = 0x40000000, la1 = 0x40200000; // PDPTE 1, PDEs 0 and 1
  rig.map2m(la0, 0x123400000ull | P64 | RW64 | US64 | A64 | D64 | G64 | bit(3));
  rig.map2m(la1, 0x123600000ull | P64 | A64 | XD);
  ASSERT_EQ(rig.write(la0 + 0x1234).pa, 0x123401234ull);
  // The other half of the same 4 MiB region is another page: not a hit on la0's entry.
  pmmu_response r1 = rig.read(la1 + 0x1FFFFF);
  ASSERT_EQ(r1.outcome, PMMU_OK) << describe(r1);
  EXPECT_EQ(r1.pa, 0x1237FFFFFull);
  EXPECT_EQ(r1.tlb, PMMU_TLB_MISS);
  // D was already set in la0's PDE: a write hits.
  EXPECT_EQ(rig.write(la0 + 0x100000).tlb, PMMU_TLB_HIT);
  unsigned large_valid = 0;
  for (unsigned w = 0; w < rig.cfg.tlb_large; w++) large_valid += rig.entry(true, 0, w).valid;
  EXPECT_EQ(large_valid, 2u);
  for (unsigned s = 0; s < rig.cfg.tlb_sets; s++)
    for (unsigned w = 0; w < rig.cfg.tlb_ways; w++)
      EXPECT_FALSE(rig.entry(false, s, w).valid) << "split into 4 KiB";
  auto e0 = rig.find(la0 + 0x1FFFFF);
  ASSERT_TRUE(e0.has_value());
  EXPECT_TRUE(e0->large);
  EXPECT_EQ(e0->e.page_shift, 21u);
  EXPECT_EQ(e0->e.vpn, la0 >> 21);
  EXPECT_EQ(e0->e.frame_pa, 0x123400000ull);
  EXPECT_TRUE(e0->e.u);
  EXPECT_TRUE(e0->e.w);
  EXPECT_TRUE(e0->e.x);
  EXPECT_TRUE(e0->e.d);
  EXPECT_TRUE(e0->e.g);
  EXPECT_EQ(e0->e.attr, 1u);
  auto e1 = rig.find(la1);
  ASSERT_TRUE(e1.has_value());
  EXPECT_EQ(e1->e.vpn, la1 >> 21);
  EXPECT_FALSE(e1->e.u);
  EXPECT_FALSE(e1->e.w);
  EXPECT_FALSE(e1->e.x);
  EXPECT_FALSE(e1->e.d);
  EXPECT_FALSE(e1->e.g);
  EXPECT_FALSE(rig.cached(la1 + 0x200000)) << "a 2 MiB entry mapped the next 2 MiB";
  EXPECT_FALSE(rig.cached(la0 - 1));
  // Hits anywhere inside.
  EXPECT_EQ(rig.read(la0 + 0x1FF000).tlb, PMMU_TLB_HIT);
  // INVLPG of an address inside la1 removes la1 only (global la0 stays too).
  rig.invlpg(la1 + 0x155555);
  EXPECT_FALSE(rig.cached(la1));
  EXPECT_TRUE(rig.cached(la0));
  rig.invlpg(la0 + 0x1FFFFF);
  EXPECT_FALSE(rig.cached(la0)) << "INVLPG inside a global 2 MiB page must remove it";
}

// A change of EFER.NXE flushes all entries, global ones too (section 8), in PAE; writing the
// same NXE does not; the X of a re-walked page follows the new NXE.
TEST(PaeNxe, ToggleFlushesAll) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PAE | PMMU_CR4_PGE);
  const uint32_t g4k = 0x00001000, l4k = 0x00002000, g2m = 0x00400000, xd2m = 0x00600000;
  rig.map4k(g4k, P64 | RW64 | A64, P64 | RW64 | A64 | D64 | G64, 0x00A01000);
  rig.map4k(l4k, P64 | RW64 | A64, P64 | RW64 | A64 | D64, 0x00A02000);
  rig.map2m(g2m, 0x00C00000 | P64 | RW64 | A64 | D64 | G64);
  rig.map2m(xd2m, 0x00E00000 | P64 | RW64 | A64 | D64 | XD);
  for (uint32_t la : {g4k, l4k, g2m, xd2m}) ASSERT_EQ(rig.read(la).outcome, PMMU_OK);
  EXPECT_EQ(rig.fetch(xd2m).error_code, PMMU_EC_P | PMMU_EC_ID);
  ASSERT_EQ(rig.read(xd2m).outcome, PMMU_OK);
  EXPECT_EQ(rig.valid_entries(), 4u);

  pmmu_reg_result rr = rig.efer(PMMU_EFER_NXE); // same value
  EXPECT_EQ(rr.flushed, 0u);
  EXPECT_EQ(rig.valid_entries(), 4u);
  rr = rig.efer(PMMU_EFER_NXE | 1u); // another bit only
  EXPECT_EQ(rr.flushed, 0u);
  EXPECT_EQ(rig.valid_entries(), 4u);
  EXPECT_FALSE(rr.pdptes_loaded);

  rr = rig.efer(0); // NXE 1 -> 0
  EXPECT_TRUE(rr.flushed & PMMU_FLUSHED_ALL);
  EXPECT_FALSE(rr.pdptes_loaded);
  EXPECT_EQ(rig.valid_entries(), 0u);
  // The XD page now has a reserved bit 63: RSVD on a read.
  pmmu_response r = rig.read(xd2m);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_RSVD);
  for (uint32_t la : {g4k, l4k, g2m}) {
    r = rig.fetch(la);
    EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
    ASSERT_EQ(r.outcome, PMMU_OK);
    EXPECT_TRUE(rig.find(la)->e.x);
  }
  rr = rig.efer(PMMU_EFER_NXE); // 0 -> 1
  EXPECT_TRUE(rr.flushed & PMMU_FLUSHED_ALL);
  EXPECT_EQ(rig.valid_entries(), 0u);
  r = rig.fetch(xd2m);
  EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_ID); // XD again, not reserved
}

// Cycles of PAE walks with a fixed latency L (timing.md T4): the PDPTE comes from a register,
// so a 4 KiB walk reads the PDE and the PTE only.
class PaeCycles : public ::testing::TestWithParam<unsigned> {};

TEST_P(PaeCycles, WalksCostTheirMemoryAccesses) {
  const unsigned L = GetParam();
  PaeRig rig(true, [L](pmmu_config &c) { c.mem_latency = L; });
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x40201234; // PDPTE 1, PDE 1, PTE 1
  const uint32_t lb = 0x40403000; // PDPTE 1, PDE 2: 2 MiB
  const uint32_t lc = 0x40601000; // PDE 3: not present
  const uint32_t ld = 0x40801000; // PDE 4 -> PTE not present
  rig.map4k(la, P64 | RW64, P64 | RW64 | XD, 0x777000);
  rig.map2m(lb, 0x00C00000 | P64 | RW64 | A64);
  rig.map4k(ld, P64 | RW64 | A64, 0, 0);

  // First read: PDE read, PTE read, CAS PDE (A), CAS PTE (A): 4 accesses, 4L + 5.
  rig.mem.clear_log();
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.mem_accesses, 4u);
  EXPECT_EQ(r.cycles, 4 * L + 5);
  ASSERT_EQ(rig.mem.txns.size(), 4u);
  const uint64_t pde0 = pt_of(la) | P64 | RW64, pte0 = 0x777000 | P64 | RW64 | XD;
  EXPECT_EQ(rig.mem.txns[0].op, PMMU_MEM_READ);
  EXPECT_EQ(rig.mem.txns[0].pa, pde_addr_pae(la));
  EXPECT_EQ(rig.mem.txns[0].size, 8u);
  EXPECT_EQ(rig.mem.txns[1].op, PMMU_MEM_READ);
  EXPECT_EQ(rig.mem.txns[1].pa, pte_addr_pae(la));
  EXPECT_EQ(rig.mem.txns[1].size, 8u);
  EXPECT_EQ(rig.mem.txns[2].op, PMMU_MEM_CAS);
  EXPECT_EQ(rig.mem.txns[2].pa, pde_addr_pae(la));
  EXPECT_EQ(rig.mem.txns[2].size, 8u);
  EXPECT_EQ(rig.mem.txns[2].expected, pde0);
  EXPECT_EQ(rig.mem.txns[2].desired, pde0 | A64);
  EXPECT_EQ(rig.mem.txns[3].op, PMMU_MEM_CAS);
  EXPECT_EQ(rig.mem.txns[3].pa, pte_addr_pae(la));
  EXPECT_EQ(rig.mem.txns[3].expected, pte0);
  EXPECT_EQ(rig.mem.txns[3].desired, pte0 | A64);
  // Presented A + 1, then each the cycle after the previous answer; R = last answer + 1.
  uint64_t expect_present = r.accept_cycle + 1;
  for (const auto &t : rig.mem.txns) {
    EXPECT_EQ(t.present_cycle, expect_present);
    EXPECT_EQ(t.response_cycle, t.present_cycle + L);
    expect_present = t.response_cycle + 1;
  }
  EXPECT_EQ(r.response_cycle, expect_present);
  EXPECT_EQ(rig.r64(pte_addr_pae(la)), pte0 | A64);

  // Write: D in the PTE only: 3 accesses, 3L + 4.
  r = rig.write(la);
  EXPECT_EQ(r.mem_accesses, 3u);
  EXPECT_EQ(r.cycles, 3 * L + 4);
  EXPECT_EQ(rig.r64(pte_addr_pae(la)), pte0 | A64 | D64);
  // 4 KiB, A and D set: 2 accesses, 2L + 3.
  rig.invlpg(la);
  r = rig.write(la);
  EXPECT_EQ(r.mem_accesses, 2u);
  EXPECT_EQ(r.cycles, 2 * L + 3);
  // Hit: 1.
  r = rig.read(la);
  EXPECT_EQ(r.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(r.cycles, 1u);
  // 2 MiB with A set: 1 access, L + 2.
  r = rig.read(lb);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.mem_accesses, 1u);
  EXPECT_EQ(r.cycles, L + 2);
  // 2 MiB write: CAS for D: 2 accesses, 2L + 3.
  r = rig.write(lb);
  EXPECT_EQ(r.mem_accesses, 2u);
  EXPECT_EQ(r.cycles, 2 * L + 3);
  // Not-present PDE: L + 2. Not-present PTE: 2L + 3. Protection (XD fetch): 2L + 3.
  r = rig.read(lc);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.cycles, L + 2);
  r = rig.read(ld);
  EXPECT_EQ(r.error_code, 0u);
  EXPECT_EQ(r.cycles, 2 * L + 3);
  rig.invlpg(la);
  r = rig.fetch(la);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_ID);
  EXPECT_EQ(r.cycles, 2 * L + 3);
  // Not-present PDPTE: no access, 1 cycle.
  rig.w64(pdpte_addr(kPdpt, 2), 0);
  rig.cr3(kPdpt);
  r = rig.read(0x80000000);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDPTE);
  EXPECT_EQ(r.cycles, 1u);
  EXPECT_EQ(r.mem_accesses, 0u);
}
INSTANTIATE_TEST_SUITE_P(Latency, PaeCycles, ::testing::Values(1u, 3u, 7u));

// Switching between 32-bit and PAE paging with the same CR3: every switch flushes all (a
// CR4.PAE change, section 8), the walk follows the mode, entries are 4 or 8 bytes.
// CR3 = 0x100000 is both the 32-bit page directory and the PAE PDPT: the PDPTEs take its first
// 32 bytes (32-bit PDEs 0..7), so the 32-bit mappings use PDE index 8 and above, and the
// 32-bit walks never set A in the words that hold PDPTEs (bit 5 is reserved in a PDPTE).
TEST(PaeSwitch, Between32BitAndPae) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la32 = 0x02001000;               // 32-bit: PDE 8 at 0x100020, PTE 1
  rig.mem.w32(0x00100020, 0x00200000 | P | RW);   // PT at 0x200000
  rig.mem.w32(0x00200004, 0x00500000 | P | RW);   // frame 0x500000
  rig.mem.store(0x00100000, 8, 0x00300000 | P64); // PDPTE 0: PD at 0x300000
  for (unsigned i = 1; i < 4; i++) rig.mem.store(0x00100000 + 8 * i, 8, 0);
  const uint32_t la_pae = 0x00205000;                           // PAE: PDE 1 at 0x300008, PTE 5
  rig.mem.store(0x00300008, 8, 0x00600000 | P64 | RW64);        // PT at 0x600000
  rig.mem.store(0x00600028, 8, 0x00700000 | P64 | RW64);        // frame 0x700000
  rig.mem.store(0x00300010, 8, 0x00A00000 | PS64 | P64 | RW64); // PDE 2: 2 MiB at LA 0x400000

  // 32-bit paging.
  pmmu_response r = rig.read(la32 + 0x10);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00500010u);
  rig.mem.clear_log();
  r = rig.read(la_pae); // 32-bit: PDE 0 = low half of PDPTE 0 -> PT 0x300000, PTE 0x205 = 0
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, 0u);
  ASSERT_EQ(rig.mem.txns.size(), 2u);
  EXPECT_EQ(rig.mem.txns[0].pa, 0x00100000u);
  EXPECT_EQ(rig.mem.txns[0].size, 4u);
  EXPECT_EQ(rig.mem.txns[1].pa, 0x00300000u + 0x205 * 4);
  EXPECT_EQ(rig.mem.txns[1].size, 4u);
  ASSERT_TRUE(rig.cached(la32));

  // To PAE: load, flush all, 8-byte walk.
  pmmu_reg_result rr = rig.cr4(PMMU_CR4_PAE);
  ASSERT_FALSE(rr.gp_fault);
  EXPECT_TRUE(rr.pdptes_loaded);
  EXPECT_TRUE(rr.flushed & PMMU_FLUSHED_ALL);
  EXPECT_EQ(rig.valid_entries(), 0u);
  EXPECT_EQ(rig.control().pdpte[0], 0x00300001u);
  rig.mem.clear_log();
  r = rig.read(la_pae + 0x10);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00700010u);
  ASSERT_GE(rig.mem.txns.size(), 2u);
  EXPECT_EQ(rig.mem.txns[0].size, 8u);
  EXPECT_EQ(rig.mem.txns[0].pa, 0x00300008u);
  EXPECT_EQ(rig.mem.txns[1].size, 8u);
  EXPECT_EQ(rig.mem.txns[1].pa, 0x00600028u);
  r = rig.read(la32); // PAE: PDPTE 0, PDE 0x10 at 0x300080 = 0: not present
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
  r = rig.read(0x40000000); // PDPTE 1 not present
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDPTE);
  r = rig.read(0x00412345); // 2 MiB
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00A12345u);
  EXPECT_EQ(r.page_shift, 21u);

  // Back to 32-bit: no load, flush all (the 2 MiB entry too), 4-byte walk again.
  rr = rig.cr4(0);
  EXPECT_FALSE(rr.pdptes_loaded);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_TRUE(rr.flushed & PMMU_FLUSHED_ALL);
  EXPECT_EQ(rig.valid_entries(), 0u);
  r = rig.read(0x00412345); // 32-bit PDE 1 at 0x100004 = high half of PDPTE 0 = 0
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, 0u);
  rig.mem.clear_log();
  r = rig.read(la32);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00500000u);
  ASSERT_GE(rig.mem.txns.size(), 1u);
  EXPECT_EQ(rig.mem.txns[0].size, 4u);

  // Through paging off: PG = 0, then PAE = 1 (no load), then PG = 1 loads and walks in PAE.
  rr = rig.cr0(0);
  EXPECT_FALSE(rr.pdptes_loaded);
  rr = rig.cr4(PMMU_CR4_PAE);
  EXPECT_FALSE(rr.pdptes_loaded);
  EXPECT_EQ(rig.read(la_pae).tlb, PMMU_TLB_OFF);
  rig.mem.store(0x00100000, 8, 0x00300000 | P64 | bit(4)); // PCD: not reserved
  rr = rig.cr0(PMMU_CR0_PG);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_TRUE(rr.pdptes_loaded);
  EXPECT_EQ(rig.control().pdpte[0], 0x00300011u);
  r = rig.read(la_pae);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00700000u);
}

// The A/D updates of a PAE walk are 8-byte compare-and-swaps of the whole entry, keeping the
// high bits (XD, PA[35:32]); the PDPTE is never written.
TEST(PaeAccessedDirty, EightByteCasKeepsHighBits) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0xC0403ABC;
  const uint64_t pde = pt_of(la) | P64 | RW64 | US64, pte = 0xF12345000ull | P64 | RW64 | US64 | XD;
  rig.w64(pde_addr_pae(la), pde);
  rig.w64(pte_addr_pae(la), pte);
  const uint64_t pdpte = rig.r64(pdpte_addr(kPdpt, 3));
  rig.mem.clear_log();
  pmmu_response r = rig.write(la, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0xF12345ABCull);
  EXPECT_EQ(rig.r64(pde_addr_pae(la)), pde | A64);
  EXPECT_EQ(rig.r64(pte_addr_pae(la)), pte | A64 | D64);
  EXPECT_EQ(rig.r64(pdpte_addr(kPdpt, 3)), pdpte);
  ASSERT_EQ(rig.mem.txns.size(), 4u);
  EXPECT_EQ(rig.mem.txns[3].size, 8u);
  EXPECT_EQ(rig.mem.txns[3].desired, pte | A64 | D64);
  // 2 MiB write: A and D in the PDE in one CAS.
  const uint32_t lb = 0xC0800000;
  rig.map2m(lb, 0xE00000000ull | P64 | RW64 | XD);
  rig.mem.clear_log();
  r = rig.write(lb + 0x1FFFFF);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0xE001FFFFFull);
  EXPECT_EQ(rig.r64(pde_addr_pae(lb)), 0xE00000000ull | PS64 | P64 | RW64 | XD | A64 | D64);
  EXPECT_EQ(rig.mem.cas_count(), 1u);
}

// A PAE entry that is its own PTE (PDE 0x1ff points to its own directory): the walk's CAS of
// the PTE finds A already set by the CAS of the PDE and restarts (section 7); 8-byte entries.
// Walk 1: PDE read, PTE read, CAS PDE, CAS PTE (fails); walk 2: PDE read, PTE read.
TEST(PaeAccessedDirty, SelfMapCasRestart) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x3FFFFFFF; // PDPTE 0, PDE 0x1ff, PTE 0x1ff: both at kPd + 0xff8
  const uint64_t self = kPd + 0xFF8;
  rig.w64(self, kPd | P64 | RW64);
  rig.mem.clear_log();
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, kPd + 0xFFF);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.mem_accesses, 6u);
  EXPECT_EQ(r.cycles, 1u + 6u * (1u + 3u));
  EXPECT_EQ(rig.r64(self), kPd | P64 | RW64 | A64);
  ASSERT_EQ(rig.mem.txns.size(), 6u);
  for (const auto &t : rig.mem.txns) {
    EXPECT_EQ(t.pa, self);
    EXPECT_EQ(t.size, 8u);
  }
  EXPECT_EQ(rig.mem.txns[3].op, PMMU_MEM_CAS);
  EXPECT_EQ(rig.mem.txns[3].data, kPd | P64 | RW64 | A64); // what memory held: not the expected
  r = rig.write(la - 3);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.mem_accesses, 3u);
  EXPECT_EQ(r.cycles, 1u + 3u * 4u);
  EXPECT_EQ(rig.r64(self), kPd | P64 | RW64 | A64 | D64);
}

// G counts only in the leaf and only with CR4.PGE = 1 (sections 3, 8): a table PDE's bit 8 is
// ignored. A CR3 write (same value, PDPTEs reloaded) keeps global entries only.
TEST(PaeGlobal, GlobalOnlyFromTheLeaf) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PAE | PMMU_CR4_PGE);
  const uint32_t a = 0x00001000, b = 0x00201000, c = 0x00400000;
  rig.map4k(a, P64 | RW64 | A64 | G64, P64 | RW64 | A64 | D64, 0x00A01000); // G in the PDE only
  rig.map4k(b, P64 | RW64 | A64, P64 | RW64 | A64 | D64 | G64, 0x00A02000); // G in the PTE
  rig.map2m(c, 0x00C00000 | P64 | RW64 | A64 | D64 | G64);                  // 2 MiB global
  for (uint32_t la : {a, b, c}) ASSERT_EQ(rig.read(la).outcome, PMMU_OK);
  EXPECT_FALSE(rig.find(a)->e.g);
  EXPECT_TRUE(rig.find(b)->e.g);
  EXPECT_TRUE(rig.find(c)->e.g);
  pmmu_reg_result rr = rig.cr3(kPdpt);
  EXPECT_TRUE(rr.pdptes_loaded);
  EXPECT_TRUE(rr.flushed & PMMU_FLUSHED_NONGLOBAL);
  EXPECT_FALSE(rig.cached(a));
  EXPECT_TRUE(rig.cached(b));
  EXPECT_TRUE(rig.cached(c));
  // PGE off (a load, flush all), then G is not recorded.
  rig.cr4(PMMU_CR4_PAE);
  EXPECT_EQ(rig.valid_entries(), 0u);
  ASSERT_EQ(rig.read(b).outcome, PMMU_OK);
  EXPECT_FALSE(rig.find(b)->e.g);
}

// A refused register write (#GP) is not a #PF: CR2, the latched error code and the interrupt
// line are untouched (section 6: CR2 only on #PF).
TEST(PaePdpteLoad, GpLeavesPageFaultStateAlone) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  rig.w64(pdpte_addr(kPdpt, 1), 0);
  rig.cr3(kPdpt);
  pmmu_response r = rig.write(0x40000123, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  const pmmu_interrupt_state before = rig.interrupt();
  ASSERT_TRUE(before.pending);
  rig.w64(pdpte_addr(kPdpt, 2), (kPd + 0x2000) | P64 | bit(7));
  EXPECT_TRUE(rig.cr3(kPdpt).gp_fault);
  pmmu_interrupt_state after = rig.interrupt();
  EXPECT_EQ(after.pending, before.pending);
  EXPECT_EQ(after.cr2, before.cr2);
  EXPECT_EQ(after.error_code, before.error_code);
  pmmu_ack_interrupt(rig.m);
  EXPECT_TRUE(rig.cr4(PMMU_CR4_PAE | PMMU_CR4_SMEP).gp_fault);
  after = rig.interrupt();
  EXPECT_FALSE(after.pending) << "a #GP raised the page-fault line";
  EXPECT_EQ(after.cr2, before.cr2);
}

// Not-present PDE and PTE faults in PAE: P = 0, I/D for a fetch with NXE = 1 (section 6).
TEST(PaeNotPresent, PdeAndPteErrorCodes) {
  for (bool nxe : {false, true}) {
    PaeRig rig(nxe);
    ASSERT_NE(rig.m, nullptr);
    const uint32_t la_pde = 0x80800000, la_pte = 0x80A01000;
    rig.w64(pde_addr_pae(la_pte), pt_of(la_pte) | P64 | RW64 | US64);
    for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
      for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER}) {
        SCOPED_TRACE(std::string(access_name(a)) + " by " + priv_name(p) +
                     (nxe ? " NXE=1" : " NXE=0"));
        pmmu_response r = rig.access(la_pde, a, p);
        ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
        EXPECT_EQ(r.error_code, ec_for(a, p, false, nxe));
        EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
        EXPECT_EQ(r.mem_accesses, 1u);
        r = rig.access(la_pte, a, p);
        ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
        EXPECT_EQ(r.error_code, ec_for(a, p, false, nxe));
        EXPECT_EQ(r.fault_level, PMMU_LEVEL_PTE);
        EXPECT_EQ(r.mem_accesses, 2u);
      }
  }
}

// pmmu_debug_translate in PAE answers as pmmu_translate would with an empty TLB, reads memory
// only, and changes nothing (pmmu.h).
TEST(PaeDebugTranslate, AgreesWithTranslateAndTouchesNothing) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  rig.w64(pdpte_addr(kPdpt, 1), 0);
  rig.cr3(kPdpt);
  rig.map4k(0x00001000, P64 | RW64 | US64, P64 | RW64 | US64 | XD, 0x9ABCDE000ull);
  rig.map2m(0x80200000, 0x8C0200000ull | P64 | RW64);
  rig.map2m(0x80400000, 0x8C0400000ull | P64 | RW64 | bit(14));
  rig.map4k(0xC0001000, P64 | RW64 | bit(50), P64 | RW64, 0x1000);
  const uint32_t las[] = {0x00001234, 0x80212345, 0x80400000, 0xC0001000, 0x40000000, 0x00003000};
  for (uint32_t la : las)
    for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
      for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER}) {
        SCOPED_TRACE(hex(la) + " " + access_name(a) + " by " + priv_name(p));
        const auto snap = rig.mem.snapshot();
        rig.mem.clear_log();
        const pmmu_interrupt_state irq = rig.interrupt();
        pmmu_request req = Rig::request(la, a, p, false, rig.cycle);
        pmmu_response dbg{};
        ASSERT_EQ(pmmu_debug_translate(rig.m, &req, &dbg, nullptr), PMMU_E_OK);
        EXPECT_EQ(rig.mem.cas_calls, 0u);
        EXPECT_TRUE(rig.mem.same_as(snap));
        EXPECT_EQ(rig.interrupt().cr2, irq.cr2);
        EXPECT_FALSE(rig.cached(la));
        pmmu_response real = rig.access(la, a, p);
        EXPECT_EQ(dbg.outcome, real.outcome) << describe(dbg) << " vs " << describe(real);
        if (real.outcome == PMMU_OK) {
          EXPECT_EQ(dbg.pa, real.pa);
          EXPECT_EQ(dbg.page_shift, real.page_shift);
        } else {
          EXPECT_EQ(dbg.error_code, real.error_code);
          EXPECT_EQ(dbg.fault_kind, real.fault_kind);
          EXPECT_EQ(dbg.fault_level, real.fault_level);
        }
        rig.invlpg(la);
        // Put the entries back (a successful access set A/D).
        rig.mem.clear_log();
      }
}

// Bus errors (hardware-interface.md: a bus error ends the walk with a distinct result, not a
// #PF, nothing filled or written; docs/model.md: a bus error on a PDPTE load refuses the
// register write like a reserved bit).
TEST(PaeBusError, WalkAndPdpteLoad) {
  PaeRig rig(true);
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x80201000;
  rig.map4k(la, P64 | RW64, P64 | RW64, 0x00A01000);
  const pmmu_interrupt_state irq0 = rig.interrupt();
  rig.mem.bus_error_pas.insert(pde_addr_pae(la));
  auto snap = rig.mem.snapshot();
  pmmu_response r = rig.read(la);
  EXPECT_EQ(r.outcome, PMMU_BUS_ERROR) << describe(r);
  EXPECT_EQ(r.bus_error_pa, pde_addr_pae(la));
  EXPECT_FALSE(rig.cached(la));
  EXPECT_TRUE(rig.mem.same_as(snap));
  EXPECT_EQ(rig.interrupt().pending, irq0.pending);
  EXPECT_EQ(rig.interrupt().cr2, irq0.cr2);
  rig.mem.bus_error_pas.clear();
  rig.mem.bus_error_pas.insert(pte_addr_pae(la));
  r = rig.read(la);
  EXPECT_EQ(r.outcome, PMMU_BUS_ERROR) << describe(r);
  EXPECT_EQ(r.bus_error_pa, pte_addr_pae(la));
  EXPECT_EQ(r.mem_accesses, 2u);
  EXPECT_EQ(r.cycles, 1u + 2u * 4u);
  EXPECT_FALSE(rig.cached(la));
  EXPECT_TRUE(rig.mem.same_as(snap)) << "a walk ending on a bus error wrote A";
  rig.mem.bus_error_pas.clear();

  // PDPTE load.
  const pmmu_control before = rig.control();
  rig.mem.bus_error_pas.insert(pdpte_addr(kPdpt, 2));
  pmmu_reg_result rr = rig.cr3(kPdpt);
  EXPECT_TRUE(rr.gp_fault);
  EXPECT_FALSE(rr.pdptes_loaded);
  same_control(rig.control(), before, "after a PDPTE load with a bus error");
  rig.mem.bus_error_pas.clear();
  r = rig.read(la);
  EXPECT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x00A01000u);
}

// Back-pressure and latency of each access add up in a PAE walk (timing.md T4):
// cycles = 1 + sum(1 + w + L).
TEST(PaeCyclesCustom, BackPressureAddsUp) {
  PaeRig rig(true, {}, true);
  ASSERT_NE(rig.m, nullptr);
  rig.mem.timing_fn = [](pmmu_mem_op op, uint64_t, unsigned, uint64_t present, uint64_t *accept,
                         uint64_t *response) {
    *accept = present + (op == PMMU_MEM_CAS ? 1 : 2);
    *response = *accept + 5;
  };
  const uint32_t la = 0x40201000;
  rig.map4k(la, P64 | RW64 | A64, P64 | RW64, 0x00A01000); // PTE.A clear: one CAS
  rig.mem.clear_log();
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.mem_accesses, 3u);
  EXPECT_EQ(r.cycles, 1u + 2u * (1u + 2u + 5u) + (1u + 1u + 5u));
  // A not-present PDPTE asks the memory nothing.
  rig.w64(pdpte_addr(kPdpt, 3), 0);
  rig.cr3(kPdpt);
  rig.mem.clear_log();
  r = rig.read(0xC0000000);
  EXPECT_EQ(r.cycles, 1u);
  EXPECT_EQ(rig.mem.timing_calls, 0u);
}

// The exposed rights check (pmmu_rights_denial) against section 5, with X = 0 as PAE with
// NXE gives it: a fetch from a page with X = 0 is denied whatever the rest.
TEST(PaeRightsDenial, MatchesSection5WithX) {
  unsigned checked = 0;
  for (int bits = 0; bits < 8; bits++)
    for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
      for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER, PMMU_IMPLICIT}) {
        if (a == PMMU_FETCH && p == PMMU_IMPLICIT) continue;
        for (int ctl = 0; ctl < 16; ctl++) {
          const bool u = bits & 1, w = (bits >> 1) & 1, x = (bits >> 2) & 1;
          const bool wp = ctl & 1, smep = (ctl >> 1) & 1, smap = (ctl >> 2) & 1,
                     ac = (ctl >> 3) & 1;
          pmmu_control c{};
          c.cr0 = PMMU_CR0_PG | (wp ? PMMU_CR0_WP : 0);
          c.cr4 = PMMU_CR4_PAE | (smep ? PMMU_CR4_SMEP : 0) | (smap ? PMMU_CR4_SMAP : 0);
          c.efer = PMMU_EFER_NXE;
          pmmu_request req = Rig::request(0x1000, a, p, ac, 0);
          const bool user = p == PMMU_USER, implicit = p == PMMU_IMPLICIT;
          const bool rd = a == PMMU_READ, wr = a == PMMU_WRITE, fe = a == PMMU_FETCH;
          bool deny = (user && !u) || (wr && !w && (user || wp)) || (fe && !x) ||
                      (fe && !user && u && smep) ||
                      ((rd || wr) && !user && u && smap && (implicit || !ac));
          const char *why = pmmu_rights_denial(&c, u, w, x, &req);
          EXPECT_EQ(why != nullptr, deny)
              << "U=" << u << " W=" << w << " X=" << x << " " << access_name(a) << " by "
              << priv_name(p) << " WP=" << wp << " SMEP=" << smep << " SMAP=" << smap
              << " AC=" << ac << (why ? std::string(": ") + why : "");
          checked++;
        }
      }
  EXPECT_EQ(checked, 8u * 8u * 16u);
}
