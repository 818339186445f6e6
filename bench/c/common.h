/* common.h - timing, verification and the result line shared by the two C
 * benchmark clients (bench_swng.c, bench_curl.c). Not part of libswng. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

/* Arguments: CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP_ID PHONE_ID */
struct bench_args {
    long calls, warmup;
    const char *base_url, *project_id, *token, *group, *phone;
};

static void bench_parse_args(int argc, char **argv, struct bench_args *a)
{
    if (argc != 8) {
        fprintf(stderr, "usage: %s CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP_ID PHONE_ID\n",
                argv[0]);
        exit(2);
    }
    a->calls = atol(argv[1]);
    a->warmup = atol(argv[2]);
    a->base_url = argv[3];
    a->project_id = argv[4];
    a->token = argv[5];
    a->group = argv[6];
    a->phone = argv[7];
}

/* CPU time (user + system) of this process, in microseconds. */
static double bench_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double bench_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A "Name:   N kB" field of /proc/self/status, or -1. */
static long bench_status_kb(const char *name)
{
    char line[256];
    size_t n = strlen(name);
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            kb = atol(line + n + 1);
            break;
        }
    fclose(f);
    return kb;
}

/* Peak RSS of this process in KiB: VmHWM. Not ru_maxrss, which on Linux
 * starts at the RSS of the process this one was forked from (the Python
 * harness) and so would hide a smaller program. */
static long bench_maxrss_kb(void)
{
    long kb = bench_status_kb("VmHWM");
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

/* A UUID as the contract has it: 8-4-4-4-12 hex digits. */
static int bench_is_uuid(const char *s)
{
    int i;
    if (!s || strlen(s) != 36) return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!strchr("0123456789abcdefABCDEF", s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Checks one result: HTTP 200, a membership id, and the group and phone
 * number ids echoed back. Exits non-zero on any mismatch, so a broken client
 * cannot produce a number. */
static void bench_verify(long call, long status, const char *id, const char *group,
                         const char *phone, const struct bench_args *a)
{
    if (status != 200 || !bench_is_uuid(id) || !group || strcasecmp(group, a->group) != 0 ||
        !phone || strcasecmp(phone, a->phone) != 0) {
        fprintf(stderr, "call %ld: wrong result: HTTP %ld id=%s group=%s phone=%s\n", call,
                status, id ? id : "(null)", group ? group : "(null)", phone ? phone : "(null)");
        exit(1);
    }
}

/* The one line run.py reads. */
/* setup: CPU from the start of main to a ready client (library and client
 * initialisation, before any call); cpu and wall: the timed calls; anon:
 * anonymous (heap, not file-backed) resident memory once the calls are done,
 * while the client still exists. */
static void bench_report(const char *client, const struct bench_args *a, double setup_cpu,
                         double cpu0, double cpu1, double wall0, double wall1)
{
    printf("{\"client\": \"%s\", \"calls\": %ld, \"warmup\": %ld, \"setup_cpu_us\": %.0f, "
           "\"cpu_us\": %.0f, \"wall_us\": %.0f, \"maxrss_kb\": %ld, \"anon_kb\": %ld}\n",
           client, a->calls, a->warmup, setup_cpu, cpu1 - cpu0, wall1 - wall0,
           bench_maxrss_kb(), bench_status_kb("RssAnon"));
    fflush(stdout);
}

#endif
