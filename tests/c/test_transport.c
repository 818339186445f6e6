/* test_transport.c - failures below HTTP: a connection closed without an
 * answer, a refused connection, a timeout, a truncated body. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls use a group the space does not know: a request the server finishes
 * late (after a delay fault) then creates nothing behind later tests' backs. */
static swng_error *call_expect(swng_client *c, int code, int line)
{
    swng_membership *m = (swng_membership *)&m;
    swng_error *err = NULL;
    int rc = swng_membership_create(&m, c, TH_UNKNOWN_UUID, TH_PHONE_MAIN, &err);
    if (!th_check_rc(__FILE__, line, "swng_membership_create", rc, code, err)) {
        if (rc == SWNG_OK) swng_membership_free(m);
        swng_error_free(err);
        return NULL;
    }
    th_check_long(__FILE__, line, "m == NULL", m == NULL, "1", 1);
    if (!err) th_fail(__FILE__, line, "no error object");
    else {
        th_check_long(__FILE__, line, "message not empty", *swng_error_message(err) != '\0', "1", 1);
        th_check_contains(__FILE__, line, "message", swng_error_message(err), th_token(), 0);
    }
    return err;
}
#define CALL_EXPECT(c, code) call_expect(c, code, __LINE__)

static void test_close_without_answer(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    cJSON *root, *reqs;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"close\"}"), 0);
    err = CALL_EXPECT(c, SWNG_ETRANSPORT);
    CHECK_INT_EQ(swng_error_http_status(err), 0);
    CHECK_NULL(swng_error_body(err));
    CHECK_NULL(swng_error_request_id(err));
    CHECK_STR_CONTAINS(swng_error_message(err), "transport");
    swng_error_free(err);
    /* It reached the server (so it must not be retried, see test_retries). */
    root = th_space_journal(&reqs);
    if (CHECK(root) && CHECK_INT_EQ(cJSON_GetArraySize(reqs), 1)) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 0), "status");
        CHECK(cJSON_IsNull(st));
    }
    cJSON_Delete(root);
    swng_client_free(c);
}

static void test_connect_refused(void)
{
    swng_client_options o;
    swng_client *c;
    swng_error *err;
    char url[64];
    int fd, port = th_refused_port(&fd);
    REQUIRE(port > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    th_space_options(&o);
    o.base_url = url;
    c = th_client(&o);
    if (c) {
        err = CALL_EXPECT(c, SWNG_ETRANSPORT);
        CHECK_INT_EQ(swng_error_http_status(err), 0);
        CHECK_NULL(swng_error_body(err));
        CHECK_INT_EQ(swng_error_retry_after(err), -1);
        swng_error_free(err);
        /* The client stays usable for the next (also refused) call. */
        err = CALL_EXPECT(c, SWNG_ETRANSPORT);
        swng_error_free(err);
    }
    swng_client_free(c);
    th_refused_port_close(fd);
}

static void test_timeout(void)
{
    const long timeout = 600;
    swng_client_options o;
    swng_client *c;
    swng_error *err;
    double t0, elapsed;
    th_space_options(&o);
    o.timeout_ms = timeout;
    c = th_client(&o);
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"delay\",\"seconds\":4}"), 0);
    t0 = th_now_ms();
    err = CALL_EXPECT(c, SWNG_ETIMEOUT);
    elapsed = th_now_ms() - t0;
    CHECK_INT_EQ(swng_error_http_status(err), 0);
    CHECK_STR_CONTAINS(swng_error_message(err), "timed out");
    swng_error_free(err);
    /* Roughly the timeout: not early, and nowhere near the 4 s delay (the
     * slack covers valgrind). */
    CHECK_MSG(elapsed >= timeout - 20, "gave up after %.0f ms, timeout %ld ms", elapsed, timeout);
    CHECK_MSG(elapsed < timeout + 2000, "gave up after %.0f ms, timeout %ld ms", elapsed, timeout);

    /* A body that stalls half-way also times out. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"stall\",\"seconds\":3}"), 0);
    t0 = th_now_ms();
    err = CALL_EXPECT(c, SWNG_ETIMEOUT);
    elapsed = th_now_ms() - t0;
    swng_error_free(err);
    CHECK_MSG(elapsed < timeout + 2000, "stall: gave up after %.0f ms", elapsed);

    /* A delay shorter than the timeout is fine. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"delay\",\"seconds\":0.05}"), 0);
    {
        swng_membership *m = NULL;
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_ZURICH, &err), SWNG_OK,
                 err);
        swng_membership_free(m);
        swng_error_free(err);
    }
    swng_client_free(c);
}

static void test_connect_timeout_option(void)
{
    /* connect_timeout_ms is accepted and does not break a good call. */
    swng_client_options o;
    swng_client *c;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    th_space_options(&o);
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 10000;
    c = th_client(&o);
    REQUIRE(c);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

static void test_truncated_body(void)
{
    swng_client *c = th_client(NULL);
    swng_error *err;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"truncate\"}"), 0);
    err = CALL_EXPECT(c, SWNG_ETRANSPORT);
    swng_error_free(err);
    /* Nothing half-parsed leaks out, and the next call works. */
    {
        swng_membership *m = NULL;
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_SPARE, &err), SWNG_OK, err);
        swng_membership_free(m);
        swng_error_free(err);
    }
    swng_client_free(c);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"close_without_answer", test_close_without_answer},
        {"connect_refused", test_connect_refused},
        {"timeout", test_timeout},
        {"connect_timeout_option", test_connect_timeout_option},
        {"truncated_body", test_truncated_body},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
