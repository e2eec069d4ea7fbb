// Suite 8: cycle timing (docs/timing.md, rules T1-T7 and T10).
#include "pmmu_test_support.hpp"

#include <memory>

using namespace pmmu_test;

namespace {

constexpr uint32_t kLa = 0x00C01234;
constexpr uint32_t kFrame = 0x02468000;
constexpr uint32_t kLaBig = 0x40000ABC;
constexpr uint32_t kFrameBig = 0x01C00000;

// ---- fixed latency L, no timing callback -----------------------------------------------

class FixedLatency : public ::testing::TestWithParam<unsigned> {
protected:
  void SetUp() override {
    L = GetParam();
    rig = std::make_unique<Rig>([this](pmmu_config &c) { c.mem_latency = L; });
    ASSERT_NE(rig->m, nullptr);
    rig->cr4(PMMU_CR4_PSE);
  }
  unsigned L = 0;
  std::unique_ptr<Rig> rig;

  // Checks R - A and, for every walker access, the T4 rule: m1 presented in A + 1, m(k+1)
  // in Qk + 1, no back-pressure (accept = present), Q = present + L, R = Qn + 1.
  void expect_walk(const pmmu_response &r, unsigned accesses) {
    EXPECT_EQ(r.mem_accesses, accesses);
    EXPECT_EQ(r.cycles, 1u + accesses * (1u + L));
    EXPECT_EQ(r.response_cycle - r.accept_cycle, r.cycles);
    ASSERT_EQ(rig->mem.txns.size(), accesses);
    uint64_t present = r.accept_cycle + 1;
    for (unsigned k = 0; k < accesses; k++) {
      const pmmu_mem_txn &t = rig->mem.txns[k];
      EXPECT_EQ(t.present_cycle, present) << "access " << k;
      EXPECT_EQ(t.accept_cycle, present) << "access " << k;
      EXPECT_EQ(t.response_cycle, present + L) << "access " << k;
      present = t.response_cycle + 1;
    }
    EXPECT_EQ(r.response_cycle, present);
  }
};

} // namespace

TEST_P(FixedLatency, PagingOffIsOneCycle) {
  rig->cr0(0);
  rig->mem.clear_log();
  pmmu_response r = rig->read(0x12345678);
  EXPECT_EQ(r.tlb, PMMU_TLB_OFF);
  EXPECT_EQ(r.pa, 0x12345678u);
  EXPECT_EQ(r.cycles, 1u);
  EXPECT_EQ(r.response_cycle, r.accept_cycle + 1);
  EXPECT_TRUE(rig->mem.txns.empty());
}

TEST_P(FixedLatency, FourKiBWalkWithADSetIs2LPlus3) {
  rig->map4k(kLa, P | RW | A, P | RW | A | D, kFrame);
  rig->mem.clear_log();
  pmmu_response r = rig->write(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.cycles, 2 * L + 3);
  expect_walk(r, 2);
}

TEST_P(FixedLatency, FirstReadSettingBothAIs4LPlus5) {
  rig->map4k(kLa, P | RW, P | RW, kFrame);
  rig->mem.clear_log();
  pmmu_response r = rig->read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.cycles, 4 * L + 5);
  expect_walk(r, 4);
}

TEST_P(FixedLatency, WriteSettingDOnlyIs3LPlus4) {
  rig->map4k(kLa, P | RW | A, P | RW | A, kFrame);
  rig->mem.clear_log();
  pmmu_response r = rig->write(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.cycles, 3 * L + 4);
  expect_walk(r, 3);
}

TEST_P(FixedLatency, FourMiBIsLPlus2) {
  rig->map4m(kLaBig, kFrameBig | P | RW | A);
  rig->mem.clear_log();
  pmmu_response r = rig->read(kLaBig);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.cycles, L + 2);
  expect_walk(r, 1);
  // A first write to it: PDE read + one CAS setting D.
  rig->invlpg(kLaBig);
  rig->mem.clear_log();
  pmmu_response w = rig->write(kLaBig);
  ASSERT_EQ(w.outcome, PMMU_OK);
  EXPECT_EQ(w.cycles, 2 * L + 3);
  expect_walk(w, 2);
}

TEST_P(FixedLatency, FaultsCostTheirReads) {
  // Not-present PDE: L + 2.
  rig->mem.clear_log();
  pmmu_response r1 = rig->read(0x7FC00000);
  ASSERT_EQ(r1.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r1.cycles, L + 2);
  expect_walk(r1, 1);
  // Not-present PTE: 2L + 3.
  rig->map4k(kLa, P | RW, RW, kFrame);
  rig->mem.clear_log();
  pmmu_response r2 = rig->read(kLa);
  ASSERT_EQ(r2.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r2.cycles, 2 * L + 3);
  expect_walk(r2, 2);
  // Protection fault on a 4 KiB page: 2L + 3, no CAS.
  rig->map4k(kLa, P | RW, P | RW, kFrame);
  rig->mem.clear_log();
  pmmu_response r3 = rig->read(kLa, PMMU_USER);
  ASSERT_EQ(r3.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r3.cycles, 2 * L + 3);
  expect_walk(r3, 2);
}

// A hit is one cycle; hits presented back to back are accepted one per cycle, each in the
// previous one's response cycle (T1, T3).
TEST_P(FixedLatency, HitsArePipelined) {
  rig->map4k(kLa, P | RW | A, P | RW | A | D, kFrame);
  pmmu_response fill = rig->read(kLa);
  ASSERT_EQ(fill.tlb, PMMU_TLB_MISS);
  // The next request presented before the walk ends is accepted in R (T1) and, looked up
  // in R + 1, sees the fill (T5).
  const uint64_t c0 = fill.response_cycle; // already past; present in R itself
  pmmu_request q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, c0);
  pmmu_response prev{};
  ASSERT_EQ(pmmu_translate(rig->m, &q, &prev), PMMU_E_OK);
  EXPECT_EQ(prev.accept_cycle, fill.response_cycle);
  EXPECT_EQ(prev.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(prev.cycles, 1u);
  for (int i = 0; i < 8; i++) {
    // Presented in the previous response cycle: accepted there.
    q = Rig::request(kLa + static_cast<uint32_t>(i), PMMU_READ, PMMU_SUPERVISOR, false,
                     prev.response_cycle);
    pmmu_response r{};
    ASSERT_EQ(pmmu_translate(rig->m, &q, &r), PMMU_E_OK);
    EXPECT_EQ(r.tlb, PMMU_TLB_HIT);
    EXPECT_EQ(r.accept_cycle, prev.response_cycle);
    EXPECT_EQ(r.response_cycle, r.accept_cycle + 1);
    EXPECT_EQ(r.cycles, 1u);
    prev = r;
  }
  // Presented while busy (valid held high since the previous accept): accepted at its R.
  q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, prev.accept_cycle);
  pmmu_response r{};
  ASSERT_EQ(pmmu_translate(rig->m, &q, &r), PMMU_E_OK);
  EXPECT_EQ(r.accept_cycle, prev.response_cycle);
  EXPECT_EQ(pmmu_ready_cycle(rig->m), r.response_cycle);
}

// A request presented after the block is ready is accepted when presented.
TEST_P(FixedLatency, LateRequestAcceptedWhenPresented) {
  rig->map4k(kLa, P | RW | A, P | RW | A, kFrame);
  pmmu_response w = rig->read(kLa);
  EXPECT_EQ(pmmu_ready_cycle(rig->m), w.response_cycle);
  const uint64_t later = w.response_cycle + 17;
  pmmu_request q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, later);
  pmmu_response r{};
  ASSERT_EQ(pmmu_translate(rig->m, &q, &r), PMMU_E_OK);
  EXPECT_EQ(r.accept_cycle, later);
  EXPECT_EQ(r.response_cycle, later + 1);
  // And a walk presented later: m1 presented in A + 1.
  rig->mem.clear_log();
  const uint64_t later2 = r.response_cycle + 5;
  q = Rig::request(kLa + 0x1000, PMMU_READ, PMMU_SUPERVISOR, false, later2);
  rig->map4k(kLa + 0x1000, P | RW | A, P | RW | A, kFrame + 0x1000);
  ASSERT_EQ(pmmu_translate(rig->m, &q, &r), PMMU_E_OK);
  EXPECT_EQ(r.accept_cycle, later2);
  ASSERT_EQ(rig->mem.txns.size(), 2u);
  EXPECT_EQ(rig->mem.txns[0].present_cycle, later2 + 1);
  EXPECT_EQ(r.response_cycle, later2 + 2 * L + 3);
}

// The page-fault interrupt: raised by a #PF, CR2 and the error code latched; ack lowers it
// and keeps them readable; a second fault overwrites them.
TEST_P(FixedLatency, InterruptLatchesTheLatestFault) {
  pmmu_interrupt_state s = rig->interrupt();
  EXPECT_FALSE(s.pending);
  pmmu_response r1 = rig->write(0x7FC01000, PMMU_USER);
  ASSERT_EQ(r1.outcome, PMMU_PAGE_FAULT);
  s = rig->interrupt();
  EXPECT_TRUE(s.pending);
  EXPECT_EQ(s.cr2, 0x7FC01000u);
  EXPECT_EQ(s.error_code, PMMU_EC_WR | PMMU_EC_US);
  pmmu_response r2 = rig->read(0x7F800010);
  ASSERT_EQ(r2.outcome, PMMU_PAGE_FAULT);
  s = rig->interrupt();
  EXPECT_TRUE(s.pending);
  EXPECT_EQ(s.cr2, 0x7F800010u);
  EXPECT_EQ(s.error_code, 0u);
  pmmu_ack_interrupt(rig->m);
  s = rig->interrupt();
  EXPECT_FALSE(s.pending);
  EXPECT_EQ(s.cr2, 0x7F800010u);
  // A success does not touch CR2.
  rig->map4k(kLa, P | RW | A, P | RW | A, kFrame);
  ASSERT_EQ(rig->read(kLa).outcome, PMMU_OK);
  s = rig->interrupt();
  EXPECT_FALSE(s.pending);
  EXPECT_EQ(s.cr2, 0x7F800010u);
}

INSTANTIATE_TEST_SUITE_P(Latency, FixedLatency, ::testing::Values(1u, 3u, 7u),
                         [](const ::testing::TestParamInfo<unsigned> &i) {
                           return "L" + std::to_string(i.param);
                         });

// Cycles given to successive calls must not go backwards (pmmu.h): pmmu_translate() returns
// PMMU_E_ORDER "for a cycle earlier than the last one used"; so do register writes and
// flushes outside the T7 window.
TEST(CycleOrder, GoingBackwardsIsRefused) {
  Rig rig;
  ASSERT_NE(rig.m, nullptr);
  rig.map4k(kLa, P | RW | A, P | RW | A, kFrame);
  pmmu_request q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, 1000);
  pmmu_response r{};
  ASSERT_EQ(pmmu_translate(rig.m, &q, &r), PMMU_E_OK);
  const uint64_t R = r.response_cycle;
  // Register writes and flushes before the last request's cycle are refused.
  pmmu_reg_result rr{};
  EXPECT_EQ(pmmu_write_cr0(rig.m, PMMU_CR0_PG, 999, &rr), PMMU_E_ORDER);
  EXPECT_EQ(pmmu_invlpg(rig.m, 0, 999), PMMU_E_ORDER);
  // So is a translation request presented before the last one.
  q.cycle = 999;
  EXPECT_EQ(pmmu_translate(rig.m, &q, &r), PMMU_E_ORDER)
      << "presented at 999 after 1000: " << describe(r);
  q.cycle = 0;
  EXPECT_EQ(pmmu_translate(rig.m, &q, &r), PMMU_E_ORDER)
      << "presented at 0 after 1000: " << describe(r);
  // Presenting again at the same cycle (valid held high while busy) is fine.
  q.cycle = 1000;
  ASSERT_EQ(pmmu_translate(rig.m, &q, &r), PMMU_E_OK);
  EXPECT_GE(r.accept_cycle, R);
}

// ---- a custom timing callback with back-pressure --------------------------------------

// Reads: 2 cycles of back-pressure, latency 4. CAS: 1 cycle of back-pressure, latency 6.
// A first read (4 accesses: 2 reads, 2 CAS):
//   cycles = 1 + 2 * (1 + 2 + 4) + 2 * (1 + 1 + 6) = 1 + 14 + 16 = 31.
TEST(CustomTiming, BackPressureAddsItsWaits) {
  Rig rig({}, /*with_timing=*/true);
  ASSERT_NE(rig.m, nullptr);
  std::vector<uint64_t> presented;
  rig.mem.timing_fn = [&](pmmu_mem_op op, uint64_t, unsigned, uint64_t present, uint64_t *accept,
                          uint64_t *response) {
    presented.push_back(present);
    const unsigned w = op == PMMU_MEM_READ ? 2 : 1, lat = op == PMMU_MEM_READ ? 4 : 6;
    *accept = present + w;
    *response = *accept + lat;
  };
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  rig.mem.clear_log();
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.cycles, 31u);
  EXPECT_EQ(rig.mem.timing_calls, 4u);
  ASSERT_EQ(rig.mem.txns.size(), 4u);
  ASSERT_EQ(presented.size(), 4u);
  const uint64_t A = r.accept_cycle;
  // m1: P = A+1, accepted A+3, answered A+7; m2: P = A+8, A+10, A+14;
  // m3 (CAS): P = A+15, A+16, A+22; m4: P = A+23, A+24, A+30; R = A+31.
  const uint64_t want[4][3] = {{A + 1, A + 3, A + 7},
                               {A + 8, A + 10, A + 14},
                               {A + 15, A + 16, A + 22},
                               {A + 23, A + 24, A + 30}};
  for (int k = 0; k < 4; k++) {
    SCOPED_TRACE("access " + std::to_string(k));
    EXPECT_EQ(presented[static_cast<size_t>(k)], want[k][0]);
    EXPECT_EQ(rig.mem.txns[static_cast<size_t>(k)].present_cycle, want[k][0]);
    EXPECT_EQ(rig.mem.txns[static_cast<size_t>(k)].accept_cycle, want[k][1]);
    EXPECT_EQ(rig.mem.txns[static_cast<size_t>(k)].response_cycle, want[k][2]);
  }
  EXPECT_EQ(r.response_cycle, A + 31);
  EXPECT_EQ(rig.mem.txns[2].op, PMMU_MEM_CAS);
}

// Back-pressure that depends on the cycle: memory busy until an absolute cycle.
TEST(CustomTiming, BusyMemoryDelaysTheFirstAccess) {
  Rig rig({}, /*with_timing=*/true);
  ASSERT_NE(rig.m, nullptr);
  rig.map4k(kLa, P | RW | A, P | RW | A, kFrame);
  const uint64_t A = rig.cycle;
  const uint64_t busy_until = A + 20;
  rig.mem.timing_fn = [&](pmmu_mem_op, uint64_t, unsigned, uint64_t present, uint64_t *accept,
                          uint64_t *response) {
    *accept = present < busy_until ? busy_until : present;
    *response = *accept + 2;
  };
  rig.mem.clear_log();
  pmmu_response r = rig.read(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.accept_cycle, A);
  // m1: P = A+1, accepted A+20, Q = A+22; m2: P = A+23, accepted at once, Q = A+25; R = A+26.
  EXPECT_EQ(r.response_cycle, A + 26);
  EXPECT_EQ(r.cycles, 26u);
  ASSERT_EQ(rig.mem.txns.size(), 2u);
  EXPECT_EQ(rig.mem.txns[0].accept_cycle, A + 20);
  EXPECT_EQ(rig.mem.txns[1].present_cycle, A + 23);
}

// ---- T7: a flush inside a walk's window cancels its fill --------------------------------

namespace {

struct FlushCase {
  const char *name;
  pmmu_policy policy;
  int victim;          // the way E's fill takes (and F's when E's fill was cancelled)
  char victim_page;    // the page in that way before E
  int f_way_if_filled; // the way F takes when E's fill stood
};

// 1 set x 4 ways filled with A B C D (ways 0-3), then E misses:
//   plru: bits all 0 after the four fills -> victim way 0; if E fills it (b1=1 b2=1), F's
//         victim is 1->3->6 = way 2.
//   lru: ranks 3 2 1 0 -> victim way 0; if E fills it, ranks 0 3 2 1 -> F takes way 1.
//   fifo: p = 0 -> way 0; then p = 1 -> F takes way 1.
//   random: state 0xACE1 -> way 1; then 0x5670 -> F takes way 0.
// When E's fill is cancelled the victim entry and the replacement state are restored, so F
// takes E's victim way.
class FlushCancel : public ::testing::TestWithParam<FlushCase> {};

void PrintTo(const FlushCase &c, std::ostream *os) { *os << c.name; }

uint32_t page(char k) { return 0x00400000u + static_cast<uint32_t>(k - 'A') * 0x1000u; }

} // namespace

TEST_P(FlushCancel, FlushInsideTheWindowCancelsTheFill) {
  const FlushCase &fc = GetParam();
  enum Where { kAPlus1, kR, kRPlus1 };
  for (Where where : {kAPlus1, kR, kRPlus1}) {
    SCOPED_TRACE(where == kAPlus1 ? "flush at A+1" : where == kR ? "flush at R" : "flush at R+1");
    const bool cancels = where != kRPlus1;
    Rig rig([&](pmmu_config &c) {
      c.tlb_sets = 1;
      c.tlb_ways = 4;
      c.policy = fc.policy;
      c.mem_latency = 3;
    });
    ASSERT_NE(rig.m, nullptr);
    for (char k = 'A'; k <= 'G'; k++)
      rig.map4k(page(k), P | RW | A, P | RW | A,
                0x01000000u + static_cast<uint32_t>(k - 'A') * 0x1000u);
    for (char k = 'A'; k <= 'D'; k++) ASSERT_EQ(rig.read(page(k)).tlb, PMMU_TLB_MISS);

    pmmu_response e = rig.read(page('E'));
    ASSERT_EQ(e.outcome, PMMU_OK);
    ASSERT_EQ(e.tlb, PMMU_TLB_MISS);
    const uint64_t fc_cycle = where == kAPlus1 ? e.accept_cycle + 1
                              : where == kR    ? e.response_cycle
                                               : e.response_cycle + 1;
    // An INVLPG of a page that is not cached: it removes nothing by itself.
    ASSERT_EQ(pmmu_invlpg(rig.m, 0x7FFFF000, fc_cycle), PMMU_E_OK);
    rig.cycle = e.response_cycle + 2;

    pmmu_tlb_entry v = rig.entry(false, 0, static_cast<unsigned>(fc.victim));
    EXPECT_TRUE(v.valid);
    if (cancels) {
      EXPECT_FALSE(rig.cached(page('E'))) << "the cancelled fill is in the TLB";
      EXPECT_EQ(v.vpn, page(fc.victim_page) >> 12) << "the victim entry was not restored";
      EXPECT_EQ(rig.stats().fills_cancelled, 1u);
    } else {
      EXPECT_TRUE(rig.cached(page('E')));
      EXPECT_EQ(v.vpn, page('E') >> 12);
      EXPECT_EQ(rig.stats().fills_cancelled, 0u);
    }
    // The replacement state: F takes E's victim way again only if the fill was undone.
    pmmu_response f = rig.read(page('F'));
    ASSERT_EQ(f.tlb, PMMU_TLB_MISS);
    const int f_way = cancels ? fc.victim : fc.f_way_if_filled;
    EXPECT_EQ(rig.entry(false, 0, static_cast<unsigned>(f_way)).vpn, page('F') >> 12)
        << "F is not in way " << f_way;
    // The next access to E misses only if its fill was cancelled.
    pmmu_response e2 = rig.read(page('E'));
    EXPECT_EQ(e2.tlb, cancels ? PMMU_TLB_MISS : PMMU_TLB_HIT);
    EXPECT_EQ(e2.pa, e.pa);
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, FlushCancel,
                         ::testing::Values(FlushCase{"plru", PMMU_POLICY_PLRU, 0, 'A', 2},
                                           FlushCase{"lru", PMMU_POLICY_LRU, 0, 'A', 1},
                                           FlushCase{"fifo", PMMU_POLICY_FIFO, 0, 'A', 1},
                                           FlushCase{"random", PMMU_POLICY_RANDOM, 1, 'B', 0}),
                         [](const ::testing::TestParamInfo<FlushCase> &i) { return i.param.name; });

// T7 with a walk that wrote A/D: the response is delivered, the CAS stays in memory, only
// the fill goes. T6: a flush in cycle c is seen by a lookup in c + 1.
TEST(FlushTiming, CancelKeepsADAndResponse) {
  Rig rig([](pmmu_config &c) { c.mem_latency = 2; });
  ASSERT_NE(rig.m, nullptr);
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  pmmu_response r = rig.write(kLa);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.pa, kFrame | (kLa & 0xFFF));
  ASSERT_EQ(pmmu_flush(rig.m, PMMU_FLUSH_NONGLOBAL, 0, r.accept_cycle + 3), PMMU_E_OK);
  EXPECT_FALSE(rig.cached(kLa));
  EXPECT_EQ(rig.pte(kLa), (kFrame | P | RW | A | D)) << "A/D writes are not undone";
  EXPECT_EQ(rig.pde(kLa), (default_pt(kLa) | P | RW | A));
  rig.cycle = r.response_cycle + 1;
  pmmu_response again = rig.read(kLa);
  EXPECT_EQ(again.tlb, PMMU_TLB_MISS);
  // Now cached; a flush at cycle c, then a request presented in c: looked up in c + 1, so it
  // misses.
  const uint64_t c = again.response_cycle + 4;
  ASSERT_EQ(pmmu_invlpg(rig.m, kLa, c), PMMU_E_OK);
  pmmu_request q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, c);
  pmmu_response x{};
  ASSERT_EQ(pmmu_translate(rig.m, &q, &x), PMMU_E_OK);
  EXPECT_EQ(x.accept_cycle, c);
  EXPECT_EQ(x.tlb, PMMU_TLB_MISS);
}
