-- close(), garbage collection, tostring, and the token never showing.
local T = require "testspace"
local swng = require "swng"

describe("client lifecycle", function()
  before_each(function() T.reset() end)

  it("close() closes; using a closed client is nil, err 'closed'", function()
    local c = assert(swng.client(T.options()))
    assert.is_false(c:is_closed())
    assert.is_true(c:close())
    assert.is_true(c:is_closed())
    local m, err = c:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    assert.equals("closed", err.code)
    assert.is_nil(err.http_status)
    assert.equals(swng.Error, getmetatable(err))
    assert.matches("^swng: closed: ", tostring(err))
    local url, err2 = c:base_url()
    assert.is_nil(url)
    assert.equals("closed", err2.code)
    assert.is_nil((c:project_id()))
    assert.equals("swng.client (closed)", tostring(c))
    assert.equals(0, #T.journal())
  end)

  it("close() twice is fine", function()
    local c = assert(swng.client(T.options()))
    assert.is_true(c:close())
    assert.is_true(c:close())
  end)

  it("a type error still raises on a closed client", function()
    local c = assert(swng.client(T.options()))
    c:close()
    assert.has_error(function() c:create_membership(nil, T.MAIN) end)
  end)

  it("clients that are dropped are collected (and their C client freed)", function()
    local weak = setmetatable({}, { __mode = "k" })
    for _ = 1, 200 do
      local c = assert(swng.client(T.options()))
      weak[c] = true
    end
    local c = assert(swng.client(T.options()))
    assert(c:create_membership(T.SALES, T.MAIN))
    weak[c] = true
    c = nil   -- luacheck: ignore
    collectgarbage()
    collectgarbage()
    assert.is_nil(next(weak))
  end)

  it("a closed client can be collected", function()
    local c = assert(swng.client(T.options()))
    c:close()
    c = nil   -- luacheck: ignore
    collectgarbage()
    collectgarbage()
  end)

  it("results outlive their client", function()
    local c = assert(swng.client(T.options()))
    local m = assert(c:create_membership(T.SALES, T.MAIN))
    local _, err = c:create_membership(T.SALES, T.MAIN)
    c:close()
    c = nil   -- luacheck: ignore
    collectgarbage()
    assert.equals("Main line", m.phone_number.name)
    assert.equals("validation", err.code)
    assert.equals("already_member", err.errors[1].code)
  end)

  if _VERSION == "Lua 5.4" then
    it("works as a to-be-closed variable (Lua 5.4)", function()
      local chunk = assert(load([[
        local swng, opts, group, number = ...
        local keep
        do
          local c <close> = assert(swng.client(opts))
          assert(c:create_membership(group, number))
          keep = c
        end
        return keep:is_closed()
      ]]))
      assert.is_true(chunk(swng, T.options(), T.SALES, T.MAIN))
    end)
  end

  it("tostring shows the base URL and project, never the token", function()
    local c = assert(swng.client(T.options()))
    local s = tostring(c)
    assert.equals("swng.client (" .. T.base_url .. ", project " .. T.project_id .. ")", s)
    assert.is_nil(s:find(T.token, 1, true))
    assert.equals(T.base_url, c:base_url())
    assert.equals(T.project_id, c:project_id())
    -- the client table holds nothing readable
    assert.is_nil(next(c))
    for k, v in pairs(getmetatable(c)) do
      assert.is_nil(tostring(v):find(T.token, 1, true), k)
    end
    c:close()
  end)

  it("no error message ever shows the token", function()
    local c = assert(swng.client(T.options()))
    local faults = {
      { mode = "status", status = 500 }, { mode = "status", status = 429, retry_after = "1" },
      { mode = "html" }, { mode = "malformed" }, { mode = "close", count = 2 },
      { mode = "body", status = 401, body = '{"error":"Unauthorized ' .. T.token .. '"}' },
    }
    for _, f in ipairs(faults) do
      T.fault(f)
      local _, err = c:create_membership(T.SALES, T.MAIN)
      assert.is_table(err)
      assert.is_nil(tostring(err):find(T.token, 1, true))
      for _, v in pairs(err) do
        if type(v) == "string" then assert.is_nil(v:find(T.token, 1, true)) end
      end
    end
    c:close()
  end)
end)
