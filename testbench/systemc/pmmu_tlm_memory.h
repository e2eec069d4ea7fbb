// pmmu_tlm::memory: a TLM-2.0 target for physical memory, for platforms and tests of the
// TLM PMMU (docs/systemc.md).
//
// - Sparse, 36-bit, 4 KiB pages allocated on first write (or DMI); unwritten memory reads 0.
// - Ordinary reads and writes (any length, byte enables honoured) cost `data_latency`.
// - The page walker's traffic (pmmu_tlm::walk_ext): timing queries are answered with the
//   project's seeded walk-memory timing (pmem_next_timing, testbench/mem/pmem.h: fixed or
//   random latency, back-pressure, random bus errors), so a scenario run through the TLM
//   PMMU sees exactly the cycles `pmmu run` sees; the read or compare-and-swap that follows
//   a query takes the bus error the query drew, if any. Compare-and-swap is atomic (b_transport
//   does not wait).
// - A second memory master (scenario `poke`, docs/spec/scenario-format.md "Cycles"):
//   poke_at() queues a write that lands at the end of a given cycle, so that a walker access
//   the memory takes (T4's accept cycle P + w) in that cycle or before does not see it and one
//   taken later does: a poke between a walk's read of an entry and its CAS makes the CAS fail.
// - DMI per 4 KiB page, read/write, latency data_latency; transport_dbg.
#ifndef PMMU_TLM_MEMORY_H
#define PMMU_TLM_MEMORY_H

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "pmem.h"
}
#include "pmmu_tlm.h"

namespace pmmu_tlm {

class memory : public sc_core::sc_module {
public:
  tlm_utils::simple_target_socket<memory> socket;

  // walk_timing NULL: latency 3, no back-pressure, no bus errors (pmem_timing_init).
  memory(sc_core::sc_module_name name, const sc_core::sc_time &period,
         const sc_core::sc_time &data_latency, const pmem_timing *walk_timing = nullptr);
  ~memory() override;
  memory(const memory &) = delete;
  memory &operator=(const memory &) = delete;

  bool dmi_enabled = true;

  // Back door (no timing, no side effects on the walk timing stream).
  void write(uint64_t pa, unsigned size, uint64_t value);
  uint64_t read(uint64_t pa, unsigned size) const;
  // Walk accesses to [lo, hi) answer with a bus error.
  void set_bus_error_range(uint64_t lo, uint64_t hi) { err_lo_ = lo, err_hi_ = hi; }
  // Invalidates DMI pointers to [lo, hi] upstream (e.g. when remapping).
  void invalidate_dmi(uint64_t lo, uint64_t hi) { socket->invalidate_direct_mem_ptr(lo, hi); }

  // A second master's write of `size` (4 or 8) bytes landing at the end of model cycle
  // `cycle` (pmem_poke's rule). False (nothing queued) when the memory already took a walker
  // access after that cycle: a poke cannot go back in time.
  bool poke_at(uint64_t cycle, uint64_t pa, unsigned size, uint64_t value);
  // Lands every queued poke (before the back door reads or writes memory between operations).
  void land_pokes();
  // The cycle the memory took its latest walker access in (0 before any).
  uint64_t last_walk_cycle() const { return taken_; }
  uint64_t pokes_waiting() const { return pokes_.size(); }

  using image = std::map<uint64_t, std::array<uint8_t, 4096>>;
  image snapshot() const; // every allocated page, for before/after comparisons
  uint64_t walk_timing_queries() const { return pmem_requests(timing_); }
  uint64_t data_accesses() const { return data_accesses_; }

private:
  void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload &trans);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);

  uint8_t *page(uint64_t pa, bool allocate);
  const uint8_t *page(uint64_t pa) const;
  uint8_t peek(uint64_t pa) const;
  void poke(uint64_t pa, uint8_t v);

  struct queued_poke {
    uint64_t cycle, pa, value;
    unsigned size;
  };
  std::vector<queued_poke> pokes_; // in cycle order, file order within a cycle
  uint64_t taken_ = 0;             // the cycle the latest walker access was taken in
  void land_before(uint64_t cycle);

  sc_core::sc_time period_, latency_;
  pmem_t *timing_;
  bool pending_error_ = false;
  uint64_t err_lo_ = 0, err_hi_ = 0;
  uint64_t data_accesses_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

} // namespace pmmu_tlm

#endif
