// pmmu_rtl_sc FILE.pmmu: the Verilated RTL (rtl/pmmu_top.sv, `verilator --sc`) in a SystemC
// simulation, pin level and clocked, checked against the TLM PMMU in the same simulation.
//
//   traffic generator (the scenario's commands) --+--> pmmu_tlm --> pmmu_tlm::memory
//                                                  '--> Vpmmu_top_sc pins <--> pin-level memory
//
// Both sides get every command in the same absolute clock cycle (TLM cycle c = time c x
// period = RTL clock cycle c): accesses, register writes (the RTL gets the control pins and
// the flush command that the TLM write reported, as a CPU drives the block), INVLPG. Both
// memories get the scenario's memory timing (the same seeded stream, so the same walk
// latencies). Compared: every access's outcome, PA, error code, CR2, tlb use, accept and
// response cycles; the interrupt line and its CR2 / error code in every simulated cycle;
// dumps and `expect mem`; and at the end every word of memory either side wrote.
//
// Timed commands (scenario-format.md, "Cycles"; scenario cycle 0 = clock cycle 5, the first
// after reset): `at CYCLE` commands in that clock cycle, a request also in the response
// cycle of the one before; `at CYCLE flush ...` on the flush port during the access;
// `ack CYCLE` as pf_ack_i high in that cycle (and pmmu_tlm::ack_interrupt_at on the TLM
// side), after which the bench also checks T10 on the pins on its own; `poke` in both
// memories, landing when each takes a later walker access.
//
// PAE: a write that loads the PDPTEs drives the load command on the pins and waits for
// pdpte_done_o, checking its cycle and #GP against the TLM's (T11), with a request on the next
// line presented during the load when it is timed so (which must not be accepted before D).
// The RTL is built for the default geometry (16 sets x 4 ways, 8 large, plru): scenarios of
// another geometry or policy exit 77 (ctest: skipped).
// Exit status: 0 the two agree, 1 they differ, 2 bad input, 77 not applicable.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "Vpmmu_top_sc.h"
#include "pmmu_tlm.h"
#include "pmmu_tlm_memory.h"

extern "C" {
#include "engine_sides.h" // ENGINE_HANG_CYCLES, ENGINE_HANG_ACCESSES
#include "pmem.h"
#include "scenario.h"
}

using namespace sc_core;
using pmmu_tlm::access_ext;

namespace {

constexpr unsigned reset_cycles = 4; // cycles 0..3 in reset; commands start in cycle 5

struct bench : sc_module {
  sc_in<bool> clk;
  // the DUT's pins
  sc_signal<bool> rst_n{"rst_n"}, cr0_pg{"cr0_pg"}, cr0_wp{"cr0_wp"}, cr4_pse{"cr4_pse"},
      cr4_pae{"cr4_pae"}, cr4_pge{"cr4_pge"}, cr4_smep{"cr4_smep"}, cr4_smap{"cr4_smap"},
      efer_nxe{"efer_nxe"}, req_valid{"req_valid"}, req_ready{"req_ready"}, req_ac{"req_ac"},
      resp_valid{"resp_valid"}, resp_fault{"resp_fault"}, resp_bus_err{"resp_bus_err"},
      resp_pwt{"resp_pwt"}, resp_pcd{"resp_pcd"}, resp_pat{"resp_pat"},
      mem_req_valid{"mem_req_valid"}, mem_req_ready{"mem_req_ready"}, mem_req_size{"mem_req_size"},
      mem_req_op{"mem_req_op"}, mem_resp_valid{"mem_resp_valid"}, mem_resp_err{"mem_resp_err"},
      flush_valid{"flush_valid"}, pf_irq{"pf_irq"}, pf_ack{"pf_ack"}, pdpte_done{"pdpte_done"},
      pdpte_gp{"pdpte_gp"};
  sc_signal<uint32_t> req_acc{"req_acc"}, req_priv{"req_priv"}, resp_ec{"resp_ec"},
      resp_tlb{"resp_tlb"}, flush_kind{"flush_kind"}, pf_ec{"pf_ec"}, cr3{"cr3"}, req_la{"req_la"},
      flush_la{"flush_la"}, pf_cr2{"pf_cr2"};
  sc_signal<uint64_t> resp_pa{"resp_pa"}, mem_req_pa{"mem_req_pa"},
      mem_req_expected{"mem_req_expected"}, mem_req_new{"mem_req_new"},
      mem_resp_data{"mem_resp_data"};
  sc_signal<bool> tlm_irq{"tlm_irq"};

  tlm_utils::simple_initiator_socket<bench> sock;
  const scenario *s;
  pmmu_tlm::pmmu_tlm *pm;
  pmmu_tlm::memory *tmem;
  pmem_t *rmem;
  uint64_t now = reset_cycles + 1, cycle = 0; // commands are issued a cycle ahead (TLM side)
  unsigned mismatches = 0, accesses = 0;
  bool done = false;

  // the pin-level memory: one request at a time (docs/timing.md T4)
  struct {
    bool busy = false, err = false, cas = false;
    uint64_t pa = 0, expected = 0, desired = 0, data = 0, accept = 0, response = 0;
    unsigned size = 4;
  } port;

  SC_HAS_PROCESS(bench);
  bench(sc_module_name n, const scenario *sc, pmmu_tlm::pmmu_tlm *p, pmmu_tlm::memory *tm,
        pmem_t *rm)
      : sc_module(n), clk("clk"), sock("sock"), s(sc), pm(p), tmem(tm), rmem(rm) {
    SC_THREAD(run);
  }

  void differ(unsigned line, const std::string &what) {
    std::printf("%s:%u: MISMATCH %s\n", scenario_display_name(s), line, what.c_str());
    mismatches++;
  }

  // ---- one RTL clock cycle: called at the negedge of `cycle` ----------------------------
  uint64_t mem_taken = 0; // walk accesses the memory has taken

  // When the RTL has hung (docs/verification.md "Hangs", the lockstep's rule in
  // engine_sides.h): ENGINE_HANG_CYCLES cycles of its own per operation, plus what the memory
  // holds each walk access it makes, and no more than ENGINE_HANG_ACCESSES of them.
  struct hang_watch {
    uint64_t start, taken;
  };
  hang_watch watch() const { return {cycle, mem_taken}; }
  bool hung(const hang_watch &w) const {
    const uint64_t n = mem_taken - w.taken;
    const pmem_timing *t = pmem_get_timing(rmem);
    return n > ENGINE_HANG_ACCESSES ||
           cycle > w.start + ENGINE_HANG_CYCLES + n * (uint64_t{t->wait_max} + t->lat_max + 1);
  }

  // An operation in flight (`active`) that has hung: reported, and the run ends.
  bool gave_up(bool &active, const hang_watch &hw, unsigned line, const char *what) {
    if (!hung(hw)) return false;
    differ(line, what);
    done = true;
    active = false;
    return true;
  }

  void serve_memory() {
    mem_req_ready.write(false);
    mem_resp_valid.write(false);
    if (!port.busy && mem_req_valid.read()) {
      mem_taken++;
      port.busy = true;
      port.cas = mem_req_op.read();
      port.pa = mem_req_pa.read();
      port.size = mem_req_size.read() ? 8 : 4;
      port.expected = mem_req_expected.read();
      port.desired = mem_req_new.read();
      pmem_next_timing(rmem, cycle, &port.accept, &port.response, &port.err);
    }
    if (!port.busy) return;
    if (cycle == port.accept) {
      mem_req_ready.write(true);
      pmmu_mem_ops ops = pmem_ops(rmem);
      bool ok = !port.err;
      if (ok && !port.cas) ok = ops.read(ops.ctx, port.pa, port.size, &port.data);
      else if (ok)
        ok = ops.cas(ops.ctx, port.pa, port.size, port.expected, port.desired, &port.data);
      port.err = !ok;
      if (!ok) port.data = 0;
    }
    if (cycle == port.response) {
      mem_resp_valid.write(true);
      mem_resp_data.write(port.data);
      mem_resp_err.write(port.err);
      port.busy = false;
    }
  }

  // The TLM side runs ahead of the RTL: its latch as it was in cycle c is the latest fault
  // answered before c (T10: readable from R + 1).
  struct fault_rec {
    uint64_t r;
    uint32_t cr2, ec;
  };
  std::vector<fault_rec> faults;

  void compare_irq() {
    if (tlm_irq.read() != pf_irq.read()) {
      differ(0, "cycle " + std::to_string(cycle) + ": irq TLM " + std::to_string(tlm_irq.read()) +
                    " RTL " + std::to_string(pf_irq.read()));
      return;
    }
    if (!pf_irq.read()) return;
    const fault_rec *latest = nullptr;
    for (const fault_rec &f : faults)
      if (f.r + 1 <= cycle) latest = &f;
    if (!latest || latest->cr2 != pf_cr2.read() || latest->ec != pf_ec.read())
      differ(0, "cycle " + std::to_string(cycle) + ": latched CR2/error code differ");
  }

  // T10 on the RTL's pins, apart from the TLM: the line in the cycle after an ack in c is low,
  // unless a #PF was answered in c itself (then the new fault wins and it stays up).
  std::deque<uint64_t> acked; // acks driven, their next cycle still to check
  unsigned acks_checked = 0;
  void check_ack() {
    if (acked.empty() || acked.front() + 1 != cycle) return;
    const uint64_t c = acked.front();
    acked.pop_front();
    bool new_fault = false;
    for (const fault_rec &f : faults) new_fault = new_fault || f.r == c;
    acks_checked++;
    if (pf_irq.read() != new_fault)
      differ(0, "cycle " + std::to_string(cycle) + ": the ack in cycle " + std::to_string(c) +
                    (new_fault ? " met a #PF answered in its cycle: the line must stay up"
                               : ": the line must be down"));
  }

  // Waits for the negedge of the next cycle; the caller reads the outputs of that cycle
  // and sets its inputs (sampled at the edge that ends it).
  void next_cycle() {
    wait(clk.negedge_event());
    cycle = static_cast<uint64_t>(sc_time_stamp() / pm->period());
    flush_valid.write(false);
    pf_ack.write(false);
    if (!acks.empty() && acks.front() == cycle) {
      pf_ack.write(true); // timing.md T10: the line falls from the next cycle
      acked.push_back(cycle);
      acks.pop_front();
    }
    if (cycle >= reset_cycles) compare_irq();
    check_ack();
    serve_memory();
    step_load();
    step_access();
  }

  void idle_until(uint64_t c) {
    while (cycle < c) next_cycle();
  }

  void set_control_pins() { set_control_pins(pm->control()); }

  sc_time delay_to(uint64_t c) const {
    sc_time t = pm->period() * static_cast<double>(c);
    return t > sc_time_stamp() ? t - sc_time_stamp() : SC_ZERO_TIME;
  }

  // ---- commands ---------------------------------------------------------------------
  // Scenario cycle 0 is clock cycle `off` (the first after reset): `at CYCLE`, `ack CYCLE`
  // and `poke CYCLE` are shifted by it on both sides.
  static constexpr uint64_t off = reset_cycles + 1;
  uint64_t floor = off; // the earliest cycle `at` may give an access or invlpg (run.c's floor)
  bool bad = false;     // a timed command too early: bad input, exit 2
  static constexpr const char *t8 = "a register write comes after the previous command ends (T8),";
  std::deque<uint64_t> acks; // pf_ack_i pulses still to drive, in increasing cycles

  void timing_error(const scn_cmd &c, const std::string &what) {
    std::fprintf(stderr, "%s:%u: error: %s\n", scenario_display_name(s), c.line, what.c_str());
    bad = true;
    done = true;
  }

  // The clock cycle a command is given in: `at CYCLE` (not before `min`) or `now`; the
  // message is run.c's, in scenario cycles.
  bool given_cycle(const scn_cmd &c, uint64_t min, const char *what, const char *why,
                   uint64_t &at) {
    if (!c.timed) {
      at = now;
      return true;
    }
    if (c.cycle + off < min) {
      timing_error(c, std::string(what) + " at cycle " + std::to_string(c.cycle) +
                          " is too early: " + why + " cycle " + std::to_string(min - off) +
                          " at the earliest");
      return false;
    }
    at = c.cycle + off;
    return true;
  }

  // The access in flight on the RTL's pins. Its TLM side is done at once; the RTL side runs
  // on as the bench advances the clock (step_access, from next_cycle) and is compared in
  // finish_access. Every command does its TLM side first, from a cycle before its own (the
  // TLM PMMU takes a cycle at or after the current time), then finishes the RTL's access:
  // so the next request can come in the response cycle R itself (T1) and the flush command
  // of `at CYCLE flush` inside the access (T7).
  struct {
    bool active = false, accepted = false, answered = false;
    const scn_cmd *c = nullptr;
    pmmu_response t{};
    uint64_t present = 0, a = 0, r = 0;
    hang_watch hw{};
    bool has_flush = false, flushed = false;
    pmmu_flush_kind fkind = PMMU_FLUSH_PAGE;
    uint32_t fla = 0;
    uint64_t fcycle = 0;
    bool fault = false, bus = false; // the RTL's response, as it was in R
    unsigned tlb = 0;
    uint32_t resp_ec = 0;
    uint64_t resp_pa = 0;
  } pend;

  void step_access() {
    if (!pend.active) return;
    if (!pend.answered) {
      if (pend.accepted && resp_valid.read()) {
        pend.answered = true;
        pend.r = cycle;
        pend.fault = resp_fault.read();
        pend.bus = resp_bus_err.read();
        pend.tlb = resp_tlb.read();
        pend.resp_ec = resp_ec.read();
        pend.resp_pa = resp_pa.read();
      }
      if (pend.accepted) {
        req_valid.write(false); // the edge that ended A took it
      } else if (cycle >= pend.present) {
        const scn_cmd &c = *pend.c;
        req_valid.write(true);
        req_la.write(static_cast<uint32_t>(c.a));
        req_acc.write(c.access == PMMU_WRITE ? 1u : c.access == PMMU_FETCH ? 2u : 0u);
        req_priv.write(c.priv == PMMU_USER ? 0u : c.priv == PMMU_IMPLICIT ? 2u : 1u);
        req_ac.write(c.ac);
        if (req_ready.read()) { // req_valid is high (written in this delta)
          pend.accepted = true;
          pend.a = cycle;
        }
      }
    }
    if (pend.has_flush && !pend.flushed && cycle == pend.fcycle) {
      flush_valid.write(true);
      flush_kind.write(static_cast<uint32_t>(pend.fkind));
      flush_la.write(pend.fla);
      pend.flushed = true;
    }
  }

  // Every command but an access waits for the access and the PDPTE load in flight.
  void finish_access() {
    finish_pending_access();
    finish_load();
  }

  void finish_pending_access() {
    if (!pend.active) return;
    while (!pend.answered || (pend.has_flush && !pend.flushed)) {
      if (gave_up(pend.active, pend.hw, pend.c->line, "the RTL never answered")) return;
      next_cycle();
    }
    pend.active = false;
    const pmmu_response &t = pend.t;
    const bool fault = pend.fault, bus = pend.bus;
    const unsigned tlb = pend.tlb;
    char got[200], want[200];
    std::snprintf(want, sizeof want,
                  "%s pa=0x%09" PRIx64 " ec=0x%x tlb=%s A=%" PRIu64 " R=%" PRIu64,
                  t.outcome == PMMU_OK           ? "ok"
                  : t.outcome == PMMU_PAGE_FAULT ? "#PF"
                                                 : "bus-error",
                  t.outcome == PMMU_OK ? t.pa : 0, t.outcome == PMMU_PAGE_FAULT ? t.error_code : 0,
                  pmmu_tlb_use_name(t.tlb), t.accept_cycle, t.response_cycle);
    std::snprintf(got, sizeof got, "%s pa=0x%09" PRIx64 " ec=0x%x tlb=%s A=%" PRIu64 " R=%" PRIu64,
                  bus     ? "bus-error"
                  : fault ? "#PF"
                          : "ok",
                  bus || fault ? 0 : pend.resp_pa, fault && !bus ? pend.resp_ec : 0,
                  tlb == 1   ? "hit"
                  : tlb == 0 ? "off"
                             : "miss",
                  pend.a, pend.r);
    const scn_cmd &c = *pend.c;
    if (std::strcmp(want, got) != 0) differ(c.line, std::string("TLM ") + want + " | RTL " + got);
    else
      std::printf("%s:%u: %s %s 0x%08" PRIx64 ": %s\n", scenario_display_name(s), c.line,
                  pmmu_access_name(c.access), pmmu_priv_name(c.priv), c.a, got);
  }

  void set_control_pins(const pmmu_control &c) {
    cr0_pg.write(c.cr0 & PMMU_CR0_PG);
    cr0_wp.write(c.cr0 & PMMU_CR0_WP);
    cr3.write(c.cr3);
    cr4_pse.write(c.cr4 & PMMU_CR4_PSE);
    cr4_pae.write(c.cr4 & PMMU_CR4_PAE);
    cr4_pge.write(c.cr4 & PMMU_CR4_PGE);
    cr4_smep.write(c.cr4 & PMMU_CR4_SMEP);
    cr4_smap.write(c.cr4 & PMMU_CR4_SMAP);
    efer_nxe.write(c.efer & PMMU_EFER_NXE);
  }

  void give_flush(unsigned flushed) {
    if (!flushed) return;
    flush_valid.write(true);
    flush_kind.write(flushed & PMMU_FLUSHED_ALL ? 1u : 0u);
    flush_la.write(0);
  }

  // A register write given in cycle `at`. `early`: the access on the next line when it is
  // timed from the write's cycle on (run.c's rule): if the write loads the PDPTEs, the RTL sees
  // it presented while the load runs (T11: it must not be accepted before D).
  void write_reg(const scn_cmd &c, int reg, uint64_t value, uint64_t at,
                 const scn_cmd *early = nullptr) {
    sc_time d = delay_to(at);
    const pmmu_control old = pm->control();
    pmmu_control next = old; // what the pins show while a PDPTE load runs
    switch (reg) {
    case 0: next.cr0 = static_cast<uint32_t>(value); break;
    case 1: next.cr3 = static_cast<uint32_t>(value); break;
    case 2: next.cr4 = static_cast<uint32_t>(value); break;
    default: next.efer = value; break;
    }
    pmmu_reg_result r = reg == 0   ? pm->write_cr0(static_cast<uint32_t>(value), d)
                        : reg == 1 ? pm->write_cr3(static_cast<uint32_t>(value), d)
                        : reg == 2 ? pm->write_cr4(static_cast<uint32_t>(value), d)
                                   : pm->write_efer(value, d);
    finish_access();
    idle_until(at);
    now = r.done_cycle + 1;
    floor = now;
    if (!r.pdptes_loaded && !r.gp_fault) {
      if (r.done_cycle != at) differ(c.line, "register write not made in its cycle");
      set_control_pins();
      give_flush(r.flushed);
      return;
    }
    load_pdptes(c, r, next, old, at, early != nullptr);
  }

  // T11 on the pins: the new control and the load command in `at`, the four reads served by
  // the memory as any walk's, done (pdpte_done_o) in the TLM's D with the same #GP verdict;
  // then the write's flush in D, or the old control back when it was refused. The load runs
  // on as the bench advances the clock (step_load, from next_cycle), so that the access on the
  // next line, when it is timed from the write's cycle on (`early`), is presented while it
  // runs: T11, not accepted before D.
  struct {
    bool active = false;
    const scn_cmd *c = nullptr;
    pmmu_reg_result r{};
    pmmu_control old{};
    hang_watch hw{};
  } load;

  void load_pdptes(const scn_cmd &c, const pmmu_reg_result &r, const pmmu_control &next,
                   const pmmu_control &old, uint64_t at, bool early) {
    set_control_pins(next);
    flush_valid.write(true);
    flush_kind.write(3u);
    flush_la.write(0);
    load.active = true;
    load.c = &c;
    load.r = r;
    load.old = old;
    load.hw = watch();
    // The first read is presented in cycle `at` itself, an output of the inputs just written:
    // let them reach the model (a delta to update the pins, one for its evaluation, one for its
    // outputs), then serve the memory of this cycle again.
    for (int delta = 0; delta < 3; delta++) wait(SC_ZERO_TIME);
    serve_memory();
    if (early) floor = at; // the access on the next line may be presented from `at` on
    else finish_load();
  }

  void step_load() {
    if (!load.active || !pdpte_done.read()) return;
    load.active = false;
    const pmmu_reg_result &r = load.r;
    if (cycle != r.done_cycle || pdpte_gp.read() != r.gp_fault)
      differ(load.c->line, "PDPTE load: TLM done in cycle " + std::to_string(r.done_cycle - off) +
                               (r.gp_fault ? " with #GP" : "") + " | RTL in cycle " +
                               std::to_string(cycle - off) + (pdpte_gp.read() ? " with #GP" : ""));
    if (r.gp_fault) set_control_pins(load.old); // refused: the registers keep their old values
    else give_flush(r.flushed);
  }

  void finish_load() {
    while (load.active) {
      if (gave_up(load.active, load.hw, load.c->line, "the RTL never finished the PDPTE load"))
        return;
      next_cycle();
    }
  }

  void write_reg(const scn_cmd &c, const scn_cmd *next, int reg, uint64_t value) {
    static const char *names[] = {"cr0", "cr3", "cr4", "efer"};
    uint64_t at;
    if (!given_cycle(c, now, names[reg], t8, at)) return;
    const bool early = next && next->kind == SCN_ACCESS && next->timed && next->cycle + off >= at;
    write_reg(c, reg, value, at, early ? next : nullptr);
  }

  void invlpg(const scn_cmd &c) {
    uint64_t at;
    if (!given_cycle(c, floor, "invlpg",
                     "a flush command comes in the cycle of the previous response (T6) or later,",
                     at))
      return;
    sc_time d = delay_to(at);
    pm->invlpg(static_cast<uint32_t>(c.a), d);
    finish_access();
    idle_until(at);
    flush_valid.write(true);
    flush_kind.write(2u);
    flush_la.write(static_cast<uint32_t>(c.a));
    now = at + 1;
    floor = now;
  }

  void access(const scn_cmd &c, const scn_cmd *fc) {
    uint64_t present;
    if (!given_cycle(c, floor, pmmu_access_name(c.access),
                     "a request comes in the cycle of the previous response (T1) or later,",
                     present))
      return;
    uint64_t fcycle = fc ? fc->cycle + off : 0;
    if (fc) { // T7: from the lookup cycle A + 1 on
      uint64_t ready = pmmu_ready_cycle(pm->model());
      uint64_t lookup = (present > ready ? present : ready) + 1;
      if (fcycle < lookup) {
        timing_error(*fc, "flush at cycle " + std::to_string(fc->cycle) +
                              " comes before the lookup cycle " + std::to_string(lookup - off) +
                              " of the access on line " + std::to_string(c.line) +
                              " (T7: a flush during an access comes from A + 1 on)");
        return;
      }
    }
    // TLM side first (it does not advance simulated time) ...
    tlm::tlm_generic_payload p;
    unsigned char byte = 0;
    access_ext ext(c.access, c.priv, c.ac);
    p.set_command(tlm::TLM_IGNORE_COMMAND); // translation only: the RTL has no data path
    p.set_address(c.a);
    p.set_data_ptr(&byte);
    p.set_data_length(1);
    p.set_streaming_width(1);
    p.set_extension(&ext);
    sc_time d = delay_to(present);
    sock->b_transport(p, d);
    p.clear_extension(&ext);
    const pmmu_response t = ext.resp;
    if (fc) {
      sc_time fd = delay_to(fcycle);
      if (pm->flush(fc->flush_kind, static_cast<uint32_t>(fc->a), fd) != fcycle)
        differ(fc->line, "the TLM flush was not given in its cycle");
    }
    accesses++;
    if (t.outcome == PMMU_PAGE_FAULT) faults.push_back({t.response_cycle, t.cr2, t.error_code});

    // ... then the RTL, pin by pin, cycle by cycle, up to the cycle before the TLM's response
    // (a PDPTE load may still run: the request is presented during it)
    finish_pending_access();
    if (done) return;
    pend.active = true;
    pend.accepted = pend.answered = pend.flushed = false;
    pend.c = &c;
    pend.t = t;
    pend.present = present;
    pend.hw = watch();
    pend.has_flush = fc != nullptr;
    if (fc) {
      pend.fkind = fc->flush_kind;
      pend.fla = static_cast<uint32_t>(fc->a);
      pend.fcycle = fcycle;
    }
    step_access(); // presented in the current cycle when it is R of the previous access
    while (!pend.answered && cycle + 1 < t.response_cycle && !hung(pend.hw)) next_cycle();
    now = t.response_cycle + 1;
    floor = t.response_cycle;
    if (fc && fcycle + 1 > now) now = fcycle + 1;
    if (fc && fcycle + 1 > floor) floor = fcycle + 1;
  }

  void ack(const scn_cmd &c) {
    const uint64_t at = c.cycle + off;
    if (pm->ack_interrupt_at(at) != PMMU_E_OK) {
      timing_error(c, "an ack in cycle " + std::to_string(c.cycle) + " is out of order");
      return;
    }
    if (at < cycle) {   // the clock is past it
      if (mismatches) { // the RTL answered late: a consequence of the differences above
        differ(c.line, "the RTL is past the ack's cycle " + std::to_string(c.cycle));
        done = true;
      } else { // a bench that cannot drive it: bad input (as `pmmu run --engine both`)
        timing_error(c, "an ack in cycle " + std::to_string(c.cycle) +
                            " comes before the cycle the block rests in");
      }
      return;
    }
    if (at == cycle) { // this cycle's inputs are still being set
      pf_ack.write(true);
      acked.push_back(at);
    } else {
      acks.push_back(at);
    }
  }

  void poke(const scn_cmd &c) {
    const uint64_t at = c.cycle + off;
    const unsigned size = c.kind == SCN_POKE32 ? 4 : 8;
    if (!tmem->poke_at(at, c.a, size, c.b)) {
      timing_error(c, "a poke in cycle " + std::to_string(c.cycle) +
                          " comes too late: the memory took a walker access in cycle " +
                          std::to_string(tmem->last_walk_cycle() - off) + " already");
      return;
    }
    if (at < pmem_last_access_cycle(rmem) || !pmem_poke(rmem, at, c.a, size, c.b))
      differ(c.line, "the RTL's memory cannot take the poke");
  }

  // Memory between operations: the RTL's walk memory traffic is over and every poke has
  // landed. The access in flight is run up to the cycle before its response only: its last
  // memory response came by then (T4: a walk answers the cycle after it), and the clock must
  // not pass into cycle R, where the next access may be presented (T1) and its TLM side must
  // be made from an earlier cycle.
  void settle_memory() {
    finish_load();
    while (pend.active && !pend.answered && cycle + 1 < pend.t.response_cycle && !hung(pend.hw))
      next_cycle();
    tmem->land_pokes();
    pmem_land_pokes(rmem);
  }

  void check_mem(const scn_cmd &c, unsigned size) {
    settle_memory();
    uint64_t t = tmem->read(c.a, size), r = pmem_read(rmem, c.a, size);
    if (t != r) differ(c.line, "memory differs at 0x" + std::to_string(c.a));
  }

  void run() {
    rst_n.write(false);
    set_control_pins();
    while (cycle + 1 < reset_cycles) next_cycle();
    next_cycle(); // cycle reset_cycles: the first one out of reset (its edge samples rst_n = 1)
    rst_n.write(true);
    for (unsigned i = 0; i < s->n_cmds && !done; i++) {
      const scn_cmd &c = s->cmds[i];
      const scn_cmd *next = i + 1 < s->n_cmds ? &s->cmds[i + 1] : nullptr;
      switch (c.kind) {
      case SCN_CR0: write_reg(c, next, 0, c.a); break;
      case SCN_CR3: write_reg(c, next, 1, c.a); break;
      case SCN_CR4: write_reg(c, next, 2, c.a); break;
      case SCN_EFER: write_reg(c, next, 3, c.a); break;
      case SCN_SET: {
        uint64_t at; // `at CYCLE set ...`: the first write in CYCLE, each next one after it
        if (!given_cycle(c, now, "set", t8, at)) break;
        for (unsigned k = 0; k < c.count && !done; k++) {
          const scn_assign &as = s->sets[c.first + k];
          scn_kind kind = scenario_bit_register(as.bit);
          int reg = kind == SCN_CR0 ? 0 : kind == SCN_EFER ? 3 : 2;
          pmmu_control ctl = pm->control();
          uint64_t v = reg == 0 ? ctl.cr0 : reg == 3 ? ctl.efer : ctl.cr4;
          uint64_t mask = scenario_bit_mask(as.bit);
          write_reg(c, reg, as.value ? v | mask : v & ~mask, k ? now : at);
        }
        break;
      }
      case SCN_MEM32:
      case SCN_MEM64: {
        unsigned size = c.kind == SCN_MEM32 ? 4 : 8;
        settle_memory();
        tmem->write(c.a, size, c.b);
        pmem_write(rmem, c.a, size, c.b);
        break;
      }
      case SCN_DUMP32: check_mem(c, 4); break;
      case SCN_DUMP64: check_mem(c, 8); break;
      case SCN_EXPECT_MEM32: check_mem(c, 4); break;
      case SCN_EXPECT_MEM64: check_mem(c, 8); break;
      case SCN_ACCESS:
        access(c,
               i + 1 < s->n_cmds && s->cmds[i + 1].kind == SCN_FLUSH ? &s->cmds[i + 1] : nullptr);
        break;
      case SCN_INVLPG: invlpg(c); break;
      case SCN_ACK: ack(c); break;
      case SCN_POKE32:
      case SCN_POKE64: poke(c); break;
      default: break; // flush (with its access), expect pa/fault/hit/miss/bus-error
      }
    }
    if (!bad) {
      finish_access();
      settle_memory();
      // let the last interrupt edge (and the last ack) be compared
      idle_until((acks.empty() || acks.back() < now ? now : acks.back()) + 2);
      for (const auto &pg : tmem->snapshot())
        for (unsigned off8 = 0; off8 < 4096; off8 += 8)
          if (tmem->read(pg.first * 4096 + off8, 8) != pmem_read(rmem, pg.first * 4096 + off8, 8))
            differ(0, "final memory differs at 0x" + std::to_string(pg.first * 4096 + off8));
    }
    sc_stop();
  }
};

// The RTL is built for the default TLB only.
bool applicable(const scenario &s, std::string &why) {
  pmmu_config def;
  pmmu_config_init(&def);
  if (s.tlb_sets != def.tlb_sets || s.tlb_ways != def.tlb_ways || s.tlb_large != def.tlb_large ||
      s.policy != def.policy) {
    why = "a TLB geometry or policy the RTL build does not have";
    return false;
  }
  return true;
}

} // namespace

int sc_main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pmmu_rtl_sc FILE.pmmu\n");
    return 2;
  }
  scenario s;
  if (scenario_load(argv[1], &s, stderr)) {
    scenario_free(&s);
    return 2;
  }
  std::string why;
  if (!applicable(s, why)) {
    std::printf("%s: skipped: %s\n", scenario_display_name(&s), why.c_str());
    scenario_free(&s);
    return 77;
  }
  sc_set_time_resolution(1, SC_NS); // the RTL's timeprecision (--timescale 1ns/1ns)
  sc_report_handler::set_actions("/OSCI/SystemC", SC_DO_NOTHING); // "simulation stopped"
  const sc_time period(10, SC_NS);
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  pmem_t *rmem = pmem_create();
  pmem_set_timing(rmem, &s.timing);
  int status;
  {
    sc_clock clk("clk", period);
    pmmu_tlm::pmmu_tlm pm("pmmu", cfg, period);
    pmmu_tlm::memory tmem("tlm_memory", period, SC_ZERO_TIME, &s.timing);
    Vpmmu_top_sc dut("dut");
    bench b("bench", &s, &pm, &tmem, rmem);
    b.clk(clk);
    b.sock.bind(pm.cpu);
    pm.mem.bind(tmem.socket);
    pm.irq.bind(b.tlm_irq);
    dut.clk_i(clk);
    dut.rst_ni(b.rst_n);
    dut.cr0_pg_i(b.cr0_pg);
    dut.cr0_wp_i(b.cr0_wp);
    dut.cr3_i(b.cr3);
    dut.cr4_pse_i(b.cr4_pse);
    dut.cr4_pae_i(b.cr4_pae);
    dut.cr4_pge_i(b.cr4_pge);
    dut.cr4_smep_i(b.cr4_smep);
    dut.cr4_smap_i(b.cr4_smap);
    dut.efer_nxe_i(b.efer_nxe);
    dut.req_valid_i(b.req_valid);
    dut.req_ready_o(b.req_ready);
    dut.req_la_i(b.req_la);
    dut.req_acc_i(b.req_acc);
    dut.req_priv_i(b.req_priv);
    dut.req_ac_i(b.req_ac);
    dut.resp_valid_o(b.resp_valid);
    dut.resp_pa_o(b.resp_pa);
    dut.resp_fault_o(b.resp_fault);
    dut.resp_ec_o(b.resp_ec);
    dut.resp_bus_err_o(b.resp_bus_err);
    dut.resp_tlb_o(b.resp_tlb);
    dut.resp_pwt_o(b.resp_pwt);
    dut.resp_pcd_o(b.resp_pcd);
    dut.resp_pat_o(b.resp_pat);
    dut.mem_req_valid_o(b.mem_req_valid);
    dut.mem_req_ready_i(b.mem_req_ready);
    dut.mem_req_pa_o(b.mem_req_pa);
    dut.mem_req_size_o(b.mem_req_size);
    dut.mem_req_op_o(b.mem_req_op);
    dut.mem_req_expected_o(b.mem_req_expected);
    dut.mem_req_new_o(b.mem_req_new);
    dut.mem_resp_valid_i(b.mem_resp_valid);
    dut.mem_resp_data_i(b.mem_resp_data);
    dut.mem_resp_err_i(b.mem_resp_err);
    dut.flush_valid_i(b.flush_valid);
    dut.flush_kind_i(b.flush_kind);
    dut.flush_la_i(b.flush_la);
    dut.pdpte_done_o(b.pdpte_done);
    dut.pdpte_gp_o(b.pdpte_gp);
    dut.pf_irq_o(b.pf_irq);
    dut.pf_cr2_o(b.pf_cr2);
    dut.pf_ec_o(b.pf_ec);
    dut.pf_ack_i(b.pf_ack);
    sc_start();
    dut.final();
    std::printf("%s: %u accesses, %u acks, %u mismatches between the TLM model and the RTL\n",
                scenario_display_name(&s), b.accesses, b.acks_checked, b.mismatches);
    status = b.bad ? 2 : b.mismatches ? 1 : 0;
  }
  pmem_destroy(rmem);
  scenario_free(&s);
  return status;
}
