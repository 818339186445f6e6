/* bench_loop_curl.c - the same requests as bench_loop_swng.c written
 * directly on libcurl's multi interface and cJSON, as a careful user
 * would: INFLIGHT (16) easy handles, each reused for its next request as
 * soon as its answer is verified, curl_multi_perform + curl_multi_poll;
 * per request the URL and body are built, the answer parsed with cJSON and
 * verified. Same options as bench_curl.c. Prints one JSON line.
 *
 * Built with -DIDS_FILE (bench/bulk.py), the PHONE_ID argument names a file
 * of distinct phone-number ids, one a line: request k of a run sends the
 * next id of the file (the warm-up takes the first WARMUP), so that every
 * request adds a new number, as a bulk add does. Without it every request
 * sends PHONE_ID (the space runs with --allow-duplicates). */
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "common.h"

/* 16 for bench/run.py; bench/inflight.py builds it with -DINFLIGHT=N. */
#ifndef INFLIGHT
#define INFLIGHT 16
#endif

struct xfer {
    CURL *h;
    char *data;
    size_t len, cap;
    char url[1024], payload[128];
    const char *phone; /* the id this transfer sent */
};

#ifdef IDS_FILE
static char **ids;
static long next_id;

static void read_ids(const char *path, long need)
{
    char line[128];
    long n = 0;
    FILE *f = fopen(path, "r");
    if (!f || !(ids = calloc((size_t)need + 1, sizeof *ids))) {
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
}
#endif

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *p;
        while (cap < b->len + n + 1) cap *= 2;
        if (!(p = realloc(b->data, cap))) return 0;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void start(CURLM *m, struct xfer *x, const struct bench_args *a)
{
    snprintf(x->url, sizeof x->url, "%s/api/relay/rest/number_groups/%s/number_group_memberships",
             a->base_url, a->group);
#ifdef IDS_FILE
    x->phone = ids[next_id++];
#else
    x->phone = a->phone;
#endif
    snprintf(x->payload, sizeof x->payload, "{\"phone_number_id\":\"%s\"}", x->phone);
    x->len = 0;
    curl_easy_setopt(x->h, CURLOPT_URL, x->url);
    curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->payload);
    if (curl_multi_add_handle(m, x->h) != CURLM_OK) {
        fprintf(stderr, "curl_multi_add_handle failed\n");
        exit(1);
    }
}

static void run_batch(CURLM *m, struct xfer *xs, const struct bench_args *a, long n)
{
    long started = 0, done = 0;
    int i, running, left;
    CURLMsg *msg;
    for (i = 0; i < INFLIGHT && started < n; i++, started++) start(m, &xs[i], a);
    while (done < n) {
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct xfer *x = NULL;
            long status = 0;
            cJSON *json;
            struct bench_args sent;
            if (msg->msg != CURLMSG_DONE) continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            if (msg->data.result != CURLE_OK) {
                fprintf(stderr, "call %ld: %s\n", done, curl_easy_strerror(msg->data.result));
                exit(1);
            }
            curl_multi_remove_handle(m, x->h);
            curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
            json = cJSON_Parse(x->data ? x->data : "");
            if (!json) {
                fprintf(stderr, "call %ld: HTTP %ld, body is not JSON\n", done, status);
                exit(1);
            }
            sent = *a;
            sent.phone = x->phone;
            bench_verify(done, status, str(json, "id"), str(json, "number_group_id"),
                         str(cJSON_GetObjectItemCaseSensitive(json, "phone_number"), "id"),
                         &sent);
            cJSON_Delete(json);
            done++;
            if (started < n) {
                start(m, x, a);
                started++;
            }
        }
        if (done < n) curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
}

int main(int argc, char **argv)
{
    struct bench_args a;
    struct curl_slist *headers = NULL;
    struct xfer xs[INFLIGHT];
    CURLM *m;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;
    int i;

    bench_parse_args(argc, argv, &a);
#ifdef IDS_FILE
    read_ids(a.phone, a.warmup + a.calls);
#endif
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!(m = curl_multi_init())) return 1;
    /* Keep every connection: libcurl's default cache (4 per handle in the
     * multi) closes some when several transfers end at once. */
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)INFLIGHT);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    memset(xs, 0, sizeof xs);
    for (i = 0; i < INFLIGHT; i++) {
        CURL *h = xs[i].h = curl_easy_init();
        if (!h) return 1;
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, a.project_id);
        curl_easy_setopt(h, CURLOPT_PASSWORD, a.token);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &xs[i]);
        curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)&xs[i]);
    }
    setup_cpu = bench_cpu_us() - cpu_start;
    run_batch(m, xs, &a, a.warmup);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    run_batch(m, xs, &a, a.calls);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

    for (i = 0; i < INFLIGHT; i++) {
        curl_easy_cleanup(xs[i].h);
        free(xs[i].data);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    bench_report("c-libcurl-multi", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
