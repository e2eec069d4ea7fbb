/*
 * The C side of the DPI testbench (tb_pmmu_dpi.sv): it records a scenario file or a cosim
 * stream on the C model alone, through the engine's recorder (engine.h), as the list of
 * operations a lockstep run would drive the RTL with, and hands them to the SystemVerilog
 * driver one at a time (DPI imports). It also draws the memory's timing for the testbench's
 * memory (pmem: the same seeded back-pressure, latency and bus errors as every engine), and
 * compares the testbench's counts with the recording's at the end.
 *
 * The stimulus does not depend on the RTL: in a lockstep run every cycle and every value the
 * stimulus uses are the model's too (engine.h), so the RTL under the scoreboard sees exactly
 * what `pmmu run --engine both` / `pmmu cosim --engine both` give it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "engine.h"
#include "pmem.h"
#include "run.h"
#include "scenario.h"
#include "svdpi.h"

/* The DPI imports of tb_pmmu_dpi.sv (and the thin main's exit status). */
int pmmu_tb_open(const char *scenario_path, long long seed, long long accesses, int bus_errors,
                 int wait_max, int lat_min, int lat_max, int sets, int ways, int large, int policy);
int pmmu_tb_next(void);
long long pmmu_tb_arg(int index);
void pmmu_tb_mem_timing(long long present, long long *accept, long long *response, svBit *err);
void pmmu_tb_done(long long requests, long long txns, long long mismatches, long long loads,
                  svBit hang);
int pmmu_tb_exit_status(void);

enum { CMD_END, CMD_REQUEST, CMD_CONTROL, CMD_LOAD, CMD_MEM_WRITE, CMD_BUS_ERROR };

#define NARGS 9
#define EXIT_SKIP 77 /* ctest's SKIP_RETURN_CODE: this testbench has another TLB geometry */

typedef struct cmd {
  int kind;
  int64_t a[NARGS];
} cmd;

typedef struct player {
  cmd *v;
  size_t n, cap, next;
  const cmd *cur; /* the command pmmu_tb_arg reads */
  engine_setup setup;
  pmem_t *mem; /* the testbench memory's timing and bus errors */
  uint64_t requests, loads, model_txns;
  int exit_status;
} player;

static player P = {.exit_status = 2};

static void push(int kind, const int64_t *args, unsigned n) {
  if (P.n == P.cap) {
    size_t cap = P.cap ? 2 * P.cap : 1024;
    cmd *grown = realloc(P.v, cap * sizeof *grown);
    if (!grown) {
      fprintf(stderr, "tb_pmmu_dpi: out of memory\n");
      exit(2);
    }
    P.v = grown;
    P.cap = cap;
  }
  cmd *c = &P.v[P.n++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  memcpy(c->a, args, n * sizeof *args);
}

/* The control inputs (pmmu_dpi.h's PMMU_DPI_CTL_* packing). */
static int64_t ctl_bits(const pmmu_control *c) {
  return ((c->cr0 & PMMU_CR0_PG) ? 0x01 : 0) | ((c->cr0 & PMMU_CR0_WP) ? 0x02 : 0) |
         ((c->cr4 & PMMU_CR4_PSE) ? 0x04 : 0) | ((c->cr4 & PMMU_CR4_PAE) ? 0x08 : 0) |
         ((c->cr4 & PMMU_CR4_PGE) ? 0x10 : 0) | ((c->cr4 & PMMU_CR4_SMEP) ? 0x20 : 0) |
         ((c->cr4 & PMMU_CR4_SMAP) ? 0x40 : 0) | ((c->efer & PMMU_EFER_NXE) ? 0x80 : 0);
}

/* ---- The recorder --------------------------------------------------------------------------- */

static void rec_setup(void *ctx, const engine_setup *setup) {
  (void)ctx;
  P.setup = *setup;
}

static void rec_translate(void *ctx, const pmmu_request *req, const engine_flush *flush) {
  (void)ctx;
  /* the port's encodings: priv 0 user, 1 supervisor, 2 implicit */
  int64_t priv = req->priv == PMMU_USER ? 0 : req->priv == PMMU_SUPERVISOR ? 1 : 2;
  int64_t a[NARGS] = {(int64_t)req->cycle,
                      req->la,
                      req->access,
                      priv,
                      req->ac,
                      flush != NULL,
                      flush ? flush->kind : 0,
                      flush ? flush->la : 0,
                      flush ? flush->after : 0};
  push(CMD_REQUEST, a, NARGS);
}

static void rec_control(void *ctx, const pmmu_control *ctl, int flush_kind, uint32_t la,
                        uint64_t cycle) {
  (void)ctx;
  int64_t a[] = {(int64_t)cycle, ctl_bits(ctl), ctl->cr3, flush_kind, la};
  push(CMD_CONTROL, a, 5);
}

static void rec_load(void *ctx, const pmmu_control *next, const pmmu_control *old, int flush_kind,
                     uint64_t cycle) {
  (void)ctx;
  int64_t a[] = {(int64_t)cycle, ctl_bits(next), next->cr3, ctl_bits(old), old->cr3, flush_kind};
  push(CMD_LOAD, a, 6);
}

static void rec_mem_write(void *ctx, uint64_t pa, unsigned size, uint64_t value) {
  (void)ctx;
  int64_t a[] = {(int64_t)pa, size, (int64_t)value};
  push(CMD_MEM_WRITE, a, 3);
}

static void rec_bus_error(void *ctx, uint64_t index) {
  (void)ctx;
  int64_t a[] = {(int64_t)index};
  push(CMD_BUS_ERROR, a, 1);
}

static void rec_done(void *ctx, const pmmu_stats *st) {
  (void)ctx;
  P.model_txns = st->mem_reads + st->ad_writes;
  P.requests = st->requests;
  P.loads = 0;
  for (size_t i = 0; i < P.n; i++) P.loads += P.v[i].kind == CMD_LOAD;
}

static const engine_recorder recorder = {.setup = rec_setup,
                                         .translate = rec_translate,
                                         .control = rec_control,
                                         .load_pdptes = rec_load,
                                         .mem_write = rec_mem_write,
                                         .bus_error = rec_bus_error,
                                         .done = rec_done};

/* ---- Recording ------------------------------------------------------------------------------ */

static int record_scenario(const char *path) {
  scenario s;
  if (scenario_load(path, &s, stderr)) {
    scenario_free(&s);
    return 2;
  }
  tb_error err;
  engine_setup setup = scenario_engine_setup(&s);
  engine_t *e = engine_create(ENGINE_MODEL, &setup, &err);
  if (!e) {
    fprintf(stderr, "tb_pmmu_dpi: %s: %s\n", path, err.msg);
    scenario_free(&s);
    return 2;
  }
  engine_set_recorder(e, &recorder);
  run_options opt = {.quiet = true};
  run_result res;
  int st = scenario_run(&s, e, &opt, stdout, &res, &err);
  if (st < 0) fprintf(stderr, "tb_pmmu_dpi: %s: %s\n", path, err.msg);
  engine_destroy(e);
  scenario_free(&s);
  printf("tb_pmmu_dpi: %s: %u accesses recorded\n", path, res.accesses);
  return st < 0 ? 2 : 0;
}

static int record_cosim(uint64_t seed, uint64_t accesses, const pmem_timing *timing,
                        const engine_setup *geometry) {
  cosim_options o;
  cosim_options_init(&o);
  o.seed = seed;
  o.accesses = accesses;
  o.quiet = true;
  o.setup.tlb_sets = geometry->tlb_sets;
  o.setup.tlb_ways = geometry->tlb_ways;
  o.setup.tlb_large = geometry->tlb_large;
  o.setup.policy = geometry->policy;
  if (timing->lat_min) o.setup.timing = *timing;
  o.recorder = &recorder;
  cosim_result res;
  tb_error err;
  FILE *sink = fopen("/dev/null", "w");
  int st = cosim_run(&o, sink ? sink : stdout, &res, &err);
  if (sink) fclose(sink);
  if (st < 0) {
    fprintf(stderr, "tb_pmmu_dpi: cosim seed %" PRIu64 ": %s\n", seed, err.msg);
    return 2;
  }
  char repro[512];
  cosim_command(&o, repro, sizeof repro);
  printf("tb_pmmu_dpi: recorded %s (%" PRIu64 " requests)\n", repro, res.requests);
  return 0;
}

/* ---- DPI imports ---------------------------------------------------------------------------- */

int pmmu_tb_open(const char *scenario_path, long long seed, long long accesses, int bus_errors,
                 int wait_max, int lat_min, int lat_max, int sets, int ways, int large,
                 int policy) {
  engine_setup geometry = {.tlb_sets = (unsigned)sets,
                           .tlb_ways = (unsigned)ways,
                           .tlb_large = (unsigned)large,
                           .policy = (pmmu_policy)policy};
  pmem_timing timing = {0};
  if (lat_min > 0) {
    pmem_timing_init(&timing);
    timing.lat_min = (unsigned)lat_min;
    timing.lat_max = (unsigned)(lat_max >= lat_min ? lat_max : lat_min);
    timing.wait_max = (unsigned)wait_max;
    timing.bus_error_permille = (unsigned)bus_errors;
  }
  int st = scenario_path && scenario_path[0]
               ? record_scenario(scenario_path)
               : record_cosim((uint64_t)seed, (uint64_t)accesses, &timing, &geometry);
  if (st) return P.exit_status = st;
  const engine_setup *s = &P.setup;
  if (s->tlb_sets != geometry.tlb_sets || s->tlb_ways != geometry.tlb_ways ||
      s->tlb_large != geometry.tlb_large || s->policy != geometry.policy) {
    printf("tb_pmmu_dpi: SKIPPED: the run wants a %ux%u+%u %s TLB, this testbench has %ux%u+%u "
           "%s\n",
           s->tlb_sets, s->tlb_ways, s->tlb_large, pmmu_policy_name(s->policy), geometry.tlb_sets,
           geometry.tlb_ways, geometry.tlb_large, pmmu_policy_name(geometry.policy));
    return P.exit_status = EXIT_SKIP;
  }
  if (!(P.mem = pmem_create())) return P.exit_status = 2;
  pmem_set_timing(P.mem, &s->timing);
  return 0;
}

int pmmu_tb_next(void) {
  while (P.next < P.n && P.v[P.next].kind == CMD_BUS_ERROR) { /* the memory's, not the driver's */
    pmem_set_bus_error_request(P.mem, pmem_requests(P.mem) + (uint64_t)P.v[P.next].a[0]);
    P.next++;
  }
  if (P.next == P.n) return CMD_END;
  P.cur = &P.v[P.next++];
  return P.cur->kind;
}

long long pmmu_tb_arg(int index) {
  return P.cur && index >= 0 && index < NARGS ? (long long)P.cur->a[index] : 0;
}

void pmmu_tb_mem_timing(long long present, long long *accept, long long *response, svBit *err) {
  uint64_t a, r;
  bool e;
  pmem_next_timing(P.mem, (uint64_t)present, &a, &r, &e);
  *accept = (long long)a;
  *response = (long long)r;
  *err = e;
}

void pmmu_tb_done(long long requests, long long txns, long long mismatches, long long loads,
                  svBit hang) {
  printf("tb_pmmu_dpi: scoreboard: %lld requests, %lld memory transactions, %lld PDPTE loads, "
         "%lld mismatches%s\n",
         requests, txns, loads, mismatches, hang ? ", the DUT hung" : "");
  printf("tb_pmmu_dpi: model run:  %" PRIu64 " requests, %" PRIu64 " memory transactions, %" PRIu64
         " PDPTE loads\n",
         P.requests, P.model_txns, P.loads);
  bool same = (uint64_t)requests == P.requests && (uint64_t)txns == P.model_txns &&
              (uint64_t)loads == P.loads;
  if (mismatches || hang) {
    printf("tb_pmmu_dpi: FAIL: the scoreboard found the DUT differs from the model\n");
    P.exit_status = 3;
  } else if (!same) {
    printf("tb_pmmu_dpi: FAIL: no mismatch, but the counts differ from the model run's\n");
    P.exit_status = 1;
  } else {
    printf("tb_pmmu_dpi: PASS\n");
    P.exit_status = 0;
  }
  pmem_destroy(P.mem);
  P.mem = NULL;
  free(P.v);
  P.v = NULL;
}

int pmmu_tb_exit_status(void) { return P.exit_status; }
