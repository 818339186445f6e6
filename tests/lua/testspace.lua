-- testspace.lua - drives the emulated SignalWire space (tests/space) from
-- Lua tests run under tests/space/with_space.py: its address and
-- credentials come from SWNG_TEST_* and its control API (/__space/...) is
-- reached with curl. JSON through dkjson (a dependency of busted).
local json = require "dkjson"

local M = {}

local function env(name)
  local v = os.getenv(name)
  if not v or v == "" then
    error(name .. " is not set: run this under tests/space/with_space.py", 2)
  end
  return v
end

M.base_url = env("SWNG_TEST_BASE_URL")
M.project_id = env("SWNG_TEST_PROJECT_ID")
M.token = env("SWNG_TEST_TOKEN")
M.fixture_path = env("SWNG_TEST_FIXTURE")

do
  local f = assert(io.open(M.fixture_path, "rb"))
  M.fixture = assert(json.decode(f:read("*a")))
  f:close()
end

M.groups = {}
for _, g in ipairs(M.fixture.number_groups) do M.groups[g.name] = g.id end
M.numbers = {}
for _, n in ipairs(M.fixture.phone_numbers) do M.numbers[n.name] = n end
M.pool = {}
for _, n in ipairs(M.fixture.phone_numbers) do
  if n.name:match("^Pool ") then M.pool[#M.pool + 1] = n end
end

M.SALES = M.groups["Sales"]
M.SUPPORT = M.groups["Support"]
M.MAIN = M.numbers["Main line"].id
M.ZURICH = M.numbers["Zürich Büro ☎"].id
M.SPARE = M.numbers["Spare"].id
M.UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.shell_quote = shell_quote

-- One request to the control API; returns the decoded JSON answer.
function M.control(method, path, payload)
  local cmd = "curl -sS --max-time 10 -X " .. method
  local tmp
  if payload ~= nil then
    tmp = os.tmpname()
    local f = assert(io.open(tmp, "wb"))
    f:write(json.encode(payload))
    f:close()
    cmd = cmd .. " -H 'Content-Type: application/json' --data-binary @" .. shell_quote(tmp)
  end
  cmd = cmd .. " " .. shell_quote(M.base_url .. "/__space/" .. path)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("*a")
  p:close()
  if tmp then os.remove(tmp) end
  local v, _, err = json.decode(out)
  if v == nil then
    error("control API " .. method .. " " .. path .. ": " .. tostring(err) .. ": " .. out, 2)
  end
  if v.error then error("control API " .. method .. " " .. path .. ": " .. v.error, 2) end
  return v
end

--- Back to the startup state: no memberships, no journal, no faults.
function M.reset() return M.control("POST", "reset") end

--- Queues a fault: M.fault{mode = "status", status = 500, count = 1}.
function M.fault(spec) return M.control("POST", "faults", spec) end

--- The journal entries, oldest first.
function M.journal() return M.control("GET", "journal").requests end

function M.memberships() return M.control("GET", "memberships").memberships end

--- The number groups as the API shows them now.
function M.number_groups() return M.control("GET", "number_groups").number_groups end

--- Empties the journal.
function M.clear_journal() return M.control("DELETE", "journal") end

--- Sets the paging mode of the lists: M.paging("cycle", {to = "self"});
--- M.reset() goes back to normal.
function M.paging(mode, params)
  local spec = { mode = mode }
  for k, v in pairs(params or {}) do spec[k] = v end
  return M.control("POST", "paging", spec)
end

--- Sleeps for about `seconds` (there is no sleep in standard Lua).
function M.sleep(seconds)
  os.execute("sleep " .. tostring(seconds))
end

--- Waits (up to `timeout` seconds) until the journal holds n entries whose
--- response is finished, e.g. for a request the client gave up on but the
--- server is still working on, so that it does not land in the next test.
function M.wait_journal(n, timeout)
  local deadline = os.time() + (timeout or 10)
  repeat
    local j = M.journal()
    if #j >= n and j[#j].status ~= json.null and j[#j].status ~= nil then return j end
    M.sleep(0.1)
  until os.time() > deadline
  error("the space did not finish " .. n .. " request(s) in time", 2)
end

--- Options for swng.client pointing at this space (extra fields merged).
function M.options(extra)
  local o = { base_url = M.base_url, project_id = M.project_id, token = M.token }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

--- The interpreter running these tests (set by ctest) and the Lua C path,
--- for tests that run a child Lua process.
M.interpreter = os.getenv("SWNG_LUA_INTERPRETER")

--- Runs a Lua chunk in a child interpreter with extra environment
--- variables; returns its stdout and whether it exited with status 0.
function M.run_child(code, envvars)
  local parts = {}
  for k, v in pairs(envvars or {}) do parts[#parts + 1] = k .. "=" .. shell_quote(v) end
  parts[#parts + 1] = "LUA_CPATH=" .. shell_quote(package.cpath)
  parts[#parts + 1] = "LUA_CPATH_5_3=" .. shell_quote(package.cpath)
  parts[#parts + 1] = "LUA_CPATH_5_4=" .. shell_quote(package.cpath)
  local cmd = "env -u SIGNALWIRE_PROJECT_ID -u SIGNALWIRE_API_TOKEN -u SIGNALWIRE_SPACE"
    .. " -u SIGNALWIRE_REST_BASE_URL -u SIGNALWIRE_REST_CA_FILE "
    .. table.concat(parts, " ") .. " " .. shell_quote(assert(M.interpreter, "SWNG_LUA_INTERPRETER not set"))
    .. " -e " .. shell_quote(code) .. " 2>&1; echo \"exit=$?\""
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("*a")
  p:close()
  local status = out:match("exit=(%d+)%s*$")
  return out:gsub("exit=%d+%s*$", ""), status == "0"
end

--- True on Lua 5.3+ when v is an integer-subtype number; on 5.1/LuaJIT,
--- when v is a number with an integral value (all there is).
function M.is_integer(v)
  if math.type then return math.type(v) == "integer" end
  return type(v) == "number" and v % 1 == 0
end

return M
