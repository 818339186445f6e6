/* error.c - the one error table, and per-call error objects. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by -code, from the one table (status.def); append only. */
static const struct {
    const char *name;
    const char *text;
} status_table[] = {
#define SWNG_STATUS(ENUM, value, name, text, exit, pyclass, pybases, outcome, doc) {name, text},
#include "status.def"
#undef SWNG_STATUS
};

/* The enum in swng.h and the table must agree, row for row: a negative
 * array size stops the build if a value drifts. */
#define SWNG_STATUS(ENUM, value, name, text, exit, pyclass, pybases, outcome, doc) \
    typedef char swng__check_##ENUM[(ENUM == (value)) ? 1 : -1];
#include "status.def"
#undef SWNG_STATUS
typedef char swng__check_last[(SWNG_STATUS_LAST == -(int)(sizeof status_table / sizeof status_table[0]) + 1) ? 1 : -1];

#define STATUS_COUNT (sizeof status_table / sizeof status_table[0])

/* 1 if code is in the table. (Written without negating code: -INT_MIN
 * overflows.) */
static int known_code(int code) { return code <= 0 && code > -(int)STATUS_COUNT; }

const char *swng_strerror(int code)
{
    if (!known_code(code)) return "unknown error";
    return status_table[-code].text;
}

const char *swng_status_name(int code)
{
    if (!known_code(code)) return "unknown";
    return status_table[-code].name;
}

char *swng__strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *swng__strdup(const char *s) { return s ? swng__strndup(s, strlen(s)) : NULL; }

char *swng__vformat(const char *fmt, va_list ap)
{
    va_list again;
    char *s;
    int n;
    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

char *swng__format(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = swng__vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Messages are formatted whole, then made valid UTF-8 and cut on a
 * character boundary (a user's path or host may be neither short nor
 * UTF-8). */
static swng_error *error_vnew(int code, const char *fmt, va_list ap)
{
    swng_error *e = calloc(1, sizeof *e);
    char *raw;
    if (!e) return NULL;
    e->code = code;
    e->retry_after = -1;
    raw = swng__vformat(fmt, ap);
    e->message = raw ? swng__clean_line(raw, strlen(raw), SWNG_MAX_MESSAGE, NULL) : NULL;
    free(raw);
    if (!e->message) {
        free(e);
        return NULL;
    }
    return e;
}

swng_error *swng__error_new(int code, const char *fmt, ...)
{
    va_list ap;
    swng_error *e;
    va_start(ap, fmt);
    e = error_vnew(code, fmt, ap);
    va_end(ap);
    return e;
}

int swng__fail(swng_error **err, int code, const char *fmt, ...)
{
    va_list ap;
    if (!err) return code;
    va_start(ap, fmt);
    *err = error_vnew(code, fmt, ap);
    va_end(ap);
    return code;
}

int swng__fail_arg(swng_error **err, const char *option, const char *fmt, ...)
{
    va_list ap;
    if (!err) return SWNG_EINVAL;
    va_start(ap, fmt);
    *err = error_vnew(SWNG_EINVAL, fmt, ap);
    va_end(ap);
    if (*err) (*err)->option = option;
    return SWNG_EINVAL;
}

/* ------------------------------------------------------ text from outside
 *
 * Every text an error carries goes through swng__clean_text: first the
 * credentials are masked (on the whole text, so that a cut can never leave
 * a piece of one), then invalid UTF-8 becomes U+FFFD, then the text is cut
 * on a character boundary. */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Matches "\uXXXX" for the 16-bit value v at t[0..n): the bytes matched, 0
 * for no match; *partial is set when t ended while it still matched. */
static size_t match_u16(const unsigned char *t, size_t n, unsigned long v, int *partial)
{
    size_t i;
    for (i = 0; i < 6; i++) {
        if (i == n) {
            *partial = 1;
            return 0;
        }
        if (i == 0 ? t[i] != '\\' : i == 1 ? t[i] != 'u'
                                           : hexval(t[i]) != (int)((v >> (4 * (5 - i))) & 0xf))
            return 0;
    }
    return 6;
}

/* Matches one character of a secret (code point cp, UTF-8 bytes u[0..un))
 * in any form a server may echo it in: as is, %-encoded, as a JSON \u
 * escape (a surrogate pair above U+FFFF) or JSON's \/ \" \\. Stores the
 * length of every form that matches in lens and returns how many (0 for
 * none): a '\\' or '%' of the secret matches as is the first byte of its
 * own escapes (\\ \u005c, %25) too, and only the rest of the secret can
 * tell which reading is right. *partial as for match_u16. */
static size_t match_char(const unsigned char *t, size_t n, unsigned long cp,
                         const unsigned char *u, size_t un, int *partial, size_t lens[4])
{
    size_t i, k, nl = 0;
    /* As is. */
    for (i = 0; i < un && i < n && t[i] == u[i]; i++)
        ;
    if (i == un) lens[nl++] = un;
    else if (i == n) *partial = 1;
    /* %XX per byte. */
    for (i = 0, k = 0; i < un; i++, k += 3) {
        size_t j;
        for (j = 0; j < 3; j++) {
            if (k + j == n) {
                *partial = 1;
                break;
            }
            if (j == 0 ? t[k] != '%' : hexval(t[k + j]) != ((u[i] >> (j == 1 ? 4 : 0)) & 0xf))
                break;
        }
        if (j < 3) break;
    }
    if (i == un) lens[nl++] = k;
    /* JSON escapes. */
    if (cp == '/' || cp == '"' || cp == '\\') {
        if (n >= 2 && t[0] == '\\' && t[1] == cp) lens[nl++] = 2;
        if (n == 1 && t[0] == '\\') *partial = 1;
    }
    if (cp < 0x10000) {
        if ((k = match_u16(t, n, cp, partial)) != 0) lens[nl++] = k;
    } else if ((k = match_u16(t, n, 0xd800 + ((cp - 0x10000) >> 10), partial)) != 0 &&
               (i = match_u16(t + k, n - k, 0xdc00 + ((cp - 0x10000) & 0x3ff), partial)) != 0) {
        lens[nl++] = k + i;
    }
    return nl;
}

/* The next code point of the (valid UTF-8) secret at *p; advances *p. */
static unsigned long next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned long cp;
    size_t n, i;
    if (s[0] < 0x80) n = 0, cp = s[0];
    else if ((s[0] & 0xe0) == 0xc0) n = 1, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0) n = 2, cp = s[0] & 0x0f;
    else n = 3, cp = s[0] & 0x07;
    for (i = 1; i <= n && s[i]; i++) cp = (cp << 6) | (s[i] & 0x3f);
    *p = s + i;
    return cp;
}

/* Readings of one text position followed at once (see match_char); a
 * secret and text with more (many '\\' or '%') are masked to the end. */
#define MAX_READINGS 64

/* How many bytes of t[0..n) the secret covers, in any mix of the forms
 * above (the longest reading); 0 if it does not start here. A text that
 * ends inside a match of at least 3 characters (or of the whole secret's,
 * if shorter) counts as a match: a cut-off body must not end with a piece
 * of the token. */
static size_t match_secret(const unsigned char *t, size_t n, const struct swng__secret *sec)
{
    const unsigned char *p = (const unsigned char *)sec->text, *u;
    size_t at[MAX_READINGS], nat = 1, chars = 0, total, ended_at = 0, r, j, q;
    int ended = 0;
    /* Every form starts with the secret's first byte, '%' or '\\': most
     * positions of most texts are rejected here. */
    if (t[0] != p[0] && t[0] != '%' && t[0] != '\\') return 0;
    at[0] = 0;
    while (*p && nat) {
        size_t next[MAX_READINGS], nn = 0, lens[4], nl;
        unsigned long cp;
        u = p;
        cp = next_cp(&p);
        for (r = 0; r < nat; r++) {
            int partial = 0;
            nl = match_char(t + at[r], n - at[r], cp, u, (size_t)(p - u), &partial, lens);
            if (partial) ended = 1, ended_at = chars; /* the deepest reading counts */
            for (j = 0; j < nl; j++) {
                for (q = 0; q < nn && next[q] != at[r] + lens[j]; q++)
                    ;
                if (q < nn) continue;
                if (nn == MAX_READINGS) return n;
                next[nn++] = at[r] + lens[j];
            }
        }
        memcpy(at, next, nn * sizeof at[0]);
        nat = nn;
        chars++;
    }
    if (ended) {
        /* The secret's length matters only where the text ended inside
         * a match: counting it at every position of every text cost
         * ~100k instructions per call (the request id is cleaned). */
        for (p = (const unsigned char *)sec->text, total = 0; *p; total++) next_cp(&p);
        if (ended_at >= 3 || ended_at + 1 >= total) return n;
    }
    if (!nat) return 0;
    for (r = 1; r < nat; r++)
        if (at[r] > at[0]) at[0] = at[r];
    /* Base64 of a credential whose length is not a multiple of 3: the
     * secret is the whole-group prefix; the last group (of the credential,
     * or of a longer text that starts with it) and its padding go too. */
    if (sec->b64_tail) {
        size_t k;
        for (k = 0; k < 4 && at[0] < n; k++) {
            unsigned char c = t[at[0]];
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '+' || c == '/' || c == '-' || c == '_' || c == '=')
                at[0]++;
            else if (c == '\\' && at[0] + 1 < n && t[at[0] + 1] == '/')
                at[0] += 2;
            else
                break;
        }
        while (at[0] < n && t[at[0]] == '=') at[0]++;
    }
    return at[0];
}

/* Masks every secret in s[0..len) into out (which has len + 1 bytes); the
 * result is never longer. Returns its length. */
static size_t redact_into(char *out, const char *s, size_t len, const struct swng__secret *secrets)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        const struct swng__secret *sec;
        size_t m = 0;
        for (sec = secrets; sec && sec->text && !m; sec++)
            if (*sec->text) m = match_secret(t + i, len - i, sec);
        if (m) {
            /* "***", or as many '*' as bytes when a match is shorter. */
            size_t k = m < 3 ? m : 3;
            memset(out + o, '*', k);
            o += k;
            i += m;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return o;
}

/* 1 if the character at p (k bytes, valid UTF-8) is a C0 or C1 control or
 * DEL: what moves a terminal's cursor, retitles its window or worse. */
static int is_control(const unsigned char *p, size_t k)
{
    return (k == 1 && (p[0] < 0x20 || p[0] == 0x7f)) || (k == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

/* 1 when s[0..len) needs no cleaning: printable ASCII only (nothing to
 * replace, any cut is on a character boundary) and no byte that can start
 * a secret in any form (its first byte, '%', '\\'). The usual request id
 * takes this path: it is cleaned on every answer. */
static int plain_ascii(const char *s, size_t len, const struct swng__secret *secrets)
{
    const struct swng__secret *sec;
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '%' || c == '\\') return 0;
        for (sec = secrets; sec && sec->text; sec++)
            if (c == (unsigned char)sec->text[0]) return 0;
    }
    return 1;
}

/* swng__clean_text; `line`: controls are replaced as well. */
static char *clean(const char *s, size_t len, size_t max, const struct swng__secret *secrets,
                   int line)
{
    char *red, *out;
    size_t rlen, i, o = 0, cap;
    if (!s) return NULL;
    if (plain_ascii(s, len, secrets)) return swng__strndup(s, len < max ? len : max);
    if (!(red = malloc(len + 1))) return NULL;
    rlen = redact_into(red, s, len, secrets);
    /* Each byte becomes at most 3 (U+FFFD). */
    cap = rlen < max / 3 ? rlen * 3 : max;
    if (!(out = malloc(cap + 1))) {
        free(red);
        return NULL;
    }
    for (i = 0; i < rlen;) {
        /* NUL is replaced too: a text is one C string. */
        size_t k = red[i] ? swng__utf8_char((const unsigned char *)red + i, rlen - i) : 0;
        if (k && line && is_control((const unsigned char *)red + i, k)) {
            if (o + 3 > cap) break;
            memcpy(out + o, "\xef\xbf\xbd", 3);
            i += k;
            k = 3;
        } else if (k) {
            if (o + k > cap) break; /* cut before a character, never inside */
            memcpy(out + o, red + i, k);
            i += k;
        } else {
            if (o + 3 > cap) break;
            memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD for each bad byte */
            k = 3;
            i++;
        }
        o += k;
    }
    out[o] = '\0';
    free(red);
    return out;
}

char *swng__clean_text(const char *s, size_t len, size_t max, const struct swng__secret *secrets)
{
    return clean(s, len, max, secrets, 0);
}

char *swng__clean_line(const char *s, size_t len, size_t max, const struct swng__secret *secrets)
{
    return clean(s, len, max, secrets, 1);
}

void swng__redact(char *s, const char *secret)
{
    struct swng__secret one[2];
    char *tmp;
    size_t n;
    if (!s || !secret || !*secret) return;
    one[0].text = (char *)secret;
    one[0].b64_tail = 0;
    one[1].text = NULL;
    n = strlen(s);
    /* The result is never longer, so it fits in place. */
    if (!(tmp = malloc(n + 1))) {
        memset(s, '*', n); /* never leave a secret behind */
        return;
    }
    redact_into(tmp, s, n, one);
    memcpy(s, tmp, strlen(tmp) + 1);
    free(tmp);
}

/* Replaces *p by its cleaned form; on allocation failure the text is
 * dropped rather than kept unmasked. */
static void clean_field(char **p, size_t max, const struct swng__secret *secrets, int line)
{
    char *c;
    if (!*p) return;
    c = clean(*p, strlen(*p), max, secrets, line);
    free(*p);
    *p = c;
}

void swng__clean_error(swng_error *e, const struct swng__secret *secrets)
{
    size_t i;
    clean_field(&e->message, SWNG_MAX_MESSAGE, secrets, 1);
    clean_field(&e->body, SWNG_MAX_ERROR_BODY, secrets, 0);
    clean_field(&e->request_id, SWNG_MAX_HEADERS, secrets, 1);
    for (i = 0; i < e->item_count; i++) {
        clean_field(&e->items[i].detail, SWNG_MAX_ERROR_BODY, secrets, 1);
        clean_field(&e->items[i].status, SWNG_MAX_ERROR_BODY, secrets, 1);
        clean_field(&e->items[i].title, SWNG_MAX_ERROR_BODY, secrets, 1);
        clean_field(&e->items[i].code, SWNG_MAX_ERROR_BODY, secrets, 1);
    }
}

const char *swng_error_option(const swng_error *err) { return err ? err->option : NULL; }

int swng_error_code(const swng_error *err) { return err ? err->code : SWNG_OK; }

int swng_error_duplicate_of(const swng_error *err, size_t *index)
{
    if (!err || !err->duplicate_of) return 0;
    if (index) *index = err->duplicate_of - 1;
    return 1;
}

const char *swng_error_code_name(const swng_error *err)
{
    return swng_status_name(swng_error_code(err));
}

const char *swng_error_message(const swng_error *err)
{
    return err && err->message ? err->message : "";
}

long swng_error_http_status(const swng_error *err) { return err ? err->http_status : 0; }

const char *swng_error_request_id(const swng_error *err) { return err ? err->request_id : NULL; }

const char *swng_error_body(const swng_error *err) { return err ? err->body : NULL; }

long swng_error_retry_after(const swng_error *err) { return err ? err->retry_after : -1; }

size_t swng_error_item_count(const swng_error *err) { return err ? err->item_count : 0; }

static const struct swng_error_item *item_at(const swng_error *err, size_t i)
{
    return err && i < err->item_count ? &err->items[i] : NULL;
}

const char *swng_error_item_detail(const swng_error *err, size_t i)
{
    const struct swng_error_item *it = item_at(err, i);
    return it ? it->detail : NULL;
}

const char *swng_error_item_status(const swng_error *err, size_t i)
{
    const struct swng_error_item *it = item_at(err, i);
    return it ? it->status : NULL;
}

const char *swng_error_item_title(const swng_error *err, size_t i)
{
    const struct swng_error_item *it = item_at(err, i);
    return it ? it->title : NULL;
}

const char *swng_error_item_code(const swng_error *err, size_t i)
{
    const struct swng_error_item *it = item_at(err, i);
    return it ? it->code : NULL;
}

void swng_error_free(swng_error *err)
{
    size_t i;
    if (!err) return;
    for (i = 0; i < err->item_count; i++) {
        free(err->items[i].detail);
        free(err->items[i].status);
        free(err->items[i].title);
        free(err->items[i].code);
    }
    free(err->items);
    free(err->message);
    free(err->request_id);
    free(err->body);
    free(err);
}
