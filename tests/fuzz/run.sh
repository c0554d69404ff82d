# Fuzz targets (libFuzzer, with ASan and UBSan) over every parser of
# untrusted input: the CSV tokenizer, the schema loader, the JSON Lines
# reader, the table file reader, and a differential target that feeds the
# same bytes to the fast path, the serial general reader and the parallel one
# (in chunks of a few bytes) and requires the same tables or the same error.  In scripts/check each runs briefly; for a
# longer session (and to grow the corpora in the repo, -merge=1):
#   MLPIPE_FUZZ_SECONDS=600 tests/run build tests/fuzz
. "$(dirname "$0")/../lib.sh"
seconds=${MLPIPE_FUZZ_SECONDS:-8}
top=$MLPIPE_TOP
cc=$(command -v clang || command -v clang-14 || true)
if [ -z "$cc" ]; then
    fail fuzz_toolchain "clang not found (scripts/setup installs it)"
    exit 0
fi
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$top/sdk/include"
build() {  # name sources...
    local name=$1
    shift
    if $cc $flags "$@" -o "$TMP/$name" 2>"$TMP/$name.log"; then
        pass "fuzz_build_$name"
    else
        fail "fuzz_build_$name" "$(head -5 "$TMP/$name.log")"
        return 1
    fi
}
fuzz() {  # name corpus
    local work=$TMP/corpus-$1
    mkdir -p "$work"
    cp "$2"/* "$work"/
    if ASAN_OPTIONS=detect_leaks=1 "$TMP/$1" -max_total_time="$seconds" -max_len=4096 \
           -timeout=10 "$work" >"$TMP/$1.run" 2>&1; then
        pass "fuzz_$1 ($(grep -oE "#[0-9]+" "$TMP/$1.run" | tail -1 | tr -d "#") runs in ${seconds}s)"
    else
        fail "fuzz_$1" "$(grep -E 'ERROR|SUMMARY|Test unit' "$TMP/$1.run" | head -5)"
    fi
}
ci="$top/plugins/csv_import"
build csv "$top/tests/fuzz/fuzz_csv.c" "$top/core/csv.c" \
    -I"$top/plugins/csv_import" "$top/core/error.c" &&
    fuzz csv "$top/tests/fuzz/corpus/csv"
build schema "$top/tests/fuzz/fuzz_schema.c" "$top/core/schema.c" "$top/core/error.c" \
    "$top/core/json.c" "$top/core/json_index.c" "$top/core/names.c" "$top/core/hash.c" \
    "$top/core/memory.c" "$top/core/fsutil.c" -I"$top/core" \
    -I"$MLPIPE_BUILD" -D_POSIX_C_SOURCE=200809L -lcjson -lxxhash -lm &&
    fuzz schema "$top/tests/fuzz/corpus/schema"
build jsonl "$top/tests/fuzz/fuzz_jsonl.c" "$top/core/csv.c" "$ci/jsonl.c" "$top/core/error.c" \
    -I"$ci" -lcjson &&
    fuzz jsonl "$top/tests/fuzz/corpus/jsonl"
build table "$top/tests/fuzz/fuzz_table.c" "$top/core/error.c" "$top/core/memory.c" \
    "$top/core/names.c" "$top/core/hash.c" \
    "$top/core/table.c" "$top/core/table_io.c" "$top/core/table_groups.c" -I"$top/core" -I"$MLPIPE_BUILD" -D_POSIX_C_SOURCE=200809L \
    -lxxhash -lm -pthread &&
    fuzz table "$top/tests/fuzz/corpus/table"
build ingest_diff "$top/tests/fuzz/fuzz_ingest_diff.c" "$ci/read.c" "$ci/fastpath.c" \
    "$ci/chunks.c" "$ci/hashcount.c" "$top/core/parallel.c" \
    "$top/core/csv.c" "$ci/jsonl.c" "$ci/dict.c" "$top/core/numparse.c" "$top/core/error.c" \
    "$top/core/memory.c" "$top/core/hash.c" "$top/core/names.c" "$top/core/table.c" \
    "$top/core/table_io.c" "$top/core/table_groups.c" -I"$ci" -I"$top/core" -I"$MLPIPE_BUILD" -D_POSIX_C_SOURCE=200809L -lcjson -lxxhash \
    -lm -pthread &&
    fuzz ingest_diff "$top/tests/fuzz/corpus/ingest_diff"
