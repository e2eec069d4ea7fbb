/*
 * The WebAssembly entry of the pmmu command line: pmmu-run.js calls pmmu_web_main() once per
 * command, with the arguments as the shell would pass them to the native `pmmu` (argv[0]
 * included). What the command prints goes to two files of the module's memory file system,
 * PMMU_WEB_STDOUT and PMMU_WEB_STDERR, emptied at the start of every command and flushed at
 * its end, which pmmu-run.js reads back as strings: much faster than emscripten's terminal
 * device, which hands the page one character at a time (a thousand accesses with their TLB
 * contents are several megabytes of JSON).
 */
#include <emscripten.h>
#include <stdio.h>

#define PMMU_WEB_STDOUT "/pmmu.stdout"
#define PMMU_WEB_STDERR "/pmmu.stderr"

int pmmu_cli_main(int argc, char **argv); /* testbench/cli/main.c, main() renamed */
int pmmu_web_main(int argc, char **argv);

/* Returns the command's exit status, or -1 when the output files could not be opened. */
EMSCRIPTEN_KEEPALIVE int pmmu_web_main(int argc, char **argv) {
  if (!freopen(PMMU_WEB_STDOUT, "w", stdout) || !freopen(PMMU_WEB_STDERR, "w", stderr)) return -1;
  int status = pmmu_cli_main(argc, argv);
  fflush(stdout);
  fflush(stderr);
  return status;
}
