#!/bin/sh
# rock_test.sh SOURCE_DIR WORK_DIR LUA_VERSION... - `luarocks make` as a user
# runs it, offline, on a copy of the checkout (so that no build directory is
# left in the source tree), into a private tree; then each installed module
# is loaded by its interpreter and used against the emulated space (run
# under with_space.py + signalwire_env.sh).
set -eu
src=$1 work=$2; shift 2
rm -rf "$work"
mkdir -p "$work/src"
# The files a checkout has (tracked or not, minus ignored ones and builds).
(cd "$src" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f ! -path './.git/*'; } \
  | grep -v -e '^build' -e '^\./build' | tar -cf - -T -) | tar -xf - -C "$work/src"
cd "$work/src"
group=41148420-0549-49cf-924c-e4a320c8c1e9     # fixture: Sales
for v in "$@"; do
  luarocks --lua-version="$v" make --deps-mode=none --tree "$work/tree" swng-*.rockspec
  test -f "$work/tree/lib/lua/$v/swng.so"
  case $v in 5.1) interps="lua5.1 luajit" ;; *) interps="lua$v" ;; esac
  for lua in $interps; do
    command -v "$lua" >/dev/null || continue
    # the tree's own paths, as `luarocks path` gives them to users
    eval "$(luarocks --lua-version="$v" --tree "$work/tree" path)"
    # one new number per interpreter (fixture: Pool 001.. are free)
    case $lua in lua5.1) n=a2f28222-46ce-5e22-aefd-bfda0d5fd13f ;;
                 luajit) n=8d9f8613-4387-5204-9f61-3d4f296b000d ;;
                 lua5.3) n=7b0decc0-a3ed-5f32-93be-0406023fe215 ;;
                 *)      n=31dd5c79-4a55-592e-959e-6f73d981066e ;; esac
    out=$("$lua" examples/lua/add_membership.lua "$group" "$n")
    echo "$lua: $out"
    case $out in *"added +1555400000"*) ;; *) echo "FAIL: $lua"; exit 1 ;; esac
    WORK=$work "$lua" -e '
      local s = require "swng"
      local found   -- package.searchpath is 5.2+
      for t in package.cpath:gmatch("[^;]+") do
        local f = t:gsub("%?", "swng")
        local h = io.open(f, "rb")
        if h then h:close(); found = f; break end
      end
      assert(found and found:find(os.getenv("WORK") .. "/tree/", 1, true), found)
      print("loaded swng " .. s.version .. " from " .. found)'
  done
done
# nothing but the module went into the tree
extra=$(find "$work/tree/lib/lua" -type f ! -name swng.so)
[ -z "$extra" ] || { echo "FAIL: unexpected files in the tree:"; echo "$extra"; exit 1; }
echo "ok: luarocks make for $*"
