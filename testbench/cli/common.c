/* What the commands share: option tables and the --waves sessions (cli.h). */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "tb_file.h"

void cli_waves_options(waves_options *w, cli_option out[CLI_WAVES_OPTIONS + 1]) {
  const cli_option t[CLI_WAVES_OPTIONS + 1] = {
      {.name = "--waves", .type = CLI_STRING, .dest = &w->path, .what = "a file name"},
      {.name = "--waves-from", .type = CLI_U64, .dest = &w->from, .max = UINT64_MAX},
      {.name = "--waves-to", .type = CLI_U64, .dest = &w->to, .max = UINT64_MAX},
      {.name = "--waves-on-failure",
       .type = CLI_UNSIGNED,
       .dest = &w->on_failure,
       .min = 1,
       .max = 100000000},
      {.name = "--waves-flush", .type = CLI_U64, .dest = &w->flush, .min = 1, .max = UINT32_MAX},
      {0}};
  memcpy(out, t, sizeof t);
}

int cli_output_check(const cli_command *cmd, const char *path) {
  tb_error err;
  if (tb_output_check(path, &err) == TB_OK) return 0;
  fprintf(stderr, "%s: error: %s\n", cmd->prog, err.msg);
  return EXIT_USAGE;
}

void cli_budget_options(cli_budget *b, cli_option out[CLI_BUDGET_OPTIONS + 1]) {
  const cli_option t[CLI_BUDGET_OPTIONS + 1] = {
      {.name = "--max-cycles",
       .type = CLI_U64,
       .dest = &b->max_cycles,
       .min = 1,
       .max = UINT64_MAX},
      {.name = "--timeout", .type = CLI_U64, .dest = &b->timeout, .min = 1, .max = 1000000000},
      {0}};
  memcpy(out, t, sizeof t);
}

void cli_budget_start(const cli_budget *b) {
  tb_budget_start(b->max_cycles, b->timeout);
  tb_stop_on_abort(waves_abandon);
  tb_stop_on_signals();
}

int cli_budget_note(FILE *f, const char *what) {
  if (tb_budget_run_reason() == TB_STOP_NONE) return 0;
  char why[160];
  fprintf(f, "%s%s%s (the report above is partial)\n", what ? what : "", what ? ": " : "",
          tb_budget_describe(why, sizeof why));
  return TB_EXIT_BUDGET;
}

/* How bad an exit status is: a usage or I/O error, then a mismatch, a failed expectation,
 * a run cut short by its budget, success. */
static int rank(int status) {
  switch (status) {
  case 0: return 0;
  case TB_EXIT_BUDGET: return 1;
  case EXIT_EXPECT: return 2;
  case EXIT_DISAGREE: return 3;
  default: return 4;
  }
}

int cli_exit_worse(int a, int b) { return rank(b) > rank(a) ? b : a; }

bool cli_choose_engine(const char *word, void *dest) { return engine_kind_parse(word, dest); }
bool cli_choose_policy(const char *word, void *dest) { return pmmu_policy_parse(word, dest); }

int cli_waves_check(const cli_command *cmd, const waves_options *w, engine_kind kind) {
  bool window = w->from != 0 || w->to != UINT64_MAX;
  if (window && w->to < w->from)
    return cli_usage_error(cmd, "--waves-to %" PRIu64 " ends before --waves-from %" PRIu64, w->to,
                           w->from);
  if (window && w->on_failure)
    return cli_usage_error(cmd, "--waves-from/--waves-to and --waves-on-failure exclude each "
                                "other (the failure sets the window)");
  if (window && !w->path) return cli_usage_error(cmd, "--waves-from/--waves-to need --waves FILE");
  if (w->flush && !waves_enabled(w))
    return cli_usage_error(cmd, "--waves-flush needs --waves FILE");
  if (!waves_enabled(w)) return 0;
  if (kind == ENGINE_MODEL)
    return cli_usage_error(cmd, "--waves needs the RTL: --engine rtl or both");
  if (!waves_available())
    return cli_usage_error(cmd, "--waves: this pmmu's RTL was built without tracing (configure with"
                                " -DPMMU_RTL_TRACE=ON)");
  char why[OUTFILE_WHY];
  if (waves_check_path(w, why, sizeof why) != 0) { /* before any work: exit 2 */
    fprintf(stderr, "%s: error: --waves %s\n", cmd->prog, why);
    return EXIT_USAGE;
  }
  return 0;
}

int cli_with_waves(const waves_options *w, const char *tag, FILE *through, const char *what,
                   cli_waves_run run, void *ctx) {
  char path[4096];
  const char *base = w->on_failure ? waves_failure_path(w) : w->path;
  if (tag) waves_path_for(base, tag, path, sizeof path);
  else snprintf(path, sizeof path, "%s", base);
  FILE *report = waves_watch(through);
  waves_watch_reset();
  if (!w->on_failure && waves_start(path, w->from, w->to, stderr)) {
    if (report != through) fclose(report);
    return EXIT_USAGE;
  }
  waves_set_flush(w->flush);
  engine_set_model_tap(waves_model_request, NULL); /* the dump's model group */
  int status = run(ctx, report, stdout, false);
  fflush(report);
  if (!w->on_failure) {
    if (waves_stop(stderr) != 0) status = cli_exit_worse(status, EXIT_USAGE);
  } else if (waves_failed() && !tb_stop_signal()) {
    uint64_t from, to;
    waves_failure_window(w, &from, &to);
    fprintf(stderr, "waves: running %s%sagain to dump cycles %" PRIu64 "..%" PRIu64 "\n",
            what ? what : "", what ? " " : "", from, to);
    FILE *null = fopen("/dev/null", "w");
    FILE *quiet = waves_watch(null);
    waves_watch_reset();
    if (null && waves_start(path, from, to, stderr) == 0) {
      run(ctx, quiet, null, true);
      fflush(quiet);
      if (waves_stop(stderr) != 0) status = cli_exit_worse(status, EXIT_USAGE);
    }
    if (quiet != null) fclose(quiet);
    if (null) fclose(null);
  }
  engine_set_model_tap(NULL, NULL);
  if (report != through) fclose(report);
  return status;
}

static bool no_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  (void)ctx, (void)pa, (void)size, (void)value;
  return false;
}

static bool no_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                   uint64_t *old) {
  (void)ctx, (void)pa, (void)size, (void)expected, (void)desired, (void)old;
  return false;
}

const char *cli_geometry_check(unsigned sets, unsigned ways, unsigned large, pmmu_policy policy) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = sets;
  cfg.tlb_ways = ways;
  cfg.tlb_large = large;
  cfg.policy = policy;
  cfg.mem.read = no_read; /* the check wants callbacks present; nothing is read */
  cfg.mem.cas = no_cas;
  return pmmu_config_check(&cfg);
}

int cli_coverage_start(const cli_command *cmd, cli_coverage *c) {
  c->cov = NULL;
  if (!c->path) return 0;
  if (cli_output_check(cmd, c->path)) return EXIT_USAGE;
  if (!(c->cov = coverage_create())) {
    fprintf(stderr, "%s: error: out of memory\n", cmd->prog);
    return EXIT_USAGE;
  }
  return 0;
}

const engine_observer *cli_coverage_observer(cli_coverage *c) {
  return c->cov ? coverage_observer(c->cov) : NULL;
}

int cli_coverage_finish(const cli_command *cmd, cli_coverage *c, int status) {
  if (!c->cov) return status;
  tb_error err;
  if (status != EXIT_USAGE && coverage_write(c->cov, c->path, &err) != TB_OK) {
    fprintf(stderr, "%s: error: --coverage: %s\n", cmd->prog, err.msg);
    status = EXIT_USAGE;
  }
  coverage_destroy(c->cov);
  c->cov = NULL;
  return status;
}
