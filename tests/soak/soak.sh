#!/usr/bin/env bash
# Soak test of the runner and the metadata store (not part of scripts/check;
# about half a minute).  Needs a build: run scripts/check first.
#
#   tests/soak/soak.sh [BUILD_DIR]     (default build)
#
# Environment: SOAK_WORKERS (4), SOAK_RUNS (20 per worker), SOAK_KILLS (100),
# SOAK_FIRST_RUNS (10), SOAK_SEED.
#
# What it does, all against the same pipeline (a diamond of testkit nodes
# whose result is known for every parameter):
#   1. first runs on new roots while readers poll `mlpipe runs` the whole
#      time: no run may fail, a reader sees no store or a whole one;
#   2. SOAK_WORKERS concurrent workers, each doing SOAK_RUNS runs with
#      --wait on one root, parameters drawn at random: every run must
#      succeed with the right value;
#   3. SOAK_KILLS runs on one root killed with SIGKILL at random moments (the
#      mlpipe process itself; the summary says how many were still running),
#      with a full run after every tenth that must give the right value.
# Then, on every root: PRAGMA integrity_check, no RUNNING or PENDING rows,
# `mlpipe verify` (every LIVE artifact hashed against its manifest, no
# orphans), at most one COMPLETE execution with live outputs per
# fingerprint, and a final run per parameter equal to a clean root's.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
build=$top/${1:-build}
M=$build/prefix/bin/mlpipe
tk=$build/tests/plugins/.libs
[ -x "$M" ] && [ -f "$tk/testkit.so" ] || { echo "soak: build first (scripts/check)" >&2; exit 2; }
workers=${SOAK_WORKERS:-4}
runs=${SOAK_RUNS:-20}
kills=${SOAK_KILLS:-100}
first=${SOAK_FIRST_RUNS:-10}
RANDOM=${SOAK_SEED:-4242}
work=$(mktemp -d /tmp/mlpipe-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir tk && cp "$tk/testkit.so" tk/
failures=0
bad() { echo "soak: FAIL $*"; failures=$((failures + 1)); }

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local k = tonumber(arg[1])
local p = mp.pipeline { name = "soak", root = arg[2] }
local s = p:add("tk_source", { value = k })
local a = p:add("tk_add", { name = "a", data = s.data, add = 1, sleep = 0.05 })
local b = p:add("tk_add", { name = "b", data = s.data, add = 2, sleep = 0.03 })
local c = p:add("tk_add", { name = "c", data = a.data_out, add = 10, sleep = 0.04 })
p:add("tk_add", { name = "d", data = b.data_out, add = 100 })
local r = p:run { jobs = 2 }
if r.status == "ok" then
  print("value", r.nodes.c.outputs.data_out.properties.value,
        r.nodes.d.outputs.data_out.properties.value)
end
LUA
want() { echo "value	$(( $1 + 11 ))	$(( $1 + 102 ))"; }
run() { "$M" run p.lua --plugin-path tk "$@"; }
total_runs=0

# 1. First runs with readers polling.
reads=0
for i in $(seq "$first"); do
    k=$((RANDOM % 3 + 1))
    run -- "$k" "first$i" >"first$i.out" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        out=$("$M" runs --root "first$i" 2>&1)
        rc=$?
        reads=$((reads + 1))
        case "$rc:$out" in
            0:*|6:*"no pipeline root at"*|6:*"no metadata store at"*) ;;
            *) bad "reader during first run $i: exit $rc: $out" ;;
        esac
    done
    wait "$pid" || bad "first run $i failed: $(tail -3 "first$i.out")"
    grep -qF "$(want "$k")" "first$i.out" || bad "first run $i: wrong result: $(tail -1 "first$i.out")"
    total_runs=$((total_runs + 1))
done

# 2. Concurrent workers on one root.
worker() {
    local w=$1 r k
    for r in $(seq "$runs"); do
        k=$(( (RANDOM + w * 7 + r) % 3 + 1 ))
        out=$(run --wait -- "$k" shared 2>&1) || { echo "worker $w run $r failed: $out"; continue; }
        grep -qF "$(want "$k")" <<<"$out" || echo "worker $w run $r: wrong result: $out"
    done
}
for w in $(seq "$workers"); do
    worker "$w" >"worker$w.log" 2>&1 &
done
wait
for w in $(seq "$workers"); do
    [ -s "worker$w.log" ] && bad "$(head -3 "worker$w.log")"
done
total_runs=$((total_runs + workers * runs))

# 3. Random SIGKILLs.
hits=0
for i in $(seq "$kills"); do
    k=$((RANDOM % 3 + 1))
    # A parameter seen before (cache hits) or a fresh one (work to kill).
    [ $((RANDOM % 2)) = 0 ] && k=$((k + i))
    # mlpipe itself, not a subshell running a function, is the process
    # that gets the SIGKILL.
    "$M" run p.lua --plugin-path tk -- "$k" killed >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 120)))"
    kill -9 "$pid" 2>/dev/null && hits=$((hits + 1))
    wait "$pid" 2>/dev/null
    if [ $((i % 10)) = 0 ]; then
        out=$(run -- "$k" killed 2>&1) || bad "run after kill $i failed: $out"
        grep -qF "$(want "$k")" <<<"$out" || bad "run after kill $i: wrong result: $out"
        total_runs=$((total_runs + 1))
    fi
    total_runs=$((total_runs + 1))
done

# Final checks on every root.
clean() {  # ROOT K: a run whose result must equal a clean root's
    local out ref
    out=$(run -- "$2" "$1" 2>&1) || { bad "$1: final run failed: $out"; return; }
    ref=$(run -- "$2" "clean$2" 2>&1)
    [ "$(grep '^value' <<<"$out")" = "$(grep '^value' <<<"$ref")" ] ||
        bad "$1: result $(grep '^value' <<<"$out") differs from a clean run's $(grep '^value' <<<"$ref")"
}
# The kills hit runs in flight: the store says how many runs recovery
# found killed.
killed_runs=$(sqlite3 -readonly -batch -noheader killed/metadata.sqlite \
    "SELECT count(*) FROM context WHERE type='run' AND json_extract(properties, '$.status')='killed'")
[ "$hits" -ge $((kills / 2)) ] || bad "only $hits of $kills kills found mlpipe still running"
live=0
for root in first* shared killed; do
    [ -d "$root" ] || continue
    for k in 1 2 3; do clean "$root" "$k"; done
    db=$root/metadata.sqlite
    q() { sqlite3 -readonly -batch -noheader "$db" "$1"; }
    [ "$(q 'PRAGMA integrity_check')" = ok ] || bad "$root: integrity_check: $(q 'PRAGMA integrity_check')"
    n=$(q "SELECT count(*) FROM execution WHERE state='RUNNING'")
    [ "$n" = 0 ] || bad "$root: $n RUNNING executions"
    n=$(q "SELECT count(*) FROM artifact WHERE state='PENDING'")
    [ "$n" = 0 ] || bad "$root: $n PENDING artifacts"
    n=$(q "SELECT count(*) FROM (SELECT e.fingerprint FROM execution e WHERE
           e.state='COMPLETE' AND EXISTS (SELECT 1 FROM event v JOIN artifact a ON
           a.id=v.artifact_id WHERE v.execution_id=e.id AND v.type='OUTPUT') AND
           NOT EXISTS (SELECT 1 FROM event v JOIN artifact a ON a.id=v.artifact_id
           WHERE v.execution_id=e.id AND v.type='OUTPUT' AND a.state<>'LIVE')
           GROUP BY e.fingerprint HAVING count(*) > 1)")
    [ "$n" = 0 ] || bad "$root: $n fingerprints with more than one live COMPLETE execution"
    out=$("$M" verify --root "$root" 2>&1) || bad "$root: mlpipe verify: $out"
    live=$((live + $(q "SELECT count(*) FROM artifact WHERE state='LIVE'")))
done

echo "soak: $total_runs runs ($workers concurrent workers x $runs, $kills SIGKILLs" \
     "($hits hit a running mlpipe, $killed_runs runs recorded as killed)," \
     "$first first runs with $reads reads), $live LIVE artifacts verified:" \
     "$([ "$failures" = 0 ] && echo "0 failures" || echo "$failures FAILURES")"
[ "$failures" = 0 ]
