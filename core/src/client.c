/* client.c - configuration, libcurl setup and the pool of easy handles. */
#include "client.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

/* More idle private loops than this are freed instead of kept. */
#define MAX_IDLE_LOOPS 64

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe on every libcurl; run it once. It is
 * never undone: curl_global_cleanup from a library would break other
 * libcurl users in the same process. */
static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* The explicit value if given, else the environment's; "" counts as unset. */
static const char *pick(const char *explicit_value, const char *env)
{
    const char *v = explicit_value;
    if (!v) v = getenv(env);
    return v && *v ? v : NULL;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
    swng_client *c = userp;
    (void)h;
    (void)access;
    pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
    swng_client *c = userp;
    (void)h;
    pthread_mutex_unlock(&c->share_locks[data]);
}

/* The parts of a URL that the checks below read, from libcurl's URL
 * parser (so that what is checked is what libcurl will connect to). */
struct url_parts {
    char *scheme, *host, *port, *path, *query, *frag, *user;
};

/* Splits url; SWNG_OK, SWNG_ENOMEM, or SWNG_EINVAL when it is not a URL
 * with a scheme and a host. Free with url_parts_free in every case. */
static int url_split(const char *url, struct url_parts *p)
{
    CURLU *u = curl_url();
    int rc = SWNG_OK;
    memset(p, 0, sizeof *p);
    if (!u) return SWNG_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &p->host, 0) != CURLUE_OK) {
        rc = SWNG_EINVAL;
    } else {
        curl_url_get(u, CURLUPART_PORT, &p->port, 0);
        curl_url_get(u, CURLUPART_PATH, &p->path, 0);
        curl_url_get(u, CURLUPART_QUERY, &p->query, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &p->frag, 0);
        curl_url_get(u, CURLUPART_USER, &p->user, 0);
    }
    curl_url_cleanup(u);
    return rc;
}

static void url_parts_free(struct url_parts *p)
{
    curl_free(p->scheme);
    curl_free(p->host);
    curl_free(p->port);
    curl_free(p->path);
    curl_free(p->query);
    curl_free(p->frag);
    curl_free(p->user);
}

/* 1 if the URL has a path other than "/", a query or a fragment. */
static int url_has_more(const struct url_parts *p)
{
    return (p->path && strcmp(p->path, "/") != 0 && *p->path) || p->query || p->frag;
}

/* Builds and checks the base URL: https://host[:port], or http:// for a
 * loopback host only. */
static int make_base_url(swng_client *c, const char *space, const char *base_url, swng_error **err)
{
    struct url_parts p;
    char *candidate = NULL;
    const char *what = base_url ? "base_url" : "space";
    int rc = SWNG_OK;

    if (base_url) {
        candidate = swng__strdup(base_url);
    } else {
        /* A bare space name means NAME.signalwire.com; a host is taken as is. */
        size_t i, n = strlen(space);
        for (i = 0; i < n; i++) {
            char ch = space[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '.'))
                return swng__fail_arg(err, "space",
                                  "space must be a space name or a host name (got a '%c'); use "
                                  "base_url for a URL",
                                  ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        candidate = malloc(n + sizeof "https://.signalwire.com");
        if (candidate)
            sprintf(candidate, strchr(space, '.') ? "https://%s" : "https://%s.signalwire.com", space);
    }
    if (!candidate) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (swng__has_ctl(candidate)) {
        free(candidate);
        return swng__fail_arg(err, what, "%s must not contain control characters", what);
    }

    rc = url_split(candidate, &p);
    if (rc == SWNG_ENOMEM) {
        rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
        goto out;
    }
    if (rc != SWNG_OK) {
        rc = swng__fail_arg(err, what, "%s is not a valid URL", what);
        goto out;
    }
    if (strcmp(p.scheme, "https") != 0 && strcmp(p.scheme, "http") != 0) {
        rc = swng__fail_arg(err, what, "%s: only https:// (or http:// to loopback) is allowed",
                        what);
    } else if (p.user) {
        rc = swng__fail_arg(err, what,
                        "%s must not contain credentials; use project_id and token", what);
    } else if (url_has_more(&p)) {
        rc = swng__fail_arg(err, what, "%s must be scheme://host[:port] with no path or query",
                        what);
    } else if (strcmp(p.scheme, "http") == 0 && !swng__is_loopback_host(p.host)) {
        rc = swng__fail_arg(err, what,
                        "%s: plain http:// is refused for non-loopback host %s; use https://", what,
                        p.host);
    } else {
        size_t n = strlen(p.scheme) + strlen(p.host) + (p.port ? strlen(p.port) : 0) + 8;
        c->base_loopback = swng__is_loopback_host(p.host);
        c->base_url = malloc(n);
        if (!c->base_url) {
            rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
        } else {
            snprintf(c->base_url, n, "%s://%s%s%s", p.scheme, p.host, p.port ? ":" : "",
                     p.port ? p.port : "");
        }
    }
out:
    url_parts_free(&p);
    free(candidate);
    return rc;
}

/* Base64 of s[0..n) in the given alphabet, without padding, only the
 * whole 3-byte groups (the last group is masked by the matcher, which also
 * catches Base64 of a longer text that starts with the credential). This
 * is for redaction only: libcurl builds the real Authorization header. */
static char *base64_groups(const char *s, size_t n, const char *alphabet)
{
    size_t i, o = 0, whole = n / 3 * 3;
    char *out = malloc(whole / 3 * 4 + 1);
    if (!out) return NULL;
    for (i = 0; i < whole; i += 3) {
        unsigned long v = ((unsigned long)(unsigned char)s[i] << 16) |
                          ((unsigned long)(unsigned char)s[i + 1] << 8) | (unsigned char)s[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
    return out;
}

/* The forms of the credentials that error texts are cleaned of: a server
 * that echoes the Authorization header shows Base64(project:token). */
static int make_secrets(swng_client *c)
{
    static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *cred = swng__format("%s:%s", c->project_id, c->token);
    size_t n;
    int ok;
    if (!cred) return 0;
    n = strlen(cred);
    c->secrets[0].text = c->token;
    c->secrets[1].text = base64_groups(cred, n, std);
    c->secrets[2].text = base64_groups(cred, n, url);
    c->secrets[1].b64_tail = c->secrets[2].b64_tail = (unsigned char)(n % 3 != 0);
    ok = c->secrets[1].text && c->secrets[2].text;
    memset(cred, 0, n);
    free(cred);
    return ok;
}

/* Checks the proxy ("http://host[:port]") and keeps it when it is to be
 * used: only for an https:// base URL to a host that is not loopback, so
 * that credentials never cross a proxy in clear text and a proxy can never
 * answer for a local server. */
static int set_proxy(swng_client *c, const char *proxy, swng_error **err)
{
    struct url_parts p;
    int rc;
    if (!proxy) return SWNG_OK;
    if (swng__has_ctl(proxy))
        return swng__fail_arg(err, "proxy", "proxy must not contain control characters");
    rc = url_split(proxy, &p);
    if (rc == SWNG_ENOMEM)
        rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
    else if (rc != SWNG_OK)
        rc = swng__fail_arg(err, "proxy", "proxy is not a valid URL (http://host[:port])");
    else if (strcmp(p.scheme, "http") != 0)
        rc = swng__fail_arg(err, "proxy", "proxy must be http://host[:port] (a CONNECT proxy)");
    else if (p.user)
        rc = swng__fail_arg(err, "proxy", "proxy must not contain credentials");
    else if (url_has_more(&p))
        rc = swng__fail_arg(err, "proxy", "proxy must be http://host[:port] with no path or query");
    else if (strncmp(c->base_url, "https://", 8) == 0 && !c->base_loopback &&
             !(c->proxy = swng__format("http://%s:%s", p.host, p.port ? p.port : "1080")))
        rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
    url_parts_free(&p);
    return rc;
}

/* Appends a header line to both lists. */
static int add_header(swng_client *c, const char *line, swng_error **err)
{
    struct curl_slist *l;
    if (!(l = curl_slist_append(c->headers, line))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    c->headers = l;
    if (!(l = curl_slist_append(c->headers_body, line)))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    c->headers_body = l;
    return SWNG_OK;
}

static int configure(swng_client *c, const swng_client_options *o, swng_error **err)
{
    const char *project = pick(o->project_id, "SIGNALWIRE_PROJECT_ID");
    const char *token = pick(o->token, "SIGNALWIRE_API_TOKEN");
    const char *base_url = o->base_url && *o->base_url ? o->base_url : NULL;
    const char *space = o->space && *o->space ? o->space : NULL;
    const char *ca_file = pick(o->ca_file, "SIGNALWIRE_REST_CA_FILE");
    char ua[64];
    int rc;

    if (o->version != 1 && o->version != 2 && o->version != SWNG_CLIENT_OPTIONS_VERSION)
        return swng__fail_arg(err, "version",
                          "version is %u in the options; initialise options with SWNG_CLIENT_OPTIONS_INIT",
                          o->version);
    if (!project)
        return swng__fail_arg(err, "project_id",
                          "project_id is required (option or SIGNALWIRE_PROJECT_ID)");
    if (strchr(project, ':'))
        return swng__fail_arg(err, "project_id", "project_id must not contain ':'");
    if (swng__has_ctl(project))
        return swng__fail_arg(err, "project_id", "project_id must not contain control characters");
    if (!token)
        return swng__fail_arg(err, "token", "token is required (option or SIGNALWIRE_API_TOKEN)");
    if (swng__has_ctl(token))
        return swng__fail_arg(err, "token", "token must not contain control characters");
    /* Explicit options win over the environment, and base_url over space. */
    if (!base_url && !space) {
        base_url = pick(NULL, "SIGNALWIRE_REST_BASE_URL");
        if (!base_url) space = pick(NULL, "SIGNALWIRE_SPACE");
    }
    if (!base_url && !space)
        return swng__fail_arg(err, "space",
                          "no space: set space or base_url (or SIGNALWIRE_SPACE / "
                          "SIGNALWIRE_REST_BASE_URL)");
    if ((rc = swng__option_ms(o, "connect_timeout", &c->connect_timeout_ms, err)) != SWNG_OK ||
        (rc = swng__option_ms(o, "timeout", &c->timeout_ms, err)) != SWNG_OK ||
        (rc = swng__option_ms(o, "retry_base", &c->retry_base_ms, err)) != SWNG_OK ||
        (rc = swng__option_ms(o, "retry_max", &c->retry_max_ms, err)) != SWNG_OK)
        return rc;
    /* (Version 1 had no maximum; the one range applies from version 2.) */
    if (o->version != 1 && o->max_retries > SWNG_MAX_RETRIES)
        return swng__fail_arg(err, "max_retries", "max_retries must be a whole number from 0 to %d",
                              SWNG_MAX_RETRIES);
    if (ca_file && access(ca_file, R_OK) != 0)
        return swng__fail_arg(err, "ca_file", "ca_file %s cannot be read", ca_file);
    if ((rc = make_base_url(c, space, base_url, err)) != SWNG_OK) return rc;
    if ((rc = set_proxy(c, pick(o->version >= 3 ? o->proxy : NULL, "SIGNALWIRE_REST_PROXY"),
                        err)) != SWNG_OK)
        return rc;

    c->project_id = swng__strdup(project);
    c->token = swng__strdup(token);
    c->ca_file = ca_file ? swng__strdup(ca_file) : NULL;
    if (!c->project_id || !c->token || (ca_file && !c->ca_file) || !make_secrets(c))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    c->max_retries = o->max_retries;

    /* "Expect:" stops libcurl from waiting for 100-continue. Requests with
     * a body also say what it is. */
    snprintf(ua, sizeof ua, "User-Agent: swng/%s", SWNG_VERSION);
    {
        const char *fixed[] = {"Accept: application/json", "Expect:", ua};
        size_t i;
        if (!(c->headers_body = curl_slist_append(NULL, "Content-Type: application/json")))
            return swng__fail(err, SWNG_ENOMEM, "out of memory");
        for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
            if ((rc = add_header(c, fixed[i], err)) != SWNG_OK) return rc;
    }
    if (o->headers) {
        const char *const *h;
        for (h = o->headers; *h; h++) {
            if ((rc = swng__check_header(*h, err)) != SWNG_OK) return rc;
            if ((rc = add_header(c, *h, err)) != SWNG_OK) return rc;
        }
    }
    return SWNG_OK;
}

/* A share of DNS and TLS sessions between the client's handles. */
static CURLSH *new_share(swng_client *c)
{
    CURLSH *sh = curl_share_init();
    if (!sh) return NULL;
    curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(sh, CURLSHOPT_USERDATA, c);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return sh;
}

/* ---- the process id, without a system call per request. getpid() is
 * read once and kept in a page that the kernel wipes in a child
 * (MADV_WIPEONFORK, Linux 4.14): a child reads 0 and asks again. Where the
 * page cannot be made, getpid() every time. */
static pid_t *pid_page;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void pid_page_init(void)
{
    long size = sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, size > 0 ? (size_t)size : 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    if (madvise(p, size > 0 ? (size_t)size : 4096, MADV_WIPEONFORK) != 0) {
        munmap(p, size > 0 ? (size_t)size : 4096);
        return;
    }
    __atomic_store_n(&pid_page, (pid_t *)p, __ATOMIC_RELEASE);
}

pid_t swng__pid(void)
{
    pid_t *p, v;
    pthread_once(&pid_once, pid_page_init);
    if (!(p = __atomic_load_n(&pid_page, __ATOMIC_ACQUIRE))) return getpid();
    if ((v = __atomic_load_n(p, __ATOMIC_RELAXED)) != 0) return v;
    v = getpid();
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
    return v;
}

/* 1 when this process is not the one whose connections the pool holds
 * (a child after fork()). */
static int forked(const swng_client *c)
{
    return __atomic_load_n(&c->pid, __ATOMIC_ACQUIRE) != swng__pid();
}

/* In a child after fork(): the parent's connections are set aside and the
 * locks (which another parent thread may have held at the fork) are made
 * anew. Only the first call in the child does it. */
static void after_fork(swng_client *c)
{
    static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;
    pid_t now = swng__pid();
    int i;
    pthread_mutex_lock(&fork_lock);
    if (__atomic_load_n(&c->pid, __ATOMIC_ACQUIRE) != now) {
        pthread_mutex_init(&c->pool_lock, NULL);
        for (i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&c->share_locks[i], NULL);
        /* A grandchild sets aside its parent's set too: nothing is freed. */
        c->inherited_pool = c->pool;
        c->inherited_hot = __atomic_exchange_n(&c->hot, NULL, __ATOMIC_ACQ_REL);
        c->inherited_share = c->share;
        c->pool = NULL;
        c->pool_len = c->pool_cap = 0;
        c->share = new_share(c); /* NULL: handles then simply share nothing */
        __atomic_store_n(&c->pid, now, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&fork_lock);
}

int swng_client_new(swng_client **out, const swng_client_options *opts, swng_error **err)
{
    swng_client_options defaults;
    swng_client *c;
    int i, rc;

    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!opts) {
        swng_client_options_init(&defaults);
        opts = &defaults;
    }
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return swng__fail(err, SWNG_ETRANSPORT, "libcurl initialisation failed: %s",
                          curl_easy_strerror(global_rc));

    c = calloc(1, sizeof *c);
    if (!c) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    pthread_mutex_init(&c->pool_lock, NULL);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&c->share_locks[i], NULL);

    rc = configure(c, opts, err);
    if (rc == SWNG_OK) {
        c->share = new_share(c);
        if (!c->share) rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    c->pid = swng__pid();
    if (rc != SWNG_OK) {
        swng_client_free(c);
        return rc;
    }
    *out = c;
    return SWNG_OK;
}

const char *swng_client_base_url(const swng_client *client) { return client ? client->base_url : NULL; }

const char *swng_client_project_id(const swng_client *client)
{
    return client ? client->project_id : NULL;
}

void swng_client_free(swng_client *c)
{
    size_t k;
    int i;
    if (!c) return;
    /* Freed in a child that never called: the handles are the parent's. */
    if (forked(c)) after_fork(c);
    for (k = 0; k < c->pool_len; k++) swng__loop_destroy(c->pool[k]);
    free(c->pool);
    swng__loop_destroy(c->hot);
    if (c->share) curl_share_cleanup(c->share);
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->headers_body);
    free(c->base_url);
    free(c->project_id);
    /* Do not leave the secrets in freed memory (secrets[0] is the token). */
    for (i = 0; i < 3; i++) {
        volatile char *p = c->secrets[i].text;
        if (i == 0) p = c->token;
        if (!p) continue;
        while (*p) *p++ = 0;
        free(i == 0 ? c->token : c->secrets[i].text);
    }
    free(c->proxy);
    free(c->ca_file);
    pthread_mutex_destroy(&c->pool_lock);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&c->share_locks[i]);
    free(c);
}

/* Options that are the same for every request of this client. */
CURL *swng__client_new_handle(swng_client *c)
{
    CURL *h = curl_easy_init();
    if (!h) return NULL;
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->project_id);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->token);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SWNG_MAX_BODY);
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    /* Proxies are explicit (the proxy option) or not at all: "" stops
     * libcurl from reading http_proxy / ALL_PROXY, which would send the
     * Basic credentials of an http:// loopback URL to whoever runs the
     * proxy. The option's proxy is a CONNECT tunnel: TLS stays end to end
     * and is verified against the server, and NO_PROXY has no say. */
    if (c->proxy) {
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy);
        curl_easy_setopt(h, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP);
        curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "");
    } else {
        curl_easy_setopt(h, CURLOPT_PROXY, "");
    }
    if (c->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    swng__handle_callbacks(h);
    return h;
}

void swng__client_check_fork(swng_client *c)
{
    if (forked(c)) after_fork(c);
}

swng_loop *swng__client_take_loop(swng_client *c)
{
    swng_loop *loop;
    if (forked(c)) after_fork(c);
    if ((loop = __atomic_exchange_n(&c->hot, NULL, __ATOMIC_ACQ_REL)) != NULL) return loop;
    pthread_mutex_lock(&c->pool_lock);
    if (c->pool_len > 0) loop = c->pool[--c->pool_len];
    pthread_mutex_unlock(&c->pool_lock);
    return loop;
}

void swng__client_give_loop(swng_client *c, swng_loop *loop)
{
    swng_loop *none = NULL;
    if (__atomic_compare_exchange_n(&c->hot, &none, loop, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&c->pool_lock);
    if (c->pool_len == c->pool_cap && c->pool_cap < MAX_IDLE_LOOPS) {
        size_t cap = c->pool_cap ? c->pool_cap * 2 : 4;
        swng_loop **p = realloc(c->pool, cap * sizeof *p);
        if (p) {
            c->pool = p;
            c->pool_cap = cap;
        }
    }
    if (c->pool_len < c->pool_cap) {
        c->pool[c->pool_len++] = loop;
        loop = NULL;
    }
    pthread_mutex_unlock(&c->pool_lock);
    if (loop) swng__loop_destroy(loop);
}
