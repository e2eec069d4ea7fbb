// pmmu_tlm: the SystemC/TLM-2.0 adapter around the C model. See pmmu_tlm.h.
#include "pmmu_tlm.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace pmmu_tlm {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

constexpr uint64_t page_4k = 0x1000;
constexpr uint32_t cr0_rights = PMMU_CR0_PG | PMMU_CR0_WP;
constexpr uint32_t cr4_rights =
    PMMU_CR4_PSE | PMMU_CR4_PAE | PMMU_CR4_PGE | PMMU_CR4_SMEP | PMMU_CR4_SMAP;

uint64_t load_le(const unsigned char *p, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// A walk that a hit could replace: every PDE/PTE it read has A set (and D on the leaf for
// a write), so an access through a DMI pointer owes memory no A/D update.
bool walk_accessed(const pmmu_walk_trace &t) {
  for (unsigned i = 0; i < t.n_steps; i++)
    if (t.steps[i].level != PMMU_LEVEL_PDPTE && !(t.steps[i].value & PMMU_PTE_A)) return false;
  return true;
}

bool leaf_dirty(const pmmu_walk_trace &t) {
  return t.n_steps == 0 || (t.steps[t.n_steps - 1].value & PMMU_PTE_D) != 0;
}

void prepare(tlm::tlm_generic_payload &p, tlm::tlm_command cmd, uint64_t addr, unsigned char *buf,
             unsigned len) {
  p.set_command(cmd);
  p.set_address(addr);
  p.set_data_ptr(buf);
  p.set_data_length(len);
  p.set_streaming_width(len);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

} // namespace

SC_HAS_PROCESS(pmmu_tlm);

pmmu_tlm::pmmu_tlm(sc_core::sc_module_name name, const pmmu_config &cfg, const sc_time &period)
    : sc_module(name), cpu("cpu"), mem("mem"), irq("irq"), period_(period),
      irq_update_("irq_update") {
  if (period_ == sc_core::SC_ZERO_TIME) throw std::invalid_argument("pmmu_tlm: zero clock period");
  pmmu_config c = cfg;
  c.mem.read = cb_read;
  c.mem.cas = cb_cas;
  c.mem.timing = cb_timing;
  c.mem.observe = nullptr;
  c.mem.ctx = this;
  if (const char *bad = pmmu_config_check(&c))
    throw std::invalid_argument(std::string("pmmu_tlm: ") + bad);
  if (pmmu_create(&c, &m_) != PMMU_E_OK) throw std::bad_alloc(); // the config was checked above
  cpu.register_b_transport(this, &pmmu_tlm::b_transport);
  cpu.register_transport_dbg(this, &pmmu_tlm::transport_dbg);
  cpu.register_get_direct_mem_ptr(this, &pmmu_tlm::get_direct_mem_ptr);
  mem.register_invalidate_direct_mem_ptr(this, &pmmu_tlm::invalidate_from_memory);
  SC_METHOD(update_irq);
  sensitive << irq_update_;
}

pmmu_tlm::~pmmu_tlm() { pmmu_destroy(m_); }

// ---- Serialisation -------------------------------------------------------------------

pmmu_tlm::model_lock::model_lock(pmmu_tlm &owner) : p(owner) {
  if (p.busy_) p.astats_.lock_waits++;
  while (p.busy_) {
    if (sc_core::sc_get_current_process_handle().proc_kind() == sc_core::SC_METHOD_PROC_)
      SC_REPORT_ERROR(p.name(), "called from an SC_METHOD while a walk waits in the memory");
    sc_core::wait(p.free_);
  }
  p.busy_ = true;
}

void pmmu_tlm::model_lock::release() {
  if (!held) return;
  held = false;
  p.busy_ = false;
  p.free_.notify(sc_core::SC_ZERO_TIME);
}

pmmu_tlm::model_lock::~model_lock() { release(); }

void pmmu_tlm::reset() {
  model_lock lock(*this);
  pmmu_reset(m_);
  last_presented_ = last_lookup_ = last_control_ = 0;
  any_ack_ = false;
  last_ack_ = 0;
  invalidate_all_dmi();
  schedule_irq(sc_core::SC_ZERO_TIME, false);
}

// ---- Time and cycles -----------------------------------------------------------------

uint64_t pmmu_tlm::cycle_at(const sc_time &t) const {
  const sc_dt::uint64 p = period_.value();
  return (t.value() + p - 1) / p;
}

sc_time pmmu_tlm::time_of(uint64_t cycle) const { return period_ * static_cast<double>(cycle); }

sc_time pmmu_tlm::delay_to(uint64_t cycle) const {
  sc_time t = time_of(cycle), now = sc_time_stamp();
  return t > now ? t - now : sc_core::SC_ZERO_TIME;
}

// ---- Control -------------------------------------------------------------------------

pmmu_reg_result pmmu_tlm::write_reg(int which, uint64_t value, sc_time &delay) {
  model_lock lock(*this);
  pmmu_control before;
  pmmu_get_control(m_, &before);
  // timing.md T8: control state is stable through the last response cycle.
  uint64_t after_response = pmmu_ready_cycle(m_) + (last_lookup_ ? 1 : 0);
  uint64_t c =
      std::max({cycle_at(sc_time_stamp() + delay), after_response, last_lookup_, last_control_});
  pmmu_reg_result res{};
  pmmu_error err = PMMU_E_INVALID;
  switch (which) {
  case 0: err = pmmu_write_cr0(m_, static_cast<uint32_t>(value), c, &res); break;
  case 3: err = pmmu_write_cr3(m_, static_cast<uint32_t>(value), c, &res); break;
  case 4: err = pmmu_write_cr4(m_, static_cast<uint32_t>(value), c, &res); break;
  default: err = pmmu_write_efer(m_, value, c, &res); break;
  }
  rethrow_pending(); // a PDPTE load reads memory
  if (err) {
    SC_REPORT_ERROR(name(),
                    (std::string("control register write refused: ") + pmmu_strerror(err)).c_str());
    res = pmmu_reg_result{};
    res.done_cycle = c;
  }
  last_control_ = std::max(last_control_, res.done_cycle);
  if (!err && !res.gp_fault) {
    pmmu_control after;
    pmmu_get_control(m_, &after);
    bool rights = ((before.cr0 ^ after.cr0) & cr0_rights) ||
                  ((before.cr4 ^ after.cr4) & cr4_rights) ||
                  ((before.efer ^ after.efer) & PMMU_EFER_NXE);
    if (which == 3 || res.flushed || rights || res.pdptes_loaded) invalidate_all_dmi();
  }
  delay = delay_to(res.done_cycle + 1);
  return res;
}

pmmu_reg_result pmmu_tlm::write_cr0(uint32_t v, sc_time &d) { return write_reg(0, v, d); }
pmmu_reg_result pmmu_tlm::write_cr3(uint32_t v, sc_time &d) { return write_reg(3, v, d); }
pmmu_reg_result pmmu_tlm::write_cr4(uint32_t v, sc_time &d) { return write_reg(4, v, d); }
pmmu_reg_result pmmu_tlm::write_efer(uint64_t v, sc_time &d) { return write_reg(8, v, d); }

pmmu_reg_result pmmu_tlm::write_cr0(uint32_t v) {
  sc_time d = sc_core::SC_ZERO_TIME;
  return write_reg(0, v, d);
}
pmmu_reg_result pmmu_tlm::write_cr3(uint32_t v) {
  sc_time d = sc_core::SC_ZERO_TIME;
  return write_reg(3, v, d);
}
pmmu_reg_result pmmu_tlm::write_cr4(uint32_t v) {
  sc_time d = sc_core::SC_ZERO_TIME;
  return write_reg(4, v, d);
}
pmmu_reg_result pmmu_tlm::write_efer(uint64_t v) {
  sc_time d = sc_core::SC_ZERO_TIME;
  return write_reg(8, v, d);
}

void pmmu_tlm::invlpg(uint32_t la, sc_time &delay) {
  model_lock lock(*this);
  uint64_t c = std::max({cycle_at(sc_time_stamp() + delay), last_lookup_, last_control_});
  pmmu_error err = pmmu_invlpg(m_, la, c);
  if (err) SC_REPORT_ERROR(name(), (std::string("INVLPG refused: ") + pmmu_strerror(err)).c_str());
  last_control_ = std::max(last_control_, c);
  invalidate_dmi_page(la);
  delay = delay_to(c + 1);
}

void pmmu_tlm::invlpg(uint32_t la) {
  sc_time d = sc_core::SC_ZERO_TIME;
  invlpg(la, d);
}

uint64_t pmmu_tlm::flush(pmmu_flush_kind kind, uint32_t la, sc_time &delay) {
  model_lock lock(*this);
  // T7: from the previous request's lookup cycle A + 1 on (inside its window too)
  uint64_t c = std::max({cycle_at(sc_time_stamp() + delay), last_lookup_, last_control_});
  pmmu_error err = pmmu_flush(m_, kind, la, c);
  if (err) SC_REPORT_ERROR(name(), (std::string("flush refused: ") + pmmu_strerror(err)).c_str());
  last_control_ = std::max(last_control_, c);
  if (kind == PMMU_FLUSH_PAGE) invalidate_dmi_page(la);
  else invalidate_all_dmi();
  delay = delay_to(c + 1);
  return c;
}

pmmu_control pmmu_tlm::control() const {
  pmmu_control c;
  pmmu_get_control(m_, &c);
  return c;
}

pmmu_interrupt_state pmmu_tlm::interrupt_state() const {
  pmmu_interrupt_state s;
  pmmu_get_interrupt(m_, &s);
  return s;
}

void pmmu_tlm::ack_interrupt(const sc_time &delay) {
  pmmu_ack_interrupt(m_);
  schedule_irq(delay, false);
}

pmmu_error pmmu_tlm::ack_interrupt_at(uint64_t cycle) {
  model_lock lock(*this); // not inside another thread's walk: the model is not re-entrant
  if (any_ack_ && cycle <= last_ack_) return PMMU_E_ORDER;
  pmmu_error err = pmmu_ack_interrupt_at(m_, cycle);
  if (err) return err;
  any_ack_ = true;
  last_ack_ = cycle;
  // The line from cycle + 1 as the model predicts it with the translations made so far (a
  // fault answered in `cycle` keeps it up). A translation made later whose fault is answered
  // in `cycle` schedules its rise at the same time, after this change: it wins (T10).
  pmmu_interrupt_state st;
  pmmu_interrupt_at(m_, cycle + 1, &st);
  schedule_irq(delay_to(cycle + 1), st.pending);
  return PMMU_E_OK;
}

// The line follows the scheduled changes, not the latch as it is when the method runs: with
// temporal decoupling a later fault may already be latched when an earlier ack takes effect.
void pmmu_tlm::schedule_irq(const sc_time &delay, bool level) {
  irq_schedule_.emplace(sc_time_stamp() + delay, level);
  irq_update_.notify(delay);
}

void pmmu_tlm::rethrow_pending() {
  if (!pending_exception_) return;
  std::exception_ptr e = pending_exception_;
  pending_exception_ = nullptr;
  std::rethrow_exception(e);
}

void pmmu_tlm::update_irq() {
  bool changed = false, level = false;
  while (!irq_schedule_.empty() && irq_schedule_.begin()->first <= sc_time_stamp()) {
    level = irq_schedule_.begin()->second;
    changed = true;
    irq_schedule_.erase(irq_schedule_.begin());
  }
  if (changed) irq.write(level);
}

pmmu_stats pmmu_tlm::stats() const {
  pmmu_stats s;
  pmmu_get_stats(m_, &s);
  return s;
}

// ---- CPU side ------------------------------------------------------------------------

bool pmmu_tlm::context_of(const tlm::tlm_generic_payload &trans, pmmu_request &req) const {
  access_ext *ext = nullptr;
  trans.get_extension(ext);
  const tlm::tlm_command cmd = trans.get_command();
  req = pmmu_request{};
  req.la = static_cast<uint32_t>(trans.get_address());
  if (ext) {
    req.access = ext->access;
    req.priv = ext->priv;
    req.ac = ext->ac;
    if (cmd == tlm::TLM_WRITE_COMMAND && ext->access != PMMU_WRITE) return false;
    if (cmd == tlm::TLM_READ_COMMAND && ext->access == PMMU_WRITE) return false;
  } else {
    req.access = cmd == tlm::TLM_WRITE_COMMAND ? PMMU_WRITE : PMMU_READ;
    req.priv = PMMU_SUPERVISOR;
    req.ac = false;
  }
  if (req.access == PMMU_FETCH && req.priv == PMMU_IMPLICIT) return false;
  return trans.get_address() <= 0xFFFFFFFFu;
}

void pmmu_tlm::b_transport(tlm::tlm_generic_payload &trans, sc_time &delay) {
  model_lock lock(*this);
  astats_.transactions++;
  pmmu_request req;
  if (!context_of(trans, req)) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  const tlm::tlm_command cmd = trans.get_command();
  const uint64_t la = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (cmd != tlm::TLM_IGNORE_COMMAND &&
      (len == 0 || (la & (page_4k - 1)) + len > page_4k || trans.get_streaming_width() < len)) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  req.cycle = std::max({cycle_at(sc_time_stamp() + delay), last_presented_, last_control_});
  pmmu_response r;
  pmmu_error err = pmmu_translate(m_, &req, &r);
  rethrow_pending();
  if (err) {
    SC_REPORT_ERROR(name(), (std::string("translation refused: ") + pmmu_strerror(err)).c_str());
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  last_presented_ = req.cycle;
  last_lookup_ = r.accept_cycle + 1;
  access_ext *ext = nullptr;
  trans.get_extension(ext);
  if (ext) ext->resp = r;
  delay = delay_to(r.response_cycle);

  if (r.outcome == PMMU_PAGE_FAULT) {
    astats_.page_faults++;
    schedule_irq(delay_to(r.response_cycle + 1), true); // T10: from R + 1
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (r.outcome == PMMU_BUS_ERROR) {
    astats_.bus_errors++;
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  lock.release(); // the data access does not need the model
  astats_.forwarded++;
  trans.set_address(r.pa);
  mem->b_transport(trans, delay);
  trans.set_address(la);
}

unsigned int pmmu_tlm::transport_dbg(tlm::tlm_generic_payload &trans) {
  astats_.debug_transports++;
  pmmu_request req;
  if (!context_of(trans, req)) return 0;
  access_ext *ext = nullptr;
  trans.get_extension(ext);
  const uint64_t la0 = trans.get_address();
  const unsigned len = trans.get_data_length();
  unsigned char *data = trans.get_data_ptr();
  unsigned done = 0;
  bool first = true;
  // Page by page: each piece is translated on its own, as the CPU would.
  do {
    const uint64_t la = la0 + done;
    if (la > 0xFFFFFFFFu) break;
    req.la = static_cast<uint32_t>(la);
    pmmu_response r;
    debug_ = true;
    pmmu_error err = pmmu_debug_translate(m_, &req, &r, nullptr);
    debug_ = false;
    rethrow_pending();
    if (err) break;
    if (ext && first) ext->resp = r;
    first = false;
    if (r.outcome != PMMU_OK || trans.get_command() == tlm::TLM_IGNORE_COMMAND) break;
    const unsigned piece =
        std::min<unsigned>(len - done, static_cast<unsigned>(page_4k - (la & (page_4k - 1))));
    tlm::tlm_generic_payload p;
    prepare(p, trans.get_command(), r.pa, data + done, piece);
    unsigned got = mem->transport_dbg(p);
    done += got;
    if (got < piece) break;
  } while (done < len);
  return done;
}

bool pmmu_tlm::get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi) {
  const uint64_t la = trans.get_address();
  // Refusals cover only the 4 KiB page asked about, so the CPU asks again elsewhere; a
  // successful b_transport on the page (which may set A/D) sets the DMI hint again.
  dmi.set_start_address(la & ~(page_4k - 1));
  dmi.set_end_address((la & ~(page_4k - 1)) + page_4k - 1);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  pmmu_request req;
  if (!context_of(trans, req)) {
    astats_.dmi_refused++;
    return false;
  }
  pmmu_request rq = req, wq = req;
  rq.access = req.access == PMMU_FETCH ? PMMU_FETCH : PMMU_READ;
  wq.access = PMMU_WRITE;
  pmmu_response rr{}, rw{};
  pmmu_walk_trace tr{}, tw{};
  debug_ = true;
  int er = pmmu_debug_translate(m_, &rq, &rr, &tr);
  int ew = pmmu_debug_translate(m_, &wq, &rw, &tw);
  debug_ = false;
  rethrow_pending();
  bool can_read = !er && rr.outcome == PMMU_OK && walk_accessed(tr);
  // A fetch context asks for code: read (execute) rights only.
  bool can_write = req.access != PMMU_FETCH && !ew && rw.outcome == PMMU_OK && walk_accessed(tw) &&
                   leaf_dirty(tw);
  if (!can_read && !can_write) {
    astats_.dmi_refused++;
    return false;
  }
  const pmmu_response &r = can_read ? rr : rw;
  const bool paging = tr.n_steps != 0 || tw.n_steps != 0;
  const uint64_t page_size = paging ? (UINT64_C(1) << r.page_shift) : page_4k;
  const uint64_t page_pa = r.pa & ~(page_size - 1), page_va = la & ~(page_size - 1);

  tlm::tlm_generic_payload p;
  unsigned char dummy[1] = {0};
  prepare(p, can_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, r.pa, dummy, 1);
  tlm::tlm_dmi down;
  if (!mem->get_direct_mem_ptr(p, down)) {
    astats_.dmi_refused++;
    return false;
  }
  const uint64_t lo = std::max<uint64_t>(page_pa, down.get_start_address());
  const uint64_t hi = std::min<uint64_t>(page_pa + page_size - 1, down.get_end_address());
  can_read = can_read && down.is_read_allowed();
  can_write = can_write && down.is_write_allowed();
  if (lo > r.pa || hi < r.pa || (!can_read && !can_write)) {
    astats_.dmi_refused++;
    return false;
  }
  dmi_grant g;
  g.va_lo = page_va + (lo - page_pa);
  grants_.erase(std::remove_if(grants_.begin(), grants_.end(),
                               [&](const dmi_grant &o) { return o.va_lo == g.va_lo; }),
                grants_.end()); // granted again: one record per range
  g.va_hi = page_va + (hi - page_pa);
  g.page_va = page_va;
  g.page_size = page_size;
  g.pa_lo = lo;
  g.pa_hi = hi;
  grants_.push_back(g);
  dmi.set_dmi_ptr(down.get_dmi_ptr() + (lo - down.get_start_address()));
  dmi.set_start_address(g.va_lo);
  dmi.set_end_address(g.va_hi);
  dmi.set_granted_access(can_read && can_write ? tlm::tlm_dmi::DMI_ACCESS_READ_WRITE
                         : can_read            ? tlm::tlm_dmi::DMI_ACCESS_READ
                                               : tlm::tlm_dmi::DMI_ACCESS_WRITE);
  // A hit costs one cycle (T3) before the memory's own latency.
  dmi.set_read_latency(down.get_read_latency() + period_);
  dmi.set_write_latency(down.get_write_latency() + period_);
  astats_.dmi_granted++;
  return true;
}

void pmmu_tlm::invalidate_all_dmi() {
  if (grants_.empty()) return;
  grants_.clear();
  astats_.dmi_invalidations++;
  cpu->invalidate_direct_mem_ptr(0, 0xFFFFFFFFu);
}

void pmmu_tlm::invalidate_dmi_page(uint32_t la) {
  for (size_t i = 0; i < grants_.size();) {
    const dmi_grant g = grants_[i];
    if (la >= g.page_va && la - g.page_va < g.page_size) {
      grants_.erase(grants_.begin() + static_cast<std::ptrdiff_t>(i));
      astats_.dmi_invalidations++;
      cpu->invalidate_direct_mem_ptr(g.va_lo, g.va_hi);
    } else {
      i++;
    }
  }
}

void pmmu_tlm::invalidate_from_memory(sc_dt::uint64 start, sc_dt::uint64 end) {
  for (size_t i = 0; i < grants_.size();) {
    const dmi_grant g = grants_[i];
    if (g.pa_lo <= end && start <= g.pa_hi) {
      grants_.erase(grants_.begin() + static_cast<std::ptrdiff_t>(i));
      astats_.dmi_invalidations++;
      cpu->invalidate_direct_mem_ptr(g.va_lo, g.va_hi);
    } else {
      i++;
    }
  }
}

// ---- Memory side (the model's callbacks) ----------------------------------------------

void pmmu_tlm::cb_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                         uint64_t *accept, uint64_t *response) {
  auto *self = static_cast<pmmu_tlm *>(ctx);
  self->astats_.walk_timing_queries++;
  tlm::tlm_generic_payload p;
  unsigned char buf[8] = {0};
  prepare(p, tlm::TLM_IGNORE_COMMAND, pa, buf, size);
  walk_ext ext;
  ext.kind = walk_ext::TIMING;
  ext.op = op;
  p.set_extension(&ext);
  sc_time d = self->delay_to(present);
  try {
    self->mem->b_transport(p, d);
  } catch (...) { // never unwind through the C model: rethrown when it returns
    if (!self->pending_exception_) self->pending_exception_ = std::current_exception();
  }
  p.clear_extension(&ext);
  *accept = present + ext.wait_cycles;
  uint64_t resp = self->cycle_at(sc_time_stamp() + d);
  *response = resp > *accept ? resp : *accept + 1;
}

bool pmmu_tlm::walk_data(walk_ext::kind_t kind, uint64_t pa, unsigned size, uint64_t expected,
                         uint64_t desired, uint64_t *value) {
  tlm::tlm_generic_payload p;
  unsigned char buf[8] = {0};
  prepare(p, tlm::TLM_READ_COMMAND, pa, buf, size);
  if (debug_) {
    unsigned got = 0;
    try {
      got = mem->transport_dbg(p);
    } catch (...) {
      if (!pending_exception_) pending_exception_ = std::current_exception();
    }
    if (got != size) return false;
    *value = load_le(buf, size);
    return true;
  }
  walk_ext ext;
  ext.kind = kind;
  ext.op = kind == walk_ext::CAS ? PMMU_MEM_CAS : PMMU_MEM_READ;
  ext.expected = expected;
  ext.desired = desired;
  p.set_extension(&ext);
  sc_time d = sc_core::SC_ZERO_TIME; // the timing query already accounted for it
  try {
    mem->b_transport(p, d);
  } catch (...) {
    if (!pending_exception_) pending_exception_ = std::current_exception();
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
  }
  p.clear_extension(&ext);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) return false;
  if (kind == walk_ext::CAS && !ext.cas_done) {
    // A warning, not an error: SC_REPORT_ERROR throws, and this runs inside the C model.
    astats_.cas_unsupported++;
    SC_REPORT_WARNING(name(), "the memory target did not perform the page walker's "
                              "compare-and-swap (pmmu_tlm::walk_ext): reported to the model "
                              "as a bus error");
    return false;
  }
  *value = load_le(buf, size);
  return true;
}

bool pmmu_tlm::cb_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  auto *self = static_cast<pmmu_tlm *>(ctx);
  if (!self->debug_) self->astats_.walk_reads++;
  return self->walk_data(walk_ext::READ, pa, size, 0, 0, value);
}

bool pmmu_tlm::cb_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                      uint64_t *old) {
  auto *self = static_cast<pmmu_tlm *>(ctx);
  self->astats_.walk_cas++;
  return self->walk_data(walk_ext::CAS, pa, size, expected, desired, old);
}

} // namespace pmmu_tlm
