-- add_membership.lua - run by the embedding host (host.c), which links the
-- swng module statically: `require "swng"` finds it in package.preload.
--
--     swng-lua-host add_membership.lua NUMBER_GROUP_ID PHONE_NUMBER_ID
--
-- Credentials and the space come from SIGNALWIRE_* (read by the C core).
-- Returns true, or nil plus the error (the host prints it and exits 1).
local group_id, phone_number_id = ...
assert(group_id and phone_number_id, "usage: add_membership.lua NUMBER_GROUP_ID PHONE_NUMBER_ID")

assert(package.preload.swng, "this script expects a host that links swng statically")
local swng = require "swng"
print(("swng %s (%s, embedded)"):format(swng.version, _VERSION))

local client, err = swng.client{ timeout = 15, max_retries = 2 }
if not client then return nil, err end

local m
m, err = client:create_membership(group_id, phone_number_id)
client:close()
if not m then return nil, err end

print(("added %s (%s) to number group %s as membership %s"):format(
  m.phone_number.number, m.phone_number.name, m.number_group_id, m.id))
return true
