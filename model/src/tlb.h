/* The TLB of the model: two arrays and their replacement state (docs/tlb.md). Internal. */
#ifndef PMMU_TLB_H
#define PMMU_TLB_H

#include "pmmu/pmmu.h"

/* One array: SETS x WAYS for 4 KiB pages, or 1 x LARGE for large pages. */
typedef struct tlb_array {
  unsigned sets, ways;
  pmmu_tlb_entry *entries; /* sets * ways, set-major */
  uint64_t *tree;          /* plru: ways - 1 bits per set, bit (i - 1) is heap node i */
  uint8_t *rank;           /* lru: sets * ways ranks, 0 = most recent */
  uint8_t *fifo;           /* fifo: next victim per set */
  uint16_t lfsr;           /* random: one LFSR per array */
} tlb_array;

/* What a fill changed, so that a flush inside its walk's window can take it back (T7). */
typedef struct tlb_undo {
  bool armed;
  tlb_array *array;
  unsigned set, way;
  pmmu_tlb_entry old_entry;
  uint64_t old_tree;
  uint8_t old_rank[64];
  uint8_t old_fifo;
  uint16_t old_lfsr;
} tlb_undo;

typedef struct tlb {
  tlb_array small, large;
  pmmu_policy policy;
  uint16_t seed;
  tlb_undo undo;
} tlb;

/* Where a lookup found its entry. */
typedef struct tlb_slot {
  tlb_array *array;
  unsigned set, way;
} tlb_slot;

bool tlb_init(tlb *t, const pmmu_config *cfg);
void tlb_free(tlb *t);
void tlb_reset(tlb *t);

/* Where an entry sits, without the right to change it. */
typedef struct tlb_pos {
  bool large;
  unsigned set, way;
} tlb_pos;

/* The lookup (docs/tlb.md, "Which entry a lookup uses"): the 4 KiB array first, then the
 * lowest-numbered match of the large array. False if no valid entry maps la. Read-only. */
bool tlb_locate(const tlb *t, uint32_t la, tlb_pos *pos);
const pmmu_tlb_entry *tlb_entry(const tlb *t, const tlb_pos *pos);
/* The same lookup, for pmmu_translate, which may then touch or drop the entry. */
pmmu_tlb_entry *tlb_find(tlb *t, uint32_t la, tlb_slot *slot);
void tlb_touch(tlb *t, const tlb_slot *slot);
void tlb_drop(tlb_slot *slot);

/* Writes a new entry (invalid way first, else the policy's victim) and arms the undo. */
void tlb_fill(tlb *t, const pmmu_tlb_entry *entry);
/* Takes back the last fill, if it is still armed. */
bool tlb_undo_fill(tlb *t);
void tlb_disarm(tlb *t);

/* Returns how many valid entries it cleared. */
unsigned tlb_flush(tlb *t, pmmu_flush_kind kind, uint32_t la);

#endif
