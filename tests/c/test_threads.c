/* test_threads.c - one client shared by many threads. Run against a space
 * started with --allow-duplicates so that every call can succeed.
 *
 * SWNG_TEST_THREADS (default 8) threads each make SWNG_TEST_THREAD_CALLS
 * (default 200) calls; the valgrind run makes fewer. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

struct worker {
    swng_client *client;
    int index;
    int calls;
    int mixed; /* also make calls that must fail, and check their errors */
    int ok, failed;
    int phone_count;
    const char **phones;
    char first_error[512];
};

static void note(struct worker *w, const char *fmt, const char *a, const char *b)
{
    w->failed++;
    if (!w->first_error[0]) snprintf(w->first_error, sizeof w->first_error, fmt, a, b);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int i;
    for (i = 0; i < w->calls; i++) {
        const char *group = (w->index + i) % 2 ? TH_GROUP_SUPPORT : TH_GROUP_SALES;
        const char *phone = w->phones[(w->index * 7 + i) % w->phone_count];
        int kind = w->mixed ? i % 3 : 0; /* 0: ok, 1: 404, 2: 422 */
        swng_membership *m = NULL;
        swng_error *err = NULL;
        int rc;
        if (kind == 1) group = TH_UNKNOWN_UUID;
        if (kind == 2) phone = TH_UNKNOWN_UUID;
        rc = swng_membership_create(&m, w->client, group, phone, &err);
        if (kind == 0) {
            if (rc != SWNG_OK)
                note(w, "call failed: %s %s", swng_status_name(rc), swng_error_message(err));
            else if (strcmp(swng_membership_number_group_id(m), group) != 0)
                note(w, "group %s came back for %s", swng_membership_number_group_id(m), group);
            else if (!swng_membership_phone_number_id(m) ||
                     strcmp(swng_membership_phone_number_id(m), phone) != 0)
                note(w, "phone %s came back for %s", swng_membership_phone_number_id(m), phone);
            else if (!swng_membership_request_id(m) || !swng_membership_id(m))
                note(w, "no request id or id%s%s", "", "");
            else
                w->ok++;
        } else {
            int want = kind == 1 ? SWNG_ENOTFOUND : SWNG_EVALIDATION;
            long http = kind == 1 ? 404 : 422;
            if (rc != want || swng_error_code(err) != want || swng_error_http_status(err) != http)
                note(w, "expected an error, got %s: %s", swng_status_name(rc),
                     swng_error_message(err));
            else if (kind == 2 && (swng_error_item_count(err) != 1 ||
                                   !strstr(swng_error_item_detail(err, 0), TH_UNKNOWN_UUID)))
                note(w, "422 items wrong: %s%s", swng_error_message(err), "");
            else if (!swng_error_request_id(err))
                note(w, "error without request id%s%s", "", "");
            else
                w->ok++;
        }
        swng_membership_free(m);
        swng_error_free(err);
    }
    return NULL;
}

static void run(int threads, int calls, int mixed)
{
    swng_client *c = th_client(NULL);
    struct worker w[MAX_THREADS];
    pthread_t t[MAX_THREADS];
    const char *phones[128];
    int i, started = 0, n = th_fixture_phone_count(), total_ok = 0;
    cJSON *root, *reqs, *e;
    double conns[MAX_THREADS * 4];
    int nconns = 0;
    REQUIRE(c);
    REQUIRE(threads > 0 && threads <= MAX_THREADS);
    if (n > 128) n = 128;
    for (i = 0; i < n; i++) phones[i] = th_json_str(th_fixture_phone(i), "id");

    for (i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].client = c;
        w[i].index = i;
        w[i].calls = calls;
        w[i].mixed = mixed;
        w[i].phones = phones;
        w[i].phone_count = n;
    }
    for (i = 0; i < threads; i++) {
        if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0) break;
        started++;
    }
    CHECK_INT_EQ(started, threads);
    for (i = 0; i < started; i++) pthread_join(t[i], NULL);
    for (i = 0; i < started; i++) {
        CHECK_MSG(w[i].failed == 0, "thread %d: %d bad result(s), first: %s", i, w[i].failed,
                  w[i].first_error);
        total_ok += w[i].ok;
    }
    CHECK_INT_EQ(total_ok, threads * calls);
    swng_client_free(c);

    /* The space saw exactly one request per call, over at most one
     * connection per thread (the client pools kept-alive connections). */
    root = th_space_journal(&reqs);
    REQUIRE(root);
    CHECK_INT_EQ(cJSON_GetArraySize(reqs), threads * calls);
    cJSON_ArrayForEach(e, reqs)
    {
        double cid = cJSON_GetObjectItemCaseSensitive(e, "connection_id")->valuedouble;
        int k;
        for (k = 0; k < nconns && conns[k] != cid; k++)
            ;
        if (k == nconns && nconns < (int)(sizeof conns / sizeof conns[0])) conns[nconns++] = cid;
    }
    CHECK_MSG(nconns <= threads, "%d connections for %d threads", nconns, threads);
    cJSON_Delete(root);
    if (!mixed) {
        cJSON *list;
        root = th_space_memberships(&list);
        if (CHECK(root)) CHECK_INT_EQ(cJSON_GetArraySize(list), threads * calls);
        cJSON_Delete(root);
    }
    printf("  %d threads x %d calls, %d connection(s)\n", threads, calls, nconns);
}

static void test_shared_client(void)
{
    run((int)th_env_long("SWNG_TEST_THREADS", 8), (int)th_env_long("SWNG_TEST_THREAD_CALLS", 200),
        0);
}

static void test_shared_client_mixed(void)
{
    long calls = th_env_long("SWNG_TEST_THREAD_CALLS", 200) / 4;
    run((int)th_env_long("SWNG_TEST_THREADS", 8), (int)(calls < 6 ? 6 : calls), 1);
}

/* Many clients, each used by its own thread, created and freed in the
 * threads (libcurl's global init is done once, safely). */
static void *own_client_main(void *arg)
{
    int *ok = arg, i;
    for (i = 0; i < 3; i++) {
        swng_client_options o;
        swng_client *c = NULL;
        swng_membership *m = NULL;
        th_space_options(&o);
        if (swng_client_new(&c, &o, NULL) != SWNG_OK) continue;
        if (swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, NULL) == SWNG_OK &&
            strcmp(swng_membership_phone_number_id(m), TH_PHONE_MAIN) == 0)
            (*ok)++;
        swng_membership_free(m);
        swng_client_free(c);
    }
    return NULL;
}

static void test_client_per_thread(void)
{
    enum { N = 6 };
    pthread_t t[N];
    int ok[N], i, total = 0;
    for (i = 0; i < N; i++) {
        ok[i] = 0;
        CHECK(pthread_create(&t[i], NULL, own_client_main, &ok[i]) == 0);
    }
    for (i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        total += ok[i];
    }
    CHECK_INT_EQ(total, N * 3);
    CHECK_INT_EQ(th_journal_count(), N * 3);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"shared_client", test_shared_client},
        {"shared_client_mixed", test_shared_client_mixed},
        {"client_per_thread", test_client_per_thread},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
