/* `pmmu cosim`: random worlds on an engine, seed after seed (cosim.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cosim.h"
#include "tb_file.h"

#define COSIM_MAX_ACCESSES 1000000000u /* per seed: minutes on the model, hours on the RTL */
#define COSIM_MAX_SEEDS 1000000000u
#define COSIM_LIST_MAX 10000u /* failing seeds named at the end of a run (all are counted) */

static const char help_text[] =
    "usage: pmmu cosim [--seed S] [--seeds N] [--accesses N] [--engine model|rtl|both]\n"
    "                  [--sets N] [--ways N] [--large N] [--policy P] [--latency A..B] [--wait N]\n"
    "                  [--bus-errors PERMILLE] [--gap N] [--quiet] [--trace] [--mutant NAME]\n"
    "                  [--dump-trace FILE] [--waves FILE] [--waves-from N] [--waves-to N]\n"
    "                  [--waves-on-failure N] [--export FILE.pmmu] [--coverage FILE]\n"
    "\n"
    "Random page tables and request streams (flushes during walks, control-register toggles,\n"
    "page-table edits); every result is checked against a fresh walk when the TLB is coherent,\n"
    "and against the other engine with --engine both (docs/verification.md).\n"
    "  --seed S           the first seed, 0..2^64-1 (default 1)\n"
    "  --seeds N          seeds S .. S+N-1, 1..1000000000 (default 1); S+N-1 must not pass 2^64-1\n"
    "  --accesses N       accesses per seed, 1..1000000000 (default 10000)\n"
    "  --engine E         model (default), rtl or both (lockstep)\n"
    "  --sets N, --ways N, --large N\n"
    "                     the TLB: sets a power of two 1..1024, ways 1..16, large 1..64\n"
    "                     (default 16, 4, 8)\n"
    "  --policy P         plru (default), lru, fifo, random\n"
    "  --latency N|A..B   memory latency in cycles, 1..1000000 (default 1..6)\n"
    "  --wait N           at most N cycles of back-pressure per memory transaction, 0..1000\n"
    "                     (default 3)\n"
    "  --bus-errors P     bus errors per thousand memory transactions, 0..1000 (default 0)\n"
    "  --gap N            at most N idle cycles between requests, 0..1000000 (default 3)\n"
    "  --quiet            only the failures and the totals (no per-seed summary)\n"
    "  --trace            one line per request, numbered as the mismatch report does\n"
    "  --mutant NAME      (engine rtl or both) the RTL built with that bug (docs/rtl.md)\n"
    "  --dump-trace FILE  the transaction trace for 'pmmu check-trace'; with several seeds,\n"
    "                     one per seed: FILE.seedN.EXT (a new or regular file, docs/cli.md)\n"
    "  --pokes P          a second memory master writes an entry of the walk in P requests\n"
    "                     per thousand (0..1000, default 0), often between its read and CAS\n"
    "  --export FILE      the run as a scenario that 'pmmu run --engine both FILE' replays\n"
    "                     cycle for cycle; with several seeds, one per seed: FILE.seedN.EXT\n"
    "                     (not with --resets)\n" CLI_COVERAGE_HELP
    "  --max-cycles N  stop each seed before the first request that would start in cycle N\n"
    "                  or later, 1..2^64-1\n"
    "  --timeout S     stop after S seconds, 1..1000000000 (seeds not reached are not run)\n"
    "A seed stops at its first failure (one report, with the command that reproduces it); a\n"
    "run of several seeds ends with 'failed seeds: N' and a 'reproduce: COMMAND' line for each.\n"
    "exit status: 0 every seed passed; 2 bad usage, or an output that could not be written;\n"
    "             3 a seed failed (a check, or the engines disagreed); 124 cut short by\n"
    "             --max-cycles, --timeout or a stop signal (partial report)\n"
    "\n";

typedef struct seed_run {
  const cosim_options *o;
  cosim_result *r;
} seed_run;

/* One seed; everything, failures included, goes to `report` (the output of cosim is one
 * stream). */
static int run_seed(void *ctx, FILE *report, FILE *out, bool again) {
  const seed_run *s = ctx;
  cosim_result spare;
  tb_error err;
  (void)out;
  cosim_options o = *s->o;
  if (again) o.dump_trace = o.export_path = NULL; /* the first run wrote them */
  if (again) o.setup.observer = NULL;             /* and counted its coverage */
  cosim_result *r = again ? &spare : s->r;
  tb_budget_run_begin();
  int st = cosim_run(&o, report, r, &err);
  if (st < 0) {
    fprintf(stderr, "pmmu cosim: error: %s\n", err.msg); /* errors on stderr, results on stdout */
    return EXIT_USAGE;
  }
  return tb_exit_status(st); /* a stop (r->stopped) is told after the summary */
}

/* cosim_run with --waves; with several seeds, one file per seed. */
static int cosim_waves(const cosim_options *o, const waves_options *w, bool several,
                       cosim_result *r) {
  char tag[32], what[48];
  snprintf(tag, sizeof tag, "seed%" PRIu64, o->seed);
  snprintf(what, sizeof what, "seed %" PRIu64, o->seed);
  seed_run s = {.o = o, .r = r};
  return cli_with_waves(w, several ? tag : NULL, stdout, what, run_seed, &s);
}

/* The failing seeds of a run, named at its end with their reproduce commands. */
typedef struct seed_list {
  uint64_t *v;
  size_t n, cap;
} seed_list;

static void seed_list_add(seed_list *l, uint64_t seed) {
  if (l->n == COSIM_LIST_MAX) return;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    uint64_t *v = realloc(l->v, cap * sizeof *v);
    if (!v) return; /* only the list is shorter: the count of failed seeds stays right */
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = seed;
}

/* "failed seeds: N" and one "reproduce: COMMAND" line per failing seed (INTERFACES: pmmu
 * regress reads them). */
static void print_failed_seeds(const cosim_options *o, const seed_list *l, uint64_t failed) {
  cosim_options one = *o;
  char cmd[512];
  printf("failed seeds: %" PRIu64 "\n", failed);
  for (size_t i = 0; i < l->n; i++) {
    one.seed = l->v[i];
    cosim_command(&one, cmd, sizeof cmd);
    printf("reproduce: %s\n", cmd);
  }
  if (failed > l->n) printf("(%" PRIu64 " more failing seeds not listed)\n", failed - l->n);
}

int cmd_cosim(int argc, char **argv) {
  cosim_options o;
  uint64_t seeds = 1, failed = 0, total_requests = 0, total_cycles = 0, total_acks = 0,
           total_resets = 0, total_pokes = 0, total_restarts = 0;
  double seconds = 0;
  bool help = false;
  waves_options waves;
  const char *dump = NULL, *export_file = NULL;
  cli_coverage cov = {0};
  char dump_path[4096], export_path[4096];
  cosim_options_init(&o);
  waves_options_init(&waves);
  pmem_timing *t = &o.setup.timing;
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "--seed", .type = CLI_U64, .dest = &o.seed, .max = UINT64_MAX},
      {.name = "--seeds", .type = CLI_U64, .dest = &seeds, .min = 1, .max = COSIM_MAX_SEEDS},
      {.name = "--accesses",
       .type = CLI_U64,
       .dest = &o.accesses,
       .min = 1,
       .max = COSIM_MAX_ACCESSES},
      {.name = "--engine",
       .type = CLI_CHOICE,
       .dest = &o.engine,
       .choose = cli_choose_engine,
       .what = CLI_ENGINES},
      {.name = "--sets", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_sets, .min = 1, .max = 1024},
      {.name = "--ways", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_ways, .min = 1, .max = 16},
      {.name = "--large", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_large, .min = 1, .max = 64},
      {.name = "--policy",
       .type = CLI_CHOICE,
       .dest = &o.setup.policy,
       .choose = cli_choose_policy,
       .what = CLI_POLICIES},
      {.name = "--latency",
       .type = CLI_RANGE,
       .dest = &t->lat_min,
       .dest2 = &t->lat_max,
       .min = 1,
       .max = 1000000},
      {.name = "--wait", .type = CLI_UNSIGNED, .dest = &t->wait_max, .max = 1000},
      {.name = "--bus-errors", .type = CLI_UNSIGNED, .dest = &t->bus_error_permille, .max = 1000},
      {.name = "--gap", .type = CLI_UNSIGNED, .dest = &o.max_gap, .max = 1000000},
      {.name = "--acks", .type = CLI_UNSIGNED, .dest = &o.ack_percent, .max = 100},
      {.name = "--resets", .type = CLI_UNSIGNED, .dest = &o.reset_permille, .max = 1000},
      {.name = "--pokes", .type = CLI_UNSIGNED, .dest = &o.poke_permille, .max = 1000},
      {.name = "--quiet", .type = CLI_FLAG, .dest = &o.quiet},
      {.name = "--trace", .type = CLI_FLAG, .dest = &o.trace},
      {.name = "--mutant",
       .type = CLI_STRING,
       .dest = &o.mutant,
       .what = "a mutant's name (docs/rtl.md)"},
      {.name = "--dump-trace", .type = CLI_STRING, .dest = &dump, .what = "a file name"},
      {.name = "--export", .type = CLI_STRING, .dest = &export_file, .what = "a file name"},
      {.name = "--coverage", .type = CLI_STRING, .dest = &cov.path, .what = "a file name"},
      {0}};
  cli_option wopts[CLI_WAVES_OPTIONS + 1], bopts[CLI_BUDGET_OPTIONS + 1];
  cli_budget budget = {0};
  cli_waves_options(&waves, wopts);
  cli_budget_options(&budget, bopts);
  cli_command cmd = {
      .prog = "pmmu cosim", .help = "pmmu cosim --help", .opts = {own, wopts, bopts}};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (help) {
    fputs(help_text, stdout);
    fputs(waves_help, stdout);
    return 0;
  }
  if (cli_waves_check(&cmd, &waves, o.engine)) return EXIT_USAGE;
  if (o.mutant && o.engine == ENGINE_MODEL)
    return cli_usage_error(&cmd, "--mutant needs --engine rtl or both");
  if (o.reset_permille && (dump || waves_enabled(&waves)))
    return cli_usage_error(&cmd, "--resets does not go with --dump-trace or --waves");
  if (o.reset_permille && export_file)
    return cli_usage_error(&cmd, "--resets does not go with --export");
  if (export_file && dump && (strcmp(export_file, dump) == 0 || tb_same_file(export_file, dump)))
    return cli_usage_error(&cmd, "--export and --dump-trace name the same file");
  if (export_file) {
    char tag[32];
    snprintf(tag, sizeof tag, "seed%" PRIu64, o.seed);
    if (seeds > 1) waves_path_for(export_file, tag, export_path, sizeof export_path);
    if (cli_output_check(&cmd, seeds > 1 ? export_path : export_file)) return EXIT_USAGE;
  }
  if (o.seed > UINT64_MAX - (seeds - 1)) /* the seeds would wrap round to 0 */
    return cli_usage_error(&cmd, "--seed %" PRIu64 " --seeds %" PRIu64 " goes past 2^64-1", o.seed,
                           seeds);
  const char *why =
      cli_geometry_check(o.setup.tlb_sets, o.setup.tlb_ways, o.setup.tlb_large, o.setup.policy);
  if (why) return cli_usage_error(&cmd, "%s", why);
  /* every output can be written, before any work: the first seed's file tells the rest's
   * directory; each later one is checked as it opens */
  if (dump) {
    char tag[32];
    snprintf(tag, sizeof tag, "seed%" PRIu64, o.seed);
    if (seeds > 1) waves_path_for(dump, tag, dump_path, sizeof dump_path);
    if (cli_output_check(&cmd, seeds > 1 ? dump_path : dump)) return EXIT_USAGE;
  }
  if (cli_coverage_start(&cmd, &cov)) return EXIT_USAGE;
  o.setup.observer = cli_coverage_observer(&cov);
  uint64_t first = o.seed, ran = 0, cut = 0;
  int budget_status = 0;
  seed_list failing = {0};
  cli_budget_start(&budget);
  for (uint64_t k = 0; k < seeds; k++) {
    if (k && tb_budget_over()) break; /* --timeout or a stop signal: no further seed */
    cosim_result r = {0};             /* waves_start may fail before the run */
    o.seed = first + k;
    o.dump_trace = dump;
    if (dump && seeds > 1) { /* one trace per seed: FILE.seedN.EXT */
      char tag[32];
      snprintf(tag, sizeof tag, "seed%" PRIu64, o.seed);
      waves_path_for(dump, tag, dump_path, sizeof dump_path);
      o.dump_trace = dump_path;
    }
    o.export_path = export_file;
    if (export_file && seeds > 1) { /* one scenario per seed: FILE.seedN.EXT */
      char tag[32];
      snprintf(tag, sizeof tag, "seed%" PRIu64, o.seed);
      waves_path_for(export_file, tag, export_path, sizeof export_path);
      o.export_path = export_path;
    }
    seed_run s = {.o = &o, .r = &r};
    int one = waves_enabled(&waves) ? cosim_waves(&o, &waves, seeds > 1, &r)
                                    : run_seed(&s, stdout, stdout, false);
    if (one ==
        EXIT_USAGE) { /* an error; a run that went ahead (its waves failed) says what it did */
      if (!o.quiet && r.requests) cosim_print_summary(&o, &r, stdout);
      free(failing.v);
      return cli_coverage_finish(&cmd, &cov, EXIT_USAGE);
    }
    ran++;
    if (one) {
      failed++;
      seed_list_add(&failing, o.seed);
    }
    total_requests += r.requests;
    total_cycles += r.cycles;
    total_acks += r.acks;
    total_resets += r.resets;
    total_pokes += r.pokes;
    total_restarts += r.cas_restarts;
    seconds += r.seconds;
    if (!o.quiet && (seeds == 1 || one || r.stopped)) cosim_print_summary(&o, &r, stdout);
    if (r.stopped) {
      char what[48];
      snprintf(what, sizeof what, "cosim: seed %" PRIu64, o.seed);
      budget_status = cli_budget_note(stdout, what);
      if (!one) cut++;
    }
    if (one == EXIT_DISAGREE && !o.quiet && !waves_enabled(&waves) && o.engine == ENGINE_BOTH &&
        failed == 1)
      fprintf(
          stderr,
          "waves: to see the first failure in GTKWave, add --waves-on-failure 64 --waves FILE.fst"
          " to the reproduce command (docs/waves.md)\n");
  }
  /* the totals: after several seeds, and with --quiet (which has no per-seed summary) */
  if (seeds > 1 || o.quiet) {
    if (seeds > 1) printf("cosim: seeds %" PRIu64 "..%" PRIu64, first, first + (ran ? ran : 1) - 1);
    else printf("cosim: seed %" PRIu64, first);
    printf(": %" PRIu64 " requests, %" PRIu64 " cycles, %.2f M cycles/s\n%" PRIu64
           " passed, %" PRIu64 " failed",
           total_requests, total_cycles, seconds > 0 ? (double)total_cycles / seconds / 1e6 : 0.0,
           ran - failed - cut, failed);
    if (cut) printf(", %" PRIu64 " cut short", cut);
    printf("\n");
  }
  if (seeds > 1 && total_acks) printf("cosim: interrupt acks %" PRIu64 "\n", total_acks);
  if (seeds > 1 && total_resets) printf("cosim: resets %" PRIu64 "\n", total_resets);
  if (seeds > 1 && total_pokes) /* the second master's effect: walks restarted by a failed CAS */
    printf("cosim: second-master pokes %" PRIu64 ", CAS restarts %" PRIu64 "\n", total_pokes,
           total_restarts);
  if (seeds > 1 && failed) print_failed_seeds(&o, &failing, failed);
  free(failing.v);
  if (ran < seeds) {
    printf("cosim: seeds %" PRIu64 "..%" PRIu64 " not run (stopped)\n", first + ran,
           first + seeds - 1);
    budget_status = TB_EXIT_BUDGET;
  }
  return cli_coverage_finish(&cmd, &cov, failed ? EXIT_DISAGREE : budget_status);
}
