/* bench_curl.c - the same calls as bench_swng.c written directly against
 * libcurl and cJSON, as a careful user would without swng: one easy handle
 * reused for every call (so one kept-alive connection), Basic auth with
 * CURLOPT_USERNAME/PASSWORD, the JSON body built per call, the response
 * parsed with cJSON and verified. No validation of the ids, no error
 * classification, no request id, no body cap, no retries: that is the
 * difference libswng's overhead pays for. Prints one JSON line (common.h). */
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "common.h"

struct buf {
    char *data;
    size_t len, cap;
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
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

static void call(CURL *h, const struct bench_args *a, long i)
{
    char url[1024], payload[128];
    struct buf body = {NULL, 0, 0};
    long status = 0;
    CURLcode rc;
    cJSON *json;

    snprintf(url, sizeof url, "%s/api/relay/rest/number_groups/%s/number_group_memberships",
             a->base_url, a->group);
    snprintf(payload, sizeof payload, "{\"phone_number_id\":\"%s\"}", a->phone);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "call %ld: %s\n", i, curl_easy_strerror(rc));
        exit(1);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    json = cJSON_Parse(body.data ? body.data : "");
    if (!json) {
        fprintf(stderr, "call %ld: HTTP %ld, body is not JSON\n", i, status);
        exit(1);
    }
    bench_verify(i, status, str(json, "id"), str(json, "number_group_id"),
                 str(cJSON_GetObjectItemCaseSensitive(json, "phone_number"), "id"), a);
    cJSON_Delete(json);
    free(body.data);
}

int main(int argc, char **argv)
{
    struct bench_args a;
    struct curl_slist *headers = NULL;
    CURL *h;
    double cpu_start = bench_cpu_us(), setup_cpu, cpu0, cpu1, wall0, wall1;
    long i;

    bench_parse_args(argc, argv, &a);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!(h = curl_easy_init())) return 1;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, a.project_id);
    curl_easy_setopt(h, CURLOPT_PASSWORD, a.token);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    setup_cpu = bench_cpu_us() - cpu_start;
    for (i = 0; i < a.warmup; i++) call(h, &a, -1 - i);

    cpu0 = bench_cpu_us();
    wall0 = bench_wall_us();
    for (i = 0; i < a.calls; i++) call(h, &a, i);
    wall1 = bench_wall_us();
    cpu1 = bench_cpu_us();

    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    bench_report("c-libcurl", &a, setup_cpu, cpu0, cpu1, wall0, wall1);
    return 0;
}
