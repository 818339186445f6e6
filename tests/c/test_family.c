/* test_family.c - every operation of the number-group family against the
 * emulated space: groups, memberships, phone numbers, the list cursors
 * (paging, hostile links), the helpers (find, remove_number, if_exists) and
 * the argument checks on every new path segment and query value. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT "/api/relay/rest"

/* The path (with query) of journal request i (negative: from the end). */
static const char *journal_path(int i)
{
    static char path[4096];
    cJSON *reqs, *root = th_space_journal(&reqs);
    int n = root ? cJSON_GetArraySize(reqs) : 0;
    path[0] = '\0';
    if (i < 0) i += n;
    if (i >= 0 && i < n) {
        const char *p = th_json_str(cJSON_GetArrayItem(reqs, i), "path");
        snprintf(path, sizeof path, "%s", p ? p : "");
    }
    cJSON_Delete(root);
    return path;
}

/* The body of the last journal request, parsed (caller frees), or NULL. */
static cJSON *last_body(void)
{
    cJSON *reqs, *root = th_space_journal(&reqs), *b = NULL;
    int n = root ? cJSON_GetArraySize(reqs) : 0;
    if (n > 0) {
        const char *s = th_json_str(cJSON_GetArrayItem(reqs, n - 1), "body");
        if (s) b = cJSON_Parse(s);
    }
    cJSON_Delete(root);
    return b;
}

/* Reads a phone-number cursor to the end; the count, or -1 on error (rc
 * and err set). */
static long drain_phones(swng_cursor *cur, int *rc, swng_error **err)
{
    swng_phone_number *p;
    long n = 0;
    while ((*rc = swng_phone_number_next(cur, &p, err)) == SWNG_OK && p) {
        n++;
        swng_phone_number_free(p);
    }
    return *rc == SWNG_OK ? n : -1;
}

static swng_number_group *make_group(swng_client *c, const char *name, int sticky)
{
    swng_number_group *g = NULL;
    swng_error *err = NULL;
    CHECK_RC(swng_number_group_create(&g, c, name, sticky, &err), SWNG_OK, err);
    swng_error_free(err);
    return g;
}

/* ================================================================ groups */

static void test_group_lifecycle(void)
{
    swng_client *c = th_client(NULL);
    swng_number_group *g = NULL, *got = NULL, *upd = NULL;
    swng_error *err = NULL;
    cJSON *body;
    char id[64];
    REQUIRE(c);
    REQUIRE(g = make_group(c, "Campaign Zürich", 1));
    CHECK_STR_EQ(swng_number_group_name(g), "Campaign Zürich");
    CHECK_INT_EQ(swng_number_group_sticky_sender(g), 1);
    CHECK_INT_EQ(swng_number_group_phone_number_count(g), 0);
    CHECK_INT_EQ(swng_number_group_http_status(g), 200);
    CHECK_NOT_NULL(swng_number_group_request_id(g));
    CHECK_STR_CONTAINS(swng_number_group_json(g), "\"sticky_sender\": true");
    body = last_body();
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(body, "sticky_sender")));
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(body, "name")), "Campaign Zürich");
    cJSON_Delete(body);
    snprintf(id, sizeof id, "%s", swng_number_group_id(g));

    CHECK_RC(swng_number_group_get(&got, c, id, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_number_group_name(got), "Campaign Zürich");
    {
        char want[128];
        snprintf(want, sizeof want, ROOT "/number_groups/%s", id);
        CHECK_STR_EQ(journal_path(-1), want);
    }
    swng_number_group_free(got);

    /* Update the name only: sticky_sender is not sent and stays. */
    CHECK_RC(swng_number_group_update(&upd, c, id, "Renamed", SWNG_KEEP, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_number_group_name(upd), "Renamed");
    CHECK_INT_EQ(swng_number_group_sticky_sender(upd), 1);
    body = last_body();
    CHECK_NULL(cJSON_GetObjectItem(body, "sticky_sender"));
    cJSON_Delete(body);
    swng_number_group_free(upd);
    CHECK_RC(swng_number_group_update(&upd, c, id, "Renamed", 0, &err), SWNG_OK, err);
    CHECK_INT_EQ(swng_number_group_sticky_sender(upd), 0);
    swng_number_group_free(upd);

    /* Delete: 204, nothing returned; then it is gone. */
    CHECK_RC(swng_number_group_delete(c, id, &err), SWNG_OK, err);
    CHECK_RC(swng_number_group_get(&got, c, id, &err), SWNG_ENOTFOUND, err);
    CHECK_INT_EQ(swng_error_http_status(err), 404);
    CHECK_NULL(got);
    swng_error_free(err);
    err = NULL;
    CHECK_RC(swng_number_group_delete(c, id, &err), SWNG_ENOTFOUND, err);
    swng_error_free(err);
    swng_number_group_free(g);
    swng_client_free(c);
}

static void test_group_bad_arguments(void)
{
    swng_client *c = th_client(NULL);
    swng_number_group *g = NULL;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    REQUIRE(c);
    CHECK_RC(swng_number_group_create(&g, c, "", 0, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "name");
    swng_error_free(err);
    CHECK_RC(swng_number_group_create(&g, c, "x", 2, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "sticky_sender");
    swng_error_free(err);
    CHECK_RC(swng_number_group_create(&g, c, "x", SWNG_KEEP, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_create_n(&g, c, "a\0b", 3, 0, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_create(&g, c, "line\nbreak", 0, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_update(&g, c, TH_GROUP_SALES, NULL, 0, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "name");
    swng_error_free(err);
    CHECK_RC(swng_number_group_update(&g, c, TH_GROUP_SALES, "n", 7, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_list(&cur, c, "", 0, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "name");
    swng_error_free(err);
    CHECK_RC(swng_number_group_list(&cur, c, NULL, -1, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "page_size");
    swng_error_free(err);
    CHECK_RC(swng_number_group_list(&cur, c, NULL, 1001, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_list(NULL, c, NULL, 0, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_RC(swng_number_group_find(&g, c, NULL, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    CHECK_NULL(g);
    CHECK_NULL(cur);
    CHECK_INT_EQ(th_journal_count(), 0);
    swng_client_free(c);
}

/* Every id argument of every new operation refuses what is not a UUID,
 * naming the argument, with nothing sent. */
static void test_bad_ids_everywhere(void)
{
    static const struct {
        const char *v;
        size_t n;
    } bad[] = {{"../x", 4},
               {"?", 1},
               {"#", 1},
               {"41148420-0549-49cf-924c-e4a320c8c1e9\r\nX: y", 42},
               {"41148420-0549-49cf-924c-e4a320c8c1e\0", 37},
               {"", 0},
               {"41148420-0549-49cf-924c-e4a320c8c1e9/../x", 41}};
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *v = bad[i].v;
        size_t n = bad[i].n;
        swng_number_group *g = NULL;
        swng_membership *m = NULL;
        swng_phone_number *p = NULL;
        swng_cursor *cur = NULL;
        swng_error *err = NULL;
#define BAD(call, opt)                                                   \
    do {                                                                 \
        CHECK_RC(call, SWNG_EINVAL, err);                                \
        CHECK_STR_EQ(swng_error_option(err), opt);                       \
        swng_error_free(err);                                            \
        err = NULL;                                                      \
    } while (0)
        BAD(swng_number_group_get_n(&g, c, v, n, &err), "id");
        BAD(swng_number_group_update_n(&g, c, v, n, "n", 1, 0, &err), "id");
        BAD(swng_number_group_delete_n(c, v, n, &err), "id");
        BAD(swng_membership_list_n(&cur, c, v, n, 0, &err), "number_group_id");
        BAD(swng_membership_get_n(&m, c, v, n, &err), "id");
        BAD(swng_membership_delete_n(c, v, n, &err), "id");
        BAD(swng_membership_create_ex_n(&m, c, v, n, TH_PHONE_MAIN, 36, 1, &err),
            "number_group_id");
        BAD(swng_membership_create_ex_n(&m, c, TH_GROUP_SALES, 36, v, n, 1, &err),
            "phone_number_id");
        BAD(swng_number_group_remove_number_n(c, v, n, TH_PHONE_MAIN, 36, &err),
            "number_group_id");
        BAD(swng_number_group_remove_number_n(c, TH_GROUP_SALES, 36, v, n, &err),
            "phone_number_id");
        BAD(swng_phone_number_get_n(&p, c, v, n, &err), "id");
        BAD(swng_phone_number_find_n(&p, c, v, n, &err), "e164");
#undef BAD
        CHECK_NULL(g);
        CHECK_NULL(m);
        CHECK_NULL(p);
        CHECK_NULL(cur);
    }
    CHECK_INT_EQ(th_journal_count(), 0);
    swng_client_free(c);
}

static void test_find_number_group(void)
{
    swng_client *c = th_client(NULL);
    swng_number_group *g = NULL, *a, *b;
    swng_error *err = NULL;
    REQUIRE(c);
    /* "Sales" exactly, though "Sales EU" also matches the server's filter. */
    a = make_group(c, "Sales EU", 0);
    CHECK_RC(swng_number_group_find(&g, c, "Sales", &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_number_group_id(g), TH_GROUP_SALES);
    swng_number_group_free(g);
    CHECK_RC(swng_number_group_find(&g, c, "Sal", &err), SWNG_ENOTFOUND, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "Sal");
    CHECK_NULL(g);
    swng_error_free(err);
    /* Two groups with one name: an error that says so. */
    b = make_group(c, "Sales EU", 1);
    CHECK_RC(swng_number_group_find(&g, c, "Sales EU", &err), SWNG_EAMBIGUOUS, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "2 of them");
    CHECK_STR_EQ(swng_error_code_name(err), "ambiguous");
    CHECK_NULL(g);
    swng_error_free(err);
    swng_number_group_free(a);
    swng_number_group_free(b);
    swng_client_free(c);
}

/* Query values are escaped: the server sees the name intact. */
static void test_query_escaping(void)
{
    static const char name[] = "A&B ?#=%+ Zürich";
    swng_client *c = th_client(NULL);
    swng_number_group *g, *found = NULL;
    swng_phone_number *p = NULL;
    swng_error *err = NULL;
    REQUIRE(c);
    REQUIRE(g = make_group(c, name, 0));
    CHECK_RC(swng_number_group_find(&found, c, name, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_number_group_id(found), swng_number_group_id(g));
    CHECK_STR_EQ(journal_path(-1),
                 ROOT "/number_groups?filter_name=A%26B%20%3F%23%3D%25%2B%20Z%C3%BCrich");
    CHECK_RC(swng_phone_number_find(&p, c, "+41445550002", &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_phone_number_id(p), TH_PHONE_ZURICH);
    CHECK_STR_EQ(swng_phone_number_name(p), "Zürich Büro ☎");
    CHECK_STR_EQ(journal_path(-1), ROOT "/phone_numbers?filter_number=%2B41445550002");
    swng_phone_number_free(p);
    swng_number_group_free(found);
    swng_number_group_free(g);
    swng_client_free(c);
}

/* =========================================================== memberships */

static void test_membership_operations(void)
{
    swng_client *c = th_client(NULL);
    swng_number_group *g;
    swng_membership *m = NULL, *got = NULL, *again = NULL;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    char gid[64], mid[64];
    int n = 0;
    REQUIRE(c);
    REQUIRE(g = make_group(c, "Pool", 0));
    snprintf(gid, sizeof gid, "%s", swng_number_group_id(g));
    CHECK_RC(swng_membership_create(&m, c, gid, TH_PHONE_MAIN, &err), SWNG_OK, err);
    REQUIRE(m);
    CHECK_INT_EQ(swng_membership_existed(m), 0);
    snprintf(mid, sizeof mid, "%s", swng_membership_id(m));
    swng_membership_free(m);
    CHECK_RC(swng_membership_create(&m, c, gid, TH_PHONE_ZURICH, &err), SWNG_OK, err);
    swng_membership_free(m);

    CHECK_RC(swng_membership_get(&got, c, mid, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_id(got), mid);
    CHECK_STR_EQ(swng_membership_phone_number_id(got), TH_PHONE_MAIN);
    swng_membership_free(got);

    /* The list, in creation order. */
    CHECK_RC(swng_membership_list(&cur, c, gid, 0, &err), SWNG_OK, err);
    while (swng_membership_next(cur, &m, &err) == SWNG_OK && m) {
        CHECK_STR_EQ(swng_membership_phone_number_id(m), n == 0 ? TH_PHONE_MAIN : TH_PHONE_ZURICH);
        CHECK_STR_EQ(swng_membership_number_group_id(m), gid);
        CHECK_INT_EQ(swng_membership_http_status(m), 200);
        CHECK_NOT_NULL(swng_membership_request_id(m));
        CHECK_STR_CONTAINS(swng_membership_json(m), swng_membership_id(m));
        swng_membership_free(m);
        n++;
    }
    CHECK_NULL(err);
    CHECK_INT_EQ(n, 2);
    /* A finished cursor stays finished. */
    CHECK_RC(swng_membership_next(cur, &m, &err), SWNG_OK, err);
    CHECK_NULL(m);
    /* The wrong typed next is refused. */
    {
        swng_number_group *wrong = NULL;
        CHECK_RC(swng_number_group_next(cur, &wrong, &err), SWNG_EINVAL, err);
        CHECK_STR_CONTAINS(swng_error_message(err), "cursor lists memberships");
        CHECK_NULL(wrong);
    }
    swng_error_free(err);
    err = NULL;
    swng_cursor_free(cur);

    /* if_exists=return: the existing membership, marked. */
    CHECK_RC(swng_membership_create_ex(&again, c, gid, TH_PHONE_MAIN, SWNG_IF_EXISTS_RETURN, &err),
             SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_id(again), mid);
    CHECK_INT_EQ(swng_membership_existed(again), 1);
    swng_membership_free(again);
    /* ... while the default stays an error. */
    CHECK_RC(swng_membership_create_ex(&again, c, gid, TH_PHONE_MAIN, SWNG_IF_EXISTS_ERROR, &err),
             SWNG_EVALIDATION, err);
    swng_error_free(err);
    err = NULL;
    /* Another 422 (an unknown number) stays a 422 with its items. */
    CHECK_RC(swng_membership_create_ex(&again, c, gid, TH_UNKNOWN_UUID, SWNG_IF_EXISTS_RETURN,
                                       &err),
             SWNG_EVALIDATION, err);
    CHECK_STR_EQ(swng_error_item_code(err, 0), "phone_number_not_found");
    CHECK_NULL(again);
    swng_error_free(err);
    err = NULL;
    CHECK_RC(swng_membership_create_ex(&again, c, gid, TH_PHONE_MAIN, 2, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "if_exists");
    swng_error_free(err);
    err = NULL;

    /* remove_number by phone id; then it is not in the group. */
    CHECK_RC(swng_number_group_remove_number(c, gid, TH_PHONE_ZURICH, &err), SWNG_OK, err);
    CHECK_STR_CONTAINS(journal_path(-1), ROOT "/number_group_memberships/");
    CHECK_RC(swng_number_group_remove_number(c, gid, TH_PHONE_ZURICH, &err), SWNG_ENOTFOUND, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "is not in number group");
    swng_error_free(err);
    err = NULL;
    /* delete by membership id */
    CHECK_RC(swng_membership_delete(c, mid, &err), SWNG_OK, err);
    CHECK_RC(swng_membership_get(&got, c, mid, &err), SWNG_ENOTFOUND, err);
    swng_error_free(err);
    swng_number_group_free(g);
    swng_client_free(c);
}

/* ========================================================= phone numbers */

static void test_phone_numbers_and_paging(void)
{
    static const int sizes[] = {0, 1, 10, 67, 1000};
    swng_client *c = th_client(NULL);
    int nfix = th_fixture_phone_count(), rc;
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        swng_cursor *cur = NULL;
        swng_error *err = NULL;
        size_t want_pages;
        th_space_clear_journal();
        CHECK_RC(swng_phone_number_list(&cur, c, NULL, NULL, sizes[i], &err), SWNG_OK, err);
        /* Lazy: nothing is sent until the first next. */
        CHECK_INT_EQ(th_journal_count(), 0);
        CHECK_INT_EQ(drain_phones(cur, &rc, &err), nfix);
        CHECK_NULL(err);
        swng_error_free(err);
        want_pages = (size_t)(nfix + (sizes[i] ? sizes[i] : 50) - 1) / (size_t)(sizes[i] ? sizes[i] : 50);
        CHECK_INT_EQ(swng_cursor_page_count(cur), want_pages);
        CHECK_INT_EQ(th_journal_count(), (long)want_pages);
        swng_cursor_free(cur);
    }
    swng_client_free(c);
}

static void test_phone_number_get_and_find(void)
{
    swng_client *c = th_client(NULL);
    swng_phone_number *p = NULL;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    const cJSON *fx = th_fixture_phone(0);
    int rc;
    REQUIRE(c);
    CHECK_RC(swng_phone_number_get(&p, c, TH_PHONE_MAIN, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_phone_number_number(p), th_json_str(fx, "number"));
    CHECK_STR_EQ(swng_phone_number_name(p), th_json_str(fx, "name"));
    CHECK_INT_EQ(swng_phone_number_capability_count(p), 4);
    CHECK_STR_EQ(swng_phone_number_capability(p, 3), "fax");
    CHECK_NOT_NULL(swng_phone_number_number_type(p));
    CHECK_NULL(swng_phone_number_e911_address_id(p));
    CHECK_NOT_NULL(swng_phone_number_created_at(p));
    CHECK_STR_CONTAINS(swng_phone_number_json(p), "\"call_receive_mode\"");
    swng_phone_number_free(p);
    CHECK_RC(swng_phone_number_get(&p, c, TH_UNKNOWN_UUID, &err), SWNG_ENOTFOUND, err);
    swng_error_free(err);
    err = NULL;

    /* The server's filter is a substring: find wants the exact number. */
    CHECK_RC(swng_phone_number_list(&cur, c, "+1555123", NULL, 0, &err), SWNG_OK, err);
    CHECK(drain_phones(cur, &rc, &err) >= 2);
    swng_cursor_free(cur);
    CHECK_RC(swng_phone_number_find(&p, c, "+1555123", &err), SWNG_ENOTFOUND, err);
    swng_error_free(err);
    err = NULL;
    CHECK_RC(swng_phone_number_find(&p, c, "+15551230001", &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_phone_number_id(p), TH_PHONE_MAIN);
    swng_phone_number_free(p);
    p = NULL;
    /* Not E.164: refused before sending. */
    th_space_clear_journal();
    {
        static const char *const bad[] = {"15551230001", "+", "+1", "+0555", "+1555 123",
                                          "+1234567890123456", "+1555-123"};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            CHECK_RC(swng_phone_number_find(&p, c, bad[i], &err), SWNG_EINVAL, err);
            CHECK_STR_EQ(swng_error_option(err), "e164");
            swng_error_free(err);
            err = NULL;
        }
    }
    CHECK_INT_EQ(th_journal_count(), 0);
    swng_client_free(c);
}

/* ========================================================= hostile pages */

/* Lists phone numbers (page_size 10) under a paging mode: the rc. */
static int list_under(const char *mode_json, long *items, size_t *pages, swng_error **err)
{
    swng_client *c = th_client(NULL);
    swng_cursor *cur = NULL;
    int rc = SWNG_ENOMEM;
    *items = -1;
    *pages = 0;
    if (!c) return rc;
    th_space_reset();
    if (th_space_paging(mode_json) != 0) return rc;
    th_space_clear_journal();
    rc = swng_phone_number_list(&cur, c, NULL, NULL, 10, err);
    if (rc == SWNG_OK) {
        *items = drain_phones(cur, &rc, err);
        *pages = swng_cursor_page_count(cur);
    }
    swng_cursor_free(cur);
    swng_client_free(c);
    return rc;
}

static void test_paging_relative_links(void)
{
    swng_error *err = NULL;
    long items;
    size_t pages;
    CHECK_RC(list_under("{\"mode\":\"relative\"}", &items, &pages, &err), SWNG_OK, err);
    CHECK_INT_EQ(items, th_fixture_phone_count());
    CHECK_INT_EQ(pages, 7);
    CHECK_STR_CONTAINS(journal_path(6), "page_token=");
    th_space_reset();
}

static void test_paging_hostile(void)
{
    static const struct {
        const char *mode;
        const char *message;
        size_t max_requests;
    } cases[] = {
        {"{\"mode\":\"foreign_host\"}", "another host", 1},
        {"{\"mode\":\"foreign_host\",\"origin\":\"http://127.0.0.2:1\"}", "another host", 1},
        {"{\"mode\":\"foreign_scheme\"}", "another host", 1},
        {"{\"mode\":\"foreign_path\"}", "another path", 1},
        {"{\"mode\":\"cycle\",\"to\":\"self\"}", "cycle", 7},
        {"{\"mode\":\"cycle\",\"to\":\"first\"}", "cycle", 8},
        {"{\"mode\":\"endless_empty\"}", "empty pages", 7 + SWNG_MAX_EMPTY_PAGES + 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        swng_error *err = NULL;
        long items;
        size_t pages;
        int rc = list_under(cases[i].mode, &items, &pages, &err);
        CHECK_MSG(rc == SWNG_EPROTOCOL, "%s: rc %d", cases[i].mode, rc);
        CHECK_STR_CONTAINS(swng_error_message(err), cases[i].message);
        CHECK_INT_EQ(swng_error_http_status(err), 200);
        /* Bounded: no request beyond what the case allows, and none sent
         * anywhere but the space (the journal has every request made). */
        CHECK_MSG((size_t)th_journal_count() <= cases[i].max_requests, "%s: %d requests",
                  cases[i].mode, th_journal_count());
        CHECK_INT_EQ((size_t)th_journal_count(), pages);
        swng_error_free(err);
    }
    th_space_reset();
}

/* A page that is not a list page, and a list item that breaks the
 * contract: protocol errors with the response's detail. */
static void test_paging_bad_pages(void)
{
    static const char *const bodies[] = {
        "{\"data\":[]}",
        "{\"links\":{\"self\":\"x\",\"first\":\"x\"},\"data\":{}}",
        "{\"links\":{\"self\":\"x\",\"first\":\"x\",\"next\":5},\"data\":[]}",
        "{\"links\":{\"self\":\"x\",\"first\":\"x\"},\"data\":[{\"id\":\"nope\",\"name\":\"n\","
        "\"sticky_sender\":false}]}",
        "[]",
    };
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char fault[512];
        swng_cursor *cur = NULL;
        swng_number_group *g = NULL;
        swng_error *err = NULL;
        cJSON *b = cJSON_CreateString(bodies[i]);
        char *quoted = cJSON_PrintUnformatted(b);
        snprintf(fault, sizeof fault, "{\"mode\":\"body\",\"body\":%s}", quoted);
        cJSON_free(quoted);
        cJSON_Delete(b);
        REQUIRE(th_space_fault(fault) == 0);
        CHECK_RC(swng_number_group_list(&cur, c, NULL, 0, &err), SWNG_OK, err);
        CHECK_RC(swng_number_group_next(cur, &g, &err), SWNG_EPROTOCOL, err);
        CHECK_NULL(g);
        /* The page, or for a bad item the item, is the error's body. */
        CHECK_STR_CONTAINS(bodies[i], swng_error_body(err));
        CHECK_INT_EQ(swng_error_http_status(err), 200);
        swng_error_free(err);
        err = NULL;
        /* After an error the cursor is finished. */
        CHECK_RC(swng_number_group_next(cur, &g, &err), SWNG_OK, err);
        CHECK_NULL(g);
        swng_cursor_free(cur);
    }
    swng_client_free(c);
}

/* Each page is a GET: retried on a 500 when retries are allowed. */
static void test_paging_retries_get(void)
{
    swng_client_options o = SWNG_CLIENT_OPTIONS_INIT;
    swng_client *c;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    int rc;
    o.max_retries = 1;
    o.retry_base_ms = 1;
    o.retry_max_ms = 1;
    REQUIRE(c = th_client(&o));
    REQUIRE(th_space_fault("{\"mode\":\"status\",\"status\":500}") == 0);
    CHECK_RC(swng_phone_number_list(&cur, c, NULL, NULL, 0, &err), SWNG_OK, err);
    CHECK_INT_EQ(drain_phones(cur, &rc, &err), th_fixture_phone_count());
    CHECK_INT_EQ(th_journal_count(), 3); /* the 500, then two pages */
    swng_cursor_free(cur);
    swng_client_free(c);
}

/* Every answer is checked against its request: an answer about another
 * resource (a crossed or forged answer) is a protocol error, never success. */
static void test_answers_match_requests(void)
{
    static const char other[] = "11111111-2222-4333-8444-555555555555";
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_number_group *g = NULL;
    swng_phone_number *p = NULL;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    char fault[2048], membership[512];
    REQUIRE(c);
    snprintf(membership, sizeof membership,
             "{\\\"id\\\":\\\"%s\\\",\\\"number_group_id\\\":\\\"%%s\\\",\\\"phone_number\\\":"
             "{\\\"id\\\":\\\"%%s\\\"},\\\"created_at\\\":\\\"t\\\",\\\"updated_at\\\":\\\"t\\\"}",
             other);
    /* A created membership of another group, then of another number. */
    {
        char body[512];
        snprintf(body, sizeof body, membership, other, TH_PHONE_MAIN);
        snprintf(fault, sizeof fault, "{\"mode\":\"body\",\"body\":\"%s\"}", body);
        REQUIRE(th_space_fault(fault) == 0);
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err),
                 SWNG_EPROTOCOL, err);
        CHECK_STR_CONTAINS(swng_error_message(err), "number_group_id");
        CHECK_INT_EQ(swng_error_http_status(err), 200);
        CHECK_NOT_NULL(swng_error_request_id(err));
        CHECK_STR_CONTAINS(swng_error_body(err), other);
        CHECK_NULL(m);
        swng_error_free(err);
        err = NULL;
        snprintf(body, sizeof body, membership, TH_GROUP_SALES, other);
        snprintf(fault, sizeof fault, "{\"mode\":\"body\",\"body\":\"%s\"}", body);
        REQUIRE(th_space_fault(fault) == 0);
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err),
                 SWNG_EPROTOCOL, err);
        CHECK_STR_CONTAINS(swng_error_message(err), "phone_number.id");
        swng_error_free(err);
        err = NULL;
    }
    /* A fetched group, number or membership with another id. */
    snprintf(fault, sizeof fault,
             "{\"mode\":\"body\",\"body\":\"{\\\"id\\\":\\\"%s\\\",\\\"name\\\":\\\"x\\\","
             "\\\"sticky_sender\\\":false,\\\"phone_number_count\\\":0}\"}",
             other);
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_number_group_get(&g, c, TH_GROUP_SALES, &err), SWNG_EPROTOCOL, err);
    CHECK_NULL(g);
    swng_error_free(err);
    err = NULL;
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_number_group_update(&g, c, TH_GROUP_SALES, "x", 0, &err), SWNG_EPROTOCOL, err);
    swng_error_free(err);
    err = NULL;
    snprintf(fault, sizeof fault,
             "{\"mode\":\"body\",\"body\":\"{\\\"id\\\":\\\"%s\\\",\\\"number\\\":\\\"+15550000000\\\","
             "\\\"name\\\":null,\\\"capabilities\\\":[],\\\"number_type\\\":\\\"longcode\\\","
             "\\\"created_at\\\":\\\"t\\\",\\\"updated_at\\\":\\\"t\\\"}\"}",
             other);
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_phone_number_get(&p, c, TH_PHONE_MAIN, &err), SWNG_EPROTOCOL, err);
    CHECK_NULL(p);
    swng_error_free(err);
    err = NULL;
    /* A membership list item of another group. */
    {
        char body[512], page[1024];
        snprintf(body, sizeof body, membership, other, TH_PHONE_MAIN);
        snprintf(page, sizeof page,
                 "{\\\"links\\\":{\\\"self\\\":\\\"s\\\",\\\"first\\\":\\\"f\\\"},\\\"data\\\":[%s]}",
                 body);
        snprintf(fault, sizeof fault, "{\"mode\":\"body\",\"body\":\"%s\"}", page);
        REQUIRE(th_space_fault(fault) == 0);
        CHECK_RC(swng_membership_list(&cur, c, TH_GROUP_SALES, 0, &err), SWNG_OK, err);
        CHECK_RC(swng_membership_next(cur, &m, &err), SWNG_EPROTOCOL, err);
        CHECK_STR_CONTAINS(swng_error_message(err), "number_group_id");
        CHECK_NULL(m);
        swng_error_free(err);
        swng_cursor_free(cur);
    }
    swng_client_free(c);
}

/* filter_name is at most 255 characters: a longer filter is refused before
 * sending, and a group with a longer name is still found (every group
 * read, no filter sent). Characters, not bytes: 255 x "ü" is a filter. */
static void test_long_group_names(void)
{
    char name[600], utf8[600];
    swng_client *c = th_client(NULL);
    swng_number_group *g = NULL, *found = NULL;
    swng_cursor *cur = NULL;
    swng_error *err = NULL;
    size_t i;
    REQUIRE(c);
    memset(name, 'x', 300);
    name[300] = '\0';
    for (i = 0; i < 255; i++) memcpy(utf8 + 2 * i, "\xc3\xbc", 2);
    utf8[510] = '\0';
    CHECK_RC(swng_number_group_list(&cur, c, name, 0, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "name");
    CHECK_STR_CONTAINS(swng_error_message(err), "255");
    swng_error_free(err);
    err = NULL;
    CHECK_RC(swng_number_group_list(&cur, c, utf8, 0, &err), SWNG_OK, err);
    swng_cursor_free(cur);
    CHECK_INT_EQ(th_journal_count(), 0);
    REQUIRE(g = make_group(c, name, 0));
    CHECK_RC(swng_number_group_find(&found, c, name, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_number_group_id(found), swng_number_group_id(g));
    CHECK_STR_EQ(journal_path(-1), ROOT "/number_groups");
    swng_number_group_free(found);
    /* Still checked as text. */
    name[10] = '\n';
    CHECK_RC(swng_number_group_find(&found, c, name, &err), SWNG_EINVAL, err);
    CHECK_STR_EQ(swng_error_option(err), "name");
    swng_error_free(err);
    swng_number_group_free(g);
    swng_client_free(c);
}

/* 400 is what the contract says for the deletes and the phone-number list
 * (a refused request: validation); for the others it is undocumented
 * (protocol). */
static void test_bad_request_where_documented(void)
{
    static const char fault[] =
        "{\"mode\":\"status\",\"status\":400,\"body\":\"{\\\"error\\\":\\\"Bad Request\\\"}\"}";
    swng_client *c = th_client(NULL);
    swng_cursor *cur = NULL;
    swng_phone_number *p = NULL;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    REQUIRE(c);
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_number_group_delete(c, TH_GROUP_SALES, &err), SWNG_EVALIDATION, err);
    CHECK_INT_EQ(swng_error_http_status(err), 400);
    CHECK_STR_CONTAINS(swng_error_message(err), "Bad Request");
    swng_error_free(err);
    err = NULL;
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_membership_delete(c, TH_UNKNOWN_UUID, &err), SWNG_EVALIDATION, err);
    swng_error_free(err);
    err = NULL;
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_phone_number_list(&cur, c, NULL, NULL, 0, &err), SWNG_OK, err);
    CHECK_RC(swng_phone_number_next(cur, &p, &err), SWNG_EVALIDATION, err);
    swng_error_free(err);
    err = NULL;
    swng_cursor_free(cur);
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_EPROTOCOL,
             err);
    CHECK_STR_CONTAINS(swng_error_message(err), "unexpected HTTP 400");
    swng_error_free(err);
    err = NULL;
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_phone_number_get(&p, c, TH_PHONE_MAIN, &err), SWNG_EPROTOCOL, err);
    swng_error_free(err);
    swng_client_free(c);
}

static const th_test tests[] = {
    {"bad_request_where_documented", test_bad_request_where_documented},
    {"long_group_names", test_long_group_names},
    {"answers_match_requests", test_answers_match_requests},
    {"group_lifecycle", test_group_lifecycle},
    {"group_bad_arguments", test_group_bad_arguments},
    {"bad_ids_everywhere", test_bad_ids_everywhere},
    {"find_number_group", test_find_number_group},
    {"query_escaping", test_query_escaping},
    {"membership_operations", test_membership_operations},
    {"phone_numbers_and_paging", test_phone_numbers_and_paging},
    {"phone_number_get_and_find", test_phone_number_get_and_find},
    {"paging_relative_links", test_paging_relative_links},
    {"paging_hostile", test_paging_hostile},
    {"paging_bad_pages", test_paging_bad_pages},
    {"paging_retries_get", test_paging_retries_get},
};

int main(int argc, char **argv) { return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
