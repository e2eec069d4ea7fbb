/* `pmmu trace` (tlbtrace.h, docs/trace.md): the run is `pmmu sim --trace` on the model; the
 * OS's event hook shows every user translation (os_event REQUEST, RESPONSE, ACCESS), and the
 * TLB is read through the model's public API (pmmu_tlb_read). The model keeps its replacement
 * state to itself, so the order "by last use" is kept here: a hit touches its way, a fill
 * touches the way it wrote (docs/tlb.md, "What updates the replacement state"). */
#include "tlbtrace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_WAYS 16

typedef struct tracer {
  const tlbtrace_options *o;
  FILE *out;
  pmmu_t *m;
  uint64_t *stamp; /* [set * ways + way]: when the way was last touched */
  uint64_t clock;
  pmmu_tlb_entry before[MAX_WAYS]; /* the set before the current request */
  tlbtrace_counts n;
  char result[160]; /* the current access: its lookups, faults, retries */
  bool evicted;
  uint32_t victim; /* its VPN */
  bool header;
} tracer;

void tlbtrace_options_init(tlbtrace_options *o) {
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  memset(o, 0, sizeof *o);
  o->sets = cfg.tlb_sets;
  o->ways = cfg.tlb_ways;
  o->large = cfg.tlb_large;
  o->policy = cfg.policy;
  o->frames = 1024;
}

static unsigned set_of(const tracer *t, uint32_t va) { return (va >> 12) & (t->o->sets - 1); }

static void read_set(const tracer *t, unsigned set, pmmu_tlb_entry *out) {
  for (unsigned w = 0; w < t->o->ways; w++)
    if (pmmu_tlb_read(t->m, false, set, w, &out[w]) != PMMU_E_OK) out[w].valid = false;
}

static void print_header(tracer *t) {
  if (t->header || !t->o->verbose) return;
  t->header = true;
  fprintf(t->out,
          "# pmmu trace %s: TLB %u sets x %u ways + %u large, %s; %u frames\n"
          "# access pid kind address: first lookup (then retries after a fault) [evict=VPN "
          "replaced] | set S: its 4 KiB entries (VPNs) after the access, oldest to newest by "
          "last use | running counts\n",
          t->o->trace, t->o->sets, t->o->ways, t->o->large, pmmu_policy_name(t->o->policy),
          t->o->frames);
}

static void append(tracer *t, const char *word) {
  size_t used = strlen(t->result);
  snprintf(t->result + used, sizeof t->result - used, "%s%s", used ? " " : "", word);
}

/* The entry of this page in its set after a successful translation: a hit touched it, a fill
 * wrote it (over the victim, if the way held another page before). */
static void touch(tracer *t, uint32_t va, const pmmu_response *r) {
  unsigned set = set_of(t, va);
  pmmu_tlb_entry now[MAX_WAYS];
  read_set(t, set, now);
  for (unsigned w = 0; w < t->o->ways; w++) {
    if (!now[w].valid || now[w].page_shift != 12 || now[w].vpn != va >> 12) continue;
    t->stamp[set * t->o->ways + w] = ++t->clock;
    if (r->tlb == PMMU_TLB_MISS && t->before[w].valid && t->before[w].vpn != va >> 12) {
      t->evicted = true;
      t->victim = t->before[w].vpn;
    }
    return;
  }
}

static void on_response(tracer *t, const os_event *ev) {
  const pmmu_response *r = ev->response;
  if (ev->attempt == 0) {
    if (r->tlb == PMMU_TLB_HIT) t->n.hits++;
    else t->n.misses++;
  } else {
    append(t, "retry");
  }
  if (r->tlb == PMMU_TLB_MISS) t->n.walks++;
  append(t, r->tlb == PMMU_TLB_HIT ? "hit" : r->dropped_entry ? "miss(dropped)" : "miss");
  if (r->outcome == PMMU_PAGE_FAULT) {
    char f[24];
    snprintf(f, sizeof f, "fault=0x%" PRIx32, r->error_code);
    append(t, f);
    t->n.faults++;
  } else if (r->outcome == PMMU_OK) {
    touch(t, ev->va, r);
  }
}

/* The set after the access, its valid 4 KiB entries oldest to newest by last use. */
static void print_set(const tracer *t, unsigned set) {
  pmmu_tlb_entry e[MAX_WAYS];
  read_set(t, set, e);
  bool shown[MAX_WAYS] = {false};
  unsigned n = 0;
  fprintf(t->out, "set %u:", set);
  for (;;) {
    int oldest = -1;
    for (unsigned w = 0; w < t->o->ways; w++)
      if (e[w].valid && !shown[w] &&
          (oldest < 0 || t->stamp[set * t->o->ways + w] < t->stamp[set * t->o->ways + oldest]))
        oldest = (int)w;
    if (oldest < 0) break;
    shown[oldest] = true;
    fprintf(t->out, " 0x%05" PRIx32, e[oldest].vpn);
    n++;
  }
  if (!n) fprintf(t->out, " -");
}

static void print_counts(const tracer *t) {
  fprintf(t->out, "hits:%" PRIu64 " misses:%" PRIu64 " walks:%" PRIu64 " faults:%" PRIu64 "\n",
          t->n.hits, t->n.misses, t->n.walks, t->n.faults);
}

static void on_access(tracer *t, const os_event *ev) {
  t->n.accesses++;
  if (ev->segv) append(t, "SIGSEGV");
  if (!t->o->verbose) return;
  static const char kinds[] = "RWX";
  fprintf(t->out, "%" PRIu64 " pid=%d %c 0x%08" PRIx32 " %s", t->n.accesses, ev->pid,
          kinds[ev->acc], ev->va, t->result);
  if (t->evicted) fprintf(t->out, " evict=0x%05" PRIx32, t->victim);
  fprintf(t->out, " | ");
  print_set(t, set_of(t, ev->va));
  fprintf(t->out, " | ");
  print_counts(t);
}

/* The OS's own events that change the TLB between accesses, as comments. */
static void on_os_event(tracer *t, const os_event *ev) {
  if (!t->o->verbose) return;
  switch (ev->kind) {
  case OS_EV_SWITCH:
    fprintf(t->out, "# pid=%d runs: CR3 written, every non-global entry flushed\n", ev->pid);
    break;
  case OS_EV_FORK:
    fprintf(t->out,
            "# pid=%d forks pid=%d: its %u writable pages made copy-on-write (INVLPG each, or "
            "a CR3 reload above 32)\n",
            ev->pid, ev->other_pid, ev->cow_pages);
    break;
  case OS_EV_EXIT: fprintf(t->out, "# pid=%d exits\n", ev->pid); break;
  default: break;
  }
}

static void on_event(void *ctx, const os_t *os, const os_event *ev) {
  tracer *t = ctx;
  if (!t->m) t->m = engine_model(os_engine(os));
  print_header(t);
  switch (ev->kind) {
  case OS_EV_REQUEST:
    if (ev->attempt == 0) {
      t->result[0] = '\0';
      t->evicted = false;
    }
    read_set(t, set_of(t, ev->va), t->before);
    break;
  case OS_EV_RESPONSE: on_response(t, ev); break;
  case OS_EV_ACCESS: on_access(t, ev); break;
  default: on_os_event(t, ev); break;
  }
}

int tlbtrace_run(const tlbtrace_options *o, FILE *out, FILE *err, tlbtrace_counts *counts) {
  tracer t = {.o = o, .out = out};
  memset(counts, 0, sizeof *counts);
  if (o->ways > MAX_WAYS || !(t.stamp = calloc((size_t)o->sets * o->ways, sizeof *t.stamp))) {
    fprintf(err, "pmmu trace: error: out of memory\n");
    return TB_E_NOMEM;
  }
  sim_options so;
  sim_options_init(&so);
  so.trace = o->trace;
  so.accesses = 0;
  so.engine = ENGINE_MODEL;
  so.setup.tlb_sets = o->sets;
  so.setup.tlb_ways = o->ways;
  so.setup.tlb_large = o->large;
  so.setup.policy = o->policy;
  so.os.frames = o->frames;
  so.os.segv_print_limit = 0; /* the -v line says SIGSEGV */
  so.os.log = err;
  so.os.event = on_event;
  so.os.event_ctx = &t;
  so.silent = true;
  sim_result res;
  int status = sim_run(&so, out, err, &res);
  if (status >= 0) {
    print_header(&t);
    print_counts(&t);
  }
  *counts = t.n;
  free(t.stamp);
  return status;
}
