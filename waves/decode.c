/*
 * pmmu-decode-entry / pmmu-decode-ec: GTKWave translate filter processes (docs/waves.md).
 *
 * GTKWave starts the program once and writes one value per line on its standard input, in
 * the trace's display format (the save files show these traces in hex); the program answers
 * each with one line of text shown instead of the value.
 *
 *   entry: a paging-structure entry (PDE/PTE, 32 bits; an 8-byte PAE entry too) as its frame
 *          and flags:    "frame 0x00123 P W U A - -- G"  (a dash: flag clear)
 *   ec:    a #PF error code as its named bits: "P WR US RSVD ID" (set bits only; "-": none)
 *
 * The mode is the program's name (the .gtkw format gives a filter no arguments) or, when
 * run by hand, the first argument: `pmmu-decode-entry` / `pmmu-decode-ec`, or
 * `pmmu-decode entry|ec [VALUE...]` which decodes the values given and exits.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode_fmt.h"

enum mode { ENTRY, EC };

/* Parses a hex value (optionally "0x"; binary when every digit is 0/1 and `binary`); returns 0
 * when the text holds x, z or anything that is not a number. */
static int parse_value(const char *s, uint64_t *out) {
  while (*s == ' ' || *s == '\t') s++;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
  uint64_t v = 0;
  int digits = 0;
  for (; *s && *s != '\n' && *s != '\r' && *s != ' '; s++, digits++) {
    int c = tolower((unsigned char)*s), d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return 0;
    v = (v << 4) | (uint64_t)d;
  }
  *out = v;
  return digits > 0;
}

static void answer(enum mode m, const char *line) {
  uint64_t v;
  char text[128];
  if (!parse_value(line, &v)) { /* x, z, or not a number: shown as given */
    size_t n = strcspn(line, "\r\n");
    printf("%.*s\n", (int)n, line);
  } else {
    if (m == ENTRY) decode_entry(v, text, sizeof text);
    else decode_ec(v, text, sizeof text);
    printf("%s\n", text);
  }
  fflush(stdout); /* GTKWave waits for each line */
}

int main(int argc, char **argv) {
  const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  enum mode m;
  int first = 1;
  if (strstr(name, "decode-ec")) m = EC;
  else if (strstr(name, "decode-entry")) m = ENTRY;
  else if (argc > 1 && strcmp(argv[1], "ec") == 0) m = EC, first = 2;
  else if (argc > 1 && strcmp(argv[1], "entry") == 0) m = ENTRY, first = 2;
  else {
    fprintf(stderr, "usage: pmmu-decode entry|ec [HEXVALUE...]\n");
    return 2;
  }
  if (argc > first) {
    for (int i = first; i < argc; i++) answer(m, argv[i]);
    return 0;
  }
  char line[256];
  while (fgets(line, sizeof line, stdin)) answer(m, line);
  return 0;
}
