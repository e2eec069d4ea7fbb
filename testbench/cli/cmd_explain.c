/* `pmmu explain FILE VA [read|write|fetch] [user|sup|implicit] [ac] [--json]` (explain.c draws
 * it, explain_json.c writes it as JSON, explain_tlb.c adds the TLB). */
#include <string.h>

#include "cli.h"
#include "explain.h"
#include "run.h"
#include "scenario.h"

/* The words after VA. */
static bool take_word(const char *w, pmmu_request *req) {
  if (strcmp(w, "read") == 0) req->access = PMMU_READ;
  else if (strcmp(w, "write") == 0) req->access = PMMU_WRITE;
  else if (strcmp(w, "fetch") == 0) req->access = PMMU_FETCH;
  else if (strcmp(w, "user") == 0) req->priv = PMMU_USER;
  else if (strcmp(w, "sup") == 0) req->priv = PMMU_SUPERVISOR;
  else if (strcmp(w, "implicit") == 0) req->priv = PMMU_IMPLICIT;
  else if (strcmp(w, "ac") == 0) req->ac = true;
  else return false;
  return true;
}

/* Runs the scenario silently on the model, then explains `req` on its final state. */
static int explain_file(const char *path, const pmmu_request *req, bool json) {
  scenario s;
  if (scenario_load(path, &s, stderr)) {
    scenario_free(&s);
    return EXIT_USAGE;
  }
  tb_error err;
  engine_setup setup = scenario_engine_setup(&s);
  engine_t *e = engine_create(ENGINE_MODEL, &setup, &err);
  int status = 0;
  if (!e) {
    fprintf(stderr, "%s: error: %s\n", scenario_display_name(&s), err.msg);
    status = EXIT_USAGE;
  } else {
    run_options quiet = {.quiet = true};
    run_result res;
    int st = scenario_run(&s, e, &quiet, stdout, &res, &err);
    if (st < 0) fprintf(stderr, "%s\n", err.msg);
    if (st < 0 ||
        explain_translation(engine_model(e), req, scenario_display_name(&s), json, stdout))
      status = EXIT_USAGE;
    engine_destroy(e);
  }
  scenario_free(&s);
  return status;
}

static const char help_text[] =
    "usage: pmmu explain FILE VA [read|write|fetch] [user|sup|implicit] [ac] [--json]\n"
    "\n"
    "Runs the scenario FILE silently on the C model, then shows one access to the linear\n"
    "address VA on its final state, step by step: the control registers, how VA splits, each\n"
    "entry the walk reads with its flags, the combined rights and the rule that allows or\n"
    "denies the access, the physical address or the #PF error code, and the TLB: the entry\n"
    "the next access would find (set, way), side by side with memory when it is stale, which\n"
    "one the next access uses and what would remove it. Changes nothing (no A/D write, no TLB\n"
    "fill). Default: read, sup. VA is a linear address 0..0xffffffff, decimal or 0x hex.\n"
    "\n"
    "  --json   one JSON object instead (docs/spec/scenario-format.md)\n"
    "  --help   this text\n";

int cmd_explain(int argc, char **argv) {
  char *words[8];
  bool json = false, help = false;
  const cli_option own[] = {{.name = "--json", .type = CLI_FLAG, .dest = &json},
                            {.name = "--help", .type = CLI_HELP, .dest = &help},
                            {.name = "-h", .type = CLI_HELP, .dest = &help},
                            {0}};
  cli_command cmd = {.prog = "pmmu explain",
                     .help = "pmmu explain --help",
                     .opts = {own},
                     .operands = words,
                     .max_operands = 8};
  unsigned n;
  if (cli_parse(&cmd, argc, argv, &n)) return EXIT_USAGE;
  if (help) {
    fputs(help_text, stdout);
    return 0;
  }
  if (n < 2)
    return cli_usage_error(&cmd,
                           "'explain' needs FILE VA [read|write|fetch] [user|sup|implicit] [ac]");
  pmmu_request req = {.access = PMMU_READ, .priv = PMMU_SUPERVISOR};
  uint64_t va;
  if (!cli_parse_u64(words[1], &va) || va > UINT32_MAX)
    return cli_usage_error(&cmd, "bad linear address '%s'", words[1]);
  req.la = (uint32_t)va;
  for (unsigned i = 2; i < n; i++)
    if (!take_word(words[i], &req))
      return cli_usage_error(
          &cmd, "unknown word '%s' (read, write, fetch, user, sup, implicit, ac)", words[i]);
  if (req.access == PMMU_FETCH && req.priv == PMMU_IMPLICIT)
    return cli_usage_error(&cmd, "a fetch cannot be an implicit access");
  return explain_file(words[0], &req, json);
}
