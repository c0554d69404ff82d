# The SDK: the skeleton plugin in examples/ builds outside the tree with
# nothing but `pkg-config mlpipe` against the installed mlpipe, and a
# pipeline uses it through MLPIPE_PLUGIN_PATH with no rebuild of mlpipe.
. "$(dirname "$0")/../lib.sh"
export PKG_CONFIG_PATH=$MLPIPE_PREFIX/lib/pkgconfig
lib=$MLPIPE_PREFIX/lib/libmlpipe.so
before=$(stat -c %Y "$lib")

missing=""
for h in mlpipe plugin context table artifact error log memory json hash schema; do
    [ -f "$MLPIPE_PREFIX/include/mlpipe/$h.h" ] || missing="$missing $h.h"
done
[ -z "$missing" ] && pass installed_headers || fail installed_headers "missing:$missing"
expect pkg_config_knows_mlpipe 0 pkg-config --cflags --libs mlpipe &&
has pkg_config_knows_mlpipe "$OUT" "-I$MLPIPE_PREFIX/include" "-lmlpipe"

cp -r "$MLPIPE_TOP/examples/plugin-skeleton" skel
rm -f skel/skeleton.so
expect skeleton_builds_out_of_tree 0 make -C skel &&
[ -f skel/skeleton.so ] && pass skeleton_builds_out_of_tree ||
    fail skeleton_builds_out_of_tree "$OUT"

# Flags given on make's command line are honoured, and what the plugin
# needs (position-independent code, the SDK's include path) is kept.
rm -f skel/skeleton.so
expect skeleton_honours_make_flags 0 make -C skel CFLAGS="-O0 -DSKEL_CFLAG" \
    CPPFLAGS=-DSKEL_CPPFLAG LDFLAGS=-Wl,-z,now LDLIBS=-lm &&
has skeleton_honours_make_flags "$OUT" "-O0 -DSKEL_CFLAG" "-DSKEL_CPPFLAG" "-Wl,-z,now" \
    "-lm" "-fPIC" "-I$MLPIPE_PREFIX/include" && [ -f skel/skeleton.so ] &&
readelf -d skel/skeleton.so | grep -q 'FLAGS.*NOW' &&
    pass skeleton_built_with_given_flags || fail skeleton_built_with_given_flags "$(readelf -d skel/skeleton.so | grep -i flags)"

# A plugin in C++: the SDK headers compile as C++ (strict, old and new
# standards) and the descriptor keeps its C name.
mkdir cxx
for std in c++11 c++17; do
    expect "cxx_plugin_builds_$std" 0 g++ -std=$std -Wall -Wextra -Werror -pedantic -fPIC -shared \
        $(pkg-config --cflags mlpipe) -o cxx/cxx_sum.so "$MLPIPE_TOP/tests/data/cxx_plugin/cxx_sum.cc" \
        $(pkg-config --libs mlpipe) && pass "cxx_plugin_builds_$std"
done
cat > cxx.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "cxx", root = "runs/cxx" }
p:add("cxx_sum", { n = 100 })
local r = p:run {}
print("sum", r.nodes.cxx_sum.outputs.out.properties.sum)
LUA
expect cxx_plugin_runs 0 "$M" run cxx.lua --plugin-path "$TMP/cxx" &&
has cxx_plugin_runs "$OUT" "ran      cxx_sum" "sum	5050"

export MLPIPE_PLUGIN_PATH=$TMP/skel
expect skeleton_is_listed 0 "$M" plugins &&
has skeleton_is_listed "$OUT" "skeleton 1.0.0 (c)  $TMP/skel/skeleton.so" "column_scale"

export SKELETON_WORK=$TMP
expect skeleton_runs_in_pipeline 0 "$M" run skel/tests/pipeline.lua &&
has skeleton_runs_in_pipeline "$OUT" "ran      column_scale" "sum	525"
consistent skeleton_store_consistent runs/skeleton

[ "$(stat -c %Y "$lib")" = "$before" ] && pass mlpipe_not_rebuilt ||
    fail mlpipe_not_rebuilt "libmlpipe.so changed"
