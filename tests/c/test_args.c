/* test_args.c - every bad argument and option is refused before a single
 * byte reaches the (real, emulated) space; configuration from the
 * environment; messages name what is wrong. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOOD_GROUP TH_GROUP_SALES
#define GOOD_PHONE TH_PHONE_MAIN

/* The space's journal must be empty: nothing was sent. */
#define CHECK_NOTHING_SENT() CHECK_MSG(th_journal_count() == 0, "a request reached the space")

/* One swng_membership_create call that must fail with SWNG_EINVAL and a
 * message containing `names`. */
static void expect_create_einval(swng_client *c, const char *group, const char *phone,
                                 const char *names, int line)
{
    swng_membership *m = (swng_membership *)&m; /* must be reset to NULL */
    swng_error *err = NULL;
    int rc = swng_membership_create(&m, c, group, phone, &err);
    if (!th_check_rc(__FILE__, line, "swng_membership_create", rc, SWNG_EINVAL, err)) {
        swng_membership_free(rc == SWNG_OK ? m : NULL);
        swng_error_free(err);
        return;
    }
    th_check_long(__FILE__, line, "m == NULL", m == NULL, "1", 1);
    th_check_long(__FILE__, line, "err != NULL", err != NULL, "1", 1);
    th_check_contains(__FILE__, line, "message", swng_error_message(err), names, 1);
    th_check_long(__FILE__, line, "http_status", swng_error_http_status(err), "0", 0);
    th_check_long(__FILE__, line, "body == NULL", swng_error_body(err) == NULL, "1", 1);
    swng_error_free(err);
}
#define EXPECT_CREATE_EINVAL(c, g, p, names) expect_create_einval(c, g, p, names, __LINE__)

static void test_bad_ids(void)
{
    static const struct {
        const char *value;
        const char *why; /* a word the message must contain, or NULL */
    } bad[] = {
        {"", "empty"},
        {"41148420-0549-49cf-924c-e4a320c8c1e", "UUID"},    /* 35 chars */
        {"41148420-0549-49cf-924c-e4a320c8c1e90", "UUID"},  /* 37 chars */
        {"41148420054949cf924ce4a320c8c1e9", "UUID"},       /* no dashes */
        {"41148420-0549-49cf-924c-e4a320c8c1eg", "UUID"},   /* 'g' */
        {"{41148420-0549-49cf-924c-e4a320c8c1e9}", "UUID"}, /* braces */
        {" 41148420-0549-49cf-924c-e4a320c8c1e", "UUID"},   /* space */
        {"41148420_0549-49cf-924c-e4a320c8c1e9", "UUID"},
        {"not-a-uuid", "UUID"},
        {"41148420-0549-49cf-924c-e4a320c8c\r\n9", "CR or LF"},
        {"41148420-0549-49cf-924c-e4a320c8c1\r9", "CR or LF"},
        {"41148420-0549-49cf-924c-e4a320c8c1\n9", "CR or LF"},
        {"41148420-0549-49cf-924c-e4a320c8c1e9\r\nX-Injected: 1", "CR or LF"},
        {"41148420-0549-49cf-924c-e4a320c8/1e9", "'/'"},
        {"../../../../api/relay/rest/xxxxxxxxx", "'/'"},
        {"41148420-0549-49cf-924c-e4a320c8?1e9", "'?'"},
        {"41148420-0549-49cf-924c-e4a320c8#1e9", "'#'"},
        {"41148420-0549-49cf-924c-e4a320c8c1e9?x=1", "'?'"},
        {"41148420-0549-49cf-924c-%34a320c8c1e9", "UUID"},
        {"41148420-0549-49cf-924c-e4a320c8c1\xc3\xa9", "UUID"}, /* UTF-8 */
    };
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EXPECT_CREATE_EINVAL(c, bad[i].value, GOOD_PHONE, "number_group_id");
        EXPECT_CREATE_EINVAL(c, bad[i].value, GOOD_PHONE, bad[i].why);
        EXPECT_CREATE_EINVAL(c, GOOD_GROUP, bad[i].value, "phone_number_id");
        EXPECT_CREATE_EINVAL(c, GOOD_GROUP, bad[i].value, bad[i].why);
    }
    EXPECT_CREATE_EINVAL(c, NULL, GOOD_PHONE, "number_group_id must not be NULL");
    EXPECT_CREATE_EINVAL(c, GOOD_GROUP, NULL, "phone_number_id must not be NULL");
    EXPECT_CREATE_EINVAL(c, NULL, NULL, "NULL");
    /* The group is checked first, so the message names it. */
    EXPECT_CREATE_EINVAL(c, "x", "y", "number_group_id");
    CHECK_NOTHING_SENT();
    swng_client_free(c);
}

static void test_nul_bytes(void)
{
    /* Counted strings: a NUL inside is refused, even where the rest is a
     * valid UUID; a NULL pointer is refused whatever the length. */
    static const char group_nul[] = "41148420-0549-49cf-924c\0e4a320c8c1e9";
    static const char phone_nul[] = "0cc9aa06-4e1e-47b0-b276-0fa31c14760\0";
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int rc;
    REQUIRE(c);

    rc = swng_membership_create_n(&m, c, group_nul, 36, GOOD_PHONE, 36, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_NULL(m);
    CHECK_STR_CONTAINS(swng_error_message(err), "number_group_id");
    CHECK_STR_CONTAINS(swng_error_message(err), "NUL");
    swng_error_free(err);

    rc = swng_membership_create_n(&m, c, GOOD_GROUP, 36, phone_nul, 36, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "phone_number_id");
    CHECK_STR_CONTAINS(swng_error_message(err), "NUL");
    swng_error_free(err);

    /* A trailing NUL counted in the length is a NUL too. */
    rc = swng_membership_create_n(&m, c, GOOD_GROUP, 37, GOOD_PHONE, 36, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "number_group_id");
    swng_error_free(err);

    rc = swng_membership_create_n(&m, c, NULL, 36, GOOD_PHONE, 36, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "number_group_id");
    swng_error_free(err);

    rc = swng_membership_create_n(&m, c, GOOD_GROUP, 36, NULL, 0, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "phone_number_id");
    swng_error_free(err);

    /* Lengths shorter than the string are honoured (not strlen). */
    rc = swng_membership_create_n(&m, c, GOOD_GROUP "trailing", 36, GOOD_PHONE, 35, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "phone_number_id");
    swng_error_free(err);
    CHECK_NOTHING_SENT();

    /* ... and with the right lengths the same buffers work, which proves the
     * checks above failed for the NULs and not for something else. */
    rc = swng_membership_create_n(&m, c, GOOD_GROUP "trailing", 36, GOOD_PHONE "zz", 36, &err);
    CHECK_RC(rc, SWNG_OK, err);
    CHECK_STR_EQ(swng_membership_phone_number_id(m), GOOD_PHONE);
    swng_membership_free(m);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 1);
    swng_client_free(c);
}

static void test_null_out_client(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int rc;
    REQUIRE(c);

    rc = swng_membership_create(NULL, c, GOOD_GROUP, GOOD_PHONE, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "out");
    swng_error_free(err);

    rc = swng_membership_create(&m, NULL, GOOD_GROUP, GOOD_PHONE, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_NULL(m);
    CHECK_STR_CONTAINS(swng_error_message(err), "client");
    swng_error_free(err);

    rc = swng_membership_create_n(NULL, c, GOOD_GROUP, 36, GOOD_PHONE, 36, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    swng_error_free(err);

    /* err is optional: the code alone still comes back. */
    CHECK_INT_EQ(swng_membership_create(&m, c, "bad", GOOD_PHONE, NULL), SWNG_EINVAL);
    CHECK_INT_EQ(swng_membership_create(&m, NULL, GOOD_GROUP, GOOD_PHONE, NULL), SWNG_EINVAL);
    CHECK_INT_EQ(swng_client_new(NULL, NULL, NULL), SWNG_EINVAL);

    err = (swng_error *)&err; /* must be overwritten */
    rc = swng_client_new(NULL, NULL, &err);
    CHECK_RC(rc, SWNG_EINVAL, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "out");
    swng_error_free(err);
    CHECK_NOTHING_SENT();
    swng_client_free(c);
}

/* swng_client_new(opts) must fail with EINVAL, a message containing each
 * of the NULL-terminated `words`, and *out left NULL. */
static void expect_client_einval(const swng_client_options *o, int line, const char *w1,
                                 const char *w2)
{
    swng_client *c = (swng_client *)&c;
    swng_error *err = NULL;
    int rc = swng_client_new(&c, o, &err);
    if (th_check_rc(__FILE__, line, "swng_client_new", rc, SWNG_EINVAL, err)) {
        th_check_long(__FILE__, line, "client == NULL", c == NULL, "1", 1);
        th_check_long(__FILE__, line, "err != NULL", err != NULL, "1", 1);
        if (w1) th_check_contains(__FILE__, line, "message", swng_error_message(err), w1, 1);
        if (w2) th_check_contains(__FILE__, line, "message", swng_error_message(err), w2, 1);
        /* The token never appears in a message. */
        th_check_contains(__FILE__, line, "message", swng_error_message(err), th_token(), 0);
    } else if (rc == SWNG_OK) {
        swng_client_free(c);
    }
    swng_error_free(err);
}
#define EXPECT_CLIENT_EINVAL(o, w1, w2) expect_client_einval(o, __LINE__, w1, w2)

static void expect_client_ok(const swng_client_options *o, const char *base_url, int line)
{
    swng_client *c = NULL;
    swng_error *err = NULL;
    int rc = swng_client_new(&c, o, &err);
    if (th_check_rc(__FILE__, line, "swng_client_new", rc, SWNG_OK, err)) {
        th_check_long(__FILE__, line, "err == NULL", err == NULL, "1", 1);
        if (base_url)
            th_check_str(__FILE__, line, "swng_client_base_url", swng_client_base_url(c),
                         "expected", base_url);
    }
    swng_client_free(c);
    swng_error_free(err);
}
#define EXPECT_CLIENT_OK(o, base) expect_client_ok(o, base, __LINE__)

static void test_credentials(void)
{
    swng_client_options o;

    th_space_options(&o);
    o.project_id = NULL;
    EXPECT_CLIENT_EINVAL(&o, "project_id", "SIGNALWIRE_PROJECT_ID");
    o.project_id = "";
    EXPECT_CLIENT_EINVAL(&o, "project_id", NULL);
    o.project_id = "abc:def";
    EXPECT_CLIENT_EINVAL(&o, "project_id", "':'");
    o.project_id = "abc\r\ndef";
    EXPECT_CLIENT_EINVAL(&o, "project_id", "control");
    o.project_id = "abc\ndef";
    EXPECT_CLIENT_EINVAL(&o, "project_id", NULL);
    o.project_id = "abc\rdef";
    EXPECT_CLIENT_EINVAL(&o, "project_id", NULL);
    o.project_id = "abc\tdef";
    EXPECT_CLIENT_EINVAL(&o, "project_id", NULL);

    th_space_options(&o);
    o.token = NULL;
    EXPECT_CLIENT_EINVAL(&o, "token", "SIGNALWIRE_API_TOKEN");
    o.token = "";
    EXPECT_CLIENT_EINVAL(&o, "token", NULL);
    o.token = "PTsecret\r\nX-Injected: yes";
    EXPECT_CLIENT_EINVAL(&o, "token", "control");
    o.token = "PTsecret\n";
    EXPECT_CLIENT_EINVAL(&o, "token", NULL);
    o.token = "PTsecret\r";
    EXPECT_CLIENT_EINVAL(&o, "token", NULL);

    /* No space at all. */
    th_space_options(&o);
    o.base_url = NULL;
    EXPECT_CLIENT_EINVAL(&o, "space", "base_url");
    o.base_url = "";
    o.space = "";
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);

    /* Everything NULL: all from the (empty) environment. */
    EXPECT_CLIENT_EINVAL(NULL, "project_id", NULL);

    /* Options version. */
    th_space_options(&o);
    o.version = 0;
    EXPECT_CLIENT_EINVAL(&o, "version", "SWNG_CLIENT_OPTIONS_INIT");
    o.version = SWNG_CLIENT_OPTIONS_VERSION + 1;
    EXPECT_CLIENT_EINVAL(&o, "version", NULL);
    o.version = 0xabababab;
    EXPECT_CLIENT_EINVAL(&o, "version", NULL);

    /* Negative durations. */
    th_space_options(&o);
    o.timeout_ms = -1;
    EXPECT_CLIENT_EINVAL(&o, "timeout", NULL);
    th_space_options(&o);
    o.connect_timeout_ms = -5;
    EXPECT_CLIENT_EINVAL(&o, "timeout", NULL);
    th_space_options(&o);
    o.retry_base_ms = -1;
    EXPECT_CLIENT_EINVAL(&o, "retry", NULL);
    th_space_options(&o);
    o.retry_max_ms = -1;
    EXPECT_CLIENT_EINVAL(&o, "retry", NULL);

    /* An unreadable CA bundle. */
    th_space_options(&o);
    o.ca_file = "/nonexistent/swng-test-ca.pem";
    EXPECT_CLIENT_EINVAL(&o, "ca_file", NULL);

    /* A good client names its project and base URL. */
    {
        swng_client *c = th_client(NULL);
        if (c) {
            CHECK_STR_EQ(swng_client_project_id(c), th_project_id());
            CHECK_STR_EQ(swng_client_base_url(c), th_base_url());
        }
        swng_client_free(c);
    }
    CHECK_NOTHING_SENT();
}

static void test_base_urls(void)
{
    static const struct {
        const char *url;
        const char *w1, *w2;
    } refused[] = {
        /* plain http:// to anything but loopback */
        {"http://example.com", "loopback", "https"},
        {"http://example.com:8080", "loopback", "https"},
        {"http://127.example.com", "loopback", "https"},
        {"http://127.0.0.1.nip.io", "loopback", NULL},
        {"http://localhost.example.com", "loopback", NULL},
        {"http://10.0.0.1", "loopback", NULL},
        {"http://128.0.0.1", "loopback", NULL},
        {"http://0.0.0.0", "loopback", NULL},
        {"http://[::2]", "loopback", NULL},
        /* paths, queries, fragments, credentials */
        {"http://127.0.0.1:8080/api", "path", NULL},
        {"https://example.signalwire.com/api/relay/rest", "path", NULL},
        {"http://127.0.0.1:8080/?x=1", "query", NULL},
        {"http://127.0.0.1:8080?x=1", "query", NULL},
        {"http://127.0.0.1:8080/#frag", "base_url", NULL},
        {"http://user:pass@127.0.0.1:8080", "credentials", NULL},
        {"https://user@example.com", "credentials", NULL},
        /* other schemes, garbage */
        {"ftp://127.0.0.1", "https", NULL},
        {"file:///etc/passwd", "base_url", NULL},
        {"gopher://127.0.0.1", "base_url", NULL},
        {"127.0.0.1:8080x", "base_url", NULL},
        {"http://", "base_url", NULL},
        {"http://127.0.0.1:8080\r\nX: y", "base_url", NULL},
        {"not a url", "base_url", NULL},
    };
    static const struct {
        const char *url, *effective;
    } accepted[] = {
        {"https://example.signalwire.com", "https://example.signalwire.com"},
        {"https://example.signalwire.com/", "https://example.signalwire.com"},
        {"https://example.com:8443", "https://example.com:8443"},
        {"https://127.0.0.1:1", "https://127.0.0.1:1"},
        {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
        {"http://127.1.2.3:8080/", "http://127.1.2.3:8080"},
        {"http://localhost:8080", "http://localhost:8080"},
        {"http://[::1]:8080", "http://[::1]:8080"},
    };
    swng_client_options o;
    size_t i;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        th_space_options(&o);
        o.base_url = refused[i].url;
        EXPECT_CLIENT_EINVAL(&o, refused[i].w1, refused[i].w2);
        EXPECT_CLIENT_EINVAL(&o, "base_url", NULL);
    }
    for (i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        th_space_options(&o);
        o.base_url = accepted[i].url;
        EXPECT_CLIENT_OK(&o, accepted[i].effective);
    }

    /* A space name or host. */
    th_space_options(&o);
    o.base_url = NULL;
    o.space = "example";
    EXPECT_CLIENT_OK(&o, "https://example.signalwire.com");
    o.space = "example.signalwire.com";
    EXPECT_CLIENT_OK(&o, "https://example.signalwire.com");
    o.space = "https://example.signalwire.com";
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);
    o.space = "exa mple";
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);
    o.space = "example/evil";
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);
    o.space = "example\r\n";
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);
    /* base_url wins over space. */
    o.space = "example";
    o.base_url = th_base_url();
    EXPECT_CLIENT_OK(&o, th_base_url());
    CHECK_NOTHING_SENT();
}

static void test_headers(void)
{
    static const struct {
        const char *header, *word;
    } refused[] = {
        {"Authorization: Basic Zm9vOmJhcg==", "Authorization"},
        {"authorization: Bearer x", "Authorization"},
        {"AUTHORIZATION: x", "Authorization"},
        {"Content-Type: text/plain", "Content-Type"},
        {"content-type: application/xml", "Content-Type"},
        {"Content-Length: 0", "Content-Length"},
        {"Host: evil.example.com", "Host"},
        {"host: x", "Host"},
        {"X-Trace: a\r\nX-Injected: b", "CR or LF"},
        {"X-Trace: a\nb", "CR or LF"},
        {"X-Trace: a\rb", "CR or LF"},
        {"X-Trace:", "empty"},
        {"X-Trace:   ", "empty"},
        {"X-Trace", "Name: value"},
        {": value", "Name: value"},
        {"X Trace: a", "name"},
        {"X-Tr\xc3\xa4" "ce: a", "name"},
        {"X-Trace(1): a", "name"},
        {"X-Trace: a\x01", "control"},
        {"X-Trace: a\x7f", "control"},
    };
    swng_client_options o;
    const char *list[3];
    size_t i;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        th_space_options(&o);
        list[0] = "X-Fine: 1";
        list[1] = refused[i].header;
        list[2] = NULL;
        o.headers = list;
        EXPECT_CLIENT_EINVAL(&o, "headers", refused[i].word);
    }
    CHECK_NOTHING_SENT();

    /* Accepted extra headers arrive in the journal, the fixed ones intact. */
    {
        static const char *const good[] = {"X-Trace-Id: trace-1234", "Prefer: code=201",
                                           "X-Empty-Looking: \t0", "X-UTF8: Z\xc3\xbcrich",
                                           NULL};
        swng_client *c;
        swng_membership *m = NULL;
        swng_error *err = NULL;
        cJSON *root, *reqs, *e;
        th_space_options(&o);
        o.headers = good;
        c = th_client(&o);
        REQUIRE(c);
        CHECK_RC(swng_membership_create(&m, c, GOOD_GROUP, GOOD_PHONE, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
        swng_client_free(c);
        root = th_space_journal(&reqs);
        REQUIRE(root);
        CHECK_INT_EQ(cJSON_GetArraySize(reqs), 1);
        e = cJSON_GetArrayItem(reqs, 0);
        CHECK_STR_EQ(th_journal_header(e, "x-trace-id"), "trace-1234");
        CHECK_STR_EQ(th_journal_header(e, "prefer"), "code=201");
        CHECK_STR_EQ(th_journal_header(e, "x-empty-looking"), "0");
        CHECK_STR_EQ(th_journal_header(e, "content-type"), "application/json");
        CHECK_STR_CONTAINS(th_journal_header(e, "authorization"), "Basic ");
        cJSON_Delete(root);
    }
}

/* The SignalWire SDK variables configure a client; explicit options win. */
static void test_environment(void)
{
    swng_client_options o;
    swng_client *c = NULL;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int rc;
    cJSON *root, *reqs;
    char *auth, *expected;

    setenv("SIGNALWIRE_PROJECT_ID", th_project_id(), 1);
    setenv("SIGNALWIRE_API_TOKEN", th_token(), 1);
    setenv("SIGNALWIRE_REST_BASE_URL", th_base_url(), 1);
    setenv("SIGNALWIRE_SPACE", "example", 1);

    /* opts NULL: everything from the environment; the base URL override
     * beats SIGNALWIRE_SPACE. */
    rc = swng_client_new(&c, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_error_free(err);
    if (c) {
        CHECK_STR_EQ(swng_client_base_url(c), th_base_url());
        CHECK_STR_EQ(swng_client_project_id(c), th_project_id());
        rc = swng_membership_create(&m, c, GOOD_GROUP, GOOD_PHONE, &err);
        CHECK_RC(rc, SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
        swng_client_free(c);
        c = NULL;
    }

    /* Without the override, SIGNALWIRE_SPACE makes the https URL. */
    unsetenv("SIGNALWIRE_REST_BASE_URL");
    swng_client_options_init(&o);
    EXPECT_CLIENT_OK(&o, "https://example.signalwire.com");
    setenv("SIGNALWIRE_SPACE", "acme.signalwire.com", 1);
    EXPECT_CLIENT_OK(&o, "https://acme.signalwire.com");
    setenv("SIGNALWIRE_SPACE", "", 1);
    EXPECT_CLIENT_EINVAL(&o, "space", NULL);
    /* An explicit space beats SIGNALWIRE_REST_BASE_URL from the environment. */
    setenv("SIGNALWIRE_REST_BASE_URL", th_base_url(), 1);
    o.space = "explicit";
    EXPECT_CLIENT_OK(&o, "https://explicit.signalwire.com");
    /* An explicit base_url beats both. */
    o.space = NULL;
    o.base_url = "https://127.0.0.1:9";
    EXPECT_CLIENT_OK(&o, "https://127.0.0.1:9");
    /* The environment is checked like options: plain http to a remote host. */
    o.base_url = NULL;
    setenv("SIGNALWIRE_REST_BASE_URL", "http://example.com", 1);
    EXPECT_CLIENT_EINVAL(&o, "loopback", NULL);
    setenv("SIGNALWIRE_REST_BASE_URL", th_base_url(), 1);

    /* Explicit credentials beat the environment's: with wrong values in the
     * environment, explicit right ones must be what reaches the wire. */
    setenv("SIGNALWIRE_PROJECT_ID", "env-project", 1);
    setenv("SIGNALWIRE_API_TOKEN", "env-token", 1);
    swng_client_options_init(&o);
    o.project_id = th_project_id();
    o.token = th_token();
    rc = swng_client_new(&c, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_error_free(err);
    if (c) {
        CHECK_STR_EQ(swng_client_project_id(c), th_project_id());
        CHECK_RC(swng_membership_create(&m, c, GOOD_GROUP, TH_PHONE_SPARE, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
        swng_client_free(c);
        c = NULL;
    }
    /* ... and the environment's are used when the options leave them out:
     * the space refuses them (401), which proves they were sent. */
    swng_client_options_init(&o);
    rc = swng_client_new(&c, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_error_free(err);
    if (c) {
        CHECK_STR_EQ(swng_client_project_id(c), "env-project");
        rc = swng_membership_create(&m, c, GOOD_GROUP, TH_PHONE_ZURICH, &err);
        CHECK_RC(rc, SWNG_EAUTH, err);
        CHECK_INT_EQ(swng_error_http_status(err), 401);
        CHECK_STR_NOT_CONTAINS(swng_error_message(err), "env-token");
        swng_error_free(err);
        swng_client_free(c);
    }

    root = th_space_journal(&reqs);
    if (CHECK(root) && CHECK_INT_EQ(cJSON_GetArraySize(reqs), 3)) {
        char userpass[256];
        snprintf(userpass, sizeof userpass, "%s:%s", th_project_id(), th_token());
        expected = th_base64(userpass);
        auth = malloc(strlen(expected) + 7);
        sprintf(auth, "Basic %s", expected);
        CHECK_STR_EQ(th_journal_header(cJSON_GetArrayItem(reqs, 0), "authorization"), auth);
        CHECK_STR_EQ(th_journal_header(cJSON_GetArrayItem(reqs, 1), "authorization"), auth);
        free(expected);
        free(auth);
        expected = th_base64("env-project:env-token");
        auth = malloc(strlen(expected) + 7);
        sprintf(auth, "Basic %s", expected);
        CHECK_STR_EQ(th_journal_header(cJSON_GetArrayItem(reqs, 2), "authorization"), auth);
        free(expected);
        free(auth);
    }
    cJSON_Delete(root);

    unsetenv("SIGNALWIRE_PROJECT_ID");
    unsetenv("SIGNALWIRE_API_TOKEN");
    unsetenv("SIGNALWIRE_SPACE");
    unsetenv("SIGNALWIRE_REST_BASE_URL");
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"bad_ids", test_bad_ids},
        {"nul_bytes", test_nul_bytes},
        {"null_out_client", test_null_out_client},
        {"credentials", test_credentials},
        {"base_urls", test_base_urls},
        {"headers", test_headers},
        {"environment", test_environment},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
