/* `pmmu coverage FILE...`: functional coverage files merged, the table and its holes
 * (testbench/coverage/coverage.h, docs/coverage.md). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tb_file.h"

static const char help_text[] =
    "usage: pmmu coverage FILE... [-o MERGED.json] [--holes] [--quiet]\n"
    "\n"
    "Merges functional coverage files (written by run, cosim and sim with --coverage FILE;\n"
    "counts add), prints one row per coverpoint (bins possible, hit, holes, holes that matter,\n"
    "impossible) and, with --holes, every bin not hit (docs/coverage.md says which bins\n"
    "matter and which are impossible, and why).\n"
    "  -o, --output FILE  write the merged counts (a new or regular file, docs/cli.md); it may\n"
    "                     be one of the inputs, a running total\n"
    "  --holes            list the holes; a hole among the bins that matter fails (exit 1)\n"
    "  --quiet            print nothing but errors (with -o: merging only)\n"
    "exit status: 0 merged (and with --holes, no hole that matters); 1 a hole that matters\n"
    "             (--holes), or a bin the coverage model calls impossible was hit; 2 bad usage,\n"
    "             a file that cannot be read or is not a coverage file (FILE:LINE: error: ...),\n"
    "             or an output that could not be written\n";

int cmd_coverage(int argc, char **argv) {
  const char *out = NULL;
  bool help = false, holes = false, quiet = false;
  char **paths = calloc((size_t)argc + 1, sizeof *paths);
  if (!paths) return EXIT_USAGE;
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "-o", .type = CLI_STRING, .dest = &out, .what = "a file name"},
      {.name = "--output", .type = CLI_STRING, .dest = &out, .what = "a file name"},
      {.name = "--holes", .type = CLI_FLAG, .dest = &holes},
      {.name = "--quiet", .type = CLI_FLAG, .dest = &quiet},
      {0}};
  cli_command cmd = {.prog = "pmmu coverage",
                     .help = "pmmu coverage --help",
                     .opts = {own},
                     .operands = paths,
                     .max_operands = (unsigned)argc};
  unsigned n;
  int status = cli_parse(&cmd, argc, argv, &n);
  if (!status && help) {
    fputs(help_text, stdout);
    free(paths);
    return 0;
  }
  if (!status && n == 0) status = cli_usage_error(&cmd, "'coverage' needs at least one file");
  if (!status && out && cli_output_check(&cmd, out)) status = EXIT_USAGE;
  /* -o may name an input (a running total: pmmu coverage total.json run.json -o total.json):
   * every input is read whole before the output is written, and that replaces it atomically */
  coverage *c = status ? NULL : coverage_create();
  if (!status && !c) {
    fprintf(stderr, "pmmu coverage: error: out of memory\n");
    status = EXIT_USAGE;
  }
  /* every file is read before anything is written: a bad one leaves no merged file */
  for (unsigned i = 0; !status && i < n; i++)
    if (coverage_merge_file(c, paths[i], stderr) != TB_OK) status = EXIT_USAGE;
  tb_error err;
  if (!status && out && coverage_write(c, out, &err) != TB_OK) {
    fprintf(stderr, "pmmu coverage: error: %s\n", err.msg);
    status = EXIT_USAGE;
  }
  if (!status) {
    coverage_totals t;
    coverage_print(c, quiet ? NULL : stdout, holes, &t);
    if (t.impossible_hit || (holes && t.holes_that_matter)) status = EXIT_EXPECT;
  }
  coverage_destroy(c);
  free(paths);
  return status;
}
