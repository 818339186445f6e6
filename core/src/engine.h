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

/* A response body being received, refused past SWNG_MAX_BODY. */
struct swng__body {
    char *data;
    size_t len;
    size_t cap;
    int overflow;
};

/* What one attempt produced. */
struct swng__attempt {
    CURLcode curl_rc;
    long http_status;
    int sent;            /* 0: failed before the request went out */
    int header_overflow; /* the response's header lines were too large */
    size_t header_bytes;
    long retry_after;    /* seconds, -1 if none */
    char *request_id;
    struct swng__body body;
    char errbuf[CURL_ERROR_SIZE];
};

/* A transfer: one request with its retries, on a loop (loop.c). */
enum {
    SWNG__X_IDLE,    /* no transfer */
    SWNG__X_PENDING, /* begun: the loop starts it at its next step */
    SWNG__X_ACTIVE,  /* in libcurl */
    SWNG__X_WAIT,    /* waiting to retry */
    SWNG__X_DONE     /* ended: the job's `then` reads it */
};
struct swng__xfer {
    CURL *h; /* while active or waiting to retry */
    struct swng__request rq;
    char *url, *body; /* owned copies behind rq when the transfer owns them */
    struct swng__attempt a;
    unsigned int attempt_no, seed;
    int state;
    long long retry_at;   /* monotonic ms, in SWNG__X_WAIT */
    long long started_at; /* monotonic ms of the attempt's start (traces) */
    /* The outcome, in SWNG__X_DONE: rc with rs (SWNG_OK) or err. */
    int rc;
    struct swng__response rs;
    swng_error *err;
};

/* 1 for methods that may be repeated without changing the result (GET, PUT,
 * DELETE): they are also retried on 500/502/504 and on transport failures
 * after the request was sent. */
int swng__idempotent(const char *method);

/* Sends rq with the client's retry rule for its method, blocking (a job of
 * one transfer on a private loop). On a 2xx fills *rs (free with
 * swng__response_free) and returns SWNG_OK; otherwise returns the code with
 * the detail (HTTP status, 422 items, request id, Retry-After, capped and
 * redacted body) in *err. */
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
extern const struct swng__op swng__op_create_membership;

/* Checks o against the arguments its request named (the params' echo
 * fields): SWNG_EPROTOCOL when the answer is about another resource. */
int swng__check_echo(const struct swng__op *op, const struct swng__arg *args,
                     const struct swng__object *o, swng_error **err);

/* Parses a 2xx answer into an object of type t and gives it the response's
 * status and request id (a parse failure gets the response's detail). */
int swng__object_from_response(struct swng__object **out, const struct swng__type *t,
                               swng_client *c, struct swng__response *rs, swng_error **err);

/* ------------------------------------------------------------- idmap */

/* A key of the core's one map (idmap.c): a UUID's own 128 bits (exact,
 * without case), or two 64-bit hashes of any other text. */
struct swng__key {
    uint64_t hi, lo;
};
struct swng__key swng__key_of(const char *s, size_t n, int fold);
/* Keys to values of vsize bytes (0: a set); open addressing. */
struct swng__map {
    struct swng__key *keys;
    unsigned char *used;
    unsigned char *vals;
    size_t n, cap, vsize;
};
void swng__map_init(struct swng__map *m, size_t vsize);
/* The value of k, or NULL. */
void *swng__map_get(const struct swng__map *m, struct swng__key k);
/* The value of k, made (zeroed, *added = 1) when k is new; NULL: out of
 * memory. The pointer is valid until the next put. */
void *swng__map_put(struct swng__map *m, struct swng__key k, int *added);
void swng__map_free(struct swng__map *m);

/* -------------------------------------------------------------- jobs */

/* A job on a loop: a request started by swng_request_start or
 * swng_cursor_fetch, or a blocking call run on a private loop. It runs
 * one transfer at a time; `then` reads the finished transfer and either
 * begins another (returns SWNG__MORE) or ends the job (returns its status,
 * with result or error set). */
#define SWNG__MORE 1
struct swng_request {
    swng_client *client;
    swng_loop *loop;
    swng_request *prev, *next; /* the loop's jobs in flight */
    struct swng__xfer x;
    int (*then)(swng_request *r);
    /* The job's own state. */
    const struct swng__op *row;
    struct swng__arg args[4];
    char *argbuf;                /* owned copies of args (started jobs) */
    swng_cursor *cursor;
    int own_cursor;
    int phase, if_exists, field;
    size_t matches;
    const char *what;
    struct swng__object *found;
    swng_error *first;
    struct swng__response *raw; /* swng__send: where the 2xx response goes */
    struct swng__walk *walk;    /* a walk's owner (detached when it goes first) */
    /* The outcome. */
    int finished, cancelled, status, blocking;
    struct swng__object *result;
    swng_error *error;
    swng_request_cb cb;
    void *payload;
    unsigned long id;
};

/* Begins r's next transfer of rq (url and body borrowed: r->x.url and
 * r->x.body when the job owns them). The loop starts it at its next step.
 * Returns SWNG__MORE. */
int swng__xfer_begin(swng_request *r, const struct swng__request *rq);
/* Ends r with status and, on failure, err (taken). Returns status. */
int swng__job_end(swng_request *r, int status, swng_error *err);
/* Runs r (already begun: its first transfer started or it ended) on the
 * client's private loop until it ends: the blocking calls. Returns its
 * status; the result goes to *out, the error to *err. */
int swng__job_run(swng_client *c, swng_request *r, struct swng__object **out, swng_error **err);
/* A private loop of c for a blocking call, and its return. */
swng_loop *swng__loop_acquire(swng_client *c, swng_error **err);
void swng__loop_release(swng_client *c, swng_loop *loop);
/* Frees a private loop (client.c frees its pool). */
void swng__loop_destroy(swng_loop *loop);

/* Engine steps of a transfer (engine.c), driven by loop.c. */
void swng__xfer_prepare(swng_client *c, struct swng__xfer *x);
/* After libcurl finished the transfer's attempt with curl_rc: SWNG__X_DONE
 * (outcome set) or SWNG__X_WAIT (retry_at set). */
int swng__xfer_attempt_done(swng_client *c, struct swng__xfer *x, CURLcode curl_rc);
void swng__xfer_clear(struct swng__xfer *x);
long long swng__now_ms(void);

/* Starts a job for op on r (args checked; nothing sent on a bad one). */
int swng__job_begin_op(swng_request *r, swng_client *c, const struct swng__op *op,
                       const struct swng__arg *args, swng_error **err);
/* The operation job's end: the result parsed and checked against the
 * request (for jobs that run an operation and then decide). */
int swng__op_then(swng_request *r);
/* A cursor whose fetch job was cancelled is finished. */
void swng__cursor_abandon(swng_cursor *cur);
/* The operations that swng_request_start can run, by swng_op (ops.c). */
int swng__start_op(swng_request *r, swng_client *c, int op, const struct swng__arg *args,
                   size_t nargs, swng_error **err);
/* Composite jobs and page fetches (list.c). */
int swng__job_begin_fetch(swng_request *r, swng_cursor *cur, swng_error **err);
int swng__job_begin_find_group(swng_request *r, swng_client *c, const char *name, size_t len,
                               swng_error **err);
int swng__job_begin_find_phone(swng_request *r, swng_client *c, const char *e164, size_t len,
                               swng_error **err);
int swng__job_begin_remove_number(swng_request *r, swng_client *c, const struct swng__arg *group,
                                  const struct swng__arg *phone, swng_error **err);
int swng__job_begin_create_ex(swng_request *r, swng_client *c, const struct swng__arg *group,
                              const struct swng__arg *phone, int if_exists, swng_error **err);
/* Batches on a loop (batch.c, loop.c). */
void swng__loop_add_batch(swng_loop *loop, swng_batch *b);
void swng__loop_remove_batch(swng_loop *loop, swng_batch *b);
void swng__loop_wake(swng_loop *loop);
swng_client *swng__loop_client(const swng_loop *loop);
/* One round of a loop driven by its owner: waits up to max_ms (-1: the
 * loop's timeout) for work, does it, delivers ended jobs and pumps the
 * batches. */
void swng__loop_drive(swng_loop *loop, long max_ms);
void swng__batch_pump(swng_batch *b);
/* When the batch has a start to make: -1 never (nothing waiting or no free
 * slot), else a monotonic ms (0 or past: now). */
long long swng__batch_due(const swng_batch *b);
void swng__batch_detach(swng_batch *b);
/* A sync's two batches on loop (batch.c), both closed: adds of add[]
 * (if_exists "return"), and deletes of the memberships mids[] (one gone
 * meanwhile is no failure) that start when the adds have finished. */
int swng__sync_batches(swng_batch **added, swng_batch **removed, swng_loop *loop,
                       const char *group, const char *const *add, size_t nadd,
                       const char *const *mids, size_t nremove, const swng_batch_options *opts,
                       swng_error **err);
/* The same run to the end on a private loop of client, outcomes stored in
 * input order (cancelled: SWNG_ECANCELLED, with what was done). */
int swng__sync_run(swng_batch_result **added, swng_batch_result **removed, swng_client *client,
                   const char *group, const char *const *add, size_t nadd,
                   const char *const *mids, size_t nremove, const swng_batch_options *opts,
                   swng_error **err);

/* ---- walks: every item of a list read on a loop, page by page, for an
 * owner (a remove batch's index of the group, a sync plan). */
struct swng__walk {
    swng_request *job; /* while the walk runs */
    /* Each item (taken). A failure status (with *err) ends the walk. */
    int (*item)(struct swng__walk *w, struct swng__object *o, swng_error **err);
    /* The end (from swng__job_end, before the job is delivered): SWNG_OK
     * after the last page, else the failure and its error (borrowed). */
    void (*end)(struct swng__walk *w, int status, const swng_error *err);
};
/* Begins a walk of cur (taken) on r (list.c). */
int swng__job_begin_walk(swng_request *r, swng_cursor *cur, struct swng__walk *w,
                         swng_error **err);
/* Starts a job on loop: begin(r, ctx) begins it (loop.c). */
int swng__job_start(swng_request **out, swng_loop *loop,
                    int (*begin)(swng_request *r, void *ctx, swng_error **err), void *ctx,
                    swng_request_cb cb, void *payload, swng_error **err);
/* The owner goes away first: its walk is cancelled and forgets it. */
void swng__walk_stop(struct swng__walk *w);
/* A callback for internal jobs whose owner learnt the outcome elsewhere. */
void swng__discard(swng_request *r, int status, void *result, swng_error *err, void *payload);

/* A job that needs no transfer ends at once (delivered at the next step). */
void swng__job_free_state(swng_request *r);

#endif
