# Helpers for the shell tests: each case prints "PASS name" or
# "FAIL name: why" for tests/run to count.
set -u
M=${MLPIPE_BIN:?run through tests/run}
FIXTURES=$MLPIPE_BUILD/tests/plugins/.libs
TMP=$(mktemp -d /tmp/mlpipe-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
# Each test keeps its own registry cache, so no test sees another's scans.
export XDG_CACHE_HOME=$TMP/.cache

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# expect NAME WANTED_EXIT COMMAND...: runs COMMAND, keeps its output in $OUT
expect() {
    local name=$1 want=$2 rc
    shift 2
    OUT=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit $rc, expected $want; output: $(head -c 600 <<<"$OUT")"
        return 1
    fi
    return 0
}

# has NAME TEXT NEEDLE...: every needle is in TEXT
has() {
    local name=$1 text=$2
    shift 2
    for n in "$@"; do
        if ! grep -qF -- "$n" <<<"$text"; then
            fail "$name" "output lacks '$n'; got: $(head -c 800 <<<"$text")"
            return 1
        fi
    done
    pass "$name"
}

# lacks NAME TEXT PATTERN...: TEXT is not empty and matches none of the
# extended regular expressions.  Empty TEXT fails: a command that printed
# nothing (or failed before printing) proves nothing absent.
lacks() {
    local name=$1 text=$2
    shift 2
    if [ -z "$text" ]; then
        fail "$name" "no output to check"
        return 1
    fi
    for n in "$@"; do
        if grep -qE -- "$n" <<<"$text"; then
            fail "$name" "output has '$n': $(head -c 800 <<<"$text")"
            return 1
        fi
    done
    pass "$name"
}

# sql DB QUERY: one value.  Read-only, so a test never writes the store.
sql() { sqlite3 -readonly -batch -noheader "$1" "$2"; }
# sql_write DB STATEMENT: changes a store as mlpipe itself would, keeping
# its page checksums (a change by any other SQLite program is damage).
sql_write() { "$MLPIPE_BUILD/tests/tools/store_sql" "$1" "$2"; }

# A plugin directory holding the testkit fixture.
testkit_dir() {
    mkdir -p "$TMP/tk"
    cp "$FIXTURES/testkit.so" "$TMP/tk/"
    echo "$TMP/tk"
}

# Metadata consistency after any run: nothing PENDING or RUNNING, every
# LIVE artifact's directory exists, every FAILED execution's outputs are
# DELETED and gone from disk, and SQLite finds no damage.
consistent() {
    local name=$1 db=$2/metadata.sqlite
    local bad
    bad=$(sql "$db" "SELECT count(*) FROM artifact WHERE state='PENDING'")
    [ "$bad" = 0 ] || { fail "$name" "$bad PENDING artifacts"; return 1; }
    bad=$(sql "$db" "SELECT count(*) FROM execution WHERE state='RUNNING'")
    [ "$bad" = 0 ] || { fail "$name" "$bad RUNNING executions"; return 1; }
    while read -r uri; do
        [ -z "$uri" ] && continue
        [ -d "$2/$uri" ] || { fail "$name" "LIVE artifact $uri has no directory"; return 1; }
    done < <(sql "$db" "SELECT uri FROM artifact WHERE state='LIVE'")
    while read -r uri; do
        [ -z "$uri" ] && continue
        [ -e "$2/$uri" ] && { fail "$name" "DELETED artifact $uri still on disk"; return 1; }
    done < <(sql "$db" "SELECT uri FROM artifact WHERE state='DELETED'")
    bad=$(sql "$db" "PRAGMA integrity_check")
    [ "$bad" = ok ] || { fail "$name" "integrity_check: $bad"; return 1; }
    [ -z "$(ls -A "$2/.tmp" 2>/dev/null)" ] || { fail "$name" "leftovers in .tmp"; return 1; }
    pass "$name"
}

# Whether this kernel confines writes (Landlock): `mlpipe run` says when
# the write sandbox is off.
sandbox_on() {
    mkdir -p "$TMP/.probe"
    printf 'local mp = require "mlpipe"\nmp.pipeline { name = "probe", root = "%s" }:run {}\n' \
        "$TMP/.probe/root" > "$TMP/.probe/p.lua"
    ! env -u MLPIPE_SANDBOX "$M" run "$TMP/.probe/p.lua" 2>&1 | grep -q "write sandbox is off"
}
