/* fast_space.c - a fast bench server for bench/bulk.py: just the bulk add.
 *
 *   fast_space PROJECT_ID TOKEN GROUP_ID NUMBERS_FILE [PORT]
 *
 * One process, one thread, epoll, HTTP/1.1 keep-alive on 127.0.0.1 (PORT 0
 * or none: a free port). Prints the port on one line once it listens, then
 * serves until SIGTERM/SIGINT.
 *
 * It answers what a bulk add of memberships needs, as the emulated space
 * (tests/space/space.py) answers it, with the same JSON (key order and
 * separators of Python's json.dumps):
 *
 *   POST /api/relay/rest/number_groups/{GROUP_ID}/number_group_memberships
 *        body {"phone_number_id": "<uuid>"}, Basic auth PROJECT_ID:TOKEN
 *     200  {"id": <fresh uuid4>, "number_group_id": <group>, "phone_number":
 *           {"id", "name", "number", "capabilities"}, "created_at", "updated_at"}
 *     422  already_member (the number is already in the group: the space's
 *          answer; bulk.py sends distinct ids, so none should occur),
 *          phone_number_not_found, invalid_parameter, missing_parameter
 *     401  bad or missing credentials; 404 another group
 *   GET  /api/relay/rest/number_groups/{GROUP_ID}   the group (for a CLI that
 *        checks the group first)
 *   GET  /__stats   {"requests", "posts", "posts_200", "gets", "other",
 *                    "non_200", "connections", "members"} since the last reset,
 *                   "accepted" connections and "cpu_us" (the server's own
 *                   CPU time, getrusage) since it started
 *   POST /__reset   counters and memberships back to zero
 *
 * NUMBERS_FILE: one phone number a line, tab-separated: id, then the
 * "number", "name" and "capabilities" values already JSON-encoded
 * (bench/bulk.py writes it from the same generated fixture the emulated
 * space loads). Only the group GROUP_ID exists.
 *
 * Partial reads and writes are handled (a request may arrive in pieces, an
 * answer may need several writes); pipelined requests are answered in order.
 * Bodies must carry Content-Length (chunked is refused with 501). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST (1 << 20)
#define API "/api/relay/rest"

struct number {
    char id[37];     /* lower case */
    char *json;      /* the membership's phone_number object */
    int member;      /* in the group */
};

struct conn {
    int fd;
    int want_out;                 /* EPOLLOUT registered */
    int closing;                  /* close once `out` is written */
    unsigned long epoch;          /* the reset epoch it last posted in */
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_off, out_cap;
};

static const char *project_id, *token;
static char group_id[37];
static char expected_auth[512];
static struct number *numbers;
static size_t nnumbers;
static size_t *table; /* open addressing: index + 1, 0 = empty */
static size_t table_mask;
static size_t members;

static struct {
    unsigned long requests, posts, posts_200, gets, other, non_200, connections, accepted;
} st;
static unsigned long epoch = 1;

static struct conn **conns;
static int nconns;
static int epfd;
static volatile sig_atomic_t stop;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fast_space: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    if (!(p = realloc(p, n))) die("out of memory");
    return p;
}

/* ---------------------------------------------------------------- ids */

static uint64_t hash36(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    int i;
    for (i = 0; i < 36; i++) h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 1099511628211ULL;
    return h;
}

static int is_uuid(const char *s, size_t n)
{
    size_t i;
    if (n != 36) return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static struct number *find_number(const char *id)
{
    size_t i = hash36(id) & table_mask;
    while (table[i]) {
        struct number *n = &numbers[table[i] - 1];
        if (strncasecmp(n->id, id, 36) == 0) return n;
        i = (i + 1) & table_mask;
    }
    return NULL;
}

static void load_numbers(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, size, i;
    ssize_t got;
    if (!f) die("cannot read %s", path);
    while ((got = getline(&line, &cap, f)) > 0) {
        char *fields[4], *p = line;
        struct number *n;
        int k;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (!got) continue;
        for (k = 0; k < 4; k++) {
            fields[k] = p;
            p = strchr(p, '\t');
            if (k < 3) {
                if (!p) die("%s: want 4 tab-separated fields: %s", path, line);
                *p++ = '\0';
            }
        }
        if (!is_uuid(fields[0], strlen(fields[0]))) die("%s: not a uuid: %s", path, fields[0]);
        numbers = xrealloc(numbers, (nnumbers + 1) * sizeof *numbers);
        n = &numbers[nnumbers++];
        for (k = 0; k < 36; k++) n->id[k] = (char)tolower((unsigned char)fields[0][k]);
        n->id[36] = '\0';
        n->member = 0;
        if (asprintf(&n->json, "{\"id\": \"%s\", \"name\": %s, \"number\": %s, \"capabilities\": %s}",
                     n->id, fields[2], fields[1], fields[3]) < 0)
            die("out of memory");
    }
    free(line);
    fclose(f);
    size = 16;
    while (size < nnumbers * 2) size *= 2;
    table = calloc(size, sizeof *table);
    if (!table) die("out of memory");
    table_mask = size - 1;
    for (i = 0; i < nnumbers; i++) {
        size_t h = hash36(numbers[i].id) & table_mask;
        while (table[h]) {
            if (strcmp(numbers[table[h] - 1].id, numbers[i].id) == 0)
                die("%s: id twice: %s", path, numbers[i].id);
            h = (h + 1) & table_mask;
        }
        table[h] = i + 1;
    }
}

/* ---------------------------------------------------------------- bits */

static uint64_t rng[2];

static uint64_t next_random(void)
{
    uint64_t s1 = rng[0];
    const uint64_t s0 = rng[1];
    rng[0] = s0;
    s1 ^= s1 << 23;
    rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return rng[1] + s0;
}

/* A fresh version 4 UUID, lower case, 36 characters plus NUL. */
static void uuid4(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t a = next_random(), c = next_random();
    int i, j = 0;
    memcpy(b, &a, 8);
    memcpy(b + 8, &c, 8);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
        out[j++] = hex[b[i] >> 4];
        out[j++] = hex[b[i] & 15];
    }
    out[j] = '\0';
}

/* ISO-8601 UTC to the second (2026-11-26T06:40:01Z) and the HTTP Date,
 * formatted once per second. */
static char now_iso[32], now_http[64];

static void update_clock(void)
{
    static time_t last;
    time_t t = time(NULL);
    struct tm tm;
    if (t == last) return;
    last = t;
    gmtime_r(&t, &tm);
    strftime(now_iso, sizeof now_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(now_http, sizeof now_http, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void b64(const char *in, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), i;
    const unsigned char *s = (const unsigned char *)in;
    for (i = 0; i + 2 < n; i += 3) {
        *out++ = t[s[i] >> 2];
        *out++ = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *out++ = t[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        *out++ = t[s[i + 2] & 63];
    }
    if (n - i == 1) {
        *out++ = t[s[i] >> 2];
        *out++ = t[(s[i] & 3) << 4];
        *out++ = '=';
        *out++ = '=';
    } else if (n - i == 2) {
        *out++ = t[s[i] >> 2];
        *out++ = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *out++ = t[(s[i + 1] & 15) << 2];
        *out++ = '=';
    }
    *out = '\0';
}

/* ------------------------------------------------------------ answers */

static void out_append(struct conn *c, const char *p, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        c->out = xrealloc(c->out, cap);
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 501: return "Not Implemented";
    default: return "Error";
    }
}

static void respond(struct conn *c, int status, const char *body, int api)
{
    char head[512], rid[37];
    size_t blen = strlen(body);
    int n;
    uuid4(rid);
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nServer: swng-fast-space/1.0\r\nDate: %s\r\n"
                 "X-Request-Id: %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                 "Content-Length: %zu\r\n%s%s\r\n",
                 status, reason(status), now_http, rid, blen,
                 status == 401 ? "WWW-Authenticate: Basic realm=\"SignalWire\"\r\n" : "",
                 c->closing ? "Connection: close\r\n" : "");
    out_append(c, head, (size_t)n);
    out_append(c, body, blen);
    if (api && status != 200) st.non_200++;
}

static void respond_422(struct conn *c, const char *code, const char *title, const char *detail)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"errors\": [{\"detail\": \"%s\", \"status\": \"422\", \"title\": \"%s\", "
             "\"code\": \"%s\"}]}",
             detail, title, code);
    respond(c, 422, body, 1);
}

static int authorized(const char *auth, size_t n)
{
    size_t want = strlen(expected_auth);
    while (n && (*auth == ' ' || *auth == '\t')) auth++, n--;
    while (n && (auth[n - 1] == ' ' || auth[n - 1] == '\t')) n--;
    return n == want && strncasecmp(auth, "Basic ", 6) == 0 &&
           memcmp(auth + 6, expected_auth + 6, want - 6) == 0;
}

static void add_membership(struct conn *c, const char *gid, const char *body, size_t blen)
{
    cJSON *json = cJSON_ParseWithLength(body, blen), *v;
    const char *pid;
    struct number *n;
    char mid[37], detail[256];
    char *answer;
    if (!json || !cJSON_IsObject(json)) {
        cJSON_Delete(json);
        respond_422(c, "invalid_body", "Invalid body", "The body must be a JSON object.");
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(json, "phone_number_id");
    if (!v) {
        cJSON_Delete(json);
        respond_422(c, "missing_parameter", "Missing parameter", "phone_number_id is required.");
        return;
    }
    pid = cJSON_IsString(v) ? v->valuestring : NULL;
    if (!pid || !is_uuid(pid, strlen(pid))) {
        cJSON_Delete(json);
        respond_422(c, "invalid_parameter", "Invalid parameter", "phone_number_id must be a UUID.");
        return;
    }
    n = find_number(pid);
    if (!n) {
        snprintf(detail, sizeof detail, "No phone number with id %s exists in this project.", pid);
        cJSON_Delete(json);
        respond_422(c, "phone_number_not_found", "Phone number not found", detail);
        return;
    }
    cJSON_Delete(json);
    if (n->member) {
        snprintf(detail, sizeof detail,
                 "Phone number %s is already a member of number group %s.", n->id, gid);
        respond_422(c, "already_member", "Phone number already in group", detail);
        return;
    }
    n->member = 1;
    members++;
    uuid4(mid);
    if (asprintf(&answer,
                 "{\"id\": \"%s\", \"number_group_id\": \"%s\", \"phone_number\": %s, "
                 "\"created_at\": \"%s\", \"updated_at\": \"%s\"}",
                 mid, gid, n->json, now_iso, now_iso) < 0)
        die("out of memory");
    respond(c, 200, answer, 1);
    free(answer);
    st.posts_200++;
}

/* Handles one complete request: the head (request line and headers, NUL
 * terminated in place) and its body. */
static void handle(struct conn *c, char *method, char *target, const char *auth, size_t auth_len,
                   const char *body, size_t blen)
{
    static const char members_tail[] = "/number_group_memberships";
    char *q = strchr(target, '?'), gid[37];
    size_t tlen, plen = sizeof API "/number_groups/" - 1;
    int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
    if (q) *q = '\0';
    tlen = strlen(target);
    if (strcmp(target, "/__stats") == 0 && get) {
        char s[512];
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        snprintf(s, sizeof s,
                 "{\"requests\": %lu, \"posts\": %lu, \"posts_200\": %lu, \"gets\": %lu, "
                 "\"other\": %lu, \"non_200\": %lu, \"connections\": %lu, \"accepted\": %lu, "
                 "\"members\": %zu, \"cpu_us\": %.0f}",
                 st.requests, st.posts, st.posts_200, st.gets, st.other, st.non_200,
                 st.connections, st.accepted, members,
                 (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
        respond(c, 200, s, 0);
        return;
    }
    if (strcmp(target, "/__reset") == 0 && post) {
        size_t i;
        unsigned long accepted = st.accepted;
        memset(&st, 0, sizeof st);
        st.accepted = accepted;
        epoch++;
        for (i = 0; i < nnumbers; i++) numbers[i].member = 0;
        members = 0;
        respond(c, 200, "{}", 0);
        return;
    }
    st.requests++;
    if (post) st.posts++;
    else if (get) st.gets++;
    else st.other++;
    if (c->epoch != epoch) {
        c->epoch = epoch;
        st.connections++;
    }
    if (!authorized(auth, auth_len)) {
        respond(c, 401, "{\"error\": \"Unauthorized\"}", 1);
        return;
    }
    if (strncmp(target, API "/number_groups/", plen) != 0 || !is_uuid(target + plen, tlen >= plen + 36 ? 36 : 0)) {
        respond(c, 404, "{\"error\": \"Not Found\"}", 1);
        return;
    }
    memcpy(gid, target + plen, 36);
    gid[36] = '\0';
    for (int i = 0; i < 36; i++) gid[i] = (char)tolower((unsigned char)gid[i]);
    if (strcmp(gid, group_id) != 0) {
        respond(c, 404, "{\"error\": \"Not Found\"}", 1);
        return;
    }
    if (tlen == plen + 36) {
        char g[512];
        if (!get) {
            respond(c, 405, "{\"error\": \"Method Not Allowed\"}", 1);
            return;
        }
        snprintf(g, sizeof g,
                 "{\"id\": \"%s\", \"name\": \"Bench group\", \"sticky_sender\": false, "
                 "\"phone_number_count\": %zu, \"created_at\": \"2024-01-15T10:30:00Z\", "
                 "\"updated_at\": \"2024-01-15T10:30:00Z\"}",
                 gid, members);
        respond(c, 200, g, 1);
        return;
    }
    if (strcmp(target + plen + 36, members_tail) != 0) {
        respond(c, 404, "{\"error\": \"Not Found\"}", 1);
        return;
    }
    if (!post) {
        respond(c, 405, "{\"error\": \"Method Not Allowed\"}", 1);
        return;
    }
    add_membership(c, gid, body, blen);
}

/* The Content-Length of a head (from "\r\n" after the request line to
 * the blank line), without changing it: -1 if none, -2 if chunked. */
static long peek_length(const char *head, size_t n)
{
    const char *p = head, *end = head + n;
    long len = -1;
    while ((p = memmem(p, (size_t)(end - p), "\r\n", 2)) != NULL) {
        p += 2;
        if ((size_t)(end - p) > 15 && strncasecmp(p, "content-length:", 15) == 0)
            len = strtol(p + 15, NULL, 10);
        else if ((size_t)(end - p) > 18 && strncasecmp(p, "transfer-encoding:", 18) == 0)
            return -2;
    }
    return len;
}

/* Parses and answers every complete request in c->in, then drops them
 * from it; an incomplete one stays, untouched, for the next read. */
static void serve(struct conn *c)
{
    size_t used = 0;
    while (!c->closing) {
        char *start = c->in + used, *end, *method, *target, *version, *p;
        size_t avail = c->in_len - used, head_len;
        long clen;
        const char *auth = "";
        size_t auth_len = 0;
        int close_after = 0;
        end = memmem(start, avail, "\r\n\r\n", 4);
        if (!end) {
            if (avail > MAX_REQUEST) {
                c->closing = 1;
                respond(c, 413, "{\"error\": \"Request head too large\"}", 1);
            }
            break;
        }
        head_len = (size_t)(end - start) + 4;
        clen = peek_length(start, head_len - 2);
        if (clen == -2) {
            c->closing = 1;
            respond(c, 501, "{\"error\": \"chunked bodies are not supported\"}", 1);
            break;
        }
        if (clen < 0) clen = 0;
        if (clen > MAX_REQUEST) {
            c->closing = 1;
            respond(c, 413, "{\"error\": \"Body too large\"}", 1);
            break;
        }
        if (avail - head_len < (size_t)clen) {
            /* wait for the body; a client that waits for 100 Continue gets it */
            if (avail == head_len && strcasestr(start, "\r\nexpect: 100-continue"))
                out_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            break;
        }
        /* complete: parse the head in place */
        *end = '\0';
        p = strstr(start, "\r\n");
        if (p) *p = '\0';
        method = start;
        target = strchr(method, ' ');
        version = target ? strchr(target + 1, ' ') : NULL;
        if (!target || !version) {
            c->closing = 1;
            respond(c, 400, "{\"error\": \"Bad request line\"}", 1);
            break;
        }
        *target++ = '\0';
        *version++ = '\0';
        if (strcmp(version, "HTTP/1.1") != 0) close_after = 1;
        while (p) {
            char *name = p + 2, *colon, *value;
            p = strstr(name, "\r\n");
            if (p) *p = '\0';
            if (!(colon = strchr(name, ':'))) continue;
            *colon = '\0';
            value = colon + 1;
            while (*value == ' ' || *value == '\t') value++;
            if (strcasecmp(name, "authorization") == 0) {
                auth = value;
                auth_len = strlen(value);
            } else if (strcasecmp(name, "connection") == 0 && strcasestr(value, "close")) {
                close_after = 1;
            }
        }
        c->closing = close_after;
        handle(c, method, target, auth, auth_len, start + head_len, (size_t)clen);
        used += head_len + (size_t)clen;
    }
    if (used) {
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
    }
}

/* ------------------------------------------------------------ the loop */

static void conn_close(struct conn *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c->in);
    free(c->out);
    free(c);
}

/* Writes what it can; returns -1 when the connection is to be closed. */
static int flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (c->closing) return -1;
    }
    if ((c->out_len != 0) != c->want_out) {
        struct epoll_event ev = {0};
        c->want_out = c->out_len != 0;
        ev.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0);
        ev.data.ptr = c;
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

static void on_readable(struct conn *c)
{
    for (;;) {
        ssize_t n;
        if (c->in_cap - c->in_len < 4096) {
            c->in_cap = c->in_cap ? c->in_cap * 2 : 16384;
            c->in = xrealloc(c->in, c->in_cap + 1);
        }
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n == 0) { /* the client closed: answer nothing more */
            conn_close(c);
            return;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            conn_close(c);
            return;
        }
        c->in_len += (size_t)n;
        if (c->in_cap - c->in_len > 0) break; /* short read: drained (level-triggered anyway) */
    }
    c->in[c->in_len] = '\0';
    serve(c);
    if (flush_out(c) < 0) conn_close(c);
}

static void on_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
        struct epoll_event ev = {0};
        struct conn *c;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN, or out of fds: try again on the next event */
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fd >= nconns) {
            int n = nconns ? nconns : 64;
            while (n <= fd) n *= 2;
            conns = xrealloc(conns, (size_t)n * sizeof *conns);
            memset(conns + nconns, 0, (size_t)(n - nconns) * sizeof *conns);
            nconns = n;
        }
        if (!(c = calloc(1, sizeof *c))) die("out of memory");
        c->fd = fd;
        conns[fd] = c;
        st.accepted++;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) conn_close(c);
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr = {0};
    socklen_t alen = sizeof addr;
    struct epoll_event evs[64], ev = {0};
    struct sigaction sa = {0};
    char userpass[512];
    int lfd, one = 1, i;
    static int listen_tag;

    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s PROJECT_ID TOKEN GROUP_ID NUMBERS_FILE [PORT]\n", argv[0]);
        return 2;
    }
    project_id = argv[1];
    token = argv[2];
    if (!is_uuid(argv[3], strlen(argv[3]))) die("GROUP_ID is not a uuid");
    for (i = 0; i < 36; i++) group_id[i] = (char)tolower((unsigned char)argv[3][i]);
    if (snprintf(userpass, sizeof userpass, "%s:%s", project_id, token) >= (int)sizeof userpass / 4 * 3 - 8)
        die("credentials too long");
    memcpy(expected_auth, "Basic ", 6);
    b64(userpass, expected_auth + 6);
    load_numbers(argv[4]);
    rng[0] = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    rng[1] = 0x2545F4914F6CDD1DULL ^ (uint64_t)clock();
    update_clock();

    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) die("socket: %s", strerror(errno));
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)(argc == 6 ? atoi(argv[5]) : 0));
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind: %s", strerror(errno));
    if (listen(lfd, 1024) < 0) die("listen: %s", strerror(errno));
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll: %s", strerror(errno));
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_tag;
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    while (!stop) {
        int n = epoll_wait(epfd, evs, 64, 1000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait: %s", strerror(errno));
        }
        update_clock();
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (evs[i].data.ptr == &listen_tag) {
                on_accept(lfd);
                continue;
            }
            if (evs[i].events & EPOLLOUT) {
                if (flush_out(c) < 0) {
                    conn_close(c);
                    continue;
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }
    for (i = 0; i < nconns; i++)
        if (conns[i]) conn_close(conns[i]);
    close(lfd);
    close(epfd);
    for (size_t k = 0; k < nnumbers; k++) free(numbers[k].json);
    free(numbers);
    free(table);
    free(conns);
    return 0;
}
