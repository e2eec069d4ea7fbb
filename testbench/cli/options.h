/*
 * The one option parser of every `pmmu` command (run, explain, cosim, sim). A command lists
 * its options as a table of typed entries; cli_parse fills the destinations, collects the
 * operands, and on the first problem prints one message that names the option and the
 * value ("pmmu cosim: bad value 'x' for '--seeds' (a number 1..18446744073709551615)"),
 * then "Try 'pmmu ... --help'.", and returns 2 (the usage exit status).
 *
 * Accepted forms: --name VALUE, --name=VALUE; numbers in decimal or 0x hexadecimal, digits
 * only (no sign, white space or octal; an overflow is an error); "-" alone is an operand (standard input). A value may not start with "--" (that is
 * the next option: the value is missing).
 */
#ifndef PMMU_CLI_OPTIONS_H
#define PMMU_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cli_opt_type {
  CLI_FLAG,     /* bool *dest = true; takes no value */
  CLI_HELP,     /* the same, and parsing stops there (the command prints its help) */
  CLI_UNSIGNED, /* unsigned *dest: a number min..max */
  CLI_U64,      /* uint64_t *dest: a number min..max */
  CLI_RANGE,    /* unsigned *dest, *dest2: N (both N) or A..B, numbers min..max, A <= B */
  CLI_STRING,   /* const char **dest: any value */
  CLI_CHOICE    /* a word that choose() turns into *dest; `what` lists the words */
} cli_opt_type;

typedef struct cli_option {
  const char *name; /* "--seed"; NULL ends a table */
  cli_opt_type type;
  void *dest;
  uint64_t min, max; /* numbers, inclusive */
  bool (*choose)(const char *word, void *dest);
  const char *what; /* CLI_CHOICE and CLI_STRING: the value, for messages ("a file name") */
  bool *given;      /* optional: set when the option is given */
  void *dest2;      /* CLI_RANGE: the upper bound */
} cli_option;

typedef struct cli_command {
  const char *prog;          /* "pmmu cosim": the start of every message */
  const char *help;          /* "pmmu --help": the command that shows the usage */
  const cli_option *opts[3]; /* up to three tables (a command's own, the waves options) */
  char **operands;           /* NULL: the command takes none */
  unsigned max_operands;
} cli_command;

/* 0 with every option stored and *n_operands operands; 2 after the message on stderr. */
int cli_parse(const cli_command *cmd, int argc, char **argv, unsigned *n_operands);

/* A usage error of the command's own (after parsing): "<prog>: <message>" and the Try line
 * on stderr; returns 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A number as the options read it (base 0, nothing after it, no sign, no overflow). */
bool cli_parse_u64(const char *s, uint64_t *out);

#endif
