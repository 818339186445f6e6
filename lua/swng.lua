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
  for k in pairs(opts) do
    if type(k) ~= "string" or core.swng_client_option_kind(k) == 0 then
      error(format("swng.client: unknown option '%s'", tostring(k)), 2)
    end
    keys[#keys + 1] = k
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
-- Raises (at the method's caller) for an unknown option or a wrong type;
-- only types are checked. Returns the table ({} for nil).
-- What options() gives for "no options": shared, never written to.
local NO_OPTIONS = setmetatable({}, { __newindex = function() error("read-only", 2) end })

local function options(fname, n, opts, spec)
  if opts == nil then return NO_OPTIONS end
  if type(opts) ~= "table" then argerror(fname, n, "table or nil", opts, 3) end
  for k, v in pairs(opts) do
    local want = spec[k]
    if want == nil then
      error(format("%s: unknown option '%s'", fname, tostring(k)), 3)
    end
    if type(v) ~= want then
      error(format("%s: option '%s' must be a %s (got %s)", fname, k, want, typename(v)), 3)
    end
  end
  return opts
end

-- What a core call gives back: a result table, or nothing but rc, err.
local RESULT, NONE = 1, 2

-- The common end of every method but the lists: refuses a closed client
-- (h nil), calls the core function fn with the handle and the converted
-- arguments, and returns its result table (RESULT), or true (NONE: the
-- deletes), or nil, err.
local function call(h, shape, fn, ...)
  if h == nil then return nil, closed_error() end
  if shape == NONE then
    local rc, err = fn(h, ...)
    if rc == 0 then return true end
    return nil, error_from_core(err, rc)
  end
  local rc, out, err = fn(h, ...)
  if rc == 0 and out ~= nil then return out end
  return nil, error_from_core(err, rc)
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
local STRING_METHODS = {
  get_number_group = { 1, RESULT }, delete_number_group = { 1, NONE },
  find_number_group = { 1, RESULT }, get_membership = { 1, RESULT },
  delete_membership = { 1, NONE }, remove_number = { 2, NONE },
  get_phone_number = { 1, RESULT }, find_phone_number = { 1, RESULT },
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
function Client:list_number_groups(opts)
  local h = check_self(self, "list_number_groups")
  local o = options("list_number_groups", 1, opts, GROUP_LIST_OPTIONS)
  return iterate(self, h, core.list_number_groups, o.name, o.page_size or 0)
end

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
function Client:list_memberships(number_group_id, opts)
  local h = check_self(self, "list_memberships")
  check_string("list_memberships", 1, number_group_id)
  local o = options("list_memberships", 2, opts, PAGE_SIZE)
  return iterate(self, h, core.list_memberships, number_group_id, o.page_size or 0)
end

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
function Client:list_phone_numbers(opts)
  local h = check_self(self, "list_phone_numbers")
  local o = options("list_phone_numbers", 1, opts, PHONE_LIST_OPTIONS)
  return iterate(self, h, core.list_phone_numbers, o.number, o.name, o.page_size or 0)
end

--- Closes the client and its connections now (garbage collection does it
--- otherwise). Closing twice is allowed. Returns true.
function Client:close()
  local h = check_self(self, "close")
  if h ~= nil then
    handles[self] = nil
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
