-- The module itself, and every argument-TYPE error (which raise).
local T = require "testspace"
local swng = require "swng"

describe("the swng module", function()
  it("loads with require and gives the C library's version", function()
    assert.is_table(swng)
    assert.equals(swng, require "swng")
    assert.is_string(swng.version)
    assert.truthy(swng.version:match("^%d+%.%d+%.%d+$"))
    assert.is_true(T.is_integer(swng.version_num))
    local maj, min, pat = swng.version:match("^(%d+)%.(%d+)%.(%d+)$")
    assert.equals(tonumber(maj) * 65536 + tonumber(min) * 256 + tonumber(pat), swng.version_num)
  end)

  it("sets no globals", function()
    assert.is_nil(rawget(_G, "swng"))
    assert.is_nil(rawget(_G, "swng_core"))
  end)

  it("can be opened twice in one state (package.loaded cleared)", function()
    package.loaded.swng = nil
    local again = require "swng"
    package.loaded.swng = swng
    assert.are_not.equal(swng, again)
    assert.equals(swng.version, again.version)
    local c = assert(again.client(T.options()))
    assert.is_table(c:create_membership(T.SALES, T.MAIN))
    c:close()
  end)
end)

describe("argument types", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options()))
  end)
  after_each(function() client:close() end)

  local bad = { { "nil", nil }, { "number", 42 }, { "table", {} }, { "boolean", true },
                { "function", print } }

  for _, b in ipairs(bad) do
    local tname, v = b[1], b[2]
    it("create_membership raises for a " .. tname .. " group id", function()
      local ok, msg = pcall(client.create_membership, client, v, T.MAIN)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'create_membership' %(string expected, got " .. tname .. "%)",
                     msg)
    end)
    it("create_membership raises for a " .. tname .. " phone number id", function()
      local ok, msg = pcall(client.create_membership, client, T.SALES, v)
      assert.is_false(ok)
      assert.matches("bad argument #2 to 'create_membership' %(string expected, got " .. tname .. "%)",
                     msg)
    end)
  end

  it("points the error at the caller's line", function()
    local ok, msg = pcall(function()
      client:create_membership(nil, T.MAIN)   -- this line
    end)
    assert.is_false(ok)
    assert.matches("module_spec%.lua:%d+: bad argument", msg)
  end)

  it("nothing is sent for a type error", function()
    pcall(client.create_membership, client, 1, 2)
    assert.equals(0, #T.journal())
  end)

  it("calling a method with '.' instead of ':' raises", function()
    local ok, msg = pcall(client.create_membership, T.SALES, T.MAIN)
    assert.is_false(ok)
    assert.matches("calling 'create_membership' on bad self %(swng client expected, got string%)", msg)
    ok, msg = pcall(client.close)
    assert.is_false(ok)
    assert.matches("calling 'close' on bad self", msg)
  end)

  it("a numeric string is not coerced: it is a bad value, not a type error", function()
    local m, err = client:create_membership("12345", T.MAIN)
    assert.is_nil(m)
    assert.equals("invalid_argument", err.code)
  end)

  it("swng.client raises for a non-table argument", function()
    for _, v in ipairs({ "x", 1, true }) do
      local ok, msg = pcall(swng.client, v)
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'client' %(table or nil expected, got " .. type(v) .. "%)", msg)
    end
  end)

  it("swng.client raises for an unknown option", function()
    local ok, msg = pcall(swng.client, T.options { tokn = "x" })
    assert.is_false(ok)
    assert.matches("unknown option 'tokn'", msg)
  end)

  it("swng.client raises for options of the wrong type", function()
    local cases = {
      { { token = 12 }, "option 'token' must be a string %(got number%)" },
      { { project_id = {} }, "option 'project_id' must be a string %(got table%)" },
      { { base_url = true }, "option 'base_url' must be a string %(got boolean%)" },
      { { space = 1 }, "option 'space' must be a string" },
      { { ca_file = 1 }, "option 'ca_file' must be a string" },
      { { timeout = "5" }, "option 'timeout' must be a number of seconds %(got string%)" },
      { { connect_timeout = {} }, "option 'connect_timeout' must be a number" },
      { { max_retries = "2" }, "option 'max_retries' must be a number %(got string%)" },
      { { nonsense = 1 }, "unknown option 'nonsense'" },
      { { headers = "X-A: 1" }, "option 'headers' must be a table %(got string%)" },
      { { headers = { ["X-A"] = 1 } }, "header 'X%-A' must be a string %(got number%)" },
      { { headers = { [true] = "1" } }, "header names must be strings %(got boolean%)" },
      { { headers = { [1] = 5 } }, "headers%[1%] must be a string %(got number%)" },
      { { headers = { [3] = "X-A: 1" } }, "name = value pairs or a sequence of lines" },
    }
    for _, c in ipairs(cases) do
      local ok, msg = pcall(function() local r = swng.client(T.options(c[1])); return r end)
      assert.is_false(ok)
      assert.matches(c[2], msg)
      assert.matches("module_spec%.lua:%d+:", msg)
    end
  end)
end)
