// Suite 4: PSE-36 (x86-paging.md sections 1 and 3): a 4 MiB PDE's bits 16:13 are PA[35:32].
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

class Pse36 : public ::testing::TestWithParam<unsigned> {};

} // namespace

TEST_P(Pse36, PdeBits16to13AreHighAddressBits) {
  const unsigned hi = GetParam(); // PA[35:32]
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  const uint32_t la = 0xC0ABCDEF;  // directory index 0x302
  const uint32_t low = 0xFFC00000; // PDE[31:22]: the highest 4 MiB frame below 4 GiB
  rig.map4m(la, low | (hi << 13) | P | RW | US);
  const uint64_t frame = (static_cast<uint64_t>(hi) << 32) | low;
  const uint64_t want = frame | (la & 0x3FFFFF);

  for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH}) {
    SCOPED_TRACE(access_name(a));
    pmmu_response r = rig.access(la, a, PMMU_USER);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, want);
    EXPECT_LE(r.pa, PMMU_PA_MASK);
    EXPECT_EQ(r.page_shift, 22u);
  }
  auto slot = rig.find(la);
  ASSERT_TRUE(slot.has_value());
  EXPECT_TRUE(slot->large);
  EXPECT_EQ(slot->e.frame_pa, frame);
  EXPECT_EQ(slot->e.vpn, la >> 22);

  // The debug walk agrees, and the hit of another offset in the page uses the same frame.
  pmmu_request q = Rig::request(la ^ 0x155555, PMMU_READ, PMMU_SUPERVISOR, false, 0);
  pmmu_response d{};
  ASSERT_EQ(pmmu_debug_translate(rig.m, &q, &d, nullptr), PMMU_E_OK);
  EXPECT_EQ(d.outcome, PMMU_OK);
  EXPECT_EQ(d.pa, frame | ((la ^ 0x155555) & 0x3FFFFF));
  pmmu_response h = rig.read(la ^ 0x155555);
  EXPECT_EQ(h.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(h.pa, frame | ((la ^ 0x155555) & 0x3FFFFF));
}

INSTANTIATE_TEST_SUITE_P(HighBits, Pse36, ::testing::Values(0x0u, 0x1u, 0x5u, 0xAu, 0xFu),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "pa35_32_" + std::to_string(i.param);
                         });

// Each of the four bits on its own lands on its own address bit.
TEST(Pse36Bits, EachBitAlone) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  for (unsigned b = 13; b <= 16; b++) {
    const uint32_t la = 0x01000000u * b + 0x2345; // a different 4 MiB page per bit
    rig.map4m(la, 0x00400000u | (1u << b) | P | RW);
    pmmu_response r = rig.read(la);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, (UINT64_C(1) << (b - 13 + 32)) | 0x00400000u | (la & 0x3FFFFF)) << "bit " << b;
  }
}

// 4 KiB pages have no PSE-36: PTE bits 16:13 are ordinary frame bits (PA[16:13]).
TEST(Pse36Bits, NotInPtes) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.cr4(PMMU_CR4_PSE);
  const uint32_t la = 0x00401123;
  rig.map4k(la, P | RW, P | RW, 0x0001E000);
  pmmu_response r = rig.read(la);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.pa, 0x0001E123u);
}
