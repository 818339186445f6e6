# cmake -DIN=swng.lua -DOUT=swng_lua_face.h -DNAME=swng_lua_face -P embed.cmake
# Writes the bytes of IN as a C array (no trailing NUL) so that
# luaopen_swng can run the Lua face without finding it on package.path.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
if(n EQUAL 0)
  message(FATAL_ERROR "embed.cmake: ${IN} is empty")
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes per line keeps the generated file readable.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by embed.cmake. Do not edit. */\n"
  "static const unsigned char ${NAME}[] = {\n  ${bytes}\n};\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
