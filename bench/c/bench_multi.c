/* bench_multi.c - bench_curl.c's calls with CONCURRENCY of them in flight
 * at once, on libcurl's multi interface (curl_multi_poll), as a careful C
 * user would write it without swng: CONCURRENCY easy handles, each
 * re-added for the next call as soon as its last one is verified (so
 * CONCURRENCY kept-alive connections), Basic auth, the JSON body per call,
 * the response parsed with cJSON and verified. The reference for the
 * concurrent Python clients (bench/inflight.py). Prints one JSON line
 * (common.h).
 *
 *   bench_multi CONCURRENCY CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP_ID PHONE_ID
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "common.h"

#define MAX_CONC 256

struct slot {
    CURL *h;
    char *data;
    size_t len, cap;
    long i; /* the call it carries */
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct slot *b = userdata;
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

static char url[1024], payload[128];

static void start(CURLM *m, struct slot *s, long i)
{
    s->len = 0;
    s->i = i;
    curl_easy_setopt(s->h, CURLOPT_URL, url);
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, payload);
    curl_multi_add_handle(m, s->h);
}

static void finish(struct slot *s, CURLcode rc, const struct bench_args *a)
{
    long status = 0;
    cJSON *json;
    if (rc != CURLE_OK) {
        fprintf(stderr, "call %ld: %s\n", s->i, curl_easy_strerror(rc));
        exit(1);
    }
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    json = cJSON_Parse(s->data ? s->data : "");
    if (!json) {
        fprintf(stderr, "call %ld: HTTP %ld, body is not JSON\n", s->i, status);
        exit(1);
    }
    bench_verify(s->i, status, str(json, "id"), str(json, "number_group_id"),
                 str(cJSON_GetObjectItemCaseSensitive(json, "phone_number"), "id"), a);
    cJSON_Delete(json);
}

/* total calls with conc in flight; call numbers from first. */
static void run(CURLM *m, struct slot *slots, long conc, long total, long first,
                const struct bench_args *a)
{
    long started = 0, done = 0, k;
    int running = 0, left;
    CURLMsg *msg;
    for (k = 0; k < conc && started < total; k++) start(m, &slots[k], first + started++);
    while (done < total) {
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct slot *s = NULL;
            if (msg->msg != CURLMSG_DONE) continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_multi_remove_handle(m, s->h);
            finish(s, msg->data.result, a);
            done++;
            if (started < total) start(m, s, first + started++);
        }
        if (done < total) curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
}

int main(int argc, char **argv)
{
    struct bench_args a;
    struct curl_slist *headers = NULL;
    struct slot slots[MAX_CONC];
    CURLM *m;
    long conc, k;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;

    if (argc != 9) {
        fprintf(stderr, "usage: %s CONCURRENCY CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP_ID "
                        "PHONE_ID\n", argv[0]);
        return 2;
    }
    conc = atol(argv[1]);
    if (conc < 1 || conc > MAX_CONC) return 2;
    bench_parse_args(argc - 1, argv + 1, &a);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(url, sizeof url, "%s/api/relay/rest/number_groups/%s/number_group_memberships",
             a.base_url, a.group);
    snprintf(payload, sizeof payload, "{\"phone_number_id\":\"%s\"}", a.phone);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    m = curl_multi_init();
    memset(slots, 0, sizeof slots);
    for (k = 0; k < conc; k++) {
        CURL *h = slots[k].h = curl_easy_init();
        if (!h) return 1;
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, a.project_id);
        curl_easy_setopt(h, CURLOPT_PASSWORD, a.token);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &slots[k]);
        curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)&slots[k]);
    }
    setup_cpu = bench_cpu_us() - cpu_start;
    /* Warm-up: every handle's connection is made (CONCURRENCY at once). */
    if (a.warmup > 0) run(m, slots, conc, a.warmup < conc ? conc : a.warmup, -1000000, &a);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    run(m, slots, conc, a.calls, 0, &a);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

    for (k = 0; k < conc; k++) {
        curl_easy_cleanup(slots[k].h);
        free(slots[k].data);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    if (a.warmup > 0 && a.warmup < conc) a.warmup = conc;
    bench_report("c-libcurl-multi", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
