#!/usr/bin/env lua
--[[
add_membership.lua - add a phone number to a SignalWire number group.

    export SIGNALWIRE_PROJECT_ID=...  SIGNALWIRE_API_TOKEN=...  SIGNALWIRE_SPACE=example
    lua5.4 add_membership.lua NUMBER_GROUP_ID PHONE_NUMBER_ID

Works with lua5.1, luajit, lua5.3 and lua5.4 (with the matching build of the
module on LUA_CPATH, e.g. LUA_CPATH="build/lua/5.4/?.so;;"). Exit status: 0
added, 1 refused or failed, 2 usage.
]]
local swng = require "swng"

local group_id, phone_number_id = arg[1], arg[2]
if not group_id or not phone_number_id then
  io.stderr:write("usage: add_membership.lua NUMBER_GROUP_ID PHONE_NUMBER_ID\n")
  os.exit(2)
end

-- Credentials and the space come from SIGNALWIRE_* (read by the C core);
-- anything given here wins over the environment.
local client, err = swng.client{ timeout = 15, max_retries = 2 }
if not client then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end

local m
m, err = client:create_membership(group_id, phone_number_id)
client:close()

if not m then
  io.stderr:write(tostring(err), "\n")
  for _, item in ipairs(err.errors) do          -- 422: what the server objected to
    io.stderr:write(("  %s: %s\n"):format(item.code, item.detail))
  end
  if err.retry_after then                       -- 429 (or 503): when to try again
    io.stderr:write(("  retry after %d s\n"):format(err.retry_after))
  end
  os.exit(1)
end

print(("added %s (%s) to number group %s"):format(
  m.phone_number.number, m.phone_number.name, m.number_group_id))
print(("membership %s, created %s, capabilities: %s"):format(
  m.id, m.created_at, table.concat(m.phone_number.capabilities, ", ")))
