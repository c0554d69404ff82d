# Definition-time errors of pipeline scripts, data-driven: each file in
# errors/ starts with "-- expect: TEXT" (and optionally "-- exit: N",
# default 2).  The script must fail before anything runs, with TEXT in the
# message (TEXT names file:line), and leave no pipeline root behind.
. "$(dirname "$0")/../lib.sh"
cases=$MLPIPE_TOP/tests/lua/errors
tk=$(testkit_dir)
for f in "$cases"/*.lua; do
    name=$(basename "$f" .lua)
    want=$(sed -n 's/^-- expect: //p' "$f" | head -1)
    code=$(sed -n 's/^-- exit: //p' "$f" | head -1)
    cp "$f" "$TMP/$name.lua"
    rm -rf "$TMP/runs"
    if expect "$name" "${code:-2}" "$M" run "$name.lua" --plugin-path "$tk"; then
        if [ -e "$TMP/runs" ]; then
            fail "$name" "a pipeline root was created before the error"
        else
            has "$name" "$OUT" "$want"
        fi
    fi
done
