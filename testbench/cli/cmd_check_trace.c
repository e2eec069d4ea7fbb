/* `pmmu check-trace FILE`: a transaction trace replayed on the model (txtrace.h,
 * docs/spec/transaction-trace.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "txtrace.h"

static const char help_text[] =
    "usage: pmmu check-trace FILE   ('-': standard input)\n"
    "\n"
    "Replays a transaction trace (docs/spec/transaction-trace.md: JSON Lines written by\n"
    "'pmmu run|cosim|sim --dump-trace FILE', or by any simulator) on the C model: memory from\n"
    "the trace's 'mem' events, the memory's timing and bus errors from its 'walk' events, and\n"
    "every request's accept and response cycles, result, TLB use, walker memory transaction\n"
    "and interrupt compared as the lockstep compares them. Prints\n"
    "  FILE: N transactions matched (...)\n"
    "or the first divergence as the lockstep's table (the rtl column is the trace).\n"
    "The whole file is checked first: a malformed line is 'FILE:LINE: error: WHAT' (at most 20\n"
    "of them, then 'too many errors'; a NUL byte is an error).\n"
    "exit status: 0 every transaction matched; 2 bad usage, or a malformed or unreadable\n"
    "             trace; 3 the trace differs from the model\n";

int cmd_check_trace(int argc, char **argv) {
  bool help = false;
  char *paths[2] = {0};
  const cli_option own[] = {{.name = "--help", .type = CLI_HELP, .dest = &help},
                            {.name = "-h", .type = CLI_HELP, .dest = &help},
                            {0}};
  cli_command cmd = {.prog = "pmmu check-trace",
                     .help = "pmmu check-trace --help",
                     .opts = {own},
                     .operands = paths,
                     .max_operands = 1};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (help) {
    fputs(help_text, stdout);
    return 0;
  }
  if (n != 1) return cli_usage_error(&cmd, "'check-trace' needs one trace file");
  tb_error err;
  txtrace_counts k;
  /* checked whole first, then replayed as it is read again: memory stays constant */
  int st = txtrace_check_file(paths[0], stdout, stderr, &k, &err);
  if (st == TB_E_IO || st == TB_E_NOMEM) fprintf(stderr, "pmmu check-trace: %s\n", err.msg);
  if (st < 0) return EXIT_USAGE;
  if (st == TB_OK)
    printf("%s: %" PRIu64 " transactions matched (%" PRIu64 " requests, %" PRIu64
           " responses, %" PRIu64 " memory transactions; %" PRIu64 " PDPTE loads, %" PRIu64
           " interrupt checks)\n",
           strcmp(paths[0], "-") == 0 ? "<stdin>" : paths[0], k.requests + k.responses + k.walks,
           k.requests, k.responses, k.walks, k.pdpte_loads, k.interrupts);
  return tb_exit_status(st);
}
