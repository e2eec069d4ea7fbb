// Suite 5: TLB invalidation, one row of x86-paging.md section 8 per test.
#include "pmmu_test_support.hpp"

using namespace pmmu_test;

namespace {

constexpr uint32_t kGlobal = 0x10001000;    // 4 KiB, PTE.G = 1
constexpr uint32_t kLocal = 0x10002000;     // 4 KiB, PTE.G = 0
constexpr uint32_t kBigGlobal = 0x20000000; // 4 MiB, PDE.G = 1
constexpr uint32_t kBigLocal = 0x20400000;  // 4 MiB, PDE.G = 0

class Invalidation : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(rig.m, nullptr);
    rig.map4k(kGlobal, P | RW, P | RW | A | D | G, 0x00A01000);
    rig.map4k(kLocal, P | RW, P | RW | A | D, 0x00A02000);
    rig.map4m(kBigGlobal, 0x01000000 | P | RW | A | D | G);
    rig.map4m(kBigLocal, 0x01400000 | P | RW | A | D);
  }
  // Caches the four pages (CR4 as given) and checks they are cached.
  void fill_all() {
    for (uint32_t la : kAll) {
      pmmu_response r = rig.read(la);
      ASSERT_EQ(r.outcome, PMMU_OK) << hex(la) << ": " << describe(r);
      ASSERT_TRUE(rig.cached(la)) << hex(la);
    }
  }
  // The page is still cached (pmmu_tlb_read) and the next access hits.
  void expect_kept(uint32_t la) {
    EXPECT_TRUE(rig.cached(la)) << hex(la) << " was flushed";
    pmmu_response r = rig.read(la);
    EXPECT_EQ(r.tlb, PMMU_TLB_HIT) << hex(la) << ": " << describe(r);
  }
  // The page is gone (pmmu_tlb_read) and the next access misses (and refills it).
  void expect_gone(uint32_t la) {
    EXPECT_FALSE(rig.cached(la)) << hex(la) << " was kept";
    pmmu_response r = rig.read(la);
    EXPECT_EQ(r.tlb, PMMU_TLB_MISS) << hex(la) << ": " << describe(r);
    EXPECT_FALSE(r.dropped_entry);
  }
  static constexpr uint32_t kAll[4] = {kGlobal, kLocal, kBigGlobal, kBigLocal};
  Rig rig;
};

constexpr uint32_t Invalidation::kAll[4];

} // namespace

// Global entries record G only with CR4.PGE = 1.
TEST_F(Invalidation, GlobalBitRecordedOnlyWithPge) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  EXPECT_TRUE(rig.find(kGlobal)->e.g);
  EXPECT_FALSE(rig.find(kLocal)->e.g);
  EXPECT_TRUE(rig.find(kBigGlobal)->e.g);
  EXPECT_FALSE(rig.find(kBigLocal)->e.g);
  rig.cr4(PMMU_CR4_PSE); // flushes all
  fill_all();
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal})
    EXPECT_FALSE(rig.find(la)->e.g) << hex(la);
}

// CR3 write of the same value with PGE = 1: non-global entries go, global ones stay.
TEST_F(Invalidation, Cr3SameValueKeepsGlobal) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.cr3(kPageDir);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_EQ(rr.flushed, PMMU_FLUSHED_NONGLOBAL);
  EXPECT_TRUE(rig.cached(kGlobal));
  EXPECT_TRUE(rig.cached(kBigGlobal));
  EXPECT_FALSE(rig.cached(kLocal));
  EXPECT_FALSE(rig.cached(kBigLocal));
  expect_kept(kGlobal);
  expect_kept(kBigGlobal);
  expect_gone(kLocal);
  expect_gone(kBigLocal);
}

// CR3 write of a new value: the same, and the kept global entries keep translating with the
// old mapping (that is what global means) while the non-global page follows the new tables.
TEST_F(Invalidation, Cr3NewValueKeepsGlobal) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  const uint32_t dir2 = 0x00300000;
  // New directory: kLocal and kGlobal through a new table to new frames.
  const uint32_t pt2 = 0x00310000;
  rig.mem.w32(pde_addr(kLocal, dir2), pt2 | P | RW);
  rig.mem.w32(pte_addr(kLocal, pt2), 0x00B02000 | P | RW | A);
  rig.mem.w32(pte_addr(kGlobal, pt2), 0x00B01000 | P | RW | A | G);
  pmmu_reg_result rr = rig.cr3(dir2);
  EXPECT_EQ(rr.flushed, PMMU_FLUSHED_NONGLOBAL);
  EXPECT_EQ(rig.control().cr3, dir2);
  pmmu_response g = rig.read(kGlobal);
  EXPECT_EQ(g.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(g.pa, 0x00A01000u);
  pmmu_response l = rig.read(kLocal);
  EXPECT_EQ(l.tlb, PMMU_TLB_MISS);
  EXPECT_EQ(l.pa, 0x00B02000u);
}

// With PGE = 0 the G bit means nothing: a CR3 write drops everything.
TEST_F(Invalidation, Cr3WithoutPgeDropsAll) {
  rig.cr4(PMMU_CR4_PSE);
  fill_all();
  pmmu_reg_result rr = rig.cr3(kPageDir);
  EXPECT_EQ(rr.flushed, PMMU_FLUSHED_NONGLOBAL);
  EXPECT_EQ(rig.valid_entries(), 0u);
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal}) expect_gone(la);
}

// INVLPG removes the entry that maps the address, global or not, and nothing else.
TEST_F(Invalidation, InvlpgRemovesGlobalEntries) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  rig.invlpg(kGlobal + 0x123);
  EXPECT_FALSE(rig.cached(kGlobal));
  EXPECT_TRUE(rig.cached(kLocal));
  EXPECT_TRUE(rig.cached(kBigGlobal));
  EXPECT_TRUE(rig.cached(kBigLocal));
  rig.invlpg(kBigGlobal + 0x3FF000);
  EXPECT_FALSE(rig.cached(kBigGlobal));
  EXPECT_TRUE(rig.cached(kBigLocal));
  expect_gone(kGlobal);
  expect_gone(kBigGlobal);
  expect_kept(kLocal);
  expect_kept(kBigLocal);
}

// INVLPG of any address inside a 4 MiB page removes it; an address outside does not.
TEST_F(Invalidation, InvlpgAnywhereInsideLargePage) {
  rig.cr4(PMMU_CR4_PSE);
  for (uint32_t off : {0x0u, 0x1u, 0xFFFu, 0x1000u, 0x200000u, 0x2ABCDEu, 0x3FF000u, 0x3FFFFFu}) {
    SCOPED_TRACE("offset " + hex(off));
    ASSERT_EQ(rig.read(kBigLocal).outcome, PMMU_OK);
    ASSERT_TRUE(rig.cached(kBigLocal));
    rig.invlpg(kBigLocal - 1);        // the page below
    rig.invlpg(kBigLocal + 0x400000); // the page above
    EXPECT_TRUE(rig.cached(kBigLocal)) << "INVLPG outside the page removed it";
    rig.invlpg(kBigLocal + off);
    EXPECT_FALSE(rig.cached(kBigLocal));
    pmmu_response r = rig.read(kBigLocal + 0x5000);
    EXPECT_EQ(r.tlb, PMMU_TLB_MISS);
  }
}

// Toggling CR4.PGE, either way, flushes everything, global entries too.
TEST_F(Invalidation, PgeToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.cr4(PMMU_CR4_PSE); // 1 -> 0
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  fill_all();
  rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE); // 0 -> 1
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal}) expect_gone(la);
}

// Toggling CR4.PSE flushes everything (both ways).
TEST_F(Invalidation, PseToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.cr4(PMMU_CR4_PGE); // PSE 1 -> 0
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  ASSERT_EQ(rig.read(kGlobal).outcome, PMMU_OK);
  ASSERT_EQ(rig.read(kLocal).outcome, PMMU_OK);
  rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE); // PSE 0 -> 1
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  expect_gone(kGlobal);
  expect_gone(kLocal);
}

// Toggling CR4.SMEP flushes everything (the SDM lists it), although entries do not depend on it.
TEST_F(Invalidation, SmepToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_SMEP);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  fill_all();
  rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal}) expect_gone(la);
}

// CR0.PG 1 -> 0 flushes everything; with paging off nothing is looked up or walked;
// 0 -> 1 flushes again (entries filled in between are impossible, but the rule holds).
TEST_F(Invalidation, PgToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.cr0(0);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  rig.mem.clear_log();
  pmmu_response off = rig.read(kGlobal + 0x10);
  EXPECT_EQ(off.outcome, PMMU_OK);
  EXPECT_EQ(off.tlb, PMMU_TLB_OFF);
  EXPECT_EQ(off.pa, kGlobal + 0x10u);
  EXPECT_EQ(rig.mem.read_calls + rig.mem.cas_calls, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  rr = rig.cr0(PMMU_CR0_PG);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal}) expect_gone(la);
}

// A change of EFER.NXE flushes everything (CHOICE of section 8), in 32-bit paging too.
TEST_F(Invalidation, NxeToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  pmmu_reg_result rr = rig.efer(PMMU_EFER_NXE);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
  fill_all();
  rr = rig.efer(0);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
}

// A change of CR4.PAE flushes everything. (The directory's first 32 bytes are zero, so the
// PDPTE load finds no present PDPTE and cannot #GP.)
TEST_F(Invalidation, PaeToggleFlushesAll) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  for (uint32_t off = 0; off < 32; off += 4) ASSERT_EQ(rig.mem.r32(kPageDir + off), 0u);
  pmmu_reg_result rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_PAE);
  EXPECT_FALSE(rr.gp_fault);
  EXPECT_TRUE(rr.pdptes_loaded);
  EXPECT_NE(rr.flushed & PMMU_FLUSHED_ALL, 0u);
  EXPECT_EQ(rig.valid_entries(), 0u);
}

// Writes of the same value change nothing and flush nothing.
TEST_F(Invalidation, UnchangedCr0Cr4FlushNothing) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  EXPECT_EQ(rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE).flushed, 0u);
  EXPECT_EQ(rig.cr0(PMMU_CR0_PG).flushed, 0u);
  EXPECT_EQ(rig.efer(0).flushed, 0u);
  EXPECT_EQ(rig.valid_entries(), 4u);
  for (uint32_t la : {kGlobal, kLocal, kBigGlobal, kBigLocal}) expect_kept(la);
}

// CR0.WP, CR4.SMAP, EFLAGS.AC and the privilege kind flush nothing.
TEST_F(Invalidation, WpSmapAcPrivilegeFlushNothing) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  rig.map4k(kLocal, P | RW | US, P | RW | US | A | D, 0x00A02000); // a user page
  fill_all();
  pmmu_reg_result rr = rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
  EXPECT_EQ(rr.flushed, 0u);
  rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_SMAP);
  EXPECT_EQ(rr.flushed, 0u);
  EXPECT_EQ(rig.valid_entries(), 4u);
  rr = rig.cr0(PMMU_CR0_PG);
  EXPECT_EQ(rr.flushed, 0u);
  rr = rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  EXPECT_EQ(rr.flushed, 0u);
  EXPECT_EQ(rig.valid_entries(), 4u);
  // Privilege and AC changes: a user read and a supervisor read with AC = 1 still hit.
  pmmu_response u = rig.read(kLocal, PMMU_USER, false);
  EXPECT_EQ(u.tlb, PMMU_TLB_HIT);
  pmmu_response s = rig.read(kLocal, PMMU_SUPERVISOR, true);
  EXPECT_EQ(s.tlb, PMMU_TLB_HIT);
  pmmu_response i = rig.read(kLocal, PMMU_IMPLICIT, false);
  EXPECT_EQ(i.tlb, PMMU_TLB_HIT);
  EXPECT_EQ(rig.valid_entries(), 4u);
}

// CR0.WP takes effect at once without a flush: a supervisor write to a read-only page
// succeeds with WP = 0, and after WP = 1 the still-cached entry is dropped at lookup and the
// write faults.
TEST_F(Invalidation, WpTakesEffectWithoutFlush) {
  const uint32_t la = 0x10003000;
  rig.map4k(la, P | RW, P | A, 0x00A03000); // read-only supervisor page, D clear
  ASSERT_EQ(rig.read(la).outcome, PMMU_OK);
  ASSERT_TRUE(rig.cached(la));
  pmmu_response w0 = rig.write(la); // WP = 0 (reset state)
  ASSERT_EQ(w0.outcome, PMMU_OK) << describe(w0);
  EXPECT_EQ(rig.pte(la) & D, D) << "a WP=0 supervisor write to a read-only page sets D";
  ASSERT_TRUE(rig.cached(la));
  EXPECT_TRUE(rig.find(la)->e.d);
  EXPECT_FALSE(rig.find(la)->e.w);
  pmmu_response w0b = rig.write(la);
  EXPECT_EQ(w0b.outcome, PMMU_OK);
  EXPECT_EQ(w0b.tlb, PMMU_TLB_HIT);

  pmmu_reg_result rr = rig.cr0(PMMU_CR0_PG | PMMU_CR0_WP);
  EXPECT_EQ(rr.flushed, 0u);
  EXPECT_TRUE(rig.cached(la)) << "WP write flushed the entry";
  pmmu_response rd = rig.read(la);
  EXPECT_EQ(rd.tlb, PMMU_TLB_HIT);
  pmmu_response w1 = rig.write(la);
  ASSERT_EQ(w1.outcome, PMMU_PAGE_FAULT) << describe(w1);
  EXPECT_EQ(w1.error_code, PMMU_EC_P | PMMU_EC_WR);
  EXPECT_EQ(w1.tlb, PMMU_TLB_MISS);
  EXPECT_TRUE(w1.dropped_entry);
  EXPECT_FALSE(rig.cached(la));

  // Back to WP = 0: the write succeeds again.
  rig.cr0(PMMU_CR0_PG);
  EXPECT_EQ(rig.write(la).outcome, PMMU_OK);
}

// The raw flush commands of the command port.
TEST_F(Invalidation, RawFlushCommands) {
  rig.cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
  fill_all();
  ASSERT_EQ(pmmu_flush(rig.m, PMMU_FLUSH_NONGLOBAL, 0, rig.cycle++), PMMU_E_OK);
  EXPECT_TRUE(rig.cached(kGlobal));
  EXPECT_TRUE(rig.cached(kBigGlobal));
  EXPECT_FALSE(rig.cached(kLocal));
  EXPECT_FALSE(rig.cached(kBigLocal));
  ASSERT_EQ(pmmu_flush(rig.m, PMMU_FLUSH_PAGE, kBigGlobal + 0x1234, rig.cycle++), PMMU_E_OK);
  EXPECT_TRUE(rig.cached(kGlobal));
  EXPECT_FALSE(rig.cached(kBigGlobal));
  ASSERT_EQ(pmmu_flush(rig.m, PMMU_FLUSH_ALL, 0, rig.cycle++), PMMU_E_OK);
  EXPECT_EQ(rig.valid_entries(), 0u);
}
