/* test_errors.c - every HTTP error row of the error table, against the real
 * space: the code, the HTTP status, the message, the 422 items, Retry-After
 * in both forms, the request id, the raw body, redirects not followed, and
 * the token kept out of everything. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The journal's last entry (root to be freed by the caller), or NULL. */
static cJSON *last_entry(cJSON **root, int expect_count)
{
    cJSON *reqs;
    *root = th_space_journal(&reqs);
    if (!*root) return NULL;
    if (expect_count >= 0) CHECK_INT_EQ(cJSON_GetArraySize(reqs), expect_count);
    return cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
}

/* One call with an error expected: checks code, HTTP status, that *out is
 * NULL, that the error's request id is the space's and that the token is
 * nowhere. Returns the error (caller frees). */
static swng_error *expect_error(swng_client *c, const char *group, const char *phone, int code,
                                long http, int line)
{
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    cJSON *root, *e;
    int rc = swng_membership_create(&m, c, group, phone, &err);
    if (!th_check_rc(__FILE__, line, "swng_membership_create", rc, code, err)) {
        if (rc == SWNG_OK) swng_membership_free(m);
        swng_error_free(err);
        return NULL;
    }
    th_check_long(__FILE__, line, "m == NULL", m == NULL, "1", 1);
    if (!err) {
        th_fail(__FILE__, line, "no error object");
        return NULL;
    }
    th_check_long(__FILE__, line, "swng_error_code", swng_error_code(err), "code", code);
    th_check_str(__FILE__, line, "swng_error_code_name", swng_error_code_name(err), "name",
                 swng_status_name(code));
    th_check_long(__FILE__, line, "swng_error_http_status", swng_error_http_status(err), "http",
                  http);
    th_check_long(__FILE__, line, "message not empty", *swng_error_message(err) != '\0', "1", 1);
    th_check_contains(__FILE__, line, "message", swng_error_message(err), th_token(), 0);
    if (swng_error_body(err))
        th_check_contains(__FILE__, line, "body", swng_error_body(err), th_token(), 0);
    if (http) {
        /* X-Request-Id of the failing response is kept. */
        e = last_entry(&root, -1);
        th_check_str(__FILE__, line, "swng_error_request_id", swng_error_request_id(err),
                     "journal request_id", th_json_str(e, "request_id"));
        cJSON_Delete(root);
    }
    return err;
}
#define EXPECT_ERROR(c, g, p, code, http) expect_error(c, g, p, code, http, __LINE__)

static void test_401_wrong_token(void)
{
    swng_client_options o;
    swng_client *c;
    swng_error *err;
    char wrong[256];
    snprintf(wrong, sizeof wrong, "%sX", th_token());
    th_space_options(&o);
    o.token = wrong;
    c = th_client(&o);
    REQUIRE(c);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EAUTH, 401);
    CHECK_STR_CONTAINS(swng_error_message(err), "401");
    CHECK_STR_CONTAINS(swng_error_message(err), "Unauthorized");
    CHECK_STR_NOT_CONTAINS(swng_error_message(err), wrong);
    CHECK_STR_CONTAINS(swng_error_body(err), "Unauthorized");
    CHECK_INT_EQ(swng_error_retry_after(err), -1);
    CHECK_INT_EQ(swng_error_item_count(err), 0);
    swng_error_free(err);
    swng_client_free(c);

    /* Wrong project id: also 401. */
    th_space_options(&o);
    o.project_id = "00000000-0000-0000-0000-000000000000";
    c = th_client(&o);
    REQUIRE(c);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EAUTH, 401);
    swng_error_free(err);
    swng_client_free(c);
    /* Nothing was created. */
    {
        cJSON *list, *root = th_space_memberships(&list);
        if (CHECK(root)) CHECK_INT_EQ(cJSON_GetArraySize(list), 0);
        cJSON_Delete(root);
    }
}

static void test_403(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":403,"
                                "\"body\":\"{\\\"error\\\":\\\"Forbidden for this project\\\"}\"}"),
                 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EAUTH, 403);
    CHECK_STR_CONTAINS(swng_error_message(err), "Forbidden for this project");
    CHECK_STR_EQ(swng_error_body(err), "{\"error\":\"Forbidden for this project\"}");
    swng_error_free(err);
    swng_client_free(c);
}

static void test_404_unknown_group(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    err = EXPECT_ERROR(c, TH_UNKNOWN_UUID, TH_PHONE_MAIN, SWNG_ENOTFOUND, 404);
    CHECK_STR_CONTAINS(swng_error_message(err), "404");
    CHECK_STR_CONTAINS(swng_error_message(err), "Not Found");
    CHECK_STR_EQ(swng_error_body(err), "{\"error\": \"Not Found\"}");
    swng_error_free(err);
    swng_client_free(c);
}

/* Checks a 422 error's single item: all four fields are strings. */
static void check_item(const swng_error *err, const char *code, const char *title,
                       const char *detail_part)
{
    CHECK_INT_EQ(swng_error_item_count(err), 1);
    CHECK_STR_EQ(swng_error_item_status(err, 0), "422");
    CHECK_STR_EQ(swng_error_item_code(err, 0), code);
    CHECK_STR_EQ(swng_error_item_title(err, 0), title);
    CHECK_STR_CONTAINS(swng_error_item_detail(err, 0), detail_part);
    CHECK_NULL(swng_error_item_detail(err, 1));
    CHECK_NULL(swng_error_item_status(err, 1));
    CHECK_NULL(swng_error_item_title(err, 1));
    CHECK_NULL(swng_error_item_code(err, 1));
    /* The message carries the server's explanation. */
    CHECK_STR_CONTAINS(swng_error_message(err), swng_error_item_detail(err, 0));
}

static void test_422_unknown_phone(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_UNKNOWN_UUID, SWNG_EVALIDATION, 422);
    check_item(err, "phone_number_not_found", "Phone number not found", TH_UNKNOWN_UUID);
    CHECK_STR_CONTAINS(swng_error_body(err), "phone_number_not_found");
    swng_error_free(err);
    swng_client_free(c);
}

static void test_422_already_member(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    REQUIRE(c);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EVALIDATION, 422);
    check_item(err, "already_member", "Phone number already in group", TH_PHONE_MAIN);
    swng_error_free(err);
    /* The same number in the other group is fine. */
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SUPPORT, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

/* A 422 with several items, one with numbers where strings belong, one that
 * is not an object: items are read as strings, oddities tolerated. */
static void test_422_many_items(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    CHECK_INT_EQ(
        th_space_fault(
            "{\"mode\":\"status\",\"status\":422,\"body\":"
            "\"{\\\"errors\\\":[{\\\"detail\\\":\\\"first problem\\\",\\\"status\\\":\\\"422\\\","
            "\\\"title\\\":\\\"T1\\\",\\\"code\\\":\\\"c1\\\"},"
            "{\\\"detail\\\":\\\"second\\\",\\\"status\\\":422,\\\"title\\\":\\\"T2\\\"},"
            "{\\\"title\\\":\\\"only a title\\\"}]}\"}"),
        0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EVALIDATION, 422);
    CHECK_INT_EQ(swng_error_item_count(err), 3);
    CHECK_STR_EQ(swng_error_item_detail(err, 0), "first problem");
    CHECK_STR_EQ(swng_error_item_code(err, 0), "c1");
    CHECK_STR_EQ(swng_error_item_status(err, 1), "422");
    CHECK_NULL(swng_error_item_code(err, 1));
    CHECK_NULL(swng_error_item_detail(err, 2));
    CHECK_STR_EQ(swng_error_item_title(err, 2), "only a title");
    CHECK_STR_CONTAINS(swng_error_message(err), "first problem");
    CHECK_STR_CONTAINS(swng_error_message(err), "2 more");
    swng_error_free(err);
    swng_client_free(c);
}

static void test_429_retry_after_seconds(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"7\"}"), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    CHECK_INT_EQ(swng_error_retry_after(err), 7);
    CHECK_STR_CONTAINS(swng_error_message(err), "429");
    swng_error_free(err);

    /* No Retry-After: -1. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429}"), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    CHECK_INT_EQ(swng_error_retry_after(err), -1);
    swng_error_free(err);

    /* Zero is a value, not "none". */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"0\"}"), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    CHECK_INT_EQ(swng_error_retry_after(err), 0);
    swng_error_free(err);

    /* A large value is passed on as is. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"3600\"}"),
                 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    CHECK_INT_EQ(swng_error_retry_after(err), 3600);
    swng_error_free(err);
    swng_client_free(c);
}

static void http_date(char *buf, size_t n, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void test_429_retry_after_date(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    char date[64], fault[256];
    long ra;
    REQUIRE(c);
    http_date(date, sizeof date, time(NULL) + 120);
    snprintf(fault, sizeof fault,
             "{\"mode\":\"status\",\"status\":429,\"retry_after\":\"%s\"}", date);
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    ra = swng_error_retry_after(err);
    /* Seconds from now to the date: 120, less the time the call took. */
    CHECK_MSG(ra >= 115 && ra <= 120, "Retry-After %s gave %ld, expected ~120", date, ra);
    swng_error_free(err);

    /* A date in the past means "now": 0. */
    http_date(date, sizeof date, time(NULL) - 3600);
    snprintf(fault, sizeof fault,
             "{\"mode\":\"status\",\"status\":429,\"retry_after\":\"%s\"}", date);
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ERATELIMIT, 429);
    CHECK_INT_EQ(swng_error_retry_after(err), 0);
    swng_error_free(err);

    /* 503 carries Retry-After too. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503,\"retry_after\":\"5\"}"), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 503);
    CHECK_INT_EQ(swng_error_retry_after(err), 5);
    swng_error_free(err);
    swng_client_free(c);
}

static void test_5xx(void)
{
    static const int statuses[] = {500, 502, 503, 504, 599};
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char fault[128], num[8];
        swng_error *err;
        snprintf(fault, sizeof fault, "{\"mode\":\"status\",\"status\":%d}", statuses[i]);
        snprintf(num, sizeof num, "%d", statuses[i]);
        CHECK_INT_EQ(th_space_fault(fault), 0);
        err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, statuses[i]);
        CHECK_STR_CONTAINS(swng_error_message(err), num);
        CHECK_NOT_NULL(swng_error_body(err));
        CHECK_INT_EQ(swng_error_retry_after(err), -1);
        swng_error_free(err);
    }
    /* A real exception inside the server's handler: its own 500. */
    {
        swng_error *err;
        CHECK_INT_EQ(th_space_fault("{\"mode\":\"exception\"}"), 0);
        err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 500);
        CHECK_STR_CONTAINS(swng_error_message(err), "Internal Server Error");
        swng_error_free(err);
    }
    /* Exactly one request per call: no retries by default. */
    CHECK_INT_EQ(th_journal_count(), (int)(sizeof statuses / sizeof statuses[0]) + 1);
    swng_client_free(c);
}

static void test_html_502(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"html\"}"), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 502);
    CHECK_STR_CONTAINS(swng_error_message(err), "502");
    CHECK_STR_EQ(swng_error_body(err), "<html><body><h1>502 Bad Gateway</h1></body></html>");
    CHECK_INT_EQ(swng_error_item_count(err), 0);
    swng_error_free(err);
    swng_client_free(c);
}

/* A 3xx is not followed (a POST with credentials must not wander off) and
 * is a protocol error. */
static void test_redirect_not_followed(void)
{
    static const int statuses[] = {302, 301, 307, 308, 303};
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char fault[512];
        swng_error *err;
        cJSON *root, *e;
        /* The target is the space's own route for another group: following
         * it would show up in the journal as a second request. */
        snprintf(fault, sizeof fault,
                 "{\"mode\":\"redirect\",\"status\":%d,\"location\":"
                 "\"%s/api/relay/rest/number_groups/%s/number_group_memberships\"}",
                 statuses[i], th_base_url(), TH_GROUP_SUPPORT);
        CHECK_INT_EQ(th_space_clear_journal(), 0);
        CHECK_INT_EQ(th_space_fault(fault), 0);
        err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EPROTOCOL, statuses[i]);
        CHECK_STR_CONTAINS(swng_error_message(err), "redirect");
        swng_error_free(err);
        e = last_entry(&root, 1);
        if (CHECK(e)) CHECK_STR_CONTAINS(th_json_str(e, "path"), TH_GROUP_SALES);
        cJSON_Delete(root);
    }
    {
        cJSON *list, *root = th_space_memberships(&list);
        if (CHECK(root)) CHECK_INT_EQ(cJSON_GetArraySize(list), 0);
        cJSON_Delete(root);
    }
    swng_client_free(c);
}

/* Statuses the contract does not describe. */
static void test_unexpected_status(void)
{
    static const int statuses[] = {400, 409, 418, 204};
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char fault[128];
        swng_error *err;
        if (statuses[i] == 204)
            snprintf(fault, sizeof fault, "{\"mode\":\"body\",\"status\":204}");
        else
            snprintf(fault, sizeof fault, "{\"mode\":\"status\",\"status\":%d}", statuses[i]);
        CHECK_INT_EQ(th_space_fault(fault), 0);
        /* A 2xx without a membership breaks the contract just the same. */
        err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EPROTOCOL, statuses[i]);
        swng_error_free(err);
    }
    swng_client_free(c);
}

/* The server echoes the token: neither the message nor the kept body may
 * contain it. */
static void test_token_redacted(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    char fault[1024];
    REQUIRE(c);
    snprintf(fault, sizeof fault,
             "{\"mode\":\"body\",\"status\":500,\"body\":"
             "\"{\\\"error\\\":\\\"bad credentials %s for %s (token=%s)\\\"}\"}",
             th_token(), th_project_id(), th_token());
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 500);
    CHECK_STR_NOT_CONTAINS(swng_error_message(err), th_token());
    CHECK_STR_NOT_CONTAINS(swng_error_body(err), th_token());
    CHECK_STR_CONTAINS(swng_error_message(err), "bad credentials");
    CHECK_STR_CONTAINS(swng_error_body(err), "bad credentials ***");
    CHECK_STR_CONTAINS(swng_error_body(err), "(token=***)");
    swng_error_free(err);

    /* In 422 items too. */
    snprintf(fault, sizeof fault,
             "{\"mode\":\"status\",\"status\":422,\"body\":"
             "\"{\\\"errors\\\":[{\\\"detail\\\":\\\"token %s refused\\\",\\\"status\\\":\\\"422\\\","
             "\\\"title\\\":\\\"%s\\\",\\\"code\\\":\\\"x\\\"}]}\"}",
             th_token(), th_token());
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EVALIDATION, 422);
    CHECK_STR_NOT_CONTAINS(swng_error_message(err), th_token());
    CHECK_STR_NOT_CONTAINS(swng_error_body(err), th_token());
    CHECK_STR_NOT_CONTAINS(swng_error_item_detail(err, 0), th_token());
    CHECK_STR_NOT_CONTAINS(swng_error_item_title(err, 0), th_token());
    swng_error_free(err);

    /* And in a 2xx that breaks the contract. */
    snprintf(fault, sizeof fault,
             "{\"mode\":\"body\",\"status\":200,\"body\":\"{\\\"id\\\":\\\"%s\\\"}\"}",
             th_token());
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_EPROTOCOL, 200);
    CHECK_STR_NOT_CONTAINS(swng_error_message(err), th_token());
    CHECK_STR_NOT_CONTAINS(swng_error_body(err), th_token());
    swng_error_free(err);
    swng_client_free(c);
}

/* The raw body of a failure is kept as received, at most 64 KiB. */
static void test_raw_body_kept(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    char *fault, *body;
    size_t n = 100 * 1024, i;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"body\",\"status\":500,\"body\":\"plain text, "
                                "not JSON \\u00e9\",\"content_type\":\"text/plain\"}"),
                 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 500);
    CHECK_STR_EQ(swng_error_body(err), "plain text, not JSON \xc3\xa9");
    swng_error_free(err);

    /* A 100 KiB error page is cut to 64 KiB. */
    body = malloc(n + 1);
    fault = malloc(n + 128);
    REQUIRE(body && fault);
    for (i = 0; i < n; i++) body[i] = (char)('a' + i % 26);
    body[n] = '\0';
    sprintf(fault, "{\"mode\":\"body\",\"status\":502,\"body\":\"%s\"}", body);
    CHECK_INT_EQ(th_space_fault(fault), 0);
    err = EXPECT_ERROR(c, TH_GROUP_SALES, TH_PHONE_MAIN, SWNG_ESERVER, 502);
    if (CHECK_NOT_NULL(swng_error_body(err))) {
        CHECK_INT_EQ(strlen(swng_error_body(err)), 64 * 1024);
        CHECK(memcmp(swng_error_body(err), body, 64 * 1024) == 0);
    }
    swng_error_free(err);
    free(body);
    free(fault);
    swng_client_free(c);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"401_wrong_token", test_401_wrong_token},
        {"403", test_403},
        {"404_unknown_group", test_404_unknown_group},
        {"422_unknown_phone", test_422_unknown_phone},
        {"422_already_member", test_422_already_member},
        {"422_many_items", test_422_many_items},
        {"429_retry_after_seconds", test_429_retry_after_seconds},
        {"429_retry_after_date", test_429_retry_after_date},
        {"5xx", test_5xx},
        {"html_502", test_html_502},
        {"redirect_not_followed", test_redirect_not_followed},
        {"unexpected_status", test_unexpected_status},
        {"token_redacted", test_token_redacted},
        {"raw_body_kept", test_raw_body_kept},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
