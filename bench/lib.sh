# Shared by bench/usage.sh and bench/commit.sh (sourced, not run). Expects
# ROOT, WORK, TREE, BENCH_DIR, BENCH_BYTES, BENCH_SEED and log/die defined.

# jget FILE .a.b.c — one value from a JSON file (jq, else python3).
if command -v jq >/dev/null 2>&1; then
	jget() { jq -r "$2" "$1"; }
else
	jget() {
		python3 - "$1" "$2" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].strip(".").split("."):
    v = v[k]
print(v)
PY
	}
fi

# build_tools builds tokenyield and genclaude into $WORK.
build_tools() {
	log "building tokenyield and genclaude"
	(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/tokenyield" ./cmd/tokenyield && go build -o "$WORK/genclaude" ./bench/genclaude)
}

# ensure_tree generates the Claude Code tree into $TREE, or reuses the one
# there when its manifest records the same size and seed; it sets MANIFEST.
ensure_tree() {
	mkdir -p "$BENCH_DIR"
	MANIFEST=$TREE/genclaude.json
	if [[ -f $MANIFEST && $(jget "$MANIFEST" .requested_bytes) == "$BENCH_BYTES" && $(jget "$MANIFEST" .seed) == "$BENCH_SEED" ]]; then
		log "reusing $TREE"
	else
		if [[ -e $TREE && ! -f $MANIFEST ]]; then
			die "$TREE exists but has no $(basename "$MANIFEST") (not made by genclaude, or interrupted): remove it or set BENCH_DIR"
		fi
		log "generating $BENCH_BYTES bytes (seed $BENCH_SEED) into $TREE"
		rm -rf "$TREE"
		"$WORK/genclaude" -out "$TREE" -bytes "$BENCH_BYTES" -seed "$BENCH_SEED" >/dev/null
	fi
	# Left over by an interrupted BenchmarkIncremental: not part of the tree.
	rm -rf "$TREE/projects/bench-incremental"
}
