/* test_batch.c - batches (issue 13, the core): many numbers added to a group
 * or taken out of it, against the emulated space.
 *
 *  run_add_in_order      swng_batch_run: every outcome at its input
 *                        position, the space holds every membership, no
 *                        more than `concurrency` requests at once (the
 *                        space's peak), progress called once per item
 *  partial_failure       an unknown number, a bad id: their own failures
 *                        with detail; the others succeed
 *  duplicates            the same id twice (case aside) is sent once; the
 *                        second is SWNG_ESKIPPED naming the first (in its
 *                        message and swng_error_duplicate_of)
 *  if_exists_return      a second run with SWNG_IF_EXISTS_RETURN returns
 *                        the existing memberships (existed)
 *  remove                a remove batch empties the group; again: not found
 *  rate_limited_pauses   a 429 with Retry-After 1 pauses the batch and the
 *                        item is sent again: all succeed, >= 1 s
 *  auth_stops            a 401 stops the batch: the rest is SWNG_ESKIPPED
 *                        and nothing is sent after it
 *  loop_streamed         swng_batch_new/push/close/take on a loop driven by
 *                        poll(), 300 ids pushed as room frees up
 *  cancel_handle         a cancel handle triggered mid-batch: SWNG_ECANCELLED,
 *                        the partial outcomes say what was done
 *  bad_batch             bad op, group, options: SWNG_EINVAL, nothing sent
 *  sync                  swng_sync_plan_new/apply: the plan from the group's
 *                        list (adds in input order once, removes, keeps),
 *                        applied; planned again: nothing to do; a bad id
 *                        refuses the plan before anything is sent
 *  e164                  inputs given as E.164 numbers are looked up inside
 *                        the batch (one slot each): found, not found, a bad
 *                        number refused unsent, the number given both ways
 *                        sent once; a remove by E.164
 *  sync_loop             swng_sync_plan_start/apply_start on a loop: the
 *                        plan is refused until its read ends; the removes
 *                        start only after the last add (journal order); a
 *                        membership deleted between plan and apply is no
 *                        failure; a plan freed while reading ends its
 *                        request SWNG_ECANCELLED
 *  trace                 swng_client_set_trace: every attempt of every
 *                        request (blocking, batch) with method, path,
 *                        status, outcome, attempt number, request id; the
 *                        token never appears, even echoed by a server
 */
#include "harness.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The first n fixture phone ids. */
static const char *phone(int i) { return th_json_str(th_fixture_phone(i), "id"); }

struct progress {
    size_t calls, last_done;
    int monotonic;
};

static void on_progress(size_t done, size_t pushed, void *payload)
{
    struct progress *p = payload;
    if (done != p->last_done + 1 || done > pushed) p->monotonic = 0;
    p->last_done = done;
    p->calls++;
}

static int members_in_group(const char *group)
{
    cJSON *ms, *m;
    cJSON *root = th_space_memberships(&ms);
    int n = 0;
    cJSON_ArrayForEach(m, ms)
    {
        const char *g = th_json_str(m, "number_group_id");
        if (g && strcasecmp(g, group) == 0) n++;
    }
    cJSON_Delete(root);
    return n;
}

static void test_run_add_in_order(void)
{
    const char *ids[40];
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    struct progress pr = {0, 0, 1};
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    size_t i;
    int rc;
    REQUIRE(c);
    for (i = 0; i < 40; i++) ids[i] = phone((int)i);
    o.concurrency = 4;
    /* Slow answers, so that the batch's requests overlap even under
     * valgrind: the space's peak then shows the bound. */
    REQUIRE(th_space_fault("{\"mode\":\"delay\",\"seconds\":0.1,\"count\":-1}") == 0);
    o.on_progress = on_progress;
    o.payload = &pr;
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 40, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    REQUIRE(res);
    CHECK_INT_EQ(swng_batch_result_count(res), 40);
    for (i = 0; i < 40; i++) {
        swng_membership *m = swng_batch_result_take(res, i);
        CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_OK);
        /* Position i holds the membership of input i. */
        if (CHECK_NOT_NULL(m)) CHECK(strcasecmp(swng_membership_phone_number_id(m), ids[i]) == 0);
        swng_membership_free(m);
    }
    CHECK_INT_EQ(swng_batch_result_status(res, 40), SWNG_EINVAL);
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 40);
    CHECK_MSG(th_space_peak_in_flight() <= 4, "peak in flight %ld > 4", th_space_peak_in_flight());
    CHECK_MSG(th_space_peak_in_flight() >= 2, "peak in flight %ld: not concurrent",
              th_space_peak_in_flight());
    CHECK_INT_EQ(pr.calls, 40);
    CHECK(pr.monotonic);
    CHECK_INT_EQ(th_journal_count(), 40);
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_partial_failure(void)
{
    const char *ids[] = {TH_PHONE_MAIN, TH_UNKNOWN_UUID, "not-a-uuid", TH_PHONE_ZURICH};
    swng_batch_result *res = NULL;
    swng_error *err = NULL, *e;
    swng_client *c = th_client(NULL);
    int rc;
    REQUIRE(c);
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 4, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    REQUIRE(res);
    CHECK_INT_EQ(swng_batch_result_status(res, 0), SWNG_OK);
    CHECK(swng_batch_result_status(res, 1) == SWNG_EVALIDATION ||
          swng_batch_result_status(res, 1) == SWNG_ENOTFOUND);
    e = swng_batch_result_take_error(res, 1);
    CHECK_MSG(e && swng_error_http_status(e) >= 400, "the unknown number's detail");
    swng_error_free(e);
    CHECK_INT_EQ(swng_batch_result_status(res, 2), SWNG_EINVAL);
    e = swng_batch_result_take_error(res, 2);
    if (CHECK_NOT_NULL(e)) CHECK_STR_CONTAINS(swng_error_message(e), "phone_number_id");
    swng_error_free(e);
    CHECK_INT_EQ(swng_batch_result_status(res, 3), SWNG_OK);
    CHECK_INT_EQ(th_journal_count(), 3); /* the bad id was never sent */
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_duplicates(void)
{
    char upper[64];
    const char *ids[3];
    swng_batch_result *res = NULL;
    swng_error *err = NULL, *e;
    swng_client *c = th_client(NULL);
    size_t i;
    int rc;
    REQUIRE(c);
    snprintf(upper, sizeof upper, "%s", TH_PHONE_ZURICH);
    for (i = 0; upper[i]; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = (char)(upper[i] - 'a' + 'A');
    ids[0] = TH_PHONE_ZURICH;
    ids[1] = TH_PHONE_MAIN;
    ids[2] = upper;
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 3, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    REQUIRE(res);
    CHECK_INT_EQ(swng_batch_result_status(res, 0), SWNG_OK);
    CHECK_INT_EQ(swng_batch_result_status(res, 1), SWNG_OK);
    CHECK_INT_EQ(swng_batch_result_status(res, 2), SWNG_ESKIPPED);
    e = swng_batch_result_take_error(res, 2);
    if (CHECK_NOT_NULL(e)) {
        size_t first = 99;
        CHECK_STR_CONTAINS(swng_error_message(e), "duplicate of input 0");
        CHECK_INT_EQ(swng_error_duplicate_of(e, &first), 1);
        CHECK_INT_EQ(first, 0);
        CHECK_INT_EQ(swng_error_duplicate_of(e, NULL), 1);
    }
    swng_error_free(e);
    CHECK_INT_EQ(swng_error_duplicate_of(NULL, NULL), 0);
    CHECK_INT_EQ(th_journal_count(), 2);
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_if_exists_return(void)
{
    const char *ids[] = {TH_PHONE_MAIN, TH_PHONE_ZURICH};
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    size_t i;
    int rc;
    REQUIRE(c);
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 2, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_batch_result_free(res);
    res = NULL;
    o.if_exists = SWNG_IF_EXISTS_RETURN;
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 2, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    REQUIRE(res);
    for (i = 0; i < 2; i++) {
        swng_membership *m = swng_batch_result_take(res, i);
        CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_OK);
        if (CHECK_NOT_NULL(m)) CHECK_INT_EQ(swng_membership_existed(m), 1);
        swng_membership_free(m);
    }
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 2);
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_remove(void)
{
    const char *ids[12];
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    size_t i;
    int rc;
    REQUIRE(c);
    for (i = 0; i < 12; i++) ids[i] = phone((int)i);
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SUPPORT, ids, NULL, 12, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_batch_result_free(res);
    res = NULL;
    CHECK_INT_EQ(members_in_group(TH_GROUP_SUPPORT), 12);
    rc = swng_batch_run(&res, c, SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, TH_GROUP_SUPPORT, ids, NULL,
                        12, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    for (i = 0; res && i < 12; i++) {
        CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_OK);
        CHECK_NULL(swng_batch_result_take(res, i));
    }
    swng_batch_result_free(res);
    res = NULL;
    CHECK_INT_EQ(members_in_group(TH_GROUP_SUPPORT), 0);
    rc = swng_batch_run(&res, c, SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, TH_GROUP_SUPPORT, ids, NULL,
                        12, NULL, &err);
    CHECK_RC(rc, SWNG_OK, err);
    for (i = 0; res && i < 12; i++) CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_ENOTFOUND);
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_rate_limited_pauses(void)
{
    const char *ids[6];
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    double t0;
    size_t i;
    int rc;
    REQUIRE(c);
    for (i = 0; i < 6; i++) ids[i] = phone((int)i);
    o.concurrency = 2;
    REQUIRE(th_space_fault("{\"mode\":\"status\",\"status\":429,\"retry_after\":\"1\"}") == 0);
    t0 = th_now_ms();
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 6, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    for (i = 0; res && i < 6; i++) {
        CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_OK);
        swng_membership_free(swng_batch_result_take(res, i));
    }
    CHECK_MSG(th_now_ms() - t0 >= 900, "the batch did not wait for Retry-After (%.0f ms)",
              th_now_ms() - t0);
    CHECK_INT_EQ(th_journal_count(), 7); /* the 429'd item was sent again */
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 6);
    swng_batch_result_free(res);
    swng_client_free(c);
}

static void test_auth_stops(void)
{
    const char *ids[8];
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL, *e;
    swng_client *c = th_client(NULL);
    size_t i;
    int rc;
    REQUIRE(c);
    for (i = 0; i < 8; i++) ids[i] = phone((int)i);
    o.concurrency = 1;
    /* One batch succeeds; in the next, the first request is refused. */
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 1, &o, &err);
    CHECK_RC(rc, SWNG_OK, err);
    swng_batch_result_free(res);
    res = NULL;
    REQUIRE(th_space_fault("{\"mode\":\"status\",\"status\":401}") == 0);
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids + 1, NULL, 7, &o,
                        &err);
    CHECK_RC(rc, SWNG_OK, err);
    REQUIRE(res);
    CHECK_INT_EQ(swng_batch_result_status(res, 0), SWNG_EAUTH);
    for (i = 1; i < 7; i++) {
        CHECK_INT_EQ(swng_batch_result_status(res, i), SWNG_ESKIPPED);
        e = swng_batch_result_take_error(res, i);
        if (CHECK_NOT_NULL(e)) {
            CHECK_STR_CONTAINS(swng_error_message(e), "not attempted");
            CHECK_INT_EQ(swng_error_duplicate_of(e, NULL), 0); /* the other kind of skipped */
        }
        swng_error_free(e);
    }
    CHECK_INT_EQ(th_journal_count(), 2); /* one success, one 401, nothing after */
    swng_batch_result_free(res);
    swng_client_free(c);
}

/* ---- a batch on a loop, fed as it goes */

struct streamed {
    size_t outcomes;
    int ok, order_seen[300];
};

static void streamed_item(size_t index, int status, void *result, swng_error *err, void *payload)
{
    struct streamed *s = payload;
    s->outcomes++;
    if (index < 300) s->order_seen[index]++;
    if (status == SWNG_OK) s->ok++;
    swng_membership_free(result);
    swng_error_free(err);
}

static void test_loop_streamed(void)
{
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    struct streamed s;
    swng_loop *loop = NULL;
    swng_batch *b = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    size_t next = 0, max_waiting = 0, i, index;
    int n = th_fixture_phone_count(), dup_ok = 0;
    REQUIRE(c);
    memset(&s, 0, sizeof s);
    REQUIRE_RC(swng_loop_new(&loop, c, &err), SWNG_OK, err);
    o.concurrency = 6;
    o.on_item = streamed_item;
    o.payload = &s;
    REQUIRE_RC(swng_batch_new(&b, loop, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SUPPORT, &o, &err),
               SWNG_OK, err);
    /* 300 inputs: the fixture's numbers, then repeats of them (skipped). */
    while (!swng_batch_finished(b)) {
        struct pollfd p;
        while (next < 300 && swng_batch_waiting(b) < 12) {
            CHECK_RC(swng_batch_push(b, phone((int)(next % (size_t)n)), 36, &index, &err), SWNG_OK,
                     err);
            CHECK_INT_EQ(index, next);
            next++;
            if (next == 300) swng_batch_close(b);
        }
        if (swng_batch_waiting(b) > max_waiting) max_waiting = swng_batch_waiting(b);
        p.fd = swng_loop_fd(loop);
        p.events = POLLIN;
        poll(&p, 1, (int)swng_loop_timeout(loop));
        CHECK(swng_loop_step(loop, &err) >= 0);
    }
    CHECK_INT_EQ(s.outcomes, 300);
    for (i = 0; i < 300; i++) dup_ok += s.order_seen[i] == 1;
    CHECK_INT_EQ(dup_ok, 300);
    CHECK_INT_EQ(s.ok, n);
    CHECK_MSG(max_waiting <= 12, "the producer's queue grew to %lu", (unsigned long)max_waiting);
    CHECK_INT_EQ(members_in_group(TH_GROUP_SUPPORT), n);
    CHECK_MSG(th_space_peak_in_flight() <= 6, "peak %ld", th_space_peak_in_flight());
    CHECK_INT_EQ(swng_batch_push(b, TH_PHONE_MAIN, 36, NULL, &err), SWNG_EINVAL);
    swng_error_free(err);
    err = NULL;
    swng_batch_free(b);
    swng_loop_free(loop);
    swng_client_free(c);
}

/* ---- cancelled from another thread */

static void *trigger_later(void *arg)
{
    th_sleep_ms(400);
    swng_cancel_trigger(arg);
    return NULL;
}

static void test_cancel_handle(void)
{
    const char *ids[20];
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_cancel *k = NULL;
    swng_client *c = th_client(NULL);
    pthread_t t;
    size_t i, ok = 0, cancelled = 0;
    double t0;
    int rc;
    REQUIRE(c);
    for (i = 0; i < 20; i++) ids[i] = phone((int)i);
    REQUIRE_RC(swng_cancel_new(&k, &err), SWNG_OK, err);
    swng_client_set_cancel(c, k);
    o.concurrency = 2;
    /* Every answer takes 0.3 s: about 2 done by the cancel at 0.4 s. */
    REQUIRE(th_space_fault("{\"mode\":\"delay\",\"seconds\":0.3,\"count\":-1}") == 0);
    REQUIRE(pthread_create(&t, NULL, trigger_later, k) == 0);
    t0 = th_now_ms();
    rc = swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 20, &o, &err);
    pthread_join(t, NULL);
    CHECK_RC(rc, SWNG_ECANCELLED, err);
    swng_error_free(err);
    CHECK_MSG(th_now_ms() - t0 < 1500, "cancel took %.0f ms", th_now_ms() - t0);
    REQUIRE(res);
    for (i = 0; i < 20; i++) {
        int st = swng_batch_result_status(res, i);
        ok += st == SWNG_OK;
        cancelled += st == SWNG_ECANCELLED;
    }
    CHECK_INT_EQ(ok + cancelled, 20);
    CHECK_MSG(ok >= 1 && ok <= 4, "%lu done before the cancel", (unsigned long)ok);
    CHECK_MSG(th_journal_count() <= (int)ok + 2, "sent after the cancel");
    swng_batch_result_free(res);
    swng_client_set_cancel(c, NULL);
    swng_cancel_free(k);
    swng_client_free(c);
}

static void test_bad_batch(void)
{
    const char *ids[] = {TH_PHONE_MAIN};
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    REQUIRE(c);
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_NUMBER_GROUP_GET, TH_GROUP_SALES, ids, NULL, 1, NULL,
                            &err),
             SWNG_EINVAL, err);
    swng_error_free(err);
    err = NULL;
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, "sales", ids, NULL, 1, NULL, &err),
             SWNG_EINVAL, err);
    swng_error_free(err);
    err = NULL;
    o.concurrency = SWNG_BATCH_MAX_CONCURRENCY + 1;
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 1, &o,
                            &err),
             SWNG_EINVAL, err);
    swng_error_free(err);
    err = NULL;
    o.concurrency = 0;
    o.version = 99;
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 1, &o,
                            &err),
             SWNG_EINVAL, err);
    swng_error_free(err);
    err = NULL;
    CHECK_NULL(res);
    CHECK_INT_EQ(th_journal_count(), 0);
    swng_client_free(c);
}

/* ---- sync */

/* A sync's starting point: the sales group holds numbers 0-5 (added with a
 * batch); want[0..7) are numbers 3-9. */
static void sync_setup(swng_client *c, const char **want)
{
    const char *start[6];
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    size_t i;
    for (i = 0; i < 6; i++) start[i] = phone((int)i);
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, start, NULL, 6,
                            NULL, &err),
             SWNG_OK, err);
    swng_batch_result_free(res);
    for (i = 0; i < 7; i++) want[i] = phone((int)i + 3);
}

static void test_sync(void)
{
    const char *want[8], *bad[2];
    swng_sync_plan *plan = NULL;
    swng_batch_result *added = NULL, *removed = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    size_t i;
    REQUIRE(c);
    /* The group holds numbers 0-5; the list wants 3-9 (5 twice). */
    sync_setup(c, want);
    want[7] = phone(5);
    REQUIRE_RC(swng_sync_plan_new(&plan, c, TH_GROUP_SALES, want, NULL, 8, &err), SWNG_OK, err);
    CHECK_INT_EQ(swng_sync_plan_keep_count(plan), 3);
    CHECK_INT_EQ(swng_sync_plan_add_count(plan), 4);
    for (i = 0; i < 4; i++) CHECK_STR_EQ(swng_sync_plan_add(plan, i), phone((int)i + 6));
    CHECK_NULL(swng_sync_plan_add(plan, 4));
    CHECK_INT_EQ(swng_sync_plan_remove_count(plan), 3);
    for (i = 0; i < 3; i++) {
        const char *r = swng_sync_plan_remove(plan, i);
        CHECK_MSG(r && (strcasecmp(r, phone(0)) == 0 || strcasecmp(r, phone(1)) == 0 ||
                        strcasecmp(r, phone(2)) == 0),
                  "remove %s", th_q(r));
    }
    CHECK_RC(swng_sync_plan_apply(&added, &removed, c, plan, NULL, &err), SWNG_OK, err);
    CHECK_INT_EQ(swng_batch_result_count(added), 4);
    CHECK_INT_EQ(swng_batch_result_count(removed), 3);
    for (i = 0; i < 4; i++) {
        CHECK_INT_EQ(swng_batch_result_status(added, i), SWNG_OK);
        swng_membership_free(swng_batch_result_take(added, i));
    }
    for (i = 0; i < 3; i++) CHECK_INT_EQ(swng_batch_result_status(removed, i), SWNG_OK);
    swng_batch_result_free(added);
    swng_batch_result_free(removed);
    swng_sync_plan_free(plan);
    plan = NULL;
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 7);
    /* Planned again: nothing to do. */
    REQUIRE_RC(swng_sync_plan_new(&plan, c, TH_GROUP_SALES, want, NULL, 8, &err), SWNG_OK, err);
    CHECK_INT_EQ(swng_sync_plan_add_count(plan), 0);
    CHECK_INT_EQ(swng_sync_plan_remove_count(plan), 0);
    CHECK_INT_EQ(swng_sync_plan_keep_count(plan), 7);
    swng_sync_plan_free(plan);
    plan = NULL;
    /* One bad id: no plan, nothing sent. */
    th_space_clear_journal();
    bad[0] = phone(1);
    bad[1] = "not-a-uuid";
    CHECK_RC(swng_sync_plan_new(&plan, c, TH_GROUP_SALES, bad, NULL, 2, &err), SWNG_EINVAL, err);
    if (err) CHECK_STR_CONTAINS(swng_error_message(err), "ids[1]");
    swng_error_free(err);
    CHECK_NULL(plan);
    CHECK_INT_EQ(th_journal_count(), 0);
    swng_client_free(c);
}

/* ---- E.164 inputs */

static void test_e164(void)
{
    const char *ids[6] = {"+15551230001", TH_PHONE_MAIN, "+19995550000", "+0123", TH_PHONE_ZURICH,
                          "+41445550002"};
    const char *rm[1] = {"+41445550002"};
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL, *e;
    swng_client *c = th_client(NULL);
    swng_membership *m;
    size_t first = 99;
    REQUIRE(c);
    th_space_quiet();
    o.concurrency = 1; /* in input order: which repeat is skipped is fixed */
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_MEMBERSHIP_CREATE, TH_GROUP_SALES, ids, NULL, 6, &o,
                            &err),
             SWNG_OK, err);
    REQUIRE(res);
    CHECK_INT_EQ(swng_batch_result_status(res, 0), SWNG_OK);
    m = swng_batch_result_take(res, 0);
    if (CHECK_NOT_NULL(m)) CHECK_STR_EQ(swng_membership_phone_number_id(m), TH_PHONE_MAIN);
    swng_membership_free(m);
    CHECK_INT_EQ(swng_batch_result_status(res, 1), SWNG_ESKIPPED); /* its id, given again */
    e = swng_batch_result_take_error(res, 1);
    CHECK(swng_error_duplicate_of(e, &first) == 1 && first == 0);
    swng_error_free(e);
    CHECK_INT_EQ(swng_batch_result_status(res, 2), SWNG_ENOTFOUND);
    e = swng_batch_result_take_error(res, 2);
    if (CHECK_NOT_NULL(e)) CHECK_STR_CONTAINS(swng_error_message(e), "+19995550000");
    swng_error_free(e);
    CHECK_INT_EQ(swng_batch_result_status(res, 3), SWNG_EINVAL);
    CHECK_INT_EQ(swng_batch_result_status(res, 4), SWNG_OK);
    CHECK_INT_EQ(swng_batch_result_status(res, 5), SWNG_ESKIPPED); /* Zurich's number */
    e = swng_batch_result_take_error(res, 5);
    CHECK(swng_error_duplicate_of(e, &first) == 1 && first == 4);
    swng_error_free(e);
    swng_batch_result_free(res);
    res = NULL;
    /* Three lookups (the bad number is not sent), two adds, one at a time. */
    CHECK_INT_EQ(th_journal_count(), 5);
    CHECK_MSG(th_space_peak_in_flight() <= 1, "peak %ld", th_space_peak_in_flight());
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 2);
    /* A remove by E.164. */
    CHECK_RC(swng_batch_run(&res, c, SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, TH_GROUP_SALES, rm, NULL,
                            1, NULL, &err),
             SWNG_OK, err);
    if (res) CHECK_INT_EQ(swng_batch_result_status(res, 0), SWNG_OK);
    swng_batch_result_free(res);
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 1);
    swng_client_free(c);
}

/* ---- sync on a loop */

/* One step of loop, after polling its descriptor. */
static void poll_step(swng_loop *loop)
{
    struct pollfd p;
    swng_error *err = NULL;
    p.fd = swng_loop_fd(loop);
    p.events = POLLIN;
    poll(&p, 1, (int)swng_loop_timeout(loop));
    CHECK(swng_loop_step(loop, &err) >= 0);
    swng_error_free(err);
}

/* Steps loop until it hands back a request. */
static swng_request *await_request(swng_loop *loop)
{
    swng_request *r;
    int rounds = 0;
    while ((r = swng_loop_take(loop)) == NULL && rounds++ < 10000) poll_step(loop);
    return r;
}

static void test_sync_loop(void)
{
    const char *want[7];
    swng_batch_options o = SWNG_BATCH_OPTIONS_INIT;
    swng_sync_plan *plan = NULL;
    swng_batch *added = NULL, *removed = NULL;
    swng_request *req = NULL;
    swng_loop *loop = NULL;
    swng_error *err = NULL;
    swng_client *c = th_client(NULL);
    cJSON *root, *reqs, *e;
    size_t i, index;
    int st, n_ok[2] = {0, 0}, last_post = -1, first_delete = -1, k = 0;
    void *obj;
    REQUIRE(c);
    sync_setup(c, want);
    REQUIRE_RC(swng_loop_new(&loop, c, &err), SWNG_OK, err);
    REQUIRE_RC(swng_sync_plan_start(&plan, &req, loop, TH_GROUP_SALES, want, NULL, 7, NULL, NULL,
                                    &err),
               SWNG_OK, err);
    REQUIRE(plan && req);
    /* Not read yet: nothing planned, and applying it is refused. */
    CHECK_INT_EQ(swng_sync_plan_add_count(plan), 0);
    CHECK_RC(swng_sync_plan_apply_start(&added, &removed, loop, plan, NULL, &err), SWNG_EINVAL,
             err);
    if (err) CHECK_STR_CONTAINS(swng_error_message(err), "not ready");
    swng_error_free(err);
    err = NULL;
    CHECK(await_request(loop) == req);
    CHECK_INT_EQ(swng_request_status(req), SWNG_OK);
    CHECK_NULL(swng_request_take_result(req));
    swng_request_free(req);
    CHECK_INT_EQ(swng_sync_plan_keep_count(plan), 3);
    CHECK_INT_EQ(swng_sync_plan_add_count(plan), 4);
    CHECK_INT_EQ(swng_sync_plan_remove_count(plan), 3);
    for (i = 0; i < 3; i++)
        CHECK_MSG(swng_sync_plan_remove_membership(plan, i) &&
                      strlen(swng_sync_plan_remove_membership(plan, i)) == 36,
                  "remove %lu: membership %s", (unsigned long)i,
                  th_q(swng_sync_plan_remove_membership(plan, i)));
    CHECK_NULL(swng_sync_plan_remove_membership(plan, 3));
    /* Someone removes one of them meanwhile. */
    CHECK_RC(swng_membership_delete(c, swng_sync_plan_remove_membership(plan, 1), &err), SWNG_OK,
             err);
    th_space_clear_journal();
    o.concurrency = 3;
    REQUIRE_RC(swng_sync_plan_apply_start(&added, &removed, loop, plan, &o, &err), SWNG_OK, err);
    swng_sync_plan_free(plan); /* the batches have their own copies */
    plan = NULL;
    while (!swng_batch_finished(added) || !swng_batch_finished(removed)) {
        poll_step(loop);
        for (k = 0; k < 2; k++)
            while (swng_batch_take(k ? removed : added, &index, &st, &obj, &err)) {
                CHECK_MSG(st == SWNG_OK, "%s %lu: %s", k ? "remove" : "add", (unsigned long)index,
                          err ? swng_error_message(err) : swng_status_name(st));
                n_ok[k] += st == SWNG_OK;
                if (!k) swng_membership_free(obj);
                swng_error_free(err);
                err = NULL;
            }
    }
    CHECK_INT_EQ(n_ok[0], 4);
    CHECK_INT_EQ(n_ok[1], 3);
    CHECK_INT_EQ(members_in_group(TH_GROUP_SALES), 7);
    /* Every POST before the first DELETE. */
    root = th_space_journal(&reqs);
    k = 0;
    cJSON_ArrayForEach(e, reqs)
    {
        const char *m = th_json_str(e, "method");
        if (m && strcmp(m, "POST") == 0) last_post = k;
        if (m && strcmp(m, "DELETE") == 0 && first_delete < 0) first_delete = k;
        k++;
    }
    cJSON_Delete(root);
    CHECK_MSG(last_post >= 0 && first_delete > last_post, "last POST %d, first DELETE %d",
              last_post, first_delete);
    swng_batch_free(removed);
    swng_batch_free(added);
    /* A plan freed while it reads: its request ends cancelled. */
    REQUIRE_RC(swng_sync_plan_start(&plan, &req, loop, TH_GROUP_SALES, want, NULL, 7, NULL, NULL,
                                    &err),
               SWNG_OK, err);
    swng_sync_plan_free(plan);
    CHECK(await_request(loop) == req);
    CHECK_INT_EQ(swng_request_status(req), SWNG_ECANCELLED);
    swng_request_free(req);
    swng_loop_free(loop);
    swng_client_free(c);
}

/* ---- the trace */

struct traced {
    int n;
    char method[8][8], path[8][160], rid[8][200];
    long http[8];
    int status[8];
    unsigned attempt[8];
    double seconds[8];
};

static void on_trace(const char *method, const char *path, long http_status, int status,
                     double seconds, unsigned int attempt, const char *request_id, void *payload)
{
    struct traced *t = payload;
    int i = t->n++;
    if (i >= 8) return;
    snprintf(t->method[i], sizeof t->method[i], "%s", method);
    snprintf(t->path[i], sizeof t->path[i], "%s", path);
    snprintf(t->rid[i], sizeof t->rid[i], "%s", request_id ? request_id : "(null)");
    t->http[i] = http_status;
    t->status[i] = status;
    t->attempt[i] = attempt;
    t->seconds[i] = seconds;
}

static void test_trace(void)
{
    swng_client_options o;
    struct traced t;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    swng_client *c;
    char fault[512];
    int i;
    th_space_options(&o);
    o.max_retries = 1;
    o.retry_base_ms = 1;
    REQUIRE((c = th_client(&o)) != NULL);
    memset(&t, 0, sizeof t);
    swng_client_set_trace(c, on_trace, &t);
    /* A 503 echoing the token in its request id, then the retry's 200. */
    snprintf(fault, sizeof fault,
             "{\"mode\":\"status\",\"status\":503,\"headers\":{\"X-Request-Id\":\"echo-%s\"}}",
             th_token());
    REQUIRE(th_space_fault(fault) == 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    CHECK_RC(swng_number_group_get(NULL, c, TH_UNKNOWN_UUID, &err), SWNG_EINVAL, err);
    swng_error_free(err);
    err = NULL;
    {
        swng_number_group *g = NULL;
        CHECK_RC(swng_number_group_get(&g, c, TH_UNKNOWN_UUID, &err), SWNG_ENOTFOUND, err);
        swng_error_free(err);
        err = NULL;
    }
    REQUIRE(t.n == 3);
    CHECK_STR_EQ(t.method[0], "POST");
    CHECK_STR_EQ(t.path[0], "/api/relay/rest/number_groups/" TH_GROUP_SALES "/number_group_memberships");
    CHECK_INT_EQ(t.http[0], 503);
    CHECK_INT_EQ(t.status[0], SWNG_ESERVER);
    CHECK_INT_EQ(t.attempt[0], 0);
    CHECK_STR_CONTAINS(t.rid[0], "echo-");
    CHECK_INT_EQ(t.http[1], 200);
    CHECK_INT_EQ(t.status[1], SWNG_OK);
    CHECK_INT_EQ(t.attempt[1], 1);
    CHECK_MSG(strlen(t.rid[1]) == 36, "request id %s", th_q(t.rid[1]));
    CHECK_STR_EQ(t.method[2], "GET");
    CHECK_INT_EQ(t.http[2], 404);
    CHECK_INT_EQ(t.status[2], SWNG_ENOTFOUND);
    for (i = 0; i < 3; i++) {
        CHECK_MSG(t.seconds[i] >= 0 && t.seconds[i] < 30, "seconds %f", t.seconds[i]);
        CHECK_STR_NOT_CONTAINS(t.rid[i], th_token());
        CHECK_STR_NOT_CONTAINS(t.path[i], th_token());
    }
    swng_client_free(c);
}

static void reset(void) { th_space_reset(); }

#define T(name)                                                                          \
    static void run_##name(void)                                                         \
    {                                                                                    \
        reset();                                                                         \
        test_##name();                                                                   \
    }
T(run_add_in_order)
T(partial_failure)
T(duplicates)
T(if_exists_return)
T(remove)
T(rate_limited_pauses)
T(auth_stops)
T(loop_streamed)
T(cancel_handle)
T(bad_batch)
T(trace)
T(sync)
T(sync_loop)
T(e164)

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"run_add_in_order", run_run_add_in_order},
        {"partial_failure", run_partial_failure},
        {"duplicates", run_duplicates},
        {"if_exists_return", run_if_exists_return},
        {"remove", run_remove},
        {"rate_limited_pauses", run_rate_limited_pauses},
        {"auth_stops", run_auth_stops},
        {"loop_streamed", run_loop_streamed},
        {"cancel_handle", run_cancel_handle},
        {"bad_batch", run_bad_batch},
        {"trace", run_trace},
        {"sync", run_sync},
        {"sync_loop", run_sync_loop},
        {"e164", run_e164},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
