# A store written by an older mlpipe (schema 1, tests/data/store-v1) is
# left alone by readers and upgraded by the next writer: locations become
# root-relative, intact artifacts get manifests and execution files, an
# artifact edited since its publication is retired.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cp -r "$MLPIPE_TOP/tests/data/store-v1" old
db=old/metadata.sqlite
before=$(md5sum "$db")

expect reader_refuses_old 6 "$M" runs --root old &&
has reader_refuses_old "$OUT" "has schema version 1, from an older mlpipe" "the next \`mlpipe run\` on this root upgrades it"
[ "$(md5sum "$db")" = "$before" ] && pass reader_leaves_old_alone || fail reader_leaves_old_alone "store changed"

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "old", root = "old" }
local s = p:add("tk_source", { value = 5 })
p:add("tk_add", { name = "add", data = s.data, add = 1 })
p:run {}
LUA
expect writer_upgrades 0 "$M" run p.lua --plugin-path "$tk" && has writer_upgrades "$OUT" "ran      tk_source"
[ "$(sql $db 'SELECT version FROM mlpipe_schema')" = 2 ] && pass upgraded_to_2 || fail upgraded_to_2 "$(sql $db 'SELECT version FROM mlpipe_schema')"
has upgraded_locations "$(sql $db "SELECT uri FROM artifact WHERE id IN (1,2,3) ORDER BY id")" \
    "artifacts/tk_source/1/data" "artifacts/add/2/data_out" "artifacts/bad/3/data_out"
[ "$(sql $db "SELECT count(*) FROM artifact WHERE uri LIKE 'v1root%'")" = 0 ] &&
    pass no_old_locations || fail no_old_locations "$(sql $db 'SELECT uri FROM artifact')"
has upgraded_kept "$(sql $db "SELECT id || ':' || state FROM artifact WHERE id IN (1,2,3) ORDER BY id")" "1:LIVE" "2:LIVE" "3:DELETED"
has upgraded_edit_retired "$(sql $db "SELECT reason FROM artifact WHERE id=3")" "damaged: its files changed after it was published"
[ ! -e old/artifacts/bad/3 ] && pass upgraded_edit_removed || fail upgraded_edit_removed "still on disk"
[ -f old/artifacts/tk_source/1/execution.json ] && pass upgraded_execution_files || fail upgraded_execution_files "missing"
[ "$(sql $db "SELECT count(*) FROM artifact_file WHERE artifact_id IN (1,2)")" = 2 ] &&
    pass upgraded_manifests || fail upgraded_manifests "$(sql $db 'SELECT * FROM artifact_file')"
expect upgraded_verifies 0 "$M" verify --root old && has upgraded_verifies "$OUT" "verified 4 artifacts" "0 damaged, 0 orphaned"
consistent upgraded_consistent old
