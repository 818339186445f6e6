-- tick_loop.lua - run by the loop host (loop_host.c): N requests in
-- flight at once on a swng loop while the host keeps ticking.
--
--     swng-lua-loop-host [--max-gap MS] tick_loop.lua NUMBER_GROUP_ID [N]
--
-- Setup (blocking, before the first tick): the first N (default 50) phone
-- numbers named "Pool ..." of the project. On the first tick it starts
-- N create_membership requests on the loop at once, one per number; their
-- callbacks check each membership against what was asked. The host stops
-- when all N have called back. Credentials and the space come from
-- SIGNALWIRE_* (read by the C core).
local group_id, n = ...
assert(group_id, "usage: tick_loop.lua NUMBER_GROUP_ID [N]")
n = tonumber(n or 50)

local swng = require "swng"
print(("swng %s (%s, embedded, own loop)"):format(swng.version, _VERSION))

local client = assert(swng.client{ timeout = 15 })
local numbers = {}
for p in client:list_phone_numbers{ name = "Pool", page_size = 100 } do
  if #numbers < n then numbers[#numbers + 1] = p end
end
assert(#numbers == n, ("the project has %d pool numbers, not %d"):format(#numbers, n))

local loop = assert(client:loop())
local started, finished, in_flight, good = false, 0, 0, 0
local failures = {}

local app = { loop = loop }

function app.tick()
  if started then return end
  started = true
  for _, p in ipairs(numbers) do
    assert(loop:create_membership(group_id, p.id, function(m, err)
      finished = finished + 1
      if m and m.number_group_id == group_id and m.phone_number.id == p.id
          and m.phone_number.number == p.number and m.http_status == 200 then
        good = good + 1
      else
        failures[#failures + 1] = p.number .. ": " .. tostring(err or "wrong membership")
      end
    end))
  end
  in_flight = loop:pending()
end

function app.done() return started and finished == n end

function app.report()
  loop:close()
  client:close()
  local text = ("%d requests in flight at once; %d/%d memberships correct")
    :format(in_flight, good, n)
  if #failures > 0 then text = text .. "\n  " .. table.concat(failures, "\n  ") end
  return good == n and in_flight == n, text
end

return app
