#!/usr/bin/env bash
# `--markov-order auto` against ChannelAttribution itself: its choose_order
# (max_order 4, roc_npt 100) and `mta markov --markov-order auto` must give the
# same ROC AUC and penalised AUC for orders 1-4 (to 1e-6) and choose the same
# order, on ChannelAttribution's demo file (Data.csv, shipped in its package),
# on testdata/paths.csv, testdata/choose_order_paths.csv (generated, seeded)
# and on the path aggregates of testdata/events.csv.
#
#   tests/e2e/channelattribution.sh            compare live (CI)
#   tests/e2e/channelattribution.sh --record   rewrite testdata/choose_order.csv,
#                                              the figures cargo test checks
#
# Installs channelattribution==2.2.5 (GPL-3, built from source, about a
# minute) into target/ca-venv the first time; nothing of it is committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

venv=target/ca-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import ChannelAttribution" >/dev/null 2>&1; then
  echo "installing channelattribution 2.2.5 into $venv..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check channelattribution==2.2.5 matplotlib
fi

if [ "${1:-}" = "--record" ]; then
  # The generated input: 10 channels, paths of 1-6 touches, conversion odds
  # that depend on the last two channels, few journeys: order 2 pays for its
  # states, orders 3 and 4 do not (their penalty outweighs what they fit).
  python3 - <<'PY'
import random
rng = random.Random(17)
channels = ["Search", "Email", "Social", "Display", "Direct", "Affiliate", "Video", "Referral", "Push", "Print"]
lift = {(a, b): rng.uniform(0.02, 0.6) for a in channels for b in channels}
rows = {}
for _ in range(700):
    path = [rng.choice(channels) for _ in range(rng.randint(1, 6))]
    p = lift[(path[-2], path[-1])] if len(path) > 1 else 0.1
    journeys = rng.randint(1, 6)
    conv = sum(rng.random() < p for _ in range(journeys))
    key = " > ".join(path)
    c, n = rows.get(key, (0, 0))
    rows[key] = (c + conv, n + journeys - conv)
with open("testdata/choose_order_paths.csv", "w") as f:
    f.write("path,total_conversions,total_conversion_value,total_null\n")
    for key in sorted(rows):
        c, n = rows[key]
        f.write(f"{key},{c},{c * 10},{n}\n")
PY
fi

cargo test --locked --no-run -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/debug/mta paths testdata/events.csv -q -o "$work/events-paths.csv"

"$venv/bin/python" - "$work" "${1:-}" <<'PY'
import contextlib, csv, io, json, os, subprocess, sys
work, mode = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()):  # its banner
    import ChannelAttribution
    import pandas as pd
choose = getattr(ChannelAttribution._core, "__choose_order_1")
demo = os.path.join(os.path.dirname(ChannelAttribution.__file__), "..", "cypack", "data", "Data.csv")

inputs = [
    ("Data.csv", os.path.normpath(demo), ";"),
    ("testdata/paths.csv", "testdata/paths.csv", ","),
    ("testdata/choose_order_paths.csv", "testdata/choose_order_paths.csv", ","),
    ("testdata/events.csv", f"{work}/events-paths.csv", ","),
]

def reference(path, sep):
    df = pd.read_csv(path, sep=sep)
    res = choose([p.encode() for p in df["path"]], [int(x) for x in df["total_conversions"]],
                 [int(x) for x in df["total_null"]], 4, b">", 1, 100)
    auc, pauc = list(res[-2]), list(res[-1])
    return auc, pauc, pauc.index(max(pauc)) + 1   # the wrapper's suggested order

def mta(path, name):
    args = ["target/debug/mta", "markov", "--markov-order", "auto", "--format", "json", "-q"]
    args += ["testdata/events.csv"] if name == "testdata/events.csv" else ["--paths", path]
    doc = json.loads(subprocess.run(args, check=True, capture_output=True).stdout)
    scores = doc["order_selection"]
    return [s["auc"] for s in scores], [s["penalised_auc"] for s in scores], doc["order"]

failures, rows = [], []
for name, path, sep in inputs:
    auc, pauc, best = reference(path, sep)
    rows += [(name, k + 1, f"{auc[k]:.12f}", f"{pauc[k]:.12f}", best) for k in range(4)]
    if mode == "--record":
        continue
    got_auc, got_pauc, got_best = mta(path, name)
    worst = max(abs(a - b) for a, b in zip(auc + pauc, got_auc + got_pauc))
    ok = worst <= 1e-6 and got_best == best
    print(("ok   " if ok else "FAIL ") + f"{name}: order {got_best} (reference {best}), largest difference {worst:.1e}")
    print("     reference " + ", ".join(f"{k + 1}: {a:.6f} ({p:.6f})" for k, (a, p) in enumerate(zip(auc, pauc))))
    if not ok:
        print("     mta       " + ", ".join(f"{k + 1}: {a:.6f} ({p:.6f})" for k, (a, p) in enumerate(zip(got_auc, got_pauc))))
        failures.append(name)

if mode == "--record":
    with open("testdata/choose_order.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "order", "auc", "penalised_auc", "chosen"])
        w.writerows(r for r in rows if r[0] != "Data.csv")  # GPL data stays in its package
    print("wrote testdata/choose_order.csv")
sys.exit(1 if failures else 0)
PY
echo "channelattribution.sh: $(( $(date +%s) - started ))s"
