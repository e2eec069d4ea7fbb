/* `pmmu run FILE...`: scenario files on an engine (scenario-format.md). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"
#include "scenario.h"
#include "tb_file.h"

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

static const char help_text[] =
    "usage: pmmu run FILE... [--json [--tlb-state]] [--engine model|rtl|both] [--mutant NAME]\n"
    "                [--dump-trace FILE] [--waves FILE] [--waves-from N] [--waves-to N]\n"
    "                [--waves-on-failure N] [--coverage FILE]\n"
    "\n"
    "Runs scenario files (docs/spec/scenario-format.md; '-' reads standard input) on an\n"
    "engine. The whole of every file is checked before anything runs (at most 20 errors are\n"
    "shown). Prints one line per result, or with --json one JSON object per line.\n"
    "  --json             JSON Lines (docs/spec/scenario-format.md)\n"
    "  --tlb-state        (with --json; engine model or both) the model's TLB after every access\n"
    "  --engine E         model (default), rtl or both (lockstep)\n"
    "  --mutant NAME      (engine rtl or both) the RTL built with that bug (docs/rtl.md)\n"
    "  --dump-trace FILE  the run's transaction trace for 'pmmu check-trace'; with several\n"
    "                     files, one per file: FILE.NAME.EXT\n" CLI_COVERAGE_HELP
    "Output files must be new or regular files (never a directory, a device or a FIFO); they\n"
    "are written under a temporary name and renamed when complete (docs/cli.md).\n"
    "  --max-cycles N  stop each file before the first operation that would start in cycle N\n"
    "                  or later, 1..2^64-1\n"
    "  --timeout S     stop after S seconds, 1..1000000000 (files not reached are not run)\n"
    "exit status: 0 every expectation held; 1 an expectation failed; 2 bad usage or input, or\n"
    "             an output that could not be written; 3 the engines disagreed; 124 cut\n"
    "             short by --max-cycles, --timeout or a stop signal (partial report)\n"
    "\n";

typedef struct one_run {
  const scenario *s;
  engine_kind kind;
  const char *mutant; /* --mutant: the RTL with this deliberate bug (NULL: none) */
  const run_options *opt;
  const char *dump;                /* --dump-trace: this run's file, or NULL */
  const engine_observer *coverage; /* --coverage, or NULL */
} one_run;

/* `report`: where lockstep mismatches go; `out`: results and the summary line. */
static int run_one(void *ctx, FILE *report, FILE *out, bool again) {
  const one_run *r = ctx;
  const scenario *s = r->s;
  tb_error err;
  engine_setup setup = scenario_engine_setup(s);
  if (!again) setup.observer = r->coverage; /* --waves-on-failure's second run: counted once */
  engine_t *e = engine_create_mutant(r->kind, &setup, r->mutant, &err);
  if (!e) {
    fprintf(stderr, "%s: error: %s\n", scenario_display_name(s), err.msg);
    return EXIT_USAGE;
  }
  char repro[1024];
  snprintf(repro, sizeof repro, "pmmu run %s --engine %s%s%s", s->path, engine_kind_name(r->kind),
           r->mutant ? " --mutant " : "", r->mutant ? r->mutant : "");
  const char *dump = again ? NULL : r->dump; /* the second run of --waves-on-failure: written */
  if (dump && engine_trace_open(e, dump, repro) != TB_OK) {
    fprintf(stderr, "pmmu run: error: %s\n", engine_error(e)->msg);
    engine_destroy(e);
    return EXIT_USAGE;
  }
  run_options opt = *r->opt;
  opt.report = report;
  opt.repro = repro;
  run_result res;
  tb_budget_run_begin();
  int st = scenario_run(s, e, &opt, out, &res, &err);
  if (st < 0) fprintf(stderr, "%s\n", err.msg);
  if (engine_finish(e) == TB_MISMATCH) engine_report_pending(e, report, repro);
  /* a trace is kept when the run went to its end, failed expectations and mismatches included */
  if (engine_trace_close(e, st >= 0) != TB_OK && st >= 0) {
    fprintf(stderr, "pmmu run: error: %s\n", engine_error(e)->msg);
    engine_destroy(e);
    return EXIT_USAGE;
  }
  uint64_t mismatches = engine_mismatch_count(e);
  int rtl_errors = engine_rtl_errors(e);
  engine_destroy(e);
  if (rtl_errors)
    fprintf(stderr, "%s: error: the RTL reported %d assertion failures\n", scenario_display_name(s),
            rtl_errors);
  if (mismatches || rtl_errors) return EXIT_DISAGREE;
  if (!opt.json)
    fprintf(out, "%s: %u accesses, %u expectations, %u failed\n", scenario_display_name(s),
            res.accesses, res.expects, res.failed);
  int status = tb_exit_status(st);
  if (res.stopped)
    status = cli_exit_worse(status, cli_budget_note(stderr, scenario_display_name(s)));
  return status;
}

/* A scenario's name without its directory and extension: the tag of its dump among several. */
static const char *file_tag(const char *path, char tag[256]) {
  const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  snprintf(tag, 256, "%s", name);
  char *dot = strrchr(tag, '.');
  if (dot && dot != tag) *dot = '\0';
  return tag;
}

/* The dump of one of several files: FILE with the scenario's name before its extension. */
static int run_waves(const one_run *r, const waves_options *w, bool several) {
  char tag[256];
  file_tag(r->s->path, tag);
  one_run copy = *r;
  return cli_with_waves(w, several ? tag : NULL, stderr, scenario_display_name(r->s), run_one,
                        &copy);
}

int cmd_run(int argc, char **argv) {
  run_options opt = {0};
  waves_options waves;
  waves_options_init(&waves);
  engine_kind kind = ENGINE_MODEL;
  const char *dump = NULL, *mutant = NULL;
  cli_coverage cov = {0};
  char **paths = calloc((size_t)argc + 1, sizeof *paths);
  if (!paths) return EXIT_USAGE;
  bool help = false;
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "--json", .type = CLI_FLAG, .dest = &opt.json},
      {.name = "--tlb-state", .type = CLI_FLAG, .dest = &opt.tlb_state},
      {.name = "--engine",
       .type = CLI_CHOICE,
       .dest = &kind,
       .choose = cli_choose_engine,
       .what = CLI_ENGINES},
      {.name = "--dump-trace", .type = CLI_STRING, .dest = &dump, .what = "a file name"},
      {.name = "--coverage", .type = CLI_STRING, .dest = &cov.path, .what = "a file name"},
      {.name = "--mutant",
       .type = CLI_STRING,
       .dest = &mutant,
       .what = "a mutant's name (docs/rtl.md)"},
      {0}};
  cli_option wopts[CLI_WAVES_OPTIONS + 1], bopts[CLI_BUDGET_OPTIONS + 1];
  cli_budget budget = {0};
  cli_waves_options(&waves, wopts);
  cli_budget_options(&budget, bopts);
  cli_command cmd = {.prog = "pmmu run",
                     .help = "pmmu run --help",
                     .opts = {own, wopts, bopts},
                     .operands = paths,
                     .max_operands = (unsigned)argc};
  unsigned n;
  int status = cli_parse(&cmd, argc, argv, &n);
  if (!status && help) {
    fputs(help_text, stdout);
    fputs(waves_help, stdout);
    free(paths);
    return 0;
  }
  if (!status && n == 0) status = cli_usage_error(&cmd, "'run' needs at least one scenario file");
  if (!status) status = cli_waves_check(&cmd, &waves, kind);
  if (!status && opt.tlb_state && !opt.json)
    status = cli_usage_error(&cmd, "--tlb-state needs --json");
  if (!status && mutant && kind == ENGINE_MODEL)
    status = cli_usage_error(&cmd, "--mutant needs --engine rtl or both");
  if (!status && opt.tlb_state && kind == ENGINE_RTL)
    status = cli_usage_error(&cmd, "--tlb-state reads the model's TLB: --engine model or both");
  /* every output can be written, before any work (one trace per file: FILE.NAME.EXT) */
  for (unsigned i = 0; !status && dump && i < n; i++) {
    char path[4096], tag[256];
    if (n > 1) waves_path_for(dump, file_tag(paths[i], tag), path, sizeof path);
    if (cli_output_check(&cmd, n > 1 ? path : dump)) status = EXIT_USAGE;
    for (unsigned k = 0; !status && k < n; k++)
      if (tb_same_file(n > 1 ? path : dump, paths[k]))
        status = cli_usage_error(&cmd, "--dump-trace '%s' would replace the scenario '%s'",
                                 n > 1 ? path : dump, paths[k]);
  }
  if (!status) status = cli_coverage_start(&cmd, &cov);
  scenario *scns = status ? NULL : calloc(n, sizeof *scns);
  if (!status && (!scns || load_all(paths, n, scns))) status = EXIT_USAGE;
  if (!status) {
    opt.name_file = n > 1;
    cli_budget_start(&budget);
    for (unsigned i = 0; i < n; i++) {
      if (i && tb_budget_over()) { /* --timeout or a stop signal: the other files are not run */
        fprintf(stderr, "pmmu run: %u of %u files not run (stopped)\n", n - i, n);
        status = cli_exit_worse(status, TB_EXIT_BUDGET);
        break;
      }
      char path[4096], tag[256];
      one_run r = {.s = &scns[i],
                   .kind = kind,
                   .mutant = mutant,
                   .opt = &opt,
                   .dump = dump,
                   .coverage = cli_coverage_observer(&cov)};
      if (dump && n > 1) { /* one trace per file: FILE.NAME.EXT */
        waves_path_for(dump, file_tag(scns[i].path, tag), path, sizeof path);
        r.dump = path;
      }
      int one =
          waves_enabled(&waves) ? run_waves(&r, &waves, n > 1) : run_one(&r, stderr, stdout, false);
      status = cli_exit_worse(status, one);
    }
    for (unsigned i = 0; i < n; i++) scenario_free(&scns[i]);
  }
  free(scns);
  free(paths);
  return cli_coverage_finish(&cmd, &cov, status);
}
