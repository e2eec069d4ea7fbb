// Suite 6: replacement policies, against sequences worked by hand from docs/tlb.md.
//
// The 4 KiB array is configured as 1 set x 4 ways (every page lands in set 0) and the large
// array with 4 or 2 entries. Each step reads one page and names the way it must be found in
// afterwards (pmmu_tlb_read), or that it must hit.
#include "pmmu_test_support.hpp"

#include <memory>

using namespace pmmu_test;

namespace {

// Page k of the 4 KiB sequence: all in one page table, one set.
uint32_t small_page(char k) { return 0x00400000u + static_cast<uint32_t>(k - 'A') * 0x1000u; }
// Page k of the large sequence: one 4 MiB page per directory slot.
uint32_t large_page(char k) { return 0x04000000u + static_cast<uint32_t>(k - 'A') * 0x400000u; }

struct Step {
  char page;
  bool hit;
  int way; // where the page is afterwards
};

struct PolicyCase {
  const char *name;
  pmmu_policy policy;
  std::vector<Step> steps;
};

std::unique_ptr<Rig> make_rig(pmmu_policy policy, unsigned large_entries, uint16_t seed = 0xACE1) {
  auto rig = std::make_unique<Rig>([&](pmmu_config &c) {
    c.tlb_sets = 1;
    c.tlb_ways = 4;
    c.tlb_large = large_entries;
    c.policy = policy;
    c.lfsr_seed = seed;
  });
  if (!rig->m) return rig;
  rig->cr4(PMMU_CR4_PSE);
  for (char k = 'A'; k <= 'L'; k++) {
    const uint32_t s = small_page(k);
    rig->map4k(s, P | RW | A, P | RW | A | D,
               0x01000000u + static_cast<uint32_t>(k - 'A') * 0x1000u);
    rig->map4m(large_page(k),
               (0x10000000u + static_cast<uint32_t>(k - 'A') * 0x400000u) | P | RW | A | D);
  }
  return rig;
}

void run_steps(Rig &rig, bool large, const std::vector<Step> &steps) {
  unsigned n = 0;
  for (const Step &st : steps) {
    const uint32_t la = large ? large_page(st.page) : small_page(st.page);
    SCOPED_TRACE(std::string("step ") + std::to_string(n++) + ": page " + st.page);
    pmmu_response r = rig.read(la);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.tlb, st.hit ? PMMU_TLB_HIT : PMMU_TLB_MISS);
    pmmu_tlb_entry e = rig.entry(large, 0, static_cast<unsigned>(st.way));
    EXPECT_TRUE(e.valid);
    EXPECT_EQ(e.vpn, la >> (large ? 22 : 12)) << "page " << st.page << " is not in way " << st.way;
  }
}

// Which page each way holds (vpn), or '-' for an invalid way.
std::string contents(const Rig &rig, bool large, unsigned ways) {
  std::string s;
  for (unsigned w = 0; w < ways; w++) {
    pmmu_tlb_entry e = rig.entry(large, 0, w);
    if (!e.valid) {
      s += '-';
      continue;
    }
    char c = '?';
    for (char k = 'A'; k <= 'L'; k++)
      if (e.vpn == (large ? large_page(k) >> 22 : small_page(k) >> 12)) c = k;
    s += c;
  }
  return s;
}

// Sequence A B C D (fill the four invalid ways in order), A (hit), E F G H (four victims).
//
// plru (bits b1 b2 b3, all 0): fills of ways 0,1,2,3 leave b1=0 b2=0 b3=0; hit A (way 0)
//   sets b1=1 b2=1; E: 1->3 (b1)->6 (b3=0) = way 2, then b1=0 b3=1; F: 1->2->5 (b2=1) = way 1,
//   then b1=1 b2=0; G: 1->3->7 = way 3, then b1=0 b3=0; H: 1->2->4 = way 0.
// lru: after the fills ranks are w0..w3 = 3 2 1 0; hit A: 0 3 2 1; E takes way 1 (rank 3),
//   then 1 0 3 2; F way 2; G way 3; H way 0.
// fifo: the fills leave p = 0; the hit changes nothing; E way 0, F 1, G 2, H 3.
// random: seed 0xACE1 -> way 1, 0x5670 -> 0, 0xAB38 -> 0, 0x559C -> 0 (docs/tlb.md).
std::vector<PolicyCase> four_way_cases() {
  const std::vector<Step> head = {
      {'A', false, 0}, {'B', false, 1}, {'C', false, 2}, {'D', false, 3}, {'A', true, 0}};
  auto with = [&](std::vector<Step> tail) {
    std::vector<Step> v = head;
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
  };
  return {
      {"plru", PMMU_POLICY_PLRU,
       with({{'E', false, 2}, {'F', false, 1}, {'G', false, 3}, {'H', false, 0}})},
      {"lru", PMMU_POLICY_LRU,
       with({{'E', false, 1}, {'F', false, 2}, {'G', false, 3}, {'H', false, 0}})},
      {"fifo", PMMU_POLICY_FIFO,
       with({{'E', false, 0}, {'F', false, 1}, {'G', false, 2}, {'H', false, 3}})},
      {"random", PMMU_POLICY_RANDOM,
       with({{'E', false, 1}, {'F', false, 0}, {'G', false, 0}, {'H', false, 0}})},
  };
}

// After the sequence above, INVLPG the page in way 2, then J (must take way 2, the only
// invalid way) and K (the policy's victim):
//   plru: H left b1=1 b2=1 b3=0; J (way 2) sets b1=0 b3=1; K: 1->2->5 = way 1.
//   lru: H left ranks 0 3 2 1; J (way 2) -> 1 3 0 2; K = way 1.
//   fifo: H left p = 0; J into way 2 sets p = 3; K = way 3.
//   random: a fill into an invalid way does not step; state 0x2ACE -> way 2 (J's way).
int victim_after_invalid_fill(pmmu_policy p) {
  switch (p) {
  case PMMU_POLICY_PLRU: return 1;
  case PMMU_POLICY_LRU: return 1;
  case PMMU_POLICY_FIFO: return 3;
  case PMMU_POLICY_RANDOM: return 2;
  }
  return -1;
}

void PrintTo(const PolicyCase &c, std::ostream *os) { *os << c.name; }

class FourWay : public ::testing::TestWithParam<PolicyCase> {};
class LargeFour : public ::testing::TestWithParam<PolicyCase> {};
class LargeTwo : public ::testing::TestWithParam<PolicyCase> {};

std::string case_name(const ::testing::TestParamInfo<PolicyCase> &i) { return i.param.name; }

} // namespace

TEST_P(FourWay, SmallArrayOneSetFourWays) {
  const PolicyCase &pc = GetParam();
  auto rig = make_rig(pc.policy, 4);
  ASSERT_NE(rig->m, nullptr);
  run_steps(*rig, false, pc.steps);

  // An invalid way is used first, whatever the policy says.
  const std::string before = contents(*rig, false, 4);
  const char in_way2 = before[2];
  ASSERT_NE(in_way2, '-');
  rig->invlpg(small_page(in_way2));
  EXPECT_EQ(contents(*rig, false, 4)[2], '-');
  run_steps(*rig, false, {{'J', false, 2}});
  std::string expect = before;
  expect[2] = 'J';
  EXPECT_EQ(contents(*rig, false, 4), expect);
  const int v = victim_after_invalid_fill(pc.policy);
  run_steps(*rig, false, {{'K', false, v}});
  expect[static_cast<size_t>(v)] = 'K';
  EXPECT_EQ(contents(*rig, false, 4), expect);

  // After a full flush, fills take ways 0, 1, 2, 3 in order again.
  ASSERT_EQ(pmmu_flush(rig->m, PMMU_FLUSH_ALL, 0, rig->cycle++), PMMU_E_OK);
  EXPECT_EQ(contents(*rig, false, 4), "----");
  run_steps(*rig, false, {{'E', false, 0}, {'F', false, 1}});
  EXPECT_EQ(contents(*rig, false, 4), "EF--");
  run_steps(*rig, false, {{'G', false, 2}, {'L', false, 3}});
  EXPECT_EQ(contents(*rig, false, 4), "EFGL");
}

INSTANTIATE_TEST_SUITE_P(Policies, FourWay, ::testing::ValuesIn(four_way_cases()), case_name);

// The large array with 4 entries follows the same rules (same N, same hand-worked answers).
TEST_P(LargeFour, LargeArrayFourEntries) {
  const PolicyCase &pc = GetParam();
  auto rig = make_rig(pc.policy, 4);
  ASSERT_NE(rig->m, nullptr);
  run_steps(*rig, true, pc.steps);
  EXPECT_EQ(rig->valid_entries(), 4u) << "only the large array should hold entries";
  const std::string before = contents(*rig, true, 4);
  rig->invlpg(large_page(before[2]) + 0x2FF000); // anywhere in the page
  run_steps(*rig, true, {{'J', false, 2}, {'K', false, victim_after_invalid_fill(pc.policy)}});
}

INSTANTIATE_TEST_SUITE_P(Policies, LargeFour, ::testing::ValuesIn(four_way_cases()), case_name);

// The large array with 2 entries: A B (fills), A (hit), C D E.
//   plru (one bit): fills leave b=0 (last touch way 1); hit A sets b=1; C way 1, b=0;
//     D way 0, b=1; E way 1.
//   lru: same answers for N = 2.
//   fifo: fills leave p = 0; C way 0, D way 1, E way 0.
//   random: 0xACE1 -> way 1, 0x5670 -> way 0, 0xAB38 -> way 0.
std::vector<PolicyCase> two_entry_cases() {
  const std::vector<Step> head = {{'A', false, 0}, {'B', false, 1}, {'A', true, 0}};
  auto with = [&](std::vector<Step> tail) {
    std::vector<Step> v = head;
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
  };
  return {
      {"plru", PMMU_POLICY_PLRU, with({{'C', false, 1}, {'D', false, 0}, {'E', false, 1}})},
      {"lru", PMMU_POLICY_LRU, with({{'C', false, 1}, {'D', false, 0}, {'E', false, 1}})},
      {"fifo", PMMU_POLICY_FIFO, with({{'C', false, 0}, {'D', false, 1}, {'E', false, 0}})},
      {"random", PMMU_POLICY_RANDOM, with({{'C', false, 1}, {'D', false, 0}, {'E', false, 0}})},
  };
}

TEST_P(LargeTwo, LargeArrayTwoEntries) {
  const PolicyCase &pc = GetParam();
  auto rig = make_rig(pc.policy, 2);
  ASSERT_NE(rig->m, nullptr);
  run_steps(*rig, true, pc.steps);
}

INSTANTIATE_TEST_SUITE_P(Policies, LargeTwo, ::testing::ValuesIn(two_entry_cases()), case_name);

// FIFO: hits do not move the pointer; LRU: they do. Same stream, different victims.
TEST(Replacement, HitsTouchLruNotFifo) {
  for (pmmu_policy p : {PMMU_POLICY_FIFO, PMMU_POLICY_LRU}) {
    SCOPED_TRACE(p == PMMU_POLICY_FIFO ? "fifo" : "lru");
    auto rig = make_rig(p, 4);
    ASSERT_NE(rig->m, nullptr);
    // A B C D, then hits on A and B: fifo evicts A next, lru evicts C.
    run_steps(*rig, false,
              {{'A', false, 0},
               {'B', false, 1},
               {'C', false, 2},
               {'D', false, 3},
               {'A', true, 0},
               {'B', true, 1}});
    run_steps(*rig, false, {{'E', false, p == PMMU_POLICY_FIFO ? 0 : 2}});
  }
}

// The LFSR with another seed: 0x0001 -> way 1; step: bit = s0^s2^s3^s5 = 1, state 0x8000
// -> way 0; step: bit = 0, state 0x4000 -> way 0.
TEST(Replacement, RandomWithOtherSeed) {
  auto rig = make_rig(PMMU_POLICY_RANDOM, 4, 0x0001);
  ASSERT_NE(rig->m, nullptr);
  run_steps(*rig, false,
            {{'A', false, 0},
             {'B', false, 1},
             {'C', false, 2},
             {'D', false, 3},
             {'E', false, 1},
             {'F', false, 0},
             {'G', false, 0}});
  EXPECT_EQ(contents(*rig, false, 4), "GECD");
}

// One LFSR per array: victims taken in the large array do not step the 4 KiB array's.
TEST(Replacement, RandomLfsrPerArray) {
  auto rig = make_rig(PMMU_POLICY_RANDOM, 2);
  ASSERT_NE(rig->m, nullptr);
  // Large array: A B fill, C D E take victims 1, 0, 0 (three steps of its own LFSR).
  run_steps(*rig, true,
            {{'A', false, 0}, {'B', false, 1}, {'C', false, 1}, {'D', false, 0}, {'E', false, 0}});
  // 4 KiB array: its LFSR still holds the seed: first victim way 1.
  run_steps(*rig, false,
            {{'A', false, 0}, {'B', false, 1}, {'C', false, 2}, {'D', false, 3}, {'E', false, 1}});
}

// With 1 way everything goes to way 0; with PLRU and 1 entry in the large array too.
TEST(Replacement, SingleWay) {
  for (pmmu_policy p : {PMMU_POLICY_PLRU, PMMU_POLICY_LRU, PMMU_POLICY_FIFO, PMMU_POLICY_RANDOM}) {
    SCOPED_TRACE(static_cast<int>(p));
    Rig rig([&](pmmu_config &c) {
      c.tlb_sets = 1;
      c.tlb_ways = 1;
      c.tlb_large = 1;
      c.policy = p;
    });
    ASSERT_NE(rig.m, nullptr);
    rig.cr4(PMMU_CR4_PSE);
    for (char k = 'A'; k <= 'C'; k++) {
      rig.map4k(small_page(k), P | RW | A, P | RW | A,
                0x01000000u + static_cast<uint32_t>(k - 'A') * 0x1000u);
      rig.map4m(large_page(k),
                (0x10000000u + static_cast<uint32_t>(k - 'A') * 0x400000u) | P | RW | A);
    }
    run_steps(rig, false, {{'A', false, 0}, {'B', false, 0}, {'B', true, 0}, {'C', false, 0}});
    run_steps(rig, true, {{'A', false, 0}, {'B', false, 0}, {'B', true, 0}, {'C', false, 0}});
  }
}
