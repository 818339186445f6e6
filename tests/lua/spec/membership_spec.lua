-- Adding memberships: the success path, what goes on the wire, non-ASCII
-- data, many calls on one client, and bad VALUES (which return nil, err).
local T = require "testspace"
local swng = require "swng"

local function route_entries()
  local out = {}
  for _, e in ipairs(T.journal()) do
    if e.path:match("/number_group_memberships$") then out[#out + 1] = e end
  end
  return out
end

describe("create_membership", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { headers = { ["X-Trace"] = "1" } }))
  end)
  after_each(function() client:close() end)

  it("returns a plain table mirroring the response", function()
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(err)
    assert.is_table(m)
    assert.is_nil(getmetatable(m))
    assert.matches("^%x+%-%x+%-%x+%-%x+%-%x+$", m.id)
    assert.equals(T.SALES, m.number_group_id)
    assert.equals(T.MAIN, m.phone_number.id)
    assert.equals("Main line", m.phone_number.name)
    assert.equals("+15551230001", m.phone_number.number)
    assert.same({ "voice", "sms", "mms", "fax" }, m.phone_number.capabilities)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", m.created_at)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", m.updated_at)
    assert.equals(200, m.http_status)
    assert.is_true(T.is_integer(m.http_status))
    assert.equals("200", tostring(m.http_status))        -- not "200.0"
    assert.is_string(m.request_id)
    local stored = T.memberships()
    assert.equals(1, #stored)
    assert.equals(m.id, stored[1].id)
  end)

  it("sends one POST with Basic auth, the JSON body and the extra header", function()
    local m = assert(client:create_membership(T.SALES, T.MAIN))
    local j = route_entries()
    assert.equals(1, #j)
    local e = j[1]
    assert.equals("POST", e.method)
    assert.equals("/api/relay/rest/number_groups/" .. T.SALES .. "/number_group_memberships", e.path)
    assert.matches("^Basic ", e.headers.authorization)
    assert.equals("1", e.headers["x-trace"])
    assert.matches("application/json", e.headers["content-type"])
    local body = require("dkjson").decode(e.body)
    assert.equals(T.MAIN, body.phone_number_id)
    assert.equals(e.request_id, m.request_id)
  end)

  it("accepts headers as a sequence of lines too", function()
    local c = assert(swng.client(T.options { headers = { "X-One: a", ["X-Two"] = "b" } }))
    assert(c:create_membership(T.SALES, T.MAIN))
    local e = route_entries()[1]
    assert.equals("a", e.headers["x-one"])
    assert.equals("b", e.headers["x-two"])
    c:close()
  end)

  it("keeps non-ASCII names byte for byte (UTF-8)", function()
    local m = assert(client:create_membership(T.SUPPORT, T.ZURICH))
    assert.equals("Zürich Büro ☎", m.phone_number.name)
    assert.equals("Z\195\188rich B\195\188ro \226\152\142", m.phone_number.name)
    assert.same({ "voice" }, m.phone_number.capabilities)
  end)

  it("gives an empty sequence for a number without capabilities", function()
    local m = assert(client:create_membership(T.SALES, T.SPARE))
    assert.same({}, m.phone_number.capabilities)
  end)

  it("accepts upper-case UUIDs", function()
    local m = assert(client:create_membership(T.SALES:upper(), T.MAIN:upper()))
    assert.equals(T.SALES, m.number_group_id:lower())
  end)

  it("serves many calls on one client, over one kept-alive connection", function()
    local ids = {}
    for i, n in ipairs(T.pool) do
      local m, err = client:create_membership(i % 2 == 0 and T.SALES or T.SUPPORT, n.id)
      assert.is_nil(err)
      assert.equals(n.name, m.phone_number.name)
      assert.is_nil(ids[m.id])
      ids[m.id] = true
    end
    local j = route_entries()
    assert.equals(#T.pool, #j)
    local conns = {}
    for _, e in ipairs(j) do conns[e.connection_id] = true end
    local n = 0
    for _ in pairs(conns) do n = n + 1 end
    assert.equals(1, n)
    assert.equals(#T.pool, #T.memberships())
  end)

  describe("bad values return nil, err and send nothing", function()
    local cases = {
      { "not a UUID", "not-a-uuid", nil, "number_group_id" },
      { "empty group id", "", nil, "number_group_id" },
      { "empty phone number id", nil, "", "phone_number_id" },
      { "NUL inside", T.SALES .. "\0", nil, "number_group_id" },
      { "NUL in the middle", nil, "0cc9aa06-4e1e\0-47b0-b276-0fa31c147608", "phone_number_id" },
      { "CR/LF", T.SALES .. "\r\nX-Evil: 1", nil, "number_group_id" },
      { "a slash", "../" .. T.SALES, nil, "number_group_id" },
      { "a query", T.SALES .. "?x=1", nil, "number_group_id" },
      { "a UUID too long", T.SALES .. "0", nil, "number_group_id" },
      { "non-ASCII", "Zürich", nil, "number_group_id" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local m, err = client:create_membership(c[2] or T.SALES, c[3] or T.MAIN)
        assert.is_nil(m)
        assert.equals("invalid_argument", err.code)
        assert.is_nil(err.http_status)
        assert.matches(c[4], err.message)
        assert.same({}, err.errors)
        assert.is_nil(err.request_id)
        assert.is_nil(err.retry_after)
        assert.equals(swng.Error, getmetatable(err))
        assert.equals(0, #T.journal())
      end)
    end
  end)
end)
