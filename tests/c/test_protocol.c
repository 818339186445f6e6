/* test_protocol.c - 2xx answers that break the contract are SWNG_EPROTOCOL;
 * answers that only stretch it (unknown fields, optional fields missing)
 * are accepted. Each body is served by the space's "body" fault. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MID "9a1c3d5e-7f90-4b2d-8e6f-0a1b2c3d4e5f"
#define GID TH_GROUP_SALES
#define PID TH_PHONE_MAIN
#define PN "{\"id\":\"" PID "\",\"name\":\"Main line\",\"number\":\"+15551230001\"," \
           "\"capabilities\":[\"voice\",\"sms\"]}"
#define TS "\"created_at\":\"2024-01-02T03:04:05Z\",\"updated_at\":\"2024-01-02T03:04:06Z\""
/* A conforming membership. */
#define GOOD "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}"

/* Queues a "body" fault answering `status` with `body`. */
static int serve_body(int status, const char *body)
{
    cJSON *f = cJSON_CreateObject();
    char *text;
    int rc;
    cJSON_AddStringToObject(f, "mode", "body");
    cJSON_AddNumberToObject(f, "status", status);
    cJSON_AddStringToObject(f, "body", body);
    text = cJSON_PrintUnformatted(f);
    rc = th_space_fault(text);
    cJSON_free(text);
    cJSON_Delete(f);
    return rc;
}

/* The body must be refused as a protocol error whose message contains
 * `why`; the raw body is kept in the error. */
static void expect_protocol(swng_client *c, const char *body, const char *why, int line)
{
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    int rc;
    if (serve_body(200, body) != 0) return;
    rc = swng_membership_create(&m, c, GID, PID, &err);
    if (th_check_rc(__FILE__, line, "swng_membership_create", rc, SWNG_EPROTOCOL, err)) {
        th_check_long(__FILE__, line, "m == NULL", m == NULL, "1", 1);
        th_check_long(__FILE__, line, "http_status", swng_error_http_status(err), "200", 200);
        th_check_contains(__FILE__, line, "message", swng_error_message(err), "contract", 1);
        if (why) th_check_contains(__FILE__, line, "message", swng_error_message(err), why, 1);
        if (*body)
            th_check_str(__FILE__, line, "swng_error_body", swng_error_body(err), "body", body);
        th_check_long(__FILE__, line, "request id set", swng_error_request_id(err) != NULL, "1",
                      1);
    } else if (rc == SWNG_OK) {
        swng_membership_free(m);
    }
    swng_error_free(err);
}
#define EXPECT_PROTOCOL(c, body, why) expect_protocol(c, body, why, __LINE__)

/* The body must be accepted; returns the membership (caller frees). */
static swng_membership *expect_ok(swng_client *c, int status, const char *body, int line)
{
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int rc;
    if (serve_body(status, body) != 0) return NULL;
    rc = swng_membership_create(&m, c, GID, PID, &err);
    th_check_rc(__FILE__, line, "swng_membership_create", rc, SWNG_OK, err);
    swng_error_free(err);
    if (m) {
        th_check_str(__FILE__, line, "swng_membership_json", swng_membership_json(m), "body", body);
        th_check_long(__FILE__, line, "http_status", swng_membership_http_status(m), "status",
                      status);
    }
    return m;
}
#define EXPECT_OK(c, status, body) expect_ok(c, status, body, __LINE__)

static void test_malformed_json(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    REQUIRE(c);
    /* The space's own "malformed" fault. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"malformed\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, GID, PID, &err), SWNG_EPROTOCOL, err);
    CHECK_NULL(m);
    CHECK_STR_CONTAINS(swng_error_message(err), "JSON");
    CHECK_STR_EQ(swng_error_body(err), "{\"id\": \"abc\", ");
    swng_error_free(err);

    EXPECT_PROTOCOL(c, "", "JSON");
    EXPECT_PROTOCOL(c, "{", "JSON");
    EXPECT_PROTOCOL(c, "not json", "JSON");
    EXPECT_PROTOCOL(c, GOOD "garbage", "JSON");
    EXPECT_PROTOCOL(c, "<html>200 OK</html>", "JSON");
    EXPECT_PROTOCOL(c, "[]", "object");
    EXPECT_PROTOCOL(c, "[" GOOD "]", "object");
    EXPECT_PROTOCOL(c, "\"" MID "\"", "object");
    EXPECT_PROTOCOL(c, "null", "object");
    EXPECT_PROTOCOL(c, "42", "object");
    swng_client_free(c);
}

static void test_missing_required(void)
{
    swng_client *c = th_client(NULL);
    REQUIRE(c);
    EXPECT_PROTOCOL(c, "{}", "id");
    EXPECT_PROTOCOL(c, "{\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "required field id is missing");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"phone_number\":" PN "," TS "}",
                    "number_group_id is missing");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\"," TS "}",
                    "phone_number is missing");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN
                    ",\"updated_at\":\"2024-01-02T03:04:06Z\"}",
                    "created_at is missing");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN
                    ",\"created_at\":\"2024-01-02T03:04:06Z\"}",
                    "updated_at is missing");
    /* null is not a value for a required field. */
    EXPECT_PROTOCOL(c, "{\"id\":null,\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is missing");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":null," TS
                    "}",
                    "phone_number is missing");
    /* Field names are case-sensitive. */
    EXPECT_PROTOCOL(c, "{\"ID\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is missing");
    swng_client_free(c);
}

static void test_wrong_types(void)
{
    swng_client *c = th_client(NULL);
    REQUIRE(c);
    EXPECT_PROTOCOL(c, "{\"id\":42,\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is not a string");
    EXPECT_PROTOCOL(c, "{\"id\":[\"" MID "\"],\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is not a string");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":true,\"phone_number\":" PN "," TS "}",
                    "number_group_id is not a string");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":\"" PID "\"," TS "}",
                    "phone_number is not an object");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":[]," TS "}",
                    "phone_number is not an object");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"id\":7}," TS "}",
                    "phone_number.id is not a string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"name\":{}}," TS "}",
                    "phone_number.name is not a string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"number\":15551230001}," TS "}",
                    "phone_number.number is not a string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"capabilities\":\"voice\"}," TS "}",
                    "capabilities is not an array");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"capabilities\":[\"voice\",1]}," TS "}",
                    "capabilities holds a non-string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"capabilities\":[null]}," TS "}",
                    "capabilities holds a non-string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN ",\"created_at\":1704164645,\"updated_at\":\"x\"}",
                    "created_at is not a string");
    EXPECT_PROTOCOL(c,
                    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN ",\"created_at\":\"x\",\"updated_at\":false}",
                    "updated_at is not a string");
    swng_client_free(c);
}

static void test_not_uuid(void)
{
    swng_client *c = th_client(NULL);
    REQUIRE(c);
    EXPECT_PROTOCOL(c, "{\"id\":\"abc\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is not a UUID");
    EXPECT_PROTOCOL(c, "{\"id\":\"\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is not a UUID");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "x\",\"number_group_id\":\"" GID "\",\"phone_number\":" PN "," TS "}",
                    "id is not a UUID");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":\"41148420-0549-49cf-924c-e4a320c8c1e\",\"phone_number\":" PN "," TS "}",
                    "number_group_id is not a UUID");
    EXPECT_PROTOCOL(c, "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"id\":\"+15551230001\"}," TS "}",
                    "phone_number.id is not a UUID");
    swng_client_free(c);
}

static void test_utf8_fields(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    REQUIRE(c);
    /* Multi-byte UTF-8 (3 and 4 bytes) passes through untouched. (The
     * space can only send valid UTF-8; invalid bytes are covered by
     * test_parse and the fuzzer.) */
    CHECK_INT_EQ(serve_body(200, "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                                 "\",\"phone_number\":{\"name\":\"\xe2\x98\x8e \xf0\x9f\x93\x9e\"}," TS
                                 ",\"note\":\"\xc3\xbc\"}"),
                 0);
    CHECK_RC(swng_membership_create(&m, c, GID, PID, &err), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_name(m), "\xe2\x98\x8e \xf0\x9f\x93\x9e");
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

static void test_extra_fields_tolerated(void)
{
    static const char body[] =
        "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\","
        "\"phone_number\":{\"id\":\"" PID "\",\"name\":\"Main line\",\"number\":\"+15551230001\","
        "\"capabilities\":[\"voice\",\"sms\",\"future\"],\"type\":\"toll-free\","
        "\"meta\":{\"a\":[1,2,{\"b\":null}]}},"
        TS ",\"future_field\":[1,\"two\",{\"three\":3}],\"another\":null,\"flag\":true,"
        "\"nested\":{\"deep\":{\"deeper\":\"x\"}}}";
    swng_client *c = th_client(NULL);
    swng_membership *m;
    REQUIRE(c);
    m = EXPECT_OK(c, 200, body);
    if (m) {
        CHECK_STR_EQ(swng_membership_id(m), MID);
        CHECK_STR_EQ(swng_membership_number_group_id(m), GID);
        CHECK_STR_EQ(swng_membership_phone_number_id(m), PID);
        CHECK_STR_EQ(swng_membership_phone_number_name(m), "Main line");
        CHECK_STR_EQ(swng_membership_phone_number_number(m), "+15551230001");
        CHECK_INT_EQ(swng_membership_capability_count(m), 3);
        CHECK_STR_EQ(swng_membership_capability(m, 2), "future");
        CHECK_STR_EQ(swng_membership_created_at(m), "2024-01-02T03:04:05Z");
        CHECK_STR_EQ(swng_membership_updated_at(m), "2024-01-02T03:04:06Z");
        /* The unknown fields survive in the raw JSON. */
        CHECK_STR_CONTAINS(swng_membership_json(m), "future_field");
    }
    swng_membership_free(m);

    /* Any 2xx with a membership is success: 201 Created, with whitespace. */
    m = EXPECT_OK(c, 201, "\n  " GOOD "  \n");
    if (m) CHECK_STR_EQ(swng_membership_id(m), MID);
    swng_membership_free(m);
    swng_client_free(c);
}

static void test_optional_fields_missing(void)
{
    static const char *const bodies[] = {
        "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{}," TS "}",
        "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"id\":null,"
        "\"name\":null,\"number\":null,\"capabilities\":null}," TS "}",
        "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"capabilities\":[]}," TS "}",
    };
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        swng_membership *m = EXPECT_OK(c, 200, bodies[i]);
        if (!m) continue;
        CHECK_STR_EQ(swng_membership_id(m), MID);
        CHECK_NULL(swng_membership_phone_number_id(m));
        CHECK_NULL(swng_membership_phone_number_name(m));
        CHECK_NULL(swng_membership_phone_number_number(m));
        CHECK_INT_EQ(swng_membership_capability_count(m), 0);
        CHECK_NULL(swng_membership_capability(m, 0));
        CHECK_STR_EQ(swng_membership_created_at(m), "2024-01-02T03:04:05Z");
        swng_membership_free(m);
    }
    /* Only the name present. */
    {
        swng_membership *m = EXPECT_OK(
            c, 200,
            "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"name\":\"n\"}," TS "}");
        if (m) {
            CHECK_STR_EQ(swng_membership_phone_number_name(m), "n");
            CHECK_NULL(swng_membership_phone_number_id(m));
        }
        swng_membership_free(m);
    }
    swng_client_free(c);
}

static void test_oversize(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    REQUIRE(c);
    /* Default: a bit over 2 MiB of otherwise valid membership. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"oversize\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, GID, PID, &err), SWNG_EPROTOCOL, err);
    CHECK_NULL(m);
    CHECK_STR_CONTAINS(swng_error_message(err), "limit");
    /* The kept body is capped. */
    if (swng_error_body(err)) CHECK(strlen(swng_error_body(err)) <= 64 * 1024);
    swng_error_free(err);

    /* Just over the 1 MiB limit. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"oversize\",\"size\":1049000}"), 0);
    CHECK_RC(swng_membership_create(&m, c, GID, PID, &err), SWNG_EPROTOCOL, err);
    swng_error_free(err);

    /* Big but under the limit is fine, and the client still works after
     * the refused ones. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"oversize\",\"size\":600000}"), 0);
    CHECK_RC(swng_membership_create(&m, c, GID, PID, &err), SWNG_OK, err);
    if (m) CHECK(strlen(swng_membership_json(m)) > 600000);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"malformed_json", test_malformed_json},
        {"missing_required", test_missing_required},
        {"wrong_types", test_wrong_types},
        {"not_uuid", test_not_uuid},
        {"utf8_fields", test_utf8_fields},
        {"extra_fields_tolerated", test_extra_fields_tolerated},
        {"optional_fields_missing", test_optional_fields_missing},
        {"oversize", test_oversize},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
