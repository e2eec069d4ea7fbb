/* GTKWave save files for the PMMU's dumps (docs/waves.md). */
#ifndef PMMU_GTKW_H
#define PMMU_GTKW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gtkw_view {
  const char *dump;      /* the dump file (.fst or .vcd) */
  bool vcd;              /* no enum attributes in the dump: translate filter files for all */
  bool model;            /* the dump has the model group (scope model, waves/model.c) */
  int64_t start;         /* left edge of the view (dump time) */
  int64_t marker_accept; /* named marker A "request accepted" (-1: none) */
  int64_t marker_div;    /* named marker B "divergence", also the primary marker (-1: none) */
} gtkw_view;

/* Writes the save file next to v->dump (FILE.gtkw: w.fst.gtkw) or to `out` (non-NULL).
 * With a divergence marker it is the failure's view: both markers in the window, the RTL's
 * port and the model's expectation side by side, the other groups closed (docs/waves.md).
 * Every path in it is relative to the save file's directory. 0, or -1 when it cannot be
 * written. */
int gtkw_write(const gtkw_view *v, const char *out);

/* The save file's path for a dump. */
void gtkw_path_for(const char *dump, char *buf, size_t len);

/* The one command that opens the dump with its save file: "cd DIR && gtkwave NAME.gtkw". */
void gtkw_open_command(const char *dump, char *buf, size_t len);

#endif
