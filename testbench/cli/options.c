/* The shared option parser (options.h). */
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal, or hexadecimal after 0x: digits only (strtoull alone would take a sign, leading
 * white space, and octal after a 0). */
bool cli_parse_u64(const char *s, uint64_t *out) {
  if (!s) return false;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  /* digits to the end: checking the first one is not enough, strtoull would read "0x0x10" as
   * 0x10 (found by the fuzzer: testbench/fuzz/corpus/cli_options/regressions) */
  const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
  if (!*s || s[strspn(s, digits)]) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (*end || errno) return false;
  *out = v;
  return true;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", cmd->prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s'.\n", cmd->help);
  return 2;
}

/* What a value of this option looks like, for messages. */
static void expected(const cli_option *o, char *buf, size_t len) {
  switch (o->type) {
  case CLI_UNSIGNED:
  case CLI_U64: snprintf(buf, len, "a number %" PRIu64 "..%" PRIu64, o->min, o->max); break;
  case CLI_RANGE:
    snprintf(buf, len, "N or A..B, numbers %" PRIu64 "..%" PRIu64 ", A <= B", o->min, o->max);
    break;
  default: snprintf(buf, len, "%s", o->what ? o->what : "a value"); break;
  }
}

static bool number(const cli_option *o, const char *s, uint64_t *v) {
  return cli_parse_u64(s, v) && *v >= o->min && *v <= o->max;
}

/* N or A..B */
static bool range(const cli_option *o, const char *s) {
  const char *dots = strstr(s, "..");
  uint64_t lo, hi;
  char first[32];
  if (!dots) {
    if (!number(o, s, &lo)) return false;
    hi = lo;
  } else {
    size_t n = (size_t)(dots - s);
    if (n == 0 || n >= sizeof first) return false;
    memcpy(first, s, n);
    first[n] = '\0';
    if (!number(o, first, &lo) || !number(o, dots + 2, &hi) || lo > hi) return false;
  }
  *(unsigned *)o->dest = (unsigned)lo;
  *(unsigned *)o->dest2 = (unsigned)hi;
  return true;
}

/* Stores the value; false when it is not one this option takes. */
static bool store(const cli_option *o, const char *value) {
  uint64_t v;
  switch (o->type) {
  case CLI_UNSIGNED:
    if (!number(o, value, &v)) return false;
    *(unsigned *)o->dest = (unsigned)v;
    return true;
  case CLI_U64:
    if (!number(o, value, &v)) return false;
    *(uint64_t *)o->dest = v;
    return true;
  case CLI_RANGE: return range(o, value);
  case CLI_STRING:
    if (!*value) return false;
    *(const char **)o->dest = value;
    return true;
  case CLI_CHOICE: return o->choose(value, o->dest);
  default: return false;
  }
}

static const cli_option *lookup(const cli_command *cmd, const char *name, size_t len) {
  for (size_t t = 0; t < sizeof cmd->opts / sizeof cmd->opts[0] && cmd->opts[t]; t++)
    for (const cli_option *o = cmd->opts[t]; o->name; o++)
      if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
  return NULL;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, unsigned *n_operands) {
  *n_operands = 0;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] != '-' || arg[1] == '\0') { /* an operand ("-": standard input) */
      if (!cmd->operands || *n_operands >= cmd->max_operands)
        return cli_usage_error(cmd, "unexpected argument '%s'", arg);
      cmd->operands[(*n_operands)++] = argv[i];
      continue;
    }
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_option *o = lookup(cmd, arg, len);
    if (!o) return cli_usage_error(cmd, "unknown option '%.*s'", (int)len, arg);
    if (o->given) *o->given = true;
    if (o->type == CLI_FLAG || o->type == CLI_HELP) {
      if (eq) return cli_usage_error(cmd, "'%s' takes no value", o->name);
      *(bool *)o->dest = true;
      if (o->type == CLI_HELP) return 0;
      continue;
    }
    const char *value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
    char want[96];
    expected(o, want, sizeof want);
    if (!value || (!eq && strncmp(value, "--", 2) == 0))
      return cli_usage_error(cmd, "missing value for '%s' (%s)", o->name, want);
    if (!store(o, value))
      return cli_usage_error(cmd, "bad value '%s' for '%s' (%s)", value, o->name, want);
  }
  return 0;
}
