// Suite 7: A/D compare-and-swap that fails restarts the walk from the top
// (x86-paging.md section 7, CHOICE: "If memory no longer holds the expected value, the walk
// restarts from the top"). The test memory's CAS hook plays another agent that changes an
// entry between the walk's read and its compare-and-swap.
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

constexpr uint32_t kLa = 0x00C04567; // directory index 3, table index 4
constexpr uint32_t kFrame1 = 0x01111000;
constexpr uint32_t kFrame2 = 0x02222000;

struct Txn {
  pmmu_mem_op op;
  uint64_t pa;
  uint64_t data;              // READ: value read; CAS: value memory held
  uint64_t expected, desired; // CAS only
};

void expect_traffic(const TestMemory &mem, const std::vector<Txn> &want) {
  ASSERT_EQ(mem.txns.size(), want.size());
  for (size_t i = 0; i < want.size(); i++) {
    SCOPED_TRACE("transaction " + std::to_string(i));
    const pmmu_mem_txn &t = mem.txns[i];
    EXPECT_EQ(t.op, want[i].op);
    EXPECT_EQ(t.pa, want[i].pa);
    EXPECT_EQ(t.data, want[i].data);
    if (want[i].op == PMMU_MEM_CAS) {
      EXPECT_EQ(t.expected, want[i].expected);
      EXPECT_EQ(t.desired, want[i].desired);
    }
  }
}

Txn R(uint64_t pa, uint64_t data) { return {PMMU_MEM_READ, pa, data, 0, 0}; }
Txn C(uint64_t pa, uint64_t held, uint64_t expected, uint64_t desired) {
  return {PMMU_MEM_CAS, pa, held, expected, desired};
}

class CasRestart : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NE(rig.m, nullptr); }
  uint32_t pdea() const { return pde_addr(kLa); }
  uint32_t ptea() const { return pte_addr(kLa, default_pt(kLa)); }
  // On the first CAS to `target`, store `value` there before the compare.
  void change_on_first_cas_to(uint64_t target, uint32_t value) {
    rig.mem.cas_hook = [target, value, done = false](TestMemory &m, uint64_t pa, unsigned, uint64_t,
                                                     uint64_t, unsigned) mutable {
      if (!done && pa == target) {
        done = true;
        m.w32(pa, value);
      }
    };
  }
  Rig rig;
};

} // namespace

// PDE.A already set; the PTE is rewritten to another frame before its CAS: the CAS fails,
// the walk reads the PDE and the new PTE again and translates to the new frame.
TEST_F(CasRestart, ChangedPteRestartsAndUsesTheNewEntry) {
  rig.map4k(kLa, P | RW | A, P | RW, kFrame1);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  const uint32_t pte_new = kFrame2 | P | RW;
  change_on_first_cas_to(ptea(), pte_new);
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.pa, kFrame2 | (kLa & 0xFFF));
  EXPECT_EQ(r.mem_accesses, 6u);
  expect_traffic(rig.mem,
                 {R(pdea(), pde0), R(ptea(), pte0), C(ptea(), pte_new, pte0, pte0 | A),
                  R(pdea(), pde0), R(ptea(), pte_new), C(ptea(), pte_new, pte_new, pte_new | A)});
  EXPECT_EQ(rig.pte(kLa), pte_new | A);
  ASSERT_TRUE(rig.cached(kLa));
  EXPECT_EQ(rig.find(kLa)->e.frame_pa, kFrame2);
  const pmmu_stats s = rig.stats();
  EXPECT_EQ(s.cas_restarts, 1u);
  EXPECT_EQ(s.ad_writes, 2u);
  // And the hit agrees.
  pmmu_response h = rig.read(kLa);
  EXPECT_EQ(h.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(h.pa, kFrame2 | (kLa & 0xFFF));
}

// Both A bits clear; the PTE changes while the PDE's CAS is made (so the PDE's CAS succeeds,
// the PTE's fails): the restart reads both, finds PDE.A set and CASes only the PTE.
TEST_F(CasRestart, PteChangedAfterPdeCas) {
  rig.map4k(kLa, P | RW, P | RW, kFrame1);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  const uint32_t pte_new = kFrame2 | P | RW;
  const uint32_t pte_addr_ = ptea();
  rig.mem.cas_hook = [pte_addr_, pte_new](TestMemory &m, uint64_t, unsigned, uint64_t, uint64_t,
                                          unsigned index) {
    if (index == 0) m.w32(pte_addr_, pte_new); // during the first CAS (the PDE's)
  };
  pmmu_response r = rig.write(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.pa, kFrame2 | (kLa & 0xFFF));
  expect_traffic(rig.mem, {R(pdea(), pde0), R(ptea(), pte0), C(pdea(), pde0, pde0, pde0 | A),
                           C(ptea(), pte_new, pte0, pte0 | A | D), R(pdea(), pde0 | A),
                           R(ptea(), pte_new), C(ptea(), pte_new, pte_new, pte_new | A | D)});
  EXPECT_EQ(rig.pde(kLa), pde0 | A);
  EXPECT_EQ(rig.pte(kLa), pte_new | A | D);
}

// The PDE changes before its CAS (now pointing to another table): the restart follows it.
TEST_F(CasRestart, ChangedPdeRestartsThroughTheNewTable) {
  rig.map4k(kLa, P | RW, P | RW, kFrame1);
  const uint32_t pt2 = 0x00780000;
  const uint32_t pte2 = kFrame2 | P | RW | A;
  rig.mem.w32(pte_addr(kLa, pt2), pte2);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  const uint32_t pde_new = pt2 | P | RW;
  change_on_first_cas_to(pdea(), pde_new);
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.pa, kFrame2 | (kLa & 0xFFF));
  expect_traffic(rig.mem, {R(pdea(), pde0), R(ptea(), pte0), C(pdea(), pde_new, pde0, pde0 | A),
                           R(pdea(), pde_new), R(pte_addr(kLa, pt2), pte2),
                           C(pdea(), pde_new, pde_new, pde_new | A)});
  EXPECT_EQ(rig.mem.r32(ptea()), pte0) << "the old table's PTE was written";
  EXPECT_EQ(rig.mem.r32(pte_addr(kLa, pt2)), pte2);
}

// The other agent sets A itself: the CAS fails, the re-walk finds A set and writes nothing.
TEST_F(CasRestart, OtherAgentSetsA) {
  rig.map4k(kLa, P | RW | A, P | RW, kFrame1);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  change_on_first_cas_to(ptea(), pte0 | A);
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.pa, kFrame1 | (kLa & 0xFFF));
  expect_traffic(rig.mem, {R(pdea(), pde0), R(ptea(), pte0), C(ptea(), pte0 | A, pte0, pte0 | A),
                           R(pdea(), pde0), R(ptea(), pte0 | A)});
  EXPECT_EQ(r.mem_accesses, 5u);
}

// The changed PTE is not present: the restarted walk ends in a #PF (not present), nothing is
// cached and no further A/D write is made.
TEST_F(CasRestart, ChangedToNotPresentFaults) {
  rig.map4k(kLa, P | RW | A, P | RW | US, kFrame1);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  const uint32_t pte_np = kFrame1 | RW | US; // P = 0
  change_on_first_cas_to(ptea(), pte_np);
  pmmu_response r = rig.write(kLa);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.error_code, PMMU_EC_WR);
  EXPECT_EQ(r.cr2, kLa);
  EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PTE);
  expect_traffic(rig.mem, {R(pdea(), pde0), R(ptea(), pte0), C(ptea(), pte_np, pte0, pte0 | A | D),
                           R(pdea(), pde0), R(ptea(), pte_np)});
  EXPECT_EQ(rig.pte(kLa), pte_np);
  EXPECT_FALSE(rig.cached(kLa));
  const pmmu_interrupt_state irq = rig.interrupt();
  EXPECT_TRUE(irq.pending);
  EXPECT_EQ(irq.cr2, kLa);
  EXPECT_EQ(irq.error_code, PMMU_EC_WR);
}

// The changed PTE now denies the access: a protection #PF from the restarted walk.
TEST_F(CasRestart, ChangedToReadOnlyFaultsOnWriteWithWp) {
  rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
  rig.map4k(kLa, P | RW | A, P | RW | A, kFrame1);
  const uint32_t pte0 = rig.pte(kLa);
  change_on_first_cas_to(ptea(), (pte0 & ~RW));
  pmmu_response r = rig.write(kLa);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_WR);
  EXPECT_EQ(rig.pte(kLa), pte0 & ~RW) << "no D written after the restart";
  EXPECT_FALSE(rig.cached(kLa));
}

// Two failures in a row: two restarts.
TEST_F(CasRestart, TwoRestarts) {
  rig.map4k(kLa, P | RW | A, P | RW, kFrame1);
  const uint32_t p = ptea();
  rig.mem.cas_hook = [p](TestMemory &m, uint64_t pa, unsigned, uint64_t, uint64_t, unsigned index) {
    if (pa == p && index < 2) m.w32(pa, (index == 0 ? kFrame2 : 0x03333000u) | P | RW);
  };
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.restarts, 2u);
  EXPECT_EQ(r.pa, 0x03333000u | (kLa & 0xFFF));
  EXPECT_EQ(r.mem_accesses, 9u);
  EXPECT_EQ(rig.stats().cas_restarts, 2u);
}
