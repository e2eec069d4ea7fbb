// pmmu_rtl.cpp: the one thin C++ shim over the Verilated PMMU variants (pmmu_rtl.h).
//
// The variants are listed by the build in the generated header pmmu_rtl_variants.h as an
// X-macro PMMU_RTL_VARIANT_LIST(X), X(prefix, name, sets, ways, large, policy, mutant),
// with every Verilated model header included. This file must be a source of the same
// target as the verilate() calls, so that VM_TRACE / VM_TRACE_FST are seen.

#include "pmmu_rtl.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <verilated.h>
#if VM_COVERAGE
#include <unistd.h>
#include <verilated_cov.h>
#endif
#if VM_TRACE
#include <gtkwave/fstapi.h> // the reader of pmmu_rtl_fst_check (compiled into verilated_fst_c)
#include <verilated_fst_c.h>
#endif

#include "pmmu_rtl_variants.h"

// The idle-edge check compares the model's state as bytes, padding included: the padding is
// never written (stable garbage, so a compare is still exact), and is declared defined for
// valgrind's memcheck, which would report the compare of uninitialised bytes.
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

namespace {

// field masks of the encoded inputs (widths from rtl/pmmu_pkg.sv)
constexpr uint8_t kAccMask = (1u << PMMU_RTL_ACC_T_BITS) - 1u;
constexpr uint8_t kPrivMask = (1u << PMMU_RTL_PRIV_T_BITS) - 1u;
constexpr uint8_t kFlushMask = (1u << PMMU_RTL_FLUSH_T_BITS) - 1u;

// Port access common to all variants (they have identical ports).
class Model {
public:
  virtual ~Model() {}
  virtual void set_clk(uint8_t v) = 0;
  virtual void set_rst_n(uint8_t v) = 0;
  virtual void set_inputs(const pmmu_rtl_in_t &in) = 0;
  // writes into the ports the fields of `in` that differ from `old` (the inputs last written)
  virtual void update_inputs(const pmmu_rtl_in_t &in, const pmmu_rtl_in_t &old) = 0;
  virtual void set_mem(uint8_t req_ready, uint8_t resp_valid, uint64_t data, uint8_t err) = 0;
  virtual void get_outputs(pmmu_rtl_out_t *out) = 0;
  virtual uint8_t req_ready() = 0;
  virtual void eval() = 0;
  // true when rise_from_high() is available (see RiseFromHigh below)
  virtual bool can_rise_from_high() const = 0;
  // a rising edge evaluated with clk_i already high: Verilator's edge detector is told that
  // clk_i was low, so the falling half-cycle costs no evaluation
  virtual void rise_from_high() = 0;
  virtual void final_() = 0;
  // the model's whole state (every signal, the ports included) as bytes (Idle below)
  virtual const void *state() const = 0;
  virtual size_t state_size() const = 0;
#if VM_TRACE
  virtual void trace(VerilatedFstC *tfp) = 0;
  // the next dump compares the ports (clk_i among them) although nothing was evaluated since
  // the last one: Verilator's dump skips a model whose activity flag no eval() has set
  virtual void trace_ports_changed() = 0;
#endif
};

// Verilator 5 detects posedge clk_i in eval() by comparing clk_i with the value it saw in the
// previous eval(), kept in the root's __Vtrigrprev__TOP__clk_i (the name of Verilator 5.0 to
// 5.010; later versions renamed it). A falling edge with no logic on it (pmmu_top has only
// posedge flops) still costs a whole eval(): the input-dependent region and the scheduler,
// about a third of an untraced cycle. Where that member exists, the shim leaves clk_i high
// between edges and sets the remembered value to 0 just before the next rising eval();
// where it does not, the shim falls back to evaluating clk_i low (RiseFromHigh is false).
template <class R, class = void>
struct RiseFromHigh {
  static constexpr bool value = false;
  static void arm(R *) {}
};
template <class R>
struct RiseFromHigh<R, std::void_t<decltype(std::declval<R &>().__Vtrigrprev__TOP__clk_i)>> {
  static constexpr bool value = true;
  static void arm(R *r) { r->__Vtrigrprev__TOP__clk_i = 0; }
};

// kTraced: M was Verilated with tracing (M::trace exists); false for an untraced twin
// (rtl/CMakeLists.txt), whose blocks are never dumped (pmmu_rtl_trace_open refuses them).
template <class M, bool kTraced = true>
class ModelT final : public Model {
  using Root = std::remove_pointer_t<decltype(std::declval<M &>().rootp)>;
  // a complete type, or RiseFromHigh would silently take the slow path
  static_assert(sizeof(Root) > 0, "include the model's ___024root.h (pmmu_rtl_variants.h)");

public:
  explicit ModelT(VerilatedContext *ctx) : m_(ctx, "pmmu") {}
  void set_clk(uint8_t v) override { m_.clk_i = v; }
  void set_rst_n(uint8_t v) override { m_.rst_ni = v; }
  void set_inputs(const pmmu_rtl_in_t &in) override {
    m_.cr0_pg_i = in.cr0_pg & 1u;
    m_.cr0_wp_i = in.cr0_wp & 1u;
    m_.cr3_i = in.cr3;
    m_.cr4_pse_i = in.cr4_pse & 1u;
    m_.cr4_pae_i = in.cr4_pae & 1u;
    m_.cr4_pge_i = in.cr4_pge & 1u;
    m_.cr4_smep_i = in.cr4_smep & 1u;
    m_.cr4_smap_i = in.cr4_smap & 1u;
    m_.efer_nxe_i = in.efer_nxe & 1u;
    m_.req_valid_i = in.req_valid & 1u;
    m_.req_la_i = in.req_la;
    m_.req_acc_i = in.req_acc & kAccMask;
    m_.req_priv_i = in.req_priv & kPrivMask;
    m_.req_ac_i = in.req_ac & 1u;
    m_.mem_req_ready_i = in.mem_req_ready & 1u;
    m_.mem_resp_valid_i = in.mem_resp_valid & 1u;
    m_.mem_resp_data_i = in.mem_resp_data;
    m_.mem_resp_err_i = in.mem_resp_err & 1u;
    m_.flush_valid_i = in.flush_valid & 1u;
    m_.flush_kind_i = in.flush_kind & kFlushMask;
    m_.flush_la_i = in.flush_la;
    m_.pf_ack_i = in.pf_ack & 1u;
  }
  // Field by field: a port written only when its value changed (most cycles change only the
  // memory port's inputs, or none), in the order of pmmu_rtl_in_t.
  void update_inputs(const pmmu_rtl_in_t &in, const pmmu_rtl_in_t &old) override {
    if (in.cr0_pg != old.cr0_pg) m_.cr0_pg_i = in.cr0_pg & 1u;
    if (in.cr0_wp != old.cr0_wp) m_.cr0_wp_i = in.cr0_wp & 1u;
    if (in.cr3 != old.cr3) m_.cr3_i = in.cr3;
    if (in.cr4_pse != old.cr4_pse) m_.cr4_pse_i = in.cr4_pse & 1u;
    if (in.cr4_pae != old.cr4_pae) m_.cr4_pae_i = in.cr4_pae & 1u;
    if (in.cr4_pge != old.cr4_pge) m_.cr4_pge_i = in.cr4_pge & 1u;
    if (in.cr4_smep != old.cr4_smep) m_.cr4_smep_i = in.cr4_smep & 1u;
    if (in.cr4_smap != old.cr4_smap) m_.cr4_smap_i = in.cr4_smap & 1u;
    if (in.efer_nxe != old.efer_nxe) m_.efer_nxe_i = in.efer_nxe & 1u;
    if (in.req_valid != old.req_valid) m_.req_valid_i = in.req_valid & 1u;
    if (in.req_la != old.req_la) m_.req_la_i = in.req_la;
    if (in.req_acc != old.req_acc) m_.req_acc_i = in.req_acc & kAccMask;
    if (in.req_priv != old.req_priv) m_.req_priv_i = in.req_priv & kPrivMask;
    if (in.req_ac != old.req_ac) m_.req_ac_i = in.req_ac & 1u;
    if (in.mem_req_ready != old.mem_req_ready) m_.mem_req_ready_i = in.mem_req_ready & 1u;
    if (in.mem_resp_valid != old.mem_resp_valid) m_.mem_resp_valid_i = in.mem_resp_valid & 1u;
    if (in.mem_resp_data != old.mem_resp_data) m_.mem_resp_data_i = in.mem_resp_data;
    if (in.mem_resp_err != old.mem_resp_err) m_.mem_resp_err_i = in.mem_resp_err & 1u;
    if (in.flush_valid != old.flush_valid) m_.flush_valid_i = in.flush_valid & 1u;
    if (in.flush_kind != old.flush_kind) m_.flush_kind_i = in.flush_kind & kFlushMask;
    if (in.flush_la != old.flush_la) m_.flush_la_i = in.flush_la;
    if (in.pf_ack != old.pf_ack) m_.pf_ack_i = in.pf_ack & 1u;
  }
  void set_mem(uint8_t req_ready, uint8_t resp_valid, uint64_t data, uint8_t err) override {
    m_.mem_req_ready_i = req_ready & 1u;
    m_.mem_resp_valid_i = resp_valid & 1u;
    m_.mem_resp_data_i = data;
    m_.mem_resp_err_i = err & 1u;
  }
  void get_outputs(pmmu_rtl_out_t *o) override {
    o->req_ready = m_.req_ready_o;
    o->resp_valid = m_.resp_valid_o;
    o->resp_pa = m_.resp_pa_o;
    o->resp_fault = m_.resp_fault_o;
    o->resp_ec = m_.resp_ec_o;
    o->resp_bus_err = m_.resp_bus_err_o;
    o->resp_tlb = m_.resp_tlb_o;
    o->resp_pwt = m_.resp_pwt_o;
    o->resp_pcd = m_.resp_pcd_o;
    o->resp_pat = m_.resp_pat_o;
    o->mem_req_valid = m_.mem_req_valid_o;
    o->mem_req_pa = m_.mem_req_pa_o;
    o->mem_req_size = m_.mem_req_size_o == PMMU_RTL_MEM_SIZE8 ? 8u : 4u;
    o->mem_req_op = m_.mem_req_op_o;
    o->mem_req_expected = m_.mem_req_expected_o;
    o->mem_req_new = m_.mem_req_new_o;
    o->pf_irq = m_.pf_irq_o;
    o->pf_cr2 = m_.pf_cr2_o;
    o->pf_ec = m_.pf_ec_o;
    o->pdpte_done = m_.pdpte_done_o;
    o->pdpte_gp = m_.pdpte_gp_o;
  }
  uint8_t req_ready() override { return m_.req_ready_o; }
  void eval() override { m_.eval(); }
  bool can_rise_from_high() const override { return RiseFromHigh<Root>::value; }
  void rise_from_high() override {
    RiseFromHigh<Root>::arm(m_.rootp);
    m_.clk_i = 1;
    m_.eval();
  }
  void final_() override { m_.final(); }
  const void *state() const override { return m_.rootp; }
  size_t state_size() const override { return sizeof(Root); }
#if VM_TRACE
  void trace(VerilatedFstC *tfp) override {
    if constexpr (kTraced) m_.trace(tfp, 99);
    else (void)tfp;
  }
  void trace_ports_changed() override {
    if constexpr (kTraced) m_.rootp->vlSymsp->__Vm_activity = true;
  }
#endif

private:
  M m_;
};

using Factory = Model *(*)(VerilatedContext *);

template <class M, bool kTraced = true>
Model *make_model(VerilatedContext *ctx) {
  return new ModelT<M, kTraced>(ctx);
}

struct Entry {
  pmmu_rtl_variant_t info;
  Factory make;
};

#define PMMU_RTL_ENTRY(prefix, name, sets, ways, large, policy, mutant) \
  {{name, sets, ways, large, static_cast<pmmu_rtl_policy_t>(policy), mutant}, &make_model<prefix>},

const Entry kVariants[] = {PMMU_RTL_VARIANT_LIST(PMMU_RTL_ENTRY)};
const unsigned kNumVariants = sizeof(kVariants) / sizeof(kVariants[0]);

// Untraced twins (rtl/CMakeLists.txt: the default geometry, when the variants are traced): a
// model Verilated with tracing keeps every traced value in memory and runs about 7% slower
// even while no dump is open, so a block that no dump is wanted of is made of its variant's
// twin where there is one (create()).
#ifndef PMMU_RTL_UNTRACED_LIST
#define PMMU_RTL_UNTRACED_LIST(X)
#endif
struct Twin {
  const char *name; // the traced variant's
  Factory make;
};
#define PMMU_RTL_TWIN(prefix, name) {name, &make_model<prefix, false>},
const Twin kTwins[] = {PMMU_RTL_UNTRACED_LIST(PMMU_RTL_TWIN){nullptr, nullptr}};

// indexed by the POLICY parameter's value (rtl/pmmu_pkg.sv POL_*)
const char *const kPolicyNames[] = {"plru", "lru", "fifo", "random"};
static_assert(PMMU_RTL_PLRU == 0 && PMMU_RTL_LRU == 1 && PMMU_RTL_FIFO == 2 && PMMU_RTL_RANDOM == 3,
              "kPolicyNames and pmmu_rtl_policy_from_name assume POL_* = 0..3");

bool ieq(const char *a, const char *b) {
  for (; *a && *b; ++a, ++b) {
    if (std::tolower(static_cast<unsigned char>(*a)) !=
        std::tolower(static_cast<unsigned char>(*b))) {
      return false;
    }
  }
  return *a == *b;
}

bool has_prefix_ci(const char *s, const char *prefix) {
  for (; *prefix; ++s, ++prefix) {
    if (!*s || std::tolower(static_cast<unsigned char>(*s)) !=
                   std::tolower(static_cast<unsigned char>(*prefix))) {
      return false;
    }
  }
  return true;
}

void list_variants(FILE *f) {
  std::fprintf(f, "pmmu_rtl: compiled variants:");
  for (unsigned i = 0; i < kNumVariants; ++i) std::fprintf(f, " %s", kVariants[i].info.name);
  std::fprintf(f, "\n");
}

} // namespace

struct pmmu_rtl {
  const Entry *entry = nullptr;
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Model> model;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> tfp;
#endif
  pmmu_rtl_in_t in{};
  pmmu_rtl_out_t out{};  // the outputs as last read from the model (pmmu_rtl_outputs)
  bool out_stale = true; // the model was evaluated since `out` was read
  // Evaluation state (docs/rtl.md "Simulation speed"): the model is evaluated only when what
  // the caller reads could have changed, two evaluations per cycle at most when untraced.
  bool need_eval = true;       // an input that outputs depend on changed since the last evaluation
  bool pending = false;        // inputs that only the next edge samples changed, not applied yet
  bool clk_high = false;       // the last evaluation was the rising edge (clk_i is still 1)
  bool stale = false;          // the request or the ack changed since the last evaluation
  bool rise_from_high = false; // the model supports Model::rise_from_high()
  bool traceable = true;       // the model has tracing compiled in (not an untraced twin)
  uint64_t cycle = 0;
  uint64_t edges = 0; // rising edges since construction (trace time base)
  // Idle edges (docs/rtl.md "Simulation speed"): quiet = no port written and no evaluation
  // since the last edge; fixed = the last quiet edge left the model's state as it found it.
  bool quiet = false;
  bool fixed = false;
  bool snap_valid = false;
  std::vector<unsigned char> snap; // the state after the last quiet edge
  uint64_t skipped = 0;            // edges not evaluated (fixed)
  // waveform sessions (pmmu_rtl_waves_auto)
  std::string trace_path;    // the open dump, or the automatic one still to open
  bool auto_pending = false; // open trace_path when cycle auto_from begins
  uint64_t auto_from = 0, auto_to = UINT64_MAX;
  uint64_t edges_at_cycle0 = 0; // edges when the last reset ended
};

namespace {

// Waveform session state (process-wide).
std::string g_auto_path;
uint64_t g_auto_from = 0, g_auto_to = UINT64_MAX;
void (*g_on_close)(const char *, void *) = nullptr;
void *g_on_close_ctx = nullptr;
std::vector<pmmu_rtl_t *> g_traced; // blocks with an open dump
pmmu_rtl_t *g_last = nullptr;       // the most recently created block
uint64_t g_last_cycle = 0, g_last_accept = UINT64_MAX, g_last_edges0 = 0;

#if VM_TRACE
// exit() closes every open dump. Signals are the program's: this library installs no handler
// (a handler may only set a flag; the program's run loop then ends the run, and freeing the
// block or pmmu_rtl_trace_close_all() finishes the dump: waves/pmmu_waves.h).
bool g_atexit = false;
uint64_t g_flush_every = 0; // pmmu_rtl_waves_flush
// The FST writer buffers every value change of a block (up to 128 MB) and sorts them per signal
// when it writes the block out, following one linked list per signal through the whole buffer:
// past the CPU's caches that walk misses on nearly every step, and it took two thirds of a
// traced run's CPU time. A block written every this many cycles stays in the cache (the file
// grows by its blocks' headers; docs/performance.md "The RTL engine").
constexpr uint64_t kFlushAuto = 4096;

void at_exit_close() { pmmu_rtl_trace_close_all(); }

void install_atexit() {
  if (g_atexit) return;
  g_atexit = true;
  std::atexit(at_exit_close);
}
#endif // VM_TRACE

// One dump per cycle (docs/waves.md "Time base"): the cycle's settled values (its registers,
// its inputs and the logic between) at its start, 10 * edges ns, drawn with clk_i rising there,
// then clk_i alone falling 5 ns later. Called with the cycle's inputs evaluated, before the
// rising edge's eval(); clk_i is left as `clk`. A second dump after the edge (what the shim did
// before) only showed the registers' new values 5 ns before the next cycle's inputs, beside
// combinational values of the old inputs that no edge samples, and compared every register
// and its logic a second time. The falling clock's dump compares only the ports, but still
// costs 8% of a traced cycle (docs/performance.md "The RTL engine").
void dump_cycle(pmmu_rtl_t *h, uint8_t clk) {
#if VM_TRACE
  if (!h->tfp) return;
  const uint64_t t = h->edges * 10;
  h->model->set_clk(1);
  h->tfp->dump(t);
  h->model->set_clk(0);
  h->model->trace_ports_changed();
  h->tfp->dump(t + 5);
  h->model->set_clk(clk);
  h->quiet = false; // the clock port was written (restored, not evaluated: the outputs stand)
#else
  (void)h;
  (void)clk;
#endif
}

// The automatic dump's window: open when its first cycle begins, close after its last.
void auto_window(pmmu_rtl_t *h) {
  if (h->auto_pending && h->cycle >= h->auto_from) {
    h->auto_pending = false;
    std::string path = h->trace_path;
    if (pmmu_rtl_trace_open(h, path.c_str()) != 0) h->auto_to = 0;
  }
}

// Outputs depend combinationally on the control state and the flush command only: never on
// the request (req_valid_i and its payload, T1), the memory port's inputs (mem_req_ready_i,
// mem_resp_*) or pf_ack_i, which only the next rising edge samples (docs/timing.md). A change
// of those is applied with the edge's evaluation, not evaluated on its own.
bool outputs_may_change(const pmmu_rtl_in_t &a, const pmmu_rtl_in_t &b) {
  return a.cr0_pg != b.cr0_pg || a.cr0_wp != b.cr0_wp || a.cr3 != b.cr3 || a.cr4_pse != b.cr4_pse ||
         a.cr4_pae != b.cr4_pae || a.cr4_pge != b.cr4_pge || a.cr4_smep != b.cr4_smep ||
         a.cr4_smap != b.cr4_smap || a.efer_nxe != b.efer_nxe || a.flush_valid != b.flush_valid ||
         a.flush_kind != b.flush_kind || a.flush_la != b.flush_la;
}

// The request and the ack: no output depends on them, but internal signals that the
// assertions sample at the edge do (the lookup, the walk's start), and Verilator samples them
// as the previous eval() left them: the edge is preceded by an evaluation with them applied.
bool request_changed(const pmmu_rtl_in_t &a, const pmmu_rtl_in_t &b) {
  return a.req_valid != b.req_valid || a.req_la != b.req_la || a.req_acc != b.req_acc ||
         a.req_priv != b.req_priv || a.req_ac != b.req_ac || a.pf_ack != b.pf_ack;
}

// The model's input ports always hold h->in: a change is written straight into the ports that
// changed (no evaluation: that is decided by need_eval and stale), so that neither a cycle
// without changes nor one changing only the memory port's inputs copies the other ports.
// Word by word (inlined; a difference in padding bytes only costs the field-wise pass).
bool same_inputs(const pmmu_rtl_in_t &a, const pmmu_rtl_in_t &b) {
  static_assert(sizeof(pmmu_rtl_in_t) % sizeof(uint64_t) == 0, "pmmu_rtl_in_t in whole words");
  uint64_t diff = 0;
#pragma GCC unroll 8
  for (size_t i = 0; i < sizeof a; i += sizeof(uint64_t)) {
    uint64_t x, y;
    std::memcpy(&x, reinterpret_cast<const char *>(&a) + i, sizeof x);
    std::memcpy(&y, reinterpret_cast<const char *>(&b) + i, sizeof y);
    diff |= x ^ y;
  }
  return diff == 0;
}

void take_inputs(pmmu_rtl_t *h, const pmmu_rtl_in_t &in) {
  if (same_inputs(in, h->in)) return;
  if (outputs_may_change(in, h->in)) h->need_eval = true;
  else h->pending = true;
  if (request_changed(in, h->in)) h->stale = true;
  h->model->update_inputs(in, h->in);
  h->in = in;
  h->quiet = false;
}

bool traced(const pmmu_rtl_t *h) {
#if VM_TRACE
  return h->tfp != nullptr;
#else
  (void)h;
  return false;
#endif
}

// An untraced block whose model allows it keeps clk_i high between edges (RiseFromHigh); a
// traced one evaluates clk_i low in every cycle, so that the dump shows the clock.
bool fast(const pmmu_rtl_t *h) { return h->rise_from_high && !traced(h); }

// Evaluates the current cycle with every input applied (clk_i low, or still high: fast()).
// The ports hold h->in already (take_inputs).
void settle(pmmu_rtl_t *h) {
  if (h->clk_high && !fast(h)) {
    h->model->set_clk(0);
    h->clk_high = false;
  }
  h->model->eval();
  h->need_eval = h->pending = h->stale = false;
  h->out_stale = true;
  h->quiet = false;
}

// An edge with no port written and no evaluation since the previous one computes the model's
// next state from exactly the bytes that edge left (Verilator's eval() is a function of the
// model's state; the ports are part of it). If that previous edge also left the state as it
// found it (the design idles: no request, a walk waiting for memory, ...), this one would too:
// it is not evaluated, and neither is any further one until a port is written. Exact, the
// assertions included: an edge that reported an error is never taken as a fixed point.
// Coverage builds evaluate every edge (their counters count evaluations).
bool idle_edge(pmmu_rtl_t *h) {
#if VM_COVERAGE
  (void)h;
  return false;
#else
  return h->quiet && h->fixed;
#endif
}

// After an evaluated edge: note whether it was a quiet one that changed nothing.
void note_edge(pmmu_rtl_t *h, bool quiet, int errors_before) {
  h->fixed = false;
  if (!quiet) { // the state after a non-quiet edge is not compared with anything
    h->snap_valid = false;
    return;
  }
  const void *st = h->model->state();
  size_t n = h->model->state_size();
  VALGRIND_MAKE_MEM_DEFINED(st, n);
  if (h->snap_valid && std::memcmp(st, h->snap.data(), n) == 0 &&
      h->ctx->errorCount() == errors_before) {
    h->fixed = true;
    return;
  }
  h->snap.resize(n);
  std::memcpy(h->snap.data(), st, n);
  h->snap_valid = true;
}

// one rising edge with the current inputs and reset level
void edge(pmmu_rtl_t *h) {
  // clk_i must have been evaluated low before it rises; a dump shows every input of the
  // cycle before the edge, so a traced block settles them first
  bool quick = fast(h);
  if (quick ? h->need_eval || h->stale : h->need_eval || h->clk_high || (traced(h) && h->pending)) {
    settle(h);
  }
  if (h == g_last && h->in.req_valid && h->model->req_ready()) { // accepted at this edge?
    g_last_accept = h->cycle;
  }
  h->pending = false; // only edge-sampled inputs changed: in the ports, the edge takes them
  dump_cycle(h, h->clk_high ? 1 : 0);
  if (quick && idle_edge(h)) {
    h->skipped++;
  } else if (quick) {
    bool quiet = h->quiet;
    int errors = quiet ? h->ctx->errorCount() : 0;
    h->model->rise_from_high();
    h->out_stale = true;
    note_edge(h, quiet, errors);
  } else {
    h->model->set_clk(1);
    h->model->eval();
    h->out_stale = true;
    h->fixed = h->snap_valid = false;
  }
  h->quiet = true;
  h->clk_high = true;
  h->stale = false;
  h->edges++;
  h->ctx->time(h->edges * 10);
}

pmmu_rtl_t *create(const Entry *e) {
  pmmu_rtl_t *h = new pmmu_rtl_t;
  h->entry = e;
  h->ctx.reset(new VerilatedContext);
  h->ctx->fatalOnError(false); // an assertion failure prints and is counted, no abort
  // plusargs for the models, e.g. PMMU_RTL_PLUSARGS="+verilator+rand+reset+2 +verilator+seed+7"
  if (const char *env = std::getenv("PMMU_RTL_PLUSARGS")) {
    std::vector<std::string> words;
    std::string w;
    for (const char *p = env;; ++p) {
      if (*p == ' ' || *p == '\t' || *p == '\0') {
        if (!w.empty()) words.push_back(w);
        w.clear();
        if (*p == '\0') break;
      } else {
        w += *p;
      }
    }
    std::vector<const char *> argv{"pmmu_rtl"};
    for (const std::string &a : words) argv.push_back(a.c_str());
    h->ctx->commandArgs(static_cast<int>(argv.size()), argv.data());
  }
#if VM_TRACE
  h->ctx->traceEverOn(true); // before the model is constructed
#endif
  // no dump wanted (pmmu_rtl_waves_auto not set): the variant's untraced twin, if it has one
  Factory make = e->make;
  if (g_auto_path.empty()) {
    for (const Twin *t = kTwins; t->name; ++t) {
      if (!e->info.mutant && std::strcmp(t->name, e->info.name) == 0) make = t->make;
    }
  }
  h->traceable = make == e->make;
  h->model.reset(make(h->ctx.get()));
  h->model->set_inputs(h->in); // every port once (+verilator+rand+reset may have set them)
  h->rise_from_high =
      h->model->can_rise_from_high() && std::getenv("PMMU_RTL_CLOCK_LOW") == nullptr;
  pmmu_rtl_reset(h, 2);
  g_last = h;
  g_last_cycle = 0;
  g_last_accept = UINT64_MAX;
  g_last_edges0 = h->edges_at_cycle0;
  if (!g_auto_path.empty()) {
    h->trace_path = g_auto_path;
    h->auto_pending = true;
    h->auto_from = g_auto_from;
    h->auto_to = g_auto_to;
    auto_window(h);
  }
  return h;
}

} // namespace

extern "C" {

unsigned pmmu_rtl_variant_count(void) { return kNumVariants; }

const pmmu_rtl_variant_t *pmmu_rtl_variant(unsigned i) {
  return i < kNumVariants ? &kVariants[i].info : nullptr;
}

int pmmu_rtl_policy_from_name(const char *name) {
  if (!name) return -1;
  for (int p = 0; p < 4; ++p) {
    if (ieq(name, kPolicyNames[p])) return p;
  }
  return -1;
}

const char *pmmu_rtl_policy_name(pmmu_rtl_policy_t p) {
  return (p >= 0 && p < 4) ? kPolicyNames[p] : "?";
}

pmmu_rtl_t *pmmu_rtl_new(unsigned sets, unsigned ways, unsigned large, pmmu_rtl_policy_t policy) {
  for (unsigned i = 0; i < kNumVariants; ++i) {
    const pmmu_rtl_variant_t &v = kVariants[i].info;
    if (!v.mutant && v.sets == sets && v.ways == ways && v.large == large && v.policy == policy) {
      return create(&kVariants[i]);
    }
  }
  std::fprintf(stderr,
               "pmmu_rtl: no compiled RTL variant for sets=%u ways=%u large=%u policy=%s"
               " (add \"%ux%ux%u_%s\" to PMMU_RTL_VARIANTS)\n",
               sets, ways, large, pmmu_rtl_policy_name(policy), sets, ways, large,
               pmmu_rtl_policy_name(policy));
  list_variants(stderr);
  return nullptr;
}

pmmu_rtl_t *pmmu_rtl_new_mutant(const char *name) {
  if (name) {
    const char *n = name;
    if (has_prefix_ci(n, "PMMU_MUTANT_")) n += std::strlen("PMMU_MUTANT_");
    for (unsigned i = 0; i < kNumVariants; ++i) {
      const pmmu_rtl_variant_t &v = kVariants[i].info;
      if (v.mutant && ieq(v.mutant, n)) return create(&kVariants[i]);
    }
  }
  std::fprintf(stderr, "pmmu_rtl: no compiled mutant '%s' (is PMMU_BUILD_MUTANTS on?)\n",
               name ? name : "(null)");
  list_variants(stderr);
  return nullptr;
}

#if VM_COVERAGE
// A PMMU_RTL_COVERAGE build (scripts/coverage): the block's line and toggle counts go to a file
// of their own in $PMMU_RTL_COVERAGE_DIR (none without it), which verilator_coverage merges.
// Written before the model goes: the counters are the model's.
static void write_coverage(pmmu_rtl_t *h) {
  const char *dir = std::getenv("PMMU_RTL_COVERAGE_DIR");
  if (!dir || !*dir) return;
  static unsigned written = 0;
  std::string path = std::string(dir) + "/pmmu-" + std::to_string(getpid()) + "-" +
                     std::to_string(written++) + ".dat";
  h->ctx->coveragep()->write(path.c_str());
}
#endif

void pmmu_rtl_free(pmmu_rtl_t *h) {
  if (!h) return;
  pmmu_rtl_trace_close(h);
  if (g_last == h) g_last = nullptr;
  h->model->final_();
#if VM_COVERAGE
  write_coverage(h);
#endif
  h->model.reset();
  h->ctx.reset();
  delete h;
}

const pmmu_rtl_variant_t *pmmu_rtl_info(const pmmu_rtl_t *h) { return &h->entry->info; }

void pmmu_rtl_reset(pmmu_rtl_t *h, unsigned cycles) {
  if (cycles == 0) cycles = 1;
  h->quiet = h->fixed = h->snap_valid = false;
  h->model->set_rst_n(0);
  h->need_eval = true;
  for (unsigned i = 0; i < cycles; ++i) edge(h);
  h->model->set_rst_n(1);
  h->quiet = false;
  settle(h);
  h->cycle = 0;
  h->edges_at_cycle0 = h->edges;
  if (h == g_last) {
    g_last_cycle = 0;
    g_last_edges0 = h->edges;
  }
}

const pmmu_rtl_out_t *pmmu_rtl_outputs(pmmu_rtl_t *h, const pmmu_rtl_in_t *in) {
  if (in) take_inputs(h, *in);
  if (h->need_eval || (h->clk_high && !fast(h))) settle(h);
  if (h->out_stale) { // once per evaluation, however often the caller looks
    h->model->get_outputs(&h->out);
    h->out_stale = false;
  }
  return &h->out;
}

void pmmu_rtl_eval(pmmu_rtl_t *h, const pmmu_rtl_in_t *in, pmmu_rtl_out_t *out) {
  const pmmu_rtl_out_t *o = pmmu_rtl_outputs(h, in);
  if (out) *out = *o;
}

void pmmu_rtl_set_inputs(pmmu_rtl_t *h, const pmmu_rtl_in_t *in) { take_inputs(h, *in); }

void pmmu_rtl_set_mem(pmmu_rtl_t *h, uint8_t req_ready, uint8_t resp_valid, uint64_t resp_data,
                      uint8_t resp_err) {
  pmmu_rtl_in_t &in = h->in;
  if (in.mem_req_ready == req_ready && in.mem_resp_valid == resp_valid &&
      in.mem_resp_data == resp_data && in.mem_resp_err == resp_err) {
    return;
  }
  in.mem_req_ready = req_ready;
  in.mem_resp_valid = resp_valid;
  in.mem_resp_data = resp_data;
  in.mem_resp_err = resp_err;
  h->model->set_mem(req_ready, resp_valid, resp_data, resp_err);
  h->quiet = false;
  h->pending = true; // no output depends on them: the edge takes them (a traced one dumps them)
}

void pmmu_rtl_tick(pmmu_rtl_t *h) {
  edge(h);
  h->cycle++;
  if (h == g_last) g_last_cycle = h->cycle;
  if (h->auto_to != UINT64_MAX && h->cycle > h->auto_to) {
    h->auto_pending = false;
    pmmu_rtl_trace_close(h);
  } else {
    auto_window(h);
  }
#if VM_TRACE
  if (h->tfp && ((g_flush_every && h->cycle % g_flush_every == 0) || h->cycle % kFlushAuto == 0)) {
    h->tfp->flush();
  }
#endif
}

uint64_t pmmu_rtl_cycle(const pmmu_rtl_t *h) { return h->cycle; }

int pmmu_rtl_errors(const pmmu_rtl_t *h) {
  int n = h->ctx->errorCount();
  if (n == 0 && h->ctx->gotError()) n = 1;
  return n;
}

int pmmu_rtl_trace_available(void) { return VM_TRACE ? 1 : 0; }

int pmmu_rtl_trace_open(pmmu_rtl_t *h, const char *path) {
#if VM_TRACE
  if (!h->traceable) {
    std::fprintf(stderr,
                 "pmmu_rtl: cannot open '%s': the block was made of the untraced model of %s"
                 " (call pmmu_rtl_waves_auto before creating a block to dump)\n",
                 path, h->entry->info.name);
    return -1;
  }
  if (h->tfp) pmmu_rtl_trace_close(h);
  h->tfp.reset(new VerilatedFstC);
  h->model->trace(h->tfp.get());
  h->tfp->open(path);
  if (!h->tfp->isOpen()) {
    h->tfp.reset();
    std::fprintf(stderr, "pmmu_rtl: cannot open trace '%s'\n", path);
    return -1;
  }
  h->trace_path = path;
  g_traced.push_back(h);
  install_atexit();
  return 0;
#else
  (void)h;
  std::fprintf(
      stderr,
      "pmmu_rtl: cannot open '%s': the RTL was built without tracing (PMMU_RTL_TRACE=OFF)\n", path);
  return -1;
#endif
}

void pmmu_rtl_trace_close(pmmu_rtl_t *h) {
#if VM_TRACE
  if (h->tfp) {
    // the cycle the block rests in (not ticked yet, e.g. a last response): dump it too,
    // 10 ns wide, so that a dump always ends with the cycle the run ended in
    h->model->set_inputs(h->in);
    h->model->eval();
    h->out_stale = true;
    h->quiet = false;
    dump_cycle(h, h->clk_high ? 1 : 0);
    h->tfp->dump(h->edges * 10 + 9);
    h->tfp->close();
    h->tfp.reset();
    for (size_t i = 0; i < g_traced.size(); ++i) {
      if (g_traced[i] == h) {
        g_traced.erase(g_traced.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    if (g_on_close) g_on_close(h->trace_path.c_str(), g_on_close_ctx);
  }
#else
  (void)h;
#endif
}

void pmmu_rtl_waves_flush(uint64_t every) {
#if VM_TRACE
  g_flush_every = every;
#else
  (void)every;
#endif
}

int pmmu_rtl_fst_check(const char *path, uint64_t *end_time) {
#if VM_TRACE
  void *ctx = fstReaderOpen(path);
  if (!ctx) return -1;
  if (end_time) *end_time = fstReaderGetEndTime(ctx);
  fstReaderClose(ctx);
  return 0;
#else
  (void)path;
  (void)end_time;
  return -1;
#endif
}

void pmmu_rtl_waves_auto(const char *path, uint64_t from, uint64_t to) {
  g_auto_path = path ? path : "";
  g_auto_from = from;
  g_auto_to = to;
}

void pmmu_rtl_waves_on_close(void (*fn)(const char *, void *), void *ctx) {
  g_on_close = fn;
  g_on_close_ctx = ctx;
}

void pmmu_rtl_trace_close_all(void) {
  while (!g_traced.empty()) pmmu_rtl_trace_close(g_traced.back());
}

uint64_t pmmu_rtl_last_cycle(void) { return g_last_cycle; }
uint64_t pmmu_rtl_last_accept(void) { return g_last_accept; }
uint64_t pmmu_rtl_cycle_time(uint64_t cycle) { return 10 * (g_last_edges0 + cycle); }

} // extern "C"
