/*
 * swng.i - the one SWIG interface for every language.
 *
 * The bindings wrap the C core and never re-implement behaviour: HTTP,
 * auth, JSON, validation, option rules, retries and error classification
 * all stay in libswng. This file holds everything that is the same in every
 * language; the language files included below hold only typemaps, keyed by
 * type:
 *
 *   swng_text                a counted string (pointer and length): the
 *                            language's string, kept whole (embedded NULs
 *                            reach the core, which refuses them)
 *   const char *             a name (option names): a plain string
 *   swng_client **           out: an owning handle
 *   swng_membership ** (and every resource type)
 *                            out: converted into the language's result
 *                            object in ONE call (swng_lang_object, which
 *                            walks the resource's field table) and freed
 *   swng_error **            out: converted into the language's error
 *                            value in one call (swng_lang_error)
 *
 * Every wrapped call that can wait on the network is a plain C call on
 * these types; the Python file releases the GIL around every C call, one
 * rule with no list of names.
 */
%module swng_core

%{
#include "swng.h"
#include "internal.h" /* resource field tables, for one-call conversion */

#include <stdlib.h>
#include <string.h>

/* A counted string, the one type that carries text into the core (SWIG
 * multi-argument typemaps match by parameter name, so the bindings wrap the
 * counted (_n) functions with this type instead). */
typedef struct swng_text {
    const char *p;
    size_t n;
} swng_text;
/* The same, where None / nil is allowed (an optional filter): p NULL. */
typedef struct swng_opt_text {
    const char *p;
    size_t n;
} swng_opt_text;

/* ------------------------------------------------- options by name
 *
 * swng_client_options holds borrowed strings, which SWIG's struct wrappers
 * cannot keep alive. A swng_binding_options owns a copy of each string and
 * of the header list; every rule (names, kinds, ranges, NUL bytes) is the
 * core's, through swng_client_options_set_string/_set_number. */
#define SWNG_BINDING_MAX_OPTIONS 32
typedef struct swng_binding_options {
    swng_client_options o;
    char *strings[SWNG_BINDING_MAX_OPTIONS]; /* by option index */
    char **headers;                          /* NULL-terminated, owned */
    size_t nheaders;
} swng_binding_options;

static swng_binding_options *swng_binding_options_new(void)
{
    swng_binding_options *b = (swng_binding_options *)calloc(1, sizeof *b);
    if (b) swng_client_options_init(&b->o);
    return b;
}

static void swng_binding_options_free(swng_binding_options *b)
{
    size_t i;
    if (!b) return;
    for (i = 0; i < SWNG_BINDING_MAX_OPTIONS; i++) free(b->strings[i]);
    for (i = 0; i < b->nheaders; i++) free(b->headers[i]);
    free(b->headers);
    free(b);
}

static size_t swng_binding_option_index(const char *name)
{
    size_t i;
    const char *n;
    for (i = 0; (n = swng_client_option_name(i)) != NULL && i < SWNG_BINDING_MAX_OPTIONS; i++)
        if (strcmp(n, name) == 0) return i;
    return SWNG_BINDING_MAX_OPTIONS;
}

static int swng_binding_options_set_string(swng_binding_options *b, const char *name,
                                           swng_text text, swng_error **err)
{
    const char *value = text.p;
    size_t len = text.n;
    size_t i = name ? swng_binding_option_index(name) : SWNG_BINDING_MAX_OPTIONS;
    char *copy = (char *)malloc(len + 1);
    int rc;
    if (!copy) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    memcpy(copy, value, len);
    copy[len] = '\0';
    rc = swng_client_options_set_string(&b->o, name, copy, len, err);
    if (rc != SWNG_OK || i == SWNG_BINDING_MAX_OPTIONS) {
        free(copy);
        return rc;
    }
    free(b->strings[i]);
    b->strings[i] = copy;
    return SWNG_OK;
}

static int swng_binding_options_set_number(swng_binding_options *b, const char *name,
                                           double value, swng_error **err)
{
    return swng_client_options_set_number(&b->o, name, value, err);
}

/* One "Name: value" header line; the core checks it (names, values, CR/LF)
 * in swng_client_new. A NUL could not reach it inside a C string. */
static int swng_binding_options_add_header(swng_binding_options *b, swng_text text,
                                           swng_error **err)
{
    const char *line = text.p;
    size_t len = text.n;
    char **h;
    if (memchr(line, '\0', len))
        return swng__fail_arg(err, "headers", "headers: a header contains a NUL byte");
    if (!(h = (char **)realloc(b->headers, (b->nheaders + 2) * sizeof *h)))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    b->headers = h;
    if (!(h[b->nheaders] = swng__strndup(line, len))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    h[++b->nheaders] = NULL;
    b->o.headers = (const char *const *)b->headers;
    return SWNG_OK;
}

static int swng_binding_client_new(swng_client **out, swng_binding_options *b, swng_error **err)
{
    return swng_client_new(out, b ? &b->o : NULL, err);
}

/* The operations, with counted arguments: one line each. */
#define T(x) x.p, x.n
static int swng_binding_create_membership(swng_membership **out, swng_client *c, swng_text group,
                                          swng_text phone, int if_exists, swng_error **err)
{ return swng_membership_create_ex_n(out, c, T(group), T(phone), if_exists, err); }
static int swng_binding_list_number_groups(swng_cursor **out, swng_client *c, swng_opt_text name,
                                           int page_size, swng_error **err)
{ return swng_number_group_list_n(out, c, T(name), page_size, err); }
static int swng_binding_create_number_group(swng_number_group **out, swng_client *c,
                                            swng_text name, int sticky_sender, swng_error **err)
{ return swng_number_group_create_n(out, c, T(name), sticky_sender, err); }
static int swng_binding_get_number_group(swng_number_group **out, swng_client *c, swng_text id,
                                         swng_error **err)
{ return swng_number_group_get_n(out, c, T(id), err); }
static int swng_binding_update_number_group(swng_number_group **out, swng_client *c, swng_text id,
                                            swng_text name, int sticky_sender, swng_error **err)
{ return swng_number_group_update_n(out, c, T(id), T(name), sticky_sender, err); }
static int swng_binding_delete_number_group(swng_client *c, swng_text id, swng_error **err)
{ return swng_number_group_delete_n(c, T(id), err); }
static int swng_binding_find_number_group(swng_number_group **out, swng_client *c, swng_text name,
                                          swng_error **err)
{ return swng_number_group_find_n(out, c, T(name), err); }
static int swng_binding_list_memberships(swng_cursor **out, swng_client *c, swng_text group,
                                         int page_size, swng_error **err)
{ return swng_membership_list_n(out, c, T(group), page_size, err); }
static int swng_binding_get_membership(swng_membership **out, swng_client *c, swng_text id,
                                       swng_error **err)
{ return swng_membership_get_n(out, c, T(id), err); }
static int swng_binding_delete_membership(swng_client *c, swng_text id, swng_error **err)
{ return swng_membership_delete_n(c, T(id), err); }
static int swng_binding_remove_number(swng_client *c, swng_text group, swng_text phone,
                                      swng_error **err)
{ return swng_number_group_remove_number_n(c, T(group), T(phone), err); }
static int swng_binding_list_phone_numbers(swng_cursor **out, swng_client *c, swng_opt_text number,
                                           swng_opt_text name, int page_size, swng_error **err)
{ return swng_phone_number_list_n(out, c, T(number), T(name), page_size, err); }
static int swng_binding_get_phone_number(swng_phone_number **out, swng_client *c, swng_text id,
                                         swng_error **err)
{ return swng_phone_number_get_n(out, c, T(id), err); }
static int swng_binding_find_phone_number(swng_phone_number **out, swng_client *c, swng_text e164,
                                          swng_error **err)
{ return swng_phone_number_find_n(out, c, T(e164), err); }
#undef T
/* The next item of any cursor, as the resource its list holds. */
static int swng_binding_cursor_next(struct swng__object **out, swng_cursor *cur, swng_error **err)
{ return swng__cursor_next(cur, out, err); }

/* ------------------------------------------------ sync on a loop
 *
 * The non-blocking sync (Python's AsyncClient.sync_memberships, Lua's
 * loop and coroutine forms) drives the core's swng_sync_plan_start and
 * swng_sync_plan_apply_start; everything here is the same in every
 * language, and the language files hold only the typemaps of the types
 * (swng_ids in; swng_sync_plan **, swng_request **, swng_batch ** out).
 * What to add, what to remove, the order and if_exists are the core's. */

/* Many ids, counted (a tuple of bytes, a table of strings), borrowed from
 * the language's values for the call. */
typedef struct swng_ids {
    const char *const *p;
    const size_t *lens;
    size_t n;
} swng_ids;

/* The plan and the request that reads the group (cb NULL: the bindings'
 * form, taken from the loop by id). A NUL in the group, which the core's C
 * string would cut short, is refused here as the core would refuse it. */
static int swng_binding_sync_plan_start(swng_sync_plan **out, swng_request **req,
                                        swng_loop *loop, swng_text group, swng_ids ids,
                                        swng_error **err)
{
    char *g;
    int rc;
    if (memchr(group.p, '\0', group.n))
        return swng__fail_arg(err, "number_group_id", "number_group_id contains a NUL byte");
    if (!(g = swng__strndup(group.p, group.n))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    rc = swng_sync_plan_start(out, req, loop, g, ids.p, ids.lens, ids.n, NULL, NULL, err);
    free(g);
    return rc;
}

/* The plan's two batches (outcomes kept for the faces to take). */
static int swng_binding_sync_plan_apply_start(swng_batch **added, swng_batch **removed,
                                              swng_loop *loop, const swng_sync_plan *plan,
                                              unsigned int concurrency, swng_error **err)
{
    swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
    opts.concurrency = concurrency;
    return swng_sync_plan_apply_start(added, removed, loop, plan, &opts, err);
}

/* The plan's lists and count, for the faces' results (which: 0 the ids
 * to add, 1 the ids to remove). */
static size_t swng_binding_sync_plan_count(const swng_sync_plan *plan, int which)
{
    return which ? swng_sync_plan_remove_count(plan) : swng_sync_plan_add_count(plan);
}
static const char *swng_binding_sync_plan_id(const swng_sync_plan *plan, int which, size_t i)
{
    return which ? swng_sync_plan_remove(plan, i) : swng_sync_plan_add(plan, i);
}
static size_t swng_binding_sync_plan_kept(const swng_sync_plan *plan)
{
    return swng_sync_plan_keep_count(plan);
}

/* Every status code, for the faces' code tables: name of code -i. */
static const char *swng_binding_status_name(int i) { return swng_status_name(-i); }
%}

typedef struct swng_text swng_text;
typedef struct swng_opt_text swng_opt_text;
typedef struct swng_ids swng_ids;

#if defined(SWIGPYTHON)
%include "python.i"
#elif defined(SWIGLUA)
%include "lua.i"
#else
#error "swng.i: no typemaps for this SWIG language"
#endif

/* ------------------------------------------------------------ handles */

/* The core's structs are opaque. SWIG only needs to know the types exist to
 * make owning proxies with destructors that call the core's _free. Results
 * and errors never become proxies: the out typemaps convert them. */
%nodefaultctor swng_client;
%nodefaultctor swng_binding_options;
%nodefaultctor swng_cursor;
%nodefaultctor swng_sync_plan;
struct swng_client {};
struct swng_binding_options {};
struct swng_cursor {};
struct swng_sync_plan {};
%extend swng_client { ~swng_client() { swng_client_free($self); } }
%extend swng_cursor { ~swng_cursor() { swng_cursor_free($self); } }
/* Freeing a plan whose read is in flight cancels the read. */
%extend swng_sync_plan { ~swng_sync_plan() { swng_sync_plan_free($self); } }
%extend swng_binding_options { ~swng_binding_options() { swng_binding_options_free($self); } }

/* ---------------------------------------------------- what is wrapped */

%rename(options_new) swng_binding_options_new;
%newobject swng_binding_options_new;
swng_binding_options *swng_binding_options_new(void);
%rename(options_set_string) swng_binding_options_set_string;
int swng_binding_options_set_string(swng_binding_options *b, const char *name,
                                    swng_text value, swng_error **err);
%rename(options_set_number) swng_binding_options_set_number;
int swng_binding_options_set_number(swng_binding_options *b, const char *name, double value,
                                    swng_error **err);
%rename(options_add_header) swng_binding_options_add_header;
int swng_binding_options_add_header(swng_binding_options *b, swng_text line,
                                    swng_error **err);
%rename(client_new) swng_binding_client_new;
int swng_binding_client_new(swng_client **out, swng_binding_options *b, swng_error **err);
/* The operations (a line here for each new one). */
%rename(create_membership) swng_binding_create_membership;
int swng_binding_create_membership(swng_membership **out, swng_client *client,
                                   swng_text number_group_id, swng_text phone_number_id,
                                   int if_exists, swng_error **err);
%rename(list_number_groups) swng_binding_list_number_groups;
int swng_binding_list_number_groups(swng_cursor **out, swng_client *client, swng_opt_text name,
                                    int page_size, swng_error **err);
%rename(create_number_group) swng_binding_create_number_group;
int swng_binding_create_number_group(swng_number_group **out, swng_client *client,
                                     swng_text name, int sticky_sender, swng_error **err);
%rename(get_number_group) swng_binding_get_number_group;
int swng_binding_get_number_group(swng_number_group **out, swng_client *client, swng_text id,
                                  swng_error **err);
%rename(update_number_group) swng_binding_update_number_group;
int swng_binding_update_number_group(swng_number_group **out, swng_client *client, swng_text id,
                                     swng_text name, int sticky_sender, swng_error **err);
%rename(delete_number_group) swng_binding_delete_number_group;
int swng_binding_delete_number_group(swng_client *client, swng_text id, swng_error **err);
%rename(find_number_group) swng_binding_find_number_group;
int swng_binding_find_number_group(swng_number_group **out, swng_client *client, swng_text name,
                                   swng_error **err);
%rename(list_memberships) swng_binding_list_memberships;
int swng_binding_list_memberships(swng_cursor **out, swng_client *client,
                                  swng_text number_group_id, int page_size, swng_error **err);
%rename(get_membership) swng_binding_get_membership;
int swng_binding_get_membership(swng_membership **out, swng_client *client, swng_text id,
                                swng_error **err);
%rename(delete_membership) swng_binding_delete_membership;
int swng_binding_delete_membership(swng_client *client, swng_text id, swng_error **err);
%rename(remove_number) swng_binding_remove_number;
int swng_binding_remove_number(swng_client *client, swng_text number_group_id,
                               swng_text phone_number_id, swng_error **err);
%rename(list_phone_numbers) swng_binding_list_phone_numbers;
int swng_binding_list_phone_numbers(swng_cursor **out, swng_client *client, swng_opt_text number,
                                    swng_opt_text name, int page_size, swng_error **err);
%rename(get_phone_number) swng_binding_get_phone_number;
int swng_binding_get_phone_number(swng_phone_number **out, swng_client *client, swng_text id,
                                  swng_error **err);
%rename(find_phone_number) swng_binding_find_phone_number;
int swng_binding_find_phone_number(swng_phone_number **out, swng_client *client, swng_text e164,
                                   swng_error **err);
%rename(cursor_next) swng_binding_cursor_next;
int swng_binding_cursor_next(struct swng__object **out, swng_cursor *cursor, swng_error **err);

/* The sync on a loop (see above). */
%rename(sync_plan_start) swng_binding_sync_plan_start;
int swng_binding_sync_plan_start(swng_sync_plan **out, swng_request **req, swng_loop *loop,
                                 swng_text number_group_id, swng_ids ids, swng_error **err);
%rename(sync_plan_apply_start) swng_binding_sync_plan_apply_start;
int swng_binding_sync_plan_apply_start(swng_batch **added, swng_batch **removed,
                                       swng_loop *loop, const swng_sync_plan *plan,
                                       unsigned int concurrency, swng_error **err);
%rename(sync_plan_count) swng_binding_sync_plan_count;
size_t swng_binding_sync_plan_count(const swng_sync_plan *plan, int which);
%rename(sync_plan_id) swng_binding_sync_plan_id;
const char *swng_binding_sync_plan_id(const swng_sync_plan *plan, int which, size_t i);
%rename(sync_plan_kept) swng_binding_sync_plan_kept;
size_t swng_binding_sync_plan_kept(const swng_sync_plan *plan);

%rename(status_name) swng_binding_status_name;
const char *swng_binding_status_name(int i);

/* From the header: the version, the status table, the client's accessors
 * and the option kinds. The rest is
 * either C-only (the options struct, NUL-terminated forms) or replaced by
 * the conversions (resource and error accessors, _free functions). */
%ignore swng_client_options;
%ignore swng_client_options_init;
%ignore swng_client_options_set_string;
%ignore swng_client_options_set_number;
%ignore swng_client_new;
%ignore swng_client_free;
%rename("$ignore", regextarget=1, fullname=1) "^swng_error_";
/* Resource functions: the operations are wrapped above (swng_text), the
 * accessors and _free replaced by the one-call conversion. */
%rename("$ignore", regextarget=1, fullname=1) "^swng_membership_";
%rename("$ignore", regextarget=1, fullname=1) "^swng_number_group_";
%rename("$ignore", regextarget=1, fullname=1) "^swng_phone_number_";
%rename("$ignore", regextarget=1, fullname=1) "^swng_cursor_";

%include "swng.h"
