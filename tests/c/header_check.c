/* header_check.c - compiled (syntax only) as C89, C99, C++98 and C++17
 * with -pedantic -Werror: swng.h must be self-contained (it comes first),
 * idempotent, and clean in every one of those languages. Uses every public
 * type, macro and function so that each declaration is checked. */
#include "swng.h"
#include "swng.h"

/* Compile-time checks that work in C89 and C++98 (a negative array size
 * fails to compile). */
typedef char swng_check_version_num[(SWNG_VERSION_NUM == ((SWNG_VERSION_MAJOR << 16) |
                                                          (SWNG_VERSION_MINOR << 8) |
                                                          SWNG_VERSION_PATCH))
                                        ? 1
                                        : -1];
typedef char swng_check_ok_is_zero[SWNG_OK == 0 ? 1 : -1];
typedef char swng_check_first[SWNG_STATUS_FIRST == SWNG_OK ? 1 : -1];
typedef char swng_check_last[SWNG_STATUS_LAST < SWNG_OK ? 1 : -1];
typedef char swng_check_options_version[SWNG_CLIENT_OPTIONS_VERSION >= 1 ? 1 : -1];

int swng_header_check(void);

int swng_header_check(void)
{
    static const char *const extra[] = {"X-Trace: 1", 0};
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    swng_client *client = 0;
    swng_error *err = 0;
    swng_membership *m = 0;
    swng_status st = SWNG_EPROTOCOL;
    const char *s;
    size_t n;
    long l;
    int rc;

    opts.base_url = "http://127.0.0.1:1";
    opts.headers = extra;
    opts.max_retries = 1u;
    rc = swng_client_options_init(&opts);
    rc = swng_client_new(&client, &opts, &err);
    s = swng_client_base_url(client);
    s = swng_client_project_id(client);
    rc = swng_membership_create(&m, client, "g", "p", &err);
    rc = swng_membership_create_n(&m, client, "g", 1, "p", 1, &err);
    s = swng_membership_id(m);
    s = swng_membership_number_group_id(m);
    s = swng_membership_phone_number_id(m);
    s = swng_membership_phone_number_name(m);
    s = swng_membership_phone_number_number(m);
    n = swng_membership_capability_count(m);
    s = swng_membership_capability(m, n);
    s = swng_membership_created_at(m);
    s = swng_membership_updated_at(m);
    l = swng_membership_http_status(m);
    s = swng_membership_request_id(m);
    s = swng_membership_json(m);
    rc = swng_error_code(err);
    s = swng_error_code_name(err);
    s = swng_error_message(err);
    l = swng_error_http_status(err);
    s = swng_error_request_id(err);
    s = swng_error_body(err);
    l = swng_error_retry_after(err);
    n = swng_error_item_count(err);
    s = swng_error_item_detail(err, 0);
    s = swng_error_item_status(err, 0);
    s = swng_error_item_title(err, 0);
    s = swng_error_item_code(err, 0);
    s = swng_strerror(st);
    s = swng_status_name(SWNG_ECLOSED);
    s = swng_version();
    rc = swng_version_num() == SWNG_VERSION_NUM;
    s = SWNG_VERSION;
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(client);
    return rc + (s != 0) + (n != 0) + (l != 0);
}
