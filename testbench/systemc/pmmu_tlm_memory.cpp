// pmmu_tlm::memory. See pmmu_tlm_memory.h.
#include "pmmu_tlm_memory.h"

#include <cstddef>
#include <cstring>
#include <new>

namespace pmmu_tlm {

using sc_core::sc_time;

namespace {
constexpr uint64_t page_bytes = 4096;
constexpr uint64_t pa_limit = UINT64_C(1) << PMMU_MAXPHYADDR;
} // namespace

memory::memory(sc_core::sc_module_name name, const sc_time &period, const sc_time &data_latency,
               const pmem_timing *walk_timing)
    : sc_module(name), socket("socket"), period_(period), latency_(data_latency),
      timing_(pmem_create()) {
  if (!timing_) throw std::bad_alloc();
  pmem_timing t;
  pmem_timing_init(&t);
  pmem_set_timing(timing_, walk_timing ? walk_timing : &t);
  socket.register_b_transport(this, &memory::b_transport);
  socket.register_transport_dbg(this, &memory::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &memory::get_direct_mem_ptr);
}

memory::~memory() { pmem_destroy(timing_); }

uint8_t *memory::page(uint64_t pa, bool allocate) {
  auto it = pages_.find(pa / page_bytes);
  if (it != pages_.end()) return it->second.get();
  if (!allocate) return nullptr;
  auto p = std::make_unique<uint8_t[]>(page_bytes); // zeroed
  uint8_t *raw = p.get();
  pages_.emplace(pa / page_bytes, std::move(p));
  return raw;
}

const uint8_t *memory::page(uint64_t pa) const {
  auto it = pages_.find(pa / page_bytes);
  return it == pages_.end() ? nullptr : it->second.get();
}

uint8_t memory::peek(uint64_t pa) const {
  const uint8_t *p = page(pa);
  return p ? p[pa % page_bytes] : 0;
}

void memory::poke(uint64_t pa, uint8_t v) { page(pa, true)[pa % page_bytes] = v; }

void memory::write(uint64_t pa, unsigned size, uint64_t value) {
  for (unsigned i = 0; i < size; i++) poke(pa + i, static_cast<uint8_t>(value >> (8 * i)));
}

uint64_t memory::read(uint64_t pa, unsigned size) const {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= static_cast<uint64_t>(peek(pa + i)) << (8 * i);
  return v;
}

bool memory::poke_at(uint64_t cycle, uint64_t pa, unsigned size, uint64_t value) {
  if (cycle < taken_) return false;
  auto at = pokes_.end(); // after the pokes of the same cycle given before
  while (at != pokes_.begin() && (at - 1)->cycle > cycle) --at;
  pokes_.insert(at, queued_poke{cycle, pa, value, size});
  return true;
}

void memory::land_before(uint64_t cycle) {
  size_t n = 0;
  while (n < pokes_.size() && pokes_[n].cycle < cycle) {
    write(pokes_[n].pa, pokes_[n].size, pokes_[n].value);
    n++;
  }
  pokes_.erase(pokes_.begin(), pokes_.begin() + static_cast<std::ptrdiff_t>(n));
}

void memory::land_pokes() {
  for (const queued_poke &k : pokes_) write(k.pa, k.size, k.value);
  pokes_.clear();
}

memory::image memory::snapshot() const {
  image img;
  for (const auto &kv : pages_) std::memcpy(img[kv.first].data(), kv.second.get(), page_bytes);
  return img;
}

void memory::b_transport(tlm::tlm_generic_payload &trans, sc_time &delay) {
  const uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  unsigned char *data = trans.get_data_ptr();
  walk_ext *w = nullptr;
  trans.get_extension(w);

  if (w && w->kind == walk_ext::TIMING) {
    uint64_t accept = 0, response = 0;
    bool err = false;
    pmem_next_timing(timing_, 0, &accept, &response, &err);
    pending_error_ = err;
    // taken in its present cycle plus the back-pressure: pokes of earlier cycles land first
    const sc_dt::uint64 p = period_.value();
    taken_ = (sc_core::sc_time_stamp() + delay).value() / p + accept +
             ((sc_core::sc_time_stamp() + delay).value() % p ? 1 : 0);
    w->wait_cycles = accept;
    delay += period_ * static_cast<double>(response);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (addr >= pa_limit || len > pa_limit - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (w) {               // the walker's data phase: READ or CAS, timed by its query
    land_before(taken_); // a poke lands at the end of its cycle: seen when taken later
    bool err = pending_error_ || (addr >= err_lo_ && addr < err_hi_);
    pending_error_ = false;
    if (err || (len != 4 && len != 8)) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    uint64_t old = read(addr, len);
    for (unsigned i = 0; i < len; i++) data[i] = static_cast<unsigned char>(old >> (8 * i));
    if (w->kind == walk_ext::CAS) {
      if (old == w->expected) write(addr, len, w->desired);
      w->cas_done = true;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }

  data_accesses_++;
  delay += latency_;
  const tlm::tlm_command cmd = trans.get_command();
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const unsigned char *be = trans.get_byte_enable_ptr();
  const unsigned be_len = trans.get_byte_enable_length();
  for (unsigned i = 0; i < len; i++) {
    if (be && be_len && be[i % be_len] != TLM_BYTE_ENABLED) continue;
    if (cmd == tlm::TLM_READ_COMMAND) data[i] = peek(addr + i);
    else poke(addr + i, data[i]);
  }
  trans.set_dmi_allowed(dmi_enabled);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int memory::transport_dbg(tlm::tlm_generic_payload &trans) {
  const uint64_t addr = trans.get_address();
  if (addr >= pa_limit) return 0;
  unsigned len = trans.get_data_length();
  if (len > pa_limit - addr) len = static_cast<unsigned>(pa_limit - addr);
  unsigned char *data = trans.get_data_ptr();
  if (trans.get_command() == tlm::TLM_READ_COMMAND)
    for (unsigned i = 0; i < len; i++) data[i] = peek(addr + i);
  else if (trans.get_command() == tlm::TLM_WRITE_COMMAND)
    for (unsigned i = 0; i < len; i++) poke(addr + i, data[i]);
  else return 0;
  return len;
}

bool memory::get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi) {
  const uint64_t addr = trans.get_address();
  const uint64_t base = addr & ~(page_bytes - 1);
  dmi.set_start_address(base);
  dmi.set_end_address(base + page_bytes - 1);
  if (!dmi_enabled || addr >= pa_limit) {
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  dmi.set_dmi_ptr(page(addr, true));
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
  dmi.set_read_latency(latency_);
  dmi.set_write_latency(latency_);
  return true;
}

} // namespace pmmu_tlm
