// Suite 10: configuration checking and the block's reset state (pmmu.h, docs/tlb.md).
#include "pmmu_test_support.hpp"

#include <cstring>
#include <functional>

using namespace pmmu_test;

namespace {

bool dummy_read(void *, uint64_t, unsigned, uint64_t *v) {
  *v = 0;
  return true;
}
bool dummy_cas(void *, uint64_t, unsigned, uint64_t, uint64_t, uint64_t *old) {
  *old = 0;
  return true;
}

pmmu_config valid_config() {
  pmmu_config c;
  std::memset(&c, 0xA5, sizeof c); // pmmu_config_init must set every field that matters
  pmmu_config_init(&c);
  c.mem.read = dummy_read;
  c.mem.cas = dummy_cas;
  c.mem.timing = nullptr;
  c.mem.observe = nullptr;
  c.mem.ctx = nullptr;
  return c;
}

struct BadConfig {
  const char *name;
  std::function<void(pmmu_config &)> spoil;
};

void PrintTo(const BadConfig &c, std::ostream *os) { *os << c.name; }

class RejectedConfig : public ::testing::TestWithParam<BadConfig> {};

} // namespace

TEST(Config, Defaults) {
  pmmu_config c = valid_config();
  EXPECT_EQ(c.version, PMMU_CONFIG_VERSION);
  EXPECT_EQ(c.tlb_sets, 16u);
  EXPECT_EQ(c.tlb_ways, 4u);
  EXPECT_EQ(c.tlb_large, 8u);
  EXPECT_EQ(c.policy, PMMU_POLICY_PLRU);
  EXPECT_EQ(c.lfsr_seed, 0xACE1u);
  EXPECT_EQ(c.mem_latency, 3u);
  pmmu_config raw;
  pmmu_config_init(&raw);
  EXPECT_EQ(raw.mem.read, nullptr);
  EXPECT_EQ(raw.mem.cas, nullptr);
  EXPECT_NE(pmmu_config_check(&raw), nullptr) << "defaults without callbacks are not usable";
  EXPECT_EQ(pmmu_config_check(&c), nullptr);
}

TEST(Config, ValidBoundariesAccepted) {
  struct Row {
    unsigned sets, ways, large;
  } rows[] = {{1, 1, 1}, {1024, 16, 64}, {2, 2, 2}, {512, 8, 32}};
  for (const Row &r : rows) {
    SCOPED_TRACE(std::to_string(r.sets) + "x" + std::to_string(r.ways) + "+" +
                 std::to_string(r.large));
    pmmu_config c = valid_config();
    c.tlb_sets = r.sets;
    c.tlb_ways = r.ways;
    c.tlb_large = r.large;
    const char *why = pmmu_config_check(&c);
    EXPECT_EQ(why, nullptr) << why;
    pmmu_t *m = nullptr;
    EXPECT_EQ(pmmu_create(&c, &m), PMMU_E_OK);
    EXPECT_NE(m, nullptr);
    if (m) {
      // Every slot of the geometry is readable, one past it is not.
      pmmu_tlb_entry e{};
      EXPECT_EQ(pmmu_tlb_read(m, false, r.sets - 1, r.ways - 1, &e), PMMU_E_OK);
      EXPECT_FALSE(e.valid);
      EXPECT_EQ(pmmu_tlb_read(m, false, r.sets, 0, &e), PMMU_E_INVALID);
      EXPECT_EQ(pmmu_tlb_read(m, false, 0, r.ways, &e), PMMU_E_INVALID);
      EXPECT_EQ(pmmu_tlb_read(m, true, 0, r.large - 1, &e), PMMU_E_OK);
      EXPECT_EQ(pmmu_tlb_read(m, true, 0, r.large, &e), PMMU_E_INVALID);
      pmmu_destroy(m);
    }
  }
  for (pmmu_policy p : {PMMU_POLICY_PLRU, PMMU_POLICY_LRU, PMMU_POLICY_FIFO, PMMU_POLICY_RANDOM}) {
    pmmu_config c = valid_config();
    c.policy = p;
    c.lfsr_seed = 1;
    c.mem_latency = 1;
    EXPECT_EQ(pmmu_config_check(&c), nullptr);
  }
  pmmu_config c = valid_config();
  c.mem.timing = [](void *, pmmu_mem_op, uint64_t, unsigned, uint64_t p, uint64_t *a, uint64_t *r) {
    *a = p;
    *r = p + 1;
  };
  EXPECT_EQ(pmmu_config_check(&c), nullptr) << "a timing callback is allowed";
}

TEST_P(RejectedConfig, CheckAndCreateRefuse) {
  pmmu_config c = valid_config();
  ASSERT_EQ(pmmu_config_check(&c), nullptr);
  GetParam().spoil(c);
  const char *why = pmmu_config_check(&c);
  ASSERT_NE(why, nullptr) << "pmmu_config_check accepted it";
  EXPECT_GT(std::strlen(why), 0u) << "the reason is a sentence";
  pmmu_t *m = nullptr;
  EXPECT_EQ(pmmu_create(&c, &m), PMMU_E_CONFIG) << "pmmu_create accepted it";
  EXPECT_EQ(m, nullptr) << "a refused creation leaves no handle";
  if (m) pmmu_destroy(m);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RejectedConfig,
    ::testing::Values(
        BadConfig{"sets_0", [](pmmu_config &c) { c.tlb_sets = 0; }},
        BadConfig{"sets_3", [](pmmu_config &c) { c.tlb_sets = 3; }},
        BadConfig{"sets_12", [](pmmu_config &c) { c.tlb_sets = 12; }},
        BadConfig{"sets_2048", [](pmmu_config &c) { c.tlb_sets = 2048; }},
        BadConfig{"ways_0", [](pmmu_config &c) { c.tlb_ways = 0; }},
        BadConfig{"ways_6", [](pmmu_config &c) { c.tlb_ways = 6; }},
        BadConfig{"ways_32", [](pmmu_config &c) { c.tlb_ways = 32; }},
        BadConfig{"large_0", [](pmmu_config &c) { c.tlb_large = 0; }},
        BadConfig{"large_5", [](pmmu_config &c) { c.tlb_large = 5; }},
        BadConfig{"large_128", [](pmmu_config &c) { c.tlb_large = 128; }},
        BadConfig{"latency_0", [](pmmu_config &c) { c.mem_latency = 0; }},
        BadConfig{"seed_0_random",
                  [](pmmu_config &c) {
                    c.policy = PMMU_POLICY_RANDOM;
                    c.lfsr_seed = 0;
                  }},
        BadConfig{"policy_unknown", [](pmmu_config &c) { c.policy = static_cast<pmmu_policy>(9); }},
        BadConfig{"no_read", [](pmmu_config &c) { c.mem.read = nullptr; }},
        BadConfig{"no_cas", [](pmmu_config &c) { c.mem.cas = nullptr; }},
        BadConfig{"version_0", [](pmmu_config &c) { c.version = 0; }},
        BadConfig{"version_next", [](pmmu_config &c) { c.version = PMMU_CONFIG_VERSION + 1; }}),
    [](const ::testing::TestParamInfo<BadConfig> &i) { return i.param.name; });

// pmmu_create keeps its own copy of the configuration.
TEST(Config, CreateCopiesTheConfig) {
  pmmu_config c = valid_config();
  c.tlb_sets = 32;
  pmmu_t *m = nullptr;
  ASSERT_EQ(pmmu_create(&c, &m), PMMU_E_OK);
  ASSERT_NE(m, nullptr);
  c.tlb_sets = 1;
  const pmmu_config *got = pmmu_get_config(m);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->tlb_sets, 32u);
  pmmu_destroy(m);
}

// The reset state (pmmu.h): CR0 = 0x80000000, CR3 = CR4 = EFER = 0, TLB empty; pmmu_reset
// returns to it, statistics included.
TEST(Config, ResetState) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  pmmu_t *fresh = nullptr;
  ASSERT_EQ(pmmu_create(&rig.cfg, &fresh), PMMU_E_OK);
  ASSERT_NE(fresh, nullptr);
  pmmu_control c{};
  pmmu_get_control(fresh, &c);
  EXPECT_EQ(c.cr0, 0x80000000u);
  EXPECT_EQ(c.cr3, 0u);
  EXPECT_EQ(c.cr4, 0u);
  EXPECT_EQ(c.efer, 0u);
  pmmu_stats s{};
  pmmu_get_stats(fresh, &s);
  EXPECT_EQ(s.requests, 0u);
  pmmu_destroy(fresh);

  rig.map4k(0x00401000, P | RW, P | RW, 0x00900000);
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  ASSERT_EQ(rig.read(0x00401000).outcome, PMMU_OK);
  ASSERT_EQ(rig.read(0x7FC00000).outcome, PMMU_PAGE_FAULT);
  EXPECT_GT(rig.valid_entries(), 0u);
  pmmu_reset(rig.m);
  pmmu_get_control(rig.m, &c);
  EXPECT_EQ(c.cr0, 0x80000000u);
  EXPECT_EQ(c.cr3, 0u);
  EXPECT_EQ(c.cr4, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  pmmu_get_stats(rig.m, &s);
  EXPECT_EQ(s.requests, 0u);
  EXPECT_EQ(s.walks, 0u);
  EXPECT_FALSE(rig.interrupt().pending);
}

TEST(Config, PolicyNames) {
  struct Row {
    const char *name;
    pmmu_policy p;
  } rows[] = {{"plru", PMMU_POLICY_PLRU},
              {"lru", PMMU_POLICY_LRU},
              {"fifo", PMMU_POLICY_FIFO},
              {"random", PMMU_POLICY_RANDOM}};
  for (const Row &r : rows) {
    pmmu_policy out = PMMU_POLICY_PLRU;
    EXPECT_TRUE(pmmu_policy_parse(r.name, &out)) << r.name;
    EXPECT_EQ(out, r.p);
    ASSERT_NE(pmmu_policy_name(r.p), nullptr);
    EXPECT_STREQ(pmmu_policy_name(r.p), r.name);
  }
  pmmu_policy out = PMMU_POLICY_LRU;
  EXPECT_FALSE(pmmu_policy_parse("PLRU2", &out));
  EXPECT_FALSE(pmmu_policy_parse("", &out));
  EXPECT_STREQ(pmmu_access_name(PMMU_FETCH), "fetch");
  EXPECT_STREQ(pmmu_priv_name(PMMU_IMPLICIT), "implicit");
  EXPECT_STREQ(pmmu_tlb_use_name(PMMU_TLB_HIT), "hit");
  EXPECT_STREQ(pmmu_level_name(PMMU_LEVEL_PTE), "PTE");
}
