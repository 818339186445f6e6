-- leak_check.lua - run under valgrind by ctest: clients that are closed,
-- clients that are only garbage-collected, memberships and errors must all
-- be freed (valgrind: no "definitely lost" bytes).
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
local _, err = swng.client{ base_url = "ftp://x" }              -- a client_new error
assert(err.code == "invalid_argument")
collectgarbage()
collectgarbage()
print("leak_check: done")
