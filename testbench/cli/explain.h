/* `pmmu explain`: a translation shown step by step, for teaching and debugging. */
#ifndef PMMU_EXPLAIN_H
#define PMMU_EXPLAIN_H

#include <stdio.h>

#include "pmmu/pmmu.h"

/* Prints the walk of `req` on the model's current state (nothing changes). `source` names the
 * scenario in the heading. Returns a pmmu_error. */
int explain_translation(pmmu_t *m, const pmmu_request *req, const char *source, FILE *out);

#endif
