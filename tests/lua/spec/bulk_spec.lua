-- Batches (create_memberships, remove_numbers: blocking, on a loop, in a
-- coroutine), sync_memberships and the trace function, against the
-- emulated space. What a batch does is the C core's; these tests check that
-- the Lua face hands it over whole: outcomes by input position, one
-- failure not failing the batch, the 429 pause, the stop after a 401,
-- duplicates, progress, the concurrency bound, and the token never in a
-- trace.
local T = require "testspace"
local swng = require "swng"

local CREATE = "create_number_group_membership"

local function pool(n, from)
  local ids = {}
  for i = 1, n do ids[i] = assert(T.pool[(from or 0) + i], "fixture pool too small").id end
  return ids
end

local function requests(operation, method)
  local out = {}
  for _, e in ipairs(T.journal()) do
    if e.operation == operation and (method == nil or e.method == method) then
      out[#out + 1] = e
    end
  end
  return out
end

local function check_error(err, code)
  assert.is_table(err)
  assert.equals(swng.Error, getmetatable(err))
  assert.equals(code, err.code)
end

local function member_ids()
  local set = {}
  for _, m in ipairs(T.memberships()) do
    set[(m.phone_number_id or m.phone_number.id):lower()] = true
  end
  return set
end

describe("batches", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 10 }))
  end)
  after_each(function() client:close() end)

  it("give one outcome per input, in input order", function()
    local ids = pool(20)
    -- Overlapping requests, so that they finish out of order.
    T.fault { mode = "delay", seconds = 0.2, count = 5, operation = CREATE }
    local values, errors = client:create_memberships(T.SALES, ids, { concurrency = 8 })
    assert.is_table(values)
    assert.same({}, errors)
    assert.equals(#ids, #values)
    for i, id in ipairs(ids) do
      assert.is_table(values[i])
      assert.equals(id, values[i].phone_number.id)
      assert.equals(T.SALES, values[i].number_group_id)
      assert.is_false(values[i].existed)
    end
    -- removes: true per item, in order
    local removed, rerrors = client:remove_numbers(T.SALES, ids)
    assert.same({}, rerrors)
    assert.equals(#ids, #removed)
    for i = 1, #ids do assert.is_true(removed[i]) end
    assert.same({}, T.memberships())
  end)

  it("keep going past a failed item (partial failure)", function()
    local ids = { T.MAIN, T.UNKNOWN_UUID, "not-a-uuid", T.ZURICH }
    local values, errors = client:create_memberships(T.SALES, ids)
    assert.equals(4, #values)
    assert.is_table(values[1])
    assert.is_false(values[2])
    assert.is_false(values[3])
    assert.is_table(values[4])
    assert.is_nil(errors[1])
    check_error(errors[2], "validation")
    assert.equals(422, errors[2].http_status)
    check_error(errors[3], "invalid_argument") -- nothing sent for it
    assert.equals("phone_number_id", errors[3].option)
    assert.is_nil(errors[4])
    assert.equals(3, #requests(CREATE, "POST"))
    -- removes: a number not in the group is its not_found
    local removed, rerrors = client:remove_numbers(T.SALES, { T.MAIN, T.SPARE })
    assert.is_true(removed[1])
    assert.is_false(removed[2])
    check_error(rerrors[2], "not_found")
    -- if_exists = "return": a number already there is its membership
    values, errors = client:create_memberships(T.SALES, { T.ZURICH }, { if_exists = "return" })
    assert.same({}, errors)
    assert.is_true(values[1].existed)
    assert.equals(values[1].id, T.memberships()[1].id)
  end)

  it("fail as a whole only for what is refused before sending", function()
    local v, err = client:create_memberships("nope", { T.MAIN })
    assert.is_nil(v)
    check_error(err, "invalid_argument")
    assert.equals("number_group_id", err.option)
    v, err = client:create_memberships(T.SALES, { T.MAIN }, { concurrency = 65 })
    assert.is_nil(v)
    check_error(err, "invalid_argument")
    v, err = client:create_memberships(T.SALES, { T.MAIN }, { concurrency = -1 })
    assert.is_nil(v)
    check_error(err, "invalid_argument")
    v, err = client:create_memberships(T.SALES, { T.MAIN }, { if_exists = "maybe" })
    assert.is_nil(v)
    check_error(err, "invalid_argument")
    assert.same({}, requests(CREATE))
    -- wrong Lua types raise
    assert.has_error(function() client:create_memberships(T.SALES, "x") end)
    assert.has_error(function() client:create_memberships(T.SALES, { 1 }) end)
    assert.has_error(function() client:remove_numbers(T.SALES, {}, { if_exists = "return" }) end)
    -- an empty batch
    local values, errors = client:create_memberships(T.SALES, {})
    assert.same({}, values)
    assert.same({}, errors)
    client:close()
    v, err = client:create_memberships(T.SALES, { T.MAIN })
    assert.is_nil(v)
    check_error(err, "closed")
  end)

  it("pause the whole batch on a 429 and then succeed", function()
    T.fault { mode = "status", status = 429, retry_after = "1", count = 1, operation = CREATE }
    local ids = pool(6)
    local values, errors = client:create_memberships(T.SALES, ids, { concurrency = 1 })
    assert.same({}, errors)
    for i, id in ipairs(ids) do assert.equals(id, values[i].phone_number.id) end
    local posts = requests(CREATE, "POST")
    assert.equals(7, #posts)
    assert.equals(429, posts[1].status)
    -- the same item again, at least Retry-After later
    assert.equals(posts[1].body, posts[2].body)
    assert.is_true(posts[2].time - posts[1].time >= 1.0,
                   "sent again after " .. (posts[2].time - posts[1].time) .. " s")
  end)

  it("stop after an authentication failure: the rest is skipped", function()
    T.fault { mode = "status", status = 401, count = 1, operation = CREATE }
    local ids = pool(5)
    local values, errors = client:create_memberships(T.SALES, ids, { concurrency = 1 })
    assert.is_false(values[1])
    check_error(errors[1], "authentication")
    for i = 2, 5 do
      assert.is_false(values[i])
      check_error(errors[i], "skipped")
      assert.is_nil(errors[i].duplicate_of) -- not attempted, not a duplicate
    end
    assert.equals(1, #requests(CREATE, "POST"))
  end)

  it("look E.164 numbers up inside the batch", function()
    local values, errors = client:create_memberships(T.SALES, { "+15551230001", "+19995550000", T.MAIN },
                                                     { concurrency = 1 })
    assert.equals(T.MAIN, values[1].phone_number.id)
    check_error(errors[2], "not_found")
    check_error(errors[3], "skipped")
    assert.equals(1, errors[3].duplicate_of)
    values, errors = client:remove_numbers(T.SALES, { "+15551230001" })
    assert.is_true(values[1])
    assert.same({}, errors)
  end)

  it("send a duplicate once and skip the others", function()
    local ids = { T.MAIN, T.ZURICH, T.MAIN:upper(), T.MAIN }
    local values, errors = client:create_memberships(T.SALES, ids)
    assert.is_table(values[1])
    assert.is_table(values[2])
    for _, i in ipairs { 3, 4 } do
      assert.is_false(values[i])
      check_error(errors[i], "skipped")
      assert.equals(1, errors[i].duplicate_of) -- the position (from 1) of the one sent
    end
    assert.equals(2, #requests(CREATE, "POST"))
  end)

  it("report progress and each item as it finishes", function()
    local ids = { T.MAIN, T.UNKNOWN_UUID, T.ZURICH }
    local progress, items = {}, {}
    local values = client:create_memberships(T.SALES, ids, {
      progress = function(done, pushed) progress[#progress + 1] = { done, pushed } end,
      on_item = function(i, value, err) items[i] = { value = value, err = err } end,
    })
    assert.same({ { 1, 3 }, { 2, 3 }, { 3, 3 } }, progress)
    assert.equals(values[1], items[1].value)
    assert.is_nil(items[2].value)
    check_error(items[2].err, "validation")
    assert.equals(values[3], items[3].value)
    -- an error raised by progress cancels the rest and propagates
    T.reset()
    T.fault { mode = "delay", seconds = 0.3, count = -1, operation = CREATE }
    local ok, msg = pcall(client.create_memberships, client, T.SALES, pool(6),
                          { concurrency = 1, progress = function() error("stop here") end })
    assert.is_false(ok)
    assert.matches("stop here", tostring(msg))
    assert.is_true(#requests(CREATE, "POST") < 6)
  end)

  it("keep at most `concurrency` requests in flight", function()
    T.fault { mode = "delay", seconds = 0.25, count = -1, operation = CREATE }
    local ids = pool(12)
    local values, errors = client:create_memberships(T.SALES, ids, { concurrency = 3 })
    assert.same({}, errors)
    assert.equals(12, #values)
    local stats = T.control("GET", "stats")
    assert.is_true(stats.peak_in_flight <= 3, "peak " .. stats.peak_in_flight)
    assert.is_true(stats.peak_in_flight >= 2, "no overlap: peak " .. stats.peak_in_flight)
  end)
end)

describe("batches on a loop", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 10 }))
  end)
  after_each(function() client:close() end)

  it("call back each item and then the whole outcome", function()
    local loop = assert(client:loop())
    local ids = { T.MAIN, T.UNKNOWN_UUID, T.ZURICH, T.MAIN }
    local items, got = {}, nil
    local batch = loop:create_memberships(T.SALES, ids, {
      concurrency = 2,
      on_item = function(i, value, err) items[#items + 1] = { i, value ~= nil, err and err.code } end,
    }, function(values, errors) got = { values = values, errors = errors } end)
    assert.equals(swng.Batch, getmetatable(batch))
    assert.is_nil(got) -- never from inside the start
    assert.is_false(batch:done())
    loop:run()
    assert.is_true(batch:done())
    assert.is_table(got)
    assert.equals(4, #got.values)
    assert.equals(ids[1], got.values[1].phone_number.id)
    assert.equals(ids[3], got.values[3].phone_number.id)
    check_error(got.errors[2], "validation")
    check_error(got.errors[4], "skipped")
    assert.equals(4, #items)
    local seen = {}
    for _, it in ipairs(items) do seen[it[1]] = it end
    assert.same({ 1, true }, { seen[1][1], seen[1][2] })
    assert.equals("validation", seen[2][3])
    -- removes on the loop, in the coroutine form
    local aclient = loop:async_client()
    local values, errors = loop:run(function()
      return aclient:remove_numbers(T.SALES, { T.MAIN, T.ZURICH, T.SPARE })
    end)
    assert.same({ true, true, false }, values)
    check_error(errors[3], "not_found")
    assert.same({}, T.memberships())
    loop:close()
  end)

  it("run beside other requests and can be cancelled", function()
    T.fault { mode = "delay", seconds = 0.3, count = -1, operation = CREATE }
    local loop = assert(client:loop())
    local got, group
    local ids = pool(6)
    local batch = loop:create_memberships(T.SALES, ids, { concurrency = 1 },
                                          function(values, errors) got = { values, errors } end)
    loop:get_number_group(T.SALES, function(g) group = g end)
    while got == nil and group == nil do loop:wait(50) end
    while got == nil and #requests(CREATE) < 1 do loop:wait(50) end
    batch:cancel()
    loop:run()
    assert.is_table(got)
    assert.is_table(group)
    local cancelled = 0
    for i = 1, #ids do
      if got[2][i] then
        check_error(got[2][i], "cancelled")
        cancelled = cancelled + 1
      end
    end
    assert.is_true(cancelled >= 4, cancelled .. " cancelled")
    loop:close()
  end)

  it("yield in the coroutine form until the batch is done", function()
    local loop = assert(client:loop())
    local aclient = loop:async_client()
    local ids = pool(5)
    local steps = 0
    local values, errors = loop:run(function()
      return aclient:create_memberships(T.SALES, ids, { progress = function() steps = steps + 1 end })
    end)
    assert.same({}, errors)
    assert.equals(5, steps)
    for i, id in ipairs(ids) do assert.equals(id, values[i].phone_number.id) end
    local v, err = loop:run(function() return aclient:create_memberships("bad", ids) end)
    assert.is_nil(v)
    check_error(err, "invalid_argument")
    assert.has_error(function() aclient:create_memberships(T.SALES, ids) end) -- not in a coroutine
    loop:close()
  end)

  it("end as cancelled when the loop is closed", function()
    T.fault { mode = "delay", seconds = 0.3, count = -1, operation = CREATE }
    local loop = assert(client:loop())
    local got
    loop:create_memberships(T.SALES, pool(4), { concurrency = 1 },
                            function(values, errors) got = { values, errors } end)
    loop:step()
    loop:close()
    assert.is_table(got)
    for i = 1, 4 do check_error(got[2][i], "cancelled") end
  end)
end)

describe("sync_memberships", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 10 }))
  end)
  after_each(function() client:close() end)

  it("plans, applies, and then plans no change", function()
    assert(client:create_memberships(T.SALES, { T.MAIN, T.SPARE }))
    local want = { T.MAIN, T.ZURICH, T.ZURICH, T.pool[1].id }
    local dry = assert(client:sync_memberships(T.SALES, want, { dry_run = true }))
    assert.same({ T.ZURICH, T.pool[1].id }, dry.to_add)
    assert.same({ T.SPARE }, dry.to_remove)
    assert.equals(1, dry.kept)
    assert.is_nil(dry.added)
    assert.is_nil(member_ids()[T.ZURICH]) -- nothing was sent
    local res = assert(client:sync_memberships(T.SALES, want, { concurrency = 2 }))
    assert.same(dry.to_add, res.to_add)
    assert.same(dry.to_remove, res.to_remove)
    assert.equals(2, #res.added)
    assert.equals(T.ZURICH, res.added[1].phone_number.id)
    assert.same({}, res.added_errors)
    assert.same({ true }, res.removed)
    assert.same({}, res.removed_errors)
    local now = member_ids()
    assert.is_true(now[T.MAIN:lower()] and now[T.ZURICH:lower()] and now[T.pool[1].id:lower()])
    assert.is_nil(now[T.SPARE:lower()])
    local again = assert(client:sync_memberships(T.SALES, want))
    assert.same({}, again.to_add)
    assert.same({}, again.to_remove)
    assert.equals(3, again.kept)
    assert.same({}, again.added)
    assert.same({}, again.removed)
  end)

  it("refuses a plan with a malformed id, sending nothing", function()
    local res, err = client:sync_memberships(T.SALES, { T.MAIN, "nope" })
    assert.is_nil(res)
    check_error(err, "invalid_argument")
    assert.same({}, T.journal())
    assert.has_error(function() client:sync_memberships(T.SALES, { T.MAIN }, { dryrun = true }) end)
  end)
end)

describe("sync_memberships on a loop", function()
  local client
  before_each(function()
    -- (A delayed request of an earlier test, whose client has gone, must
    -- not land in this one's group.)
    local deadline = os.time() + 15
    while T.control("GET", "stats").in_flight > 0 and os.time() < deadline do T.sleep(0.05) end
    T.reset()
    client = assert(swng.client(T.options { timeout = 10 }))
  end)
  after_each(function() client:close() end)

  local function methods()
    local out = {}
    for _, e in ipairs(T.journal()) do out[#out + 1] = e.method end
    return out
  end

  it("plans, applies and then plans no change, with callbacks", function()
    assert(client:create_memberships(T.SALES, { T.MAIN, T.SPARE }))
    T.clear_journal()
    local loop = assert(client:loop())
    local want = { T.MAIN, T.ZURICH, T.ZURICH, T.pool[1].id }
    local dry, derr
    local h = loop:sync_memberships(T.SALES, want, { dry_run = true },
                                    function(t, err) dry, derr = t, err end)
    assert.equals(swng.Request, getmetatable(h))
    assert.is_nil(dry) -- never from inside the start
    assert.is_false(h:done())
    loop:run()
    assert.is_true(h:done())
    assert.is_nil(derr)
    assert.same({ T.ZURICH, T.pool[1].id }, dry.to_add)
    assert.same({ T.SPARE }, dry.to_remove)
    assert.equals(1, dry.kept)
    assert.is_nil(dry.added)
    assert.same({ "GET" }, methods()) -- a dry run only reads the group
    local res
    loop:sync_memberships(T.SALES, want, { concurrency = 2 }, function(t) res = t end)
    loop:run()
    local blocking_shape = { "added", "added_errors", "kept", "removed", "removed_errors",
                             "to_add", "to_remove" }
    local keys = {}
    for k in pairs(res) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.same(blocking_shape, keys)
    assert.same(dry.to_add, res.to_add)
    assert.equals(2, #res.added)
    assert.equals(T.ZURICH, res.added[1].phone_number.id)
    assert.equals(T.pool[1].id, res.added[2].phone_number.id)
    assert.same({}, res.added_errors)
    assert.same({ true }, res.removed)
    assert.same({}, res.removed_errors)
    local now = member_ids()
    assert.is_true(now[T.MAIN:lower()] and now[T.ZURICH:lower()] and now[T.pool[1].id:lower()])
    assert.is_nil(now[T.SPARE:lower()])
    local again
    loop:sync_memberships(T.SALES, want, function(t) again = t end) -- no options
    loop:run()
    assert.same({}, again.to_add)
    assert.same({}, again.to_remove)
    assert.equals(3, again.kept)
    assert.same({}, again.added)
    assert.same({}, again.removed)
    loop:close()
  end)

  it("gives in the coroutine form what the blocking form gives", function()
    local ids = pool(6)
    local function fresh()
      T.reset()
      assert(client:create_memberships(T.SALES, { ids[1], ids[2], ids[3] }))
    end
    local want = { ids[3], ids[4], ids[5], ids[6], ids[4] }
    fresh()
    local blocking = assert(client:sync_memberships(T.SALES, want, { concurrency = 3 }))
    local after = member_ids()
    fresh()
    local loop = assert(client:loop())
    local aclient = loop:async_client()
    local res = assert(loop:run(function()
      return aclient:sync_memberships(T.SALES, want, { concurrency = 3 })
    end))
    assert.same(after, member_ids())
    assert.same(blocking.to_add, res.to_add)
    table.sort(blocking.to_remove)
    table.sort(res.to_remove)
    assert.same(blocking.to_remove, res.to_remove)
    assert.equals(blocking.kept, res.kept)
    for i = 1, #blocking.added do
      assert.equals(blocking.added[i].phone_number.id, res.added[i].phone_number.id)
    end
    assert.same(blocking.removed, res.removed)
    assert.same({ true, true }, res.removed)
    loop:close()
  end)

  it("refuses before sending what the blocking form refuses", function()
    local loop = assert(client:loop())
    local aclient = loop:async_client()
    local cb = function() error("not called") end
    local h, err = loop:sync_memberships(T.SALES, { T.MAIN, "nope" }, cb)
    assert.is_nil(h)
    check_error(err, "invalid_argument")
    h, err = loop:sync_memberships(T.SALES .. "\0", { T.MAIN }, cb)
    check_error(err, "invalid_argument")
    h, err = loop:sync_memberships(T.SALES, { T.MAIN }, { concurrency = -1 }, cb)
    check_error(err, "invalid_argument")
    local res, cerr = loop:run(function() return aclient:sync_memberships("bad", { T.MAIN }) end)
    assert.is_nil(res)
    check_error(cerr, "invalid_argument")
    assert.same({}, T.journal())
    assert.has_error(function() loop:sync_memberships(T.SALES, { T.MAIN }, { dryrun = true }, cb) end)
    assert.has_error(function() loop:sync_memberships(T.SALES, { 1 }, cb) end)
    assert.has_error(function() loop:sync_memberships(T.SALES, { T.MAIN }) end) -- no callback
    assert.has_error(function() aclient:sync_memberships(T.SALES, { T.MAIN }) end) -- no coroutine
    -- The plan's read fails as the blocking one's; a concurrency out of
    -- the core's range is refused after the read, before any change.
    res, cerr = loop:run(function() return aclient:sync_memberships(T.UNKNOWN_UUID, { T.MAIN }) end)
    assert.is_nil(res)
    check_error(cerr, "not_found")
    res, cerr = loop:run(function()
      return aclient:sync_memberships(T.SALES, { T.MAIN }, { concurrency = 65 })
    end)
    assert.is_nil(res)
    check_error(cerr, "invalid_argument")
    assert.same({ "GET", "GET" }, methods())
    loop:close()
  end)

  it("can be cancelled during its batches, and the loop goes on", function()
    local ids = pool(8)
    local gone = pool(2, 8)
    assert(client:create_memberships(T.SALES, gone))
    T.fault { mode = "delay", seconds = 0.3, count = -1, operation = CREATE }
    T.clear_journal()
    local loop = assert(client:loop())
    local got
    local h = loop:sync_memberships(T.SALES, ids, { concurrency = 1 }, function(t, err)
      got = { t, err }
    end)
    while #requests(CREATE) < 1 do loop:wait(50) end
    local posts = #requests(CREATE)
    h:cancel()
    loop:run()
    assert.is_true(h:done())
    local t = got[1]
    assert.is_nil(got[2])
    assert.equals(8, #t.added)
    assert.equals(2, #t.removed)
    local cancelled = 0
    for i = 1, 8 do
      if t.added_errors[i] then
        check_error(t.added_errors[i], "cancelled")
        cancelled = cancelled + 1
      end
    end
    assert.is_true(cancelled >= 7, cancelled .. " cancelled")
    for i = 1, 2 do check_error(t.removed_errors[i], "cancelled") end
    T.control("DELETE", "faults")
    local group
    loop:get_number_group(T.SALES, function(g) group = g end)
    loop:run()
    assert.equals(T.SALES, group.id)
    assert.is_true(#requests(CREATE) <= posts + 1)
    for _, m in ipairs(methods()) do assert.not_equals("DELETE", m) end
    loop:close()
  end)

  it("can be cancelled during its read, or by closing the loop", function()
    T.fault { mode = "delay", seconds = 2, count = 1 }
    local loop = assert(client:loop())
    local got
    local h = loop:sync_memberships(T.SALES, { T.MAIN }, function(t, err) got = { t, err } end)
    repeat loop:wait(10) until #T.journal() > 0
    local t0 = os.time()
    h:cancel()
    loop:run()
    -- At once: the read's transfer ends, its answer (2 s away) is not
    -- awaited (whole seconds: at most 1, never 2).
    assert.is_true(os.time() - t0 <= 1)
    assert.is_nil(got[1])
    check_error(got[2], "cancelled")
    T.wait_journal(1) -- (the server's delayed answer, before the next test)
    T.fault { mode = "delay", seconds = 0.3, count = -1, operation = CREATE }
    got = nil
    loop:sync_memberships(T.SALES, pool(4), { concurrency = 1 }, function(t, err) got = { t, err } end)
    while #requests(CREATE) < 1 do loop:wait(50) end
    loop:close()
    assert.is_table(got)
    for i = 1, 4 do
      if got[1].added_errors[i] then check_error(got[1].added_errors[i], "cancelled") end
    end
    check_error(got[1].added_errors[4], "cancelled")
    assert.is_true(loop:is_closed())
  end)
end)

describe("the trace function", function()
  before_each(function() T.reset() end)

  it("gets one table per attempt and never the token", function()
    local traces = {}
    local client = assert(swng.client(T.options {
      max_retries = 1, retry_base = 0.01,
      trace = function(t) traces[#traces + 1] = t end,
    }))
    T.fault { mode = "status", status = 503, count = 1, operation = CREATE,
              headers = { ["X-Request-Id"] = "echo-" .. T.token } }
    assert(client:create_membership(T.SALES, T.MAIN))
    assert.equals(2, #traces)
    local a, b = traces[1], traces[2]
    assert.equals("POST", a.method)
    assert.equals("/api/relay/rest/number_groups/" .. T.SALES .. "/number_group_memberships", a.path)
    assert.equals(503, a.http_status)
    assert.equals("server", a.code)
    assert.equals(0, a.attempt)
    assert.is_number(a.seconds)
    assert.is_true(a.seconds >= 0)
    assert.is_string(a.request_id)
    assert.equals(200, b.http_status)
    assert.equals("ok", b.code)
    assert.equals(1, b.attempt)
    assert.equals(T.journal()[2].request_id, b.request_id)
    for _, t in ipairs(traces) do
      for k, v in pairs(t) do
        assert.is_nil(tostring(v):find(T.token, 1, true), k .. " holds the token")
      end
    end
    -- the echo reached the trace, cleaned by the core
    assert.is_truthy(a.request_id:find("echo-", 1, true))
    assert.is_nil(a.request_id:find(T.token, 1, true))
    -- batches, loops and lists are traced too; set_trace(nil) stops it
    traces = {}
    client:create_memberships(T.SALES, { T.ZURICH, T.SPARE })
    assert.equals(2, #traces)
    traces = {}
    local loop = assert(client:loop())
    loop:get_number_group(T.SALES, function() end)
    loop:run()
    assert.equals(1, #traces)
    assert.equals("GET", traces[1].method)
    loop:close()
    assert.is_true(client:set_trace(nil))
    traces = {}
    assert(client:get_number_group(T.SALES))
    assert.same({}, traces)
    client:close()
    local ok, err = client:set_trace(function() end)
    assert.is_nil(ok)
    check_error(err, "closed")
  end)

  it("drops what the trace function raises, refuses swng calls and yields in it", function()
    local client = assert(swng.client(T.options()))
    local calls, inner = 0, nil
    assert.is_true(client:set_trace(function()
      calls = calls + 1
      inner = { pcall(client.get_number_group, client, T.SALES) }
      error("boom")
    end))
    local g, err = client:get_number_group(T.SALES)
    assert.is_nil(err)
    assert.equals(T.SALES, g.id)
    assert.equals(1, calls)
    assert.is_false(inner[1])
    assert.matches("trace function must not call swng", tostring(inner[2]))
    assert.equals(1, #T.journal()) -- the inner call sent nothing
    -- a yield from the trace function (in the coroutine form) is refused
    -- and the coroutine carries on
    local yielded = nil
    client:set_trace(function() yielded = pcall(coroutine.yield) end)
    local loop = assert(client:loop())
    local aclient = loop:async_client()
    local got = loop:run(function() return aclient:get_number_group(T.SALES) end)
    assert.equals(T.SALES, got.id)
    assert.is_false(yielded)
    loop:close()
    -- a trace function that is not one raises
    assert.has_error(function() client:set_trace(42) end)
    assert.has_error(function() swng.client(T.options { trace = "x" }) end)
    client:close()
  end)
end)
