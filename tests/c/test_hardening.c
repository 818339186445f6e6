/* test_hardening.c - what a hostile server, a hostile environment and
 * extreme settings must not do (issue 11), against the emulated space,
 * linked from the core's objects so that the text cleaner and the backoff
 * can also be called directly:
 *
 *  secret_*        the token and Base64(project:token) never leave in any
 *                  form: not cut into pieces by a limit (message, 64 KiB
 *                  body), not JSON-escaped, not %-encoded, not as Base64 or
 *                  "Basic ...", not in items or the request id.
 *  utf8_*          every text an error carries is valid UTF-8, cut on a
 *                  character boundary, invalid bytes replaced (U+FFFD).
 *  strict_*        2xx bodies with a raw NUL, raw control characters in a
 *                  string, \u0000, duplicate keys or numbers beyond a double are
 *                  SWNG_EPROTOCOL.
 *  extreme_*       every numeric option and Retry-After at its extremes:
 *                  no crash, the wait capped at retry_max.
 *  loopback_*      plain http:// only to hosts that are loopback for sure.
 *  proxy_*         http_proxy / ALL_PROXY are ignored; the proxy option is
 *                  checked and used only as a CONNECT tunnel for https://.
 */
#define _GNU_SOURCE 1
#include "harness.h"

#include "engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUTE "create_number_group_membership"

/* ======================================================== helpers */

/* Base64 of s[0..n) in the given alphabet, padded or not; malloc'd. */
static char *b64(const char *s, size_t n, int url, int pad)
{
    const char *al = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                         : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(n / 3 * 4 + 8), *o = out;
    size_t i;
    for (i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)(unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (unsigned long)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        *o++ = al[(v >> 18) & 63];
        *o++ = al[(v >> 12) & 63];
        if (i + 1 < n) *o++ = al[(v >> 6) & 63];
        else if (pad) *o++ = '=';
        if (i + 2 < n) *o++ = al[v & 63];
        else if (pad) *o++ = '=';
    }
    *o = '\0';
    return out;
}

/* Base64(project:token), as in the Authorization header. */
static char *credential_b64(int url, int pad)
{
    char cred[512];
    snprintf(cred, sizeof cred, "%s:%s", th_project_id(), th_token());
    return b64(cred, strlen(cred), url, pad);
}

/* Fails if text holds any 6 consecutive characters of secret: no piece of
 * it may leave, whole or cut. */
static void check_no_piece(const char *what, const char *text, const char *secret, int line)
{
    size_t n = strlen(secret), i;
    char piece[8];
    if (!text) return;
    for (i = 0; i + 6 <= n; i++) {
        memcpy(piece, secret + i, 6);
        piece[6] = '\0';
        if (strstr(text, piece)) {
            th_fail(__FILE__, line, "%s holds %s, a piece of a secret: %s", what, th_q(piece),
                    th_q(text));
            return;
        }
    }
}

/* No text of err holds a piece of the token or of the Base64 credential. */
static void check_clean_error(const swng_error *err, int line)
{
    char *forms[3];
    size_t f, i;
    forms[0] = swng__strdup(th_token());
    forms[1] = credential_b64(0, 0);
    forms[2] = credential_b64(1, 0);
    for (f = 0; f < 3; f++) {
        /* The Base64 forms end in a partial group; only whole groups count. */
        if (f) forms[f][strlen(forms[f]) / 4 * 4] = '\0';
        check_no_piece("message", swng_error_message(err), forms[f], line);
        check_no_piece("body", swng_error_body(err), forms[f], line);
        check_no_piece("request id", swng_error_request_id(err), forms[f], line);
        for (i = 0; i < swng_error_item_count(err); i++) {
            check_no_piece("item detail", swng_error_item_detail(err, i), forms[f], line);
            check_no_piece("item title", swng_error_item_title(err, i), forms[f], line);
            check_no_piece("item code", swng_error_item_code(err, i), forms[f], line);
            check_no_piece("item status", swng_error_item_status(err, i), forms[f], line);
        }
        free(forms[f]);
    }
}

/* 1 if s is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int valid_utf8(const char *s)
{
    return s == NULL || swng__is_utf8(s, strlen(s));
}

static void check_utf8_error(const swng_error *err, int line)
{
    size_t i;
    th_check_msg(valid_utf8(swng_error_message(err)), __FILE__, line, "message not UTF-8");
    th_check_msg(valid_utf8(swng_error_body(err)), __FILE__, line, "body not UTF-8");
    th_check_msg(valid_utf8(swng_error_request_id(err)), __FILE__, line, "request id not UTF-8");
    for (i = 0; i < swng_error_item_count(err); i++)
        th_check_msg(valid_utf8(swng_error_item_detail(err, i)) &&
                         valid_utf8(swng_error_item_title(err, i)) &&
                         valid_utf8(swng_error_item_code(err, i)) &&
                         valid_utf8(swng_error_item_status(err, i)),
                     __FILE__, line, "item %lu not UTF-8", (unsigned long)i);
}

/* Queues a fault: mode with status, and (each optional) a text body, a raw
 * body (Base64 on the way), one extra header, a Retry-After, a count (0:
 * the space's default, one request). */
static int fault_n(const char *mode, int status, const char *body, const char *raw,
                   size_t raw_len, const char *header, const char *header_value,
                   const char *retry_after, int count)
{
    cJSON *f = cJSON_CreateObject();
    char *json;
    int rc;
    cJSON_AddStringToObject(f, "mode", mode);
    cJSON_AddNumberToObject(f, "status", status);
    if (body) cJSON_AddStringToObject(f, "body", body);
    if (raw) {
        char *r = b64(raw, raw_len, 0, 1);
        cJSON_AddStringToObject(f, "body_base64", r);
        free(r);
    }
    if (retry_after) cJSON_AddStringToObject(f, "retry_after", retry_after);
    if (count) cJSON_AddNumberToObject(f, "count", count);
    if (header) {
        cJSON *h = cJSON_AddObjectToObject(f, "headers");
        cJSON_AddStringToObject(h, header, header_value);
    }
    json = cJSON_PrintUnformatted(f);
    rc = th_space_fault(json);
    free(json);
    cJSON_Delete(f);
    return rc;
}

#define fault(mode, status, body, raw, raw_len, header, header_value, retry_after) \
    fault_n(mode, status, body, raw, raw_len, header, header_value, retry_after, 0)

/* One create call against the space with default options. */
static int create(swng_client *c, swng_membership **m, swng_error **err)
{
    return swng_membership_create(m, c, TH_GROUP_SALES, TH_PHONE_MAIN, err);
}

/* One create call with a new client made from o; the error (if any) goes
 * to *err. */
static int create_with(const swng_client_options *o, swng_error **err)
{
    swng_client *c = th_client(o);
    swng_membership *m = NULL;
    int rc;
    if (!c) return SWNG_EINVAL;
    rc = create(c, &m, err);
    swng_membership_free(m);
    swng_client_free(c);
    return rc;
}

/* The error of one call answered by the fault queued before. */
static swng_error *error_of_call(int want_rc, int line)
{
    swng_error *err = NULL;
    int rc = create_with(NULL, &err);
    th_check_msg(rc == want_rc, __FILE__, line, "got %s (%s), want %s", swng_status_name(rc),
                 th_q(swng_error_message(err)), swng_status_name(want_rc));
    return err;
}

/* ==================================================== credentials */

/* The token placed so that a cut at `cut` bytes of the message (the old
 * 640-byte buffer; the new 1024-byte limit) would end inside it. */
static void test_secret_message_cut(void)
{
    static const size_t cuts[] = {639, 1023, 1024, 1100};
    const char *tok = th_token();
    size_t k, i, tn = strlen(tok);
    for (k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        for (i = 1; i < tn; i += 5) {
            char prefix[128], body[2048], pad[1400];
            size_t plen, padn;
            swng_error *err;
            snprintf(prefix, sizeof prefix, "%s (HTTP 500): ", swng_strerror(SWNG_ESERVER));
            plen = strlen(prefix);
            /* i bytes of the token fit before the cut. */
            padn = cuts[k] - plen - i;
            memset(pad, 'a', padn);
            pad[padn] = '\0';
            snprintf(body, sizeof body, "{\"error\":\"%s%s tail\"}", pad, tok);
            CHECK_INT_EQ(fault("status", 500, body, NULL, 0, NULL, NULL, NULL), 0);
            err = error_of_call(SWNG_ESERVER, __LINE__);
            check_clean_error(err, __LINE__);
            if (cuts[k] < 640) CHECK_STR_CONTAINS(swng_error_message(err), "***");
            CHECK_MSG(strlen(swng_error_message(err)) <= SWNG_MAX_MESSAGE,
                      "message of %lu bytes", (unsigned long)strlen(swng_error_message(err)));
            swng_error_free(err);
        }
    }
}

/* A body over the 64 KiB an error keeps, with the token across the cut. */
static void test_secret_body_cut(void)
{
    const char *tok = th_token();
    size_t tn = strlen(tok), i;
    for (i = 1; i < tn; i += 4) {
        size_t n = SWNG_MAX_ERROR_BODY - i + tn + 100;
        char *body = malloc(n + 1);
        swng_error *err;
        memset(body, 'b', n);
        memcpy(body + SWNG_MAX_ERROR_BODY - i, tok, tn);
        body[n] = '\0';
        CHECK_INT_EQ(fault("status", 503, NULL, body, n, NULL, NULL, NULL), 0);
        err = error_of_call(SWNG_ESERVER, __LINE__);
        check_clean_error(err, __LINE__);
        CHECK(swng_error_body(err) && strlen(swng_error_body(err)) <= SWNG_MAX_ERROR_BODY);
        swng_error_free(err);
        free(body);
    }
}

/* The token JSON-escaped (\uXXXX for some or all characters, upper and lower
 * case hex, \/), %-encoded, inside a 422's items and in an error message. */
static void test_secret_escaped_forms(void)
{
    const char *tok = th_token();
    size_t tn = strlen(tok), i, form;
    for (form = 0; form < 4; form++) {
        char esc[512], body[4096], *o = esc;
        swng_error *err;
        for (i = 0; i < tn; i++) {
            unsigned char ch = (unsigned char)tok[i];
            if (form == 0 || (form == 1 && i % 2))
                o += sprintf(o, "\\u%04x", ch);
            else if (form == 2)
                o += sprintf(o, "\\u%04X", ch);
            else if (form == 3 && i % 3 == 0)
                o += sprintf(o, "%%%02X", ch);
            else
                *o++ = (char)ch;
        }
        *o = '\0';
        snprintf(body, sizeof body,
                 "{\"errors\":[{\"detail\":\"bad token %s\",\"status\":\"422\",\"title\":\"%s\","
                 "\"code\":\"x%s\"}],\"message\":\"%s\"}",
                 esc, esc, esc, esc);
        CHECK_INT_EQ(fault("status", 422, body, NULL, 0, NULL, NULL, NULL), 0);
        err = error_of_call(SWNG_EVALIDATION, __LINE__);
        check_clean_error(err, __LINE__);
        /* Nothing of the escaped form is left in the raw body either. */
        check_no_piece("body (escaped)", swng_error_body(err), esc, __LINE__);
        CHECK_STR_CONTAINS(swng_error_body(err), "bad token ***");
        swng_error_free(err);
    }
}

/* A server that echoes the Authorization header: Base64(project:token),
 * padded or not, standard or URL-safe, "Basic ..." and JSON's \/. */
static void test_secret_base64_echo(void)
{
    size_t v;
    for (v = 0; v < 4; v++) {
        char *cred = credential_b64(v & 1, (v & 2) != 0), body[1024], esc[512], *o = esc;
        const char *p;
        swng_error *err;
        for (p = cred; *p; p++) {
            if (*p == '/') *o++ = '\\';
            *o++ = *p;
        }
        *o = '\0';
        snprintf(body, sizeof body,
                 "{\"error\":\"got Authorization: Basic %s\",\"echo\":\"Basic %s\"}", cred, esc);
        CHECK_INT_EQ(fault("status", 401, body, NULL, 0, "X-Request-Id", cred, NULL), 0);
        err = error_of_call(SWNG_EAUTH, __LINE__);
        check_clean_error(err, __LINE__);
        CHECK_STR_NOT_CONTAINS(swng_error_body(err), cred);
        CHECK_STR_CONTAINS(swng_error_message(err), "Basic ***");
        swng_error_free(err);
        free(cred);
    }
}

/* The token in the X-Request-Id of a 2xx that breaks the contract, and of an
 * error; and a body that ends inside the token (the answer cut short). */
static void test_secret_request_id_and_cut_body(void)
{
    char rid[256], body[256];
    swng_error *err;
    snprintf(rid, sizeof rid, "req-%s-1", th_token());
    CHECK_INT_EQ(fault("body", 200, "{\"id\":1}", NULL, 0, "X-Request-Id", rid, NULL), 0);
    err = error_of_call(SWNG_EPROTOCOL, __LINE__);
    check_clean_error(err, __LINE__);
    CHECK_STR_EQ(swng_error_request_id(err), "req-***-1");
    swng_error_free(err);

    /* A body whose last bytes are the token without its last characters. */
    snprintf(body, sizeof body, "{\"error\":\"token=%.*s", (int)strlen(th_token()) - 2, th_token());
    CHECK_INT_EQ(fault("status", 500, body, NULL, 0, NULL, NULL, NULL), 0);
    err = error_of_call(SWNG_ESERVER, __LINE__);
    check_clean_error(err, __LINE__);
    CHECK_STR_CONTAINS(swng_error_body(err), "token=***");
    swng_error_free(err);
}

/* The cleaner itself, on the forms a test through the space cannot send
 * easily (a secret with non-ASCII characters, surrogate pairs). */
static void test_secret_cleaner(void)
{
    struct swng__secret secrets[2] = {{"p\xc3\xa4ss/\xf0\x9f\x94\x91x", 0}, {NULL, 0}};
    static const char *const forms[] = {
        "a p\xc3\xa4ss/\xf0\x9f\x94\x91x b",
        "a p\\u00e4ss\\/\\ud83d\\udd11x b",
        "a p\\u00E4ss\\u002f\\uD83D\\uDD11\\u0078 b",
        "a p%C3%A4ss%2F%F0%9F%94%91x b",
    };
    size_t i;
    for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *out = swng__clean_text(forms[i], strlen(forms[i]), 1024, secrets);
        CHECK_STR_EQ(out, "a *** b");
        free(out);
    }
    {
        /* Cut inside the secret at the end of the text: still masked. */
        char *out = swng__clean_text("x p\\u00e4s", 10, 1024, secrets);
        CHECK_STR_EQ(out, "x ***");
        free(out);
    }
    {
        /* A '\' or '%' of the secret is also the first byte of its own
         * escapes (\\ \u005c %25): each reading is followed, not the first
         * that matches (fuzz_clean found \u0061...\u005c\u0064 unmasked
         * for the token a/b"c\d, and JSON's c\\d, %25 likewise). */
        struct swng__secret odd[2] = {{"a/b\"c\\d%e", 0}, {NULL, 0}};
        static const char *const odd_forms[] = {
            "x a/b\"c\\d%e y",
            "x a\\/b\\\"c\\\\d%e y",
            "x \\u0061\\u002f\\u0062\\u0022\\u0063\\u005c\\u0064\\u0025\\u0065 y",
            "x %61%2F%62%22%63%5C%64%25%65 y",
            "x a/b\"c\\d%25e y",
            "x a/b\"c\\\\d%25e y",
        };
        for (i = 0; i < sizeof odd_forms / sizeof odd_forms[0]; i++) {
            char *out = swng__clean_text(odd_forms[i], strlen(odd_forms[i]), 1024, odd);
            CHECK_STR_EQ(out, "x *** y");
            free(out);
        }
    }
    {
        /* The text ends inside the secret \d in one reading (\ as is)
         * and not in another (the start of \\ or \u005c): the deepest
         * reading decides. */
        struct swng__secret bd[2] = {{"\\d", 0}, {NULL, 0}};
        char *out = swng__clean_text("x \\", 3, 1024, bd);
        CHECK_STR_EQ(out, "x *");
        free(out);
    }
}

/* ========================================================== UTF-8 */

/* A message of 2-, 3- and 4-byte characters over the limit is cut on a
 * character boundary; invalid bytes anywhere become U+FFFD. */
static void test_utf8_cut_and_replace(void)
{
    static const char *const chars[] = {"\xc3\xa9", "\xe2\x98\x8e", "\xf0\x9f\x93\x9e"};
    size_t c;
    for (c = 0; c < 3; c++) {
        char *body = malloc(64 * 1024), *o = body;
        size_t i;
        swng_error *err;
        o += sprintf(o, "{\"error\":\"");
        for (i = 0; i < 3000; i++) o += sprintf(o, "%s", chars[c]);
        sprintf(o, "\"}");
        CHECK_INT_EQ(fault("status", 500, body, NULL, 0, NULL, NULL, NULL), 0);
        err = error_of_call(SWNG_ESERVER, __LINE__);
        check_utf8_error(err, __LINE__);
        CHECK(strlen(swng_error_message(err)) <= SWNG_MAX_MESSAGE);
        swng_error_free(err);
        free(body);
    }
    {
        /* Invalid bytes: in the body, the message, an item and the request id
         * (a header byte 0xff, sent as Latin-1 by the space). */
        static const char raw[] = "{\"errors\":[{\"detail\":\"bad \xff\xfe byte \xc3\",\"status\":"
                                  "\"422\",\"title\":\"\xed\xa0\x80\",\"code\":\"c\xc0\xaf\"}],"
                                  "\"x\":\"\x00\x01\"}";
        swng_error *err;
        CHECK_INT_EQ(fault("status", 422, NULL, raw, sizeof raw - 1, "X-Request-Id",
                           "req-\xc3\xbf-\xc3\xbe", NULL),
                     0);
        err = error_of_call(SWNG_EVALIDATION, __LINE__);
        check_utf8_error(err, __LINE__);
        CHECK_STR_CONTAINS(swng_error_message(err), "bad \xef\xbf\xbd\xef\xbf\xbd byte");
        CHECK_STR_CONTAINS(swng_error_body(err), "\xef\xbf\xbd");
        /* The NUL in the body no longer hides what follows it. */
        CHECK_STR_CONTAINS(swng_error_body(err), "\"}");
        swng_error_free(err);
    }
}

/* Terminal controls from a server (ESC sequences, C1 CSI, BEL, DEL) never
 * reach the message, the request id or an item: whoever prints an error to
 * a terminal prints no escape sequence. The body keeps them (it is data). */
static void test_utf8_no_terminal_controls(void)
{
    static const char body[] = "{\"errors\":[{\"detail\":\"a\\u001b]0;title\\u0007b\","
                               "\"status\":\"422\",\"title\":\"\\u009b31m\",\"code\":\"c\\u007f\"}],"
                               "\"raw\":\"x\\u001by\"}";
    swng_error *err;
    size_t i;
    CHECK_INT_EQ(fault("status", 422, body, NULL, 0, "X-Request-Id", "r\x7fid\t1", NULL), 0);
    err = error_of_call(SWNG_EVALIDATION, __LINE__);
    {
        const char *texts[] = {swng_error_message(err), swng_error_request_id(err),
                               swng_error_item_detail(err, 0), swng_error_item_title(err, 0),
                               swng_error_item_code(err, 0)};
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            const unsigned char *p = (const unsigned char *)texts[i];
            CHECK_MSG(p != NULL, "text %lu missing", (unsigned long)i);
            for (; p && *p; p++)
                CHECK_MSG(*p >= 0x20 && *p != 0x7f && !(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0),
                          "text %lu holds a control: %s", (unsigned long)i, th_q(texts[i]));
        }
    }
    CHECK_STR_EQ(swng_error_item_detail(err, 0), "a\xef\xbf\xbd]0;title\xef\xbf\xbd" "b");
    CHECK_STR_CONTAINS(swng_error_body(err), "x\\u001by"); /* the body: as sent */
    swng_error_free(err);
}

/* ================================================ strict 2xx bodies */

#define MEMBERSHIP_HEAD "{\"id\":\"0cc9aa06-4e1e-47b0-b276-0fa31c147608\",\"number_group_id\":\"" TH_GROUP_SALES "\","
#define MEMBERSHIP_TAIL "\"created_at\":\"2026-11-26T06:40:01Z\",\"updated_at\":\"2026-11-26T06:40:01Z\"}"
#define PHONE(name) "\"phone_number\":{\"id\":\"" TH_PHONE_MAIN "\",\"name\":\"" name "\",\"number\":\"+15551234567\",\"capabilities\":[\"sms\"]},"

static void strict_case(const char *body, size_t len, int want, const char *what, int line)
{
    swng_error *err = NULL;
    int rc;
    th_check_msg(fault("body", 200, NULL, body, len, NULL, NULL, NULL) == 0, __FILE__, line,
                 "fault");
    rc = create_with(NULL, &err);
    th_check_msg(rc == want, __FILE__, line, "%s: got %s (%s), want %s", what,
                 swng_status_name(rc), th_q(swng_error_message(err)), swng_status_name(want));
    swng_error_free(err);
}

#define STRICT(lit, want, what) strict_case(lit, sizeof lit - 1, want, what, __LINE__)

static void test_strict_bodies(void)
{
    STRICT(MEMBERSHIP_HEAD PHONE("Main") MEMBERSHIP_TAIL, SWNG_OK, "a conforming body");
    STRICT(MEMBERSHIP_HEAD PHONE("tab\\tand \\u0001 escaped") MEMBERSHIP_TAIL, SWNG_OK,
           "escaped controls");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\0in") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "raw NUL in a string");
    STRICT(MEMBERSHIP_HEAD PHONE("Main") MEMBERSHIP_TAIL "\0", SWNG_EPROTOCOL, "raw NUL after");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\x01in") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "raw 0x01");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\tin") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "raw tab");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\nin") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "raw LF");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\x1fin") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "raw 0x1f");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\\u0000in") MEMBERSHIP_TAIL, SWNG_EPROTOCOL, "\\u0000");
    STRICT(MEMBERSHIP_HEAD "\"x\\u0000\":1," PHONE("Main") MEMBERSHIP_TAIL, SWNG_EPROTOCOL,
           "\\u0000 in a key");
    STRICT(MEMBERSHIP_HEAD PHONE("Ma\\\\u0000in") MEMBERSHIP_TAIL, SWNG_OK,
           "an escaped backslash before u0000");
    STRICT(MEMBERSHIP_HEAD "\"id\":\"" TH_PHONE_ZURICH "\"," PHONE("Main") MEMBERSHIP_TAIL,
           SWNG_EPROTOCOL, "duplicate top-level key");
    STRICT(MEMBERSHIP_HEAD "\"phone_number\":{\"name\":\"a\",\"name\":\"b\"}," MEMBERSHIP_TAIL,
           SWNG_EPROTOCOL, "duplicate nested key");
    STRICT(MEMBERSHIP_HEAD PHONE("Main") "\"extra\":[{\"k\":1,\"k\":2}]," MEMBERSHIP_TAIL,
           SWNG_EPROTOCOL, "duplicate key in an unknown field");
    /* cJSON holds inf, prints it as null (a list item's json), Python reads inf. */
    STRICT(MEMBERSHIP_HEAD PHONE("Main") "\"extra\":1e999," MEMBERSHIP_TAIL, SWNG_EPROTOCOL,
           "a number beyond a double");
    STRICT(MEMBERSHIP_HEAD PHONE("Main") "\"extra\":[-1e400]," MEMBERSHIP_TAIL, SWNG_EPROTOCOL,
           "a negative number beyond a double");
    STRICT(MEMBERSHIP_HEAD PHONE("Main") "\"extra\":1.7976931348623157e308," MEMBERSHIP_TAIL,
           SWNG_OK, "the largest double");
    {
        /* Many keys (the sorted path) with one duplicate at the end. */
        char body[8192], *o = body;
        int i;
        o += sprintf(o, "%s%s\"big\":{", MEMBERSHIP_HEAD, PHONE("Main"));
        for (i = 0; i < 100; i++) o += sprintf(o, "\"k%d\":%d,", i, i);
        o += sprintf(o, "\"k7\":0},%s", MEMBERSHIP_TAIL);
        strict_case(body, strlen(body), SWNG_EPROTOCOL, "a duplicate among 100 keys", __LINE__);
        o = body;
        o += sprintf(o, "%s%s\"big\":{", MEMBERSHIP_HEAD, PHONE("Main"));
        for (i = 0; i < 100; i++) o += sprintf(o, "%s\"k%d\":%d", i ? "," : "", i, i);
        o += sprintf(o, "},%s", MEMBERSHIP_TAIL);
        strict_case(body, strlen(body), SWNG_OK, "100 distinct keys", __LINE__);
    }
}

/* ================================================ extreme settings */

/* The backoff at every extreme: within [0, retry_max], at least the capped
 * Retry-After, no overflow (UBSan in the ASan build). */
static void test_extreme_backoff(void)
{
    static const long durations[] = {1, 2, 3, 1000, 2147483, SWNG_MAX_DURATION_MS - 1,
                                     SWNG_MAX_DURATION_MS};
    static const long retry_afters[] = {-1, 0, 1, 86399, 86400, 86401, 100000000L, 2147483647L,
                                        -2147483647L - 1};
    const size_t nd = sizeof durations / sizeof durations[0];
    size_t b, m, r;
    unsigned int attempt, seed = 1;
    for (b = 0; b < nd; b++) {
        for (m = 0; m < nd; m++) {
            swng_client_options o;
            swng_client *c;
            th_space_options(&o);
            o.retry_base_ms = durations[b];
            o.retry_max_ms = durations[m];
            if (!(c = th_client(&o))) return;
            for (attempt = 0; attempt <= SWNG_MAX_RETRIES; attempt += 7) {
                for (r = 0; r < sizeof retry_afters / sizeof retry_afters[0]; r++) {
                    long ra = retry_afters[r], w = swng__backoff_ms(c, attempt, ra, &seed);
                    long floor_ms = ra < 0 ? 0 : (ra > durations[m] / 1000 ? durations[m] : ra * 1000);
                    CHECK_MSG(w >= 0 && w <= durations[m] && w >= floor_ms,
                              "base %ld max %ld attempt %u Retry-After %ld: wait %ld",
                              durations[b], durations[m], attempt, ra, w);
                }
            }
            swng_client_free(c);
        }
    }
}

/* Every numeric option at its largest, with a 429 and each kind of
 * Retry-After: no retry (max_retries 0), so nothing sleeps; the call
 * returns the 429 at once. */
static void test_extreme_options_429(void)
{
    static const struct {
        const char *value;
        long want;
    } ras[] = {{"99999999999999999999999", -2}, {"9223372036854775808", -2}, {"86400", 86400},
               {"0", 0},  {"-1", -1}, {"-99999999999999999999", -1}, {"soon", -1},
               {"Fri, 31 Dec 9999 23:59:59 GMT", -2}};
    size_t i;
    swng_client_options o;
    swng_client *c;
    th_space_options(&o);
    o.connect_timeout_ms = o.timeout_ms = SWNG_MAX_DURATION_MS;
    o.retry_base_ms = o.retry_max_ms = SWNG_MAX_DURATION_MS;
    o.max_retries = 0;
    if (!(c = th_client(&o))) return;
    for (i = 0; i < sizeof ras / sizeof ras[0]; i++) {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        double t0 = th_now_ms();
        long ra;
        CHECK_INT_EQ(fault("status", 429, NULL, NULL, 0, NULL, NULL, ras[i].value), 0);
        CHECK_RC(create(c, &m, &err), SWNG_ERATELIMIT, err);
        ra = swng_error_retry_after(err);
        if (ras[i].want == -2)
            CHECK_MSG(ra >= 86400, "Retry-After %s: %ld, want a large value", ras[i].value, ra);
        else
            CHECK_MSG(ra == ras[i].want, "Retry-After %s: %ld, want %ld", ras[i].value, ra,
                      ras[i].want);
        CHECK_MSG(th_now_ms() - t0 < 5000, "Retry-After %s: the call waited", ras[i].value);
        swng_error_free(err);
    }
    swng_client_free(c);
}

/* The most retries, the shortest waits and a huge Retry-After: each wait is
 * capped at retry_max (1 ms), so 100 retries take well under seconds. */
static void test_extreme_retries_capped(void)
{
    swng_client_options o;
    swng_error *err = NULL;
    double t0;
    th_space_options(&o);
    o.max_retries = SWNG_MAX_RETRIES;
    o.retry_base_ms = 1;
    o.retry_max_ms = 1;
    o.connect_timeout_ms = o.timeout_ms = SWNG_MAX_DURATION_MS;
    CHECK_INT_EQ(fault_n("status", 429, NULL, NULL, 0, NULL, NULL, "99999999999999999999",
                         SWNG_MAX_RETRIES),
                 0);
    t0 = th_now_ms();
    CHECK_RC(create_with(&o, &err), SWNG_OK, err);
    CHECK_MSG(th_now_ms() - t0 < 60000, "101 attempts took %.0f ms", th_now_ms() - t0);
    CHECK_INT_EQ(th_journal_count(), SWNG_MAX_RETRIES + 1);
    swng_error_free(err);
}

/* The smallest timeouts: a result or a timeout, never a crash. */
static void test_extreme_min_timeouts(void)
{
    swng_client_options o;
    swng_error *err = NULL;
    int rc;
    th_space_options(&o);
    o.connect_timeout_ms = o.timeout_ms = 1;
    o.retry_base_ms = o.retry_max_ms = 1;
    o.max_retries = 3;
    rc = create_with(&o, &err);
    CHECK_MSG(rc == SWNG_OK || rc == SWNG_ETIMEOUT, "1 ms timeouts: %s (%s)",
              swng_status_name(rc), swng_error_message(err));
    swng_error_free(err);
}

/* ======================================================== loopback */

static int new_with_base(const char *base, swng_error **err)
{
    swng_client_options o;
    swng_client *c = NULL;
    int rc;
    th_space_options(&o);
    o.base_url = base;
    rc = swng_client_new(&c, &o, err);
    swng_client_free(c);
    return rc;
}

static void test_loopback_strict(void)
{
    static const char *const refused[] = {
        "http://127.-0.0.1",       "http://127.+0.0.1",   "http://127.0.0.1.",
        "http://localhost.",       "http://127.0.0.1.nip.io", "http://[::ffff:127.0.0.1]",
        "http://[::2]",            "http://127.0.0.1.:8080", "http://sub.localhost",
        "http://0.0.0.0",          "http://[::]",
    };
    static const char *const accepted[] = {
        "http://127.0.0.1:1",      "http://127.255.255.254", "http://localhost:8080",
        "http://[::1]:8080",       "http://[0:0:0:0:0:0:0:1]",
    };
    static const char *const hosts_refused[] = {
        "127.-0.0.1", "127.0.0.01", "0177.0.0.1", "0x7f.0.0.1", "127.1", "2130706433",
        "127.0.0.1 ", " 127.0.0.1", "127.0.0.1.", "127.0.0.1\n", "1127.0.0.1", "127.0.0.1.1",
        "127..0.1", "[::1", "::1]", "[::1%25lo]", "[::ffff:127.0.0.1]", "localhost.", "::",
    };
    size_t i;
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        swng_error *err = NULL;
        CHECK_MSG(new_with_base(refused[i], &err) == SWNG_EINVAL, "%s accepted", refused[i]);
        swng_error_free(err);
    }
    for (i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        swng_error *err = NULL;
        CHECK_MSG(new_with_base(accepted[i], &err) == SWNG_OK, "%s refused: %s", accepted[i],
                  swng_error_message(err));
        swng_error_free(err);
    }
    for (i = 0; i < sizeof hosts_refused / sizeof hosts_refused[0]; i++)
        CHECK_MSG(!swng__is_loopback_host(hosts_refused[i]), "host %s counted as loopback",
                  th_q(hosts_refused[i]));
    CHECK(swng__is_loopback_host("127.0.0.1"));
    CHECK(swng__is_loopback_host("LocalHost"));
    CHECK(swng__is_loopback_host("[::1]"));
    CHECK(swng__is_loopback_host("0:0::1"));
}

/* =========================================================== proxies */

/* A listening socket on loopback that plays a proxy: it records what the
 * first connection sends (up to the end of its header block) and closes. */
struct fake_proxy {
    int fd, port, connections;
    char got[4096];
    pthread_t thread;
};

static void *fake_proxy_run(void *arg)
{
    struct fake_proxy *p = arg;
    struct pollfd pf;
    size_t n = 0;
    int conn;
    pf.fd = p->fd;
    pf.events = POLLIN;
    if (poll(&pf, 1, 10000) <= 0) return NULL;
    if ((conn = accept(p->fd, NULL, NULL)) < 0) return NULL;
    p->connections++;
    while (n + 1 < sizeof p->got) {
        ssize_t r = recv(conn, p->got + n, sizeof p->got - 1 - n, 0);
        if (r <= 0) break;
        n += (size_t)r;
        p->got[n] = '\0';
        if (strstr(p->got, "\r\n\r\n")) break;
    }
    close(conn);
    return NULL;
}

static int fake_proxy_start(struct fake_proxy *p, int serve)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(p, 0, sizeof *p);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->fd, 8) != 0 ||
        getsockname(p->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    p->port = ntohs(a.sin_port);
    if (serve && pthread_create(&p->thread, NULL, fake_proxy_run, p) != 0) return -1;
    return 0;
}

/* 1 if a connection is waiting on the (unserved) proxy socket. */
static int fake_proxy_pending(struct fake_proxy *p)
{
    struct pollfd pf;
    pf.fd = p->fd;
    pf.events = POLLIN;
    return poll(&pf, 1, 0) > 0;
}

static const char *const proxy_vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
                                         "HTTPS_PROXY", "ALL_PROXY", "all_proxy"};

static void proxy_env(const char *url)
{
    size_t i;
    for (i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++) {
        if (url)
            setenv(proxy_vars[i], url, 1);
        else
            unsetenv(proxy_vars[i]);
    }
}

/* With every proxy variable pointing at a listener, an http://127.0.0.1
 * call goes straight to the space; the listener sees nothing. (The
 * variables are set only around swng's calls: the harness's own libcurl
 * would follow them.) */
static void test_proxy_env_ignored(void)
{
    struct fake_proxy p;
    char url[64];
    int pass;
    REQUIRE(fake_proxy_start(&p, 0) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", p.port);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    for (pass = 0; pass < 2; pass++) {
        swng_client_options o;
        swng_client *c;
        swng_membership *m = NULL;
        swng_error *err = NULL;
        int rc;
        th_space_options(&o);
        o.timeout_ms = 3000;
        /* Second pass: the proxy option too, which is never used for loopback. */
        if (pass) o.proxy = url;
        proxy_env(url);
        c = th_client(&o);
        rc = c ? create(c, &m, &err) : SWNG_EINVAL;
        proxy_env(NULL);
        CHECK_RC(rc, pass ? SWNG_EVALIDATION : SWNG_OK, err); /* 422: already a member */
        CHECK_MSG(!fake_proxy_pending(&p), "pass %d: the proxy got a connection", pass);
        CHECK_INT_EQ(th_journal_count(), pass + 1);
        swng_membership_free(m);
        swng_error_free(err);
        swng_client_free(c);
    }
    close(p.fd);
}

/* The proxy option for an https:// space: a CONNECT tunnel (so nothing but
 * the target's name crosses the proxy in clear: no credentials). */
static void test_proxy_option_tunnel(void)
{
    struct fake_proxy p;
    char url[64];
    swng_client_options o;
    swng_client *c;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    REQUIRE(fake_proxy_start(&p, 1) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", p.port);
    th_space_options(&o);
    o.base_url = "https://space.example.invalid";
    o.proxy = url;
    o.timeout_ms = 5000;
    if ((c = th_client(&o)) != NULL) {
        CHECK_RC(create(c, &m, &err), SWNG_ETRANSPORT, err);
        swng_membership_free(m);
        swng_error_free(err);
        swng_client_free(c);
    }
    pthread_join(p.thread, NULL);
    close(p.fd);
    CHECK_INT_EQ(p.connections, 1);
    CHECK_MSG(strncmp(p.got, "CONNECT space.example.invalid:443 HTTP/1.1\r\n", 44) == 0,
              "the proxy got %s", th_q(p.got));
    CHECK_STR_NOT_CONTAINS(p.got, "Authorization");
    CHECK_STR_NOT_CONTAINS(p.got, th_token());
}

static void test_proxy_option_checked(void)
{
    static const char *const bad[] = {
        "https://127.0.0.1:3128",     "socks5://127.0.0.1:1080", "http://u:p@127.0.0.1:3128",
        "http://127.0.0.1:3128/path", "http://127.0.0.1:3128?q", "not a url",
        "http://127.0.0.1:3128\n",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        swng_client_options o;
        swng_client *c = NULL;
        swng_error *err = NULL;
        th_space_options(&o);
        o.proxy = bad[i];
        CHECK_MSG(swng_client_new(&c, &o, &err) == SWNG_EINVAL, "proxy %s accepted", th_q(bad[i]));
        CHECK_STR_EQ(swng_error_option(err), "proxy");
        swng_client_free(c);
        swng_error_free(err);
    }
    {
        /* A version-2 struct has no proxy field: setting it by name is
         * refused instead of writing past the caller's struct. */
        swng_client_options o;
        swng_error *err = NULL;
        swng_client_options_init(&o);
        o.version = 2;
        CHECK_RC(swng_client_options_set_string(&o, "proxy", "http://h:1", 10, &err), SWNG_EINVAL,
                 err);
        swng_error_free(err);
        o.version = SWNG_CLIENT_OPTIONS_VERSION;
        CHECK_RC(swng_client_options_set_string(&o, "proxy", "http://h:1", 10, &err), SWNG_OK, err);
    }
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"secret_message_cut", test_secret_message_cut},
        {"secret_body_cut", test_secret_body_cut},
        {"secret_escaped_forms", test_secret_escaped_forms},
        {"secret_base64_echo", test_secret_base64_echo},
        {"secret_request_id_and_cut_body", test_secret_request_id_and_cut_body},
        {"secret_cleaner", test_secret_cleaner},
        {"utf8_cut_and_replace", test_utf8_cut_and_replace},
        {"utf8_no_terminal_controls", test_utf8_no_terminal_controls},
        {"strict_bodies", test_strict_bodies},
        {"extreme_backoff", test_extreme_backoff},
        {"extreme_options_429", test_extreme_options_429},
        {"extreme_retries_capped", test_extreme_retries_capped},
        {"extreme_min_timeouts", test_extreme_min_timeouts},
        {"loopback_strict", test_loopback_strict},
        {"proxy_env_ignored", test_proxy_env_ignored},
        {"proxy_option_tunnel", test_proxy_option_tunnel},
        {"proxy_option_checked", test_proxy_option_checked},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
