/* `pmmu`: the command-line front of the project. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "engine.h"
#include "explain.h"
#include "pmmu_waves.h"
#include "run.h"
#include "scenario.h"
#include "sim_cli.h"

enum { EXIT_EXPECT = 1, EXIT_USAGE = 2, EXIT_DISAGREE = 3 };

static const char usage_text[] =
    "pmmu " PMMU_VERSION_STRING ": a cycle-level model of the x86-32 paging MMU\n"
    "\n"
    "usage:\n"
    "  pmmu run FILE... [--json] [--engine model|rtl|both] [--waves FILE] [--waves-from N]\n"
    "           [--waves-to N] [--waves-on-failure N]\n"
    "      Run scenario files ('-' reads standard input). The whole of every file is checked\n"
    "      before anything runs. --json prints one JSON object per line\n"
    "      (docs/spec/scenario-format.md); the default is one readable line per result.\n"
    "  pmmu explain FILE VA [read|write|fetch] [user|sup|implicit] [ac]\n"
    "      Run FILE silently, then show the walk of one access on its final state, step by\n"
    "      step. Changes nothing (no A/D write, no TLB fill). Default: read, sup.\n"
    "  pmmu cosim [--seed S] [--seeds N] [--accesses N] [--engine model|rtl|both]\n"
    "             [--sets N] [--ways N] [--large N] [--policy P] [--latency A..B] [--wait N]\n"
    "             [--bus-errors PERMILLE] [--gap N] [--quiet] [--trace] [--mutant NAME]\n"
    "             [--waves FILE] [--waves-from N] [--waves-to N] [--waves-on-failure N]\n"
    "      Random page tables and request streams (flushes during walks, control-register\n"
    "      toggles, page-table edits); every result is checked against a fresh walk when the\n"
    "      TLB is coherent, and against the other engine with --engine both. --seeds N runs\n"
    "      seeds S .. S+N-1. Defaults: seed 1, 10000 accesses, latency 1..6, wait 3, gap 3.\n"
    "  pmmu sim [--processes N] [--workload NAME | --trace FILE] [--frames F]\n"
    "           [--engine model|rtl|both] [--seed S] [--accesses N] [--maps] [--help]\n"
    "           [--waves FILE] [--waves-from N] [--waves-to N] [--waves-on-failure N]\n"
    "      The testbench operating system: processes, demand paging, swap, copy-on-write\n"
    "      and SIGSEGV driven through the PMMU (docs/os.md); 'pmmu sim --help' for more.\n"
    "  pmmu --help | --version\n"
    "\n"
    "waveforms of the RTL (run, cosim, sim; --engine rtl or both):\n"
    ;
static const char usage_tail[] =
    "\n"
    "exit status: 0 all ran and every expectation held; 1 an expectation failed;\n"
    "             2 bad input or usage; 3 the engines disagreed (--engine both)\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "pmmu: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'pmmu --help'.\n");
  return EXIT_USAGE;
}

static engine_setup setup_of(const scenario *s) {
  engine_setup setup = {.tlb_sets = s->tlb_sets, .tlb_ways = s->tlb_ways,
                        .tlb_large = s->tlb_large, .policy = s->policy, .timing = s->timing};
  return setup;
}

/* Loads and checks every file; frees them all and returns the error count on failure. */
static unsigned load_all(char **paths, unsigned n, scenario *out) {
  unsigned errors = 0, stdin_uses = 0;
  for (unsigned i = 0; i < n; i++) {
    if (strcmp(paths[i], "-") == 0 && ++stdin_uses > 1) {
      fprintf(stderr, "pmmu: '-' (standard input) may be given only once\n");
      memset(&out[i], 0, sizeof out[i]);
      errors++;
      continue;
    }
    errors += scenario_load(paths[i], &out[i], stderr);
  }
  if (errors)
    for (unsigned i = 0; i < n; i++) scenario_free(&out[i]);
  return errors;
}

/* `report`: where lockstep mismatches go; `out`: results and the summary line. */
static int run_one(const scenario *s, engine_kind kind, const run_options *opt, FILE *report,
                   FILE *out) {
  char why[256];
  engine_setup setup = setup_of(s);
  engine_t *e = engine_create(kind, &setup, why, sizeof why);
  if (!e) {
    fprintf(stderr, "%s: error: %s\n", scenario_display_name(s), why);
    return EXIT_USAGE;
  }
  char repro[1024];
  snprintf(repro, sizeof repro, "pmmu run %s --engine %s", s->path, engine_kind_name(kind));
  engine_set_repro(e, repro);
  engine_set_report(e, report);
  run_result res;
  scenario_run(s, e, opt, out, &res);
  uint64_t mismatches = engine_mismatches(e);
  int rtl_errors = engine_rtl_errors(e);
  engine_destroy(e);
  if (rtl_errors)
    fprintf(stderr, "%s: error: the RTL reported %d assertion failures\n", scenario_display_name(s), rtl_errors);
  if (mismatches || rtl_errors) return EXIT_DISAGREE;
  if (!opt->json)
    fprintf(out, "%s: %u accesses, %u expectations, %u failed\n", scenario_display_name(s),
            res.accesses, res.expects, res.failed);
  if (res.internal_error) return EXIT_USAGE;
  return res.failed ? EXIT_EXPECT : 0;
}

/* run_one with --waves: a dump of the whole run (or of its window), or, with
 * --waves-on-failure, a second identical run that dumps the cycles before the first failure. */
static int run_waves(const scenario *s, engine_kind kind, const run_options *opt,
                     const waves_options *w, bool several) {
  char path[4096];
  const char *base = w->on_failure ? waves_failure_path(w) : w->path;
  if (several) {
    const char *name = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
    char tag[256];
    snprintf(tag, sizeof tag, "%s", name);
    char *dot = strrchr(tag, '.');
    if (dot && dot != tag) *dot = '\0';
    waves_path_for(base, tag, path, sizeof path);
  } else {
    snprintf(path, sizeof path, "%s", base);
  }
  FILE *report = waves_watch(stderr);
  waves_watch_reset();
  if (!w->on_failure && waves_start(path, w->from, w->to, stderr)) return EXIT_USAGE;
  int status = run_one(s, kind, opt, report, stdout);
  fflush(report);
  if (!w->on_failure) {
    waves_stop(stderr);
  } else if (waves_failed()) {
    uint64_t from, to;
    waves_failure_window(w, &from, &to);
    fprintf(stderr, "waves: running %s again to dump cycles %" PRIu64 "..%" PRIu64 "\n",
            scenario_display_name(s), from, to);
    FILE *null = fopen("/dev/null", "w");
    FILE *quiet = waves_watch(null);
    waves_watch_reset();
    if (null && waves_start(path, from, to, stderr) == 0) {
      run_one(s, kind, opt, quiet, null);
      fflush(quiet);
      waves_stop(stderr);
    }
    if (quiet != null) fclose(quiet);
    if (null) fclose(null);
  }
  if (report != stderr) fclose(report);
  return status;
}

static int cmd_run(int argc, char **argv) {
  run_options opt = {0};
  waves_options waves;
  waves_options_init(&waves);
  engine_kind kind = ENGINE_MODEL;
  char **paths = calloc((size_t)argc + 1, sizeof *paths);
  unsigned n = 0;
  int status = 0;
  if (!paths) return EXIT_USAGE;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      opt.json = true;
    } else if (strcmp(argv[i], "--engine") == 0 || strncmp(argv[i], "--engine=", 9) == 0) {
      const char *name = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : "");
      if (!engine_kind_parse(name, &kind)) status = usage_error("unknown engine '%s' (model, rtl, both)", name);
    } else if (strncmp(argv[i], "--waves", 7) == 0) {
      int taken = waves_parse(argc, argv, &i, &waves, stderr);
      if (taken == 0) status = usage_error("unknown option '%s'", argv[i]);
      else if (taken < 0) status = EXIT_USAGE;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      status = usage_error("unknown option '%s'", argv[i]);
    } else {
      paths[n++] = argv[i];
    }
  }
  if (!status && n == 0) status = usage_error("%s", "'run' needs at least one scenario file");
  if (!status && waves_enabled(&waves) && kind == ENGINE_MODEL)
    status = usage_error("%s", "--waves needs the RTL: --engine rtl or both");
  scenario *scns = status ? NULL : calloc(n, sizeof *scns);
  if (!status && (!scns || load_all(paths, n, scns))) status = EXIT_USAGE;
  if (!status) {
    opt.name_file = n > 1;
    for (unsigned i = 0; i < n; i++) {
      int one = waves_enabled(&waves) ? run_waves(&scns[i], kind, &opt, &waves, n > 1)
                                      : run_one(&scns[i], kind, &opt, stderr, stdout);
      if (one > status) status = one;
    }
    for (unsigned i = 0; i < n; i++) scenario_free(&scns[i]);
  }
  free(scns);
  free(paths);
  return status;
}

static bool parse_u32(const char *s, uint32_t *out) {
  char *end;
  if (!*s || *s == '-') return false;
  unsigned long long v = strtoull(s, &end, 0);
  if (*end || v > UINT32_MAX) return false;
  *out = (uint32_t)v;
  return true;
}

static int cmd_explain(int argc, char **argv) {
  if (argc < 2) return usage_error("%s", "'explain' needs FILE VA [read|write|fetch] [user|sup|implicit] [ac]");
  pmmu_request req = {.access = PMMU_READ, .priv = PMMU_SUPERVISOR};
  if (!parse_u32(argv[1], &req.la)) return usage_error("bad linear address '%s'", argv[1]);
  for (int i = 2; i < argc; i++) {
    const char *w = argv[i];
    if (strcmp(w, "read") == 0) req.access = PMMU_READ;
    else if (strcmp(w, "write") == 0) req.access = PMMU_WRITE;
    else if (strcmp(w, "fetch") == 0) req.access = PMMU_FETCH;
    else if (strcmp(w, "user") == 0) req.priv = PMMU_USER;
    else if (strcmp(w, "sup") == 0) req.priv = PMMU_SUPERVISOR;
    else if (strcmp(w, "implicit") == 0) req.priv = PMMU_IMPLICIT;
    else if (strcmp(w, "ac") == 0) req.ac = true;
    else return usage_error("unknown word '%s'", w);
  }
  if (req.access == PMMU_FETCH && req.priv == PMMU_IMPLICIT)
    return usage_error("%s", "a fetch cannot be an implicit access");

  scenario s;
  if (scenario_load(argv[0], &s, stderr)) {
    scenario_free(&s);
    return EXIT_USAGE;
  }
  char why[256];
  engine_setup setup = setup_of(&s);
  engine_t *e = engine_create(ENGINE_MODEL, &setup, why, sizeof why);
  int status = 0;
  if (!e) {
    fprintf(stderr, "%s: error: %s\n", scenario_display_name(&s), why);
    status = EXIT_USAGE;
  } else {
    run_options quiet = {.quiet = true};
    run_result res;
    scenario_run(&s, e, &quiet, stdout, &res);
    if (res.internal_error || explain_translation(engine_model(e), &req, scenario_display_name(&s), stdout))
      status = EXIT_USAGE;
    engine_destroy(e);
  }
  scenario_free(&s);
  return status;
}

static bool parse_u64_arg(const char *s, uint64_t *out) {
  char *end;
  if (!s || !*s || *s == '-') return false;
  *out = strtoull(s, &end, 0);
  return *end == '\0';
}

static bool parse_unsigned_arg(const char *s, unsigned max, unsigned *out) {
  uint64_t v;
  if (!parse_u64_arg(s, &v) || v > max) return false;
  *out = (unsigned)v;
  return true;
}

/* --latency N or A..B */
static bool parse_latency(const char *s, pmem_timing *t) {
  const char *dots = s ? strstr(s, "..") : NULL;
  char lo[32];
  if (!dots) {
    if (!parse_unsigned_arg(s, 1000000, &t->lat_min) || t->lat_min < 1) return false;
    t->lat_max = t->lat_min;
    return true;
  }
  size_t n = (size_t)(dots - s);
  if (n == 0 || n >= sizeof lo) return false;
  memcpy(lo, s, n);
  lo[n] = '\0';
  return parse_unsigned_arg(lo, 1000000, &t->lat_min) && parse_unsigned_arg(dots + 2, 1000000, &t->lat_max) &&
         t->lat_min >= 1 && t->lat_max >= t->lat_min;
}

static int parse_cosim_args(int argc, char **argv, cosim_options *o, uint64_t *seeds,
                            waves_options *w) {
  for (int i = 0; i < argc; i++) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    bool ok = true, takes = true;
    int taken = strncmp(opt, "--waves", 7) == 0 ? waves_parse(argc, argv, &i, w, stderr) : 0;
    if (taken < 0) return EXIT_USAGE;
    if (taken > 0) continue;
    if (strcmp(opt, "--seed") == 0) ok = parse_u64_arg(val, &o->seed);
    else if (strcmp(opt, "--seeds") == 0) ok = parse_u64_arg(val, seeds) && *seeds >= 1;
    else if (strcmp(opt, "--accesses") == 0) ok = parse_u64_arg(val, &o->accesses);
    else if (strcmp(opt, "--engine") == 0) ok = val && engine_kind_parse(val, &o->engine);
    else if (strcmp(opt, "--sets") == 0) ok = parse_unsigned_arg(val, 1024, &o->setup.tlb_sets);
    else if (strcmp(opt, "--ways") == 0) ok = parse_unsigned_arg(val, 16, &o->setup.tlb_ways);
    else if (strcmp(opt, "--large") == 0) ok = parse_unsigned_arg(val, 64, &o->setup.tlb_large);
    else if (strcmp(opt, "--policy") == 0) ok = val && pmmu_policy_parse(val, &o->setup.policy);
    else if (strcmp(opt, "--latency") == 0) ok = parse_latency(val, &o->setup.timing);
    else if (strcmp(opt, "--wait") == 0) ok = parse_unsigned_arg(val, 1000, &o->setup.timing.wait_max);
    else if (strcmp(opt, "--bus-errors") == 0) ok = parse_unsigned_arg(val, 1000, &o->setup.timing.bus_error_permille);
    else if (strcmp(opt, "--gap") == 0) ok = parse_unsigned_arg(val, 1000000, &o->max_gap);
    else if (strcmp(opt, "--quiet") == 0) { o->quiet = true; takes = false; }
    else if (strcmp(opt, "--trace") == 0) { o->trace = true; takes = false; }
    else if (strcmp(opt, "--mutant") == 0) ok = (o->mutant = val) != NULL;
    else return usage_error("unknown cosim option '%s'", opt);
    if (!ok) return usage_error("bad or missing value for '%s'", opt);
    if (takes) i++;
  }
  return 0;
}

/* cosim_run with --waves (see run_waves); with several seeds, one file per seed. */
static int cosim_waves(const cosim_options *o, const waves_options *w, bool several, cosim_result *r) {
  char path[4096], tag[32];
  const char *base = w->on_failure ? waves_failure_path(w) : w->path;
  snprintf(tag, sizeof tag, "seed%" PRIu64, o->seed);
  if (several) waves_path_for(base, tag, path, sizeof path);
  else snprintf(path, sizeof path, "%s", base);
  FILE *report = waves_watch(stdout);
  waves_watch_reset();
  if (!w->on_failure && waves_start(path, w->from, w->to, stderr)) return 2;
  int status = cosim_run(o, report, r);
  fflush(report);
  if (!w->on_failure) {
    waves_stop(stderr);
  } else if (status == 3 && waves_failed()) {
    uint64_t from, to;
    cosim_result again;
    waves_failure_window(w, &from, &to);
    fprintf(stderr, "waves: running seed %" PRIu64 " again to dump cycles %" PRIu64 "..%" PRIu64 "\n",
            o->seed, from, to);
    FILE *null = fopen("/dev/null", "w");
    FILE *quiet = waves_watch(null);
    waves_watch_reset();
    if (null && waves_start(path, from, to, stderr) == 0) {
      cosim_run(o, quiet, &again);
      fflush(quiet);
      waves_stop(stderr);
    }
    if (quiet != null) fclose(quiet);
    if (null) fclose(null);
  }
  if (report != stdout) fclose(report);
  return status;
}

static int cmd_cosim(int argc, char **argv) {
  cosim_options o;
  uint64_t seeds = 1, failed = 0, total_requests = 0, total_cycles = 0;
  double seconds = 0;
  waves_options waves;
  cosim_options_init(&o);
  waves_options_init(&waves);
  int status = parse_cosim_args(argc, argv, &o, &seeds, &waves);
  if (status) return status;
  if (waves_enabled(&waves) && o.engine == ENGINE_MODEL)
    return usage_error("%s", "--waves needs the RTL: --engine rtl or both");
  uint64_t first = o.seed;
  for (uint64_t k = 0; k < seeds; k++) {
    cosim_result r;
    o.seed = first + k;
    int one = waves_enabled(&waves) ? cosim_waves(&o, &waves, seeds > 1, &r) : cosim_run(&o, stdout, &r);
    if (one == 2) return EXIT_USAGE;
    if (one) failed++;
    total_requests += r.requests;
    total_cycles += r.cycles;
    seconds += r.seconds;
    if (!o.quiet && (seeds == 1 || one)) cosim_print_summary(&o, &r, stdout);
    if (one == 3 && !waves_enabled(&waves) && o.engine == ENGINE_BOTH && failed == 1)
      fprintf(stderr, "waves: to see the first failure in GTKWave, add --waves-on-failure 64 --waves FILE.fst"
                      " to the reproduce command (docs/waves.md)\n");
  }
  if (seeds > 1)
    printf("cosim: seeds %" PRIu64 "..%" PRIu64 ": %" PRIu64 " requests, %" PRIu64
           " cycles, %.2f M cycles/s\n%" PRIu64 " passed, %" PRIu64 " failed\n",
           first, first + seeds - 1, total_requests, total_cycles,
           seconds > 0 ? (double)total_cycles / seconds / 1e6 : 0.0, seeds - failed, failed);
  return failed ? EXIT_DISAGREE : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_text, stderr);
    fputs(waves_help, stderr);
    fputs(usage_tail, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    fputs(waves_help, stdout);
    fputs(usage_tail, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("pmmu %s\n", PMMU_VERSION_STRING);
    return 0;
  }
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "explain") == 0) return cmd_explain(argc - 2, argv + 2);
  if (strcmp(cmd, "cosim") == 0) return cmd_cosim(argc - 2, argv + 2);
  if (strcmp(cmd, "sim") == 0) return sim_main(argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}
