/*
 * The coverage file (docs/coverage.md, "The file") and the table of `pmmu coverage`.
 *
 *   {
 *     "format": "pmmu-coverage",
 *     "version": 1,
 *     "bins": {
 *       "NAME": COUNT,
 *       ...
 *     }
 *   }
 *
 * One bin per line, names sorted, so that files diff and merge by eye too. Counts add when
 * files are merged; the meta bins "run/..." (engines made, geometries, operations) add the
 * same way.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "tb_file.h"

/* ---- Writing ---------------------------------------------------------------------------------- */

typedef coverage_entry named;

static named *sorted_bins(const coverage *c, size_t *n, bool *oom) {
  named *v = NULL;
  *oom = !coverage_sorted(c, &v, n);
  return v;
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

int coverage_write(const coverage *c, const char *path, tb_error *err) {
  size_t n;
  bool oom;
  named *v = sorted_bins(c, &n, &oom);
  if (oom) return tb_fail(err, TB_E_NOMEM, "out of memory");
  tb_output *o = tb_output_open(path, err);
  if (!o) {
    free(v);
    return err->code;
  }
  FILE *f = tb_output_stream(o);
  fprintf(f, "{\n  \"format\": \"pmmu-coverage\",\n  \"version\": 1,\n  \"bins\": {");
  for (size_t i = 0; i < n; i++) {
    fputs(i ? ",\n    " : "\n    ", f);
    json_string(f, v[i].name);
    fprintf(f, ": %" PRIu64, v[i].count);
  }
  fprintf(f, "%s}\n}\n", n ? "\n  " : "");
  free(v);
  return tb_output_commit(o, err);
}

/* ---- Reading: a small JSON reader for this one shape, with line numbers ------------------- */

typedef struct reader {
  const char *path;
  FILE *in, *errs;
  int ch;
  unsigned line;
  bool failed;
} reader;

static void next(reader *r) {
  if (r->ch == '\n') r->line++;
  r->ch = getc(r->in);
}

static void skip_ws(reader *r) {
  while (r->ch == ' ' || r->ch == '\t' || r->ch == '\n' || r->ch == '\r') next(r);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool
fail(reader *r, const char *fmt, ...) {
  if (r->failed) return false;
  r->failed = true;
  va_list ap;
  va_start(ap, fmt);
  fprintf(r->errs, "%s:%u: error: ", r->path, r->line);
  vfprintf(r->errs, fmt, ap);
  fputc('\n', r->errs);
  va_end(ap);
  return false;
}

static const char *what_is(int ch) {
  static char buf[32];
  if (ch == EOF) return "the end of the file";
  if (ch >= 0x20 && ch < 0x7f) snprintf(buf, sizeof buf, "'%c'", ch);
  else snprintf(buf, sizeof buf, "byte 0x%02x", (unsigned)ch);
  return buf;
}

static bool expect(reader *r, int ch) {
  skip_ws(r);
  if (r->ch != ch) return fail(r, "expected '%c', found %s", ch, what_is(r->ch));
  next(r);
  return true;
}

static bool read_string(reader *r, char *out, size_t len) {
  skip_ws(r);
  if (r->ch != '"') return fail(r, "expected a string, found %s", what_is(r->ch));
  next(r);
  size_t n = 0;
  while (r->ch != '"') {
    if (r->ch == EOF || r->ch == '\n') return fail(r, "a string is not closed");
    if (r->ch == '\\') {
      next(r);
      if (r->ch != '"' && r->ch != '\\' && r->ch != '/')
        return fail(r, "unsupported escape in a string (only \\\" \\\\ \\/)");
    } else if (r->ch < 0x20) {
      return fail(r, "a control character in a string");
    }
    if (n + 1 >= len) return fail(r, "a string longer than %zu characters", len - 1);
    out[n++] = (char)r->ch;
    next(r);
  }
  out[n] = '\0';
  next(r);
  return true;
}

static bool read_u64(reader *r, uint64_t *out) {
  skip_ws(r);
  if (r->ch < '0' || r->ch > '9')
    return fail(r, "expected a count (a whole number >= 0), found %s", what_is(r->ch));
  uint64_t v = 0;
  while (r->ch >= '0' && r->ch <= '9') {
    unsigned d = (unsigned)(r->ch - '0');
    if (v > (UINT64_MAX - d) / 10) return fail(r, "a count larger than 2^64-1");
    v = v * 10 + d;
    next(r);
  }
  if (r->ch == '.' || r->ch == 'e' || r->ch == 'E')
    return fail(r, "a count must be a whole number");
  *out = v;
  return true;
}

/* "bins": { "NAME": COUNT, ... } into c */
static bool read_bins(reader *r, coverage *c) {
  if (!expect(r, '{')) return false;
  skip_ws(r);
  if (r->ch == '}') {
    next(r);
    return true;
  }
  for (;;) {
    char name[256];
    uint64_t n;
    if (!read_string(r, name, sizeof name)) return false;
    if (!name[0] || !strchr(name, '/')) return fail(r, "'%s' is not a bin name (GROUP/...)", name);
    if (coverage_count(c, name)) return fail(r, "the bin '%s' is given twice", name);
    if (!expect(r, ':') || !read_u64(r, &n)) return false;
    if (!coverage_add(c, name, n)) return fail(r, "out of memory");
    skip_ws(r);
    if (r->ch == '}') {
      next(r);
      return true;
    }
    if (!expect(r, ',')) return false;
  }
}

static bool read_file(reader *r, coverage *c) {
  bool format = false, version = false, bins = false;
  next(r);
  if (!expect(r, '{')) return false;
  for (;;) {
    char key[64];
    if (!read_string(r, key, sizeof key) || !expect(r, ':')) return false;
    if (!strcmp(key, "format")) {
      char v[64];
      if (!read_string(r, v, sizeof v)) return false;
      if (strcmp(v, "pmmu-coverage") != 0)
        return fail(r, "\"format\" is '%s', not 'pmmu-coverage'", v);
      format = true;
    } else if (!strcmp(key, "version")) {
      uint64_t v;
      if (!read_u64(r, &v)) return false;
      if (v != 1) return fail(r, "version %" PRIu64 " is not supported (this pmmu reads 1)", v);
      version = true;
    } else if (!strcmp(key, "bins")) {
      if (bins) return fail(r, "\"bins\" is given twice");
      if (!read_bins(r, c)) return false;
      bins = true;
    } else {
      return fail(r, "unknown key '%s' (format, version, bins)", key);
    }
    skip_ws(r);
    if (r->ch == '}') break;
    if (!expect(r, ',')) return false;
  }
  next(r);
  skip_ws(r);
  if (r->ch != EOF) return fail(r, "%s after the end of the object", what_is(r->ch));
  if (!format || !version || !bins)
    return fail(r, "not a coverage file: \"%s\" is missing",
                !format    ? "format"
                : !version ? "version"
                           : "bins");
  return true;
}

int coverage_merge_file(coverage *c, const char *path, FILE *errs) {
  tb_error err;
  FILE *in = tb_input_open(path, &err);
  if (!in) {
    fprintf(errs, "pmmu coverage: error: %s\n", err.msg);
    return TB_E_IO;
  }
  coverage *tmp = coverage_create();
  reader r = {.path = path, .in = in, .errs = errs, .line = 1};
  bool ok = tmp ? read_file(&r, tmp) : fail(&r, "out of memory");
  if (ok && ferror(in)) ok = fail(&r, "read error");
  tb_input_close(in);
  size_t n = 0;
  bool oom = false;
  named *v = ok ? sorted_bins(tmp, &n, &oom) : NULL;
  if (ok && oom) ok = fail(&r, "out of memory");
  for (size_t i = 0; ok && i < n; i++)
    if (!coverage_add(c, v[i].name, v[i].count)) ok = fail(&r, "out of memory");
  free(v);
  coverage_destroy(tmp);
  return ok ? TB_OK : TB_E_INVALID;
}

/* ---- The table ------------------------------------------------------------------------------ */

typedef struct group_row {
  char name[24];
  uint64_t possible, hit, holes, matter_holes, impossible, impossible_hit;
} group_row;

typedef struct printer {
  const coverage *c;
  FILE *out;
  group_row rows[32];
  size_t nrows;
  int pass; /* 0: count; 1: list holes; 2: list impossible bins hit */
  bool list;
  coverage *seen; /* the universe's names, for the unknown bins */
} printer;

static group_row *row_of(printer *p, const char *group) {
  for (size_t i = 0; i < p->nrows; i++)
    if (!strcmp(p->rows[i].name, group)) return &p->rows[i];
  if (p->nrows == sizeof p->rows / sizeof p->rows[0]) return &p->rows[p->nrows - 1];
  group_row *r = &p->rows[p->nrows++];
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", group);
  return r;
}

static void visit(void *ctx, const coverage_bin *b) {
  printer *p = ctx;
  uint64_t n = coverage_count(p->c, b->name);
  if (p->pass == 0) {
    group_row *r = row_of(p, b->group);
    if (p->seen) coverage_add(p->seen, b->name, 1);
    if (b->impossible) {
      r->impossible++;
      if (n) r->impossible_hit++;
    } else {
      r->possible++;
      if (n) r->hit++;
      else {
        r->holes++;
        if (b->matters) r->matter_holes++;
      }
    }
  } else if (p->pass == 1 && !b->impossible && !n) {
    fprintf(p->out, "  %s%s\n", b->name, b->matters ? "" : "  (informational)");
  } else if (p->pass == 2 && b->impossible && n) {
    fprintf(p->out, "  %s: %" PRIu64 " (impossible: %s)\n", b->name, n, b->impossible);
  }
}

void coverage_print(const coverage *c, FILE *out, bool holes, coverage_totals *totals) {
  printer p = {.c = c, .out = out, .seen = coverage_create()};
  coverage_universe(c, visit, &p);
  coverage_totals t = {0};
  for (size_t i = 0; i < p.nrows; i++) {
    const group_row *r = &p.rows[i];
    t.possible += r->possible;
    t.hit += r->hit;
    t.holes += r->holes;
    t.holes_that_matter += r->matter_holes;
    t.impossible += r->impossible;
    t.impossible_hit += r->impossible_hit;
  }
  if (!out) { /* the totals only */
    coverage_destroy(p.seen);
    if (totals) *totals = t;
    return;
  }
  fprintf(out, "%-12s %9s %9s %9s %9s %11s\n", "group", "possible", "hit", "holes", "matter",
          "impossible");
  for (size_t i = 0; i < p.nrows; i++) {
    const group_row *r = &p.rows[i];
    fprintf(out, "%-12s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %11" PRIu64 "\n",
            r->name, r->possible, r->hit, r->holes, r->matter_holes, r->impossible);
  }
  fprintf(out, "%-12s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %11" PRIu64 "\n", "total",
          t.possible, t.hit, t.holes, t.holes_that_matter, t.impossible);
  size_t n;
  bool oom;
  named *v = sorted_bins(c, &n, &oom);
  uint64_t translations = coverage_count(c, "run/op=translate");
  fprintf(out,
          "coverage: %" PRIu64 " of %" PRIu64 " bins hit (%.1f%%), %" PRIu64 " holes (%" PRIu64
          " that matter); %" PRIu64 " translations\n",
          t.hit, t.possible, t.possible ? 100.0 * (double)t.hit / (double)t.possible : 0.0, t.holes,
          t.holes_that_matter, translations);
  if (holes && t.holes) {
    fprintf(out, "holes:\n");
    p.pass = 1;
    coverage_universe(c, visit, &p);
  }
  if (t.impossible_hit) {
    fprintf(out, "impossible bins hit (a bug in the engine or in the coverage model):\n");
    p.pass = 2;
    coverage_universe(c, visit, &p);
  }
  for (size_t i = 0; v && i < n; i++) {
    if (!strncmp(v[i].name, "run/", 4) || (p.seen && coverage_count(p.seen, v[i].name))) continue;
    if (!t.unknown++) fprintf(out, "unknown bins (not in this pmmu's coverage model):\n");
    fprintf(out, "  %s: %" PRIu64 "\n", v[i].name, v[i].count);
  }
  free(v);
  coverage_destroy(p.seen);
  if (totals) *totals = t;
}
