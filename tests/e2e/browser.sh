#!/usr/bin/env bash
# End-to-end test of the HTML report in a real browser (headless Chromium):
#   1. the rendered DOM has one bar and one heatmap cell per channel and
#      model, the top-paths rows, and the sorter script ran (it adds tabindex
#      to every sortable header);
#   2. hostile channel names render as text: no injected <script> or <img>;
#   3. no console messages at all (an uncaught error prints a CONSOLE line;
#      the check is first proven to fail on a deliberately broken page);
#   4. a screenshot, target/report.png, for a person to look at.
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

# Renders $1 (an HTML file), DOM to $2, stderr to $3.
render() {
  chrome --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2" 2>"$3"
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
"$bin" report testdata/events.csv -o "$work/report.html" --quiet
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
sys.exit(1 if failures else 0)
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
