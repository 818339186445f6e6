/* test_parse.c - the core's internal parsing and checking helpers
 * (core/src/internal.h), for inputs the emulated space cannot produce:
 * bodies that are not UTF-8, odd error bodies, redaction corner cases.
 * Linked against the core's objects, not the shared library. */
#define _GNU_SOURCE 1
#include "harness.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MID "9a1c3d5e-7f90-4b2d-8e6f-0a1b2c3d4e5f"
#define GID "41148420-0549-49cf-924c-e4a320c8c1e9"
#define TS "\"created_at\":\"a\",\"updated_at\":\"b\""

static int parse(const char *body, size_t len, swng_error **err, swng_membership **out)
{
    swng_membership *m = NULL;
    int rc;
    if (err) *err = NULL; /* the internal parser leaves *err alone on success */
    rc = swng__parse_membership(&m, body, len, err);
    if (out)
        *out = m;
    else
        swng_membership_free(m);
    return rc;
}

static void expect_parse_fails(const char *body, size_t len, const char *why, int line)
{
    swng_error *err = NULL;
    swng_membership *m = (swng_membership *)&m;
    int rc = parse(body, len, &err, &m);
    th_check_rc(__FILE__, line, "swng__parse_membership", rc, SWNG_EPROTOCOL, err);
    th_check_long(__FILE__, line, "m == NULL", m == NULL, "1", 1);
    if (rc == SWNG_OK) swng_membership_free(m);
    if (why) th_check_contains(__FILE__, line, "message", swng_error_message(err), why, 1);
    swng_error_free(err);
}
#define EXPECT_PARSE_FAILS(body, why) expect_parse_fails(body, sizeof(body) - 1, why, __LINE__)

static void test_utf8(void)
{
    static const char good[] = "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                               "\",\"phone_number\":{\"name\":\"\xc3\xbc\xe2\x98\x8e\xf0\x9f\x93\x9e\"}," TS "}";
    swng_membership *m = NULL;
    swng_error *err = NULL;
    CHECK_RC(parse(good, sizeof good - 1, &err, &m), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_name(m), "\xc3\xbc\xe2\x98\x8e\xf0\x9f\x93\x9e");
    CHECK_STR_EQ(swng_membership_json(m), good);
    swng_membership_free(m);
    swng_error_free(err);

#define WITH_NAME(bytes) \
    "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"name\":\"" bytes "\"}," TS "}"
    EXPECT_PARSE_FAILS(WITH_NAME("\xff"), "UTF-8");
    EXPECT_PARSE_FAILS(WITH_NAME("\xe9t\xe9"), "UTF-8");          /* Latin-1 */
    EXPECT_PARSE_FAILS(WITH_NAME("\xc0\xaf"), "UTF-8");           /* overlong '/' */
    EXPECT_PARSE_FAILS(WITH_NAME("\xe0\x80\xaf"), "UTF-8");       /* overlong */
    EXPECT_PARSE_FAILS(WITH_NAME("\xed\xa0\x80"), "UTF-8");       /* surrogate */
    EXPECT_PARSE_FAILS(WITH_NAME("\xf4\x90\x80\x80"), "UTF-8");   /* > U+10FFFF */
    EXPECT_PARSE_FAILS(WITH_NAME("\xc3"), "UTF-8");               /* cut short */
    EXPECT_PARSE_FAILS(WITH_NAME("\x80"), "UTF-8");               /* lone continuation */
    EXPECT_PARSE_FAILS(WITH_NAME("\xf8\x88\x80\x80\x80"), "UTF-8"); /* 5 bytes */
    EXPECT_PARSE_FAILS("{\"id\":\"x\xe2\x98", "UTF-8");           /* ends mid-sequence */
    /* An embedded NUL ends the JSON text early. */
    EXPECT_PARSE_FAILS("{\"id\":\"" MID "\"\0}", NULL);
}

static void test_parse_edges(void)
{
    swng_error *err = NULL;
    swng_membership *m = NULL;
    /* Length, not NUL, bounds the body: the trailing garbage is outside. */
    static const char body[] = "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                               "\",\"phone_number\":{}," TS "}GARBAGE";
    CHECK_RC(parse(body, sizeof body - 1 - 7, &err, &m), SWNG_OK, err);
    CHECK_INT_EQ(strlen(swng_membership_json(m)), sizeof body - 1 - 7);
    swng_membership_free(m);
    swng_error_free(err);
    /* Anything but whitespace after the JSON value breaks the contract. */
    CHECK_RC(parse(body, sizeof body - 1, &err, NULL), SWNG_EPROTOCOL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "JSON");
    swng_error_free(err);
    {
        static const char ws[] = "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                                 "\",\"phone_number\":{}," TS "} \r\n\t ";
        static const char nul[] = "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                                  "\",\"phone_number\":{}," TS "}\0";
        static const char two[] = "{\"id\":\"" MID "\",\"number_group_id\":\"" GID
                                  "\",\"phone_number\":{}," TS "}{}";
        CHECK_RC(parse(ws, sizeof ws - 1, &err, NULL), SWNG_OK, err);
        CHECK_RC(parse(nul, sizeof nul - 1, &err, NULL), SWNG_EPROTOCOL, err);
        swng_error_free(err);
        CHECK_RC(parse(two, sizeof two - 1, &err, NULL), SWNG_EPROTOCOL, err);
        swng_error_free(err);
    }
    /* Without an err pointer. */
    CHECK_INT_EQ(parse("{", 1, NULL, NULL), SWNG_EPROTOCOL);
    CHECK_INT_EQ(parse("", 0, NULL, NULL), SWNG_EPROTOCOL);
    /* Duplicate keys (cJSON reads the first, Python the last): refused, so
     * that no two views of one body disagree; no leak, no crash. */
    {
        static const char dup[] = "{\"id\":\"" MID "\",\"id\":\"" MID "\",\"number_group_id\":\"" GID
                                  "\",\"phone_number\":{\"capabilities\":[\"a\"],\"capabilities\":[\"b\",\"c\"]}," TS "}";
        CHECK_RC(parse(dup, sizeof dup - 1, &err, &m), SWNG_EPROTOCOL, err);
        CHECK_NULL(m);
        CHECK_STR_CONTAINS(swng_error_message(err), "duplicate key");
        swng_error_free(err);
    }
    /* Deep nesting in an unknown field is refused by cJSON's limit, cleanly. */
    {
        size_t depth = 5000, i;
        char *deep = malloc(2 * depth + 64), *p = deep;
        p += sprintf(p, "{\"x\":");
        for (i = 0; i < depth; i++) *p++ = '[';
        for (i = 0; i < depth; i++) *p++ = ']';
        p += sprintf(p, "}");
        CHECK_RC(parse(deep, (size_t)(p - deep), &err, NULL), SWNG_EPROTOCOL, err);
        swng_error_free(err);
        free(deep);
    }
}

/* The one-pass reading of plain bodies (parse.c's fast path) and the
 * strict path it hands everything else to must agree: the same values
 * (escapes decoded as cJSON decodes them), the same refusals with the same
 * reasons, wherever in the body the problem sits. */
static void test_fast_path(void)
{
    swng_error *err = NULL;
    swng_membership *m = NULL;
    static const char esc[] =
        " {\"id\" : \"" MID "\",\n\t\"number_group_id\":\"" GID "\", \"phone_number\": {"
        "\"name\": \"Z\\u00fcrich \\\"B\\u00fcro\\\" \\u260e\\/\\\\\\b\\f\\n\\r\\t\\u0041\","
        "\"capabilities\": [ \"voice\" , \"s\\u006ds\", \"\" ],"
        "\"x\": [{\"a\": [1, -0.5, 0, -0, 12.25, true, false, null, {}, []]}]}," TS "}\r\n";
    /* Whitespace cJSON skips but JSON does not have (a control byte), a
     * surrogate pair, an exponent, a long number, a leading zero (cJSON
     * reads it), a name with an escape: all still read as before. */
    static const char odd[] = "{\"id\":\"" MID "\",\x01\"number_group_id\":\"" GID
                              "\",\"phone_number\":{\"name\":\"\\ud83d\\udcde\"},"
                              "\"n\":[1e3,-2.5E-3,0.00000000000000000000000000000000000000000001,01],"
                              "\"\\u0078\":1," TS "}";
    CHECK_RC(parse(esc, sizeof esc - 1, &err, &m), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_id(m), MID);
    CHECK_STR_EQ(swng_membership_phone_number_name(m),
                 "Z\xc3\xbcrich \"B\xc3\xbcro\" \xe2\x98\x8e/\\\b\f\n\r\tA");
    CHECK_INT_EQ(swng_membership_capability_count(m), 3);
    CHECK_STR_EQ(swng_membership_capability(m, 0), "voice");
    CHECK_STR_EQ(swng_membership_capability(m, 1), "sms");
    CHECK_STR_EQ(swng_membership_capability(m, 2), "");
    CHECK_NULL(swng_membership_capability(m, 3));
    CHECK_NULL(swng_membership_phone_number_id(m));
    CHECK_STR_EQ(swng_membership_created_at(m), "a");
    CHECK_STR_EQ(swng_membership_json(m), esc);
    swng_membership_free(m);
    CHECK_RC(parse(odd, sizeof odd - 1, &err, &m), SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_name(m), "\xf0\x9f\x93\x9e");
    swng_membership_free(m);
    swng_error_free(err);

#define BODY(extra) "{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{}," extra TS "}"
    EXPECT_PARSE_FAILS(BODY("\"x\":[{\"a\":1,\"b\":2,\"a\":3}],"), "duplicate key");
    EXPECT_PARSE_FAILS(BODY("\"x\":{\"y\":{\"a\":1,\"a\":1}},"), "duplicate key");
    EXPECT_PARSE_FAILS(BODY("\"\\u0069d\":\"" MID "\","), "duplicate key");
    EXPECT_PARSE_FAILS(BODY("\"x\":[1e999],"), "out of range");
    EXPECT_PARSE_FAILS(BODY("\"x\":\"a\\u0000b\","), "\\u0000");
    EXPECT_PARSE_FAILS(BODY("\"x\":\"a\tb\","), "control character");
    EXPECT_PARSE_FAILS(BODY("\"x\":\"\\ud83d\","), "not valid JSON");
    EXPECT_PARSE_FAILS(BODY("\"x\":\"\\q\","), "not valid JSON");
    EXPECT_PARSE_FAILS(BODY("\"x\":[1,],"), "not valid JSON");
    EXPECT_PARSE_FAILS(BODY("\"x\":tru,"), "not valid JSON");
    EXPECT_PARSE_FAILS("{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":[],"
                       TS "}", "phone_number is not an object");
    EXPECT_PARSE_FAILS("{\"id\":\"" MID "\",\"number_group_id\":\"" GID "\",\"phone_number\":{\"id\":\"x\"},"
                       TS "}", "phone_number.id is not a UUID");
    EXPECT_PARSE_FAILS("{\"id\":\"" MID "\",\"phone_number\":{}," TS "}",
                       "required field number_group_id is missing");
    EXPECT_PARSE_FAILS("[]", "not a JSON object");
#undef BODY
}

static void test_error_body(void)
{
    static const struct {
        const char *body;
        const char *msg;   /* expected message, NULL for none */
        size_t items;
    } cases[] = {
        {"", NULL, 0},
        {"not json", NULL, 0},
        {"[]", NULL, 0},
        {"{}", NULL, 0},
        {"{\"error\":\"Not Found\"}", "Not Found", 0},
        {"{\"message\":\"went wrong\"}", "went wrong", 0},
        {"{\"error\":42,\"message\":\"fallback\"}", "fallback", 0},
        {"{\"errors\":[]}", NULL, 0},
        {"{\"errors\":{}}", NULL, 0},
        {"{\"errors\":[1,\"x\",null]}", NULL, 0},
        {"{\"errors\":[{}]}", NULL, 1},
        {"{\"errors\":[{\"title\":\"T\"}]}", "T", 1},
        {"{\"errors\":[{\"detail\":\"D\",\"title\":\"T\"}]}", "D", 1},
        {"{\"errors\":[{\"detail\":\"D\"},{\"detail\":\"E\"}]}", "D (and 1 more)", 2},
        {"{\"errors\":[{}],\"error\":\"E\"}", "E", 1},
        {"{\"errors\":[{\"detail\":[1]}]}", NULL, 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        swng_error *e = swng__error_new(SWNG_ESERVER, "x");
        char *msg;
        REQUIRE(e);
        msg = swng__parse_error_body(e, cases[i].body, strlen(cases[i].body));
        if (cases[i].msg)
            CHECK_STR_EQ(msg, cases[i].msg);
        else
            CHECK_MSG(msg == NULL, "body %s gave message %s", th_q(cases[i].body), th_q(msg));
        CHECK_MSG(swng_error_item_count(e) == cases[i].items, "body %s: %lu items",
                  th_q(cases[i].body), (unsigned long)swng_error_item_count(e));
        free(msg);
        swng_error_free(e);
    }
    /* Numbers where the contract says strings are printed as strings. */
    {
        static const char b[] =
            "{\"errors\":[{\"detail\":\"d\",\"status\":422,\"title\":\"t\",\"code\":1.5}]}";
        swng_error *e = swng__error_new(SWNG_EVALIDATION, "x");
        char *msg = swng__parse_error_body(e, b, sizeof b - 1);
        CHECK_STR_EQ(swng_error_item_status(e, 0), "422");
        CHECK_STR_EQ(swng_error_item_code(e, 0), "1.5");
        CHECK_STR_EQ(swng_error_item_detail(e, 0), "d");
        CHECK_STR_EQ(swng_error_item_title(e, 0), "t");
        free(msg);
        swng_error_free(e);
    }
}

static void test_redact(void)
{
    static const struct {
        const char *in, *secret, *out;
    } cases[] = {
        {"token PTabc here", "PTabc", "token *** here"},
        {"PTabcPTabc", "PTabc", "******"},
        {"xPTabx", "PTabc", "xPTabx"},
        {"nothing", "PTabc", "nothing"},
        {"ab", "ab", "**"},
        {"a", "a", "*"},
        {"***", "***", "***"},
        {"****", "**", "****"},
        {"aaaa", "aa", "****"},
        {"", "x", ""},
        {"keep", "", "keep"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = swng__strdup(cases[i].in);
        swng__redact(s, cases[i].secret);
        CHECK_STR_EQ(s, cases[i].out);
        if (*cases[i].secret) CHECK_STR_NOT_CONTAINS(s, cases[i].secret[0] == '*' ? "\x01" : cases[i].secret);
        free(s);
    }
    swng__redact(NULL, "x");
    {
        char s[] = "abc";
        swng__redact(s, NULL);
        CHECK_STR_EQ(s, "abc");
    }
}

static void test_validators(void)
{
    swng_error *err = NULL;
    CHECK(swng__is_loopback_host("127.0.0.1"));
    CHECK(swng__is_loopback_host("127.255.255.254"));
    CHECK(swng__is_loopback_host("localhost"));
    CHECK(swng__is_loopback_host("[::1]"));
    CHECK(swng__is_loopback_host("::1"));
    CHECK(!swng__is_loopback_host("127.0.0.1.example.com"));
    CHECK(!swng__is_loopback_host("127.example.com"));
    CHECK(!swng__is_loopback_host("127.0.0.256"));
    CHECK(!swng__is_loopback_host("127.0.0"));
    CHECK(!swng__is_loopback_host("128.0.0.1"));
    CHECK(!swng__is_loopback_host("localhost.example.com"));
    CHECK(!swng__is_loopback_host(""));
    CHECK(!swng__is_loopback_host(NULL));

    CHECK(swng__is_uuid(MID, 36));
    CHECK(swng__is_uuid("ABCDEF01-2345-6789-ABCD-EF0123456789", 36));
    CHECK(!swng__is_uuid(MID, 35));
    CHECK(!swng__is_uuid(NULL, 36));
    CHECK_INT_EQ(swng__check_uuid("thing", MID, 36, &err), SWNG_OK);
    CHECK_NULL(err);
    CHECK_INT_EQ(swng__check_uuid("thing", "x", 1, &err), SWNG_EINVAL);
    CHECK_STR_CONTAINS(swng_error_message(err), "thing");
    swng_error_free(err);

    CHECK(swng__is_utf8("", 0));
    CHECK(swng__is_utf8("\xf0\x9f\x93\x9e", 4));
    CHECK(!swng__is_utf8("\xf0\x9f\x93", 3));
    CHECK(swng__has_ctl("a\tb"));
    CHECK(swng__has_ctl("\x7f"));
    CHECK(!swng__has_ctl("plain \xc3\xbc"));

    CHECK_INT_EQ(swng__check_header("X-A: b", NULL), SWNG_OK);
    CHECK_INT_EQ(swng__check_header(NULL, NULL), SWNG_EINVAL);
    CHECK_INT_EQ(swng__check_header("Host: x", NULL), SWNG_EINVAL);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"utf8", test_utf8},
        {"parse_edges", test_parse_edges},
        {"fast_path", test_fast_path},
        {"error_body", test_error_body},
        {"redact", test_redact},
        {"validators", test_validators},
    };
    th_no_space = 1;
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
