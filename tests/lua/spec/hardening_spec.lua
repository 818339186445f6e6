-- Hardening (issue 11) as Lua sees it: no credential in any form in an
-- error, valid UTF-8 text cut on characters, strict successful bodies,
-- Retry-After, extreme options and proxies; all decided by the C core.
local T = require "testspace"
local swng = require "swng"

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- Base64 without bit operations (Lua 5.1 has none).
local function b64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = {}
    for k = 3, 0, -1 do
      q[#q + 1] = B64:sub(math.floor(v / 64 ^ k) % 64 + 1, math.floor(v / 64 ^ k) % 64 + 1)
    end
    if not b then q[3] = "=" end
    if not c then q[4] = "=" end
    out[#out + 1] = table.concat(q)
  end
  return table.concat(out)
end

-- True if s is valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
local function utf8_ok(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local k, min
    if c < 0x80 then k = 0
    elseif c >= 0xC2 and c <= 0xDF then k, min = 1, 0x80
    elseif c >= 0xE0 and c <= 0xEF then k, min = 2, 0x800
    elseif c >= 0xF0 and c <= 0xF4 then k, min = 3, 0x10000
    else return false end
    local cp = k == 0 and c or c % (2 ^ (6 - k))
    for j = 1, k do
      local d = s:byte(i + j)
      if not d or d < 0x80 or d > 0xBF then return false end
      cp = cp * 64 + d % 64
    end
    if k > 0 and (cp < min or (cp >= 0xD800 and cp <= 0xDFFF) or cp > 0x10FFFF) then
      return false
    end
    i = i + k + 1
  end
  return true
end

local function texts(err)
  local out = { err.message, tostring(err), err.body or "", err.request_id or "" }
  for _, it in ipairs(err.errors) do
    for _, k in ipairs { "detail", "status", "title", "code" } do out[#out + 1] = it[k] or "" end
  end
  return out
end

describe("hardening", function()
  local client
  before_each(function()
    T.reset()
    client = assert(swng.client(T.options { timeout = 10 }))
  end)
  after_each(function() client:close() end)

  local function call_error(fault)
    assert(T.fault(fault))
    local m, err = client:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    assert.is_table(err)
    return err
  end

  it("never shows the token, JSON-escaped or as Basic credentials", function()
    local escaped = T.token:gsub(".", function(ch) return ("\\u%04x"):format(ch:byte()) end)
    local cred = b64(T.project_id .. ":" .. T.token)
    local body = ('{"errors":[{"detail":"token %s","status":"422","title":"Basic %s","code":"c"}],'
      .. '"echo":"%s"}'):format(escaped, cred, (cred:gsub("/", "\\/")))
    local err = call_error { mode = "status", status = 422, body = body,
                             headers = { ["X-Request-Id"] = "rid-" .. T.token } }
    assert.equals("validation", err.code)
    for _, s in ipairs(texts(err)) do
      assert.is_nil(s:find(T.token, 1, true))
      assert.is_nil(s:find(cred:sub(1, 40), 1, true))
      assert.is_nil(s:find(escaped:sub(1, 30), 1, true))
    end
    assert.equals("rid-***", err.request_id)
  end)

  it("leaves no piece of the token where a limit cuts the text", function()
    local pad = ("a"):rep(640 - #"server error (HTTP 500): " - 10)
    local err = call_error { mode = "status", status = 500,
                             body = ('{"error":"%s%s"}'):format(pad, T.token) }
    for _, s in ipairs(texts(err)) do
      for i = 1, #T.token - 5 do assert.is_nil(s:find(T.token:sub(i, i + 5), 1, true)) end
    end
  end)

  it("replaces invalid UTF-8 and cuts on a character boundary", function()
    local raw = '{"error":"caf\233 \255\254 \237\160\128 ok","x":"\0"}'
    local err = call_error { mode = "status", status = 500, body_base64 = b64(raw) }
    for _, s in ipairs(texts(err)) do assert.is_true(utf8_ok(s), s) end
    assert.truthy(err.message:find("\239\191\189", 1, true))
    err = call_error { mode = "status", status = 500,
                       body = '{"error":"' .. ("\226\152\142"):rep(2000) .. '"}' }
    assert.is_true(#err.message <= 1024)
    assert.is_true(utf8_ok(err.message))
    assert.equals("\226\152\142", err.message:sub(-3))
  end)

  -- A conforming membership body with `name` (JSON text) as the number's
  -- name and `extra` members added: only what is under test breaks it.
  local function membership(name, extra)
    -- (Concatenated: Lua 5.1's %s would stop at a NUL.)
    return '{"id":"' .. T.MAIN .. '","number_group_id":"' .. T.SALES .. '","phone_number":{"id":"'
      .. T.MAIN .. '","name":"' .. name .. '","number":"+15551234567","capabilities":["sms"]},'
      .. (extra or "") .. '"created_at":"2026-11-26T06:40:01Z","updated_at":"2026-11-26T06:40:01Z"}'
  end

  it("refuses 2xx bodies that two JSON readers could read differently", function()
    assert(T.fault { mode = "body", status = 200, body = membership("Main") })
    local m = assert(client:create_membership(T.SALES, T.MAIN))
    assert.equals("Main", m.phone_number.name)
    for _, case in ipairs {
      { "Main", '"id":"00000000-1111-4222-8333-444444444444",' },
      { "Main", '"x":{"k":1,"k":2},' },
      { "Ma\\u0000in" },
      { "Ma\tin" },            -- a raw tab inside a string
    } do
      local err = call_error { mode = "body", status = 200, body = membership(case[1], case[2]) }
      assert.equals("protocol", err.code, case[1])
      assert.equals(200, err.http_status)
    end
    local err = call_error { mode = "body", status = 200, body_base64 = b64(membership("Ma\0in")) }
    assert.equals("protocol", err.code)
  end)

  it("reads a negative or garbage Retry-After as nil, a huge one as large", function()
    for _, v in ipairs { "-5", "soon", "1.5" } do
      local err = call_error { mode = "status", status = 429, retry_after = v }
      assert.equals("rate_limited", err.code)
      assert.is_nil(err.retry_after, v)
    end
    local err = call_error { mode = "status", status = 429, retry_after = "99999999999999999999" }
    assert.is_true(err.retry_after >= 86400)
  end)

  it("takes every numeric option at its extreme without a crash", function()
    local c = assert(swng.client(T.options {
      timeout = 86400, connect_timeout = 86400, retry_base = 86400, retry_max = 86400,
      max_retries = 0 }))
    assert(T.fault { mode = "status", status = 429, retry_after = "99999999999999999999" })
    local m, err = c:create_membership(T.SALES, T.MAIN)
    assert.is_nil(m)
    assert.equals("rate_limited", err.code)
    c:close()
    for _, name in ipairs { "timeout", "connect_timeout", "retry_base", "retry_max" } do
      for _, bad in ipairs { 86400.001, 8589934.59, 1e30, math.huge, -math.huge, 0 / 0 } do
        local c2, e = swng.client(T.options { [name] = bad })
        assert.is_nil(c2)
        assert.equals("invalid_argument", e.code)
        assert.equals(name, e.option)
      end
    end
  end)

  it("checks the proxy option", function()
    for _, p in ipairs { "https://127.0.0.1:3128", "http://u:p@127.0.0.1:1",
                         "socks5://127.0.0.1:1080", "http://127.0.0.1:1/x" } do
      local c, err = swng.client(T.options { proxy = p })
      assert.is_nil(c, p)
      assert.equals("invalid_argument", err.code)
      assert.equals("proxy", err.option)
    end
  end)

  it("ignores http_proxy and ALL_PROXY (and the option) for a loopback space", function()
    -- Port 1 refuses connections: a call through the proxy would fail.
    local out, ok = T.run_child(([[
      local swng = require "swng"
      local c = assert(swng.client{ base_url = %q, project_id = %q, token = %q, timeout = 5 })
      local m, err = c:create_membership(%q, %q)
      io.write(m and "ok" or err.code, " ")
      c = assert(swng.client{ base_url = %q, project_id = %q, token = %q, timeout = 5,
                              proxy = "http://127.0.0.1:1" })
      m, err = c:create_membership(%q, %q)
      io.write(m and "ok" or err.code)
    ]]):format(T.base_url, T.project_id, T.token, T.SALES, T.MAIN,
               T.base_url, T.project_id, T.token, T.SALES, T.SPARE), {
      http_proxy = "http://127.0.0.1:1", HTTP_PROXY = "http://127.0.0.1:1",
      ALL_PROXY = "http://127.0.0.1:1", all_proxy = "http://127.0.0.1:1",
      no_proxy = "", NO_PROXY = "",
    })
    assert.is_true(ok, out)
    assert.equals("ok ok", out)
  end)
end)
