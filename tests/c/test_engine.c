/* test_engine.c - the request engine (core/src/engine.c) called directly,
 * linked from the core's objects:
 *
 *  retries_*        the retry rule of each method (swng__send): 500/502/504
 *                   and a connection closed after sending are retried for
 *                   GET/PUT/DELETE only; 429/503 for every method.
 *  pooled_handle    one client, one pooled handle: POST, GET, DELETE, PUT in
 *                   turn; nothing of one request leaks into the next
 *                   (post_without_body: a POST with no body after a PUT).
 *  call_*           swng__call with a test-only operation row: URL building
 *                   (path "{}" segments, escaped query, optional parameters
 *                   left out), the JSON body, and every bad argument refused
 *                   before anything is sent.
 *  retry_after_*    Retry-After parsing through the engine.
 *  huge_header*     response headers over SWNG_MAX_HEADERS are
 *                   SWNG_EPROTOCOL, and are not retried.
 *
 * Everything runs against the emulated space, whose faults apply to any
 * route (GET, PUT, DELETE and POST) and whose journal records each
 * request's method, operation, raw path, headers and body. */
#define _GNU_SOURCE 1
#include "harness.h"

#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GROUP_PATH(id) "/api/relay/rest/number_groups/" id
#define ROUTE_PATH GROUP_PATH(TH_GROUP_SALES) "/number_group_memberships"
#define BODY_MAIN "{\"phone_number_id\":\"" TH_PHONE_MAIN "\"}"
#define BODY_ZURICH "{\"phone_number_id\":\"" TH_PHONE_ZURICH "\"}"

#define CHECK_NOTHING_SENT() CHECK_MSG(th_journal_count() == 0, "a request reached the space")

/* ======================================================== helpers */

static swng_client *engine_client(unsigned int max_retries)
{
    swng_client_options o;
    th_space_options(&o);
    o.max_retries = max_retries;
    o.retry_base_ms = 10;
    o.retry_max_ms = 50;
    o.timeout_ms = 10000;
    return th_client(&o);
}

/* swng__send of method to the space's path with body. On success the
 * response body is handed to *body_out (if not NULL; free() it). */
static int send_req(swng_client *c, const char *method, const char *path, const char *body,
                    swng_error **err, char **body_out)
{
    char url[1024];
    struct swng__request rq;
    struct swng__response rs;
    int rc;
    if (body_out) *body_out = NULL;
    snprintf(url, sizeof url, "%s%s", th_base_url(), path);
    rq.method = method;
    rq.url = url;
    rq.body = body;
    rq.bad_request = 0;
    memset(&rs, 0x5a, sizeof rs); /* swng__send must initialise it */
    rc = swng__send(c, &rq, &rs, err);
    if (rc == SWNG_OK) {
        CHECK_MSG(rs.status >= 200 && rs.status <= 299, "2xx expected, got %ld", rs.status);
        CHECK_MSG(rs.request_id != NULL, "no X-Request-Id kept from a 2xx");
        if (body_out) {
            *body_out = rs.body;
            rs.body = NULL;
        }
    } else {
        CHECK_MSG(rs.body == NULL && rs.request_id == NULL, "a failed send left a response");
    }
    swng__response_free(&rs);
    return rc;
}

/* =========================================================== retries */

/* One request per method, each to a route of the space that answers it
 * with a 2xx when no fault is queued. */
struct method_row {
    const char *method;
    const char *path;
    const char *body;
    const char *operation; /* the space's name for the route */
};

static const struct method_row method_rows[] = {
    {"GET", GROUP_PATH(TH_GROUP_SALES) "/number_group_memberships", NULL,
     "list_number_group_memberships"},
    {"PUT", GROUP_PATH(TH_GROUP_SALES), "{\"name\":\"Sales (renamed)\"}", "update_number_group"},
    {"DELETE", GROUP_PATH(TH_GROUP_SUPPORT), NULL, "delete_number_group"},
    {"POST", ROUTE_PATH, BODY_MAIN, "create_number_group_membership"},
};
#define NMETHODS (sizeof method_rows / sizeof method_rows[0])

struct fault_row {
    const char *label;
    const char *fault;      /* a space fault, without its count */
    int code;               /* the code when it is not retried away */
    int retried_idempotent; /* GET, PUT, DELETE */
    int retried_post;
};

static const struct fault_row fault_rows[] = {
    {"500", "{\"mode\":\"status\",\"status\":500", SWNG_ESERVER, 1, 0},
    {"502", "{\"mode\":\"status\",\"status\":502", SWNG_ESERVER, 1, 0},
    {"504", "{\"mode\":\"status\",\"status\":504", SWNG_ESERVER, 1, 0},
    {"html 502", "{\"mode\":\"html\",\"status\":502", SWNG_ESERVER, 1, 0},
    {"exception (500)", "{\"mode\":\"exception\"", SWNG_ESERVER, 1, 0},
    {"503", "{\"mode\":\"status\",\"status\":503", SWNG_ESERVER, 1, 1},
    {"429", "{\"mode\":\"status\",\"status\":429", SWNG_ERATELIMIT, 1, 1},
    {"close", "{\"mode\":\"close\"", SWNG_ETRANSPORT, 1, 0},
    {"truncate", "{\"mode\":\"truncate\"", SWNG_ETRANSPORT, 1, 0},
    /* Final answers, for every method. */
    {"501", "{\"mode\":\"status\",\"status\":501", SWNG_ESERVER, 0, 0},
    {"505", "{\"mode\":\"status\",\"status\":505", SWNG_ESERVER, 0, 0},
    {"404", "{\"mode\":\"status\",\"status\":404", SWNG_ENOTFOUND, 0, 0},
    {"422", "{\"mode\":\"status\",\"status\":422", SWNG_EVALIDATION, 0, 0},
    {"400", "{\"mode\":\"status\",\"status\":400", SWNG_EPROTOCOL, 0, 0},
    {"401", "{\"mode\":\"status\",\"status\":401", SWNG_EAUTH, 0, 0},
};
#define NFAULT_ROWS (sizeof fault_rows / sizeof fault_rows[0])

/* Checks the journal: n entries, all of `m`'s method and operation, each
 * faulted except (when ok) the last, which got a 2xx. */
static void check_journal_rows(const struct method_row *m, const char *label, int n, int ok)
{
    cJSON *reqs, *root = th_space_journal(&reqs);
    int i, got;
    if (!root) return;
    got = cJSON_GetArraySize(reqs);
    for (i = 0; i < got; i++) {
        const cJSON *e = cJSON_GetArrayItem(reqs, i);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
        int last_ok = ok && i == got - 1;
        CHECK_MSG(strcmp(th_json_str(e, "method") ? th_json_str(e, "method") : "", m->method) == 0,
                  "%s %s: request %d was a %s", m->method, label, i, th_q(th_json_str(e, "method")));
        CHECK_MSG(th_json_str(e, "operation") && strcmp(th_json_str(e, "operation"), m->operation) == 0,
                  "%s %s: request %d reached %s", m->method, label, i,
                  th_q(th_json_str(e, "operation")));
        if (last_ok)
            CHECK_MSG(cJSON_IsNumber(st) && st->valueint >= 200 && st->valueint <= 299 &&
                          cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "fault")),
                      "%s %s: the last request did not succeed", m->method, label);
        else
            CHECK_MSG(th_json_str(e, "fault") != NULL, "%s %s: request %d was not faulted",
                      m->method, label, i);
    }
    CHECK_MSG(got == n, "%s %s: %d request(s) in the journal, want %d", m->method, label, got, n);
    cJSON_Delete(root);
}

/* max_retries = 2, retry_base 10 ms. Per method and fault: a fault queued
 * once is retried away (2 requests, success) or not (1 request, its code);
 * a fault queued 4 times gives 3 requests or 1. The space's journal counts
 * the requests. */
static void test_retries_by_method(void)
{
    size_t m, f;
    int k;
    CHECK_INT_EQ(swng__idempotent("GET"), 1);
    CHECK_INT_EQ(swng__idempotent("PUT"), 1);
    CHECK_INT_EQ(swng__idempotent("DELETE"), 1);
    CHECK_INT_EQ(swng__idempotent("POST"), 0);
    for (m = 0; m < NMETHODS; m++) {
        const struct method_row *mr = &method_rows[m];
        int post = strcmp(mr->method, "POST") == 0;
        for (f = 0; f < NFAULT_ROWS; f++) {
            const struct fault_row *r = &fault_rows[f];
            int retried = post ? r->retried_post : r->retried_idempotent;
            for (k = 0; k < 2; k++) { /* the fault once, then every time */
                char fault[256], label[64];
                swng_client *c;
                swng_error *err = NULL;
                int rc, want_rc, want_n;
                CHECK_INT_EQ(th_space_reset(), 0);
                snprintf(fault, sizeof fault, "%s,\"count\":%d}", r->fault, k == 0 ? 1 : 4);
                CHECK_INT_EQ(th_space_fault(fault), 0);
                snprintf(label, sizeof label, "%s %s", r->label, k == 0 ? "once" : "every time");
                /* A fresh client per row: the first try is on a fresh
                 * connection, so libcurl's own resend of a request that died
                 * on a reused connection never comes into play. */
                c = engine_client(2);
                if (!c) continue;
                rc = send_req(c, mr->method, mr->path, mr->body, &err, NULL);
                want_rc = k == 0 && retried ? SWNG_OK : r->code;
                want_n = !retried ? 1 : k == 0 ? 2 : 3;
                CHECK_MSG(rc == want_rc,
                          "%s with %s: %s (%s), want %s (%s)", mr->method, label,
                          swng_status_name(rc), swng_error_message(err), swng_status_name(want_rc),
                          retried ? "retried" : "not retried");
                check_journal_rows(mr, label, want_n, want_rc == SWNG_OK);
                swng_error_free(err);
                swng_client_free(c);
            }
        }
    }
    /* max_retries 0: nothing is retried, whatever the method. */
    for (m = 0; m < NMETHODS; m++) {
        const struct method_row *mr = &method_rows[m];
        swng_client *c = engine_client(0);
        swng_error *err = NULL;
        if (!c) continue;
        CHECK_INT_EQ(th_space_reset(), 0);
        CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503,\"count\":2}"), 0);
        CHECK_RC(send_req(c, mr->method, mr->path, mr->body, &err, NULL), SWNG_ESERVER, err);
        check_journal_rows(mr, "503 with max_retries 0", 1, 0);
        swng_error_free(err);
        swng_client_free(c);
    }
}

/* ====================================================== pooled handle */

static void check_entry(const cJSON *e, const char *method, const char *body, int line)
{
    const char *ct = th_journal_header(e, "content-type");
    const char *cl = th_journal_header(e, "content-length");
    const char *got_body = th_json_str(e, "body");
    char what[64];
    snprintf(what, sizeof what, "%s request", method);
    th_check_str(__FILE__, line, what, th_json_str(e, "method"), "method", method);
    th_check_str(__FILE__, line, "Accept", th_journal_header(e, "accept"), "application/json",
                 "application/json");
    if (body) {
        th_check_str(__FILE__, line, "body", got_body, "body", body);
        th_check_str(__FILE__, line, "Content-Type", ct, "application/json", "application/json");
        th_check_msg(cl && strtol(cl, NULL, 10) == (long)strlen(body), __FILE__, line,
                     "%s: Content-Length %s for a %lu-byte body", method, th_q(cl),
                     (unsigned long)strlen(body));
    } else {
        th_check_msg(got_body && !*got_body, __FILE__, line, "%s: body %s, want none", method,
                     th_q(got_body));
        th_check_msg(ct == NULL, __FILE__, line, "%s: Content-Type %s on a request without body",
                     method, th_q(ct));
        th_check_msg(cl == NULL || strcmp(cl, "0") == 0, __FILE__, line,
                     "%s: Content-Length %s on a request without body", method, th_q(cl));
        th_check_msg(th_journal_header(e, "transfer-encoding") == NULL, __FILE__, line,
                     "%s: Transfer-Encoding on a request without body", method);
    }
}

/* One client, so one pooled easy handle on one kept-alive connection: a
 * POST with a body, then GET, DELETE, PUT, ... Nothing of one request (its
 * method, body or Content-Type) may carry over to the next. */
static void test_pooled_handle(void)
{
    static const struct {
        const char *method;
        const char *path;
        const char *body;
        const char *operation;
        long status;
    } steps[] = {
        {"POST", ROUTE_PATH, BODY_MAIN, "create_number_group_membership", 200},
        {"GET", ROUTE_PATH, NULL, "list_number_group_memberships", 200},
        {"DELETE", GROUP_PATH(TH_GROUP_SUPPORT), NULL, "delete_number_group", 204},
        {"PUT", GROUP_PATH(TH_GROUP_SALES), "{\"name\":\"Renamed by PUT\"}", "update_number_group",
         200},
        {"GET", GROUP_PATH(TH_GROUP_SALES), NULL, "retrieve_number_group", 200},
        {"POST", ROUTE_PATH, BODY_ZURICH, "create_number_group_membership", 200},
        {"GET", "/api/relay/rest/phone_numbers?page_size=1", NULL, "list_phone_numbers", 200},
        {"PUT", GROUP_PATH(TH_GROUP_SALES), "{\"name\":\"Sales\"}", "update_number_group", 200},
        {"DELETE", GROUP_PATH(TH_GROUP_SALES), NULL, "delete_number_group", 204},
        {"GET", GROUP_PATH(TH_GROUP_SALES), NULL, "retrieve_number_group", 404},
    };
    const size_t n = sizeof steps / sizeof steps[0];
    swng_client *c = engine_client(0);
    cJSON *reqs, *root;
    size_t i;
    double conn0 = -1;
    REQUIRE(c);
    for (i = 0; i < n; i++) {
        swng_error *err = NULL;
        char *body = NULL;
        int want = steps[i].status == 404 ? SWNG_ENOTFOUND : SWNG_OK;
        int rc = send_req(c, steps[i].method, steps[i].path, steps[i].body, &err, &body);
        CHECK_MSG(rc == want, "step %lu %s %s: %s (%s), want %s", (unsigned long)i,
                  steps[i].method, steps[i].path, swng_status_name(rc), swng_error_message(err),
                  swng_status_name(want));
        /* The PUT's body arrived whole: the group was renamed. */
        if (i == 4) CHECK_STR_CONTAINS(body, "\"Renamed by PUT\"");
        if (steps[i].status == 204) CHECK_MSG(body == NULL, "a 204 with a body %s", th_q(body));
        free(body);
        swng_error_free(err);
    }
    swng_client_free(c);
    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), (long)n);
    for (i = 0; i < n && i < (size_t)cJSON_GetArraySize(reqs); i++) {
        const cJSON *e = cJSON_GetArrayItem(reqs, (int)i);
        const cJSON *conn = cJSON_GetObjectItemCaseSensitive(e, "connection_id");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
        check_entry(e, steps[i].method, steps[i].body, __LINE__);
        CHECK_STR_EQ(th_json_str(e, "path"), steps[i].path);
        CHECK_STR_EQ(th_json_str(e, "operation"), steps[i].operation);
        CHECK_MSG(cJSON_IsNumber(st) && st->valueint == steps[i].status, "step %lu: HTTP %d",
                  (unsigned long)i, cJSON_IsNumber(st) ? st->valueint : -1);
        /* One pooled handle, one kept-alive connection throughout. */
        if (i == 0 && cJSON_IsNumber(conn)) conn0 = conn->valuedouble;
        CHECK_MSG(cJSON_IsNumber(conn) && conn->valuedouble == conn0,
                  "step %lu on another connection: not the same pooled handle", (unsigned long)i);
    }
    cJSON_Delete(root);
}

/* A POST without a body (rq.body NULL) after requests with one: POST on
 * the wire, no body and no Content-Type (the space says 422 invalid_body). */
static void test_post_without_body(void)
{
    swng_client *c = engine_client(0);
    swng_error *err = NULL;
    cJSON *reqs, *root;
    REQUIRE(c);
    CHECK_RC(send_req(c, "PUT", GROUP_PATH(TH_GROUP_SALES), "{\"name\":\"x\"}", &err, NULL),
             SWNG_OK, err);
    CHECK_RC(send_req(c, "POST", ROUTE_PATH, NULL, &err, NULL), SWNG_EVALIDATION, err);
    CHECK_STR_EQ(swng_error_item_code(err, 0), "invalid_body");
    swng_error_free(err);
    swng_client_free(c);
    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), 2);
    check_entry(cJSON_GetArrayItem(reqs, 1), "POST", NULL, __LINE__);
    cJSON_Delete(root);
}

/* ======================================================== swng__call */

static const struct swng__param t_params[] = {
    {"number_group_id", SWNG__IN_PATH, SWNG__A_UUID, 0, NULL, NULL},
    {"note", SWNG__IN_QUERY, SWNG__A_TEXT, 1, NULL, NULL},
    {"tag", SWNG__IN_QUERY, SWNG__A_TEXT, 1, NULL, NULL},
    {"phone_number_id", SWNG__IN_BODY, SWNG__A_UUID, 0, NULL, NULL},
};
static const struct swng__op t_op = {
    "POST", "/api/relay/rest/number_groups/{}/number_group_memberships", t_params,
    sizeof t_params / sizeof t_params[0], &swng__type_membership, 0};

#define A(s) {(s), sizeof(s) - 1}
#define A_NULL {NULL, 0}

/* Decodes %XX in s[0..n) into out (no '+' rule: it must arrive as %2B);
 * returns the decoded length, or (size_t)-1 for a bad escape. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            unsigned v;
            if (i + 2 >= n) return (size_t)-1;
            if (sscanf(s + i + 1, "%2x", &v) != 1) return (size_t)-1;
            out[k++] = (char)v;
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return k;
}

/* The decoded value of query parameter `name` in the journal path, or NULL
 * (static buffer). */
static const char *query_param(const char *path, const char *name)
{
    static char out[1024];
    const char *q = strchr(path, '?'), *p;
    size_t k = strlen(name);
    if (!q) return NULL;
    for (p = q + 1; *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > k && strncmp(p, name, k) == 0 && p[k] == '=') {
            if (pct_decode(p + k + 1, len - k - 1, out) == (size_t)-1) return NULL;
            return out;
        }
        if (len == k && strncmp(p, name, k) == 0) return "";
        if (!amp) break;
        p = amp + 1;
    }
    return NULL;
}

/* The last journal entry's path, copied (static buffer). */
static const char *last_path(void)
{
    static char path[2048];
    cJSON *reqs, *root = th_space_journal(&reqs);
    int n = root ? cJSON_GetArraySize(reqs) : 0;
    path[0] = '\0';
    if (n > 0) {
        const char *p = th_json_str(cJSON_GetArrayItem(reqs, n - 1), "path");
        snprintf(path, sizeof path, "%s", p ? p : "");
    }
    cJSON_Delete(root);
    return path;
}

static int do_call(const struct swng__arg *args, swng_error **err)
{
    swng_client *c = engine_client(0);
    struct swng__object *o = NULL;
    int rc;
    if (!c) return -100;
    rc = swng__call(&t_op, c, args, &o, err);
    if (rc == SWNG_OK) {
        CHECK_NOT_NULL(o);
        CHECK_STR_EQ(swng__object_str(o, SWNG__M_NUMBER_GROUP_ID), TH_GROUP_SALES);
        CHECK_INT_EQ(o ? o->http_status : 0, 200);
    } else {
        CHECK_NULL(o);
    }
    swng__object_free(o);
    swng_client_free(c);
    return rc;
}

static void test_call_query_escaping(void)
{
    static const char note[] = "A&B ?#=%";
    static const char tag[] = "+15551234567";
    const struct swng__arg args[] = {A(TH_GROUP_SALES), A(note), A(tag), A(TH_PHONE_MAIN)};
    swng_error *err = NULL;
    const char *path, *q;
    cJSON *reqs, *root;
    CHECK_RC(do_call(args, &err), SWNG_OK, err);
    swng_error_free(err);
    path = last_path();
    /* Percent-encoded on the wire ... */
    CHECK_STR_EQ(path, ROUTE_PATH "?note=A%26B%20%3F%23%3D%25&tag=%2B15551234567");
    q = strchr(path, '?');
    CHECK_MSG(q && !strchr(q + 1, '?') && !strchr(q, '#') && !strchr(q, ' ') && !strchr(q, '+'),
              "raw query %s holds a reserved character", th_q(q));
    /* ... and decoded back intact. */
    CHECK_STR_EQ(query_param(path, "note"), note);
    CHECK_STR_EQ(query_param(path, "tag"), tag);
    /* The body holds the body parameter only. */
    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), 1);
    check_entry(cJSON_GetArrayItem(reqs, 0), "POST", BODY_MAIN, __LINE__);
    cJSON_Delete(root);

    /* UTF-8 text and every reserved character. */
    {
        static const char utf8[] = "Z\xc3\xbcrich B\xc3\xbcro \xe2\x98\x8e /;:@!$'()*,[]";
        const struct swng__arg a2[] = {A(TH_GROUP_SALES), A(utf8), A_NULL, A(TH_PHONE_ZURICH)};
        CHECK_RC(do_call(a2, &err), SWNG_OK, err);
        swng_error_free(err);
        path = last_path();
        CHECK_STR_EQ(query_param(path, "note"), utf8);
        CHECK_MSG(strspn(strchr(path, '?') + 1,
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%=") ==
                      strlen(strchr(path, '?') + 1),
                  "raw query %s is not fully escaped", th_q(path));
    }
}

static void test_call_optional_params(void)
{
    swng_error *err = NULL;
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A_NULL, A("x"), A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_OK, err);
        swng_error_free(err);
        CHECK_STR_EQ(last_path(), ROUTE_PATH "?tag=x");
    }
    CHECK_INT_EQ(th_space_reset(), 0);
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A("y"), A_NULL, A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_OK, err);
        swng_error_free(err);
        CHECK_STR_EQ(last_path(), ROUTE_PATH "?note=y");
    }
    CHECK_INT_EQ(th_space_reset(), 0);
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A_NULL, A_NULL, A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_OK, err);
        swng_error_free(err);
        CHECK_STR_EQ(last_path(), ROUTE_PATH);
    }
    CHECK_INT_EQ(th_space_reset(), 0);
    /* A NULL value is "not given" whatever its length. */
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), {NULL, 5}, {NULL, 7}, A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_OK, err);
        swng_error_free(err);
        CHECK_STR_EQ(last_path(), ROUTE_PATH);
    }
    CHECK_INT_EQ(th_space_reset(), 0);
    /* Counted values: only len bytes are sent. */
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), {"abcdef", 3}, A_NULL, A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_OK, err);
        swng_error_free(err);
        CHECK_STR_EQ(last_path(), ROUTE_PATH "?note=abc");
    }
}

/* A given but empty counted value is refused (text arguments are never
 * empty: an empty filter would silently mean "everything"), and len 0 is
 * never read as "up to the NUL" (curl_easy_escape's meaning of length 0):
 * nothing of the buffer behind it is sent. */
static void test_call_empty_counted_value(void)
{
    swng_error *err = NULL;
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), {"", 0}, A_NULL, A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "note");
        CHECK_STR_EQ(swng_error_message(err), "note must not be empty");
        swng_error_free(err);
    }
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), {"secret-rest-of-buffer", 0}, A("t"),
                                      A(TH_PHONE_MAIN)};
        CHECK_RC(do_call(a, &err), SWNG_EINVAL, err);
        swng_error_free(err);
    }
    CHECK_INT_EQ(th_journal_count(), 0);
}

struct bad_arg {
    int param; /* index in t_params */
    const char *value;
    size_t len;
    const char *label;
};

static void expect_call_einval(const struct bad_arg *b, int line)
{
    struct swng__arg args[] = {A(TH_GROUP_SALES), A("ok"), A("ok"), A(TH_PHONE_MAIN)};
    swng_client *c = engine_client(0);
    struct swng__object *o = (struct swng__object *)&o; /* must be reset */
    swng_error *err = NULL;
    const char *name = t_params[b->param].name;
    char what[160];
    int rc;
    if (!c) return;
    CHECK_INT_EQ(th_space_reset(), 0);
    args[b->param].value = b->value;
    args[b->param].len = b->len;
    snprintf(what, sizeof what, "%s = %s", name, b->label);
    rc = swng__call(&t_op, c, args, &o, &err);
    th_check_rc(__FILE__, line, what, rc, SWNG_EINVAL, err);
    th_check_msg(o == NULL, __FILE__, line, "%s: *out not NULL", what);
    th_check_str(__FILE__, line, "swng_error_option(err)", swng_error_option(err), name, name);
    th_check_msg(strncmp(swng_error_message(err), name, strlen(name)) == 0, __FILE__, line,
                 "%s: message %s does not start with %s", what, th_q(swng_error_message(err)), name);
    th_check_long(__FILE__, line, "requests sent", th_journal_count(), "0", 0);
    if (rc == SWNG_OK) swng__object_free(o);
    swng_error_free(err);
    swng_client_free(c);
}

#define BAD(p, s) {p, s, sizeof(s) - 1, #s}

static void test_call_bad_args(void)
{
    static const char uuid_nul[] = "41148420-0549-49cf-924c\0e4a320c8c1e9";
    static const char text_nul[] = "ab\0cd";
    const struct bad_arg rows[] = {
        /* the UUID path parameter */
        BAD(0, "../x"),
        BAD(0, "../../../../api/relay/rest/xxxxxxxxxxxx"),
        BAD(0, "?"),
        BAD(0, "#"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8c1e9?x"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8c1e9#"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8/1e9"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8c1\r9"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8c1\n9"),
        BAD(0, "41148420-0549-49cf-924c-e4a320c8c1e9\r\nX-Injected: 1"),
        {0, uuid_nul, sizeof uuid_nul - 1, "UUID with a NUL inside"},
        {0, TH_GROUP_SALES, 37, "UUID with its NUL counted"},
        BAD(0, ""),
        {0, NULL, 0, "NULL"},
        {0, NULL, 36, "NULL (len 36)"},
        BAD(0, "not-a-uuid"),
        BAD(0, "%2e%2e%2fx"),
        /* the UUID body parameter */
        BAD(3, ""),
        {3, NULL, 0, "NULL"},
        BAD(3, "../x"),
        BAD(3, "0cc9aa06-4e1e-47b0-b276-0fa31c14760\n"),
        /* the TEXT query parameters */
        BAD(1, "a\x01" "b"),
        BAD(1, "a\nb"),
        BAD(1, "a\rb"),
        BAD(1, "\r\nX-Injected: 1"),
        BAD(1, "tab\there"),
        BAD(1, "\x1b[31mred"),
        BAD(1, "del\x7f"),
        {1, text_nul, sizeof text_nul - 1, "text with a NUL inside"},
        {1, "abc", 4, "text with its NUL counted"},
        BAD(1, "\xff"),
        BAD(1, "caf\xe9"),
        BAD(1, "\xc3"),
        BAD(1, "\xc3\x28"),
        BAD(1, "\xc0\xaf"),          /* overlong '/' */
        BAD(1, "\xe0\x80\xaf"),      /* overlong '/' */
        BAD(1, "\xed\xa0\x80"),      /* a surrogate */
        BAD(1, "\xf4\x90\x80\x80"),  /* beyond U+10FFFF */
        BAD(1, "\xe2\x82"),          /* truncated */
        BAD(2, "\x01"),
        BAD(2, "\n"),
        BAD(2, "\xfe\xfe"),
        BAD(2, "+1555\r\n"),
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) expect_call_einval(&rows[i], __LINE__);
}

/* C1 controls (U+0080..U+009F, e.g. NEL U+0085 and CSI U+009B) are control
 * characters too (Unicode category Cc), which SWNG__A_TEXT promises to
 * refuse ("UTF-8 without NUL or control characters", engine.h). */
static void test_call_text_c1_controls(void)
{
    const struct bad_arg rows[] = {
        BAD(1, "a\xc2\x85" "b"),
        BAD(1, "\xc2\x9b" "31m"),
        BAD(2, "\xc2\x80"),
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) expect_call_einval(&rows[i], __LINE__);
}

/* The first bad parameter in row order is the one named; the others are
 * not looked at, and nothing is sent. */
static void test_call_order_and_nulls(void)
{
    swng_client *c = engine_client(0);
    struct swng__object *o = NULL;
    swng_error *err = NULL;
    REQUIRE(c);
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A("\n"), A("\xff"), A("x")};
        CHECK_RC(swng__call(&t_op, c, a, &o, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "note");
        swng_error_free(err);
    }
    {
        const struct swng__arg a[] = {A("x"), A("\n"), A("\xff"), A("x")};
        CHECK_RC(swng__call(&t_op, c, a, &o, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "number_group_id");
        swng_error_free(err);
    }
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A("ok"), A("\xff"), A("x")};
        CHECK_RC(swng__call(&t_op, c, a, &o, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "tag");
        swng_error_free(err);
    }
    {
        const struct swng__arg a[] = {A(TH_GROUP_SALES), A_NULL, A_NULL, A(TH_PHONE_MAIN)};
        CHECK_RC(swng__call(&t_op, c, a, NULL, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "out");
        swng_error_free(err);
        CHECK_RC(swng__call(&t_op, NULL, a, &o, &err), SWNG_EINVAL, err);
        CHECK_STR_EQ(swng_error_option(err), "client");
        swng_error_free(err);
        /* err NULL: the same refusal, no crash. */
        CHECK_INT_EQ(swng__call(&t_op, NULL, a, &o, NULL), SWNG_EINVAL);
    }
    CHECK_NULL(o);
    CHECK_NOTHING_SENT();
    swng_client_free(c);
}

/* ======================================================= Retry-After */

static long retry_after_of(const char *header_value, int status)
{
    char fault[512];
    swng_client *c = engine_client(0);
    swng_error *err = NULL;
    long ra = -100;
    int rc;
    if (!c) return ra;
    CHECK_INT_EQ(th_space_reset(), 0);
    if (header_value)
        snprintf(fault, sizeof fault, "{\"mode\":\"status\",\"status\":%d,\"retry_after\":\"%s\"}",
                 status, header_value);
    else
        snprintf(fault, sizeof fault, "{\"mode\":\"status\",\"status\":%d}", status);
    CHECK_INT_EQ(th_space_fault(fault), 0);
    rc = send_req(c, "POST", ROUTE_PATH, BODY_MAIN, &err, NULL);
    CHECK_MSG(rc == (status == 429 ? SWNG_ERATELIMIT : SWNG_ESERVER),
              "Retry-After %s: rc %s", th_q(header_value), swng_status_name(rc));
    CHECK_INT_EQ(swng_error_http_status(err), status);
    if (err) ra = swng_error_retry_after(err);
    swng_error_free(err);
    swng_client_free(c);
    CHECK_INT_EQ(th_journal_count(), 1);
    return ra;
}

static void http_date(char *buf, size_t n, time_t t, int asctime_form)
{
    struct tm tm;
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    gmtime_r(&t, &tm);
    if (asctime_form)
        snprintf(buf, n, "%s %s %2d %02d:%02d:%02d %d", wd[tm.tm_wday], mo[tm.tm_mon], tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    else
        snprintf(buf, n, "%s, %02d %s %d %02d:%02d:%02d GMT", wd[tm.tm_wday], tm.tm_mday,
                 mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void test_retry_after_values(void)
{
    static const struct {
        const char *value;
        long want;
    } exact[] = {
        {"3", 3},   {"0", 0},       {"120", 120}, {"-5", -1}, {"soon", -1}, {"", -1},
        {"1.5", -1}, {"3a", -1},    {"0x10", -1}, {"-0", -1}, {" 3", 3},    {"3 ", 3},
    };
    char date[64];
    long ra;
    size_t i;
    for (i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        ra = retry_after_of(exact[i].value, 429);
        CHECK_MSG(ra == exact[i].want, "Retry-After %s: swng_error_retry_after %ld, want %ld",
                  th_q(exact[i].value), ra, exact[i].want);
    }
    /* No header at all. */
    CHECK_INT_EQ(retry_after_of(NULL, 429), -1);
    CHECK_INT_EQ(retry_after_of(NULL, 503), -1);
    /* 503 carries it too. */
    CHECK_INT_EQ(retry_after_of("7", 503), 7);

    /* An HTTP-date about 120 s ahead (the space's clock is this one). */
    http_date(date, sizeof date, time(NULL) + 120, 0);
    ra = retry_after_of(date, 429);
    CHECK_MSG(ra >= 110 && ra <= 121, "Retry-After %s: %ld, want about 120", date, ra);
    http_date(date, sizeof date, time(NULL) + 3600, 1);
    ra = retry_after_of(date, 503);
    CHECK_MSG(ra >= 3590 && ra <= 3601, "Retry-After %s (asctime): %ld, want about 3600", date,
              ra);
    /* A date in the past: retry now. */
    http_date(date, sizeof date, time(NULL) - 3600, 0);
    CHECK_INT_EQ(retry_after_of(date, 429), 0);
    /* A date far ahead is capped, not wrapped. */
    ra = retry_after_of("Fri, 31 Dec 9999 23:59:59 GMT", 429);
    CHECK_MSG(ra >= 100000000L || ra == -1, "Retry-After year 9999: %ld", ra);

    /* Huge numbers saturate: large, positive, and safe to turn into ms. */
    {
        static const char *const huge[] = {"123456789012345678901234567890",
                                           "999999999999999999999999999999",
                                           "9223372036854775808", "4294967296"};
        for (i = 0; i < sizeof huge / sizeof huge[0]; i++) {
            ra = retry_after_of(huge[i], 429);
            CHECK_MSG(ra >= 100000000L && ra <= 999999999L,
                      "Retry-After %s: %ld, want a large capped value", huge[i], ra);
        }
        /* 63 digits: still a number; 64 and more: too long to be one. */
        ra = retry_after_of("111111111111111111111111111111111111111111111111111111111111111",
                            429);
        CHECK_MSG(ra >= 100000000L, "Retry-After 63 digits: %ld", ra);
    }
}

/* ===================================================== huge headers */

/* A fault whose response carries `n` headers of `size` bytes each. */
static char *big_headers_fault(int status, int n, size_t size)
{
    size_t cap = (size_t)n * (size + 32) + 128, len;
    char *f = malloc(cap);
    int i;
    if (!f) return NULL;
    len = (size_t)snprintf(f, cap, "{\"mode\":\"status\",\"status\":%d,\"headers\":{", status);
    for (i = 0; i < n; i++) {
        len += (size_t)snprintf(f + len, cap - len, "%s\"X-Big-%d\":\"", i ? "," : "", i);
        memset(f + len, 'a', size);
        len += size;
        len += (size_t)snprintf(f + len, cap - len, "\"");
    }
    snprintf(f + len, cap - len, "}}");
    return f;
}

static void huge_header_case(int status, int n, size_t size, int want_rc, int want_requests)
{
    char *fault = big_headers_fault(status, n, size);
    swng_client *c = engine_client(2);
    swng_error *err = NULL;
    int rc;
    if (!fault || !c) {
        CHECK(fault && c);
        free(fault);
        swng_client_free(c);
        return;
    }
    CHECK_INT_EQ(th_space_reset(), 0);
    CHECK_INT_EQ(th_space_fault(fault), 0);
    free(fault);
    rc = send_req(c, "POST", ROUTE_PATH, BODY_MAIN, &err, NULL);
    CHECK_MSG(rc == want_rc, "HTTP %d with %d header(s) of %lu bytes: %s (%s), want %s", status,
              n, (unsigned long)size, swng_status_name(rc), swng_error_message(err),
              swng_status_name(want_rc));
    if (want_rc == SWNG_EPROTOCOL) CHECK_STR_CONTAINS(swng_error_message(err), "header");
    CHECK_MSG(th_journal_count() == want_requests, "%d request(s), want %d", th_journal_count(),
              want_requests);
    swng_error_free(err);
    swng_client_free(c);
}

static void test_huge_header(void)
{
    /* One header line over 64 KiB. */
    huge_header_case(200, 1, 70 * 1024, SWNG_EPROTOCOL, 1);
    huge_header_case(200, 1, 200 * 1024, SWNG_EPROTOCOL, 1);
    /* Many lines that only together pass 64 KiB. */
    huge_header_case(200, 40, 2000, SWNG_EPROTOCOL, 1);
    /* On a retryable status: still a protocol error, not retried. */
    huge_header_case(503, 1, 70 * 1024, SWNG_EPROTOCOL, 1);
    /* Just under the cap is fine. */
    huge_header_case(200, 1, 60 * 1024, SWNG_OK, 1);
    huge_header_case(200, 30, 2000, SWNG_OK, 1);
}

/* The same on a GET: an idempotent method is not retried on it either. */
static void test_huge_header_get(void)
{
    char *fault = big_headers_fault(200, 1, 70 * 1024);
    swng_client *c = engine_client(2);
    swng_error *err = NULL;
    if (fault && c) {
        CHECK_INT_EQ(th_space_fault(fault), 0);
        CHECK_RC(send_req(c, "GET", GROUP_PATH(TH_GROUP_SALES), NULL, &err, NULL), SWNG_EPROTOCOL,
                 err);
        CHECK_STR_CONTAINS(swng_error_message(err), "header");
        CHECK_INT_EQ(th_journal_count(), 1);
        swng_error_free(err);
    } else {
        CHECK(fault && c);
    }
    free(fault);
    swng_client_free(c);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"retries_by_method", test_retries_by_method},
        {"pooled_handle", test_pooled_handle},
        {"post_without_body", test_post_without_body},
        {"call_query_escaping", test_call_query_escaping},
        {"call_optional_params", test_call_optional_params},
        {"call_empty_counted_value", test_call_empty_counted_value},
        {"call_bad_args", test_call_bad_args},
        {"call_text_c1_controls", test_call_text_c1_controls},
        {"call_order_and_nulls", test_call_order_and_nulls},
        {"retry_after_values", test_retry_after_values},
        {"huge_header", test_huge_header},
        {"huge_header_get", test_huge_header_get},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
