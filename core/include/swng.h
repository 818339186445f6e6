/*
 * swng.h - add a phone number to a SignalWire number group.
 *
 * This header is the whole public ABI of libswng. It performs the SignalWire
 * relay-rest operation "Create a Number Group Membership":
 *
 *   POST {base}/api/relay/rest/number_groups/{NumberGroupId}/number_group_memberships
 *
 * Conventions (see README "ABI policy"):
 *  - Every symbol starts with swng_ / SWNG_. Handles are opaque.
 *  - Functions return an int: SWNG_OK (0) or a negative swng_status code.
 *    Codes are only ever appended, never renumbered.
 *  - Out-parameters come first and are owned by the caller, who frees them
 *    with the matching *_free() function (all accept NULL). On failure an
 *    out-parameter is set to NULL and nothing needs freeing.
 *  - Strings returned by accessors are borrowed: valid until the object they
 *    came from is freed. All strings are UTF-8 and NUL-terminated.
 *  - Error detail belongs to the call: pass a swng_error ** to receive it.
 *  - The API token never appears in any message, error, log line or URL.
 *
 * Thread safety: every function may be called from any thread. One
 * swng_client may be used by many threads at once (see swng_client_new).
 * A swng_membership or swng_error is immutable once returned and may be read
 * from several threads; free it once.
 *
 * The header is C89 and C++ clean.
 */
#ifndef SWNG_H
#define SWNG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SWNG_EXTERN marks exported symbols; everything else in the library is
 * hidden (-fvisibility=hidden plus the swng.map version script). */
#if defined(_WIN32) && defined(SWNG_BUILDING)
#  define SWNG_EXTERN __declspec(dllexport)
#elif defined(SWNG_BUILDING) && defined(__GNUC__)
#  define SWNG_EXTERN __attribute__((visibility("default")))
#else
#  define SWNG_EXTERN
#endif

/* ---------------------------------------------------------------- version */

#define SWNG_VERSION_MAJOR 0
#define SWNG_VERSION_MINOR 1
#define SWNG_VERSION_PATCH 0
/** The version of this header as a string, "MAJOR.MINOR.PATCH". */
#define SWNG_VERSION "0.1.0"
/** The version of this header as 0xMMmmpp, for compile-time comparisons. */
#define SWNG_VERSION_NUM 0x000100

/** The version of the library actually loaded, e.g. "0.1.0" (static). */
SWNG_EXTERN const char *swng_version(void);

/** The version of the library actually loaded, as 0xMMmmpp. */
SWNG_EXTERN unsigned int swng_version_num(void);

/* ---------------------------------------------------------------- status */

/**
 * Status codes. 0 is success, every failure is negative. Each code has a
 * stable short name (swng_status_name) used as the `code` of errors in every
 * language, and a fixed description (swng_strerror).
 */
typedef enum swng_status {
    SWNG_OK = 0,
    /** A bad argument or option; nothing was sent. Name "invalid_argument". */
    SWNG_EINVAL = -1,
    /** Out of memory. Name "out_of_memory". */
    SWNG_ENOMEM = -2,
    /** HTTP 401 or 403: credentials refused. Name "authentication". */
    SWNG_EAUTH = -3,
    /** HTTP 404: the resource (or route) does not exist. "not_found". */
    SWNG_ENOTFOUND = -4,
    /** HTTP 422: the request failed validation; see swng_error_item_*.
     *  Also HTTP 400 for the operations whose contract lists it (the
     *  deletes and the phone-number list). Name "validation". */
    SWNG_EVALIDATION = -5,
    /** HTTP 429: rate limited; see swng_error_retry_after. "rate_limited". */
    SWNG_ERATELIMIT = -6,
    /** HTTP 5xx. Name "server". */
    SWNG_ESERVER = -7,
    /** Connection, DNS, TLS or reset failure. Name "transport". */
    SWNG_ETRANSPORT = -8,
    /** The connect or total timeout expired. Name "timeout". */
    SWNG_ETIMEOUT = -9,
    /** The server's answer breaks the contract: a 2xx body that is not a
     *  membership, a body over the size cap, a redirect or a status the
     *  contract does not describe. Name "protocol". */
    SWNG_EPROTOCOL = -10,
    /** A handle was used after it was closed. The C core never returns it
     *  (a freed handle is gone); bindings whose objects can be closed use
     *  it so that the error comes from this one table. "closed". */
    SWNG_ECLOSED = -11,
    /** A lookup by name or number that must find one resource found
     *  several (swng_number_group_find, swng_phone_number_find). Name
     *  "ambiguous". */
    SWNG_EAMBIGUOUS = -12,
    /** The call or request was cancelled (swng_cancel_trigger, the
     *  client's interrupt function, swng_request_cancel,
     *  swng_loop_cancel_all); nothing was sent after the cancel. Name
     *  "cancelled". */
    SWNG_ECANCELLED = -13,
    /** An item of a batch that was not sent: a duplicate of an earlier
     *  input (sent once, there), or not attempted because the batch
     *  stopped after an authentication failure. Name "skipped". */
    SWNG_ESKIPPED = -14
} swng_status;

/** The first and last codes, for iterating over every code. */
#define SWNG_STATUS_FIRST SWNG_OK
#define SWNG_STATUS_LAST SWNG_ESKIPPED

/** A fixed English description of a code; never NULL, static storage.
 *  Unknown codes give "unknown error". */
SWNG_EXTERN const char *swng_strerror(int code);

/** The stable short name of a code ("ok", "not_found", ...); never NULL,
 *  static storage. Unknown codes give "unknown". */
SWNG_EXTERN const char *swng_status_name(int code);

/* ---------------------------------------------------------------- errors */

/** Detail about one failed call. Opaque; read with the accessors below. */
typedef struct swng_error swng_error;

/** The swng_status code of the failure. A NULL err gives SWNG_OK. */
SWNG_EXTERN int swng_error_code(const swng_error *err);

/** swng_status_name(swng_error_code(err)); never NULL. */
SWNG_EXTERN const char *swng_error_code_name(const swng_error *err);

/** A human-readable message for this failure, naming the bad argument or
 *  what the server said. Never NULL ("" for a NULL err). Borrowed from err.
 *
 *  Every text an error carries (this message, the request id, the 422
 *  items, the body) is cleaned before anyone sees it: the token and the
 *  Basic credential (Base64 of project:token) are replaced by "***" in any
 *  form a server may echo them (as is, %-encoded, JSON \u escapes, \/, also
 *  where a text ends inside one); invalid UTF-8 and NUL become U+FFFD; a
 *  text over its limit (1 KiB here, 64 KiB for the body) is cut on a
 *  character boundary. In the message, the request id and the items, C0
 *  and C1 control characters and DEL become U+FFFD too. */
SWNG_EXTERN const char *swng_error_message(const swng_error *err);

/** The HTTP status of the response, or 0 when there was none. */
SWNG_EXTERN long swng_error_http_status(const swng_error *err);

/** The value of the response's X-Request-Id header, or NULL. Borrowed. */
SWNG_EXTERN const char *swng_error_request_id(const swng_error *err);

/** The response body (at most 64 KiB of it, NUL-terminated, cleaned as
 *  described at swng_error_message but with its control characters kept),
 *  or NULL when there was no response. Borrowed. */
SWNG_EXTERN const char *swng_error_body(const swng_error *err);

/** For SWNG_ERATELIMIT (and 503): the server's Retry-After in seconds
 *  (from either its delay-seconds or its HTTP-date form), or -1 if the
 *  server gave none. */
SWNG_EXTERN long swng_error_retry_after(const swng_error *err);

/** The number of items in a 422 response's "errors" array (0 otherwise). */
SWNG_EXTERN size_t swng_error_item_count(const swng_error *err);

/** Fields of item `i` of a 422 response's "errors" array: "detail",
 *  "status", "title", "code", each a string as the contract says. Returns
 *  NULL if i is out of range or the item lacks that field. Borrowed. */
SWNG_EXTERN const char *swng_error_item_detail(const swng_error *err, size_t i);
SWNG_EXTERN const char *swng_error_item_status(const swng_error *err, size_t i);
SWNG_EXTERN const char *swng_error_item_title(const swng_error *err, size_t i);
SWNG_EXTERN const char *swng_error_item_code(const swng_error *err, size_t i);

/** The name of the argument or option that was refused, for an
 *  SWNG_EINVAL error that concerns one ("number_group_id", "base_url",
 *  "timeout", ...), else NULL. Static storage. The message starts with the
 *  same name; a front end may show its own name for it instead (the swng
 *  command shows its flags). */
SWNG_EXTERN const char *swng_error_option(const swng_error *err);
/** For a batch item skipped as a duplicate (SWNG_ESKIPPED): 1, with the
 *  input position of its first occurrence (where it was sent) in *index
 *  (index may be NULL). 0 for every other error, including the items a
 *  batch did not attempt after an authentication failure. */
SWNG_EXTERN int swng_error_duplicate_of(const swng_error *err, size_t *index);

/** Frees an error. NULL is allowed. */
SWNG_EXTERN void swng_error_free(swng_error *err);

/* ---------------------------------------------------------------- client */

/** A configured connection to one SignalWire space. Opaque. */
typedef struct swng_client swng_client;

/** The version of swng_client_options this header describes. Version 1
 *  (swng 0.1.0) read 0 in a duration field as "default"; it is still
 *  accepted with that meaning. Version 3 appended `proxy`; callers built
 *  with version 2 keep working (no proxy is read from their options). */
#define SWNG_CLIENT_OPTIONS_VERSION 3

/** A duration field holding this value is "not set": it takes its default.
 *  (0 is not "not set": from version 2 it is an invalid duration.) */
#define SWNG_UNSET (-2147483647L - 1L)
/** The longest duration any option accepts: one day, in milliseconds. */
#define SWNG_MAX_DURATION_MS 86400000L
/** The most retries max_retries accepts. */
#define SWNG_MAX_RETRIES 100

/**
 * Client options. Always initialise with SWNG_CLIENT_OPTIONS_INIT (or
 * swng_client_options_init) so that `version` is set and every other field
 * takes its default; fields may be appended in later versions, never
 * reordered. Strings are copied by swng_client_new.
 *
 * Where a string field is NULL its environment variable is read:
 *   project_id  SIGNALWIRE_PROJECT_ID
 *   token       SIGNALWIRE_API_TOKEN
 *   space       SIGNALWIRE_SPACE     "example" means
 *                                    https://example.signalwire.com; a host
 *                                    ("example.signalwire.com") is used as is
 *   base_url    SIGNALWIRE_REST_BASE_URL
 *   ca_file     SIGNALWIRE_REST_CA_FILE
 * Explicit options win over the environment; base_url wins over space.
 *
 * One rule for every duration (the same in every language, since the
 * bindings and the command set options through
 * swng_client_options_set_number): SWNG_UNSET means the default; 0,
 * negative values and values above SWNG_MAX_DURATION_MS are SWNG_EINVAL.
 * max_retries is 0 to SWNG_MAX_RETRIES.
 */
typedef struct swng_client_options {
    /** Must be SWNG_CLIENT_OPTIONS_VERSION. */
    unsigned int version;
    /** Space name or host. */
    const char *space;
    /** Project ID: the Basic-auth user name; must not contain ':'. */
    const char *project_id;
    /** API token: the Basic-auth password. Never echoed anywhere. */
    const char *token;
    /** Base URL ("https://host[:port]"), e.g. http://127.0.0.1:8080 for a
     *  local test server. Plain http:// is refused unless the host is a
     *  loopback address (127.0.0.0/8, ::1, localhost). */
    const char *base_url;
    /** PEM CA bundle used to verify the server; NULL: system store. */
    const char *ca_file;
    /** Connect timeout in milliseconds; SWNG_UNSET: 10000. */
    long connect_timeout_ms;
    /** Total time for one attempt in milliseconds; SWNG_UNSET: 30000. */
    long timeout_ms;
    /** Extra attempts after a retryable failure; 0 (default): no retries.
     *  A POST is retried only on 429, 503 and on failures that happened
     *  before the request was sent (connect/DNS); GET, PUT and DELETE also
     *  on 500, 502, 504 and on transport failures after sending. Waits use
     *  exponential backoff with jitter, at least the server's Retry-After. */
    unsigned int max_retries;
    /** First backoff delay in milliseconds; SWNG_UNSET: 500. Doubles per
     *  attempt. */
    long retry_base_ms;
    /** Longest single wait between attempts in milliseconds (also caps
     *  Retry-After); SWNG_UNSET: 30000. */
    long retry_max_ms;
    /** Extra request headers, a NULL-terminated array of "Name: value"
     *  strings (useful for tracing or a test server's Prefer header).
     *  Refused (SWNG_EINVAL): CR, LF or NUL anywhere, a malformed name, and
     *  the names Authorization, Content-Type, Content-Length and Host. */
    const char *const *headers;
    /** (Version 3.) An HTTP proxy, "http://host[:port]", reached with a
     *  CONNECT tunnel, so TLS is verified end to end with the server; NULL:
     *  SIGNALWIRE_REST_PROXY, else no proxy. It is used only for https://
     *  base URLs to non-loopback hosts, never for plain http://. swng never
     *  reads http_proxy, https_proxy, ALL_PROXY or NO_PROXY. Refused
     *  (SWNG_EINVAL): another scheme, credentials, a path or a query. */
    const char *proxy;
} swng_client_options;

/** Static initialiser: version set, everything else default. */
#define SWNG_CLIENT_OPTIONS_INIT                                                          \
    { SWNG_CLIENT_OPTIONS_VERSION, 0, 0, 0, 0, 0, SWNG_UNSET, SWNG_UNSET, 0, SWNG_UNSET, \
      SWNG_UNSET, 0, 0 }

/** Initialises *opts like SWNG_CLIENT_OPTIONS_INIT, for callers (and
 *  bindings) that cannot use the macro. Returns SWNG_EINVAL for NULL. */
SWNG_EXTERN int swng_client_options_init(swng_client_options *opts);

/** What kind of value an option takes (swng_client_option_kind). */
typedef enum swng_option_kind {
    SWNG_OPTION_UNKNOWN = 0, /**< no such option */
    SWNG_OPTION_STRING = 1,  /**< swng_client_options_set_string */
    SWNG_OPTION_SECONDS = 2, /**< swng_client_options_set_number, in seconds */
    SWNG_OPTION_COUNT = 3,   /**< swng_client_options_set_number, a whole number */
    SWNG_OPTION_HEADERS = 4  /**< the headers field (a list) */
} swng_option_kind;

/** The kind of the option called `name` ("space", "project_id", "token",
 *  "base_url", "ca_file", "connect_timeout", "timeout", "max_retries",
 *  "retry_base", "retry_max", "headers", "proxy"), or SWNG_OPTION_UNKNOWN. Durations
 *  are named without "_ms": by name they are set in seconds. */
SWNG_EXTERN int swng_client_option_kind(const char *name);

/** The name of option i (0, 1, ...), or NULL past the last one: for front
 *  ends that list or check option names. Static storage. */
SWNG_EXTERN const char *swng_client_option_name(size_t i);

/**
 * Sets a string option by name, for front ends that hold options as names
 * and values (the bindings, the command). value is borrowed: it must stay
 * valid until swng_client_new has been called. len is its length without
 * the terminating NUL; a NUL inside is SWNG_EINVAL (the value could not be
 * seen whole). value NULL unsets the option (the environment is read).
 * An unknown name, or one that is not a string option, is SWNG_EINVAL.
 */
SWNG_EXTERN int swng_client_options_set_string(swng_client_options *opts, const char *name,
                                               const char *value, size_t len, swng_error **err);

/**
 * Sets a number option by name: a duration in seconds ("timeout",
 * "connect_timeout", "retry_base", "retry_max": positive, finite, at most
 * SWNG_MAX_DURATION_MS / 1000; stored in milliseconds, rounded up) or
 * "max_retries" (a whole number from 0 to SWNG_MAX_RETRIES). NaN,
 * infinities, 0 (for durations), negative and larger values are SWNG_EINVAL
 * with a message naming the option; *opts is then unchanged.
 */
SWNG_EXTERN int swng_client_options_set_number(swng_client_options *opts, const char *name,
                                               double value, swng_error **err);

/**
 * Creates a client. opts may be NULL (all defaults, all from environment).
 *
 * Fails with SWNG_EINVAL, and a message naming the option, when the
 * project id or token is missing or malformed (':' in the project id, CR,
 * LF or control characters in either), when neither a space nor a base URL
 * is known, when the base URL is not http(s), has a path, query or
 * credentials, or is plain http:// to a non-loopback host, or when a header
 * is refused. Nothing is sent over the network here.
 *
 * Thread safety: the client is safe to share between threads. It keeps a
 * mutex-guarded pool of libcurl easy handles, one per concurrent call, each
 * keeping its connection alive (DNS and TLS sessions are shared between
 * them), so concurrent calls run in parallel and sequential calls reuse one
 * kept-alive connection. libcurl's global initialisation is done once, on
 * the first call, in a thread-safe way.
 *
 * fork(): a client may be used in a child process after fork() (as
 * multiprocessing, gunicorn --preload and Celery do). Its first call in the
 * child notices the new process id and sets the inherited connections
 * aside without using or closing them (so the parent's connections are
 * never disturbed, and neither process reads the other's answers); the
 * child opens its own. What was set aside is not freed in the child (a
 * one-time cost of a few kilobytes per client).
 *
 * @param out   receives the client; NULL on failure. Free with
 *              swng_client_free.
 * @param opts  options, or NULL.
 * @param err   if not NULL, receives error detail on failure (else NULL).
 */
SWNG_EXTERN int swng_client_new(swng_client **out,
                                const swng_client_options *opts,
                                swng_error **err);

/** The effective base URL, e.g. "https://example.signalwire.com".
 *  Borrowed from the client. */
SWNG_EXTERN const char *swng_client_base_url(const swng_client *client);

/** The effective project id. Borrowed from the client. (There is no
 *  accessor for the token.) */
SWNG_EXTERN const char *swng_client_project_id(const swng_client *client);

/** Frees a client and closes its connections. NULL is allowed. No call on
 *  this client may be in progress in another thread. */
SWNG_EXTERN void swng_client_free(swng_client *client);

/* ------------------------------------------------------------ membership */

/** A number group membership as returned by the server. Opaque. */
typedef struct swng_membership swng_membership;

/**
 * Adds a phone number to a number group: the relay-rest operation
 * "Create a Number Group Membership".
 *
 * Both ids must be UUIDs (8-4-4-4-12 hex digits); anything else (NULL,
 * empty, CR/LF, '/', '?', '#', ...) is SWNG_EINVAL with a message naming the
 * argument, and nothing is sent.
 *
 * Any 2xx whose body is a conforming membership is success. Errors map to
 * codes as documented in swng_status; detail goes to *err.
 *
 * Retries: only as configured (swng_client_options.max_retries), with one
 * exception owned by libcurl: when a kept-alive connection turns out to
 * have been closed by the server before any byte of the response arrived
 * (a stale idle connection), libcurl sends the request once more on a new
 * connection, as browsers do. A server that reads a request and then drops
 * the connection without answering can therefore see it twice.
 *
 * @param out     receives the membership; NULL on failure.
 * @param client  the client (may be shared with other threads).
 * @param number_group_id  the group's UUID.
 * @param phone_number_id  the phone number's UUID.
 * @param err     if not NULL, receives error detail on failure.
 */
SWNG_EXTERN int swng_membership_create(swng_membership **out,
                                       swng_client *client,
                                       const char *number_group_id,
                                       const char *phone_number_id,
                                       swng_error **err);

/** As swng_membership_create, with counted strings (for bindings whose
 *  strings may hold NUL bytes: an embedded NUL is SWNG_EINVAL). A NULL
 *  pointer is SWNG_EINVAL whatever its length. */
SWNG_EXTERN int swng_membership_create_n(swng_membership **out,
                                         swng_client *client,
                                         const char *number_group_id,
                                         size_t number_group_id_len,
                                         const char *phone_number_id,
                                         size_t phone_number_id_len,
                                         swng_error **err);

/** The membership's id (UUID). Never NULL for a returned membership. */
SWNG_EXTERN const char *swng_membership_id(const swng_membership *m);
/** The number group's id (UUID). Never NULL for a returned membership. */
SWNG_EXTERN const char *swng_membership_number_group_id(const swng_membership *m);
/** phone_number.id, or NULL when the server left it out. */
SWNG_EXTERN const char *swng_membership_phone_number_id(const swng_membership *m);
/** phone_number.name, or NULL when the server left it out. */
SWNG_EXTERN const char *swng_membership_phone_number_name(const swng_membership *m);
/** phone_number.number (E.164), or NULL when the server left it out. */
SWNG_EXTERN const char *swng_membership_phone_number_number(const swng_membership *m);
/** The number of phone_number.capabilities (0 when absent). */
SWNG_EXTERN size_t swng_membership_capability_count(const swng_membership *m);
/** Capability i, or NULL when i is out of range. */
SWNG_EXTERN const char *swng_membership_capability(const swng_membership *m, size_t i);
/** created_at as sent by the server. Never NULL for a returned membership. */
SWNG_EXTERN const char *swng_membership_created_at(const swng_membership *m);
/** updated_at as sent by the server. Never NULL for a returned membership. */
SWNG_EXTERN const char *swng_membership_updated_at(const swng_membership *m);
/** HTTP status of the response (a 2xx). */
SWNG_EXTERN long swng_membership_http_status(const swng_membership *m);
/** X-Request-Id of the response, or NULL. */
SWNG_EXTERN const char *swng_membership_request_id(const swng_membership *m);
/** The response body exactly as received (JSON, UTF-8), including any
 *  fields this version does not know. */
SWNG_EXTERN const char *swng_membership_json(const swng_membership *m);

/** Frees a membership. NULL is allowed. */
SWNG_EXTERN void swng_membership_free(swng_membership *m);

/* ------------------------------------------------------------- the family
 *
 * Every operation of the number-group family (spec/number-groups.openapi.yaml).
 * Common rules, as for swng_membership_create:
 *  - ids are UUIDs and text arguments are UTF-8 without NUL or control
 *    characters; anything else is SWNG_EINVAL naming the argument, and
 *    nothing is sent. Every function has a counted `_n` form for bindings
 *    (an embedded NUL is then SWNG_EINVAL);
 *  - a 404 is SWNG_ENOTFOUND, and every other failure maps as documented
 *    in swng_status, with detail in *err;
 *  - GET, PUT and DELETE follow the idempotent retry rule (see
 *    swng_client_options.max_retries), POST the POST rule;
 *  - results are owned by the caller and freed with their _free function;
 *  - page_size is 0 (the server's default) or 1 to 1000.
 */

/** sticky_sender value for swng_number_group_update that leaves it
 *  unchanged (it is not sent). */
#define SWNG_KEEP (-1)

/** A cursor over a list: it fetches pages on demand, following the
 *  server's links.next. Opaque.
 *
 *  Paging rules: an absolute next link must have the client's scheme, host
 *  and port and the list's path (else SWNG_EPROTOCOL, and nothing is sent
 *  there: credentials never go to another host); a relative link resolves
 *  against the base URL; a link seen before (a cycle), or more than
 *  SWNG_MAX_EMPTY_PAGES consecutive empty pages, is SWNG_EPROTOCOL. A
 *  cursor uses its client (which must outlive it) and, like a client call,
 *  is not to be used from two threads at once. After an error the cursor
 *  is finished: further calls to its _next function return SWNG_OK with
 *  *out NULL. */
typedef struct swng_cursor swng_cursor;

/** The most consecutive empty pages a cursor accepts before a next link. */
#define SWNG_MAX_EMPTY_PAGES 3

/** Frees a cursor (without fetching anything). NULL is allowed. A page
 *  fetch of the cursor still in flight on a loop (swng_cursor_fetch) is
 *  cancelled: its callback gets SWNG_ECANCELLED. */
SWNG_EXTERN void swng_cursor_free(swng_cursor *cursor);

/** How many pages the cursor has fetched so far. */
SWNG_EXTERN size_t swng_cursor_page_count(const swng_cursor *cursor);

/* ---- number groups */

/** A number group as returned by the server. Opaque. */
typedef struct swng_number_group swng_number_group;

/** The group's id (UUID). Never NULL for a returned group. */
SWNG_EXTERN const char *swng_number_group_id(const swng_number_group *g);
/** The group's name. Never NULL for a returned group. */
SWNG_EXTERN const char *swng_number_group_name(const swng_number_group *g);
/** sticky_sender: 1 or 0. */
SWNG_EXTERN int swng_number_group_sticky_sender(const swng_number_group *g);
/** phone_number_count, or -1 when the server left it out (lists may). */
SWNG_EXTERN long swng_number_group_phone_number_count(const swng_number_group *g);
/** HTTP status of the response (a 2xx; for a list item, its page's). */
SWNG_EXTERN long swng_number_group_http_status(const swng_number_group *g);
/** X-Request-Id of the response (for a list item, its page's), or NULL. */
SWNG_EXTERN const char *swng_number_group_request_id(const swng_number_group *g);
/** The group's JSON as received (for a list item, that item). */
SWNG_EXTERN const char *swng_number_group_json(const swng_number_group *g);
/** Frees a group. NULL is allowed. */
SWNG_EXTERN void swng_number_group_free(swng_number_group *g);

/**
 * Lists number groups: "List Number Groups". Sends nothing; the first call
 * to swng_number_group_next fetches the first page.
 * @param out        receives the cursor (free with swng_cursor_free).
 * @param name       NULL for all groups, else the server's filter_name (a
 *                   substring match on the server).
 * @param page_size  0 or 1..1000.
 */
SWNG_EXTERN int swng_number_group_list(swng_cursor **out, swng_client *client, const char *name,
                                       int page_size, swng_error **err);
SWNG_EXTERN int swng_number_group_list_n(swng_cursor **out, swng_client *client,
                                         const char *name, size_t name_len, int page_size,
                                         swng_error **err);
/** The next group of a swng_number_group_list cursor: SWNG_OK with *out
 *  set, or SWNG_OK with *out NULL at the end; an error ends the cursor. A
 *  cursor of another list is SWNG_EINVAL. */
SWNG_EXTERN int swng_number_group_next(swng_cursor *cursor, swng_number_group **out,
                                       swng_error **err);

/** Creates a number group: "Create a Number Group" (POST). name must not be
 *  empty; sticky_sender is 0 or 1. */
SWNG_EXTERN int swng_number_group_create(swng_number_group **out, swng_client *client,
                                         const char *name, int sticky_sender, swng_error **err);
SWNG_EXTERN int swng_number_group_create_n(swng_number_group **out, swng_client *client,
                                           const char *name, size_t name_len, int sticky_sender,
                                           swng_error **err);

/** Gets a number group by id: "Retrieve a Number Group". */
SWNG_EXTERN int swng_number_group_get(swng_number_group **out, swng_client *client,
                                      const char *id, swng_error **err);
SWNG_EXTERN int swng_number_group_get_n(swng_number_group **out, swng_client *client,
                                        const char *id, size_t id_len, swng_error **err);

/** Updates a number group: "Update a Number Group" (PUT). name is
 *  required; sticky_sender is 0, 1 or SWNG_KEEP (not sent). */
SWNG_EXTERN int swng_number_group_update(swng_number_group **out, swng_client *client,
                                         const char *id, const char *name, int sticky_sender,
                                         swng_error **err);
SWNG_EXTERN int swng_number_group_update_n(swng_number_group **out, swng_client *client,
                                           const char *id, size_t id_len, const char *name,
                                           size_t name_len, int sticky_sender, swng_error **err);

/** Deletes a number group: "Delete a Number Group" (204). Its phone
 *  numbers are not released. */
SWNG_EXTERN int swng_number_group_delete(swng_client *client, const char *id, swng_error **err);
SWNG_EXTERN int swng_number_group_delete_n(swng_client *client, const char *id, size_t id_len,
                                           swng_error **err);

/** Finds the one group whose name is exactly `name` (the server's filter
 *  is a substring match: every page of it is read). None is
 *  SWNG_ENOTFOUND; several are SWNG_EAMBIGUOUS, with a message saying how
 *  many. */
SWNG_EXTERN int swng_number_group_find(swng_number_group **out, swng_client *client,
                                       const char *name, swng_error **err);
SWNG_EXTERN int swng_number_group_find_n(swng_number_group **out, swng_client *client,
                                         const char *name, size_t name_len, swng_error **err);

/* ---- memberships (the create call and the accessors are above) */

/** if_exists for swng_membership_create_ex: a 422 is an error. */
#define SWNG_IF_EXISTS_ERROR 0
/** if_exists for swng_membership_create_ex: when the server answers 422
 *  and the group's list shows the number in it, that membership is
 *  returned (swng_membership_existed says 1). Any other 422 stays
 *  SWNG_EVALIDATION. */
#define SWNG_IF_EXISTS_RETURN 1

/** swng_membership_create with an if_exists policy (SWNG_IF_EXISTS_*). */
SWNG_EXTERN int swng_membership_create_ex(swng_membership **out, swng_client *client,
                                          const char *number_group_id,
                                          const char *phone_number_id, int if_exists,
                                          swng_error **err);
SWNG_EXTERN int swng_membership_create_ex_n(swng_membership **out, swng_client *client,
                                            const char *number_group_id,
                                            size_t number_group_id_len,
                                            const char *phone_number_id,
                                            size_t phone_number_id_len, int if_exists,
                                            swng_error **err);
/** 1 when the membership was already there (SWNG_IF_EXISTS_RETURN), else 0. */
SWNG_EXTERN int swng_membership_existed(const swng_membership *m);

/** Lists a group's memberships: "List Number Group Memberships". Sends
 *  nothing until swng_membership_next. */
SWNG_EXTERN int swng_membership_list(swng_cursor **out, swng_client *client,
                                     const char *number_group_id, int page_size,
                                     swng_error **err);
SWNG_EXTERN int swng_membership_list_n(swng_cursor **out, swng_client *client,
                                       const char *number_group_id, size_t number_group_id_len,
                                       int page_size, swng_error **err);
/** The next membership of a swng_membership_list cursor (as
 *  swng_number_group_next). */
SWNG_EXTERN int swng_membership_next(swng_cursor *cursor, swng_membership **out,
                                     swng_error **err);

/** Gets a membership by its id: "Retrieve a Number Group Membership". */
SWNG_EXTERN int swng_membership_get(swng_membership **out, swng_client *client, const char *id,
                                    swng_error **err);
SWNG_EXTERN int swng_membership_get_n(swng_membership **out, swng_client *client,
                                      const char *id, size_t id_len, swng_error **err);

/** Deletes a membership by its id: "Delete a Number Group Membership"
 *  (204). */
SWNG_EXTERN int swng_membership_delete(swng_client *client, const char *id, swng_error **err);
SWNG_EXTERN int swng_membership_delete_n(swng_client *client, const char *id, size_t id_len,
                                         swng_error **err);

/** Takes a phone number out of a group: finds its membership through the
 *  group's list and deletes it. A number not in the group is
 *  SWNG_ENOTFOUND. */
SWNG_EXTERN int swng_number_group_remove_number(swng_client *client,
                                                const char *number_group_id,
                                                const char *phone_number_id, swng_error **err);
SWNG_EXTERN int swng_number_group_remove_number_n(swng_client *client,
                                                  const char *number_group_id,
                                                  size_t number_group_id_len,
                                                  const char *phone_number_id,
                                                  size_t phone_number_id_len, swng_error **err);

/* ---- phone numbers (read-only) */

/** A phone number of the project as returned by the server. Opaque. The
 *  full resource has many more fields than the accessors below: read them
 *  from swng_phone_number_json. */
typedef struct swng_phone_number swng_phone_number;

/** The number's id (UUID). Never NULL for a returned number. */
SWNG_EXTERN const char *swng_phone_number_id(const swng_phone_number *p);
/** The number in E.164 form. Never NULL for a returned number. */
SWNG_EXTERN const char *swng_phone_number_number(const swng_phone_number *p);
/** Its name, or NULL (null on the server). */
SWNG_EXTERN const char *swng_phone_number_name(const swng_phone_number *p);
/** The number of capabilities. */
SWNG_EXTERN size_t swng_phone_number_capability_count(const swng_phone_number *p);
/** Capability i, or NULL when i is out of range. */
SWNG_EXTERN const char *swng_phone_number_capability(const swng_phone_number *p, size_t i);
/** number_type ("toll-free", "longcode"). */
SWNG_EXTERN const char *swng_phone_number_number_type(const swng_phone_number *p);
/** e911_address_id, or NULL. */
SWNG_EXTERN const char *swng_phone_number_e911_address_id(const swng_phone_number *p);
/** e911_status, or NULL. */
SWNG_EXTERN const char *swng_phone_number_e911_status(const swng_phone_number *p);
/** created_at as sent by the server. */
SWNG_EXTERN const char *swng_phone_number_created_at(const swng_phone_number *p);
/** updated_at as sent by the server. */
SWNG_EXTERN const char *swng_phone_number_updated_at(const swng_phone_number *p);
/** HTTP status of the response (for a list item, its page's). */
SWNG_EXTERN long swng_phone_number_http_status(const swng_phone_number *p);
/** X-Request-Id of the response (for a list item, its page's), or NULL. */
SWNG_EXTERN const char *swng_phone_number_request_id(const swng_phone_number *p);
/** The number's JSON as received (for a list item, that item). */
SWNG_EXTERN const char *swng_phone_number_json(const swng_phone_number *p);
/** Frees a phone number. NULL is allowed. */
SWNG_EXTERN void swng_phone_number_free(swng_phone_number *p);

/** Lists the project's phone numbers: "List Phone Numbers". number and name
 *  (NULL: no filter) are the server's filter_number and filter_name,
 *  substring matches. Sends nothing until swng_phone_number_next. */
SWNG_EXTERN int swng_phone_number_list(swng_cursor **out, swng_client *client,
                                       const char *number, const char *name, int page_size,
                                       swng_error **err);
SWNG_EXTERN int swng_phone_number_list_n(swng_cursor **out, swng_client *client,
                                         const char *number, size_t number_len, const char *name,
                                         size_t name_len, int page_size, swng_error **err);
/** The next phone number of a swng_phone_number_list cursor. */
SWNG_EXTERN int swng_phone_number_next(swng_cursor *cursor, swng_phone_number **out,
                                       swng_error **err);

/** Gets a phone number by id: "Retrieve a Phone Number". */
SWNG_EXTERN int swng_phone_number_get(swng_phone_number **out, swng_client *client,
                                      const char *id, swng_error **err);
SWNG_EXTERN int swng_phone_number_get_n(swng_phone_number **out, swng_client *client,
                                        const char *id, size_t id_len, swng_error **err);

/** Finds the phone number whose number is exactly e164 ("+" and 2 to 15
 *  digits, the first not 0; anything else is SWNG_EINVAL before sending).
 *  None is SWNG_ENOTFOUND; several are SWNG_EAMBIGUOUS. */
SWNG_EXTERN int swng_phone_number_find(swng_phone_number **out, swng_client *client,
                                       const char *e164, swng_error **err);
SWNG_EXTERN int swng_phone_number_find_n(swng_phone_number **out, swng_client *client,
                                         const char *e164, size_t e164_len, swng_error **err);

/* ---------------------------------------------------------- cancellation */

/**
 * A cancel handle: triggered from any thread or from a signal handler, it
 * cancels what its client is doing. Attached to a client with
 * swng_client_set_cancel, a triggered handle ends every blocking call of
 * that client and every request of its loops with SWNG_ECANCELLED at once
 * (the waits are woken: a transfer in progress is abandoned, a retry wait
 * is cut short) and nothing is sent after it; calls made while it stays
 * triggered fail with SWNG_ECANCELLED before sending. It stays triggered
 * until swng_cancel_reset. One handle may serve several clients.
 */
typedef struct swng_cancel swng_cancel;

/** A new, untriggered cancel handle (it holds one file descriptor). */
SWNG_EXTERN int swng_cancel_new(swng_cancel **out, swng_error **err);
/** Triggers the handle. Async-signal-safe and thread-safe: an atomic store
 *  and one write(2). NULL is ignored. */
SWNG_EXTERN void swng_cancel_trigger(swng_cancel *cancel);
/** 1 if the handle is triggered, else 0. Async-signal-safe. */
SWNG_EXTERN int swng_cancel_triggered(const swng_cancel *cancel);
/** Makes the handle untriggered again (not from a signal handler). */
SWNG_EXTERN void swng_cancel_reset(swng_cancel *cancel);
/** Frees the handle; detach it from its clients first. NULL is allowed. */
SWNG_EXTERN void swng_cancel_free(swng_cancel *cancel);

/** Attaches cancel (borrowed: it must outlive the attachment) to client;
 *  NULL detaches. Not to be called while the client is in use by another
 *  thread. Returns SWNG_EINVAL for a NULL client. */
SWNG_EXTERN int swng_client_set_cancel(swng_client *client, swng_cancel *cancel);

/** An interrupt function: nonzero cancels the blocking call that called
 *  it. */
typedef int (*swng_interrupt_fn)(void *payload);

/**
 * Sets a function that every blocking call of client calls, on the calling
 * thread, while it waits: at least every SWNG_INTERRUPT_INTERVAL_MS and
 * whenever a signal interrupts the wait (SQLite's progress handler, for
 * hosts whose signal handling runs outside the signal handler: the Python
 * module checks for Ctrl-C there). When it returns nonzero the call ends
 * with SWNG_ECANCELLED and sends nothing more. fn NULL removes it. Not to be
 * called while the client is in use by another thread.
 */
SWNG_EXTERN int swng_client_set_interrupt(swng_client *client, swng_interrupt_fn fn,
                                          void *payload);
/**
 * A trace function: called on the thread that drives the request after
 * every attempt of every request of the client (blocking or on a loop):
 * method, the path and query of the URL (never the host's credentials:
 * there are none in a URL, and the token is never traced), the HTTP status
 * (0 if none), the outcome code of that attempt (SWNG_OK or a failure
 * code, which a retry may follow), the attempt's duration in seconds, its
 * number (0 for the first, 1 for the first retry, ...) and the answer's
 * X-Request-Id (cleaned like error texts, or NULL). Texts are borrowed for
 * the call.
 */
typedef void (*swng_trace_fn)(const char *method, const char *path, long http_status,
                              int status, double seconds, unsigned int attempt,
                              const char *request_id, void *payload);
/** Sets the client's trace function (NULL: none). Not to be called while
 *  the client is in use by another thread. */
SWNG_EXTERN int swng_client_set_trace(swng_client *client, swng_trace_fn fn, void *payload);

/** The longest time a blocking call waits between two calls of the
 *  interrupt function. */
#define SWNG_INTERRUPT_INTERVAL_MS 50

/* -------------------------------------------------------- non-blocking */

/**
 * A loop: libcurl's multi interface for one client, driven by the host
 * with no hidden threads. Start requests on it (swng_request_start,
 * swng_cursor_fetch); watch swng_loop_fd for readability and wake after
 * swng_loop_timeout; then call swng_loop_step, which does the pending work
 * and calls each finished request's callback on the calling thread. The
 * blocking functions run on a private loop of the same engine, so both
 * forms send the same requests, retry by the same rules and return the
 * same results and errors.
 *
 * A loop is used by one thread at a time, in the process that made it
 * (after fork() the child must make its own: a loop's calls there return
 * SWNG_EINVAL). Its client must outlive it. Each loop has its own
 * connections (kept alive between its requests); DNS and TLS sessions are
 * shared with the client's other loops.
 */
typedef struct swng_loop swng_loop;

/** One request started on a loop. Valid from its start until its callback
 *  returns; the loop frees it then. */
typedef struct swng_request swng_request;

/**
 * The operations a loop can run, the blocking functions' names in
 * parentheses. Arguments are texts, in this order (optional ones may be
 * NULL); the result passed to the callback is of the type given:
 *
 *   SWNG_OP_MEMBERSHIP_CREATE     number_group_id, phone_number_id,
 *                                 [if_exists "error" | "return"]
 *                                 -> swng_membership * (swng_membership_create_ex)
 *   SWNG_OP_NUMBER_GROUP_CREATE   name, [sticky_sender "true" | "false"]
 *                                 -> swng_number_group *
 *   SWNG_OP_NUMBER_GROUP_GET      id -> swng_number_group *
 *   SWNG_OP_NUMBER_GROUP_UPDATE   id, name, [sticky_sender "true" | "false"
 *                                 (NULL: unchanged)] -> swng_number_group *
 *   SWNG_OP_NUMBER_GROUP_DELETE   id -> NULL
 *   SWNG_OP_MEMBERSHIP_GET        id -> swng_membership *
 *   SWNG_OP_MEMBERSHIP_DELETE     id -> NULL
 *   SWNG_OP_PHONE_NUMBER_GET      id -> swng_phone_number *
 *   SWNG_OP_NUMBER_GROUP_FIND     name -> swng_number_group *
 *   SWNG_OP_PHONE_NUMBER_FIND     e164 -> swng_phone_number *
 *   SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER
 *                                 number_group_id, phone_number_id -> NULL
 *
 * Values are only ever appended.
 */
typedef enum swng_op {
    SWNG_OP_MEMBERSHIP_CREATE = 1,
    SWNG_OP_NUMBER_GROUP_CREATE = 2,
    SWNG_OP_NUMBER_GROUP_GET = 3,
    SWNG_OP_NUMBER_GROUP_UPDATE = 4,
    SWNG_OP_NUMBER_GROUP_DELETE = 5,
    SWNG_OP_MEMBERSHIP_GET = 6,
    SWNG_OP_MEMBERSHIP_DELETE = 7,
    SWNG_OP_PHONE_NUMBER_GET = 8,
    SWNG_OP_NUMBER_GROUP_FIND = 9,
    SWNG_OP_PHONE_NUMBER_FIND = 10,
    SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER = 11
} swng_op;

/**
 * Called once per request, from swng_loop_step (or swng_loop_free), on its
 * thread (a request started with cb NULL is kept for swng_loop_take). status is SWNG_OK or a failure code; result (on success, for
 * operations that return one; else NULL) and err (on failure) belong to
 * the callback: free them with their _free functions. The callback may
 * start and cancel requests on the same loop, but must not step or free
 * it.
 */
typedef void (*swng_request_cb)(swng_request *req, int status, void *result, swng_error *err,
                                 void *payload);

/** A new loop for client. */
SWNG_EXTERN int swng_loop_new(swng_loop **out, swng_client *client, swng_error **err);

/** Frees a loop: requests still in flight are cancelled and their
 *  callbacks called with SWNG_ECANCELLED first (a request those callbacks
 *  try to start is refused with SWNG_EINVAL); requests started without a
 *  callback and not yet taken are freed with their outcomes (a host that
 *  wants them calls swng_loop_cancel_all, swng_loop_step and
 *  swng_loop_take first). Free a loop's batches before it, and the loop
 *  before its client. NULL is allowed. */
SWNG_EXTERN void swng_loop_free(swng_loop *loop);

/**
 * One descriptor that is readable whenever the loop has work: an epoll
 * descriptor holding the transfers' sockets, the loop's own wake-up
 * descriptor and the client's cancel handle (Linux). Add it to the host's
 * loop for reading (poll, epoll, libuv, asyncio's add_reader) and call
 * swng_loop_step when it is readable. Never read from it. Returns -1 for a
 * NULL loop. (Without epoll, the documented fallback is swng_loop_wait on
 * a thread of the host's choosing, or a poll timer from swng_loop_timeout.)
 */
SWNG_EXTERN int swng_loop_fd(const swng_loop *loop);

/** Milliseconds until swng_loop_step is due even if the descriptor stays
 *  quiet (libcurl's timers, retry waits): 0 means now, -1 means no timer
 *  (nothing is in flight, or only the descriptor can wake it). */
SWNG_EXTERN long swng_loop_timeout(swng_loop *loop);

/**
 * Does whatever work is pending without waiting: reads and writes ready
 * sockets, runs expired timers, starts due retries, and calls the callback
 * of every request that finished. Returns the number of requests still in
 * flight (0 or more), or a negative code (SWNG_EINVAL: NULL, called from a
 * callback, or in another process) with the detail in *err.
 */
SWNG_EXTERN int swng_loop_step(swng_loop *loop, swng_error **err);

/** Waits up to max_ms (-1: until the loop's own timeout; it never waits
 *  when nothing is in flight) for the descriptor, then steps: a plain
 *  blocking driver for hosts without a loop. Returns as swng_loop_step. */
SWNG_EXTERN int swng_loop_wait(swng_loop *loop, long max_ms, swng_error **err);

/** The number of requests in flight (started, callback not yet called). */
SWNG_EXTERN size_t swng_loop_pending(const swng_loop *loop);

/** Cancels every request in flight: each callback is called with
 *  SWNG_ECANCELLED at the next step, and nothing more is sent for them. */
SWNG_EXTERN void swng_loop_cancel_all(swng_loop *loop);

/**
 * Starts operation op on loop with nargs texts (args[i], lens[i] bytes;
 * lens NULL: NUL-terminated). Arguments are checked before anything is
 * sent, as the blocking functions check them: a bad one is returned here
 * (SWNG_EINVAL, no request, no callback). On SWNG_OK *out (if out is not
 * NULL) receives the request and cb will be called exactly once, from a
 * later swng_loop_step (never from inside this call).
 */
SWNG_EXTERN int swng_request_start(swng_request **out, swng_loop *loop, int op,
                                   const char *const *args, const size_t *lens, size_t nargs,
                                   swng_request_cb cb, void *payload, swng_error **err);

/** Cancels one request: its callback is called with SWNG_ECANCELLED at the
 *  next step (unless it already finished in this step's delivery), and
 *  nothing more is sent for it. Only for a request whose callback has not
 *  yet been called. */
SWNG_EXTERN void swng_request_cancel(swng_request *req);

/**
 * A request started with cb NULL is kept when it ends, for the host to
 * take: the form for bindings, which cannot pass C callbacks. After
 * swng_loop_step, take each with swng_loop_take (NULL: no more), read it
 * with swng_request_id, swng_request_status, swng_request_take_result and
 * swng_request_take_error, and free it with swng_request_free.
 */
SWNG_EXTERN swng_request *swng_loop_take(swng_loop *loop);
/** The request's id: 1, 2, ... in the order requests were started on its
 *  loop (never reused by that loop, short of ULONG_MAX of them). 0 for
 *  NULL. */
SWNG_EXTERN unsigned long swng_request_id(const swng_request *req);
/** A taken request's status (SWNG_OK or a failure code). */
SWNG_EXTERN int swng_request_status(const swng_request *req);
/** A taken request's result (as the callback's result; NULL after the
 *  first call), now the caller's. */
SWNG_EXTERN void *swng_request_take_result(swng_request *req);
/** A taken request's error (NULL after the first call), now the caller's. */
SWNG_EXTERN swng_error *swng_request_take_error(swng_request *req);
/** Frees a taken request with whatever was not taken from it. NULL, and a
 *  request still in flight, are ignored. */
SWNG_EXTERN void swng_request_free(swng_request *req);

/** 1 when the cursor's next _next call would have to fetch a page (no item
 *  is waiting and the list goes on), else 0: a loop's host then fetches it
 *  with swng_cursor_fetch, and _next returns the page's items without
 *  blocking. */
SWNG_EXTERN int swng_cursor_needs_fetch(const swng_cursor *cursor);

/** Fetches the cursor's next page on loop (the cursor must stay alive and
 *  untouched until the callback). The callback's result is NULL; on
 *  SWNG_OK the page's items are then waiting for the cursor's _next
 *  function. On failure the cursor is finished, as after a failed _next. A
 *  cursor that does not need a fetch calls back SWNG_OK at the next step. */
SWNG_EXTERN int swng_cursor_fetch(swng_request **out, swng_loop *loop, swng_cursor *cursor,
                                  swng_request_cb cb, void *payload, swng_error **err);

/* --------------------------------------------------------------- batches */

/**
 * A batch: many phone numbers added to one group (SWNG_OP_MEMBERSHIP_CREATE)
 * or taken out of it (SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER), with bounded
 * concurrency, on a loop. Each input gets exactly one outcome, delivered
 * with its input position (0, 1, ... in the order pushed) as it finishes:
 *
 *  - success: the membership (add; with if_exists "return" an existing one
 *    is returned, swng_membership_existed) or NULL (remove);
 *  - its own failure (an unknown number, a bad id, a 404, a 422, ...), with
 *    the full detail; the batch goes on;
 *  - SWNG_ESKIPPED for an id seen before in the batch (ids compare without
 *    case; it is sent once, for its first position; swng_error_duplicate_of);
 *  - an input starting with "+" is an E.164 number: it is looked up first
 *    (as swng_phone_number_find, in the slot the item holds, so lookups
 *    count within the concurrency); not found, ambiguous or not E.164 is
 *    its outcome, and a number given both as E.164 and as its id is sent
 *    once;
 *  - after an authentication failure (401/403) the batch stops: items not
 *    yet sent are SWNG_ESKIPPED ("not attempted");
 *  - a 429 (after the client's own retries) pauses the whole batch for its
 *    Retry-After (at least the client's backoff) and sends the item again,
 *    at most SWNG_BATCH_MAX_RATE_LIMITED times before it fails with the 429;
 *  - SWNG_ECANCELLED for what was not finished when the batch (or its loop,
 *    or the client's cancel handle) was cancelled.
 *
 * Memory: ids pushed and not yet started are kept (a streaming producer
 * pushes while swng_batch_waiting is small), plus 35 to 70 bytes per
 * distinct id for the duplicate check (exact for UUIDs: 128-bit keys).
 */
typedef struct swng_batch swng_batch;

/** The most times a batch sends one item again after a 429. */
#define SWNG_BATCH_MAX_RATE_LIMITED 5
/** The most requests a batch keeps in flight. */
#define SWNG_BATCH_MAX_CONCURRENCY 64

/** One item's outcome: index is its input position; result (on success of
 *  an add: a swng_membership *) and err belong to the callee. */
typedef void (*swng_batch_item_fn)(size_t index, int status, void *result, swng_error *err,
                                   void *payload);
/** Called after each item's outcome: done items of pushed so far. */
typedef void (*swng_batch_progress_fn)(size_t done, size_t pushed, void *payload);

/** Batch options; initialise with SWNG_BATCH_OPTIONS_INIT. */
typedef struct swng_batch_options {
    /** Must be SWNG_BATCH_OPTIONS_VERSION. */
    unsigned int version;
    /** Requests in flight at most: 0 means 8; 1 to SWNG_BATCH_MAX_CONCURRENCY. */
    unsigned int concurrency;
    /** For adds: SWNG_IF_EXISTS_ERROR (a number already in the group is
     *  its 422) or SWNG_IF_EXISTS_RETURN (its membership, existed). */
    int if_exists;
    /** Each outcome (NULL: kept for swng_batch_take). */
    swng_batch_item_fn on_item;
    /** Progress, or NULL. */
    swng_batch_progress_fn on_progress;
    /** Passed to both. */
    void *payload;
} swng_batch_options;
#define SWNG_BATCH_OPTIONS_VERSION 1
#define SWNG_BATCH_OPTIONS_INIT { SWNG_BATCH_OPTIONS_VERSION, 0, 0, 0, 0, 0 }

/** A new batch of op (SWNG_OP_MEMBERSHIP_CREATE or
 *  SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER) on number_group_id (checked here)
 *  on loop, which must outlive it. opts NULL: defaults. */
SWNG_EXTERN int swng_batch_new(swng_batch **out, swng_loop *loop, int op,
                               const char *number_group_id, const swng_batch_options *opts,
                               swng_error **err);
/** Adds one phone-number id (len bytes; copied) at the next input
 *  position, which *index receives (if not NULL). An id that is not a
 *  UUID is that item's SWNG_EINVAL outcome, not an error here. Refused
 *  (SWNG_EINVAL) after swng_batch_close or swng_batch_cancel. */
SWNG_EXTERN int swng_batch_push(swng_batch *batch, const char *phone_number_id, size_t len,
                                size_t *index, swng_error **err);
/** No more input: the batch finishes when every pushed item has its
 *  outcome. */
SWNG_EXTERN void swng_batch_close(swng_batch *batch);
/** Items pushed and not yet sent. */
SWNG_EXTERN size_t swng_batch_waiting(const swng_batch *batch);
/** 1 when the batch is closed and every item has its outcome. */
SWNG_EXTERN int swng_batch_finished(const swng_batch *batch);
/** Cancels the batch: nothing more is sent, every unfinished item ends
 *  with SWNG_ECANCELLED (at the next step). */
SWNG_EXTERN void swng_batch_cancel(swng_batch *batch);
/** Takes a kept outcome (on_item NULL): 1 with *index, *status, *result
 *  and *err (the caller's), or 0 when none is waiting. */
SWNG_EXTERN int swng_batch_take(swng_batch *batch, size_t *index, int *status, void **result,
                                swng_error **err);
/** Frees a batch (cancelling what is unfinished; their outcomes are
 *  dropped). NULL is allowed. Not from one of its callbacks. */
SWNG_EXTERN void swng_batch_free(swng_batch *batch);

/** The outcomes of swng_batch_run, in input order. */
typedef struct swng_batch_result swng_batch_result;

/**
 * Runs a whole batch of n ids (ids[i], lens[i] bytes; lens NULL:
 * NUL-terminated) to completion, blocking, on a private loop of client:
 * the convenience form. opts->on_item and on_progress are called on this
 * thread as items finish. Returns SWNG_OK when every item has its outcome
 * (each may have failed: read them from *out), SWNG_ECANCELLED when the
 * client's cancel handle or interrupt function stopped it (*out then says
 * what was done), or an error for the batch itself (a bad group id, out of
 * memory; *out NULL).
 */
SWNG_EXTERN int swng_batch_run(swng_batch_result **out, swng_client *client, int op,
                               const char *number_group_id, const char *const *ids,
                               const size_t *lens, size_t n, const swng_batch_options *opts,
                               swng_error **err);
/** The number of items. */
SWNG_EXTERN size_t swng_batch_result_count(const swng_batch_result *res);
/** Item i's status (SWNG_EINVAL past the end). */
SWNG_EXTERN int swng_batch_result_status(const swng_batch_result *res, size_t i);
/** Item i's result (NULL after the first call), now the caller's. */
SWNG_EXTERN void *swng_batch_result_take(swng_batch_result *res, size_t i);
/** Item i's error (NULL after the first call), now the caller's. */
SWNG_EXTERN swng_error *swng_batch_result_take_error(swng_batch_result *res, size_t i);
/** Frees the outcomes with whatever was not taken. NULL is allowed. */
SWNG_EXTERN void swng_batch_result_free(swng_batch_result *res);

/* ------------------------------------------------------------------ sync */

/**
 * A plan that makes a group's numbers exactly a list: from one read of the
 * group's memberships, the numbers to add (wanted and not there, in input
 * order, once each) and to remove (there and not wanted). Applied with two
 * batches; a plan applied, then planned again, has nothing to do.
 */
typedef struct swng_sync_plan swng_sync_plan;

/** Plans the sync of number_group_id to the n phone-number ids (ids[i],
 *  lens[i] bytes; lens NULL: NUL-terminated). Every id is checked first:
 *  one that is not a UUID refuses the whole plan (SWNG_EINVAL, naming
 *  ids[i]) and nothing is sent. Blocking (reads the group's list). */
SWNG_EXTERN int swng_sync_plan_new(swng_sync_plan **out, swng_client *client,
                                   const char *number_group_id, const char *const *ids,
                                   const size_t *lens, size_t n, swng_error **err);
/** The numbers the plan adds, and number i of them (NULL past the end;
 *  borrowed from the plan). */
SWNG_EXTERN size_t swng_sync_plan_add_count(const swng_sync_plan *plan);
SWNG_EXTERN const char *swng_sync_plan_add(const swng_sync_plan *plan, size_t i);
/** The numbers the plan removes, and number i of them. */
SWNG_EXTERN size_t swng_sync_plan_remove_count(const swng_sync_plan *plan);
SWNG_EXTERN const char *swng_sync_plan_remove(const swng_sync_plan *plan, size_t i);
/** The wanted numbers already in the group. */
SWNG_EXTERN size_t swng_sync_plan_keep_count(const swng_sync_plan *plan);
/** Applies the plan: an add batch (if_exists "return": a number added
 *  meanwhile is not a failure), then a remove batch that deletes the
 *  memberships the plan's read found (one deleted meanwhile is not a
 *  failure), blocking on a private loop; their outcomes, in plan order, go
 *  to *added and *removed (free with swng_batch_result_free). opts: as for
 *  swng_batch_run. A plan that is not ready is SWNG_EINVAL. */
SWNG_EXTERN int swng_sync_plan_apply(swng_batch_result **added, swng_batch_result **removed,
                                     swng_client *client, const swng_sync_plan *plan,
                                     const swng_batch_options *opts, swng_error **err);
/** Frees a plan; one still reading its group stops (its request ends
 *  SWNG_ECANCELLED). NULL is allowed. */
SWNG_EXTERN void swng_sync_plan_free(swng_sync_plan *plan);
/** The membership the plan's remove i deletes (NULL past the end). */
SWNG_EXTERN const char *swng_sync_plan_remove_membership(const swng_sync_plan *plan, size_t i);
/** swng_sync_plan_new on a loop, without blocking: *out is the plan (the
 *  ids are checked and copied here, as there) and *req the request that
 *  reads the group (cb and payload as for swng_request_start; its result
 *  is NULL). The plan is ready when the request ends SWNG_OK; until then
 *  its counts are 0 and applying it is refused. */
SWNG_EXTERN int swng_sync_plan_start(swng_sync_plan **out, swng_request **req, swng_loop *loop,
                                     const char *number_group_id, const char *const *ids,
                                     const size_t *lens, size_t n, swng_request_cb cb,
                                     void *payload, swng_error **err);
/** swng_sync_plan_apply on a loop, without blocking: two batches, both
 *  closed, in plan order; *removed starts when *added has finished. Take
 *  their outcomes as for any batch (opts applies to both: on_item and
 *  on_progress count within each batch), and free both before the loop.
 *  The plan may be freed once this returns. */
SWNG_EXTERN int swng_sync_plan_apply_start(swng_batch **added, swng_batch **removed,
                                           swng_loop *loop, const swng_sync_plan *plan,
                                           const swng_batch_options *opts, swng_error **err);

#ifdef __cplusplus
}
#endif

#endif /* SWNG_H */
