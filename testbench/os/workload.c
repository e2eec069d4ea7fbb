/* Access-stream generators and trace readers (workload.h, docs/os.md). */
#define _POSIX_C_SOURCE 200809L /* getline */
#include "workload.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tb_file.h"

static const char *const pattern_names[] = {"mix", "seq", "stride", "random", "ws", "phases"};

bool wl_pattern_parse(const char *name, wl_pattern *out) {
  for (unsigned i = 0; i < sizeof pattern_names / sizeof pattern_names[0]; i++)
    if (strcmp(name, pattern_names[i]) == 0) {
      *out = (wl_pattern)i;
      return true;
    }
  return false;
}

const char *wl_pattern_name(wl_pattern p) { return pattern_names[p]; }

void wl_params_init(wl_params *p) {
  p->stride = 4160;
  p->ws_pages = 48;
  p->temporal = 90;
  p->spatial = 60;
  p->phase_len = 50000;
  p->fetch_pct = 30;
  p->stack_pct = 10;
  p->write_pct = 30;
}

uint64_t wl_rand(wl_gen *g) {
  uint64_t z = (g->rng += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

unsigned wl_below(wl_gen *g, unsigned n) { return n ? (unsigned)(wl_rand(g) % n) : 0; }

static bool chance(wl_gen *g, unsigned pct) { return wl_below(g, 100) < pct; }

void wl_init(wl_gen *g, wl_pattern pattern, const wl_params *prm, uint64_t seed) {
  memset(g, 0, sizeof *g);
  g->pattern = pattern == WL_MIX ? WL_WS : pattern;
  g->prm = *prm;
  if (g->prm.ws_pages > WL_MAX_HOT) g->prm.ws_pages = WL_MAX_HOT;
  if (!g->prm.ws_pages) g->prm.ws_pages = 1;
  if (!g->prm.phase_len) g->prm.phase_len = 1;
  g->rng = seed * UINT64_C(0x2545F4914F6CDD1D) + 0x1234567u;
}

static void new_hot_set(wl_gen *g, unsigned heap_pages) {
  g->nhot = g->prm.ws_pages < heap_pages ? g->prm.ws_pages : heap_pages;
  /* a cluster (spatial neighbours) at a random place, with a few far pages */
  unsigned base = wl_below(g, heap_pages - g->nhot + 1);
  for (unsigned i = 0; i < g->nhot; i++)
    g->hot[i] = chance(g, 80) ? base + i : wl_below(g, heap_pages);
}

/* An offset in a heap of `size` bytes, by the pattern. */
static uint32_t heap_offset(wl_gen *g, uint32_t size) {
  unsigned pages = size / OS_PAGE;
  switch (g->pattern) {
  case WL_SEQ: g->cursor = (g->cursor + 64) % size; return g->cursor;
  case WL_STRIDE:
    g->cursor = (uint32_t)(((uint64_t)g->cursor + g->prm.stride) % size);
    return g->cursor;
  case WL_RANDOM: return (uint32_t)(wl_below(g, pages) * OS_PAGE + 4 * wl_below(g, 1024));
  default: break;
  }
  /* ws, phases */
  if (!g->nhot || (g->pattern == WL_PHASES && g->n - g->phase_at >= g->prm.phase_len)) {
    new_hot_set(g, pages); /* a phase change: a new working set somewhere else */
    g->phase_at = g->n;
  }
  for (unsigned i = 0; i < g->nhot; i++) /* after a brk shrink */
    if (g->hot[i] >= pages) g->hot[i] = wl_below(g, pages);
  if (g->last_page < pages && chance(g, g->prm.spatial)) {
    g->last_off = (g->last_off + 4 * wl_below(g, 32)) & (OS_PAGE - 4);
    return g->last_page * OS_PAGE + g->last_off;
  }
  if (chance(g, g->prm.temporal)) {
    g->last_page = g->hot[wl_below(g, g->nhot)];
  } else {
    g->last_page = wl_below(g, pages);
    if (g->pattern == WL_WS && chance(g, 30))
      g->hot[wl_below(g, g->nhot)] = g->last_page; /* drift */
  }
  g->last_off = 4 * wl_below(g, 1024);
  return g->last_page * OS_PAGE + g->last_off;
}

void wl_next(wl_gen *g, const os_t *os, int pid, wl_access *out) {
  os_area text, data, heap, lib, stack;
  bool have_text = os_area_of(os, pid, OS_AREA_TEXT, &text),
       have_data = os_area_of(os, pid, OS_AREA_DATA, &data),
       have_heap = os_area_of(os, pid, OS_AREA_HEAP, &heap),
       have_lib = os_area_of(os, pid, OS_AREA_LIB, &lib),
       have_stack = os_area_of(os, pid, OS_AREA_STACK, &stack);
  unsigned pick = wl_below(g, 100);
  g->n++;
  if (pick < g->prm.fetch_pct && have_text) {
    out->kind = OS_X;
    if (g->lib_left && have_lib) {
      g->lib_left--;
      g->lib_ip = (g->lib_ip + 4) % (lib.end - lib.start);
      out->va = lib.start + g->lib_ip;
      return;
    }
    uint32_t size = text.end - text.start;
    if (chance(g, 8)) g->ip = 4 * wl_below(g, size / 4); /* a branch */
    else g->ip = (g->ip + 4) % size;
    if (have_lib && chance(g, 3)) { /* a call into the shared library */
      g->lib_ip = 4 * wl_below(g, (lib.end - lib.start) / 4);
      g->lib_left = 16 + wl_below(g, 32);
    }
    out->va = text.start + g->ip;
    return;
  }
  bool write = chance(g, g->prm.write_pct);
  if (pick < g->prm.fetch_pct + g->prm.stack_pct && have_stack) {
    uint32_t depth = 4 * wl_below(g, (8 * OS_PAGE) / 4); /* the top 32 KiB */
    if (depth >= stack.end - stack.start) depth = 0;
    out->kind = chance(g, 50) ? OS_W : OS_R;
    out->va = stack.end - 4 - depth;
    return;
  }
  if ((!have_heap || chance(g, 8)) && have_data) {
    out->va = data.start + 4 * wl_below(g, (data.end - data.start) / 4);
    out->kind = write && !g->data_ro && data.w ? OS_W : OS_R;
    return;
  }
  if (!have_heap) { /* nothing writable: fetch */
    out->kind = OS_X;
    out->va = have_text ? text.start : OS_TEXT_START;
    return;
  }
  out->kind = write ? OS_W : OS_R;
  out->va = heap.start + heap_offset(g, heap.end - heap.start);
}

/* ---- Traces ------------------------------------------------------------------------------ */

void trace_free(trace *t) {
  free(t->v);
  memset(t, 0, sizeof *t);
}

static bool push(trace *t, const trace_rec *rec) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 4096;
    trace_rec *grown = realloc(t->v, cap * sizeof *grown);
    if (!grown) return false;
    t->v = grown;
    t->cap = cap;
  }
  t->v[t->n++] = *rec;
  return true;
}

/* One read of a trace: each record goes to the visitor as soon as its line is read, so that
 * nothing is held (trace_scan). */
typedef struct scan {
  uint64_t max, n; /* records wanted (0: all), records given */
  trace_visit_fn visit;
  void *ctx;
  int stop;    /* the visitor's non-zero answer */
  bool lackey; /* at least one lackey line */
} scan;

/* One record; false when the read must end (the visitor said stop, or `max` records went). */
static bool emit(scan *sc, uint32_t pid, trace_op op, uint32_t arg, uint32_t line) {
  if (sc->max && sc->n >= sc->max) return false;
  trace_rec rec = {.pid = pid, .op = (uint8_t)op, .arg = arg, .line = line};
  sc->n++;
  if (sc->visit && !sc->stop) sc->stop = sc->visit(sc->ctx, &rec);
  return !sc->stop;
}

uint32_t trace_fold_lackey(const os_config *c, bool fetch, uint64_t addr) {
  uint32_t text_size = c->text_pages * OS_PAGE, lib_size = c->lib_pages * OS_PAGE;
  uint32_t data_start = OS_TEXT_START + text_size, data_size = c->data_pages * OS_PAGE;
  uint32_t heap_start = data_start + data_size, heap_size = c->heap_pages * OS_PAGE;
  uint32_t stack_size = c->stack_pages * OS_PAGE;
  if (fetch) {
    if (addr < 0x4000000u) return OS_TEXT_START + (uint32_t)(addr % text_size); /* the program */
    return OS_LIB_START + (uint32_t)(addr % lib_size);                          /* shared objects */
  }
  if (addr < OS_PAGE) return (uint32_t)addr; /* a NULL dereference stays one */
  if (addr >= UINT64_C(0x1000000000) || (addr >= 0xBF000000u && addr < 0xC0000000u)) /* stacks */
    return OS_STACK_TOP - stack_size + (uint32_t)(addr % stack_size);
  if (!heap_size) return data_start + (uint32_t)(addr % data_size);
  return heap_start + (uint32_t)(addr % heap_size);
}

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* A hexadecimal number without 0x (lackey) or with it (native). */
static bool parse_hex(const char **s, bool need_0x, uint64_t *out) {
  const char *p = *s;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
  else if (need_0x) return false;
  if (!isxdigit((unsigned char)*p)) return false;
  uint64_t v = 0;
  unsigned digits = 0;
  while (isxdigit((unsigned char)*p)) {
    if (++digits > 16) return false;
    v = v * 16 +
        (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
    p++;
  }
  *s = p;
  *out = v;
  return true;
}

static bool parse_dec(const char **s, uint64_t *out) {
  const char *p = *s;
  if (!isdigit((unsigned char)*p)) return false;
  uint64_t v = 0;
  while (isdigit((unsigned char)*p)) {
    v = v * 10 + (uint64_t)(*p - '0');
    if (v > UINT32_MAX) return false;
    p++;
  }
  *s = p;
  *out = v;
  return true;
}

static bool at_end(const char *s) {
  s = skip_space(s);
  return *s == '\0' || *s == '\n' || *s == '\r' || *s == '#';
}

/* One lackey line: "I  addr,size", " L addr,size", " S ...", " M ...". */
static int lackey_line(const char *line, const os_config *c, scan *sc, uint32_t no,
                       const char **why) {
  const char *s = skip_space(line);
  char k = *s;
  if (k != 'I' && k != 'L' && k != 'S' && k != 'M') return 0; /* not lackey */
  s++;
  if (*s != ' ' && *s != '\t') return 0;
  s = skip_space(s);
  uint64_t addr, size;
  if (!parse_hex(&s, false, &addr) || *s != ',') {
    *why = "bad lackey address (expected hexadecimal ADDR,SIZE)";
    return -1;
  }
  s++;
  if (!parse_dec(&s, &size) || size == 0 || size > 4096 || !at_end(s)) {
    *why = "bad lackey size (expected a decimal 1..4096 after the comma)";
    return -1;
  }
  sc->lackey = true;
  /* split at page boundaries; each piece is one aligned 32-bit access */
  uint64_t a = addr, end = addr + size;
  bool more = true;
  while (a < end && more) {
    uint64_t piece_end = (a | (OS_PAGE - 1)) + 1;
    uint32_t va = trace_fold_lackey(c, k == 'I', a);
    if (k == 'I') more = emit(sc, 1, TR_X, va, no);
    else if (k == 'L') more = emit(sc, 1, TR_R, va, no);
    else if (k == 'S') more = emit(sc, 1, TR_W, va, no);
    else more = emit(sc, 1, TR_R, va, no) && emit(sc, 1, TR_W, va, no);
    a = piece_end;
  }
  return 1;
}

static int native_line(const char *line, scan *sc, uint32_t no, const char **why) {
  const char *s = skip_space(line);
  uint64_t pid, v;
  if (!parse_dec(&s, &pid) || pid == 0) return 0;
  s = skip_space(s);
  const char *word = s;
  while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') s++;
  size_t len = (size_t)(s - word);
  s = skip_space(s);
  trace_op op;
  if (len == 1 && (*word == 'R' || *word == 'r')) op = TR_R;
  else if (len == 1 && (*word == 'W' || *word == 'w')) op = TR_W;
  else if (len == 1 && (*word == 'X' || *word == 'x')) op = TR_X;
  else if (len == 4 && strncmp(word, "fork", 4) == 0) op = TR_FORK;
  else if (len == 4 && strncmp(word, "exit", 4) == 0) op = TR_EXIT;
  else {
    *why = "expected R, W, X, fork or exit after the PID";
    return -1;
  }
  uint32_t arg = 0;
  if (op == TR_FORK) {
    if (!parse_dec(&s, &v) || v == 0) {
      *why = "expected the child's PID after 'fork'";
      return -1;
    }
    arg = (uint32_t)v;
  } else if (op != TR_EXIT) {
    if (!parse_hex(&s, true, &v) || v > UINT32_MAX) {
      *why = "expected a 32-bit address written 0x...";
      return -1;
    }
    arg = (uint32_t)v;
  }
  if (!at_end(s)) {
    *why = "unexpected text after the access";
    return -1;
  }
  emit(sc, (uint32_t)pid, op, arg, no);
  return 1;
}

int trace_scan(FILE *f, const char *path, const os_config *layout, uint64_t max,
               trace_visit_fn visit, void *ctx, trace_info *info, FILE *err) {
  scan sc = {.max = max, .visit = visit, .ctx = ctx};
  char *line = NULL;
  size_t cap = 0;
  uint32_t no = 0;
  int status = 0;
  unsigned errors = 0;
  ssize_t got;
  while (!sc.stop && (got = getline(&line, &cap, f)) >= 0) {
    no++;
    if (max && sc.n >= max) break;
    const char *why = NULL;
    int r = 0;
    if (memchr(line, '\0', (size_t)got)) {
      why = "a NUL byte: this is not a text file"; /* the line would be cut short there */
      r = -1;
    } else if (got > TRACE_MAX_LINE) {
      why = "a line longer than " TRACE_MAX_LINE_TEXT " bytes";
      r = -1;
    } else {
      const char *s = skip_space(line);
      if (at_end(s) || strncmp(s, "==", 2) == 0 || strncmp(s, "--", 2) == 0)
        continue; /* blank, comment, valgrind's own lines */
      r = native_line(line, &sc, no, &why);
      if (r == 0) r = lackey_line(line, layout, &sc, no, &why);
      if (r == 0)
        why = "not an access: expected 'PID R|W|X 0xADDR' or a lackey line such as ' L 04222cac,4'";
    }
    if (r <= 0) {
      fprintf(err, "%s:%" PRIu32 ": error: %s\n", path, no, why);
      status = 2;
      sc.visit = NULL; /* a trace with errors never runs */
      if (++errors >= TB_MAX_ERRORS) {
        fprintf(err, "%s: error: too many errors (%u); giving up\n", path, TB_MAX_ERRORS);
        break;
      }
    }
  }
  free(line);
  if (!errors && ferror(f)) {
    fprintf(err, "%s: error: cannot read: %s\n", path, strerror(errno));
    status = 2;
  }
  if (!status && !sc.stop && sc.n == 0) {
    fprintf(err, "%s: error: the trace has no accesses\n", path);
    status = 2;
  }
  if (info) *info = (trace_info){.records = sc.n, .lackey = sc.lackey};
  return status ? status : sc.stop;
}

/* ---- What the processes of a trace do ---------------------------------------------------- */

/* Every error the processes of a trace can hold, found before the first access runs (as the
 * run will make them, sim.c): a new PID is a new process (exec), `fork CHILD` needs a CHILD not
 * alive, and at most OS_MAX_PROCS processes are alive at once and TRACE_MAX_PROCS made in all.
 * A visitor of trace_scan; it stops the read when there is no point in going on. */
typedef struct proc_check {
  const char *path;
  FILE *err;
  uint32_t live[OS_MAX_PROCS];
  unsigned nlive, made, errors;
} proc_check;

static int proc_check_visit(void *ctx, const trace_rec *rec) {
  proc_check *pc = ctx;
  unsigned k = 0;
  while (k < pc->nlive && pc->live[k] != rec->pid) k++;
  bool fork = rec->op == TR_FORK;
  unsigned need = (k == pc->nlive) + fork;
  if (fork) {
    unsigned c = 0;
    while (c < pc->nlive && pc->live[c] != rec->arg) c++;
    if (c < pc->nlive || rec->arg == rec->pid) {
      fprintf(pc->err,
              "%s:%" PRIu32 ": error: PID %" PRIu32 " forks PID %" PRIu32
              ", which is alive already\n",
              pc->path, rec->line, rec->pid, rec->arg);
      return ++pc->errors >= TB_MAX_ERRORS;
    }
  }
  if (pc->nlive + need > OS_MAX_PROCS || pc->made + need > TRACE_MAX_PROCS) {
    fprintf(pc->err,
            "%s:%" PRIu32 ": error: too many processes (at most %u alive at once, %u in all)\n",
            pc->path, rec->line, OS_MAX_PROCS, TRACE_MAX_PROCS);
    pc->errors++;
    return 1; /* every later line would say it again */
  }
  if (k == pc->nlive) pc->live[pc->nlive++] = rec->pid; /* a new process (exec) */
  pc->made += need;
  if (fork) pc->live[pc->nlive++] = rec->arg;
  else if (rec->op == TR_EXIT) pc->live[k] = pc->live[--pc->nlive];
  return 0;
}

static int push_visit(void *ctx, const trace_rec *rec) { return push(ctx, rec) ? 0 : TB_E_NOMEM; }

int trace_load(const char *path, const os_config *layout, uint64_t max, trace *out, FILE *err) {
  memset(out, 0, sizeof *out);
  tb_error why_not;
  FILE *f = tb_input_open(path, &why_not);
  if (!f) { /* "cannot read 'PATH': it is a directory" */
    fprintf(err, "pmmu: error: %s\n", why_not.msg);
    return 2;
  }
  int status = trace_read(f, f == stdin ? "<stdin>" : path, layout, max, out, err);
  tb_input_close(f);
  return status;
}

/* The processes' errors of a whole trace held in memory. */
static int check_held(const char *path, const trace *t, unsigned *made, FILE *err) {
  proc_check pc = {.path = path, .err = err};
  for (size_t i = 0; i < t->n && !proc_check_visit(&pc, &t->v[i]); i++) continue;
  *made = pc.made;
  return pc.errors ? 2 : 0;
}

int trace_read(FILE *f, const char *path, const os_config *layout, uint64_t max, trace *out,
               FILE *err) {
  memset(out, 0, sizeof *out);
  trace_info info;
  int status = trace_scan(f, path, layout, max, push_visit, out, &info, err);
  if (status == TB_E_NOMEM) fprintf(err, "%s: error: out of memory\n", path);
  out->lackey = info.lackey;
  unsigned made;
  if (!status) status = check_held(path, out, &made, err);
  if (status) trace_free(out);
  return status ? 2 : 0;
}

/* ---- Streaming ----------------------------------------------------------------------------
 * A trace in a file is read three times: once for its lines, once for its processes, once to
 * run; only a stream that cannot be read again (standard input, a pipe) is held whole. */

int trace_open(const char *path, const os_config *layout, uint64_t max, trace_stream *ts,
               FILE *err) {
  memset(ts, 0, sizeof *ts);
  tb_error why_not;
  FILE *f = tb_input_open(path, &why_not);
  if (!f) {
    fprintf(err, "pmmu: error: %s\n", why_not.msg);
    return 2;
  }
  const char *name = f == stdin ? "<stdin>" : path;
  ts->f = f;
  ts->path = name;
  ts->layout = *layout;
  ts->max = max;
  if (f == stdin || fseek(f, 0, SEEK_SET) != 0) { /* cannot be read again: held */
    int status = trace_read(f, name, layout, max, &ts->held, err);
    if (!status) status = check_held(name, &ts->held, &ts->procs_made, err);
    ts->records = ts->held.n;
    ts->is_held = true;
    if (status) trace_close(ts);
    return status;
  }
  trace_info info;
  int status = trace_scan(f, name, layout, max, NULL, NULL, &info, err);
  proc_check pc = {.path = name, .err = err};
  if (!status && fseek(f, 0, SEEK_SET) == 0)
    status = trace_scan(f, name, layout, max, proc_check_visit, &pc, NULL, err) || pc.errors;
  ts->records = info.records;
  ts->procs_made = pc.made;
  if (status) trace_close(ts);
  return status ? 2 : 0;
}

int trace_each(trace_stream *ts, trace_visit_fn visit, void *ctx, FILE *err) {
  if (ts->is_held) {
    for (size_t i = 0; i < ts->held.n; i++) {
      int stop = visit(ctx, &ts->held.v[i]);
      if (stop) return stop;
    }
    return 0;
  }
  if (fseek(ts->f, 0, SEEK_SET) != 0) {
    fprintf(err, "%s: error: cannot read it again: %s\n", ts->path, strerror(errno));
    return 2;
  }
  /* the file was checked: an error now means it changed under us */
  trace_info info;
  int status = trace_scan(ts->f, ts->path, &ts->layout, ts->max, visit, ctx, &info, err);
  if (!status && info.records != ts->records) {
    fprintf(err, "%s: error: the file changed while it was read\n", ts->path);
    status = 2;
  }
  return status;
}

void trace_close(trace_stream *ts) {
  if (ts->f) tb_input_close(ts->f);
  trace_free(&ts->held);
  memset(ts, 0, sizeof *ts);
}
