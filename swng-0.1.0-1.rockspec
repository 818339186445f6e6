-- LuaRocks package of the swng Lua module (see README, "Lua: LuaRocks").
--
--     luarocks make                        # from a checkout: build + install
--     luarocks --lua-version=5.1 make      # for 5.1 / LuaJIT, 5.3, 5.4 ...
--     luarocks --lua-version=5.4 make --tree /tmp/rocks
--
-- The build is the project's own CMake build, restricted to the one Lua
-- module for the Lua that LuaRocks targets (its LUA_INCDIR); the module is
-- self-contained (the C core is linked in), needs libcurl and libcjson at
-- run time, and is installed as swng.so in the rock tree. Nothing is
-- downloaded: SWIG (4.0+), CMake (3.25+), a C compiler and the -dev
-- packages of libcurl and libcjson must be installed.
rockspec_format = "3.0"
package = "swng"
version = "0.1.0-1"

source = {
  -- `luarocks make` builds the checkout it is run in; this URL is only
  -- used by `luarocks build`/`install` of a published rock. It is a
  -- placeholder: swng has no public repository yet.
  url = "git+https://github.com/swng/swng.git",
  tag = "v0.1.0",
}

description = {
  summary = "Add a phone number to a SignalWire number group (relay-rest)",
  detailed = [[
swng performs the SignalWire relay-rest operation "Create a Number Group
Membership". The Lua module wraps the same C core (libcurl, cJSON) as the
C library, the Python module and the swng command, so every language sends
the same requests and reports the same errors.

    local swng = require "swng"
    local client = assert(swng.client{ space = "example" })
    local m, err = client:create_membership(group_id, phone_number_id)
]],
  license = "MIT",
  labels = { "signalwire", "telephony", "rest" },
}

dependencies = {
  "lua >= 5.1, < 5.5",
}

-- Checked by library (Debian keeps curl.h under a multiarch include dir
-- that LuaRocks does not search); CMake finds the headers.
external_dependencies = {
  CURL = { library = "curl" },
  CJSON = { library = "cjson" },
}

build = {
  type = "command",
  -- A build directory of its own inside the checkout; only the Lua module
  -- is built (no CLI, no tests), for LuaRocks' Lua.
  build_command = [[
cmake -S . -B build-luarocks -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DSWNG_BUILD_CLI=OFF -DSWNG_BUILD_PYTHON=OFF -DSWNG_BUILD_LUA=ON \
  "-DSWNG_LUA_INCLUDE_DIR=$(LUA_INCDIR)" "-DSWNG_LUA_ROCK_LIBDIR=$(LIBDIR)" &&
cmake --build build-luarocks --target swng_lua_modules
]],
  -- Installs swng.so into the rock's lib directory and nothing else (the C
  -- library, headers and pkg-config files of a full install are left out).
  install_command = [[
cmake --install build-luarocks --component swng_lua_rock
]],
}
