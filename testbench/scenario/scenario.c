/* Parser and checker of `.pmmu` scenario files (docs/spec/scenario-format.md). */
#include "scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tb_file.h"

#define MAX_TOKENS 32
#define VA_LIMIT (UINT64_C(1) << 32)
#define PA_LIMIT (UINT64_C(1) << PMMU_MAXPHYADDR)
/* Cycles of timed commands: far beyond any run (2^48 cycles are 32 days at 100 MHz), and far
 * from wrapping round when latencies are added to them. */
#define CYCLE_LIMIT (UINT64_C(1) << 48)

/* ---- The parse in progress ----------------------------------------------------------- */

typedef struct parser {
  scenario *s;
  FILE *err;
  unsigned errors;
  unsigned line;
  unsigned cap_cmds, cap_sets;
  unsigned first_other_line; /* first command that is not tlb/memory, 0 if none yet */
  bool seen_access;
  bool oom;
  bool at_given; /* the line began with `at CYCLE` */
  uint64_t at;   /* its cycle */
} parser;

static void fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(parser *p, const char *fmt, ...) {
  va_list ap;
  if (++p->errors > TB_MAX_ERRORS || !p->err) return; /* the parse stops there */
  fprintf(p->err, "%s:%u: error: ", scenario_display_name(p->s), p->line);
  va_start(ap, fmt);
  vfprintf(p->err, fmt, ap);
  va_end(ap);
  fputc('\n', p->err);
}

const char *scenario_display_name(const scenario *s) {
  return strcmp(s->path, "-") == 0 ? "<stdin>" : s->path;
}

static scn_cmd *push_cmd(parser *p, scn_kind kind) {
  scenario *s = p->s;
  if (s->n_cmds == p->cap_cmds) {
    unsigned cap = p->cap_cmds ? 2 * p->cap_cmds : 64;
    scn_cmd *grown = realloc(s->cmds, cap * sizeof *grown);
    if (!grown) {
      p->oom = true;
      return NULL;
    }
    s->cmds = grown;
    p->cap_cmds = cap;
  }
  scn_cmd *c = &s->cmds[s->n_cmds++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->line = p->line;
  c->timed = p->at_given;
  c->cycle = p->at;
  return c;
}

static bool push_assign(parser *p, scn_assign a) {
  scenario *s = p->s;
  if (s->n_sets == p->cap_sets) {
    unsigned cap = p->cap_sets ? 2 * p->cap_sets : 16;
    scn_assign *grown = realloc(s->sets, cap * sizeof *grown);
    if (!grown) {
      p->oom = true;
      return false;
    }
    s->sets = grown;
    p->cap_sets = cap;
  }
  s->sets[s->n_sets++] = a;
  return true;
}

/* ---- Tokens --------------------------------------------------------------------------- */

/* Numbers: decimal, or hexadecimal with 0x; at most 64 bits. */
static bool parse_number(parser *p, const char *tok, uint64_t *out) {
  const char *digits = tok;
  unsigned base = 10;
  if (tok[0] == '0' && tok[1] == 'x') {
    digits = tok + 2;
    base = 16;
  }
  if (!*digits) {
    fail(p, "bad number '%s'", tok);
    return false;
  }
  uint64_t v = 0;
  for (const char *c = digits; *c; c++) {
    unsigned d;
    if (*c >= '0' && *c <= '9') d = (unsigned)(*c - '0');
    else if (base == 16 && *c >= 'a' && *c <= 'f') d = (unsigned)(*c - 'a' + 10);
    else if (base == 16 && *c >= 'A' && *c <= 'F') d = (unsigned)(*c - 'A' + 10);
    else {
      fail(p, "bad number '%s'", tok);
      return false;
    }
    if (v > (UINT64_MAX - d) / base) {
      fail(p, "number '%s' does not fit in 64 bits", tok);
      return false;
    }
    v = v * base + d;
  }
  *out = v;
  return true;
}

static bool parse_below(parser *p, const char *tok, uint64_t limit, const char *what,
                        uint64_t *out) {
  if (!parse_number(p, tok, out)) return false;
  if (*out >= limit) {
    fail(p, "%s %s is out of range (must be below 0x%llx)", what, tok, (unsigned long long)limit);
    return false;
  }
  return true;
}

static bool parse_pa(parser *p, const char *tok, unsigned align, uint64_t *out) {
  if (!parse_below(p, tok, PA_LIMIT, "physical address", out)) return false;
  if (*out % align) {
    fail(p, "physical address %s is not aligned to %u bytes", tok, align);
    return false;
  }
  return true;
}

static bool want_args(parser *p, const char *cmd, unsigned n_tok, unsigned lo, unsigned hi,
                      const char *usage) {
  if (n_tok - 1 < lo || n_tok - 1 > hi) {
    fail(p, "'%s' takes %s", cmd, usage);
    return false;
  }
  return true;
}

/* ---- Commands --------------------------------------------------------------------------- */

static void cmd_register(parser *p, scn_kind kind, char **tok, unsigned n) {
  uint64_t v;
  if (!want_args(p, tok[0], n, 1, 1, "one value")) return;
  uint64_t limit = kind == SCN_EFER ? 0 : (UINT64_C(1) << 32);
  if (limit ? !parse_below(p, tok[1], limit, "value", &v) : !parse_number(p, tok[1], &v)) return;
  scn_cmd *c = push_cmd(p, kind);
  if (c) c->a = v;
}

static const char *const bit_names[] = {"pg", "wp", "pse", "pae", "pge", "smep", "smap", "nxe"};

const char *scenario_bit_name(scn_bit bit) { return bit_names[bit]; }

scn_kind scenario_bit_register(scn_bit bit) {
  switch (bit) {
  case BIT_PG:
  case BIT_WP: return SCN_CR0;
  case BIT_NXE: return SCN_EFER;
  default: return SCN_CR4;
  }
}

uint64_t scenario_bit_mask(scn_bit bit) {
  switch (bit) {
  case BIT_PG: return PMMU_CR0_PG;
  case BIT_WP: return PMMU_CR0_WP;
  case BIT_PSE: return PMMU_CR4_PSE;
  case BIT_PAE: return PMMU_CR4_PAE;
  case BIT_PGE: return PMMU_CR4_PGE;
  case BIT_SMEP: return PMMU_CR4_SMEP;
  case BIT_SMAP: return PMMU_CR4_SMAP;
  case BIT_NXE: return PMMU_EFER_NXE;
  }
  return 0;
}

static void cmd_set(parser *p, char **tok, unsigned n) {
  if (n < 2) {
    fail(p, "'set' takes one or more NAME=0|1 (names: pg wp pse pae pge smep smap nxe)");
    return;
  }
  unsigned first = p->s->n_sets, errors = p->errors;
  for (unsigned i = 1; i < n; i++) {
    char *eq = strchr(tok[i], '=');
    if (!eq) {
      fail(p, "'%s' is not NAME=0|1", tok[i]);
      continue;
    }
    *eq = '\0';
    const char *value = eq + 1;
    int bit = -1;
    for (int b = 0; b <= BIT_NXE; b++)
      if (strcmp(tok[i], bit_names[b]) == 0) bit = b;
    if (bit < 0) fail(p, "unknown bit name '%s' (names: pg wp pse pae pge smep smap nxe)", tok[i]);
    else if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
      fail(p, "'%s=%s': the value must be 0 or 1", tok[i], value);
    else push_assign(p, (scn_assign){(scn_bit)bit, value[0] == '1'});
  }
  if (p->errors != errors) return;
  scn_cmd *c = push_cmd(p, SCN_SET);
  if (c) {
    c->first = first;
    c->count = p->s->n_sets - first;
  }
}

static void cmd_mem(parser *p, scn_kind kind, char **tok, unsigned n) {
  unsigned size = kind == SCN_MEM64 || kind == SCN_EXPECT_MEM64 ? 8 : 4;
  uint64_t pa, v;
  const char *name = kind == SCN_EXPECT_MEM32 || kind == SCN_EXPECT_MEM64 ? tok[1] : tok[0];
  if (kind == SCN_EXPECT_MEM32 || kind == SCN_EXPECT_MEM64) {
    tok++;
    n--;
  }
  if (!want_args(p, name, n, 2, 2, "a physical address and a value")) return;
  if (!parse_pa(p, tok[1], size, &pa)) return;
  if (size == 4 ? !parse_below(p, tok[2], UINT64_C(1) << 32, "32-bit value", &v)
                : !parse_number(p, tok[2], &v))
    return;
  scn_cmd *c = push_cmd(p, kind);
  if (c) {
    c->a = pa;
    c->b = v;
  }
}

static void cmd_dump(parser *p, scn_kind kind, char **tok, unsigned n) {
  uint64_t pa;
  if (!want_args(p, tok[0], n, 1, 1, "a physical address")) return;
  if (!parse_pa(p, tok[1], kind == SCN_DUMP64 ? 8 : 4, &pa)) return;
  scn_cmd *c = push_cmd(p, kind);
  if (c) c->a = pa;
}

static bool parse_priv(const char *tok, pmmu_priv *out) {
  if (strcmp(tok, "user") == 0) *out = PMMU_USER;
  else if (strcmp(tok, "sup") == 0) *out = PMMU_SUPERVISOR;
  else if (strcmp(tok, "implicit") == 0) *out = PMMU_IMPLICIT;
  else return false;
  return true;
}

static void cmd_access(parser *p, pmmu_access access, char **tok, unsigned n) {
  uint64_t va;
  pmmu_priv priv = PMMU_SUPERVISOR;
  bool ac = false;
  if (!want_args(p, tok[0], n, 1, 3, "VA [user|sup|implicit] [ac]")) return;
  if (!parse_below(p, tok[1], VA_LIMIT, "linear address", &va)) return;
  unsigned i = 2;
  if (i < n && parse_priv(tok[i], &priv)) i++;
  if (i < n && strcmp(tok[i], "ac") == 0) {
    ac = true;
    i++;
  }
  if (i < n) {
    pmmu_priv ignored;
    if (parse_priv(tok[i], &ignored)) fail(p, "'%s' must come before 'ac'", tok[i]);
    else fail(p, "unexpected '%s' (want [user|sup|implicit] [ac])", tok[i]);
    return;
  }
  if (access == PMMU_FETCH && priv == PMMU_IMPLICIT) {
    fail(p, "'fetch ... implicit' is not an access: implicit accesses are reads or writes");
    return;
  }
  scn_cmd *c = push_cmd(p, SCN_ACCESS);
  if (!c) return;
  c->a = va;
  c->access = access;
  c->priv = priv;
  c->ac = ac;
  p->seen_access = true;
  p->s->n_accesses++;
}

static void cmd_invlpg(parser *p, char **tok, unsigned n) {
  uint64_t va;
  if (!want_args(p, "invlpg", n, 1, 1, "a linear address")) return;
  if (!parse_below(p, tok[1], VA_LIMIT, "linear address", &va)) return;
  scn_cmd *c = push_cmd(p, SCN_INVLPG);
  if (c) c->a = va;
}

static void cmd_expect(parser *p, char **tok, unsigned n) {
  const char *usage =
      "'expect' takes pa PA | fault EC | bus-error PA | hit | miss | mem32 PA V | mem64 PA V";
  if (n < 2) {
    fail(p, "%s", usage);
    return;
  }
  const char *what = tok[1];
  if (strcmp(what, "mem32") == 0 || strcmp(what, "mem64") == 0) {
    unsigned before = p->s->n_cmds;
    cmd_mem(p, what[3] == '3' ? SCN_EXPECT_MEM32 : SCN_EXPECT_MEM64, tok, n);
    if (p->s->n_cmds != before) p->s->n_expects++;
    return;
  }
  scn_kind kind;
  uint64_t v = 0;
  if (strcmp(what, "hit") == 0 || strcmp(what, "miss") == 0) {
    if (n != 2) {
      fail(p, "'expect %s' takes nothing more", what);
      return;
    }
    kind = what[0] == 'h' ? SCN_EXPECT_HIT : SCN_EXPECT_MISS;
  } else if (strcmp(what, "bus-error") == 0) {
    if (n != 3) {
      fail(p, "'expect bus-error' takes a physical address");
      return;
    }
    if (!parse_below(p, tok[2], PA_LIMIT, "physical address", &v)) return;
    kind = SCN_EXPECT_BUS_ERROR;
  } else if (strcmp(what, "pa") == 0 || strcmp(what, "fault") == 0) {
    bool pa = what[0] == 'p';
    if (n != 3) {
      fail(p, "'expect %s' takes %s", what, pa ? "a physical address" : "an error code");
      return;
    }
    if (!parse_below(p, tok[2], pa ? PA_LIMIT : (UINT64_C(1) << 32),
                     pa ? "physical address" : "error code", &v))
      return;
    kind = pa ? SCN_EXPECT_PA : SCN_EXPECT_FAULT;
  } else {
    fail(p, "%s", usage);
    return;
  }
  if (!p->seen_access) {
    fail(p, "'expect %s' has no access before it to check", what);
    return;
  }
  scn_cmd *c = push_cmd(p, kind);
  if (!c) return;
  c->a = v;
  p->s->n_expects++;
}

static bool setup_allowed(parser *p, const char *cmd) {
  if (p->first_other_line) {
    fail(p, "'%s' must come before every other command (line %u is one)", cmd, p->first_other_line);
    return false;
  }
  return true;
}

static bool key_value(parser *p, const char *tok, char *key, size_t key_len, const char **value) {
  const char *eq = strchr(tok, '=');
  if (!eq || eq == tok || (size_t)(eq - tok) >= key_len) {
    fail(p, "'%s' is not KEY=VALUE", tok);
    return false;
  }
  memcpy(key, tok, (size_t)(eq - tok));
  key[eq - tok] = '\0';
  *value = eq + 1;
  return true;
}

static void cmd_tlb(parser *p, char **tok, unsigned n) {
  if (!setup_allowed(p, "tlb")) return;
  if (n < 2) {
    fail(p, "'tlb' takes sets=N ways=N large=N policy=plru|lru|fifo|random (any of them)");
    return;
  }
  scenario *s = p->s;
  for (unsigned i = 1; i < n; i++) {
    char key[16];
    const char *value;
    uint64_t v;
    if (!key_value(p, tok[i], key, sizeof key, &value)) continue;
    if (strcmp(key, "policy") == 0) {
      if (!pmmu_policy_parse(value, &s->policy))
        fail(p, "unknown policy '%s' (plru, lru, fifo or random)", value);
      continue;
    }
    unsigned *field = strcmp(key, "sets") == 0    ? &s->tlb_sets
                      : strcmp(key, "ways") == 0  ? &s->tlb_ways
                      : strcmp(key, "large") == 0 ? &s->tlb_large
                                                  : NULL;
    unsigned max = field == &s->tlb_sets ? 1024 : field == &s->tlb_ways ? 16 : 64;
    if (!field) {
      fail(p, "unknown tlb key '%s' (sets, ways, large, policy)", key);
    } else if (parse_number(p, value, &v)) {
      if (v == 0 || v > max || (v & (v - 1)))
        fail(p, "%s=%s must be a power of two from 1 to %u", key, value, max);
      else *field = (unsigned)v;
    }
  }
}

/* N or A..B (A <= B), each from lo to hi; *range says which form. */
static bool parse_range(parser *p, const char *key, const char *value, uint64_t lo, uint64_t hi,
                        uint64_t *a, uint64_t *b, bool *range) {
  char buf[64];
  const char *dots = strstr(value, "..");
  *range = dots != NULL;
  if (!dots) {
    if (!parse_number(p, value, a)) return false;
    *b = *a;
  } else {
    size_t len = (size_t)(dots - value);
    if (len >= sizeof buf) len = sizeof buf - 1;
    memcpy(buf, value, len);
    buf[len] = '\0';
    if (!parse_number(p, buf, a) || !parse_number(p, dots + 2, b)) return false;
  }
  if (*a < lo || *b < *a || *b > hi) {
    fail(p, "%s=%s: want N or A..B with %llu <= A <= B <= %llu", key, value, (unsigned long long)lo,
         (unsigned long long)hi);
    return false;
  }
  return true;
}

/* The memory the walker sees (pmem.h): latency, back-pressure, bus errors, and the seed of the
 * stream they are drawn from. */
static void cmd_memory(parser *p, char **tok, unsigned n) {
  if (!setup_allowed(p, "memory")) return;
  pmem_timing t = p->s->timing;
  bool have_latency = false, have_seed = false, drawn = false;
  unsigned errors = p->errors;
  for (unsigned i = 1; i < n; i++) {
    char key[16];
    const char *value;
    uint64_t lo, hi;
    bool range;
    if (!key_value(p, tok[i], key, sizeof key, &value)) continue;
    if (strcmp(key, "latency") == 0) {
      have_latency = true;
      if (!parse_range(p, key, value, 1, 1000000, &lo, &hi, &range)) continue;
      drawn |= range;
      t.lat_min = (unsigned)lo;
      t.lat_max = (unsigned)hi;
    } else if (strcmp(key, "wait") == 0) {
      if (!parse_range(p, key, value, 0, 1000, &lo, &hi, &range)) continue;
      drawn |= range;
      t.wait_min = (unsigned)lo;
      t.wait_max = (unsigned)hi;
    } else if (strcmp(key, "bus-errors") == 0) {
      if (!parse_range(p, key, value, 0, 1000, &lo, &hi, &range)) continue;
      if (range) fail(p, "bus-errors=%s: want one number, per thousand accesses", value);
      drawn |= lo > 0;
      t.bus_error_permille = (unsigned)lo;
    } else if (strcmp(key, "seed") == 0) {
      have_seed = true;
      parse_number(p, value, &t.seed);
    } else {
      fail(p, "unknown memory key '%s' (latency, wait, bus-errors, seed)", key);
    }
  }
  if (p->errors != errors) return;
  if (!have_latency) fail(p, "'memory' takes latency=N or latency=A..B seed=S");
  else if (drawn && !have_seed)
    fail(p, "a latency or wait range, or bus-errors, needs seed=S (they are drawn from it)");
  else if (!drawn && have_seed)
    fail(p, "seed=S goes only with a latency or wait range A..B, or bus-errors");
  else p->s->timing = t;
}

/* at CYCLE flush page VA | flush nonglobal | flush all: a flush command given during the
 * access on the line before (timing.md T6, T7). */
static void cmd_flush(parser *p, char **tok, unsigned n) {
  const scenario *s = p->s;
  uint64_t va = 0;
  pmmu_flush_kind kind;
  if (n < 2) {
    fail(p, "'flush' takes page VA, nonglobal or all");
    return;
  }
  if (strcmp(tok[1], "page") == 0) {
    if (n != 3) {
      fail(p, "'flush page' takes a linear address");
      return;
    }
    if (!parse_below(p, tok[2], VA_LIMIT, "linear address", &va)) return;
    kind = PMMU_FLUSH_PAGE;
  } else if (strcmp(tok[1], "nonglobal") == 0 || strcmp(tok[1], "all") == 0) {
    if (n != 2) {
      fail(p, "'flush %s' takes nothing more", tok[1]);
      return;
    }
    kind = tok[1][0] == 'a' ? PMMU_FLUSH_ALL : PMMU_FLUSH_NONGLOBAL;
  } else {
    fail(p, "'flush' takes page VA, nonglobal or all (not '%s')", tok[1]);
    return;
  }
  if (!p->at_given) {
    fail(p, "'flush' needs a cycle: at CYCLE flush ...");
    return;
  }
  if (!s->n_cmds || s->cmds[s->n_cmds - 1].kind != SCN_ACCESS) {
    fail(p, "'flush' must come right after an access (it is given during it); between "
            "accesses use invlpg or a register write");
    return;
  }
  scn_cmd *c = push_cmd(p, SCN_FLUSH);
  if (!c) return;
  c->a = va;
  c->flush_kind = kind;
}

/* ack CYCLE */
static void cmd_ack(parser *p, char **tok, unsigned n) {
  uint64_t cycle;
  if (!want_args(p, "ack", n, 1, 1, "a cycle")) return;
  if (!parse_below(p, tok[1], CYCLE_LIMIT, "cycle", &cycle)) return;
  scn_cmd *c = push_cmd(p, SCN_ACK);
  if (!c) return;
  c->timed = true;
  c->cycle = cycle;
}

/* poke CYCLE PA V / poke64 CYCLE PA V */
static void cmd_poke(parser *p, char **tok, unsigned n) {
  bool wide = strcmp(tok[0], "poke64") == 0;
  uint64_t cycle, pa, v;
  if (!want_args(p, tok[0], n, 3, 3, "a cycle, a physical address and a value")) return;
  if (!parse_below(p, tok[1], CYCLE_LIMIT, "cycle", &cycle) ||
      !parse_pa(p, tok[2], wide ? 8 : 4, &pa))
    return;
  if (wide ? !parse_number(p, tok[3], &v)
           : !parse_below(p, tok[3], UINT64_C(1) << 32, "32-bit value", &v))
    return;
  scn_cmd *c = push_cmd(p, wide ? SCN_POKE64 : SCN_POKE32);
  if (!c) return;
  c->timed = true;
  c->cycle = cycle;
  c->a = pa;
  c->b = v;
}

/* The commands `at CYCLE` may lead: those that reach the block in a cycle of their own. */
static bool may_be_timed(const char *cmd) {
  static const char *const names[] = {"cr0",  "cr3",   "cr4",   "efer",   "set",
                                      "read", "write", "fetch", "invlpg", "flush"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(cmd, names[i]) == 0) return true;
  return false;
}

static void parse_command(parser *p, char **tok, unsigned n) {
  p->at_given = false;
  p->at = 0;
  if (strcmp(tok[0], "at") == 0) {
    if (n < 3) {
      fail(p, "'at' takes a cycle and a command: at CYCLE COMMAND ...");
      return;
    }
    if (!parse_below(p, tok[1], CYCLE_LIMIT, "cycle", &p->at)) return;
    if (!may_be_timed(tok[2])) {
      fail(p,
           "'at CYCLE' goes only before cr0, cr3, cr4, efer, set, read, write, fetch, invlpg "
           "and flush (not '%s')",
           tok[2]);
      return;
    }
    p->at_given = true;
    tok += 2;
    n -= 2;
  }
  const char *cmd = tok[0];
  bool setup = strcmp(cmd, "tlb") == 0 || strcmp(cmd, "memory") == 0;
  if (setup) {
    if (cmd[0] == 't') cmd_tlb(p, tok, n);
    else cmd_memory(p, tok, n);
    return;
  }
  if (!p->first_other_line) p->first_other_line = p->line;

  if (strcmp(cmd, "cr0") == 0) cmd_register(p, SCN_CR0, tok, n);
  else if (strcmp(cmd, "cr3") == 0) cmd_register(p, SCN_CR3, tok, n);
  else if (strcmp(cmd, "cr4") == 0) cmd_register(p, SCN_CR4, tok, n);
  else if (strcmp(cmd, "efer") == 0) cmd_register(p, SCN_EFER, tok, n);
  else if (strcmp(cmd, "set") == 0) cmd_set(p, tok, n);
  else if (strcmp(cmd, "mem32") == 0) cmd_mem(p, SCN_MEM32, tok, n);
  else if (strcmp(cmd, "mem64") == 0) cmd_mem(p, SCN_MEM64, tok, n);
  else if (strcmp(cmd, "dump32") == 0) cmd_dump(p, SCN_DUMP32, tok, n);
  else if (strcmp(cmd, "dump64") == 0) cmd_dump(p, SCN_DUMP64, tok, n);
  else if (strcmp(cmd, "read") == 0) cmd_access(p, PMMU_READ, tok, n);
  else if (strcmp(cmd, "write") == 0) cmd_access(p, PMMU_WRITE, tok, n);
  else if (strcmp(cmd, "fetch") == 0) cmd_access(p, PMMU_FETCH, tok, n);
  else if (strcmp(cmd, "invlpg") == 0) cmd_invlpg(p, tok, n);
  else if (strcmp(cmd, "expect") == 0) cmd_expect(p, tok, n);
  else if (strcmp(cmd, "flush") == 0) cmd_flush(p, tok, n);
  else if (strcmp(cmd, "ack") == 0) cmd_ack(p, tok, n);
  else if (strcmp(cmd, "poke") == 0 || strcmp(cmd, "poke64") == 0) cmd_poke(p, tok, n);
  else fail(p, "unknown command '%s'", cmd);
}

/* ---- Lines ---------------------------------------------------------------------------- */

static bool valid_utf8(const unsigned char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    unsigned c = s[i];
    size_t extra;
    if (c < 0x80) extra = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2) extra = 1;
    else if ((c & 0xF0) == 0xE0) extra = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4) extra = 3;
    else return false;
    if (len - i - 1 < extra) return false;
    for (size_t k = 1; k <= extra; k++)
      if ((s[i + k] & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

static void parse_line(parser *p, char *line, size_t len) {
  if (memchr(line, '\0', len)) {
    fail(p, "the line holds a NUL byte: not a text file?");
    return;
  }
  if (!valid_utf8((const unsigned char *)line, len)) {
    fail(p, "the line is not valid UTF-8");
    return;
  }
  char *hash = memchr(line, '#', len);
  if (hash) *hash = '\0';
  else line[len] = '\0';

  char *tok[MAX_TOKENS];
  unsigned n = 0;
  for (char *t = strtok(line, " \t\r"); t; t = strtok(NULL, " \t\r")) {
    if (n == MAX_TOKENS) {
      fail(p, "too many words on one line (at most %d)", MAX_TOKENS);
      return;
    }
    tok[n++] = t;
  }
  if (n) parse_command(p, tok, n);
}

static void scenario_defaults(scenario *s) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  s->tlb_sets = cfg.tlb_sets;
  s->tlb_ways = cfg.tlb_ways;
  s->tlb_large = cfg.tlb_large;
  s->policy = cfg.policy;
  pmem_timing_init(&s->timing);
  s->timing.lat_min = s->timing.lat_max = cfg.mem_latency;
}

unsigned scenario_parse(const char *path, const char *text, size_t len, scenario *out, FILE *err) {
  memset(out, 0, sizeof *out);
  size_t path_len = strlen(path) + 1;
  out->path = malloc(path_len);
  if (out->path) memcpy(out->path, path, path_len);
  scenario_defaults(out);
  parser p = {.s = out, .err = err};
  char *copy = malloc(len + 1);
  if (!out->path || !copy) {
    free(copy);
    if (err) fprintf(err, "%s: error: out of memory\n", path);
    return 1;
  }
  memcpy(copy, text, len);
  copy[len] = '\0';
  size_t start = 0;
  while (start < len) {
    char *nl = memchr(copy + start, '\n', len - start);
    size_t end = nl ? (size_t)(nl - copy) : len;
    p.line++;
    if (memchr(copy + start, '\0', end - start))
      fail(&p, "a NUL byte: this is not a text file"); /* the line would be cut short there */
    else parse_line(&p, copy + start, end - start);
    start = end + 1;
    if (p.errors >= TB_MAX_ERRORS) {
      if (err)
        fprintf(err, "%s: error: too many errors (%u); giving up\n", scenario_display_name(out),
                TB_MAX_ERRORS);
      break;
    }
  }
  free(copy);
  if (p.oom) {
    if (err) fprintf(err, "%s: error: out of memory\n", scenario_display_name(out));
    p.errors++;
  }
  return p.errors;
}

unsigned scenario_load(const char *path, scenario *out, FILE *err) {
  bool is_stdin = strcmp(path, "-") == 0;
  tb_error why_not;
  FILE *f = tb_input_open(path, &why_not);
  if (!f) { /* "cannot read 'PATH': it is a directory" */
    memset(out, 0, sizeof *out);
    if (err) fprintf(err, "pmmu: error: %s\n", why_not.msg);
    return 1;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  bool ok = buf != NULL;
  while (ok) {
    if (len == cap) {
      char *grown = realloc(buf, cap *= 2);
      if (!grown) {
        ok = false;
        break;
      }
      buf = grown;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) ok = false;
      break;
    }
  }
  const char *why = buf ? strerror(errno) : "out of memory";
  if (!is_stdin) fclose(f);
  if (!ok) {
    free(buf);
    memset(out, 0, sizeof *out);
    if (err) fprintf(err, "%s: error: cannot read: %s\n", is_stdin ? "<stdin>" : path, why);
    return 1;
  }
  unsigned errors = scenario_parse(path, buf, len, out, err);
  free(buf);
  return errors;
}

void scenario_free(scenario *s) {
  free(s->path);
  free(s->cmds);
  free(s->sets);
  memset(s, 0, sizeof *s);
}

unsigned scenario_first_timed_line(const scenario *s) {
  for (unsigned i = 0; i < s->n_cmds; i++)
    if (s->cmds[i].timed || s->cmds[i].kind == SCN_FLUSH) return s->cmds[i].line;
  return 0;
}
