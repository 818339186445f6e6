--[[
One Lua benchmark client, run by bench/run.py in a fresh process, the Lua
counterpart of bench/py/client.py and bench/c/bench_swng.c.

    LUA_CPATH='BUILD/lua/5.4/?.so;BUILD/bench/lua5.4/?.so;;' \
      lua5.4 bench/lua/client.lua IMPL CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP PHONE

IMPL is one of:
  swng       require "swng", one swng.client, client:create_membership()
             per call (the public call only: the bench must run unchanged on
             any version of the library underneath)
  baseline   no client and no calls: the interpreter and this harness only

Every call is verified (HTTP 200, a UUID membership id, the group and phone
number ids echoed back); any mismatch exits non-zero, so a broken client
cannot produce a number. Prints one JSON line: CPU time of this process
(user + system) for the timed calls, their wall time, the CPU spent loading
the module and making the client, the peak RSS of the process (VmHWM) and its
anonymous resident memory at the end (RssAnon), and where "swng" was loaded
from (run.py checks that it is the build being measured).

Clocks come from swng_bench_clock (bench/lua/clock.c: getrusage and
CLOCK_MONOTONIC, as the C and Python clients). Without it, CPU falls back to
os.clock() (process CPU time too) and wall time is not reported.
]]

local ok, clock = pcall(require, "swng_bench_clock")
local cpu_us, wall_us, clock_name
if ok then
  cpu_us, wall_us, clock_name = clock.cpu_us, clock.wall_us, "getrusage"
else
  cpu_us = function() return os.clock() * 1e6 end
  clock_name = "os.clock"
end

local function fail(fmt, ...)
  io.stderr:write(string.format(fmt, ...), "\n")
  os.exit(1)
end

local function status_kb(name)
  local f = io.open("/proc/self/status", "r")
  if not f then return nil end
  local kb
  for line in f:lines() do
    local k, v = line:match("^([%w_]+):%s*(%d+)")
    if k == name then kb = tonumber(v); break end
  end
  f:close()
  return kb
end

-- find, not match: the same pattern, without making a copy of the match.
local find = string.find
local function is_uuid(s)
  if type(s) ~= "string" or #s ~= 36 then return false end
  return find(s, "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$")
    ~= nil
end

local impl, calls, warmup = arg[1], tonumber(arg[2]), tonumber(arg[3])
local base_url, project_id, token, group, phone = arg[4], arg[5], arg[6], arg[7], arg[8]
if not (impl and calls and warmup and phone) then
  io.stderr:write("usage: client.lua IMPL CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP PHONE\n")
  os.exit(2)
end
local want_group, want_phone = group:lower(), phone:lower()

-- s is the wanted id, compared case-insensitively. The exact echo is tried
-- first: short Lua strings are interned, so that is one comparison, and
-- only an echo in another case pays for :lower() (a new string each call).
local function same_id(s, want, want_lower)
  return type(s) == "string" and (s == want or s:lower() == want_lower)
end

local function num(x)
  if x == nil then return "null" end
  return string.format("%.0f", x)
end

local cpu_start = cpu_us()
local result = { '"client": "lua-' .. impl .. '"', '"calls": ' .. num(calls),
                 '"warmup": ' .. num(warmup), '"lua": "' .. _VERSION .. '"',
                 '"jit": ' .. (jit and ('"' .. jit.version .. '"') or "null"),
                 '"clock": "' .. clock_name .. '"' }

local client -- kept alive until the memory is read
if impl == "swng" then
  local swng = require "swng"
  local path = package.searchpath and package.searchpath("swng", package.cpath) or "?"
  local err
  client, err = swng.client{ project_id = project_id, token = token, base_url = base_url }
  if not client then fail("swng.client: %s", tostring(err)) end
  local setup = cpu_us() - cpu_start

  local function call(i)
    local m, e = client:create_membership(group, phone)
    if not m then fail("call %d: %s", i, tostring(e)) end
    local pn = m.phone_number
    if m.http_status ~= 200 or not is_uuid(m.id)
        or not same_id(m.number_group_id, group, want_group) or type(pn) ~= "table"
        or not same_id(pn.id, phone, want_phone) then
      fail("call %d: wrong result: HTTP %s id=%s group=%s phone=%s", i,
           tostring(m.http_status), tostring(m.id), tostring(m.number_group_id),
           tostring(type(pn) == "table" and pn.id))
    end
  end

  for i = 1, warmup do call(-i) end
  local c0, w0 = cpu_us(), wall_us and wall_us()
  for i = 0, calls - 1 do call(i) end
  local w1, c1 = wall_us and wall_us(), cpu_us()
  result[#result + 1] = '"setup_cpu_us": ' .. num(setup)
  result[#result + 1] = '"cpu_us": ' .. num(c1 - c0)
  result[#result + 1] = '"wall_us": ' .. num(w1 and (w1 - w0))
  result[#result + 1] = '"swng_version": "' .. swng.version .. '"'
  result[#result + 1] = '"module": "' .. path:gsub('[\\"]', "\\%0") .. '"'
elseif impl ~= "baseline" then
  fail("unknown IMPL %s (swng or baseline)", impl)
end

-- Anonymous memory (heap, not shared libraries) while the client exists.
result[#result + 1] = '"anon_kb": ' .. num(status_kb("RssAnon"))
result[#result + 1] = '"maxrss_kb": ' .. num(status_kb("VmHWM"))
io.write("{", table.concat(result, ", "), "}\n")
io.stdout:flush()
if client then client:close() end
