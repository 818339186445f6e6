/* bench_swng.c - CALLS sequential "Create a Number Group Membership" calls
 * through libswng on one client (one kept-alive connection), each result
 * verified. Prints one JSON line (see common.h). */
#include <swng.h>

#include "common.h"

static void call(swng_client *client, const struct bench_args *a, long i)
{
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int rc = swng_membership_create(&m, client, a->group, a->phone, &err);
    if (rc != SWNG_OK) {
        fprintf(stderr, "call %ld: %s (%s, HTTP %ld)\n", i, swng_error_message(err),
                swng_error_code_name(err), swng_error_http_status(err));
        exit(1);
    }
    bench_verify(i, swng_membership_http_status(m), swng_membership_id(m),
                 swng_membership_number_group_id(m), swng_membership_phone_number_id(m), a);
    swng_membership_free(m);
}

int main(int argc, char **argv)
{
    struct bench_args a;
    swng_client *client = NULL;
    swng_error *err = NULL;
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;
    long i;

    bench_parse_args(argc, argv, &a);
    opts.base_url = a.base_url;
    opts.project_id = a.project_id;
    opts.token = a.token;
    if (swng_client_new(&client, &opts, &err) != SWNG_OK) {
        fprintf(stderr, "swng_client_new: %s\n", swng_error_message(err));
        return 1;
    }
    setup_cpu = bench_cpu_us() - cpu_start;
    for (i = 0; i < a.warmup; i++) call(client, &a, -1 - i);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    for (i = 0; i < a.calls; i++) call(client, &a, i);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

    swng_client_free(client);
    bench_report("c-swng", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
