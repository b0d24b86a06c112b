# Shared by the benchmark scripts (sourced, not run).

# measure CMD ARGS... : prints "wall-s rss-MiB" of one run of CMD (stdout
# discarded), from /usr/bin/time -v.
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log"
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; w=s}
              /Maximum resident set size/ {r=$2/1024} END {printf "%s %.0f\n", w, r}' "$log"
  rm -f "$log"
}
