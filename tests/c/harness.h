/*
 * harness.h - a tiny test harness for swng's C tests.
 *
 *  - Assertion macros: CHECK* record a failure and go on; REQUIRE* record a
 *    failure and return from the current test function.
 *  - A runner: each test program lists its tests in a table and calls
 *    th_main(); "prog NAME..." runs only the named tests.
 *  - A client of the emulated space's control API (/__space/...), over
 *    libcurl, with the journal and memberships returned as cJSON trees.
 *  - The fixture (SWNG_TEST_FIXTURE), read with cJSON.
 *
 * Every test runs against the real emulated space that with_space.py starts
 * and describes in SWNG_TEST_BASE_URL / _PROJECT_ID / _TOKEN / _FIXTURE.
 */
#ifndef SWNG_TEST_HARNESS_H
#define SWNG_TEST_HARNESS_H

#include "swng.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* ------------------------------------------------------------ assertions */

extern int th_failures;       /* failures in the whole program */
extern int th_test_failures;  /* failures in the current test */

void th_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Quoted, escaped form of s for messages (static rotating buffers). */
const char *th_q(const char *s);

#define CHECK(cond) th_check(!!(cond), __FILE__, __LINE__, #cond)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!CHECK(cond)) return;                                                      \
    } while (0)

#define CHECK_MSG(cond, ...) th_check_msg(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define CHECK_INT_EQ(a, b)                                                             \
    th_check_long(__FILE__, __LINE__, #a, (long)(a), #b, (long)(b))
#define CHECK_STR_EQ(a, b) th_check_str(__FILE__, __LINE__, #a, (a), #b, (b))
#define CHECK_STR_CONTAINS(hay, needle)                                                \
    th_check_contains(__FILE__, __LINE__, #hay, (hay), (needle), 1)
#define CHECK_STR_NOT_CONTAINS(hay, needle)                                            \
    th_check_contains(__FILE__, __LINE__, #hay, (hay), (needle), 0)
#define CHECK_NULL(p) CHECK_MSG((p) == NULL, "%s should be NULL", #p)
#define CHECK_NOT_NULL(p) CHECK_MSG((p) != NULL, "%s should not be NULL", #p)

/* rc must equal want; on mismatch the error's code and message are shown.
 * err must be a swng_error * variable: it is read through its address, after
 * rc (often the call that sets it) has been evaluated. */
#define CHECK_RC(rc, want, err) th_check_rc_p(__FILE__, __LINE__, #rc, (rc), (want), &(err))
#define REQUIRE_RC(rc, want, err)                                                      \
    do {                                                                               \
        if (!CHECK_RC(rc, want, err)) return;                                          \
    } while (0)

int th_check(int ok, const char *file, int line, const char *expr);
int th_check_msg(int ok, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int th_check_long(const char *file, int line, const char *ea, long a, const char *eb, long b);
int th_check_str(const char *file, int line, const char *ea, const char *a, const char *eb,
                 const char *b);
int th_check_contains(const char *file, int line, const char *eh, const char *hay,
                      const char *needle, int want);
int th_check_rc(const char *file, int line, const char *erc, int rc, int want,
                const swng_error *err);
int th_check_rc_p(const char *file, int line, const char *erc, int rc, int want,
                  swng_error *const *errp);

/* ---------------------------------------------------------------- runner */

typedef struct th_test {
    const char *name;
    void (*fn)(void);
} th_test;

/* Set to 1 before th_main() in programs that do not talk to a space. */
extern int th_no_space;

/* Runs the tests (all, or those named in argv), prints one line per test,
 * returns the exit status (0 if every check passed). */
int th_main(int argc, char **argv, const th_test *tests, size_t n);

/* An integer from the environment, or def. */
long th_env_long(const char *name, long def);

/* Milliseconds on a monotonic clock. */
double th_now_ms(void);
void th_sleep_ms(long ms);

/* ----------------------------------------------------------- the space */

/* From the SWNG_TEST_* environment; the runner checks they are set. */
const char *th_base_url(void);
const char *th_project_id(void);
const char *th_token(void);

/* Control API. Each fails the current test (and returns -1 / NULL) if the
 * space does not answer 2xx. */
int th_space_reset(void);
int th_space_fault(const char *json);
/* Sets the space's paging mode ({"mode": ...}; reset restores normal). */
int th_space_paging(const char *json);
int th_space_clear_journal(void);
/* The journal's "requests" array (caller cJSON_Deletes the returned root;
 * *requests points into it). */
cJSON *th_space_journal(cJSON **requests);
int th_journal_count(void);
/* The most route requests the space served at once since its last reset. */
long th_space_peak_in_flight(void);
/* Waits (up to 15 s) until no request of an earlier test is being served
 * (a delayed one whose client has gone), then resets the space, so that its
 * peak in flight counts this test's requests only. */
int th_space_quiet(void);
cJSON *th_space_memberships(cJSON **memberships);

/* A string field of a cJSON object, or NULL. */
const char *th_json_str(const cJSON *obj, const char *name);
/* A header of a journal entry (names are lower-case there), or NULL. */
const char *th_journal_header(const cJSON *entry, const char *lower_name);

/* ------------------------------------------------------------ fixture */

/* The fixture's phone_numbers[i] / number_groups[i]; NULL if out of range.
 * Loaded on first use and kept for the whole program. */
const cJSON *th_fixture_phone(int i);
const cJSON *th_fixture_group(int i);
int th_fixture_phone_count(void);

/* Well-known fixture entries (checked against the fixture at start). */
#define TH_GROUP_SALES "41148420-0549-49cf-924c-e4a320c8c1e9"
#define TH_GROUP_SUPPORT "b179e269-2584-4943-9632-557e345ffb17"
#define TH_PHONE_MAIN "0cc9aa06-4e1e-47b0-b276-0fa31c147608"
#define TH_PHONE_ZURICH "ead2f00b-5111-4a4e-9c61-05ecf273d1f7"
#define TH_PHONE_SPARE "6e30f326-b8a3-45cd-9e7a-bf0ee9173253"
/* A well-formed UUID that is neither a group nor a phone number. */
#define TH_UNKNOWN_UUID "00000000-1111-4222-8333-444444444444"

/* ------------------------------------------------------------ clients */

/* A client for the space with the given tweaks (NULL fields: defaults);
 * fails the test and returns NULL on error. */
swng_client *th_client(const swng_client_options *tweaks);
/* Options pointing at the space: base_url, project_id, token filled in. */
void th_space_options(swng_client_options *o);

/* Base64 (standard alphabet, padded) of s; malloc'd. */
char *th_base64(const char *s);

/* A TCP port on 127.0.0.1 that refuses connections: a socket bound to it
 * but not listening, kept open (so nobody else takes the port) until
 * th_refused_port_close(fd). Returns the port, and the fd in *fd. */
int th_refused_port(int *fd);
void th_refused_port_close(int fd);

#endif
