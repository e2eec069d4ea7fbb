/*
 * pmmu_portlog: runs a scenario file or a cosim seed in lockstep (the C model and the
 * Verilated RTL, engine both) and writes the RTL's port log (engine_set_port_log): every input
 * and output of pmmu_top in every cycle. tb_pmmu_file.sv replays it on another simulator
 * (Icarus Verilog) or on another build of the RTL (--x-initial unique) and checks that the
 * outputs are the same (rtl/tests/icarus/README.md).
 *
 *   pmmu_portlog scenario FILE.pmmu OUT
 *   pmmu_portlog cosim SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX]
 *
 * The log is written to OUT.tmp and renamed to OUT when the run agreed and every write
 * succeeded. Exit status: 0 written; 1 the lockstep disagreed: nothing written (a scenario
 * whose own expectations fail is written: the golden scenarios show failures on purpose); 2 bad arguments, input or I/O error; 77 no RTL variant of the
 * run's TLB geometry was built (ctest's skip code).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"

#define EXIT_SKIP 77

static const char *prog = "pmmu_portlog";

static int usage(void) {
  fprintf(stderr,
          "usage: %s scenario FILE.pmmu OUT\n"
          "       %s cosim SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX]\n",
          prog, prog);
  return 2;
}

/* A decimal number in [0, max]: no sign, space or trailing junk. */
static int number(const char *s, uint64_t max, const char *what, uint64_t *out) {
  char *end;
  if (s[0] < '0' || s[0] > '9') goto bad;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) goto bad;
  *out = v;
  return 0;
bad:
  fprintf(stderr, "%s: %s: '%s' is not a number in 0..%" PRIu64 "\n", prog, what, s, max);
  return -1;
}

static char tmp_path[4096];

static FILE *open_log(const char *out) {
  if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out) >= sizeof tmp_path) {
    fprintf(stderr, "%s: %s: path too long\n", prog, out);
    return NULL;
  }
  FILE *f = fopen(tmp_path, "w");
  if (!f) fprintf(stderr, "%s: %s: %s\n", prog, tmp_path, strerror(errno));
  return f;
}

/* Closes the log; renames it to OUT when `keep` and every write succeeded. 0 on success. */
static int close_log(FILE *f, const char *out, bool keep) {
  bool ok = !ferror(f);
  if (fclose(f) != 0) ok = false;
  if (!ok) fprintf(stderr, "%s: %s: write error\n", prog, tmp_path);
  if (ok && keep && rename(tmp_path, out) != 0) {
    fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno));
    ok = false;
  }
  if (!ok || !keep) remove(tmp_path);
  return ok ? 0 : -1;
}

static int run_scenario(const char *path, const char *out) {
  scenario s;
  if (scenario_load(path, &s, stderr)) {
    scenario_free(&s);
    return 2;
  }
  tb_error err;
  engine_setup setup = scenario_engine_setup(&s);
  /* the testbenches are pmmu_top with its default parameters (16 sets, 4 ways, 8 large
   * entries, pseudo-LRU): a scenario of another geometry is not theirs to replay */
  if (setup.tlb_sets != 16 || setup.tlb_ways != 4 || setup.tlb_large != 8 ||
      setup.policy != PMMU_POLICY_PLRU) {
    fprintf(stderr, "%s: %s: another TLB geometry than the testbench's 16x4x8 plru\n", prog, path);
    scenario_free(&s);
    return EXIT_SKIP;
  }
  engine_t *e = engine_create(ENGINE_BOTH, &setup, &err);
  if (!e) {
    fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
    scenario_free(&s);
    return err.code == TB_E_UNAVAILABLE ? EXIT_SKIP : 2;
  }
  FILE *f = open_log(out);
  if (!f) {
    engine_destroy(e);
    scenario_free(&s);
    return 2;
  }
  if (engine_set_port_log(e, f) != TB_OK) {
    fprintf(stderr, "%s: %s\n", prog, engine_error(e)->msg);
    engine_destroy(e);
    scenario_free(&s);
    close_log(f, out, false);
    return 2;
  }
  run_options opt = {.quiet = true, .report = stderr, .repro = path};
  run_result res;
  int st = scenario_run(&s, e, &opt, stdout, &res, &err);
  if (st < 0) fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
  /* the engines agreed; a failed expectation is the scenario's own business (the golden
   * scenarios show failures on purpose): the log is what the RTL did */
  if (st == TB_EXPECT) st = TB_OK;
  if (st == TB_OK && engine_finish(e) != TB_OK) st = TB_MISMATCH;
  if (st == TB_OK && engine_rtl_errors(e)) st = TB_MISMATCH;
  engine_destroy(e); /* writes the last cycles */
  scenario_free(&s);
  if (st != TB_OK) {
    if (st > 0)
      fprintf(stderr, "%s: %s: the lockstep run failed (%s)\n", prog, path, tb_status_name(st));
    close_log(f, out, false);
    return st < 0 ? 2 : 1;
  }
  if (close_log(f, out, true)) return 2;
  printf("%s: %s: %u accesses, %" PRIu64 " cycles\n", prog, path, res.accesses, res.cycles);
  return 0;
}

/* a: SEED ACCESSES OUT [BUS_ERRORS WAIT LAT_MIN LAT_MAX] (n of them) */
static int run_cosim(int n, char **a) {
  static const char *const what[] = {"SEED", "ACCESSES", "OUT",    "BUS_ERRORS",
                                     "WAIT", "LAT_MIN",  "LAT_MAX"};
  static const uint64_t max[] = {UINT64_MAX, 100000000, 0, 1000, 1000, 1000, 1000};
  uint64_t v[7] = {0};
  if (n != 3 && n != 7) return usage();
  for (int i = 0; i < n; i++) {
    if (i != 2 && number(a[i], max[i], what[i], &v[i])) return 2;
  }
  const char *out = a[2];
  cosim_options o;
  cosim_options_init(&o);
  o.seed = v[0];
  o.accesses = v[1];
  o.engine = ENGINE_BOTH;
  o.quiet = true;
  if (n == 7) {
    if (v[5] == 0 || v[6] < v[5]) {
      fprintf(stderr, "%s: want 1 <= LAT_MIN <= LAT_MAX\n", prog);
      return 2;
    }
    o.setup.timing.bus_error_permille = (unsigned)v[3];
    o.setup.timing.wait_max = (unsigned)v[4];
    o.setup.timing.lat_min = (unsigned)v[5];
    o.setup.timing.lat_max = (unsigned)v[6];
  }
  FILE *f = open_log(out);
  if (!f) return 2;
  o.port_log = f;
  cosim_result res;
  tb_error err;
  int st = cosim_run(&o, stderr, &res, &err);
  if (st < 0) fprintf(stderr, "%s: cosim seed %" PRIu64 ": %s\n", prog, o.seed, err.msg);
  if (st != TB_OK) {
    close_log(f, out, false);
    return st == TB_E_UNAVAILABLE ? EXIT_SKIP : st < 0 ? 2 : 1;
  }
  if (close_log(f, out, true)) return 2;
  char repro[512];
  cosim_command(&o, repro, sizeof repro);
  printf("%s: %s: %" PRIu64 " requests, %" PRIu64 " cycles\n", prog, repro, res.requests,
         res.cycles);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "scenario") == 0) return run_scenario(argv[2], argv[3]);
  if (argc >= 2 && strcmp(argv[1], "cosim") == 0) return run_cosim(argc - 2, argv + 2);
  return usage();
}
