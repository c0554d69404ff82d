# Artifacts are verified against the manifest recorded when they were
# published before anything uses them: a cache hit, a consumer, show and
# report.  Whatever changed is retired with the reason and made again;
# `mlpipe verify` checks a whole root and repairs it.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "v", root = "runs/v" }
local s = p:add("tk_source", { value = 5 })
local a = p:add("tk_add", { name = "add", data = s.data, add = 1 })
local r = p:run {}
print("value", r.nodes.add.outputs.data_out.properties.value)
LUA
run() { "$M" run p.lua --plugin-path "$tk" --explain "$@"; }
db=runs/v/metadata.sqlite
src_dir() { echo "runs/v/$(sql $db "SELECT a.uri FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='tk_source' AND a.state='LIVE' AND v.type='OUTPUT'")"; }

expect first_run 0 run && has first_run "$OUT" "ran      tk_source" "value	6"
[ "$(sql $db "SELECT count(*) FROM artifact_file")" = 2 ] &&
    pass manifest_recorded || fail manifest_recorded "$(sql $db 'SELECT * FROM artifact_file')"
d=$(src_dir)
[ -f "$(dirname "$d")/execution.json" ] && pass execution_file_written ||
    fail execution_file_written "no $(dirname "$d")/execution.json"
expect clean_verify 0 "$M" verify --root runs/v &&
has clean_verify "$OUT" "verified 2 artifacts (2 files" "0 damaged, 0 orphaned"

# Same content, new time stamps: still served, identity refreshed.
touch "$d/value.txt"
expect touched_still_cached 0 run && has touched_still_cached "$OUT" "cached   tk_source"

# Edited in place, size and modification time restored: the change time
# gives it away; the producer runs again and --explain says why.
cp -p "$d/value.txt" stamp
ino=$(stat -c %i "$d/value.txt")
printf 7 | dd of="$d/value.txt" bs=1 count=1 conv=notrunc status=none
touch -r stamp "$d/value.txt"
[ "$(stat -c '%s %i %Y' "$d/value.txt")" = "$(stat -c %s stamp) $ino $(stat -c %Y stamp)" ] &&
    ! cmp -s stamp "$d/value.txt" && pass same_size_edit ||
    fail same_size_edit "the edit changed more than the content"
expect edited_rerun 0 run &&
has edited_rerun "$OUT" "ran      tk_source" "damaged: file value.txt changed: its content differs" "value	6"
[ ! -e "$d" ] && pass damaged_dir_removed || fail damaged_dir_removed "$d still there"
has damaged_reason_stored "$(sql $db "SELECT reason FROM artifact WHERE state='DELETED'")" "damaged: file value.txt changed"

# A file deleted from a LIVE directory: no cache hit.
d=$(src_dir)
rm "$d/value.txt"
expect deleted_file_rerun 0 run && has deleted_file_rerun "$OUT" "ran      tk_source" "file value.txt is missing"

# A file added to one: not the published artifact either.
d=$(src_dir)
echo extra > "$d/extra.txt"
expect extra_file_rerun 0 run && has extra_file_rerun "$OUT" "ran      tk_source" "unexpected file extra.txt"

# The whole directory removed: the explanation says so.
d=$(src_dir)
rm -rf "$d"
expect removed_dir_rerun 0 run && has removed_dir_rerun "$OUT" "ran      tk_source" "its directory was removed"

# An input changed after it was served from the cache and before its
# consumer starts (here by a component that writes into its input): the
# consumer fails naming it, and the next run makes it again.
cat > tamper.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "tamper", stage = "analyze",
  inputs = { data = "TestData" }, outputs = { o = "Report" },
  run = function(ctx)
    local f = assert(io.open(ctx:input("data").uri .. "/value.txt", "a"))
    f:write("9")
    f:close()
  end }
local p = mp.pipeline { name = "v", root = "runs/v" }
local s = p:add("tk_source", { value = 5 })
p:add("tamper", { data = s.data, cache = false })
p:add("tk_add", { name = "add", data = s.data, add = 1, cache = false })
p:run {}
LUA
# (The write sandbox would refuse that write: this is the defence left
# where there is none, as on a kernel without Landlock.)
expect consumer_sees_damage 3 env MLPIPE_SANDBOX=off "$M" run tamper.lua --plugin-path "$tk" &&
has consumer_sees_damage "$OUT" "failed   add" "input 'data' (artifact" "is damaged: file value.txt changed" \
    "the next run makes it again"
expect remade_after_consumer_damage 0 run && has remade_after_consumer_damage "$OUT" "ran      tk_source" "value	6"

# show and report refuse what changed; verify finds it, every byte hashed.
cat > stats.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "s", root = "runs/s" }
local ex = p:add("csv_import", { path = os.getenv("CSV"), label = "y",
                                 splits = { all = 1 } })
p:add("statistics", { examples = ex.examples })
p:run {}
LUA
printf 'x,y\n1,a\n2,b\n3,a\n' > d.csv
expect stats_run 0 env CSV="$TMP/d.csv" "$M" run stats.lua
sid=$(sql runs/s/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Statistics'")
sloc=runs/s/$(sql runs/s/metadata.sqlite "SELECT uri FROM artifact WHERE id=$sid")
expect show_intact 0 "$M" show "$sid" --root runs/s && has show_intact "$OUT" "split all: 3 examples" "artifact $sid  Statistics"
expect report_intact 0 "$M" report latest -o rep.html --root runs/s && has report_intact "$OUT" "wrote rep.html (2 artifacts)"
sed -i 's/"num_examples": 3/"num_examples": 4/' "$sloc/statistics.json"
expect show_damaged 7 "$M" show "$sid" --root runs/s &&
has show_damaged "$OUT" "is damaged: file statistics.json changed" "not shown"
lacks show_damaged_no_data "$OUT" '4 examples' 
rm -f rep.html
expect report_damaged 7 "$M" report latest -o rep.html --root runs/s &&
has report_damaged "$OUT" "is damaged: file statistics.json changed" "no report written"
[ ! -e rep.html ] && pass report_damaged_no_file || fail report_damaged_no_file "rep.html written"
expect verify_finds_damage 7 "$M" verify --root runs/s &&
has verify_finds_damage "$OUT" "damaged  artifact $sid" "statistics.json changed" "1 damaged"
# A read-only verify changes nothing; --repair retires and the next run
# makes it again.
[ "$(sql runs/s/metadata.sqlite "SELECT state FROM artifact WHERE id=$sid")" = LIVE ] &&
    pass verify_reads_only || fail verify_reads_only "state changed"
expect verify_repair_retires 0 "$M" verify --root runs/s --repair &&
has verify_repair_retires "$OUT" "retired: its producer runs again"
expect stats_remade 0 env CSV="$TMP/d.csv" "$M" run stats.lua --explain &&
has stats_remade "$OUT" "cached   csv_import" "ran      statistics" "damaged: file statistics.json changed"

# Orphans: a directory under artifacts/ the store does not know.
mkdir -p runs/s/artifacts/stray/9-deadbeef/out
echo x > runs/s/artifacts/stray/9-deadbeef/out/f
expect orphan_listed 7 "$M" verify --root runs/s &&
has orphan_listed "$OUT" "orphan   artifacts/stray/9-deadbeef/out: not recorded" "1 orphaned"
expect orphan_warned 0 env CSV="$TMP/d.csv" "$M" run stats.lua &&
has orphan_warned "$OUT" "1 directory under runs/s/artifacts is not recorded" "mlpipe verify --root runs/s"
expect orphan_removed 0 "$M" verify --root runs/s --remove-orphans &&
has orphan_removed "$OUT" "orphan   artifacts/stray/9-deadbeef/out: removed"
[ ! -e runs/s/artifacts/stray/9-deadbeef ] && pass orphan_gone || fail orphan_gone "still there"

# Raw data rewritten in place with its size and modification time kept
# (cp -p, rsync -t --inplace) is still seen as changed.
printf 'x,y\n1,a\n2,b\n3,a\n' > raw.csv
touch -d '2001-01-01' raw.csv
sleep 2.1
expect raw_first 0 env CSV="$TMP/raw.csv" "$M" run stats.lua
[ "$(sql runs/s/metadata.sqlite "SELECT count(*) FROM file_hash WHERE path='$TMP/raw.csv'")" = 1 ] &&
    pass raw_hash_remembered || fail raw_hash_remembered "not remembered"
printf 'x,y\n1,a\n2,b\n9,a\n' > raw.new
cat raw.new > raw.csv
touch -d '2001-01-01' raw.csv
expect raw_rewrite_seen 0 env CSV="$TMP/raw.csv" "$M" run stats.lua --explain &&
has raw_rewrite_seen "$OUT" "ran      csv_import" "data file $TMP/raw.csv changed"

# A store lost or rebuilt: --repair restores every execution from the
# execution files, and the next run is served from the cache.
rm runs/v/metadata.sqlite
expect repair_lost_store 0 "$M" verify --root runs/v --repair &&
has repair_lost_store "$OUT" "adopted" "0 damaged"
expect cached_after_repair 0 run && has cached_after_repair "$OUT" "cached   tk_source" "cached   add" "value	6"
consistent repaired_consistent runs/v

# A store restored from an older copy: execution ids repeat, directory
# names do not, so nothing on disk is overwritten; what the old store does
# not know is reported, and --repair adopts it so the cache serves it.
cp runs/v/metadata.sqlite older.sqlite
cat > p2.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "v", root = "runs/v" }
local s = p:add("tk_source", { value = tonumber(arg[1]) })
local r = p:run {}
print("value", r.nodes.tk_source.outputs.data.properties.value)
LUA
expect newer_executions 0 "$M" run p2.lua --plugin-path "$tk" -- 41 && has newer_executions "$OUT" "value	41"
before=$(cd runs/v/artifacts && find . -type f -newer "$TMP/older.sqlite" -exec md5sum {} + | sort)
cp older.sqlite runs/v/metadata.sqlite
rm -f runs/v/.store-checked
expect restored_store_runs 0 "$M" run p2.lua --plugin-path "$tk" -- 42 &&
has restored_store_runs "$OUT" "ran      tk_source" "value	42" "not recorded in the metadata store"
after=$(cd runs/v/artifacts && find . -type f -newer "$TMP/older.sqlite" -exec md5sum {} + | sort)
# Every file the newer store made is still there, unchanged.
[ -n "$before" ] && [ "$(comm -23 <(echo "$before") <(echo "$after"))" = "" ] &&
    pass restored_store_overwrites_nothing || fail restored_store_overwrites_nothing "$(comm -23 <(echo "$before") <(echo "$after"))"
dirs=$(ls runs/v/artifacts/tk_source | sed 's/-.*//' | sort | uniq -d)
[ -n "$dirs" ] && pass execution_ids_repeated || fail execution_ids_repeated "the test did not make ids repeat"
expect restored_orphans_listed 7 "$M" verify --root runs/v && has restored_orphans_listed "$OUT" "orphan   artifacts/tk_source/"
expect restored_orphans_adopted 0 "$M" verify --root runs/v --repair && has restored_orphans_adopted "$OUT" "adopted"
expect adopted_serves_cache 0 "$M" run p2.lua --plugin-path "$tk" -- 41 && has adopted_serves_cache "$OUT" "cached   tk_source" "value	41"
consistent restored_consistent runs/v

# Execution files are checked too: one edited, removed or broken is found
# by verify and written again from the store by --repair; a repair never
# restores from an edited one.
cat > p3.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", { value = 5 })
local a = p:add("tk_add", { name = "add", data = s.data, add = 1 })
local r = p:run {}
print("value", r.nodes.add.outputs.data_out.properties.value)
LUA
expect execfile_setup 0 "$M" run p3.lua --plugin-path "$tk" && has execfile_setup "$OUT" "value	6"
ef=$(ls runs/e/artifacts/add/*/execution.json)
sed -i 's/"value": 6/"value": 42/' "$ef"
expect execfile_edit_found 7 "$M" verify --root runs/e &&
has execfile_edit_found "$OUT" "execution.json changed after it was written" "1 damaged"
cp runs/e/metadata.sqlite e_backup.sqlite
rm runs/e/metadata.sqlite
expect execfile_edit_not_restored 7 "$M" verify --root runs/e --repair &&
has execfile_edit_not_restored "$OUT" "orphan   artifacts/add/" "not adopted:" "changed after it was written"
expect execfile_edit_not_served 0 "$M" run p3.lua --plugin-path "$tk" &&
has execfile_edit_not_served "$OUT" "ran      add" "value	6"
rm -rf runs/e && expect execfile_setup2 0 "$M" run p3.lua --plugin-path "$tk" && pass execfile_setup2
ef=$(ls runs/e/artifacts/add/*/execution.json)
rm "$ef"
expect execfile_missing_rewritten 0 "$M" verify --root runs/e --repair &&
has execfile_missing_rewritten "$OUT" "written again from the store"
[ -f "$ef" ] && pass execfile_back || fail execfile_back "not written again"
expect execfile_clean_after 0 "$M" verify --root runs/e && has execfile_clean_after "$OUT" "0 damaged, 0 orphaned"

# An execution file copied in from another root is not adopted.
alien=$(ls -d runs/v/artifacts/tk_source/*/ | head -1)
cp -r "$alien" runs/e/artifacts/tk_source/
expect alien_not_adopted 7 "$M" verify --root runs/e --repair &&
has alien_not_adopted "$OUT" "orphan   artifacts/tk_source/$(basename "$alien")" \
    "written for another pipeline root (copied in from elsewhere?)" &&
lacks alien_never_adopted "$OUT" ": adopted"

# Lineage survives a rebuild by adoption: inputs are adopted before what
# consumed them, whatever the directory names.
rm -rf runs/e && "$M" run p3.lua --plugin-path "$tk" >/dev/null 2>&1
rm runs/e/metadata.sqlite
expect lineage_rebuilt 0 "$M" verify --root runs/e --repair && pass lineage_rebuilt
add=$(sql runs/e/metadata.sqlite "SELECT a.id FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='add' AND v.type='OUTPUT'")
expect lineage_after_adoption 0 "$M" lineage "$add" --root runs/e &&
has lineage_after_adoption "$OUT" "add (tk_add) made artifact $add" "from data: artifact"

# show tells why an artifact is no longer LIVE.
d=runs/e/$(sql runs/e/metadata.sqlite "SELECT uri FROM artifact WHERE id=$add")
echo 7 > "$d/value.txt"
"$M" run p3.lua --plugin-path "$tk" >/dev/null 2>&1
expect show_deleted_reason 0 "$M" show "$add" --root runs/e &&
has show_deleted_reason "$OUT" "  state       DELETED" "  reason      damaged: file value.txt changed" "files (as recorded)"

# --json gives the findings as data.
expect verify_json 0 "$M" verify --root runs/e --json &&
has verify_json "$OUT" '"store": "ok"' '"artifacts": 2' '"damaged": []' '"orphans": []' '"files":'
