// Suite 13: the API's conventions (pmmu.h "Conventions", docs/integration.md): creation says
// why it failed, every error code has a name and a sentence, null pointers are refused with
// PMMU_E_INVALID, results are left untouched on an error, and the version functions agree
// with the version macros and with the project's version.
#include "pmmu_test_support.hpp"

#include <cstdio>
#include <cstring>
#include <set>
#include <string>

using namespace pmmu_test;

namespace {

bool zero_read(void *, uint64_t, unsigned, uint64_t *v) {
  *v = 0;
  return true;
}
bool zero_cas(void *, uint64_t, unsigned, uint64_t, uint64_t, uint64_t *old) {
  *old = 0;
  return true;
}

pmmu_config usable_config() {
  pmmu_config c;
  pmmu_config_init(&c);
  c.mem.read = zero_read;
  c.mem.cas = zero_cas;
  return c;
}

// A handle value that pmmu_create never returns, to see that a failed creation clears *out.
pmmu_t *not_a_handle() {
  static char sentinel;
  return reinterpret_cast<pmmu_t *>(&sentinel);
}

const pmmu_error kEveryError[] = {PMMU_E_OK, PMMU_E_INVALID, PMMU_E_CONFIG, PMMU_E_ORDER,
                                  PMMU_E_NOMEM};

} // namespace

// ---- Creation ----------------------------------------------------------------------------

TEST(Api, CreateReturnsOkAndTheHandle) {
  pmmu_config c = usable_config();
  pmmu_t *m = not_a_handle();
  ASSERT_EQ(pmmu_create(&c, &m), PMMU_E_OK);
  ASSERT_NE(m, nullptr);
  ASSERT_NE(m, not_a_handle());
  EXPECT_EQ(pmmu_get_config(m)->tlb_sets, 16u);
  pmmu_destroy(m);
}

TEST(Api, CreateRefusesAnInvalidConfigurationWithItsReason) {
  pmmu_config c = usable_config();
  c.tlb_ways = 3;
  pmmu_t *m = not_a_handle();
  EXPECT_EQ(pmmu_create(&c, &m), PMMU_E_CONFIG);
  EXPECT_EQ(m, nullptr);
  ASSERT_NE(pmmu_config_check(&c), nullptr);
  EXPECT_STREQ(pmmu_config_check(&c), "tlb_ways must be a power of two, 1..16");

  c = usable_config();
  c.mem.cas = nullptr;
  m = not_a_handle();
  EXPECT_EQ(pmmu_create(&c, &m), PMMU_E_CONFIG);
  EXPECT_EQ(m, nullptr);
}

TEST(Api, CreateRefusesNullPointers) {
  pmmu_config c = usable_config();
  EXPECT_EQ(pmmu_create(&c, nullptr), PMMU_E_INVALID);
  pmmu_t *m = not_a_handle();
  EXPECT_EQ(pmmu_create(nullptr, &m), PMMU_E_INVALID);
  EXPECT_EQ(m, nullptr);
  pmmu_destroy(nullptr); // allowed, does nothing
}

// ---- Error names and sentences -------------------------------------------------------------

TEST(Api, ErrorNamesAreTheEnumerators) {
  EXPECT_STREQ(pmmu_error_name(PMMU_E_OK), "PMMU_E_OK");
  EXPECT_STREQ(pmmu_error_name(PMMU_E_INVALID), "PMMU_E_INVALID");
  EXPECT_STREQ(pmmu_error_name(PMMU_E_CONFIG), "PMMU_E_CONFIG");
  EXPECT_STREQ(pmmu_error_name(PMMU_E_ORDER), "PMMU_E_ORDER");
  EXPECT_STREQ(pmmu_error_name(PMMU_E_NOMEM), "PMMU_E_NOMEM");
  EXPECT_STREQ(pmmu_error_name(static_cast<pmmu_error>(-99)), "PMMU_E_UNKNOWN");
  EXPECT_STREQ(pmmu_error_name(static_cast<pmmu_error>(1)), "PMMU_E_UNKNOWN");
}

TEST(Api, StrerrorGivesADistinctSentenceForEveryCode) {
  std::set<std::string> seen;
  for (pmmu_error e : kEveryError) {
    SCOPED_TRACE(pmmu_error_name(e));
    const char *s = pmmu_strerror(e);
    ASSERT_NE(s, nullptr);
    EXPECT_GT(std::strlen(s), 5u);
    EXPECT_STRNE(s, pmmu_error_name(e)) << "a sentence, not the identifier";
    EXPECT_EQ(std::strchr(s, '\n'), nullptr) << "one line, the caller adds the newline";
    EXPECT_TRUE(seen.insert(s).second) << "the same sentence as another code: " << s;
  }
  // The words the testbench's messages begin with (tb_status_name).
  EXPECT_EQ(std::string(pmmu_strerror(PMMU_E_OK)), "no error");
  EXPECT_EQ(std::string(pmmu_strerror(PMMU_E_ORDER)).rfind("cycle out of order", 0), 0u);
  EXPECT_EQ(std::string(pmmu_strerror(PMMU_E_INVALID)).rfind("invalid argument", 0), 0u);
  EXPECT_EQ(std::string(pmmu_strerror(PMMU_E_CONFIG)).rfind("invalid configuration", 0), 0u);
  EXPECT_EQ(std::string(pmmu_strerror(PMMU_E_NOMEM)), "out of memory");
  EXPECT_STREQ(pmmu_strerror(static_cast<pmmu_error>(-99)), "unknown pmmu error code");
}

// ---- One return convention ---------------------------------------------------------------

TEST(Api, NullHandleOrResultIsInvalid) {
  pmmu_reg_result rr{};
  pmmu_response out{};
  pmmu_tlb_entry e{};
  pmmu_request req = Rig::request(0x1000, PMMU_READ, PMMU_SUPERVISOR, false, 20);
  EXPECT_EQ(pmmu_write_cr0(nullptr, 0, 1, &rr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_write_cr3(nullptr, 0, 1, &rr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_write_cr4(nullptr, 0, 1, &rr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_write_efer(nullptr, 0, 1, &rr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_invlpg(nullptr, 0, 1), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_flush(nullptr, PMMU_FLUSH_ALL, 0, 1), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_translate(nullptr, &req, &out), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_debug_translate(nullptr, &req, &out, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_tlb_read(nullptr, false, 0, 0, &e), PMMU_E_INVALID);

  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  EXPECT_EQ(pmmu_translate(rig.m, nullptr, &out), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_translate(rig.m, &req, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_debug_translate(rig.m, nullptr, &out, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_debug_translate(rig.m, &req, nullptr, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_tlb_read(rig.m, false, 0, 0, nullptr), PMMU_E_INVALID);
  pmmu_stats s{};
  pmmu_get_stats(rig.m, &s);
  EXPECT_EQ(s.requests, 0u) << "a refused call changes nothing";

  pmmu_policy p = PMMU_POLICY_LRU;
  EXPECT_FALSE(pmmu_policy_parse(nullptr, &p));
  EXPECT_FALSE(pmmu_policy_parse("plru", nullptr));
  EXPECT_EQ(p, PMMU_POLICY_LRU);
}

// pmmu.h: results are written through pointer arguments, which are left untouched on an error.
TEST(Api, ResultsUntouchedOnAnError) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.map4k(0x00400000, P | RW, P | RW, 0x00800000);
  pmmu_response first = rig.read(0x00400000);
  ASSERT_EQ(first.outcome, PMMU_OK);

  pmmu_response out;
  std::memset(&out, 0xA5, sizeof out);
  pmmu_response before = out;
  pmmu_request late = Rig::request(0x00400000, PMMU_READ, PMMU_SUPERVISOR, false, 1);
  EXPECT_EQ(pmmu_translate(rig.m, &late, &out), PMMU_E_ORDER);
  EXPECT_EQ(std::memcmp(&out, &before, sizeof out), 0);

  pmmu_request implicit_fetch =
      Rig::request(0x00400000, PMMU_FETCH, PMMU_IMPLICIT, false, rig.cycle);
  EXPECT_EQ(pmmu_translate(rig.m, &implicit_fetch, &out), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_debug_translate(rig.m, &implicit_fetch, &out, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(std::memcmp(&out, &before, sizeof out), 0);

  pmmu_reg_result rr;
  std::memset(&rr, 0xA5, sizeof rr);
  pmmu_reg_result rr_before = rr;
  EXPECT_EQ(pmmu_write_cr3(rig.m, 0x2000, 1, &rr), PMMU_E_ORDER);
  EXPECT_EQ(std::memcmp(&rr, &rr_before, sizeof rr), 0);

  pmmu_tlb_entry e;
  std::memset(&e, 0xA5, sizeof e);
  pmmu_tlb_entry e_before = e;
  EXPECT_EQ(pmmu_tlb_read(rig.m, false, 16, 0, &e), PMMU_E_INVALID);
  EXPECT_EQ(std::memcmp(&e, &e_before, sizeof e), 0);
}

// ---- Version -------------------------------------------------------------------------------

TEST(Api, VersionFunctionsAgreeWithTheMacros) {
  char expect[32];
  std::snprintf(expect, sizeof expect, "%d.%d.%d", PMMU_VERSION_MAJOR, PMMU_VERSION_MINOR,
                PMMU_VERSION_PATCH);
  EXPECT_STREQ(PMMU_VERSION_STRING, expect);
  EXPECT_STREQ(pmmu_version(), expect);
  unsigned number = static_cast<unsigned>(PMMU_VERSION_MAJOR) * 65536u +
                    static_cast<unsigned>(PMMU_VERSION_MINOR) * 256u +
                    static_cast<unsigned>(PMMU_VERSION_PATCH);
  EXPECT_EQ(pmmu_version_number(), number);
  EXPECT_EQ(static_cast<unsigned>(PMMU_VERSION_NUMBER), number);
}

// The top-level CMakeLists.txt reads pmmu/version.h for project(); this is what it read.
TEST(Api, VersionIsTheProjectVersion) { EXPECT_STREQ(pmmu_version(), PMMU_TEST_PROJECT_VERSION); }

// 0.1.0 was the first release; versions only grow, and compare as numbers.
TEST(Api, VersionNumberOrdersVersions) {
  EXPECT_GE(pmmu_version_number(), 0x000100u);
  EXPECT_LT(PMMU_VERSION_MINOR, 256);
  EXPECT_LT(PMMU_VERSION_PATCH, 256);
}
