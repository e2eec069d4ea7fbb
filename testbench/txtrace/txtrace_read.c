/*
 * The transaction-trace reader (txtrace.h, docs/spec/transaction-trace.md): a small JSON
 * parser for one line at a time (objects, strings, numbers, true/false/null, arrays), then the
 * fields of each event checked against the format. Unknown fields are ignored; unknown events
 * and other versions are errors.
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "txtrace.h"

/* ---- One line of JSON ----------------------------------------------------------------- */

typedef enum jtype { J_STR, J_NUM, J_BOOL, J_NULL, J_OBJ, J_ARR } jtype;

typedef struct jfield {
  char key[64]; /* "cycle", or "config.tlb_sets" inside an object */
  jtype type;
  const char *s; /* J_STR: the characters between the quotes (escapes kept); J_NUM: the token */
  size_t len;
  bool b;
} jfield;

#define MAX_FIELDS 96

typedef struct jline {
  const char *text, *p;
  jfield f[MAX_FIELDS];
  unsigned n;
  char error[160];
  unsigned depth;
} jline;

static bool jerr(jline *j, const char *what) {
  if (*j->p == '\0' || *j->p == '\n' || *j->p == '\r') what = "the line ends too early";
  if (!j->error[0])
    snprintf(j->error, sizeof j->error, "bad JSON at column %u: %s", (unsigned)(j->p - j->text) + 1,
             what);
  return false;
}

static void skip_ws(jline *j) {
  while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n') j->p++;
}

static bool parse_string(jline *j, const char **s, size_t *len) {
  if (*j->p != '"') return jerr(j, "expected a string");
  const char *start = ++j->p;
  for (;;) {
    char c = *j->p;
    if (c == '\0') return jerr(j, "the string is not closed");
    if ((unsigned char)c < 0x20) return jerr(j, "a control character inside a string");
    if (c == '"') break;
    if (c == '\\') {
      j->p++;
      if (!*j->p || !strchr("\"\\/bfnrtu", *j->p)) return jerr(j, "a bad escape in a string");
    }
    j->p++;
  }
  *s = start;
  *len = (size_t)(j->p - start);
  j->p++;
  return true;
}

static bool parse_number(jline *j, const char **s, size_t *len) {
  const char *start = j->p;
  if (*j->p == '-') j->p++;
  if (*j->p < '0' || *j->p > '9') return jerr(j, "expected a value");
  while (*j->p >= '0' && *j->p <= '9') j->p++;
  if (*j->p == '.') {
    j->p++;
    if (*j->p < '0' || *j->p > '9') return jerr(j, "a bad number");
    while (*j->p >= '0' && *j->p <= '9') j->p++;
  }
  if (*j->p == 'e' || *j->p == 'E') {
    j->p++;
    if (*j->p == '+' || *j->p == '-') j->p++;
    if (*j->p < '0' || *j->p > '9') return jerr(j, "a bad number");
    while (*j->p >= '0' && *j->p <= '9') j->p++;
  }
  *s = start;
  *len = (size_t)(j->p - start);
  return true;
}

static bool parse_value(jline *j, const char *key);

static bool parse_object(jline *j, const char *prefix) {
  if (++j->depth > 8) return jerr(j, "objects nested too deep");
  j->p++; /* '{' */
  skip_ws(j);
  if (*j->p == '}') {
    j->p++;
    j->depth--;
    return true;
  }
  for (;;) {
    const char *k;
    size_t klen;
    skip_ws(j);
    if (!parse_string(j, &k, &klen)) return false;
    char key[64];
    snprintf(key, sizeof key, "%s%s%.*s", prefix, prefix[0] ? "." : "", (int)klen, k);
    skip_ws(j);
    if (*j->p != ':') return jerr(j, "expected ':' after a key");
    j->p++;
    if (!parse_value(j, key)) return false;
    skip_ws(j);
    if (*j->p == ',') {
      j->p++;
      continue;
    }
    if (*j->p == '}') {
      j->p++;
      j->depth--;
      return true;
    }
    return jerr(j, "expected ',' or '}'");
  }
}

static bool parse_array(jline *j, const char *key) {
  if (++j->depth > 8) return jerr(j, "arrays nested too deep");
  j->p++; /* '[' */
  skip_ws(j);
  if (*j->p == ']') {
    j->p++;
    j->depth--;
    return true;
  }
  char inner[64];
  snprintf(inner, sizeof inner, "%s[]", key); /* elements are kept under KEY[] (ignored) */
  for (;;) {
    if (!parse_value(j, inner)) return false;
    skip_ws(j);
    if (*j->p == ',') {
      j->p++;
      continue;
    }
    if (*j->p == ']') {
      j->p++;
      j->depth--;
      return true;
    }
    return jerr(j, "expected ',' or ']'");
  }
}

static jfield *add_field(jline *j, const char *key, jtype type) {
  if (j->n == MAX_FIELDS) {
    jerr(j, "too many fields");
    return NULL;
  }
  jfield *f = &j->f[j->n++];
  memset(f, 0, sizeof *f);
  snprintf(f->key, sizeof f->key, "%s", key);
  f->type = type;
  return f;
}

static bool parse_value(jline *j, const char *key) {
  skip_ws(j);
  jfield *f;
  switch (*j->p) {
  case '{':
    if (!add_field(j, key, J_OBJ)) return false;
    return parse_object(j, key);
  case '[':
    if (!add_field(j, key, J_ARR)) return false;
    return parse_array(j, key);
  case '"':
    if (!(f = add_field(j, key, J_STR))) return false;
    return parse_string(j, &f->s, &f->len);
  case 't':
  case 'f':
  case 'n': {
    static const char *const words[] = {"true", "false", "null"};
    for (unsigned i = 0; i < 3; i++) {
      size_t n = strlen(words[i]);
      if (strncmp(j->p, words[i], n) == 0) {
        if (!(f = add_field(j, key, i == 2 ? J_NULL : J_BOOL))) return false;
        f->b = i == 0;
        j->p += n;
        return true;
      }
    }
    return jerr(j, "expected a value");
  }
  default:
    if (!(f = add_field(j, key, J_NUM))) return false;
    return parse_number(j, &f->s, &f->len);
  }
}

/* Parses a whole line, which must be one object. */
static bool parse_line(jline *j, const char *text) {
  memset(j, 0, sizeof *j);
  j->text = j->p = text;
  skip_ws(j);
  if (*j->p != '{') return jerr(j, "expected '{' (each line is one JSON object)");
  if (!parse_object(j, "")) return false;
  skip_ws(j);
  if (*j->p) return jerr(j, "text after the object");
  return true;
}

/* The last field of that key (JSON leaves duplicates to the reader: the last one wins). */
static const jfield *field(const jline *j, const char *key) {
  for (unsigned i = j->n; i-- > 0;)
    if (strcmp(j->f[i].key, key) == 0) return &j->f[i];
  return NULL;
}

/* ---- Fields of an event ----------------------------------------------------------------- */

typedef struct reader {
  const char *path;
  FILE *diag; /* NULL: errors are counted, not printed (a cursor's second reading) */
  bool store; /* the events are appended to the txtrace (false: checked only) */
  txtrace_event last;
  bool have_last;
  unsigned line, errors;
  const char *event; /* the event's name, for messages */
  bool bad;          /* this line has an error already */
} reader;

static void report(reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void report(reader *r, const char *fmt, ...) {
  if (r->bad) return; /* one error per line */
  r->bad = true;
  if (++r->errors > TXTRACE_MAX_ERRORS || !r->diag) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(r->diag, "%s:%u: error: ", r->path, r->line);
  vfprintf(r->diag, fmt, ap);
  fputc('\n', r->diag);
  va_end(ap);
}

static const jfield *need(reader *r, const jline *j, const char *key, jtype type,
                          const char *want) {
  const jfield *f = field(j, key);
  if (!f) {
    report(r, "'%s': missing field \"%s\"", r->event, key);
    return NULL;
  }
  if (f->type != type) {
    report(r, "'%s': field \"%s\": expected %s", r->event, key, want);
    return NULL;
  }
  return f;
}

/* A JSON number that is a whole number >= 0 (cycles, sizes). */
static uint64_t get_count(reader *r, const jline *j, const char *key) {
  const jfield *f = need(r, j, key, J_NUM, "a whole number");
  if (!f) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < f->len; i++) {
    unsigned d = (unsigned)(f->s[i] - '0');
    if (d > 9 || v > (UINT64_MAX - d) / 10) {
      report(r, "'%s': field \"%s\": expected a whole number (0 .. 2^64-1), not %.*s", r->event,
             key, (int)f->len, f->s);
      return 0;
    }
    v = v * 10 + d;
  }
  return v;
}

/* A hex string "0x..." of at most `bits` bits (addresses, data, register values). */
static uint64_t get_hex(reader *r, const jline *j, const char *key, unsigned bits) {
  const jfield *f = need(r, j, key, J_STR, "a hex string \"0x...\"");
  if (!f) return 0;
  uint64_t v = 0;
  bool ok = f->len > 2 && f->len <= 18 && f->s[0] == '0' && (f->s[1] == 'x' || f->s[1] == 'X');
  for (size_t i = 2; ok && i < f->len; i++) {
    char c = f->s[i];
    unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                        : 16;
    ok = d < 16;
    v = v << 4 | d;
  }
  if (!ok) {
    report(r, "'%s': field \"%s\": expected a hex string \"0x...\", not \"%.*s\"", r->event, key,
           (int)f->len, f->s);
    return 0;
  }
  if (bits < 64 && v >> bits) {
    report(r, "'%s': field \"%s\": %.*s does not fit in %u bits", r->event, key, (int)f->len, f->s,
           bits);
    return 0;
  }
  return v;
}

static bool get_bool(reader *r, const jline *j, const char *key) {
  const jfield *f = need(r, j, key, J_BOOL, "true or false");
  return f && f->b;
}

/* One of `names` (n of them, listed in messages as `list`): its index. */
static unsigned get_name(reader *r, const jline *j, const char *key, const char *const *names,
                         unsigned n, const char *list) {
  const jfield *f = need(r, j, key, J_STR, list);
  if (!f) return 0;
  for (unsigned i = 0; i < n; i++)
    if (strlen(names[i]) == f->len && strncmp(names[i], f->s, f->len) == 0) return i;
  report(r, "'%s': field \"%s\": expected %s, not \"%.*s\"", r->event, key, list, (int)f->len,
         f->s);
  return 0;
}

static unsigned get_size(reader *r, const jline *j) {
  uint64_t size = get_count(r, j, "size");
  if (!r->bad && size != 4 && size != 8)
    report(r, "'%s': field \"size\": expected 4 or 8", r->event);
  return (unsigned)size;
}

static void get_walk(reader *r, const jline *j, txtrace_event *ev) {
  static const char *const ops[] = {"read", "cas"};
  pmmu_mem_txn *t = &ev->u.walk;
  t->present_cycle = get_count(r, j, "presented");
  t->accept_cycle = get_count(r, j, "accepted");
  t->response_cycle = ev->cycle;
  t->op = get_name(r, j, "op", ops, 2, "read or cas") ? PMMU_MEM_CAS : PMMU_MEM_READ;
  t->pa = get_hex(r, j, "pa", PMMU_MAXPHYADDR);
  t->size = get_size(r, j);
  t->data = get_hex(r, j, "data", t->size == 4 ? 32 : 64);
  if (t->op == PMMU_MEM_CAS) {
    t->expected = get_hex(r, j, "expected", t->size == 4 ? 32 : 64);
    t->desired = get_hex(r, j, "desired", t->size == 4 ? 32 : 64);
  }
  t->bus_error = get_bool(r, j, "err");
  if (!r->bad && !(t->present_cycle <= t->accept_cycle && t->accept_cycle < t->response_cycle))
    report(r, "'walk': the cycles must be presented <= accepted < cycle (the response)");
  if (!r->bad && t->pa % t->size) report(r, "'walk': field \"pa\": not aligned to its size");
}

static void get_resp(reader *r, const jline *j, txtrace_event *ev) {
  static const char *const outcomes[] = {"ok", "pf", "bus"};
  static const char *const tlbs[] = {"off", "hit", "miss"};
  unsigned o = get_name(r, j, "outcome", outcomes, 3, "ok, pf or bus");
  ev->u.resp.outcome = o == 0 ? PMMU_OK : o == 1 ? PMMU_PAGE_FAULT : PMMU_BUS_ERROR;
  if (ev->u.resp.outcome == PMMU_OK) {
    ev->u.resp.pa = get_hex(r, j, "pa", PMMU_MAXPHYADDR);
    ev->u.resp.attr = (unsigned)get_hex(r, j, "attr", 3);
  }
  if (ev->u.resp.outcome == PMMU_PAGE_FAULT) ev->u.resp.ec = (uint32_t)get_hex(r, j, "ec", 16);
  unsigned t = get_name(r, j, "tlb", tlbs, 3, "off, hit or miss");
  ev->u.resp.tlb = t == 0 ? PMMU_TLB_OFF : t == 1 ? PMMU_TLB_HIT : PMMU_TLB_MISS;
}

static void get_req(reader *r, const jline *j, txtrace_event *ev) {
  static const char *const access[] = {"read", "write", "fetch"};
  static const char *const priv[] = {"sup", "user", "implicit"};
  ev->u.req.presented = get_count(r, j, "presented");
  ev->u.req.la = (uint32_t)get_hex(r, j, "la", 32);
  ev->u.req.access = (pmmu_access)get_name(r, j, "access", access, 3, "read, write or fetch");
  ev->u.req.priv = (pmmu_priv)get_name(r, j, "priv", priv, 3, "sup, user or implicit");
  ev->u.req.ac = get_bool(r, j, "ac");
  if (!r->bad && ev->u.req.presented > ev->cycle)
    report(r, "'req': presented in cycle %" PRIu64 ", after the cycle it was accepted in",
           ev->u.req.presented);
}

/* The fields of one event line; the kind and cycle are read already. */
static void get_event(reader *r, const jline *j, txtrace_event *ev) {
  static const char *const regs[] = {"cr0", "cr3", "cr4", "efer"};
  static const char *const flushes[] = {"nonglobal", "all", "page"};
  switch (ev->kind) {
  case TXE_MEM:
    ev->u.mem.pa = get_hex(r, j, "pa", PMMU_MAXPHYADDR);
    ev->u.mem.size = get_size(r, j);
    ev->u.mem.value = get_hex(r, j, "value", ev->u.mem.size == 4 ? 32 : 64);
    if (!r->bad && ev->u.mem.pa % ev->u.mem.size)
      report(r, "'mem': field \"pa\": not aligned to its size");
    break;
  case TXE_REG:
    ev->u.reg.reg = get_name(r, j, "reg", regs, 4, "cr0, cr3, cr4 or efer");
    ev->u.reg.value = get_hex(r, j, "value", ev->u.reg.reg == 3 ? 64 : 32);
    break;
  case TXE_INVLPG:
    ev->u.flush.kind = PMMU_FLUSH_PAGE;
    ev->u.flush.la = (uint32_t)get_hex(r, j, "la", 32);
    break;
  case TXE_FLUSH:
    ev->u.flush.kind =
        (pmmu_flush_kind)get_name(r, j, "kind", flushes, 3, "nonglobal, all or page");
    if (ev->u.flush.kind == PMMU_FLUSH_PAGE) ev->u.flush.la = (uint32_t)get_hex(r, j, "la", 32);
    break;
  case TXE_REQ: get_req(r, j, ev); break;
  case TXE_WALK: get_walk(r, j, ev); break;
  case TXE_RESP: get_resp(r, j, ev); break;
  case TXE_PDPTE: ev->u.gp = get_bool(r, j, "gp"); break;
  case TXE_IRQ:
    ev->u.irq.pending = get_bool(r, j, "line");
    ev->u.irq.cr2 = (uint32_t)get_hex(r, j, "cr2", 32);
    ev->u.irq.error_code = (uint32_t)get_hex(r, j, "ec", 16);
    break;
  case TXE_ACK:
  case TXE_END: break;
  }
}

/* ---- The header -------------------------------------------------------------------------- */

static bool get_header(reader *r, const jline *j, txtrace *t) {
  const jfield *f = field(j, "format");
  if (!f || f->type != J_STR || f->len != strlen(TXTRACE_FORMAT) ||
      strncmp(f->s, TXTRACE_FORMAT, f->len) != 0) {
    report(r,
           "not a pmmu trace: the first line must be the header "
           "{\"format\":\"" TXTRACE_FORMAT "\",\"version\":%d,\"config\":{...}}",
           TXTRACE_VERSION);
    return false;
  }
  r->event = "header";
  uint64_t version = get_count(r, j, "version");
  if (r->bad) return false;
  if (version != TXTRACE_VERSION) {
    report(r, "trace version %" PRIu64 " is not supported (this pmmu reads version %d)", version,
           TXTRACE_VERSION);
    return false;
  }
  static const char *const policies[] = {"plru", "lru", "fifo", "random"};
  txtrace_config *c = &t->config;
  pmem_timing_init(&c->timing);
  if (!need(r, j, "config", J_OBJ, "an object")) return false;
  c->tlb_sets = (unsigned)get_count(r, j, "config.tlb_sets");
  c->tlb_ways = (unsigned)get_count(r, j, "config.tlb_ways");
  c->tlb_large = (unsigned)get_count(r, j, "config.tlb_large");
  c->policy =
      (pmmu_policy)get_name(r, j, "config.policy", policies, 4, "plru, lru, fifo or random");
  c->lfsr_seed = 0xACE1; /* pmmu_config_init's, when the header does not say */
  if (field(j, "config.lfsr_seed")) c->lfsr_seed = (uint16_t)get_hex(r, j, "config.lfsr_seed", 16);
  f = field(j, "producer.command");
  if (f && f->type == J_STR) snprintf(t->command, sizeof t->command, "%.*s", (int)f->len, f->s);
  return !r->bad;
}

/* ---- The file ---------------------------------------------------------------------------- */

static bool push(txtrace *t, size_t *cap, const txtrace_event *ev) {
  if (t->n == *cap) {
    size_t grown = *cap ? 2 * *cap : 1024;
    txtrace_event *v = realloc(t->ev, grown * sizeof *v);
    if (!v) return false;
    t->ev = v;
    *cap = grown;
  }
  t->ev[t->n++] = *ev;
  return true;
}

/* One event line: checked, and appended when it is good. */
static const char *const event_kinds[] = {"mem",  "reg",   "invlpg", "flush", "req", "walk",
                                          "resp", "pdpte", "irq",    "ack",   "end"};

static bool read_event(reader *r, const jline *j, txtrace *t, size_t *cap, uint32_t *prev_line) {
  const char *const *kinds = event_kinds;
  r->event = "event";
  txtrace_event ev = {.line = r->line};
  const jfield *f = field(j, "ev");
  if (f && f->type == J_STR) {
    bool known = false;
    for (unsigned i = 0; i <= TXE_END; i++)
      if (strlen(kinds[i]) == f->len && strncmp(kinds[i], f->s, f->len) == 0) {
        r->event = kinds[i];
        known = true;
      }
    if (!known) { /* a new kind of event is a new version of the format */
      report(r, "unknown event \"%.*s\"", (int)f->len, f->s);
      return true;
    }
  }
  ev.kind = (txtrace_kind)get_name(r, j, "ev", kinds, TXE_END + 1, "an event name");
  ev.cycle = get_count(r, j, "cycle");
  if (r->bad) return true;
  get_event(r, j, &ev);
  if (r->bad) return true;
  if (r->have_last && ev.cycle < r->last.cycle) {
    report(r,
           "cycle %" PRIu64 " is before cycle %" PRIu64 " of line %" PRIu32
           ": events must be in cycle order",
           ev.cycle, r->last.cycle, *prev_line);
    return true;
  }
  if (r->have_last && r->last.kind == TXE_END) {
    report(r, "an event after the 'end' event");
    return true;
  }
  *prev_line = r->line;
  r->last = ev;
  r->have_last = true;
  if (!r->store) {
    t->n++;
    return true;
  }
  return push(t, cap, &ev);
}

int txtrace_load(const char *path, txtrace *out, FILE *diag, tb_error *err) {
  memset(out, 0, sizeof *out);
  FILE *f = tb_input_open(path, err); /* "cannot read 'PATH': it is a directory" */
  if (!f) return TB_E_IO;
  int st = txtrace_read(f, f == stdin ? "<stdin>" : path, out, diag, err);
  tb_input_close(f);
  return st;
}

static jline scratch; /* one parsed line: large, not on the stack; used by one line at a time */

/* The whole file checked; its events appended to out->ev when `store`, else only counted. */
static int read_all(FILE *f, const char *path, txtrace *out, FILE *diag, bool store,
                    tb_error *err) {
  memset(out, 0, sizeof *out);
  reader r = {.path = path, .diag = diag, .store = store};
  char *text = NULL;
  size_t len = 0, cap = 0;
  uint32_t prev_line = 0;
  bool header = false, fatal = false, nomem = false;
  jline *j = &scratch;
  ssize_t got;
  errno = 0;
  while (!fatal && !nomem && (got = getline(&text, &len, f)) >= 0) {
    r.line++;
    r.bad = false;
    if (memchr(text, '\0', (size_t)got)) { /* the JSON would be cut short there */
      report(&r, "a NUL byte: this is not a text file");
      fatal = !header;
      if (r.errors > TXTRACE_MAX_ERRORS) break;
      continue;
    }
    if (strspn(text, " \t\r\n") == strlen(text)) continue; /* blank lines are allowed */
    if (!parse_line(j, text)) {
      report(&r, "%s", j->error);
      fatal = !header; /* a header that is not JSON: nothing else can be read */
      continue;
    }
    if (!header) {
      header = true;
      fatal = !get_header(&r, j, out);
      continue;
    }
    nomem = !read_event(&r, j, out, &cap, &prev_line);
    if (r.errors > TXTRACE_MAX_ERRORS) break;
  }
  bool io = ferror(f) != 0;
  const char *io_why = strerror(errno ? errno : EIO); /* getline's, when it failed */
  free(text);
  r.bad = false;
  if (!header && !r.errors && !io) {
    r.line = 1;
    report(&r, "the file is empty: no header");
  } else if (!fatal && !nomem && !io && r.errors <= TXTRACE_MAX_ERRORS &&
             (!r.have_last || r.last.kind != TXE_END)) {
    report(&r, "the trace has no 'end' event after its last line: it was cut short");
  }
  if (r.errors > TXTRACE_MAX_ERRORS)
    fprintf(diag, "%s: error: too many errors (%u); giving up\n", path, TXTRACE_MAX_ERRORS);
  int st = nomem      ? tb_fail(err, TB_E_NOMEM, "%s: out of memory", path)
           : io       ? tb_fail(err, TB_E_IO, "cannot read '%s': %s", path, io_why)
           : r.errors ? tb_fail(err, TB_E_INPUT, "%s: %u error%s", path, r.errors,
                                r.errors == 1 ? "" : "s")
                      : TB_OK;
  if (st != TB_OK) txtrace_free(out);
  return st;
}

int txtrace_read(FILE *f, const char *path, txtrace *out, FILE *diag, tb_error *err) {
  return read_all(f, path, out, diag, true, err);
}

/* ---- Streaming: a file read twice, never held -------------------------------------------- */

struct txtrace_cursor {
  FILE *f;
  reader r;
  char *text;
  size_t len;
  bool header, walks_only;
};

txtrace_cursor *txtrace_cursor_open(const char *path, bool walks_only, tb_error *err) {
  txtrace_cursor *c = calloc(1, sizeof *c);
  if (!c) {
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  if (!(c->f = tb_input_open(path, err)) || c->f == stdin) {
    if (c->f == stdin) tb_fail(err, TB_E_INVALID, "a cursor cannot read standard input twice");
    free(c);
    return NULL;
  }
  c->r = (reader){.path = path};
  c->walks_only = walks_only;
  return c;
}

bool txtrace_cursor_next(txtrace_cursor *c, txtrace_event *ev) {
  ssize_t got;
  while ((got = getline(&c->text, &c->len, c->f)) >= 0) {
    c->r.line++;
    c->r.bad = false;
    if (strspn(c->text, " \t\r\n") == strlen(c->text)) continue;
    if (!c->header) { /* read and checked by the first reading */
      c->header = true;
      continue;
    }
    if (c->walks_only && !strstr(c->text, "\"walk\"")) continue; /* cheap: not a walk */
    if (!parse_line(&scratch, c->text)) break;
    txtrace_event e = {.line = c->r.line};
    e.kind = (txtrace_kind)get_name(&c->r, &scratch, "ev", event_kinds, TXE_END + 1, "an event");
    e.cycle = get_count(&c->r, &scratch, "cycle");
    if (!c->r.bad) get_event(&c->r, &scratch, &e);
    if (c->r.bad) break; /* the file changed since it was checked */
    if (c->walks_only && e.kind != TXE_WALK) continue;
    *ev = e;
    return true;
  }
  return false; /* the end, or a file that changed since it was checked: the replay says so */
}

void txtrace_cursor_close(txtrace_cursor *c) {
  if (!c) return;
  fclose(c->f);
  free(c->text);
  free(c);
}

int txtrace_check_file(const char *path, FILE *out, FILE *diag, txtrace_counts *counts,
                       tb_error *err) {
  txtrace t;
  FILE *f = tb_input_open(path, err); /* "cannot read 'PATH': it is a directory" */
  if (!f) return TB_E_IO;
  bool seekable = f != stdin;
  const char *name = seekable ? path : "<stdin>";
  /* standard input cannot be read twice: held whole; a file is checked first, then streamed */
  int st = read_all(f, name, &t, diag, !seekable, err);
  tb_input_close(f);
  if (st != TB_OK) return st;
  if (!seekable) {
    st = txtrace_check(&t, name, out, counts, err);
    txtrace_free(&t);
  } else {
    txtrace_cursor *events = txtrace_cursor_open(path, false, err);
    txtrace_cursor *walks = events ? txtrace_cursor_open(path, true, err) : NULL;
    if (!events || !walks) st = err ? err->code : TB_E_IO;
    else st = txtrace_check_stream(&t, events, walks, name, out, counts, err);
    txtrace_cursor_close(events);
    txtrace_cursor_close(walks);
  }
  /* the replay's own errors (a configuration or an operation the model refuses) */
  if (st < 0 && st != TB_E_IO && st != TB_E_NOMEM && err) fprintf(diag, "%s\n", err->msg);
  return st;
}

void txtrace_free(txtrace *t) {
  free(t->ev);
  t->ev = NULL;
  t->n = 0;
}
