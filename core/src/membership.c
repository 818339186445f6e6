/* membership.c - the operation: POST .../number_group_memberships. */
#include "client.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A response body being received, refused past `limit`. */
struct body {
    char *data;
    size_t len;
    size_t cap;
    int overflow;
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct body *b = userdata;
    size_t n = size * nmemb;
    if (n > SWNG_MAX_BODY - b->len) {
        b->overflow = 1;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *p;
        while (cap < b->len + n + 1) cap *= 2;
        p = realloc(b->data, cap);
        if (!p) return 0;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* What one attempt produced. */
struct attempt {
    CURLcode curl_rc;
    long http_status;
    int sent;            /* 0: failed before the request went out */
    long retry_after;    /* seconds, -1 if none */
    char *request_id;
    struct body body;
    char errbuf[CURL_ERROR_SIZE];
};

static void attempt_reset(struct attempt *a)
{
    free(a->request_id);
    free(a->body.data);
    memset(a, 0, sizeof *a);
    a->retry_after = -1;
}

static void perform(CURL *h, const char *url, const char *payload, struct attempt *a)
{
    struct curl_header *hdr;
    curl_off_t ra = -1;

    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->errbuf);
    a->errbuf[0] = '\0';
    a->curl_rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->http_status);

    /* Nothing was sent if the connection could not even be made. */
    a->sent = !(a->curl_rc == CURLE_COULDNT_CONNECT || a->curl_rc == CURLE_COULDNT_RESOLVE_HOST ||
                a->curl_rc == CURLE_COULDNT_RESOLVE_PROXY);
    if (a->http_status == 0) return;
    if (curl_easy_header(h, "X-Request-Id", 0, CURLH_HEADER, -1, &hdr) == CURLHE_OK && hdr->value)
        a->request_id = swng__strdup(hdr->value);
    /* libcurl parses both forms of Retry-After (seconds and HTTP-date). */
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &hdr) == CURLHE_OK &&
        curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK)
        a->retry_after = ra < 0 ? 0 : (long)ra;
}

static int status_code_for_http(long status)
{
    if (status == 401 || status == 403) return SWNG_EAUTH;
    if (status == 404) return SWNG_ENOTFOUND;
    if (status == 422) return SWNG_EVALIDATION;
    if (status == 429) return SWNG_ERATELIMIT;
    if (status >= 500 && status <= 599) return SWNG_ESERVER;
    return SWNG_EPROTOCOL;
}

static int status_code_for_curl(CURLcode rc, const struct attempt *a)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return SWNG_ETIMEOUT;
    case CURLE_OUT_OF_MEMORY: return SWNG_ENOMEM;
    case CURLE_FILESIZE_EXCEEDED: return SWNG_EPROTOCOL;
    case CURLE_WRITE_ERROR: return a->body.overflow ? SWNG_EPROTOCOL : SWNG_ENOMEM;
    default: return SWNG_ETRANSPORT;
    }
}

/* A server that echoes the token must not get it into our errors: not in
 * the message, the body, the request id or any 422 item. */
static void redact_error(swng_error *e, const char *token)
{
    size_t i;
    swng__redact(e->message, token);
    swng__redact(e->body, token);
    swng__redact(e->request_id, token);
    for (i = 0; i < e->item_count; i++) {
        swng__redact(e->items[i].detail, token);
        swng__redact(e->items[i].status, token);
        swng__redact(e->items[i].title, token);
        swng__redact(e->items[i].code, token);
    }
}

/* Gives e what the response said: status, request id, Retry-After and the
 * body (capped), with the token masked everywhere. Takes a->request_id. */
static void attach_response(swng_error *e, struct attempt *a, const char *token)
{
    e->http_status = a->http_status;
    e->retry_after = a->retry_after;
    e->request_id = a->request_id;
    a->request_id = NULL;
    if (a->body.len)
        e->body = swng__strndup(a->body.data,
                                a->body.len < SWNG_MAX_ERROR_BODY ? a->body.len : SWNG_MAX_ERROR_BODY);
    redact_error(e, token);
}

/* Turns a failed attempt into an error object with all the detail. */
static int fail_from_attempt(swng_client *c, struct attempt *a, swng_error **err)
{
    swng_error *e;
    int code;
    if (a->curl_rc != CURLE_OK) {
        code = status_code_for_curl(a->curl_rc, a);
        if (code == SWNG_EPROTOCOL)
            e = swng__error_new(code, "response body exceeds the %lu-byte limit",
                                (unsigned long)SWNG_MAX_BODY);
        else
            e = swng__error_new(code, "%s: %s%s%s", swng_strerror(code),
                                curl_easy_strerror(a->curl_rc), a->errbuf[0] ? ": " : "", a->errbuf);
    } else {
        char *server_msg = NULL;
        code = status_code_for_http(a->http_status);
        e = swng__error_new(code, "x");
        if (e && a->body.len) server_msg = swng__parse_error_body(e, a->body.data, a->body.len);
        if (e) {
            char buf[640];
            if (a->http_status >= 300 && a->http_status < 400)
                snprintf(buf, sizeof buf, "unexpected HTTP %ld (redirects are not followed)",
                         a->http_status);
            else if (code == SWNG_EPROTOCOL)
                snprintf(buf, sizeof buf, "unexpected HTTP %ld%s%s", a->http_status,
                         server_msg ? ": " : "", server_msg ? server_msg : "");
            else
                snprintf(buf, sizeof buf, "%s (HTTP %ld)%s%s", swng_strerror(code), a->http_status,
                         server_msg ? ": " : "", server_msg ? server_msg : "");
            free(e->message);
            e->message = swng__strdup(buf);
            if (!e->message) {
                swng_error_free(e);
                e = NULL;
            }
        }
        free(server_msg);
    }
    if (!e) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    attach_response(e, a, c->token);
    if (err)
        *err = e;
    else
        swng_error_free(e);
    return code;
}

static int retryable(const struct attempt *a)
{
    if (a->curl_rc != CURLE_OK) return !a->sent;
    return a->http_status == 429 || a->http_status == 503;
}

/* Exponential backoff with jitter, never shorter than Retry-After, capped. */
static long backoff_ms(const swng_client *c, unsigned int attempt_no, long retry_after,
                       unsigned int *seed)
{
    long d = c->retry_base_ms;
    unsigned int i;
    for (i = 0; i < attempt_no && d < c->retry_max_ms; i++)
        d = d > c->retry_max_ms / 2 ? c->retry_max_ms : d * 2;
    if (d > c->retry_max_ms) d = c->retry_max_ms;
    /* Jitter: a delay in [d/2, d] so that clients spread out. */
    d = d / 2 + (long)(rand_r(seed) % (unsigned int)(d / 2 + 1));
    /* Retry-After is a server's number: compare before multiplying, so that a
     * huge value cannot overflow (it is capped at retry_max_ms anyway). */
    if (retry_after > c->retry_max_ms / 1000)
        d = c->retry_max_ms;
    else if (retry_after >= 0 && retry_after * 1000 > d)
        d = retry_after * 1000;
    return d > c->retry_max_ms ? c->retry_max_ms : d;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static char *make_payload(const char *phone_number_id, size_t len)
{
    char id[37];
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    memcpy(id, phone_number_id, len);
    id[len] = '\0';
    if (o && cJSON_AddStringToObject(o, "phone_number_id", id)) s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int swng_membership_create_n(swng_membership **out, swng_client *client,
                             const char *number_group_id, size_t number_group_id_len,
                             const char *phone_number_id, size_t phone_number_id_len,
                             swng_error **err)
{
    struct attempt a;
    char *url = NULL, *payload = NULL;
    unsigned int attempt_no, seed;
    CURL *h;
    int rc;

    if (err) *err = NULL;
    if (!out) return swng__fail(err, SWNG_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!client) return swng__fail(err, SWNG_EINVAL, "client must not be NULL");
    if ((rc = swng__check_uuid("number_group_id", number_group_id, number_group_id_len, err)) ||
        (rc = swng__check_uuid("phone_number_id", phone_number_id, phone_number_id_len, err)))
        return rc;

    url = malloc(strlen(client->url_prefix) + 36 + sizeof "/number_group_memberships");
    payload = make_payload(phone_number_id, phone_number_id_len);
    if (!url || !payload) {
        free(url);
        cJSON_free(payload);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    sprintf(url, "%s%.36s/number_group_memberships", client->url_prefix, number_group_id);

    h = swng__client_acquire(client);
    if (!h) {
        free(url);
        cJSON_free(payload);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    seed = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)&a;
    memset(&a, 0, sizeof a);
    for (attempt_no = 0;; attempt_no++) {
        attempt_reset(&a);
        perform(h, url, payload, &a);
        if (a.curl_rc != CURLE_OK || a.http_status < 200 || a.http_status > 299) {
            if (attempt_no < client->max_retries && retryable(&a)) {
                sleep_ms(backoff_ms(client, attempt_no, a.retry_after, &seed));
                continue;
            }
            rc = fail_from_attempt(client, &a, err);
            break;
        }
        rc = swng__parse_membership(out, a.body.data ? a.body.data : "", a.body.len, err);
        if (rc == SWNG_OK) {
            (*out)->http_status = a.http_status;
            (*out)->request_id = a.request_id;
            a.request_id = NULL;
        } else if (err && *err) {
            attach_response(*err, &a, client->token);
        }
        break;
    }
    attempt_reset(&a);
    swng__client_release(client, h);
    free(url);
    cJSON_free(payload);
    return rc;
}

int swng_membership_create(swng_membership **out, swng_client *client, const char *number_group_id,
                           const char *phone_number_id, swng_error **err)
{
    return swng_membership_create_n(out, client, number_group_id,
                                    number_group_id ? strlen(number_group_id) : 0, phone_number_id,
                                    phone_number_id ? strlen(phone_number_id) : 0, err);
}

const char *swng_membership_id(const swng_membership *m) { return m ? m->id : NULL; }
const char *swng_membership_number_group_id(const swng_membership *m)
{
    return m ? m->number_group_id : NULL;
}
const char *swng_membership_phone_number_id(const swng_membership *m)
{
    return m ? m->phone_number_id : NULL;
}
const char *swng_membership_phone_number_name(const swng_membership *m)
{
    return m ? m->phone_number_name : NULL;
}
const char *swng_membership_phone_number_number(const swng_membership *m)
{
    return m ? m->phone_number_number : NULL;
}
size_t swng_membership_capability_count(const swng_membership *m)
{
    return m ? m->capability_count : 0;
}
const char *swng_membership_capability(const swng_membership *m, size_t i)
{
    return m && i < m->capability_count ? m->capabilities[i] : NULL;
}
const char *swng_membership_created_at(const swng_membership *m) { return m ? m->created_at : NULL; }
const char *swng_membership_updated_at(const swng_membership *m) { return m ? m->updated_at : NULL; }
long swng_membership_http_status(const swng_membership *m) { return m ? m->http_status : 0; }
const char *swng_membership_request_id(const swng_membership *m) { return m ? m->request_id : NULL; }
const char *swng_membership_json(const swng_membership *m) { return m ? m->json : NULL; }
