/* bench_loop_swng.c - CALLS "Create a Number Group Membership" requests
 * through libswng's non-blocking API: one swng_loop, INFLIGHT (16)
 * requests in flight at all times (each callback verifies its result and
 * starts the next), driven by a plain poll() on swng_loop_fd with
 * swng_loop_timeout. WARMUP requests first, the same way, not timed (they
 * also open the connections). Prints one JSON line (see common.h). */
#include <poll.h>
#include <swng.h>

#include "common.h"

#define INFLIGHT 16

struct ctx {
    swng_loop *loop;
    const struct bench_args *a;
    long started, done, total;
};

static void start_one(struct ctx *x);

static void on_done(swng_request *req, int status, void *result, swng_error *err, void *payload)
{
    struct ctx *x = payload;
    swng_membership *m = result;
    (void)req;
    if (status != SWNG_OK) {
        fprintf(stderr, "call %ld: %s (%s, HTTP %ld)\n", x->done, swng_error_message(err),
                swng_error_code_name(err), swng_error_http_status(err));
        exit(1);
    }
    bench_verify(x->done, swng_membership_http_status(m), swng_membership_id(m),
                 swng_membership_number_group_id(m), swng_membership_phone_number_id(m), x->a);
    swng_membership_free(m);
    x->done++;
    if (x->started < x->total) start_one(x);
}

static void start_one(struct ctx *x)
{
    const char *args[2];
    swng_error *err = NULL;
    args[0] = x->a->group;
    args[1] = x->a->phone;
    if (swng_request_start(NULL, x->loop, SWNG_OP_MEMBERSHIP_CREATE, args, NULL, 2, on_done, x,
                           &err) != SWNG_OK) {
        fprintf(stderr, "swng_request_start: %s\n", swng_error_message(err));
        exit(1);
    }
    x->started++;
}

static void run_batch(struct ctx *x, long n)
{
    swng_error *err = NULL;
    x->started = x->done = 0;
    x->total = n;
    while (x->started < n && x->started < INFLIGHT) start_one(x);
    while (x->done < n) {
        struct pollfd p;
        p.fd = swng_loop_fd(x->loop);
        p.events = POLLIN;
        p.revents = 0;
        poll(&p, 1, (int)swng_loop_timeout(x->loop));
        if (swng_loop_step(x->loop, &err) < 0) {
            fprintf(stderr, "swng_loop_step: %s\n", swng_error_message(err));
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    struct bench_args a;
    struct ctx x;
    swng_client *client = NULL;
    swng_error *err = NULL;
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;

    bench_parse_args(argc, argv, &a);
    opts.base_url = a.base_url;
    opts.project_id = a.project_id;
    opts.token = a.token;
    if (swng_client_new(&client, &opts, &err) != SWNG_OK ||
        swng_loop_new(&x.loop, client, &err) != SWNG_OK) {
        fprintf(stderr, "setup: %s\n", swng_error_message(err));
        return 1;
    }
    x.a = &a;
    setup_cpu = bench_cpu_us() - cpu_start;
    run_batch(&x, a.warmup);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    run_batch(&x, a.calls);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

    swng_loop_free(x.loop);
    swng_client_free(client);
    bench_report("c-swng-loop", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
