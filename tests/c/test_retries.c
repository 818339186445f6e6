/* test_retries.c - retries are off by default; with max_retries a POST is
 * retried only when the server said so (429, 503) or when nothing was sent
 * (connection refused), waiting at least Retry-After. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static swng_client *retry_client(unsigned int max_retries, long base_ms, long max_ms)
{
    swng_client_options o;
    th_space_options(&o);
    o.max_retries = max_retries;
    o.retry_base_ms = base_ms;
    o.retry_max_ms = max_ms;
    return th_client(&o);
}

/* Journal entries' statuses, e.g. "429,200" (null as "-"). */
static void journal_statuses(char *buf, size_t n)
{
    cJSON *reqs, *e, *root = th_space_journal(&reqs);
    size_t len = 0;
    buf[0] = '\0';
    if (!root) return;
    cJSON_ArrayForEach(e, reqs)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
        len += (size_t)snprintf(buf + len, n - len, "%s%.0f", len ? "," : "",
                                cJSON_IsNumber(st) ? st->valuedouble : -1.0);
        if (len >= n) break;
    }
    cJSON_Delete(root);
}

/* Seconds between the journal's first and last entries. */
static double journal_span(void)
{
    cJSON *reqs, *root = th_space_journal(&reqs);
    double span = -1;
    int n;
    if (!root) return -1;
    n = cJSON_GetArraySize(reqs);
    if (n >= 2)
        span = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, n - 1), "time")->valuedouble -
               cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 0), "time")->valuedouble;
    cJSON_Delete(root);
    return span;
}

static void test_off_by_default(void)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    char st[256];
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503,\"retry_after\":\"1\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ESERVER, err);
    CHECK_INT_EQ(swng_error_retry_after(err), 1);
    swng_error_free(err);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"1\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ERATELIMIT,
             err);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "503,429");
    swng_client_free(c);
}

static void test_429_then_success(void)
{
    swng_client *c = retry_client(2, 10, 5000);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    char st[256];
    double t0, elapsed, span;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"1\"}"), 0);
    t0 = th_now_ms();
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    elapsed = th_now_ms() - t0;
    CHECK_STR_EQ(swng_membership_phone_number_id(m), TH_PHONE_MAIN);
    CHECK_INT_EQ(swng_membership_http_status(m), 200);
    swng_membership_free(m);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "429,200");
    /* Retry-After: 1 was honoured although the backoff alone is 10 ms. */
    CHECK_MSG(elapsed >= 1000, "retried after %.0f ms, Retry-After was 1 s", elapsed);
    span = journal_span();
    CHECK_MSG(span >= 0.95, "the space saw the retry %.3f s after the first try", span);
    CHECK_MSG(elapsed < 4000, "took %.0f ms", elapsed);
    swng_client_free(c);
}

static void test_503_retried(void)
{
    swng_client *c = retry_client(2, 20, 200);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    char st[256];
    REQUIRE(c);
    /* One 503 then success. */
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "503,200");

    /* Two 503s then 429: max_retries=2 means three tries, the last error is
     * the one reported. */
    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503,\"count\":2}"), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"0\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_ZURICH, &err), SWNG_ERATELIMIT,
             err);
    CHECK_INT_EQ(swng_error_http_status(err), 429);
    CHECK_INT_EQ(swng_error_retry_after(err), 0);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "503,503,429");
    /* The fault queue is used up: the next call goes through. */
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_ZURICH, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
}

/* Retry-After is capped by retry_max_ms. */
static void test_retry_after_capped(void)
{
    swng_client *c = retry_client(1, 10, 300);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    double t0, elapsed;
    REQUIRE(c);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"30\"}"), 0);
    t0 = th_now_ms();
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    elapsed = th_now_ms() - t0;
    swng_membership_free(m);
    swng_error_free(err);
    CHECK_MSG(elapsed >= 290 && elapsed < 3000, "waited %.0f ms, cap 300 ms", elapsed);
    CHECK_INT_EQ(th_journal_count(), 2);
    swng_client_free(c);
}

/* An absurd Retry-After is capped too (and does not overflow). */
static void test_huge_retry_after(void)
{
    static const char *const values[] = {"9223372036854775807", "99999999999999999999999",
                                         "2147483648", "-5", "soon"};
    swng_client *c = retry_client(1, 10, 200);
    size_t i;
    REQUIRE(c);
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        char fault[256];
        double t0, elapsed;
        snprintf(fault, sizeof fault,
                 "{\"mode\":\"status\",\"status\":429,\"retry_after\":\"%s\"}", values[i]);
        CHECK_INT_EQ(th_space_fault(fault), 0);
        t0 = th_now_ms();
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
        elapsed = th_now_ms() - t0;
        CHECK_MSG(elapsed < 3000, "Retry-After %s: waited %.0f ms, cap 200 ms", values[i], elapsed);
        swng_membership_free(m);
        swng_error_free(err);
        CHECK_INT_EQ(th_space_reset(), 0);
    }
    swng_client_free(c);
}

/* A POST is not idempotent: after a 500, a dropped connection or a timeout
 * the server may have acted, so no retry. */
static void test_not_retried(void)
{
    swng_client_options o;
    swng_client *c = retry_client(3, 10, 100);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    char st[256];
    REQUIRE(c);

    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":500}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ESERVER, err);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "500");

    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":502}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ESERVER, err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 1);

    /* A drop on the kept-alive connection: libcurl resends once on a new
     * connection (it cannot tell a stale connection from a crash), swng adds
     * nothing on top although max_retries is 3. */
    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"close\",\"count\":2}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ETRANSPORT,
             err);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "-1,-1");

    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"truncate\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ETRANSPORT,
             err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 1);

    /* 4xx answers are final. */
    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_UNKNOWN_UUID, TH_PHONE_MAIN, &err), SWNG_ENOTFOUND,
             err);
    swng_error_free(err);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_UNKNOWN_UUID, &err),
             SWNG_EVALIDATION, err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 2);
    swng_client_free(c);

    /* A drop on a fresh connection: exactly one request. */
    th_space_options(&o);
    o.max_retries = 3;
    o.retry_base_ms = 10;
    c = th_client(&o);
    REQUIRE(c);
    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"close\"}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_ETRANSPORT,
             err);
    swng_error_free(err);
    journal_statuses(st, sizeof st);
    CHECK_STR_EQ(st, "-1");
    swng_client_free(c);

    /* A timeout: the request was sent. The server is told to wait on an
     * unknown group, so when it finally answers nothing is created. */
    th_space_options(&o);
    o.max_retries = 3;
    o.retry_base_ms = 10;
    o.timeout_ms = 300;
    c = th_client(&o);
    REQUIRE(c);
    CHECK_INT_EQ(th_space_clear_journal(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"delay\",\"seconds\":2}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_UNKNOWN_UUID, TH_PHONE_MAIN, &err), SWNG_ETIMEOUT,
             err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 1);
    swng_client_free(c);
}

/* ---- a server that starts listening late, to see a refused connection
 * retried */

struct late_server {
    int fd;        /* bound, not yet listening */
    long delay_ms; /* when to start listening */
    int served;    /* requests answered */
    char request_line[256];
};

static void *late_server_main(void *arg)
{
    struct late_server *s = arg;
    static const char body[] =
        "{\"id\":\"9a1c3d5e-7f90-4b2d-8e6f-0a1b2c3d4e5f\",\"number_group_id\":\"" TH_GROUP_SALES
        "\",\"phone_number\":{\"id\":\"" TH_PHONE_MAIN "\"},"
        "\"created_at\":\"2024-01-02T03:04:05Z\",\"updated_at\":\"2024-01-02T03:04:05Z\"}";
    char req[8192], resp[1024];
    struct pollfd p;
    size_t got = 0;
    int conn;

    th_sleep_ms(s->delay_ms);
    if (listen(s->fd, 8) != 0) return NULL;
    p.fd = s->fd;
    p.events = POLLIN;
    if (poll(&p, 1, 15000) != 1) return NULL;
    conn = accept(s->fd, NULL, NULL);
    if (conn < 0) return NULL;
    /* Read the headers and the small body (Content-Length is tiny). */
    for (;;) {
        char *end;
        ssize_t n = recv(conn, req + got, sizeof req - 1 - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
        req[got] = '\0';
        if ((end = strstr(req, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(req, "\r\nContent-Length:");
            size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
            if (got - (size_t)(end + 4 - req) >= want) break;
        }
    }
    req[got] = '\0';
    sscanf(req, "%255[^\r\n]", s->request_line);
    snprintf(resp, sizeof resp,
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n"
             "X-Request-Id: late-1\r\nConnection: close\r\n\r\n%s",
             (unsigned long)strlen(body), body);
    if (send(conn, resp, strlen(resp), MSG_NOSIGNAL) > 0) s->served++;
    close(conn);
    return NULL;
}

static void test_connect_refused_retried(void)
{
    swng_client_options o;
    swng_client *c;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    struct late_server s;
    pthread_t t;
    char url[64];
    double t0, elapsed;
    int port;

    memset(&s, 0, sizeof s);
    port = th_refused_port(&s.fd);
    REQUIRE(port > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);

    /* No server ever: every try is refused; with retries the waits add up
     * (backoff 100 ms then 200 ms, each with jitter down to half). */
    th_space_options(&o);
    o.base_url = url;
    o.max_retries = 2;
    o.retry_base_ms = 100;
    o.retry_max_ms = 1000;
    c = th_client(&o);
    if (c) {
        t0 = th_now_ms();
        CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err),
                 SWNG_ETRANSPORT, err);
        elapsed = th_now_ms() - t0;
        swng_error_free(err);
        CHECK_MSG(elapsed >= 150, "3 refused tries took only %.0f ms", elapsed);
        swng_client_free(c);
    }

    /* The server starts listening 300 ms in; the first try is refused, the
     * retry (after 500..1000 ms) gets the answer. */
    o.max_retries = 2;
    o.retry_base_ms = 1000;
    o.retry_max_ms = 2000;
    c = th_client(&o);
    if (!c) {
        th_refused_port_close(s.fd);
        return;
    }
    s.delay_ms = 300;
    if (!CHECK(pthread_create(&t, NULL, late_server_main, &s) == 0)) {
        swng_client_free(c);
        th_refused_port_close(s.fd);
        return;
    }
    t0 = th_now_ms();
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    elapsed = th_now_ms() - t0;
    pthread_join(t, NULL);
    CHECK_INT_EQ(s.served, 1);
    CHECK_STR_CONTAINS(s.request_line, "POST /api/relay/rest/number_groups/" TH_GROUP_SALES
                                       "/number_group_memberships HTTP/1.1");
    CHECK_STR_EQ(swng_membership_request_id(m), "late-1");
    /* Success only after a backoff wait proves the first try was refused
     * and retried (the server answers at once). */
    CHECK_MSG(elapsed >= 500, "succeeded after %.0f ms: no retry happened?", elapsed);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
    th_refused_port_close(s.fd);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"off_by_default", test_off_by_default},
        {"429_then_success", test_429_then_success},
        {"503_retried", test_503_retried},
        {"retry_after_capped", test_retry_after_capped},
        {"huge_retry_after", test_huge_retry_after},
        {"not_retried", test_not_retried},
        {"connect_refused_retried", test_connect_refused_retried},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
