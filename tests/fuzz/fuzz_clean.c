/* fuzz_clean.c - libFuzzer target for the cleaning of server texts
 * (core/src/error.c: swng__clean_text, swng__clean_line) and the UTF-8
 * checks they rest on (core/src/validate.c: swng__is_utf8, swng__utf8_char).
 *
 * Input: byte 0 = token length, byte 1 = project id length (& 63), then the
 * token, the project id, and the rest is the server's text. The token and
 * project id are made acceptable to swng_client_new (no control
 * characters, no ':' in the project id), and the secret list is built as
 * make_secrets in core/src/client.c builds it.
 *
 * Checked for several max values, for both functions:
 *  - the result is valid UTF-8 (swng__is_utf8 and the reference below),
 *    at most max bytes, and one C string (its bytes are what was written);
 *  - it is a prefix of the uncut result, cut on a character boundary and
 *    only where the next character would not fit;
 *  - no form of a credential survives: the token as is, fully %-encoded,
 *    as JSON \u escapes, as a JSON string (\\ \" and / or \/),
 *    Base64(project:token) in both alphabets; the uncut result never ends
 *    with a piece of the token that the matcher counts;
 *  - line results hold no C0/C1 control or DEL;
 *  - the same for every text of an error made from the text as a failed
 *    response's body and request id (swng__parse_error_body, then
 *    swng__clean_error as engine.c's attach does);
 *  - without secrets (or when no byte can start one), the result equals a
 *    byte-by-byte reference (U+FFFD for bad bytes and NUL, and for
 *    controls in lines).
 * swng__is_utf8 (an ASCII fast path eight bytes at a time) and
 * swng__utf8_char are compared with the reference on the text itself, and
 * a text that swng__line_is_clean (validate.c) lets the engine keep as it
 * is cleans to itself. */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

/* ------------------------------------------------------------ reference */

/* The length of the valid UTF-8 character at p[0..n), else 0: written from
 * RFC 3629's table, byte ranges per lead byte. */
static size_t ref_char(const unsigned char *p, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t k, i;
    if (n == 0) return 0;
    if (p[0] <= 0x7f) return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) k = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef) k = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4) k = 4;
    else return 0;
    if (p[0] == 0xe0) lo = 0xa0;
    if (p[0] == 0xed) hi = 0x9f;
    if (p[0] == 0xf0) lo = 0x90;
    if (p[0] == 0xf4) hi = 0x8f;
    if (n < k) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (i = 2; i < k; i++)
        if (p[i] < 0x80 || p[i] > 0xbf) return 0;
    return k;
}

static int ref_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0, k;
    while (i < n) {
        if (!(k = ref_char(p + i, n - i))) return 0;
        i += k;
    }
    return 1;
}

static int ref_control(const unsigned char *p, size_t k)
{
    return (k == 1 && (p[0] < 0x20 || p[0] == 0x7f)) || (k == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

/* The cleaning without secrets, uncut: into out (3 * n + 1 bytes). */
static size_t ref_clean(char *out, const unsigned char *s, size_t n, int line)
{
    size_t i = 0, o = 0, k;
    while (i < n) {
        k = s[i] ? ref_char(s + i, n - i) : 0;
        if (k && !(line && ref_control(s + i, k))) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i += k ? k : 1;
        }
    }
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------- secrets */

static char *base64(const unsigned char *s, size_t n, const char *alphabet, int whole_only)
{
    size_t i, o = 0;
    char *out = malloc(n / 3 * 4 + 5);
    if (!out) abort();
    for (i = 0; i + 3 <= n; i += 3) {
        unsigned long v = ((unsigned long)s[i] << 16) | ((unsigned long)s[i + 1] << 8) | s[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (!whole_only && i < n) {
        unsigned long v = (unsigned long)s[i] << 16;
        if (i + 1 < n) v |= (unsigned long)s[i + 1] << 8;
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* "%XX" for every byte. */
static char *percent(const char *s)
{
    size_t n = strlen(s), i;
    char *out = malloc(3 * n + 1);
    if (!out) abort();
    for (i = 0; i < n; i++) snprintf(out + 3 * i, 4, "%%%02X", (unsigned char)s[i]);
    out[3 * n] = '\0';
    return out;
}

/* "\uXXXX" for every character (surrogate pairs above U+FFFF); NULL if s
 * is not valid UTF-8. */
static char *json_escaped(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, o = 0, k;
    char *out;
    if (!ref_utf8(p, n)) return NULL;
    if (!(out = malloc(12 * n + 1))) abort();
    while (i < n) {
        unsigned long cp;
        k = ref_char(p + i, n - i);
        cp = k == 1 ? p[i] : k == 2 ? p[i] & 0x1f : k == 3 ? p[i] & 0x0f : p[i] & 0x07;
        for (size_t j = 1; j < k; j++) cp = (cp << 6) | (p[i + j] & 0x3f);
        if (cp >= 0x10000) {
            o += (size_t)sprintf(out + o, "\\u%04lx\\u%04lx", 0xd800 + ((cp - 0x10000) >> 10),
                                 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            o += (size_t)sprintf(out + o, "\\u%04lx", cp);
        }
        i += k;
    }
    out[o] = '\0';
    return out;
}

/* The token as a JSON encoder writes it in a string: \\ and \", and / as
 * \/ when slash is set. */
static char *json_string(const char *s, int slash)
{
    char *out = malloc(2 * strlen(s) + 1), *o = out;
    if (!out) abort();
    for (; *s; s++) {
        if (*s == '\\' || *s == '"' || (slash && *s == '/')) *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* 1 if form can only be in a result by being in the text: it holds no '*'
 * (the mask), no U+FFFD and no control (the replacements), and is valid
 * UTF-8, so that in a (valid UTF-8) result it starts on a character and
 * cannot be made of a part of a U+FFFD (a token "\xef" is in every U+FFFD). */
static int checkable(const char *form)
{
    const unsigned char *p;
    if (!form || !*form || strchr(form, '*') || strstr(form, "\xef\xbf\xbd") ||
        !ref_utf8((const unsigned char *)form, strlen(form)))
        return 0;
    for (p = (const unsigned char *)form; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)) return 0;
    return 1;
}

/* Code points of the (any) token as next_cp in error.c counts them, for
 * the end-of-text rule: only used for ASCII tokens. */
static void check_tail(const char *out, const char *token)
{
    size_t olen = strlen(out), tlen = strlen(token), k;
    const unsigned char *p;
    for (p = (const unsigned char *)token; *p; p++)
        if (*p >= 0x80) return;
    if (!checkable(token)) return;
    /* A text that ends inside a match of >= 3 characters, or of all but
     * the last, is masked. */
    for (k = 1; k < tlen && k <= olen; k++)
        if ((k >= 3 || k + 1 >= tlen) && memcmp(out + olen - k, token, k) == 0) {
            fprintf(stderr, "fuzz_clean: result ends with %zu bytes of the token\n", k);
            abort();
        }
}

/* ------------------------------------------------------------- checks */

static void check_result(const char *out, size_t max, int line, const char *uncut,
                         char *const *forms, size_t nforms)
{
    size_t n, i, next;
    CHECK(out != NULL);
    n = strlen(out);
    CHECK(n <= max);
    CHECK(swng__is_utf8(out, n));
    CHECK(ref_utf8((const unsigned char *)out, n));
    /* A prefix of the uncut result, cut before a character that would not fit. */
    CHECK(strncmp(out, uncut, n) == 0);
    if (uncut[n]) {
        next = ref_char((const unsigned char *)uncut + n, strlen(uncut + n));
        CHECK(next > 0 && n + next > max);
    }
    if (line)
        for (i = 0; i < n; i += ref_char((const unsigned char *)out + i, n - i))
            CHECK(!ref_control((const unsigned char *)out + i,
                               ref_char((const unsigned char *)out + i, n - i)));
    for (i = 0; i < nforms; i++)
        if (forms[i] && strstr(out, forms[i])) {
            fprintf(stderr, "fuzz_clean: a credential form survived: \"%s\"\n", forms[i]);
            abort();
        }
}

static const size_t max_values[] = {0, 1, 2, 3, 4, 7, 64, (size_t)-1};
#define NMAX (sizeof max_values / sizeof max_values[0])

/* A cleaned line field of an error: as check_result without the prefix
 * rule (the caller's text is not at hand). */
static void check_field(const char *s, size_t max, int line, char *const *forms, size_t nforms)
{
    size_t i, n;
    if (!s) return;
    n = strlen(s);
    CHECK(n <= max && ref_utf8((const unsigned char *)s, n));
    if (line)
        for (i = 0; i < n; i += ref_char((const unsigned char *)s + i, n - i))
            CHECK(!ref_control((const unsigned char *)s + i, ref_char((const unsigned char *)s + i, n - i)));
    for (i = 0; i < nforms; i++) CHECK(!strstr(s, forms[i]));
}

/* The text as a failed response's body and request id, as engine.c's
 * attach treats them: items and message from swng__parse_error_body, then
 * swng__clean_error and the body through swng__clean_text. */
static void check_error(const char *text, size_t len, const struct swng__secret *secrets,
                        char *const *forms, size_t nforms)
{
    swng_error *e = swng__error_new(SWNG_EVALIDATION, "x");
    char *msg;
    size_t i;
    CHECK(e != NULL);
    if ((msg = swng__parse_error_body(e, text, len)) != NULL) {
        free(e->message);
        e->message = msg;
    }
    e->request_id = swng__strndup(text, len);
    swng__clean_error(e, secrets);
    e->body = swng__clean_text(text, len, SWNG_MAX_ERROR_BODY, secrets);
    CHECK(e->message && e->request_id && e->body);
    check_field(e->message, SWNG_MAX_MESSAGE, 1, forms, nforms);
    check_field(e->request_id, SWNG_MAX_HEADERS, 1, forms, nforms);
    check_field(e->body, SWNG_MAX_ERROR_BODY, 0, forms, nforms);
    for (i = 0; i < e->item_count; i++) {
        check_field(e->items[i].detail, SWNG_MAX_ERROR_BODY, 1, forms, nforms);
        check_field(e->items[i].status, SWNG_MAX_ERROR_BODY, 1, forms, nforms);
        check_field(e->items[i].title, SWNG_MAX_ERROR_BODY, 1, forms, nforms);
        check_field(e->items[i].code, SWNG_MAX_ERROR_BODY, 1, forms, nforms);
    }
    swng_error_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char token[256], project[64], *cred, *forms[8], *ref;
    struct swng__secret secrets[4];
    const char *text;
    size_t tlen, plen, len, i, nforms = 0, reflen;
    int line, has_start = 0;

    if (size < 2) return 0;
    tlen = data[0];
    plen = data[1] & 63;
    if (tlen == 0) tlen = 1;
    if (plen == 0) plen = 1; /* both are required, non-empty */
    if (2 + tlen + plen > size) return 0;
    /* As swng_client_new accepts them: no controls, no ':' in the project. */
    for (i = 0; i < tlen; i++) {
        unsigned char c = data[2 + i];
        token[i] = (char)(c < 0x20 ? c | 0x40 : c == 0x7f ? '~' : c);
    }
    token[tlen] = '\0';
    for (i = 0; i < plen; i++) {
        unsigned char c = data[2 + tlen + i];
        project[i] = (char)(c < 0x20 ? c | 0x40 : c == 0x7f || c == ':' ? '~' : c);
    }
    project[plen] = '\0';
    text = (const char *)data + 2 + tlen + plen;
    len = size - 2 - tlen - plen;

    /* The UTF-8 checks against the reference, on the text. */
    CHECK(!swng__is_utf8(text, len) == !ref_utf8((const unsigned char *)text, len));
    for (i = 0; i < len; i++)
        CHECK(swng__utf8_char((const unsigned char *)text + i, len - i) ==
              ref_char((const unsigned char *)text + i, len - i));

    /* The secret list as make_secrets builds it. */
    if (!(cred = malloc(tlen + plen + 2))) abort();
    snprintf(cred, tlen + plen + 2, "%s:%s", project, token);
    secrets[0].text = token;
    secrets[0].b64_tail = 0;
    secrets[1].text = base64((const unsigned char *)cred, strlen(cred), std_alpha, 1);
    secrets[2].text = base64((const unsigned char *)cred, strlen(cred), url_alpha, 1);
    secrets[1].b64_tail = secrets[2].b64_tail = (unsigned char)(strlen(cred) % 3 != 0);
    secrets[3].text = NULL;
    secrets[3].b64_tail = 0;

    /* The forms that must not survive (those that can only come from the text). */
    {
        char *cand[7];
        cand[0] = swng__strdup(token);
        cand[1] = percent(token);
        cand[2] = json_escaped(token);
        cand[3] = base64((const unsigned char *)cred, strlen(cred), std_alpha, 0);
        cand[4] = base64((const unsigned char *)cred, strlen(cred), url_alpha, 0);
        cand[5] = json_string(token, 0);
        cand[6] = json_string(token, 1);
        for (i = 0; i < 7; i++) {
            if (checkable(cand[i])) forms[nforms++] = cand[i];
            else free(cand[i]);
        }
    }

    /* Can a secret start anywhere in the text? */
    for (i = 0; i < len && !has_start; i++) {
        unsigned char c = (unsigned char)text[i];
        has_start = c == '%' || c == '\\' || c == (unsigned char)token[0] ||
                    (secrets[1].text[0] && c == (unsigned char)secrets[1].text[0]) ||
                    (secrets[2].text[0] && c == (unsigned char)secrets[2].text[0]);
    }

    if (!(ref = malloc(3 * len + 1))) abort();
    for (line = 0; line < 2; line++) {
        char *(*fn)(const char *, size_t, size_t, const struct swng__secret *) =
            line ? swng__clean_line : swng__clean_text;
        char *uncut = fn(text, len, (size_t)-1, secrets);
        char *plain = fn(text, len, (size_t)-1, NULL);
        size_t k;
        CHECK(uncut && plain);
        reflen = ref_clean(ref, (const unsigned char *)text, len, line);
        /* Without secrets: exactly the reference. */
        CHECK(strlen(plain) == reflen && memcmp(plain, ref, reflen) == 0);
        if (!has_start) CHECK(strcmp(uncut, plain) == 0);
        check_tail(uncut, token);
        for (k = 0; k < NMAX; k++) {
            char *out = fn(text, len, max_values[k], secrets);
            check_result(out, max_values[k], line, uncut, forms, nforms);
            free(out);
            out = fn(text, len, max_values[k], NULL);
            check_result(out, max_values[k], line, plain, NULL, 0);
            free(out);
        }
        free(uncut);
        free(plain);
    }
    free(ref);
    /* The engine's short cut: a line it keeps as it is would have been
     * cleaned to itself (with the client's secrets and without). */
    {
        char *s = swng__strndup(text, len), *out;
        int as_is;
        CHECK(s);
        as_is = swng__line_is_clean(s, secrets);
        if (as_is) {
            CHECK((out = swng__clean_line(s, strlen(s), SWNG_MAX_HEADERS, secrets)) != NULL);
            CHECK(strcmp(out, s) == 0);
            free(out);
        }
        /* Without secrets it says yes to more, never to less. */
        if (swng__line_is_clean(s, NULL) || as_is) {
            CHECK(swng__line_is_clean(s, NULL));
            CHECK((out = swng__clean_line(s, strlen(s), SWNG_MAX_HEADERS, NULL)) != NULL);
            CHECK(strcmp(out, s) == 0);
            free(out);
        }
        free(s);
    }
    check_error(text, len, secrets, forms, nforms);
    for (i = 0; i < nforms; i++) free(forms[i]);
    free(secrets[1].text);
    free(secrets[2].text);
    free(cred);
    return 0;
}
