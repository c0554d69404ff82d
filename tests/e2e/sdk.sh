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

export MLPIPE_PLUGIN_PATH=$TMP/skel
expect skeleton_is_listed 0 "$M" plugins &&
has skeleton_is_listed "$OUT" "skeleton 1.0.0 (c)  $TMP/skel/skeleton.so" "column_scale"

export SKELETON_WORK=$TMP
expect skeleton_runs_in_pipeline 0 "$M" run skel/tests/pipeline.lua &&
has skeleton_runs_in_pipeline "$OUT" "ran      column_scale" "sum	525"
consistent skeleton_store_consistent runs/skeleton

[ "$(stat -c %Y "$lib")" = "$before" ] && pass mlpipe_not_rebuilt ||
    fail mlpipe_not_rebuilt "libmlpipe.so changed"
