-- dump.lua FILE [OPTIONS_AS_LUA]: ingests FILE into one split and prints
-- every column's type and values, one line per column, then each column's
-- recorded type and kind, the skipped rows and the type changes.
local mp = require "mlpipe"
local file, extra = arg[1], arg[2] or "{}"
local opts = assert(load("return " .. extra))()
if opts.paths == nil then opts.path = opts.path or file end
opts.splits = opts.splits or { all = 1 }
local p = mp.pipeline { name = "dump", root = "runs/dump" }
local ex = p:add("csv_import", opts)
mp.component { name = "dump", stage = "analyze", inputs = { examples = "Examples" },
  outputs = { out = "Report" },
  run = function(ctx)
    -- print() in a component goes to its log: report through a property.
    local lines = {}
    local function say(...) lines[#lines + 1] = table.concat({ ... }, "\t") end
    local e = ctx:input("examples")
    for _, split in ipairs(e.properties.splits) do
      local t = assert(ctx:read_table(e.uri .. "/" .. split .. ".mlpt"))
      for _, name in ipairs(t:names()) do
        local vals, n = t:column(name)
        local out = {}
        for i = 1, n do out[i] = vals[i] == nil and "<NA>" or tostring(vals[i]) end
        say(string.format("%s:%s[%s]=%s", split, name, t:type(name), table.concat(out, "|")))
      end
    end
    for _, c in ipairs(e.properties.columns) do say("kind", c.name, c.type, c.kind or "") end
    say("skipped", e.properties.skipped_rows, table.concat(e.properties.skipped_lines, ","))
    for _, c in ipairs(e.properties.type_changes or {}) do
      say("change", c.column, c.line, c.value, c.numbers_before or "-", c.because)
    end
    if e.properties.span then say("span", e.properties.span) end
    ctx:set_property("out", "lines", lines)
  end }
p:add("dump", { examples = ex.examples, cache = false })
local r = p:run {}
if r.nodes.dump.outputs.out then
  for _, l in ipairs(r.nodes.dump.outputs.out.properties.lines) do print(l) end
end
