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

static swng_error *error_vnew(int code, const char *fmt, va_list ap)
{
    swng_error *e = calloc(1, sizeof *e);
    char buf[512];
    if (!e) return NULL;
    vsnprintf(buf, sizeof buf, fmt, ap);
    e->code = code;
    e->retry_after = -1;
    e->message = swng__strdup(buf);
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

void swng__redact(char *s, const char *secret)
{
    size_t n;
    char *p, *from = s;
    if (!s || !secret || !*secret) return;
    n = strlen(secret);
    while ((p = strstr(from, secret)) != NULL) {
        /* "***" is never longer than a secret of 3+ bytes; shorter secrets
         * are overwritten byte for byte so the string never grows. */
        size_t k = n < 3 ? n : 3;
        memset(p, '*', k);
        memmove(p + k, p + n, strlen(p + n) + 1);
        from = p + k; /* a secret made of '*' must not match its mask */
    }
}

void swng__redact_error(swng_error *e, const char *secret)
{
    size_t i;
    swng__redact(e->message, secret);
    swng__redact(e->body, secret);
    swng__redact(e->request_id, secret);
    for (i = 0; i < e->item_count; i++) {
        swng__redact(e->items[i].detail, secret);
        swng__redact(e->items[i].status, secret);
        swng__redact(e->items[i].title, secret);
        swng__redact(e->items[i].code, secret);
    }
}

const char *swng_error_option(const swng_error *err) { return err ? err->option : NULL; }

int swng_error_code(const swng_error *err) { return err ? err->code : SWNG_OK; }

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
