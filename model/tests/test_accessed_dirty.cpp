// Suite 2: accessed and dirty flags (x86-paging.md section 7, timing.md T3).
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

constexpr uint32_t kLa = 0x00803123; // directory index 2, table index 3
constexpr uint32_t kFrame = 0x05566000;
constexpr uint32_t kLaBig = 0x80123456; // a 4 MiB page
constexpr uint32_t kFrameBig = 0x03C00000;

struct Expected {
  pmmu_mem_op op;
  uint64_t pa;
  uint64_t expected = 0, desired = 0; // CAS only
  uint64_t data = 0;
};

void expect_traffic(const TestMemory &mem, const std::vector<Expected> &want) {
  ASSERT_EQ(mem.txns.size(), want.size()) << "number of walker memory transactions";
  for (size_t i = 0; i < want.size(); i++) {
    SCOPED_TRACE("transaction " + std::to_string(i));
    const pmmu_mem_txn &t = mem.txns[i];
    EXPECT_EQ(t.op, want[i].op);
    EXPECT_EQ(t.pa, want[i].pa);
    EXPECT_EQ(t.size, 4u);
    EXPECT_FALSE(t.bus_error);
    EXPECT_EQ(t.data, want[i].data);
    if (want[i].op == PMMU_MEM_CAS) {
      EXPECT_EQ(t.expected, want[i].expected);
      EXPECT_EQ(t.desired, want[i].desired);
    }
  }
}

Expected rd(uint64_t pa, uint64_t data) { return Expected{PMMU_MEM_READ, pa, 0, 0, data}; }
Expected cas(uint64_t pa, uint64_t expected, uint64_t desired) {
  return Expected{PMMU_MEM_CAS, pa, expected, desired, expected};
}

class AccessedDirty : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NE(rig.m, nullptr); }
  uint32_t pdea() const { return pde_addr(kLa); }
  uint32_t ptea() const { return pte_addr(kLa, default_pt(kLa)); }
  Rig rig;
};

} // namespace

// A first read: PDE read, PTE read, then A in the PDE, then A in the PTE (top-down).
TEST_F(AccessedDirty, FirstReadSetsATopDown) {
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, kFrame | (kLa & 0xFFF));
  EXPECT_EQ(r.mem_accesses, 4u);
  expect_traffic(rig.mem, {rd(pdea(), pde0), rd(ptea(), pte0), cas(pdea(), pde0, pde0 | A),
                           cas(ptea(), pte0, pte0 | A)});
  EXPECT_EQ(rig.pde(kLa), pde0 | A) << "D is never written in a PDE that points to a table";
  EXPECT_EQ(rig.pte(kLa), pte0 | A) << "a read sets no D";
}

// A first write: the leaf gets A and D in one CAS; the PDE gets A only.
TEST_F(AccessedDirty, FirstWriteSetsAAndDInTheLeaf) {
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  pmmu_response r = rig.write(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  expect_traffic(rig.mem, {rd(pdea(), pde0), rd(ptea(), pte0), cas(pdea(), pde0, pde0 | A),
                           cas(ptea(), pte0, pte0 | A | D)});
  EXPECT_EQ(rig.pde(kLa), pde0 | A);
  EXPECT_EQ(rig.pte(kLa), pte0 | A | D);
}

// Bits already set are not written again: no CAS at all when nothing is missing.
TEST_F(AccessedDirty, BitsAlreadySetAreNotRewritten) {
  struct Row {
    const char *name;
    uint32_t pde_bits, pte_bits;
    pmmu_access access;
    bool pde_cas, pte_cas;
  } rows[] = {
      {"read, both A set", A, A, PMMU_READ, false, false},
      {"write, A and D set", A, A | D, PMMU_WRITE, false, false},
      {"read, PDE.A set only", A, 0, PMMU_READ, false, true},
      {"read, PTE.A set only", 0, A, PMMU_READ, true, false},
      {"write, A set, D clear", A, A, PMMU_WRITE, false, true},
      {"read, PTE.D set but A clear", A, D, PMMU_READ, false, true},
  };
  for (const Row &row : rows) {
    SCOPED_TRACE(row.name);
    rig.map4k(kLa, P | RW | row.pde_bits, P | RW | row.pte_bits, kFrame);
    rig.invlpg(kLa);
    rig.mem.clear_log();
    const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
    pmmu_response r = rig.access(kLa, row.access);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    std::vector<Expected> want{rd(pdea(), pde0), rd(ptea(), pte0)};
    if (row.pde_cas) want.push_back(cas(pdea(), pde0, pde0 | A));
    if (row.pte_cas)
      want.push_back(cas(ptea(), pte0, pte0 | A | (row.access == PMMU_WRITE ? D : 0)));
    expect_traffic(rig.mem, want);
    EXPECT_EQ(r.mem_accesses, want.size());
    EXPECT_EQ(rig.pde(kLa), pde0 | A);
    EXPECT_EQ(rig.pte(kLa), pte0 | A | (row.access == PMMU_WRITE ? D : 0));
  }
}

// The 4 MiB page: one read, one CAS of the PDE (the leaf) with A, and D for a write.
TEST_F(AccessedDirty, LargePageLeafIsThePde) {
  rig.cr4(PMMU_CR4_PSE);
  for (pmmu_access a : {PMMU_READ, PMMU_WRITE}) {
    SCOPED_TRACE(access_name(a));
    rig.map4m(kLaBig, kFrameBig | P | RW);
    rig.invlpg(kLaBig);
    rig.mem.clear_log();
    const uint32_t pde0 = rig.mem.r32(pde_addr(kLaBig));
    pmmu_response r = rig.access(kLaBig, a);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, kFrameBig | (kLaBig & 0x3FFFFF));
    const uint32_t want = pde0 | A | (a == PMMU_WRITE ? D : 0);
    expect_traffic(rig.mem, {rd(pde_addr(kLaBig), pde0), cas(pde_addr(kLaBig), pde0, want)});
    EXPECT_EQ(rig.mem.r32(pde_addr(kLaBig)), want);
  }
}

// A walk that ends in a fault writes nothing at any level (the CHOICE of section 7).
TEST_F(AccessedDirty, FaultWritesNothing) {
  struct Row {
    const char *name;
    uint32_t pde_flags, pte_flags;
    pmmu_access access;
    pmmu_priv priv;
    unsigned reads;
  } rows[] = {
      {"PDE not present", RW | US, P | RW | US, PMMU_READ, PMMU_USER, 1},
      {"PTE not present", P | RW | US, RW | US, PMMU_WRITE, PMMU_USER, 2},
      {"user read of a supervisor page", P | RW, P | RW, PMMU_READ, PMMU_USER, 2},
      {"user write of a read-only page", P | US, P | RW | US, PMMU_WRITE, PMMU_USER, 2},
  };
  for (const Row &row : rows) {
    SCOPED_TRACE(row.name);
    rig.map4k(kLa, row.pde_flags, row.pte_flags, kFrame);
    rig.invlpg(kLa);
    rig.mem.clear_log();
    const auto snap = rig.mem.snapshot();
    const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
    pmmu_response r = rig.access(kLa, row.access, row.priv);
    EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
    EXPECT_TRUE(rig.mem.same_as(snap)) << "memory changed";
    EXPECT_EQ(rig.mem.cas_count(), 0u);
    EXPECT_EQ(rig.mem.cas_calls, 0u);
    std::vector<Expected> want{rd(pdea(), pde0)};
    if (row.reads == 2) want.push_back(rd(ptea(), pte0));
    expect_traffic(rig.mem, want);
    EXPECT_EQ(r.mem_accesses, row.reads);
    pmmu_ack_interrupt(rig.m);
  }
  // A 4 MiB page with a protection fault: the PDE gets no A either.
  rig.cr4(PMMU_CR4_PSE);
  rig.map4m(kLaBig, kFrameBig | P);
  rig.mem.clear_log();
  const auto snap = rig.mem.snapshot();
  pmmu_response r = rig.write(kLaBig, PMMU_USER);
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_WR | PMMU_EC_US);
  EXPECT_TRUE(rig.mem.same_as(snap));
  EXPECT_EQ(rig.mem.cas_calls, 0u);
}

// Read then write: the write finds a clean entry, drops it and walks again, which sets D.
// A further write then hits.
TEST_F(AccessedDirty, ReadThenWriteSetsDThroughAReWalk) {
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  pmmu_response r1 = rig.read(kLa);
  ASSERT_EQ(r1.outcome, PMMU_OK);
  ASSERT_TRUE(rig.cached(kLa));
  EXPECT_FALSE(rig.find(kLa)->e.d);
  EXPECT_EQ(rig.pte(kLa), pte0 | A);

  rig.mem.clear_log();
  pmmu_response r2 = rig.write(kLa);
  ASSERT_EQ(r2.outcome, PMMU_OK) << describe(r2);
  EXPECT_EQ(r2.tlb, PMMU_TLB_MISS);
  EXPECT_TRUE(r2.dropped_entry);
  EXPECT_EQ(r2.pa, kFrame | (kLa & 0xFFF));
  // The re-walk reads both levels again (A already set now) and CASes only the PTE.
  expect_traffic(rig.mem,
                 {rd(pdea(), pde0 | A), rd(ptea(), pte0 | A), cas(ptea(), pte0 | A, pte0 | A | D)});
  EXPECT_EQ(rig.pte(kLa), pte0 | A | D);
  EXPECT_EQ(rig.pde(kLa), pde0 | A);
  ASSERT_TRUE(rig.cached(kLa));
  EXPECT_TRUE(rig.find(kLa)->e.d);

  rig.mem.clear_log();
  pmmu_response r3 = rig.write(kLa);
  EXPECT_EQ(r3.outcome, PMMU_OK);
  EXPECT_EQ(r3.tlb, PMMU_TLB_HIT);
  EXPECT_FALSE(r3.dropped_entry);
  EXPECT_EQ(r3.mem_accesses, 0u);
  EXPECT_TRUE(rig.mem.txns.empty());

  // The drop is counted.
  const pmmu_stats s = rig.stats();
  EXPECT_EQ(s.dropped, 1u);
}

// D already set in the PTE but the page was first cached through a read: the cached D
// follows the leaf, so the write hits without a re-walk.
TEST_F(AccessedDirty, CachedDFollowsTheLeaf) {
  rig.map4k(kLa, P | RW | A, P | RW | A | D, kFrame);
  ASSERT_EQ(rig.read(kLa).outcome, PMMU_OK);
  ASSERT_TRUE(rig.cached(kLa));
  EXPECT_TRUE(rig.find(kLa)->e.d);
  rig.mem.clear_log();
  pmmu_response w = rig.write(kLa);
  EXPECT_EQ(w.outcome, PMMU_OK);
  EXPECT_EQ(w.tlb, PMMU_TLB_HIT);
  EXPECT_TRUE(rig.mem.txns.empty());
}
