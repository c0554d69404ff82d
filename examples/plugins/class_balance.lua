-- class_balance: a component written in Lua and shipped as a plugin file.
--
-- For every split of an Examples artifact it counts the rows of each value
-- of a categorical column (by default the label the ingestion recorded) and
-- the share of each, and warns when the rarest class falls below
-- `min_share`.  Put this file's directory on the plugin path
-- (MLPIPE_PLUGIN_PATH, --plugin-path, or mp.plugin_path in the pipeline as
-- examples/titanic/pipeline.lua does) and use it like a C component.
local mp = require "mlpipe"

mp.plugin {
  name = "class_balance",
  version = "1.0.0",
  license = "MIT",
  description = "class counts per split, written in Lua",
}

mp.component {
  name = "class_balance",
  stage = "analyze",
  description = "Counts the classes of a categorical column in every split",
  inputs = { examples = "Examples" },
  outputs = { balance = "ClassBalance" },
  params = {
    column = { type = "string", doc = "column to count (default: the label)" },
    min_share = { type = "float", default = 0.05, min = 0, max = 1,
                  doc = "warn when a class has a smaller share than this" },
  },
  run = function(ctx)
    local ex = ctx:input("examples")
    local column = ctx:param("column") or ex.properties.label
    if not column then
      return false, "no column given and the Examples record no label"
    end
    local result = {}
    for _, split in ipairs(ex.properties.splits) do
      local t, err = ctx:read_table(ex.uri .. "/" .. split .. ".mlpt")
      if not t then return false, err end
      local values, n = t:column(column)
      local counts, present = {}, 0
      for i = 1, n do
        local v = values[i]
        if v ~= nil then
          counts[v] = (counts[v] or 0) + 1
          present = present + 1
        end
      end
      local shares = {}
      for v, c in pairs(counts) do
        shares[v] = c / present
        if c / present < ctx:param("min_share") then
          ctx:warn(string.format("split %s: class %q has only %.1f%% of rows",
                                 split, v, 100 * c / present))
        end
      end
      result[split] = { rows = n, missing = n - present, counts = counts,
                        shares = shares }
      ctx:progress(_, #ex.properties.splits, "splits")
    end
    ctx:set_property("balance", "column", column)
    ctx:set_property("balance", "splits", result)
  end,
}

-- The artifact type this plugin defines: what a complete one holds, and
-- how `mlpipe show` and `mlpipe report` draw it.  A view gets the
-- artifact ({ id, type, uri, properties }) and returns text or HTML.
local function sorted_classes(s)
  local names = {}
  for v in pairs(s.counts) do names[#names + 1] = v end
  table.sort(names)
  return names
end

local function sorted_splits(a)
  local names = {}
  for split in pairs(a.properties.splits) do names[#names + 1] = split end
  table.sort(names)
  return names
end

mp.type {
  name = "ClassBalance",
  description = "rows per class of one column, per split",
  contract = { properties = { column = "string", splits = "object" } },
  show = function(a)
    local out = { "column " .. a.properties.column }
    for _, split in ipairs(sorted_splits(a)) do
      local s = a.properties.splits[split]
      out[#out + 1] = string.format("split %s: %d rows, %d missing", split,
                                    s.rows, s.missing)
      for _, v in ipairs(sorted_classes(s)) do
        out[#out + 1] = string.format("  %-20s %8d  %5.1f%%", v, s.counts[v],
                                      100 * s.shares[v])
      end
    end
    return table.concat(out, "\n") .. "\n"
  end,
  html = function(a)
    local out = {}
    for _, split in ipairs(sorted_splits(a)) do
      local s = a.properties.splits[split]
      local names, counts = sorted_classes(s), {}
      out[#out + 1] = string.format("<h3>split %s: %d rows of %s</h3>",
        mp.html_escape(split), s.rows, mp.html_escape(a.properties.column))
      out[#out + 1] = "<table><tr><th>class</th><th>rows</th><th>share</th></tr>"
      for i, v in ipairs(names) do
        counts[i] = s.counts[v]
        out[#out + 1] = string.format(
          '<tr><td>%s</td><td class="num">%d</td><td class="num">%.1f%%</td></tr>',
          mp.html_escape(v), s.counts[v], 100 * s.shares[v])
      end
      out[#out + 1] = "</table>" .. mp.svg_bars(counts, names)
    end
    return table.concat(out, "\n") .. "\n"
  end,
}
