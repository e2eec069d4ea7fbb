/*
 * `pmmu regress` (docs/regress.md): a test list run over many seeds in parallel child
 * processes, with JUnit XML, summary.json and summary.md in an output folder.
 *
 *   regress_list.c    the test list: the built-in table and list files (--tests FILE)
 *   regress_run.c     the runner: fork/exec of each run in its own process group, -j N,
 *                     --timeout, live progress
 *   regress_report.c  results: failure messages and buckets, junit.xml, summary.json/.md
 *   regress_json.c    the small JSON reader of summary.json (--merge, --replay)
 *   cli/cmd_regress.c the command: options, seeds, shards, the follow-up runs of failures
 */
#ifndef PMMU_REGRESS_H
#define PMMU_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the test list (regress_list.c) --------------------------------------------------- */

typedef enum regress_paging {
  REGRESS_PAGING_ANY = 0,
  REGRESS_PAGING_32 = 1, /* cosim: odd seeds start in 32-bit paging */
  REGRESS_PAGING_PAE = 2 /* cosim: even seeds start in PAE with NXE */
} regress_paging;

typedef struct regress_test {
  char *name;
  char *program; /* NULL: pmmu itself; else a program beside pmmu (pmmu_directed) */
  char **argv;   /* the arguments after the program; "{seed}" is the run's seed */
  unsigned argc;
  bool seeded; /* some argument holds {seed}: one run per seed; else one run in all */
  bool rtl;    /* drives the RTL: --mutant passes through, waves can be dumped */
  bool cosim;  /* a `pmmu cosim` run: --export and `pmmu shrink` apply to failures */
  regress_paging paging;
  char *unavailable; /* NULL, or why this pmmu cannot run it (no RTL, variant not built) */
} regress_test;

typedef struct regress_list {
  regress_test *v;
  size_t n, cap;
} regress_list;

/* The built-in list (docs/regress.md): cosim per policy, geometry (each RTL variant built),
 * paging mode, bus errors and back-pressure, acks and resets; the directed and injection
 * programs; each scenario file of scenario_dir. `self`: the path of this pmmu. */
int regress_list_builtin(regress_list *l, const char *self, const char *scenario_dir,
                         tb_error *err);
/* Adds the tests of a list file: "NAME ARGS..." per line, '#' comments (docs/regress.md). */
int regress_list_file(regress_list *l, const char *path, tb_error *err);
void regress_list_free(regress_list *l);
const regress_test *regress_list_find(const regress_list *l, const char *name);
/* Whether the program this pmmu was built with has an RTL (and the names of its variants) */
bool regress_have_rtl(void);

/* The seed of iteration `it` of test `name` under the global seed (docs/regress.md):
 * splitmix64 over FNV-1a 64 of the name, the seed and the iteration; then the paging mode's
 * parity. */
uint64_t regress_seed(uint64_t global, const char *name, uint64_t it, regress_paging paging);

/* ---- runs and results ----------------------------------------------------------------- */

typedef enum regress_status {
  REGRESS_PASSED,
  REGRESS_FAILED,
  REGRESS_TIMEOUT,
  REGRESS_ERROR,
  REGRESS_PENDING
} regress_status;
const char *regress_status_name(regress_status s); /* "passed", "failed", "timeout", "error" */
bool regress_status_parse(const char *s, regress_status *out);

typedef struct regress_result {
  char *test;
  uint64_t iteration, seed;
  bool seeded;
  char **argv; /* argv[0]: "pmmu" or the program's name; NULL-terminated */
  unsigned argc;
  regress_status status;
  double seconds;
  char *command; /* the reproduce command, shell-quoted */
  char *message; /* failures: one line */
  char *bucket;  /* failures: the message normalised */
  char *log;     /* failures: runs/<test>/<seed>.log relative to the output folder, or NULL */
  char *repro;   /* the exported/shrunk scenario (repro/...), or NULL */
  char *waves;   /* the dump of --waves-on-failure, or NULL */
  char *shard;   /* the shard that ran it ("2/4"), or NULL */
} regress_result;

typedef struct regress_results {
  regress_result *v;
  size_t n, cap;
  uint64_t seed; /* the global seed */
  char **shards; /* "I/N" of each shard merged; none: one unsharded run */
  size_t n_shards;
  double seconds; /* wall time (merge: the sum of the shards') */
} regress_results;

regress_result *regress_results_add(regress_results *r);
void regress_results_free(regress_results *r);
void regress_result_free(regress_result *r);

/* strdup that stops the program on exhaustion (a regression cannot go on without memory) */
char *regress_strdup(const char *s);
void *regress_alloc(size_t n);
void *regress_grow(void *p, size_t *cap, size_t n, size_t size);
/* The command line as a shell reads it: words quoted when they need it */
char *regress_shell_join(char *const *argv, unsigned argc);

/* ---- the runner (regress_run.c) ------------------------------------------------------- */

/* The processors this process may run on (its affinity: a Slurm task's CPUs), 1..256 */
unsigned regress_cpus(void);

typedef struct regress_job {
  char *path;          /* what to execute */
  char **argv;         /* NULL-terminated */
  char *log;           /* stdout and stderr of the child go here */
  regress_result *res; /* main runs: the result to fill; NULL for follow-up runs */
  int exit_status;     /* >= 0: the exit status; -signal when killed by a signal */
  bool timed_out;
  double seconds;
  const char *label; /* for progress lines: "test seed" */
} regress_job;

typedef struct regress_runner_options {
  unsigned jobs;    /* parallel children */
  uint64_t timeout; /* seconds per run, 0: none */
  int progress;     /* 1: live line (a terminal), 0: plain lines every progress_every s, -1: none */
  double progress_every;
  bool quiet; /* no line per failure */
} regress_runner_options;

/* Runs the jobs, at most o->jobs at once; each in its own process group, killed (the whole
 * group) after o->timeout seconds. 0, or TB_E_IO when a child could not be started (the
 * job's exit_status is then 127 and its log says why), or 1 when SIGINT/SIGTERM stopped it
 * (the jobs not finished have exit_status -SIGKILL). */
int regress_run_jobs(regress_job *jobs, size_t n, const regress_runner_options *o,
                     const char *what);

/* ---- reports (regress_report.c) ------------------------------------------------------- */

/* A failed run's status and one-line message from its exit status and log. */
void regress_classify(regress_result *r, int exit_status, bool timed_out, const char *log_path);
/* The bucket of a message: numbers and addresses normalised away. */
char *regress_bucket_key(const char *message);
/* junit.xml, summary.json, summary.md in dir (tb_file.h: each whole or not at all). */
int regress_write_outputs(const regress_results *r, const char *dir, tb_error *err);
/* The summary on f: counts, buckets with their first run's command. */
void regress_print_summary(const regress_results *r, FILE *f);
/* Reads DIR/summary.json or a summary.json into r (appending its results and shards). */
int regress_read_summary(const char *path, regress_results *r, tb_error *err);

/* ---- JSON (regress_json.c) ------------------------------------------------------------ */

typedef enum { RJ_NULL, RJ_BOOL, RJ_NUMBER, RJ_STRING, RJ_ARRAY, RJ_OBJECT } rj_type;
typedef struct rj_value rj_value;
struct rj_value {
  rj_type type;
  bool b;
  double num;
  char *str;       /* RJ_STRING; the number's text for RJ_NUMBER (exact 64-bit seeds) */
  rj_value *items; /* RJ_ARRAY, RJ_OBJECT */
  char **keys;     /* RJ_OBJECT */
  size_t n;
};
/* Parses text (NUL-terminated); NULL with "LINE: problem" in err. */
rj_value *rj_parse(const char *text, tb_error *err);
void rj_free(rj_value *v);
const rj_value *rj_get(const rj_value *obj, const char *key);
/* JSON string literal of s on f */
void rj_write_string(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
