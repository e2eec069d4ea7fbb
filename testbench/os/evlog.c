/* The OS event log (evlog.h, docs/os.md "The event log"). */
#include "evlog.h"

#include <inttypes.h>
#include <string.h>

static const struct {
  const char *word;
  unsigned mask;
} kinds[] = {{"faults", EVLOG_FAULTS}, {"evictions", EVLOG_EVICTIONS}, {"swap", EVLOG_SWAP},
             {"cow", EVLOG_COW},       {"segv", EVLOG_SEGV},           {"switch", EVLOG_SWITCH},
             {"fork", EVLOG_FORK},     {"exit", EVLOG_EXIT},           {"all", EVLOG_ALL}};

bool evlog_parse(const char *list, unsigned *mask, char *bad, size_t bad_len) {
  *mask = 0;
  const char *s = list;
  do {
    size_t n = strcspn(s, ",");
    unsigned found = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !found; i++)
      if (strlen(kinds[i].word) == n && strncmp(s, kinds[i].word, n) == 0) found = kinds[i].mask;
    if (!found) {
      snprintf(bad, bad_len, "%.*s", (int)n, s);
      return false;
    }
    *mask |= found;
    s += n;
  } while (*s++ == ',');
  return true;
}

static const char *area_word(os_area_kind k) {
  static const char *const words[] = {"text", "data", "heap", "lib", "stack"};
  return (unsigned)k < 5 ? words[k] : "?";
}

static const char *acc_word(os_access_kind k) {
  return k == OS_W ? "write" : k == OS_X ? "fetch" : "read";
}

static unsigned selects(const os_event *ev) {
  switch (ev->kind) {
  case OS_EV_FAULT:
    return EVLOG_FAULTS |
           (ev->how == OS_FAULT_SWAP_CACHE || ev->how == OS_FAULT_SWAPIN ? EVLOG_SWAP : 0);
  case OS_EV_EVICT:
    return EVLOG_EVICTIONS |
           (ev->how == OS_EVICT_SWAP_WRITE || ev->how == OS_EVICT_SWAP_CLEAN ? EVLOG_SWAP : 0);
  case OS_EV_COW: return EVLOG_COW;
  case OS_EV_SEGV: return EVLOG_SEGV;
  case OS_EV_SWITCH: return EVLOG_SWITCH;
  case OS_EV_EXEC:
  case OS_EV_FORK: return EVLOG_FORK;
  case OS_EV_EXIT: return EVLOG_EXIT;
  default: return 0;
  }
}

/* After "fault  va=... read minor -> frame F": how the page was found. */
static void fault_how(const os_event *ev, char *buf, size_t len) {
  switch ((os_fault_how)ev->how) {
  case OS_FAULT_ZERO: snprintf(buf, len, "zero-fill %s", area_word(ev->area)); break;
  case OS_FAULT_FILE:
    snprintf(buf, len, "file read %s: %s page %" PRIu32, area_word(ev->area),
             ev->area == OS_AREA_LIB ? "library" : "program", ev->file_page);
    break;
  case OS_FAULT_LIB:
    snprintf(buf, len, "library page %" PRIu32 " already resident", ev->file_page);
    break;
  case OS_FAULT_SWAP_CACHE:
    snprintf(buf, len, "swap cache %s: slot %" PRId32 " still in memory", area_word(ev->area),
             ev->slot);
    break;
  case OS_FAULT_SWAPIN:
    snprintf(buf, len, "swap-in %s: read from slot %" PRId32, area_word(ev->area), ev->slot);
    break;
  }
}

static void evict_fate(const os_event *ev, char *buf, size_t len) {
  switch ((os_evict_fate)ev->how) {
  case OS_EVICT_SWAP_WRITE:
    /* one write for a frame several PTEs share: the later lines say so, or a student counts
     * two swap-outs where the report has one */
    snprintf(buf, len, "-> swap slot %" PRId32 " (%s)", ev->slot,
             ev->sharer ? "shared frame: the same write as above" : "dirty: written to swap");
    break;
  case OS_EVICT_SWAP_CLEAN:
    snprintf(buf, len, "-> swap slot %" PRId32 " (clean: its copy on swap is kept)", ev->slot);
    break;
  case OS_EVICT_DROP_FILE:
    snprintf(buf, len, "-> dropped (clean file page: read again on the next fault)");
    break;
  case OS_EVICT_DROP_ZERO:
    snprintf(buf, len, "-> dropped (never written: zero-filled again on the next fault)");
    break;
  }
}

/* What follows the kind word. */
static void details(const os_event *ev, char *buf, size_t len) {
  char more[128], ec[64];
  switch (ev->kind) {
  case OS_EV_FAULT:
    fault_how(ev, more, sizeof more);
    snprintf(buf, len, "va=0x%08" PRIx32 " %s %s -> frame %" PRId32 " (%s)", ev->va,
             acc_word(ev->acc),
             ev->how == OS_FAULT_FILE || ev->how == OS_FAULT_SWAPIN ? "major" : "minor", ev->frame,
             more);
    break;
  case OS_EV_EVICT:
    evict_fate(ev, more, sizeof more);
    snprintf(buf, len, "va=0x%08" PRIx32 " %s frame %" PRId32 " %s", ev->va, area_word(ev->area),
             ev->frame, more);
    break;
  case OS_EV_COW:
    if (ev->how == 0)
      snprintf(buf, len, "va=0x%08" PRIx32 " write %s copy frame %" PRId32 " -> frame %" PRId32,
               ev->va, area_word(ev->area), ev->old_frame, ev->frame);
    else
      snprintf(buf, len,
               "va=0x%08" PRIx32 " write %s reuse frame %" PRId32 " (its only user: made writable)",
               ev->va, area_word(ev->area), ev->frame);
    break;
  case OS_EV_SEGV:
    snprintf(buf, len, "va=0x%08" PRIx32 " %s error %" PRIx32 " (%s)", ev->va, acc_word(ev->acc),
             ev->error_code, os_ec_text(ev->error_code, ec, sizeof ec));
    break;
  case OS_EV_SWITCH:
    if (ev->other_pid)
      snprintf(buf, len, "cr3=0x%08" PRIx32 " (from pid %d)", ev->cr3, ev->other_pid);
    else snprintf(buf, len, "cr3=0x%08" PRIx32 " (from the kernel)", ev->cr3);
    break;
  case OS_EV_EXEC: snprintf(buf, len, "new process (exec)"); break;
  case OS_EV_FORK:
    snprintf(buf, len, "child=%d (PTEs copied %u, made copy-on-write %u)", ev->other_pid, ev->pages,
             ev->cow_pages);
    break;
  case OS_EV_EXIT:
    snprintf(buf, len, "(released: resident pages %u, swap entries %u)", ev->pages,
             ev->swap_entries);
    break;
  default: buf[0] = '\0'; break;
  }
}

static const char *kind_word(os_event_kind k) {
  switch (k) {
  case OS_EV_FAULT: return "fault";
  case OS_EV_EVICT: return "evict";
  case OS_EV_COW: return "cow";
  case OS_EV_SEGV: return "segv";
  case OS_EV_SWITCH: return "switch";
  case OS_EV_EXEC: return "exec";
  case OS_EV_FORK: return "fork";
  case OS_EV_EXIT: return "exit";
  default: return NULL;
  }
}

bool evlog_format(const os_event *ev, char *buf, size_t len) {
  const char *word = kind_word(ev->kind);
  if (!word) return false;
  char rest[256];
  details(ev, rest, sizeof rest);
  snprintf(buf, len, "t=%" PRIu64 " cyc=%" PRIu64 " pid=%d %s %-6s %s", ev->access, ev->cycle,
           ev->pid, ev->name, word, rest);
  return true;
}

void evlog_event(void *ctx, const os_t *os, const os_event *ev) {
  (void)os;
  const evlog *log = ctx;
  if (!(selects(ev) & log->mask)) return;
  char line[400];
  if (evlog_format(ev, line, sizeof line)) fprintf(log->out, "%s\n", line);
}
