--[[
swng.lua - the Lua face of swng (add a phone number to a SignalWire number
group).

This file is not loaded from package.path: it is embedded into the C module
at build time and run by luaopen_swng with the SWIG low-level module
(swng_core, a direct view of swng.h) as its argument. Everything real
(HTTP, auth, JSON, validation, retries, error classification) happens in the
C core; this file only turns Lua values into C arguments and C results into
Lua tables.

    local swng = require "swng"
    local client, err = swng.client{ project_id = ..., token = ..., space = ... }
    local m, err = client:create_membership(group_id, phone_number_id)

Conventions:
  * A value of the wrong Lua TYPE (a number or a table where a string is
    needed, a string where a number is) or an unknown option is a bug at
    the call site: it raises with error(), like Lua's own luaL_checkstring.
  * Anything else that fails returns nil, err: a value of the right type
    that is not acceptable (a malformed UUID, an empty string, a string with
    NUL/CR/LF, a timeout of 0, NaN or over a day, a non-integral
    max_retries - all decided by the C core, the same as in Python and the
    command), every HTTP and transport failure, and the use of a closed
    client.
  * err is a table {code, message, http_status (nil: no response), errors, request_id,
    retry_after, body} with a __tostring; err.code is the C core's stable
    name (swng_status_name), the same string as in C and Python.
  * Nothing here ever stores or prints the API token.

Methods have the same names as in Python. Required arguments are
positional; optional ones go in a trailing options table (nil or {} for
none), so that an option is always named at the call site and more can be
added without breaking a caller:

    client:list_number_groups{ name = "Sales", page_size = 100 }
    client:list_phone_numbers{ number = "+1555" }
    client:create_number_group("Sales", { sticky_sender = true })
    client:update_number_group(id, "Sales EU", { sticky_sender = false })
    client:create_membership(group_id, phone_number_id, { if_exists = "return" })

An unknown option, or an option of the wrong Lua type, raises like a wrong
argument type. Deletes (delete_number_group, delete_membership,
remove_number) return true, or nil, err.

Lists (list_number_groups, list_memberships, list_phone_numbers) return an
iterator for the generic for. Nothing is sent until its first step; a step
fetches the next page when it needs one:

    for group in client:list_number_groups() do print(group.name) end

A generic for ends at the first nil, so a list that answered nil, err would
make a failure look like the end of the list. Lists therefore follow
io.lines and lfs.dir: the list method and its iterator RAISE the err table
(the same table as elsewhere, with swng.Error as its metatable). The method
raises for what fails before anything is sent (a bad id, a closed client),
the iterator for what fails on the way (HTTP, a hostile next link, the
client closed during the loop). Catch it with pcall:

    local ok, err = pcall(function()
      for m in client:list_memberships(group_id) do print(m.phone_number.number) end
    end)
    if not ok then print(err.code, tostring(err)) end

After an error, or at the end, the iterator returns nil.

Many numbers at once (see "Batches" and "sync" below; the C core decides
concurrency, duplicates, 429 pauses and the stop after a 401/403):

    local values, errors = client:create_memberships(group_id, ids, { concurrency = 8 })
    for i = 1, #ids do
      if values[i] then print(ids[i], "ok") else print(ids[i], errors[i]) end
    end
    local plan = client:sync_memberships(group_id, ids, { dry_run = true })

A trace function sees every attempt (never the token):

    local client = swng.client{ ..., trace = function(t)
      print(t.method, t.path, t.http_status, t.code, t.seconds, t.attempt)
    end }
]]

local core = ...
if type(core) ~= "table" then
  error("swng.lua is part of the swng C module; load it with require 'swng'", 2)
end

local type, tostring, error, pairs, ipairs = type, tostring, error, pairs, ipairs
local setmetatable, getmetatable, rawequal = setmetatable, getmetatable, rawequal
local format = string.format
local sort = table.sort

local M = {}

--- The version of the C library actually loaded, e.g. "0.1.0".
M.version = core.swng_version()
--- The same as an integer 0xMMmmpp.
M.version_num = core.swng_version_num()

-------------------------------------------------------------------- errors

local Error = {}
Error.__name = "swng.error"

-- "swng: not_found: number group not found (HTTP 404) [request <id>]": the
-- core's message already names the HTTP status when there was one.
function Error.__tostring(e)
  local s = "swng: " .. tostring(e.code) .. ": " .. tostring(e.message)
  if e.request_id then
    s = s .. " [request " .. tostring(e.request_id) .. "]"
  end
  return s
end

--- The metatable of every error table (for `getmetatable(err) == swng.Error`).
M.Error = Error

-- An error table from what the core gave: the converted error (a plain
-- table built in C), or nil when the core could not even allocate one.
local function error_from_core(e, rc)
  if e == nil then
    e = { code = core.swng_status_name(rc), message = core.swng_strerror(rc), errors = {} }
  end
  return setmetatable(e, Error)
end

--- Every status code name, from the core's one table: swng.codes.not_found
--- == "not_found" (so that a misspelt code is nil, not a silent mismatch).
local codes, i = {}, 0
while true do
  local name = core.status_name(i)
  if name == "unknown" then break end
  codes[name] = name
  i = i + 1
end
M.codes = codes

-- An error table for the few failures only the binding can see (a closed
-- client; a NUL byte in an option, which a C string cannot carry). The code
-- and default text still come from the core's one table.
local function binding_error(rc, message, option)
  return setmetatable({
    code = core.swng_status_name(rc),
    message = message or core.swng_strerror(rc),
    errors = {},
    option = option,
  }, Error)
end

-------------------------------------------------------------------- client

local Client = {}
Client.__index = Client
Client.__name = "swng.client"

-- client table -> SWIG userdata that owns the swng_client (freed by its
-- __gc). Weak keys: when a client table is collected, so is its handle.
-- Keeping the handle here rather than in a field keeps it out of reach.
local handles = setmetatable({}, { __mode = "k" })
-- client table -> the trace userdata the core calls (see Client:set_trace).
local traces = setmetatable({}, { __mode = "k" })

local function typename(v)
  return type(v)
end

local function argerror(fname, n, expected, got, level)
  error(format("bad argument #%d to '%s' (%s expected, got %s)",
               n, fname, expected, typename(got)), level + 1)
end

-- Returns the handle of a client (nil when closed); raises when self is
-- not a client (for instance client.create_membership(...) with a dot).
local function check_self(self, fname)
  if not rawequal(getmetatable(self), Client) then
    error(format("calling '%s' on bad self (swng client expected, got %s)",
                 fname, typename(self)), 3)
  end
  return handles[self]
end

local OPTION_STRING, OPTION_SECONDS, OPTION_COUNT, OPTION_HEADERS =
  core.SWNG_OPTION_STRING, core.SWNG_OPTION_SECONDS, core.SWNG_OPTION_COUNT,
  core.SWNG_OPTION_HEADERS

-- Raises the core's error for a failed option call (nil, err for the caller).
local function ok_or_err(rc, err)
  if rc ~= 0 then return nil, error_from_core(err, rc) end
  return true
end

-- Headers: a table of name = value strings ({["X-Trace"] = "1"}), and/or a
-- sequence of complete "Name: value" lines. Lines come first, in order, then
-- the named entries sorted by name. Only types are checked here; the core
-- checks every line.
local function header_lines(headers)
  local lines, names, n = {}, {}, 0
  for k, v in pairs(headers) do
    if type(k) == "number" then
      if type(v) ~= "string" then
        error(format("swng.client: headers[%s] must be a string (got %s)",
                     tostring(k), typename(v)), 3)
      end
    elseif type(k) == "string" then
      if type(v) ~= "string" then
        error(format("swng.client: header '%s' must be a string (got %s)",
                     k, typename(v)), 3)
      end
      names[#names + 1] = k
    else
      error(format("swng.client: header names must be strings (got %s)",
                   typename(k)), 3)
    end
  end
  for i, v in ipairs(headers) do lines[i] = v; n = i end
  for k in pairs(headers) do
    if type(k) == "number" and (k < 1 or k > n or k ~= k or k % 1 ~= 0) then
      error("swng.client: headers must be name = value pairs or a sequence of lines", 3)
    end
  end
  sort(names)
  for _, k in ipairs(names) do lines[#lines + 1] = k .. ": " .. headers[k] end
  return lines
end

--- Creates a client. opts (optional) may hold:
---   space, project_id, token, base_url, ca_file   strings; nil: from the
---     environment (SIGNALWIRE_SPACE, SIGNALWIRE_PROJECT_ID,
---     SIGNALWIRE_API_TOKEN, SIGNALWIRE_REST_BASE_URL,
---     SIGNALWIRE_REST_CA_FILE), read by the C core
---   timeout, connect_timeout, retry_base, retry_max   seconds, positive and
---     at most 86400 (nil: default)
---   max_retries   whole number 0..100 (default 0)
---   headers       {["X-Trace"] = "1"} and/or {"X-Trace: 1"}
--- Every value's meaning and range is the C core's, the same as in Python
--- and the command; a value of the wrong Lua type, or an unknown option,
--- raises. Returns the client, or nil, err.
function M.client(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then argerror("client", 1, "table or nil", opts, 2) end
  local o = core.options_new()
  -- Checked in a sorted order, so the first bad option reported is the same
  -- from run to run.
  local keys = {}
  local trace = opts.trace
  if trace ~= nil and type(trace) ~= "function" then
    error(format("swng.client: option 'trace' must be a function (got %s)", typename(trace)), 2)
  end
  for k in pairs(opts) do
    if k ~= "trace" then -- (the binding's own option: set below)
      if type(k) ~= "string" or core.swng_client_option_kind(k) == 0 then
        error(format("swng.client: unknown option '%s'", tostring(k)), 2)
      end
      keys[#keys + 1] = k
    end
  end
  sort(keys)
  for _, k in ipairs(keys) do
    local v, kind, ok, err = opts[k], core.swng_client_option_kind(k)
    if kind == OPTION_STRING then
      if type(v) ~= "string" then
        error(format("swng.client: option '%s' must be a string (got %s)", k, typename(v)), 2)
      end
      ok, err = ok_or_err(core.options_set_string(o, k, v))
    elseif kind == OPTION_SECONDS or kind == OPTION_COUNT then
      if type(v) ~= "number" then
        error(format("swng.client: option '%s' must be a number%s (got %s)", k,
                     kind == OPTION_SECONDS and " of seconds" or "", typename(v)), 2)
      end
      ok, err = ok_or_err(core.options_set_number(o, k, v))
    else -- OPTION_HEADERS
      if type(v) ~= "table" then
        error(format("swng.client: option 'headers' must be a table (got %s)", typename(v)), 2)
      end
      ok = true
      for _, line in ipairs(header_lines(v)) do
        ok, err = ok_or_err(core.options_add_header(o, line))
        if not ok then break end
      end
    end
    if not ok then return nil, err end
  end
  local rc, h, err = core.client_new(o)
  if rc ~= 0 or h == nil then return nil, error_from_core(err, rc) end
  local client = setmetatable({}, Client)
  handles[client] = h
  if trace ~= nil then traces[client] = core.client_set_trace(h, trace) end
  return client
end

local function closed_error()
  return binding_error(core.SWNG_ECLOSED, "client is closed")
end

-- Raises (at the method's caller) unless v is a string: argument n of fname.
local function check_string(fname, n, v)
  if type(v) ~= "string" then argerror(fname, n, "string", v, 3) end
  return v
end

-- The trailing options table of method fname (argument n): nil, or a table
-- whose every key is in spec (option name -> the Lua type it must have).
-- Raises (at the method's caller; `level` as error()'s, from options'
-- caller's point of view: 3 when a method calls it) for an unknown option
-- or a wrong type; only types are checked. Returns the table ({} for nil).
-- What options() gives for "no options": shared, never written to.
local NO_OPTIONS = setmetatable({}, { __newindex = function() error("read-only", 2) end })

local function options(fname, n, opts, spec, level)
  level = level or 3
  if opts == nil then return NO_OPTIONS end
  if type(opts) ~= "table" then argerror(fname, n, "table or nil", opts, level) end
  for k, v in pairs(opts) do
    local want = spec[k]
    if want == nil then
      error(format("%s: unknown option '%s'", fname, tostring(k)), level)
    end
    if type(v) ~= want then
      error(format("%s: option '%s' must be a %s (got %s)", fname, k, want, typename(v)), level)
    end
  end
  return opts
end

-- What a core call gives back: a result table, or nothing but rc, err.
local RESULT, NONE = 1, 2

-- What a finished call gives (blocking or not): its result table (RESULT),
-- or true (NONE: the deletes), or nil, err.
--
-- The common end of every blocking method but the lists (call): refuses a
-- closed client (h nil), calls the core function fn with the handle and the
-- converted arguments, and returns outcome().
local function outcome(shape, rc, out, err)
  if rc == 0 then
    if shape == NONE then return true end
    if out ~= nil then return out end
  end
  return nil, error_from_core(err, rc)
end

local function call(h, shape, fn, ...)
  if h == nil then return nil, closed_error() end
  if shape == NONE then
    local rc, err = fn(h, ...)
    return outcome(NONE, rc, nil, err)
  end
  return outcome(RESULT, fn(h, ...))
end

-- The common part of the lists: the core list function fn makes a cursor
-- (sending nothing) and this returns a lazy iterator over it. Raises the
-- err table when the client is closed or fn refuses an argument. Each step
-- checks that the client is still open before the cursor is used (the C
-- cursor must never run on a freed client) and raises the err table of a
-- failed step; at the end or after an error it drops the cursor and keeps
-- returning nil. The iterator holds the client table, so the client's
-- handle lives as long as the iterator does.
local function iterate(self, h, fn, ...)
  if h == nil then error(closed_error()) end
  local rc, cursor, err = fn(h, ...)
  if cursor == nil then error(error_from_core(err, rc)) end
  return function()
    if cursor == nil then return nil end
    if handles[self] == nil then
      cursor = nil
      error(closed_error())
    end
    local rc2, item, err2 = core.cursor_next(cursor)
    if rc2 ~= 0 then
      cursor = nil
      error(error_from_core(err2, rc2))
    end
    if item == nil then cursor = nil end
    return item
  end
end

-- The options each method takes (made once: they are on every call's path).
local PAGE_SIZE = { page_size = "number" }
local GROUP_LIST_OPTIONS = { name = "string", page_size = "number" }
local STICKY_OPTIONS = { sticky_sender = "boolean" }
local IF_EXISTS_OPTIONS = { if_exists = "string" }
local PHONE_LIST_OPTIONS = { number = "string", name = "string", page_size = "number" }

-- The methods whose arguments are all strings and whose answer is their
-- core call's (the core function has the method's name): name -> the
-- number of arguments and RESULT (the table, or nil, err) or NONE (true,
-- or nil, err).
--
--   get_number_group(id), get_membership(id), get_phone_number(id)
--     The resource with this id (a membership id is not a phone number id).
--   delete_number_group(id)   Its phone numbers are not released.
--   delete_membership(id)
--   remove_number(number_group_id, phone_number_id)
--     Takes a phone number out of a group, finding its membership through
--     the group's list: not_found when the number is not in it.
--   find_number_group(name)
--     The one group named exactly `name` (the server's filter is a
--     substring match): not_found for none, ambiguous for several.
--   find_phone_number(e164)
--     The one phone number that is exactly e164 ("+15551230001"):
--     invalid_argument (nothing sent) when it is not E.164, not_found for
--     none, ambiguous for several.
-- (The third entry is the swng_op that runs it on a loop.)
local STRING_METHODS = {
  get_number_group = { 1, RESULT, core.SWNG_OP_NUMBER_GROUP_GET },
  delete_number_group = { 1, NONE, core.SWNG_OP_NUMBER_GROUP_DELETE },
  find_number_group = { 1, RESULT, core.SWNG_OP_NUMBER_GROUP_FIND },
  get_membership = { 1, RESULT, core.SWNG_OP_MEMBERSHIP_GET },
  delete_membership = { 1, NONE, core.SWNG_OP_MEMBERSHIP_DELETE },
  remove_number = { 2, NONE, core.SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER },
  get_phone_number = { 1, RESULT, core.SWNG_OP_PHONE_NUMBER_GET },
  find_phone_number = { 1, RESULT, core.SWNG_OP_PHONE_NUMBER_FIND },
}
for name, def in pairs(STRING_METHODS) do
  local nargs, shape, fn = def[1], def[2], core[name]
  Client[name] = function(self, a, b)
    local h = check_self(self, name)
    check_string(name, 1, a)
    if nargs == 1 then return call(h, shape, fn, a) end
    check_string(name, 2, b)
    return call(h, shape, fn, a, b)
  end
end

---------------------------------------------------------- number groups

--- Number groups, a page at a time: an iterator of group tables {id, name,
--- sticky_sender, phone_number_count?, http_status, request_id, json}.
--- opts: name (the server's filter_name: a substring match), page_size
--- (1 to 1000; nil: the server's default). See "Lists" above for errors.
-- (Client.list_number_groups: made from LISTS below.)

--- Creates a number group. opts: sticky_sender (boolean, default false).
--- Returns the group table, or nil, err.
function Client:create_number_group(name, opts)
  local h = check_self(self, "create_number_group")
  check_string("create_number_group", 1, name)
  local o = options("create_number_group", 2, opts, STICKY_OPTIONS)
  return call(h, RESULT, core.create_number_group, name, o.sticky_sender and 1 or 0)
end

--- Renames a number group (PUT: the name is required). opts: sticky_sender
--- (boolean; nil: left as it is). Returns the group table, or nil, err.
function Client:update_number_group(id, name, opts)
  local h = check_self(self, "update_number_group")
  check_string("update_number_group", 1, id)
  check_string("update_number_group", 2, name)
  local o = options("update_number_group", 3, opts, STICKY_OPTIONS)
  local sticky = core.SWNG_KEEP
  if o.sticky_sender ~= nil then sticky = o.sticky_sender and 1 or 0 end
  return call(h, RESULT, core.update_number_group, id, name, sticky)
end

------------------------------------------------------------ memberships

--- A group's memberships, in the order they were made: an iterator of
--- membership tables. opts: page_size. See "Lists" above for errors.
-- (Client.list_memberships: made from LISTS below.)

local IF_EXISTS = { error = core.SWNG_IF_EXISTS_ERROR, ["return"] = core.SWNG_IF_EXISTS_RETURN }

--- Adds a phone number to a number group: POST
--- /api/relay/rest/number_groups/{group_id}/number_group_memberships.
--- opts: if_exists, "error" (the default: a number already in the group is
--- a validation error) or "return" (the existing membership is returned,
--- with existed == true). Returns the membership table (existed is false
--- for a new one), or nil, err.
--- (The hot path of every caller that adds numbers: the same checks and
--- results as the generic helpers, written out - no varargs, no helper
--- calls for the argument types, no options table walked when none is
--- given.)
local core_create_membership, IF_EXISTS_ERROR = core.create_membership, core.SWNG_IF_EXISTS_ERROR
function Client:create_membership(group_id, phone_number_id, opts)
  local h = check_self(self, "create_membership")
  if type(group_id) ~= "string" then argerror("create_membership", 1, "string", group_id, 2) end
  if type(phone_number_id) ~= "string" then
    argerror("create_membership", 2, "string", phone_number_id, 2)
  end
  local policy = IF_EXISTS_ERROR
  if opts ~= nil then
    local o = options("create_membership", 3, opts, IF_EXISTS_OPTIONS)
    policy = IF_EXISTS[o.if_exists or "error"]
    if policy == nil and h ~= nil then
      return nil, binding_error(core.SWNG_EINVAL, 'if_exists must be "error" or "return"', "if_exists")
    end
  end
  if h == nil then return nil, closed_error() end
  local rc, out, err = core_create_membership(h, group_id, phone_number_id, policy)
  if rc == 0 and out ~= nil then return out end
  return nil, error_from_core(err, rc)
end

---------------------------------------------------------- phone numbers

--- The project's phone numbers: an iterator of phone number tables. opts:
--- number, name (the server's filter_number and filter_name: substring
--- matches), page_size. See "Lists" above for errors.
-- (Client.list_phone_numbers: made from LISTS below.)

-- The lists: name -> { the core function that makes the cursor, the number
-- of string arguments before the options table, the options, and the
-- cursor's arguments after those strings from the options }. The blocking
-- methods and the loop's (see "Loops") are made from this one table.
local LISTS = {
  list_number_groups = { core.list_number_groups, 0, GROUP_LIST_OPTIONS,
                         function(o) return o.name, o.page_size or 0 end },
  list_memberships = { core.list_memberships, 1, PAGE_SIZE,
                       function(o) return o.page_size or 0 end },
  list_phone_numbers = { core.list_phone_numbers, 0, PHONE_LIST_OPTIONS,
                         function(o) return o.number, o.name, o.page_size or 0 end },
}

for name, def in pairs(LISTS) do
  local fn, nargs, spec, tail = def[1], def[2], def[3], def[4]
  if nargs == 0 then
    Client[name] = function(self, opts)
      local h = check_self(self, name)
      return iterate(self, h, fn, tail(options(name, 1, opts, spec)))
    end
  else
    Client[name] = function(self, a, opts)
      local h = check_self(self, name)
      check_string(name, 1, a)
      return iterate(self, h, fn, a, tail(options(name, 2, opts, spec)))
    end
  end
end

-------------------------------------------------------------------- loops

--[[
Never block the host: a loop (the C core's swng_loop, libcurl's multi
interface behind one descriptor) runs requests while the host's own loop
keeps turning. Two forms share it:

Callbacks, for a host that runs its own loop:

    local loop = assert(client:loop())
    local req = loop:create_membership(group_id, phone_number_id, function(m, err)
      if m then print(m.id) else print(err) end
    end)
    -- in the host's loop: wait until loop:fd() is readable, or loop:timeout()
    -- milliseconds have passed (nil: no timer), then
    loop:step()                      -- calls the callbacks of what finished

Every operation of the client is a method of the loop with the same
arguments plus a callback last (an options table may be left out before
it). The callback gets exactly what the blocking method returns (the same
tables, true for the deletes, or nil, err) and is called once, from a later
loop:step() (or loop:wait(), loop:run(), loop:close()), never from inside
the call that started the request. The method returns a request handle
(req:cancel(), req:done()), or nil, err when the request was refused before
anything was sent (a malformed id, a closed loop): then the callback is
never called. A wrong Lua type raises, as in the blocking methods. A
cancelled request calls back nil, err with err.code == "cancelled".

Lists call back once per page that holds items, with a sequence of item
tables, then once more with nil at the end, or nil, err when the list fails
(items that came before the failure are delivered first):

    loop:list_memberships(group_id, { page_size = 100 }, function(items, err)
      if items then for _, m in ipairs(items) do print(m.id) end
      elseif err then print(err) else print("done") end
    end)

Coroutines: loop:async_client() has the blocking client's methods, which,
called inside a coroutine, start the request, yield until it is done and
return what the blocking method returns. loop:spawn(fn, ...) runs fn in a
new coroutine (at once, until it first waits), loop:run(fn, ...) spawns fn
and steps the loop until nothing is in flight, returning fn's results. The
host may instead step the loop itself (loop:step() when loop:fd() is
readable): the coroutines are resumed from there.

    local aclient = loop:async_client()
    loop:run(function()
      local m, err = aclient:create_membership(group_id, phone_number_id)
      local it = aclient:list_memberships(group_id)
      while true do                      -- (a generic for on Lua 5.2+, LuaJIT)
        local m = it()
        if m == nil then break end
      end
    end)

The yield happens in Lua code, so this works on Lua 5.1, LuaJIT, 5.3 and
5.4. Lua 5.1 alone cannot yield from inside a generic for's iterator, or
through pcall: there, iterate a list with a while loop as above, and do not
wrap an awaiting call in pcall. A list's iterator raises its failures like
the blocking one.

An error raised by a callback or a coroutine propagates out of the
loop:step() (wait, run) that called it; the requests that finished in the
same step are delivered by the next one.

loop:close() cancels what is in flight, delivers those cancellations, and
frees the loop; client:close() closes the client's loops first. A loop that
is garbage collected is freed without calling back. A loop belongs to one
Lua state and one process (after fork() make a new one).
]]

local Loop = {}
Loop.__index = Loop
Loop.__name = "swng.loop"
local Request = {}
Request.__index = Request
Request.__name = "swng.request"
local AsyncClient = {}
AsyncClient.__index = AsyncClient
AsyncClient.__name = "swng.async_client"

-- The key of the private state in loops, requests and async clients.
local PRIV = {}

-- client table -> { [loop] = true }: the loops client:close() closes.
-- Weak both ways: a loop keeps its client alive, not the reverse.
local client_loops = setmetatable({}, { __mode = "k" })

local co_running, co_yield, co_resume, co_status, co_create =
  coroutine.running, coroutine.yield, coroutine.resume, coroutine.status, coroutine.create
local unpack, select = table.unpack or unpack, select
local traceback = (debug and debug.traceback) or function(_, msg) return msg end
local function pack(...) return { n = select("#", ...), ... } end

local function loop_closed_error()
  return binding_error(core.SWNG_ECLOSED, "loop is closed")
end

local function check_kind(self, mt, what, fname)
  if not rawequal(getmetatable(self), mt) then
    error(format("calling '%s' on bad self (%s expected, got %s)", fname, what, typename(self)), 3)
  end
  return rawget(self, PRIV)
end

-- The loop's state: h (the core loop, nil once closed), client (the
-- client table), reqs (id -> record of each request in flight), closing.
local function open(st)
  return st.h ~= nil and not st.closing
end

-- Delivers every request that has ended: its record's finish(rec,
-- status, result, err) calls back or resumes. A record forgets its C
-- request before that (the core has freed it).
local function deliver(st)
  while st.h ~= nil do
    local id, status, result, err = core.loop_take(st.h)
    if id == nil then return end
    local rec = st.reqs[id]
    st.reqs[id] = nil
    if rec ~= nil then
      rec.ptr = nil
      rec.finish(rec, status, result, err)
    end
  end
end

-- Resumes a coroutine that waits in this module. An error in it
-- propagates (with its traceback when it is a string).
local function wake(co)
  if co ~= nil and co_status(co) == "suspended" then
    local ok, msg = co_resume(co)
    if not ok then
      if type(msg) == "string" then msg = traceback(co, msg) end
      error(msg, 0)
    end
  end
end

local function current_coroutine(fname)
  local co, main = co_running()
  if co == nil or main then
    error(format("%s: call it inside a coroutine (loop:spawn, loop:run)", fname), 3)
  end
  return co
end

-- Starts operation op on the loop with n texts: registers rec under the
-- request's id and returns it, or nil, err (nothing sent).
local function start(st, rec, op, n, a, b, c)
  if not open(st) then return nil, loop_closed_error() end
  local rc, id, ptr, err = core.request_start(st.h, op, n, a, b, c)
  if rc ~= 0 then return nil, error_from_core(err, rc) end
  rec.id, rec.ptr = id, ptr
  st.reqs[id] = rec
  return rec
end

local function cancel_request(rec)
  if rec.ptr ~= nil and rec.st.h ~= nil then core.request_cancel(rec.st.h, rec.ptr) end
end

-- The operations a loop runs: the blocking methods' names -> { number of
-- string arguments, RESULT or NONE, swng_op, options or nil, texts(o): the
-- op's texts after the strings, from the options }.
local function bool_text(v)
  if v == nil then return nil end
  return v and "true" or "false"
end
local LOOP_OPS = {}
for name, def in pairs(STRING_METHODS) do LOOP_OPS[name] = { def[1], def[2], def[3] } end
LOOP_OPS.create_membership = { 2, RESULT, core.SWNG_OP_MEMBERSHIP_CREATE, IF_EXISTS_OPTIONS,
                               function(o) return o.if_exists end }
LOOP_OPS.create_number_group = { 1, RESULT, core.SWNG_OP_NUMBER_GROUP_CREATE, STICKY_OPTIONS,
                                 function(o) return bool_text(o.sticky_sender) end }
LOOP_OPS.update_number_group = { 2, RESULT, core.SWNG_OP_NUMBER_GROUP_UPDATE, STICKY_OPTIONS,
                                 function(o) return bool_text(o.sticky_sender) end }

-- The arguments of operation `name` checked as its blocking method checks
-- them (raising at the method's caller); returns the number of texts and
-- the texts.
local function op_texts(name, def, a, b, opts)
  local nargs, spec, tail = def[1], def[4], def[5]
  if type(a) ~= "string" then argerror(name, 1, "string", a, 3) end
  if nargs == 2 and type(b) ~= "string" then argerror(name, 2, "string", b, 3) end
  if spec == nil then return nargs, a, b end
  local o = options(name, nargs + 1, opts, spec, 4)
  if nargs == 1 then return 2, a, tail(o) end
  return 3, a, b, tail(o)
end

-- The callback form's arguments after the strings: [opts,] callback.
-- Returns opts, cb and the callback's argument number.
local function opts_and_callback(spec, pos, x, y)
  if spec == nil then return nil, x, pos end
  if type(x) == "function" and y == nil then return nil, x, pos end
  return x, y, pos + 1
end

local function finish_callback(rec, status, result, err)
  rec.done = true
  rec.cb(outcome(rec.shape, status, result, err))
end

local function finish_resume(rec, status, result, err)
  rec.done = true
  rec.results = pack(outcome(rec.shape, status, result, err))
  wake(rec.co)
end

for name, def in pairs(LOOP_OPS) do
  local nargs, shape, op, spec = def[1], def[2], def[3], def[4]
  Loop[name] = function(self, x1, x2, x3, x4)
    local st = check_kind(self, Loop, "swng loop", name)
    local a, b, opts, cb, cbpos
    if nargs == 1 then
      a = x1
      opts, cb, cbpos = opts_and_callback(spec, 2, x2, x3)
    else
      a, b = x1, x2
      opts, cb, cbpos = opts_and_callback(spec, 3, x3, x4)
    end
    local n, t1, t2, t3 = op_texts(name, def, a, b, opts)
    if type(cb) ~= "function" then argerror(name, cbpos, "function", cb, 2) end
    local rec = { st = st, shape = shape, cb = cb, finish = finish_callback,
                  cancel = cancel_request }
    local ok, err = start(st, rec, op, n, t1, t2, t3)
    if not ok then return nil, err end
    return setmetatable({ [PRIV] = rec }, Request)
  end

  AsyncClient[name] = function(self, a, b, c)
    local st = check_kind(self, AsyncClient, "swng async client", name)
    local co = current_coroutine(name)
    local n, t1, t2, t3 = op_texts(name, def, a, b, nargs == 1 and b or c)
    local rec = { st = st, shape = shape, co = co, finish = finish_resume,
                  cancel = cancel_request }
    local ok, err = start(st, rec, op, n, t1, t2, t3)
    if not ok then return nil, err end
    while not rec.done do co_yield() end
    return unpack(rec.results, 1, rec.results.n)
  end
end

------------------------------------------------------------ loop lists

-- A list on a loop: its cursor (core.cursor_adopt: the loop's own kind),
-- fetched a page at a time (swng_cursor_fetch). lst: st, cw (the cursor),
-- fetch (the record of the fetch in flight), done (no more pages),
-- on_page(lst, items, err).

-- Makes the cursor with the blocking list's core function: returns lst,
-- or nil, err (nothing sent).
local function list_open(st, fn, ...)
  if not open(st) then return nil, loop_closed_error() end
  local h = handles[st.client]
  if h == nil then return nil, closed_error() end
  local rc, cursor, err = fn(h, ...)
  if cursor == nil then return nil, error_from_core(err, rc) end
  return { st = st, cw = core.cursor_adopt(cursor) }
end

local function list_end(lst)
  lst.done = true
  core.cursor_free(lst.cw)
end

-- A fetch has ended: the page's items, then whether the list goes on or
-- the error that ended it.
local function fetched(rec, status, _, err)
  local lst = rec.lst
  lst.fetch = nil
  rec.done = true
  local drc, items, more, derr = core.cursor_drain(lst.cw)
  if status ~= 0 then
    items, more, err = {}, false, error_from_core(err, status)
  elseif drc ~= 0 then
    more, err = false, error_from_core(derr, drc)
  else
    err = nil
  end
  if not more then list_end(lst) end
  lst.on_page(lst, items, err)
end

local function fetch_page(lst)
  local st = lst.st
  if not open(st) then return nil, loop_closed_error() end
  local rc, id, ptr, err = core.cursor_fetch(st.h, lst.cw)
  if rc ~= 0 then return nil, error_from_core(err, rc) end
  local rec = { st = st, id = id, ptr = ptr, lst = lst, finish = fetched }
  st.reqs[id] = rec
  lst.fetch = rec
  return rec
end

local function cancel_list(lst)
  if lst.done then return end
  lst.cancelled = true
  if lst.fetch ~= nil then cancel_request(lst.fetch) end
end

-- The callback form: each page with items, then nil (end) or nil, err.
local function page_to_callback(lst, items, err)
  if items[1] ~= nil then lst.cb(items) end
  if err ~= nil then return lst.cb(nil, err) end
  if lst.done then return lst.cb(nil) end
  local rec, e = fetch_page(lst)
  if rec == nil then
    list_end(lst)
    return lst.cb(nil, e)
  end
  -- Cancelled from the callback: the core ends the fetch as cancelled
  -- before it sends anything.
  if lst.cancelled then cancel_request(rec) end
end

-- The coroutine form: the page is kept for the iterator, which waits.
local function page_to_coroutine(lst, items, err)
  lst.items, lst.err = items, err
  wake(lst.co)
end

for name, def in pairs(LISTS) do
  local fn, nargs, spec, tail = def[1], def[2], def[3], def[4]

  Loop[name] = function(self, x1, x2, x3)
    local st = check_kind(self, Loop, "swng loop", name)
    local a, opts, cb, cbpos
    if nargs == 0 then
      opts, cb, cbpos = opts_and_callback(spec, 1, x1, x2)
    else
      a = x1
      if type(a) ~= "string" then argerror(name, 1, "string", a, 2) end
      opts, cb, cbpos = opts_and_callback(spec, 2, x2, x3)
    end
    local o = options(name, cbpos - 1, opts, spec, 3)
    if type(cb) ~= "function" then argerror(name, cbpos, "function", cb, 2) end
    local lst, err
    if nargs == 0 then lst, err = list_open(st, fn, tail(o))
    else lst, err = list_open(st, fn, a, tail(o)) end
    if lst == nil then return nil, err end
    lst.cb, lst.on_page, lst.cancel = cb, page_to_callback, cancel_list
    local rec
    rec, err = fetch_page(lst)
    if rec == nil then
      list_end(lst)
      return nil, err
    end
    return setmetatable({ [PRIV] = lst }, Request)
  end

  AsyncClient[name] = function(self, x1, x2)
    local st = check_kind(self, AsyncClient, "swng async client", name)
    local lst, err
    if nargs == 0 then
      lst, err = list_open(st, fn, tail(options(name, 1, x1, spec)))
    else
      check_string(name, 1, x1)
      lst, err = list_open(st, fn, x1, tail(options(name, 2, x2, spec)))
    end
    if lst == nil then error(err) end
    lst.on_page = page_to_coroutine
    local items, pos = {}, 1
    return function()
      while true do
        local item = items[pos]
        if item ~= nil then
          items[pos] = nil
          pos = pos + 1
          return item
        end
        if lst.err ~= nil then
          local e = lst.err
          lst.err = nil
          error(e)
        end
        if lst.done then return nil end
        lst.co = current_coroutine(name)
        -- (A fetch may already be in flight: a wait that failed, such as
        -- a yield through pcall on Lua 5.1, left it.)
        if lst.fetch == nil then
          local rec, e = fetch_page(lst)
          if rec == nil then
            list_end(lst)
            error(e)
          end
        end
        while lst.fetch ~= nil do co_yield() end
        lst.co = nil
        items, pos = lst.items, 1
        lst.items = nil
      end
    end
  end
end

------------------------------------------------------- loop: the rest

--- A new loop for this client (see "Loops" above), or nil, err.
function Client:loop()
  local h = check_self(self, "loop")
  if h == nil then return nil, closed_error() end
  local rc, lh, err = core.loop_new(h)
  if rc ~= 0 or lh == nil then return nil, error_from_core(err, rc) end
  local loop = setmetatable({ [PRIV] = { h = lh, client = self, reqs = {}, batches = {} } }, Loop)
  local set = client_loops[self]
  if set == nil then
    set = setmetatable({}, { __mode = "k" })
    client_loops[self] = set
  end
  -- Keyed by the loop's state, not the loop table: the state (and the C
  -- loop it holds) may outlive the table (a batch or a request record, an
  -- async client refer to it), and must still be closed before its client.
  set[rawget(loop, PRIV)] = true
  return loop
end

-- Steps (or waits, ms >= -1) once and delivers: the number of requests
-- in flight, or nil, err.
local deliver_batches -- (below, with the batches)
local function turn(st, ms)
  if st.h == nil then return nil, loop_closed_error() end
  local rc, _, err
  if ms == nil then rc, _, err = core.loop_step(st.h) else rc, _, err = core.loop_wait(st.h, ms) end
  if rc < 0 then return nil, error_from_core(err, rc) end
  deliver(st)
  deliver_batches(st)
  return st.h and core.loop_pending(st.h) or 0
end

--- Does the work that is due without waiting and calls back (or resumes)
--- what finished. Returns the number of requests still in flight, or
--- nil, err (a closed loop; a loop made in another process).
function Loop:step()
  return turn(check_kind(self, Loop, "swng loop", "step"))
end

--- As step, but first waits up to max_ms milliseconds (nil: until the
--- loop's own timeout) for the descriptor: for hosts without a loop.
function Loop:wait(max_ms)
  local st = check_kind(self, Loop, "swng loop", "wait")
  if max_ms ~= nil and type(max_ms) ~= "number" then
    argerror("wait", 1, "number or nil", max_ms, 2)
  end
  return turn(st, max_ms or -1)
end

--- Spawns fn(...) (if given) and steps the loop, waiting on its descriptor,
--- until no request is in flight; returns what fn returned. Raises what a
--- callback or coroutine raised, and the err table if the loop fails.
function Loop:run(fn, ...)
  local st = check_kind(self, Loop, "swng loop", "run")
  local results
  if fn ~= nil then
    if type(fn) ~= "function" then argerror("run", 1, "function or nil", fn, 2) end
    local args = pack(...)
    self:spawn(function() results = pack(fn(unpack(args, 1, args.n))) end)
  end
  while st.h ~= nil and (core.loop_pending(st.h) > 0 or next(st.batches) ~= nil) do
    local n, err = turn(st, -1)
    if n == nil then error(err) end
  end
  if results ~= nil then return unpack(results, 1, results.n) end
end

--- Runs fn(...) in a new coroutine now, until it first waits; returns the
--- coroutine. Its errors propagate (from here, or later from step/run).
function Loop:spawn(fn, ...)
  check_kind(self, Loop, "swng loop", "spawn")
  if type(fn) ~= "function" then argerror("spawn", 1, "function", fn, 2) end
  local co = co_create(fn)
  local ok, msg = co_resume(co, ...)
  if not ok then
    if type(msg) == "string" then msg = traceback(co, msg) end
    error(msg, 0)
  end
  return co
end

--- The coroutine form of the client's methods on this loop.
function Loop:async_client()
  local st = check_kind(self, Loop, "swng loop", "async_client")
  return setmetatable({ [PRIV] = st }, AsyncClient)
end

--- The descriptor to watch for reading (never read it), or nil, err.
function Loop:fd()
  local st = check_kind(self, Loop, "swng loop", "fd")
  if st.h == nil then return nil, loop_closed_error() end
  return core.loop_fd(st.h)
end

--- Milliseconds until step() is due even if the descriptor stays quiet
--- (0: now), or nil when no timer is set (or nil, err when closed).
function Loop:timeout()
  local st = check_kind(self, Loop, "swng loop", "timeout")
  if st.h == nil then return nil, loop_closed_error() end
  local ms = core.loop_timeout(st.h)
  if ms < 0 then return nil end
  return ms
end

--- The number of requests in flight (0 once closed).
function Loop:pending()
  local st = check_kind(self, Loop, "swng loop", "pending")
  if st.h == nil then return 0 end
  return core.loop_pending(st.h)
end

--- Cancels every request in flight, and every batch: each calls back nil,
--- err (code "cancelled") at the next step, and nothing more is sent for
--- them.
function Loop:cancel_all()
  local st = check_kind(self, Loop, "swng loop", "cancel_all")
  if st.h ~= nil then
    core.loop_cancel_all(st.h)
    for brec in pairs(st.batches) do core.batch_cancel(brec.bh) end
  end
  return true
end

local function close_loop(st)
  local h = st.h
  if h == nil or st.closing then return end
  st.closing = true
  core.loop_cancel_all(h)
  for brec in pairs(st.batches) do core.batch_cancel(brec.bh) end
  -- A callback that raises here must not leave the loop open (its client
  -- could then be freed first): the loop is freed, then the error raised.
  local ok, msg = pcall(function()
    for _ = 1, 3 do
      local rc = core.loop_step(h)
      deliver(st)
      deliver_batches(st)
      if st.h == nil or rc <= 0 then break end
    end
  end)
  st.h = nil
  for _, rec in pairs(st.reqs) do rec.ptr = nil end
  st.reqs = {}
  for brec in pairs(st.batches) do brec.bh = nil end -- freed with the loop
  st.batches = {}
  core.loop_close(h)
  if not ok then error(msg, 0) end
end

--- Cancels what is in flight, calls back (or resumes) each with the
--- cancellation, and frees the loop. Closing twice is allowed. Returns true.
function Loop:close()
  close_loop(check_kind(self, Loop, "swng loop", "close"))
  return true
end

--- True once closed (by close(), or by its client's close()).
function Loop:is_closed()
  return check_kind(self, Loop, "swng loop", "is_closed").h == nil
end

function Loop.__tostring(self)
  local st = rawget(self, PRIV)
  if st.h == nil then return "swng.loop (closed)" end
  return format("swng.loop (%d in flight)", core.loop_pending(st.h))
end

-- Lua 5.4: local loop <close> = client:loop()
Loop.__close = Loop.close

--- Cancels the request: it calls back nil, err (code "cancelled") at the
--- next step, unless it has already finished. Returns true.
function Request:cancel()
  local rec = check_kind(self, Request, "swng request", "cancel")
  rec.cancel(rec)
  return true
end

--- True once the request has called back its result (for a list: its end).
function Request:done()
  return check_kind(self, Request, "swng request", "done").done == true
end

function Request.__tostring(self)
  return rawget(self, PRIV).done and "swng.request (done)" or "swng.request (in flight)"
end


---------------------------------------------------------------- batches

--[[
Batches: many phone numbers added to one group or taken out of it, with
bounded concurrency. Everything a batch does is the C core's (swng_batch):
how many requests are in flight, duplicates (sent once), a 429 pausing the
whole batch for its Retry-After, an authentication failure stopping it, the
order of the outcomes. This module only hands over the ids and collects the
outcomes.

    local values, errors = client:create_memberships(group_id, ids, opts)
    local values, errors = client:remove_numbers(group_id, ids, opts)

ids is a sequence of phone-number id strings. The result is two tables,
both indexed like ids (one outcome per input, in input order):

  * values[i]: for an item that succeeded, its membership table (adds;
    with if_exists = "return", existed tells an existing one) or true
    (removes); false for an item that failed. values is a proper sequence
    of #ids entries.
  * errors[i]: the item's err table (the same table a single call returns,
    swng.Error its metatable) when it failed, else nil: err.code is
    "validation", "not_found", "invalid_argument" (a malformed id: nothing
    sent for it), "skipped" (a duplicate of an earlier input, sent once
    there, or "not attempted" after an authentication failure stopped the
    batch), "cancelled", ... `next(errors) == nil` when all succeeded.

This is the module's `value, err` pair per item: `if values[i] then ...
else print(errors[i]) end`. One failure never fails the batch; only what
fails for the whole batch before anything is sent (a malformed group id, a
concurrency out of range, a closed client) returns nil, err.

opts (all optional):
  concurrency   requests in flight at most (1 to 64; nil or 0: the core's
                default, 8)
  if_exists     adds only: "error" (default; a number already in the
                group is its validation error) or "return"
  progress      function(done, pushed), called after each outcome
  on_item       function(i, value, err), called as each item finishes
                (value nil and err set when it failed)

A wrong Lua type raises, as in the other methods. The blocking form runs
the batch on a private loop; an error raised by progress or on_item
cancels the rest of the batch and propagates.

On a loop (see "Loops"): loop:create_memberships(group_id, ids, [opts,]
callback) and loop:remove_numbers(...) start the batch and return a batch
handle (batch:cancel(), batch:done()), or nil, err; on_item and progress
are called from loop:step() as items finish, and callback(values, errors)
once the batch is done (never from inside the start). In the coroutine
form, aclient:create_memberships(...) yields until the batch is done and
returns values, errors. batch:cancel() (or loop:cancel_all(), loop:close())
ends what is unfinished with code "cancelled".
]]

local Batch = {}
Batch.__index = Batch
Batch.__name = "swng.batch"

local ADD_OPTIONS = { concurrency = "number", if_exists = "string", progress = "function",
                      on_item = "function" }
local REMOVE_OPTIONS = { concurrency = "number", progress = "function", on_item = "function" }

-- A concurrency the core can be given (a whole number >= 0; the core
-- decides the range), or nil.
local function concurrency_value(c)
  if c == nil then return 0 end
  if c ~= c or c < 0 or c % 1 ~= 0 or c > 4294967295 then return nil end
  return c
end

-- Checks a batch's arguments (raising at the method's caller for a wrong
-- type, `level` as error()'s from here); returns the options table.
local function batch_args(fname, add, group_id, ids, opts, level)
  if type(group_id) ~= "string" then argerror(fname, 1, "string", group_id, level) end
  if type(ids) ~= "table" then argerror(fname, 2, "table", ids, level) end
  for i = 1, #ids do
    if type(ids[i]) ~= "string" then
      error(format("bad argument #2 to '%s' (ids[%d] must be a string, got %s)", fname, i,
                   typename(ids[i])), level)
    end
  end
  return options(fname, 3, opts, add and ADD_OPTIONS or REMOVE_OPTIONS, level + 1)
end

-- Starts a batch on the loop st: returns its record, or nil, err (nothing
-- sent).
local function batch_start(st, add, group_id, ids, o)
  if not open(st) then return nil, loop_closed_error() end
  if handles[st.client] == nil then return nil, closed_error() end
  local policy = IF_EXISTS_ERROR
  if o.if_exists ~= nil then
    policy = IF_EXISTS[o.if_exists]
    if policy == nil then
      return nil, binding_error(core.SWNG_EINVAL, 'if_exists must be "error" or "return"', "if_exists")
    end
  end
  local conc = concurrency_value(o.concurrency)
  if conc == nil then
    return nil, binding_error(core.SWNG_EINVAL, "concurrency must be a whole number from 1 to "
                              .. core.SWNG_BATCH_MAX_CONCURRENCY, "concurrency")
  end
  local op = add and core.SWNG_OP_MEMBERSHIP_CREATE or core.SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER
  local rc, bh, err = core.batch_new(st.h, op, group_id, conc, policy)
  if bh == nil then
    if err == nil and rc == core.SWNG_EINVAL then
      return nil, binding_error(rc, "number_group_id: contains a NUL byte", "number_group_id")
    end
    return nil, error_from_core(err, rc)
  end
  local n = #ids
  for i = 1, n do
    local prc, _, perr = core.batch_push(bh, ids[i])
    if prc ~= 0 then
      core.batch_free(bh)
      return nil, error_from_core(perr, prc)
    end
  end
  core.batch_close(bh)
  local brec = { st = st, bh = bh, n = n, done = 0, values = {}, errors = {},
                 on_item = o.on_item, progress = o.progress }
  st.batches[brec] = true
  return brec
end

local function batch_end(brec)
  local st = brec.st
  st.batches[brec] = nil
  if brec.bh ~= nil then core.batch_free(brec.bh) end
  brec.bh = nil
  brec.finished = true
  brec.finish(brec)
end

-- Takes the batch's outcomes that have come, then ends it when done.
local function batch_drain(brec)
  while brec.bh ~= nil do
    local index, status, result, err = core.batch_take(brec.bh)
    if index == nil then break end
    local i, value = index + 1, false
    if status == 0 then
      value = result
      if value == nil then value = true end
      err = nil
    else
      err = error_from_core(err, status)
    end
    brec.values[i], brec.errors[i] = value, err
    brec.done = brec.done + 1
    if brec.on_item ~= nil then
      if value then brec.on_item(i, value) else brec.on_item(i, nil, err) end
    end
    if brec.progress ~= nil then brec.progress(brec.done, brec.n) end
  end
  if brec.bh ~= nil and core.batch_finished(brec.bh) then batch_end(brec) end
end

function deliver_batches(st)
  if next(st.batches) == nil then return end
  -- (A callback may start another batch: not while traversing the set.)
  local list = {}
  for brec in pairs(st.batches) do list[#list + 1] = brec end
  for _, brec in ipairs(list) do
    if st.batches[brec] then batch_drain(brec) end
  end
end

local function batch_to_callback(brec)
  brec.cb(brec.values, brec.errors)
end

local function batch_to_coroutine(brec)
  wake(brec.co)
end

local function batch_cancel(brec)
  if brec.bh ~= nil then core.batch_cancel(brec.bh) end
end

for _, def in ipairs { { "create_memberships", true }, { "remove_numbers", false } } do
  local name, add = def[1], def[2]

  Loop[name] = function(self, group_id, ids, x, y)
    local st = check_kind(self, Loop, "swng loop", name)
    local opts, cb, cbpos = opts_and_callback(ADD_OPTIONS, 3, x, y)
    local o = batch_args(name, add, group_id, ids, opts, 3)
    if type(cb) ~= "function" then argerror(name, cbpos, "function", cb, 2) end
    local brec, err = batch_start(st, add, group_id, ids, o)
    if brec == nil then return nil, err end
    brec.cb, brec.finish, brec.cancel = cb, batch_to_callback, batch_cancel
    return setmetatable({ [PRIV] = brec }, Batch)
  end

  AsyncClient[name] = function(self, group_id, ids, opts)
    local st = check_kind(self, AsyncClient, "swng async client", name)
    local co = current_coroutine(name)
    local o = batch_args(name, add, group_id, ids, opts, 3)
    local brec, err = batch_start(st, add, group_id, ids, o)
    if brec == nil then return nil, err end
    brec.co, brec.finish = co, batch_to_coroutine
    while not brec.finished do co_yield() end
    return brec.values, brec.errors
  end

  Client[name] = function(self, group_id, ids, opts)
    local h = check_self(self, name)
    local o = batch_args(name, add, group_id, ids, opts, 3)
    if h == nil then return nil, closed_error() end
    local loop, err = self:loop()
    if loop == nil then return nil, err end
    local st = rawget(loop, PRIV)
    local brec
    brec, err = batch_start(st, add, group_id, ids, o)
    if brec == nil then
      close_loop(st)
      return nil, err
    end
    brec.finish = function() end
    local ok, msg = pcall(function()
      while not brec.finished and st.h ~= nil do
        local n, e = turn(st, -1)
        if n == nil then error(e, 0) end
      end
    end)
    -- (After a callback raised, the rest is cancelled without calling it.)
    if not ok then brec.on_item, brec.progress = nil, nil end
    close_loop(st)
    if not ok then error(msg, 0) end
    return brec.values, brec.errors
  end
end

--- Cancels the batch: what is unfinished ends with code "cancelled" at the
--- next step, and nothing more is sent. Returns true.
function Batch:cancel()
  local brec = check_kind(self, Batch, "swng batch", "cancel")
  brec.cancel(brec)
  return true
end

--- True once the batch has called back.
function Batch:done()
  return check_kind(self, Batch, "swng batch", "done").finished == true
end

function Batch.__tostring(self)
  local brec = rawget(self, PRIV)
  if brec.finished then return "swng.batch (done)" end
  return format("swng.batch (%d of %d done)", brec.done, brec.n)
end

M.Batch = Batch

------------------------------------------------------------------- sync

local SYNC_OPTIONS = { dry_run = "boolean", concurrency = "number" }

--- Makes the group's numbers exactly phone_number_ids (the C core's sync
--- plan: one read of the group's memberships, then an add batch and a
--- remove batch). opts: dry_run (plan only, send nothing more),
--- concurrency (as for create_memberships). Returns a table:
---   to_add     the ids the plan adds (wanted and not there; in input
---              order, once each)
---   to_remove  the ids it removes (there and not wanted)
---   kept       how many wanted numbers were already there
--- and, unless dry_run, the outcomes, as create_memberships and
--- remove_numbers give them (indexed like to_add and to_remove):
---   added, added_errors, removed, removed_errors
--- A number added meanwhile is not a failure (the adds use if_exists =
--- "return"). Returns nil, err when the plan could not be made (an id that
--- is not a UUID refuses the whole plan, nothing sent; the group's list
--- failed) or applied (a concurrency out of range). Run again right after,
--- it plans nothing.
-- Checks sync_memberships' arguments (raising at the method's caller for
-- a wrong type: `level` as error()'s, from the method's point of view);
-- returns the options table and the concurrency (nil: out of range).
local function sync_args(group_id, ids, opts, level)
  local fname = "sync_memberships"
  if type(group_id) ~= "string" then argerror(fname, 1, "string", group_id, level + 1) end
  if type(ids) ~= "table" then argerror(fname, 2, "table", ids, level + 1) end
  for i = 1, #ids do
    if type(ids[i]) ~= "string" then
      error(format("bad argument #2 to '%s' (ids[%d] must be a string, got %s)", fname, i,
                   typename(ids[i])), level + 1)
    end
  end
  local o = options(fname, 3, opts, SYNC_OPTIONS, level + 2)
  return o, concurrency_value(o.concurrency)
end

local function concurrency_error()
  return binding_error(core.SWNG_EINVAL, "concurrency must be a whole number from 1 to "
                       .. core.SWNG_BATCH_MAX_CONCURRENCY, "concurrency")
end

function Client:sync_memberships(group_id, ids, opts)
  local h = check_self(self, "sync_memberships")
  local o, conc = sync_args(group_id, ids, opts, 2)
  if h == nil then return nil, closed_error() end
  if conc == nil then return nil, concurrency_error() end
  local rc, t, err = core.sync(h, group_id, ids, o.dry_run == true, conc)
  if t == nil then
    if err == nil and rc == core.SWNG_EINVAL then
      return nil, binding_error(rc, "number_group_id: contains a NUL byte", "number_group_id")
    end
    return nil, error_from_core(err, rc)
  end
  for _, k in ipairs { "added_errors", "removed_errors" } do
    if t[k] ~= nil then
      for _, e in pairs(t[k]) do setmetatable(e, Error) end
    end
  end
  return t
end

--[[
On a loop (see "Loops"), the same sync without blocking: the core's plan
reads the group on the loop (swng_sync_plan_start), then, unless dry_run,
its add batch and its remove batch run there (swng_sync_plan_apply_start:
the removes start when the adds have finished).

    loop:sync_memberships(group_id, ids, [opts,] function(t, err) ... end)

returns a handle (h:cancel(), h:done()), or nil, err for what is refused
before anything is sent (a malformed id refuses the whole sync, a bad
concurrency, a closed loop or client); callback(t) gets the table the
blocking method returns, or callback(nil, err) when the plan could not be
made or applied, from loop:step() (never from inside the start). In the
coroutine form, aclient:sync_memberships(group_id, ids, opts) yields until
the sync is done and returns t, or nil, err. h:cancel() (or
loop:cancel_all(), loop:close()) during the read calls back nil, err (code
"cancelled"); during the batches, it ends their unfinished items with code
"cancelled" (in added_errors and removed_errors) and calls back t.
]]

-- The table of a plan that has been read: to_add, to_remove, kept.
local function plan_table(plan)
  local t = { to_add = {}, to_remove = {}, kept = core.sync_plan_kept(plan) }
  for which, k in ipairs { "to_add", "to_remove" } do
    local list = t[k]
    for i = 1, core.sync_plan_count(plan, which - 1) do
      list[i] = core.sync_plan_id(plan, which - 1, i - 1)
    end
  end
  return t
end

local function sync_done(srec, t, err)
  srec.done = true
  srec.on_done(t, err)
end

-- Both batches have ended: their outcomes into t.
local function sync_batch_ended(brec)
  local srec = brec.srec
  if not (srec.adds.finished and srec.removes.finished) then return end
  local t = srec.t
  t.added, t.added_errors = srec.adds.values, srec.adds.errors
  t.removed, t.removed_errors = srec.removes.values, srec.removes.errors
  -- (An item a freed batch never delivered: cancelled.)
  for _, b in ipairs { srec.adds, srec.removes } do
    for i = 1, b.n do
      if b.values[i] == nil then
        b.values[i] = false
        b.errors[i] = binding_error(core.SWNG_ECANCELLED, "the loop was closed")
      end
    end
  end
  sync_done(srec, t)
end

-- The plan's read has ended: the plan's table, then (unless dry_run) its
-- two batches, listed with the loop's batches.
local function sync_read(rec, status, _, err)
  local srec = rec.srec
  local st, plan = srec.st, srec.plan
  srec.read, srec.plan = nil, nil
  rec.done = true
  if status ~= 0 then return sync_done(srec, nil, error_from_core(err, status)) end
  if srec.cancelled then
    return sync_done(srec, nil, binding_error(core.SWNG_ECANCELLED, "the sync was cancelled"))
  end
  local t = plan_table(plan)
  if srec.dry_run then return sync_done(srec, t) end
  if not open(st) then return sync_done(srec, nil, loop_closed_error()) end
  local rc, added, removed, aerr = core.sync_plan_apply_start(st.h, plan, srec.conc)
  plan = nil -- (the batches do not need it)
  if rc ~= 0 or added == nil or removed == nil then
    if added ~= nil then core.batch_free(added) end
    if removed ~= nil then core.batch_free(removed) end
    return sync_done(srec, nil, error_from_core(aerr, rc))
  end
  srec.t = t
  srec.adds = { st = st, bh = added, n = #t.to_add, done = 0, values = {}, errors = {},
                srec = srec, finish = sync_batch_ended }
  srec.removes = { st = st, bh = removed, n = #t.to_remove, done = 0, values = {}, errors = {},
                   srec = srec, finish = sync_batch_ended }
  st.batches[srec.adds] = true
  st.batches[srec.removes] = true
end

local function sync_cancel(srec)
  if srec.done then return end
  srec.cancelled = true
  if srec.read ~= nil then cancel_request(srec.read) end
  if srec.adds ~= nil then
    batch_cancel(srec.adds)
    batch_cancel(srec.removes)
  end
end

-- Starts the sync on the loop st: returns its record, or nil, err
-- (nothing sent).
local function sync_start(st, group_id, ids, o, conc, on_done)
  if not open(st) then return nil, loop_closed_error() end
  if handles[st.client] == nil then return nil, closed_error() end
  if conc == nil then return nil, concurrency_error() end
  local rc, plan, id, ptr, err = core.sync_plan_start(st.h, group_id, ids)
  if plan == nil then return nil, error_from_core(err, rc) end
  local srec = { st = st, plan = plan, dry_run = o.dry_run == true, conc = conc,
                 on_done = on_done, cancel = sync_cancel }
  local rec = { st = st, id = id, ptr = ptr, srec = srec, finish = sync_read }
  st.reqs[id] = rec
  srec.read = rec
  return srec
end

function Loop:sync_memberships(group_id, ids, x, y)
  local st = check_kind(self, Loop, "swng loop", "sync_memberships")
  local opts, cb, cbpos = opts_and_callback(SYNC_OPTIONS, 3, x, y)
  local o, conc = sync_args(group_id, ids, opts, 2)
  if type(cb) ~= "function" then argerror("sync_memberships", cbpos, "function", cb, 2) end
  local srec, err = sync_start(st, group_id, ids, o, conc, cb)
  if srec == nil then return nil, err end
  return setmetatable({ [PRIV] = srec }, Request)
end

function AsyncClient:sync_memberships(group_id, ids, opts)
  local st = check_kind(self, AsyncClient, "swng async client", "sync_memberships")
  local co = current_coroutine("sync_memberships")
  local o, conc = sync_args(group_id, ids, opts, 2)
  local results
  local srec, err = sync_start(st, group_id, ids, o, conc, function(t, e)
    results = { t, e }
    wake(co)
  end)
  if srec == nil then return nil, err end
  while results == nil do co_yield() end
  return results[1], results[2]
end

------------------------------------------------------------------ trace

--- Sets (or with nil removes) the client's trace function: fn(t) is
--- called after every attempt of every request of the client (blocking,
--- on its loops, in batches, retries included) with a new table
---   { method = "POST", path = "/api/relay/rest/...", http_status = 201
---     (0: no response), code = "ok" | the attempt's failure code (a retry
---     may follow), seconds = the attempt's duration, attempt = 0 for the
---     first, 1 for the first retry, ..., request_id = X-Request-Id or nil }
--- (the core's swng_trace_fn; the token never appears in it). Also
--- swng.client{ ..., trace = fn }. Returns true, or nil, err when closed.
---
--- fn runs from inside the C call that made the attempt (the blocking call,
--- or loop:step()), on the same coroutine, in protected mode: an error it
--- raises is caught and dropped (it cannot unwind through the C core), it
--- cannot yield, and it must not call swng (any swng call raises there,
--- and that error is dropped too). Keep it to recording what it is given.
function Client:set_trace(fn)
  local h = check_self(self, "set_trace")
  if fn ~= nil and type(fn) ~= "function" then argerror("set_trace", 1, "function or nil", fn, 2) end
  if h == nil then return nil, closed_error() end
  traces[self] = core.client_set_trace(h, fn)
  return true
end

--- The metatables (for getmetatable(x) == swng.Loop ...).
M.Loop = Loop
M.Request = Request
M.AsyncClient = AsyncClient

--- Closes the client and its connections now (garbage collection does it
--- otherwise), after closing its loops. Closing twice is allowed. Returns
--- true.
function Client:close()
  local h = check_self(self, "close")
  if h ~= nil then
    -- Its loops first: a loop must not outlive its client.
    local set = client_loops[self]
    if set ~= nil then
      for st in pairs(set) do close_loop(st) end
      client_loops[self] = nil
    end
    handles[self] = nil
    traces[self] = nil
    core.client_close(h)
  end
  return true
end

--- True once close() was called.
function Client:is_closed()
  return check_self(self, "is_closed") == nil
end

--- The effective base URL ("https://example.signalwire.com"), or nil, err
--- when the client is closed.
function Client:base_url()
  local h = check_self(self, "base_url")
  if h == nil then return nil, closed_error() end
  return core.swng_client_base_url(h)
end

--- The effective project id, or nil, err when the client is closed. (There
--- is no way to read the token back.)
function Client:project_id()
  local h = check_self(self, "project_id")
  if h == nil then return nil, closed_error() end
  return core.swng_client_project_id(h)
end

function Client.__tostring(self)
  local h = handles[self]
  if h == nil then return "swng.client (closed)" end
  return format("swng.client (%s, project %s)", core.swng_client_base_url(h),
                core.swng_client_project_id(h))
end

-- Lua 5.4: local c <close> = swng.client{...}
Client.__close = Client.close

--- The metatable of clients (for `getmetatable(c) == swng.Client`).
M.Client = Client

return M
