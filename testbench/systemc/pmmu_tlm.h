// pmmu_tlm: the PMMU as a SystemC/TLM-2.0 loosely-timed component (docs/systemc.md).
//
// A thin adapter around the C reference model (model/include/pmmu/pmmu.h): every decision
// (TLB, walk, rights, A/D, fault, cycles) is the model's; this module only turns TLM
// transactions into model calls and model memory callbacks into TLM transactions.
//
//   cpu  --(linear addresses)--> [ target socket  cpu ]  pmmu_tlm  [ initiator socket mem ]
//        --(physical addresses: translated data accesses, page-walk reads and A/D CAS)--> memory
//
// CPU side (b_transport on `cpu`): the payload's address is the linear address (< 2^32).
//   An optional access_ext gives the access kind (read/write/fetch), the privilege kind
//   (user, supervisor, implicit supervisor) and EFLAGS.AC, and receives the model's whole
//   response. Without it: supervisor, AC = 0, read for TLM_READ_COMMAND, write for
//   TLM_WRITE_COMMAND. TLM_IGNORE_COMMAND translates only (no data access is forwarded).
//   A translated access is forwarded unchanged, at the physical address, on `mem`; it must
//   not cross a 4 KiB boundary (TLM_BURST_ERROR_RESPONSE): the CPU splits such accesses,
//   as a real one translates each page.
//   #PF: TLM_ADDRESS_ERROR_RESPONSE, access_ext::resp holds the error code and CR2, and the
//   `irq` output goes high one cycle after the response cycle (timing.md T10) until
//   ack_interrupt(). A walk bus error: TLM_GENERIC_ERROR_RESPONSE (resp.outcome BUS_ERROR).
//
// Memory side (`mem`): walk accesses carry a walk_ext.
//   - timing query (TLM_IGNORE_COMMAND, walk_ext::TIMING): the model asks, before each walk
//     access, when the memory would answer a request presented at the annotated time; the
//     target adds its latency to the delay (and may put back-pressure cycles in
//     walk_ext::wait_cycles). A target that ignores the extension and annotates nothing
//     gives a 1-cycle latency.
//   - read (TLM_READ_COMMAND, walk_ext::READ, 4 or 8 bytes): the entry; error response =
//     bus error. Its annotated delay is ignored (the timing query gave it).
//   - compare-and-swap (TLM_READ_COMMAND, walk_ext::CAS): atomically, data <- memory;
//     if memory == expected, memory <- desired; the target sets walk_ext::cas_done. A target
//     that does not understand the extension leaves memory unchanged and the CAS is
//     reported as a bus error (SC_REPORT_ERROR too).
//
// Timing: cycle c of the model is the simulated time c * period. A request presented at
// time t (sc_time_stamp() + delay) is presented in cycle ceil(t / period); the PMMU returns
// with the delay moved to its response cycle R (R * period), plus whatever the memory
// annotates for the forwarded data access.
#ifndef PMMU_TLM_H
#define PMMU_TLM_H

#include <cstdint>
#include <exception>
#include <map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "pmmu/pmmu.h"

namespace pmmu_tlm {

// On CPU-side payloads: the access context (in) and the model's answer (out).
struct access_ext : tlm::tlm_extension<access_ext> {
  // in
  pmmu_access access = PMMU_READ;
  pmmu_priv priv = PMMU_SUPERVISOR;
  bool ac = false; // EFLAGS.AC
  // out: the model's response (outcome, pa, error_code, cr2, tlb, cycles, accept/response
  // cycles, ...). Filled by b_transport; by transport_dbg too (cycle fields 0).
  pmmu_response resp{};

  access_ext() = default;
  access_ext(pmmu_access a, pmmu_priv p, bool ac_flag) : access(a), priv(p), ac(ac_flag) {}
  tlm::tlm_extension_base *clone() const override { return new access_ext(*this); }
  void copy_from(const tlm::tlm_extension_base &other) override {
    *this = static_cast<const access_ext &>(other);
  }
};

// On the PMMU's own memory-side payloads (page-walk traffic).
struct walk_ext : tlm::tlm_extension<walk_ext> {
  enum kind_t { TIMING, READ, CAS };
  kind_t kind = READ;
  pmmu_mem_op op = PMMU_MEM_READ;     // TIMING: the access the query is for
  uint64_t expected = 0, desired = 0; // CAS
  bool cas_done = false;              // CAS: set by the target that performed it
  uint64_t wait_cycles = 0;           // TIMING: back-pressure cycles, part of the delay

  tlm::tlm_extension_base *clone() const override { return new walk_ext(*this); }
  void copy_from(const tlm::tlm_extension_base &other) override {
    *this = static_cast<const walk_ext &>(other);
  }
};

// Counters of the adapter itself (the model's are pmmu_get_stats()).
struct adapter_stats {
  uint64_t transactions = 0; // b_transport calls on the CPU socket
  uint64_t forwarded = 0;    // data accesses forwarded at the PA
  uint64_t page_faults = 0;  // TLM_ADDRESS_ERROR_RESPONSE answers
  uint64_t bus_errors = 0;
  uint64_t debug_transports = 0;
  uint64_t dmi_granted = 0, dmi_refused = 0;
  uint64_t dmi_invalidations = 0; // invalidate_direct_mem_ptr calls made upstream
  uint64_t walk_timing_queries = 0, walk_reads = 0, walk_cas = 0;
  uint64_t cas_unsupported = 0; // CAS not performed by the target (answered as bus errors)
  uint64_t lock_waits = 0;      // callers that waited for another's walk to finish
};

class pmmu_tlm : public sc_core::sc_module {
public:
  tlm_utils::simple_target_socket<pmmu_tlm> cpu;
  tlm_utils::simple_initiator_socket<pmmu_tlm> mem;
  sc_core::sc_out<bool> irq; // vector 14 (#PF) line: T10

  // cfg.mem is ignored (the adapter installs its callbacks). Throws std::invalid_argument
  // when the model refuses the configuration.
  pmmu_tlm(sc_core::sc_module_name name, const pmmu_config &cfg,
           const sc_core::sc_time &period = sc_core::sc_time(1, sc_core::SC_NS));
  ~pmmu_tlm() override;
  pmmu_tlm(const pmmu_tlm &) = delete;
  pmmu_tlm &operator=(const pmmu_tlm &) = delete;

  // Control registers (MOV to CR, WRMSR EFER, INVLPG) at sc_time_stamp() + delay. The
  // write is made in the first cycle at or after that time in which the model may take it
  // (after the previous translation's response: the CPU serialises). The result says what
  // was flushed, a #GP(0) refusal (PAE PDPTE load) and the cycle the write completed;
  // `delay` is advanced to the cycle after it.
  pmmu_reg_result write_cr0(uint32_t value, sc_core::sc_time &delay);
  pmmu_reg_result write_cr3(uint32_t value, sc_core::sc_time &delay);
  pmmu_reg_result write_cr4(uint32_t value, sc_core::sc_time &delay);
  pmmu_reg_result write_efer(uint64_t value, sc_core::sc_time &delay);
  void invlpg(uint32_t la, sc_core::sc_time &delay);
  // Versions at sc_time_stamp().
  pmmu_reg_result write_cr0(uint32_t value);
  pmmu_reg_result write_cr3(uint32_t value);
  pmmu_reg_result write_cr4(uint32_t value);
  pmmu_reg_result write_efer(uint64_t value);
  void invlpg(uint32_t la);
  // A raw flush command on the block's flush port (hardware-interface.md) at
  // sc_time_stamp() + delay: unlike a register write or INVLPG it may fall inside the previous
  // translation's cycles, from its lookup cycle A + 1 on; one in A + 1 .. R cancels that
  // walk's fill (timing.md T7). Returns the cycle it was given in; `delay` is advanced to the
  // cycle after it.
  uint64_t flush(pmmu_flush_kind kind, uint32_t la, sc_core::sc_time &delay);
  pmmu_control control() const;
  // Back to the model's reset state (TLB, registers, latch, statistics); DMI invalidated.
  void reset();

  // The #PF latch: pending (= irq), CR2 and error code; the handler's acknowledgement.
  // The ack lowers the model's latch now and the irq line at sc_time_stamp() + delay.
  pmmu_interrupt_state interrupt_state() const;
  void ack_interrupt(const sc_core::sc_time &delay = sc_core::SC_ZERO_TIME);
  // The ack as the block's pf_ack_i pin takes it, in model cycle `cycle` (timing.md T10): the
  // irq line falls from cycle + 1, unless a #PF is answered in `cycle` itself (the new fault
  // wins, also when that translation is made after this call). Acks come in increasing
  // cycles and may name a cycle inside a later translation (an ack during the next walk);
  // PMMU_E_ORDER (nothing changes) when one goes backwards. Waits while another thread's
  // walk waits in the memory (not from an SC_METHOD then).
  pmmu_error ack_interrupt_at(uint64_t cycle);

  pmmu_stats stats() const;
  const adapter_stats &adapter_statistics() const { return astats_; }
  pmmu_t *model() { return m_; } // for inspection (pmmu_tlb_read); do not drive it directly
  const sc_core::sc_time &period() const { return period_; }
  // The cycle a time falls in for the model (ceil(t / period)).
  uint64_t cycle_at(const sc_core::sc_time &t) const;

private:
  // CPU socket
  void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload &trans);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
  // memory socket
  void invalidate_from_memory(sc_dt::uint64 start, sc_dt::uint64 end);

  // model callbacks
  static bool cb_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value);
  static bool cb_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                     uint64_t *old);
  static void cb_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                        uint64_t *accept, uint64_t *response);
  bool walk_data(walk_ext::kind_t kind, uint64_t pa, unsigned size, uint64_t expected,
                 uint64_t desired, uint64_t *value);

  pmmu_reg_result write_reg(int which, uint64_t value, sc_core::sc_time &delay);
  bool context_of(const tlm::tlm_generic_payload &trans, pmmu_request &req) const;
  sc_core::sc_time time_of(uint64_t cycle) const;
  sc_core::sc_time delay_to(uint64_t cycle) const; // from sc_time_stamp(), never negative
  void update_irq();
  void rethrow_pending();
  void invalidate_all_dmi();
  void invalidate_dmi_page(uint32_t la);

  struct dmi_grant {
    uint64_t va_lo, va_hi;       // the range granted upstream (inclusive)
    uint64_t page_va, page_size; // the translation page it lies in
    uint64_t pa_lo, pa_hi;
  };

  // The C model is not re-entrant, and a memory target may wait() inside a walk access:
  // b_transport, register writes and INVLPG from other threads wait until the model is free.
  struct model_lock {
    explicit model_lock(pmmu_tlm &owner);
    ~model_lock();
    model_lock(const model_lock &) = delete;
    model_lock &operator=(const model_lock &) = delete;
    void release();
    pmmu_tlm &p;
    bool held = true;
  };
  bool busy_ = false;
  sc_core::sc_event free_;

  pmmu_t *m_ = nullptr;
  sc_core::sc_time period_;
  bool debug_ = false;                   // walk callbacks use transport_dbg (debug translation)
  std::exception_ptr pending_exception_; // thrown by a target inside a model callback
  uint64_t last_presented_ = 0, last_lookup_ = 0, last_control_ = 0;
  bool any_ack_ = false; // ack_interrupt_at: the latest ack's cycle
  uint64_t last_ack_ = 0;
  sc_core::sc_event_queue irq_update_;
  std::multimap<sc_core::sc_time, bool> irq_schedule_; // line changes, in time order
  void schedule_irq(const sc_core::sc_time &delay, bool level);
  std::vector<dmi_grant> grants_;
  adapter_stats astats_;
};

} // namespace pmmu_tlm

#endif
