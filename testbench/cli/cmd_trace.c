/* `pmmu trace`: a trace through the testbench OS with the TLB's view of every access
 * (tlbtrace.h, docs/trace.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tlbtrace.h"

static const char help_text[] =
    "usage: pmmu trace FILE [--tlb sets=S,ways=W,large=L,policy=P] [-v] [--frames F]\n"
    "\n"
    "Runs a trace ('PID R|W|X 0xADDR' lines or Valgrind lackey --trace-mem=yes output, as\n"
    "'pmmu sim --trace' reads it; '-' reads standard input) through the testbench OS on the C\n"
    "model: page faults are real demand paging, context switches write CR3. Prints the last\n"
    "line 'hits:X misses:Y walks:Z faults:W' (docs/trace.md):\n"
    "  hits, misses  the trace's accesses whose first TLB lookup hit, or missed (an entry\n"
    "                dropped for its rights or a write to a clean page is a miss): their sum is\n"
    "                the number of accesses\n"
    "  walks         page walks for those accesses, the retries after a page fault included\n"
    "  faults        page faults (#PF) raised by those walks\n"
    "  --tlb LIST    the TLB: any of sets=S (power of two 1..1024), ways=W (1..16), large=L\n"
    "                (1..64), policy=plru|lru|fifo|random; default sets=16,ways=4,large=8,plru\n"
    "  -v            one line per access, as CS:APP's csim -v: the lookups ('miss fault=0x6\n"
    "                retry miss'), the entry evicted, the set's 4 KiB entries after the access\n"
    "                (their VPNs, oldest to newest by last use), the running counts\n"
    "  --frames F    physical frames for user pages, 4..262144 (default 1024)\n"
    "The trace is checked whole before it runs (at most 20 errors are shown), its processes\n"
    "included: a fork of a PID alive, more than 256 processes alive or 1024 in all.\n"
    "exit status: 0 success; 1 the OS found its own state wrong; 2 bad usage or input\n";

static int tlb_error(const cli_command *cmd, const char *item, const char *what) {
  return cli_usage_error(cmd, "--tlb: %s '%s' (sets=S,ways=W,large=L,policy=%s)", what, item,
                         "plru|lru|fifo|random");
}

/* One KEY=VALUE of --tlb. */
static int tlb_item(const cli_command *cmd, char *item, tlbtrace_options *o) {
  char *eq = strchr(item, '=');
  if (!eq) return tlb_error(cmd, item, "expected KEY=VALUE, not");
  *eq = '\0';
  const char *key = item, *value = eq + 1;
  if (strcmp(key, "policy") == 0) {
    if (!pmmu_policy_parse(value, &o->policy))
      return cli_usage_error(cmd, "--tlb: unknown policy '%s' (%s)", value, CLI_POLICIES);
    return 0;
  }
  unsigned *dest = strcmp(key, "sets") == 0    ? &o->sets
                   : strcmp(key, "ways") == 0  ? &o->ways
                   : strcmp(key, "large") == 0 ? &o->large
                                               : NULL;
  if (!dest) return tlb_error(cmd, key, "unknown key");
  uint64_t v;
  if (!cli_parse_u64(value, &v) || v > 65536)
    return cli_usage_error(cmd, "--tlb: bad value '%s' for '%s' (a number)", value, key);
  *dest = (unsigned)v;
  return 0;
}

/* --tlb LIST into o, then the geometry checked by the model's own rule. */
static int parse_tlb(const cli_command *cmd, const char *spec, tlbtrace_options *o) {
  char buf[256];
  if (snprintf(buf, sizeof buf, "%s", spec) >= (int)sizeof buf)
    return cli_usage_error(cmd, "--tlb: too long");
  for (char *item = strtok(buf, ","); item; item = strtok(NULL, ","))
    if (tlb_item(cmd, item, o)) return EXIT_USAGE;
  const char *why = cli_geometry_check(o->sets, o->ways, o->large, o->policy);
  return why ? cli_usage_error(cmd, "--tlb %s: %s", spec, why) : 0;
}

int cmd_trace(int argc, char **argv) {
  tlbtrace_options o;
  tlbtrace_options_init(&o);
  bool help = false;
  const char *tlb = NULL;
  char *files[1];
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "-v", .type = CLI_FLAG, .dest = &o.verbose},
      {.name = "--verbose", .type = CLI_FLAG, .dest = &o.verbose},
      {.name = "--tlb", .type = CLI_STRING, .dest = &tlb, .what = "sets=S,ways=W,large=L,policy=P"},
      {.name = "--frames", .type = CLI_UNSIGNED, .dest = &o.frames, .min = 4, .max = 262144},
      {0}};
  cli_command cmd = {.prog = "pmmu trace",
                     .help = "pmmu trace --help",
                     .opts = {own},
                     .operands = files,
                     .max_operands = 1};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (help) {
    fputs(help_text, stdout);
    return 0;
  }
  if (n != 1) return cli_usage_error(&cmd, "expected one trace file");
  o.trace = files[0];
  if (tlb && parse_tlb(&cmd, tlb, &o)) return EXIT_USAGE;
  tlbtrace_counts counts;
  return tb_exit_status(tlbtrace_run(&o, stdout, stderr, &counts));
}
