--[[
contract_test.lua - the Lua side of swng's contract tests: the same line
protocol as contract_c.c (see there), over the `swng` Lua module. Runs
unchanged on Lua 5.1 (and LuaJIT), 5.3 and 5.4; run_contract.py starts it
with LUA_CPATH pointing at <build>/lua/X.Y/?.so.

  in:  ID OPERATION BASE_URL PROJECT_ID TOKEN HEADERS ARG...
  out: ID CODE HTTP KIND ITEM_COUNT ITEM_CODE MESSAGE [NAME=VALUE...]

OPERATIONS below has one row per operation: how many ARGs it takes, how to
call the client, and the NAME=VALUE fields of its result.
KIND is "table" for a result ("list" for a list read to its end, which
answers count=N ids=ID,...; "none" for a delete's true, HTTP "-"), and
for an error "error" when err is a
table with a string code and a __tostring that works (anything else is
reported as "bad-error:<why>" and fails the test).
]]

local swng = require "swng"

local function split_tabs(line)
  local fields, start = {}, 1
  while true do
    local tab = string.find(line, "\t", start, true)
    if not tab then
      fields[#fields + 1] = string.sub(line, start)
      return fields
    end
    fields[#fields + 1] = string.sub(line, start, tab - 1)
    start = tab + 1
  end
end

local function clean(v)
  if v == nil then return "" end
  if type(v) == "number" and v == math.floor(v) then v = string.format("%d", v) end
  return (string.gsub(tostring(v), "[\t\r\n]", " "))
end

local function int(v)
  -- an integral number must come back as one (no "200.0" in Lua 5.3+)
  if math.type and type(v) == "number" and math.type(v) ~= "integer" then
    return "float:" .. tostring(v)
  end
  return clean(v)
end

local function check_error(err)
  if type(err) ~= "table" then return "bad-error:not a table (" .. type(err) .. ")" end
  if type(err.code) ~= "string" then return "bad-error:code is " .. type(err.code) end
  if type(err.message) ~= "string" then return "bad-error:message is " .. type(err.message) end
  if type(err.errors) ~= "table" then return "bad-error:errors is " .. type(err.errors) end
  for _, item in ipairs(err.errors) do
    for _, k in ipairs({ "detail", "status", "title", "code" }) do
      if item[k] ~= nil and type(item[k]) ~= "string" then
        return "bad-error:errors item " .. k .. " is " .. type(item[k])
      end
    end
  end
  local ok, s = pcall(tostring, err)
  if not ok or type(s) ~= "string" or not string.find(s, err.code, 1, true) then
    return "bad-error:__tostring"
  end
  return "error"
end

local function membership_fields(m)
  local pn = m.phone_number or {}
  local caps = pn.capabilities or {}
  for _, c in ipairs(caps) do assert(type(c) == "string", "capability is not a string") end
  return { { "id", m.id }, { "number_group_id", m.number_group_id },
           { "phone_number.id", pn.id }, { "phone_number.capabilities", #caps },
           { "created_at", m.created_at } }
end

local function membership_ex_fields(m)
  assert(type(m.existed) == "boolean", "existed is not a boolean")
  local f = membership_fields(m)
  f[#f + 1] = { "existed", m.existed and 1 or 0 }
  return f
end

local function group_fields(g)
  assert(type(g.sticky_sender) == "boolean", "sticky_sender is not a boolean")
  return { { "id", g.id }, { "name", g.name }, { "sticky_sender", g.sticky_sender and 1 or 0 },
           { "phone_number_count", g.phone_number_count == nil and -1 or g.phone_number_count } }
end

local function phone_fields(p)
  local caps = p.capabilities or {}
  for _, c in ipairs(caps) do assert(type(c) == "string", "capability is not a string") end
  return { { "id", p.id }, { "number", p.number }, { "name", p.name },
           { "capabilities", #caps } }
end

-- "-" is "not given" (left out of the options table)
local function opt(a) if a ~= "-" then return a end end
local function opt_int(a) if a ~= "-" then return tonumber(a) end end
local function opt_bool(a) if a ~= "-" then return a == "1" end end

-- A list read to its end: a table { list = true, ids = {...} }, or nil, err
-- (a list method or its iterator raises the err table).
local function read_list(make)
  local ok, res = pcall(function()
    local ids = {}
    for item in make() do ids[#ids + 1] = item.id end
    return ids
  end)
  if not ok then return nil, res end
  return { list = true, ids = res }
end

local function list_fields(l)
  return { { "count", #l.ids }, { "ids", table.concat(l.ids, ",") } }
end

-- A call that returns true (the deletes): no fields, HTTP "-".
local function done(r, err)
  if r == true then return { done = true } end
  return nil, err
end

-- name = { number of ARGs, call(client, args), fields(result) }
local OPERATIONS = {
  create_membership = { 2, function(client, a) return client:create_membership(a[1], a[2]) end,
                        membership_fields },
  create_membership_if_exists = { 3, function(c, a)
    return c:create_membership(a[1], a[2], { if_exists = a[3] }) end, membership_ex_fields },
  list_number_groups = { 2, function(c, a)
    return read_list(function()
      return c:list_number_groups({ name = opt(a[1]), page_size = opt_int(a[2]) }) end) end,
    list_fields },
  create_number_group = { 2, function(c, a)
    return c:create_number_group(a[1], { sticky_sender = opt_bool(a[2]) }) end, group_fields },
  get_number_group = { 1, function(c, a) return c:get_number_group(a[1]) end, group_fields },
  update_number_group = { 3, function(c, a)
    return c:update_number_group(a[1], a[2], { sticky_sender = opt_bool(a[3]) }) end,
    group_fields },
  delete_number_group = { 1, function(c, a) return done(c:delete_number_group(a[1])) end },
  find_number_group = { 1, function(c, a) return c:find_number_group(a[1]) end, group_fields },
  list_memberships = { 2, function(c, a)
    return read_list(function()
      return c:list_memberships(a[1], { page_size = opt_int(a[2]) }) end) end, list_fields },
  get_membership = { 1, function(c, a) return c:get_membership(a[1]) end, membership_fields },
  delete_membership = { 1, function(c, a) return done(c:delete_membership(a[1])) end },
  remove_number = { 2, function(c, a) return done(c:remove_number(a[1], a[2])) end },
  list_phone_numbers = { 3, function(c, a)
    return read_list(function()
      return c:list_phone_numbers({ number = opt(a[1]), name = opt(a[2]),
                                    page_size = opt_int(a[3]) }) end) end, list_fields },
  get_phone_number = { 1, function(c, a) return c:get_phone_number(a[1]) end, phone_fields },
  find_phone_number = { 1, function(c, a) return c:find_phone_number(a[1]) end, phone_fields },
}

local clients = {}
for line in io.lines() do
  line = string.gsub(line, "\r$", "")
  if line == "quit" then break end
  local f = split_tabs(line)
  local op = OPERATIONS[f[2] or ""]
  if not op then
    io.stderr:write("contract_test.lua: unknown operation " .. tostring(f[2]) .. "\n")
    os.exit(2)
  end
  local nargs, call, result_fields = op[1], op[2], op[3]
  if #f ~= 6 + nargs then
    io.stderr:write("contract_test.lua: bad case line for " .. f[2] .. " (" .. #f .. " fields)\n")
    os.exit(2)
  end
  local id, base_url, project, token, headers = f[1], f[3], f[4], f[5], f[6]
  local args = {}
  for i = 1, nargs do args[i] = f[6 + i] end
  local key = table.concat({ base_url, project, token, headers }, "\t")
  local client, result, err = clients[key], nil, nil
  if not client then
    local hdrs = {}
    for h in string.gmatch(headers, "[^|]+") do hdrs[#hdrs + 1] = h end
    client, err = swng.client{
      project_id = project ~= "" and project or nil,
      token = token ~= "" and token or nil,
      base_url = base_url ~= "" and base_url or nil,
      headers = hdrs, timeout = 30,
    }
    clients[key] = client
  end
  if client then result, err = call(client, args) end
  local out
  if result then
    local kind = result.list and "list" or result.done and "none" or type(result)
    out = { id, "ok", result.http_status == nil and "-" or int(result.http_status), kind,
            "0", "", "" }
    for _, kv in ipairs(result_fields and result_fields(result) or {}) do
      out[#out + 1] = kv[1] .. "=" .. clean(type(kv[2]) == "number" and int(kv[2]) or kv[2])
    end
  else
    local kind = check_error(err)
    local items = type(err) == "table" and type(err.errors) == "table" and err.errors or {}
    out = { id, type(err) == "table" and err.code or "?",
            int(type(err) == "table" and err.http_status or 0), kind,
            #items, items[1] and items[1].code or "",
            type(err) == "table" and err.message or tostring(err) }
  end
  for i = 1, #out do out[i] = clean(out[i]) end
  io.write(table.concat(out, "\t"), "\n")
  io.flush()
end
for _, c in pairs(clients) do c:close() end
