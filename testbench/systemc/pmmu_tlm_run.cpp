// pmmu_tlm_run FILE.pmmu: runs one scenario through the TLM PMMU (a CPU initiator -> pmmu_tlm
// -> pmmu_tlm::memory) and prints what `pmmu run --json FILE` prints (scenario-format.md),
// so that the two can be compared byte for byte (ctest: systemc.scenario.*).
//
// The scenario's commands become TLM traffic: an access is a 1-byte b_transport at the
// linear address with a pmmu_tlm::access_ext (reads and fetches read one byte at the PA;
// a write carries a disabled byte enable, so that it reaches the memory without changing
// it, as the scenario's access does not store data); register writes, INVLPG and flushes
// are the module's methods; mem/dump/expect mem use the memory's back door. Cycles are kept
// as run.c keeps them, but every next cycle is derived from the delay the PMMU annotated,
// and checked against the model's response cycle.
//
// Timed commands (scenario-format.md, "Cycles"): `at CYCLE` gives the command at the time
// of that cycle; `at CYCLE flush ...` is pmmu_tlm::flush() inside the access before it;
// `ack CYCLE` is pmmu_tlm::ack_interrupt_at(); `poke` is pmmu_tlm::memory::poke_at(), which
// lands it in the memory when a later walker access is taken. A timed command too early
// stops the run as `pmmu run` does: FILE:LINE: error: on standard error, exit 2.
//
// Exit status: 0 all ran and held, 1 an expectation failed, 2 bad input, 4 the TLM path
// disagreed with itself (annotated delay vs. response cycle, response status vs. outcome).
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "pmmu_tlm.h"
#include "pmmu_tlm_memory.h"

extern "C" {
#include "scenario.h"
}

namespace {

using pmmu_tlm::access_ext;
using sc_core::sc_time;

struct runner : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<runner> sock;
  const scenario *s;
  pmmu_tlm::pmmu_tlm *pm;
  pmmu_tlm::memory *mem;
  uint64_t now = 0;   // the cycle the next command starts in
  uint64_t floor = 0; // the earliest cycle `at` may give an access or invlpg (run.c's floor)
  pmmu_response last{};
  unsigned failed = 0;
  bool internal = false;
  bool bad = false; // a timed command too early (bad input found while running)

  SC_HAS_PROCESS(runner);
  runner(sc_core::sc_module_name n, const scenario *sc, pmmu_tlm::pmmu_tlm *p, pmmu_tlm::memory *m)
      : sc_module(n), sock("sock"), s(sc), pm(p), mem(m) {
    SC_THREAD(run);
  }

  void oops(const scn_cmd &c, const std::string &what) {
    std::fprintf(stderr, "%s:%u: internal error: %s\n", scenario_display_name(s), c.line,
                 what.c_str());
    internal = true;
  }

  bool stopped() const { return internal || bad; }

  void timing_error(const scn_cmd &c, const char *fmt, ...) __attribute__((format(printf, 3, 4))) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    std::fflush(stdout); // what ran before is printed first
    std::fprintf(stderr, "%s:%u: error: %s\n", scenario_display_name(s), c.line, what);
    bad = true;
  }

  // The cycle a command is given in: `at CYCLE` (not before `min`) or `now` (run.c's rule).
  bool given_cycle(const scn_cmd &c, uint64_t min, const char *what, const char *why,
                   uint64_t &cycle) {
    if (!c.timed) {
      cycle = now;
      return true;
    }
    if (c.cycle < min) {
      timing_error(c, "%s at cycle %" PRIu64 " is too early: %s cycle %" PRIu64 " at the earliest",
                   what, c.cycle, why, min);
      return false;
    }
    cycle = c.cycle;
    return true;
  }

  sc_time delay_to(uint64_t cycle) const {
    return pm->period() * static_cast<double>(cycle) - sc_core::sc_time_stamp();
  }

  void json_begin(const scn_cmd &c, const char *op) {
    std::printf("{\"line\":%u,\"op\":\"%s\"", c.line, op);
  }

  static constexpr const char *reg_names[] = {"cr0", "cr3", "cr4", "efer"};
  static constexpr const char *t8 = "a register write comes after the previous command ends (T8),";

  // `next`: a timed access right after a write that loads the PDPTEs may be presented from the
  // write's cycle on, while the load runs (run.c's rule; T11: accepted in D at the earliest).
  void write_reg(const scn_cmd &c, const scn_cmd *next, int reg, uint64_t value) {
    uint64_t cycle;
    if (!given_cycle(c, now, reg_names[reg], t8, cycle)) return;
    bool early = next && next->kind == SCN_ACCESS && next->timed && next->cycle >= cycle;
    write_reg_at(c, reg, value, cycle, early ? next->cycle : UINT64_MAX);
  }

  void write_reg_at(const scn_cmd &c, int reg, uint64_t value, uint64_t cycle,
                    uint64_t early = UINT64_MAX) {
    sc_time d = delay_to(cycle);
    pmmu_reg_result res = reg == 0   ? pm->write_cr0(static_cast<uint32_t>(value), d)
                          : reg == 1 ? pm->write_cr3(static_cast<uint32_t>(value), d)
                          : reg == 2 ? pm->write_cr4(static_cast<uint32_t>(value), d)
                                     : pm->write_efer(value, d);
    if (res.gp_fault) {
      json_begin(c, reg_names[reg]);
      std::printf(",\"fault\":{\"vector\":%d,\"ec\":\"0x0\"}}\n", PMMU_VECTOR_GP);
    }
    if (pm->cycle_at(sc_core::sc_time_stamp() + d) != res.done_cycle + 1)
      oops(c, "register write: annotated delay does not end the cycle after the write");
    if (res.done_cycle < cycle) oops(c, "register write made before its cycle");
    now = res.done_cycle + 1;
    floor = now;
    if (early < now && (res.pdptes_loaded || res.gp_fault)) {
      floor = cycle; // the request is presented during the load: time goes on to its cycle only
      wait(delay_to(early));
      return;
    }
    wait(d);
  }

  void run_set(const scn_cmd &c) {
    uint64_t cycle; // `at CYCLE set ...`: the first write in CYCLE, each next one after it
    if (!given_cycle(c, now, "set", t8, cycle)) return;
    for (unsigned i = 0; i < c.count && !stopped(); i++) {
      const scn_assign &a = s->sets[c.first + i];
      scn_kind k = scenario_bit_register(a.bit);
      int reg = k == SCN_CR0 ? 0 : k == SCN_EFER ? 3 : 2;
      pmmu_control ctl = pm->control();
      uint64_t v = reg == 0 ? ctl.cr0 : reg == 3 ? ctl.efer : ctl.cr4;
      uint64_t mask = scenario_bit_mask(a.bit);
      write_reg_at(c, reg, a.value ? v | mask : v & ~mask, i ? now : cycle);
    }
  }

  // An access, and the flush given during it (`at CYCLE flush ...` on the next line: fc).
  void run_access(const scn_cmd &c, const scn_cmd *fc) {
    uint64_t present;
    if (!given_cycle(c, floor, pmmu_access_name(c.access),
                     "a request comes in the cycle of the previous response (T1) or later,",
                     present))
      return;
    if (fc) { // T1: accepted in the first cycle it is ready in; T7: the flush from A + 1 on
      uint64_t ready = pmmu_ready_cycle(pm->model());
      uint64_t lookup = (present > ready ? present : ready) + 1;
      if (fc->cycle < lookup) {
        timing_error(*fc,
                     "flush at cycle %" PRIu64 " comes before the lookup cycle %" PRIu64
                     " of the access on line %u (T7: a flush during an access comes from A + 1 on)",
                     fc->cycle, lookup, c.line);
        return;
      }
    }
    tlm::tlm_generic_payload p;
    unsigned char byte = 0, enable = TLM_BYTE_DISABLED;
    access_ext ext(c.access, c.priv, c.ac);
    p.set_command(c.access == PMMU_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(c.a);
    p.set_data_ptr(&byte);
    p.set_data_length(1);
    p.set_streaming_width(1);
    if (c.access == PMMU_WRITE) {
      p.set_byte_enable_ptr(&enable);
      p.set_byte_enable_length(1);
    }
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p.set_extension(&ext);
    sc_time d = delay_to(present);
    sock->b_transport(p, d);
    p.clear_extension(&ext);
    last = ext.resp;
    if (last.accept_cycle < present)
      oops(c, "request accepted before the cycle it was presented in");
    uint64_t flushed = 0;
    if (fc) { // in the access's cycles: simulated time has not moved since b_transport
      sc_time fd = delay_to(fc->cycle);
      flushed = pm->flush(fc->flush_kind, static_cast<uint32_t>(fc->a), fd);
      if (flushed != fc->cycle) oops(*fc, "the flush was not given in its cycle");
    }
    const tlm::tlm_response_status want = last.outcome == PMMU_OK ? tlm::TLM_OK_RESPONSE
                                          : last.outcome == PMMU_PAGE_FAULT
                                              ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                              : tlm::TLM_GENERIC_ERROR_RESPONSE;
    if (p.get_response_status() != want) oops(c, "response status does not match the outcome");
    if (last.outcome == PMMU_PAGE_FAULT && (pm->interrupt_state().error_code != last.error_code ||
                                            pm->interrupt_state().cr2 != last.cr2))
      oops(c, "interrupt latch does not hold the fault's error code and CR2");
    // The memory's data latency is zero here: the delay ends at the response cycle R.
    uint64_t r = pm->cycle_at(sc_core::sc_time_stamp() + d);
    if (r != last.response_cycle) oops(c, "annotated delay does not end at the response cycle");
    now = r + 1;
    floor = r;
    if (fc && flushed + 1 > now) now = flushed + 1;
    if (fc && flushed + 1 > floor) floor = flushed + 1;
    wait(d);

    std::printf("{\"line\":%u,\"op\":\"%s\",\"va\":\"0x%08" PRIx64 "\",\"priv\":\"%s\",\"ac\":%s",
                c.line, pmmu_access_name(c.access), c.a, pmmu_priv_name(c.priv),
                c.ac ? "true" : "false");
    if (last.outcome == PMMU_OK) std::printf(",\"pa\":\"0x%09" PRIx64 "\"", last.pa);
    else if (last.outcome == PMMU_PAGE_FAULT)
      std::printf(",\"fault\":{\"vector\":%d,\"ec\":\"0x%" PRIx32 "\",\"cr2\":\"0x%08" PRIx32 "\"}",
                  PMMU_VECTOR_PF, last.error_code, last.cr2);
    else std::printf(",\"bus_error\":{\"pa\":\"0x%09" PRIx64 "\"}", last.bus_error_pa);
    std::printf(",\"tlb\":\"%s\",\"cycles\":%" PRIu32 "}\n", pmmu_tlb_use_name(last.tlb),
                last.cycles);
  }

  static void describe(const pmmu_response &r, char *buf, size_t len) {
    if (r.outcome == PMMU_OK) std::snprintf(buf, len, "pa 0x%09" PRIx64, r.pa);
    else if (r.outcome == PMMU_PAGE_FAULT)
      std::snprintf(buf, len, "fault 0x%" PRIx32, r.error_code);
    else std::snprintf(buf, len, "bus-error 0x%09" PRIx64, r.bus_error_pa);
  }

  void run_expect(const scn_cmd &c) {
    char want[96], got[96];
    bool ok;
    switch (c.kind) {
    case SCN_EXPECT_PA:
    case SCN_EXPECT_FAULT:
      describe(last, got, sizeof got);
      if (c.kind == SCN_EXPECT_PA) {
        std::snprintf(want, sizeof want, "pa 0x%09" PRIx64, c.a);
        ok = last.outcome == PMMU_OK && last.pa == c.a;
      } else {
        std::snprintf(want, sizeof want, "fault 0x%" PRIx64, c.a);
        ok = last.outcome == PMMU_PAGE_FAULT && last.error_code == c.a;
      }
      break;
    case SCN_EXPECT_BUS_ERROR:
      describe(last, got, sizeof got);
      std::snprintf(want, sizeof want, "bus-error 0x%09" PRIx64, c.a);
      ok = last.outcome == PMMU_BUS_ERROR && last.bus_error_pa == c.a;
      break;
    case SCN_EXPECT_HIT:
    case SCN_EXPECT_MISS:
      std::snprintf(want, sizeof want, "%s", c.kind == SCN_EXPECT_HIT ? "hit" : "miss");
      std::snprintf(got, sizeof got, "%s", pmmu_tlb_use_name(last.tlb));
      ok = std::strcmp(want, got) == 0;
      break;
    default: {
      unsigned size = c.kind == SCN_EXPECT_MEM32 ? 4 : 8;
      mem->land_pokes(); // every poke listed before has landed (scenario-format.md)
      uint64_t v = mem->read(c.a, size);
      std::snprintf(want, sizeof want, "mem%u 0x%09" PRIx64 " 0x%0*" PRIx64, size * 8, c.a,
                    static_cast<int>(size) * 2, c.b);
      std::snprintf(got, sizeof got, "mem%u 0x%09" PRIx64 " 0x%0*" PRIx64, size * 8, c.a,
                    static_cast<int>(size) * 2, v);
      ok = v == c.b;
    }
    }
    if (!ok) failed++;
    json_begin(c, "expect");
    std::printf(",\"ok\":%s,\"want\":\"%s\",\"got\":\"%s\"}\n", ok ? "true" : "false", want, got);
  }

  void run_invlpg(const scn_cmd &c) {
    uint64_t cycle;
    if (!given_cycle(c, floor, "invlpg",
                     "a flush command comes in the cycle of the previous response (T6) or later,",
                     cycle))
      return;
    sc_time d = delay_to(cycle);
    pm->invlpg(static_cast<uint32_t>(c.a), d);
    if (pm->cycle_at(sc_core::sc_time_stamp() + d) != cycle + 1)
      oops(c, "INVLPG not given in its cycle");
    now = cycle + 1;
    floor = now;
    wait(d);
  }

  void run_ack(const scn_cmd &c) {
    if (pm->ack_interrupt_at(c.cycle) != PMMU_E_OK)
      timing_error(c, "an ack in cycle %" PRIu64 " is out of order", c.cycle);
  }

  void run_poke(const scn_cmd &c) {
    if (!mem->poke_at(c.cycle, c.a, c.kind == SCN_POKE32 ? 4 : 8, c.b))
      timing_error(c,
                   "a poke in cycle %" PRIu64 " comes too late: the memory took a walker "
                   "access in cycle %" PRIu64 " already",
                   c.cycle, mem->last_walk_cycle());
  }

  void run() {
    for (unsigned i = 0; i < s->n_cmds && !stopped(); i++) {
      const scn_cmd &c = s->cmds[i];
      const scn_cmd *next = i + 1 < s->n_cmds ? &s->cmds[i + 1] : nullptr;
      switch (c.kind) {
      case SCN_CR0: write_reg(c, next, 0, c.a); break;
      case SCN_CR3: write_reg(c, next, 1, c.a); break;
      case SCN_CR4: write_reg(c, next, 2, c.a); break;
      case SCN_EFER: write_reg(c, next, 3, c.a); break;
      case SCN_SET: run_set(c); break;
      case SCN_MEM32:
      case SCN_MEM64:
        mem->land_pokes();
        mem->write(c.a, c.kind == SCN_MEM32 ? 4 : 8, c.b);
        break;
      case SCN_DUMP32:
      case SCN_DUMP64: {
        unsigned size = c.kind == SCN_DUMP32 ? 4 : 8;
        mem->land_pokes();
        json_begin(c, size == 4 ? "dump32" : "dump64");
        std::printf(",\"pa\":\"0x%09" PRIx64 "\",\"value\":\"0x%0*" PRIx64 "\"}\n", c.a,
                    static_cast<int>(size) * 2, mem->read(c.a, size));
        break;
      }
      case SCN_ACCESS: run_access(c, next && next->kind == SCN_FLUSH ? next : nullptr); break;
      case SCN_FLUSH: break; // given during the access before it
      case SCN_INVLPG: run_invlpg(c); break;
      case SCN_ACK: run_ack(c); break;
      case SCN_POKE32:
      case SCN_POKE64: run_poke(c); break;
      default: run_expect(c); break;
      }
    }
  }
};

} // namespace

int sc_main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pmmu_tlm_run FILE.pmmu\n");
    return 2;
  }
  scenario s;
  if (scenario_load(argv[1], &s, stderr)) {
    scenario_free(&s);
    return 2;
  }
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = s.tlb_sets;
  cfg.tlb_ways = s.tlb_ways;
  cfg.tlb_large = s.tlb_large;
  cfg.policy = s.policy;
  const sc_time period(10, sc_core::SC_NS);
  int status;
  {
    pmmu_tlm::pmmu_tlm pm("pmmu", cfg, period);
    pmmu_tlm::memory mem("memory", period, sc_core::SC_ZERO_TIME, &s.timing);
    runner cpu("cpu", &s, &pm, &mem);
    sc_core::sc_signal<bool> irq("irq");
    cpu.sock.bind(pm.cpu);
    pm.mem.bind(mem.socket);
    pm.irq.bind(irq);
    sc_core::sc_start();
    std::fflush(stdout);
    status = cpu.internal ? 4 : cpu.bad ? 2 : cpu.failed ? 1 : 0;
  }
  scenario_free(&s);
  return status;
}
