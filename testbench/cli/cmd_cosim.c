/* `pmmu cosim`: random worlds on an engine, seed after seed (cosim.h). */
#include <inttypes.h>

#include "cli.h"
#include "cosim.h"

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
  if (again) o.dump_trace = NULL; /* the first run wrote it */
  cosim_result *r = again ? &spare : s->r;
  tb_budget_run_begin();
  int st = cosim_run(&o, report, r, &err);
  if (st < 0) {
    fprintf(report, "cosim: %s\n", err.msg);
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

int cmd_cosim(int argc, char **argv) {
  cosim_options o;
  uint64_t seeds = 1, failed = 0, total_requests = 0, total_cycles = 0;
  double seconds = 0;
  waves_options waves;
  const char *dump = NULL;
  char dump_path[4096];
  cosim_options_init(&o);
  waves_options_init(&waves);
  pmem_timing *t = &o.setup.timing;
  const cli_option own[] = {
      {.name = "--seed", .type = CLI_U64, .dest = &o.seed, .max = UINT64_MAX},
      {.name = "--seeds", .type = CLI_U64, .dest = &seeds, .min = 1, .max = UINT64_MAX},
      {.name = "--accesses", .type = CLI_U64, .dest = &o.accesses, .max = UINT64_MAX},
      {.name = "--engine",
       .type = CLI_CHOICE,
       .dest = &o.engine,
       .choose = cli_choose_engine,
       .what = CLI_ENGINES},
      {.name = "--sets", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_sets, .max = 1024},
      {.name = "--ways", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_ways, .max = 16},
      {.name = "--large", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_large, .max = 64},
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
      {.name = "--quiet", .type = CLI_FLAG, .dest = &o.quiet},
      {.name = "--trace", .type = CLI_FLAG, .dest = &o.trace},
      {.name = "--mutant",
       .type = CLI_STRING,
       .dest = &o.mutant,
       .what = "a mutant's name (docs/rtl.md)"},
      {.name = "--dump-trace", .type = CLI_STRING, .dest = &dump, .what = "a file name"},
      {0}};
  cli_option wopts[CLI_WAVES_OPTIONS + 1], bopts[CLI_BUDGET_OPTIONS + 1];
  cli_budget budget = {0};
  cli_waves_options(&waves, wopts);
  cli_budget_options(&budget, bopts);
  cli_command cmd = {.prog = "pmmu cosim", .help = "pmmu --help", .opts = {own, wopts, bopts}};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (cli_waves_check(&cmd, &waves, o.engine)) return EXIT_USAGE;
  if (o.mutant && o.engine == ENGINE_MODEL)
    return cli_usage_error(&cmd, "--mutant needs --engine rtl or both");
  uint64_t first = o.seed, ran = 0, cut = 0;
  int budget_status = 0;
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
    seed_run s = {.o = &o, .r = &r};
    int one = waves_enabled(&waves) ? cosim_waves(&o, &waves, seeds > 1, &r)
                                    : run_seed(&s, stdout, stdout, false);
    if (one ==
        EXIT_USAGE) { /* an error; a run that went ahead (its waves failed) says what it did */
      if (!o.quiet && r.requests) cosim_print_summary(&o, &r, stdout);
      return EXIT_USAGE;
    }
    ran++;
    if (one) failed++;
    total_requests += r.requests;
    total_cycles += r.cycles;
    seconds += r.seconds;
    if (!o.quiet && (seeds == 1 || one || r.stopped)) cosim_print_summary(&o, &r, stdout);
    if (r.stopped) {
      char what[48];
      snprintf(what, sizeof what, "cosim: seed %" PRIu64, o.seed);
      budget_status = cli_budget_note(stdout, what);
      if (!one) cut++;
    }
    if (one == EXIT_DISAGREE && !waves_enabled(&waves) && o.engine == ENGINE_BOTH && failed == 1)
      fprintf(
          stderr,
          "waves: to see the first failure in GTKWave, add --waves-on-failure 64 --waves FILE.fst"
          " to the reproduce command (docs/waves.md)\n");
  }
  if (seeds > 1) {
    printf("cosim: seeds %" PRIu64 "..%" PRIu64 ": %" PRIu64 " requests, %" PRIu64
           " cycles, %.2f M cycles/s\n%" PRIu64 " passed, %" PRIu64 " failed",
           first, first + (ran ? ran : 1) - 1, total_requests, total_cycles,
           seconds > 0 ? (double)total_cycles / seconds / 1e6 : 0.0, ran - failed - cut, failed);
    if (cut) printf(", %" PRIu64 " cut short", cut);
    printf("\n");
  }
  if (ran < seeds) {
    printf("cosim: seeds %" PRIu64 "..%" PRIu64 " not run (stopped)\n", first + ran,
           first + seeds - 1);
    budget_status = TB_EXIT_BUDGET;
  }
  return failed ? EXIT_DISAGREE : budget_status;
}
