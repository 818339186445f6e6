/* test_success.c - 200 answers read in full and checked against the
 * fixture and the space's own record; the request as it arrives on the wire;
 * keep-alive connection reuse. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_uuid(const char *s)
{
    size_t i;
    if (!s || strlen(s) != 36) return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* "2026-11-26T06:40:01Z" */
static int is_timestamp(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;
    if (!s || strlen(s) != sizeof shape - 1) return 0;
    for (i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) return 0;
    return 1;
}

/* The stored membership in the space with this id, from /__space/memberships. */
static cJSON *stored_membership(cJSON **root, const char *id)
{
    cJSON *list, *m;
    *root = th_space_memberships(&list);
    if (!*root) return NULL;
    cJSON_ArrayForEach(m, list)
    {
        const char *mid = th_json_str(m, "id");
        if (mid && id && strcmp(mid, id) == 0) return m;
    }
    return NULL;
}

/* Creates (group, phone) and checks every accessor against the fixture
 * entry phone_index, the space's stored membership and the journal. */
static void create_and_check(const char *group, int phone_index)
{
    const cJSON *fx = th_fixture_phone(phone_index);
    const cJSON *fx_caps = cJSON_GetObjectItemCaseSensitive(fx, "capabilities");
    const char *phone = th_json_str(fx, "id");
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    cJSON *root = NULL, *stored, *jroot, *reqs, *entry, *body;
    size_t i, ncaps;
    int rc;
    REQUIRE(c);
    REQUIRE(phone);

    rc = swng_membership_create(&m, c, group, phone, &err);
    CHECK_RC(rc, SWNG_OK, err);
    CHECK_NULL(err);
    swng_error_free(err);
    if (!CHECK_NOT_NULL(m)) {
        swng_client_free(c);
        return;
    }

    CHECK_MSG(is_uuid(swng_membership_id(m)), "id %s is not a UUID", th_q(swng_membership_id(m)));
    CHECK(strcasecmp(swng_membership_number_group_id(m), group) == 0);
    CHECK_STR_EQ(swng_membership_phone_number_id(m), phone);
    CHECK_STR_EQ(swng_membership_phone_number_name(m), th_json_str(fx, "name"));
    CHECK_STR_EQ(swng_membership_phone_number_number(m), th_json_str(fx, "number"));
    ncaps = (size_t)cJSON_GetArraySize(fx_caps);
    CHECK_INT_EQ(swng_membership_capability_count(m), ncaps);
    for (i = 0; i < ncaps; i++)
        CHECK_STR_EQ(swng_membership_capability(m, i),
                     cJSON_GetArrayItem(fx_caps, (int)i)->valuestring);
    CHECK_NULL(swng_membership_capability(m, ncaps));
    CHECK_NULL(swng_membership_capability(m, ncaps + 1000));
    CHECK_NULL(swng_membership_capability(m, (size_t)-1));
    CHECK_MSG(is_timestamp(swng_membership_created_at(m)), "created_at %s",
              th_q(swng_membership_created_at(m)));
    CHECK_MSG(is_timestamp(swng_membership_updated_at(m)), "updated_at %s",
              th_q(swng_membership_updated_at(m)));
    CHECK_INT_EQ(swng_membership_http_status(m), 200);

    /* What the space stored is what we read. */
    stored = stored_membership(&root, swng_membership_id(m));
    if (CHECK_MSG(stored != NULL, "membership %s not stored in the space",
                  th_q(swng_membership_id(m)))) {
        CHECK_STR_EQ(swng_membership_number_group_id(m), th_json_str(stored, "number_group_id"));
        CHECK_STR_EQ(swng_membership_created_at(m), th_json_str(stored, "created_at"));
        CHECK_STR_EQ(swng_membership_updated_at(m), th_json_str(stored, "updated_at"));
    }
    cJSON_Delete(root);

    /* The request id is the one the space sent for this request. */
    jroot = th_space_journal(&reqs);
    if (CHECK(jroot) && CHECK_INT_EQ(cJSON_GetArraySize(reqs), 1)) {
        entry = cJSON_GetArrayItem(reqs, 0);
        CHECK_NOT_NULL(swng_membership_request_id(m));
        CHECK_STR_EQ(swng_membership_request_id(m), th_json_str(entry, "request_id"));
        CHECK_INT_EQ(cJSON_GetObjectItemCaseSensitive(entry, "status")->valuedouble, 200);
    }
    cJSON_Delete(jroot);

    /* The raw JSON is the body as sent: it parses and holds the same values. */
    body = cJSON_Parse(swng_membership_json(m));
    if (CHECK_MSG(body != NULL, "swng_membership_json is not JSON: %s",
                  th_q(swng_membership_json(m)))) {
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(body, "phone_number");
        CHECK_STR_EQ(th_json_str(body, "id"), swng_membership_id(m));
        CHECK_STR_EQ(th_json_str(body, "number_group_id"), swng_membership_number_group_id(m));
        CHECK_STR_EQ(th_json_str(body, "created_at"), swng_membership_created_at(m));
        CHECK_STR_EQ(th_json_str(pn, "name"), th_json_str(fx, "name"));
        CHECK_STR_EQ(th_json_str(pn, "number"), th_json_str(fx, "number"));
    }
    cJSON_Delete(body);

    swng_membership_free(m);
    swng_client_free(c);
}

static void test_main_line(void) { create_and_check(TH_GROUP_SALES, 0); }

static void test_utf8_name(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    create_and_check(TH_GROUP_SUPPORT, 1);
    REQUIRE(c);
    /* The same number again in the other group: the name survives byte for
     * byte (U+00FC twice and U+260E), also in the raw JSON. */
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_ZURICH, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_name(m), "Z\xc3\xbcrich B\xc3\xbcro \xe2\x98\x8e");
    CHECK_STR_EQ(swng_membership_phone_number_number(m), "+41445550002");
    CHECK_INT_EQ(swng_membership_capability_count(m), 1);
    CHECK_STR_EQ(swng_membership_capability(m, 0), "voice");
    CHECK_STR_CONTAINS(swng_membership_json(m), "Z\xc3\xbcrich B\xc3\xbcro \xe2\x98\x8e");
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

static void test_no_capabilities(void) { create_and_check(TH_GROUP_SALES, 2); }

static void test_pool_number(void) { create_and_check(TH_GROUP_SUPPORT, 10); }

/* Upper-case hex is a UUID too; the space answers with its canonical id. */
static void test_uppercase_ids(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    cJSON *root, *reqs;
    REQUIRE(c);
    CHECK_RC(swng_membership_create(&m, c, "41148420-0549-49CF-924C-E4A320C8C1E9",
                                    "0CC9AA06-4E1E-47B0-B276-0FA31C147608", &err),
             SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_number_group_id(m), TH_GROUP_SALES);
    CHECK_STR_EQ(swng_membership_phone_number_id(m), TH_PHONE_MAIN);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
    root = th_space_journal(&reqs);
    if (CHECK(root) && CHECK_INT_EQ(cJSON_GetArraySize(reqs), 1)) {
        const cJSON *e = cJSON_GetArrayItem(reqs, 0);
        CHECK_STR_EQ(th_json_str(e, "path"), "/api/relay/rest/number_groups/"
                                             "41148420-0549-49CF-924C-E4A320C8C1E9"
                                             "/number_group_memberships");
        CHECK_STR_EQ(th_json_str(e, "body"),
                     "{\"phone_number_id\":\"0CC9AA06-4E1E-47B0-B276-0FA31C147608\"}");
    }
    cJSON_Delete(root);
}

/* Everything about the request, as the space received it. */
static void test_wire_format(void)
{
    static const struct {
        const char *group, *phone;
    } calls[] = {{TH_GROUP_SALES, TH_PHONE_MAIN}, {TH_GROUP_SUPPORT, TH_PHONE_ZURICH}};
    swng_client *c = th_client(NULL);
    cJSON *root, *reqs;
    char userpass[256], *b64, auth[512], path[256], body[128];
    size_t i;
    REQUIRE(c);

    for (i = 0; i < 2; i++) {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        CHECK_RC(swng_membership_create(&m, c, calls[i].group, calls[i].phone, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
    }
    swng_client_free(c);

    snprintf(userpass, sizeof userpass, "%s:%s", th_project_id(), th_token());
    b64 = th_base64(userpass);
    snprintf(auth, sizeof auth, "Basic %s", b64);
    free(b64);

    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), 2);
    for (i = 0; i < 2 && i < (size_t)cJSON_GetArraySize(reqs); i++) {
        const cJSON *e = cJSON_GetArrayItem(reqs, (int)i);
        const char *ua = th_journal_header(e, "user-agent");
        snprintf(path, sizeof path, "/api/relay/rest/number_groups/%s/number_group_memberships",
                 calls[i].group);
        snprintf(body, sizeof body, "{\"phone_number_id\":\"%s\"}", calls[i].phone);
        CHECK_STR_EQ(th_json_str(e, "method"), "POST");
        CHECK_STR_EQ(th_json_str(e, "path"), path);
        CHECK_STR_EQ(th_json_str(e, "body"), body);
        CHECK_STR_EQ(th_journal_header(e, "authorization"), auth);
        CHECK_STR_EQ(th_journal_header(e, "content-type"), "application/json");
        CHECK_STR_EQ(th_journal_header(e, "accept"), "application/json");
        CHECK_STR_CONTAINS(ua, "swng/" SWNG_VERSION);
        CHECK_STR_CONTAINS(ua, swng_version());
        {
            char len[16];
            snprintf(len, sizeof len, "%lu", (unsigned long)strlen(body));
            CHECK_STR_EQ(th_journal_header(e, "content-length"), len);
        }
        /* No 100-continue dance, no chunking, no token anywhere in clear. */
        CHECK_NULL(th_journal_header(e, "expect"));
        CHECK_NULL(th_journal_header(e, "transfer-encoding"));
        CHECK_STR_NOT_CONTAINS(th_json_str(e, "path"), th_token());
        CHECK_STR_NOT_CONTAINS(th_json_str(e, "body"), th_token());
    }
    cJSON_Delete(root);
}

/* Sequential calls on one client reuse one kept-alive connection; a second
 * client has its own. */
static void test_connection_reuse(void)
{
    enum { N = 6 };
    swng_client *c = th_client(NULL), *c2 = th_client(NULL);
    cJSON *root, *reqs, *e;
    double first = -1, other = -1;
    int i, n = 0;
    REQUIRE(c && c2);
    for (i = 0; i < N; i++) {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        const char *phone = th_json_str(th_fixture_phone(3 + i), "id");
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, phone, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
    }
    /* Errors do not cost the connection either: a 422 (already a member)
     * and a 404 keep it. */
    {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        const char *phone = th_json_str(th_fixture_phone(3), "id");
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, phone, &err), SWNG_EVALIDATION, err);
        swng_error_free(err);
        CHECK_RC(swng_membership_create(&m, c, TH_UNKNOWN_UUID, phone, &err), SWNG_ENOTFOUND, err);
        swng_error_free(err);
        CHECK_RC(swng_membership_create(&m, c2, TH_GROUP_SUPPORT, phone, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
    }
    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), N + 3);
    cJSON_ArrayForEach(e, reqs)
    {
        double cid = cJSON_GetObjectItemCaseSensitive(e, "connection_id")->valuedouble;
        if (n < N + 2) {
            if (first < 0) first = cid;
            CHECK_MSG(cid == first, "request %d came on connection %.0f, not %.0f", n, cid, first);
        } else {
            other = cid;
        }
        n++;
    }
    CHECK_MSG(other >= 0 && other != first, "second client shared connection %.0f", first);
    cJSON_Delete(root);
    swng_client_free(c);
    swng_client_free(c2);
}

/* A client is reusable after the server dropped its kept-alive connection.
 * libcurl itself resends a request once, on a new connection, when a reused
 * connection dies before any byte of the answer; so two drops in a row are
 * needed to see the failure, and the journal shows exactly those two (swng
 * adds no retry of its own: max_retries is 0). */
static void test_reconnect_after_close(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    cJSON *root, *reqs;
    REQUIRE(c);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"close\",\"count\":2}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_ZURICH, &err), SWNG_ETRANSPORT,
             err);
    swng_error_free(err);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_SPARE, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_id(m), TH_PHONE_SPARE);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
    root = th_space_journal(&reqs);
    if (CHECK(root) && CHECK_INT_EQ(cJSON_GetArraySize(reqs), 4)) {
        double cid[4];
        int i;
        for (i = 0; i < 4; i++)
            cid[i] = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, i), "connection_id")
                         ->valuedouble;
        /* first call and first drop on the kept-alive connection, then a
         * new connection for the resend, then another for the next call */
        CHECK(cid[0] == cid[1]);
        CHECK(cid[2] != cid[1]);
        CHECK(cid[3] != cid[2]);
    }
    cJSON_Delete(root);
}

/* Without an err pointer, success and failure still work (nothing leaks). */
static void test_err_optional(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    REQUIRE(c);
    CHECK_INT_EQ(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, NULL), SWNG_OK);
    CHECK_NOT_NULL(m);
    swng_membership_free(m);
    m = (swng_membership *)&m;
    CHECK_INT_EQ(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, NULL),
                 SWNG_EVALIDATION);
    CHECK_NULL(m);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"malformed\"}"), 0);
    CHECK_INT_EQ(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_SPARE, NULL),
                 SWNG_EPROTOCOL);
    CHECK_NULL(m);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503}"), 0);
    CHECK_INT_EQ(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_SPARE, NULL),
                 SWNG_ESERVER);
    swng_client_free(c);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"main_line", test_main_line},
        {"utf8_name", test_utf8_name},
        {"no_capabilities", test_no_capabilities},
        {"pool_number", test_pool_number},
        {"uppercase_ids", test_uppercase_ids},
        {"wire_format", test_wire_format},
        {"connection_reuse", test_connection_reuse},
        {"reconnect_after_close", test_reconnect_after_close},
        {"err_optional", test_err_optional},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
