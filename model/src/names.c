/* Names of the API's enumerations and the error-code decoder. */
#include "pmmu/pmmu.h"

#include <stdio.h>
#include <string.h>

const char *pmmu_error_name(pmmu_error e) {
  switch (e) {
  case PMMU_E_OK: return "ok";
  case PMMU_E_INVALID: return "invalid argument";
  case PMMU_E_CONFIG: return "invalid configuration";
  case PMMU_E_ORDER: return "cycle out of order";
  case PMMU_E_NOMEM: return "out of memory";
  }
  return "unknown error";
}

static const char *const policy_names[] = {"plru", "lru", "fifo", "random"};

const char *pmmu_policy_name(pmmu_policy p) {
  return (unsigned)p <= PMMU_POLICY_RANDOM ? policy_names[p] : "?";
}

bool pmmu_policy_parse(const char *name, pmmu_policy *out) {
  for (unsigned i = 0; i <= PMMU_POLICY_RANDOM; i++) {
    if (strcmp(name, policy_names[i]) == 0) {
      *out = (pmmu_policy)i;
      return true;
    }
  }
  return false;
}

const char *pmmu_access_name(pmmu_access a) {
  switch (a) {
  case PMMU_READ: return "read";
  case PMMU_WRITE: return "write";
  case PMMU_FETCH: return "fetch";
  }
  return "?";
}

const char *pmmu_priv_name(pmmu_priv p) {
  switch (p) {
  case PMMU_SUPERVISOR: return "sup";
  case PMMU_USER: return "user";
  case PMMU_IMPLICIT: return "implicit";
  }
  return "?";
}

const char *pmmu_tlb_use_name(pmmu_tlb_use t) {
  switch (t) {
  case PMMU_TLB_OFF: return "off";
  case PMMU_TLB_HIT: return "hit";
  case PMMU_TLB_MISS: return "miss";
  }
  return "?";
}

const char *pmmu_level_name(pmmu_level l) {
  switch (l) {
  case PMMU_LEVEL_PDPTE: return "PDPTE";
  case PMMU_LEVEL_PDE: return "PDE";
  case PMMU_LEVEL_PTE: return "PTE";
  }
  return "?";
}

const char *pmmu_ec_describe(uint32_t ec, char *buf, size_t len) {
  static const struct {
    uint32_t bit;
    const char *set, *clear;
  } bits[] = {
      {PMMU_EC_P, "protection", "not-present"},
      {PMMU_EC_WR, "write", "read"},
      {PMMU_EC_US, "user", "supervisor"},
      {PMMU_EC_RSVD, "reserved-bit", NULL},
      {PMMU_EC_ID, "fetch", NULL},
  };
  size_t used = 0;
  if (len == 0) return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
    const char *word = (ec & bits[i].bit) ? bits[i].set : bits[i].clear;
    if (!word) continue;
    int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
    if (n < 0 || (size_t)n >= len - used) break;
    used += (size_t)n;
  }
  return buf;
}
