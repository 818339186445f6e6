-- The Lua side of the parity test (run by run_parity.py with each Lua
-- interpreter, LUA_CPATH pointing at that version's built swng.so).
--
-- Reads one request per line on stdin (Lua has no JSON; the driver encodes):
--
--   ID <TAB> CALL <TAB> OPTION...
--
-- CALL is "-" (no call) or GROUPHEX,PHONEHEX; each OPTION is NAME=KIND:PAYLOAD
-- with KIND n (a number: decimal text, nan, inf, -inf), s (a string, hex) or
-- h (headers: NAMEHEX.VALUEHEX pairs joined by ","). Answers each with
--
--   ID <TAB> STAGE <TAB> OUTCOME <TAB> OPTION <TAB> MESSAGE
--
-- OUTCOME: "ok", "type_error" (an error() raised), or err.code; OPTION is
-- err.option ("-": none).
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

local function run(call, opts)
  local ok, client, err = pcall(swng.client, opts)
  if not ok then return "client", "type_error", nil, client end
  if client == nil then return "client", err.code, err.option, err.message end
  if call == nil then
    local url = client:base_url()
    client:close()
    return "client", "ok", nil, "client " .. tostring(url)
  end
  local ok2, m, err2 = pcall(client.create_membership, client, call[1], call[2])
  client:close()
  if not ok2 then return "call", "type_error", nil, m end
  if m == nil then return "call", err2.code, err2.option, err2.message end
  return "call", "ok", nil, "membership " .. tostring(m.id)
end

for line in io.lines() do
  if line ~= "" then
    local fields = split(line, "\t")
    local id, callspec = fields[1], fields[2]
    local call
    if callspec ~= "-" then
      local g, p = callspec:match("^(%x*),(%x*)$")
      call = { unhex(g), unhex(p) }
    end
    local opts = {}
    for i = 3, #fields do
      local name, kind, payload = fields[i]:match("^([%w_]+)=(%a):(.*)$")
      opts[name] = decode(kind, payload)
    end
    local stage, outcome, option, message = run(call, opts)
    io.write(table.concat({ id, stage, tostring(outcome), option or "-", clean(message) }, "\t"), "\n")
    io.stdout:flush()
  end
end
