// Suite 14: the page-fault interrupt cycle by cycle (docs/timing.md T10):
// pmmu_interrupt_at() and pmmu_ack_interrupt_at(). Expectations from T10 alone: a #PF
// answered in cycle R raises the line and latches CR2 and the error code from R + 1; an ack
// in cycle a lowers the line from a + 1 unless a #PF is answered in a (the new fault wins).
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

constexpr uint32_t kLa1 = 0x7F800010; // not mapped: a not-present PDE, error code 0
constexpr uint32_t kLa2 = 0x7FC01000; // not mapped either; written by the user: WR | US

pmmu_interrupt_state at(const Rig &rig, uint64_t cycle) {
  pmmu_interrupt_state s{};
  EXPECT_EQ(pmmu_interrupt_at(rig.m, cycle, &s), PMMU_E_OK);
  return s;
}

void expect_state(const Rig &rig, uint64_t cycle, bool line, uint32_t cr2, uint32_t ec) {
  pmmu_interrupt_state s = at(rig, cycle);
  EXPECT_EQ(s.pending, line) << "line in cycle " << cycle;
  EXPECT_EQ(s.cr2, cr2) << "CR2 in cycle " << cycle;
  EXPECT_EQ(s.error_code, ec) << "error code in cycle " << cycle;
}

TEST(Interrupt, RaisedFromTheCycleAfterTheResponse) {
  Rig rig;
  pmmu_response r = rig.read(kLa1);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  expect_state(rig, 0, false, 0, 0);
  expect_state(rig, r.response_cycle, false, 0, 0); // not yet in R itself
  for (uint64_t c = r.response_cycle + 1; c < r.response_cycle + 20; c++)
    expect_state(rig, c, true, kLa1, 0); // held until an ack
}

TEST(Interrupt, AckLowersTheLineFromTheNextCycleAndKeepsTheLatch) {
  Rig rig;
  pmmu_response r = rig.read(kLa1);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  uint64_t a = r.response_cycle + 3;
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, a), PMMU_E_OK);
  expect_state(rig, a, true, kLa1, 0);      // the ack's own cycle: still high
  expect_state(rig, a + 1, false, kLa1, 0); // low from a + 1, not a + 2
  expect_state(rig, a + 9, false, kLa1, 0);
  EXPECT_FALSE(rig.interrupt().pending);
}

TEST(Interrupt, AckInTheCycleAfterTheResponseLowersAtRPlusTwo) {
  Rig rig;
  pmmu_response r = rig.read(kLa1);
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, r.response_cycle + 1), PMMU_E_OK);
  expect_state(rig, r.response_cycle + 1, true, kLa1, 0);
  expect_state(rig, r.response_cycle + 2, false, kLa1, 0);
}

TEST(Interrupt, ANewFaultInTheAckCycleWins) {
  Rig rig;
  pmmu_response r1 = rig.read(kLa1);
  pmmu_response r2 = rig.write(kLa2, PMMU_USER);
  ASSERT_EQ(r2.outcome, PMMU_PAGE_FAULT);
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, r2.response_cycle), PMMU_E_OK);
  expect_state(rig, r2.response_cycle, true, kLa1, 0); // the first fault, not acked before
  expect_state(rig, r2.response_cycle + 1, true, kLa2, PMMU_EC_WR | PMMU_EC_US);
  expect_state(rig, r2.response_cycle + 5, true, kLa2, PMMU_EC_WR | PMMU_EC_US);
  EXPECT_TRUE(rig.interrupt().pending);
  (void)r1;
}

TEST(Interrupt, ASecondFaultBeforeTheAckOverwritesTheLatch) {
  Rig rig;
  pmmu_response r1 = rig.read(kLa1);
  pmmu_response r2 = rig.write(kLa2, PMMU_USER);
  for (uint64_t c = r1.response_cycle + 1; c <= r2.response_cycle; c++)
    expect_state(rig, c, true, kLa1, 0);
  expect_state(rig, r2.response_cycle + 1, true, kLa2, PMMU_EC_WR | PMMU_EC_US);
}

TEST(Interrupt, AnAckDuringALaterWalkLowersTheEarlierFaultOnly) {
  Rig rig;
  pmmu_response r1 = rig.read(kLa1);
  pmmu_response r2 = rig.write(kLa2, PMMU_USER); // computed at once by the model
  uint64_t a = r2.accept_cycle + 1;              // an ack while that walk runs
  ASSERT_LT(a, r2.response_cycle);
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, a), PMMU_E_OK);
  expect_state(rig, a, true, kLa1, 0);
  expect_state(rig, a + 1, false, kLa1, 0);
  expect_state(rig, r2.response_cycle, false, kLa1, 0);
  expect_state(rig, r2.response_cycle + 1, true, kLa2, PMMU_EC_WR | PMMU_EC_US);
  EXPECT_TRUE(rig.interrupt().pending); // an ack before R does not lower the new fault
  (void)r1;
}

TEST(Interrupt, AnAckWithNoFaultDoesNothing) {
  Rig rig;
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, 3), PMMU_E_OK);
  expect_state(rig, 4, false, 0, 0);
  pmmu_response r = rig.read(kLa1);
  expect_state(rig, r.response_cycle + 1, true, kLa1, 0); // an old ack does not lower it
}

TEST(Interrupt, AcksInCycleOrderAndNullPointers) {
  Rig rig;
  ASSERT_EQ(pmmu_ack_interrupt_at(rig.m, 30), PMMU_E_OK);
  EXPECT_EQ(pmmu_ack_interrupt_at(rig.m, 30), PMMU_E_OK); // the same cycle again: harmless
  EXPECT_EQ(pmmu_ack_interrupt_at(rig.m, 29), PMMU_E_ORDER);
  pmmu_interrupt_state s{};
  EXPECT_EQ(pmmu_interrupt_at(nullptr, 1, &s), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_interrupt_at(rig.m, 1, nullptr), PMMU_E_INVALID);
  EXPECT_EQ(pmmu_ack_interrupt_at(nullptr, 1), PMMU_E_INVALID);
}

TEST(Interrupt, ResetClearsLineAndLatch) {
  Rig rig;
  pmmu_response r = rig.read(kLa1);
  expect_state(rig, r.response_cycle + 1, true, kLa1, 0);
  pmmu_reset(rig.m);
  expect_state(rig, r.response_cycle + 1, false, 0, 0);
  expect_state(rig, 1, false, 0, 0);
}

} // namespace
