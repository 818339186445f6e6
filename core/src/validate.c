/* validate.c - argument checks done before anything is sent. */
#include "internal.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>
#include <strings.h>

uint64_t swng__hash(const char *s, size_t n, int fold)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (fold && ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch - 'A' + 'a');
        h = (h ^ ch) * 1099511628211ULL;
    }
    return h ? h : 1;
}

/* 1 for the hexadecimal digits (both cases). */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1};

int swng__is_uuid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (!s || len != 36) return 0;
    unsigned ok;
    if (u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-') return 0;
    /* The 32 digits ANDed, written out: no loop counter, no branch per byte
     * (three UUIDs per call: the two arguments and the answer's id). */
#define H4(k) (hex_digit[u[k]] & hex_digit[u[k + 1]] & hex_digit[u[k + 2]] & hex_digit[u[k + 3]])
    ok = H4(0) & H4(4) & H4(9) & H4(14) & H4(19) & H4(24) & H4(28) & H4(32);
#undef H4
    return (int)ok;
}

int swng__check_uuid(const char *what, const char *s, size_t len, swng_error **err)
{
    /* A UUID has none of the faults below: the common case, checked once. */
    if (swng__is_uuid(s, len)) return SWNG_OK;
    /* The specific reasons come first so that the message says what is
     * wrong, not only that the value is not a UUID. */
    if (!s) return swng__fail(err, SWNG_EINVAL, "%s must not be NULL", what);
    if (len == 0) return swng__fail(err, SWNG_EINVAL, "%s must not be empty", what);
    if (memchr(s, '\0', len))
        return swng__fail(err, SWNG_EINVAL, "%s must not contain a NUL byte", what);
    if (memchr(s, '\r', len) || memchr(s, '\n', len))
        return swng__fail(err, SWNG_EINVAL, "%s must not contain CR or LF", what);
    if (memchr(s, '/', len) || memchr(s, '?', len) || memchr(s, '#', len))
        return swng__fail(err, SWNG_EINVAL, "%s must not contain '/', '?' or '#'", what);
    if (!swng__is_uuid(s, len))
        return swng__fail(err, SWNG_EINVAL,
                          "%s must be a UUID (8-4-4-4-12 hexadecimal digits)", what);
    return SWNG_OK;
}

int swng__has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

/* 1 if s is exactly a dotted quad in canonical decimal (what libcurl's URL
 * parser makes of 127.1, 0x7f.1 or 0177.0.0.1) whose first byte is 127. Signs,
 * leading zeros, octal, hex, short forms, spaces and a trailing dot are
 * refused: such a host may not mean what it seems to (an older libcurl
 * passes it on to the resolver as a name). */
static int is_loopback_ipv4(const char *s)
{
    unsigned v[4];
    int part;
    for (part = 0; part < 4; part++) {
        size_t k = 0;
        v[part] = 0;
        while (s[k] >= '0' && s[k] <= '9' && k < 4) v[part] = v[part] * 10 + (unsigned)(s[k++] - '0');
        if (k == 0 || k > 3 || (k > 1 && s[0] == '0') || v[part] > 255) return 0;
        s += k;
        if (part < 3 && *s++ != '.') return 0;
    }
    return *s == '\0' && v[0] == 127;
}

int swng__is_loopback_host(const char *host)
{
    char buf[64];
    unsigned char a[16];
    size_t n;
    if (!host) return 0;
    /* The name itself: no trailing dot, no subdomains. */
    if (strcasecmp(host, "localhost") == 0) return 1;
    if (is_loopback_ipv4(host)) return 1;
    /* ::1 in any form inet_pton reads ([::1], [0:0:0:0:0:0:0:1], ...). */
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, host, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, a) != 1) return 0;
    return memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
}

size_t swng__utf8_char(const unsigned char *p, size_t n)
{
    unsigned long cp;
    size_t k, i;
    if (n == 0) return 0;
    if (p[0] < 0x80) return 1;
    if ((p[0] & 0xe0) == 0xc0) k = 1, cp = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0) k = 2, cp = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0) k = 3, cp = p[0] & 0x07;
    else return 0;
    if (n <= k) return 0;
    for (i = 1; i <= k; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return k + 1;
}

int swng__is_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t k;
        if (*p < 0x80) {
            /* ASCII runs (most of a JSON body): eight bytes at a time. */
            uint64_t w;
            p++;
            while (end - p >= 8) {
                memcpy(&w, p, 8);
                if (w & UINT64_C(0x8080808080808080)) break;
                p += 8;
            }
            continue;
        }
        if (!(k = swng__utf8_char(p, (size_t)(end - p)))) return 0;
        p += k;
    }
    return 1;
}

int swng__line_is_clean(const char *s, const struct swng__secret *secrets)
{
    /* Bit ch: ch (below 0x80) may not stay as it is. C0 controls and DEL. */
    uint64_t bad[2] = {UINT64_C(0xffffffff), UINT64_C(1) << 63};
    const struct swng__secret *sec;
    size_t i;
    bad['%' >> 6] |= UINT64_C(1) << ('%' & 63);
    bad['\\' >> 6] |= UINT64_C(1) << ('\\' & 63);
    for (sec = secrets; sec && sec->text; sec++) {
        unsigned char first = (unsigned char)sec->text[0];
        if (first < 0x80) bad[first >> 6] |= UINT64_C(1) << (first & 63);
    }
    for (i = 0; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch > 0x7e || ((bad[ch >> 6] >> (ch & 63)) & 1)) return 0;
    }
    return i <= SWNG_MAX_HEADERS;
}

static int is_tchar(unsigned char c)
{
    /* RFC 9110 token characters. */
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

int swng__check_header(const char *h, swng_error **err)
{
    static const char *const reserved[] = {"Authorization", "Content-Type", "Content-Length",
                                           "Host"};
    const char *colon, *v;
    size_t n, i;
    if (!h) return swng__fail_arg(err, "headers", "headers: an entry is NULL");
    if (strchr(h, '\r') || strchr(h, '\n'))
        return swng__fail_arg(err, "headers", "headers: CR or LF is not allowed in a header");
    colon = strchr(h, ':');
    if (!colon || colon == h)
        return swng__fail_arg(err, "headers", "headers: each entry must be \"Name: value\"");
    n = (size_t)(colon - h);
    for (i = 0; i < n; i++)
        if (!is_tchar((unsigned char)h[i]))
            return swng__fail_arg(err, "headers", "headers: invalid character in a header name");
    for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strlen(reserved[i]) == n && strncasecmp(h, reserved[i], n) == 0)
            return swng__fail_arg(err, "headers", "headers: %s is set by swng and cannot be overridden",
                              reserved[i]);
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
        ;
    /* libcurl reads "Name:" with no value as "remove this header". */
    if (!*v) return swng__fail_arg(err, "headers", "headers: a header value must not be empty");
    for (; *v; v++)
        if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
            return swng__fail_arg(err, "headers", "headers: control character in a header value");
    return SWNG_OK;
}
