/* test_status.c - versions, the error table, and NULL-safe accessors. */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void test_version(void)
{
    char buf[32];
    CHECK_STR_EQ(swng_version(), SWNG_VERSION);
    CHECK_INT_EQ(swng_version_num(), SWNG_VERSION_NUM);
    /* The three forms of the version agree with each other. */
    snprintf(buf, sizeof buf, "%d.%d.%d", SWNG_VERSION_MAJOR, SWNG_VERSION_MINOR,
             SWNG_VERSION_PATCH);
    CHECK_STR_EQ(buf, SWNG_VERSION);
    CHECK_INT_EQ(SWNG_VERSION_NUM,
                 (SWNG_VERSION_MAJOR << 16) | (SWNG_VERSION_MINOR << 8) | SWNG_VERSION_PATCH);
}

/* The stable names are part of the ABI: bindings expose them as `code`. */
static void test_status_names(void)
{
    static const struct {
        int code;
        const char *name;
    } expected[] = {
        {SWNG_OK, "ok"},
        {SWNG_EINVAL, "invalid_argument"},
        {SWNG_ENOMEM, "out_of_memory"},
        {SWNG_EAUTH, "authentication"},
        {SWNG_ENOTFOUND, "not_found"},
        {SWNG_EVALIDATION, "validation"},
        {SWNG_ERATELIMIT, "rate_limited"},
        {SWNG_ESERVER, "server"},
        {SWNG_ETRANSPORT, "transport"},
        {SWNG_ETIMEOUT, "timeout"},
        {SWNG_EPROTOCOL, "protocol"},
        {SWNG_ECLOSED, "closed"},
        {SWNG_EAMBIGUOUS, "ambiguous"},
        {SWNG_ECANCELLED, "cancelled"},
        {SWNG_ESKIPPED, "skipped"},
    };
    size_t i;
    int code, n = 0;

    CHECK_INT_EQ(SWNG_STATUS_FIRST, 0);
    CHECK(SWNG_STATUS_LAST < 0);
    /* Codes are dense from FIRST down to LAST and the table above is complete. */
    CHECK_INT_EQ(sizeof expected / sizeof expected[0], SWNG_STATUS_FIRST - SWNG_STATUS_LAST + 1);
    for (i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        CHECK_INT_EQ(expected[i].code, -(int)i);
        CHECK_STR_EQ(swng_status_name(expected[i].code), expected[i].name);
    }

    for (code = SWNG_STATUS_FIRST; code >= SWNG_STATUS_LAST; code--) {
        const char *name = swng_status_name(code), *text = swng_strerror(code);
        int other;
        n++;
        if (!CHECK_NOT_NULL(name) || !CHECK_NOT_NULL(text)) continue;
        CHECK_MSG(*name != '\0', "swng_status_name(%d) is empty", code);
        CHECK_MSG(*text != '\0', "swng_strerror(%d) is empty", code);
        CHECK_MSG(strcmp(name, "unknown") != 0, "code %d has no name", code);
        CHECK_MSG(strcmp(text, "unknown error") != 0, "code %d has no text", code);
        /* Names are identifiers: lower-case letters and '_'. */
        CHECK_MSG(strspn(name, "abcdefghijklmnopqrstuvwxyz_") == strlen(name),
                  "name %s of %d is not an identifier", th_q(name), code);
        /* Static storage: the same pointer every time. */
        CHECK(swng_status_name(code) == name);
        CHECK(swng_strerror(code) == text);
        for (other = code - 1; other >= SWNG_STATUS_LAST; other--) {
            CHECK_MSG(strcmp(name, swng_status_name(other)) != 0, "codes %d and %d share name %s",
                      code, other, name);
            CHECK_MSG(strcmp(text, swng_strerror(other)) != 0, "codes %d and %d share text %s",
                      code, other, text);
        }
    }
    CHECK_INT_EQ(n, 15);
}

static void test_unknown_codes(void)
{
    static const int unknown[] = {1, 2, 100, SWNG_STATUS_LAST - 1, -15, -100, -1000, INT_MAX,
                                  INT_MIN, INT_MIN + 1};
    size_t i;
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK_STR_EQ(swng_status_name(unknown[i]), "unknown");
        CHECK_STR_EQ(swng_strerror(unknown[i]), "unknown error");
    }
}

/* Every accessor accepts NULL, as documented, and every _free too. */
static void test_null_accessors(void)
{
    CHECK_INT_EQ(swng_error_code(NULL), SWNG_OK);
    CHECK_STR_EQ(swng_error_code_name(NULL), "ok");
    CHECK_STR_EQ(swng_error_message(NULL), "");
    CHECK_INT_EQ(swng_error_http_status(NULL), 0);
    CHECK_NULL(swng_error_request_id(NULL));
    CHECK_NULL(swng_error_body(NULL));
    CHECK_INT_EQ(swng_error_retry_after(NULL), -1);
    CHECK_INT_EQ(swng_error_item_count(NULL), 0);
    CHECK_NULL(swng_error_item_detail(NULL, 0));
    CHECK_NULL(swng_error_item_status(NULL, 0));
    CHECK_NULL(swng_error_item_title(NULL, 0));
    CHECK_NULL(swng_error_item_code(NULL, 0));

    CHECK_NULL(swng_membership_id(NULL));
    CHECK_NULL(swng_membership_number_group_id(NULL));
    CHECK_NULL(swng_membership_phone_number_id(NULL));
    CHECK_NULL(swng_membership_phone_number_name(NULL));
    CHECK_NULL(swng_membership_phone_number_number(NULL));
    CHECK_INT_EQ(swng_membership_capability_count(NULL), 0);
    CHECK_NULL(swng_membership_capability(NULL, 0));
    CHECK_NULL(swng_membership_created_at(NULL));
    CHECK_NULL(swng_membership_updated_at(NULL));
    CHECK_INT_EQ(swng_membership_http_status(NULL), 0);
    CHECK_NULL(swng_membership_request_id(NULL));
    CHECK_NULL(swng_membership_json(NULL));

    CHECK_NULL(swng_client_base_url(NULL));
    CHECK_NULL(swng_client_project_id(NULL));

    swng_error_free(NULL);
    swng_membership_free(NULL);
    swng_client_free(NULL);
}

static void test_options_init(void)
{
    swng_client_options a = SWNG_CLIENT_OPTIONS_INIT, b;
    memset(&b, 0xab, sizeof b);
    CHECK_INT_EQ(swng_client_options_init(&b), SWNG_OK);
    CHECK_INT_EQ(a.version, SWNG_CLIENT_OPTIONS_VERSION);
    CHECK_INT_EQ(b.version, SWNG_CLIENT_OPTIONS_VERSION);
    CHECK(!b.space && !b.project_id && !b.token && !b.base_url && !b.ca_file && !b.headers);
    CHECK(b.connect_timeout_ms == SWNG_UNSET && b.timeout_ms == SWNG_UNSET && !b.max_retries &&
          b.retry_base_ms == SWNG_UNSET && b.retry_max_ms == SWNG_UNSET);
    CHECK(!a.space && !a.project_id && !a.token && !a.base_url && !a.ca_file && !a.headers);
    CHECK(a.connect_timeout_ms == SWNG_UNSET && a.timeout_ms == SWNG_UNSET && !a.max_retries &&
          a.retry_base_ms == SWNG_UNSET && a.retry_max_ms == SWNG_UNSET);
    CHECK_INT_EQ(swng_client_options_init(NULL), SWNG_EINVAL);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"version", test_version},
        {"status_names", test_status_names},
        {"unknown_codes", test_unknown_codes},
        {"null_accessors", test_null_accessors},
        {"options_init", test_options_init},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
