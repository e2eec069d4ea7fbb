// Suite 9: pmmu_debug_translate(): translates as pmmu_translate() would with an empty TLB,
// but changes nothing (pmmu.h): no TLB lookup or fill, no A/D write, no CR2, no statistics,
// no cycles; only mem.read is called.
#include "pmmu_test_support.hpp"

#include <cstring>

using namespace pmmu_test;

namespace {

constexpr uint32_t kLa = 0x00C05678;
constexpr uint32_t kFrame = 0x0BEEF000;

class DebugTranslate : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(rig.m, nullptr);
    rig.cr4(PMMU_CR4_PSE);
  }
  // Runs a debug translation and checks that nothing observable changed.
  pmmu_response debug(uint32_t la, pmmu_access a, pmmu_priv p, pmmu_walk_trace *trace) {
    pmmu_stats s0 = rig.stats();
    const pmmu_interrupt_state i0 = rig.interrupt();
    const uint64_t ready0 = pmmu_ready_cycle(rig.m);
    const unsigned entries0 = rig.valid_entries();
    const auto snap = rig.mem.snapshot();
    rig.mem.clear_log();
    pmmu_request q = Rig::request(la, a, p, false, rig.cycle);
    pmmu_response out{};
    EXPECT_EQ(pmmu_debug_translate(rig.m, &q, &out, trace), PMMU_E_OK);
    EXPECT_TRUE(rig.mem.same_as(snap)) << "debug translate wrote memory";
    EXPECT_EQ(rig.mem.cas_calls, 0u);
    EXPECT_EQ(rig.mem.timing_calls, 0u);
    EXPECT_EQ(rig.mem.observe_calls, 0u) << "only mem.read may be called";
    pmmu_stats s1 = rig.stats();
    EXPECT_EQ(std::memcmp(&s0, &s1, sizeof s0), 0) << "statistics changed";
    const pmmu_interrupt_state i1 = rig.interrupt();
    EXPECT_EQ(i1.pending, i0.pending);
    EXPECT_EQ(i1.cr2, i0.cr2);
    EXPECT_EQ(i1.error_code, i0.error_code);
    EXPECT_EQ(pmmu_ready_cycle(rig.m), ready0);
    EXPECT_EQ(rig.valid_entries(), entries0);
    EXPECT_EQ(out.accept_cycle, 0u);
    EXPECT_EQ(out.response_cycle, 0u);
    EXPECT_EQ(out.cycles, 0u);
    return out;
  }
  Rig rig;
};

} // namespace

TEST_F(DebugTranslate, FourKiBTraceNoSideEffects) {
  rig.map4k(kLa, P | RW | US, P | RW | US | PMMU_PTE_PCD, kFrame);
  const uint32_t pde0 = rig.pde(kLa), pte0 = rig.pte(kLa);
  for (pmmu_access a : {PMMU_READ, PMMU_WRITE, PMMU_FETCH}) {
    SCOPED_TRACE(access_name(a));
    pmmu_walk_trace t{};
    pmmu_response r = debug(kLa, a, PMMU_USER, &t);
    ASSERT_EQ(r.outcome, PMMU_OK) << describe(r);
    EXPECT_EQ(r.pa, kFrame | (kLa & 0xFFF));
    EXPECT_EQ(r.page_shift, 12u);
    EXPECT_EQ(r.attr, 2u);
    EXPECT_EQ(rig.mem.read_calls, 2u);
    ASSERT_EQ(t.n_steps, 2u);
    EXPECT_EQ(t.steps[0].level, PMMU_LEVEL_PDE);
    EXPECT_EQ(t.steps[0].entry_pa, pde_addr(kLa));
    EXPECT_EQ(t.steps[0].size, 4u);
    EXPECT_EQ(t.steps[0].value, pde0);
    EXPECT_FALSE(t.steps[0].bus_error);
    EXPECT_EQ(t.steps[1].level, PMMU_LEVEL_PTE);
    EXPECT_EQ(t.steps[1].entry_pa, pte_addr(kLa, default_pt(kLa)));
    EXPECT_EQ(t.steps[1].size, 4u);
    EXPECT_EQ(t.steps[1].value, pte0);
    EXPECT_FALSE(t.tlb_has_page);
  }
  // A and D are still clear and nothing was cached: the real access walks and sets them.
  EXPECT_EQ(rig.pde(kLa), pde0);
  EXPECT_EQ(rig.pte(kLa), pte0);
  rig.mem.clear_log();
  pmmu_response real = rig.write(kLa, PMMU_USER);
  EXPECT_EQ(real.tlb, PMMU_TLB_MISS);
  EXPECT_FALSE(real.dropped_entry);
  EXPECT_EQ(real.pa, kFrame | (kLa & 0xFFF));
  EXPECT_EQ(rig.pte(kLa), pte0 | A | D);
  // Now the page is cached: the trace says so, and the debug walk still reads memory.
  pmmu_walk_trace t{};
  pmmu_response r = debug(kLa, PMMU_READ, PMMU_USER, &t);
  EXPECT_EQ(r.outcome, PMMU_OK);
  EXPECT_TRUE(t.tlb_has_page);
  EXPECT_EQ(t.n_steps, 2u);
  EXPECT_EQ(t.steps[1].value, pte0 | A | D);
}

// It walks memory, not the TLB: a PTE changed behind a cached entry shows in the debug walk.
TEST_F(DebugTranslate, ReadsMemoryNotTheTlb) {
  rig.map4k(kLa, P | RW | A, P | RW | A, kFrame);
  ASSERT_EQ(rig.read(kLa).outcome, PMMU_OK);
  rig.mem.w32(pte_addr(kLa, default_pt(kLa)), 0x0CAFE000 | P | RW | A);
  pmmu_walk_trace t{};
  pmmu_response r = debug(kLa, PMMU_READ, PMMU_SUPERVISOR, &t);
  EXPECT_EQ(r.pa, 0x0CAFE000u | (kLa & 0xFFF));
  EXPECT_TRUE(t.tlb_has_page);
  // The TLB still answers with the old frame.
  EXPECT_EQ(rig.read(kLa).pa, kFrame | (kLa & 0xFFF));
}

TEST_F(DebugTranslate, FourMiBTraceHasOneStep) {
  const uint32_t la = 0x80345678;
  rig.map4m(la, 0x04000000 | P | RW);
  pmmu_walk_trace t{};
  pmmu_response r = debug(la, PMMU_WRITE, PMMU_SUPERVISOR, &t);
  ASSERT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.pa, 0x04000000u | (la & 0x3FFFFF));
  EXPECT_EQ(r.page_shift, 22u);
  ASSERT_EQ(t.n_steps, 1u);
  EXPECT_EQ(t.steps[0].level, PMMU_LEVEL_PDE);
  EXPECT_EQ(t.steps[0].entry_pa, pde_addr(la));
  EXPECT_EQ(t.steps[0].value, 0x04000000u | P | RW | PS);
  EXPECT_EQ(rig.mem.r32(pde_addr(la)), 0x04000000u | P | RW | PS) << "A/D written";
}

// Faults are reported in the response but latch nothing.
TEST_F(DebugTranslate, FaultsLatchNothing) {
  // Not-present PDE: one step.
  pmmu_walk_trace t{};
  pmmu_response r = debug(0x7FC00123, PMMU_WRITE, PMMU_USER, &t);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_WR | PMMU_EC_US);
  EXPECT_EQ(r.cr2, 0x7FC00123u);
  EXPECT_EQ(r.fault_kind, PMMU_FAULT_NOT_PRESENT);
  EXPECT_EQ(r.fault_level, PMMU_LEVEL_PDE);
  EXPECT_EQ(t.n_steps, 1u);
  // Protection fault: both steps.
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  t = pmmu_walk_trace{};
  r = debug(kLa, PMMU_READ, PMMU_USER, &t);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_US);
  EXPECT_EQ(r.fault_kind, PMMU_FAULT_PROTECTION);
  EXPECT_EQ(t.n_steps, 2u);
  // Reserved bit in a 4 MiB PDE.
  rig.map4m(0x80000000, 0x04000000 | P | RW | (1u << 19));
  t = pmmu_walk_trace{};
  r = debug(0x80000000, PMMU_READ, PMMU_SUPERVISOR, &t);
  ASSERT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_RSVD);
  EXPECT_EQ(t.n_steps, 1u);
  // Trace may be NULL.
  pmmu_request q = Rig::request(kLa, PMMU_READ, PMMU_SUPERVISOR, false, 0);
  pmmu_response out{};
  EXPECT_EQ(pmmu_debug_translate(rig.m, &q, &out, nullptr), PMMU_E_OK);
  EXPECT_EQ(out.outcome, PMMU_OK);
}

// It translates "as pmmu_translate() would": CR0.WP and CR4.SMAP of the moment apply.
TEST_F(DebugTranslate, UsesCurrentControlState) {
  rig.map4k(kLa, P | US, P | RW | US, kFrame); // read-only user page
  // WP = 0, SMAP = 0: a supervisor write to a read-only page succeeds.
  pmmu_response r = debug(kLa, PMMU_WRITE, PMMU_SUPERVISOR, nullptr);
  EXPECT_EQ(r.outcome, PMMU_OK) << describe(r);
  rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
  r = debug(kLa, PMMU_WRITE, PMMU_SUPERVISOR, nullptr);
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P | PMMU_EC_WR);
  rig.cr0(PMMU_CR0_PG);
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_SMAP);
  r = debug(kLa, PMMU_READ, PMMU_SUPERVISOR, nullptr);
  EXPECT_EQ(r.outcome, PMMU_PAGE_FAULT);
  EXPECT_EQ(r.error_code, PMMU_EC_P);
  // Paging off: PA = LA, no memory read.
  rig.cr0(0);
  r = debug(kLa, PMMU_READ, PMMU_USER, nullptr);
  EXPECT_EQ(r.outcome, PMMU_OK);
  EXPECT_EQ(r.pa, kLa);
  EXPECT_EQ(rig.mem.read_calls, 0u);
}

// An implicit fetch is refused here too.
TEST_F(DebugTranslate, ImplicitFetchIsInvalid) {
  rig.map4k(kLa, P | RW, P | RW, kFrame);
  pmmu_request q = Rig::request(kLa, PMMU_FETCH, PMMU_IMPLICIT, false, 0);
  pmmu_response out{};
  EXPECT_EQ(pmmu_debug_translate(rig.m, &q, &out, nullptr), PMMU_E_INVALID);
}
