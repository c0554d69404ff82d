# Plugin discovery out of process: a module that crashes, exits or hangs
# while loading is refused by name and the rest load; a symbol nothing
# defines is refused at scan time; the host never loads a module; what was
# scanned is cached by file version and scanned again only when it changed.
. "$(dirname "$0")/../lib.sh"

mkdir plugins
for f in ctor_abort ctor_segv ctor_exit unresolved init_fails chatty testkit; do
    cp "$FIXTURES/$f.so" plugins/
done
# Count the scanner's starts and what it was asked to load.
real_scanner=$MLPIPE_PREFIX/libexec/mlpipe/mlpipe-scan
cat > scanner <<SH
#!/bin/sh
echo "\$*" >> "$TMP/scans"
exec "$real_scanner" "\$@"
SH
chmod +x scanner
export MLPIPE_SCANNER=$TMP/scanner MLPIPE_TEST_CTOR_LOG=$TMP/ctors
: > scans

expect bad_modules_refused_rest_listed 0 "$M" plugins --plugin-path "$TMP/plugins" &&
has bad_modules_refused_rest_listed "$OUT" \
    "testkit 1.0.0 (c)" "chatty 1.0 (c)" "csv_import 0.1.0 (c)" \
    "refused $TMP/plugins/ctor_abort.so: loading it crashed the plugin scanner (signal 6, Aborted)" \
    "refused $TMP/plugins/ctor_segv.so: loading it crashed the plugin scanner (signal 11, Segmentation fault)" \
    "refused $TMP/plugins/ctor_exit.so: the plugin scanner exited with status 3 while loading it" \
    "refused $TMP/plugins/unresolved.so: $TMP/plugins/unresolved.so: not a loadable shared object: " \
    "undefined symbol: mlp_fixture_missing" \
    "refused $TMP/plugins/init_fails.so: init failed: the licence server is unreachable"
# The scanner was restarted after each crash, with the files after the one
# that killed it, and the host loaded nothing (chatty and init_fails log
# their constructors: once each, in a scanner).
if [ "$(wc -l < scans)" = 4 ] &&
   [ "$(awk '{print $1}' scans | xargs -n1 basename | tr '\n' ' ')" = "csv_import.so ctor_exit.so ctor_segv.so init_fails.so " ]; then
    pass scanner_restarted_after_crashes
else
    fail scanner_restarted_after_crashes "$(tr '\n' '|' < scans)"
fi
[ "$(wc -l < ctors)" = 2 ] && pass ctors_ran_once_in_scanner || fail ctors_ran_once_in_scanner "$(cat ctors)"

# Nothing changed: the second listing starts no scanner and loads nothing,
# and says the same, refusals included.
first=$(grep -v '^constructor of' <<<"$OUT")
: > scans
expect cached_listing 0 "$M" plugins --plugin-path "$TMP/plugins" &&
[ ! -s scans ] && [ "$(wc -l < ctors)" = 2 ] && [ "$OUT" = "$first" ] &&
    pass cached_listing || fail cached_listing "scans: $(cat scans); $(diff <(echo "$first") <(echo "$OUT"))"

# A module rewritten in place (same size, mtime restored) is scanned again:
# ctime gives it away.
touch -r plugins/chatty.so stamp
cat "$FIXTURES/chatty.so" > plugins/chatty.so.new && cat plugins/chatty.so.new > plugins/chatty.so
rm plugins/chatty.so.new
touch -r stamp plugins/chatty.so
expect rescan_on_change 0 "$M" plugins --plugin-path "$TMP/plugins" &&
[ "$(cat scans)" = "$TMP/plugins/chatty.so" ] && [ "$(wc -l < ctors)" = 3 ] &&
    pass rescan_on_change || fail rescan_on_change "scans: $(cat scans)"

# What a constructor prints does not garble the scanner's answers or the
# JSON listing on stdout.
rm -rf "$XDG_CACHE_HOME"
"$M" plugins --json --plugin-path "$TMP/plugins" > listing.json 2> listing.err
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(p["name"]=="chatty" for p in d["plugins"])' listing.json &&
   grep -q "constructor of chatty ran" listing.err; then
    pass chatty_constructor_harmless
else
    fail chatty_constructor_harmless "$(head -c 300 listing.json) / $(cat listing.err)"
fi

# A constructor that never returns: refused after the time limit, the rest
# still listed, and the refusal is not remembered (the machine may only
# have been slow).
mkdir slow && cp "$FIXTURES/ctor_hang.so" "$FIXTURES/testkit.so" slow/
start=$(date +%s)
expect hang_refused 0 env MLPIPE_SCAN_TIMEOUT=1 "$M" plugins --plugin-path "$TMP/slow" &&
has hang_refused "$OUT" "testkit 1.0.0 (c)" \
    "refused $TMP/slow/ctor_hang.so: loading it took longer than 1 s (MLPIPE_SCAN_TIMEOUT)" &&
[ $(( $(date +%s) - start )) -lt 10 ] && [ -z "$(pgrep -f "$TMP/slow/ctor_hang.so")" ] &&
    pass hang_refused_in_time || fail hang_refused_in_time "$(( $(date +%s) - start ))s; $(pgrep -af ctor_hang)"
: > scans
expect hang_not_cached 0 env MLPIPE_SCAN_TIMEOUT=1 "$M" plugins --plugin-path "$TMP/slow" &&
grep -q "ctor_hang.so" scans && pass hang_not_cached || fail hang_not_cached "$(cat scans)"

# A destructor that never returns: the module was described before it
# ran, so it is listed, and its scanner is killed rather than waited for.
mkdir dtor && cp "$FIXTURES/dtor_hang.so" dtor/
start=$(date +%s)
expect dtor_hang_listed 0 timeout 60 "$M" plugins --plugin-path "$TMP/dtor" &&
has dtor_hang_listed "$OUT" "dtor_hang 1.0 (c)" &&
[ $(( $(date +%s) - start )) -lt 10 ] && sleep 0.5 && [ -z "$(pgrep -f "$TMP/dtor/dtor_hang.so")" ] &&
    pass dtor_hang_scanner_gone || fail dtor_hang_scanner_gone "$(( $(date +%s) - start ))s; $(pgrep -af dtor_hang)"

# A pipeline runs with the bad modules on the path; the component's module
# is loaded in the node's child process, never in the host.
unset MLPIPE_TEST_CTOR_LOG
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "s", root = "runs/s" }
p:add("chatty", {})
p:run {}
LUA
expect run_beside_bad_modules 0 sh -c 'echo $$ > host.pid; exec "$0" "$@"' "$M" run p.lua --plugin-path "$TMP/plugins" &&
has run_beside_bad_modules "$OUT" "ran      chatty" "warning: plugin $TMP/plugins/ctor_segv.so refused"
ran_in=$(sed -n 's/^constructor of chatty ran in //p' runs/s/logs/*.log)
[ -n "$ran_in" ] && [ "$ran_in" != "$(cat host.pid)" ] && ! grep -q "constructor of" <<<"$OUT" &&
    pass host_never_loads_module || fail host_never_loads_module "host $(cat host.pid), loaded in '$ran_in'"
# In the node's child the constructor runs inside the write sandbox: its
# write to a log file outside the node's outputs fails the node, named.
if sandbox_on; then
    expect ctor_write_in_child_refused 3 env MLPIPE_TEST_CTOR_LOG="$TMP/ctors" "$M" run p.lua --plugin-path "$TMP/plugins" --no-cache &&
    has ctor_write_in_child_refused "$OUT" "tried to write outside its outputs: $TMP/ctors"
fi

# A module replaced after it was scanned is not run: the node fails naming
# it (the next command scans the new version).
cat > swap.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "w", root = "runs/w" }
p:add("chatty", { cache = false })
if not io.open("swapped") then
  os.execute("cp plugins/chatty.so plugins/chatty.tmp && mv plugins/chatty.tmp plugins/chatty.so && touch swapped")
end
p:run {}
LUA
expect replaced_module_not_run 3 "$M" run swap.lua --plugin-path "$TMP/plugins" &&
has replaced_module_not_run "$OUT" "plugin file $TMP/plugins/chatty.so changed after it was scanned; run again"
expect replaced_module_next_run 0 "$M" run swap.lua --plugin-path "$TMP/plugins" &&
has replaced_module_next_run "$OUT" "ran      chatty"

# A damaged cache is ignored and rewritten, never trusted.
cache=$XDG_CACHE_HOME/mlpipe/registry.json
printf '{"format":1,"entr' > "$cache"
expect damaged_cache_ignored 0 "$M" plugins --plugin-path "$TMP/plugins" &&
has damaged_cache_ignored "$OUT" "chatty 1.0 (c)" "refused $TMP/plugins/ctor_segv.so" &&
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$cache" &&
    pass damaged_cache_rewritten || fail damaged_cache_rewritten "$(head -c 200 "$cache")"
# An entry changed behind our back (a flipped default) is scanned again.
sed -i 's/"name":"chatty","version":"1.0"/"name":"chatty","version":"6.6"/' "$cache"
grep -q '"version":"6.6"' "$cache" || fail edited_entry_rescanned "sed found nothing to change"
: > scans
expect edited_entry_rescanned 0 "$M" plugins --plugin-path "$TMP/plugins" &&
has edited_entry_rescanned "$OUT" "chatty 1.0 (c)" && lacks edited_entry_rescanned_version "$OUT" "chatty 6\\.6" &&
grep -q "chatty.so" scans && pass edited_entry_scanned_again || fail edited_entry_scanned_again "$(cat scans)"

# No usable cache location: everything still works, scanned every time.
expect no_cache_location 0 env -u XDG_CACHE_HOME HOME="$TMP/nohome" "$M" plugins --plugin-path "$TMP/plugins" &&
has no_cache_location "$OUT" "chatty 1.0 (c)" && [ ! -e nohome ] && pass no_cache_nothing_created ||
    fail no_cache_nothing_created "created a HOME that did not exist"
expect cache_disabled 0 env MLPIPE_REGISTRY= "$M" plugins --plugin-path "$TMP/plugins" &&
has cache_disabled "$OUT" "chatty 1.0 (c)"

# A scanner that cannot be started is a clear error, not an empty list.
expect missing_scanner 6 env MLPIPE_SCANNER=/nonexistent/mlpipe-scan MLPIPE_REGISTRY= "$M" plugins &&
has missing_scanner "$OUT" "cannot start the plugin scanner /nonexistent/mlpipe-scan: No such file or directory"

# A copied installation uses the scanner beside its own library.
unset MLPIPE_SCANNER
cp -r "$MLPIPE_PREFIX" nprefix
mv nprefix/libexec/mlpipe/mlpipe-scan nprefix/libexec/mlpipe/real-scan
cat > nprefix/libexec/mlpipe/mlpipe-scan <<SH
#!/bin/sh
echo copied >> "$TMP/copied"
exec "$TMP/nprefix/libexec/mlpipe/real-scan" "\$@"
SH
chmod +x nprefix/libexec/mlpipe/mlpipe-scan
expect copied_prefix_scanner 0 env LD_LIBRARY_PATH="$TMP/nprefix/lib" MLPIPE_REGISTRY= \
    MLPIPE_BUILTIN_PLUGIN_DIR="$TMP/nprefix/lib/mlpipe/plugins" nprefix/bin/mlpipe plugins &&
has copied_prefix_scanner "$OUT" "csv_import 0.1.0 (c)  $TMP/nprefix/lib/mlpipe/plugins/csv_import.so" &&
[ "$(cat copied 2>/dev/null)" = copied ] && pass copied_prefix_uses_its_scanner ||
    fail copied_prefix_uses_its_scanner "scanner not used"
