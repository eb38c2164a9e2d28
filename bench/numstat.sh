#!/usr/bin/env bash
# bench/numstat.sh — lines changed per commit: internal/gitstat's Log against
# `git log --numstat --no-renames` on the same 10,000-commit range, in one
# run.
#
# What it does:
#   1. builds the Go helper bench/numstat into a temporary directory;
#   2. unless BENCH_REPO is set, makes (or reuses) a synthetic repository
#      under $BENCH_DIR: `numstat gen` (package internal/gitstat/synth) piped
#      into `git fast-import`, then a checkout (its .gitattributes apply) and
#      `git repack -a -d -f` so that objects are stored as deltas, as in a
#      clone; the range synth-base..main holds exactly BENCH_COMMITS commits
#      (edits, adds, deletes, renames, lock files, vendored, generated and
#      binary files, merges, empty commits);
#   3. runs `numstat run`: one untimed warm-up of each side, then BENCH_RUNS
#      rounds alternating which side goes first — `git log --numstat
#      --no-renames <range> > /dev/null` as a child process, and
#      gitstat.Log(<range>) in the helper's process (its git log, rev-parse
#      and check-attr included) — and prints every run, the medians, the
#      minimums, the ratio of the medians and PASS/FAIL against BENCH_TARGET;
#      it also checks that gitstat.Log counted the same commits, files and
#      lines as a plain `git log --numstat`.
# Exits 1 when the totals differ or the ratio is above the target.
#
# Environment:
#   BENCH_COMMITS  commits in the range (default 10000)
#   BENCH_SEED     seed of the synthetic history (default 1)
#   BENCH_RUNS     timed runs of each side (default 7)
#   BENCH_TARGET   largest acceptable ratio (default 1.5)
#   BENCH_DIR      where synthetic repositories are kept (default
#                  /tmp/tokenyield-numstat); one per commits/seed, reused
#   BENCH_REPO     measure an existing clone instead (nothing is written to
#                  it); the range is then BENCH_RANGE, by default the last
#                  BENCH_COMMITS commits of HEAD: <the commit BENCH_COMMITS
#                  steps back in `git rev-list HEAD`>..HEAD (with merges the
#                  range may hold a few more or fewer; the count is printed)
#   BENCH_RANGE    the range to measure (default synth-base..main, or the
#                  above with BENCH_REPO)
#
# Usage:
#   bash bench/numstat.sh                       # synthetic, ~1 min the first time
#   BENCH_REPO=~/src/linux bash bench/numstat.sh
#   BENCH_REPO=~/src/git BENCH_RANGE=v2.30.0..v2.40.0 bash bench/numstat.sh
# git runs with an empty HOME and no system config, so that both sides see
# the same neutral configuration.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_COMMITS=${BENCH_COMMITS:-10000}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_RUNS=${BENCH_RUNS:-7}
BENCH_TARGET=${BENCH_TARGET:-1.5}
BENCH_DIR=${BENCH_DIR:-/tmp/tokenyield-numstat}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'numstat.sh: %s\n' "$*" >&2; exit 1; }

for tool in go git; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenyield-numstat-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CONFIG_PARAMETERS

log "building bench/numstat"
(cd "$ROOT" && go build -o "$WORK/numstat" ./bench/numstat)

if [[ -n ${BENCH_REPO:-} ]]; then
	REPO=$(cd "$BENCH_REPO" && pwd)
	git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || die "BENCH_REPO=$BENCH_REPO is not a git repository"
	if [[ -z ${BENCH_RANGE:-} ]]; then
		base=$(git -C "$REPO" rev-list --skip="$BENCH_COMMITS" -n1 HEAD)
		[[ -n $base ]] || die "HEAD has no more than $BENCH_COMMITS commits: set BENCH_RANGE"
		BENCH_RANGE=$base..HEAD
	fi
else
	REPO=$BENCH_DIR/repo-c$BENCH_COMMITS-s$BENCH_SEED
	if [[ -f $REPO/.git/tokenyield-numstat-complete ]]; then
		log "reusing $REPO"
	else
		log "generating $BENCH_COMMITS commits (seed $BENCH_SEED) into $REPO"
		rm -rf "$REPO"
		mkdir -p "$BENCH_DIR"
		git init -q -b main "$REPO"
		git -C "$REPO" config gc.auto 0
		git -C "$REPO" config maintenance.auto false
		"$WORK/numstat" gen -commits "$BENCH_COMMITS" -seed "$BENCH_SEED" | git -C "$REPO" fast-import --quiet
		git -C "$REPO" reset -q --hard main
		log "repacking (deltas, as in a clone)"
		git -C "$REPO" repack -a -d -f -q
		touch "$REPO/.git/tokenyield-numstat-complete"
	fi
	BENCH_RANGE=${BENCH_RANGE:-synth-base..main}
fi

COUNT=$(git -C "$REPO" rev-list --count "$BENCH_RANGE")
log "repository $REPO, range $BENCH_RANGE ($COUNT commits)"
log "$(git --version), $(go version | cut -d' ' -f3-), $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
"$WORK/numstat" run -repo "$REPO" -range "$BENCH_RANGE" -runs "$BENCH_RUNS" -target "$BENCH_TARGET"
