/* `pmmu sim`: the run and its report (sim.h, docs/os.md). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "sim.h"

#include "evlog.h"
#include "tb_budget.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TRANSIENT 4
#ifndef FORK_EVERY /* the events' rates, on average per access of a process (-D for stress runs) */
#define FORK_EVERY 40000u
#define BRK_EVERY 60000u
#define MPROTECT_EVERY 60000u
#define BAD_EVERY 100000u
#endif

void sim_options_init(sim_options *o) {
  memset(o, 0, sizeof *o);
  o->processes = 4;
  o->workload = WL_MIX;
  o->accesses = 1000000;
  o->seed = 1;
  o->quantum = 2000;
  o->events = true;
  o->engine = ENGINE_MODEL;
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  o->setup.tlb_sets = cfg.tlb_sets;
  o->setup.tlb_ways = cfg.tlb_ways;
  o->setup.tlb_large = cfg.tlb_large;
  o->setup.policy = cfg.policy;
  pmem_timing_init(&o->setup.timing);
  os_config_init(&o->os);
  o->os.check_every = 1000;
  wl_params_init(&o->wl);
}

typedef struct task {
  int pid;
  wl_gen gen;
  bool transient;
  uint64_t left; /* a transient child's accesses before it exits */
  bool heap_shrunk, data_ro;
} task;

typedef struct run {
  const sim_options *o;
  os_t *os;
  FILE *err;
  task *tasks;
  unsigned ntasks;
  wl_gen drv; /* the driver's own randomness: events, time slices */
  uint64_t done;
  sim_result *res;
  uint64_t next_progress;
  unsigned bad; /* program bugs so far */
  engine_t *e;
  bool stop; /* the engines disagreed: the run ends there */
} run;

static uint64_t hash64(uint64_t z) {
  z += UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void progress(run *r) {
  if (!r->o->progress || r->done < r->next_progress) return;
  r->next_progress = r->done + 65536;
  uint64_t total = r->o->accesses ? r->o->accesses : r->done;
  fprintf(stderr, "\rpmmu sim: %" PRIu64 " / %" PRIu64 " accesses (%.0f%%), %u frames in use  ",
          r->done, total, total ? 100.0 * (double)r->done / (double)total : 100.0,
          os_frames_used(r->os));
  fflush(stderr);
}

static void sim_access(run *r, int pid, os_access_kind kind, uint32_t va, uint32_t value) {
  if (!os_access(r->os, pid, kind, va, &value)) r->res->segv++;
  r->done++;
  /* Lockstep: the OS goes on with the model's responses (engine_accepted); the differences
   * are printed here, and the run stops at the first. */
  engine_finish(r->e);
  if (engine_report_pending(r->e, r->err, r->o->repro)) r->stop = true;
  if (tb_budget_spent(engine_ready_cycle(r->e))) { /* --max-cycles, --timeout, a signal */
    r->res->stopped = true;
    r->stop = true;
  }
  unsigned used = os_frames_used(r->os);
  if (used > r->res->max_frames_used) r->res->max_frames_used = used;
  progress(r);
}

static task *add_task(run *r, int pid) {
  task *t = &r->tasks[r->ntasks++];
  memset(t, 0, sizeof *t);
  t->pid = pid;
  return t;
}

static void remove_task(run *r, unsigned i) {
  os_exit(r->os, r->tasks[i].pid);
  r->tasks[i] = r->tasks[--r->ntasks];
}

/* Occasional events of a generated workload: every mechanism of the OS gets its turn. */
static void event(run *r, unsigned ti) {
  task *t = &r->tasks[ti];
  const os_config *c = &r->o->os;
  if (!t->transient && r->ntasks < r->o->processes + MAX_TRANSIENT &&
      wl_below(&r->drv, FORK_EVERY) == 0) {
    int child = os_fork(r->os, t->pid);
    if (child > 0) {
      wl_gen gen = t->gen; /* the child carries on where the parent is */
      gen.rng ^= hash64(r->done);
      task *ct = add_task(r, child); /* may move r->tasks: t is not used after this */
      ct->gen = gen;
      ct->transient = true;
      ct->left = 2000 + wl_below(&r->drv, 6000);
      ct->data_ro = gen.data_ro;
    }
    return;
  }
  if (wl_below(&r->drv, BRK_EVERY) == 0) {
    unsigned pages =
        t->heap_shrunk ? c->heap_pages : c->heap_pages * (50 + wl_below(&r->drv, 40)) / 100;
    if (os_set_heap_pages(r->os, t->pid, pages)) t->heap_shrunk = !t->heap_shrunk;
    return;
  }
  if (wl_below(&r->drv, MPROTECT_EVERY) == 0) {
    os_area data;
    if (os_area_of(r->os, t->pid, OS_AREA_DATA, &data) &&
        os_mprotect(r->os, t->pid, data.start, data.end - data.start, t->data_ro)) {
      t->data_ro = !t->data_ro;
      t->gen.data_ro = t->data_ro;
    }
    return;
  }
  if (wl_below(&r->drv, BAD_EVERY) == 0) { /* a bug in the program: SIGSEGV */
    os_area text;
    switch (r->bad++ % 3) { /* each kind in turn */
    case 0: sim_access(r, t->pid, OS_R, 4 * wl_below(&r->drv, 64), 0); break; /* NULL->field */
    case 1:
      if (os_area_of(r->os, t->pid, OS_AREA_TEXT, &text))
        sim_access(r, t->pid, OS_W, text.start + 4 * wl_below(&r->drv, (text.end - text.start) / 4),
                   0xDEADBEEF);
      break;
    default: sim_access(r, t->pid, OS_R, OS_KERNEL_START + 4 * wl_below(&r->drv, 1024), 0); break;
    }
  }
}

/* The program's start-up in the first process: its data and part of its heap written, so
 * that the processes forked from it share them copy-on-write. */
static void warm_up(run *r, int pid) {
  os_area a;
  if (os_area_of(r->os, pid, OS_AREA_DATA, &a))
    for (uint32_t va = a.start; va < a.end && r->done < r->o->accesses && !r->stop; va += OS_PAGE)
      sim_access(r, pid, OS_W, va + 64, (uint32_t)hash64(va));
  if (os_area_of(r->os, pid, OS_AREA_HEAP, &a))
    for (uint32_t va = a.start;
         va < a.end && va < a.start + 64 * OS_PAGE && r->done < r->o->accesses && !r->stop;
         va += OS_PAGE)
      sim_access(r, pid, OS_W, va, (uint32_t)hash64(va));
}

static void run_generated(run *r) {
  static const wl_pattern mix[] = {WL_WS, WL_PHASES, WL_SEQ, WL_RANDOM};
  const sim_options *o = r->o;
  int init = os_spawn(r->os, "pmmu-sim");
  if (init < 0) return;
  warm_up(r, init);
  add_task(r, init);
  for (unsigned i = 1; i < o->processes && !r->stop; i++) {
    int child = os_fork(r->os, init);
    if (child < 0) break;
    add_task(r, child);
  }
  for (unsigned i = 0; i < r->ntasks; i++)
    wl_init(&r->tasks[i].gen, o->workload == WL_MIX ? mix[i % 4] : o->workload, &o->wl,
            o->seed * 1000 + i);
  bool events = o->events && o->workload == WL_MIX;
  unsigned cur = 0;
  while (r->done < o->accesses && r->ntasks && !r->stop) {
    cur %= r->ntasks;
    unsigned slice = o->quantum / 2 + wl_below(&r->drv, o->quantum + 1);
    bool gone = false;
    for (unsigned k = 0; k < slice && r->done < o->accesses && !r->stop; k++) {
      if (events) event(r, cur);
      if (r->done >= o->accesses) break;
      task *t = &r->tasks[cur];
      wl_access a;
      wl_next(&t->gen, r->os, t->pid, &a);
      sim_access(r, t->pid, a.kind, a.va, (uint32_t)hash64(r->done));
      if (t->transient && --t->left == 0) {
        remove_task(r, cur);
        gone = true;
        break;
      }
    }
    if (!gone) cur++;
  }
}

/* ---- Traces ----------------------------------------------------------------------------- */

typedef struct pid_map {
  uint32_t trace_pid;
  int pid;
} pid_map;

static int map_pid(pid_map *m, unsigned n, uint32_t trace_pid) {
  for (unsigned i = 0; i < n; i++)
    if (m[i].trace_pid == trace_pid && m[i].pid > 0) return m[i].pid;
  return 0;
}

/* The trace's processes as the run makes them (a visitor of trace_each). */
typedef struct trace_run {
  run *r;
  pid_map m[TRACE_MAX_PROCS];
  unsigned n;
  uint64_t index; /* records so far: the seed of each access's data */
  int status;
} trace_run;

static int trace_step(void *ctx, const trace_rec *rec) {
  trace_run *tr = ctx;
  run *r = tr->r;
  if (r->stop) return 1;
  uint64_t i = tr->index++;
  int pid = map_pid(tr->m, tr->n, rec->pid);
  if (!pid) {
    if (tr->n == TRACE_MAX_PROCS || (pid = os_spawn(r->os, "pmmu-sim")) < 0) {
      fprintf(r->err, "%s:%u: error: too many processes\n", r->o->trace, rec->line);
      return tr->status = TB_E_INPUT;
    }
    tr->m[tr->n++] = (pid_map){rec->pid, pid};
  }
  if (rec->op == TR_FORK) {
    int child =
        map_pid(tr->m, tr->n, rec->arg) || tr->n == TRACE_MAX_PROCS ? -1 : os_fork(r->os, pid);
    if (child < 0) {
      fprintf(r->err,
              "%s:%u: error: cannot fork PID %" PRIu32 " (it exists, or too many processes)\n",
              r->o->trace, rec->line, rec->arg);
      return tr->status = TB_E_INPUT;
    }
    tr->m[tr->n++] = (pid_map){rec->arg, child};
  } else if (rec->op == TR_EXIT) {
    os_exit(r->os, pid);
    for (unsigned k = 0; k < tr->n; k++)
      if (tr->m[k].pid == pid) tr->m[k].pid = 0;
  } else {
    os_access_kind kind = rec->op == TR_R ? OS_R : rec->op == TR_W ? OS_W : OS_X;
    sim_access(r, pid, kind, rec->arg, (uint32_t)hash64(i));
  }
  return 0;
}

static int run_trace(run *r, trace_stream *ts) {
  trace_run *tr = calloc(1, sizeof *tr);
  if (!tr) return TB_E_NOMEM;
  tr->r = r;
  int got = trace_each(ts, trace_step, tr, r->err);
  int status = tr->status ? tr->status : got > 1 ? TB_E_INPUT : TB_OK;
  free(tr);
  return status;
}

/* The highest PID the run can make: the trace's processes and forks; a generated run's
 * processes, unless its events fork more (0: not known before the run). */
static int max_pid(const sim_options *o, const trace_stream *ts) {
  if (!o->trace) return o->events && o->workload == WL_MIX ? 0 : (int)o->processes;
  return (int)ts->procs_made;
}

/* --pagemap PIDs that no run of these options can make: a usage error before the run. */
static int check_pagemap_pids(const sim_options *o, const trace_stream *ts, FILE *err) {
  int most = o->n_pagemap ? max_pid(o, ts) : 0;
  for (unsigned i = 0; i < o->n_pagemap && most; i++)
    if (o->pagemap[i] > most) {
      fprintf(err, "pmmu sim: error: --pagemap %d: this run makes processes 1..%d only\n",
              o->pagemap[i], most);
      return TB_E_USAGE;
    }
  return TB_OK;
}

static void print_pagemaps(const run *r, FILE *out) {
  const sim_options *o = r->o;
  int pids[OS_MAX_PROCS];
  unsigned n = o->pagemap_all ? os_pids(r->os, pids, OS_MAX_PROCS) : 0;
  for (unsigned i = 0; i < o->n_pagemap && n < OS_MAX_PROCS; i++) pids[n++] = o->pagemap[i];
  for (unsigned i = 0; i < n; i++) {
    fprintf(out, "\n/proc/%d/pagemap\n", pids[i]);
    if (os_alive(r->os, pids[i])) os_print_pagemap(r->os, pids[i], out);
    else if (pids[i] <= os_last_pid(r->os))
      fprintf(out, "  process %d exited during the run: no pages left to show\n", pids[i]);
    else fprintf(out, "  no process %d was created in this run\n", pids[i]);
  }
}

/* ---- The report ---------------------------------------------------------------------------- */

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void report(const run *r, engine_t *e, FILE *out) {
  const sim_options *o = r->o;
  const sim_result *res = r->res;
  const os_stats *s = &res->os;
  const os_proc_stats *t = &res->total;
  int pids[OS_MAX_PROCS];
  unsigned n = os_pids(r->os, pids, OS_MAX_PROCS);
  if (!o->quiet_status)
    for (unsigned i = 0; i < n; i++) {
      fprintf(out, "\n/proc/%d/status\n", pids[i]);
      os_print_status(r->os, pids[i], out);
      if (o->maps) {
        fprintf(out, "\n/proc/%d/maps\n", pids[i]);
        os_print_maps(r->os, pids[i], out);
      }
    }
  fprintf(out, "\nsystem\n");
  fprintf(
      out,
      "  frames      %u of %u in use at the end, at most %u (%u kB of %u kB); page tables %u pages; "
      "swap %u pages in use\n",
      os_frames_used(r->os), os_frames_total(r->os), res->max_frames_used,
      os_frames_used(r->os) * 4, os_frames_total(r->os) * 4, os_pt_pages_used(r->os),
      os_swap_used(r->os));
  fprintf(out,
          "  faults      %" PRIu64 " handled: minor %" PRIu64 " (zero-fill %" PRIu64
          ", library resident %" PRIu64 ", swap cache %" PRIu64 ", COW copy %" PRIu64
          ", COW reuse %" PRIu64 "), major %" PRIu64 " (file %" PRIu64 ", swap-in %" PRIu64
          "), SIGSEGV %" PRIu64 ", spurious %" PRIu64 "\n",
          s->faults_handled, t->minflt, t->zero_fills, t->lib_maps, t->swap_cache_hits,
          t->cow_copies, t->cow_reuses, t->majflt, t->file_reads, t->swapins, t->segv, s->spurious);
  fprintf(out,
          "  paging      clock sweeps %" PRIu64 ", A bits cleared %" PRIu64 ", evictions %" PRIu64
          ", swap-outs %" PRIu64 ", swap-ins %" PRIu64 "\n",
          s->clock_sweeps, s->clock_cleared, s->evictions, s->swapouts, s->swapins);
  fprintf(out,
          "  processes   forks %" PRIu64 ", exits %" PRIu64
          ", context switches (CR3 writes) %" PRIu64 ", INVLPG %" PRIu64
          ", CR3 reloads to flush %" PRIu64 "\n",
          s->forks, s->exits, s->context_switches, s->invlpgs, s->cr3_flushes);
  fprintf(out,
          "  checks      data reads checked %" PRIu64 " (%" PRIu64
          " wrong), invariant checks %" PRIu64 " (%" PRIu64
          " failed; after every %u-th fault and at the end), kernel errors %" PRIu64 "\n",
          s->data_checks, s->data_errors, s->check_runs, s->check_failures, o->os.check_every,
          s->kernel_errors);
  fprintf(out, "\npmmu (engine %s, TLB %u sets x %u ways + %u large, %s, memory latency %u..%u)\n",
          engine_kind_name(o->engine), o->setup.tlb_sets, o->setup.tlb_ways, o->setup.tlb_large,
          pmmu_policy_name(o->setup.policy), o->setup.timing.lat_min, o->setup.timing.lat_max);
  uint64_t kernel = s->kernel_accesses, retries = s->requests - kernel - t->accesses;
  fprintf(out,
          "  requests    %" PRIu64 " (user accesses %" PRIu64 ", retried after a fault %" PRIu64
          ", kernel %" PRIu64 ")\n",
          s->requests, t->accesses, retries, kernel);
  fprintf(out,
          "  TLB         hit rate %.2f%% (%" PRIu64 " hits, %" PRIu64
          " walks); user accesses %.2f%%\n",
          pct(s->hits, s->requests), s->hits, s->walks, pct(t->tlb_hits, t->accesses));
  fprintf(out,
          "  #PF         not present %" PRIu64 ", protection %" PRIu64 ", reserved bit %" PRIu64
          "\n",
          s->pf_not_present, s->pf_protection, s->pf_reserved);
  fprintf(out,
          "  cycles      %.3f per request, %.3f per user access (R - A); %" PRIu64
          " cycles simulated\n",
          s->requests ? (double)s->pmmu_cycles / (double)s->requests : 0.0,
          t->accesses ? (double)s->pmmu_cycles / (double)t->accesses : 0.0, s->cycle);
  if (o->engine == ENGINE_BOTH)
    fprintf(out, "  lockstep    %" PRIu64 " mismatches%s\n", engine_mismatch_count(e),
            r->stop ? " (the run stopped at the first: see above or stderr)" : "");
  fprintf(out, "\nrun time %.3f s (%.2f M accesses/s)\n", res->seconds,
          res->seconds > 0 ? (double)res->accesses / res->seconds / 1e6 : 0.0);
}

int sim_run(const sim_options *o, FILE *out, FILE *err, sim_result *res) {
  memset(res, 0, sizeof *res);
  char why[256];
  trace_stream tr = {0};
  if (o->trace && trace_open(o->trace, &o->os, o->accesses, &tr, err))
    return TB_E_INPUT; /* nothing runs */
  int bad_pid = check_pagemap_pids(o, &tr, err);
  if (bad_pid) {
    trace_close(&tr);
    return bad_pid;
  }
  tb_error terr;
  engine_t *e = engine_create_mutant(o->engine, &o->setup, o->mutant, &terr);
  if (!e) {
    fprintf(err, "pmmu sim: error: engine %s: %s\n", engine_kind_name(o->engine), terr.msg);
    trace_close(&tr);
    return terr.code;
  }
  if (o->dump_trace && engine_trace_open(e, o->dump_trace, o->repro) != TB_OK) {
    fprintf(err, "pmmu sim: error: %s\n", engine_error(e)->msg);
    engine_destroy(e);
    trace_close(&tr);
    return TB_E_IO;
  }
  os_config cfg = o->os;
  if (!cfg.log) cfg.log = out;
  evlog log = {.out = o->log_out ? o->log_out : out, .mask = o->log_mask};
  if (o->log_mask) {
    cfg.event = evlog_event;
    cfg.event_ctx = &log;
  }
  os_t *os = os_create(e, &cfg, why, sizeof why);
  if (!os) {
    fprintf(err, "pmmu sim: error: %s\n", why);
    engine_destroy(e);
    trace_close(&tr);
    return TB_E_INVALID;
  }
  task *tasks = calloc(OS_MAX_PROCS, sizeof *tasks);
  if (!tasks) {
    os_destroy(os);
    engine_destroy(e);
    trace_close(&tr);
    return TB_E_NOMEM;
  }
  run r = {.o = o, .os = os, .err = err, .tasks = tasks, .res = res, .e = e};
  r.drv.rng = o->seed ^ UINT64_C(0xD1B54A32D192ED03);
  if (o->trace && !o->silent) {
    char limit[32] = "all";
    if (o->accesses) snprintf(limit, sizeof limit, "at most %" PRIu64, o->accesses);
    fprintf(out, "pmmu sim: trace %s, %s accesses, %u frames (%u kB), engine %s\n", o->trace, limit,
            cfg.frames, cfg.frames * 4, engine_kind_name(o->engine));
  } else if (!o->silent) {
    fprintf(out,
            "pmmu sim: %u processes, workload %s, %" PRIu64
            " accesses, %u frames (%u kB), engine %s, seed %" PRIu64 "\n",
            o->processes, wl_pattern_name(o->workload), o->accesses, cfg.frames, cfg.frames * 4,
            engine_kind_name(o->engine), o->seed);
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int status = 0;
  if (o->trace) status = run_trace(&r, &tr);
  else run_generated(&r);
  trace_close(&tr);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (o->progress) fprintf(stderr, "\r%70s\r", "");
  res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  res->accesses = r.done;
  char bad[256];
  unsigned violations = os_check(os, bad, sizeof bad);
  if (violations)
    fprintf(out, "pmmu-sim: %u invariant violations at the end: %s\n", violations, bad);
  res->os = *os_get_stats(os);
  res->os.check_runs++; /* the one at the end */
  if (violations) res->os.check_failures++;
  os_total_proc_stats(os, &res->total);
  res->data_errors = res->os.data_errors;
  res->kernel_errors = res->os.kernel_errors;
  res->check_failures = res->os.check_failures;
  engine_finish(e);
  engine_report_pending(e, err, o->repro);
  /* a trace is kept when the run went to its end, mismatches included */
  if (engine_trace_close(e, status >= 0) != TB_OK && status >= 0) {
    fprintf(err, "pmmu sim: error: %s\n", engine_error(e)->msg);
    status = TB_E_IO;
  }
  res->mismatches = engine_mismatch_count(e);
  if (status == 0 && !o->silent) {
    report(&r, e, out);
    print_pagemaps(&r, out);
  }
  int rtl_errors = engine_rtl_errors(e);
  if (rtl_errors)
    fprintf(err, "pmmu sim: error: the RTL reported %d assertion failures\n", rtl_errors);
  if (!status && (res->mismatches || rtl_errors)) status = TB_MISMATCH;
  if (!status && (res->data_errors || res->kernel_errors || res->check_failures))
    status = TB_EXPECT;
  free(tasks);
  os_destroy(os);
  engine_destroy(e);
  return status;
}
