/* internal.h - shared between the core's source files (and the bindings,
 * which link the core's objects); never installed. */
#ifndef SWNG_INTERNAL_H
#define SWNG_INTERNAL_H

#include "swng.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* A response body larger than this is refused (SWNG_EPROTOCOL). */
#define SWNG_MAX_BODY ((size_t)1024 * 1024)
/* How much of a failed response's body an error keeps. */
#define SWNG_MAX_ERROR_BODY ((size_t)64 * 1024)
/* All response header lines together may not exceed this (SWNG_EPROTOCOL). */
#define SWNG_MAX_HEADERS ((size_t)64 * 1024)
/* The longest error message, in bytes (cut on a character boundary). */
#define SWNG_MAX_MESSAGE ((size_t)1024)

struct swng_error_item {
    char *detail;
    char *status;
    char *title;
    char *code;
};

struct swng_error {
    int code;
    char *message;
    const char *option; /* static: the refused argument or option, or NULL */
    long http_status;
    char *request_id;
    char *body;
    long retry_after;
    size_t item_count;
    struct swng_error_item *items;
    /* A batch item skipped as a duplicate: 1 + the position of the
     * input it repeats (0: not a duplicate). */
    size_t duplicate_of;
};

/* ------------------------------------------------------------ resources
 *
 * Every resource the API returns (a membership; later groups, phone
 * numbers, pages) is one generic object described by a type: a table of
 * fields. The parser, the free function, the accessors and the bindings'
 * conversion all walk that table, so a resource is described once. */

enum swng__ftype {
    SWNG__F_STRING, /* JSON string */
    SWNG__F_UUID,   /* JSON string holding a canonical UUID */
    SWNG__F_STRINGS,/* JSON array of strings */
    SWNG__F_OBJECT, /* JSON object whose fields follow with this as parent */
    SWNG__F_BOOL,   /* JSON true/false */
    SWNG__F_INT     /* JSON number with an integral value */
};

struct swng__field {
    const char *name;   /* JSON member name */
    int parent;         /* index of the SWNG__F_OBJECT field it sits in, -1: top */
    unsigned char type; /* enum swng__ftype */
    unsigned char required;
    const char *object; /* SWNG__F_OBJECT: the nested object's type name */
};

struct swng__type {
    const char *name; /* "membership": also the bindings' class key */
    const struct swng__field *fields;
    size_t nfields;
};

union swng__value {
    char *s; /* STRING, UUID: NULL when absent */
    struct {
        char **items;
        size_t n;
    } list;           /* STRINGS */
    int present;      /* OBJECT */
    int b;            /* BOOL (present flag in `set`) */
    long long i;      /* INT */
};

struct swng__object {
    const struct swng__type *type;
    long http_status;
    char *request_id;
    char *json;               /* the body as received */
    unsigned char existed;    /* a membership returned by if_exists=return */
    unsigned char *set;       /* per field: 1 when the server sent it */
    char *strings;            /* when set: holds every string and list (one block) */
    union swng__value v[1];   /* type->nfields values (allocated to size) */
};

/* The public resource handles are generic objects. */
struct swng_membership {
    struct swng__object o;
};

struct swng_number_group {
    struct swng__object o;
};
struct swng_phone_number {
    struct swng__object o;
};

extern const struct swng__type swng__type_membership;
extern const struct swng__type swng__type_number_group;
extern const struct swng__type swng__type_phone_number;

/* Number group fields, in the order of the table in parse.c. */
enum { SWNG__G_ID, SWNG__G_NAME, SWNG__G_STICKY_SENDER, SWNG__G_PHONE_NUMBER_COUNT };

/* Phone number fields, in the order of the table in parse.c. */
enum {
    SWNG__P_ID,
    SWNG__P_NUMBER,
    SWNG__P_NAME,
    SWNG__P_CAPABILITIES,
    SWNG__P_NUMBER_TYPE,
    SWNG__P_E911_ADDRESS_ID,
    SWNG__P_E911_STATUS,
    SWNG__P_CREATED_AT,
    SWNG__P_UPDATED_AT
};

/* Membership fields, in the order of the table in parse.c. */
enum {
    SWNG__M_ID,
    SWNG__M_NUMBER_GROUP_ID,
    SWNG__M_PHONE_NUMBER,
    SWNG__M_PHONE_ID,
    SWNG__M_PHONE_NAME,
    SWNG__M_PHONE_NUMBER_NUMBER,
    SWNG__M_PHONE_CAPABILITIES,
    SWNG__M_CREATED_AT,
    SWNG__M_UPDATED_AT
};

/* Parses a 2xx body into an object of type t; SWNG_EPROTOCOL with a
 * message saying what breaks the contract, or SWNG_ENOMEM. */
int swng__parse_object(struct swng__object **out, const struct swng__type *t, const char *body,
                       size_t len, swng_error **err);
/* The same from an already parsed JSON value (a list item); the object's
 * json is the item printed compactly. */
int swng__object_from_node(struct swng__object **out, const struct swng__type *t,
                           const struct cJSON *node, swng_error **err);
/* The same, keeping the malloc'd *body (NUL-terminated at len) as the
 * object's json on success (then *body is set to NULL) instead of a copy. */
int swng__parse_object_take(struct swng__object **out, const struct swng__type *t, char **body,
                            size_t len, swng_error **err);
void swng__object_free(struct swng__object *o);
/* 1 when field is present (sent and not null). */
int swng__object_has(const struct swng__object *o, int field);
/* Field accessors; NULL/0 for a NULL object or an absent field. */
const char *swng__object_str(const struct swng__object *o, int field);
size_t swng__object_count(const struct swng__object *o, int field);
const char *swng__object_item(const struct swng__object *o, int field, size_t i);

/* ---- list.c */
/* The next item of any cursor, as an object of the cursor's type (for the
 * bindings, which convert every type through one typemap). */
int swng__cursor_next(swng_cursor *cur, struct swng__object **out, swng_error **err);

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
/* As swng__fail for SWNG_EINVAL, recording which argument or option
 * (static string) was refused; the message should start with its name. */
int swng__fail_arg(swng_error **err, const char *option, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A form of the client's credentials that must never leave in a text. */
struct swng__secret {
    char *text;               /* NULL ends a list */
    unsigned char b64_tail;   /* Base64 whole-group prefix: mask the last group too */
};
/* A new string from s[0..len): every secret masked ("***") in any form a
 * server may echo it (as is, %-encoded, JSON \u escapes, \/; also where the
 * text ends inside one), then invalid UTF-8 (and NUL) replaced by U+FFFD,
 * then cut to at most max bytes on a character boundary. secrets may be
 * NULL. NULL on allocation failure. */
char *swng__clean_text(const char *s, size_t len, size_t max, const struct swng__secret *secrets);
/* The same for a text a terminal may show as a line (a message, a request
 * id, a 422 item): C0 and C1 controls and DEL become U+FFFD as well, so a
 * server cannot send escape sequences to whoever prints an error. (A body
 * stays as received, apart from the above.) */
char *swng__clean_line(const char *s, size_t len, size_t max, const struct swng__secret *secrets);
/* Replaces every occurrence of secret in s (in place, any form above) with
 * "***"; the string never grows. */
void swng__redact(char *s, const char *secret);
/* swng__clean_line for every text an error carries but its body (message,
 * request id, items); a text that cannot be cleaned (out of memory) is
 * dropped. */
void swng__clean_error(swng_error *e, const struct swng__secret *secrets);
/* A newly allocated formatted string; NULL on allocation failure. */
char *swng__vformat(const char *fmt, va_list ap);
char *swng__format(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- options.c */
/* The effective value of a duration option (name as in the option table,
 * e.g. "timeout") in milliseconds: its default when not set, else checked
 * against the one range. */
int swng__option_ms(const swng_client_options *opts, const char *name, long *out,
                    swng_error **err);

/* ---- validate.c */
/* 0 if s[0..len) is a canonical 8-4-4-4-12 hex UUID, else SWNG_EINVAL with
 * a message naming `what`. s may be NULL. */
int swng__check_uuid(const char *what, const char *s, size_t len, swng_error **err);
/* FNV-1a of s[0..n), ASCII letters folded to lower case when fold (ids
 * compare without case); never 0, which marks a free slot in the
 * open-addressing sets of the cursors, batches and sync plans. */
uint64_t swng__hash(const char *s, size_t n, int fold);
/* 1 if s[0..len) is a UUID. */
int swng__is_uuid(const char *s, size_t len);
/* 1 if s holds a control character (CR, LF, NUL-free C string assumed). */
int swng__has_ctl(const char *s);
/* 1 if host (as curl's URL API returns it) is loopback. */
int swng__is_loopback_host(const char *host);
/* 1 if s[0..len) is valid UTF-8. */
int swng__is_utf8(const char *s, size_t len);
/* The length (1 to 4) of the valid UTF-8 character at p[0..n), else 0. */
size_t swng__utf8_char(const unsigned char *p, size_t n);
/* 1 when swng__clean_line(s, strlen(s), SWNG_MAX_HEADERS, secrets) would
 * give s back unchanged: the test of error.c's plain_ascii (printable
 * ASCII only, no '%' or '\\', no byte that starts a secret: nothing to
 * mask, replace or cut), one table look-up per byte. The engine keeps such
 * a request id as it is instead of cleaning a copy (fuzz_clean checks it). */
int swng__line_is_clean(const char *s, const struct swng__secret *secrets);
/* Checks one "Name: value" extra header. */
int swng__check_header(const char *h, swng_error **err);

/* ---- parse.c */
/* Parses a 2xx body into a membership (swng__parse_object for the
 * membership type). */
int swng__parse_membership(swng_membership **out, const char *body, size_t len,
                           swng_error **err);
/* Fills e->items and returns a short server-provided message (malloc'd) from
 * an error body, or NULL if the body says nothing usable. */
char *swng__parse_error_body(swng_error *e, const char *body, size_t len);
/* cJSON parse of exactly body[0..len): trailing garbage is refused. */
struct cJSON *swng__parse_json(const char *body, size_t len);

#endif
