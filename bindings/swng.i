/*
 * swng.i - the one SWIG interface for every language.
 *
 * The bindings wrap the C core and never re-implement behaviour: HTTP,
 * auth, JSON, validation, retries and error classification all stay in
 * libswng. Per-language typemaps live in the files included below.
 */
%module swng_core

%{
#include "swng.h"
%}

#if defined(SWIGPYTHON)
%include "python.i"
#elif defined(SWIGLUA)
%include "lua.i"
#else
#error "swng.i: no typemaps for this SWIG language"
#endif
