/* `pmmu quiz`: seeded translation exercises, their answers, grading and exports (quiz.h,
 * docs/quiz.md). This file reads the options; the quiz library does the rest. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "quiz.h"

static const char help_text[] =
    "usage: pmmu quiz [--seed S | --student ID --assignment NAME] [--pse | --pae [--nx]]\n"
    "                 [--items N] [--decoded] [--solve | --reveal pa]\n"
    "       pmmu quiz ... --check \"KEY=VALUE,...\" [--item N] [--json]\n"
    "       pmmu quiz ... --format text|md|csv|pmmu|gift [--tlb-sets N]\n"
    "       pmmu quiz ... --json\n"
    "\n"
    "A seeded address-translation exercise (docs/quiz.md): page tables at random physical\n"
    "addresses and N accesses to translate by hand. The same options give the same exercise,\n"
    "byte for byte, on every machine. The answers are the model's own (libpmmu).\n"
    "  --seed S          the exercise's seed, 0 .. 2^64-1, decimal or 0x hex (default 1)\n"
    "  --student ID --assignment NAME\n"
    "                    the seed is FNV-1a 64 of \"NAME\\0ID\": one variant per student\n"
    "  --pse             32-bit paging with 4 MiB pages too (CR4.PSE=1)\n"
    "  --pae             PAE paging (8-byte entries, a PDPT, 2 MiB pages); --nx: with NX\n"
    "  --items N         accesses to translate, 1..64 (default 4)\n"
    "  --decoded         the tables one entry a line with their flags, not a hex dump\n"
    "  --solve           each answer step by step: indexes, entry addresses and values, frame,\n"
    "                    physical address, or the fault, its rule, error code and CR2\n"
    "  --reveal pa       only the final answers (a physical address or an error code)\n"
    "  --check ANSWER    grade one item's answer, step by step in walk order; ANSWER is\n"
    "                    KEY=VALUE pairs, any subset in any order, separated by commas:\n"
    "                      dir table        directory and table index\n"
    "                      pde_addr pde     the PDE's physical address and its value\n"
    "                      pte_addr pte     the PTE's physical address and its value\n"
    "                      frame            the page's physical base (or its frame number)\n"
    "                      fault            the #PF error code, or none\n"
    "                      pa               the physical address\n"
    "                      pdpt pdpte_addr pdpte   (PAE) the PDPTE index, address, value\n"
    "                    values decimal or 0x hex; e.g. --check \"pde=0x00345067,pa=0x567123\"\n"
    "  --item N          the item --check grades, 1..--items (default 1)\n"
    "  --format F        an export: text, md or csv (the answer grid: VA split, TLB set and\n"
    "                    tag, TLB hit, fault, PPN, PA), pmmu (a scenario whose expect lines\n"
    "                    are the key: pmmu run checks it), gift (Moodle questions)\n"
    "  --tlb-sets N      the grid's TLB: N sets (a power of two 1..1024, default 16) x 4 ways\n"
    "  --json            the exercise and its key as one JSON document; with --check, the\n"
    "                    grading as JSON\n"
    "exit status: 0 success (with --check: every step given is right); 1 a step is wrong;\n"
    "             2 bad usage or a malformed answer\n";

static bool choose_reveal(const char *word, void *dest) {
  *(bool *)dest = strcmp(word, "pa") == 0;
  return *(bool *)dest;
}

static bool choose_format(const char *word, void *dest) { return quiz_format_parse(word, dest); }

typedef struct quiz_cli {
  quiz_options o;
  bool help, pse, pae, decoded, solve, reveal, json, seed_given, format_given, item_given;
  const char *check;
  unsigned item;
  quiz_format format;
} quiz_cli;

/* The combinations that make no sense; 0 or the usage status after the message. */
static int check_combinations(const cli_command *cmd, const quiz_cli *c) {
  if (c->pse && c->pae)
    return cli_usage_error(
        cmd, "--pse and --pae exclude each other (PAE paging always has 2 MiB pages)");
  if (c->seed_given && c->o.student)
    return cli_usage_error(cmd, "--seed and --student exclude each other");
  if (c->solve && c->reveal) return cli_usage_error(cmd, "--solve and --reveal exclude each other");
  if (c->item_given && !c->check) return cli_usage_error(cmd, "--item needs --check");
  bool view = c->solve || c->reveal || c->decoded;
  if (c->check && (view || c->format_given))
    return cli_usage_error(
        cmd, "--check grades an answer: it excludes --solve, --reveal, --decoded and --format");
  if (c->format_given && (c->solve || c->reveal || c->json))
    return cli_usage_error(
        cmd, "--format is an export with its answers: it excludes --solve, --reveal and --json");
  if (c->decoded && c->format_given && c->format != QUIZ_FORMAT_GIFT)
    return cli_usage_error(cmd, "--decoded changes the exercise's view and --format gift only");
  if (c->json && !c->check && (c->reveal || c->decoded))
    return cli_usage_error(
        cmd,
        "--json always carries the tables and the answers: it excludes --reveal and --decoded");
  const char *why = quiz_options_check(&c->o);
  if (why) return cli_usage_error(cmd, "%s", why);
  if (c->check && c->item > c->o.items)
    return cli_usage_error(cmd, "--item %u: the exercise has %u item%s", c->item, c->o.items,
                           c->o.items == 1 ? "" : "s");
  return 0;
}

static int run_check(const cli_command *cmd, const quiz_t *q, const quiz_cli *c) {
  char why[256];
  quiz_check_status st = quiz_check(q, c->item, c->check, c->json, stdout, why, sizeof why);
  if (st != QUIZ_CHECK_MALFORMED) return st == QUIZ_CHECK_RIGHT ? 0 : EXIT_EXPECT;
  return cli_usage_error(cmd, "malformed answer for --check: %s", why);
}

static int run(const cli_command *cmd, const quiz_cli *c) {
  quiz_t *q = quiz_generate(&c->o);
  if (!q) {
    fprintf(stderr, "pmmu quiz: out of memory\n");
    return EXIT_USAGE;
  }
  int status = 0;
  if (c->check) status = run_check(cmd, q, c);
  else if (c->json) quiz_print_json(q, stdout);
  else if (c->format_given) quiz_export(q, c->format, c->decoded, stdout);
  else
    quiz_print(q,
               c->solve    ? QUIZ_VIEW_SOLVE
               : c->reveal ? QUIZ_VIEW_REVEAL
                           : QUIZ_VIEW_QUESTION,
               c->decoded, stdout);
  quiz_free(q);
  return status;
}

int cmd_quiz(int argc, char **argv) {
  quiz_cli c = {.item = 1};
  quiz_options_init(&c.o);
  const cli_option own[] = {
      {.name = "--help", .type = CLI_HELP, .dest = &c.help},
      {.name = "-h", .type = CLI_HELP, .dest = &c.help},
      {.name = "--seed",
       .type = CLI_U64,
       .dest = &c.o.seed,
       .max = UINT64_MAX,
       .given = &c.seed_given},
      {.name = "--student", .type = CLI_STRING, .dest = &c.o.student, .what = "a student's ID"},
      {.name = "--assignment",
       .type = CLI_STRING,
       .dest = &c.o.assignment,
       .what = "an assignment's name"},
      {.name = "--pse", .type = CLI_FLAG, .dest = &c.pse},
      {.name = "--pae", .type = CLI_FLAG, .dest = &c.pae},
      {.name = "--nx", .type = CLI_FLAG, .dest = &c.o.nx},
      {.name = "--items",
       .type = CLI_UNSIGNED,
       .dest = &c.o.items,
       .min = 1,
       .max = QUIZ_MAX_ITEMS},
      {.name = "--decoded", .type = CLI_FLAG, .dest = &c.decoded},
      {.name = "--solve", .type = CLI_FLAG, .dest = &c.solve},
      {.name = "--reveal",
       .type = CLI_CHOICE,
       .dest = &c.reveal,
       .choose = choose_reveal,
       .what = "pa"},
      {.name = "--check",
       .type = CLI_STRING,
       .dest = &c.check,
       .what = "KEY=VALUE,... (see --help)"},
      {.name = "--item",
       .type = CLI_UNSIGNED,
       .dest = &c.item,
       .min = 1,
       .max = QUIZ_MAX_ITEMS,
       .given = &c.item_given},
      {.name = "--format",
       .type = CLI_CHOICE,
       .dest = &c.format,
       .choose = choose_format,
       .what = QUIZ_FORMATS,
       .given = &c.format_given},
      {.name = "--tlb-sets", .type = CLI_UNSIGNED, .dest = &c.o.tlb_sets, .min = 1, .max = 1024},
      {.name = "--json", .type = CLI_FLAG, .dest = &c.json},
      {0}};
  cli_command cmd = {.prog = "pmmu quiz", .help = "pmmu quiz --help", .opts = {own}};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (c.help) {
    fputs(help_text, stdout);
    return 0;
  }
  c.o.mode = c.pae ? QUIZ_MODE_PAE : c.pse ? QUIZ_MODE_PSE : QUIZ_MODE_32;
  if (check_combinations(&cmd, &c)) return EXIT_USAGE;
  if (c.o.student) c.o.seed = quiz_student_seed(c.o.assignment, c.o.student);
  return run(&cmd, &c);
}
