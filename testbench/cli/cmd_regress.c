/* `pmmu regress`: the test list over many seeds in parallel processes (docs/regress.md;
 * testbench/regress/regress.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "regress.h"
#include "tb_file.h"

#ifndef PMMU_SCENARIO_DIR
#define PMMU_SCENARIO_DIR "testbench/scenarios"
#endif

#define REGRESS_MAX_RUNS 10000000u /* the results are held in memory: ~1 GB at most */
#define EXIT_INFRA 3

static const char help_text[] =
    "usage: pmmu regress [--list | --list-runs] [--test GLOB]... [--tests FILE]\n"
    "                    [--seeds N] [--seed S | --start-seed S] [-j N] [--shard I/N]\n"
    "                    [--timeout SEC] [--waves-on-failure] [--coverage] [--mutant NAME]\n"
    "                    [--scenarios DIR] [--repro-limit N] [--progress SEC] [--quiet] -o DIR\n"
    "       pmmu regress --merge DIR... -o OUT\n"
    "       pmmu regress --replay DIR/summary.json -o OUT [-j N] [--timeout SEC] ...\n"
    "\n"
    "Runs the test list (cosim per policy, geometry, paging mode, bus errors and back-pressure;\n"
    "the directed programs; each scenario file) as child processes of this pmmu, and writes\n"
    "DIR/junit.xml, DIR/summary.json, DIR/summary.md and DIR/runs/<test>/<seed>.log of each\n"
    "failure (docs/regress.md).\n"
    "  --list            the tests, their commands, and those this pmmu cannot run\n"
    "  --list-runs       the runs the options select (test, iteration, seed, command); runs\n"
    "                    nothing\n"
    "  --test GLOB       only the tests whose name matches (fnmatch; repeatable)\n"
    "  --tests FILE      more tests: one 'NAME ARGS...' per line ({seed}: the run's seed)\n"
    "  --seeds N         N runs in all (1..10000000), dealt to the selected tests (a test\n"
    "                    without a seed, a scenario file, runs once); every test runs at\n"
    "                    least once (the default: once each)\n"
    "  --seed S          the global seed (default 1): run seed = hash(S, test, iteration)\n"
    "  --start-seed S    instead: iteration i of each test runs seed S+i\n"
    "  -j N              N runs at once, 1..256 (default: the processors this process may use)\n"
    "  --shard I/N       only the runs of shard I of N (1-based): disjoint, covering, stable\n"
    "  --timeout SEC     kill a run (its process group) after SEC seconds, 0 none (default 600)\n"
    "  --waves-on-failure  run each failed RTL run again with --waves-on-failure 64: its dump\n"
    "                    in DIR/runs/<test>/<seed>.fst\n"
    "  --coverage        each run with --coverage, merged into DIR/coverage.json\n"
    "  --mutant NAME     only the tests on the RTL's default geometry, each with --mutant NAME\n"
    "  --scenarios DIR   the scenario files' folder (default: the source tree's)\n"
    "  --repro-limit N   export and shrink at most N failed cosim runs (default 10; 0: none)\n"
    "  --shrink-timeout SEC  the time each shrink may take (default 10 x --timeout; 0: none)\n"
    "  --progress SEC    plain progress lines every SEC seconds when standard error is not a\n"
    "                    terminal (default 10; a terminal gets one live line)\n"
    "  --quiet           no progress and no line per failure: the summary only\n"
    "  --merge DIR...    merge the output folders of shards into -o OUT\n"
    "  --replay FILE     run again exactly the runs a summary.json lists as not passed\n"
    "exit status: 0 every run passed; 1 a run failed or timed out; 2 bad usage;\n"
    "             3 infrastructure: a run that could not run (exit 2, a missing program),\n"
    "             an output that could not be written, or interrupted\n";

typedef struct globs {
  const char **v;
  size_t n, cap;
} globs;

static bool add_glob(const char *word, void *dest) {
  globs *g = dest;
  g->v = regress_grow(g->v, &g->cap, g->n, sizeof *g->v);
  g->v[g->n++] = word;
  return true;
}

static bool choose_progress(const char *word, void *dest) {
  char *end;
  double v = strtod(word, &end);
  if (end == word || *end || !(v > 0) || v > 86400) return false;
  *(double *)dest = v;
  return true;
}

typedef struct regress_opts {
  bool help, list, list_runs, waves, coverage, quiet, merge;
  globs tests;
  const char *tests_file, *scenarios, *out, *mutant, *shard_text, *replay;
  uint64_t seeds, seed, start_seed, timeout, repro_limit, shrink_timeout;
  bool shrink_timeout_given;
  bool seed_given, start_given, seeds_given;
  unsigned jobs;
  unsigned shard_i, shard_n;
  double progress_every;
  char self[PATH_MAX];
  char *operands[256];
  unsigned n_operands;
} regress_opts;

static int mkdir_p(const char *path) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return ENAMETOOLONG;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) && errno != EEXIST) return errno;
    *p = '/';
  }
  if (mkdir(buf, 0777) && errno != EEXIST) return errno;
  struct stat st;
  if (stat(buf, &st) || !S_ISDIR(st.st_mode)) return ENOTDIR;
  return 0;
}

static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The program a result's argv[0] names: this pmmu, or a program beside it */
static char *program_path(const char *self, const char *name) {
  if (strcmp(name, "pmmu") == 0) return regress_strdup(self);
  const char *slash = strrchr(self, '/');
  size_t n = (slash ? (size_t)(slash - self + 1) : 0) + strlen(name) + 1;
  char *p = regress_alloc(n);
  snprintf(p, n, "%.*s%s", slash ? (int)(slash - self + 1) : 0, self, name);
  return p;
}

static char **argv_dup(char *const *argv, unsigned argc, unsigned extra) {
  char **v = regress_alloc((argc + extra + 1) * sizeof *v);
  for (unsigned i = 0; i < argc; i++) v[i] = regress_strdup(argv[i]);
  return v;
}

static void argv_free(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

static char *replace_seed(const char *arg, uint64_t seed) {
  const char *at = strstr(arg, "{seed}");
  if (!at) return regress_strdup(arg);
  char num[32];
  snprintf(num, sizeof num, "%" PRIu64, seed);
  size_t n = strlen(arg) + strlen(num);
  char *s = regress_alloc(n);
  snprintf(s, n, "%.*s%s%s", (int)(at - arg), arg, num, at + 6);
  char *rest = replace_seed(s, seed); /* a second {seed} */
  free(s);
  return rest;
}

/* ---- selection ----------------------------------------------------------------------- */

static bool matches(const regress_opts *o, const char *name) {
  if (!o->tests.n) return true;
  for (size_t i = 0; i < o->tests.n; i++)
    if (fnmatch(o->tests.v[i], name, 0) == 0) return true;
  return false;
}

/* Whether --mutant applies: a lockstep test of pmmu itself on the default geometry */
static bool mutant_ok(const regress_test *t) {
  if (!t->rtl || t->program) return false;
  for (unsigned i = 0; i < t->argc; i++)
    if (!strcmp(t->argv[i], "--sets") || !strcmp(t->argv[i], "--ways") ||
        !strcmp(t->argv[i], "--large") || !strcmp(t->argv[i], "--policy"))
      return false;
  return true;
}

/* Every --test GLOB matches a test of the list: 0, or 2 after saying which does not. */
static int globs_match(const regress_opts *o, const regress_list *l) {
  for (size_t g = 0; g < o->tests.n; g++) {
    size_t hits = 0;
    for (size_t i = 0; i < l->n; i++) hits += fnmatch(o->tests.v[g], l->v[i].name, 0) == 0;
    if (!hits) {
      fprintf(stderr, "pmmu regress: no test matches '%s' (pmmu regress --list)\n", o->tests.v[g]);
      return EXIT_USAGE;
    }
  }
  return 0;
}

/* The selected tests (pointers into l), or a usage error. */
static int select_tests(const regress_opts *o, const regress_list *l, const regress_test ***out,
                        size_t *n_out) {
  if (globs_match(o, l)) return EXIT_USAGE;
  const regress_test **sel = regress_alloc((l->n + 1) * sizeof *sel);
  size_t n = 0, skipped = 0;
  for (size_t i = 0; i < l->n; i++) {
    const regress_test *t = &l->v[i];
    if (!matches(o, t->name)) continue;
    if (t->unavailable || (o->mutant && !mutant_ok(t))) {
      skipped++;
      continue;
    }
    sel[n++] = t;
  }
  if (!n) {
    fprintf(stderr,
            "pmmu regress: none of the tests selected can run in this pmmu%s "
            "(pmmu regress --list)\n",
            o->mutant ? " with --mutant" : "");
    free(sel);
    return EXIT_USAGE;
  }
  if (skipped && !o->quiet && !o->list_runs)
    fprintf(stderr, "regress: %zu test%s left out (%s; pmmu regress --list)\n", skipped,
            skipped == 1 ? "" : "s",
            o->mutant ? "not on the default RTL geometry, or not available" : "not available");
  *out = sel;
  *n_out = n;
  return 0;
}

/* The runs, in the canonical order that --shard cuts: the tests without a seed first, then
 * the seeded runs dealt round-robin (run k: seeded test k mod T, iteration k div T). */
static void make_runs(const regress_opts *o, const regress_test **sel, size_t n,
                      regress_results *res) {
  size_t seedless = 0, seeded = 0;
  for (size_t i = 0; i < n; i++) {
    if (sel[i]->seeded) seeded++;
    else seedless++;
  }
  uint64_t total = o->seeds_given ? o->seeds : n;
  if (total < n) total = n;
  uint64_t m = seeded ? total - seedless : 0, index = 0;
  const regress_test **seeded_tests = regress_alloc((seeded + 1) * sizeof *seeded_tests);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (sel[i]->seeded) seeded_tests[k++] = sel[i];
  for (uint64_t r = 0; r < seedless + m; r++, index++) {
    const regress_test *t;
    uint64_t it = 0, seed = 0;
    if (r < seedless) {
      size_t c = 0, i = 0;
      for (; i < n; i++)
        if (!sel[i]->seeded && c++ == r) break;
      t = sel[i];
    } else {
      uint64_t q = r - seedless;
      t = seeded_tests[q % seeded];
      it = q / seeded;
      if (o->start_given) {
        seed = t->paging == REGRESS_PAGING_ANY ? o->start_seed + it : o->start_seed + 2 * it;
        if (t->paging == REGRESS_PAGING_32) seed |= 1;
        if (t->paging == REGRESS_PAGING_PAE) seed &= ~(uint64_t)1;
      } else {
        seed = regress_seed(o->seed, t->name, it, t->paging);
      }
    }
    if (o->shard_n && index % o->shard_n != o->shard_i - 1) continue;
    regress_result *x = regress_results_add(res);
    x->test = regress_strdup(t->name);
    x->iteration = it;
    x->seed = seed;
    x->seeded = t->seeded;
    bool mut = o->mutant != NULL;
    x->argv = regress_alloc((t->argc + 4 + 1) * sizeof *x->argv);
    x->argv[x->argc++] = regress_strdup(t->program ? t->program : "pmmu");
    for (unsigned a = 0; a < t->argc; a++) x->argv[x->argc++] = replace_seed(t->argv[a], seed);
    if (mut) {
      x->argv[x->argc++] = regress_strdup("--mutant");
      x->argv[x->argc++] = regress_strdup(o->mutant);
    }
    x->command = regress_shell_join(x->argv, x->argc);
    if (o->shard_text) x->shard = regress_strdup(o->shard_text);
  }
  free(seeded_tests);
}

/* ---- running ------------------------------------------------------------------------- */

static regress_runner_options runner_opts(const regress_opts *o) {
  regress_runner_options r = {.jobs = o->jobs,
                              .timeout = o->timeout,
                              .progress = o->quiet    ? -1
                                          : isatty(2) ? 1
                                                      : 0,
                              .progress_every = o->progress_every,
                              .quiet = o->quiet};
  return r;
}

static char *path_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = regress_alloc(n);
  snprintf(p, n, "%s/%s", a, b);
  return p;
}

/* A job of argv (a result's, or a follow-up's), its log at DIR/rel. */
static void job_init(regress_job *j, const regress_opts *o, char **argv, const char *dir,
                     const char *rel) {
  memset(j, 0, sizeof *j);
  j->path = program_path(o->self, argv[0]);
  j->argv = argv;
  j->log = path_join(dir, rel);
}

static void job_free(regress_job *j) {
  free(j->path);
  free(j->log);
}

static char *rel_path(const regress_result *x, const char *what) {
  char buf[1024];
  snprintf(buf, sizeof buf, "runs/%s/%" PRIu64 "%s", x->test, x->seed, what);
  return regress_strdup(buf);
}

static bool pmmu_run_with_rtl(const regress_result *x) {
  if (strcmp(x->argv[0], "pmmu") != 0 || x->argc < 2) return false;
  for (unsigned i = 1; i + 1 < x->argc; i++)
    if (!strcmp(x->argv[i], "--engine") && strcmp(x->argv[i + 1], "model") != 0) return true;
  return false;
}

static const char *mutant_of(const regress_result *x) {
  for (unsigned i = 1; i + 1 < x->argc; i++)
    if (!strcmp(x->argv[i], "--mutant")) return x->argv[i + 1];
  return NULL;
}

/* After the runs, for the failures: the waves of --waves-on-failure, the scenario that
 * `pmmu cosim --export` writes, and `pmmu shrink` of it (docs/regress.md). These commands
 * come from other parts of pmmu: a follow-up that fails leaves only its log behind. */
static void follow_up(const regress_opts *o, regress_results *res, const char *dir) {
  size_t n = 0, cap = 2 * res->n + 1, limit = 0;
  regress_job *jobs = regress_alloc(cap * sizeof *jobs);
  regress_result **of = regress_alloc(cap * sizeof *of);
  int *kind = regress_alloc(cap * sizeof *kind); /* 0 waves, 1 export, 2 shrink */
  char **outs = regress_alloc(cap * sizeof *outs);
  bool have_repro = false;
  for (size_t i = 0; i < res->n; i++) {
    regress_result *x = &res->v[i];
    if (x->status != REGRESS_FAILED) continue;
    if (o->waves && pmmu_run_with_rtl(x)) {
      char **argv = argv_dup(x->argv, x->argc, 4);
      char *fst = rel_path(x, ".fst");
      argv[x->argc] = regress_strdup("--waves-on-failure");
      argv[x->argc + 1] = regress_strdup("64");
      argv[x->argc + 2] = regress_strdup("--waves");
      argv[x->argc + 3] = path_join(dir, fst);
      char *log = rel_path(x, ".waves.log");
      job_init(&jobs[n], o, argv, dir, log);
      free(log);
      of[n] = x, kind[n] = 0, outs[n++] = fst;
    }
    if (strcmp(x->argv[0], "pmmu") == 0 && x->argc > 1 && !strcmp(x->argv[1], "cosim") &&
        limit < o->repro_limit) {
      limit++;
      if (!have_repro) {
        char *rd = path_join(dir, "repro");
        int e = mkdir_p(rd);
        if (e) fprintf(stderr, "pmmu regress: cannot create '%s': %s\n", rd, strerror(e));
        free(rd);
        have_repro = true;
      }
      char buf[1024];
      snprintf(buf, sizeof buf, "repro/%s-%" PRIu64 ".pmmu", x->test, x->seed);
      char **argv = argv_dup(x->argv, x->argc, 2);
      argv[x->argc] = regress_strdup("--export");
      argv[x->argc + 1] = path_join(dir, buf);
      char *log = rel_path(x, ".export.log");
      job_init(&jobs[n], o, argv, dir, log);
      free(log);
      of[n] = x, kind[n] = 1, outs[n++] = regress_strdup(buf);
    }
  }
  if (!n) goto out;
  /* no progress: these runs fail again by design, their outputs are what counts */
  regress_runner_options ro = runner_opts(o);
  ro.progress = -1;
  ro.quiet = true;
  if (!o->quiet)
    fprintf(stderr, "regress: %zu follow-up run%s of the failures (waves, export)\n", n,
            n == 1 ? "" : "s");
  regress_run_jobs(jobs, n, &ro, "follow-up");
  size_t first = n;
  for (size_t i = 0; i < first; i++) {
    char *abs = path_join(dir, outs[i]);
    /* the run fails again by design: its output, written whole or not at all, is what counts */
    bool made = !jobs[i].timed_out && file_exists(abs);
    if (made) unlink(jobs[i].log);
    if (made && kind[i] == 0) of[i]->waves = regress_strdup(outs[i]);
    if (made && kind[i] == 1) {
      of[i]->repro = regress_strdup(outs[i]);
      /* shrink it: pmmu shrink FILE -o FILE.min.pmmu --engine both [--mutant NAME] */
      const char *mut = mutant_of(of[i]);
      char **argv = regress_alloc(10 * sizeof *argv);
      unsigned a = 0;
      argv[a++] = regress_strdup("pmmu");
      argv[a++] = regress_strdup("shrink");
      argv[a++] = regress_strdup(abs);
      argv[a++] = regress_strdup("-o");
      char min[1100];
      snprintf(min, sizeof min, "%.*s.min.pmmu", (int)(strlen(outs[i]) - 5), outs[i]);
      argv[a++] = path_join(dir, min);
      argv[a++] = regress_strdup("--engine");
      argv[a++] = regress_strdup("both");
      if (mut) {
        argv[a++] = regress_strdup("--mutant");
        argv[a++] = regress_strdup(mut);
      }
      char *log = rel_path(of[i], ".shrink.log");
      job_init(&jobs[n], o, argv, dir, log);
      free(log);
      of[n] = of[i], kind[n] = 2, outs[n++] = regress_strdup(min);
    }
    free(abs);
  }
  if (n > first) {
    /* delta debugging runs a scenario many times: by default ten times a run's time */
    ro.timeout = o->shrink_timeout_given ? o->shrink_timeout : o->timeout * 10;
    if (!o->quiet)
      fprintf(stderr, "regress: shrinking %zu exported scenario%s\n", n - first,
              n - first == 1 ? "" : "s");
    regress_run_jobs(jobs + first, n - first, &ro, "shrink");
    for (size_t i = first; i < n; i++) {
      char *abs = path_join(dir, outs[i]);
      if (jobs[i].exit_status == 0 && !jobs[i].timed_out && file_exists(abs)) {
        free(of[i]->repro);
        of[i]->repro = regress_strdup(outs[i]);
        unlink(jobs[i].log);
      }
      free(abs);
    }
  }
  if (have_repro) { /* nothing exported (no `cosim --export` in this pmmu): no folder */
    char *rd = path_join(dir, "repro");
    rmdir(rd);
    free(rd);
  }
out:
  for (size_t i = 0; i < n; i++) {
    argv_free(jobs[i].argv);
    job_free(&jobs[i]);
    free(outs[i]);
  }
  free(jobs);
  free(of);
  free(kind);
  free(outs);
}

/* --coverage: this pmmu must have the coverage command (issue 13, functional coverage) */
static bool have_coverage(const regress_opts *o, const char *dir) {
  char *argv[] = {"pmmu", "coverage", "--help", NULL};
  regress_job j;
  job_init(&j, o, argv, dir, "coverage-probe.log");
  regress_runner_options ro = {.jobs = 1, .timeout = 30, .progress = -1, .quiet = true};
  regress_run_jobs(&j, 1, &ro, "coverage");
  bool ok = j.exit_status == 0;
  unlink(j.log);
  job_free(&j);
  return ok;
}

static void merge_coverage(const regress_opts *o, const char *dir, char **files, size_t n) {
  if (!n) return;
  char **argv = regress_alloc((n + 5) * sizeof *argv);
  unsigned a = 0;
  argv[a++] = regress_strdup("pmmu");
  argv[a++] = regress_strdup("coverage");
  for (size_t i = 0; i < n; i++) argv[a++] = regress_strdup(files[i]);
  argv[a++] = regress_strdup("-o");
  argv[a++] = path_join(dir, "coverage.json");
  regress_job j;
  job_init(&j, o, argv, dir, "coverage.log");
  regress_runner_options ro = {.jobs = 1, .timeout = 0, .progress = -1, .quiet = true};
  regress_run_jobs(&j, 1, &ro, "coverage");
  if (j.exit_status == 0) unlink(j.log);
  else fprintf(stderr, "pmmu regress: merging the coverage failed (%s/coverage.log)\n", dir);
  argv_free(argv);
  job_free(&j);
}

/* Runs res's runs (pending), classifies them, keeps the logs of failures. 0, or 3 when a
 * child could not be started or the run was interrupted. */
static int run_all(const regress_opts *o, regress_results *res, const char *dir) {
  char **cov = NULL;
  size_t n_cov = 0;
  if (o->coverage) {
    char *cd = path_join(dir, "coverage");
    int e = mkdir_p(cd);
    free(cd);
    if (e) {
      fprintf(stderr, "pmmu regress: cannot create '%s/coverage': %s\n", dir, strerror(e));
      return EXIT_INFRA;
    }
    cov = regress_alloc((res->n + 1) * sizeof *cov);
  }
  regress_job *jobs = regress_alloc((res->n + 1) * sizeof *jobs);
  char **labels = regress_alloc((res->n + 1) * sizeof *labels);
  for (size_t i = 0; i < res->n; i++) {
    regress_result *x = &res->v[i];
    char *sub = path_join(dir, "runs"), *td = path_join(sub, x->test);
    int e = mkdir_p(td);
    free(sub);
    free(td);
    if (e) {
      fprintf(stderr, "pmmu regress: cannot create '%s/runs/%s': %s\n", dir, x->test, strerror(e));
      for (size_t k = 0; k < i; k++) {
        argv_free(jobs[k].argv);
        job_free(&jobs[k]);
        free(labels[k]);
      }
      free(jobs);
      free(labels);
      free(cov);
      return EXIT_INFRA;
    }
    bool covered = o->coverage && strcmp(x->argv[0], "pmmu") == 0;
    char **argv = argv_dup(x->argv, x->argc, 2);
    if (covered) {
      char buf[1024];
      snprintf(buf, sizeof buf, "coverage/%s-%" PRIu64 ".json", x->test, x->seed);
      argv[x->argc] = regress_strdup("--coverage");
      argv[x->argc + 1] = path_join(dir, buf);
      cov[n_cov++] = regress_strdup(argv[x->argc + 1]);
    }
    char *log = rel_path(x, ".log");
    job_init(&jobs[i], o, argv, dir, log);
    free(log);
    jobs[i].res = x;
    char label[512];
    if (x->seeded) snprintf(label, sizeof label, "%s seed %" PRIu64, x->test, x->seed);
    else snprintf(label, sizeof label, "%s", x->test);
    labels[i] = regress_strdup(label);
    jobs[i].label = labels[i];
  }
  regress_runner_options ro = runner_opts(o);
  double t0 = now();
  int st = regress_run_jobs(jobs, res->n, &ro, "regress");
  res->seconds = now() - t0;
  size_t kept = 0;
  for (size_t i = 0; i < res->n; i++) {
    regress_result *x = &res->v[i];
    regress_job *j = &jobs[i];
    if (st == 1 && j->exit_status == -9 && !j->timed_out) {
      regress_result_free(x); /* interrupted: never started, or killed by the stop */
      unlink(j->log);
    } else {
      x->seconds = j->seconds;
      regress_classify(x, j->exit_status, j->timed_out, j->log);
      if (x->status == REGRESS_PASSED) unlink(j->log);
      else x->log = rel_path(x, ".log");
      res->v[kept++] = *x;
    }
    argv_free(j->argv);
    job_free(j);
    free(labels[i]);
  }
  res->n = kept;
  free(jobs);
  free(labels);
  /* test folders without a failure's log are removed (rmdir: only when empty) */
  for (size_t i = 0; i < res->n; i++) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s/runs/%s", dir, res->v[i].test);
    rmdir(buf);
  }
  char *rd = path_join(dir, "runs");
  rmdir(rd);
  free(rd);
  if (st != 1) follow_up(o, res, dir);
  if (o->coverage && st != 1) merge_coverage(o, dir, cov, n_cov);
  for (size_t i = 0; i < n_cov; i++) free(cov[i]);
  free(cov);
  if (st == 1) {
    fprintf(stderr, "pmmu regress: interrupted; the outputs hold the runs that finished\n");
    return EXIT_INFRA;
  }
  if (st) fprintf(stderr, "pmmu regress: a run could not be started (see its log)\n");
  return st ? EXIT_INFRA : 0;
}

static int final_status(const regress_results *res, int infra) {
  bool failed = false, error = false;
  for (size_t i = 0; i < res->n; i++) {
    if (res->v[i].status == REGRESS_ERROR) error = true;
    else if (res->v[i].status != REGRESS_PASSED) failed = true;
  }
  if (infra || error) return EXIT_INFRA;
  return failed ? 1 : 0;
}

static int finish(const regress_opts *o, regress_results *res, const char *dir, int infra) {
  tb_error err;
  if (regress_write_outputs(res, dir, &err)) {
    fprintf(stderr, "pmmu regress: error: %s\n", err.msg);
    infra = EXIT_INFRA;
  }
  regress_print_summary(res, stdout);
  if (!o->quiet) printf("regress: results in %s (junit.xml, summary.json, summary.md)\n", dir);
  return final_status(res, infra);
}

/* The output folder: created, and writable, before anything runs. */
static int prepare_out(const cli_command *cmd, const char *dir) {
  int e = mkdir_p(dir);
  if (e) {
    fprintf(stderr, "%s: error: cannot create the output folder '%s': %s\n", cmd->prog, dir,
            strerror(e));
    return EXIT_USAGE;
  }
  char *p = path_join(dir, "summary.json");
  int st = cli_output_check(cmd, p);
  free(p);
  return st;
}

/* ---- --merge ----------------------------------------------------------------------------- */

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return -1;
  tb_error err;
  tb_output *o = tb_output_open(to, &err);
  if (!o) {
    fclose(in);
    return -1;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, tb_output_stream(o));
  bool bad = ferror(in);
  fclose(in);
  if (bad) {
    tb_output_abort(o);
    return -1;
  }
  return tb_output_commit(o, &err) ? -1 : 0;
}

/* A file of a shard's folder (a log, a repro, waves) copied into OUT under the same name. */
static void carry(const char *from_dir, const char *to_dir, const char *rel) {
  if (!rel) return;
  char *from = path_join(from_dir, rel), *to = path_join(to_dir, rel);
  if (!tb_same_file(from, to) && file_exists(from)) {
    char *slash = strrchr(to, '/');
    *slash = '\0';
    mkdir_p(to);
    *slash = '/';
    if (copy_file(from, to)) fprintf(stderr, "pmmu regress: could not copy '%s'\n", from);
  }
  free(from);
  free(to);
}

static int do_merge(const regress_opts *o, const cli_command *cmd) {
  if (!o->n_operands) return cli_usage_error(cmd, "--merge needs the shards' folders");
  regress_results all = {0};
  int st = 0;
  char **dirs = regress_alloc(o->n_operands * sizeof *dirs); /* each folder's path */
  size_t *src = NULL, src_cap = 0;                           /* the folder of each result */
  for (unsigned i = 0; i < o->n_operands && !st; i++) {
    struct stat sb;
    const char *d = o->operands[i];
    bool is_dir = stat(d, &sb) == 0 && S_ISDIR(sb.st_mode);
    char *path = is_dir ? path_join(d, "summary.json") : regress_strdup(d);
    char *dir = is_dir ? regress_strdup(d) : NULL;
    if (!dir) {
      dir = regress_strdup(d);
      char *slash = strrchr(dir, '/');
      if (slash) *slash = '\0';
      else strcpy(dir, ".");
    }
    regress_results one = {0};
    tb_error err;
    if (regress_read_summary(path, &one, &err)) {
      fprintf(stderr, "pmmu regress: error: %s\n", err.msg);
      st = EXIT_USAGE;
    } else if (i && one.seed != all.seed) {
      fprintf(stderr,
              "pmmu regress: error: %s: global seed %" PRIu64 ", not %" PRIu64
              " as the folders before it\n",
              path, one.seed, all.seed);
      st = EXIT_USAGE;
    } else {
      all.seed = one.seed;
      if (one.seconds > all.seconds) all.seconds = one.seconds; /* shards run side by side */
      for (size_t k = 0; k < one.n_shards; k++) {
        size_t cap = all.n_shards;
        all.shards = regress_grow(all.shards, &cap, all.n_shards, sizeof *all.shards);
        all.shards[all.n_shards++] = regress_strdup(one.shards[k]);
      }
      for (size_t k = 0; k < one.n && !st; k++) {
        regress_result *x = &one.v[k];
        for (size_t m = 0; m < all.n; m++)
          if (!strcmp(all.v[m].test, x->test) && all.v[m].iteration == x->iteration &&
              all.v[m].seed == x->seed) {
            fprintf(stderr,
                    "pmmu regress: error: %s: %s seed %" PRIu64 " is in two folders "
                    "(overlapping shards)\n",
                    path, x->test, x->seed);
            st = EXIT_USAGE;
            break;
          }
        if (st) break;
        *regress_results_add(&all) = *x;
        src = regress_grow(src, &src_cap, all.n - 1, sizeof *src);
        src[all.n - 1] = i;
        memset(x, 0, sizeof *x);
      }
    }
    regress_results_free(&one);
    free(path);
    dirs[i] = dir;
  }
  if (!st && prepare_out(cmd, o->out)) st = EXIT_USAGE; /* after the inputs: none is bad */
  if (!st)
    for (size_t k = 0; k < all.n; k++) { /* the failures' files, under the same names */
      carry(dirs[src[k]], o->out, all.v[k].log);
      carry(dirs[src[k]], o->out, all.v[k].repro);
      carry(dirs[src[k]], o->out, all.v[k].waves);
    }
  for (unsigned i = 0; i < o->n_operands; i++) free(dirs[i]);
  free(dirs);
  free(src);
  if (st) {
    regress_results_free(&all);
    return st;
  }
  /* the shards' coverage, merged when every one has some (--coverage) */
  char **cov = regress_alloc((o->n_operands + 1) * sizeof *cov);
  size_t n_cov = 0;
  for (unsigned i = 0; i < o->n_operands; i++) {
    struct stat sb;
    if (stat(o->operands[i], &sb) || !S_ISDIR(sb.st_mode)) continue;
    char *c = path_join(o->operands[i], "coverage.json");
    if (file_exists(c)) cov[n_cov++] = c;
    else free(c);
  }
  if (n_cov == o->n_operands) merge_coverage(o, o->out, cov, n_cov);
  for (size_t i = 0; i < n_cov; i++) free(cov[i]);
  free(cov);
  int status = finish(o, &all, o->out, 0);
  regress_results_free(&all);
  return status;
}

/* ---- the command ---------------------------------------------------------------------- */

static int parse_shard(const regress_opts *o, unsigned *i, unsigned *n) {
  char *end;
  unsigned long a = strtoul(o->shard_text, &end, 10);
  if (end == o->shard_text || *end != '/') return -1;
  const char *b_text = end + 1;
  unsigned long b = strtoul(b_text, &end, 10);
  if (end == b_text || *end || !b || b > 100000 || !a || a > b || o->shard_text[0] == '-' ||
      b_text[0] == '-' || b_text[0] == '+' || o->shard_text[0] == '+')
    return -1;
  *i = (unsigned)a, *n = (unsigned)b;
  return 0;
}

static void print_list(const regress_opts *o, const regress_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    const regress_test *t = &l->v[i];
    if (!matches(o, t->name)) continue;
    char **argv = regress_alloc((t->argc + 2) * sizeof *argv);
    argv[0] = t->program ? t->program : "pmmu";
    for (unsigned k = 0; k < t->argc; k++) argv[k + 1] = t->argv[k];
    char *cmd = regress_shell_join(argv, t->argc + 1);
    printf("%-40s %-7s %s", t->name, t->seeded ? "seeded" : "once", cmd);
    if (t->unavailable) printf("   (not available: %s)", t->unavailable);
    printf("\n");
    free(cmd);
    free(argv);
  }
}

int cmd_regress(int argc, char **argv) {
  regress_opts o;
  memset(&o, 0, sizeof o);
  o.seed = 1;
  o.timeout = 600;
  o.repro_limit = 10;
  o.progress_every = 10;
  o.jobs = regress_cpus();
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &o.help},
      {.name = "-h", .type = CLI_HELP, .dest = &o.help},
      {.name = "--list", .type = CLI_FLAG, .dest = &o.list},
      {.name = "--list-runs", .type = CLI_FLAG, .dest = &o.list_runs},
      {.name = "--test",
       .type = CLI_CHOICE,
       .dest = &o.tests,
       .choose = add_glob,
       .what = "a glob of test names"},
      {.name = "--tests", .type = CLI_STRING, .dest = &o.tests_file, .what = "a test list file"},
      {.name = "--scenarios", .type = CLI_STRING, .dest = &o.scenarios, .what = "a folder"},
      {.name = "--seeds",
       .type = CLI_U64,
       .dest = &o.seeds,
       .min = 1,
       .max = REGRESS_MAX_RUNS,
       .given = &o.seeds_given},
      {.name = "--seed",
       .type = CLI_U64,
       .dest = &o.seed,
       .max = UINT64_MAX,
       .given = &o.seed_given},
      {.name = "--start-seed",
       .type = CLI_U64,
       .dest = &o.start_seed,
       .max = UINT64_MAX - 2 * (uint64_t)REGRESS_MAX_RUNS,
       .given = &o.start_given},
      {.name = "-j", .type = CLI_UNSIGNED, .dest = &o.jobs, .min = 1, .max = 256},
      {.name = "--jobs", .type = CLI_UNSIGNED, .dest = &o.jobs, .min = 1, .max = 256},
      {.name = "--shard", .type = CLI_STRING, .dest = &o.shard_text, .what = "I/N"},
      {.name = "--timeout", .type = CLI_U64, .dest = &o.timeout, .max = 1000000000},
      {.name = "--waves-on-failure", .type = CLI_FLAG, .dest = &o.waves},
      {.name = "--coverage", .type = CLI_FLAG, .dest = &o.coverage},
      {.name = "--mutant", .type = CLI_STRING, .dest = &o.mutant, .what = "a mutant's name"},
      {.name = "--repro-limit", .type = CLI_U64, .dest = &o.repro_limit, .max = REGRESS_MAX_RUNS},
      {.name = "--shrink-timeout",
       .type = CLI_U64,
       .dest = &o.shrink_timeout,
       .max = 1000000000,
       .given = &o.shrink_timeout_given},
      {.name = "--progress",
       .type = CLI_CHOICE,
       .dest = &o.progress_every,
       .choose = choose_progress,
       .what = "seconds, 0.001..86400"},
      {.name = "--quiet", .type = CLI_FLAG, .dest = &o.quiet},
      {.name = "--merge", .type = CLI_FLAG, .dest = &o.merge},
      {.name = "--replay", .type = CLI_STRING, .dest = &o.replay, .what = "a summary.json"},
      {.name = "-o", .type = CLI_STRING, .dest = &o.out, .what = "a folder"},
      {0}};
  cli_command cmd = {.prog = "pmmu regress",
                     .help = "pmmu regress --help",
                     .opts = {own},
                     .operands = o.operands,
                     .max_operands = 256};
  int status = EXIT_USAGE;
  regress_list list = {0};
  regress_results res = {0};
  const regress_test **sel = NULL;
  if (cli_parse(&cmd, argc, argv, &o.n_operands)) goto out;
  if (o.help) {
    fputs(help_text, stdout);
    status = 0;
    goto out;
  }
  if (o.n_operands && !o.merge) {
    cli_usage_error(&cmd, "unexpected argument '%s'", o.operands[0]);
    goto out;
  }
  if (o.seed_given && o.start_given) {
    cli_usage_error(&cmd, "--seed and --start-seed exclude each other");
    goto out;
  }
  if ((o.merge || o.replay) &&
      (o.list || o.list_runs || o.tests.n || o.shard_text || o.seeds_given || o.mutant ||
       o.tests_file || o.merge == (o.replay != NULL))) {
    cli_usage_error(&cmd, "%s",
                    o.merge && o.replay
                        ? "--merge and --replay exclude each other"
                        : "--merge and --replay take no test selection, seeds or shard");
    goto out;
  }
  if (o.shard_text && parse_shard(&o, &o.shard_i, &o.shard_n)) {
    cli_usage_error(&cmd, "bad value '%s' for '--shard' (I/N, 1 <= I <= N <= 100000)",
                    o.shard_text);
    goto out;
  }
  if (!o.list && !o.list_runs && !o.out) {
    cli_usage_error(&cmd, "-o DIR is needed (the output folder)");
    goto out;
  }
  ssize_t len = readlink("/proc/self/exe", o.self, sizeof o.self - 1);
  if (len <= 0 || (size_t)len >= sizeof o.self - 1) {
    fprintf(stderr, "pmmu regress: error: cannot find this program (/proc/self/exe): %s\n",
            strerror(errno));
    status = EXIT_INFRA;
    goto out;
  }
  o.self[len] = '\0';
  if (o.merge) {
    status = do_merge(&o, &cmd);
    goto out;
  }
  if (o.replay) {
    tb_error err;
    regress_results old = {0};
    if (regress_read_summary(o.replay, &old, &err)) {
      fprintf(stderr, "pmmu regress: error: %s\n", err.msg);
      regress_results_free(&old);
      goto out;
    }
    res.seed = old.seed;
    for (size_t i = 0; i < old.n; i++) {
      regress_result *x = &old.v[i];
      if (x->status == REGRESS_PASSED) continue;
      regress_result *y = regress_results_add(&res);
      y->test = regress_strdup(x->test);
      y->iteration = x->iteration, y->seed = x->seed, y->seeded = x->seeded;
      y->argv = argv_dup(x->argv, x->argc, 0);
      y->argc = x->argc;
      y->command = regress_strdup(x->command);
    }
    regress_results_free(&old);
    if (prepare_out(&cmd, o.out)) goto out; /* after the input: a bad one writes nothing */
    if (!res.n && !o.quiet) printf("regress: %s lists no failed run\n", o.replay);
    int infra = res.n ? run_all(&o, &res, o.out) : 0;
    status = finish(&o, &res, o.out, infra);
    goto out;
  }
  if (o.coverage && (o.list || o.list_runs)) o.coverage = false;
  tb_error err;
  const char *scen = o.scenarios ? o.scenarios : PMMU_SCENARIO_DIR;
  struct stat sb;
  if (!o.scenarios && stat(scen, &sb) != 0) scen = NULL; /* an installed pmmu: no source tree */
  if (regress_list_builtin(&list, o.self, scen, &err) ||
      (o.tests_file && regress_list_file(&list, o.tests_file, &err))) {
    fprintf(stderr, "pmmu regress: error: %s\n", err.msg);
    goto out;
  }
  if (o.list) {
    if (globs_match(&o, &list)) goto out;
    print_list(&o, &list);
    status = 0;
    goto out;
  }
  size_t n_sel;
  if ((status = select_tests(&o, &list, &sel, &n_sel))) goto out;
  status = EXIT_USAGE;
  res.seed = o.start_given ? o.start_seed : o.seed;
  if (o.shard_text) {
    res.shards = regress_alloc(sizeof *res.shards);
    res.shards[res.n_shards++] = regress_strdup(o.shard_text);
  }
  make_runs(&o, sel, n_sel, &res);
  if (o.list_runs) {
    for (size_t i = 0; i < res.n; i++)
      printf("%s %" PRIu64 " %" PRIu64 " %s\n", res.v[i].test, res.v[i].iteration, res.v[i].seed,
             res.v[i].command);
    status = 0;
    goto out;
  }
  if (prepare_out(&cmd, o.out)) goto out;
  if (o.coverage && !have_coverage(&o, o.out)) {
    cli_usage_error(&cmd, "--coverage: this pmmu has no 'coverage' command");
    goto out;
  }
  if (!o.quiet)
    fprintf(stderr, "regress: %zu runs of %zu test%s%s%s, -j %u, global seed %" PRIu64 "\n", res.n,
            n_sel, n_sel == 1 ? "" : "s", o.shard_text ? ", shard " : "",
            o.shard_text ? o.shard_text : "", o.jobs, res.seed);
  int infra = res.n ? run_all(&o, &res, o.out) : 0;
  status = finish(&o, &res, o.out, infra);
out:
  free(sel);
  free(o.tests.v);
  regress_list_free(&list);
  regress_results_free(&res);
  return status;
}
