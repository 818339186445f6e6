-- The Lua side of the parity test (run by run_parity.py with each Lua
-- interpreter, LUA_CPATH pointing at that version's built swng.so).
--
-- Reads one request per line on stdin (Lua has no JSON; the driver encodes):
--
--   ID <TAB> CALL <TAB> OPTION...
--
-- CALL is "-" (no call) or OPERATION,ARG,...: the client method's name
-- (the same names as in Python), then its positional arguments as
-- KIND:PAYLOAD and its optional ones as o:NAME=KIND:PAYLOAD (they go in
-- the trailing options table, as the module's methods take them). KIND is
-- n (a number: decimal text, nan, inf, -inf), s (a string, hex) or b (a
-- boolean: true, false). Each client OPTION is NAME=KIND:PAYLOAD with KIND
-- n, s or h (headers: NAMEHEX.VALUEHEX pairs joined by ","). Answers each
-- with
--
--   ID <TAB> STAGE <TAB> OUTCOME <TAB> OPTION <TAB> MESSAGE <TAB> VALUE
--
-- OUTCOME: "ok", "type_error" (an error() raised with a string), or
-- err.code (returned as nil, err, or raised as the err table by a list);
-- OPTION is err.option ("-": none). VALUE ("-" unless ok after a call)
-- summarises the result exactly as runner.py does: NAME=HEX pairs sorted
-- by name, joined by ","; a list is iterated to its end.
local swng = require "swng"

io.stdout:setvbuf("line")

local function unhex(s)
  return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

local function number(text)
  if text == "nan" then return 0 / 0 end
  if text == "inf" then return 1 / 0 end
  if text == "-inf" then return -1 / 0 end
  local v = tonumber(text)
  if v == nil then error("runner: bad number " .. text) end
  return v
end

local function split(s, sep)
  local out = {}
  for part in (s .. sep):gmatch("(.-)" .. sep) do out[#out + 1] = part end
  return out
end

local function clean(s)
  return (tostring(s):gsub("[\t\r\n]", " "))
end

local function decode(kind, payload)
  if kind == "n" then return number(payload) end
  if kind == "b" then return payload == "true" end
  if kind == "s" then return unhex(payload) end
  if kind == "h" then
    local t = {}
    if payload ~= "" then
      for _, pair in ipairs(split(payload, ",")) do
        local name, val = pair:match("^(%x*)%.(%x*)$")
        t[unhex(name)] = unhex(val)
      end
    end
    return t
  end
  error("runner: bad kind " .. tostring(kind))
end

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function text(v)
  if v == nil then return "" end
  return tostring(v)
end

-- The compared fields of one result (as runner.py's fields_of).
local function fields_of(item)
  if type(item) ~= "table" then return { type = "unknown:" .. type(item) } end
  if item.phone_number ~= nil then
    return { type = "membership", id = text(item.id), number_group_id = text(item.number_group_id),
             phone_number_id = text(item.phone_number.id),
             phone_number_number = text(item.phone_number.number),
             existed = text(item.existed) }
  end
  if item.sticky_sender ~= nil then
    return { type = "number_group", id = text(item.id), name = text(item.name),
             sticky_sender = text(item.sticky_sender),
             phone_number_count = text(item.phone_number_count) }
  end
  return { type = "phone_number", id = text(item.id), number = text(item.number),
           name = text(item.name) }
end

local function summary(f)
  local names, out = {}, {}
  for k in pairs(f) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do out[#out + 1] = k .. "=" .. hex(f[k]) end
  return table.concat(out, ",")
end

local function list_summary(items)
  local ids = {}
  for i, x in ipairs(items) do
    ids[i] = x.id .. (x.type == "membership" and ("/" .. x.phone_number_id) or "")
  end
  return summary({ type = "list", count = tostring(#items),
                   item_type = items[1] and items[1].type or "", ids = table.concat(ids, " ") })
end

-- A raised value: a swng err table (a list's error), or error()'s text.
local function raised(e)
  if type(e) == "table" and e.code ~= nil then return e.code, e.option, tostring(e) end
  return "type_error", nil, e
end

local function run(call, opts)
  local ok, client, err = pcall(swng.client, opts)
  if not ok then return "client", "type_error", nil, client, "-" end
  if client == nil then return "client", err.code, err.option, err.message, "-" end
  if call == nil then
    local url = client:base_url()
    client:close()
    return "client", "ok", nil, "client " .. tostring(url), "-"
  end
  local op = call.op
  local method = client[op]
  if method == nil then
    client:close()
    return "call", "exception:no_method", nil, "no method " .. op, "-"
  end
  local args = { client }
  for i = 1, call.n do args[i + 1] = call.args[i] end
  local n = call.n + 1
  if call.opts then n = n + 1; args[n] = call.opts end
  local unpack = table.unpack or unpack
  local value
  local ok2, r, err2 = pcall(function()
    local a, b = method(unpack(args, 1, n))
    if op:sub(1, 5) == "list_" then
      local items = {}
      for item in a do items[#items + 1] = fields_of(item) end
      return list_summary(items)
    end
    if a == nil then return nil, b end
    if a == true then return summary({ type = "none" }) end
    return summary(fields_of(a))
  end)
  client:close()
  if not ok2 then
    local code, option, message = raised(r)
    return "call", code, option, message, "-"
  end
  if r == nil then return "call", err2.code, err2.option, err2.message, "-" end
  value = r
  return "call", "ok", nil, op .. " done", value
end

-- OPERATION,KIND:PAYLOAD,...,o:NAME=KIND:PAYLOAD,...
local function parse_call(spec)
  if spec == "-" then return nil end
  local parts = split(spec, ",")
  local call = { op = parts[1], args = {}, n = 0 }
  for i = 2, #parts do
    local name, kind, payload = parts[i]:match("^o:([%w_]+)=(%a):(.*)$")
    if name then
      call.opts = call.opts or {}
      call.opts[name] = decode(kind, payload)
    else
      kind, payload = parts[i]:match("^(%a):(.*)$")
      call.n = call.n + 1
      call.args[call.n] = decode(kind, payload)
    end
  end
  return call
end

for line in io.lines() do
  if line ~= "" then
    local fields = split(line, "\t")
    local id = fields[1]
    local call = parse_call(fields[2])
    local opts = {}
    for i = 3, #fields do
      local name, kind, payload = fields[i]:match("^([%w_]+)=(%a):(.*)$")
      opts[name] = decode(kind, payload)
    end
    local stage, outcome, option, message, value = run(call, opts)
    io.write(table.concat({ id, stage, tostring(outcome), option or "-", clean(message), value },
                          "\t"), "\n")
    io.stdout:flush()
  end
end
