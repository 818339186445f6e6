/* bench_batch_swng.c - bulk add through libswng's batch: swng_batch_run on
 * one client, CONCURRENCY (16) requests in flight, every outcome verified.
 *
 *   bench_batch_swng CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP_ID IDS_FILE
 *
 * IDS_FILE holds distinct phone-number ids, one a line (bench/bulk.py
 * writes it): the first WARMUP make an untimed warm-up batch (it opens the
 * connections), the next CALLS the timed batch. A batch sends a repeated id
 * once, so the ids must be distinct. Prints one JSON line (see common.h).
 *
 * Built with -DSTREAMED, the same through the streamed form instead: one
 * swng_loop, swng_batch_new/push/close, each outcome verified and freed in
 * on_item as it finishes (no stored results), the loop driven by
 * swng_loop_wait. */
#include <swng.h>

#include "common.h"

#ifndef CONCURRENCY
#define CONCURRENCY 16
#endif

static char **read_ids(const char *path, long need)
{
    char line[128], **ids = calloc((size_t)need, sizeof *ids);
    long n = 0;
    FILE *f = fopen(path, "r");
    if (!f || !ids) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    while (n < need && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && !(ids[n++] = strdup(line))) exit(1);
    }
    fclose(f);
    if (n < need) {
        fprintf(stderr, "%s: %ld ids, %ld needed\n", path, n, need);
        exit(2);
    }
    return ids;
}

#ifdef STREAMED
static swng_loop *loop;

struct streamed {
    const struct bench_args *a;
    char **ids;
    long first, done;
};

static void on_item(size_t index, int status, void *result, swng_error *err, void *payload)
{
    struct streamed *st = payload;
    swng_membership *m = result;
    struct bench_args one = *st->a;
    if (status != SWNG_OK || !m) {
        fprintf(stderr, "item %ld: %s (%s)\n", st->first + (long)index, swng_status_name(status),
                swng_error_message(err));
        exit(1);
    }
    one.phone = st->ids[index];
    bench_verify(st->first + (long)index, swng_membership_http_status(m), swng_membership_id(m),
                 swng_membership_number_group_id(m), swng_membership_phone_number_id(m), &one);
    swng_membership_free(m);
    st->done++;
}

static void batch(swng_client *client, const struct bench_args *a, char **ids, long n,
                  long first)
{
    swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
    struct streamed st = {a, ids, first, 0};
    swng_batch *b = NULL;
    swng_error *err = NULL;
    long i;
    opts.concurrency = CONCURRENCY;
    opts.on_item = on_item;
    opts.payload = &st;
    if ((!loop && swng_loop_new(&loop, client, &err) != SWNG_OK) ||
        swng_batch_new(&b, loop, SWNG_OP_MEMBERSHIP_CREATE, a->group, &opts, &err) != SWNG_OK) {
        fprintf(stderr, "swng_batch_new: %s\n", swng_error_message(err));
        exit(1);
    }
    for (i = 0; i < n; i++)
        if (swng_batch_push(b, ids[i], strlen(ids[i]), NULL, &err) != SWNG_OK) {
            fprintf(stderr, "swng_batch_push: %s\n", swng_error_message(err));
            exit(1);
        }
    swng_batch_close(b);
    while (!swng_batch_finished(b))
        if (swng_loop_wait(loop, -1, &err) < 0) {
            fprintf(stderr, "swng_loop_wait: %s\n", swng_error_message(err));
            exit(1);
        }
    if (st.done != n) {
        fprintf(stderr, "%ld outcomes for %ld ids\n", st.done, n);
        exit(1);
    }
    swng_batch_free(b);
}
#else
static void batch(swng_client *client, const struct bench_args *a, char **ids, long n,
                  long first)
{
    swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *res = NULL;
    swng_error *err = NULL;
    struct bench_args one = *a;
    long i;
    opts.concurrency = CONCURRENCY;
    if (swng_batch_run(&res, client, SWNG_OP_MEMBERSHIP_CREATE, a->group,
                       (const char *const *)ids, NULL, (size_t)n, &opts, &err) != SWNG_OK) {
        fprintf(stderr, "swng_batch_run: %s\n", swng_error_message(err));
        exit(1);
    }
    if ((long)swng_batch_result_count(res) != n) {
        fprintf(stderr, "swng_batch_run: %lu outcomes for %ld ids\n",
                (unsigned long)swng_batch_result_count(res), n);
        exit(1);
    }
    for (i = 0; i < n; i++) {
        int status = swng_batch_result_status(res, (size_t)i);
        swng_membership *m = swng_batch_result_take(res, (size_t)i);
        if (status != SWNG_OK || !m) {
            swng_error *e = swng_batch_result_take_error(res, (size_t)i);
            fprintf(stderr, "item %ld: %s (%s)\n", first + i, swng_status_name(status),
                    swng_error_message(e));
            exit(1);
        }
        one.phone = ids[i];
        bench_verify(first + i, swng_membership_http_status(m), swng_membership_id(m),
                     swng_membership_number_group_id(m), swng_membership_phone_number_id(m),
                     &one);
        swng_membership_free(m);
    }
    swng_batch_result_free(res);
}

#endif

int main(int argc, char **argv)
{
    struct bench_args a;
    swng_client *client = NULL;
    swng_error *err = NULL;
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;
    char **ids;
    long i;

    bench_parse_args(argc, argv, &a);
    ids = read_ids(a.phone, a.warmup + a.calls);
    opts.base_url = a.base_url;
    opts.project_id = a.project_id;
    opts.token = a.token;
    if (swng_client_new(&client, &opts, &err) != SWNG_OK) {
        fprintf(stderr, "swng_client_new: %s\n", swng_error_message(err));
        return 1;
    }
    setup_cpu = bench_cpu_us() - cpu_start;
    if (a.warmup) batch(client, &a, ids, a.warmup, -a.warmup);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    batch(client, &a, ids + a.warmup, a.calls, 0);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

#ifdef STREAMED
    swng_loop_free(loop);
#endif
    swng_client_free(client);
    for (i = 0; i < a.warmup + a.calls; i++) free(ids[i]);
    free(ids);
#ifdef STREAMED
    bench_report("c-swng-batch-streamed", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
#endif
    bench_report("c-swng-batch", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
