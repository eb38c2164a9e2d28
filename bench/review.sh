#!/usr/bin/env bash
# bench/review.sh — `tokenyield review` on a large real repository.
#
# What it does:
#   1. builds tokenyield (static, as the README does) and the helper
#      bench/reviewnotes into a temporary directory;
#   2. clones BENCH_REPO locally (hard links: seconds, no network) into a
#      temporary directory, so the source is never modified;
#   3. writes synthetic notes (bench/reviewnotes: one Claude Code row each)
#      on every BENCH_EVERY-th commit of the review window: the commits since
#      the date of the BENCH_COMMITS-th most recent commit (about
#      BENCH_COMMITS commits, merges' sides included);
#   4. runs `tokenyield review --since <that date> --format all --out DIR
#      --no-api`
#      BENCH_RUNS times under /usr/bin/time, and prints each run's wall time
#      and peak memory, the medians, and PASS/FAIL against the targets
#      (under 5 s, under 300 MB).
#
# The repository: git's own history (https://github.com/git/git, about
# 82,000 commits; `git clone https://github.com/git/git`), used because it is
# large, real and public. Any clone works: BENCH_REPO=/path/to/clone.
# Without BENCH_REPO the script uses /work/.mirror/git+git/repo when it
# exists (the copy on this project's build machine).
#
# Environment:
#   BENCH_REPO     a clone to review (see above)
#   BENCH_COMMITS  commits with a chance of a note, from the tip (default 10000)
#   BENCH_EVERY    one note per this many commits (default 2)
#   BENCH_RUNS     timed runs (default 3)
#   BENCH_FLAGS    more flags for tokenyield review (e.g. --diff-tokens on)
#
# Usage: bash bench/review.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_REPO=${BENCH_REPO:-/work/.mirror/git+git/repo}
BENCH_COMMITS=${BENCH_COMMITS:-10000}
BENCH_EVERY=${BENCH_EVERY:-2}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_FLAGS=${BENCH_FLAGS:-}
TARGET_S=5
TARGET_MB=300

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'review.sh: %s\n' "$*" >&2; exit 1; }

[[ -d $BENCH_REPO ]] || die "no repository at $BENCH_REPO: clone one (e.g. git clone https://github.com/git/git) and set BENCH_REPO"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed (apt-get install time)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenyield-review-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log "building tokenyield and reviewnotes"
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/tokenyield" ./cmd/tokenyield && go build -o "$WORK/reviewnotes" ./bench/reviewnotes)

log "cloning $BENCH_REPO"
git clone -q --local --no-checkout "$BENCH_REPO" "$WORK/repo"
cd "$WORK/repo"
git -c advice.detachedHead=false checkout -q --detach HEAD 2>/dev/null || true
tip=$(git rev-parse HEAD)
oldest=$(git rev-list --max-count="$BENCH_COMMITS" "$tip" | tail -1)
since=$(git log -1 --format=%cs "$oldest")
range_commits=$(git rev-list --count --since-as-filter="$since" "$tip" 2>/dev/null || git rev-list --count "$oldest^..$tip")
log "$(git rev-list --count "$tip") commits in all; reviewing since $since"
"$WORK/reviewnotes" -repo . -range "$oldest^..$tip" -every "$BENCH_EVERY" >&2
git repack -a -d -q

times=() mems=()
for i in $(seq 1 "$BENCH_RUNS"); do
	rm -rf "$WORK/out"
	/usr/bin/time -f "%e %M" -o "$WORK/time" "$WORK/tokenyield" review --since "$since" --format all --out "$WORK/out" --no-api $BENCH_FLAGS 2>"$WORK/stderr" >/dev/null \
		|| { cat "$WORK/stderr" >&2; die "tokenyield review failed"; }
	read -r t m <"$WORK/time"
	times+=("$t") mems+=("$m")
	log "run $i: ${t} s, $((m / 1024)) MB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mt=$(median "${times[@]}") mm=$(median "${mems[@]}")
prs=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d.get("prs",[])), d["totals"].get("commits", "?"), d["totals"].get("tokens"))' "$WORK/out/review.json" 2>/dev/null || echo "? ? ?")
echo
echo "tokenyield review, $BENCH_REPO since $since ($range_commits commits; one in $BENCH_EVERY with a note)"
echo "PRs, commits, tokens in the report: $prs"
echo "median wall time: ${mt} s (target < ${TARGET_S} s)"
echo "median peak memory: $((mm / 1024)) MB (target < ${TARGET_MB} MB)"
ok=1
awk -v t="$mt" -v l="$TARGET_S" 'BEGIN {exit !(t < l)}' || ok=0
((mm / 1024 < TARGET_MB)) || ok=0
if ((ok)); then echo "PASS"; else echo "FAIL"; exit 1; fi
