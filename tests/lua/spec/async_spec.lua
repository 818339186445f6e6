-- The non-blocking forms (client:loop(): callbacks; loop:async_client():
-- coroutines) against the emulated space: every operation gives what the
-- blocking method gives (the same tables, the same error tables), lists
-- page through swng_cursor_fetch, cancel sends nothing more, and bad
-- arguments are refused when the request is started.
local T = require "testspace"
local swng = require "swng"
local unpack = table.unpack or unpack

-- A copy of a result or error table without what differs from one
-- response to the next (request_id) and, with `fresh`, without what a new
-- resource gets anew (ids, timestamps, the raw body that holds them).
local FRESH = { id = true, created_at = true, updated_at = true, json = true }
local function strip(v, fresh)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do
    if k ~= "request_id" and not (fresh and FRESH[k]) then out[k] = strip(x, fresh) end
  end
  return out
end

-- Runs one operation with a callback on a fresh loop of client, steps the
-- loop until it calls back, and returns what it called back with.
local function on_loop(client, name, ...)
  local loop = assert(client:loop())
  local got
  local args = { n = select("#", ...) + 1, ... }
  args[args.n] = function(...) got = { n = select("#", ...), ... } end
  local req, err = loop[name](loop, unpack(args, 1, args.n))
  assert(req, tostring(err))
  assert.is_nil(got) -- never from inside the start
  loop:run()
  assert.is_table(got, "no callback")
  assert.is_true(req:done())
  loop:close()
  return unpack(got, 1, got.n)
end

-- Every item of a blocking list.
local function collect(iter)
  local out = {}
  for item in iter do out[#out + 1] = item end
  return out
end

local function requests(operation)
  local out = {}
  for _, e in ipairs(T.journal()) do
    if e.operation == operation then out[#out + 1] = e end
  end
  return out
end

local function check_error(err, code)
  assert.is_table(err)
  assert.equals(swng.Error, getmetatable(err))
  assert.equals(code, err.code)
end

describe("the loop (callbacks)", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 5 }))
  end)
  after_each(function() client:close() end)

  it("exposes a descriptor, a timeout, pending and the metatables", function()
    local loop = assert(client:loop())
    assert.equals(swng.Loop, getmetatable(loop))
    assert.is_true(T.is_integer(loop:fd()))
    assert.is_true(loop:fd() >= 0)
    assert.is_nil(loop:timeout()) -- nothing in flight: no timer
    assert.equals(0, loop:pending())
    local req = loop:get_number_group(T.SALES, function() end)
    assert.equals(swng.Request, getmetatable(req))
    assert.equals(1, loop:pending())
    assert.equals(0, loop:timeout()) -- a new request: step now
    assert.is_false(req:done())
    loop:run()
    assert.equals(0, loop:pending())
    assert.is_true(loop:close())
    assert.is_true(loop:is_closed())
    assert.is_true(loop:close()) -- twice is fine
    local fd, err = loop:fd()
    assert.is_nil(fd)
    check_error(err, "closed")
  end)

  describe("every operation gives what the blocking method gives", function()
    it("get_number_group, get_phone_number, find_number_group, find_phone_number", function()
      local cases = {
        { "get_number_group", T.SALES },
        { "get_phone_number", T.ZURICH },
        { "find_number_group", "Sales" },
        { "find_phone_number", T.numbers["Main line"].number },
      }
      for _, c in ipairs(cases) do
        local want = assert(client[c[1]](client, c[2]))
        local got, err = on_loop(client, c[1], c[2])
        assert.is_nil(err)
        assert.is_nil(getmetatable(got))
        assert.is_string(got.request_id)
        assert.same(strip(want), strip(got))
      end
    end)

    it("create_membership (and if_exists = 'return'), get_membership, delete_membership", function()
      local want = assert(client:create_membership(T.SALES, T.MAIN))
      assert(client:delete_membership(want.id))
      local got = assert(on_loop(client, "create_membership", T.SALES, T.MAIN))
      assert.same(strip(want, true), strip(got, true))
      assert.is_false(got.existed)
      assert.equals(T.MAIN, T.memberships()[1].phone_number_id or T.memberships()[1].phone_number.id)
      -- with the options table
      local again = assert(on_loop(client, "create_membership", T.SALES, T.MAIN, { if_exists = "return" }))
      assert.is_true(again.existed)
      assert.equals(got.id, again.id)
      assert.same(strip(assert(client:get_membership(got.id))),
                  strip(assert(on_loop(client, "get_membership", got.id))))
      local ok, err = on_loop(client, "delete_membership", got.id)
      assert.is_nil(err)
      assert.is_true(ok)
      assert.same({}, T.memberships())
    end)

    it("create_number_group, update_number_group, delete_number_group", function()
      local want = assert(client:create_number_group("Blocking", { sticky_sender = true }))
      local got = assert(on_loop(client, "create_number_group", "Blocking", { sticky_sender = true }))
      assert.same(strip(want, true), strip(got, true))
      assert.is_true(got.sticky_sender)
      local plain = assert(on_loop(client, "create_number_group", "Plain"))
      assert.is_false(plain.sticky_sender)
      local renamed = assert(on_loop(client, "update_number_group", got.id, "Renamed"))
      assert.equals("Renamed", renamed.name)
      assert.is_true(renamed.sticky_sender) -- left as it was
      assert.same(strip(assert(client:get_number_group(got.id))), strip(renamed))
      renamed = assert(on_loop(client, "update_number_group", got.id, "Renamed", { sticky_sender = false }))
      assert.is_false(renamed.sticky_sender)
      assert.is_true(on_loop(client, "delete_number_group", got.id))
      local _, err = client:get_number_group(got.id)
      check_error(err, "not_found")
    end)

    it("remove_number", function()
      assert(client:create_membership(T.SALES, T.SPARE))
      assert.is_true(on_loop(client, "remove_number", T.SALES, T.SPARE))
      assert.same({}, T.memberships())
      local _, err = on_loop(client, "remove_number", T.SALES, T.SPARE)
      local _, want = client:remove_number(T.SALES, T.SPARE)
      check_error(err, "not_found")
      assert.same(strip(want), strip(err))
    end)
  end)

  describe("errors are the blocking method's tables", function()
    it("404", function()
      local _, want = client:get_number_group(T.UNKNOWN_UUID)
      local r, err = on_loop(client, "get_number_group", T.UNKNOWN_UUID)
      assert.is_nil(r)
      check_error(err, "not_found")
      assert.equals(404, err.http_status)
      assert.is_string(err.request_id)
      assert.same(strip(want), strip(err))
    end)

    it("422 with its items", function()
      assert(client:create_membership(T.SALES, T.MAIN))
      local _, want = client:create_membership(T.SALES, T.MAIN)
      local _, err = on_loop(client, "create_membership", T.SALES, T.MAIN)
      check_error(err, "validation")
      assert.equals("already_member", err.errors[1].code)
      assert.same(strip(want), strip(err))
    end)

    it("500, 429 with Retry-After, a dropped connection", function()
      for _, f in ipairs {
        { mode = "status", status = 500 },
        { mode = "status", status = 429, retry_after = "7" },
        { mode = "close", count = 2 },
      } do
        T.fault(f)
        local _, want = client:get_number_group(T.SALES)
        T.fault(f)
        local _, err = on_loop(client, "get_number_group", T.SALES)
        assert.is_table(err)
        assert.same(strip(want), strip(err))
      end
    end)

    it("a closed client closes its loops: requests are refused", function()
      local loop = assert(client:loop())
      local got
      assert(loop:get_number_group(T.SALES, function(...) got = { ... } end))
      client:close()
      -- the request in flight was cancelled and called back
      check_error(got[2], "cancelled")
      assert.is_true(loop:is_closed())
      local r, err = loop:get_number_group(T.SALES, function() error("never") end)
      assert.is_nil(r)
      check_error(err, "closed")
      local _, cerr = client:loop()
      check_error(cerr, "closed")
    end)
  end)

  describe("cancel", function()
    it("before the request is sent: it calls back 'cancelled' and nothing is sent", function()
      local loop = assert(client:loop())
      local got
      local req = assert(loop:get_number_group(T.SALES, function(...) got = { n = select("#", ...), ... } end))
      assert.is_true(req:cancel())
      loop:run()
      assert.is_nil(got[1])
      check_error(got[2], "cancelled")
      assert.is_true(req:done())
      assert.same({}, T.journal())
      loop:close()
    end)

    it("in flight (a 1 s answer): it ends at once and nothing more is sent", function()
      T.fault { mode = "delay", seconds = 1 }
      local loop = assert(client:loop())
      local got
      local req = assert(loop:create_membership(T.SALES, T.MAIN, function(...) got = { ... } end))
      local t0 = os.clock()
      -- step until the request is on the wire, then cancel it
      repeat loop:wait(10) until #T.journal() > 0 or os.clock() - t0 > 2
      req:cancel()
      loop:wait(100)
      assert.is_table(got, "no callback after cancel")
      check_error(got[2], "cancelled")
      assert.equals(0, loop:pending())
      T.wait_journal(1)
      assert.equals(1, #T.journal())
      req:cancel() -- after the end: nothing
      loop:close()
    end)

    it("cancel_all and close call back every request with 'cancelled'", function()
      local loop = assert(client:loop())
      local codes = {}
      for _ = 1, 3 do
        assert(loop:get_number_group(T.SALES, function(_, err) codes[#codes + 1] = err.code end))
      end
      assert.is_true(loop:cancel_all())
      loop:step()
      assert.same({ "cancelled", "cancelled", "cancelled" }, codes)
      codes = {}
      for _ = 1, 2 do
        assert(loop:get_phone_number(T.MAIN, function(_, err) codes[#codes + 1] = err.code end))
      end
      loop:close()
      assert.same({ "cancelled", "cancelled" }, codes)
      assert.same({}, T.journal())
    end)

    it("a list: in flight, or from its page callback", function()
      local loop = assert(client:loop())
      local calls = {}
      local req
      req = assert(loop:list_phone_numbers({ page_size = 10 }, function(items, err)
        calls[#calls + 1] = items and #items or (err and err.code) or "end"
        if items then req:cancel() end
      end))
      loop:run()
      assert.same({ 10, "cancelled" }, calls)
      assert.is_true(req:done())
      assert.equals(1, #requests("list_phone_numbers"))
      calls = {}
      req = assert(loop:list_phone_numbers({ page_size = 10 }, function(items, err)
        calls[#calls + 1] = items and #items or (err and err.code) or "end"
      end))
      req:cancel()
      loop:run()
      assert.same({ "cancelled" }, calls)
      loop:close()
    end)
  end)

  describe("lists page by page", function()
    it("list_phone_numbers: every page, then nil; the same items as the blocking list", function()
      local want = collect(client:list_phone_numbers { page_size = 10 })
      T.clear_journal()
      local loop = assert(client:loop())
      local pages, got, ended = {}, {}, 0
      assert(loop:list_phone_numbers({ page_size = 10 }, function(items, err)
        assert.is_nil(err)
        if items == nil then ended = ended + 1 return end
        pages[#pages + 1] = #items
        for _, p in ipairs(items) do got[#got + 1] = p end
      end))
      loop:run()
      assert.same({ 10, 10, 10, 10, 10, 10, 7 }, pages)
      assert.equals(1, ended)
      assert.same(strip(want), strip(got))
      assert.equals(7, #requests("list_phone_numbers"))
      loop:close()
    end)

    it("list_memberships and list_number_groups with options and filters", function()
      for i = 1, 5 do assert(client:create_membership(T.SUPPORT, T.pool[i].id)) end
      local loop = assert(client:loop())
      local got, groups = {}, {}
      assert(loop:list_memberships(T.SUPPORT, { page_size = 2 }, function(items)
        for _, m in ipairs(items or {}) do got[#got + 1] = m end
      end))
      assert(loop:list_number_groups({ name = "Sal" }, function(items)
        for _, g in ipairs(items or {}) do groups[#groups + 1] = g end
      end))
      loop:run()
      assert.same(strip(collect(client:list_memberships(T.SUPPORT, { page_size = 2 }))), strip(got))
      assert.equals(5, #got)
      assert.same(strip(collect(client:list_number_groups { name = "Sal" })), strip(groups))
      assert.equals(1, #groups)
      loop:close()
    end)

    it("a failing page calls back nil, err (the blocking list's error)", function()
      local loop = assert(client:loop())
      T.fault { mode = "status", status = 500, operation = "list_phone_numbers" }
      local calls = {}
      assert(loop:list_phone_numbers(nil, function(items, err)
        calls[#calls + 1] = { items = items, err = err }
      end))
      loop:run()
      assert.equals(1, #calls)
      assert.is_nil(calls[1].items)
      check_error(calls[1].err, "server")
      T.fault { mode = "status", status = 500, operation = "list_phone_numbers" }
      local ok, want = pcall(function() return collect(client:list_phone_numbers()) end)
      assert.is_false(ok)
      assert.same(strip(want), strip(calls[1].err))
      loop:close()
    end)
  end)

  describe("bad arguments are refused at the start", function()
    it("a malformed value: nil, err, no callback, nothing sent", function()
      local loop = assert(client:loop())
      local called = false
      local cb = function() called = true end
      for _, c in ipairs {
        { "get_number_group", "not-a-uuid", cb },
        { "create_membership", T.SALES, "x", cb },
        { "create_membership", T.SALES, T.MAIN, { if_exists = "sometimes" }, cb },
        { "create_number_group", "", cb },
        { "find_phone_number", "555", cb },
        { "remove_number", "a\0b", T.MAIN, cb },
        { "list_memberships", "nope", cb },
      } do
        local r, err = loop[c[1]](loop, unpack(c, 2))
        assert.is_nil(r, c[1])
        check_error(err, "invalid_argument")
      end
      assert.equals(0, loop:pending())
      loop:run()
      assert.is_false(called)
      assert.same({}, T.journal())
      loop:close()
    end)

    it("a wrong type or a missing callback raises, like the blocking methods", function()
      local loop = assert(client:loop())
      local cb = function() end
      assert.has_error(function() loop:get_number_group(42, cb) end,
        "bad argument #1 to 'get_number_group' (string expected, got number)")
      assert.has_error(function() loop:create_membership(T.SALES, 7, cb) end,
        "bad argument #2 to 'create_membership' (string expected, got number)")
      assert.has_error(function() loop:update_number_group(T.SALES, nil, cb) end,
        "bad argument #2 to 'update_number_group' (string expected, got nil)")
      assert.has_error(function() loop:get_number_group(T.SALES) end,
        "bad argument #2 to 'get_number_group' (function expected, got nil)")
      assert.has_error(function() loop:create_membership(T.SALES, T.MAIN, {}, "cb") end,
        "bad argument #4 to 'create_membership' (function expected, got string)")
      assert.has_error(function() loop:create_membership(T.SALES, T.MAIN, { color = 1 }, cb) end,
        "create_membership: unknown option 'color'")
      assert.has_error(function() loop:list_phone_numbers({ page_size = "10" }, cb) end,
        "list_phone_numbers: option 'page_size' must be a number (got string)")
      assert.has_error(function() loop.step(client) end)
      assert.equals(0, loop:pending())
      loop:close()
    end)
  end)
end)

describe("the coroutine form", function()
  local client, loop, aclient
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 5 }))
    loop = assert(client:loop())
    aclient = loop:async_client()
  end)
  after_each(function() client:close() end)

  it("each call returns what the blocking call returns", function()
    local want_group = assert(client:get_number_group(T.SALES))
    local _, want_err = client:get_number_group(T.UNKNOWN_UUID)
    local results = { loop:run(function()
      local g = aclient:get_number_group(T.SALES)
      local m = aclient:create_membership(T.SALES, T.MAIN, { if_exists = "return" })
      local again = aclient:create_membership(T.SALES, T.MAIN, { if_exists = "return" })
      local none, err = aclient:get_number_group(T.UNKNOWN_UUID)
      local deleted = aclient:delete_membership(m.id)
      return g, m, again, none, err, deleted
    end) }
    assert.same(strip(want_group), strip(results[1]))
    assert.is_false(results[2].existed)
    assert.is_true(results[3].existed)
    assert.is_nil(results[4])
    check_error(results[5], "not_found")
    assert.same(strip(want_err), strip(results[5]))
    assert.is_true(results[6])
    assert.same({}, T.memberships())
  end)

  it("coroutines wait at the same time (two 1 s answers take about 1 s)", function()
    T.fault { mode = "delay", seconds = 1, count = 2 }
    local done = {}
    -- (the name first: done[#done + 1] would pick its index before waiting)
    loop:spawn(function() local n = aclient:get_number_group(T.SALES).name; done[#done + 1] = n end)
    loop:spawn(function() local n = aclient:get_number_group(T.SUPPORT).name; done[#done + 1] = n end)
    assert.equals(2, loop:pending())
    local t0 = os.time()
    loop:run()
    assert.is_true(os.time() - t0 <= 1 + 1) -- whole seconds: about 1 s, never 2+
    table.sort(done)
    assert.same({ "Sales", "Support" }, done)
  end)

  it("the host may step the loop through its descriptor instead of run()", function()
    local name
    loop:spawn(function() name = aclient:find_number_group("Support").name end)
    local deadline = os.time() + 5
    while loop:pending() > 0 and os.time() < deadline do loop:wait(10) end
    assert.equals("Support", name)
  end)

  it("lists page through the loop (a while loop: Lua 5.1 cannot yield in a for iterator)", function()
    local want = collect(client:list_phone_numbers { page_size = 20 })
    T.clear_journal()
    local got = loop:run(function()
      local out = {}
      local it = aclient:list_phone_numbers { page_size = 20 }
      while true do
        local p = it()
        if p == nil then break end
        out[#out + 1] = p
      end
      assert.is_nil(it()) -- after the end
      return out
    end)
    assert.same(strip(want), strip(got))
    assert.equals(4, #requests("list_phone_numbers"))
  end)

  it("a failing list raises the blocking list's error table, then ends", function()
    T.fault { mode = "status", status = 404, operation = "list_number_group_memberships" }
    local it
    local ok, err = pcall(loop.run, loop, function()
      it = aclient:list_memberships(T.SALES)
      it()
      error("no error")
    end)
    assert.is_false(ok)
    check_error(err, "not_found")
    assert.equals(404, err.http_status)
    -- after the error the iterator ends (on Lua 5.2+ and LuaJIT, also
    -- caught inside the coroutine; Lua 5.1 cannot yield through pcall)
    assert.is_nil(loop:run(function() return it() end))
    if _VERSION ~= "Lua 5.1" or jit then
      T.fault { mode = "status", status = 404, operation = "list_number_group_memberships" }
      local e = loop:run(function()
        local it2 = aclient:list_memberships(T.SALES)
        local ok2, e2 = pcall(it2)
        assert.is_false(ok2)
        assert.is_nil(it2())
        return e2
      end)
      check_error(e, "not_found")
    end
  end)

  it("bad arguments: nil, err without waiting; wrong types raise; outside a coroutine raises", function()
    local r = { loop:run(function()
      local a, e1 = aclient:get_number_group("nope")
      local ok, e2 = pcall(aclient.get_number_group, aclient, 42)
      local ok3, e3 = pcall(aclient.list_memberships, aclient, "nope")
      return a, e1, ok, e2, ok3, e3, loop:pending()
    end) }
    assert.is_nil(r[1])
    check_error(r[2], "invalid_argument")
    assert.is_false(r[3])
    assert.matches("bad argument #1 to 'get_number_group' %(string expected, got number%)", r[4])
    assert.is_false(r[5])
    check_error(r[6], "invalid_argument")
    assert.equals(0, r[7])
    assert.has_error(function() aclient:get_number_group(T.SALES) end,
      "get_number_group: call it inside a coroutine (loop:spawn, loop:run)")
    assert.same({}, T.journal())
  end)

  it("an error in a coroutine propagates out of the step that resumed it", function()
    T.fault { mode = "delay", seconds = 0.2 }
    loop:spawn(function()
      aclient:get_number_group(T.SALES)
      error("boom")
    end)
    local ok, err = pcall(loop.run, loop)
    assert.is_false(ok)
    assert.matches("boom", err)
  end)

  it("closing the loop resumes a waiting coroutine with 'cancelled'", function()
    T.fault { mode = "delay", seconds = 1 }
    local got
    loop:spawn(function() got = { aclient:get_number_group(T.SALES) } end)
    loop:close()
    assert.is_nil(got[1])
    check_error(got[2], "cancelled")
    local after
    loop:spawn(function() after = { aclient:get_number_group(T.SALES) } end)
    check_error(after[2], "closed")
  end)
end)
