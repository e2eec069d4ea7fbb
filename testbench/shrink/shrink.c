/* Delta debugging over lines, then over values (shrink.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "shrink.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The verdict cache: open addressing over 64-bit hashes of candidates ---------------- */

typedef struct shrink_cache {
  uint64_t *keys; /* 0: empty slot */
  unsigned char *verdicts;
  size_t cap, used;
} shrink_cache;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * UINT64_C(0x100000001b3);
  return h;
}

static uint64_t candidate_hash(const shrink_line *lines, size_t n) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++) {
    h = fnv(h, &lines[i].id, sizeof lines[i].id);
    h = fnv(h, lines[i].text, strlen(lines[i].text) + 1); /* with its NUL: a separator */
  }
  return h ? h : 1;
}

static int cache_find(const shrink_cache *c, uint64_t key) {
  if (!c->cap) return -1;
  for (size_t i = key & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
    if (c->keys[i] == key) return c->verdicts[i];
    if (!c->keys[i]) return -1;
  }
}

static bool cache_put(shrink_cache *c, uint64_t key, int verdict) {
  if ((c->used + 1) * 2 > c->cap) { /* keep it at most half full */
    size_t cap = c->cap ? c->cap * 2 : 1024;
    uint64_t *keys = calloc(cap, sizeof *keys);
    unsigned char *verdicts = calloc(cap, 1);
    if (!keys || !verdicts) {
      free(keys);
      free(verdicts);
      return false;
    }
    for (size_t i = 0; i < c->cap; i++) {
      if (!c->keys[i]) continue;
      size_t j = c->keys[i] & (cap - 1);
      while (keys[j]) j = (j + 1) & (cap - 1);
      keys[j] = c->keys[i];
      verdicts[j] = c->verdicts[i];
    }
    free(c->keys);
    free(c->verdicts);
    c->keys = keys;
    c->verdicts = verdicts;
    c->cap = cap;
  }
  size_t j = key & (c->cap - 1);
  while (c->keys[j] && c->keys[j] != key) j = (j + 1) & (c->cap - 1);
  if (!c->keys[j]) c->used++;
  c->keys[j] = key;
  c->verdicts[j] = (unsigned char)verdict;
  return true;
}

/* The test's verdict on a candidate, from the cache when it was asked before. */
static int judge(const shrink_config *cfg, shrink_result *r, const shrink_line *lines, size_t n) {
  if (!r->cache && !(r->cache = calloc(1, sizeof *r->cache))) return SHRINK_E_NOMEM;
  uint64_t key = candidate_hash(lines, n);
  int v = cache_find(r->cache, key);
  if (v >= 0) {
    r->cached++;
    return v;
  }
  r->tests++;
  v = cfg->test(cfg->ctx, lines, n);
  if (v < 0) return v;
  v = v > 0;
  if (!cache_put(r->cache, key, v)) return SHRINK_E_NOMEM;
  return v;
}

/* ---- Step 1: ddmin over the lines ------------------------------------------------------ */

/* Keeps the lines whose keep[] is set: the others' texts are freed. */
static void keep_only(shrink_result *r, const bool *keep) {
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (keep[i]) r->lines[k++] = r->lines[i];
    else free((char *)r->lines[i].text);
  }
  r->n = k;
}

/* The candidate of the lines [lo, hi) (complement false) or all but them (true). */
static size_t pick(const shrink_result *r, size_t lo, size_t hi, bool complement, shrink_line *cand,
                   bool *keep) {
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    keep[i] = (i >= lo && i < hi) != complement;
    if (keep[i]) cand[k++] = r->lines[i];
  }
  return k;
}

int shrink_ddmin(const shrink_config *cfg, shrink_result *r, bool *changed) {
  *changed = false;
  if (r->n < 2) { /* one line: the empty candidate is the only smaller one */
    if (r->n == 1) {
      int v = judge(cfg, r, NULL, 0);
      if (v < 0) return v;
      if (v) {
        free((char *)r->lines[0].text);
        r->n = 0;
        *changed = true;
      }
    }
    return 0;
  }
  shrink_line *cand = malloc(r->n * sizeof *cand);
  bool *keep = malloc(r->n * sizeof *keep);
  if (!cand || !keep) {
    free(cand);
    free(keep);
    return SHRINK_E_NOMEM;
  }
  size_t gran = 2;
  int status = 0;
  while (r->n >= 2) {
    bool reduced = false;
    /* the n subsets [i*len/n, (i+1)*len/n): first each alone, then each complement */
    for (int complement = 0; complement < 2 && !reduced; complement++) {
      if (complement && gran == 2) break; /* with two parts, a complement is the other subset */
      for (size_t i = 0; i < gran && !reduced; i++) {
        size_t lo = i * r->n / gran, hi = (i + 1) * r->n / gran;
        if (lo == hi) continue;
        size_t k = pick(r, lo, hi, complement, cand, keep);
        int v = judge(cfg, r, cand, k);
        if (v < 0) {
          status = v;
          goto done;
        }
        if (!v) continue;
        keep_only(r, keep);
        *changed = reduced = true;
        gran = complement ? (gran - 1 > 2 ? gran - 1 : 2) : 2;
      }
    }
    if (reduced) continue;
    if (gran >= r->n) break; /* 1-minimal: no single line can go */
    gran = gran * 2 < r->n ? gran * 2 : r->n;
  }
  if (r->n == 1) { /* the last line alone: can the empty candidate fail? */
    int v = judge(cfg, r, NULL, 0);
    if (v < 0) status = v;
    else if (v) {
      free((char *)r->lines[0].text);
      r->n = 0;
      *changed = true;
    }
  }
done:
  free(cand);
  free(keep);
  return status;
}

/* ---- Step 2: values -------------------------------------------------------------------- */

/* A token [b, e) of a line: the number in it (the whole token, or after KEY=), as the span
 * [*nb, *ne) and its value; false when it holds none. */
static bool token_number(const char *b, const char *e, const char **nb, const char **ne,
                         uint64_t *value, bool *hex) {
  const char *eq = memchr(b, '=', (size_t)(e - b));
  const char *p = eq ? eq + 1 : b;
  *hex = e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
  const char *d = *hex ? p + 2 : p;
  if (d >= e) return false;
  uint64_t v = 0;
  for (const char *q = d; q < e; q++) {
    int c = (unsigned char)*q, digit;
    if (*hex && isxdigit(c)) digit = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
    else if (!*hex && isdigit(c)) digit = c - '0';
    else return false;
    unsigned base = *hex ? 16 : 10;
    if (v > (UINT64_MAX - (uint64_t)digit) / base) return false; /* too long: left alone */
    v = v * base + (uint64_t)digit;
  }
  *nb = p;
  *ne = e;
  *value = v;
  return true;
}

/* The line with [b, e) replaced by `with` (NULL: the token removed, with the blank before
 * it). */
static char *splice(const char *line, const char *b, const char *e, const char *with) {
  size_t lead = (size_t)(b - line);
  if (!with)
    while (lead && (line[lead - 1] == ' ' || line[lead - 1] == '\t')) lead--;
  size_t wl = with ? strlen(with) : 0, tail = strlen(e);
  char *s = malloc(lead + wl + tail + 1);
  if (!s) return NULL;
  memcpy(s, line, lead);
  memcpy(s + lead, with ? with : "", wl);
  memcpy(s + lead + wl, e, tail + 1);
  return s;
}

/* Tries line i with its text replaced by `text` (taken: kept or freed). 1 kept, 0 not, < 0
 * stop. */
static int try_text(const shrink_config *cfg, shrink_result *r, size_t i, char *text) {
  if (!text) return SHRINK_E_NOMEM;
  const char *old = r->lines[i].text;
  r->lines[i].text = text;
  int v = judge(cfg, r, r->lines, r->n);
  if (v == 1) {
    free((char *)old);
    return 1;
  }
  r->lines[i].text = old;
  free(text);
  return v;
}

/* The tokens of line i, from the second on: each removed if it can go, else its number
 * simplified. */
static int simplify_line(const shrink_config *cfg, shrink_result *r, size_t i, bool *changed) {
  for (unsigned t = 1;; t++) {
    /* find token t afresh (the text changes as we go) */
    const char *s = r->lines[i].text, *b = s, *e = s;
    unsigned k = 0;
    for (;;) {
      while (*b == ' ' || *b == '\t') b++;
      if (!*b) return 0;
      for (e = b; *e && *e != ' ' && *e != '\t'; e++) {
      }
      if (k++ == t) break;
      b = e;
    }
    int v = try_text(cfg, r, i, splice(s, b, e, NULL));
    if (v < 0) return v;
    if (v) {
      *changed = true;
      t--; /* the next token has this one's index now */
      continue;
    }
    const char *nb, *ne;
    uint64_t value;
    bool hex;
    if (!token_number(b, e, &nb, &ne, &value, &hex) || !value) continue;
    /* 0, else the set bits one at a time from the highest; each text is rebuilt from the
     * current line (try_text may have replaced it) */
    size_t off_b = (size_t)(nb - s), off_e = (size_t)(ne - s);
    for (int bit = 64; bit >= 0; bit--) {
      uint64_t next;
      if (bit == 64) next = 0;
      else if (value & (UINT64_C(1) << bit)) next = value & ~(UINT64_C(1) << bit);
      else continue;
      char num[32];
      if (hex) snprintf(num, sizeof num, "0x%" PRIx64, next);
      else snprintf(num, sizeof num, "%" PRIu64, next);
      const char *cur = r->lines[i].text;
      v = try_text(cfg, r, i, splice(cur, cur + off_b, cur + off_e, num));
      if (v < 0) return v;
      if (v) {
        *changed = true;
        value = next;
        off_e = off_b + strlen(num);
        if (!value) break;
      }
    }
  }
}

int shrink_values(const shrink_config *cfg, shrink_result *r, bool *changed) {
  *changed = false;
  for (size_t i = 0; i < r->n; i++) {
    int v = simplify_line(cfg, r, i, changed);
    if (v < 0) return v;
  }
  return 0;
}

/* ---- The whole ---------------------------------------------------------------------------- */

int shrink_run(const shrink_config *cfg, const shrink_line *in, size_t n, shrink_result *out) {
  memset(out, 0, sizeof *out);
  out->lines = calloc(n ? n : 1, sizeof *out->lines);
  if (!out->lines) return SHRINK_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    char *t = strdup(in[i].text);
    if (!t) {
      shrink_result_free(out);
      return SHRINK_E_NOMEM;
    }
    out->lines[out->n++] = (shrink_line){.id = in[i].id, .text = t};
  }
  for (;;) {
    bool lines_went, values_changed = false;
    out->rounds++;
    int v = shrink_ddmin(cfg, out, &lines_went);
    if (v >= 0 && !cfg->no_values) v = shrink_values(cfg, out, &values_changed);
    if (v == SHRINK_E_NOMEM) shrink_result_free(out);
    if (v < 0) return v;
    if (!values_changed || (cfg->max_rounds && out->rounds >= cfg->max_rounds)) return 0;
  }
}

void shrink_result_free(shrink_result *r) {
  for (size_t i = 0; i < r->n; i++) free((char *)r->lines[i].text);
  free(r->lines);
  if (r->cache) {
    free(r->cache->keys);
    free(r->cache->verdicts);
    free(r->cache);
  }
  memset(r, 0, sizeof *r);
}
