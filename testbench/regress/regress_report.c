/* Results of `pmmu regress` (regress.h): failure messages and buckets, junit.xml,
 * summary.json and summary.md, and the summary.json reader of --merge and --replay. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"
#include "tb_file.h"

static const char *const status_names[] = {"passed", "failed", "timeout", "error", "pending"};

const char *regress_status_name(regress_status s) { return status_names[s]; }

bool regress_status_parse(const char *s, regress_status *out) {
  for (int i = 0; i < 4; i++)
    if (strcmp(s, status_names[i]) == 0) {
      *out = (regress_status)i;
      return true;
    }
  return false;
}

regress_result *regress_results_add(regress_results *r) {
  r->v = regress_grow(r->v, &r->cap, r->n, sizeof *r->v);
  regress_result *x = &r->v[r->n++];
  memset(x, 0, sizeof *x);
  x->status = REGRESS_PENDING;
  return x;
}

void regress_result_free(regress_result *x) {
  free(x->test);
  for (unsigned i = 0; i < x->argc; i++) free(x->argv[i]);
  free(x->argv);
  free(x->command);
  free(x->message);
  free(x->bucket);
  free(x->log);
  free(x->repro);
  free(x->waves);
  free(x->shard);
  memset(x, 0, sizeof *x);
}

void regress_results_free(regress_results *r) {
  for (size_t i = 0; i < r->n; i++) regress_result_free(&r->v[i]);
  for (size_t i = 0; i < r->n_shards; i++) free(r->shards[i]);
  free(r->shards);
  free(r->v);
  memset(r, 0, sizeof *r);
}

/* ---- the command line of a run -------------------------------------------------------- */

static bool shell_safe(const char *w) {
  if (!*w) return false;
  for (const char *c = w; *c; c++)
    if (!isalnum((unsigned char)*c) && !strchr("-_./=:,+@%{}", *c)) return false;
  return true;
}

char *regress_shell_join(char *const *argv, unsigned argc) {
  size_t len = 1;
  for (unsigned i = 0; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
  char *s = regress_alloc(len), *p = s;
  for (unsigned i = 0; i < argc; i++) {
    if (i) *p++ = ' ';
    if (shell_safe(argv[i])) {
      p += sprintf(p, "%s", argv[i]);
      continue;
    }
    *p++ = '\'';
    for (const char *c = argv[i]; *c; c++) {
      if (*c == '\'') p += sprintf(p, "'\\''");
      else *p++ = *c;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return s;
}

/* ---- failure messages and buckets ----------------------------------------------------- */

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  size_t k = strspn(s, " \t");
  memmove(s, s + k, strlen(s + k) + 1);
}

/* The first failure a log tells, in one line: a lockstep mismatch (its header and its first
 * differing field), cosim's own checks ("cosim: ..."), a failed expectation of a scenario,
 * else the first line that says FAIL or error, else the last line. */
static char *log_message(const char *path, char *key, size_t keylen, bool error) {
  FILE *f = path ? fopen(path, "r") : NULL;
  key[0] = '\0';
  if (!f) return NULL;
  char line[1024], last[1024] = "", fail[1024] = "", head[1024] = "", first[1024] = "";
  char *msg = NULL;
  bool table = false;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (table) { /* the header row, then the first differing field */
      if (strncmp(line, "  field ", 8) == 0) continue;
      /* the table's row (engine_report.c): "  %-22s %-36s %s"; a longer field or model
       * value pushes the next column right by one space only */
      char field[64] = "", model[256] = "", rtl[256] = "";
      size_t len = strlen(line), fe = 24;
      const char *dbl = len > 2 ? strstr(line + 2, "  ") : NULL;
      if (dbl && (size_t)(dbl - line) <= 24) fe = (size_t)(dbl - line);
      else
        while (fe < len && line[fe] != ' ') fe++;
      if (fe > len) fe = len;
      snprintf(field, sizeof field, "%.*s", (int)(fe > 2 ? fe - 2 : 0), line + 2);
      trim(field);
      char rest[1024];
      snprintf(rest, sizeof rest, "%s", line + fe);
      trim(rest);
      char *gap = strstr(rest, "  ");
      size_t n = strlen(head) + strlen(field) + strlen(rest) + 48;
      msg = regress_alloc(n);
      if (gap) {
        *gap = '\0';
        snprintf(model, sizeof model, "%.255s", rest);
        snprintf(rtl, sizeof rtl, "%.255s", gap + 2);
        trim(rtl);
        snprintf(msg, n, "%s: %s: model %s, rtl %s", head, field, model, rtl);
      } else {
        snprintf(msg, n, "%s: %s: model, rtl: %s", head, field, rest);
      }
      bool pdpte = strstr(head, "PDPTE load") != NULL,
           hang = strstr(line, "(none by cycle") != NULL;
      snprintf(key, keylen, "lockstep mismatch at %s: %s%s", pdpte ? "a PDPTE load" : "a request",
               field, hang ? " (no response: hang)" : "");
      break;
    }
    if (strncmp(line, "lockstep mismatch at ", 21) == 0) {
      snprintf(head, sizeof head, "%s", line);
      size_t n = strlen(head);
      if (n && head[n - 1] == ':') head[n - 1] = '\0';
      table = true;
      continue;
    }
    if (strncmp(line, "cosim: ", 7) == 0 && !strstr(line, "reproduce with") &&
        !strstr(line, "seed ") && !strstr(line, "passed") && !strstr(line, "interrupt acks") &&
        !strstr(line, "resets")) {
      msg = regress_strdup(line);
      break;
    }
    if (strstr(line, "expect ") && strstr(line, "FAILED")) {
      char tmp[1024];
      snprintf(tmp, sizeof tmp, "%s", line);
      trim(tmp);
      msg = regress_strdup(tmp);
      snprintf(key, keylen, "expect failed: %s", strstr(tmp, "expect ") + 7);
      break;
    }
    if (!first[0] && line[0]) snprintf(first, sizeof first, "%s", line);
    if (!fail[0] && (strstr(line, "FAIL") || strstr(line, "error") || strstr(line, "Assertion") ||
                     strstr(line, "%Error")))
      snprintf(fail, sizeof fail, "%s", line);
    if (line[0]) snprintf(last, sizeof last, "%s", line);
  }
  fclose(f);
  if (error && first[0]) { /* a run that could not run: its first line says why */
    free(msg);
    msg = regress_strdup(first);
    key[0] = '\0';
  }
  if (!msg && fail[0]) msg = regress_strdup(fail);
  if (!msg && last[0]) msg = regress_strdup(last);
  if (msg) {
    trim(msg);
    for (char *c = msg; *c; c++) /* the reports are ASCII: anything else is noise of a crash */
      if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20) *c = '?';
  }
  return msg;
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGKILL: return "SIGKILL";
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  default: return "a signal";
  }
}

char *regress_bucket_key(const char *message) {
  size_t n = strlen(message);
  char *k = regress_alloc(n + 1), *p = k;
  for (size_t i = 0; i < n;) {
    bool word_before = i && (isalnum((unsigned char)message[i - 1]) || message[i - 1] == '_');
    if (!word_before && message[i] == '0' && (message[i + 1] == 'x' || message[i + 1] == 'X') &&
        isxdigit((unsigned char)message[i + 2])) {
      i += 2;
      while (isxdigit((unsigned char)message[i])) i++;
      *p++ = 'N';
    } else if (!word_before && isdigit((unsigned char)message[i])) {
      while (isdigit((unsigned char)message[i])) i++;
      *p++ = 'N';
    } else {
      *p++ = message[i++];
    }
  }
  *p = '\0';
  return k;
}

void regress_classify(regress_result *r, int exit_status, bool timed_out, const char *log_path) {
  char key[512];
  bool error =
      !timed_out && exit_status > 0 && exit_status != 1 && exit_status != 3 && exit_status != 124;
  char *msg = log_message(log_path, key, sizeof key, error);
  char buf[1400];
  free(r->message);
  free(r->bucket);
  r->message = r->bucket = NULL;
  if (timed_out) {
    r->status = REGRESS_TIMEOUT;
    snprintf(buf, sizeof buf, "timeout: killed after %.0f s (--timeout)", r->seconds);
    r->message = regress_strdup(buf);
    r->bucket = regress_strdup("timeout");
  } else if (exit_status == 0) {
    r->status = REGRESS_PASSED;
  } else if (exit_status < 0) {
    r->status = REGRESS_FAILED;
    snprintf(buf, sizeof buf, "killed by %s%s%s", signal_name(-exit_status), msg ? ": " : "",
             msg ? msg : "");
    r->message = regress_strdup(buf);
    snprintf(buf, sizeof buf, "killed by %s", signal_name(-exit_status));
    r->bucket = regress_strdup(buf);
  } else if (exit_status == 1 || exit_status == 3 || exit_status == 124) {
    r->status = REGRESS_FAILED;
    snprintf(buf, sizeof buf, "%s", msg ? msg : "failed (no message)");
    r->message = regress_strdup(buf);
    r->bucket = regress_bucket_key(key[0] ? key : buf);
  } else {
    r->status = REGRESS_ERROR;
    snprintf(buf, sizeof buf, "exit status %d: %s", exit_status, msg ? msg : "(no message)");
    r->message = regress_strdup(buf);
    char *k = regress_bucket_key(buf);
    snprintf(buf, sizeof buf, "error: %s", k);
    free(k);
    r->bucket = regress_strdup(buf);
  }
  free(msg);
}

/* ---- outputs --------------------------------------------------------------------------- */

typedef struct test_count {
  const char *name;
  size_t runs, st[4];
  double seconds;
} test_count;

typedef struct bucket {
  const char *key;
  size_t count;
  const regress_result *first;
} bucket;

static size_t count_tests(const regress_results *r, test_count **out) {
  test_count *t = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < r->n; i++) {
    const regress_result *x = &r->v[i];
    size_t k = 0;
    while (k < n && strcmp(t[k].name, x->test) != 0) k++;
    if (k == n) {
      t = regress_grow(t, &cap, n, sizeof *t);
      t[n++].name = x->test;
    }
    t[k].runs++;
    if (x->status < 4) t[k].st[x->status]++;
    t[k].seconds += x->seconds;
  }
  *out = t;
  return n;
}

static size_t count_buckets(const regress_results *r, bucket **out) {
  bucket *b = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < r->n; i++) {
    const regress_result *x = &r->v[i];
    if (x->status == REGRESS_PASSED || !x->bucket) continue;
    size_t k = 0;
    while (k < n && strcmp(b[k].key, x->bucket) != 0) k++;
    if (k == n) {
      b = regress_grow(b, &cap, n, sizeof *b);
      b[n].key = x->bucket;
      b[n++].first = x;
    }
    b[k].count++;
  }
  /* most frequent first; ties in order of first appearance (stable insertion sort) */
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && b[j].count > b[j - 1].count; j--) {
      bucket t = b[j];
      b[j] = b[j - 1];
      b[j - 1] = t;
    }
  *out = b;
  return n;
}

static void totals(const regress_results *r, size_t st[4]) {
  memset(st, 0, 4 * sizeof *st);
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].status < 4) st[r->v[i].status]++;
}

static void xml_text(FILE *f, const char *s) {
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    switch (*c) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&apos;", f); break;
    default:
      if (*c >= 0x20 || *c == '\n' || *c == '\t') fputc(*c, f);
      else fputc('?', f); /* control characters are not allowed in XML 1.0 */
    }
  }
}

static void write_junit(const regress_results *r, FILE *f) {
  size_t st[4];
  totals(r, st);
  test_count *t;
  size_t nt = count_tests(r, &t);
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f,
          "<testsuites name=\"pmmu regress\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
          "time=\"%.3f\">\n",
          r->n, st[REGRESS_FAILED] + st[REGRESS_TIMEOUT], st[REGRESS_ERROR], r->seconds);
  for (size_t k = 0; k < nt; k++) {
    fputs("  <testsuite name=\"", f);
    xml_text(f, t[k].name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
            t[k].runs, t[k].st[REGRESS_FAILED] + t[k].st[REGRESS_TIMEOUT], t[k].st[REGRESS_ERROR],
            t[k].seconds);
    for (size_t i = 0; i < r->n; i++) {
      const regress_result *x = &r->v[i];
      if (strcmp(x->test, t[k].name) != 0) continue;
      fputs("    <testcase classname=\"pmmu.regress.", f);
      xml_text(f, x->test);
      fputs("\" name=\"", f);
      xml_text(f, x->test);
      if (x->seeded) fprintf(f, " seed %" PRIu64, x->seed);
      fprintf(f, "\" time=\"%.3f\">\n", x->seconds);
      if (x->status != REGRESS_PASSED) {
        fprintf(f, "      <%s type=\"%s\" message=\"",
                x->status == REGRESS_ERROR ? "error" : "failure", regress_status_name(x->status));
        xml_text(f, x->message ? x->message : "");
        fputs("\">", f);
        xml_text(f, x->message ? x->message : "");
        fputs("\nreproduce: ", f);
        xml_text(f, x->command);
        if (x->log) {
          fputs("\nlog: ", f);
          xml_text(f, x->log);
        }
        if (x->repro) {
          fputs("\nscenario: ", f);
          xml_text(f, x->repro);
        }
        if (x->waves) {
          fputs("\nwaves: ", f);
          xml_text(f, x->waves);
        }
        fprintf(f, "</%s>\n", x->status == REGRESS_ERROR ? "error" : "failure");
      }
      fputs("      <system-out>reproduce: ", f);
      xml_text(f, x->command);
      fputs("</system-out>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n", f);
  }
  fputs("</testsuites>\n", f);
  free(t);
}

static void json_opt(FILE *f, const char *key, const char *v) {
  if (!v) return;
  fprintf(f, ",\"%s\":", key);
  rj_write_string(f, v);
}

static void write_json(const regress_results *r, FILE *f) {
  size_t st[4];
  totals(r, st);
  fprintf(f, "{\"version\":1,\"seed\":%" PRIu64 ",\"shards\":[", r->seed);
  for (size_t i = 0; i < r->n_shards; i++) {
    if (i) fputc(',', f);
    rj_write_string(f, r->shards[i]);
  }
  fprintf(f,
          "],\n\"runs\":%zu,\"passed\":%zu,\"failed\":%zu,\"timed_out\":%zu,\"infrastructure\":%zu,"
          "\"seconds\":%.3f,\n\"tests\":{",
          r->n, st[REGRESS_PASSED], st[REGRESS_FAILED], st[REGRESS_TIMEOUT], st[REGRESS_ERROR],
          r->seconds);
  test_count *t;
  size_t nt = count_tests(r, &t);
  for (size_t k = 0; k < nt; k++) {
    fputs(k ? ",\n  " : "\n  ", f);
    rj_write_string(f, t[k].name);
    fprintf(f, ":{\"runs\":%zu,\"passed\":%zu,\"failed\":%zu,\"timed_out\":%zu,\"errors\":%zu}",
            t[k].runs, t[k].st[REGRESS_PASSED], t[k].st[REGRESS_FAILED], t[k].st[REGRESS_TIMEOUT],
            t[k].st[REGRESS_ERROR]);
  }
  free(t);
  fputs("},\n\"buckets\":[", f);
  bucket *b;
  size_t nb = count_buckets(r, &b);
  for (size_t k = 0; k < nb; k++) {
    fputs(k ? ",\n  {\"key\":" : "\n  {\"key\":", f);
    rj_write_string(f, b[k].key);
    fprintf(f, ",\"count\":%zu,\"first\":{\"test\":", b[k].count);
    rj_write_string(f, b[k].first->test);
    fprintf(f, ",\"seed\":%" PRIu64 ",\"command\":", b[k].first->seed);
    rj_write_string(f, b[k].first->command);
    fputs(",\"message\":", f);
    rj_write_string(f, b[k].first->message ? b[k].first->message : "");
    fputs("}}", f);
  }
  free(b);
  fputs("],\n\"results\":[", f);
  for (size_t i = 0; i < r->n; i++) {
    const regress_result *x = &r->v[i];
    fputs(i ? ",\n  {\"test\":" : "\n  {\"test\":", f);
    rj_write_string(f, x->test);
    fprintf(f,
            ",\"iteration\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"seeded\":%s,\"status\":\"%s\","
            "\"seconds\":%.3f,\"command\":",
            x->iteration, x->seed, x->seeded ? "true" : "false", regress_status_name(x->status),
            x->seconds);
    rj_write_string(f, x->command);
    fputs(",\"argv\":[", f);
    for (unsigned k = 0; k < x->argc; k++) {
      if (k) fputc(',', f);
      rj_write_string(f, x->argv[k]);
    }
    fputc(']', f);
    json_opt(f, "message", x->message ? x->message : ""); /* always there (INTERFACES.md) */
    json_opt(f, "bucket", x->bucket);
    json_opt(f, "log", x->log);
    json_opt(f, "repro", x->repro);
    json_opt(f, "waves", x->waves);
    json_opt(f, "shard", x->shard);
    fputc('}', f);
  }
  fputs("]}\n", f);
}

/* Markdown cells: '|' and line breaks would end the cell */
static void md_cell(FILE *f, const char *s, bool code) {
  if (code) fputc('`', f);
  for (const char *c = s; *c; c++) {
    if (*c == '|') fputs("\\|", f);
    else if (*c == '\n' || *c == '\r') fputc(' ', f);
    else if (*c == '`' && code) fputc('\'', f);
    else fputc(*c, f);
  }
  if (code) fputc('`', f);
}

static void write_md(const regress_results *r, FILE *f) {
  size_t st[4];
  totals(r, st);
  bool ok = st[REGRESS_FAILED] + st[REGRESS_TIMEOUT] + st[REGRESS_ERROR] == 0;
  fprintf(f, "## pmmu regress: %s\n\n", ok ? "all passed" : "FAILED");
  fprintf(f,
          "%zu runs: %zu passed, %zu failed, %zu timed out, %zu infrastructure errors; "
          "global seed %" PRIu64 "; %.1f s",
          r->n, st[REGRESS_PASSED], st[REGRESS_FAILED], st[REGRESS_TIMEOUT], st[REGRESS_ERROR],
          r->seed, r->seconds);
  if (r->n_shards) {
    fputs("; shards", f);
    for (size_t i = 0; i < r->n_shards; i++) fprintf(f, "%s%s", i ? ", " : " ", r->shards[i]);
  }
  fputs("\n\n| test | runs | passed | failed | timed out | errors | seconds |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n",
        f);
  test_count *t;
  size_t nt = count_tests(r, &t);
  for (size_t k = 0; k < nt; k++) {
    fputs("| ", f);
    md_cell(f, t[k].name, true);
    fprintf(f, " | %zu | %zu | %zu | %zu | %zu | %.1f |\n", t[k].runs, t[k].st[REGRESS_PASSED],
            t[k].st[REGRESS_FAILED], t[k].st[REGRESS_TIMEOUT], t[k].st[REGRESS_ERROR],
            t[k].seconds);
  }
  free(t);
  bucket *b;
  size_t nb = count_buckets(r, &b);
  if (nb) {
    fputs("\n### Failure buckets\n\n| runs | bucket | first failure | reproduce |\n"
          "|---:|---|---|---|\n",
          f);
    for (size_t k = 0; k < nb; k++) {
      fprintf(f, "| %zu | ", b[k].count);
      md_cell(f, b[k].key, false);
      fputs(" | ", f);
      md_cell(f, b[k].first->test, true);
      if (b[k].first->seeded) fprintf(f, " seed %" PRIu64, b[k].first->seed);
      fputs(": ", f);
      md_cell(f, b[k].first->message ? b[k].first->message : "", false);
      fputs(" | ", f);
      md_cell(f, b[k].first->command, true);
      fputs(" |\n", f);
    }
  }
  free(b);
}

typedef void (*writer)(const regress_results *r, FILE *f);

static int write_one(const regress_results *r, const char *dir, const char *name, writer w,
                     tb_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  tb_output *o = tb_output_open(path, err);
  if (!o) return err->code;
  w(r, tb_output_stream(o));
  return tb_output_commit(o, err);
}

int regress_write_outputs(const regress_results *r, const char *dir, tb_error *err) {
  int st = write_one(r, dir, "junit.xml", write_junit, err);
  if (!st) st = write_one(r, dir, "summary.md", write_md, err);
  /* summary.json last: its presence says the folder is complete (merge and replay read it) */
  if (!st) st = write_one(r, dir, "summary.json", write_json, err);
  return st;
}

void regress_print_summary(const regress_results *r, FILE *f) {
  size_t st[4];
  totals(r, st);
  fprintf(f, "regress: %zu runs: %zu passed, %zu failed, %zu timed out, %zu errors (%.1f s)\n",
          r->n, st[REGRESS_PASSED], st[REGRESS_FAILED], st[REGRESS_TIMEOUT], st[REGRESS_ERROR],
          r->seconds);
  bucket *b;
  size_t nb = count_buckets(r, &b);
  for (size_t k = 0; k < nb; k++) {
    fprintf(f, "bucket: %zu x %s\n  first: %s", b[k].count, b[k].key, b[k].first->test);
    if (b[k].first->seeded) fprintf(f, " seed %" PRIu64, b[k].first->seed);
    fprintf(f, ": %s\n", b[k].first->message ? b[k].first->message : "");
    fprintf(f, "  reproduce: %s\n", b[k].first->command);
  }
  free(b);
}

/* ---- reading summary.json ---------------------------------------------------------------- */

static char *read_all(const char *path, tb_error *err) {
  FILE *f = tb_input_open(path, err);
  if (!f) return NULL;
  size_t n = 0, cap = 4096;
  char *s = regress_alloc(cap);
  size_t got;
  while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      char *t = realloc(s, cap * 2);
      if (!t) {
        free(s);
        tb_input_close(f);
        tb_fail(err, TB_E_NOMEM, "out of memory reading '%s'", path);
        return NULL;
      }
      s = t;
      cap *= 2;
    }
  }
  bool bad = ferror(f);
  tb_input_close(f);
  if (bad) {
    free(s);
    tb_fail(err, TB_E_IO, "cannot read '%s'", path);
    return NULL;
  }
  s[n] = '\0';
  return s;
}

static const char *str_of(const rj_value *o, const char *key) {
  const rj_value *v = rj_get(o, key);
  return v && v->type == RJ_STRING ? v->str : NULL;
}

static bool u64_of(const rj_value *o, const char *key, uint64_t *out) {
  const rj_value *v = rj_get(o, key);
  if (!v || v->type != RJ_NUMBER) return false;
  char *end;
  *out = strtoull(v->str, &end, 10);
  return *end == '\0';
}

static char *dup_or_null(const char *s) { return s ? regress_strdup(s) : NULL; }

int regress_read_summary(const char *path, regress_results *r, tb_error *err) {
  char *text = read_all(path, err);
  if (!text) return err->code;
  tb_error perr;
  rj_value *root = rj_parse(text, &perr);
  free(text);
  if (!root) return tb_fail(err, TB_E_INPUT, "%s:%s", path, perr.msg);
  int st = TB_OK;
  uint64_t version = 0;
  const rj_value *results = rj_get(root, "results"), *shards = rj_get(root, "shards");
  const rj_value *secs = rj_get(root, "seconds");
  if (root->type != RJ_OBJECT || !u64_of(root, "version", &version) || version != 1 ||
      !u64_of(root, "seed", &r->seed) || !results || results->type != RJ_ARRAY) {
    st = tb_fail(err, TB_E_INPUT, "%s: not a summary.json of pmmu regress (version 1)", path);
    goto out;
  }
  if (secs && secs->type == RJ_NUMBER && secs->num > r->seconds) r->seconds = secs->num;
  if (shards && shards->type == RJ_ARRAY)
    for (size_t i = 0; i < shards->n; i++)
      if (shards->items[i].type == RJ_STRING) {
        r->shards = regress_grow(r->shards, &(size_t){r->n_shards}, r->n_shards, sizeof *r->shards);
        r->shards[r->n_shards++] = regress_strdup(shards->items[i].str);
      }
  for (size_t i = 0; i < results->n; i++) {
    const rj_value *o = &results->items[i];
    const char *test = str_of(o, "test"), *status = str_of(o, "status"),
               *command = str_of(o, "command");
    const rj_value *argv = rj_get(o, "argv"), *s = rj_get(o, "seconds"), *sd = rj_get(o, "seeded");
    regress_status stat;
    uint64_t it, seed;
    if (o->type != RJ_OBJECT || !test || !status || !command || !argv || argv->type != RJ_ARRAY ||
        !argv->n || !u64_of(o, "iteration", &it) || !u64_of(o, "seed", &seed) ||
        !regress_status_parse(status, &stat)) {
      st = tb_fail(err, TB_E_INPUT,
                   "%s: result %zu lacks test, iteration, seed, status, command "
                   "or argv",
                   path, i + 1);
      goto out;
    }
    regress_result *x = regress_results_add(r);
    x->test = regress_strdup(test);
    x->iteration = it, x->seed = seed, x->status = stat;
    x->seeded = !sd || sd->type != RJ_BOOL || sd->b;
    x->seconds = s && s->type == RJ_NUMBER ? s->num : 0;
    x->command = regress_strdup(command);
    x->argv = regress_alloc((argv->n + 1) * sizeof *x->argv);
    for (size_t k = 0; k < argv->n; k++) {
      if (argv->items[k].type != RJ_STRING) {
        st = tb_fail(err, TB_E_INPUT, "%s: result %zu: argv holds a non-string", path, i + 1);
        goto out;
      }
      x->argv[x->argc++] = regress_strdup(argv->items[k].str);
    }
    x->message = dup_or_null(str_of(o, "message"));
    x->bucket = dup_or_null(str_of(o, "bucket"));
    x->log = dup_or_null(str_of(o, "log"));
    x->repro = dup_or_null(str_of(o, "repro"));
    x->waves = dup_or_null(str_of(o, "waves"));
    x->shard = dup_or_null(str_of(o, "shard"));
  }
out:
  rj_free(root);
  return st;
}
