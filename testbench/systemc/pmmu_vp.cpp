// pmmu_vp: an example virtual platform around the TLM PMMU (docs/systemc.md).
//
//   cpu (traffic generator + a tiny OS) --> pmmu_tlm --> pmmu_tlm::memory
//        ^------------- irq (#PF) --------------'
//
// The "OS" boots with paging off, builds its page tables through the PMMU (identity), maps
// itself with global 4 MiB supervisor pages (PA 0 .. 16 MiB at VA 0 .. 16 MiB, in every
// address space) and turns paging on. It then runs several user processes, each in its own
// address space (its own page directory), switching between them by CR3 writes every time
// slice. User pages are mapped on demand by the #PF handler (the CPU synchronises, waits for
// the irq line, reads the error code and CR2, maps a zeroed frame by ordinary supervisor
// writes through the PMMU, acknowledges, retries). Each process writes and reads back its
// own data (checked against a shadow copy: address spaces must not leak into each other),
// fetches code, pushes on its stack, and now and then writes to its read-only code (a
// protection #PF, "killed" access). Plain data accesses use DMI when the PMMU grants it.
// Time is loosely timed with a quantum keeper.
//
// usage: pmmu_vp [PROCESSES [ACCESSES [SEED]]]  (defaults 4, 20000, 1)
// Prints the workload's, the adapter's and the model's statistics, and "workload: ok".
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "pmmu_tlm.h"
#include "pmmu_tlm_memory.h"

using namespace sc_core;
using pmmu_tlm::access_ext;

namespace {

constexpr uint32_t P = 1, W = 2, U = 4, PS = 0x80, G = 0x100;
constexpr uint32_t code_va = 0x08048000, data_va = 0x10000000, stack_va = 0xBFFF0000;
constexpr unsigned code_pages = 4, data_pages = 16, stack_pages = 4;

struct process {
  uint32_t pd = 0;                               // CR3
  std::unordered_map<uint32_t, uint32_t> shadow; // data/stack word -> last value written
  uint32_t pc = code_va, sp = stack_va + stack_pages * 4096;
};

struct workload_stats {
  uint64_t accesses = 0, fetches = 0, reads = 0, writes = 0, dmi_accesses = 0;
  uint64_t demand_faults = 0, protection_faults = 0, unexpected = 0, mismatches = 0;
  uint64_t switches = 0, frames = 0, irq_edges = 0, dmi_invalidations_seen = 0;
};

struct cpu : sc_module {
  tlm_utils::simple_initiator_socket<cpu> sock;
  sc_in<bool> irq;
  pmmu_tlm::pmmu_tlm *pm;
  unsigned n_procs, n_accesses;
  uint64_t rng;
  std::vector<process> procs;
  uint32_t next_frame = 0x00100000;      // page tables and directories: 1 MiB ..
  uint32_t next_user_frame = 0x00800000; // user frames: 8 MiB .. 16 MiB
  tlm_utils::tlm_quantumkeeper qk;
  std::map<uint32_t, tlm::tlm_dmi> dmi_cache; // user pages of the current address space
  workload_stats st;

  SC_HAS_PROCESS(cpu);
  cpu(sc_module_name n, pmmu_tlm::pmmu_tlm *p, unsigned procs_, unsigned accesses, uint64_t seed)
      : sc_module(n), sock("sock"), irq("irq"), pm(p), n_procs(procs_), n_accesses(accesses),
        rng(seed) {
    sock.register_invalidate_direct_mem_ptr(this, &cpu::invalidate);
    SC_THREAD(run);
    SC_METHOD(count_irq);
    sensitive << irq.pos();
    dont_initialize();
  }

  void count_irq() { st.irq_edges++; }

  void invalidate(sc_dt::uint64 lo, sc_dt::uint64 hi) {
    st.dmi_invalidations_seen++;
    for (auto it = dmi_cache.begin(); it != dmi_cache.end();)
      it = (it->first <= hi && it->first + 4095 >= lo) ? dmi_cache.erase(it) : std::next(it);
  }

  uint32_t rand32() { // xorshift64*
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return static_cast<uint32_t>((rng * UINT64_C(2685821657736338717)) >> 32);
  }

  // One 4-byte access through the PMMU; false with ext.resp filled on a fault.
  bool transport(uint32_t la, pmmu_access acc, pmmu_priv priv, uint32_t &value, access_ext &ext) {
    unsigned char buf[4];
    for (int i = 0; i < 4; i++) buf[i] = static_cast<unsigned char>(value >> (8 * i));
    tlm::tlm_generic_payload p;
    ext.access = acc;
    ext.priv = priv;
    ext.ac = false;
    p.set_command(acc == PMMU_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(la);
    p.set_data_ptr(buf);
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p.set_extension(&ext);
    sc_time delay = qk.get_local_time();
    sock->b_transport(p, delay);
    p.clear_extension(&ext);
    qk.set(delay);
    if (qk.need_sync()) qk.sync();
    if (p.is_response_error()) {
      if (p.get_response_status() != tlm::TLM_ADDRESS_ERROR_RESPONSE) {
        std::fprintf(stderr, "unexpected response %s at 0x%08x\n", p.get_response_string().c_str(),
                     la);
        st.unexpected++;
      }
      return false;
    }
    value = buf[0] | buf[1] << 8 | buf[2] << 16 | static_cast<uint32_t>(buf[3]) << 24;
    if (p.is_dmi_allowed() && priv == PMMU_USER && acc != PMMU_FETCH) try_dmi(la);
    return true;
  }

  void try_dmi(uint32_t la) {
    tlm::tlm_dmi d;
    tlm::tlm_generic_payload p;
    access_ext ext(PMMU_READ, PMMU_USER, false);
    unsigned char b;
    p.set_address(la);
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_data_ptr(&b);
    p.set_data_length(1);
    p.set_extension(&ext);
    if (sock->get_direct_mem_ptr(p, d)) dmi_cache[la & ~0xFFFu] = d;
    p.clear_extension(&ext);
  }

  void kwrite(uint32_t la, uint32_t v) { // supervisor store (identity while paging is off)
    access_ext ext;
    if (!transport(la, PMMU_WRITE, PMMU_SUPERVISOR, v, ext)) st.unexpected++;
  }
  uint32_t kread(uint32_t la) {
    access_ext ext;
    uint32_t v = 0;
    if (!transport(la, PMMU_READ, PMMU_SUPERVISOR, v, ext)) st.unexpected++;
    return v;
  }
  uint32_t alloc_table() {
    uint32_t f = next_frame;
    next_frame += 4096;
    st.frames++;
    return f; // memory is zero until written: an empty table
  }

  void control(int reg, uint32_t v) {
    sc_time d = qk.get_local_time();
    if (reg == 0) pm->write_cr0(v, d);
    else if (reg == 3) pm->write_cr3(v, d);
    else pm->write_cr4(v, d);
    qk.set(d);
  }

  void boot() {
    control(0, 0); // paging off: build the tables through the PMMU at their physical addresses
    for (process &pr : procs) {
      pr.pd = alloc_table();
      for (uint32_t i = 0; i < 4; i++) // the kernel: 16 MiB, global 4 MiB pages, supervisor
        kwrite(pr.pd + 4 * i, (i << 22) | P | W | PS | G);
    }
    control(4, PMMU_CR4_PSE | PMMU_CR4_PGE);
    control(3, procs[0].pd);
    control(0, 0x80000000u | PMMU_CR0_WP);
  }

  // The #PF handler: map the page if it belongs to the process, else "kill" the access.
  bool handle_fault(process &pr, const access_ext &ext) {
    qk.sync(); // the interrupt is a synchronisation point
    if (!irq.read()) wait(irq.posedge_event());
    pmmu_interrupt_state is = pm->interrupt_state();
    if (is.cr2 != ext.resp.cr2 || is.error_code != ext.resp.error_code) st.unexpected++;
    pm->ack_interrupt();
    const uint32_t la = is.cr2, ec = is.error_code;
    if (ec & PMMU_EC_P) {
      st.protection_faults++;
      return false;
    }
    uint32_t flags;
    if (la >= code_va && la < code_va + code_pages * 4096) flags = P | U;
    else if ((la >= data_va && la < data_va + data_pages * 4096) ||
             (la >= stack_va && la < stack_va + stack_pages * 4096))
      flags = P | W | U;
    else {
      st.unexpected++;
      return false;
    }
    st.demand_faults++;
    uint32_t pde_va = pr.pd + 4 * (la >> 22); // page tables live in the identity-mapped kernel
    uint32_t pde = kread(pde_va);
    if (!(pde & P)) {
      pde = alloc_table() | P | W | U;
      kwrite(pde_va, pde);
    }
    uint32_t frame = next_user_frame;
    next_user_frame += 4096;
    st.frames++;
    if (flags == (P | U)) // code: fill the page with "instructions" before mapping it
      for (uint32_t off = 0; off < 4096; off += 4) kwrite(frame + off, 0x90909090u ^ off);
    kwrite((pde & ~0xFFFu) + 4 * ((la >> 12) & 0x3FF), frame | flags);
    return true; // not-present entries are never cached: no INVLPG needed
  }

  // One access of process `pr`, retried after demand paging.
  bool user_access(process &pr, uint32_t la, pmmu_access acc, uint32_t &value) {
    auto it = dmi_cache.find(la & ~0xFFFu);
    if (acc != PMMU_FETCH && it != dmi_cache.end() &&
        (acc == PMMU_READ ? it->second.is_read_allowed() : it->second.is_write_allowed())) {
      unsigned char *p = it->second.get_dmi_ptr() + (la - it->second.get_start_address());
      if (acc == PMMU_READ)
        value = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
      else
        for (int i = 0; i < 4; i++) p[i] = static_cast<unsigned char>(value >> (8 * i));
      qk.inc(acc == PMMU_READ ? it->second.get_read_latency() : it->second.get_write_latency());
      st.dmi_accesses++;
      return true;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      access_ext ext;
      uint32_t v = value;
      if (transport(la, acc, PMMU_USER, v, ext)) {
        value = v;
        return true;
      }
      if (!handle_fault(pr, ext)) return false;
    }
    st.unexpected++;
    return false;
  }

  void run() {
    procs.resize(n_procs);
    boot();
    unsigned cur = 0;
    const unsigned slice = 250;
    for (unsigned i = 0; i < n_accesses; i++) {
      if (i && i % slice == 0 && n_procs > 1) {
        cur = (cur + 1) % n_procs;
        control(3, procs[cur].pd); // flushes non-global entries, invalidates DMI
        st.switches++;
      }
      process &pr = procs[cur];
      uint32_t r = rand32(), v = 0;
      st.accesses++;
      switch (r % 8) {
      case 0:
      case 1: // fetch, mostly sequential
        pr.pc = (r & 0x100) ? code_va + (rand32() % (code_pages * 4096) & ~3u)
                            : code_va + ((pr.pc - code_va + 4) % (code_pages * 4096));
        st.fetches++;
        user_access(pr, pr.pc, PMMU_FETCH, v);
        break;
      case 2:
      case 3:
      case 4: { // data read, checked
        uint32_t la = data_va + (rand32() % (data_pages * 4096) & ~3u);
        st.reads++;
        if (user_access(pr, la, PMMU_READ, v)) {
          auto s = pr.shadow.find(la);
          if (v != (s == pr.shadow.end() ? 0 : s->second)) st.mismatches++;
        }
        break;
      }
      case 5:
      case 6: { // data write or stack push
        uint32_t la =
            (r & 0x200)
                ? data_va + (rand32() % (data_pages * 4096) & ~3u)
                : (pr.sp = pr.sp - 4 < stack_va ? stack_va + stack_pages * 4096 - 4 : pr.sp - 4);
        v = (cur << 28) ^ la ^ i;
        st.writes++;
        if (user_access(pr, la, PMMU_WRITE, v)) pr.shadow[la] = v;
        break;
      }
      default: // now and then a stray write to read-only code: #PF, the access is dropped
        if ((r >> 8) % 16 == 0) {
          v = 0xDEAD;
          st.writes++;
          user_access(pr, code_va + (r >> 12) % (code_pages * 4096) / 4 * 4, PMMU_WRITE, v);
        } else {
          uint32_t la = data_va + (rand32() % (data_pages * 4096) & ~3u);
          st.reads++;
          if (user_access(pr, la, PMMU_READ, v)) {
            auto s = pr.shadow.find(la);
            if (v != (s == pr.shadow.end() ? 0 : s->second)) st.mismatches++;
          }
        }
      }
    }
    qk.sync();
  }
};

} // namespace

int sc_main(int argc, char **argv) {
  unsigned procs = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 0)) : 4;
  unsigned accesses = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 20000;
  uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 0) : 1;
  if (procs < 1 || procs > 64 || seed == 0) {
    std::fprintf(stderr, "usage: pmmu_vp [PROCESSES 1..64 [ACCESSES [SEED != 0]]]\n");
    return 2;
  }
  const sc_time period(1, SC_NS); // a 1 GHz PMMU clock
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));

  pmmu_config cfg;
  pmmu_config_init(&cfg); // 16 x 4 + 8 large, plru
  pmem_timing walk;
  pmem_timing_init(&walk);
  walk.lat_min = 2; // the walker's memory: 2..6 cycles, up to 1 cycle of back-pressure
  walk.lat_max = 6;
  walk.wait_max = 1;
  walk.seed = seed;

  pmmu_tlm::pmmu_tlm pm("pmmu", cfg, period);
  pmmu_tlm::memory mem("memory", period, sc_time(4, SC_NS), &walk);
  sc_signal<bool> irq("irq");
  cpu c("cpu", &pm, procs, accesses, seed);
  c.sock.bind(pm.cpu);
  pm.mem.bind(mem.socket);
  pm.irq.bind(irq);
  c.irq.bind(irq);
  sc_start();

  const workload_stats &w = c.st;
  const pmmu_stats s = pm.stats();
  const pmmu_tlm::adapter_stats &a = pm.adapter_statistics();
  std::printf("pmmu_vp: %u processes, %" PRIu64 " accesses, simulated %s\n", procs, w.accesses,
              sc_time_stamp().to_string().c_str());
  std::printf("workload: fetches %" PRIu64 " reads %" PRIu64 " writes %" PRIu64
              " (through DMI %" PRIu64 ") context switches %" PRIu64 "\n",
              w.fetches, w.reads, w.writes, w.dmi_accesses, w.switches);
  std::printf("workload: demand #PF %" PRIu64 " protection #PF %" PRIu64 " irq edges %" PRIu64
              " frames %" PRIu64 " DMI invalidations seen %" PRIu64 "\n",
              w.demand_faults, w.protection_faults, w.irq_edges, w.frames,
              w.dmi_invalidations_seen);
  std::printf("pmmu: requests %" PRIu64 " hits %" PRIu64 " misses %" PRIu64 " (%.1f%% hits)"
              " walks %" PRIu64 " fills %" PRIu64 " dropped %" PRIu64 "\n",
              s.requests, s.hits, s.misses, s.requests ? 100.0 * s.hits / s.requests : 0.0, s.walks,
              s.fills, s.dropped);
  std::printf("pmmu: mem reads %" PRIu64 " A/D CAS %" PRIu64 " CAS restarts %" PRIu64
              " faults np %" PRIu64 " prot %" PRIu64 " rsvd %" PRIu64 "\n",
              s.mem_reads, s.ad_writes, s.cas_restarts, s.faults_not_present, s.faults_protection,
              s.faults_reserved);
  std::printf("pmmu: flushes non-global %" PRIu64 " all %" PRIu64 " page %" PRIu64
              " entries flushed %" PRIu64 " busy cycles %" PRIu64 " (%.2f per request)\n",
              s.flushes_nonglobal, s.flushes_all, s.flushes_page, s.entries_flushed, s.busy_cycles,
              s.requests ? static_cast<double>(s.busy_cycles) / s.requests : 0.0);
  std::printf("adapter: transactions %" PRIu64 " forwarded %" PRIu64 " DMI granted %" PRIu64
              " refused %" PRIu64 " invalidations %" PRIu64 " walk queries %" PRIu64 "\n",
              a.transactions, a.forwarded, a.dmi_granted, a.dmi_refused, a.dmi_invalidations,
              a.walk_timing_queries);
  const bool ok = w.unexpected == 0 && w.mismatches == 0 &&
                  w.irq_edges == w.demand_faults + w.protection_faults &&
                  s.faults_not_present == w.demand_faults &&
                  s.faults_protection == w.protection_faults;
  std::printf("workload: %s (unexpected %" PRIu64 ", data mismatches %" PRIu64 ")\n",
              ok ? "ok" : "FAILED", w.unexpected, w.mismatches);
  return ok ? 0 : 1;
}
