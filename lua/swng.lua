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
local function binding_error(rc, message)
  return setmetatable({
    code = core.swng_status_name(rc),
    message = message or core.swng_strerror(rc),
    errors = {},
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

--- Adds a phone number to a number group: POST
--- /api/relay/rest/number_groups/{group_id}/number_group_memberships.
--- Returns the membership table, or nil, err.
function Client:create_membership(group_id, phone_number_id)
  local h = check_self(self, "create_membership")
  if type(group_id) ~= "string" then
    argerror("create_membership", 1, "string", group_id, 2)
  end
  if type(phone_number_id) ~= "string" then
    argerror("create_membership", 2, "string", phone_number_id, 2)
  end
  if h == nil then return nil, binding_error(core.SWNG_ECLOSED, "client is closed") end
  local rc, m, err = core.create_membership(h, group_id, phone_number_id, 0)
  if m ~= nil then return m end
  return nil, error_from_core(err, rc)
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
  if h == nil then return nil, binding_error(core.SWNG_ECLOSED, "client is closed") end
  return core.swng_client_base_url(h)
end

--- The effective project id, or nil, err when the client is closed. (There
--- is no way to read the token back.)
function Client:project_id()
  local h = check_self(self, "project_id")
  if h == nil then return nil, binding_error(core.SWNG_ECLOSED, "client is closed") end
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
