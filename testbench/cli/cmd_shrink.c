/* `pmmu shrink FILE`: a failing scenario reduced to a minimal one that fails the same way
 * (testbench/shrink/shrink.h; docs/cli.md, docs/verification.md "Shrinking"). */
#define _POSIX_C_SOURCE 200809L /* open_memstream, clock_gettime */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "run.h"
#include "scenario.h"
#include "shrink.h"
#include "tb_file.h"

static const char help_text[] =
    "usage: pmmu shrink FILE.pmmu [-o OUT.pmmu] [--engine both|rtl|model] [--mutant NAME]\n"
    "                   [--max-cycles N] [--timeout S]\n"
    "\n"
    "Reduces a failing scenario (a lockstep mismatch between the model and the RTL, or an\n"
    "expectation that fails) by delta debugging: its commands (ddmin), then its values (fewer\n"
    "tokens, fewer bits set), until nothing more can go, keeping the kind of failure (the same\n"
    "op and first differing field of the first mismatch, or the same expect line failing with\n"
    "the same result). Writes the minimal file with a header saying how to reproduce it and,\n"
    "for a mismatch, the model's results as expect lines after every access. Candidates run\n"
    "in this process, each within a cycle budget.\n"
    "  -o FILE          the output (default: FILE with .shrunk.pmmu for .pmmu)\n"
    "  --engine E       both (default), rtl or model\n"
    "  --mutant NAME    (engine rtl or both) the RTL built with that bug (docs/rtl.md)\n"
    "  --max-cycles N   each candidate's cycle budget (default: 4 x the cycles of FILE's run\n"
    "                   + 10000); a candidate cut short that has not failed yet is not failing\n"
    "  --timeout S      stop shrinking after S seconds and write the smallest failing file so far\n"
    "exit status: 0 written; 1 FILE does not fail; 2 bad usage or input; 3 infrastructure\n"
    "             (the engine cannot be made, the output cannot be written); 124 stopped by\n"
    "             --timeout or a signal (the smallest failing file so far was written)\n";

/* ---- A failure's kind ------------------------------------------------------------------ */

typedef enum fail_kind { FAIL_NONE, FAIL_MISMATCH, FAIL_EXPECT, FAIL_ASSERT } fail_kind;

typedef struct failure {
  fail_kind kind;
  engine_mismatch first;  /* FAIL_MISMATCH: its first record */
  unsigned expect_id;     /* FAIL_EXPECT: the line (shrink_line id) of the first failed expect */
  char want[96], got[96]; /* FAIL_EXPECT: what it wanted, what it got */
} failure;

static const char *op_word(engine_diff_op op) {
  return op == ENGINE_DIFF_REQUEST     ? "request"
         : op == ENGINE_DIFF_INTERRUPT ? "interrupt"
                                       : "pdpte-load";
}

/* Same kind: a mismatch of the same op in the same first field (hangs apart), or the same
 * expect line failing first. */
static bool same_kind(const failure *a, const failure *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case FAIL_MISMATCH:
    return a->first.op == b->first.op && a->first.hang == b->first.hang &&
           strcmp(a->first.field, b->first.field) == 0;
  case FAIL_EXPECT: /* the same expectation, failing with the same wrong result */
    return a->expect_id == b->expect_id && strcmp(a->want, b->want) == 0 &&
           strcmp(a->got, b->got) == 0;
  default: return true;
  }
}

/* "mismatch request outcome", "mismatch request hang response", "expect", "assertion": the
 * `# kind:` line of the output (the mutant ctests read it). */
static void describe_kind(const failure *f, char *buf, size_t len) {
  switch (f->kind) {
  case FAIL_MISMATCH:
    snprintf(buf, len, "mismatch %s%s %s", op_word(f->first.op), f->first.hang ? " hang" : "",
             f->first.field);
    break;
  case FAIL_EXPECT: snprintf(buf, len, "expect"); break;
  case FAIL_ASSERT: snprintf(buf, len, "assertion"); break;
  default: snprintf(buf, len, "none"); break;
  }
}

/* ---- Running a candidate in-process ---------------------------------------------------- */

typedef struct shrinker {
  const char *path; /* FILE, for messages */
  engine_kind kind;
  const char *mutant;
  FILE *sink; /* the parser's messages about candidates: /dev/null */
  failure want;
  bool stop; /* --timeout or a signal */
} shrinker;

/* The candidate as a scenario text, one line each (line k + 1 is lines[k]). */
static char *join(const shrink_line *lines, size_t n, size_t *len) {
  size_t total = 1;
  for (size_t i = 0; i < n; i++) total += strlen(lines[i].text) + 1;
  char *text = malloc(total), *p = text;
  if (!text) return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(lines[i].text);
    memcpy(p, lines[i].text, l);
    p[l] = '\n';
    p += l + 1;
  }
  *p = '\0';
  *len = (size_t)(p - text);
  return text;
}

/* Runs the candidate on a fresh engine: its failure in *f. 0 ran (or the parser refused it:
 * FAIL_NONE), or a negative status with *err filled (no memory; the engine cannot be made). */
static int evaluate(shrinker *sh, const shrink_line *lines, size_t n, failure *f, run_result *res,
                    tb_error *err) {
  memset(f, 0, sizeof *f);
  memset(res, 0, sizeof *res);
  size_t len;
  char *text = join(lines, n, &len);
  if (!text) return tb_fail(err, TB_E_NOMEM, "out of memory");
  scenario s;
  unsigned errors = scenario_parse(sh->path, text, len, &s, sh->sink);
  free(text);
  if (errors) {
    scenario_free(&s);
    return 0;
  }
  engine_setup setup = scenario_engine_setup(&s);
  engine_t *e = engine_create_mutant(sh->kind, &setup, sh->mutant, err);
  if (!e) {
    scenario_free(&s);
    return err->code;
  }
  run_options opt = {.quiet = true};
  tb_budget_run_begin();
  tb_error run_err;
  int st = scenario_run(&s, e, &opt, NULL, res, &run_err);
  if (st >= 0 && !res->have_mismatch && st != TB_HANG && engine_finish(e) == TB_MISMATCH) {
    size_t k;
    const engine_mismatch *m = engine_mismatches(e, &k);
    if (k) {
      res->first_mismatch = m[0];
      res->have_mismatch = true;
    }
  }
  if (res->have_mismatch) {
    f->kind = FAIL_MISMATCH;
    f->first = res->first_mismatch;
  } else if (st >= 0 && res->first_failed_line && res->first_failed_line <= n) {
    f->kind = FAIL_EXPECT;
    f->expect_id = lines[res->first_failed_line - 1].id;
    snprintf(f->want, sizeof f->want, "%s", res->first_failed_want);
    snprintf(f->got, sizeof f->got, "%s", res->first_failed_got);
  } else if (engine_rtl_errors(e)) {
    f->kind = FAIL_ASSERT;
  }
  /* st < 0: the engine refused an operation (a bug of its own, not the kind kept): not failing */
  engine_destroy(e);
  scenario_free(&s);
  return 0;
}

static int candidate_fails(void *ctx, const shrink_line *lines, size_t n) {
  shrinker *sh = ctx;
  if (tb_budget_over()) {
    sh->stop = true;
    return -1;
  }
  failure f;
  run_result res;
  tb_error err;
  if (evaluate(sh, lines, n, &f, &res, &err) < 0) return 0; /* e.g. a geometry not built */
  return same_kind(&f, &sh->want);
}

/* ---- The model's results as expect lines -------------------------------------------------- */

/* Parses "KEY":"0x..." in a JSON line. */
static bool json_hex(const char *line, const char *key, uint64_t *out) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\":\"0x", key);
  const char *p = strstr(line, pat);
  if (!p) return false;
  *out = strtoull(p + strlen(pat), NULL, 16);
  return true;
}

/* The lines with, after every access, `expect pa PA` or `expect fault EC` as the model
 * answered it (a bus error has no expect line). NULL (with *m = 0) when the model cannot run
 * them. The texts of the added lines are owned by *owned (free each, then the array). */
static shrink_line *with_expects(shrinker *sh, const shrink_line *lines, size_t n, size_t *m,
                                 char ***owned, size_t *n_owned) {
  *m = 0;
  *owned = NULL;
  *n_owned = 0;
  size_t len;
  char *text = join(lines, n, &len);
  if (!text) return NULL;
  scenario s;
  unsigned errors = scenario_parse(sh->path, text, len, &s, sh->sink);
  free(text);
  tb_error err;
  engine_setup setup = scenario_engine_setup(&s);
  engine_t *e = errors ? NULL : engine_create(ENGINE_MODEL, &setup, &err);
  char *out_text = NULL;
  size_t out_len = 0;
  FILE *out = e ? open_memstream(&out_text, &out_len) : NULL;
  run_result res;
  run_options opt = {.json = true};
  tb_budget_run_begin();
  int st = out ? scenario_run(&s, e, &opt, out, &res, &err) : TB_E_NOMEM;
  if (out && fclose(out)) st = TB_E_IO;
  if (e) engine_destroy(e);
  scenario_free(&s);
  shrink_line *r = st >= 0 && !res.stopped ? calloc(2 * n + 1, sizeof *r) : NULL;
  char **texts = r ? calloc(n + 1, sizeof *texts) : NULL;
  if (!texts) {
    free(r);
    free(out_text);
    return NULL;
  }
  /* expect lines by the line of their access: JSON lines in order of the commands */
  const char *p = out_text;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    r[k++] = lines[i];
    while (p && *p) {
      const char *nl = strchr(p, '\n');
      unsigned line = 0;
      if (sscanf(p, "{\"line\":%u,", &line) != 1 || line > i + 1) break; /* a later command's */
      char buf[512];
      size_t l = nl ? (size_t)(nl - p) : strlen(p);
      snprintf(buf, sizeof buf, "%.*s", (int)(l < sizeof buf ? l : sizeof buf - 1), p);
      p = nl ? nl + 1 : NULL;
      uint64_t v;
      char exp[64] = "";
      if (line != i + 1 || !strstr(buf, "\"va\":")) continue; /* not an access */
      if (json_hex(buf, "pa", &v)) snprintf(exp, sizeof exp, "expect pa 0x%09" PRIx64, v);
      else if (strstr(buf, "\"vector\":14") && json_hex(buf, "ec", &v))
        snprintf(exp, sizeof exp, "expect fault 0x%" PRIx64, v);
      if (!exp[0]) continue;
      char *t = strdup(exp);
      if (!t) break;
      texts[(*n_owned)++] = t;
      r[k++] = (shrink_line){.id = UINT32_MAX, .text = t};
    }
  }
  free(out_text);
  *owned = texts;
  *m = k;
  return r;
}

/* ---- The command ----------------------------------------------------------------------- */

/* FILE's commands: every line with its comment removed and blanks trimmed, empty ones
 * dropped; id = the line number. *n_lines: the count; NULL with err on failure. */
static shrink_line *read_commands(const char *path, char **storage, size_t *n_lines,
                                  tb_error *err) {
  FILE *f = tb_input_open(path, err);
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
    len += got;
    if (len + 1 == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
      }
      buf = bigger;
    }
  }
  bool bad = ferror(f);
  tb_input_close(f);
  if (!buf || bad) {
    free(buf);
    tb_fail(err, bad ? TB_E_IO : TB_E_NOMEM, "cannot read '%s'%s", path,
            bad ? ": read error" : ": out of memory");
    return NULL;
  }
  buf[len] = '\0';
  size_t n = 1;
  for (size_t i = 0; i < len; i++) n += buf[i] == '\n';
  shrink_line *lines = calloc(n, sizeof *lines);
  if (!lines) {
    free(buf);
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  size_t k = 0;
  unsigned number = 0;
  for (char *p = buf; p && *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    number++;
    char *hash = strchr(p, '#');
    if (hash) *hash = '\0';
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
    if (*p) lines[k++] = (shrink_line){.id = number, .text = p};
    p = nl ? nl + 1 : NULL;
  }
  *storage = buf;
  *n_lines = k;
  return lines;
}

static bool first_word_is(const char *text, const char *word) {
  size_t l = strlen(word);
  return strncmp(text, word, l) == 0 && (text[l] == ' ' || text[l] == '\t' || text[l] == '\0');
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Writes the result: the header, then the lines. */
static int write_output(const char *out_path, const char *in_path, const shrinker *sh,
                        const shrink_line *lines, size_t n, size_t n_before, uint64_t tests,
                        bool expects_regenerated, bool stopped, tb_error *err) {
  tb_output *o = tb_output_open(out_path, err);
  if (!o) return err->code;
  FILE *f = tb_output_stream(o);
  char kind[96];
  describe_kind(&sh->want, kind, sizeof kind);
  fprintf(
      f, "# Shrunk by `pmmu shrink` from %s: %zu commands -> %zu (%" PRIu64 " candidates run)%s.\n",
      in_path, n_before, n, tests, stopped ? ", stopped early" : "");
  if (sh->want.kind == FAIL_MISMATCH) {
    const engine_mismatch *m = &sh->want.first;
    fprintf(f, "# Fails with a lockstep mismatch at %s: %s%s differs (model against %s).\n",
            m->op == ENGINE_DIFF_REQUEST     ? "a request"
            : m->op == ENGINE_DIFF_INTERRUPT ? "an interrupt"
                                             : "a PDPTE load",
            m->field, m->hang ? " (hang)" : "", sh->mutant ? "the mutant RTL" : "the RTL");
  } else if (sh->want.kind == FAIL_EXPECT) {
    fprintf(f, "# Fails at an expect line (line %u of %s): want %s, got %s.\n", sh->want.expect_id,
            in_path, sh->want.want, sh->want.got);
  }
  fprintf(f, "# kind: %s\n", kind);
  if (expects_regenerated)
    fprintf(f, "# The expect lines are the model's results (regenerated by pmmu shrink).\n");
  fprintf(f, "# Reproduce: pmmu run --engine %s%s%s %s\n", engine_kind_name(sh->kind),
          sh->mutant ? " --mutant " : "", sh->mutant ? sh->mutant : "", out_path);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", lines[i].text);
  return tb_output_commit(o, err);
}

int cmd_shrink(int argc, char **argv) {
  const char *out_path = NULL, *mutant = NULL;
  engine_kind kind = ENGINE_BOTH;
  bool help = false;
  char *operands[2] = {0};
  cli_budget budget = {0};
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "-h", .type = CLI_HELP, .dest = &help},
      {.name = "-o", .type = CLI_STRING, .dest = &out_path, .what = "a file name"},
      {.name = "--engine",
       .type = CLI_CHOICE,
       .dest = &kind,
       .choose = cli_choose_engine,
       .what = CLI_ENGINES},
      {.name = "--mutant",
       .type = CLI_STRING,
       .dest = &mutant,
       .what = "a mutant's name (docs/rtl.md)"},
      {0}};
  cli_option bopts[CLI_BUDGET_OPTIONS + 1];
  cli_budget_options(&budget, bopts);
  cli_command cmd = {.prog = "pmmu shrink",
                     .help = "pmmu shrink --help",
                     .opts = {own, bopts},
                     .operands = operands,
                     .max_operands = 1};
  unsigned n_ops;
  int status = cli_parse(&cmd, argc, argv, &n_ops);
  if (status) return status;
  if (help) {
    fputs(help_text, stdout);
    return 0;
  }
  if (n_ops != 1) return cli_usage_error(&cmd, "'shrink' needs one scenario file");
  const char *in_path = operands[0];
  if (strcmp(in_path, "-") == 0)
    return cli_usage_error(&cmd, "the scenario must be a file (it is named in the output)");
  if (mutant && kind == ENGINE_MODEL)
    return cli_usage_error(&cmd, "--mutant needs --engine rtl or both");
  char default_out[4096];
  if (!out_path) {
    size_t l = strlen(in_path);
    bool ext = l > 5 && strcmp(in_path + l - 5, ".pmmu") == 0;
    snprintf(default_out, sizeof default_out, "%.*s.shrunk.pmmu", (int)(ext ? l - 5 : l), in_path);
    out_path = default_out;
  }
  tb_error err;
  char *storage = NULL;
  size_t n = 0;
  shrink_line *lines = read_commands(in_path, &storage, &n, &err);
  if (!lines) {
    fprintf(stderr, "pmmu shrink: error: %s\n", err.msg);
    return EXIT_USAGE;
  }
  /* the file as given must be a scenario: its errors are the user's */
  scenario check;
  if (scenario_load(in_path, &check, stderr)) {
    scenario_free(&check);
    free(lines);
    free(storage);
    return EXIT_USAGE;
  }
  scenario_free(&check);
  if (cli_output_check(&cmd, out_path) ||
      (tb_same_file(out_path, in_path) &&
       cli_usage_error(&cmd, "-o '%s' would replace the scenario '%s'", out_path, in_path))) {
    free(lines);
    free(storage);
    return EXIT_USAGE;
  }

  shrinker sh = {.path = in_path, .kind = kind, .mutant = mutant, .sink = fopen("/dev/null", "w")};
  if (!sh.sink) {
    fprintf(stderr, "pmmu shrink: error: cannot open /dev/null\n");
    free(lines);
    free(storage);
    return EXIT_DISAGREE;
  }
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  cli_budget_start(&budget); /* the original runs with the user's --max-cycles alone */
  run_result res;
  status = evaluate(&sh, lines, n, &sh.want, &res, &err);
  shrink_result r = {0};
  if (status < 0) {
    fprintf(stderr, "pmmu shrink: error: %s\n", err.msg);
    status = EXIT_DISAGREE;
    goto out;
  }
  char kind_text[96];
  describe_kind(&sh.want, kind_text, sizeof kind_text);
  if (sh.want.kind == FAIL_NONE) {
    fprintf(stderr, "pmmu shrink: %s does not fail on engine %s%s%s%s: nothing to shrink\n",
            in_path, engine_kind_name(kind), mutant ? " with mutant " : "", mutant ? mutant : "",
            res.stopped ? " (within --max-cycles)" : "");
    status = EXIT_EXPECT;
    goto out;
  }
  /* the candidates' budget: a generous multiple of the original's cycles */
  if (!budget.max_cycles) {
    uint64_t timeout = budget.timeout;
    if (timeout) {
      uint64_t spent = (uint64_t)seconds_since(&t0);
      timeout = spent >= timeout ? 1 : timeout - spent;
    }
    tb_budget_start(res.cycles * 4 + 10000, timeout);
  }
  fprintf(stderr, "pmmu shrink: %s: %zu commands, failure kind: %s\n", in_path, n, kind_text);

  /* a mismatch does not need the file's expect and dump lines: they go first, all at once */
  shrink_line *start = lines;
  size_t n_start = n;
  shrink_line *bare = NULL;
  if (sh.want.kind == FAIL_MISMATCH) {
    bare = malloc((n ? n : 1) * sizeof *bare);
    size_t k = 0;
    for (size_t i = 0; bare && i < n; i++)
      if (!first_word_is(lines[i].text, "expect") && !first_word_is(lines[i].text, "dump32") &&
          !first_word_is(lines[i].text, "dump64"))
        bare[k++] = lines[i];
    if (bare && k < n && candidate_fails(&sh, bare, k) == 1) {
      start = bare;
      n_start = k;
    }
  }
  shrink_config cfg = {.test = candidate_fails, .ctx = &sh};
  int st = shrink_run(&cfg, start, n_start, &r);
  free(bare);
  if (st == SHRINK_E_NOMEM) {
    fprintf(stderr, "pmmu shrink: error: out of memory\n");
    status = EXIT_DISAGREE;
    goto out;
  }
  /* the output: for a mismatch, with the model's results as expect lines when it still fails
   * the same way with them (it does: lockstep answers with the model's results) */
  size_t m = 0, n_owned = 0;
  char **owned = NULL;
  shrink_line *final = NULL;
  bool regenerated = false;
  if (sh.want.kind == FAIL_MISMATCH) {
    tb_budget_start(0, 0); /* the final checks run whole */
    final = with_expects(&sh, r.lines, r.n, &m, &owned, &n_owned);
    failure f;
    run_result fres;
    regenerated = final && n_owned && evaluate(&sh, final, m, &f, &fres, &err) == 0 &&
                  same_kind(&f, &sh.want);
  }
  status = write_output(out_path, in_path, &sh, regenerated ? final : r.lines,
                        regenerated ? m : r.n, n, r.tests, regenerated, sh.stop, &err);
  for (size_t i = 0; i < n_owned; i++) free(owned[i]);
  free(owned);
  free(final);
  if (status < 0) {
    fprintf(stderr, "pmmu shrink: error: %s\n", err.msg);
    status = EXIT_DISAGREE;
    goto out;
  }
  printf("pmmu shrink: %s: %zu commands -> %zu (%zu with expect lines) in %" PRIu64
         " candidates (%" PRIu64 " cached), %.1f s; kind: %s; wrote %s\n",
         in_path, n, r.n, regenerated ? m : r.n, r.tests, r.cached, seconds_since(&t0), kind_text,
         out_path);
  printf("reproduce: pmmu run --engine %s%s%s %s\n", engine_kind_name(kind),
         mutant ? " --mutant " : "", mutant ? mutant : "", out_path);
  status = 0;
  if (sh.stop) {
    fprintf(stderr, "pmmu shrink: stopped early (--timeout or a signal): the file is the smallest "
                    "failing one found so far\n");
    status = TB_EXIT_BUDGET;
  }
out:
  shrink_result_free(&r);
  fclose(sh.sink);
  free(lines);
  free(storage);
  if (status == TB_EXIT_BUDGET) tb_stop_reraise();
  return status;
}
