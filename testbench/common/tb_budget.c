/* Bounded runs (tb_budget.h). */
#define _POSIX_C_SOURCE 200809L
#include "tb_budget.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
  uint64_t max_cycles, timeout;
  struct timespec start;
  tb_stop_reason reason; /* of the current run */
  uint64_t cycle;        /* the cycle the current run stopped before */
  bool any;
} budget;

/* The only state a signal handler writes. */
static volatile sig_atomic_t stop_sig;

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGABRT};

void tb_budget_start(uint64_t max_cycles, uint64_t timeout_seconds) {
  budget.max_cycles = max_cycles;
  budget.timeout = timeout_seconds;
  clock_gettime(CLOCK_MONOTONIC, &budget.start);
  budget.reason = TB_STOP_NONE;
  budget.any = false;
}

void tb_budget_run_begin(void) {
  if (budget.reason == TB_STOP_CYCLES) budget.reason = TB_STOP_NONE; /* the others last */
}

static bool time_is_up(void) {
  if (!budget.timeout) return false;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t ns = (uint64_t)(now.tv_sec - budget.start.tv_sec) * UINT64_C(1000000000) +
                (uint64_t)now.tv_nsec - (uint64_t)budget.start.tv_nsec;
  return ns / UINT64_C(1000000000) >= budget.timeout;
}

bool tb_budget_spent(uint64_t cycle) {
  tb_stop_reason why = budget.reason;
  if (why == TB_STOP_NONE) {
    if (stop_sig) why = TB_STOP_SIGNAL;
    else if (time_is_up()) why = TB_STOP_TIMEOUT;
    else if (budget.max_cycles && cycle >= budget.max_cycles) why = TB_STOP_CYCLES;
  }
  if (why == TB_STOP_NONE) return false;
  if (budget.reason == TB_STOP_NONE) budget.cycle = cycle;
  budget.reason = why;
  budget.any = true;
  return true;
}

bool tb_budget_over(void) { return stop_sig || time_is_up(); }

tb_stop_reason tb_budget_run_reason(void) { return budget.reason; }
bool tb_budget_any_stopped(void) { return budget.any; }

const char *tb_budget_describe(char *buf, size_t len) {
  switch (budget.reason) {
  case TB_STOP_NONE: snprintf(buf, len, "not stopped"); break;
  case TB_STOP_CYCLES:
    snprintf(buf, len, "stopped by --max-cycles %" PRIu64 " before cycle %" PRIu64,
             budget.max_cycles, budget.cycle);
    break;
  case TB_STOP_TIMEOUT:
    snprintf(buf, len, "stopped by --timeout %" PRIu64 " before cycle %" PRIu64, budget.timeout,
             budget.cycle);
    break;
  case TB_STOP_SIGNAL:
    snprintf(buf, len, "stopped by signal %d (%s) before cycle %" PRIu64, (int)stop_sig,
             strsignal((int)stop_sig), budget.cycle);
    break;
  }
  return buf;
}

void tb_stop_request(int sig) {
  if (!stop_sig) stop_sig = sig;
}

static void (*abort_hook)(void);

void tb_stop_on_abort(void (*hook)(void)) { abort_hook = hook; }

static void on_stop_signal(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  /* abort() in this process (si_pid is ours): it does not return to the run loop, whatever
   * the handler does; only the hook's async-signal-safe last words are possible */
  if (sig == SIGABRT && info && info->si_pid == getpid()) {
    if (abort_hook) abort_hook();
    return;
  }
  tb_stop_request(sig);
}

void tb_stop_on_signals(void) {
  for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
    struct sigaction old, sa;
    if (sigaction(stop_signals[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
      continue; /* e.g. nohup: keep ignoring */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_RESTART;
    sigaction(stop_signals[i], &sa, NULL);
  }
}

int tb_stop_signal(void) { return (int)stop_sig; }

void tb_stop_reraise(void) {
  int sig = (int)stop_sig;
  if (!sig) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
}
