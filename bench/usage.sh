#!/usr/bin/env bash
# bench/usage.sh — full-scan speed of `tokenyield usage` against ccusage
# 20.0.24 on a synthetic Claude Code tree, plus the incremental-scan cost
# that the git hook pays.
#
# What it does:
#   1. builds ./cmd/tokenyield and ./bench/genclaude into a temporary dir;
#   2. generates a Claude Code tree of BENCH_BYTES bytes (default 1 GB) with
#      genclaude into $BENCH_DIR/claude, or reuses the one there when its
#      manifest (genclaude.json) records the same size and seed;
#   3. installs ccusage 20.0.24 from npm into $BENCH_DIR/ccusage if missing
#      (its native Linux binary is run directly, not through node);
#   4. runs, with a warm page cache, one warm-up then BENCH_RUNS (5) timed runs
#      of each tool, measuring wall time and peak RSS with /usr/bin/time:
#        tokenyield usage --json --agent claude-code --tz UTC
#        ccusage daily --json --offline
#      both with an empty temporary HOME (so no real ~/.claude, ~/.codex or
#      XDG folder is ever read) and CLAUDE_CONFIG_DIR=<tree>;
#   5. prints median/min wall seconds, peak RSS, MB/s and the ccusage/tokenyield
#      speed ratio, and checks that both tools' totals (input, output, cache
#      read, cache write) equal each other and the generator's expected totals;
#   6. runs BenchmarkIncremental (append ~1 MB to the tree, then load state +
#      scan + save, as the git hook does) and BenchmarkFullScan in
#      ./internal/scan with TOKENYIELD_BENCH_TREE=<tree>.
# It exits non-zero when any total differs, a tool fails or a Go benchmark
# fails (they check their own totals).
#
# Environment:
#   BENCH_DIR     where the tree and ccusage live (default /tmp/tokenyield-bench)
#   BENCH_BYTES   tree size in bytes (default 1000000000)
#   BENCH_SEED    generator seed (default 1)
#   BENCH_RUNS    timed runs per tool (default 5)
#   BENCH_GO_TESTS=0  skip step 6
#
# Usage: bash bench/usage.sh   (from any directory; needs go, npm, python3 and
# about 1 GB of disk per GB of tree; the 1 GB run takes about 2 minutes once
# the tree exists)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tokenyield-bench}
BENCH_BYTES=${BENCH_BYTES:-1000000000}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_GO_TESTS=${BENCH_GO_TESTS:-1}
CCUSAGE_VERSION=20.0.24
TREE=$BENCH_DIR/claude
CCDIR=$BENCH_DIR/ccusage
CCBIN=$CCDIR/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'usage.sh: %s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenyield-usage-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAKEHOME=$WORK/home # stays empty: no tool finds real logs or settings
mkdir -p "$FAKEHOME" "$WORK/out"

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# --- 1. build ---------------------------------------------------------------
build_tools

# --- 2. tree ----------------------------------------------------------------
ensure_tree
TREE_BYTES=$(jget "$MANIFEST" .bytes)
log "tree: $TREE_BYTES bytes, $(jget "$MANIFEST" .files)+$(jget "$MANIFEST" .subagent_files) files, $(jget "$MANIFEST" .projects) projects, $(jget "$MANIFEST" .responses) responses"

# --- 3. ccusage and /usr/bin/time -------------------------------------------
if [[ ! -f $CCBIN ]]; then
	log "installing ccusage@$CCUSAGE_VERSION into $CCDIR"
	mkdir -p "$CCDIR"
	[[ -f $CCDIR/package.json ]] || echo '{"private": true}' >"$CCDIR/package.json"
	(cd "$CCDIR" && npm install --no-audit --no-fund "ccusage@$CCUSAGE_VERSION" >&2)
	[[ -f $CCBIN ]] || die "ccusage native binary not found at $CCBIN"
fi
chmod +x "$CCBIN"
if [[ ! -x /usr/bin/time ]]; then
	log "installing GNU time"
	apt-get update >&2 && apt-get install -y time >&2
fi

# --- 4. runs ----------------------------------------------------------------
# Each tool gets only these variables: nothing from the caller's environment
# (XDG_CONFIG_HOME, CODEX_HOME, …) can point it at real logs.
TY_ENV=(env -i "PATH=$PATH" "HOME=$FAKEHOME" "CLAUDE_CONFIG_DIR=$TREE")
CC_ENV=(env -i "PATH=$PATH" "HOME=$FAKEHOME" "CLAUDE_CONFIG_DIR=$TREE" "CODEX_HOME=$FAKEHOME" TZ=UTC LOG_LEVEL=0)
TY_CMD=("$WORK/tokenyield" usage --json --agent claude-code --tz UTC)
CC_CMD=("$CCBIN" daily --json --offline)

# measure NAME RUN ENV… -- CMD…: one run; output in $WORK/out/NAME.RUN.json,
# "wall_seconds max_rss_kb" appended to $WORK/out/NAME.times (unless RUN=warm).
measure() {
	local name=$1 run=$2
	shift 2
	local envv=()
	while [[ $1 != -- ]]; do envv+=("$1"); shift; done
	shift
	local out=$WORK/out/$name.$run.json tf=$WORK/out/$name.$run.time
	if ! "${envv[@]}" /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$out" 2>"$WORK/out/$name.$run.err"; then
		cat "$WORK/out/$name.$run.err" >&2
		die "$name run $run failed"
	fi
	[[ $run == warm ]] || tail -n 1 "$tf" >>"$WORK/out/$name.times"
}

# Runs alternate between the two tools, so that both see the same machine
# (a VM's speed drifts from minute to minute; back-to-back blocks would not).
log "warm-up, then $BENCH_RUNS alternating runs of each tool"
measure tokenyield warm "${TY_ENV[@]}" -- "${TY_CMD[@]}"
measure ccusage warm "${CC_ENV[@]}" -- "${CC_CMD[@]}"
for i in $(seq 1 "$BENCH_RUNS"); do
	measure tokenyield "$i" "${TY_ENV[@]}" -- "${TY_CMD[@]}"
	measure ccusage "$i" "${CC_ENV[@]}" -- "${CC_CMD[@]}"
done

# stats FILE → "median min maxrss_kb"
stats() {
	python3 - "$1" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
w = sorted(float(r[0]) for r in rows)
print(f"{statistics.median(w):.3f} {w[0]:.3f} {max(int(r[1]) for r in rows)}")
PY
}
read -r TY_MED TY_MIN TY_RSS < <(stats "$WORK/out/tokenyield.times")
read -r CC_MED CC_MIN CC_RSS < <(stats "$WORK/out/ccusage.times")

# --- 5. report and totals check ----------------------------------------------
python3 - "$TREE_BYTES" "$TY_MED" "$TY_MIN" "$TY_RSS" "$CC_MED" "$CC_MIN" "$CC_RSS" "$BENCH_RUNS" <<'PY'
import sys
b, tmed, tmin, trss, cmed, cmin, crss, runs = sys.argv[1:]
b = int(b)
print(f"\nClaude Code tree: {b:,} bytes ({b/1e6:.0f} MB); warm cache; {runs} runs after 1 warm-up\n")
print(f"{'tool':<28} {'median s':>9} {'min s':>7} {'peak RSS MB':>12} {'MB/s':>7}")
for name, med, mn, rss in (("tokenyield usage", tmed, tmin, trss), ("ccusage 20.0.24 daily", cmed, cmin, crss)):
    med, mn = float(med), float(mn)
    mbs = f"{b / 1e6 / med:.0f}" if med > 0 else "-"  # below /usr/bin/time's 10 ms
    print(f"{name:<28} {med:>9.3f} {mn:>7.3f} {int(rss)/1024:>12.0f} {mbs:>7}")
t, c = float(tmed), float(cmed)
ratio = f"{c / t:.2f}x" if t > 0 else "- (below the 10 ms resolution)"
print(f"\nspeed ratio ccusage/tokenyield (median wall): {ratio}")
PY

fail=0
printf '\n%-12s %16s %16s %16s  %s\n' field expected tokenyield ccusage ok
for row in "input .totals.input .totals.inputTokens" \
	"output .totals.output .totals.outputTokens" \
	"cache_read .totals.cache_read .totals.cacheReadTokens" \
	"cache_write .totals.cache_write .totals.cacheCreationTokens"; do
	read -r field typath ccpath <<<"$row"
	want=$(jget "$MANIFEST" ".$field")
	ok=yes
	for i in $(seq 1 "$BENCH_RUNS"); do
		ty=$(jget "$WORK/out/tokenyield.$i.json" "$typath")
		cc=$(jget "$WORK/out/ccusage.$i.json" "$ccpath")
		if [[ $ty != "$want" || $cc != "$want" ]]; then ok=NO; fail=1; fi
	done
	printf '%-12s %16s %16s %16s  %s\n' "$field" "$want" "$ty" "$cc" "$ok"
done
if ((fail)); then
	echo "MISMATCH: totals differ (outputs kept in $BENCH_DIR/last-outputs)" >&2
	rm -rf "$BENCH_DIR/last-outputs" && cp -r "$WORK/out" "$BENCH_DIR/last-outputs"
else
	echo "totals: equal (tokenyield = ccusage = generator)"
fi

# --- 6. incremental and full-scan Go benchmarks -------------------------------
if [[ $BENCH_GO_TESTS != 0 ]]; then
	# The benchmarks check their own totals and fail on a difference.
	log "BenchmarkIncremental (20 iterations)"
	if ! (cd "$ROOT" && TOKENYIELD_BENCH_TREE=$TREE go test ./internal/scan -run '^$' -bench BenchmarkIncremental -benchtime 20x) | tee "$WORK/out/incr.txt"; then
		echo "BenchmarkIncremental FAILED" >&2
		fail=1
	fi
	log "BenchmarkFullScan (3 iterations)"
	if ! (cd "$ROOT" && TOKENYIELD_BENCH_TREE=$TREE go test ./internal/scan -run '^$' -bench BenchmarkFullScan -benchtime 3x) | tee "$WORK/out/full.txt"; then
		echo "BenchmarkFullScan FAILED" >&2
		fail=1
	fi
	awk '/^BenchmarkIncremental/ { for (i = 1; i < NF; i++) if ($(i+1) == "ns/op") printf "\nincremental (append ~1 MB, load+scan+save): %.1f ms/op\n", $i/1e6 }' "$WORK/out/incr.txt"
	awk '/^BenchmarkFullScan/ { for (i = 1; i < NF; i++) { if ($(i+1) == "ns/op") s = $i/1e9; if ($(i+1) == "MB/s") m = $i }; printf "full scan in-process: %.2f s/op, %s MB/s\n", s, m }' "$WORK/out/full.txt"
fi
exit "$fail"
