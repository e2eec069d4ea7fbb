// pmmu_tlm_tests GROUP: directed tests of what the TLM PMMU adds to the model.
//   fault   #PF -> TLM_ADDRESS_ERROR_RESPONSE with the error code and CR2 in access_ext, the
//           irq line (raised at R + 1, lowered by the ack), nothing written to memory;
//           refused payloads (page crossing, command/extension mismatch, implicit fetch)
//   debug   transport_dbg: right data (also across pages), and no side effect at all: no
//           A/D write, no TLB fill or replacement change, same statistics, no walk-timing
//           draw, no CR2 latch; a later b_transport still misses and sets A
//   dmi     grants: per page, clipped to the memory's region, rights of the asking context,
//           refused while the walk still owes A/D; invalidations upstream on INVLPG (the
//           page only, large pages whole), CR3 writes, flushing CR0/CR4 writes, rights bits
//           (WP, SMAP), memory-side invalidations; none on writes that change nothing
//   timing  delays annotated from the model's cycles, the clock period and the memory's
//           data latency; presentation at the next clock edge; paging off
//   threads three CPU threads share the PMMU while the memory wait()s inside walks: the
//           adapter serialises them and every translation stays right
//   ack     ack_interrupt_at (the pf_ack_i pin, timing.md T10): an ack in cycle c lowers the
//           irq line from c + 1, seen cycle by cycle; an ack in the response cycle R of a new
//           #PF leaves the line up (given before that translation is made, too); an ack one
//           cycle before R lowers it for that one cycle; acks out of order are refused
//   walk    the walker's memory traffic over TLM: an A/D CAS that fails because memory
//           changed under it restarts the walk; a target that does not implement the CAS
//           extension and a bus-error range give TLM_GENERIC_ERROR_RESPONSE / BUS_ERROR
// One group per process (SystemC elaborates once). Prints "N passed, M failed".
#define SC_INCLUDE_DYNAMIC_PROCESSES // sc_spawn (threads group)
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "pmmu_tlm.h"
#include "pmmu_tlm_memory.h"

using namespace sc_core;
using pmmu_tlm::access_ext;
using pmmu_tlm::walk_ext;

namespace {

unsigned passed = 0, failed = 0;

#define CHECK(cond) check((cond), #cond, __LINE__)
#define CHECK_EQ(a, b) \
  check_eq(static_cast<uint64_t>(a), static_cast<uint64_t>(b), #a, #b, __LINE__)

void check(bool ok, const char *what, int line) {
  if (ok) {
    passed++;
  } else {
    failed++;
    std::printf("FAIL line %d: %s\n", line, what);
  }
}

void check_eq(uint64_t a, uint64_t b, const char *sa, const char *sb, int line) {
  if (a == b) {
    passed++;
  } else {
    failed++;
    std::printf("FAIL line %d: %s == %s (0x%" PRIx64 " vs 0x%" PRIx64 ")\n", line, sa, sb, a, b);
  }
}

// Between the PMMU and the memory: passes everything through, or plays a target that does
// not know the CAS extension, or changes an entry just before the walker's CAS of it.
struct interposer : sc_module {
  tlm_utils::simple_target_socket<interposer> in;
  tlm_utils::simple_initiator_socket<interposer> out;
  pmmu_tlm::memory *mem = nullptr;
  bool no_cas = false;
  bool wait_in_walk = false; // an LT target that waits out its latency (lets others run)
  uint64_t disturb_pa = ~UINT64_C(0), disturb_value = 0;
  unsigned cas_seen = 0;

  explicit interposer(sc_module_name n) : sc_module(n), in("in"), out("out") {
    in.register_b_transport(this, &interposer::b_transport);
    in.register_transport_dbg(this, &interposer::transport_dbg);
    in.register_get_direct_mem_ptr(this, &interposer::get_dmi);
    out.register_invalidate_direct_mem_ptr(this, &interposer::invalidate);
  }
  void b_transport(tlm::tlm_generic_payload &t, sc_time &d) {
    walk_ext *w = nullptr;
    t.get_extension(w);
    if (w && wait_in_walk) {
      out->b_transport(t, d);
      wait(d + sc_time(1, SC_NS));
      d = SC_ZERO_TIME;
      return;
    }
    if (w && w->kind == walk_ext::CAS) {
      cas_seen++;
      if (t.get_address() == disturb_pa) {
        mem->write(disturb_pa, 4, disturb_value);
        disturb_pa = ~UINT64_C(0);
      }
      if (no_cas) { // an ordinary target: the CAS is just a read to it
        t.clear_extension(w);
        out->b_transport(t, d);
        t.set_extension(w);
        return;
      }
    }
    out->b_transport(t, d);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload &t) { return out->transport_dbg(t); }
  bool get_dmi(tlm::tlm_generic_payload &t, tlm::tlm_dmi &d) {
    return out->get_direct_mem_ptr(t, d);
  }
  void invalidate(sc_dt::uint64 lo, sc_dt::uint64 hi) { in->invalidate_direct_mem_ptr(lo, hi); }
};

// Page tables used by every group (CR3 = 0x1000, PT for 0x00400000.. at 0x2000):
//   0x00400000 -> 0x10000  P W U        (A = D = 0: the first walk sets them)
//   0x00401000 -> 0x11000  P U A        (user read-only)
//   0x00402000 -> 0x12000  P W A D      (supervisor only)
//   0x00403000             not present
//   0x00404000 -> 0x14000  P W U A D
//   0x00800000 -> 0xC00000 4 MiB, P W U A D PS (with CR4.PSE)
//   PDE[1] = 0x2000 P W U (A = 0)
constexpr uint32_t P = 1, W = 2, U = 4, A = 0x20, D = 0x40, PS = 0x80;

struct tb : sc_module {
  tlm_utils::simple_initiator_socket<tb> sock;
  pmmu_tlm::pmmu_tlm *pm;
  pmmu_tlm::memory *mem;
  interposer *ip;
  sc_signal<bool> *irq;
  std::string group;
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;

  SC_HAS_PROCESS(tb);
  tb(sc_module_name n, pmmu_tlm::pmmu_tlm *p, pmmu_tlm::memory *m, interposer *i,
     sc_signal<bool> *irq_sig, std::string g)
      : sc_module(n), sock("sock"), pm(p), mem(m), ip(i), irq(irq_sig), group(std::move(g)) {
    sock.register_invalidate_direct_mem_ptr(this, &tb::invalidate);
    SC_THREAD(run);
  }

  void invalidate(sc_dt::uint64 lo, sc_dt::uint64 hi) { invalidations.emplace_back(lo, hi); }

  void setup() {
    mem->write(0x1000 + 1 * 4, 4, 0x2000 | P | W | U);
    mem->write(0x1000 + 2 * 4, 4, 0x00C00000 | P | W | U | A | D | PS);
    mem->write(0x2000 + 0 * 4, 4, 0x10000 | P | W | U);
    mem->write(0x2000 + 1 * 4, 4, 0x11000 | P | U | A);
    mem->write(0x2000 + 2 * 4, 4, 0x12000 | P | W | A | D);
    mem->write(0x2000 + 4 * 4, 4, 0x14000 | P | W | U | A | D);
    for (uint64_t pa = 0x10000; pa < 0x15000; pa += 4) mem->write(pa, 4, pa * 0x01000193u);
    pm->write_cr3(0x1000);
    pm->write_cr4(PMMU_CR4_PSE);
  }

  // One access through the PMMU; returns the response status, ext filled.
  tlm::tlm_response_status access(uint64_t la, pmmu_access acc, pmmu_priv priv, access_ext &ext,
                                  sc_time &delay, unsigned char *data = nullptr, unsigned len = 4,
                                  bool with_ext = true) {
    unsigned char local[8] = {0};
    tlm::tlm_generic_payload p;
    ext.access = acc;
    ext.priv = priv;
    p.set_command(acc == PMMU_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(la);
    p.set_data_ptr(data ? data : local);
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (with_ext) p.set_extension(&ext);
    sock->b_transport(p, delay);
    if (with_ext) p.clear_extension(&ext);
    last_dmi_hint = p.is_dmi_allowed();
    return p.get_response_status();
  }
  tlm::tlm_response_status access(uint64_t la, pmmu_access acc, pmmu_priv priv, access_ext &ext) {
    sc_time d = SC_ZERO_TIME;
    tlm::tlm_response_status s = access(la, acc, priv, ext, d);
    wait(d);
    return s;
  }
  bool last_dmi_hint = false;

  bool dmi(uint64_t la, pmmu_priv priv, tlm::tlm_dmi &d, pmmu_access acc = PMMU_READ) {
    tlm::tlm_generic_payload p;
    access_ext ext(acc, priv, false);
    unsigned char b = 0;
    p.set_command(acc == PMMU_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(la);
    p.set_data_ptr(&b);
    p.set_data_length(1);
    p.set_extension(&ext);
    bool ok = sock->get_direct_mem_ptr(p, d);
    p.clear_extension(&ext);
    return ok;
  }

  unsigned dbg(uint64_t la, tlm::tlm_command cmd, unsigned char *data, unsigned len,
               access_ext *ext) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(la);
    p.set_data_ptr(data);
    p.set_data_length(len);
    if (ext) p.set_extension(ext);
    unsigned n = sock->transport_dbg(p);
    if (ext) p.clear_extension(ext);
    return n;
  }

  void run() {
    setup();
    if (group == "fault") fault();
    else if (group == "debug") debug();
    else if (group == "dmi") dmi_tests();
    else if (group == "timing") timing();
    else if (group == "walk") walk();
    else if (group == "ack") ack();
    else if (group == "threads") threads();
    else CHECK(!"unknown group");
  }

  // ---- ack ---------------------------------------------------------------------------
  // The irq line as the rest of the platform sees it in `cycle` (in the middle of it).
  bool line_in(uint64_t cycle) {
    const sc_time t = pm->period() * static_cast<double>(cycle) + pm->period() / 2.0;
    if (t > sc_time_stamp()) wait(t - sc_time_stamp());
    return irq->read();
  }

  // A faulting access presented in `present` (a user read of a not-present page: a walk of
  // PDE and PTE, no CAS); returns its response cycle.
  uint64_t np_fault(uint64_t present) {
    access_ext ext;
    sc_time d = pm->period() * static_cast<double>(present) - sc_time_stamp();
    CHECK_EQ(access(0x00403010, PMMU_READ, PMMU_USER, ext, d), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.error_code, 0x4);
    CHECK_EQ(ext.resp.accept_cycle, present); // the block is idle: A = the present cycle
    return ext.resp.response_cycle;
  }

  void ack() {
    // a protection fault (the walk sets PDE 1's A bit): the line rises in R + 1
    access_ext ext;
    sc_time d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00401234, PMMU_WRITE, PMMU_USER, ext, d), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const uint64_t r1 = ext.resp.response_cycle;
    CHECK(!line_in(r1));
    CHECK(line_in(r1 + 1));
    // an ack in c = r1 + 3 (given ahead of time): up through c, down from c + 1
    const uint64_t c = r1 + 3;
    CHECK_EQ(pm->ack_interrupt_at(c), PMMU_E_OK);
    CHECK(line_in(r1 + 2));
    CHECK(line_in(c));
    CHECK(!line_in(c + 1));
    CHECK(!line_in(c + 5));
    CHECK(!pm->interrupt_state().pending);
    CHECK_EQ(pm->interrupt_state().cr2, 0x00401234); // stays readable
    CHECK_EQ(pm->ack_interrupt_at(c), PMMU_E_ORDER); // acks go forward
    CHECK_EQ(pm->ack_interrupt_at(c - 1), PMMU_E_ORDER);

    // the walk of a not-present fault takes n cycles from A to R
    uint64_t p2 = pm->cycle_at(sc_time_stamp()) + 1;
    const uint64_t r2 = np_fault(p2), n = r2 - p2;
    CHECK(n > 1);
    CHECK(line_in(r2 + 1)); // the line is up (not acked)

    // an ack in the response cycle R of a new fault, given after that translation: the new
    // fault wins, the line never falls
    const uint64_t p3 = r2 + 3, r3 = np_fault(p3);
    CHECK_EQ(r3, p3 + n);
    CHECK_EQ(pm->ack_interrupt_at(r3), PMMU_E_OK);
    bool up = true;
    for (uint64_t k = r2 + 1; k <= r3 + 3; k++) up = line_in(k) && up;
    CHECK(up);
    CHECK(pm->interrupt_state().pending);

    // the same with the ack given before the translation is made (an ack during the walk the
    // CPU has not issued yet): the new fault answered in that cycle still wins
    const uint64_t p4 = r3 + 5, r4 = p4 + n;
    CHECK_EQ(pm->ack_interrupt_at(r4), PMMU_E_OK);
    CHECK_EQ(np_fault(p4), r4);
    up = true;
    for (uint64_t k = r3 + 4; k <= r4 + 3; k++) up = line_in(k) && up;
    CHECK(up);

    // an ack in R - 1 of a new fault lowers the line for the cycle R only; it rises in R + 1
    const uint64_t p5 = r4 + 5, r5 = p5 + n;
    CHECK_EQ(pm->ack_interrupt_at(r5 - 1), PMMU_E_OK);
    CHECK_EQ(np_fault(p5), r5);
    CHECK(line_in(r5 - 1));
    CHECK(!line_in(r5));
    CHECK(line_in(r5 + 1));
    // and the handler's ack in R + 2: down from R + 3
    CHECK_EQ(pm->ack_interrupt_at(r5 + 2), PMMU_E_OK);
    CHECK(line_in(r5 + 2));
    CHECK(!line_in(r5 + 3));
    CHECK(!pm->interrupt_state().pending);
  }

  // ---- fault -------------------------------------------------------------------------
  void fault() {
    access_ext ext;
    sc_time d = SC_ZERO_TIME;
    unsigned char data[4] = {0xAB, 0xCD, 0xEF, 0x01};
    uint64_t before = mem->read(0x11234, 4);
    // user write to a user read-only page: protection, write, user = 0x7
    CHECK_EQ(access(0x00401234, PMMU_WRITE, PMMU_USER, ext, d, data),
             tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.outcome, PMMU_PAGE_FAULT);
    CHECK_EQ(ext.resp.error_code, 0x7);
    CHECK_EQ(ext.resp.cr2, 0x00401234);
    CHECK_EQ(mem->read(0x11234, 4), before); // nothing forwarded
    pmmu_interrupt_state is = pm->interrupt_state();
    CHECK(is.pending);
    CHECK_EQ(is.error_code, 0x7);
    CHECK_EQ(is.cr2, 0x00401234);
    // T10: the line rises at R + 1, not before
    const uint64_t r = ext.resp.response_cycle;
    CHECK_EQ(pm->cycle_at(sc_time_stamp() + d), r);
    wait(d);
    wait(SC_ZERO_TIME);
    CHECK(!irq->read());
    wait(pm->period());
    wait(SC_ZERO_TIME);
    CHECK(irq->read());
    pm->ack_interrupt();
    wait(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    CHECK(!irq->read());
    CHECK(!pm->interrupt_state().pending);
    CHECK_EQ(pm->interrupt_state().cr2, 0x00401234); // stays readable

    // user read of a not-present page: 0x4; user read of a supervisor page: 0x5
    CHECK_EQ(access(0x00403010, PMMU_READ, PMMU_USER, ext), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.error_code, 0x4);
    CHECK_EQ(ext.resp.cr2, 0x00403010);
    CHECK_EQ(access(0x00402008, PMMU_READ, PMMU_USER, ext), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.error_code, 0x5);
    CHECK_EQ(access(0x00402008, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.pa, 0x12008);
    // fetch: with SMEP, a supervisor fetch from a user page is a protection fault with I/D
    pm->write_cr4(PMMU_CR4_PSE | PMMU_CR4_SMEP);
    CHECK_EQ(access(0x00404000, PMMU_FETCH, PMMU_SUPERVISOR, ext), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.error_code, 0x11);
    pm->write_cr4(PMMU_CR4_PSE);

    // no extension: a supervisor write; the latch still holds the answer
    d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00403000, PMMU_WRITE, PMMU_SUPERVISOR, ext, d, data, 4, false),
             tlm::TLM_ADDRESS_ERROR_RESPONSE);
    wait(d);
    CHECK_EQ(pm->interrupt_state().error_code, 0x2);
    CHECK_EQ(pm->interrupt_state().cr2, 0x00403000);

    // refused before translation: page crossing, command vs. extension, implicit fetch
    const uint64_t requests = pm->stats().requests;
    d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00404FFE, PMMU_READ, PMMU_SUPERVISOR, ext, d, data, 4),
             tlm::TLM_BURST_ERROR_RESPONSE);
    {
      tlm::tlm_generic_payload p;
      access_ext e(PMMU_WRITE, PMMU_SUPERVISOR, false);
      p.set_command(tlm::TLM_READ_COMMAND);
      p.set_address(0x00404000);
      p.set_data_ptr(data);
      p.set_data_length(4);
      p.set_streaming_width(4);
      p.set_extension(&e);
      sock->b_transport(p, d);
      CHECK_EQ(p.get_response_status(), tlm::TLM_COMMAND_ERROR_RESPONSE);
      p.clear_extension(&e);
    }
    CHECK_EQ(access(0x00404000, PMMU_FETCH, PMMU_IMPLICIT, ext, d, data, 4),
             tlm::TLM_COMMAND_ERROR_RESPONSE);
    CHECK_EQ(pm->stats().requests, requests);
    CHECK_EQ(pm->stats().faults_protection, 3);
    CHECK_EQ(pm->stats().faults_not_present, 2);
    CHECK_EQ(pm->adapter_statistics().page_faults, 5);
  }

  // ---- debug -------------------------------------------------------------------------
  struct tlb_image {
    std::vector<pmmu_tlb_entry> e;
    bool operator==(const tlb_image &o) const {
      if (e.size() != o.e.size()) return false;
      for (size_t i = 0; i < e.size(); i++)
        if (std::memcmp(&e[i], &o.e[i], sizeof e[i]) != 0) return false;
      return true;
    }
  };
  tlb_image tlb() {
    tlb_image img;
    const pmmu_config *c = pmmu_get_config(pm->model());
    for (unsigned s = 0; s < c->tlb_sets; s++)
      for (unsigned w = 0; w < c->tlb_ways; w++) {
        pmmu_tlb_entry e;
        std::memset(&e, 0, sizeof e);
        pmmu_tlb_read(pm->model(), false, s, w, &e);
        img.e.push_back(e);
      }
    for (unsigned w = 0; w < c->tlb_large; w++) {
      pmmu_tlb_entry e;
      std::memset(&e, 0, sizeof e);
      pmmu_tlb_read(pm->model(), true, 0, w, &e);
      img.e.push_back(e);
    }
    return img;
  }

  void debug() {
    access_ext ext;
    // warm the TLB a little so that "unchanged" means something
    CHECK_EQ(access(0x00404000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(access(0x00800010, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(access(0x00401000, PMMU_WRITE, PMMU_USER, ext), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    pm->ack_interrupt();
    mem->write(0x2000, 4, 0x10000 | P | W | U); // PTE A = 0 again
    mem->write(0x1004, 4, 0x2000 | P | W | U);  // PDE A = 0 again
    pm->invlpg(0x00400000);

    const pmmu_stats st0 = pm->stats();
    const tlb_image tlb0 = tlb();
    const pmmu_tlm::memory::image mem0 = mem->snapshot();
    const uint64_t q0 = mem->walk_timing_queries();
    const pmmu_interrupt_state is0 = pm->interrupt_state();
    const sc_time t0 = sc_time_stamp();

    unsigned char buf[16];
    access_ext e(PMMU_READ, PMMU_USER, false);
    CHECK_EQ(dbg(0x00400010, tlm::TLM_READ_COMMAND, buf, 4, &e), 4);
    CHECK_EQ(buf[0] | buf[1] << 8 | buf[2] << 16 | static_cast<uint64_t>(buf[3]) << 24,
             mem->read(0x10010, 4));
    CHECK_EQ(e.resp.outcome, PMMU_OK);
    CHECK_EQ(e.resp.pa, 0x10010);
    CHECK_EQ(e.resp.cycles, 0);
    // across a page boundary: 0x00400FFC..0x00401003 -> 0x10FFC.. and 0x11000..
    CHECK_EQ(dbg(0x00400FFC, tlm::TLM_READ_COMMAND, buf, 8, &e), 8);
    CHECK_EQ(buf[0] | buf[1] << 8 | buf[2] << 16 | static_cast<uint64_t>(buf[3]) << 24,
             mem->read(0x10FFC, 4));
    CHECK_EQ(buf[4] | buf[5] << 8 | buf[6] << 16 | static_cast<uint64_t>(buf[7]) << 24,
             mem->read(0x11000, 4));
    // a faulting page: nothing, and no CR2 latched
    access_ext f(PMMU_READ, PMMU_USER, false);
    CHECK_EQ(dbg(0x00403000, tlm::TLM_READ_COMMAND, buf, 4, &f), 0);
    CHECK_EQ(f.resp.outcome, PMMU_PAGE_FAULT);
    CHECK_EQ(f.resp.error_code, 0x4);
    // a debug write to a page whose PTE has D = 0: the data lands, D stays 0
    unsigned char wr[4] = {1, 2, 3, 4};
    access_ext we(PMMU_WRITE, PMMU_SUPERVISOR, false);
    CHECK_EQ(dbg(0x00400020, tlm::TLM_WRITE_COMMAND, wr, 4, &we), 4);
    CHECK_EQ(mem->read(0x10020, 4), 0x04030201);

    // nothing else changed
    pmmu_tlm::memory::image mem1 = mem->snapshot();
    std::memcpy(&mem1[0x10][0x20], &mem0.at(0x10)[0x20], 4); // the debug write itself
    CHECK(mem1 == mem0);
    CHECK_EQ(mem->read(0x2000, 4), 0x10000 | P | W | U);
    CHECK_EQ(mem->read(0x1004, 4), 0x2000 | P | W | U);
    const pmmu_stats st1 = pm->stats();
    CHECK(std::memcmp(&st0, &st1, sizeof st0) == 0);
    CHECK(tlb() == tlb0);
    CHECK_EQ(mem->walk_timing_queries(), q0);
    const pmmu_interrupt_state is1 = pm->interrupt_state();
    CHECK(std::memcmp(&is0, &is1, sizeof is0) == 0);
    CHECK(sc_time_stamp() == t0);
    CHECK_EQ(pm->adapter_statistics().debug_transports, 4);

    // the real access still misses, walks and sets A
    CHECK_EQ(access(0x00400010, PMMU_READ, PMMU_USER, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.tlb, PMMU_TLB_MISS);
    CHECK_EQ(mem->read(0x2000, 4), 0x10000 | P | W | U | A);
    CHECK_EQ(mem->read(0x1004, 4), 0x2000 | P | W | U | A);
  }

  // ---- dmi ---------------------------------------------------------------------------
  void dmi_tests() {
    access_ext ext;
    tlm::tlm_dmi d;
    // PDE.A = 0: every walk under it would still set A -> refused, for that page only
    CHECK(!dmi(0x00404000, PMMU_SUPERVISOR, d));
    CHECK_EQ(d.get_start_address(), 0x00404000);
    CHECK_EQ(d.get_end_address(), 0x00404FFF);
    CHECK(d.get_granted_access() == tlm::tlm_dmi::DMI_ACCESS_NONE);
    CHECK_EQ(access(0x00404000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK(last_dmi_hint);
    d.init();
    CHECK(dmi(0x00404123, PMMU_SUPERVISOR, d));
    CHECK_EQ(d.get_start_address(), 0x00404000);
    CHECK_EQ(d.get_end_address(), 0x00404FFF);
    CHECK(d.is_read_write_allowed());
    CHECK(d.get_read_latency() == pm->period()); // memory data latency 0 + the hit cycle
    d.get_dmi_ptr()[0x10] = 0x5A;
    CHECK_EQ(mem->read(0x14010, 1), 0x5A);
    // user read-only page (A set, D clear): read for user and supervisor
    d.init();
    CHECK(dmi(0x00401000, PMMU_USER, d));
    CHECK(d.is_read_allowed() && !d.is_write_allowed());
    CHECK_EQ(d.get_dmi_ptr()[4], mem->read(0x11004, 1));
    // supervisor-only page: refused for user, read/write for supervisor
    d.init();
    CHECK(!dmi(0x00402000, PMMU_USER, d));
    d.init();
    CHECK(dmi(0x00402000, PMMU_SUPERVISOR, d));
    CHECK(d.is_read_write_allowed());
    // PTE A = 0: refused; after a read: read only (D = 0); after a write: read/write
    d.init();
    CHECK(!dmi(0x00400000, PMMU_USER, d));
    CHECK_EQ(access(0x00400000, PMMU_READ, PMMU_USER, ext), tlm::TLM_OK_RESPONSE);
    d.init();
    CHECK(dmi(0x00400000, PMMU_USER, d));
    CHECK(d.is_read_allowed() && !d.is_write_allowed());
    CHECK_EQ(access(0x00400000, PMMU_WRITE, PMMU_USER, ext), tlm::TLM_OK_RESPONSE);
    d.init();
    CHECK(dmi(0x00400000, PMMU_USER, d));
    CHECK(d.is_read_write_allowed());
    // a fetch context under SMEP: a supervisor fetch from a user page is refused
    pm->write_cr4(PMMU_CR4_PSE | PMMU_CR4_SMEP);
    d.init();
    CHECK(!dmi(0x00404000, PMMU_SUPERVISOR, d, PMMU_FETCH));
    d.init();
    CHECK(dmi(0x00404000, PMMU_USER, d, PMMU_FETCH));
    pm->write_cr4(PMMU_CR4_PSE);
    // a 4 MiB page: clipped to the memory's 4 KiB region, at the right place
    d.init();
    CHECK(dmi(0x00923456, PMMU_USER, d));
    CHECK_EQ(d.get_start_address(), 0x00923000);
    CHECK_EQ(d.get_end_address(), 0x00923FFF);
    mem->write(0xD23456, 1, 0x77);
    CHECK_EQ(d.get_dmi_ptr()[0x456], 0x77);

    // ---- invalidations
    auto grant = [&](uint64_t la) {
      tlm::tlm_dmi g;
      return dmi(la, PMMU_SUPERVISOR, g);
    };
    invalidations.clear();
    CHECK(grant(0x00404000));
    CHECK(grant(0x00402000));
    CHECK(grant(0x00923000));
    pm->invlpg(0x00404abc);
    CHECK_EQ(invalidations.size(), 1);
    if (invalidations.size() == 1) {
      CHECK_EQ(invalidations[0].first, 0x00404000);
      CHECK_EQ(invalidations[0].second, 0x00404FFF);
    }
    pm->invlpg(0x00405000); // nothing granted there
    CHECK_EQ(invalidations.size(), 1);
    pm->invlpg(0x00800000); // another 4 KiB of the same 4 MiB page
    CHECK_EQ(invalidations.size(), 2);
    if (invalidations.size() == 2) CHECK_EQ(invalidations[1].first, 0x00923000);
    auto all = [&](const char *what) {
      bool ok = !invalidations.empty() && invalidations.back().first == 0 &&
                invalidations.back().second == 0xFFFFFFFFu;
      if (!ok) std::printf("  (expected a full invalidation after %s)\n", what);
      return ok;
    };
    size_t n = invalidations.size();
    pm->write_cr4(PMMU_CR4_PSE | (1u << 3)); // CR4.DE: not used, flushes nothing
    CHECK_EQ(invalidations.size(), n);
    pm->write_cr0(0x80000000u | (1u << 5)); // CR0.NE: not used
    CHECK_EQ(invalidations.size(), n);
    pm->write_cr0(0x80000000u | PMMU_CR0_WP); // WP: no flush, but rights change
    CHECK(all("CR0.WP"));
    CHECK(grant(0x00402000));
    n = invalidations.size();
    pm->write_cr3(0x1000); // the same CR3: still a flush
    CHECK_EQ(invalidations.size(), n + 1);
    CHECK(all("CR3"));
    CHECK(grant(0x00402000));
    pm->write_cr4(PMMU_CR4_PSE | PMMU_CR4_PGE);
    CHECK(all("CR4.PGE"));
    CHECK(grant(0x00402000));
    n = invalidations.size();
    pm->write_cr4(PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_SMAP); // no flush, rights change
    CHECK_EQ(invalidations.size(), n + 1);
    CHECK(grant(0x00402000));
    n = invalidations.size();
    pm->write_efer(PMMU_EFER_NXE); // flushes (x86-paging.md)
    CHECK_EQ(invalidations.size(), n + 1);
    // no grants outstanding: nothing to invalidate
    n = invalidations.size();
    pm->write_cr4(PMMU_CR4_PSE | PMMU_CR4_PGE); // SMAP off again (0x00404000 is a user page)
    pm->write_cr3(0x1000);
    CHECK_EQ(invalidations.size(), n);
    // memory-side invalidation of a PA range -> the VA range of the grant on it
    CHECK(grant(0x00404000));
    CHECK(grant(0x00402000));
    n = invalidations.size();
    mem->invalidate_dmi(0x14000, 0x14FFF);
    CHECK_EQ(invalidations.size(), n + 1);
    if (invalidations.size() == n + 1) {
      CHECK_EQ(invalidations.back().first, 0x00404000);
      CHECK_EQ(invalidations.back().second, 0x00404FFF);
    }
    // paging off: identity, 4 KiB grants
    pm->write_cr0(0);
    d.init();
    CHECK(dmi(0x00014000, PMMU_USER, d));
    CHECK_EQ(d.get_start_address(), 0x14000);
    CHECK(d.is_read_write_allowed());
    CHECK_EQ(pm->adapter_statistics().dmi_granted, 17);
  }

  // ---- timing ------------------------------------------------------------------------
  void timing() {
    access_ext ext;
    const sc_time per = pm->period(), lat = sc_time(20, SC_NS); // memory data latency
    // a fresh 4 KiB page: PDE read, PTE read, PDE A CAS, PTE A CAS: 4L + 5 = 17 cycles
    sc_time d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00400000, PMMU_READ, PMMU_SUPERVISOR, ext, d), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.cycles, 17);
    CHECK_EQ(ext.resp.mem_accesses, 4);
    CHECK(d == per * 17.0 + lat);
    wait(d);
    // a hit: 1 cycle
    d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00400004, PMMU_READ, PMMU_SUPERVISOR, ext, d), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.tlb, PMMU_TLB_HIT);
    CHECK(d == per + lat);
    // presented mid-cycle (temporal decoupling): at the next edge
    sc_time t = d + sc_time(3, SC_NS);
    const uint64_t present = pm->cycle_at(sc_time_stamp() + t);
    CHECK_EQ(access(0x00404000, PMMU_READ, PMMU_SUPERVISOR, ext, t), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.accept_cycle, present);
    CHECK_EQ(ext.resp.cycles, 2 * 3 + 3); // PDE.A set by the first walk, PTE A, D set: 2L + 3
    CHECK(sc_time_stamp() + t == per * static_cast<double>(ext.resp.response_cycle) + lat);
    wait(t);
    // a 4 MiB page with A set: L + 2
    d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00800000, PMMU_READ, PMMU_SUPERVISOR, ext, d), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.cycles, 5);
    CHECK_EQ(ext.resp.pa, 0x00C00000);
    wait(d);
    // a register write takes its cycle: the next access is presented after it
    d = SC_ZERO_TIME;
    pmmu_reg_result rr = pm->write_cr3(0x1000, d);
    CHECK(sc_time_stamp() + d == per * static_cast<double>(rr.done_cycle + 1));
    wait(d);
    // paging off: 1 cycle
    pm->write_cr0(0);
    d = SC_ZERO_TIME;
    CHECK_EQ(access(0x00012345, PMMU_READ, PMMU_SUPERVISOR, ext, d), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.tlb, PMMU_TLB_OFF);
    CHECK_EQ(ext.resp.pa, 0x12345);
    CHECK(d == per + lat);
    wait(d);
    pmmu_stats st = pm->stats();
    CHECK_EQ(st.requests, 5);
    CHECK_EQ(st.busy_cycles, 17 + 1 + 9 + 5 + 1);
    CHECK_EQ(mem->data_accesses(), 5);
  }

  // ---- threads -----------------------------------------------------------------------
  // Two CPU threads share the PMMU while the memory waits inside every walk access: the
  // adapter must serialise them (the C model is not re-entrant) and every answer stays right.
  unsigned thread_errors = 0, thread_done = 0;
  std::vector<std::pair<uint64_t, uint64_t>> windows; // (A, R) of every translation
  void worker(unsigned id, unsigned n) {
    struct probe {
      uint32_t la;
      pmmu_priv priv;
      uint64_t pa;
    };
    static const probe probes[] = {{0x00404010, PMMU_SUPERVISOR, 0x14010},
                                   {0x00402abc, PMMU_SUPERVISOR, 0x12abc},
                                   {0x00401008, PMMU_USER, 0x11008},
                                   {0x00400ffc, PMMU_USER, 0x10ffc},
                                   {0x00923456, PMMU_USER, 0xD23456}};
    for (unsigned i = 0; i < n; i++) {
      const probe &pr = probes[(i + id) % 5];
      access_ext ext;
      sc_time d = SC_ZERO_TIME;
      if (access(pr.la, PMMU_READ, pr.priv, ext, d) != tlm::TLM_OK_RESPONSE || ext.resp.pa != pr.pa)
        thread_errors++;
      windows.emplace_back(ext.resp.accept_cycle, ext.resp.response_cycle);
      wait(d);
      if (i % 7 == id) {
        sc_time z = SC_ZERO_TIME;
        pm->invlpg(pr.la, z); // force walks
        wait(z);
      }
    }
    thread_done++;
  }

  void threads() {
    ip->wait_in_walk = true;
    sc_spawn([this] { worker(1, 300); });
    sc_spawn([this] { worker(2, 300); });
    worker(0, 300);
    while (thread_done < 3) wait(sc_time(100, SC_NS));
    CHECK_EQ(thread_errors, 0);
    CHECK_EQ(pm->stats().requests, 900);
    CHECK(pm->stats().walks > 100);
    CHECK(pm->adapter_statistics().lock_waits > 50); // the threads did overlap
    // T1: one translation at a time, the next accepted no earlier than the last response
    std::sort(windows.begin(), windows.end());
    unsigned overlaps = 0;
    for (size_t i = 1; i < windows.size(); i++)
      if (windows[i].first < windows[i - 1].second) overlaps++;
    CHECK_EQ(overlaps, 0);
  }

  // ---- walk --------------------------------------------------------------------------
  void walk() {
    access_ext ext;
    // another agent sets PTE.D between the walk's read and its A CAS: the CAS fails, the
    // walk restarts, and the translation is still right (x86-paging.md section 7)
    ip->disturb_pa = 0x2000;
    ip->disturb_value = 0x10000 | P | W | U | D;
    CHECK_EQ(access(0x00400000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(ext.resp.pa, 0x10000);
    CHECK_EQ(ext.resp.restarts, 1);
    CHECK_EQ(mem->read(0x2000, 4), 0x10000 | P | W | U | D | A);
    CHECK_EQ(pm->stats().cas_restarts, 1);
    // a target without the CAS extension: the A update cannot be made -> bus error
    ip->no_cas = true;
    mem->write(0x2000 + 5 * 4, 4, 0x15000 | P | W | U); // A = 0
    sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
    CHECK_EQ(access(0x00405000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.outcome, PMMU_BUS_ERROR);
    CHECK_EQ(ext.resp.bus_error_pa, 0x2014);
    CHECK_EQ(pm->adapter_statistics().cas_unsupported, 1);
    CHECK_EQ(mem->read(0x2014, 4), 0x15000 | P | W | U);
    ip->no_cas = false;
    // a bus error on the page table
    mem->set_bus_error_range(0x2000, 0x3000);
    pm->invlpg(0x00400000);
    CHECK_EQ(access(0x00400000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK_EQ(ext.resp.outcome, PMMU_BUS_ERROR);
    CHECK_EQ(ext.resp.bus_error_pa, 0x2000);
    CHECK(!pm->interrupt_state().pending); // a bus error is not a #PF
    mem->set_bus_error_range(0, 0);
    CHECK_EQ(access(0x00400000, PMMU_READ, PMMU_SUPERVISOR, ext), tlm::TLM_OK_RESPONSE);
    CHECK_EQ(pm->stats().bus_errors, 2);
    CHECK_EQ(pm->adapter_statistics().bus_errors, 2);
  }
};

} // namespace

int sc_main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pmmu_tlm_tests fault|debug|dmi|timing|walk|threads|ack\n");
    return 2;
  }
  const std::string group = argv[1];
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  const sc_time period(10, SC_NS);
  pmmu_tlm::pmmu_tlm pm("pmmu", cfg, period);
  pmmu_tlm::memory mem("memory", period, group == "timing" ? sc_time(20, SC_NS) : SC_ZERO_TIME);
  interposer ip("interposer");
  ip.mem = &mem;
  sc_signal<bool> irq("irq");
  tb t("tb", &pm, &mem, &ip, &irq, group);
  t.sock.bind(pm.cpu);
  pm.mem.bind(ip.in);
  ip.out.bind(mem.socket);
  pm.irq.bind(irq);
  sc_start();
  std::printf("%s: %u passed, %u failed\n", group.c_str(), passed, failed);
  return failed ? 1 : 0;
}
