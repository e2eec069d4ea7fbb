// Shared helpers of the libpmmu GoogleTest suites.
//
// - TestMemory: a sparse physical memory (bytes keyed by PA, unwritten bytes read as zero)
//   that implements pmmu_mem_ops (read / cas / timing / observe, through the ctx pointer),
//   records every transaction handed to `observe`, counts every callback, and lets a test
//   hook the compare-and-swap (to model another agent changing an entry between the walk's
//   read and its CAS) and the timing of each request.
// - Rig: one pmmu_t on a TestMemory, with a cycle counter that never goes backwards, helpers
//   to build 32-bit page tables, to make accesses and to look entries up in the TLB.
//
// The expectations of the suites come from docs/spec/x86-paging.md,
// docs/timing.md and docs/tlb.md, never from the model's sources.
#ifndef PMMU_TEST_SUPPORT_HPP
#define PMMU_TEST_SUPPORT_HPP

#include <gtest/gtest.h>
#include <pmmu/pmmu.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pmmu_test {

inline std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline const char *outcome_name(pmmu_outcome o) {
  switch (o) {
  case PMMU_OK: return "OK";
  case PMMU_PAGE_FAULT: return "#PF";
  case PMMU_BUS_ERROR: return "bus-error";
  }
  return "?";
}

inline const char *access_name(pmmu_access a) {
  switch (a) {
  case PMMU_READ: return "read";
  case PMMU_WRITE: return "write";
  case PMMU_FETCH: return "fetch";
  }
  return "?";
}

inline const char *priv_name(pmmu_priv p) {
  switch (p) {
  case PMMU_SUPERVISOR: return "sup";
  case PMMU_USER: return "user";
  case PMMU_IMPLICIT: return "implicit";
  }
  return "?";
}

inline const char *tlb_name(pmmu_tlb_use t) {
  switch (t) {
  case PMMU_TLB_OFF: return "off";
  case PMMU_TLB_HIT: return "hit";
  case PMMU_TLB_MISS: return "miss";
  }
  return "?";
}

inline std::string describe(const pmmu_response &r) {
  std::ostringstream os;
  os << outcome_name(r.outcome);
  if (r.outcome == PMMU_OK) os << " pa=" << hex(r.pa) << " shift=" << r.page_shift;
  if (r.outcome == PMMU_PAGE_FAULT) os << " ec=" << hex(r.error_code) << " cr2=" << hex(r.cr2);
  os << " tlb=" << tlb_name(r.tlb) << (r.dropped_entry ? " dropped" : "") << " A=" << r.accept_cycle
     << " R=" << r.response_cycle << " mem=" << r.mem_accesses << " restarts=" << r.restarts;
  return os.str();
}

// ---- The test memory ---------------------------------------------------------------

class TestMemory {
public:
  using Snapshot = std::unordered_map<uint64_t, uint8_t>;
  // Called inside the cas callback before the compare: may change memory. `index` counts
  // the CAS calls from 0.
  using CasHook = std::function<void(TestMemory &, uint64_t pa, unsigned size, uint64_t expected,
                                     uint64_t desired, unsigned index)>;
  using TimingFn = std::function<void(pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                                      uint64_t *accept, uint64_t *response)>;

  // ---- contents
  uint64_t load(uint64_t pa, unsigned size) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
      auto it = bytes_.find(pa + i);
      if (it != bytes_.end()) v |= static_cast<uint64_t>(it->second) << (8 * i);
    }
    return v;
  }
  void store(uint64_t pa, unsigned size, uint64_t v) {
    for (unsigned i = 0; i < size; i++) bytes_[pa + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  uint32_t r32(uint64_t pa) const { return static_cast<uint32_t>(load(pa, 4)); }
  void w32(uint64_t pa, uint32_t v) { store(pa, 4, v); }

  // Snapshots compare equal when every byte reads the same (absent = zero).
  Snapshot snapshot() const { return bytes_; }
  bool same_as(const Snapshot &s) const {
    for (const auto &kv : bytes_) {
      auto it = s.find(kv.first);
      if ((it == s.end() ? 0 : it->second) != kv.second) return false;
    }
    for (const auto &kv : s) {
      auto it = bytes_.find(kv.first);
      if ((it == bytes_.end() ? 0 : it->second) != kv.second) return false;
    }
    return true;
  }

  // ---- what the model did
  std::vector<pmmu_mem_txn> txns; // every transaction given to observe, in order
  unsigned read_calls = 0, cas_calls = 0, timing_calls = 0, observe_calls = 0;
  void clear_log() {
    txns.clear();
    read_calls = cas_calls = timing_calls = observe_calls = 0;
  }
  unsigned cas_count() const {
    unsigned n = 0;
    for (const auto &t : txns) n += t.op == PMMU_MEM_CAS;
    return n;
  }

  // ---- hooks
  CasHook cas_hook;
  TimingFn timing_fn; // used only when ops(true, ...) installs timing
  std::unordered_set<uint64_t> bus_error_pas;

  pmmu_mem_ops ops(bool with_timing = false, bool with_observe = true) {
    pmmu_mem_ops o{};
    o.read = &TestMemory::read_cb;
    o.cas = &TestMemory::cas_cb;
    o.timing = with_timing ? &TestMemory::timing_cb : nullptr;
    o.observe = with_observe ? &TestMemory::observe_cb : nullptr;
    o.ctx = this;
    return o;
  }

private:
  Snapshot bytes_;

  static TestMemory *self(void *ctx) { return static_cast<TestMemory *>(ctx); }

  static bool read_cb(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
    TestMemory *m = self(ctx);
    m->read_calls++;
    if (m->bus_error_pas.count(pa)) return false;
    *value = m->load(pa, size);
    return true;
  }
  static bool cas_cb(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                     uint64_t *old) {
    TestMemory *m = self(ctx);
    unsigned index = m->cas_calls++;
    if (m->cas_hook) m->cas_hook(*m, pa, size, expected, desired, index);
    if (m->bus_error_pas.count(pa)) return false;
    *old = m->load(pa, size);
    if (*old == expected) m->store(pa, size, desired);
    return true;
  }
  static void timing_cb(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                        uint64_t *accept, uint64_t *response) {
    TestMemory *m = self(ctx);
    m->timing_calls++;
    if (m->timing_fn) {
      m->timing_fn(op, pa, size, present, accept, response);
    } else {
      *accept = present;
      *response = present + 1;
    }
  }
  static void observe_cb(void *ctx, const pmmu_mem_txn *txn) {
    TestMemory *m = self(ctx);
    m->observe_calls++;
    m->txns.push_back(*txn);
  }
};

// ---- Page-table layout for 32-bit paging ----------------------------------------------

constexpr uint32_t kPageDir = 0x00100000; // CR3
constexpr uint32_t kPtBase = 0x00200000;  // page table of directory index i at kPtBase + i*4K
constexpr uint32_t P = PMMU_PTE_P, RW = PMMU_PTE_RW, US = PMMU_PTE_US, A = PMMU_PTE_A,
                   D = PMMU_PTE_D, PS = PMMU_PTE_PS, G = PMMU_PTE_G;

inline uint32_t pde_addr(uint32_t la, uint32_t cr3 = kPageDir) {
  return (cr3 & 0xFFFFF000u) + (la >> 22) * 4;
}
inline uint32_t default_pt(uint32_t la) { return kPtBase + (la >> 22) * 0x1000; }
inline uint32_t pte_addr(uint32_t la, uint32_t pt) {
  return (pt & 0xFFFFF000u) + ((la >> 12) & 0x3FF) * 4;
}

// ---- A model on a test memory ----------------------------------------------------------

struct Rig {
  TestMemory mem;
  pmmu_config cfg{};
  pmmu_t *m = nullptr;
  uint64_t cycle = 10; // the next cycle to give; always after the last response

  // `tweak` adjusts the configuration (geometry, policy, latency) before creation.
  explicit Rig(const std::function<void(pmmu_config &)> &tweak = {}, bool with_timing = false) {
    pmmu_config_init(&cfg);
    cfg.mem = mem.ops(with_timing);
    if (tweak) tweak(cfg);
    EXPECT_EQ(pmmu_create(&cfg, &m), PMMU_E_OK) << pmmu_config_check(&cfg);
    if (m) {
      pmmu_reg_result rr{};
      EXPECT_EQ(pmmu_write_cr3(m, kPageDir, cycle, &rr), PMMU_E_OK);
      cycle++;
    }
  }
  ~Rig() { pmmu_destroy(m); }
  Rig(const Rig &) = delete;
  Rig &operator=(const Rig &) = delete;

  // ---- page tables
  // 4 KiB mapping through the default page table of la's directory slot.
  void map4k(uint32_t la, uint32_t pde_flags, uint32_t pte_flags, uint32_t frame) {
    mem.w32(pde_addr(la), default_pt(la) | pde_flags);
    mem.w32(pte_addr(la, default_pt(la)), (frame & 0xFFFFF000u) | pte_flags);
  }
  // 4 MiB mapping: `value` is the whole PDE (PS is added).
  void map4m(uint32_t la, uint32_t value) { mem.w32(pde_addr(la), value | PS); }
  uint32_t pde(uint32_t la) const { return mem.r32(pde_addr(la)); }
  uint32_t pte(uint32_t la) const { return mem.r32(pte_addr(la, pde(la))); }

  // ---- control registers (each at the current cycle, then one cycle later)
  pmmu_reg_result cr0(uint32_t v) { return reg(pmmu_write_cr0, v); }
  pmmu_reg_result cr3(uint32_t v) { return reg(pmmu_write_cr3, v); }
  pmmu_reg_result cr4(uint32_t v) { return reg(pmmu_write_cr4, v); }
  pmmu_reg_result efer(uint64_t v) {
    pmmu_reg_result rr{};
    EXPECT_EQ(pmmu_write_efer(m, v, cycle, &rr), PMMU_E_OK);
    advance_after_reg(rr);
    return rr;
  }
  void invlpg(uint32_t la) {
    EXPECT_EQ(pmmu_invlpg(m, la, cycle), PMMU_E_OK);
    cycle++;
  }
  pmmu_control control() const {
    pmmu_control c{};
    pmmu_get_control(m, &c);
    return c;
  }

  // ---- accesses
  static pmmu_request request(uint32_t la, pmmu_access a, pmmu_priv p, bool ac, uint64_t cyc) {
    pmmu_request r{};
    r.la = la;
    r.access = a;
    r.priv = p;
    r.ac = ac;
    r.cycle = cyc;
    return r;
  }
  // Presents the access at the current cycle; afterwards the cycle is R + 1, so that a
  // following flush never falls in the walk's window (timing.md T7).
  pmmu_response access(uint32_t la, pmmu_access a, pmmu_priv p = PMMU_SUPERVISOR, bool ac = false) {
    pmmu_request r = request(la, a, p, ac, cycle);
    pmmu_response out{};
    int rc = pmmu_translate(m, &r, &out);
    EXPECT_EQ(rc, PMMU_E_OK) << "pmmu_translate(" << hex(la) << ")";
    if (out.response_cycle + 1 > cycle) cycle = out.response_cycle + 1;
    return out;
  }
  pmmu_response read(uint32_t la, pmmu_priv p = PMMU_SUPERVISOR, bool ac = false) {
    return access(la, PMMU_READ, p, ac);
  }
  pmmu_response write(uint32_t la, pmmu_priv p = PMMU_SUPERVISOR, bool ac = false) {
    return access(la, PMMU_WRITE, p, ac);
  }

  pmmu_interrupt_state interrupt() const {
    pmmu_interrupt_state s{};
    pmmu_get_interrupt(m, &s);
    return s;
  }
  pmmu_stats stats() const {
    pmmu_stats s{};
    pmmu_get_stats(m, &s);
    return s;
  }

  // ---- TLB inspection
  struct Slot {
    bool large;
    unsigned set, way;
    pmmu_tlb_entry e;
  };
  // Every valid entry (in both arrays) that maps `la`.
  std::vector<Slot> find_all(uint32_t la) const {
    std::vector<Slot> found;
    for (unsigned s = 0; s < cfg.tlb_sets; s++)
      for (unsigned w = 0; w < cfg.tlb_ways; w++) {
        pmmu_tlb_entry e{};
        EXPECT_EQ(pmmu_tlb_read(m, false, s, w, &e), PMMU_E_OK);
        if (e.valid && e.page_shift > 0 && e.page_shift < 32 && e.vpn == (la >> e.page_shift))
          found.push_back(Slot{false, s, w, e});
      }
    for (unsigned w = 0; w < cfg.tlb_large; w++) {
      pmmu_tlb_entry e{};
      EXPECT_EQ(pmmu_tlb_read(m, true, 0, w, &e), PMMU_E_OK);
      if (e.valid && e.page_shift > 0 && e.page_shift < 32 && e.vpn == (la >> e.page_shift))
        found.push_back(Slot{true, 0, w, e});
    }
    return found;
  }
  std::optional<Slot> find(uint32_t la) const {
    auto f = find_all(la);
    EXPECT_LE(f.size(), 1u) << "more than one TLB entry maps " << hex(la);
    if (f.empty()) return std::nullopt;
    return f.front();
  }
  bool cached(uint32_t la) const { return !find_all(la).empty(); }
  unsigned valid_entries() const {
    unsigned n = 0;
    for (unsigned s = 0; s < cfg.tlb_sets; s++)
      for (unsigned w = 0; w < cfg.tlb_ways; w++) {
        pmmu_tlb_entry e{};
        pmmu_tlb_read(m, false, s, w, &e);
        n += e.valid;
      }
    for (unsigned w = 0; w < cfg.tlb_large; w++) {
      pmmu_tlb_entry e{};
      pmmu_tlb_read(m, true, 0, w, &e);
      n += e.valid;
    }
    return n;
  }
  pmmu_tlb_entry entry(bool large, unsigned set, unsigned way) const {
    pmmu_tlb_entry e{};
    EXPECT_EQ(pmmu_tlb_read(m, large, set, way, &e), PMMU_E_OK);
    return e;
  }

private:
  pmmu_reg_result reg(pmmu_error (*fn)(pmmu_t *, uint32_t, uint64_t, pmmu_reg_result *),
                      uint32_t v) {
    pmmu_reg_result rr{};
    EXPECT_EQ(fn(m, v, cycle, &rr), PMMU_E_OK);
    advance_after_reg(rr);
    return rr;
  }
  void advance_after_reg(const pmmu_reg_result &rr) {
    if (rr.done_cycle + 1 > cycle + 1) cycle = rr.done_cycle + 1;
    else cycle++;
  }
};

} // namespace pmmu_test

#endif
