-- The number-group family through the Lua face, against the emulated
-- space: every operation's success path compared with the space's state, a
-- group's whole life, lists (paging, laziness, hostile links), the find
-- helpers, if_exists, query escaping, bad ids on every argument and a
-- closed client.
local T = require "testspace"
local swng = require "swng"
local json = require "dkjson"
local unpack = table.unpack or unpack

-- The journal entries of one route (its operationId).
local function requests(operation)
  local out = {}
  for _, e in ipairs(T.journal()) do
    if e.operation == operation then out[#out + 1] = e end
  end
  return out
end

-- Every item of a list iterator, in a sequence.
local function collect(iter)
  local out = {}
  for item in iter do out[#out + 1] = item end
  return out
end

-- Runs f, which must raise a swng error table; returns it.
local function raises(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  assert.is_table(err, "expected an error table, got " .. tostring(err))
  assert.equals(swng.Error, getmetatable(err))
  return err
end

local function check_error(err, code)
  assert.is_table(err)
  assert.equals(swng.Error, getmetatable(err))
  assert.equals(code, err.code)
  assert.matches("^swng: " .. code:gsub("_", "%%_") .. ": ", tostring(err))
end

local function group_in_space(id)
  for _, g in ipairs(T.number_groups()) do
    if g.id == id then return g end
  end
end

describe("the number-group family", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 5 }))
  end)
  after_each(function() client:close() end)

  ------------------------------------------------------------ groups

  describe("number groups", function()
    it("create_number_group returns the group the space now holds", function()
      local g, err = client:create_number_group("Lua team", { sticky_sender = true })
      assert.is_nil(err)
      assert.is_nil(getmetatable(g))
      assert.matches("^%x+%-%x+%-%x+%-%x+%-%x+$", g.id)
      assert.equals("Lua team", g.name)
      assert.is_true(g.sticky_sender)
      assert.equals(200, g.http_status)
      assert.is_string(g.request_id)
      local stored = group_in_space(g.id)
      assert.equals("Lua team", stored.name)
      assert.is_true(stored.sticky_sender)
      local e = requests("create_number_group")[1]
      assert.equals("POST", e.method)
      assert.same({ name = "Lua team", sticky_sender = true }, json.decode(e.body))
    end)

    it("create_number_group sends sticky_sender false by default", function()
      local g = assert(client:create_number_group("Plain"))
      assert.is_false(g.sticky_sender)
      assert.is_false(group_in_space(g.id).sticky_sender)
      assert.same({ name = "Plain", sticky_sender = false },
                  json.decode(requests("create_number_group")[1].body))
    end)

    it("get_number_group returns the fixture's group", function()
      local g, err = client:get_number_group(T.SALES)
      assert.is_nil(err)
      assert.equals(T.SALES, g.id)
      assert.equals("Sales", g.name)
      assert.equals(group_in_space(T.SALES).sticky_sender, g.sticky_sender)
      assert.equals(0, g.phone_number_count)
      assert.is_true(T.is_integer(g.phone_number_count))
      assert.equals("/api/relay/rest/number_groups/" .. T.SALES, requests("retrieve_number_group")[1].path)
    end)

    it("update_number_group renames and leaves sticky_sender alone unless given", function()
      local g = assert(client:create_number_group("Before", { sticky_sender = true }))
      local u, err = client:update_number_group(g.id, "After")
      assert.is_nil(err)
      assert.equals("After", u.name)
      assert.is_true(u.sticky_sender)
      assert.same({ name = "After" }, json.decode(requests("update_number_group")[1].body))
      u = assert(client:update_number_group(g.id, "After", { sticky_sender = false }))
      assert.is_false(u.sticky_sender)
      assert.same({ name = "After", sticky_sender = false },
                  json.decode(requests("update_number_group")[2].body))
      local stored = group_in_space(g.id)
      assert.equals("After", stored.name)
      assert.is_false(stored.sticky_sender)
    end)

    it("delete_number_group returns true and the group is gone", function()
      local g = assert(client:create_number_group("Short-lived"))
      local ok, err = client:delete_number_group(g.id)
      assert.is_nil(err)
      assert.is_true(ok)
      assert.is_nil(group_in_space(g.id))
      local again, err2 = client:get_number_group(g.id)
      assert.is_nil(again)
      check_error(err2, "not_found")
      assert.equals(404, err2.http_status)
      local _, err3 = client:delete_number_group(g.id)
      check_error(err3, "not_found")
    end)

    it("list_number_groups yields the fixture's groups, then nil", function()
      local it = client:list_number_groups()
      local names = {}
      for g in it do names[#names + 1] = g.name end
      assert.same({ "Sales", "Support" }, names)
      assert.is_nil(it())
      assert.equals(1, #requests("list_number_groups"))
    end)

    it("list_number_groups filters by name (a substring on the server)", function()
      local groups = collect(client:list_number_groups { name = "upp" })
      assert.equals(1, #groups)
      assert.equals(T.SUPPORT, groups[1].id)
      assert.matches("filter_name=upp", requests("list_number_groups")[1].path)
    end)
  end)

  it("a group's whole life: create, fill, list, remove, delete", function()
    local g = assert(client:create_number_group("Lifecycle"))
    local added = {}
    for i = 1, 5 do
      local m = assert(client:create_membership(g.id, T.pool[i].id))
      assert.is_false(m.existed)
      added[i] = m
    end
    assert.equals(5, assert(client:get_number_group(g.id)).phone_number_count)

    local listed = collect(client:list_memberships(g.id, { page_size = 2 }))
    assert.equals(5, #listed)
    for i, m in ipairs(listed) do
      assert.equals(added[i].id, m.id)
      assert.equals(g.id, m.number_group_id)
      assert.equals(T.pool[i].number, m.phone_number.number)
      assert.is_false(m.existed)
    end
    assert.equals(3, #requests("list_number_group_memberships"))

    local m2 = assert(client:get_membership(added[2].id))
    assert.equals(T.pool[2].id, m2.phone_number.id)
    assert.equals(g.id, m2.number_group_id)

    assert.is_true(client:delete_membership(added[2].id))
    assert.is_true(client:remove_number(g.id, T.pool[4].id))
    local _, err = client:remove_number(g.id, T.pool[4].id)
    check_error(err, "not_found")
    local _, err2 = client:get_membership(added[2].id)
    check_error(err2, "not_found")

    local left = {}
    for m in client:list_memberships(g.id) do left[#left + 1] = m.phone_number.id end
    assert.same({ T.pool[1].id, T.pool[3].id, T.pool[5].id }, left)
    local stored = {}
    for _, m in ipairs(T.memberships()) do stored[#stored + 1] = m.phone_number_id or m.phone_number.id end
    table.sort(stored)
    table.sort(left)
    assert.same(left, stored)

    assert.is_true(client:delete_number_group(g.id))
    assert.is_nil(group_in_space(g.id))
    assert.equals(0, #T.memberships())
  end)

  ------------------------------------------------------------ lists

  describe("lists", function()
    local function numbers(opts)
      local out = {}
      for p in client:list_phone_numbers(opts) do out[#out + 1] = p.number end
      return out
    end
    local all = {}
    for i, p in ipairs(T.fixture.phone_numbers) do all[i] = p.number end

    it("the fixture has 67 numbers", function() assert.equals(67, #all) end)

    for _, c in ipairs {
      { "the server's default page size (50): two pages", nil, 2 },
      { "page_size 1: one page per number", 1, 67 },
      { "page_size 10: several pages", 10, 7 },
      { "exactly page_size items: one page", 67, 1 },
      { "page_size 1000", 1000, 1 },
    } do
      it(c[1], function()
        assert.same(all, numbers { page_size = c[2] })
        local pages = requests("list_phone_numbers")
        assert.equals(c[3], #pages)
        for _, e in ipairs(pages) do
          assert.equals("GET", e.method)
          assert.equals(200, e.status)
        end
      end)
    end

    it("a phone number table carries the full resource", function()
      local p = client:list_phone_numbers { page_size = 2 }()
      assert.equals(T.MAIN, p.id)
      assert.equals("Main line", p.name)
      assert.equals("+15551230001", p.number)
      assert.same({ "voice", "sms", "mms", "fax" }, p.capabilities)
      assert.is_string(p.number_type)
      assert.equals(200, p.http_status)
      assert.equals(T.MAIN, json.decode(p.json).id)
    end)

    it("list_phone_numbers filters by number and by name", function()
      assert.same({ "+15551230001", "+15551230003" }, numbers { number = "+1555123" })
      local e = requests("list_phone_numbers")[1]
      assert.matches("filter_number=%%2B1555123", e.path)
      assert.equals(9, #numbers { name = "Pool 00" })   -- Pool 001 to 009
      assert.same({ "+41445550002" }, numbers { number = "4144", name = "Zürich" })
    end)

    it("a group's memberships over several pages", function()
      for i = 1, 7 do assert(client:create_membership(T.SALES, T.pool[i].id)) end
      local seen = {}
      for m in client:list_memberships(T.SALES, { page_size = 3 }) do
        seen[#seen + 1] = m.phone_number.id
      end
      assert.equals(7, #seen)
      for i = 1, 7 do assert.equals(T.pool[i].id, seen[i]) end
      assert.equals(3, #requests("list_number_group_memberships"))
    end)

    it("an empty group's list ends at once", function()
      assert.same({}, collect(client:list_memberships(T.SUPPORT)))
    end)

    it("nothing is sent before the first step, one page per page after", function()
      local groups = client:list_number_groups { page_size = 1 }
      local phones = client:list_phone_numbers { page_size = 30 }
      local members = client:list_memberships(T.SALES)
      assert.equals(0, #T.journal())
      assert.equals("Sales", groups().name)
      assert.equals(1, #T.journal())
      for _ = 1, 30 do assert(phones()) end
      assert.equals(2, #T.journal())
      assert(phones())
      assert.equals(3, #T.journal())
      assert.is_nil(members())
      assert.equals(4, #T.journal())
    end)

    it("relative next links are followed", function()
      T.paging("relative")
      assert.same(all, numbers { page_size = 10 })
      assert.equals(7, #requests("list_phone_numbers"))
    end)

    -- A page whose next link is refused is refused whole (its items are
    -- not handed out); got: the items seen before the error, pages: the
    -- requests the space received (page_size 30: 3 pages of the 67).
    describe("a hostile next link ends the loop with a raised protocol error", function()
      for _, c in ipairs {
        { "foreign_host", nil, got = 0, pages = 1, says = "another host" },
        { "foreign_host", { origin = "http://127.0.0.2:1" }, got = 0, pages = 1, says = "another host" },
        { "foreign_scheme", nil, got = 0, pages = 1, says = "another host" },
        { "foreign_path", nil, got = 0, pages = 1, says = "another path" },
        { "cycle", nil, got = 67, pages = 4, says = "cycle" },
        { "cycle", { to = "self" }, got = 60, pages = 3, says = "cycle" },
        { "endless_empty", nil, got = 67, pages = 7, says = "empty pages" },
      } do
        it(c[1] .. (c[2] and " " .. json.encode(c[2]) or ""), function()
          T.paging(c[1], c[2])
          local got = 0
          local err = raises(function()
            for _ in client:list_phone_numbers { page_size = 30 } do
              got = got + 1
              assert.is_true(got <= 67 * 3, "the loop does not end")
            end
          end)
          check_error(err, "protocol")
          assert.truthy(err.message:find(c.says, 1, true), err.message)
          assert.equals(c.got, got)
          -- every request reached the space, on the list's own path
          local j = T.journal()
          assert.equals(c.pages, #j)
          for _, e in ipairs(j) do
            assert.equals("list_phone_numbers", e.operation)
            assert.matches("^/api/relay/rest/phone_numbers%?", e.path)
          end
        end)
      end

      it("and the iterator returns nil after the error", function()
        T.paging("foreign_host")
        local it = client:list_number_groups { page_size = 1 }
        raises(it)
        assert.is_nil(it())
        assert.equals(1, #T.journal())
      end)
    end)

    it("an HTTP error on a later page is raised by that step", function()
      local it = client:list_phone_numbers { page_size = 10 }
      for _ = 1, 10 do assert(it()) end
      T.fault { mode = "status", status = 404, operation = "list_phone_numbers" }
      local err = raises(it)
      check_error(err, "not_found")
      assert.equals(404, err.http_status)
      assert.is_nil(it())
    end)
  end)

  ------------------------------------------------------------ finds

  describe("find_number_group", function()
    it("finds the group with exactly that name", function()
      local g, err = client:find_number_group("Sales")
      assert.is_nil(err)
      assert.equals(T.SALES, g.id)
      assert.matches("filter_name=Sales", requests("list_number_groups")[1].path)
    end)

    it("a substring alone is not_found", function()
      local g, err = client:find_number_group("Sal")
      assert.is_nil(g)
      check_error(err, "not_found")
      assert.equals(1, #requests("list_number_groups"))
    end)

    it("a name nobody has is not_found", function()
      local _, err = client:find_number_group("Nobody")
      check_error(err, "not_found")
    end)

    it("two groups with one name are ambiguous", function()
      assert(client:create_number_group("Twin"))
      assert(client:create_number_group("Twin"))
      assert(client:create_number_group("Twins"))
      local g, err = client:find_number_group("Twin")
      assert.is_nil(g)
      check_error(err, "ambiguous")
      assert.matches("2", err.message)
    end)

    it("reads every page of the server's answer", function()
      for i = 1, 3 do assert(client:create_number_group("Paged " .. i)) end
      local want = assert(client:create_number_group("Paged"))
      local g = assert(client:find_number_group("Paged"))
      assert.equals(want.id, g.id)
    end)
  end)

  describe("find_phone_number", function()
    it("finds the number that is exactly the E.164 given", function()
      local p, err = client:find_phone_number("+15551230001")
      assert.is_nil(err)
      assert.equals(T.MAIN, p.id)
      assert.equals("Main line", p.name)
      assert.matches("filter_number=%%2B15551230001", requests("list_phone_numbers")[1].path)
    end)

    it("a number that is only a substring of others is not_found", function()
      local p, err = client:find_phone_number("+1555400001")   -- in Pool 010..019
      assert.is_nil(p)
      check_error(err, "not_found")
    end)

    it("an unknown number is not_found", function()
      local _, err = client:find_phone_number("+19999999999")
      check_error(err, "not_found")
    end)

    it("two numbers that are both exactly it are ambiguous", function()
      local item = assert(client:get_phone_number(T.MAIN)).json
      T.fault { mode = "body", operation = "list_phone_numbers",
                body = '{"links":{"self":"/x","first":"/x"},"data":[' .. item .. "," .. item .. "]}" }
      local p, err = client:find_phone_number("+15551230001")
      assert.is_nil(p)
      check_error(err, "ambiguous")
      assert.matches("2 of them", err.message)
    end)

    for _, bad in ipairs { "15551230001", "+0551230001", "+1 555 123", "+1", "+1234567890123456", "", "+1555\0" } do
      it(("a bad E.164 %q is invalid_argument, nothing sent"):format(bad), function()
        local p, err = client:find_phone_number(bad)
        assert.is_nil(p)
        check_error(err, "invalid_argument")
        assert.equals(0, #T.journal())
      end)
    end
  end)

  ------------------------------------------------------------ memberships

  describe("create_membership if_exists", function()
    it('"return" gives the existing membership, marked existed', function()
      local m = assert(client:create_membership(T.SALES, T.MAIN))
      assert.is_false(m.existed)
      local again, err = client:create_membership(T.SALES, T.MAIN, { if_exists = "return" })
      assert.is_nil(err)
      assert.is_true(again.existed)
      assert.equals(m.id, again.id)
      assert.equals(1, #T.memberships())
    end)

    it('"return" on a new number creates it (existed false)', function()
      local m = assert(client:create_membership(T.SALES, T.MAIN, { if_exists = "return" }))
      assert.is_false(m.existed)
      assert.equals(1, #T.memberships())
    end)

    it('"error" (the default) keeps the 422', function()
      assert(client:create_membership(T.SALES, T.MAIN))
      local _, err = client:create_membership(T.SALES, T.MAIN, { if_exists = "error" })
      check_error(err, "validation")
      assert.equals("already_member", err.errors[1].code)
    end)

    it('"return" leaves any other 422 a validation error', function()
      local _, err = client:create_membership(T.SALES, T.UNKNOWN_UUID, { if_exists = "return" })
      check_error(err, "validation")
      assert.equals("phone_number_not_found", err.errors[1].code)
    end)

    it("another string is invalid_argument naming the option, nothing sent", function()
      local m, err = client:create_membership(T.SALES, T.MAIN, { if_exists = "ignore" })
      assert.is_nil(m)
      check_error(err, "invalid_argument")
      assert.equals("if_exists", err.option)
      assert.matches("if_exists", err.message)
      assert.equals(0, #T.journal())
    end)
  end)

  ------------------------------------------------------------ escaping

  it("query values are escaped (a group named 'A&B ?#=%')", function()
    local name = "A&B ?#=%"
    local g = assert(client:create_number_group(name))
    assert.equals(name, g.name)
    assert.equals(name, group_in_space(g.id).name)
    local listed = collect(client:list_number_groups { name = name })
    assert.equals(1, #listed)
    assert.equals(g.id, listed[1].id)
    assert.equals(g.id, assert(client:find_number_group(name)).id)
    for _, e in ipairs(requests("list_number_groups")) do
      assert.matches("filter_name=A%%26B%%20%%3F%%23%%3D%%25", e.path)
    end
    local u = assert(client:update_number_group(g.id, name .. "/x"))
    assert.equals(name .. "/x", u.name)
  end)

  ------------------------------------------------------------ bad ids

  describe("bad ids, on every argument, are invalid_argument with nothing sent", function()
    local bad_ids = {
      { "../x", "../x" }, { "?", "?" }, { "#", "#" }, { "CR/LF", T.SALES .. "\r\nX: 1" },
      { "NUL", T.SALES .. "\0" }, { "empty", "" }, { "not a UUID", "x" },
    }
    -- method, arguments with ID where the bad id goes, the option it names
    local calls = {
      { "get_number_group", { "ID" } },
      { "update_number_group", { "ID", "name" } },
      { "delete_number_group", { "ID" } },
      { "get_membership", { "ID" } },
      { "delete_membership", { "ID" } },
      { "create_membership", { "ID", T.MAIN } },
      { "create_membership", { T.SALES, "ID" } },
      { "remove_number", { "ID", T.MAIN } },
      { "remove_number", { T.SALES, "ID" } },
      { "get_phone_number", { "ID" } },
      { "list_memberships", { "ID" }, list = true },
    }
    for _, c in ipairs(calls) do
      for _, b in ipairs(bad_ids) do
        local args, pos = {}, nil
        for i, a in ipairs(c[2]) do
          if a == "ID" then args[i], pos = b[2], i else args[i] = a end
        end
        it(("%s, argument %d: %s"):format(c[1], pos, b[1]), function()
          local err
          if c.list then
            err = raises(function() return client[c[1]](client, unpack(args)) end)
          else
            local r
            r, err = client[c[1]](client, unpack(args))
            assert.is_nil(r)
          end
          check_error(err, "invalid_argument")
          assert.is_nil(err.http_status)
          assert.equals(0, #T.journal())
        end)
      end
    end

    -- Names and filters are text: NUL and CR/LF are refused, '/?#' are not.
    local bad_text = { { "NUL", "a\0b" }, { "CR/LF", "a\r\nb" } }
    for _, b in ipairs(bad_text) do
      for _, c in ipairs {
        { "create_number_group", function(v) return client:create_number_group(v) end },
        { "update_number_group", function(v) return client:update_number_group(T.SALES, v) end },
        { "find_number_group", function(v) return client:find_number_group(v) end },
      } do
        it(("%s: a name with %s"):format(c[1], b[1]), function()
          local r, err = c[2](b[2])
          assert.is_nil(r)
          check_error(err, "invalid_argument")
          assert.equals(0, #T.journal())
        end)
      end
      for _, c in ipairs {
        { "list_number_groups name", function(v) return client:list_number_groups { name = v } end },
        { "list_phone_numbers name", function(v) return client:list_phone_numbers { name = v } end },
        { "list_phone_numbers number", function(v) return client:list_phone_numbers { number = v } end },
      } do
        it(("%s with %s raises"):format(c[1], b[1]), function()
          check_error(raises(c[2], b[2]), "invalid_argument")
          assert.equals(0, #T.journal())
        end)
      end
    end

    for _, size in ipairs { -1, 1001 } do
      it("page_size " .. size .. " raises invalid_argument naming it", function()
        local err = raises(function() return client:list_phone_numbers { page_size = size } end)
        check_error(err, "invalid_argument")
        assert.equals("page_size", err.option)
        assert.equals(0, #T.journal())
      end)
    end
  end)

  ------------------------------------------------------------ types

  describe("wrong Lua types raise (a bug at the call site)", function()
    for _, c in ipairs {
      { "a number id", function() client:get_number_group(42) end, "bad argument #1 to 'get_number_group'" },
      { "a nil name", function() client:update_number_group(T.SALES) end, "bad argument #2 to 'update_number_group'" },
      { "a table phone id", function() client:remove_number(T.SALES, {}) end, "bad argument #2 to 'remove_number'" },
      { "options not a table", function() client:list_number_groups("Sales") end, "bad argument #1 to 'list_number_groups'" },
      { "an unknown option", function() client:list_phone_numbers { page = 1 } end, "unknown option 'page'" },
      { "a string page_size", function() client:list_memberships(T.SALES, { page_size = "10" }) end, "option 'page_size' must be a number" },
      { "a string sticky_sender", function() client:create_number_group("x", { sticky_sender = "yes" }) end, "option 'sticky_sender' must be a boolean" },
      { "a boolean if_exists", function() client:create_membership(T.SALES, T.MAIN, { if_exists = true }) end, "option 'if_exists' must be a string" },
      { "a dot call", function() client.get_phone_number(T.MAIN) end, "bad self" },
    } do
      it(c[1], function()
        local ok, msg = pcall(c[2])
        assert.is_false(ok)
        assert.is_string(msg)
        assert.truthy(msg:find(c[3], 1, true), msg)
        assert.matches("family_spec.lua:%d+:", msg)   -- blamed on the caller
        assert.equals(0, #T.journal())
      end)
    end
  end)

  ------------------------------------------------------------ closed

  describe("a closed client", function()
    it("every method is nil, err 'closed' and every list raises it; nothing is sent", function()
      local c = assert(swng.client(T.options()))
      c:close()
      for _, call in ipairs {
        { "create_number_group", "x" }, { "get_number_group", T.SALES },
        { "update_number_group", T.SALES, "x" }, { "delete_number_group", T.SALES },
        { "find_number_group", "Sales" }, { "create_membership", T.SALES, T.MAIN },
        { "create_membership", T.SALES, T.MAIN, { if_exists = "nonsense" } },
        { "get_membership", T.SALES }, { "delete_membership", T.SALES },
        { "remove_number", T.SALES, T.MAIN }, { "get_phone_number", T.MAIN },
        { "find_phone_number", "+15551230001" },
      } do
        local r, err = c[call[1]](c, select(2, unpack(call)))
        assert.is_nil(r, call[1])
        check_error(err, "closed")
      end
      check_error(raises(function() return c:list_number_groups() end), "closed")
      check_error(raises(function() return c:list_memberships(T.SALES) end), "closed")
      check_error(raises(function() return c:list_phone_numbers() end), "closed")
      assert.equals(0, #T.journal())
    end)

    it("an iterator made before close() raises 'closed' at its next step", function()
      local c = assert(swng.client(T.options()))
      local it = c:list_phone_numbers { page_size = 10 }
      assert(it())
      c:close()
      check_error(raises(it), "closed")
      assert.is_nil(it())
      assert.equals(1, #T.journal())
    end)

    it("an iterator keeps its client alive through a collection", function()
      local it = assert(swng.client(T.options())):list_phone_numbers { page_size = 10 }
      collectgarbage()
      collectgarbage()
      local n = 0
      for _ in it do n = n + 1 end
      assert.equals(67, n)
    end)
  end)
end)
