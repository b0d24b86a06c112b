#!/usr/bin/env bash
# End-to-end test of the HTML report in a real browser (headless Chromium):
#   1. the rendered DOM has one bar and one heatmap cell per channel and
#      model, the top-paths rows, and the sorter script ran (it adds tabindex
#      to every sortable header);
#   2. hostile channel names render as text: no injected <script> or <img>;
#   3. no console messages at all (an uncaught error prints a CONSOLE line;
#      the check is first proven to fail on a deliberately broken page);
#   4. layout, measured in the rendered page (a probe script in a copy of
#      each report): at 10 models x 12 channels and 11 models x 50 channels
#      the page never scrolls sideways and every credit table fits its box
#      (each model's columns once); no top-paths figure runs out of its cell,
#      also with five-digit counts (the checks are first proven to fail on
#      the layout of an earlier release);
#   5. the summary section is above the fold of a 1400x900 window and names
#      real channels and figures (TV spend held);
#   6. a screenshot, target/report.png, for a person to look at.
# Installs Debian's chromium when missing (as root). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "browser.sh: /usr/bin/chromium is missing; install it (apt-get install chromium) or run as root" >&2
    exit 1
  fi
  echo "installing chromium..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# `cargo test --no-run` builds the binary with the feature set `cargo test`
# already compiled in CI, so this is nearly free there (a plain `cargo build`
# resolves dev-dependency features differently and rebuilds polars).
cargo test --locked --no-run -q
bin=target/debug/mta
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

chrome() {
  # The Debian wrapper and dbus print noise on stderr; only CONSOLE lines matter.
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-extensions \
    --user-data-dir="$(mktemp -d -p "$work")" "$@"
}

# Renders $1 (an HTML file), DOM to $2, stderr to $3; more arguments go to Chromium.
render() {
  local page=$1 dom=$2 err=$3
  shift 3
  chrome --enable-logging=stderr --v=0 "$@" --dump-dom "file://$page" >"$dom" 2>"$err"
}

console_errors() {
  grep -E 'CONSOLE' "$1" || true
}

# The console check must be able to fail.
printf '<!DOCTYPE html><html><body><script>undefinedFn();</script></body></html>\n' >"$work/broken.html"
render "$work/broken.html" "$work/broken.dom" "$work/broken.err"
if [ -z "$(console_errors "$work/broken.err")" ]; then
  echo "browser.sh: the console check does not see an uncaught error; Chromium's log format changed?" >&2
  cat "$work/broken.err" >&2
  exit 1
fi

# The reports.
"$bin" report testdata/events.csv -o "$work/report.html" --quiet --by week
"$bin" attribute testdata/events.csv --format json --quiet >"$work/report.json"
cat >"$work/hostile.csv" <<'CSV'
customer_id,timestamp,channel,conversion,value
a,2025-01-01T00:00:00Z,<script>alert(1)</script>,0,
a,2025-01-02T00:00:00Z,Email & "News",1,10
b,2025-01-01T00:00:00Z,<img src=x onerror=alert(2)>,1,5
CSV
"$bin" report "$work/hostile.csv" -o "$work/hostile.html" --quiet

status=0
for name in report hostile; do
  render "$work/$name.html" "$work/$name.dom" "$work/$name.err"
  errs=$(console_errors "$work/$name.err")
  if [ -n "$errs" ]; then
    echo "browser.sh: console messages on $name.html:" >&2
    echo "$errs" >&2
    status=1
  fi
done

# Wide inputs: N channels, seeded, a few thousand customers.
events() {
  python3 - "$1" "$2" <<'PY'
import random, sys
channels, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(channels)
names = [f"Channel {i:02d} with a longer name" if i % 7 == 0 else f"Channel {i:02d}" for i in range(channels)]
with open(out, "w") as f:
    f.write("customer_id,timestamp,channel,conversion,value\n")
    for c in range(3000):
        touches = rng.randint(1, 5)
        for t in range(touches):
            converts = t == touches - 1 and rng.random() < 0.4
            value = f"{rng.uniform(10, 5000):.2f}" if converts else ""
            f.write(f"c{c},2025-01-{t + 1:02d}T10:00:00Z,{rng.choice(names)},{int(converts)},{value}\n")
PY
}
events 12 "$work/wide12.csv"
events 50 "$work/wide50.csv"
"$bin" report "$work/wide12.csv" -o "$work/wide12.html" --quiet \
  --models first-click,last-click,last-non-direct,linear,position-based,j-shaped,inverse-j,time-decay,participation,markov
"$bin" report "$work/wide50.csv" -o "$work/wide50.html" --quiet --by day
# Top paths with counts of five digits and more.
python3 - "$work/big-paths.csv" <<'PY'
import random, sys
rng = random.Random(1)
names = ["Paid Search", "Email", "Direct", "Organic Search", "Social", "Display", "Referral", "Affiliate"]
with open(sys.argv[1], "w") as f:
    f.write("path,total_conversions,total_conversion_value,total_null\n")
    for _ in range(40):
        path = " > ".join(rng.choice(names) for _ in range(rng.randint(1, 6)))
        f.write(f"{path},{rng.randint(1000, 40000)},{rng.randint(10**5, 10**7)},{rng.randint(1000, 900000)}\n")
PY
"$bin" report --paths "$work/big-paths.csv" -o "$work/big-paths.html" --quiet

# probe IN OUT: OUT is IN with a script that measures the layout and writes
# one line per finding into <pre id="layout">.
probe() {
  python3 - "$1" "$2" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
script = """<script>(function () {
  var out = [], slack = 0.5;
  out.push('page ' + document.documentElement.scrollWidth + ' ' + window.innerWidth);
  document.querySelectorAll('table.credit').forEach(function (t) {
    out.push('credit ' + t.getBoundingClientRect().width + ' ' + t.parentElement.clientWidth + ' ' + t.querySelectorAll('thead th.num').length);
  });
  document.querySelectorAll('table.paths td').forEach(function (td) {
    var r = document.createRange(); r.selectNodeContents(td);
    var box = td.getBoundingClientRect(), text = r.getBoundingClientRect();
    if (text.right > box.right + slack) out.push('overflow ' + td.textContent.trim() + ' ' + text.right + ' ' + box.right);
  });
  var pre = document.createElement('pre'); pre.id = 'layout'; pre.textContent = out.join('\\n');
  document.body.appendChild(pre);
})();</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", script + "</body>"))
PY
}

# The probe must see an overflow: the top-paths cell of an earlier release
# (bar width a share of the cell) next to a figure.
cat >"$work/old-layout.html" <<'HTML'
<!DOCTYPE html><html><head><style>td,th{padding:4px 10px;white-space:nowrap}.inbar{display:inline-block;height:9px;margin-right:6px;max-width:80px;background:#0072B2}</style></head>
<body><table class="paths"><tr><td>1</td><td><span class="inbar" style="width:100%"></span>31,513</td><td>5,346</td></tr></table>
<div style="width:300px;overflow-x:auto"><table class="credit"><thead><tr><th class="num">a-long-model-name</th><th class="num">another-long-model-name</th></tr></thead></table></div></body></html>
HTML
for name in old-layout wide12 wide50 big-paths; do
  probe "$work/$name.html" "$work/$name-probe.html"
  # A desktop window: the width the page is laid out for (1180 px of content).
  render "$work/$name-probe.html" "$work/$name-probe.dom" "$work/$name-probe.err" --window-size=1280,2000
done

python3 - "$work" <<'PY' || status=1
import json, sys
from html.parser import HTMLParser

work = sys.argv[1]

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []      # (tag, attrs dict)
        self.text = []
        self.stack = []
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
    def handle_data(self, data):
        if not self.stack or self.stack[-1] not in ("script", "style"):
            self.text.append(data)

def load(name):
    d = Dom()
    d.feed(open(f"{work}/{name}.dom", encoding="utf-8").read())
    return d

def count(d, tag, attr, value=None):
    return sum(1 for t, a in d.tags if t == tag and attr in a and (value is None or a[attr] == value))

failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

report = json.load(open(f"{work}/report.json"))
models = len(report["models"])
channels = len(report["models"][0]["credits"])
d = load("report")
want = models * channels
check(count(d, "rect", "data-bar", "conversions") == want, f"{want} conversion bars ({models} models x {channels} channels)")
check(count(d, "rect", "data-bar", "value") == want, f"{want} value bars")
check(count(d, "rect", "data-cell") == want, f"{want} disagreement heatmap cells")
check(count(d, "tr", "data-path") == 7, "7 top paths")
check(count(d, "rect", "data-hist") > 0, "histogram bars")
check(count(d, "rect", "data-removal") == channels, "markov removal-effect bars")
check(count(d, "rect", "data-tcell") > 0, "markov transition cells")
heads = [a for t, a in d.tags if t == "th" and a.get("scope") == "col"]
check(heads and all(a.get("tabindex") == "0" for a in heads), "sorter script ran (every column header got tabindex)")
check(sum(1 for t, _ in d.tags if t == "script") == 1, "one script element")
check(not any(t in ("link", "img", "iframe") for t, _ in d.tags), "no link/img/iframe elements")

h = load("hostile")
text = "".join(h.text)
check(sum(1 for t, _ in h.tags if t == "script") == 1, "hostile: no injected script element")
check(not any(t == "img" for t, _ in h.tags), "hostile: no injected img element")
check("<script>alert(1)</script>" in text, "hostile: the script channel shows as text")
check("<img src=x onerror=alert(2)>" in text, "hostile: the img channel shows as text")
check('Email & "News"' in text, "hostile: ampersand and quotes show as text")
import re
def layout(name):
    dom = open(f"{work}/{name}-probe.dom", encoding="utf-8").read()
    m = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    return m.group(1).split("\n") if m else []

old = layout("old-layout")
check(any(l.startswith("overflow ") for l in old), "layout probe sees a figure run out of its cell")
check(any(l.startswith("credit ") and float(l.split()[1]) > float(l.split()[2]) + 0.5 for l in old), "layout probe sees a table wider than its box")
for name, models in [("wide12", 10), ("wide50", 11)]:
    lines = layout(name)
    page = [l.split() for l in lines if l.startswith("page ")]
    check(bool(page) and float(page[0][1]) <= float(page[0][2]), f"{name}: the page does not scroll sideways ({page})")
    credit = [l.split() for l in lines if l.startswith("credit ")]
    check(bool(credit) and all(float(w) <= float(box) + 0.5 for _, w, box, _ in credit), f"{name}: every credit table fits its box ({credit})")
    check(sum(int(n) for *_, n in credit) == 2 * models, f"{name}: each of {models} models' two columns once")
for name in ["wide12", "wide50", "big-paths"]:
    over = [l for l in layout(name) if l.startswith("overflow ")]
    check(not over and layout(name), f"{name}: no top-paths figure runs out of its cell {over[:3]}")
sys.exit(1 if failures else 0)
PY

# The summary is above the fold of a 1400x900 window and names real
# channels and figures: a report with spend (and TV spend without journeys)
# on the sample, its summary's box and text measured in the rendered page.
printf 'channel,spend\nEmail,100\nPaid Search,200\nDisplay,300\nSocial,100\nDirect,50\nTV,500\n' >"$work/costs.csv"
"$bin" report testdata/events.csv --costs "$work/costs.csv" -o "$work/summary.html" --quiet
python3 - "$work/summary.html" "$work/summary-probe.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
script = """<script>(function () {
  var s = document.getElementById('summary'), r = s.getBoundingClientRect();
  var pre = document.createElement('pre'); pre.id = 'fold';
  pre.textContent = r.top + ' ' + r.bottom + ' ' + window.innerHeight + '\\n' + s.textContent.replace(/\\s+/g, ' ');
  document.body.appendChild(pre);
})();</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", script + "</body>"))
PY
render "$work/summary-probe.html" "$work/summary-probe.dom" "$work/summary-probe.err" --window-size=1400,900
python3 - "$work/summary-probe.dom" testdata/events.csv <<'PY' || status=1
import csv, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="fold">(.*?)</pre>', dom, re.S)
ok = bool(m)
if ok:
    first, text = m.group(1).split("\n", 1)
    top, bottom, height = (float(x) for x in first.split())
    channels = {r["channel"] for r in csv.DictReader(open(sys.argv[2]))}
    named = [c for c in channels if c in text]
    figures = re.findall(r"\d+\.\d\d|\d+\.\d%", text)
    ok = top < height and bool(named) and bool(figures) and "TV" in text
    print(("ok   " if ok else "FAIL ") + f"summary above the fold at 1400x900 (top {top:.0f} of {height:.0f}), naming {sorted(named)} and figures {figures[:4]}")
else:
    print("FAIL the summary probe wrote nothing")
sys.exit(0 if ok else 1)
PY

mkdir -p target
chrome --hide-scrollbars --window-size=1280,2400 --screenshot="$PWD/target/report.png" "file://$work/report.html" >/dev/null 2>&1
if [ ! -s target/report.png ]; then
  echo "browser.sh: no screenshot written" >&2
  status=1
else
  echo "screenshot: target/report.png"
fi

echo "browser.sh: $(( $(date +%s) - started ))s"
exit "$status"
