#!/bin/sh
# pagemap_vs_status.sh PMMU SIM-ARGS...: runs `PMMU sim SIM-ARGS --pagemap all` and checks, for
# every process, that its page map agrees with its /proc/PID/status block, computed apart (the
# status from the page tables by os_mem_usage_of, the page map page by page): the areas' Rss
# and Swap add up to the total line, which equals VmRSS and VmSwap. It also requires swapped
# and shared pages somewhere, so that the comparison is not vacuous.
pmmu=$1
shift
"$pmmu" sim "$@" --pagemap all | awk '
  /^\/proc\/[0-9]+\/status/ { split($1, p, "/"); pid = p[3]; mode = "status"; next }
  /^\/proc\/[0-9]+\/pagemap/ { split($1, p, "/"); pid = p[3]; mode = "map"; next }
  mode == "status" && $1 == "VmRSS:" { rss[pid] = $2 }
  mode == "status" && $1 == "VmSwap:" { swap[pid] = $2 }
  mode == "map" && /^  Size:/ { area_rss[pid] += $5; area_swap[pid] += $14 }
  mode == "map" && /^total/ {
    total_rss[pid] = $6; total_swap[pid] = $16; shared += $10; swapped += $16; maps++
  }
  END {
    bad = 0
    for (q in rss) {
      if (!(q in total_rss)) { print "pid " q ": no page map"; bad = 1; continue }
      if (rss[q] != total_rss[q] || swap[q] != total_swap[q] ||
          area_rss[q] != total_rss[q] || area_swap[q] != total_swap[q]) {
        print "pid " q ": VmRSS " rss[q] " VmSwap " swap[q] ", page map total Rss " total_rss[q] \
              " Swap " total_swap[q] ", areas Rss " area_rss[q] " Swap " area_swap[q]
        bad = 1
      }
    }
    if (maps < 2 || !shared || !swapped) {
      print "too little to compare: " maps " page maps, " shared " kB shared, " swapped " kB swapped"
      bad = 1
    }
    if (!bad) print "pagemap_vs_status: " maps " processes agree (" shared " kB shared, " swapped " kB swapped)"
    exit bad
  }'
