/* list.c - cursors over the list operations (paging by links.next, with
 * the checks that keep a hostile server from redirecting credentials or
 * looping us), and the helpers built on them: find a group by name or a
 * number by E.164, take a number out of a group, add one if not there. */
#include "engine.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BREAKS "response breaks the contract: "

struct swng_cursor {
    swng_client *client;
    const struct swng__op *op;
    struct swng__arg *echo; /* the op's arguments, for swng__check_echo on each item */
    char *echo_values;
    const struct swng__type *type;
    char *next_url;  /* the page to fetch next, NULL when there is none */
    char *path;      /* the list's path: every next link must keep it */
    char *scheme, *host, *port; /* the base URL's: every next link must keep them */
    struct swng__map seen; /* keys of the fetched URLs (a set) */
    cJSON *page;     /* the current page */
    const cJSON *item; /* the next item of page's data to hand out */
    long status;
    char *request_id;
    size_t pages;
    unsigned int empty_run; /* consecutive empty pages */
    int done;
    int fetching; /* a fetch job holds the page being read */
    swng_request *fetch_job; /* that job (detached if the cursor is freed first) */
};

/* ----------------------------------------------------------- URL parts */

/* The part of u, or NULL; CURLU_DEFAULT_PORT so that "https://h" and
 * "https://h:443" compare equal. */
static char *url_part(CURLU *u, CURLUPart part)
{
    char *v = NULL, *copy;
    if (curl_url_get(u, part, &v, part == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0) != CURLUE_OK)
        return NULL;
    copy = swng__strdup(v);
    curl_free(v);
    return copy;
}

static int same(const char *a, const char *b, int nocase)
{
    if (!a || !b) return a == b;
    return nocase ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* 1 if url was fetched before, else records it (-1: out of memory). The
 * cycle check keeps a 128-bit key per page, not the URLs. */
static int seen_before(struct swng_cursor *cur, const char *url)
{
    int added;
    if (!swng__map_put(&cur->seen, swng__key_of(url, strlen(url), 0), &added)) return -1;
    return !added;
}

/* Resolves a next link against the URL of the page that carried it
 * (RFC 3986; "/api/...?..." is then the base URL's origin) and checks that
 * it keeps the base URL's scheme, host and port and the list's path. The
 * resolved URL, or NULL with the error. */
static char *next_link(struct swng_cursor *cur, const char *page_url, const char *link,
                       swng_error **err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *url = NULL;
    int ok = 0;
    if (!u) {
        swng__fail(err, SWNG_ENOMEM, "out of memory");
        return NULL;
    }
    if (curl_url_set(u, CURLUPART_URL, page_url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, link, 0) != CURLUE_OK) {
        swng__fail(err, SWNG_EPROTOCOL, BREAKS "links.next is not a URL");
        goto out;
    }
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    scheme = url_part(u, CURLUPART_SCHEME);
    host = url_part(u, CURLUPART_HOST);
    port = url_part(u, CURLUPART_PORT);
    path = url_part(u, CURLUPART_PATH);
    user = url_part(u, CURLUPART_USER);
    url = url_part(u, CURLUPART_URL);
    if (!url) {
        swng__fail(err, SWNG_ENOMEM, "out of memory");
        goto out;
    }
    /* Nothing is sent to a link that leaves the space or the list: the
     * request would carry the credentials. */
    if (!same(scheme, cur->scheme, 1) || !same(host, cur->host, 1) || !same(port, cur->port, 0) ||
        user) {
        swng__fail(err, SWNG_EPROTOCOL,
                   BREAKS "links.next points to another host than the base URL; not followed");
        goto out;
    }
    if (!same(path, cur->path, 0)) {
        swng__fail(err, SWNG_EPROTOCOL,
                   BREAKS "links.next points to another path than the list's; not followed");
        goto out;
    }
    ok = 1;
out:
    free(scheme);
    free(host);
    free(port);
    free(path);
    free(user);
    if (!ok) {
        free(url);
        url = NULL;
    }
    curl_url_cleanup(u);
    return url;
}

/* -------------------------------------------------------------- cursor */

void swng_cursor_free(swng_cursor *cur)
{
    if (!cur) return;
    /* A fetch in flight forgets the cursor and is cancelled: its callback
     * gets SWNG_ECANCELLED. */
    if (cur->fetch_job) {
        cur->fetch_job->cursor = NULL;
        swng_request_cancel(cur->fetch_job);
    }
    free(cur->echo);
    free(cur->echo_values);
    free(cur->next_url);
    free(cur->path);
    free(cur->scheme);
    free(cur->host);
    free(cur->port);
    swng__map_free(&cur->seen);
    cJSON_Delete(cur->page);
    free(cur->request_id);
    free(cur);
}

size_t swng_cursor_page_count(const swng_cursor *cur) { return cur ? cur->pages : 0; }

/* Copies the arguments that items must echo (a membership list's group). */
static int keep_args(swng_cursor *cur, const struct swng__arg *args)
{
    const struct swng__op *op = cur->op;
    size_t i, total = 0;
    char *p;
    for (i = 0; i < op->nparams; i++)
        if (op->params[i].echo && args[i].value) total += args[i].len + 1;
    if (total == 0) return SWNG_OK;
    cur->echo = calloc(op->nparams, sizeof *cur->echo);
    p = cur->echo_values = malloc(total);
    if (!cur->echo || !p) return SWNG_ENOMEM;
    for (i = 0; i < op->nparams; i++) {
        if (!op->params[i].echo || !args[i].value) continue;
        memcpy(p, args[i].value, args[i].len);
        p[args[i].len] = '\0';
        cur->echo[i].value = p;
        cur->echo[i].len = args[i].len;
        p += args[i].len + 1;
    }
    return SWNG_OK;
}

/* A cursor for op with args (page_size given as an int, the last query
 * parameter of every list row). Sends nothing. */
static int cursor_new(swng_cursor **out, const struct swng__op *op, swng_client *client,
                      struct swng__arg *args, int page_size, swng_error **err)
{
    char size[16];
    swng_cursor *cur;
    CURLU *u;
    int rc;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (page_size < 0 || page_size > 1000)
        return swng__fail_arg(err, "page_size",
                              "page_size must be 0 (the server's default) or 1 to 1000");
    if (page_size > 0) {
        snprintf(size, sizeof size, "%d", page_size);
        args[op->nparams - 1].value = size;
        args[op->nparams - 1].len = strlen(size);
    }
    if (!(cur = calloc(1, sizeof *cur))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    cur->client = client;
    cur->type = op->result;
    cur->op = op;
    if ((rc = swng__op_url(op, client, args, &cur->next_url, err)) != SWNG_OK) {
        swng_cursor_free(cur);
        return rc;
    }
    if (keep_args(cur, args) != SWNG_OK) {
        swng_cursor_free(cur);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    u = curl_url();
    if (u && curl_url_set(u, CURLUPART_URL, cur->next_url, 0) == CURLUE_OK) {
        cur->scheme = url_part(u, CURLUPART_SCHEME);
        cur->host = url_part(u, CURLUPART_HOST);
        cur->port = url_part(u, CURLUPART_PORT);
        cur->path = url_part(u, CURLUPART_PATH);
    }
    curl_url_cleanup(u);
    if (!cur->scheme || !cur->host || !cur->port || !cur->path) {
        swng_cursor_free(cur);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    *out = cur;
    return SWNG_OK;
}

/* Checks a page's shape and takes its next link. */
static int take_page(swng_cursor *cur, const char *page_url, struct swng__response *rs,
                     swng_error **err)
{
    const cJSON *links, *data, *next, *self, *first;
    const char *body = rs->body ? rs->body : "";
    if (!swng__is_utf8(body, rs->len))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "body is not UTF-8");
    if (!(cur->page = swng__parse_json(body, rs->len)))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "body is not valid JSON");
    links = cJSON_GetObjectItemCaseSensitive(cur->page, "links");
    data = cJSON_GetObjectItemCaseSensitive(cur->page, "data");
    if (!cJSON_IsObject(cur->page) || !cJSON_IsObject(links) || !cJSON_IsArray(data))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "a list page needs links and data");
    self = cJSON_GetObjectItemCaseSensitive(links, "self");
    first = cJSON_GetObjectItemCaseSensitive(links, "first");
    next = cJSON_GetObjectItemCaseSensitive(links, "next");
    if (!cJSON_IsString(self) || !cJSON_IsString(first) ||
        (next && !cJSON_IsNull(next) && !cJSON_IsString(next)))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "links.self, first and next are strings");
    cur->item = data->child;
    cur->empty_run = cur->item ? 0 : cur->empty_run + 1;
    if (cJSON_IsString(next) && next->valuestring) {
        int seen;
        if (cur->empty_run > SWNG_MAX_EMPTY_PAGES)
            return swng__fail(err, SWNG_EPROTOCOL,
                              BREAKS "more than %d empty pages in a row; not followed",
                              SWNG_MAX_EMPTY_PAGES);
        if (!(cur->next_url = next_link(cur, page_url, next->valuestring, err)))
            return err && *err ? (*err)->code : SWNG_EPROTOCOL;
        if ((seen = seen_before(cur, cur->next_url)) < 0)
            return swng__fail(err, SWNG_ENOMEM, "out of memory");
        if (seen)
            return swng__fail(err, SWNG_EPROTOCOL,
                              BREAKS "links.next repeats a page already read (a cycle)");
    }
    return SWNG_OK;
}

/* A fetch's first half: the request for cur->next_url, begun on r (the
 * transfer owns the URL). Fails only for lack of memory. */
static int fetch_begin(swng_request *r, swng_cursor *cur, swng_error **err)
{
    struct swng__request rq;
    char *url = cur->next_url;
    cur->next_url = NULL;
    cJSON_Delete(cur->page);
    cur->page = NULL;
    cur->item = NULL;
    if (cur->pages == 0 && seen_before(cur, url) < 0) {
        free(url);
        cur->done = 1;
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    free(r->x.url);
    r->x.url = url;
    cur->fetching = 1;
    cur->fetch_job = r;
    rq.method = "GET";
    rq.url = url;
    rq.body = NULL;
    rq.bad_request = cur->op->bad_request;
    return swng__xfer_begin(r, &rq);
}

/* Its second half: the page taken from r's finished transfer. */
static int fetch_end(swng_request *r, swng_cursor *cur, swng_error **err)
{
    struct swng__xfer *x = &r->x;
    int rc = x->rc;
    *err = x->err;
    x->err = NULL;
    cur->fetching = 0;
    cur->fetch_job = NULL;
    if (rc == SWNG_OK) {
        cur->pages++;
        cur->status = x->rs.status;
        free(cur->request_id);
        cur->request_id = NULL;
        rc = take_page(cur, x->url, &x->rs, err);
        if (rc != SWNG_OK && *err) {
            swng__attach_response(*err, &x->rs, cur->client);
        } else {
            cur->request_id = x->rs.request_id; /* cleaned by the engine */
            x->rs.request_id = NULL;
        }
        swng__response_free(&x->rs);
    }
    free(x->url);
    x->url = NULL;
    if (rc != SWNG_OK) cur->done = 1;
    return rc;
}

void swng__cursor_abandon(swng_cursor *cur)
{
    /* A fetch cancelled half-way: the list cannot go on from here. */
    if (cur && cur->fetching) {
        cur->fetching = 0;
        cur->fetch_job = NULL;
        cur->done = 1;
    }
}

int swng_cursor_needs_fetch(const swng_cursor *cur)
{
    return cur && !cur->done && !cur->item && cur->next_url ? 1 : 0;
}

static int fetch_then(swng_request *r)
{
    swng_error *e = NULL;
    int rc;
    if (!r->cursor) /* the cursor was freed while its page was on the way */
        return swng__job_end(r, SWNG_ECANCELLED,
                             swng__error_new(SWNG_ECANCELLED, "cancelled: the cursor was freed"));
    rc = fetch_end(r, r->cursor, &e);
    return swng__job_end(r, rc, e);
}

int swng__job_begin_fetch(swng_request *r, swng_cursor *cur, swng_error **err)
{
    r->client = cur->client;
    r->cursor = cur;
    r->then = fetch_then;
    if (!swng_cursor_needs_fetch(cur)) return swng__job_end(r, SWNG_OK, NULL);
    return fetch_begin(r, cur, err);
}

/* Gives an item's parse error its page's status and request id and the
 * item itself as the body. */
static void item_detail(const swng_cursor *cur, const cJSON *item, swng_error *e)
{
    struct swng__response rs;
    char *printed = cJSON_PrintUnformatted(item);
    memset(&rs, 0, sizeof rs);
    rs.status = cur->status;
    rs.request_id = cur->request_id ? swng__strdup(cur->request_id) : NULL;
    rs.body = printed ? swng__strdup(printed) : NULL;
    rs.len = rs.body ? strlen(rs.body) : 0;
    cJSON_free(printed);
    swng__attach_response(e, &rs, cur->client);
    swng__response_free(&rs);
}

/* The next item without fetching: SWNG__MORE when a page must be fetched
 * first (swng_cursor_needs_fetch). */
static int cursor_take(swng_cursor *cur, const struct swng__type *t, struct swng__object **out,
                       swng_error **err)
{
    int rc;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!cur) return swng__fail_arg(err, "cursor", "cursor must not be NULL");
    if (cur->type != t)
        return swng__fail_arg(err, "cursor", "cursor lists %ss, not %ss", cur->type->name,
                              t->name);
    while (!cur->done) {
        if (cur->item) {
            const cJSON *item = cur->item;
            cur->item = item->next;
            rc = swng__object_from_node(out, t, item, err);
            if (rc == SWNG_OK && cur->echo && (rc = swng__check_echo(cur->op, cur->echo, *out, err))) {
                swng__object_free(*out);
                *out = NULL;
            }
            if (rc != SWNG_OK && err && *err) item_detail(cur, item, *err);
            if (rc == SWNG_OK) {
                (*out)->http_status = cur->status;
                if (cur->request_id && !((*out)->request_id = swng__strdup(cur->request_id))) {
                    swng__object_free(*out);
                    *out = NULL;
                    rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
                }
            }
            if (rc != SWNG_OK) cur->done = 1;
            return rc;
        }
        if (!cur->next_url) break;
        return SWNG__MORE;
    }
    cur->done = 1;
    return SWNG_OK;
}

/* The next item, fetching pages as needed (blocking). */
static int cursor_next(swng_cursor *cur, const struct swng__type *t, struct swng__object **out,
                       swng_error **err)
{
    swng_request r;
    int rc;
    while ((rc = cursor_take(cur, t, out, err)) == SWNG__MORE) {
        memset(&r, 0, sizeof r);
        if ((rc = swng__job_begin_fetch(&r, cur, err)) < 0) return rc;
        if ((rc = swng__job_run(cur->client, &r, NULL, err)) != SWNG_OK) return rc;
    }
    return rc;
}

int swng__cursor_next(swng_cursor *cur, struct swng__object **out, swng_error **err)
{
    return cursor_next(cur, cur ? cur->type : NULL, out, err);
}

/* ------------------------------------------------------- list functions */

/* The contract's limit on filter_name, in characters. */
#define MAX_GROUP_FILTER 255

/* Characters (code points) in UTF-8 text: the bytes that do not continue one. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

int swng_number_group_list_n(swng_cursor **out, swng_client *client, const char *name,
                             size_t name_len, int page_size, swng_error **err)
{
    struct swng__arg args[] = {{name, name_len}, {NULL, 0}};
    if (name && utf8_chars(name, name_len) > MAX_GROUP_FILTER) {
        if (err) *err = NULL;
        if (out) *out = NULL;
        return swng__fail_arg(err, "name", "name must be at most %d characters (the filter's limit)",
                              MAX_GROUP_FILTER);
    }
    return cursor_new(out, &swng__op_list_number_groups, client, args, page_size, err);
}
int swng_number_group_list(swng_cursor **out, swng_client *client, const char *name,
                           int page_size, swng_error **err)
{
    return swng_number_group_list_n(out, client, name, SWNG__LEN(name), page_size, err);
}
int swng_number_group_next(swng_cursor *cur, swng_number_group **out, swng_error **err)
{
    return cursor_next(cur, &swng__type_number_group, (struct swng__object **)out, err);
}

int swng_membership_list_n(swng_cursor **out, swng_client *client, const char *number_group_id,
                           size_t number_group_id_len, int page_size, swng_error **err)
{
    struct swng__arg args[] = {{number_group_id, number_group_id_len}, {NULL, 0}};
    return cursor_new(out, &swng__op_list_memberships, client, args, page_size, err);
}
int swng_membership_list(swng_cursor **out, swng_client *client, const char *number_group_id,
                         int page_size, swng_error **err)
{
    return swng_membership_list_n(out, client, number_group_id,
                                  SWNG__LEN(number_group_id), page_size, err);
}
int swng_membership_next(swng_cursor *cur, swng_membership **out, swng_error **err)
{
    return cursor_next(cur, &swng__type_membership, (struct swng__object **)out, err);
}

int swng_phone_number_list_n(swng_cursor **out, swng_client *client, const char *number,
                             size_t number_len, const char *name, size_t name_len, int page_size,
                             swng_error **err)
{
    struct swng__arg args[] = {{number, number_len}, {name, name_len}, {NULL, 0}};
    return cursor_new(out, &swng__op_list_phone_numbers, client, args, page_size, err);
}
int swng_phone_number_list(swng_cursor **out, swng_client *client, const char *number,
                           const char *name, int page_size, swng_error **err)
{
    return swng_phone_number_list_n(out, client, number, SWNG__LEN(number), name,
                                     SWNG__LEN(name), page_size, err);
}
int swng_phone_number_next(swng_cursor *cur, swng_phone_number **out, swng_error **err)
{
    return cursor_next(cur, &swng__type_phone_number, (struct swng__object **)out, err);
}

/* ---- walks */

static int walk_scan(swng_request *r)
{
    struct swng__object *o;
    swng_error *e = NULL;
    int rc;
    while ((rc = cursor_take(r->cursor, r->cursor->type, &o, &e)) == SWNG_OK && o) {
        if (!r->walk) { /* stopped: its cancel ends the job */
            swng__object_free(o);
            continue;
        }
        if ((rc = r->walk->item(r->walk, o, &e)) != SWNG_OK) break;
    }
    if (rc == SWNG__MORE && (rc = fetch_begin(r, r->cursor, &e)) >= 0) return rc;
    return swng__job_end(r, rc, e);
}

static int walk_then(swng_request *r)
{
    swng_error *e = NULL;
    int rc = fetch_end(r, r->cursor, &e);
    return rc != SWNG_OK ? swng__job_end(r, rc, e) : walk_scan(r);
}

int swng__job_begin_walk(swng_request *r, swng_cursor *cur, struct swng__walk *w,
                         swng_error **err)
{
    int rc;
    r->client = cur->client;
    r->cursor = cur;
    r->own_cursor = 1;
    r->then = walk_then;
    r->walk = w;
    w->job = r;
    if ((rc = fetch_begin(r, cur, err)) < 0) {
        r->walk = NULL;
        w->job = NULL;
    }
    return rc;
}

void swng__walk_stop(struct swng__walk *w)
{
    if (!w || !w->job) return;
    w->job->walk = NULL;
    swng_request_cancel(w->job);
    w->job = NULL;
}

/* -------------------------------------------------------------- helpers */

/* ---- find one: every item of the job's cursor read, the one whose field
 * equals want (args[0]) exactly kept. None is SWNG_ENOTFOUND, several
 * SWNG_EAMBIGUOUS; `what` names the resource and field in messages. */

static int find_scan(swng_request *r)
{
    const struct swng__arg *want = &r->args[0];
    struct swng__object *o;
    swng_error *e = NULL;
    int rc;
    while ((rc = cursor_take(r->cursor, r->cursor->type, &o, &e)) == SWNG_OK && o) {
        const char *v = swng__object_str(o, r->field);
        if (v && strlen(v) == want->len && memcmp(v, want->value, want->len) == 0 &&
            r->matches++ == 0) {
            r->found = o;
            continue;
        }
        swng__object_free(o);
    }
    if (rc == SWNG__MORE) {
        if ((rc = fetch_begin(r, r->cursor, &e)) >= 0) return rc;
    } else if (rc == SWNG_OK && r->matches == 0) {
        rc = swng__fail(&e, SWNG_ENOTFOUND, "no %s \"%.*s\"", r->what, (int)want->len,
                        want->value);
    } else if (rc == SWNG_OK && r->matches > 1) {
        rc = swng__fail(&e, SWNG_EAMBIGUOUS, "%lu of them: %s \"%.*s\"",
                        (unsigned long)r->matches, r->what, (int)want->len, want->value);
    } else if (rc == SWNG_OK) {
        r->result = r->found;
        r->found = NULL;
    }
    return swng__job_end(r, rc, e);
}

static int find_then(swng_request *r)
{
    swng_error *e = NULL;
    int rc = fetch_end(r, r->cursor, &e);
    return rc != SWNG_OK ? swng__job_end(r, rc, e) : find_scan(r);
}

/* Begins a find over cur (taken) for want. */
static int find_begin(swng_request *r, swng_cursor *cur, int field, const char *want,
                      size_t want_len, const char *what, swng_error **err)
{
    r->client = cur->client;
    r->cursor = cur;
    r->own_cursor = 1;
    r->field = field;
    r->what = what;
    r->args[0].value = want;
    r->args[0].len = want_len;
    r->then = find_then;
    return fetch_begin(r, cur, err);
}

int swng__job_begin_find_group(swng_request *r, swng_client *client, const char *name,
                               size_t name_len, swng_error **err)
{
    swng_cursor *cur;
    int rc;
    if (!name) return swng__fail_arg(err, "name", "name must not be NULL");
    /* A name longer than the filter may be is still found, by reading
     * every group: checked as text first, then not sent. */
    if (utf8_chars(name, name_len) > MAX_GROUP_FILTER) {
        if ((rc = swng__check_text("name", name, name_len, err)) != SWNG_OK) return rc;
        rc = swng_number_group_list_n(&cur, client, NULL, 0, 0, err);
    } else {
        rc = swng_number_group_list_n(&cur, client, name, name_len, 0, err);
    }
    if (rc != SWNG_OK) return rc;
    return find_begin(r, cur, SWNG__G_NAME, name, name_len, "number group named", err);
}

int swng_number_group_find_n(swng_number_group **out, swng_client *client, const char *name,
                             size_t name_len, swng_error **err)
{
    swng_request r;
    int rc;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    memset(&r, 0, sizeof r);
    if ((rc = swng__job_begin_find_group(&r, client, name, name_len, err)) < 0) {
        swng__job_free_state(&r);
        return rc;
    }
    return swng__job_run(client, &r, (struct swng__object **)out, err);
}
int swng_number_group_find(swng_number_group **out, swng_client *client, const char *name,
                           swng_error **err)
{
    return swng_number_group_find_n(out, client, name, SWNG__LEN(name), err);
}

/* "+" and 2 to 15 digits, the first not 0 (ITU-T E.164). */
static int is_e164(const char *s, size_t n)
{
    size_t i;
    if (n < 3 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9') return 0;
    for (i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

int swng__job_begin_find_phone(swng_request *r, swng_client *client, const char *e164,
                               size_t e164_len, swng_error **err)
{
    swng_cursor *cur;
    int rc;
    if (!e164) return swng__fail_arg(err, "e164", "e164 must not be NULL");
    if (!is_e164(e164, e164_len))
        return swng__fail_arg(err, "e164",
                              "e164 must be an E.164 number: \"+\" and 2 to 15 digits");
    if ((rc = swng_phone_number_list_n(&cur, client, e164, e164_len, NULL, 0, 0, err)) != SWNG_OK)
        return rc;
    return find_begin(r, cur, SWNG__P_NUMBER, e164, e164_len, "phone number", err);
}

int swng_phone_number_find_n(swng_phone_number **out, swng_client *client, const char *e164,
                             size_t e164_len, swng_error **err)
{
    swng_request r;
    int rc;
    if (err) *err = NULL;
    if (out) *out = NULL;
    memset(&r, 0, sizeof r);
    rc = swng__job_begin_find_phone(&r, client, e164, e164_len, err);
    if (rc >= 0 && !out) rc = swng__fail_arg(err, "out", "out must not be NULL");
    if (rc < 0) {
        swng__job_free_state(&r);
        return rc;
    }
    return swng__job_run(client, &r, (struct swng__object **)out, err);
}
int swng_phone_number_find(swng_phone_number **out, swng_client *client, const char *e164,
                           swng_error **err)
{
    return swng_phone_number_find_n(out, client, e164, SWNG__LEN(e164), err);
}

/* ---- a group's membership of a phone number (args[0] the group, args[1]
 * the number; ids checked), through the group's list. Then, by phase:
 * remove the number (the membership deleted), or, after a create answered
 * 422 with if_exists "return", the membership found returned as existing
 * (not found: the 422 stands). */
enum { PHASE_REMOVE, PHASE_CREATE_EX };

static int member_found(swng_request *r)
{
    struct swng__arg id;
    swng_error *e = NULL;
    int rc;
    if (r->phase == PHASE_CREATE_EX) {
        r->found->existed = 1;
        r->result = r->found;
        r->found = NULL;
        return swng__job_end(r, SWNG_OK, NULL);
    }
    /* The delete borrows the id from the membership, kept until the end. */
    id.value = swng__object_str(r->found, SWNG__M_ID);
    id.len = strlen(id.value);
    if ((rc = swng__job_begin_op(r, r->client, &swng__op_delete_membership, &id, &e)) < 0)
        return swng__job_end(r, rc, e);
    return rc;
}

static int member_scan(swng_request *r)
{
    const struct swng__arg *group = &r->args[0], *phone = &r->args[1];
    struct swng__object *o;
    swng_error *e = NULL;
    int rc;
    while ((rc = cursor_take(r->cursor, r->cursor->type, &o, &e)) == SWNG_OK && o) {
        const char *id = swng__object_str(o, SWNG__M_PHONE_ID);
        /* UUIDs compare without case: the server may answer in lowercase. */
        if (id && strlen(id) == phone->len && strncasecmp(id, phone->value, phone->len) == 0) {
            r->found = o;
            return member_found(r);
        }
        swng__object_free(o);
    }
    if (rc == SWNG__MORE) {
        if ((rc = fetch_begin(r, r->cursor, &e)) >= 0) return rc;
    } else if (rc == SWNG_OK && r->phase == PHASE_CREATE_EX) {
        e = r->first; /* not in the group: the 422 stands */
        r->first = NULL;
        rc = SWNG_EVALIDATION;
    } else if (rc == SWNG_OK) {
        rc = swng__fail(&e, SWNG_ENOTFOUND, "phone number %.*s is not in number group %.*s",
                        (int)phone->len, phone->value, (int)group->len, group->value);
    }
    return swng__job_end(r, rc, e);
}

static int member_then(swng_request *r)
{
    swng_error *e = NULL;
    int rc = fetch_end(r, r->cursor, &e);
    return rc != SWNG_OK ? swng__job_end(r, rc, e) : member_scan(r);
}

/* Begins reading the group's memberships for the number. */
static int member_begin(swng_request *r, swng_error **err)
{
    int rc = swng_membership_list_n(&r->cursor, r->client, r->args[0].value, r->args[0].len,
                                    1000, err);
    if (rc != SWNG_OK) return rc;
    r->own_cursor = 1;
    r->then = member_then;
    return fetch_begin(r, r->cursor, err);
}

/* An id argument, checked as the engine checks one (the error names it). */
static int check_id(const char *name, const struct swng__arg *a, swng_error **err)
{
    int rc = swng__check_uuid(name, a->value, a->len, err);
    if (rc != SWNG_OK && err && *err) (*err)->option = name;
    return rc;
}

int swng__job_begin_remove_number(swng_request *r, swng_client *client,
                                  const struct swng__arg *group, const struct swng__arg *phone,
                                  swng_error **err)
{
    int rc;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    if ((rc = check_id("number_group_id", group, err)) ||
        (rc = check_id("phone_number_id", phone, err)))
        return rc;
    r->client = client;
    r->args[0] = *group;
    r->args[1] = *phone;
    r->phase = PHASE_REMOVE;
    return member_begin(r, err);
}

int swng_number_group_remove_number_n(swng_client *client, const char *number_group_id,
                                      size_t number_group_id_len, const char *phone_number_id,
                                      size_t phone_number_id_len, swng_error **err)
{
    struct swng__arg group, phone;
    swng_request r;
    int rc;
    if (err) *err = NULL;
    group.value = number_group_id;
    group.len = number_group_id_len;
    phone.value = phone_number_id;
    phone.len = phone_number_id_len;
    memset(&r, 0, sizeof r);
    if ((rc = swng__job_begin_remove_number(&r, client, &group, &phone, err)) < 0) {
        swng__job_free_state(&r);
        return rc;
    }
    return swng__job_run(client, &r, NULL, err);
}
int swng_number_group_remove_number(swng_client *client, const char *number_group_id,
                                    const char *phone_number_id, swng_error **err)
{
    return swng_number_group_remove_number_n(
        client, number_group_id, SWNG__LEN(number_group_id), phone_number_id,
        SWNG__LEN(phone_number_id), err);
}

/* After the create: a 422 with if_exists "return" looks in the group. */
static int create_ex_then(swng_request *r)
{
    struct swng__xfer *x = &r->x;
    if (!(x->rc == SWNG_EVALIDATION && r->if_exists == SWNG_IF_EXISTS_RETURN))
        return swng__op_then(r);
    /* A 422 may mean anything: only the group's list says the number is
     * in it. */
    r->first = x->err;
    x->err = NULL;
    swng__xfer_clear(x);
    r->phase = PHASE_CREATE_EX;
    {
        swng_error *e = NULL;
        int rc = member_begin(r, &e);
        return rc < 0 ? swng__job_end(r, rc, e) : rc;
    }
}

int swng__job_begin_create_ex(swng_request *r, swng_client *client,
                              const struct swng__arg *group, const struct swng__arg *phone,
                              int if_exists, swng_error **err)
{
    struct swng__arg args[2];
    int rc;
    if (if_exists != SWNG_IF_EXISTS_ERROR && if_exists != SWNG_IF_EXISTS_RETURN)
        return swng__fail_arg(err, "if_exists",
                              "if_exists must be SWNG_IF_EXISTS_ERROR or SWNG_IF_EXISTS_RETURN");
    args[0] = *group;
    args[1] = *phone;
    if ((rc = swng__job_begin_op(r, client, &swng__op_create_membership, args, err)) < 0)
        return rc;
    r->if_exists = if_exists;
    r->then = create_ex_then;
    return rc;
}

int swng_membership_create_ex_n(swng_membership **out, swng_client *client,
                                const char *number_group_id, size_t number_group_id_len,
                                const char *phone_number_id, size_t phone_number_id_len,
                                int if_exists, swng_error **err)
{
    struct swng__arg group, phone;
    swng_request r;
    int rc;
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    group.value = number_group_id;
    group.len = number_group_id_len;
    phone.value = phone_number_id;
    phone.len = phone_number_id_len;
    memset(&r, 0, sizeof r);
    if ((rc = swng__job_begin_create_ex(&r, client, &group, &phone, if_exists, err)) < 0) {
        swng__job_free_state(&r);
        return rc;
    }
    return swng__job_run(client, &r, (struct swng__object **)out, err);
}
int swng_membership_create_ex(swng_membership **out, swng_client *client,
                              const char *number_group_id, const char *phone_number_id,
                              int if_exists, swng_error **err)
{
    return swng_membership_create_ex_n(out, client, number_group_id,
                                       SWNG__LEN(number_group_id),
                                       phone_number_id, SWNG__LEN(phone_number_id),
                                       if_exists, err);
}
