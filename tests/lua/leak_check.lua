-- leak_check.lua - run under valgrind by ctest: clients that are closed,
-- clients that are only garbage-collected, memberships, errors and list
-- cursors must all be freed (valgrind: no "definitely lost" bytes).
package.path = assert(os.getenv("SWNG_TEST_LUA_DIR")) .. "/?.lua;" .. package.path
local T = require "testspace"
local swng = require "swng"

for i = 1, 20 do
  local c = assert(swng.client(T.options { headers = { ["X-Trace"] = tostring(i) } }))
  assert(c:create_membership(T.SALES, T.pool[i].id))            -- a membership
  local _, err = c:create_membership(T.SALES, T.pool[i].id)     -- a 422 error
  assert(err.code == "validation" and #err.errors == 1)
  if i % 2 == 0 then c:close() end                              -- half closed,
end                                                             -- half left to GC
-- Lists: cursors read to the end, dropped half-way, outliving a closed
-- client (a step then raises without touching the cursor), or ended by an
-- error; the finds and deletes.
local c = assert(swng.client(T.options()))
for _ in c:list_phone_numbers { page_size = 10 } do end
local half = c:list_phone_numbers { page_size = 10 }
half()
assert(c:find_phone_number("+15551230001"))
assert(c:remove_number(T.SALES, T.pool[2].id))
assert(not pcall(function() return c:list_memberships("../x") end))
T.paging("foreign_host")
assert(not pcall(function() for _ in c:list_number_groups { page_size = 1 } do end end))
T.paging("normal")
local late = c:list_number_groups { page_size = 1 }
late()
c:close()
assert(not pcall(late))
half, late = nil, nil
local _, err = swng.client{ base_url = "ftp://x" }              -- a client_new error
assert(err.code == "invalid_argument")
collectgarbage()
collectgarbage()
print("leak_check: done")
