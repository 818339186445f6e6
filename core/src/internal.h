/* internal.h - shared between the core's source files; never installed. */
#ifndef SWNG_INTERNAL_H
#define SWNG_INTERNAL_H

#include "swng.h"

#include <stddef.h>

/* A response body larger than this is refused (SWNG_EPROTOCOL). */
#define SWNG_MAX_BODY ((size_t)1024 * 1024)
/* How much of a failed response's body an error keeps. */
#define SWNG_MAX_ERROR_BODY ((size_t)64 * 1024)

struct swng_error_item {
    char *detail;
    char *status;
    char *title;
    char *code;
};

struct swng_error {
    int code;
    char *message;
    long http_status;
    char *request_id;
    char *body;
    long retry_after;
    size_t item_count;
    struct swng_error_item *items;
};

struct swng_membership {
    char *id;
    char *number_group_id;
    char *phone_number_id;
    char *phone_number_name;
    char *phone_number_number;
    char **capabilities;
    size_t capability_count;
    char *created_at;
    char *updated_at;
    long http_status;
    char *request_id;
    char *json;
};

/* ---- error.c */
char *swng__strdup(const char *s);
char *swng__strndup(const char *s, size_t n);
/* Allocates an error with a formatted message; NULL on allocation failure. */
swng_error *swng__error_new(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Formats a message into a new error stored in *err (if err is not NULL)
 * and returns code, so a failing path can `return swng__fail(...)`. */
int swng__fail(swng_error **err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Replaces every occurrence of secret in s (in place) with "***". */
void swng__redact(char *s, const char *secret);

/* ---- validate.c */
/* 0 if s[0..len) is a canonical 8-4-4-4-12 hex UUID, else SWNG_EINVAL with
 * a message naming `what`. s may be NULL. */
int swng__check_uuid(const char *what, const char *s, size_t len, swng_error **err);
/* 1 if s[0..len) is a UUID. */
int swng__is_uuid(const char *s, size_t len);
/* 1 if s holds a control character (CR, LF, NUL-free C string assumed). */
int swng__has_ctl(const char *s);
/* 1 if host (as curl's URL API returns it) is loopback. */
int swng__is_loopback_host(const char *host);
/* 1 if s[0..len) is valid UTF-8. */
int swng__is_utf8(const char *s, size_t len);
/* Checks one "Name: value" extra header. */
int swng__check_header(const char *h, swng_error **err);

/* ---- parse.c */
/* Parses a 2xx body into a membership; SWNG_EPROTOCOL with a message saying
 * what breaks the contract, or SWNG_ENOMEM. */
int swng__parse_membership(swng_membership **out, const char *body, size_t len,
                           swng_error **err);
/* Fills e->items and returns a short server-provided message (malloc'd) from
 * an error body, or NULL if the body says nothing usable. */
char *swng__parse_error_body(swng_error *e, const char *body, size_t len);

#endif
