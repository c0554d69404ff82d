-- standard_scaler_lua: standard_scaler.c in Lua (StandardScaler fitted on train).
local mp = require "mlpipe"
mp.plugin { name = "standard_scaler_lua", version = "1.0.0", license = "MIT" }
mp.component {
  name = "standard_scaler_lua", stage = "transform",
  inputs = { examples = "Examples" }, outputs = { scaled = "Examples" },
  params = { columns = { type = "list", of = "string", default = {},
                         doc = "columns to scale (default: every numeric column)" } },
  run = function(ctx)
    local ex, out, want, fit, rows, columns = ctx:input("examples"), ctx:output("scaled"), {}, { mean = {}, scale = {} }, {}, {}
    for _, c in ipairs(ctx:param("columns")) do want[c] = true end
    local train, err = ctx:read_table(ex.uri .. "/train.mlpt")
    if not train then return false, "no train split to fit on: " .. err end
    for _, name in ipairs(train:names()) do
      if want[name] or (next(want) == nil and train:type(name) == "numeric") then
        if train:type(name) ~= "numeric" then return false, "column '" .. name .. "' is not numeric" end
        local v, n = train:column(name)
        local k, m, sq = 0, 0, 0
        for i = 1, n do  -- Welford: one pass, stable
          if v[i] ~= nil then k = k + 1; local d = v[i] - m; m = m + d / k; sq = sq + d * (v[i] - m) end
        end
        fit.mean[name], fit.scale[name] = k > 0 and m or 0 / 0, sq > 0 and math.sqrt(sq / k) or 1
      end
    end
    for _, split in ipairs(ex.properties.splits) do
      local t = assert(ctx:read_table(ex.uri .. "/" .. split .. ".mlpt"))
      local cols = {}
      for i, name in ipairs(t:names()) do
        local v, n, m, s = t:column(name), t:nrows(), fit.mean[name], fit.scale[name]
        for r = 1, (m and n or 0) do if v[r] ~= nil then v[r] = (v[r] - m) / s end end
        cols[i], columns[i] = { name = name, type = t:type(name), values = v }, { name = name, type = t:type(name), kind = t:type(name) == "numeric" and "float" or nil }
      end
      assert(ctx:write_table(out.uri .. "/" .. split .. ".mlpt", t:nrows(), cols))
      rows[split] = t:nrows()
    end
    for k, v in pairs(ex.properties) do ctx:set_property("scaled", k, v) end
    ctx:set_property("scaled", "rows", rows); ctx:set_property("scaled", "columns", columns)
    local f = assert(io.open(out.uri .. "/scaler.json", "w")); f:write(mp.json_encode(fit)); f:close()
  end,
}
