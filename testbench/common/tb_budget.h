/*
 * Bounded runs (docs/verification.md, "Bounded runs"): the budgets of a command
 * (--max-cycles, --timeout) and the signals that ask it to stop, process-wide.
 *
 * A run loop (the scenario runner, cosim, the OS simulation) asks tb_budget_spent() before
 * each operation; when it answers true the loop ends there, cleanly, and the command prints
 * its partial report and exits with TB_EXIT_BUDGET (124, as timeout(1) does), unless the part
 * that ran found something worse (a failed expectation, a mismatch, an error).
 *
 * - --max-cycles N: each run (a scenario file, a cosim seed, the simulation) stops before the
 *   first operation that would start in cycle N or later; the operation in flight finishes.
 * - --timeout S: the command stops S seconds after tb_budget_start(), whatever it runs.
 * - A signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGABRT sent by another process)
 *   caught by tb_stop_on_signals(): the handler only records it (async-signal-safe); the loop
 *   stops, the command finishes its outputs (the waves), then tb_stop_reraise() lets the
 *   signal take its default course, so that the shell sees the process ended by it.
 */
#ifndef PMMU_TB_BUDGET_H
#define PMMU_TB_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The exit status of a command whose run was cut short by its budget or a stop signal. */
#define TB_EXIT_BUDGET 124

typedef enum tb_stop_reason {
  TB_STOP_NONE = 0,
  TB_STOP_CYCLES,  /* --max-cycles */
  TB_STOP_TIMEOUT, /* --timeout */
  TB_STOP_SIGNAL   /* a signal caught by tb_stop_on_signals() */
} tb_stop_reason;

/* Sets the budgets (0: none) and starts the --timeout clock. */
void tb_budget_start(uint64_t max_cycles, uint64_t timeout_seconds);
/* A new run begins (a file, a seed): its cycle count starts again. */
void tb_budget_run_begin(void);
/* true when the run must stop before an operation that starts in `cycle`; the reason is
 * kept (tb_budget_run_reason). Cheap enough for every operation. */
bool tb_budget_spent(uint64_t cycle);
/* The whole command is over: --timeout ran out or a stop signal came (no further run). */
bool tb_budget_over(void);
/* Why the current run stopped (TB_STOP_NONE: it did not). */
tb_stop_reason tb_budget_run_reason(void);
/* Whether any run of the command stopped early. */
bool tb_budget_any_stopped(void);
/* One sentence for the current run's stop: "stopped by --max-cycles 1000 before cycle 1004". */
const char *tb_budget_describe(char *buf, size_t len);

/* Installs the flag-only handler for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE and SIGABRT
 * (those not ignored; SA_RESETHAND: a second signal takes its default course at once). */
void tb_stop_on_signals(void);
/* For abort() called in this process (SIGABRT from ourselves), which ends it whatever the
 * handler does: `hook` runs in the handler and may only make async-signal-safe calls (the
 * waves rename their unfinished dump FILE.partial: waves_abandon). NULL: none. */
void tb_stop_on_abort(void (*hook)(void));
/* Async-signal-safe: records `sig` as a stop request (the handler calls it). */
void tb_stop_request(int sig);
/* The signal that asked to stop (0: none). */
int tb_stop_signal(void);
/* Ends the process by the recorded signal (its default action), if one came; returns
 * otherwise. */
void tb_stop_reraise(void);

#ifdef __cplusplus
}
#endif

#endif
