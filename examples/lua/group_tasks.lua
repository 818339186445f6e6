#!/usr/bin/env lua
--[[
group_tasks.lua - the README's number-group tasks, as written there: find a
group by name, add a number by E.164, add without failing on numbers
already there, see what is in a group, remove a number.

    export SIGNALWIRE_PROJECT_ID=...  SIGNALWIRE_API_TOKEN=...  SIGNALWIRE_SPACE=example
    lua5.4 group_tasks.lua "Sales" +15551230001

A failure raises the error table (assert), whose __tostring is the message.
]]
local swng = require "swng"
local group_name, e164 = arg[1] or "Sales", arg[2] or "+15551230001"

local client = assert(swng.client())      -- credentials from SIGNALWIRE_*

-- Find a group by name (exactly that name; not_found or ambiguous otherwise)
local group = assert(client:find_number_group(group_name))

-- Add a number by E.164
local number = assert(client:find_phone_number(e164))
assert(client:create_membership(group.id, number.id))

-- Add without failing on numbers already there
local m = assert(client:create_membership(group.id, number.id, { if_exists = "return" }))
print(("%s already there: %s"):format(m.phone_number.number, tostring(m.existed)))

-- What is in a group (a list raises its error: wrap it in pcall to catch it)
for member in client:list_memberships(group.id) do
  print(("in %s: %s (%s)"):format(group.name, member.phone_number.number, member.phone_number.name))
end

-- Remove a number
assert(client:remove_number(group.id, number.id))
print(("removed %s from %s"):format(number.number, group.name))

client:close()
