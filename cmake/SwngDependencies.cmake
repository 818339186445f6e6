# Checks every dependency of the parts being built before anything else
# is configured, and reports all the missing ones at once, each with the
# Debian/Ubuntu and Fedora/RHEL package that provides it (then one command
# per family that installs them all). Included by the top-level
# CMakeLists.txt; tests/package/missing_deps.cmake checks the report.
#
# Results used by the rest of the build: CURL::libcurl, PkgConfig::CJSON,
# Threads::Threads, SWIG_EXECUTABLE, Python3::Module, SWNG_LUAxy_INCLUDE_DIR.

set(_swng_missing_text "")
set(_swng_missing_deb "")
set(_swng_missing_rpm "")
set(_swng_missing_count 0)
# what: human name; deb / rpm: package names (a list) for apt and dnf
function(_swng_missing what deb rpm)
  string(APPEND _swng_missing_text "  - ${what}\n      Debian/Ubuntu: ${deb}\n      Fedora/RHEL:   ${rpm}\n")
  set(_swng_missing_text "${_swng_missing_text}" PARENT_SCOPE)
  list(APPEND _swng_missing_deb ${deb})
  list(APPEND _swng_missing_rpm ${rpm})
  set(_swng_missing_deb "${_swng_missing_deb}" PARENT_SCOPE)
  set(_swng_missing_rpm "${_swng_missing_rpm}" PARENT_SCOPE)
  math(EXPR n "${_swng_missing_count} + 1")
  set(_swng_missing_count ${n} PARENT_SCOPE)
endfunction()

# ---- pkg-config (finds libcjson and the Lua headers)
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  _swng_missing("pkg-config" pkg-config pkgconf-pkg-config)
endif()

# ---- libcurl: 7.76 (RHEL 9) or newer
find_package(CURL ${SWNG_CURL_MIN_VERSION} QUIET)
if(NOT CURL_FOUND)
  if(CURL_VERSION_STRING)
    set(_what "libcurl >= ${SWNG_CURL_MIN_VERSION} with headers (found ${CURL_VERSION_STRING}, too old)")
  else()
    set(_what "libcurl >= ${SWNG_CURL_MIN_VERSION} with headers (not found)")
  endif()
  _swng_missing("${_what}" libcurl4-openssl-dev libcurl-devel)
endif()

# ---- cJSON (no CMake package on Debian: pkg-config)
set(_swng_have_cjson FALSE)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(CJSON QUIET IMPORTED_TARGET GLOBAL libcjson)
  set(_swng_have_cjson ${CJSON_FOUND})
endif()
if(NOT _swng_have_cjson)
  _swng_missing("cJSON with headers (pkg-config libcjson; RHEL: from EPEL)"
                libcjson-dev cjson-devel)
endif()

find_package(Threads REQUIRED)

# ---- SWIG, for the Python and Lua modules. The first swig on PATH wins
# (NAMES_PER_DIR), so the one pip installs from PyPI into a build
# environment (pyproject.toml) is used before a system swig4.0.
if(SWNG_BUILD_PYTHON OR SWNG_BUILD_LUA)
  if(NOT SWIG_EXECUTABLE)
    find_program(SWIG_EXECUTABLE NAMES swig swig4.0 NAMES_PER_DIR)
  endif()
  find_package(SWIG 4.0 QUIET)
  if(NOT SWIG_FOUND)
    _swng_missing("SWIG >= 4.0 (or: pip install swig)" swig swig)
  else()
    message(STATUS "swng: SWIG ${SWIG_VERSION} at ${SWIG_EXECUTABLE}")
  endif()
endif()

# ---- Python headers, for the Python module
if(SWNG_BUILD_PYTHON)
  find_package(Python3 3.9 QUIET COMPONENTS Interpreter Development.Module)
  if(NOT Python3_Development.Module_FOUND)
    _swng_missing("Python >= 3.9 headers (Python.h)" python3-dev python3-devel)
  endif()
endif()

# ---- Lua headers, one per version in SWNG_LUA_VERSIONS (the LuaRocks
# build passes SWNG_LUA_INCLUDE_DIR and is checked in lua/CMakeLists.txt)
if(SWNG_BUILD_LUA AND NOT SWNG_LUA_INCLUDE_DIR)
  foreach(v IN LISTS SWNG_LUA_VERSIONS)
    string(REPLACE "." "" vv "${v}")
    if(NOT SWNG_LUA${vv}_INCLUDE_DIR)
      if(PKG_CONFIG_FOUND)
        pkg_search_module(_SWNG_PC_LUA${vv} QUIET lua${v} lua-${v} lua${vv})
      endif()
      find_path(SWNG_LUA${vv}_INCLUDE_DIR lua.h
        HINTS ${_SWNG_PC_LUA${vv}_INCLUDE_DIRS} PATH_SUFFIXES lua${v} lua-${v} lua${vv}
        NO_DEFAULT_PATH)
      find_path(SWNG_LUA${vv}_INCLUDE_DIR lua.h PATH_SUFFIXES lua${v} lua-${v} lua${vv})
    endif()
    if(NOT SWNG_LUA${vv}_INCLUDE_DIR)
      if(v STREQUAL "5.1")
        set(_deb liblua5.1-0-dev)
        set(_rpm lua5.1-devel)
      elseif(v STREQUAL "5.3")
        set(_deb liblua5.3-dev)
        set(_rpm compat-lua-devel)
      else()
        set(_deb liblua${v}-dev)
        set(_rpm lua-devel)
      endif()
      _swng_missing("Lua ${v} headers (or drop ${v} from SWNG_LUA_VERSIONS)" ${_deb} ${_rpm})
    endif()
  endforeach()
endif()

if(_swng_missing_count GREATER 0)
  list(REMOVE_DUPLICATES _swng_missing_deb)
  list(REMOVE_DUPLICATES _swng_missing_rpm)
  list(JOIN _swng_missing_deb " " _deb)
  list(JOIN _swng_missing_rpm " " _rpm)
  message(FATAL_ERROR
    "swng: missing build dependencies (${_swng_missing_count}):\n"
    "${_swng_missing_text}"
    "Install them all with\n"
    "  sudo apt-get install ${_deb}\n"
    "  sudo dnf install ${_rpm}\n"
    "(or turn off the part that needs one: SWNG_BUILD_PYTHON, SWNG_BUILD_LUA, "
    "SWNG_LUA_VERSIONS), then configure again.")
endif()
