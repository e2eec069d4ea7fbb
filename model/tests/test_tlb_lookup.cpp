// Suite 12: pmmu_tlb_lookup(): which entry a lookup of LA would use, and where it sits.
// The expectations follow docs/tlb.md by hand: the set is LA[15:12] with 16 sets, a fill takes
// the lowest-numbered invalid way, the 4 KiB array wins over the large array, and among
// large entries the lowest-numbered one is used. The lookup changes nothing.
#include "pmmu_test_support.hpp"

#include <cstring>

using namespace pmmu_test;

namespace {

pmmu_tlb_slot lookup(const Rig &rig, uint32_t la) {
  pmmu_tlb_slot s{};
  EXPECT_TRUE(pmmu_tlb_lookup(rig.m, la, &s)) << "no entry maps " << hex(la);
  return s;
}

} // namespace

TEST(TlbLookup, EmptyTlbFindsNothing) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  pmmu_tlb_slot s{};
  EXPECT_FALSE(pmmu_tlb_lookup(rig.m, 0x00403000, &s));
  // The ends of the address space and its middle too: no never-filled entry of either array
  // maps anything, whatever its stored page number and shift are (0 at reset).
  for (uint32_t la : {0x00000000u, 0x80000000u, 0xFFFFFFFFu, 0x7FFFF000u})
    EXPECT_FALSE(pmmu_tlb_lookup(rig.m, la, &s)) << hex(la);
}

TEST(TlbLookup, EmptyTlbTranslationWalks) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  // Nothing mapped: each access walks (a miss) and faults not-present at the PDE.
  for (uint32_t la : {0x00000000u, 0x80000000u, 0xFFFFFFFFu}) {
    pmmu_response r = rig.read(la);
    EXPECT_EQ(r.tlb, PMMU_TLB_MISS) << hex(la);
    EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT) << hex(la);
    EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT) << hex(la);
    EXPECT_EQ(r.mem_accesses, 1u) << hex(la);
  }
}

TEST(TlbLookup, FourKiBSetAndWayFollowTheFillRule) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  // 0x00403000 and 0x00413000: page numbers 0x403 and 0x413, both set 3 of 16.
  rig.map4k(0x00403000, P | RW | US, P | US, 0x00801000);
  rig.map4k(0x00413000, P | RW | US, P | RW | US, 0x00802000);
  rig.read(0x00403abc, PMMU_USER);
  rig.write(0x00413004, PMMU_USER);
  pmmu_tlb_slot a = lookup(rig, 0x00403fff);
  EXPECT_FALSE(a.large);
  EXPECT_EQ(a.set, 3u);
  EXPECT_EQ(a.way, 0u); // the first fill: lowest invalid way
  EXPECT_EQ(a.entry.vpn, 0x403u);
  EXPECT_EQ(a.entry.page_shift, 12u);
  EXPECT_EQ(a.entry.frame_pa, 0x00801000u);
  EXPECT_TRUE(a.entry.u);
  EXPECT_FALSE(a.entry.w);
  EXPECT_FALSE(a.entry.d);
  pmmu_tlb_slot b = lookup(rig, 0x00413000);
  EXPECT_FALSE(b.large);
  EXPECT_EQ(b.set, 3u);
  EXPECT_EQ(b.way, 1u);
  EXPECT_EQ(b.entry.frame_pa, 0x00802000u);
  EXPECT_TRUE(b.entry.w);
  EXPECT_TRUE(b.entry.d); // filled by a write
  pmmu_tlb_slot none{};
  EXPECT_FALSE(pmmu_tlb_lookup(rig.m, 0x00404000, &none)); // set 4, never filled
}

TEST(TlbLookup, LargePageIsInTheLargeArray) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  rig.map4m(0xC0000000, 0x01000000 | P | RW | PMMU_PTE_G);
  rig.read(0xC0123456);
  pmmu_tlb_slot s = lookup(rig, 0xC03FFFFF);
  EXPECT_TRUE(s.large);
  EXPECT_EQ(s.set, 0u);
  EXPECT_EQ(s.way, 0u);
  EXPECT_EQ(s.entry.page_shift, 22u);
  EXPECT_EQ(s.entry.vpn, 0x300u);
  EXPECT_EQ(s.entry.frame_pa, 0x01000000u);
  EXPECT_TRUE(s.entry.g);
  EXPECT_FALSE(s.entry.u);
  pmmu_tlb_slot none{};
  EXPECT_FALSE(pmmu_tlb_lookup(rig.m, 0xC0400000, &none)); // the next 4 MiB page
}

// overlap-4k-and-4m.pmmu as a unit test: a PDE becomes a 4 MiB page without INVLPG.
TEST(TlbLookup, FourKiBWinsThenLowestLargeEntry) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  rig.map4k(0x00400000, P | RW | US | A, P | US | A, 0x00801000);
  rig.read(0x00400010);
  rig.mem.w32(pde_addr(0x00400000), 0x00C00000 | P | RW | US | A | PS);
  rig.read(0x00512345); // fills large entry 0
  pmmu_tlb_slot s = lookup(rig, 0x00400020);
  EXPECT_FALSE(s.large) << "the 4 KiB entry is used when both arrays match";
  EXPECT_EQ(s.set, 0u);
  EXPECT_EQ(s.entry.frame_pa, 0x00801000u);
  EXPECT_TRUE(lookup(rig, 0x00512000).large);
  // A write to the clean 4 KiB entry drops it; the walk fills large entry 1 for the same page.
  rig.write(0x00400030);
  ASSERT_EQ(rig.find_all(0x00400000).size(), 2u);
  s = lookup(rig, 0x00400040);
  EXPECT_TRUE(s.large);
  EXPECT_EQ(s.way, 0u) << "the lowest-numbered large entry";
  EXPECT_FALSE(s.entry.d);
  EXPECT_EQ(s.entry.frame_pa, 0x00C00000u);
}

// A lookup is not a hit: it touches no replacement state and counts nothing. With one set
// of two ways (plru), filling A then B leaves the tree pointing at A's way; if looking A up
// had touched it, the next fill would evict B instead.
TEST(TlbLookup, ChangesNothing) {
  Rig rig([](pmmu_config &c) {
    c.tlb_sets = 1;
    c.tlb_ways = 2;
  });
  ASSERT_NE(rig.m, nullptr);
  for (uint32_t la : {0x00400000u, 0x00401000u, 0x00402000u})
    rig.map4k(la, P | RW | US, P | RW | US, 0x00800000 + (la & 0xF000));
  rig.read(0x00400000);
  rig.read(0x00401000);
  pmmu_stats s0 = rig.stats();
  for (int i = 0; i < 3; i++) EXPECT_EQ(lookup(rig, 0x00400000).way, 0u);
  pmmu_stats s1 = rig.stats();
  EXPECT_EQ(std::memcmp(&s0, &s1, sizeof s0), 0) << "statistics changed";
  rig.read(0x00402000);
  EXPECT_FALSE(rig.cached(0x00400000)) << "way 0 was the victim: the lookups touched nothing";
  EXPECT_TRUE(rig.cached(0x00401000));
  EXPECT_EQ(lookup(rig, 0x00402000).way, 0u);
}
