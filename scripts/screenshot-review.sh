#!/usr/bin/env bash
# Regenerates docs/review.png, the README's picture of the HTML review report
# (`tokenyield review --format html`).
#
# The page is the sample review of internal/review's tests: a made-up,
# deterministic three-month history of 40 pull requests by five people with
# three agents (htmlSample in internal/review/html_fixture_test.go), rendered
# by WriteHTML and photographed by headless Chromium at 1280x2880 in the same
# test that checks the page in the browser (TestHTMLInBrowser).
#
# Needs Chromium: Debian's package (apt-get install chromium) or any binary
# named by TOKENYIELD_CHROMIUM.
#
# Usage: scripts/screenshot-review.sh [PNG path] [HTML path]
#   PNG path   where to write the screenshot (default docs/review.png)
#   HTML path  also keep the rendered page there (optional)
set -euo pipefail
cd "$(dirname "$0")/.."

png="${1:-docs/review.png}"
html="${2:-}"

if [ -z "${TOKENYIELD_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "scripts/screenshot-review.sh: Chromium is needed (apt-get install chromium, or set TOKENYIELD_CHROMIUM)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
args=(-html-screenshot "$tmp/review.png")
if [ -n "$html" ]; then
  args+=(-html-out "$tmp/review.html")
fi
# The test must pass (the page renders cleanly) and must not have skipped
# (no usable browser): both show in its verbose output.
if ! go test ./internal/review -run '^TestHTMLInBrowser$' -count=1 -v -args "${args[@]}" >"$tmp/test.log" 2>&1; then
  cat "$tmp/test.log" >&2
  echo "scripts/screenshot-review.sh: the browser check failed" >&2
  exit 1
fi
if [ ! -s "$tmp/review.png" ]; then
  cat "$tmp/test.log" >&2
  echo "scripts/screenshot-review.sh: no screenshot was made (the browser check skipped)" >&2
  exit 1
fi
mkdir -p "$(dirname "$png")"
mv "$tmp/review.png" "$png"
echo "wrote $png"
if [ -n "$html" ]; then
  mkdir -p "$(dirname "$html")"
  mv "$tmp/review.html" "$html"
  echo "wrote $html"
fi
