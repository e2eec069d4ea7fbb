/*
 * The WebAssembly entry of the pmmu command line: web/app.js calls pmmu_web_main() once per
 * command, with the arguments after the program name, as the shell would pass them to the
 * native `pmmu`. Everything the command prints reaches the page through the module's print
 * and printErr hooks; stdout and stderr are flushed before returning so that no output of one
 * command is left behind for the next.
 */
#include <emscripten.h>
#include <stdio.h>

int pmmu_cli_main(int argc, char **argv); /* testbench/cli/main.c, main() renamed */
int pmmu_web_main(int argc, char **argv);

EMSCRIPTEN_KEEPALIVE int pmmu_web_main(int argc, char **argv) {
  int status = pmmu_cli_main(argc, argv);
  fflush(stdout);
  fflush(stderr);
  return status;
}
