-- Every row of the error table, against the emulated space: each failure
-- is nil, err with err.code from the C core's table.
local T = require "testspace"
local swng = require "swng"

local function check_error(err, code, http_status)
  assert.is_table(err)
  assert.equals(swng.Error, getmetatable(err))
  assert.equals(code, err.code)
  assert.equals(http_status, err.http_status)   -- nil: there was no response
  if http_status ~= nil then assert.is_true(T.is_integer(err.http_status)) end
  assert.is_string(err.message)
  assert.is_table(err.errors)
  local s = tostring(err)
  assert.matches("^swng: " .. code:gsub("_", "%%_") .. ": ", s)
  assert.is_nil(s:find(T.token, 1, true))
  for _, v in pairs(err) do
    if type(v) == "string" then assert.is_nil(v:find(T.token, 1, true)) end
  end
end

describe("errors", function()
  local client
  before_each(function()
    T.reset()
    -- a new client for each test: a fresh connection
    client = assert(swng.client(T.options { timeout = 5 }))
  end)
  after_each(function() client:close() end)

  it("401 with a wrong token is 'authentication'", function()
    local c = assert(swng.client(T.options { token = "PTwrong-secret-token" }))
    local m, err = c:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "authentication", 401)
    assert.is_nil(tostring(err):find("PTwrong-secret-token", 1, true))
    assert.is_string(err.request_id)
    c:close()
  end)

  it("403 is 'authentication'", function()
    T.fault { mode = "status", status = 403 }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "authentication", 403)
  end)

  it("404 for an unknown group is 'not_found'", function()
    local m, err = client:create_membership(T.UNKNOWN_UUID, T.MAIN)
    assert.is_nil(m)
    check_error(err, "not_found", 404)
    assert.same({}, err.errors)
    assert.is_string(err.request_id)
    assert.matches("Not Found", err.body)
    assert.is_nil(err.retry_after)
  end)

  it("422 (already a member) is 'validation' with the errors items", function()
    assert(client:create_membership(T.SALES, T.MAIN))
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "validation", 422)
    assert.equals(1, #err.errors)
    local item = err.errors[1]
    assert.equals("already_member", item.code)
    assert.equals("422", item.status)
    assert.is_string(item.title)
    assert.is_string(item.detail)
    assert.truthy(item.detail:find(T.MAIN, 1, true))
  end)

  it("422 (unknown phone number) is 'validation'", function()
    local _, err = client:create_membership(T.SALES, T.UNKNOWN_UUID)
    check_error(err, "validation", 422)
    assert.equals("phone_number_not_found", err.errors[1].code)
  end)

  it("429 is 'rate_limited' with retry_after as an integer", function()
    T.fault { mode = "status", status = 429, retry_after = "7" }
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "rate_limited", 429)
    assert.equals(7, err.retry_after)
    assert.is_true(T.is_integer(err.retry_after))
  end)

  it("429 with an HTTP-date Retry-After", function()
    T.fault { mode = "status", status = 429, retry_after = "Thu, 01 Jan 1970 00:00:00 GMT" }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "rate_limited", 429)
    assert.equals(0, err.retry_after)   -- a date in the past: retry now
  end)

  it("429 without Retry-After has retry_after nil", function()
    T.fault { mode = "status", status = 429 }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "rate_limited", 429)
    assert.is_nil(err.retry_after)
  end)

  for _, status in ipairs({ 500, 502, 503, 504 }) do
    it(status .. " is 'server'", function()
      T.fault { mode = "status", status = status, retry_after = status == 503 and "3" or nil }
      local m, err = client:create_membership(T.SALES, T.MAIN)
      assert.is_nil(m)
      check_error(err, "server", status)
      assert.is_string(err.request_id)
      if status == 503 then assert.equals(3, err.retry_after) end
    end)
  end

  it("a real 500 from the server's handler is 'server'", function()
    T.fault { mode = "exception" }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "server", 500)
    assert.matches("Internal Server Error", err.body)
  end)

  it("an HTML 502 page is 'server', its body kept", function()
    T.fault { mode = "html", status = 502 }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "server", 502)
    assert.matches("<h1>502 Bad Gateway</h1>", err.body)
  end)

  it("a delay longer than the timeout is 'timeout'", function()
    T.fault { mode = "delay", seconds = 1.5 }
    local c = assert(swng.client(T.options { timeout = 0.2 }))
    local t0 = os.time()
    local m, err = c:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "timeout", nil)
    assert.is_true(os.time() - t0 <= 1)
    c:close()
    T.wait_journal(1)
  end)

  it("a stalled body past the timeout is 'timeout'", function()
    T.fault { mode = "stall", seconds = 1.5 }
    local c = assert(swng.client(T.options { timeout = 0.5 }))
    local _, err = c:create_membership(T.SALES, T.MAIN)
    assert.equals("timeout", err.code)
    c:close()
    T.wait_journal(1)
  end)

  it("a closed connection is 'transport'", function()
    T.fault { mode = "close", count = 2 }
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "transport", nil)
  end)

  it("a truncated body is 'transport'", function()
    T.fault { mode = "truncate" }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    assert.equals("transport", err.code)
  end)

  it("nothing listening is 'transport'", function()
    -- port 9 (discard) on loopback: nothing listens there in the test env
    local c = assert(swng.client(T.options { base_url = "http://127.0.0.1:9" }))
    local _, err = c:create_membership(T.SALES, T.MAIN)
    check_error(err, "transport", nil)
    c:close()
  end)

  it("malformed JSON in a 200 is 'protocol'", function()
    T.fault { mode = "malformed" }
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    check_error(err, "protocol", 200)
  end)

  it("a 200 body missing required fields is 'protocol'", function()
    T.fault { mode = "body", body = '{"id": "x"}' }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "protocol", 200)
  end)

  it("a redirect is 'protocol' (not followed)", function()
    T.fault { mode = "redirect" }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    check_error(err, "protocol", 302)
  end)

  it("an oversized body is 'protocol'", function()
    T.fault { mode = "oversize" }
    local _, err = client:create_membership(T.SALES, T.MAIN)
    assert.equals("protocol", err.code)
  end)
end)

describe("retries", function()
  before_each(function() T.reset() end)

  it("max_retries retries a 503 and succeeds", function()
    T.fault { mode = "status", status = 503, retry_after = "0" }
    local c = assert(swng.client(T.options { max_retries = 2, retry_base = 0.01 }))
    local m, err = c:create_membership(T.SALES, T.MAIN)
    assert.is_nil(err)
    assert.equals(200, m.http_status)
    assert.equals(2, #T.journal())
    c:close()
  end)

  it("max_retries retries a 429 and succeeds", function()
    T.fault { mode = "status", status = 429, retry_after = "0", count = 2 }
    local c = assert(swng.client(T.options { max_retries = 2, retry_base = 0.01, retry_max = 0.05 }))
    assert(c:create_membership(T.SALES, T.MAIN))
    assert.equals(3, #T.journal())
    c:close()
  end)

  it("a 500 is not retried", function()
    T.fault { mode = "status", status = 500 }
    local c = assert(swng.client(T.options { max_retries = 2, retry_base = 0.01 }))
    local _, err = c:create_membership(T.SALES, T.MAIN)
    assert.equals("server", err.code)
    assert.equals(1, #T.journal())
    c:close()
  end)

  it("without max_retries nothing is retried", function()
    T.fault { mode = "status", status = 503 }
    local c = assert(swng.client(T.options()))
    local _, err = c:create_membership(T.SALES, T.MAIN)
    assert.equals("server", err.code)
    assert.equals(1, #T.journal())
    c:close()
  end)
end)

describe("client options rejected by the core", function()
  before_each(function() T.reset() end)

  local cases = {
    { "a base URL that is not http(s)", { base_url = "ftp://127.0.0.1" }, "base_url" },
    { "plain http to a non-loopback host", { base_url = "http://example.com" }, "" },
    { "a base URL with a path", { base_url = "http://127.0.0.1:1/api" }, "" },
    { "a project id with ':'", { project_id = "a:b" }, "project" },
    { "a token with CR/LF", { token = "abc\r\ndef" }, "token" },
    { "a negative timeout", { timeout = -1 }, "" },
    { "a negative connect timeout", { connect_timeout = -0.5 }, "" },
    -- One rule for every number, the core's (the same rows as Python's and
    -- the command's parity test): 0, NaN, infinities and huge values are
    -- invalid, as is a non-integral or out-of-range max_retries.
    { "a zero timeout", { timeout = 0 }, "^timeout must be a positive number of seconds" },
    { "a NaN timeout", { timeout = 0 / 0 }, "^timeout must be" },
    { "an infinite timeout", { timeout = math.huge }, "^timeout must be" },
    { "a huge retry_max", { retry_max = 1e300 }, "^retry_max must be" },
    { "a non-integral max_retries", { max_retries = 1.5 }, "^max_retries must be a whole number" },
    { "max_retries over 100", { max_retries = 101 }, "^max_retries must be a whole number" },
    { "a refused header name", { headers = { Authorization = "Basic x" } }, "" },
    { "a header with CR/LF", { headers = { ["X-A"] = "1\r\nX-B: 2" } }, "" },
    { "a malformed header line", { headers = { "no colon here" } }, "" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " gives nil, invalid_argument", function()
      local client, err = swng.client(T.options(c[2]))
      assert.is_nil(client)
      check_error(err, "invalid_argument", nil)
      assert.matches(c[3], err.message)
    end)
  end

  it("options the binding must check itself give invalid_argument too", function()
    for _, o in ipairs({ { token = "abc\0def" }, { base_url = T.base_url .. "\0" },
                         { headers = { ["X-A"] = "1\0" } }, { headers = { "X-A: \0" } },
                         { max_retries = -1 }, { max_retries = 2 ^ 32 } }) do
      local client, err = swng.client(T.options(o))
      assert.is_nil(client)
      check_error(err, "invalid_argument", nil)
    end
  end)

  it("missing credentials give invalid_argument", function()
    local out, ok = T.run_child([[
      local swng = require "swng"
      local c, err = swng.client{ base_url = "http://127.0.0.1:1" }
      io.write(tostring(c), " ", err.code, " ", err.message)
    ]])
    assert.is_true(ok, out)
    assert.matches("^nil invalid_argument project_id", out)
  end)

  it("missing values come from the SIGNALWIRE_* environment (read by the core)", function()
    local out, ok = T.run_child(([[
      local swng = require "swng"
      local c = assert(swng.client())
      local m = assert(c:create_membership(%q, %q))
      io.write(c:project_id(), " ", c:base_url(), " ", m.phone_number.name)
    ]]):format(T.SALES, T.MAIN), {
      SIGNALWIRE_PROJECT_ID = T.project_id,
      SIGNALWIRE_API_TOKEN = T.token,
      SIGNALWIRE_REST_BASE_URL = T.base_url,
    })
    assert.is_true(ok, out)
    assert.equals(T.project_id .. " " .. T.base_url .. " Main line", out)
  end)

  it("explicit options win over the environment", function()
    local out, ok = T.run_child(([[
      local swng = require "swng"
      local c = assert(swng.client{ token = %q })
      local m, err = c:create_membership(%q, %q)
      io.write(err and err.code or "ok")
    ]]):format(T.token, T.SALES, T.MAIN), {
      SIGNALWIRE_PROJECT_ID = T.project_id,
      SIGNALWIRE_API_TOKEN = "wrong-token",
      SIGNALWIRE_REST_BASE_URL = T.base_url,
    })
    assert.is_true(ok, out)
    assert.equals("ok", out)
  end)
end)
