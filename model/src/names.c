/* The version, names of the API's enumerations, error sentences and the error-code decoder. */
#include "pmmu/pmmu.h"

#include <stdio.h>
#include <string.h>

const char *pmmu_version(void) { return PMMU_VERSION_STRING; }

unsigned pmmu_version_number(void) { return PMMU_VERSION_NUMBER; }

const char *pmmu_error_name(pmmu_error e) {
  switch (e) {
  case PMMU_E_OK: return "PMMU_E_OK";
  case PMMU_E_INVALID: return "PMMU_E_INVALID";
  case PMMU_E_CONFIG: return "PMMU_E_CONFIG";
  case PMMU_E_ORDER: return "PMMU_E_ORDER";
  case PMMU_E_NOMEM: return "PMMU_E_NOMEM";
  }
  return "PMMU_E_UNKNOWN";
}

/* Each sentence begins with the few words the testbench's messages have always used
 * ("cycle out of order"), then says what to look at. */
const char *pmmu_strerror(pmmu_error e) {
  switch (e) {
  case PMMU_E_OK: return "no error";
  case PMMU_E_INVALID:
    return "invalid argument: a null pointer, a value out of range, or a fetch by an implicit "
           "access";
  case PMMU_E_CONFIG:
    return "invalid configuration: pmmu_config_check() says what is wrong with it";
  case PMMU_E_ORDER:
    return "cycle out of order: a cycle earlier than one the model was already given";
  case PMMU_E_NOMEM: return "out of memory";
  }
  return "unknown pmmu error code";
}

static const char *const policy_names[] = {"plru", "lru", "fifo", "random"};

const char *pmmu_policy_name(pmmu_policy p) {
  return (unsigned)p <= PMMU_POLICY_RANDOM ? policy_names[p] : "?";
}

bool pmmu_policy_parse(const char *name, pmmu_policy *out) {
  if (!name || !out) return false;
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
