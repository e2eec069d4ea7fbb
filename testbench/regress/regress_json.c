/* The JSON reader of `pmmu regress --merge/--replay` (regress.h): the whole of RFC 8259
 * that summary.json needs (objects, arrays, strings with escapes, numbers, literals), into
 * a tree; numbers keep their text too, so 64-bit seeds come back exact. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"

#define RJ_MAX_DEPTH 64

typedef struct parser {
  const char *s;
  unsigned line;
  tb_error *err;
  bool failed;
} parser;

static void fail(parser *p, const char *what) {
  if (!p->failed) tb_fail(p->err, TB_E_INPUT, "%u: %s", p->line, what);
  p->failed = true;
}

static void ws(parser *p) {
  while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r') {
    if (*p->s == '\n') p->line++;
    p->s++;
  }
}

static void put_utf8(char **o, unsigned cp) {
  if (cp < 0x80) *(*o)++ = (char)cp;
  else if (cp < 0x800) {
    *(*o)++ = (char)(0xc0 | cp >> 6);
    *(*o)++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *(*o)++ = (char)(0xe0 | cp >> 12);
    *(*o)++ = (char)(0x80 | (cp >> 6 & 0x3f));
    *(*o)++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *(*o)++ = (char)(0xf0 | cp >> 18);
    *(*o)++ = (char)(0x80 | (cp >> 12 & 0x3f));
    *(*o)++ = (char)(0x80 | (cp >> 6 & 0x3f));
    *(*o)++ = (char)(0x80 | (cp & 0x3f));
  }
}

static bool hex4(const char *s, unsigned *out) {
  *out = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    unsigned d = isdigit((unsigned char)c) ? (unsigned)(c - '0')
                 : (c >= 'a' && c <= 'f')  ? (unsigned)(c - 'a' + 10)
                 : (c >= 'A' && c <= 'F')  ? (unsigned)(c - 'A' + 10)
                                           : 16u;
    if (d > 15) return false;
    *out = *out << 4 | d;
  }
  return true;
}

static char *string(parser *p) {
  p->s++; /* the opening quote */
  size_t n = 0;
  while (p->s[n] && p->s[n] != '"') n += p->s[n] == '\\' && p->s[n + 1] ? 2 : 1;
  if (!p->s[n]) {
    fail(p, "unterminated string");
    return NULL;
  }
  char *out = regress_alloc(n + 1), *o = out;
  while (*p->s != '"') {
    unsigned char c = (unsigned char)*p->s;
    if (c < 0x20) {
      fail(p, "control character in a string");
      free(out);
      return NULL;
    }
    if (c != '\\') {
      *o++ = *p->s++;
      continue;
    }
    char e = p->s[1];
    p->s += 2;
    switch (e) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '/': *o++ = '/'; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if (!hex4(p->s, &cp)) goto bad;
      p->s += 4;
      if (cp >= 0xd800 && cp < 0xdc00 && p->s[0] == '\\' && p->s[1] == 'u' && hex4(p->s + 2, &lo) &&
          lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        p->s += 6;
      }
      put_utf8(&o, cp); /* \u escapes expand to at most the 6 or 12 bytes they took */
      break;
    }
    default:
    bad:
      fail(p, "bad escape in a string");
      free(out);
      return NULL;
    }
  }
  p->s++;
  *o = '\0';
  return out;
}

static bool value(parser *p, rj_value *v, unsigned depth);

static bool items(parser *p, rj_value *v, unsigned depth, bool object) {
  char close = object ? '}' : ']';
  size_t cap = 0;
  p->s++;
  ws(p);
  if (*p->s == close) {
    p->s++;
    return true;
  }
  for (;;) {
    v->items = regress_grow(v->items, &cap, v->n, sizeof *v->items);
    if (object) {
      char **k = realloc(v->keys, cap * sizeof *k);
      if (!k) {
        fail(p, "out of memory");
        return false;
      }
      v->keys = k;
      ws(p);
      if (*p->s != '"') {
        fail(p, "expected a string key");
        return false;
      }
      if (!(v->keys[v->n] = string(p))) return false;
      ws(p);
      if (*p->s != ':') {
        free(v->keys[v->n]);
        fail(p, "expected ':'");
        return false;
      }
      p->s++;
    }
    if (!value(p, &v->items[v->n], depth + 1)) {
      if (object) free(v->keys[v->n]);
      rj_value tmp = v->items[v->n];
      v->items[v->n] = (rj_value){0};
      rj_value *heap = regress_alloc(sizeof *heap);
      *heap = tmp;
      rj_free(heap);
      return false;
    }
    v->n++;
    ws(p);
    if (*p->s == ',') {
      p->s++;
      continue;
    }
    if (*p->s == close) {
      p->s++;
      return true;
    }
    fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    return false;
  }
}

static bool value(parser *p, rj_value *v, unsigned depth) {
  memset(v, 0, sizeof *v);
  if (depth > RJ_MAX_DEPTH) {
    fail(p, "nested too deeply");
    return false;
  }
  ws(p);
  const char *s = p->s;
  if (*s == '{') {
    v->type = RJ_OBJECT;
    return items(p, v, depth, true);
  }
  if (*s == '[') {
    v->type = RJ_ARRAY;
    return items(p, v, depth, false);
  }
  if (*s == '"') {
    v->type = RJ_STRING;
    return (v->str = string(p)) != NULL;
  }
  if (strncmp(s, "true", 4) == 0 || strncmp(s, "false", 5) == 0) {
    v->type = RJ_BOOL;
    v->b = *s == 't';
    p->s += v->b ? 4 : 5;
    return true;
  }
  if (strncmp(s, "null", 4) == 0) {
    v->type = RJ_NULL;
    p->s += 4;
    return true;
  }
  if (*s == '-' || isdigit((unsigned char)*s)) {
    char *end;
    v->num = strtod(s, &end);
    if (end == s) {
      fail(p, "bad number");
      return false;
    }
    v->type = RJ_NUMBER;
    v->str = regress_alloc((size_t)(end - s) + 1);
    memcpy(v->str, s, (size_t)(end - s));
    p->s = end;
    return true;
  }
  fail(p, *s ? "unexpected character" : "unexpected end of the text");
  return false;
}

static void free_inner(rj_value *v) {
  for (size_t i = 0; i < v->n; i++) {
    free_inner(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
}

void rj_free(rj_value *v) {
  if (!v) return;
  free_inner(v);
  free(v);
}

rj_value *rj_parse(const char *text, tb_error *err) {
  parser p = {.s = text, .line = 1, .err = err};
  rj_value *v = regress_alloc(sizeof *v);
  if (value(&p, v, 0)) {
    ws(&p);
    if (!*p.s) return v;
    fail(&p, "text after the value");
  }
  rj_free(v);
  return NULL;
}

const rj_value *rj_get(const rj_value *obj, const char *key) {
  if (!obj || obj->type != RJ_OBJECT) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

void rj_write_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
    else if (*c == '\n') fputs("\\n", f);
    else if (*c == '\t') fputs("\\t", f);
    else if (*c < 0x20) fprintf(f, "\\u%04x", *c);
    else fputc(*c, f);
  }
  fputc('"', f);
}
