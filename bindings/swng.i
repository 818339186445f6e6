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

/* swng_client_options holds borrowed strings and a borrowed array, which
 * SWIG's struct wrappers cannot keep alive safely; every language calls
 * this instead, which fills the options on the stack for the duration of
 * swng_client_new. Each field keeps its C meaning: NULL or 0 means
 * "default / from the environment". */
static int swng_binding_client_new(swng_client **out, const char *space,
                                   const char *project_id, const char *token,
                                   const char *base_url, const char *ca_file,
                                   long connect_timeout_ms, long timeout_ms,
                                   unsigned int max_retries, long retry_base_ms,
                                   long retry_max_ms, const char *const *headers,
                                   swng_error **err)
{
    swng_client_options o;
    swng_client_options_init(&o);
    o.space = space;
    o.project_id = project_id;
    o.token = token;
    o.base_url = base_url;
    o.ca_file = ca_file;
    o.connect_timeout_ms = connect_timeout_ms;
    o.timeout_ms = timeout_ms;
    o.max_retries = max_retries;
    o.retry_base_ms = retry_base_ms;
    o.retry_max_ms = retry_max_ms;
    o.headers = headers;
    return swng_client_new(out, &o, err);
}
%}

#if defined(SWIGPYTHON)
%include "python.i"
#elif defined(SWIGLUA)
%include "lua.i"
#else
#error "swng.i: no typemaps for this SWIG language"
#endif

/* Declared after the language file, whose typemaps (optional strings, the
 * header list, the out-parameters) and %exception apply to it. */
%rename(client_new) swng_binding_client_new;
int swng_binding_client_new(swng_client **out, const char *space,
                            const char *project_id, const char *token,
                            const char *base_url, const char *ca_file,
                            long connect_timeout_ms, long timeout_ms,
                            unsigned int max_retries, long retry_base_ms,
                            long retry_max_ms, const char *const *headers,
                            swng_error **err);
