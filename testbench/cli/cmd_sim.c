/* `pmmu sim`: the testbench OS's command line (sim.h, docs/os.md). */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "evlog.h"
#include "sim.h"
#include "tb_file.h"

#define SIM_MAX_ACCESSES 1000000000u /* minutes on the model, hours on the RTL */

static const char help_text[] =
    "usage: pmmu sim [--processes N] [--workload NAME | --trace FILE] [--frames F]\n"
    "                [--engine model|rtl|both] [--seed S] [--accesses N] [--maps]\n"
    "                [--quantum N] [--swap PAGES] [--heap PAGES] [--check-every N] [--no-events]\n"
    "                [--stride BYTES] [--ws-pages N] [--temporal PCT] [--spatial PCT] [--phase N]\n"
    "                [--sets N] [--ways N] [--large N] [--policy plru|lru|fifo|random] [--latency N|A..B]\n"
    "                [--mutant NAME] [--dump-trace FILE] [--waves FILE] [--waves-from N] [--waves-to N]\n"
    "                [--waves-on-failure N] [--log KINDS] [--log-file FILE] [--pagemap PID|all]\n"
    "                [--coverage FILE]\n"
    "\n"
    "Runs processes of the testbench OS (docs/os.md) on the PMMU and prints, per process, what\n"
    "/proc/PID/status would show, then the system's and the PMMU's figures.\n"
    "  --processes N   long-lived processes, 1..64 (default 4); the first forks the others\n"
    "  --workload W    mix (default: each process its own pattern, plus fork/exit, brk,\n"
    "                  mprotect and bad pointers), seq, stride, random, ws, phases\n"
    "  --trace FILE    replay 'PID R|W|X 0xADDR', 'PID fork CHILD', 'PID exit' lines or Valgrind\n"
    "                  lackey --trace-mem=yes output ('-': standard input); the whole trace is\n"
    "                  checked first (at most 20 errors are shown), processes included: at most\n"
    "                  256 alive at once, 1024 in all\n"
    "  --frames F      physical frames for user pages, 4..262144 (default 1024 = 4 MiB)\n"
    "  --seed S        the generated workloads' seed, 0..2^64-1\n"
    "  --accesses N    user accesses, 1..1000000000 (default 1000000; with --trace: at most N,\n"
    "                  default all)\n"
    "  --maps          also print /proc/PID/maps\n"
    "  --quantum N     accesses per time slice, 1..100000000\n"
    "  --swap PAGES    swap slots, 1..1048576\n"
    "  --heap PAGES    heap pages per process, 0..65536\n"
    "  --no-events     (generated workloads) no fork/exit, brk, mprotect or bad pointers\n"
    "  --stride BYTES  (workload stride) 4..16777216\n"
    "  --ws-pages N    (workload ws) the working set, 1..1024 pages\n"
    "  --temporal PCT, --spatial PCT\n"
    "                  (generated workloads) locality, 0..100 each\n"
    "  --phase N       (workload phases) accesses per phase, 1..4294967295\n"
    "                  (the last six are errors with --trace: it has its own processes)\n"
    "  --sets N, --ways N, --large N\n"
    "                  the TLB: --sets N 1..1024 (a power of two), --ways N 1..16,\n"
    "                  --large N 1..64 (default 16, 4, 8)\n"
    "  --latency N|A..B  memory latency in cycles, 1..1000000\n"
    "  --log KINDS     one line per OS event as it happens, KINDS a comma-separated list of\n"
    "                  faults, evictions, swap, cow, segv, switch, fork, exit, all, e.g.\n"
    "                  't=12 cyc=301 pid=1 pmmu-sim fault  va=0x08098000 write minor -> frame 3\n"
    "                  (zero-fill heap)'; grep 'va=0x08098000' follows one page\n"
    "  --log-file FILE the event log goes to FILE instead of standard output\n"
    "  --pagemap PID   after the report, every page of PID's areas: its frame or swap slot,\n"
    "                  its flags, and Rss/Shared/Private/Swap per area like smaps; repeatable\n"
    "                  (PID 1..1000000000, at most 64 of them); 'all': every process alive at\n"
    "                  the end\n"
    "  --mutant NAME   (engine rtl or both) the RTL built with one of its deliberate bugs\n"
    "                  (docs/rtl.md)\n"
    "  --dump-trace FILE  write the run's transaction trace (rtl, both: what the RTL's ports did;\n"
    "                  model: the model's results) for 'pmmu check-trace'\n"
    "                  (docs/spec/transaction-trace.md)\n" CLI_COVERAGE_HELP
    "  --check-every N check every invariant after every N-th page fault, 0..4294967295\n"
    "                  (default 1000; 0: only at the end); every read is checked against what\n"
    "                  was written, always\n"
    "Output files (--dump-trace, --log-file) must be new or regular files, never a directory,\n"
    "a device or a FIFO; they are written under a temporary name and renamed when complete\n"
    "(docs/cli.md).\n"
    "  --max-cycles N  stop before the first access that would start in cycle N or later,\n"
    "                  1..2^64-1\n"
    "  --timeout S     stop after S seconds, 1..1000000000; either prints the partial report,\n"
    "                  exit 124\n"
    "exit status: 0 success; 1 the OS found its own state wrong (data or invariants);\n"
    "             2 bad usage or input, or an output that could not be written;\n"
    "             3 the engines disagreed; 124 cut short by --max-cycles, --timeout or\n"
    "             SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE (then the signal ends the process\n"
    "             once the outputs are finished)\n"
    "\n";

static bool choose_workload(const char *word, void *dest) { return wl_pattern_parse(word, dest); }

static bool choose_log(const char *word, void *dest) {
  char bad[64];
  unsigned mask;
  if (!evlog_parse(word, &mask, bad, sizeof bad)) return false;
  *(unsigned *)dest |= mask;
  return true;
}

#define MAX_PAGEMAPS 64
typedef struct pagemap_list {
  int pids[MAX_PAGEMAPS];
  unsigned n;
  bool all;
} pagemap_list;

/* --pagemap PID (repeatable) or all. */
static bool choose_pagemap(const char *word, void *dest) {
  pagemap_list *l = dest;
  uint64_t pid;
  if (strcmp(word, "all") == 0) return l->all = true;
  if (!cli_parse_u64(word, &pid) || pid < 1 || pid > 1000000000u || l->n == MAX_PAGEMAPS)
    return false;
  l->pids[l->n++] = (int)pid;
  return true;
}

typedef struct sim_call {
  const sim_options *o;
  sim_result *res;
} sim_call;

/* One run: lockstep differences go to `report`, the rest to `out`. */
static int run_sim(void *ctx, FILE *report, FILE *out, bool again) {
  const sim_call *c = ctx;
  sim_options o = *c->o;
  sim_result spare;
  if (again) { /* the log, the page maps and the trace were written by the first run */
    o.dump_trace = NULL;
    o.progress = false;
    o.log_mask = 0;
    o.n_pagemap = 0;
    o.pagemap_all = false;
    o.setup.observer = NULL; /* the first run counted the coverage */
  }
  sim_result *res = again ? &spare : c->res;
  tb_budget_run_begin();
  int status = tb_exit_status(sim_run(&o, out, report, res));
  if (res->stopped) status = cli_exit_worse(status, cli_budget_note(stderr, "pmmu sim"));
  return status;
}

int cmd_sim(int argc, char **argv) {
  sim_options o;
  cli_coverage cov = {0};
  waves_options waves;
  sim_options_init(&o);
  waves_options_init(&waves);
  bool have_workload = false, have_accesses = false, help = false, no_events = false;
  bool gen_given = false; /* an option of the generated workloads (no effect on a trace) */
  const char *log_file = NULL;
  pagemap_list pagemaps = {.n = 0};
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "--processes",
       .type = CLI_UNSIGNED,
       .dest = &o.processes,
       .min = 1,
       .max = 64,
       .given = &gen_given},
      {.name = "--workload",
       .type = CLI_CHOICE,
       .dest = &o.workload,
       .choose = choose_workload,
       .what = "mix, seq, stride, random, ws, phases",
       .given = &have_workload},
      {.name = "--trace", .type = CLI_STRING, .dest = &o.trace, .what = "a file name"},
      {.name = "--frames",
       .type = CLI_UNSIGNED,
       .dest = &o.os.frames,
       .min = 4,
       .max = OS_MAX_FRAMES},
      {.name = "--engine",
       .type = CLI_CHOICE,
       .dest = &o.engine,
       .choose = cli_choose_engine,
       .what = CLI_ENGINES},
      {.name = "--seed", .type = CLI_U64, .dest = &o.seed, .max = UINT64_MAX},
      {.name = "--accesses",
       .type = CLI_U64,
       .dest = &o.accesses,
       .min = 1,
       .max = SIM_MAX_ACCESSES,
       .given = &have_accesses},
      {.name = "--maps", .type = CLI_FLAG, .dest = &o.maps},
      {.name = "--no-events", .type = CLI_FLAG, .dest = &no_events, .given = &gen_given},
      {.name = "--log",
       .type = CLI_CHOICE,
       .dest = &o.log_mask,
       .choose = choose_log,
       .what = "a comma-separated list of " EVLOG_KINDS},
      {.name = "--log-file", .type = CLI_STRING, .dest = &log_file, .what = "a file name"},
      {.name = "--pagemap",
       .type = CLI_CHOICE,
       .dest = &pagemaps,
       .choose = choose_pagemap,
       .what = "a PID 1.. or all; at most 64 of them"},
      {.name = "--quantum", .type = CLI_UNSIGNED, .dest = &o.quantum, .min = 1, .max = 100000000},
      {.name = "--swap", .type = CLI_UNSIGNED, .dest = &o.os.swap_slots, .min = 1, .max = 1u << 20},
      {.name = "--heap", .type = CLI_UNSIGNED, .dest = &o.os.heap_pages, .max = 0x10000},
      {.name = "--check-every", .type = CLI_UNSIGNED, .dest = &o.os.check_every, .max = UINT32_MAX},
      {.name = "--stride",
       .type = CLI_UNSIGNED,
       .dest = &o.wl.stride,
       .min = 4,
       .max = 1u << 24,
       .given = &gen_given},
      {.name = "--ws-pages",
       .type = CLI_UNSIGNED,
       .dest = &o.wl.ws_pages,
       .min = 1,
       .max = WL_MAX_HOT,
       .given = &gen_given},
      {.name = "--temporal",
       .type = CLI_UNSIGNED,
       .dest = &o.wl.temporal,
       .max = 100,
       .given = &gen_given},
      {.name = "--spatial",
       .type = CLI_UNSIGNED,
       .dest = &o.wl.spatial,
       .max = 100,
       .given = &gen_given},
      {.name = "--phase",
       .type = CLI_UNSIGNED,
       .dest = &o.wl.phase_len,
       .min = 1,
       .max = UINT32_MAX,
       .given = &gen_given},
      {.name = "--sets", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_sets, .min = 1, .max = 1024},
      {.name = "--ways", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_ways, .min = 1, .max = 16},
      {.name = "--large", .type = CLI_UNSIGNED, .dest = &o.setup.tlb_large, .min = 1, .max = 64},
      {.name = "--policy",
       .type = CLI_CHOICE,
       .dest = &o.setup.policy,
       .choose = cli_choose_policy,
       .what = CLI_POLICIES},
      {.name = "--mutant",
       .type = CLI_STRING,
       .dest = &o.mutant,
       .what = "a mutant's name (docs/rtl.md)"},
      {.name = "--dump-trace", .type = CLI_STRING, .dest = &o.dump_trace, .what = "a file name"},
      {.name = "--coverage", .type = CLI_STRING, .dest = &cov.path, .what = "a file name"},
      {.name = "--latency",
       .type = CLI_RANGE,
       .dest = &o.setup.timing.lat_min,
       .dest2 = &o.setup.timing.lat_max,
       .min = 1,
       .max = 1000000},
      {0}};
  cli_option wopts[CLI_WAVES_OPTIONS + 1], bopts[CLI_BUDGET_OPTIONS + 1];
  cli_budget budget = {0};
  cli_waves_options(&waves, wopts);
  cli_budget_options(&budget, bopts);
  cli_command cmd = {.prog = "pmmu sim", .help = "pmmu sim --help", .opts = {own, wopts, bopts}};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (help) {
    fputs(help_text, stdout);
    fputs(waves_help, stdout);
    return 0;
  }
  if (no_events) o.events = false;
  if (o.mutant && o.engine == ENGINE_MODEL)
    return cli_usage_error(&cmd, "--mutant needs --engine rtl or both");
  if (cli_waves_check(&cmd, &waves, o.engine)) return EXIT_USAGE;
  if (log_file && !o.log_mask) return cli_usage_error(&cmd, "--log-file needs --log KINDS");
  o.pagemap = pagemaps.pids;
  o.n_pagemap = pagemaps.n;
  o.pagemap_all = pagemaps.all;
  if (o.trace && have_workload)
    return cli_usage_error(&cmd, "--workload and --trace exclude each other");
  if (o.trace && gen_given)
    return cli_usage_error(&cmd, "--processes, --no-events, --stride, --ws-pages, --temporal, "
                                 "--spatial and --phase shape the generated workloads: a --trace "
                                 "has its own");
  if (o.trace && !have_accesses) o.accesses = 0; /* all of it */
  /* The TLB geometry must be one the model accepts (and, for rtl, one that was built): a usage
   * error now, before a trace is read (engine_create would find it too, but later). */
  const char *why =
      cli_geometry_check(o.setup.tlb_sets, o.setup.tlb_ways, o.setup.tlb_large, o.setup.policy);
  if (why) return cli_usage_error(&cmd, "%s", why);

  char repro[1024];
  size_t used = (size_t)snprintf(repro, sizeof repro, "pmmu sim");
  for (int i = 0; i < argc && used < sizeof repro; i++)
    used += (size_t)snprintf(repro + used, sizeof repro - used, " %s", argv[i]);
  o.repro = repro;
  o.progress = isatty(fileno(stderr));
  /* every output can be written, before any work (the log is written under a temporary name
   * and renamed when the run is over: tb_file.h) */
  if (o.dump_trace && cli_output_check(&cmd, o.dump_trace)) return EXIT_USAGE;
  if (log_file && o.dump_trace &&
      (strcmp(log_file, o.dump_trace) == 0 || tb_same_file(log_file, o.dump_trace)))
    return cli_usage_error(&cmd, "--log-file and --dump-trace name the same file");
  const char *outs[] = {o.dump_trace, log_file};
  for (unsigned i = 0; i < 2 && o.trace; i++)
    if (outs[i] && tb_same_file(outs[i], o.trace))
      return cli_usage_error(&cmd, "%s '%s' would replace the --trace file",
                             i ? "--log-file" : "--dump-trace", outs[i]);
  if (cli_coverage_start(&cmd, &cov)) return EXIT_USAGE;
  o.setup.observer = cli_coverage_observer(&cov);
  tb_output *log = NULL;
  tb_error err;
  if (log_file && !(log = tb_output_open(log_file, &err))) {
    fprintf(stderr, "pmmu sim: error: --log-file: %s\n", err.msg);
    return cli_coverage_finish(&cmd, &cov, EXIT_USAGE);
  }
  if (log) o.log_out = tb_output_stream(log);
  sim_result res;
  sim_call call = {.o = &o, .res = &res};
  cli_budget_start(&budget);
  int status = waves_enabled(&waves) ? cli_with_waves(&waves, NULL, stderr, NULL, run_sim, &call)
                                     : run_sim(&call, stderr, stdout, false);
  if (log && status == EXIT_USAGE) {
    tb_output_abort(log); /* nothing half-written */
  } else if (log && tb_output_commit(log, &err) != TB_OK) {
    fprintf(stderr, "pmmu sim: error: --log-file: %s\n", err.msg);
    status = EXIT_USAGE;
  }
  return cli_coverage_finish(&cmd, &cov, status);
}
