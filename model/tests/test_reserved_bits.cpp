// Suite 3: reserved bits and attribute bits in 32-bit paging (x86-paging.md sections 1, 3, 6, 8).
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

constexpr uint32_t kLaBig = 0x40123456; // directory index 0x100
constexpr uint32_t kFrameBig = 0x0C000000;

uint32_t expected_rsvd_ec(pmmu_access a, pmmu_priv p, bool smep) {
  uint32_t ec = PMMU_EC_P | PMMU_EC_RSVD;
  if (a == PMMU_WRITE) ec |= PMMU_EC_WR;
  if (p == PMMU_USER) ec |= PMMU_EC_US;
  if (a == PMMU_FETCH && smep) ec |= PMMU_EC_ID;
  return ec;
}

class ReservedBit4MiB : public ::testing::TestWithParam<unsigned> {};

} // namespace

// Bits 21:17 of a 4 MiB PDE are reserved (M = 36, PSE-36 uses 16:13): each one alone makes
// every access fault with P = 1 and RSVD = 1, the rest of the error code as the access says.
// Nothing is cached and nothing is written.
TEST_P(ReservedBit4MiB, FaultsWithRsvdAndCachesNothing) {
  const unsigned bit = GetParam();
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  struct Acc {
    pmmu_access a;
    pmmu_priv p;
    bool ac;
  } accs[] = {
      {PMMU_READ, PMMU_SUPERVISOR, false},  {PMMU_WRITE, PMMU_SUPERVISOR, false},
      {PMMU_FETCH, PMMU_SUPERVISOR, false}, {PMMU_READ, PMMU_USER, false},
      {PMMU_WRITE, PMMU_USER, false},       {PMMU_FETCH, PMMU_USER, false},
      {PMMU_READ, PMMU_IMPLICIT, false},    {PMMU_WRITE, PMMU_IMPLICIT, false},
  };
  for (bool smep : {false, true}) {
    rig.cr4(PMMU_CR4_PSE | (smep ? PMMU_CR4_SMEP : 0));
    for (const Acc &acc : accs) {
      SCOPED_TRACE(std::string(access_name(acc.a)) + " by " + priv_name(acc.p) +
                   (smep ? " SMEP=1" : " SMEP=0"));
      // A user-writable page, so that no protection check could fault first; A and D clear.
      rig.map4m(kLaBig, kFrameBig | P | RW | US | (1u << bit));
      const auto snap = rig.mem.snapshot();
      rig.mem.clear_log();
      pmmu_ack_interrupt(rig.m);
      for (int attempt = 0; attempt < 2; attempt++) { // the second proves nothing was cached
        pmmu_response r = rig.access(kLaBig, acc.a, acc.p, acc.ac);
        ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT) << describe(r);
        EXPECT_EQ(r.error_code, expected_rsvd_ec(acc.a, acc.p, smep));
        EXPECT_EQ(r.cr2, kLaBig);
        EXPECT_EQ(r.fault_kind, PMMU_FAULT_RESERVED);
        EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
        EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
        EXPECT_EQ(r.mem_accesses, 1u);
        const pmmu_interrupt_state irq = rig.interrupt();
        EXPECT_TRUE(irq.pending);
        EXPECT_EQ(irq.cr2, kLaBig);
        EXPECT_EQ(irq.error_code, expected_rsvd_ec(acc.a, acc.p, smep));
        EXPECT_FALSE(rig.cached(kLaBig));
      }
      EXPECT_TRUE(rig.mem.same_as(snap)) << "a reserved-bit fault wrote memory";
      EXPECT_EQ(rig.mem.cas_calls, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Bits21to17, ReservedBit4MiB, ::testing::Range(17u, 22u),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "bit" + std::to_string(i.param);
                         });

// All five reserved bits at once: still one RSVD fault, and the priority rule of section 6:
// a reserved bit wins over a protection violation (the walk stops at the entry).
TEST(ReservedBits, ReservedWinsOverProtection) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  rig.map4m(kLaBig, kFrameBig | P | (0x1Fu << 17)); // supervisor, read-only
  pmmu_response r = rig.write(kLaBig, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_RSVD | PMMU_EC_WR | PMMU_EC_US);
  EXPECT_EQ(r.fault_kind, PMMU_FAULT_RESERVED);
}

// A not-present PDE is not looked at further: reserved bits in it do not matter.
TEST(ReservedBits, NotPresentPdeIgnoresReservedBits) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  rig.map4m(kLaBig, kFrameBig | RW | US | (0x1Fu << 17)); // P = 0
  pmmu_response r = rig.read(kLaBig, PMMU_USER);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_US);
  EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
}

// With CR4.PSE = 0 a PDE with PS = 1 points to a page table (PDE[31:12], bits 21:17
// included) and nothing is reserved.
TEST(ReservedBits, PseOffPsBitIgnored) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(0);
  const uint32_t pt = 0x003E0000; // bits 21:17 all set in the table address
  const uint32_t pde_v = pt | P | RW | US | PS;
  rig.mem.w32(pde_addr(kLaBig), pde_v);
  const uint32_t frame = 0x07654000;
  const uint32_t pte_v = frame | P | RW | US;
  rig.mem.w32(pte_addr(kLaBig, pt), pte_v);
  for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH}) {
    SCOPED_TRACE(access_name(a));
    rig.invlpg(kLaBig);
    pmmu_response r = rig.access(kLaBig, a, PMMU_USER);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, frame | (kLaBig & 0xFFF));
    EXPECT_EQ(r.page_shift, 12u);
    auto slot = rig.find(kLaBig);
    ASSERT_TRUE(slot.has_value());
    EXPECT_FALSE(slot->large);
    EXPECT_EQ(slot->e.page_shift, 12u);
  }
  // A is set in the PDE with PS left alone; D lands in the PTE only.
  EXPECT_EQ(rig.mem.r32(pde_addr(kLaBig)), pde_v | A);
  EXPECT_EQ(rig.mem.r32(pte_addr(kLaBig, pt)), pte_v | A | D);
}

// A 4 KiB PDE (PS = 0) whose table address has bits 21:17 set is fine with PSE on too.
TEST(ReservedBits, PageTablePointerHasNoReservedBits) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  const uint32_t pt = 0x003E1000;
  rig.mem.w32(pde_addr(kLaBig), pt | P | RW);
  rig.mem.w32(pte_addr(kLaBig, pt), 0x01234000 | P | RW);
  pmmu_response r = rig.read(kLaBig);
  ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
  EXPECT_EQ(r.pa, 0x01234000u | (kLaBig & 0xFFF));
}

// PAT is bit 12 of a 4 MiB PDE: not reserved, not an address bit, passed through in attr
// (bit 2) with PWT (bit 0) and PCD (bit 1).
TEST(ReservedBits, PatBit12InLargePde) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  struct Row {
    uint32_t bits;
    unsigned attr;
  } rows[] = {{0, 0},
              {PMMU_PTE_PATLG, 4},
              {PMMU_PTE_PWT, 1},
              {PMMU_PTE_PCD, 2},
              {PMMU_PTE_PATLG | PMMU_PTE_PWT | PMMU_PTE_PCD, 7}};
  for (const Row &row : rows) {
    SCOPED_TRACE("bits " + hex(row.bits));
    for (uint32_t la : {kLaBig & ~0x1000u, kLaBig | 0x1000u}) { // LA[12] = 0 and 1
      rig.map4m(la, kFrameBig | P | RW | row.bits);
      rig.invlpg(la);
      pmmu_response r = rig.read(la);
      ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
      EXPECT_EQ(r.pa, kFrameBig | (la & 0x3FFFFF)) << "PA[12] must come from LA[12]";
      EXPECT_EQ(r.page_shift, 22u);
      EXPECT_EQ(r.attr, row.attr);
      auto slot = rig.find(la);
      ASSERT_TRUE(slot.has_value());
      EXPECT_TRUE(slot->large);
      EXPECT_EQ(slot->e.frame_pa, kFrameBig);
      EXPECT_EQ(slot->e.attr, row.attr);
      // The hit passes the same attributes.
      pmmu_response h = rig.read(la);
      EXPECT_EQ(h.tlb, PMMU_TLB_HIT);
      EXPECT_EQ(h.attr, row.attr);
      EXPECT_EQ(h.pa, r.pa);
    }
  }
}

// PAT is bit 7 of a PTE: not reserved, not an address bit, passed through in attr.
TEST(ReservedBits, PatBit7InPte) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE); // PSE on must not make PTE bit 7 a page-size bit
  const uint32_t la = 0x00C05ABC;
  struct Row {
    uint32_t bits;
    unsigned attr;
  } rows[] = {{PMMU_PTE_PAT4K, 4}, {PMMU_PTE_PAT4K | PMMU_PTE_PCD, 6}, {PMMU_PTE_PWT, 1}};
  for (const Row &row : rows) {
    SCOPED_TRACE("bits " + hex(row.bits));
    rig.map4k(la, P | RW, P | RW | row.bits, 0x0F00D000);
    rig.invlpg(la);
    pmmu_response r = rig.write(la);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, 0x0F00D000u | (la & 0xFFF));
    EXPECT_EQ(r.page_shift, 12u);
    EXPECT_EQ(r.attr, row.attr);
    auto slot = rig.find(la);
    ASSERT_TRUE(slot.has_value());
    EXPECT_FALSE(slot->large);
    EXPECT_EQ(slot->e.attr, row.attr);
    EXPECT_EQ(slot->e.frame_pa, 0x0F00D000u);
  }
}

// PDE attribute bits of a 4 KiB mapping are not the leaf's: attr comes from the PTE.
TEST(ReservedBits, AttrComesFromTheLeaf) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  const uint32_t la = 0x00C07000;
  rig.map4k(la, P | RW | PMMU_PTE_PWT | PMMU_PTE_PCD, P | RW, 0x0F00E000);
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.attr, 0u);
}
