/* engine.c - the one place that sends a request and turns the answer into
 * a result or a swng_error: per-request handle set-up, response capture
 * (body cap, X-Request-Id, Retry-After), classification, redaction, and
 * retries by method. Operations (ops.c) are rows on top of it. */
#include "engine.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------------------------------------------------------- one attempt */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct swng__body *b = userdata;
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

/* The value of header line `line` if its name is `name`, trimmed; NULL
 * otherwise. *vlen receives the value's length. */
static const char *header_value(const char *line, size_t n, const char *name, size_t *vlen)
{
    size_t k = strlen(name);
    const char *v, *end = line + n;
    if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0) return NULL;
    for (v = line + k + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *vlen = (size_t)(end - v);
    return v;
}

/* Retry-After in seconds from either form (delay-seconds or an HTTP-date);
 * -1 when the value is neither (negative, garbage). */
static long parse_retry_after(const char *v, size_t n)
{
    char buf[64];
    size_t i;
    time_t when, now;
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (isdigit((unsigned char)buf[0])) {
        long s = 0;
        for (i = 0; i < n; i++) {
            if (!isdigit((unsigned char)buf[i])) return -1;
            /* A huge value saturates; the wait is capped at retry_max anyway. */
            if (s < 100000000L) s = s * 10 + (buf[i] - '0');
        }
        return s;
    }
    when = curl_getdate(buf, NULL);
    if (when == (time_t)-1) return -1;
    now = time(NULL);
    return when <= now ? 0 : (when - now > 100000000L ? 100000000L : (long)(when - now));
}

/* Reads the headers this engine needs from each line as it arrives, one
 * code path for every libcurl version (curl_easy_header needs 7.83). */
static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
    struct swng__attempt *a = userdata;
    size_t n = size * nitems, vlen;
    const char *v;
    if (n > SWNG_MAX_HEADERS - a->header_bytes) {
        a->header_overflow = 1;
        return 0;
    }
    a->header_bytes += n;
    /* Most lines are none of the three: one look at the first byte. */
    switch (line[0]) {
    case 'H': case 'X': case 'x': case 'R': case 'r': break;
    default: return n;
    }
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response (after a 1xx): forget what the previous one said. */
        free(a->request_id);
        a->request_id = NULL;
        a->retry_after = -1;
    } else if ((v = header_value(line, n, "X-Request-Id", &vlen)) != NULL) {
        free(a->request_id);
        a->request_id = vlen ? swng__strndup(v, vlen) : NULL;
    } else if ((v = header_value(line, n, "Retry-After", &vlen)) != NULL) {
        a->retry_after = parse_retry_after(v, vlen);
    }
    return n;
}

static void attempt_reset(struct swng__attempt *a)
{
    free(a->request_id);
    free(a->body.data);
    memset(a, 0, sizeof *a);
    a->retry_after = -1;
}

void swng__handle_callbacks(CURL *h)
{
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
}

/* Every per-request option is set on every request, so that nothing of one
 * request (method, body, headers) carries over to the next on a pooled
 * handle. The client-wide options were set when the handle was made. */
void swng__xfer_prepare(swng_client *c, struct swng__xfer *x)
{
    CURL *h = x->h;
    const struct swng__request *rq = &x->rq;
    struct swng__attempt *a = &x->a;
    attempt_reset(a);
    if (c->trace) x->started_at = swng__now_ms();
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    if (rq->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    /* POST with a body and GET are libcurl's own methods; anything else is
     * named explicitly (and cleared again when it is not needed). */
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
                     (rq->body && strcmp(rq->method, "POST") == 0) ||
                             (!rq->body && strcmp(rq->method, "GET") == 0)
                         ? NULL
                         : rq->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, rq->body ? c->headers_body : c->headers);
    /* (The write and header functions are the same for every request:
     * swng__handle_callbacks set them when the handle was made.) */
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->errbuf);
    a->errbuf[0] = '\0';
}

/* ------------------------------------------------------- classification */

static int status_code_for_http(long status, int bad_request)
{
    if (status == 400 && bad_request) return SWNG_EVALIDATION;
    if (status == 401 || status == 403) return SWNG_EAUTH;
    if (status == 404) return SWNG_ENOTFOUND;
    if (status == 422) return SWNG_EVALIDATION;
    if (status == 429) return SWNG_ERATELIMIT;
    if (status >= 500 && status <= 599) return SWNG_ESERVER;
    return SWNG_EPROTOCOL;
}

static int status_code_for_curl(const struct swng__attempt *a)
{
#if LIBCURL_VERSION_NUM >= 0x080600
    if (a->curl_rc == CURLE_TOO_LARGE) return SWNG_EPROTOCOL;
#endif
    switch (a->curl_rc) {
    case CURLE_OPERATION_TIMEDOUT: return SWNG_ETIMEOUT;
    /* libcurl refuses a single header line over its own limit (100 KiB) as
     * out of memory: once the answer has begun, that is the server's fault. */
    case CURLE_OUT_OF_MEMORY: return a->header_bytes ? SWNG_EPROTOCOL : SWNG_ENOMEM;
    case CURLE_FILESIZE_EXCEEDED: return SWNG_EPROTOCOL;
    case CURLE_WRITE_ERROR:
        return a->body.overflow || a->header_overflow ? SWNG_EPROTOCOL : SWNG_ENOMEM;
    default: return SWNG_ETRANSPORT;
    }
}

/* Gives e what the response said: status, request id, Retry-After and the
 * body, then cleans every text of it: credentials masked on the whole
 * text first, invalid UTF-8 replaced, then cut (the body to
 * SWNG_MAX_ERROR_BODY). Takes the request id. */
static void attach(swng_error *e, long status, char **request_id, long retry_after,
                   const char *body, size_t len, const swng_client *c)
{
    e->http_status = status;
    e->retry_after = retry_after;
    e->request_id = *request_id;
    *request_id = NULL;
    swng__clean_error(e, c->secrets);
    if (len) e->body = swng__clean_text(body, len, SWNG_MAX_ERROR_BODY, c->secrets);
}

void swng__attach_response(swng_error *e, struct swng__response *rs, const swng_client *c)
{
    attach(e, rs->status, &rs->request_id, rs->retry_after, rs->body, rs->len, c);
}

/* Turns a failed attempt into an error object with all the detail. */
static int fail_from_attempt(swng_client *c, const struct swng__request *rq, struct swng__attempt *a,
                             swng_error **err)
{
    swng_error *e;
    int code;
    if (a->curl_rc != CURLE_OK) {
        code = status_code_for_curl(a);
        if (a->header_overflow || (code == SWNG_EPROTOCOL && a->curl_rc != CURLE_WRITE_ERROR &&
                                   a->curl_rc != CURLE_FILESIZE_EXCEEDED))
            e = swng__error_new(code, "response headers exceed the %lu-byte limit",
                                (unsigned long)SWNG_MAX_HEADERS);
        else if (code == SWNG_EPROTOCOL)
            e = swng__error_new(code, "response body exceeds the %lu-byte limit",
                                (unsigned long)SWNG_MAX_BODY);
        else
            e = swng__error_new(code, "%s: %s%s%s", swng_strerror(code),
                                curl_easy_strerror(a->curl_rc), a->errbuf[0] ? ": " : "", a->errbuf);
    } else {
        char *server_msg = NULL;
        code = status_code_for_http(a->http_status, rq->bad_request);
        e = swng__error_new(code, "x");
        if (e && a->body.len) server_msg = swng__parse_error_body(e, a->body.data, a->body.len);
        if (e) {
            /* Built whole: the message is cleaned (and cut) only after the
             * credentials have been masked in it. */
            char *msg;
            const char *sep = server_msg ? ": " : "", *sm = server_msg ? server_msg : "";
            if (a->http_status >= 300 && a->http_status < 400)
                msg = swng__format("unexpected HTTP %ld (redirects are not followed)",
                                   a->http_status);
            else if (code == SWNG_EPROTOCOL)
                msg = swng__format("unexpected HTTP %ld%s%s", a->http_status, sep, sm);
            else
                msg = swng__format("%s (HTTP %ld)%s%s", swng_strerror(code), a->http_status, sep,
                                   sm);
            free(e->message);
            e->message = msg;
            if (!e->message) {
                swng_error_free(e);
                e = NULL;
            }
        }
        free(server_msg);
    }
    if (!e) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    attach(e, a->http_status, &a->request_id, a->retry_after, a->body.data, a->body.len, c);
    if (err)
        *err = e;
    else
        swng_error_free(e);
    return code;
}

/* ---------------------------------------------------------------- retries */

int swng__idempotent(const char *method) { return strcmp(method, "POST") != 0; }

/* POST: only what cannot have created anything (429, 503, nothing sent).
 * Idempotent methods: also 500/502/504 and failures after sending. */
static int retryable(const struct swng__attempt *a, int idempotent)
{
    if (a->curl_rc != CURLE_OK) {
        if (a->body.overflow || a->header_overflow || a->curl_rc == CURLE_OUT_OF_MEMORY ||
            (a->curl_rc == CURLE_WRITE_ERROR))
            return 0;
        return !a->sent || idempotent;
    }
    if (a->http_status == 429 || a->http_status == 503) return 1;
    return idempotent && (a->http_status == 500 || a->http_status == 502 || a->http_status == 504);
}

/* Exponential backoff with jitter, never shorter than Retry-After, capped.
 * All in 64-bit arithmetic: the options are at most SWNG_MAX_DURATION_MS. */
long swng__backoff_ms(const swng_client *c, unsigned int attempt_no, long retry_after,
                      unsigned int *seed)
{
    long long max = c->retry_max_ms, d = c->retry_base_ms, half;
    unsigned int i;
    for (i = 0; i < attempt_no && d < max; i++) d *= 2;
    if (d > max) d = max;
    /* Jitter: a delay in [d/2, d] so that clients spread out. */
    half = d / 2;
    d = half + (long long)((unsigned long long)rand_r(seed) % (unsigned long long)(d - half + 1));
    /* Retry-After is a server's number: compared before multiplying. */
    if (retry_after > max / 1000)
        d = max;
    else if (retry_after >= 0 && (long long)retry_after * 1000 > d)
        d = (long long)retry_after * 1000;
    return (long)(d > max ? max : d);
}

void swng__response_free(struct swng__response *rs)
{
    free(rs->request_id);
    free(rs->body);
    memset(rs, 0, sizeof *rs);
}

void swng__xfer_clear(struct swng__xfer *x)
{
    attempt_reset(&x->a);
    swng__response_free(&x->rs);
    swng_error_free(x->err);
    x->err = NULL;
    free(x->url);
    free(x->body);
    x->url = x->body = NULL;
}

/* Reports an attempt to the client's trace function: the URL from its
 * path on (the base URL is the client's), the request id cleaned. */
static void trace_attempt(swng_client *c, const struct swng__xfer *x)
{
    const struct swng__attempt *a = &x->a;
    size_t base = strncmp(x->rq.url, c->base_url, strlen(c->base_url)) == 0 ? strlen(c->base_url) : 0;
    /* A next link came from the server: cleaned like the request id. */
    char *path = swng__clean_line(x->rq.url + base, strlen(x->rq.url + base), SWNG_MAX_HEADERS,
                                  c->secrets);
    char *rid = a->request_id ? swng__clean_line(a->request_id, strlen(a->request_id),
                                                 SWNG_MAX_HEADERS, c->secrets)
                              : NULL;
    int code = a->curl_rc != CURLE_OK ? status_code_for_curl(a)
               : a->http_status >= 200 && a->http_status <= 299
                   ? SWNG_OK
                   : status_code_for_http(a->http_status, x->rq.bad_request);
    c->trace(x->rq.method, path ? path : "", a->http_status, code,
             (double)(swng__now_ms() - x->started_at) / 1000.0, x->attempt_no, rid,
             c->trace_payload);
    free(rid);
    free(path);
}

int swng__xfer_attempt_done(swng_client *c, struct swng__xfer *x, CURLcode curl_rc)
{
    struct swng__attempt *a = &x->a;
    CURL *h = x->h;
    a->curl_rc = curl_rc;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->http_status);
    /* Nothing was sent if the connection could not even be made. */
    a->sent = !(curl_rc == CURLE_COULDNT_CONNECT || curl_rc == CURLE_COULDNT_RESOLVE_HOST ||
                curl_rc == CURLE_COULDNT_RESOLVE_PROXY);
    if (a->http_status == 0) {
        free(a->request_id);
        a->request_id = NULL;
        a->retry_after = -1;
    }
    if (c->trace) trace_attempt(c, x);
    if (curl_rc == CURLE_OK && a->http_status >= 200 && a->http_status <= 299) {
        struct swng__response *rs = &x->rs;
        rs->status = a->http_status;
        /* Text from the server, cleaned here once for every use (a result,
         * a list item, an error): valid UTF-8, no controls, no secret. Out
         * of memory drops it, as swng__clean_error does. */
        if (a->request_id && swng__line_is_clean(a->request_id, c->secrets)) {
            rs->request_id = a->request_id; /* the usual request id: no copy */
            a->request_id = NULL;
        } else {
            rs->request_id = a->request_id ? swng__clean_line(a->request_id,
                                                              strlen(a->request_id),
                                                              SWNG_MAX_HEADERS, c->secrets)
                                           : NULL;
        }
        rs->retry_after = a->retry_after;
        /* The body may become a result's json: no more than a little
         * unused capacity is kept with it. */
        if (a->body.data && a->body.cap - a->body.len > 4096) {
            char *p = realloc(a->body.data, a->body.len + 1);
            if (p) a->body.data = p;
        }
        rs->body = a->body.data;
        rs->len = a->body.len;
        a->body.data = NULL;
        x->rc = SWNG_OK;
        attempt_reset(a);
        return x->state = SWNG__X_DONE;
    }
    if (x->attempt_no < c->max_retries && retryable(a, swng__idempotent(x->rq.method))) {
        x->retry_at = swng__now_ms() + swng__backoff_ms(c, x->attempt_no, a->retry_after, &x->seed);
        x->attempt_no++;
        return x->state = SWNG__X_WAIT;
    }
    x->rc = fail_from_attempt(c, &x->rq, a, &x->err);
    attempt_reset(a);
    return x->state = SWNG__X_DONE;
}

/* ------------------------------------------------------------ operations */

static int check_arg(const struct swng__param *p, const struct swng__arg *a, swng_error **err)
{
    const char *name = p->arg ? p->arg : p->name;
    size_t i;
    if (!a->value) {
        if (p->optional) return SWNG_OK;
        return swng__fail_arg(err, name, "%s must not be NULL", name);
    }
    if (p->kind == SWNG__A_BOOL) return SWNG_OK;
    if (p->kind == SWNG__A_UUID) {
        int rc = swng__check_uuid(name, a->value, a->len, err);
        if (rc != SWNG_OK && err && *err) (*err)->option = name;
        return rc;
    }
    if (a->len == 0) return swng__fail_arg(err, name, "%s must not be empty", name);
    if (memchr(a->value, '\0', a->len))
        return swng__fail_arg(err, name, "%s must not contain a NUL byte", name);
    for (i = 0; i < a->len; i++) {
        unsigned char ch = (unsigned char)a->value[i];
        /* C0, DEL and the C1 controls (U+0080-U+009F: 0xC2 0x80-0x9F). */
        if (ch < 0x20 || ch == 0x7f ||
            (ch == 0xc2 && i + 1 < a->len && (unsigned char)a->value[i + 1] >= 0x80 &&
             (unsigned char)a->value[i + 1] <= 0x9f))
            return swng__fail_arg(err, name, "%s must not contain control characters", name);
    }
    if (!swng__is_utf8(a->value, a->len))
        return swng__fail_arg(err, name, "%s must be UTF-8", name);
    return SWNG_OK;
}

int swng__check_text(const char *name, const char *value, size_t len, swng_error **err)
{
    struct swng__param p = {NULL, SWNG__IN_QUERY, SWNG__A_TEXT, 0, NULL, NULL};
    struct swng__arg a;
    p.name = name;
    a.value = value;
    a.len = len;
    return check_arg(&p, &a, err);
}

/* A growing string; `failed` is set on allocation failure. */
struct buf {
    char *s;
    size_t len, cap;
    int failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        char *p;
        while (cap < b->len + n + 1) cap *= 2;
        if (!(p = realloc(b->s, cap))) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_add_escaped(struct buf *b, const char *s, size_t n)
{
    char *e;
    if (n == 0) return; /* curl_easy_escape reads length 0 as "use strlen" */
    e = curl_easy_escape(NULL, s, (int)n);
    if (!e) {
        b->failed = 1;
        return;
    }
    buf_add(b, e, strlen(e));
    curl_free(e);
}

/* base_url + path (each "{}" an escaped path argument) + "?" escaped query. */
static char *build_url(const struct swng__op *op, const swng_client *c,
                       const struct swng__arg *args)
{
    struct buf b = {0};
    const char *p = op->path, *q;
    size_t i, next_path = 0;
    int first_query = 1;
    buf_add(&b, c->base_url, strlen(c->base_url));
    while ((q = strstr(p, "{}")) != NULL) {
        buf_add(&b, p, (size_t)(q - p));
        while (next_path < op->nparams && op->params[next_path].where != SWNG__IN_PATH) next_path++;
        if (next_path == op->nparams) { /* a row with more {} than path params */
            b.failed = 1;
            break;
        }
        /* A UUID argument was checked to be canonical (hex digits and '-',
         * all unreserved): escaping would leave it as it is. */
        if (op->params[next_path].kind == SWNG__A_UUID)
            buf_add(&b, args[next_path].value, args[next_path].len);
        else
            buf_add_escaped(&b, args[next_path].value, args[next_path].len);
        next_path++;
        p = q + 2;
    }
    buf_add(&b, p, strlen(p));
    for (i = 0; i < op->nparams; i++) {
        if (op->params[i].where != SWNG__IN_QUERY || !args[i].value) continue;
        buf_add(&b, first_query ? "?" : "&", 1);
        buf_add(&b, op->params[i].name, strlen(op->params[i].name));
        buf_add(&b, "=", 1);
        if (op->params[i].kind == SWNG__A_UUID)
            buf_add(&b, args[i].value, args[i].len);
        else
            buf_add_escaped(&b, args[i].value, args[i].len);
        first_query = 0;
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* A JSON string: check_arg refused control characters (and checked
 * UTF-8), so only '"' and '\\' need escaping, as cJSON would print them. */
static void buf_add_json_string(struct buf *b, const char *s, size_t n)
{
    size_t i, start = 0;
    buf_add(b, "\"", 1);
    for (i = 0; i < n; i++) {
        if (s[i] != '"' && s[i] != '\\') continue;
        buf_add(b, s + start, i - start);
        buf_add(b, s[i] == '"' ? "\\\"" : "\\\\", 2);
        start = i + 1;
    }
    buf_add(b, s + start, n - start);
    buf_add(b, "\"", 1);
}

/* The JSON body of the SWNG__IN_BODY parameters (an object of strings, in
 * parameter order, as cJSON_PrintUnformatted would print it), or NULL
 * (*none = 1) when the operation has none. */
static char *build_body(const struct swng__op *op, const struct swng__arg *args, int *none)
{
    struct buf b = {0};
    size_t i;
    int first = 1;
    *none = 1;
    for (i = 0; i < op->nparams; i++)
        if (op->params[i].where == SWNG__IN_BODY) *none = 0;
    if (*none) return NULL;
    buf_add(&b, "{", 1);
    for (i = 0; i < op->nparams; i++) {
        if (op->params[i].where != SWNG__IN_BODY || !args[i].value) continue;
        if (!first) buf_add(&b, ",", 1);
        buf_add_json_string(&b, op->params[i].name, strlen(op->params[i].name));
        buf_add(&b, ":", 1);
        if (op->params[i].kind == SWNG__A_BOOL) {
            if (args[i].value[0] == 't')
                buf_add(&b, "true", 4);
            else
                buf_add(&b, "false", 5);
        } else if (op->params[i].kind == SWNG__A_UUID) { /* nothing to escape in a UUID */
            buf_add(&b, "\"", 1);
            buf_add(&b, args[i].value, args[i].len);
            buf_add(&b, "\"", 1);
        } else {
            buf_add_json_string(&b, args[i].value, args[i].len);
        }
        first = 0;
    }
    buf_add(&b, "}", 1);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

int swng__op_url(const struct swng__op *op, swng_client *c, const struct swng__arg *args,
                 char **url, swng_error **err)
{
    size_t i;
    int rc;
    *url = NULL;
    if (!c) return swng__fail_arg(err, "client", "client must not be NULL");
    for (i = 0; i < op->nparams; i++)
        if ((rc = check_arg(&op->params[i], &args[i], err)) != SWNG_OK) return rc;
    if (!(*url = build_url(op, c, args))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    return SWNG_OK;
}

int swng__object_from_response(struct swng__object **out, const struct swng__type *t,
                               swng_client *c, struct swng__response *rs, swng_error **err)
{
    /* The object keeps the body buffer as its json (no copy). */
    int rc = rs->body ? swng__parse_object_take(out, t, &rs->body, rs->len, err)
                      : swng__parse_object(out, t, "", 0, err);
    if (rc == SWNG_OK) {
        (*out)->http_status = rs->status;
        (*out)->request_id = rs->request_id; /* cleaned by swng__send */
        rs->request_id = NULL;
    } else if (err && *err) {
        swng__attach_response(*err, rs, c);
    }
    return rc;
}

/* The index of field "name" or "parent.name" in t, or -1. */
static int field_index(const struct swng__type *t, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t i;
    for (i = 0; i < t->nfields; i++) {
        const struct swng__field *f = &t->fields[i];
        if (dot ? (f->parent >= 0 && strlen(t->fields[f->parent].name) == (size_t)(dot - path) &&
                   memcmp(t->fields[f->parent].name, path, (size_t)(dot - path)) == 0 &&
                   strcmp(f->name, dot + 1) == 0)
                : (f->parent < 0 && strcmp(f->name, path) == 0))
            return (int)i;
    }
    return -1;
}

int swng__check_echo(const struct swng__op *op, const struct swng__arg *args,
                     const struct swng__object *o, swng_error **err)
{
    size_t i;
    for (i = 0; i < op->nparams; i++) {
        const char *want = args[i].value, *got;
        int f;
        if (!op->params[i].echo || !want) continue;
        f = field_index(o->type, op->params[i].echo);
        got = f >= 0 ? swng__object_str(o, f) : NULL;
        /* A field the contract lets the server leave out cannot be
         * compared; one that is there must be what was asked for. */
        if (!got && f >= 0 && !o->type->fields[f].required) continue;
        /* Ids compare without case: the server may answer in lowercase. */
        if (!got || strlen(got) != args[i].len || strncasecmp(got, want, args[i].len) != 0)
            return swng__fail(err, SWNG_EPROTOCOL,
                              "response breaks the contract: %s %s is not the %.*s asked for",
                              op->params[i].echo, got ? got : "(missing)", (int)args[i].len,
                              want);
    }
    return SWNG_OK;
}

/* swng__send's job: the response is the caller's. */
static int raw_then(swng_request *r)
{
    swng_error *err = r->x.err;
    r->x.err = NULL;
    *r->raw = r->x.rs;
    memset(&r->x.rs, 0, sizeof r->x.rs);
    return swng__job_end(r, r->x.rc, err);
}

int swng__send(swng_client *c, const struct swng__request *rq, struct swng__response *rs,
               swng_error **err)
{
    swng_request r;
    memset(rs, 0, sizeof *rs);
    memset(&r, 0, sizeof r);
    r.client = c;
    r.raw = rs;
    r.then = raw_then;
    swng__xfer_begin(&r, rq);
    return swng__job_run(c, &r, NULL, err);
}

/* The operation's job, after its one transfer: the result parsed and
 * checked against the request. */
int swng__op_then(swng_request *r)
{
    struct swng__xfer *x = &r->x;
    const struct swng__op *op = r->row;
    struct swng__object *o = NULL;
    swng_error *err = x->err;
    int rc = x->rc;
    x->err = NULL;
    if (rc == SWNG_OK && op->result) {
        rc = swng__object_from_response(&o, op->result, r->client, &x->rs, &err);
        if (rc == SWNG_OK && (rc = swng__check_echo(op, r->args, o, &err)) != SWNG_OK) {
            /* A crossed answer never passes as success: the error gets the
             * response's detail (the request id and body go back from the
             * object). */
            if (err) {
                struct swng__response rs = x->rs;
                rs.request_id = o->request_id;
                o->request_id = NULL;
                rs.body = o->json;
                o->json = NULL;
                swng__attach_response(err, &rs, r->client);
                swng__response_free(&rs);
                x->rs.body = NULL;
                x->rs.request_id = NULL;
            }
            swng__object_free(o);
            o = NULL;
        }
    }
    r->result = o;
    return swng__job_end(r, rc, err);
}

int swng__job_begin_op(swng_request *r, swng_client *c, const struct swng__op *op,
                       const struct swng__arg *args, swng_error **err)
{
    struct swng__request rq;
    size_t i;
    int rc, no_body;
    r->client = c;
    if ((rc = swng__op_url(op, c, args, &r->x.url, err)) != SWNG_OK) return rc;
    r->x.body = build_body(op, args, &no_body);
    if (!r->x.body && !no_body) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    r->row = op;
    for (i = 0; i < op->nparams && i < sizeof r->args / sizeof r->args[0]; i++) r->args[i] = args[i];
    rq.method = op->method;
    rq.url = r->x.url;
    rq.body = r->x.body;
    rq.bad_request = op->bad_request;
    r->then = swng__op_then;
    return swng__xfer_begin(r, &rq);
}

int swng__call(const struct swng__op *op, swng_client *c, const struct swng__arg *args,
               struct swng__object **out, swng_error **err)
{
    swng_request r;
    int rc;
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (op->result && !out) return swng__fail_arg(err, "out", "out must not be NULL");
    memset(&r, 0, sizeof r);
    if ((rc = swng__job_begin_op(&r, c, op, args, err)) < 0) {
        swng__job_free_state(&r);
        return rc;
    }
    return swng__job_run(c, &r, out, err);
}
