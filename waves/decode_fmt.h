/* Decoding of paging entries and #PF error codes, shared by the GTKWave filter process
 * (decode.c) and the WaveDrom generator (wavedrom.c). */
#ifndef PMMU_DECODE_FMT_H
#define PMMU_DECODE_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline void decode_entry(uint64_t v, char *buf, size_t len) {
  int wide = (v >> 32) != 0; /* an 8-byte (PAE) entry: frame PA[51:12], XD */
  uint64_t frame = wide ? (v >> 12) & UINT64_C(0xFFFFFFFFFF) : (v >> 12) & 0xFFFFFu;
  snprintf(buf, len, "frame 0x%05llx %c %c %c %c %c %s %c%s", (unsigned long long)frame,
           (v & 0x001) ? 'P' : '-', (v & 0x002) ? 'W' : '-', (v & 0x004) ? 'U' : '-',
           (v & 0x020) ? 'A' : '-', (v & 0x040) ? 'D' : '-', (v & 0x080) ? "PS" : "--",
           (v & 0x100) ? 'G' : '-', wide && (v >> 63) ? " XD" : "");
}

static inline void decode_ec(uint64_t v, char *buf, size_t len) {
  static const char *const names[] = {"P", "WR", "US", "RSVD", "ID"};
  size_t used = 0;
  buf[0] = '\0';
  for (unsigned b = 0; b < 5; b++)
    if (v & (1u << b))
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", names[b]);
  if (!used) snprintf(buf, len, "-");
}

#endif
