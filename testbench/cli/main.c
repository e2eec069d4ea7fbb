/* `pmmu`: the command-line front of the project; one file per command (cli.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "pmmu " PMMU_VERSION_STRING ": a cycle-level model of the x86-32 paging MMU\n"
    "\n"
    "usage:\n"
    "  pmmu run FILE... [--json] [--engine model|rtl|both] [--waves FILE] [--waves-from N]\n"
    "           [--waves-to N] [--waves-on-failure N] [--tlb-state] [--mutant NAME]\n"
    "      Run scenario files ('-' reads standard input). The whole of every file is checked\n"
    "      before anything runs. --json prints one JSON object per line\n"
    "      (docs/spec/scenario-format.md); the default is one readable line per result.\n"
    "      --tlb-state (with --json) adds the model's TLB after every access.\n"
    "      --mutant NAME (with --engine rtl|both) runs the RTL built with that bug.\n"
    "  pmmu explain FILE VA [read|write|fetch] [user|sup|implicit] [ac] [--json]\n"
    "      Run FILE silently, then show the walk of one access on its final state, step by\n"
    "      step. Changes nothing (no A/D write, no TLB fill). Default: read, sup.\n"
    "      Ends with the TLB: the entry the next access finds, and memory beside it when\n"
    "      it is stale. --json: one JSON object; 'pmmu explain --help' for more.\n"
    "  pmmu cosim [--seed S] [--seeds N] [--accesses N] [--engine model|rtl|both]\n"
    "             [--sets N] [--ways N] [--large N] [--policy P] [--latency A..B] [--wait N]\n"
    "             [--bus-errors PERMILLE] [--gap N] [--acks PERCENT] [--quiet] [--trace]\n"
    "             [--resets PERMILLE] [--mutant NAME]\n"
    "             [--waves FILE] [--waves-from N] [--waves-to N] [--waves-on-failure N]\n"
    "      Random page tables and request streams (flushes during walks, control-register\n"
    "      toggles, page-table edits); every result is checked against a fresh walk when the\n"
    "      TLB is coherent, and against the other engine with --engine both. --seeds N runs\n"
    "      seeds S .. S+N-1. Defaults: seed 1, 10000 accesses, latency 1..6, wait 3, gap 3.\n"
    "      --acks: the interrupt handler acks after PERCENT of the responses, at random\n"
    "      cycles (default: 30 in seeds 3, 7, 11, ..., none in the others); acks change no\n"
    "      timing, and lockstep compares the interrupt outputs in every cycle.\n"
    "      --resets: reset in a random cycle of PERMILLE of the requests (walks cut short\n"
    "      in every state), then the world boots again; not with --dump-trace or --waves.\n"
    "  pmmu sim [--processes N] [--workload NAME | --trace FILE] [--frames F]\n"
    "           [--engine model|rtl|both] [--seed S] [--accesses N] [--maps] [--help]\n"
    "           [--waves FILE] [--waves-from N] [--waves-to N] [--waves-on-failure N]\n"
    "      The testbench operating system: processes, demand paging, swap, copy-on-write\n"
    "      and SIGSEGV driven through the PMMU (docs/os.md); 'pmmu sim --help' for more.\n"
    "      --log KINDS prints the OS's events as they happen, --pagemap PID its pages.\n"
    "  pmmu trace FILE [--tlb sets=S,ways=W,large=L,policy=P] [-v] [--frames F]\n"
    "      A trace through the testbench OS on the model, with the TLB's view of every access\n"
    "      (-v: one line each, as csim -v); last line 'hits:X misses:Y walks:Z faults:W'.\n"
    "  pmmu quiz [--seed S | --student ID --assignment NAME] [--pse | --pae [--nx]] [--items N]\n"
    "            [--decoded] [--solve | --reveal pa | --check ANSWER [--item N]]\n"
    "            [--format text|md|csv|pmmu|gift] [--json]\n"
    "      A seeded address-translation exercise with its answers, a stepwise grader and\n"
    "      exports (docs/quiz.md); 'pmmu quiz --help' for more.\n"
    "  pmmu check-trace FILE\n"
    "      Replay a transaction trace (docs/spec/transaction-trace.md) on the model: the first\n"
    "      divergence as the lockstep's table (exit 3), or 'N transactions matched'.\n"
    "      run, cosim and sim write one with --dump-trace FILE (engine rtl or both: what the\n"
    "      RTL's ports did; model: the model's results).\n"
    "  pmmu shrink FILE [-o OUT] [--engine both|rtl|model] [--mutant NAME] [--timeout S]\n"
    "      Reduce a failing scenario by delta debugging (its commands, then its values) to a\n"
    "      minimal file that fails the same way (the same op and first differing field, or\n"
    "      the same expect failing alike); OUT has the model's expect lines and a header\n"
    "      saying how to reproduce it. 'pmmu shrink --help' for more.\n"
    "  pmmu regress [--list] [--test GLOB]... [--seeds N] [--seed S] [-j N] [--shard I/N]\n"
    "               [--timeout SEC] [--waves-on-failure] -o DIR\n"
    "      The test list over many seeds in parallel processes: JUnit XML, summary.json,\n"
    "      summary.md and failure buckets in DIR; --merge DIR... -o OUT merges shards,\n"
    "      --replay DIR/summary.json -o OUT runs the failures again (docs/regress.md).\n"
    "  pmmu coverage FILE... [-o MERGED.json] [--holes]\n"
    "      Merge functional coverage files (run, cosim and sim write one with --coverage\n"
    "      FILE) and print the bins hit per coverpoint; --holes lists the bins not hit\n"
    "      (docs/coverage.md).\n"
    "  pmmu --help | --version\n"
    "\n"
    "waveforms of the RTL (run, cosim, sim; --engine rtl or both):\n";
static const char usage_tail[] =
    "\n"
    "exit status: 0 all ran and every expectation held; 1 an expectation failed;\n"
    "             2 bad input or usage; 3 the engines disagreed (--engine both), or the RTL\n"
    "             gave no response; 124 a run cut short by --max-cycles or --timeout\n"
    "             (run, cosim, sim: the report printed is partial). SIGINT, SIGTERM,\n"
    "             SIGHUP, SIGQUIT and SIGPIPE stop run, cosim and sim the same way, finish\n"
    "             the outputs (waves included), then end the process by the signal.\n"
    "budgets (run, cosim, sim):\n" CLI_BUDGET_HELP;

/* Standard output is where every command's results go: if any of it could not be written
 * (a full disk, a closed descriptor), the run's output is incomplete, and saying so is the
 * only honest end (exit 2), whatever the command found. Pipes closed early (| head) end the
 * process by SIGPIPE before this. */
static int run_command(int argc, char **argv) {
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
  static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
  } commands[] = {{"run", cmd_run},
                  {"explain", cmd_explain},
                  {"cosim", cmd_cosim},
                  {"sim", cmd_sim},
                  {"quiz", cmd_quiz},
                  {"trace", cmd_trace},
                  {"check-trace", cmd_check_trace},
                  {"shrink", cmd_shrink},
                  {"coverage", cmd_coverage},
#ifndef __EMSCRIPTEN__ /* the web page's pmmu runs no child processes (web/CMakeLists.txt) */
                  {"regress", cmd_regress}
#endif
  };
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
  fprintf(stderr, "pmmu: unknown command '%s' (", cmd);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(stderr, "%s%s", i ? ", " : "", commands[i].name);
  fputs(")\nTry 'pmmu --help'.\n", stderr);
  return EXIT_USAGE;
}

int main(int argc, char **argv) {
  int status = run_command(argc, argv);
  /* Standard output is flushed before the stop signal is looked at: a reader that has gone
   * (`| head`) raises SIGPIPE only now, at the first write, and it must end the process as
   * the signal would. With SIGPIPE ignored the write fails with EPIPE instead: exit 2. */
  errno = 0;
  bool written = fflush(stdout) == 0 && !ferror(stdout);
  int why = errno ? errno : EIO;
  if (tb_stop_signal()) {
    /* a stop signal (tb_budget.h) ended the run cleanly, outputs finished: now let it take
     * its default course, so that the caller sees the process ended by it */
    tb_stop_reraise();
  }
  if (written) return status;
  fprintf(stderr, "pmmu: error: the output could not be written (standard output): %s\n",
          strerror(why));
  return EXIT_USAGE;
}
