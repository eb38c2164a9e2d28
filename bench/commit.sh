#!/usr/bin/env bash
# bench/commit.sh — what tokenyield's git hooks add to `git commit`.
#
# What it does:
#   1. builds ./cmd/tokenyield and ./bench/genclaude into a temporary dir;
#   2. uses the Claude Code tree of usage.sh ($BENCH_DIR/claude, BENCH_BYTES
#      bytes, default 1 GB), generating it with genclaude when it is missing
#      or was made with another size or seed, as CLAUDE_CONFIG_DIR; and makes
#      a Codex home of the real rollouts of testdata/sessions/codex/localpush
#      copied BENCH_CODEX_COPIES (30) times under new file names
#      (sessions/2026/02/2X/rollout-<time>-<new uuid>.jsonl) as CODEX_HOME;
#   3. creates two repositories with the same content (50 files × 200 lines,
#      one commit): `plain` (no hooks) and `hooked` (`tokenyield install` run
#      in it, which reads the whole tree once; not timed);
#   4. after BENCH_WARMUP (3) warm-up commits per case, makes BENCH_COMMITS
#      (30) timed commits per case, the cases interleaved in every iteration
#      (in a rotating order) because the VM's speed drifts:
#        (a) hooked, after appending BENCH_APPEND_BYTES (1 MB) of new Claude
#            Code usage whose cwd is the hooked repository,
#        (b) hooked, nothing new logged since the previous commit,
#        (c) plain;
#      each commit changes one line of one file, staged beforehand; only
#      `git commit -q -m MSG` is timed (`date +%s%N` before and after);
#   5. prints median and p90 per case in ms and the differences of the
#      medians a−c (target < 30 ms) and b−c (target < 10 ms) with PASS/FAIL;
#      with BENCH_BREAKDOWN=1, two more cases split the overhead:
#        (d) hooked with TOKENYIELD_DISABLE=1: only the hook scripts run,
#        (e) a third repository, `empty`, installed like `hooked` but whose
#            CLAUDE_CONFIG_DIR and CODEX_HOME are empty directories: the
#            tokenyield processes with no log to look at;
#      so d−c is the sh scripts, e−d tokenyield's fixed cost, b−e looking
#      through the 1 GB tree and the Codex home, a−b the 1 MB of new usage;
#   6. checks, with `tokenyield show --json`, that the note of every (a)
#      commit (warm-ups included) totals exactly the usage appended before
#      it, and that (b) commits carry nothing; and that the hooks logged no
#      error (<git dir>/tokenyield/hook.log) and printed nothing.
# It exits 1 when a target is missed, a total differs or a hook failed.
#
# The new usage: assistant lines with usage are taken from the real Claude
# Code transcript(s) testdata/sessions/claude-code/spotter/projects/*/*.jsonl
# (cycled through), with cwd set to the hooked repository, fresh message.id,
# requestId and uuid (so every line is a new response), timestamp = now (UTC)
# and sessionId = one id for the run. Each batch is written (and its expected
# totals summed) before the timed commit, appended to the single new file
# $BENCH_DIR/claude/projects/-bench-commit/<run>.jsonl, which is removed on
# exit: the tree's own files are never modified.
#
# Every git and tokenyield command runs under `env -i` with only PATH, an
# empty temporary HOME (so no real ~/.claude, ~/.codex or git config is
# read), GIT_CONFIG_NOSYSTEM=1, GIT_AUTHOR_NAME/EMAIL, GIT_COMMITTER_NAME/EMAIL,
# CLAUDE_CONFIG_DIR, CODEX_HOME, TZ=UTC and LC_ALL=C. Both
# repositories have gc.auto=0 and maintenance.auto=false, so no background
# housekeeping lands in a timed commit.
#
# Environment:
#   BENCH_DIR           where the tree lives (default /tmp/tokenyield-bench)
#   BENCH_BYTES         tree size in bytes (default 1000000000)
#   BENCH_SEED          generator seed (default 1)
#   BENCH_COMMITS       timed commits per case (default 30)
#   BENCH_WARMUP        warm-up commits per case (default 3)
#   BENCH_APPEND_BYTES  new usage appended before each (a) commit (default 1000000)
#   BENCH_CODEX_COPIES  copies of the localpush rollouts in CODEX_HOME (default 30)
#   BENCH_BREAKDOWN=1   also run the cases (d) and (e) above
#   BENCH_PROFILE=DIR   after the timed run, make BENCH_PROFILE_COMMITS (10)
#                       more (a) and (b) commits with TOKENYIELD_CPUPROFILE set,
#                       and keep one CPU profile per hook run in DIR
#                       (a-commit-msg.N.pprof, a-post-commit.N.pprof, b-…);
#                       inspect with: go tool pprof -top DIR/a-commit-msg.*.pprof
#
# Usage: bash bench/commit.sh   (from any directory; needs go, git and python3;
# about 20 s once the tree exists)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tokenyield-bench}
BENCH_BYTES=${BENCH_BYTES:-1000000000}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_COMMITS=${BENCH_COMMITS:-30}
BENCH_WARMUP=${BENCH_WARMUP:-3}
BENCH_APPEND_BYTES=${BENCH_APPEND_BYTES:-1000000}
BENCH_CODEX_COPIES=${BENCH_CODEX_COPIES:-30}
BENCH_PROFILE=${BENCH_PROFILE:-}
BENCH_BREAKDOWN=${BENCH_BREAKDOWN:-0}
BENCH_PROFILE_COMMITS=${BENCH_PROFILE_COMMITS:-10}
TARGET_A_MS=30
TARGET_B_MS=10
TREE=$BENCH_DIR/claude
MANIFEST=$TREE/genclaude.json
SPOTTER=("$ROOT"/testdata/sessions/claude-code/spotter/projects/*/*.jsonl)
LOCALPUSH=$ROOT/testdata/sessions/codex/localpush/sessions

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'commit.sh: %s\n' "$*" >&2; exit 1; }

for n in BENCH_COMMITS BENCH_WARMUP BENCH_APPEND_BYTES BENCH_CODEX_COPIES BENCH_PROFILE_COMMITS; do
	[[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a number"
done
((BENCH_COMMITS > 0)) || die "BENCH_COMMITS must be at least 1"
((BENCH_APPEND_BYTES > 0)) || die "BENCH_APPEND_BYTES must be at least 1"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenyield-commit-bench.XXXXXX")
RUN_ID=$(basename "$WORK" | tr -c 'A-Za-z0-9\n' '-')
NEWDIR=$TREE/projects/-bench-commit
NEWFILE=$NEWDIR/$RUN_ID.jsonl
PROFILE_READER=
cleanup() {
	[[ -z $PROFILE_READER ]] || kill "$PROFILE_READER" 2>/dev/null || :
	rm -f "$NEWFILE"
	rmdir "$NEWDIR" 2>/dev/null || :
	rm -rf "$WORK"
}
trap cleanup EXIT
FAKEHOME=$WORK/home # stays empty: no tool finds real logs or settings
CODEXH=$WORK/codex
mkdir -p "$FAKEHOME" "$WORK/out" "$CODEXH"

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# --- 1. build ---------------------------------------------------------------
build_tools
TY=$WORK/tokenyield

# --- 2. Claude Code tree and Codex home ---------------------------------------
ensure_tree
# Left over by interrupted runs of this script or of BenchmarkIncremental.
rm -rf "$NEWDIR" # left over by an interrupted run
log "tree: $(jget "$MANIFEST" .bytes) bytes, $(jget "$MANIFEST" .files)+$(jget "$MANIFEST" .subagent_files) files, $(jget "$MANIFEST" .projects) projects"

((${#SPOTTER[@]} > 0)) && [[ -f ${SPOTTER[0]} ]] || die "no spotter transcript under testdata/sessions/claude-code/spotter/projects"
shopt -s nullglob
rollouts=("$LOCALPUSH"/*/*/*/rollout-*.jsonl)
shopt -u nullglob
((${#rollouts[@]} > 0)) || die "no Codex rollouts under $LOCALPUSH"
python3 - "$CODEXH/sessions" "$BENCH_CODEX_COPIES" "${rollouts[@]}" <<'PY'
# Copy k of rollout j goes to sessions/2026/02/<20+k%9>/rollout-<time>-<uuid>.jsonl.
import os, shutil, sys, uuid
dest, copies, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for k in range(copies):
    day = 20 + k % 9
    d = os.path.join(dest, "2026", "02", f"{day:02d}")
    os.makedirs(d, exist_ok=True)
    for j, s in enumerate(srcs):
        name = f"rollout-2026-02-{day:02d}T{(k + j) % 24:02d}-{k % 60:02d}-{j % 60:02d}-{uuid.uuid4()}.jsonl"
        out = os.path.join(d, name)
        shutil.copyfile(s, out)
        # As on a real machine, a finished rollout stopped changing when its
        # session ended (February 2026 here), not when it was copied.
        t = 1771891200 + k * 3600  # 2026-02-24T00:00:00Z + k hours
        os.utime(out, (t, t))
PY
log "Codex home: $(find "$CODEXH/sessions" -type f | wc -l) rollouts, $(du -sb "$CODEXH" | cut -f1) bytes"

# Every git and tokenyield command gets only these variables.
ENVV=(env -i "PATH=$PATH" "HOME=$FAKEHOME" GIT_CONFIG_NOSYSTEM=1
	GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
	GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
	"CLAUDE_CONFIG_DIR=$TREE" "CODEX_HOME=$CODEXH" TZ=UTC LC_ALL=C)
# The same for the `empty` repository of BENCH_BREAKDOWN: no logs at all.
mkdir -p "$WORK/nologs/claude" "$WORK/nologs/codex"
ENV_EMPTY=(env -i "PATH=$PATH" "HOME=$FAKEHOME" GIT_CONFIG_NOSYSTEM=1
	GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
	GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
	"CLAUDE_CONFIG_DIR=$WORK/nologs/claude" "CODEX_HOME=$WORK/nologs/codex" TZ=UTC LC_ALL=C)

# --- 3. repositories --------------------------------------------------------
make_repo() {
	local dir=$1
	mkdir -p "$dir"
	python3 - "$dir" <<'PY'
import os, sys
for f in range(50):
    with open(os.path.join(sys.argv[1], f"file{f:02d}.txt"), "w") as w:
        for l in range(200):
            w.write(f"file {f} line {l}: the quick brown fox jumps over the lazy dog\n")
PY
	"${ENVV[@]}" git -C "$dir" init -q -b main
	"${ENVV[@]}" git -C "$dir" config gc.auto 0
	"${ENVV[@]}" git -C "$dir" config maintenance.auto false
	"${ENVV[@]}" git -C "$dir" add -A
	"${ENVV[@]}" git -C "$dir" commit -q -m "initial"
}
log "creating repositories plain and hooked"
make_repo "$WORK/plain"
make_repo "$WORK/hooked"
HOOKED=$(cd "$WORK/hooked" && pwd -P)
log "tokenyield install in hooked (reads the whole tree once)"
t0=$(date +%s%N)
(cd "$HOOKED" && "${ENVV[@]}" "$TY" install >"$WORK/out/install.txt" 2>&1) || {
	cat "$WORK/out/install.txt" >&2
	die "tokenyield install failed"
}
t1=$(date +%s%N)
log "install took $(((t1 - t0) / 1000000)) ms"
HOOKLOG=$HOOKED/.git/tokenyield/hook.log
CASES=(a b c)
if [[ $BENCH_BREAKDOWN != 0 ]]; then
	CASES+=(d e)
	make_repo "$WORK/empty"
	(cd "$WORK/empty" && "${ENV_EMPTY[@]}" "$TY" install >"$WORK/out/install-empty.txt" 2>&1) || {
		cat "$WORK/out/install-empty.txt" >&2
		die "tokenyield install in the empty repository failed"
	}
fi
BENCH_SESSION=$(python3 -c 'import uuid; print(uuid.uuid4())')

# --- 4. commits --------------------------------------------------------------
# append_usage TAG: append BENCH_APPEND_BYTES of new usage lines to $NEWFILE
# (flushed to disk); prints "input output cache_read cache_write lines bytes".
append_usage() {
	python3 - "$NEWFILE" "$BENCH_APPEND_BYTES" "$HOOKED" "$BENCH_SESSION" "$RUN_ID-$1" "${SPOTTER[@]}" <<'PY'
import datetime, json, os, sys, uuid
out, want, cwd, session, tag, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
tmpl = []
for s in srcs:
    for line in open(s, encoding="utf-8"):
        d = json.loads(line)
        if d.get("type") == "assistant" and isinstance(d.get("message"), dict) and d["message"].get("usage"):
            tmpl.append(d)
if not tmpl:
    sys.exit("no assistant lines with usage in " + " ".join(srcs))
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
tag = "".join(c for c in tag if c.isalnum())
buf, size, n = [], 0, 0
tot = [0, 0, 0, 0]
parent = None
while size < want:
    d = json.loads(json.dumps(tmpl[n % len(tmpl)]))
    u = d["message"]["usage"]
    d["cwd"] = cwd
    d["sessionId"] = session
    d["message"]["id"] = f"msg_bench{tag}x{n:06d}"
    d["requestId"] = f"req_bench{tag}x{n:06d}"
    d["uuid"] = str(uuid.uuid4())
    if "parentUuid" in d:
        d["parentUuid"] = parent
    parent = d["uuid"]
    d["timestamp"] = now
    for i, k in enumerate(("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")):
        tot[i] += int(u.get(k) or 0)
    line = json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n"
    buf.append(line)
    size += len(line.encode("utf-8"))
    n += 1
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "a", encoding="utf-8") as f:
    f.write("".join(buf))
    f.flush()
    os.fsync(f.fileno())
print(*tot, n, size)
PY
}

# bump REPO N: change one line of one file and stage it (not timed).
bump() {
	local repo=$1 n=$2
	local f
	f=$(printf 'file%02d.txt' $((n % 50)))
	sed -i "$(((n * 37) % 200 + 1))s/.*/changed by commit $n/" "$repo/$f"
	"${ENVV[@]}" git -C "$repo" add "$f"
}

# commit CASE PHASE N [ENV…]: one commit of case a…e; appends
# "case phase n µs" to $WORK/out/times and, for cases a and b,
# "case n commit input output cache_read cache_write" to $WORK/out/expect.
commit() {
	local case=$1 phase=$2 n=$3
	shift 3
	local repo=$HOOKED expect="0 0 0 0" envv=("${ENVV[@]}")
	case $case in
	c) repo=$WORK/plain ;;
	d) envv+=(TOKENYIELD_DISABLE=1) ;;
	e) repo=$WORK/empty envv=("${ENV_EMPTY[@]}") ;;
	esac
	bump "$repo" "$n"
	if [[ $case == a ]]; then
		local r
		r=$(append_usage "$phase$n")
		expect=$(cut -d' ' -f1-4 <<<"$r")
	fi
	local t0 t1
	t0=$(date +%s%N)
	"${envv[@]}" "$@" git -C "$repo" commit -q -m "bench $case $phase $n" 2>>"$WORK/out/commit.err"
	t1=$(date +%s%N)
	echo "$case $phase $n $(((t1 - t0) / 1000))" >>"$WORK/out/times"
	if [[ $case == [ab] ]]; then
		echo "$case $n $("${ENVV[@]}" git -C "$repo" rev-parse HEAD) $expect" >>"$WORK/out/expect"
	fi
}

: >"$WORK/out/times"
: >"$WORK/out/expect"
: >"$WORK/out/commit.err"
# order I: the cases rotated by I, so that no case always runs first.
order() {
	local k=$(($1 % ${#CASES[@]}))
	echo "${CASES[@]:k} ${CASES[@]:0:k}"
}
n=0
log "warm-up: $BENCH_WARMUP commits per case"
for i in $(seq 1 "$BENCH_WARMUP"); do
	for c in $(order "$i"); do
		n=$((n + 1))
		commit "$c" warm "$n"
	done
done
log "timed: $BENCH_COMMITS commits per case, interleaved (a: +$BENCH_APPEND_BYTES bytes of usage each)"
for i in $(seq 1 "$BENCH_COMMITS"); do
	for c in $(order "$i"); do
		n=$((n + 1))
		commit "$c" timed "$n"
	done
done

if [[ -n $BENCH_PROFILE ]]; then
	# Both hooks of a commit run the binary with the same TOKENYIELD_CPUPROFILE
	# path, so it is a FIFO: a reader saves each run's profile to its own
	# file, in order (commit-msg, then post-commit).
	mkdir -p "$BENCH_PROFILE"
	BENCH_PROFILE=$(cd "$BENCH_PROFILE" && pwd -P)
	FIFO=$WORK/profile.fifo
	mkfifo "$FIFO"
	: >"$WORK/out/profile-names"
	k=0
	for i in $(seq 1 "$BENCH_PROFILE_COMMITS"); do
		for c in a b; do
			for h in commit-msg post-commit; do
				k=$((k + 1))
				echo "$c-$h.$i" >>"$WORK/out/profile-names"
			done
		done
	done
	python3 - "$FIFO" "$BENCH_PROFILE" "$WORK/out/profile-names" <<'PY' &
import os, sys
fifo, dest, names = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split()
for name in names:
    with open(fifo, "rb") as f:
        data = f.read()
    with open(os.path.join(dest, name + ".pprof"), "wb") as w:
        w.write(data)
PY
	PROFILE_READER=$!
	log "profiling: $BENCH_PROFILE_COMMITS (a) and (b) commits with TOKENYIELD_CPUPROFILE into $BENCH_PROFILE"
	for i in $(seq 1 "$BENCH_PROFILE_COMMITS"); do
		for c in a b; do
			n=$((n + 1))
			commit "$c" profile "$n" "TOKENYIELD_CPUPROFILE=$FIFO"
		done
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$PROFILE_READER" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$PROFILE_READER" 2>/dev/null; then
		echo "profiling: fewer hook runs than expected; profiles may be misnamed" >&2
		kill "$PROFILE_READER" 2>/dev/null || :
	fi
	wait "$PROFILE_READER" 2>/dev/null || :
	PROFILE_READER=
	log "profiles: $(ls "$BENCH_PROFILE" | wc -l) files; e.g. go tool pprof -top $BENCH_PROFILE/a-commit-msg.*.pprof"
fi

# --- 5. report ----------------------------------------------------------------
fail=0
python3 - "$WORK/out/times" "$BENCH_COMMITS" "$TARGET_A_MS" "$TARGET_B_MS" "$BENCH_APPEND_BYTES" "$(nproc)" <<'PY' || fail=1
import math, statistics, sys
path, n, ta, tb, app, cores = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ms = {}
for line in open(path):
    c, phase, _, us = line.split()
    if phase == "timed":
        ms.setdefault(c, []).append(int(us) / 1000)
def p90(v):
    s = sorted(v)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]
names = {
    "a": f"(a) hooked, +{app / 1e6:g} MB new usage",
    "b": "(b) hooked, nothing new",
    "c": "(c) plain, no hooks",
    "d": "(d) hooked, TOKENYIELD_DISABLE=1",
    "e": "(e) hooked, no logs at all",
}
print(f"\ngit commit, {n} timed commits per case after warm-up, interleaved; {cores} cores\n")
print(f"{'case':<36} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}")
med = {}
for c in sorted(ms):
    med[c] = statistics.median(ms[c])
    print(f"{names[c]:<36} {med[c]:>10.1f} {p90(ms[c]):>8.1f} {min(ms[c]):>8.1f}")
print()
ok = True
for c, t in (("a", ta), ("b", tb)):
    d = med[c] - med["c"]
    word = "PASS" if d < t else "FAIL"
    ok &= d < t
    print(f"overhead {c}-c (medians): {d:7.1f} ms   target < {t:g} ms   {word}")
    print(f"  ratio {c}/c (medians): {med[c] / med['c']:.2f}x")
if "d" in med and "e" in med:
    print("\nbreakdown (differences of medians):")
    for what, x, y in (("hook sh scripts (d-c)", "d", "c"),
                       ("tokenyield runs, no logs (e-d)", "e", "d"),
                       ("looking through the logs (b-e)", "b", "e"),
                       ("the new usage (a-b)", "a", "b")):
        print(f"  {what:<34} {med[x] - med[y]:7.1f} ms")
sys.exit(0 if ok else 1)
PY

# --- 6. checks ----------------------------------------------------------------
log "checking every hooked commit's note with tokenyield show --json"
bad=0
checked=0
last_a="none"
while read -r c num hash ein eout ecr ecw; do
	json=$(cd "$HOOKED" && "${ENVV[@]}" "$TY" show "$hash" --json 2>>"$WORK/out/show.err") || {
		echo "commit $num ($c): tokenyield show failed" >&2
		bad=1
		continue
	}
	checked=$((checked + 1))
	if [[ $c == b ]]; then
		if [[ -n $json ]]; then
			echo "commit $num (b, nothing new) has usage: $json" >&2
			bad=1
		fi
		continue
	fi
	got=$(python3 -c 'import json, sys; t = json.load(sys.stdin)["total"]; print(t["input"], t["output"], t["cache_read"], t["cache_write"])' <<<"$json" 2>/dev/null || echo "none")
	if [[ $got != "$ein $eout $ecr $ecw" ]]; then
		echo "commit $num (a): note total '$got' (input output cache_read cache_write), appended '$ein $eout $ecr $ecw'" >&2
		bad=1
	fi
	last_a="$num: $got"
done <"$WORK/out/expect"
if [[ -s $HOOKLOG ]]; then
	echo "the hooks logged errors:" >&2
	cat "$HOOKLOG" >&2
	bad=1
fi
if [[ -s $WORK/out/commit.err ]]; then
	echo "git commit printed:" >&2
	head -n 20 "$WORK/out/commit.err" >&2
	bad=1
fi
if ((bad)); then
	echo "totals: MISMATCH (or hook errors), see above" >&2
	fail=1
else
	echo "totals: every hooked commit's note equals what was appended before it ($checked commits checked; last (a) commit $last_a; (b) commits carry nothing)"
fi
exit "$fail"
