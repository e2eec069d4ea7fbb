/*
 * `pmmu`: one file per command (cmd_run.c, cmd_explain.c, cmd_cosim.c, cmd_sim.c), main.c
 * dispatching, options.c parsing every command's options. Each command takes its arguments
 * after the command word and returns the exit status (tb_exit_status): 0 all ran and every
 * expectation held; 1 an expectation failed; 2 bad input or usage; 3 the engines disagreed or
 * the RTL gave no response (a hang); 124 a run cut short by --max-cycles, --timeout or a stop
 * signal (TB_EXIT_BUDGET).
 */
#ifndef PMMU_CLI_H
#define PMMU_CLI_H

#include "coverage.h"
#include "engine.h"
#include "options.h"
#include "pmmu_waves.h"
#include "tb_budget.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { EXIT_EXPECT = 1, EXIT_USAGE = 2, EXIT_DISAGREE = 3 };

int cmd_run(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_cosim(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_quiz(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_check_trace(int argc, char **argv);
int cmd_regress(int argc, char **argv);
int cmd_shrink(int argc, char **argv);
int cmd_coverage(int argc, char **argv);

/* Option tables shared by the commands (common.c). The returned table lives in *w's
 * owner's frame: build it where the options are parsed. */
#define CLI_WAVES_OPTIONS 5
void cli_waves_options(waves_options *w, cli_option out[CLI_WAVES_OPTIONS + 1]);
/* The waves options against the run they are for, before anything runs: they need the RTL
 * (--engine rtl or both) and a pmmu whose RTL was built with tracing. 0, or a usage error
 * (printed; returns 2). */
int cli_waves_check(const cli_command *cmd, const waves_options *w, engine_kind kind);
/* An output file named on the command line, before any work (tb_file.h: a new or regular
 * file in a directory we may write): 0, or 2 after "PROG: error: cannot write 'PATH': WHY". */
int cli_output_check(const cli_command *cmd, const char *path);
/* A TLB geometry and policy against the model's own rule (pmmu_config_check), before anything
 * runs: NULL, or the sentence that says what is wrong. */
const char *cli_geometry_check(unsigned sets, unsigned ways, unsigned large, pmmu_policy policy);
/* --max-cycles N, --timeout SECONDS (tb_budget.h): run, cosim and sim. */
typedef struct cli_budget {
  uint64_t max_cycles, timeout; /* 0: none */
} cli_budget;
#define CLI_BUDGET_OPTIONS 2
#define CLI_BUDGET_HELP                                                                       \
  "      --max-cycles N (1..2^64-1): each run stops before the first operation that would\n"  \
  "      start in cycle N or later; --timeout S (1..1000000000): the command stops after S\n" \
  "      seconds. A run cut short prints its partial report and, unless it found worse,\n"    \
  "      exits 124; so does SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE, after finishing the\n"     \
  "      outputs, then the signal ends the process (docs/verification.md, \"Bounded runs\").\n"
void cli_budget_options(cli_budget *b, cli_option out[CLI_BUDGET_OPTIONS + 1]);
/* Starts the budgets and the stop-signal handlers: after parsing, before the run. */
void cli_budget_start(const cli_budget *b);
/* After a run: when the budget or a signal cut it short, "WHAT: stopped by ..." on f and
 * TB_EXIT_BUDGET; else 0. */
int cli_budget_note(FILE *f, const char *what);
/* The worse of two exit statuses: 2 (usage, input, I/O) > 3 > 1 > 124 (budget) > 0. */
int cli_exit_worse(int a, int b);
/* --coverage FILE (run, cosim, sim): the functional coverage of every engine the command makes
 * (testbench/coverage/coverage.h), written when the command ends. */
typedef struct cli_coverage {
  const char *path; /* the option's value; NULL: not asked */
  coverage *cov;
} cli_coverage;
#define CLI_COVERAGE_HELP \
  "  --coverage FILE    the functional coverage of the run as JSON (docs/coverage.md)\n"
/* After parsing: the output checked and the bins made. 0, or 2 after the message. */
int cli_coverage_start(const cli_command *cmd, cli_coverage *c);
/* The observer for engine_setup.observer (NULL when not asked). */
const engine_observer *cli_coverage_observer(cli_coverage *c);
/* Writes the file unless the command ended in a usage error (status 2), then frees the bins;
 * returns the status, or 2 when the file could not be written. */
int cli_coverage_finish(const cli_command *cmd, cli_coverage *c, int status);
bool cli_choose_engine(const char *word, void *dest); /* engine_kind */
bool cli_choose_policy(const char *word, void *dest); /* pmmu_policy */
#define CLI_ENGINES "model, rtl, both"
#define CLI_POLICIES "plru, lru, fifo, random"

/* One run of a command under --waves: failures go to `report`, the rest to `out`; `again`:
 * the silent second run of --waves-on-failure (progress off). Returns the exit status. */
typedef int (*cli_waves_run)(void *ctx, FILE *report, FILE *out, bool again);
/* Runs `run` with --waves as asked: a dump of the whole run (or its window), or, with
 * --waves-on-failure, a second identical run that dumps the cycles before the first failure
 * ("waves: running WHAT again ..."). The dump is the --waves file (pmmu-failure.fst by
 * default on failure); `tag` (NULL for none) names one of several runs in it: FILE.TAG.fst.
 * `through`: where failures are printed (stdout for cosim, stderr otherwise). Returns the
 * first run's exit status. */
int cli_with_waves(const waves_options *w, const char *tag, FILE *through, const char *what,
                   cli_waves_run run, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
