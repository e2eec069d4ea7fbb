/* The testbench OS (docs/os.md): what user memory must hold - the content a page starts
 * with, and a shadow copy of every page a process wrote, against which every read is checked
 * (os_config.shadow). */
#include "os_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Initial contents ------------------------------------------------------------------- */

/* The word a page of an area holds before anything writes it. */
static uint32_t initial_word(const os_t *os, const os_area *a, uint32_t va) {
  uint32_t word = (va & (OS_PAGE - 1)) >> 2;
  switch (a->kind) {
  case OS_AREA_TEXT: return os_file_word(FILE_PROGRAM, (va - a->start) / OS_PAGE, word);
  case OS_AREA_DATA:
    return os_file_word(FILE_PROGRAM, os->cfg.text_pages + (va - a->start) / OS_PAGE, word);
  case OS_AREA_LIB: return os_file_word(FILE_LIB, (va - a->start) / OS_PAGE, word);
  default: return 0;
  }
}

/* ---- Shadow contents --------------------------------------------------------------------- */

static uint32_t *shadow_page(const proc *p, uint32_t va) {
  uint32_t **leaf = p->shadow[va >> 22];
  return leaf ? leaf[(va >> 12) & 1023] : NULL;
}

static uint32_t *shadow_page_for_write(os_t *os, proc *p, const os_area *a, uint32_t va) {
  uint32_t ***leaf = &p->shadow[va >> 22];
  if (!*leaf && !(*leaf = calloc(1024, sizeof **leaf))) return NULL;
  uint32_t **page = &(*leaf)[(va >> 12) & 1023];
  if (!*page) {
    if (!(*page = malloc(OS_PAGE))) return NULL;
    uint32_t base = va & ~(OS_PAGE - 1);
    for (uint32_t w = 0; w < 1024; w++) (*page)[w] = initial_word(os, a, base + 4 * w);
  }
  return *page;
}

void kern_shadow_drop(proc *p, uint32_t va) {
  uint32_t **leaf = p->shadow[va >> 22];
  if (!leaf) return;
  free(leaf[(va >> 12) & 1023]);
  leaf[(va >> 12) & 1023] = NULL;
}

void kern_shadow_free(proc *p) {
  for (unsigned i = 0; i < 1024; i++) {
    if (!p->shadow[i]) continue;
    for (unsigned j = 0; j < 1024; j++) free(p->shadow[i][j]);
    free(p->shadow[i]);
    p->shadow[i] = NULL;
  }
}

bool kern_shadow_copy(proc *to, const proc *from) {
  for (unsigned i = 0; i < 1024; i++) {
    if (!from->shadow[i]) continue;
    if (!(to->shadow[i] = calloc(1024, sizeof *to->shadow[i]))) return false;
    for (unsigned j = 0; j < 1024; j++) {
      if (!from->shadow[i][j]) continue;
      if (!(to->shadow[i][j] = malloc(OS_PAGE))) return false;
      memcpy(to->shadow[i][j], from->shadow[i][j], OS_PAGE);
    }
  }
  return true;
}

/* A user write of v at va, in area a: the shadow copy follows. */
void kern_shadow_write(os_t *os, proc *p, const os_area *a, uint32_t va, uint32_t v) {
  uint32_t *page = shadow_page_for_write(os, p, a, va);
  if (page) page[(va & (OS_PAGE - 1)) >> 2] = v;
}

/* A user read of v at va (physical address pa), in area a: it must be what the process last
 * wrote there, or the page's initial content. */
void kern_shadow_check_read(os_t *os, const proc *p, const os_area *a, uint32_t va, uint64_t pa,
                            uint32_t v) {
  const uint32_t *page = shadow_page(p, va);
  uint32_t want = page ? page[(va & (OS_PAGE - 1)) >> 2] : initial_word(os, a, va & ~3u);
  os->st.data_checks++;
  if (v != want) {
    os->st.data_errors++;
    if (os->st.data_errors <= 5)
      fprintf(logf_(os),
              "pmmu-sim: data error: process %d read 0x%08" PRIx32 " at 0x%08" PRIx32
              " (pa 0x%09" PRIx64 "), expected 0x%08" PRIx32 "\n",
              p->pid, v, va, pa, want);
  }
}
