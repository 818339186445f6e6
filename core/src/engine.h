/* engine.h - the request engine: sends any request and classifies the
 * answer; and operations described as rows. Internal. */
#ifndef SWNG_ENGINE_H
#define SWNG_ENGINE_H

#include "client.h"

/* One HTTP request, fully built. */
struct swng__request {
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    const char *url;    /* absolute; built from the client's base URL */
    const char *body;   /* JSON, or NULL for no body */
    int bad_request;    /* 1: the operation's contract lists 400 (a refused
                           request: SWNG_EVALIDATION); else 400 is undocumented */
};

/* A 2xx answer. */
struct swng__response {
    long status;
    char *request_id; /* X-Request-Id (cleaned: swng__clean_line) or NULL */
    char *body;       /* NUL-terminated, or NULL when empty */
    size_t len;
    long retry_after;
};

/* 1 for methods that may be repeated without changing the result (GET, PUT,
 * DELETE): they are also retried on 500/502/504 and on transport failures
 * after the request was sent. */
int swng__idempotent(const char *method);

/* Sends rq with the client's retry rule for its method. On a 2xx fills *rs
 * (free with swng__response_free) and returns SWNG_OK; otherwise returns the
 * code with the detail (HTTP status, 422 items, request id, Retry-After,
 * capped and redacted body) in *err. */
int swng__send(swng_client *c, const struct swng__request *rq, struct swng__response *rs,
               swng_error **err);
void swng__response_free(struct swng__response *rs);
/* Sets the engine's write and header functions on a new pooled handle
 * (their data pointers are set per request). */
void swng__handle_callbacks(CURL *h);

/* The wait in milliseconds before retry number attempt_no + 1: exponential
 * from c's retry_base, with jitter, at least the server's Retry-After
 * (seconds, -1: none), at most retry_max; overflow-safe for every value
 * the options and a server can give. */
long swng__backoff_ms(const swng_client *c, unsigned int attempt_no, long retry_after,
                      unsigned int *seed);

/* Gives e what a 2xx response that broke the contract said (status,
 * request id, capped body), cleaned of c's credentials; takes
 * rs->request_id. */
void swng__attach_response(swng_error *e, struct swng__response *rs, const swng_client *c);

/* ------------------------------------------------------------ operations */

/* Where an argument goes, and how it is checked before anything is sent. */
enum swng__where { SWNG__IN_PATH, SWNG__IN_QUERY, SWNG__IN_BODY };
enum swng__akind {
    SWNG__A_UUID, /* an id: canonical UUID (so safe in a path segment) */
    SWNG__A_TEXT, /* free text: non-empty UTF-8 without NUL or control characters */
    SWNG__A_BOOL  /* a JSON boolean: the value is "true" or "false" (set by the
                     public wrapper, which checks the caller's int) */
};

struct swng__param {
    const char *name; /* argument name in messages; the JSON/query name */
    unsigned char where;
    unsigned char kind;
    unsigned char optional; /* a NULL value is left out */
    const char *arg;        /* the argument's name in messages when it is not
                               `name` (filter_name is the argument `name`) */
    const char *echo;       /* the result field ("phone_number.id") that must
                               equal this argument, or NULL: an answer for
                               another resource is a protocol error */
};

/* An operation: one row. The path holds one "{}" per SWNG__IN_PATH
 * parameter, in parameter order. */
struct swng__op {
    const char *method;
    const char *path;
    const struct swng__param *params;
    size_t nparams;
    const struct swng__type *result; /* NULL: the answer has no body (204) */
    unsigned char bad_request;       /* the contract lists 400 (see swng__request) */
};

/* A counted argument value; value NULL means "not given". */
struct swng__arg {
    const char *value;
    size_t len;
};

/* The length of an optional NUL-terminated argument, for the public
 * functions that hand it on to their counted (_n) form. */
#define SWNG__LEN(s) ((s) ? strlen(s) : 0)

/* Checks a text argument by the SWNG__A_TEXT rule (messages name it). */
int swng__check_text(const char *name, const char *value, size_t len, swng_error **err);

/* Validates args against op's parameters and builds the request URL into
 * *url (malloc'd): what swng__call does before sending, for callers (the
 * list cursors) that send the request themselves. */
int swng__op_url(const struct swng__op *op, swng_client *c, const struct swng__arg *args,
                 char **url, swng_error **err);

/* Validates args against op's parameters (nothing is sent on a bad one),
 * builds the URL and body, sends, and parses the answer into *out (when
 * op->result is not NULL). */
int swng__call(const struct swng__op *op, swng_client *c, const struct swng__arg *args,
               struct swng__object **out, swng_error **err);

/* The list operations (ops.c), for the cursors and helpers (list.c). */
extern const struct swng__op swng__op_list_number_groups;
extern const struct swng__op swng__op_list_memberships;
extern const struct swng__op swng__op_list_phone_numbers;
extern const struct swng__op swng__op_delete_membership;

/* Checks o against the arguments its request named (the params' echo
 * fields): SWNG_EPROTOCOL when the answer is about another resource. */
int swng__check_echo(const struct swng__op *op, const struct swng__arg *args,
                     const struct swng__object *o, swng_error **err);

/* Parses a 2xx answer into an object of type t and gives it the response's
 * status and request id (a parse failure gets the response's detail). */
int swng__object_from_response(struct swng__object **out, const struct swng__type *t,
                               swng_client *c, struct swng__response *rs, swng_error **err);

#endif
