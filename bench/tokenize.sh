#!/usr/bin/env bash
# bench/tokenize.sh — token counting throughput of internal/tokenize against
# the npm package tiktoken (OpenAI's tiktoken compiled to WebAssembly) on the
# same texts, in one run.
#
# What it does:
#   1. installs npm tiktoken $NPM_VERSION into .cache/tiktoken-$NPM_VERSION
#      (as scripts/test does) if missing, and compiles the tokenize package's
#      test binary;
#   2. writes the texts: "code" (the Go, Python, TypeScript, Rust, C, SQL and
#      shell files of internal/tokenize/testdata/corpus, repeated to
#      BENCH_TEXT_BYTES), "prose" (English and German), "cjk" (CJK, emoji,
#      right-to-left and combining marks) and "repo" (every *.go file
#      tracked in this repository, as it is now);
#   3. for each of BENCH_RUNS rounds, text and encoding (cl100k_base,
#      o200k_base), runs the Go counter (BenchmarkCountFile, one process)
#      and npm tiktoken (testdata/bench.cjs, encode_ordinary, one process)
#      on the same file, the same number of times (enough for about
#      BENCH_TARGET_BYTES of text), alternating which goes first; each side
#      times only the counting, after one untimed warm-up, and load time is
#      reported apart;
#   4. prints per text and encoding the median MB/s of each side and the
#      ratio Go/npm of the medians, and the median load time of each
#      encoding (Go: BenchmarkLoad, npm: get_encoding).
# Both sides must report the same token count in every run, or the script
# exits 1.
#
# Environment:
#   BENCH_RUNS          rounds (default 5)
#   BENCH_TEXT_BYTES    size of the corpus-based texts (default 1000000)
#   BENCH_TARGET_BYTES  text counted per measurement (default 4000000)
#
# Usage: bash bench/tokenize.sh   (needs go, node, npm and python3; about
# 3 minutes with the defaults, most of it npm's side)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_TEXT_BYTES=${BENCH_TEXT_BYTES:-1000000}
BENCH_TARGET_BYTES=${BENCH_TARGET_BYTES:-4000000}
NPM_VERSION=1.0.22 # keep in step with scripts/test and internal/tokenize/npm_test.go
NPM_DIR=$ROOT/.cache/tiktoken-$NPM_VERSION
PKG=$ROOT/internal/tokenize
CORPUS=$PKG/testdata/corpus

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'tokenize.sh: %s\n' "$*" >&2; exit 1; }

for tool in go node npm python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenyield-tokenize-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ ! -f $NPM_DIR/node_modules/tiktoken/package.json ]]; then
	log "installing npm tiktoken $NPM_VERSION into $NPM_DIR"
	mkdir -p "$NPM_DIR"
	(cd "$NPM_DIR" && npm install --silent --no-audit --no-fund --no-save "tiktoken@$NPM_VERSION" >/dev/null)
fi

log "compiling the tokenize test binary"
(cd "$ROOT" && go test -c -o "$WORK/tokenize.test" ./internal/tokenize)

# repeat_to OUT FILE... — concatenates the files until OUT has
# BENCH_TEXT_BYTES bytes or more.
repeat_to() {
	local out=$1
	shift
	: >"$out"
	while (($(stat -c %s "$out") < BENCH_TEXT_BYTES)); do
		cat "$@" >>"$out"
	done
}
repeat_to "$WORK/code" "$CORPUS"/{go,python,typescript,rust,c,sql,shell}.txt
repeat_to "$WORK/prose" "$CORPUS"/{english,german}.txt
repeat_to "$WORK/cjk" "$CORPUS"/{cjk,emoji,rtl,combining}.txt
(cd "$ROOT" && git ls-files -z '*.go' | xargs -0 cat) >"$WORK/repo"
TEXTS=(code prose cjk repo)

# go_run TEXT ENC ITER — prints "MB/s tokens" of BenchmarkCountFile.
go_run() {
	(cd "$PKG" && TOKENYIELD_BENCH_TEXT=$WORK/$1 "$WORK/tokenize.test" -test.run '^$' \
		-test.bench "^BenchmarkCountFile/$2\$" -test.benchtime "${3}x") |
		awk '/^BenchmarkCountFile/ { for (i = 1; i <= NF; i++) { if ($i == "MB/s") mbps = $(i-1); if ($i == "tokens") tok = $(i-1) } }
			END { if (mbps == "") exit 1; print mbps, tok }'
}

# npm_run TEXT ENC ITER — prints "MB/s tokens load_ms" of bench.cjs.
npm_run() {
	node "$PKG/testdata/bench.cjs" "$NPM_DIR" "$WORK/$1" "$2" "$3" |
		python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["mbps"], r["tokens"], r["load_ms"])'
}

RESULTS=$WORK/results
: >"$RESULTS"
for ((run = 1; run <= BENCH_RUNS; run++)); do
	for text in "${TEXTS[@]}"; do
		size=$(stat -c %s "$WORK/$text")
		iter=$(((BENCH_TARGET_BYTES + size - 1) / size))
		for enc in cl100k_base o200k_base; do
			if ((run % 2)); then order="go npm"; else order="npm go"; fi
			for side in $order; do
				if [[ $side == go ]]; then
					read -r mbps tokens <<<"$(go_run "$text" "$enc" "$iter")" || die "Go run failed on $text $enc"
					echo "go $text $enc $size $mbps $tokens" >>"$RESULTS"
				else
					read -r mbps tokens load <<<"$(npm_run "$text" "$enc" "$iter")" || die "npm run failed on $text $enc"
					echo "npm $text $enc $size $mbps $tokens $load" >>"$RESULTS"
				fi
			done
			log "run $run/$BENCH_RUNS: $text $enc done"
		done
	done
done

GO_LOAD=$(cd "$PKG" && "$WORK/tokenize.test" -test.run '^$' -test.bench '^BenchmarkLoad/' -test.benchtime 5x |
	awk '/^BenchmarkLoad/ { split($1, p, "/"); sub(/-[0-9]+$/, "", p[2]); printf "%s %.1f\n", p[2], $3 / 1e6 }')

python3 - "$RESULTS" "$GO_LOAD" <<'PY'
import statistics, sys
from collections import defaultdict

rows = [l.split() for l in open(sys.argv[1])]
go_load = dict(l.split() for l in sys.argv[2].splitlines() if l.strip())
mbps, tokens, size, npm_load = defaultdict(list), defaultdict(set), {}, defaultdict(list)
for r in rows:
    side, text, enc = r[0], r[1], r[2]
    size[text] = int(r[3])
    mbps[side, text, enc].append(float(r[4]))
    tokens[text, enc].add(int(r[5]))
    if side == "npm":
        npm_load[enc].append(float(r[6]))

ok = True
print(f"{'text':<6} {'encoding':<12} {'bytes':>9} {'tokens':>8} {'Go MB/s':>8} {'npm MB/s':>9} {'Go/npm':>7}")
for text in ["code", "prose", "cjk", "repo"]:
    for enc in ["cl100k_base", "o200k_base"]:
        toks = tokens[text, enc]
        if len(toks) != 1:
            ok = False
        g = statistics.median(mbps["go", text, enc])
        n = statistics.median(mbps["npm", text, enc])
        count = toks.pop() if len(toks) == 1 else "DIFFER"
        print(f"{text:<6} {enc:<12} {size[text]:>9} {count:>8} {g:>8.1f} {n:>9.2f} {g / n:>6.1f}x")
print()
for enc in ["cl100k_base", "o200k_base"]:
    print(f"load {enc}: Go {go_load.get(enc, '?')} ms, npm {statistics.median(npm_load[enc]):.1f} ms (medians)")
if not ok:
    print("token counts differ between Go and npm", file=sys.stderr)
    sys.exit(1)
PY
