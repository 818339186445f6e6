/* harness.c - see harness.h. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int th_failures = 0;
int th_test_failures = 0;
static const char *current_test = "";
int th_no_space = 0;

/* ------------------------------------------------------------ assertions */

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: [%s] ", file, line, current_test);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    th_failures++;
    th_test_failures++;
}

const char *th_q(const char *s)
{
    static char bufs[4][512];
    static int next = 0;
    char *b, *p;
    size_t room;
    if (!s) return "(null)";
    b = bufs[next];
    next = (next + 1) % 4;
    p = b;
    room = sizeof bufs[0] - 8;
    *p++ = '"';
    for (; *s && (size_t)(p - b) < room; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            p += sprintf(p, "\\x%02x", c);
        } else {
            *p++ = (char)c;
        }
    }
    if (*s) {
        memcpy(p, "...", 3);
        p += 3;
    }
    *p++ = '"';
    *p = '\0';
    return b;
}

int th_check(int ok, const char *file, int line, const char *expr)
{
    if (!ok) th_fail(file, line, "CHECK(%s) failed", expr);
    return ok;
}

int th_check_msg(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    if (ok) return 1;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    th_fail(file, line, "%s", buf);
    return 0;
}

int th_check_long(const char *file, int line, const char *ea, long a, const char *eb, long b)
{
    if (a == b) return 1;
    th_fail(file, line, "%s == %s failed: %ld != %ld", ea, eb, a, b);
    return 0;
}

int th_check_str(const char *file, int line, const char *ea, const char *a, const char *eb,
                 const char *b)
{
    if (a && b && strcmp(a, b) == 0) return 1;
    th_fail(file, line, "%s == %s failed: %s != %s", ea, eb, th_q(a), th_q(b));
    return 0;
}

int th_check_contains(const char *file, int line, const char *eh, const char *hay,
                      const char *needle, int want)
{
    int has = hay && needle && strstr(hay, needle) != NULL;
    if (!hay) {
        th_fail(file, line, "%s is NULL (looking for %s)", eh, th_q(needle));
        return 0;
    }
    if (has == want) return 1;
    th_fail(file, line, "%s = %s %s %s", eh, th_q(hay), want ? "does not contain" : "contains",
            th_q(needle));
    return 0;
}

int th_check_rc(const char *file, int line, const char *erc, int rc, int want,
                const swng_error *err)
{
    if (rc == want) {
        /* A failure must come with an error object of the same code. */
        if (rc != SWNG_OK && err && swng_error_code(err) != rc) {
            th_fail(file, line, "%s: error object has code %d, call returned %d", erc,
                    swng_error_code(err), rc);
            return 0;
        }
        return 1;
    }
    th_fail(file, line, "%s returned %d (%s), expected %d (%s); error: %s (HTTP %ld)", erc, rc,
            swng_status_name(rc), want, swng_status_name(want),
            th_q(err ? swng_error_message(err) : NULL), err ? swng_error_http_status(err) : 0L);
    return 0;
}

int th_check_rc_p(const char *file, int line, const char *erc, int rc, int want,
                  swng_error *const *errp)
{
    return th_check_rc(file, line, erc, rc, want, *errp);
}

/* ---------------------------------------------------------------- runner */

long th_env_long(const char *name, long def)
{
    const char *v = getenv(name);
    char *end;
    long n;
    if (!v || !*v) return def;
    n = strtol(v, &end, 10);
    return *end ? def : n;
}

double th_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void th_sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static cJSON *fixture_root = NULL;

static void fixture_check(void);

int th_main(int argc, char **argv, const th_test *tests, size_t n)
{
    size_t i;
    int ran = 0, failed_tests = 0, a;
    double t0 = th_now_ms();

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!th_no_space && (!getenv("SWNG_TEST_BASE_URL") || !getenv("SWNG_TEST_PROJECT_ID") ||
        !getenv("SWNG_TEST_TOKEN") || !getenv("SWNG_TEST_FIXTURE"))) {
        fprintf(stderr, "%s: run me through tests/space/with_space.py (SWNG_TEST_* unset)\n",
                argv[0]);
        return 2;
    }
    /* The SDK variables of the developer's shell must not leak into tests. */
    unsetenv("SIGNALWIRE_PROJECT_ID");
    unsetenv("SIGNALWIRE_API_TOKEN");
    unsetenv("SIGNALWIRE_SPACE");
    unsetenv("SIGNALWIRE_REST_BASE_URL");
    unsetenv("SIGNALWIRE_REST_CA_FILE");
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (!th_no_space) {
        current_test = "fixture";
        fixture_check();
        if (th_failures) return 1;
    }

    for (a = 1; a < argc; a++) {
        for (i = 0; i < n; i++)
            if (strcmp(argv[a], tests[i].name) == 0) break;
        if (i == n) {
            fprintf(stderr, "%s: no test named %s\n", argv[0], argv[a]);
            return 2;
        }
    }
    for (i = 0; i < n; i++) {
        double start;
        if (argc > 1) {
            for (a = 1; a < argc; a++)
                if (strcmp(argv[a], tests[i].name) == 0) break;
            if (a == argc) continue;
        }
        current_test = tests[i].name;
        th_test_failures = 0;
        /* Every test starts from a fresh space: no memberships, empty
         * journal, no queued faults. */
        start = th_now_ms();
        if (th_no_space || th_space_reset() == 0) tests[i].fn();
        printf("%s %s (%.0f ms)\n", th_test_failures ? "FAIL" : "ok  ", tests[i].name,
               th_now_ms() - start);
        ran++;
        if (th_test_failures) failed_tests++;
    }
    printf("%d test(s), %d failed, %d failed check(s), %.0f ms\n", ran, failed_tests, th_failures,
           th_now_ms() - t0);
    cJSON_Delete(fixture_root);
    fixture_root = NULL;
    curl_global_cleanup();
    return th_failures ? 1 : 0;
}

/* ----------------------------------------------------------- the space */

const char *th_base_url(void) { return getenv("SWNG_TEST_BASE_URL"); }
const char *th_project_id(void) { return getenv("SWNG_TEST_PROJECT_ID"); }
const char *th_token(void) { return getenv("SWNG_TEST_TOKEN"); }

struct buf {
    char *data;
    size_t len;
};

static size_t buf_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    char *d = realloc(b->data, b->len + n + 1);
    if (!d) return 0;
    memcpy(d + b->len, p, n);
    b->data = d;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* One control call; returns the parsed JSON answer (caller frees) or NULL
 * after failing the test. */
static cJSON *control(const char *method, const char *route, const char *body)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    struct buf b = {NULL, 0};
    char url[512];
    long status = 0;
    CURLcode rc;
    cJSON *json = NULL;

    if (!h) {
        th_fail(__FILE__, __LINE__, "curl_easy_init failed");
        return NULL;
    }
    snprintf(url, sizeof url, "%s/__space%s", th_base_url(), route);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    /* An HTTPS space (with_space.py --tls-cert) is verified by its own cert. */
    if (getenv("SWNG_TEST_CA_FILE")) curl_easy_setopt(h, CURLOPT_CAINFO, getenv("SWNG_TEST_CA_FILE"));
    if (body) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        th_fail(__FILE__, __LINE__, "control %s %s: %s", method, route, curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        th_fail(__FILE__, __LINE__, "control %s %s: HTTP %ld: %s", method, route, status,
                th_q(b.data));
    else if (!(json = cJSON_Parse(b.data ? b.data : "")))
        th_fail(__FILE__, __LINE__, "control %s %s: answer is not JSON: %s", method, route,
                th_q(b.data));
    free(b.data);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return json;
}

static int control_ok(const char *method, const char *route, const char *body)
{
    cJSON *j = control(method, route, body);
    cJSON_Delete(j);
    return j ? 0 : -1;
}

int th_space_reset(void) { return control_ok("POST", "/reset", NULL); }
int th_space_fault(const char *json) { return control_ok("POST", "/faults", json); }
int th_space_paging(const char *json) { return control_ok("POST", "/paging", json); }
int th_space_clear_journal(void) { return control_ok("DELETE", "/journal", NULL); }

/* GET a control route whose answer holds an array under `key`: the parsed
 * answer (caller frees) with *array pointing into it, or NULL after failing
 * the test. */
static cJSON *control_array(const char *route, const char *key, cJSON **array)
{
    cJSON *root = control("GET", route, NULL);
    cJSON *a = root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL;
    if (root && !cJSON_IsArray(a)) {
        th_fail(__FILE__, __LINE__, "GET %s: answer has no %s array", route, key);
        cJSON_Delete(root);
        root = NULL;
        a = NULL;
    }
    if (array) *array = a;
    return root;
}

cJSON *th_space_journal(cJSON **requests) { return control_array("/journal", "requests", requests); }

int th_journal_count(void)
{
    cJSON *reqs;
    cJSON *root = th_space_journal(&reqs);
    int n = root ? cJSON_GetArraySize(reqs) : -1;
    cJSON_Delete(root);
    return n;
}

static long space_stat(const char *name)
{
    cJSON *root = control("GET", "/stats", NULL);
    const cJSON *v = root ? cJSON_GetObjectItemCaseSensitive(root, name) : NULL;
    long n = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
    cJSON_Delete(root);
    return n;
}

long th_space_peak_in_flight(void) { return space_stat("peak_in_flight"); }

int th_space_quiet(void)
{
    int i;
    for (i = 0; i < 1500 && space_stat("in_flight") != 0; i++) th_sleep_ms(10);
    return th_space_reset();
}

cJSON *th_space_memberships(cJSON **memberships)
{
    return control_array("/memberships", "memberships", memberships);
}

const char *th_json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *th_journal_header(const cJSON *entry, const char *lower_name)
{
    const cJSON *h = entry ? cJSON_GetObjectItemCaseSensitive(entry, "headers") : NULL;
    return th_json_str(h, lower_name);
}

/* ------------------------------------------------------------ fixture */

static const cJSON *fixture(void)
{
    FILE *f;
    long n;
    char *text;
    if (fixture_root) return fixture_root;
    f = fopen(getenv("SWNG_TEST_FIXTURE"), "rb");
    if (!f) {
        th_fail(__FILE__, __LINE__, "cannot open fixture %s", getenv("SWNG_TEST_FIXTURE"));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
        text[n] = '\0';
        fixture_root = cJSON_Parse(text);
    }
    free(text);
    fclose(f);
    if (!fixture_root) th_fail(__FILE__, __LINE__, "fixture is not JSON");
    return fixture_root;
}

static const cJSON *fixture_item(const char *list, int i)
{
    const cJSON *root = fixture();
    return root ? cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, list), i) : NULL;
}

const cJSON *th_fixture_phone(int i) { return fixture_item("phone_numbers", i); }
const cJSON *th_fixture_group(int i) { return fixture_item("number_groups", i); }

int th_fixture_phone_count(void)
{
    const cJSON *root = fixture();
    return root ? cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "phone_numbers")) : 0;
}

static void fixture_check(void)
{
    const cJSON *root = fixture();
    if (!root) return;
    CHECK_STR_EQ(th_json_str(root, "project_id"), th_project_id());
    CHECK_STR_EQ(th_json_str(root, "token"), th_token());
    CHECK_STR_EQ(th_json_str(th_fixture_group(0), "id"), TH_GROUP_SALES);
    CHECK_STR_EQ(th_json_str(th_fixture_group(1), "id"), TH_GROUP_SUPPORT);
    CHECK_STR_EQ(th_json_str(th_fixture_phone(0), "id"), TH_PHONE_MAIN);
    CHECK_STR_EQ(th_json_str(th_fixture_phone(1), "id"), TH_PHONE_ZURICH);
    CHECK_STR_EQ(th_json_str(th_fixture_phone(2), "id"), TH_PHONE_SPARE);
    CHECK(th_fixture_phone_count() >= 16);
}

/* ------------------------------------------------------------ clients */

void th_space_options(swng_client_options *o)
{
    swng_client_options_init(o);
    o->base_url = th_base_url();
    o->project_id = th_project_id();
    o->token = th_token();
}

swng_client *th_client(const swng_client_options *tweaks)
{
    swng_client_options o;
    swng_client *c = NULL;
    swng_error *err = NULL;
    int rc;
    if (tweaks) {
        o = *tweaks;
        if (!o.base_url) o.base_url = th_base_url();
        if (!o.project_id) o.project_id = th_project_id();
        if (!o.token) o.token = th_token();
    } else {
        th_space_options(&o);
    }
    rc = swng_client_new(&c, &o, &err);
    if (!CHECK_RC(rc, SWNG_OK, err)) c = NULL;
    swng_error_free(err);
    return c;
}

char *th_base64(const char *s)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i;
    char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
    if (!out) return NULL;
    for (i = 0; i + 2 < n; i += 3) {
        *o++ = a[p[i] >> 2];
        *o++ = a[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *o++ = a[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        *o++ = a[p[i + 2] & 63];
    }
    if (n - i == 1) {
        *o++ = a[p[i] >> 2];
        *o++ = a[(p[i] & 3) << 4];
        *o++ = '=';
        *o++ = '=';
    } else if (n - i == 2) {
        *o++ = a[p[i] >> 2];
        *o++ = a[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *o++ = a[(p[i + 1] & 15) << 2];
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

int th_refused_port(int *fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    *fd = -1;
    if (s < 0) return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
        close(s);
        return -1;
    }
    *fd = s;
    return ntohs(sa.sin_port);
}

void th_refused_port_close(int fd)
{
    if (fd >= 0) close(fd);
}
