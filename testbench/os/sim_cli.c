/* `pmmu sim`: the command line (sim_cli.h). */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno */
#include "sim_cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmmu_waves.h"
#include "sim.h"

static const char help_text[] =
    "usage: pmmu sim [--processes N] [--workload NAME | --trace FILE] [--frames F]\n"
    "                [--engine model|rtl|both] [--seed S] [--accesses N] [--maps]\n"
    "                [--quantum N] [--swap PAGES] [--heap PAGES] [--check-every N] [--no-events]\n"
    "                [--stride BYTES] [--ws-pages N] [--temporal PCT] [--spatial PCT] [--phase N]\n"
    "                [--sets N] [--ways N] [--large N] [--policy plru|lru|fifo|random] [--latency N]\n"
    "                [--mutant NAME] [--waves FILE] [--waves-from N] [--waves-to N]\n"
    "                [--waves-on-failure N]\n"
    "\n"
    "Runs processes of the testbench OS (docs/os.md) on the PMMU and prints, per process, what\n"
    "/proc/PID/status would show, then the system's and the PMMU's figures.\n"
    "  --processes N   long-lived processes (default 4); the first forks the others\n"
    "  --workload W    mix (default: each process its own pattern, plus fork/exit, brk,\n"
    "                  mprotect and bad pointers), seq, stride, random, ws, phases\n"
    "  --trace FILE    replay 'PID R|W|X 0xADDR' lines or Valgrind lackey --trace-mem=yes output\n"
    "  --frames F      physical frames for user pages (default 1024 = 4 MiB)\n"
    "  --accesses N    user accesses (default 1000000; with --trace: at most N, default all)\n"
    "  --maps          also print /proc/PID/maps\n"
    "  --mutant NAME   run the RTL built with one of its deliberate bugs (docs/rtl.md)\n"
    "  --check-every N check every invariant after every N-th page fault (default 1000; 0: only\n"
    "                  at the end); every read is checked against what was written, always\n"
    "  --waves FILE    dump the RTL (engine rtl or both): FST, or VCD for FILE.vcd, and a GTKWave\n"
    "                  save file FILE.gtkw; --waves-from/--waves-to N: a cycle window;\n"
    "                  --waves-on-failure N: only after a lockstep mismatch, its last N cycles\n"
    "                  (the run is made again; docs/waves.md)\n"
    "exit status: 0 success; 1 the OS found its own state wrong (data or invariants);\n"
    "             2 bad usage or input; 3 the engines disagreed\n";

static int usage(const char *fmt, const char *arg) {
  fprintf(stderr, "pmmu sim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'pmmu sim --help'.\n");
  return 2;
}

static bool parse_u64(const char *s, uint64_t *out) {
  char *end;
  if (!s || !*s || *s == '-') return false;
  *out = strtoull(s, &end, 0);
  return *end == '\0';
}

static char hint[64]; /* what the value of the last numeric option should have been */

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out) {
  uint64_t v;
  snprintf(hint, sizeof hint, " (a number %u..%u)", lo, hi);
  if (!parse_u64(s, &v) || v < lo || v > hi) return false;
  *out = (unsigned)v;
  return true;
}

static bool no_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  (void)ctx, (void)pa, (void)size, (void)value;
  return false;
}

static bool no_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired, uint64_t *old) {
  (void)ctx, (void)pa, (void)size, (void)expected, (void)desired, (void)old;
  return false;
}

/* sim_run with --waves: the whole run (or its window) dumped, or with --waves-on-failure a second
 * identical run dumping the cycles before the first lockstep mismatch. */
static int sim_waves(const sim_options *o, const waves_options *w, sim_result *res) {
  const char *path = w->on_failure ? waves_failure_path(w) : w->path;
  FILE *report = waves_watch(stderr);
  waves_watch_reset();
  if (!w->on_failure && waves_start(path, w->from, w->to, stderr)) return 2;
  int status = sim_run(o, stdout, report, res);
  fflush(report);
  if (!w->on_failure) {
    waves_stop(stderr);
  } else if (waves_failed()) {
    uint64_t from, to;
    sim_result again;
    sim_options quiet_o = *o;
    quiet_o.progress = false;
    waves_failure_window(w, &from, &to);
    fprintf(stderr, "waves: running again to dump cycles %" PRIu64 "..%" PRIu64 "\n", from, to);
    FILE *null = fopen("/dev/null", "w");
    FILE *quiet = waves_watch(null);
    waves_watch_reset();
    if (null && waves_start(path, from, to, stderr) == 0) {
      sim_run(&quiet_o, null, quiet, &again);
      fflush(quiet);
      waves_stop(stderr);
    }
    if (quiet != null) fclose(quiet);
    if (null) fclose(null);
  }
  if (report != stderr) fclose(report);
  return status;
}

int sim_main(int argc, char **argv) {
  sim_options o;
  waves_options waves;
  sim_options_init(&o);
  waves_options_init(&waves);
  bool have_workload = false, have_accesses = false;
  const char *bad_value = NULL;
  for (int i = 0; i < argc; i++) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    bool ok = true, takes = true;
    hint[0] = '\0';
    int taken = strncmp(opt, "--waves", 7) == 0 ? waves_parse(argc, argv, &i, &waves, stderr) : 0;
    if (taken < 0) return 2;
    if (taken > 0) continue;
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
      fputs(help_text, stdout);
      return 0;
    } else if (strcmp(opt, "--processes") == 0) ok = parse_uint(val, 1, 64, &o.processes);
    else if (strcmp(opt, "--workload") == 0) {
      ok = val && wl_pattern_parse(val, &o.workload);
      have_workload = true;
    }
    else if (strcmp(opt, "--trace") == 0) ok = (o.trace = val) != NULL;
    else if (strcmp(opt, "--frames") == 0) ok = parse_uint(val, 4, OS_MAX_FRAMES, &o.os.frames);
    else if (strcmp(opt, "--engine") == 0) ok = val && engine_kind_parse(val, &o.engine);
    else if (strcmp(opt, "--seed") == 0) ok = parse_u64(val, &o.seed);
    else if (strcmp(opt, "--accesses") == 0) {
      ok = parse_u64(val, &o.accesses);
      have_accesses = true;
    }
    else if (strcmp(opt, "--maps") == 0) { o.maps = true; takes = false; }
    else if (strcmp(opt, "--no-events") == 0) { o.events = false; takes = false; }
    else if (strcmp(opt, "--quantum") == 0) ok = parse_uint(val, 1, 100000000, &o.quantum);
    else if (strcmp(opt, "--swap") == 0) ok = parse_uint(val, 1, 1u << 20, &o.os.swap_slots);
    else if (strcmp(opt, "--heap") == 0) ok = parse_uint(val, 0, 0x10000, &o.os.heap_pages);
    else if (strcmp(opt, "--check-every") == 0) ok = parse_uint(val, 0, UINT32_MAX, &o.os.check_every);
    else if (strcmp(opt, "--stride") == 0) ok = parse_uint(val, 4, 1u << 24, &o.wl.stride);
    else if (strcmp(opt, "--ws-pages") == 0) ok = parse_uint(val, 1, WL_MAX_HOT, &o.wl.ws_pages);
    else if (strcmp(opt, "--temporal") == 0) ok = parse_uint(val, 0, 100, &o.wl.temporal);
    else if (strcmp(opt, "--spatial") == 0) ok = parse_uint(val, 0, 100, &o.wl.spatial);
    else if (strcmp(opt, "--phase") == 0) ok = parse_uint(val, 1, UINT32_MAX, &o.wl.phase_len);
    else if (strcmp(opt, "--sets") == 0) ok = parse_uint(val, 1, 1024, &o.setup.tlb_sets);
    else if (strcmp(opt, "--ways") == 0) ok = parse_uint(val, 1, 16, &o.setup.tlb_ways);
    else if (strcmp(opt, "--large") == 0) ok = parse_uint(val, 1, 64, &o.setup.tlb_large);
    else if (strcmp(opt, "--policy") == 0) ok = val && pmmu_policy_parse(val, &o.setup.policy);
    else if (strcmp(opt, "--mutant") == 0) ok = (o.mutant = val) != NULL;
    else if (strcmp(opt, "--latency") == 0) {
      ok = parse_uint(val, 1, 1000000, &o.setup.timing.lat_min);
      o.setup.timing.lat_max = o.setup.timing.lat_min;
    } else return usage("unknown option '%s'", opt);
    if (!ok) {
      bad_value = opt;
      break;
    }
    if (takes) i++;
  }
  if (bad_value) {
    fprintf(stderr, "pmmu sim: bad or missing value for '%s'%s\nTry 'pmmu sim --help'.\n", bad_value, hint);
    return 2;
  }
  if (o.mutant && o.engine == ENGINE_MODEL) return usage("%s", "--mutant needs --engine rtl or both");
  if (waves_enabled(&waves) && o.engine == ENGINE_MODEL) return usage("%s", "--waves needs --engine rtl or both");
  if (o.trace && have_workload) return usage("%s", "--workload and --trace exclude each other");
  if (o.trace && !have_accesses) o.accesses = 0;
  if (!o.trace && o.accesses == 0) return usage("%s", "--accesses must be at least 1");
  /* The TLB geometry must be one the model accepts (and, for rtl, one that was built). */
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  cfg.tlb_sets = o.setup.tlb_sets;
  cfg.tlb_ways = o.setup.tlb_ways;
  cfg.tlb_large = o.setup.tlb_large;
  cfg.mem.read = no_read; /* checked for presence only */
  cfg.mem.cas = no_cas;
  const char *why = pmmu_config_check(&cfg);
  if (why) return usage("%s", why);

  char repro[1024];
  size_t used = (size_t)snprintf(repro, sizeof repro, "pmmu sim");
  for (int i = 0; i < argc && used < sizeof repro; i++)
    used += (size_t)snprintf(repro + used, sizeof repro - used, " %s", argv[i]);
  o.repro = repro;
  o.progress = isatty(fileno(stderr));
  sim_result res;
  if (!waves_enabled(&waves)) return sim_run(&o, stdout, stderr, &res);
  return sim_waves(&o, &waves, &res);
}
