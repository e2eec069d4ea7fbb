// Suite 1: the permission matrix (x86-paging.md sections 5, 6, 7 and 8).
//
// Every combination of the entries' U/S and R/W bits, the access kind, the privilege kind,
// CR0.WP, CR4.SMEP, CR4.SMAP and EFLAGS.AC, on 4 KiB pages (PDE and PTE bits) and on
// 4 MiB pages (PDE bits only), each made cold (right after INVLPG of the address) and warm
// (after a priming access that cached the page). The oracle below is written from the spec
// text; it does not come from the model.
#include "pmmu_test_support.hpp"

#include <iostream>

using namespace pmmu_test;

namespace {

struct Case {
  bool large;
  bool pde_u, pde_w, pte_u, pte_w; // pte_* ignored for a 4 MiB page
  pmmu_access access;
  pmmu_priv priv;
  bool wp, smep, smap, ac;
};

std::string describe(const Case &c, bool warm) {
  std::ostringstream os;
  os << (c.large ? "4MiB" : "4KiB") << " PDE U=" << c.pde_u << " W=" << c.pde_w;
  if (!c.large) os << " PTE U=" << c.pte_u << " W=" << c.pte_w;
  os << " " << access_name(c.access) << " by " << priv_name(c.priv) << " WP=" << c.wp
     << " SMEP=" << c.smep << " SMAP=" << c.smap << " AC=" << c.ac
     << (warm ? " [warm]" : " [cold]");
  return os.str();
}

struct Expect {
  bool fault;
  uint32_t ec;
};

// x86-paging.md section 5 (rights) and section 6 (error code), for 32-bit paging without PAE.
Expect oracle(const Case &c) {
  const bool U = c.large ? c.pde_u : (c.pde_u && c.pte_u);
  const bool W = c.large ? c.pde_w : (c.pde_w && c.pte_w);
  const bool X = true; // no XD outside PAE
  const bool user = c.priv == PMMU_USER;
  const bool implicit = c.priv == PMMU_IMPLICIT;
  const bool rd = c.access == PMMU_READ, wr = c.access == PMMU_WRITE, fe = c.access == PMMU_FETCH;

  bool fault = false;
  if (user && !U) fault = true;
  if (wr && !W && (user || c.wp)) fault = true;
  if (fe && !X) fault = true;
  if (fe && !user && U && c.smep) fault = true;
  if ((rd || wr) && !user && U && c.smap && (implicit || !c.ac)) fault = true;

  uint32_t ec = 0;
  if (fault) {
    ec |= PMMU_EC_P; // protection violation
    if (wr) ec |= PMMU_EC_WR;
    if (user) ec |= PMMU_EC_US;
    if (fe && c.smep) ec |= PMMU_EC_ID;
  }
  return {fault, ec};
}

std::vector<Case> all_cases(bool large) {
  std::vector<Case> v;
  const int pte_combos = large ? 1 : 4;
  for (int pde = 0; pde < 4; pde++)
    for (int pte = 0; pte < pte_combos; pte++)
      for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH})
        for (pmmu_priv p : {PMMU_SUPERVISOR, PMMU_USER, PMMU_IMPLICIT}) {
          if (a == PMMU_FETCH && p == PMMU_IMPLICIT) continue; // PMMU_E_INVALID, tested apart
          for (int ctl = 0; ctl < 16; ctl++) {
            Case c{};
            c.large = large;
            c.pde_u = pde & 1;
            c.pde_w = (pde >> 1) & 1;
            c.pte_u = large ? false : (pte & 1);
            c.pte_w = large ? false : ((pte >> 1) & 1);
            c.access = a;
            c.priv = p;
            c.wp = ctl & 1;
            c.smep = (ctl >> 1) & 1;
            c.smap = (ctl >> 2) & 1;
            c.ac = (ctl >> 3) & 1;
            v.push_back(c);
          }
        }
  return v;
}

constexpr uint32_t kLa4k = 0x12345000;
constexpr uint32_t kFrame4k = 0x0ABCD000;
constexpr uint32_t kLa4m = 0x40000000;
constexpr uint32_t kFrame4m = 0x0C000000;

class Matrix {
public:
  explicit Matrix(bool large) : large_(large) {}

  // Runs one case in one mode and returns the response of the access under test.
  pmmu_response run(const Case &c, unsigned index, bool warm) {
    const std::string what = describe(c, warm);
    const uint32_t la =
        large_ ? kLa4m + ((index * 0x1357u) & 0x3FFFFFu) : kLa4k + ((index * 0x37u) & 0xFFFu);

    // Fresh entries, A and D clear.
    uint32_t pde_v, pte_v = 0;
    if (large_) {
      pde_v = kFrame4m | PS | P | (c.pde_u ? US : 0) | (c.pde_w ? RW : 0);
      rig_.mem.w32(pde_addr(la), pde_v);
    } else {
      pde_v = default_pt(la) | P | (c.pde_u ? US : 0) | (c.pde_w ? RW : 0);
      pte_v = kFrame4k | P | (c.pte_u ? US : 0) | (c.pte_w ? RW : 0);
      rig_.mem.w32(pde_addr(la), pde_v);
      rig_.mem.w32(pte_addr(la, default_pt(la)), pte_v);
    }
    rig_.cr0(PMMU_CR0_PG | (c.wp ? PMMU_CR0_WP : 0));
    rig_.cr4(PMMU_CR4_PSE | (c.smep ? PMMU_CR4_SMEP : 0) | (c.smap ? PMMU_CR4_SMAP : 0));
    rig_.invlpg(la);
    pmmu_ack_interrupt(rig_.m);

    if (warm) {
      // A supervisor read with AC = 1 never faults (section 5: reads ignore R/W; SMAP spares
      // explicit supervisor accesses with AC = 1; SMEP concerns fetches only).
      pmmu_response p = rig_.read(la, PMMU_SUPERVISOR, true);
      if (p.outcome != PMMU_OK || p.tlb != PMMU_TLB_MISS) {
        fail(what, "priming read: expected OK/miss, got " + pmmu_test::describe(p));
        return pmmu_response{};
      }
      if (!rig_.cached(la)) {
        fail(what, "priming read left no TLB entry");
        return pmmu_response{};
      }
      // The priming read sets A (both levels), never D.
      pde_v |= A;
      if (!large_) pte_v |= A;
    }
    if (rig_.mem.r32(pde_addr(la)) != pde_v ||
        (!large_ && rig_.mem.r32(pte_addr(la, default_pt(la))) != pte_v)) {
      fail(what, "entries before the access are not as set up / primed");
      return pmmu_response{};
    }

    const pmmu_interrupt_state before = rig_.interrupt();
    const TestMemory::Snapshot snap = rig_.mem.snapshot();
    rig_.mem.clear_log();

    const Expect ex = oracle(c);
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
        if (r.fault_kind != PMMU_FAULT_PROTECTION) fail(what, "fault_kind is not PROTECTION");
      }
      if (rig_.cached(la)) fail(what, "a TLB entry for the page remains after the #PF");
      if (!rig_.mem.same_as(snap) || rig_.mem.cas_count() != 0)
        fail(what, "memory was written by a faulting access (" +
                       std::to_string(rig_.mem.cas_count()) + " CAS)");
    } else {
      const uint64_t exp_pa = large_ ? (kFrame4m | (la & 0x3FFFFFu)) : (kFrame4k | (la & 0xFFFu));
      if (r.outcome != PMMU_OK) {
        fail(what, "expected OK pa=" + hex(exp_pa) + ", got " + pmmu_test::describe(r));
      } else {
        if (r.pa != exp_pa) fail(what, "pa " + hex(r.pa) + ", expected " + hex(exp_pa));
        if (r.page_shift != (large_ ? 22u : 12u))
          fail(what, "page_shift " + std::to_string(r.page_shift));
      }
      if (after.pending || after.cr2 != before.cr2 || after.error_code != before.error_code)
        fail(what, "a successful access changed the interrupt state / CR2");
      // Section 7: A in every entry used, D in the leaf only for a write; nothing else.
      const uint32_t got_pde = rig_.mem.r32(pde_addr(la));
      const uint32_t want_pde = pde_v | A | ((large_ && wr) ? D : 0);
      if (got_pde != want_pde)
        fail(what, "PDE in memory " + hex(got_pde) + ", expected " + hex(want_pde));
      if (!large_) {
        const uint32_t got_pte = rig_.mem.r32(pte_addr(la, default_pt(la)));
        const uint32_t want_pte = pte_v | A | (wr ? D : 0);
        if (got_pte != want_pte)
          fail(what, "PTE in memory " + hex(got_pte) + ", expected " + hex(want_pte));
      }
      // Section 8: the entry now cached holds the combined rights and the leaf's D.
      auto slot = rig_.find(la);
      if (!slot) {
        fail(what, "no TLB entry after a successful access");
      } else {
        const bool U = large_ ? c.pde_u : (c.pde_u && c.pte_u);
        const bool W = large_ ? c.pde_w : (c.pde_w && c.pte_w);
        if (slot->large != large_) fail(what, "entry in the wrong array");
        if (slot->e.u != U || slot->e.w != W)
          fail(what, "cached U/W are not the AND of the entries");
        if (slot->e.d != wr) fail(what, "cached D is " + std::to_string(slot->e.d));
      }
    }

    // How the TLB was used (section 8, timing.md T3): cold always walks; warm hits unless the
    // cached rights deny the access or it is a write to a clean entry (the priming read left
    // D = 0), in which case the entry is dropped and the page walked again.
    if (!warm) {
      if (r.tlb != PMMU_TLB_MISS || r.dropped_entry)
        fail(what, std::string("cold access: expected a plain miss, got tlb=") + tlb_name(r.tlb) +
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
  Rig rig_;
  unsigned failures_ = 0;
};

void run_matrix(bool large, unsigned expected_cases) {
  Matrix mx(large);
  ASSERT_TRUE(mx.ok());
  const std::vector<Case> cases = all_cases(large);
  unsigned cases_run = 0, runs = 0, faults = 0;
  for (unsigned i = 0; i < cases.size(); i++) {
    const pmmu_response cold = mx.run(cases[i], i, false);
    const pmmu_response warm = mx.run(cases[i], i, true);
    runs += 2;
    // The result of an access never depends on whether the page was in the TLB (section 8).
    if (cold.outcome != warm.outcome || (cold.outcome == PMMU_OK && cold.pa != warm.pa) ||
        (cold.outcome == PMMU_PAGE_FAULT && cold.error_code != warm.error_code))
      mx.fail(describe(cases[i], true), "cold gave " + pmmu_test::describe(cold) + ", warm gave " +
                                            pmmu_test::describe(warm));
    faults += oracle(cases[i]).fault;
    cases_run++;
  }
  const char *name = large ? "4MiB" : "4KiB";
  std::cout << "[ matrix   ] " << name << ": " << cases_run << " cases (" << faults
            << " expected to fault), " << runs << " runs cold+warm, " << mx.failures()
            << " failed checks\n";
  ::testing::Test::RecordProperty(std::string(name) + "_cases", static_cast<int>(cases_run));
  ::testing::Test::RecordProperty(std::string(name) + "_runs", static_cast<int>(runs));
  ::testing::Test::RecordProperty(std::string(name) + "_expected_faults", static_cast<int>(faults));
  EXPECT_EQ(cases_run, expected_cases);
  EXPECT_EQ(runs, 2 * expected_cases);
  EXPECT_EQ(mx.failures(), 0u);
}

} // namespace

// 16 PDE x PTE U/W combinations x 8 (access, privilege) pairs x 16 (WP, SMEP, SMAP, AC).
TEST(PermissionMatrix, Pages4KiB) { run_matrix(false, 16 * 8 * 16); }

// 4 PDE U/W combinations x 8 (access, privilege) pairs x 16 (WP, SMEP, SMAP, AC).
TEST(PermissionMatrix, Pages4MiB) { run_matrix(true, 4 * 8 * 16); }

// The oracle itself, on a few cases read straight off the spec's examples, so that a wrong
// oracle does not silently agree with a wrong model.
TEST(PermissionMatrix, OracleSpotChecks) {
  Case c{};
  c.pde_u = c.pde_w = c.pte_u = c.pte_w = true;
  c.access = PMMU_READ;
  c.priv = PMMU_USER;
  EXPECT_FALSE(oracle(c).fault); // user read of a user page
  c.pte_w = false;
  c.access = PMMU_WRITE;
  c.priv = PMMU_SUPERVISOR;
  EXPECT_FALSE(oracle(c).fault); // WP = 0: supervisor write to read-only succeeds
  c.wp = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_WR);
  c = Case{};
  c.pde_u = c.pte_u = true;
  c.access = PMMU_FETCH;
  c.priv = PMMU_SUPERVISOR;
  c.smep = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_ID);
  c.access = PMMU_READ;
  c.smap = true;
  c.ac = true;
  EXPECT_FALSE(oracle(c).fault); // explicit supervisor read with AC = 1
  c.priv = PMMU_IMPLICIT;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P); // implicit: AC does not help, U/S = 0
  c = Case{};
  c.pde_u = true; // PTE U = 0: not a user page
  c.pte_u = false;
  c.access = PMMU_FETCH;
  c.priv = PMMU_USER;
  c.smep = true;
  EXPECT_EQ(oracle(c).ec, PMMU_EC_P | PMMU_EC_US | PMMU_EC_ID);
}

// A fetch by an implicit supervisor access is not a request the block takes.
TEST(PermissionMatrix, ImplicitFetchIsInvalid) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.map4k(kLa4k, P | RW | US, P | RW | US, kFrame4k);
  for (bool cached : {false, true}) {
    SCOPED_TRACE(cached ? "page cached" : "page not cached");
    if (cached) {
      ASSERT_EQ(rig.read(kLa4k).outcome, PMMU_OK);
    }
    const auto snap = rig.mem.snapshot();
    rig.mem.clear_log();
    const pmmu_interrupt_state before = rig.interrupt();
    pmmu_request r = Rig::request(kLa4k, PMMU_FETCH, PMMU_IMPLICIT, false, rig.cycle);
    pmmu_response out{};
    EXPECT_EQ(pmmu_translate(rig.m, &r, &out), PMMU_E_INVALID);
    EXPECT_EQ(rig.mem.read_calls + rig.mem.cas_calls, 0u) << "an invalid request touched memory";
    EXPECT_TRUE(rig.mem.same_as(snap));
    const pmmu_interrupt_state after = rig.interrupt();
    EXPECT_EQ(after.pending, before.pending);
    EXPECT_EQ(after.cr2, before.cr2);
    EXPECT_EQ(rig.cached(kLa4k), cached) << "an invalid request changed the TLB";
    // Unknown enum values are refused too.
    r = Rig::request(kLa4k, static_cast<pmmu_access>(7), PMMU_SUPERVISOR, false, rig.cycle);
    EXPECT_EQ(pmmu_translate(rig.m, &r, &out), PMMU_E_INVALID);
    r = Rig::request(kLa4k, PMMU_READ, static_cast<pmmu_priv>(9), false, rig.cycle);
    EXPECT_EQ(pmmu_translate(rig.m, &r, &out), PMMU_E_INVALID);
  }
}
