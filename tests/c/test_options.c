/* test_options.c - every rule of the option table, through the public API:
 * options by name (swng_client_options_set_number / _set_string, one range
 * rule for every duration, max_retries 0..SWNG_MAX_RETRIES), the names and
 * kinds (swng_client_option_kind / _name), swng_error_option, and the same
 * rules on the struct fields when swng_client_new reads them (version 2:
 * SWNG_UNSET is the default, 0 is invalid; version 1: 0 is the default).
 *
 * Every refusal must leave *opts untouched, name the option in
 * swng_error_option, start its message with that name, and send nothing. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_NOTHING_SENT() CHECK_MSG(th_journal_count() == 0, "a request reached the space")

static const char *const duration_names[] = {"connect_timeout", "timeout", "retry_base",
                                             "retry_max"};
#define NDURATIONS (sizeof duration_names / sizeof duration_names[0])

/* The field an option name sets (durations only). */
static long *duration_field(swng_client_options *o, const char *name)
{
    if (strcmp(name, "connect_timeout") == 0) return &o->connect_timeout_ms;
    if (strcmp(name, "timeout") == 0) return &o->timeout_ms;
    if (strcmp(name, "retry_base") == 0) return &o->retry_base_ms;
    if (strcmp(name, "retry_max") == 0) return &o->retry_max_ms;
    return NULL;
}

/* Options with every field set to something recognisable, so that a
 * change anywhere shows. */
static void marked_options(swng_client_options *o)
{
    static const char *const hdrs[] = {"X-Mark: 1", NULL};
    swng_client_options_init(o);
    o->space = "mark-space";
    o->project_id = "mark-project";
    o->token = "mark-token";
    o->base_url = "http://127.0.0.1:1";
    o->ca_file = "/mark/ca.pem";
    o->connect_timeout_ms = 1111;
    o->timeout_ms = 2222;
    o->max_retries = 3;
    o->retry_base_ms = 4444;
    o->retry_max_ms = 5555;
    o->headers = hdrs;
}

/* Field by field (memcmp would read the struct's padding). */
static int opts_equal(const swng_client_options *a, const swng_client_options *b)
{
    return a->version == b->version && a->space == b->space && a->project_id == b->project_id &&
           a->token == b->token && a->base_url == b->base_url && a->ca_file == b->ca_file &&
           a->connect_timeout_ms == b->connect_timeout_ms && a->timeout_ms == b->timeout_ms &&
           a->max_retries == b->max_retries && a->retry_base_ms == b->retry_base_ms &&
           a->retry_max_ms == b->retry_max_ms && a->headers == b->headers;
}

/* err must be an SWNG_EINVAL naming `option` (NULL: no option), with a
 * message that starts with it (or, for option NULL, contains `text`). */
static void check_refusal(int rc, const swng_error *err, const char *option, const char *text,
                          const char *what, int line)
{
    char label[256];
    const char *msg = swng_error_message(err);
    snprintf(label, sizeof label, "%s", what);
    th_check_rc(__FILE__, line, label, rc, SWNG_EINVAL, err);
    th_check_msg(err != NULL, __FILE__, line, "%s: no error detail", label);
    th_check_long(__FILE__, line, "swng_error_code(err)", swng_error_code(err), "SWNG_EINVAL",
                  SWNG_EINVAL);
    th_check_long(__FILE__, line, "swng_error_http_status(err)", swng_error_http_status(err), "0",
                  0);
    if (option) {
        th_check_str(__FILE__, line, "swng_error_option(err)", swng_error_option(err), "option",
                     option);
        th_check_msg(strncmp(msg, option, strlen(option)) == 0, __FILE__, line,
                     "%s: message %s does not start with %s", label, th_q(msg), option);
    } else {
        th_check_msg(swng_error_option(err) == NULL, __FILE__, line,
                     "%s: swng_error_option is %s, expected NULL", label,
                     th_q(swng_error_option(err)));
    }
    if (text) th_check_contains(__FILE__, line, "message", msg, text, 1);
}

/* ------------------------------------------------------- set_number rows */

struct number_row {
    double value;
    const char *label;
    long want_ms; /* -1: refused */
};

static void test_durations_by_name(void)
{
    const struct number_row rows[] = {
        {NAN, "NaN", -1},
        {-NAN, "-NaN", -1},
        {INFINITY, "+inf", -1},
        {-INFINITY, "-inf", -1},
        {0.0, "0", -1},
        {-0.0, "-0", -1},
        {-1.0, "-1", -1},
        {-1e-9, "-1e-9", -1},
        {1e-9, "1e-9", 1},                 /* rounded up: never 0 */
        {DBL_MIN, "DBL_MIN", 1},
        {4.9406564584124654e-324, "denormal min", 1},
        {0.0015, "0.0015", 2},             /* 1.5 ms rounds up */
        {0.001, "0.001", 1},
        {1.0, "1", 1000},
        {2.5, "2.5", 2500},
        {86400.0, "86400", 86400000L},     /* SWNG_MAX_DURATION_MS exactly */
        {86399.9999999, "86399.9999999", 86400000L},
        {86400.001, "86400.001", -1},
        {86400.0000001, "86400.0000001", -1},
        {1e300, "1e300", -1},
        {DBL_MAX, "DBL_MAX", -1},
        {9.3e18, "9.3e18 (beyond long ms)", -1},
    };
    size_t n, r;
    for (n = 0; n < NDURATIONS; n++) {
        const char *name = duration_names[n];
        for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            swng_client_options o, before;
            swng_error *err = (swng_error *)&err; /* must be reset */
            char what[128];
            int rc;
            snprintf(what, sizeof what, "set_number(%s, %s)", name, rows[r].label);
            marked_options(&o);
            before = o;
            rc = swng_client_options_set_number(&o, name, rows[r].value, &err);
            if (rows[r].want_ms < 0) {
                check_refusal(rc, err, name, NULL, what, __LINE__);
                CHECK_MSG(opts_equal(&o, &before), "%s changed *opts", what);
                /* The same without an error out-parameter. */
                rc = swng_client_options_set_number(&o, name, rows[r].value, NULL);
                CHECK_MSG(rc == SWNG_EINVAL, "%s with err NULL: rc %d", what, rc);
                CHECK_MSG(opts_equal(&o, &before), "%s (err NULL) changed *opts",
                          what);
            } else {
                CHECK_MSG(rc == SWNG_OK, "%s: rc %d (%s)", what, rc, swng_error_message(err));
                CHECK_MSG(err == NULL, "%s: err set on success", what);
                CHECK_MSG(*duration_field(&o, name) == rows[r].want_ms, "%s: %ld ms, want %ld",
                          what, *duration_field(&o, name), rows[r].want_ms);
                /* Nothing else moved. */
                *duration_field(&o, name) = *duration_field(&before, name);
                CHECK_MSG(opts_equal(&o, &before), "%s changed another field", what);
            }
            swng_error_free(err);
        }
    }
}

/* Decimal seconds are the user's numbers: 4.03 s is 4030 ms, not 4031 (the
 * product 4.03 * 1000 is 4030.0000000000005 in binary floating point, and
 * rounding that up adds a millisecond nobody asked for). */
static void test_decimal_seconds_exact(void)
{
    static const struct {
        double s;
        long ms;
    } rows[] = {{0.7, 700},      {1.1, 1100},  {4.03, 4030},    {8.05, 8050},
                {2.007, 2007},   {16.01, 16010}, {1.001, 1001}, {0.05, 50},
                {86399.999, 86399999L}};
    size_t i, n;
    for (n = 0; n < NDURATIONS; n++) {
        for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            swng_client_options o;
            swng_error *err = NULL;
            swng_client_options_init(&o);
            CHECK_RC(swng_client_options_set_number(&o, duration_names[n], rows[i].s, &err), SWNG_OK,
                     err);
            swng_error_free(err);
            CHECK_MSG(*duration_field(&o, duration_names[n]) == rows[i].ms,
                      "set_number(%s, %g): %ld ms, want %ld", duration_names[n], rows[i].s,
                      *duration_field(&o, duration_names[n]), rows[i].ms);
        }
    }
}

static void test_max_retries_by_name(void)
{
    const struct {
        double value;
        const char *label;
        long want; /* -1: refused */
    } rows[] = {
        {-1.0, "-1", -1},
        {-0.5, "-0.5", -1},
        {0.0, "0", 0},
        {1.0, "1", 1},
        {100.0, "100", 100},
        {101.0, "101", -1},
        {100.5, "100.5", -1},
        {2.5, "2.5", -1},
        {1e-9, "1e-9", -1},
        {NAN, "NaN", -1},
        {INFINITY, "+inf", -1},
        {-INFINITY, "-inf", -1},
        {4294967296.0, "2^32", -1},
        {1e300, "1e300", -1},
    };
    size_t r;
    for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        swng_client_options o, before;
        swng_error *err = NULL;
        char what[128];
        int rc;
        snprintf(what, sizeof what, "set_number(max_retries, %s)", rows[r].label);
        marked_options(&o);
        before = o;
        rc = swng_client_options_set_number(&o, "max_retries", rows[r].value, &err);
        if (rows[r].want < 0) {
            check_refusal(rc, err, "max_retries", "100", what, __LINE__);
            CHECK_MSG(opts_equal(&o, &before), "%s changed *opts", what);
        } else {
            CHECK_MSG(rc == SWNG_OK, "%s: rc %d (%s)", what, rc, swng_error_message(err));
            CHECK_MSG(o.max_retries == (unsigned int)rows[r].want, "%s: %u", what, o.max_retries);
            o.max_retries = before.max_retries;
            CHECK_MSG(opts_equal(&o, &before), "%s changed another field", what);
        }
        swng_error_free(err);
    }
}

/* ------------------------------------------------------- set_string rows */

static const char **string_field(swng_client_options *o, const char *name)
{
    if (strcmp(name, "space") == 0) return &o->space;
    if (strcmp(name, "project_id") == 0) return &o->project_id;
    if (strcmp(name, "token") == 0) return &o->token;
    if (strcmp(name, "base_url") == 0) return &o->base_url;
    if (strcmp(name, "ca_file") == 0) return &o->ca_file;
    return NULL;
}

static void test_strings_by_name(void)
{
    static const char *const names[] = {"space", "project_id", "token", "base_url", "ca_file"};
    static const char with_nul[] = "abc\0def";
    static const char value[] = "value-123";
    static const char longer[] = "abcdef";
    size_t n;
    for (n = 0; n < sizeof names / sizeof names[0]; n++) {
        const char *name = names[n];
        swng_client_options o, before;
        swng_error *err = NULL;
        char what[128];
        int rc;

        /* A good value is stored, borrowed (the same pointer). */
        marked_options(&o);
        before = o;
        CHECK_RC(swng_client_options_set_string(&o, name, value, strlen(value), &err), SWNG_OK,
                 err);
        CHECK(*string_field(&o, name) == value);
        *string_field(&o, name) = *string_field(&before, name);
        CHECK_MSG(opts_equal(&o, &before), "set_string(%s) changed another field",
                  name);
        swng_error_free(err);

        /* An embedded NUL. */
        snprintf(what, sizeof what, "set_string(%s, \"abc\\0def\", 7)", name);
        marked_options(&o);
        before = o;
        rc = swng_client_options_set_string(&o, name, with_nul, sizeof with_nul - 1, &err);
        check_refusal(rc, err, name, "NUL", what, __LINE__);
        CHECK_MSG(opts_equal(&o, &before), "%s changed *opts", what);
        swng_error_free(err);
        /* A NUL counted at the end is a NUL too. */
        rc = swng_client_options_set_string(&o, name, value, sizeof value, &err);
        check_refusal(rc, err, name, "NUL", "set_string(value, len + 1)", __LINE__);
        CHECK_MSG(opts_equal(&o, &before), "%s (len+1) changed *opts", name);
        swng_error_free(err);
        /* len shorter than the string: it could not be used as is. */
        rc = swng_client_options_set_string(&o, name, longer, 3, &err);
        check_refusal(rc, err, name, NULL, "set_string(\"abcdef\", 3)", __LINE__);
        CHECK_MSG(opts_equal(&o, &before), "%s (short len) changed *opts", name);
        swng_error_free(err);

        /* NULL unsets the option. */
        marked_options(&o);
        CHECK_RC(swng_client_options_set_string(&o, name, NULL, 0, &err), SWNG_OK, err);
        CHECK_MSG(*string_field(&o, name) == NULL, "set_string(%s, NULL) did not unset it", name);
        swng_error_free(err);
        /* ... whatever len says. */
        marked_options(&o);
        CHECK_RC(swng_client_options_set_string(&o, name, NULL, 12, &err), SWNG_OK, err);
        CHECK(*string_field(&o, name) == NULL);
        swng_error_free(err);

        /* The empty string is a value (the same as unset for swng_client_new,
         * which counts "" as unset, but it is stored). */
        marked_options(&o);
        CHECK_RC(swng_client_options_set_string(&o, name, "", 0, &err), SWNG_OK, err);
        CHECK_STR_EQ(*string_field(&o, name), "");
        swng_error_free(err);
    }
}

static void test_unknown_and_mismatched_names(void)
{
    static const char *const unknown[] = {"nope",     "",           "timeout_ms", "TIMEOUT",
                                          "Space",    " timeout",   "timeout ",   "retries",
                                          "retry_base_ms", "max-retries", "header"};
    size_t i, n;
    swng_client_options o, before;
    swng_error *err = NULL;
    char what[128];
    int rc;

    marked_options(&o);
    before = o;
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        snprintf(what, sizeof what, "set_number(%s)", th_q(unknown[i]));
        rc = swng_client_options_set_number(&o, unknown[i], 1.0, &err);
        check_refusal(rc, err, NULL, "unknown option", what, __LINE__);
        if (unknown[i][0]) CHECK_STR_CONTAINS(swng_error_message(err), unknown[i]);
        swng_error_free(err);
        snprintf(what, sizeof what, "set_string(%s)", th_q(unknown[i]));
        rc = swng_client_options_set_string(&o, unknown[i], "x", 1, &err);
        check_refusal(rc, err, NULL, "unknown option", what, __LINE__);
        swng_error_free(err);
        CHECK_INT_EQ(swng_client_option_kind(unknown[i]), SWNG_OPTION_UNKNOWN);
    }
    rc = swng_client_options_set_number(&o, NULL, 1.0, &err);
    check_refusal(rc, err, NULL, "unknown option", "set_number(NULL name)", __LINE__);
    swng_error_free(err);
    rc = swng_client_options_set_string(&o, NULL, "x", 1, &err);
    check_refusal(rc, err, NULL, "unknown option", "set_string(NULL name)", __LINE__);
    swng_error_free(err);
    CHECK_INT_EQ(swng_client_option_kind(NULL), SWNG_OPTION_UNKNOWN);

    /* Kind mismatch: every name through the setter of the other kind. */
    for (i = 0; swng_client_option_name(i) != NULL; i++) {
        const char *name = swng_client_option_name(i);
        int kind = swng_client_option_kind(name);
        if (kind != SWNG_OPTION_STRING) {
            snprintf(what, sizeof what, "set_string(%s)", name);
            rc = swng_client_options_set_string(&o, name, "1", 1, &err);
            check_refusal(rc, err, name, " must be ", what, __LINE__);
            swng_error_free(err);
        }
        if (kind != SWNG_OPTION_SECONDS && kind != SWNG_OPTION_COUNT) {
            snprintf(what, sizeof what, "set_number(%s)", name);
            rc = swng_client_options_set_number(&o, name, 1.0, &err);
            check_refusal(rc, err, name, " must be ", what, __LINE__);
            swng_error_free(err);
        }
    }
    /* The two named in the brief, with what they should say. */
    rc = swng_client_options_set_number(&o, "space", 1.0, &err);
    check_refusal(rc, err, "space", "string", "set_number(space)", __LINE__);
    swng_error_free(err);
    rc = swng_client_options_set_string(&o, "timeout", "30", 2, &err);
    check_refusal(rc, err, "timeout", "seconds", "set_string(timeout)", __LINE__);
    swng_error_free(err);
    rc = swng_client_options_set_string(&o, "max_retries", "3", 1, &err);
    check_refusal(rc, err, "max_retries", "whole number", "set_string(max_retries)", __LINE__);
    swng_error_free(err);
    CHECK_MSG(opts_equal(&o, &before), "a refused name changed *opts");

    /* NULL opts. */
    for (n = 0; n < NDURATIONS; n++) {
        rc = swng_client_options_set_number(NULL, duration_names[n], 1.0, &err);
        check_refusal(rc, err, "opts", NULL, "set_number(NULL opts)", __LINE__);
        swng_error_free(err);
    }
    rc = swng_client_options_set_number(NULL, "max_retries", 1.0, &err);
    check_refusal(rc, err, "opts", NULL, "set_number(NULL, max_retries)", __LINE__);
    swng_error_free(err);
    rc = swng_client_options_set_string(NULL, "space", "x", 1, &err);
    check_refusal(rc, err, "opts", NULL, "set_string(NULL opts)", __LINE__);
    swng_error_free(err);
    CHECK_INT_EQ(swng_client_options_init(NULL), SWNG_EINVAL);
}

/* ------------------------------------------------------ names and kinds */

static void test_names_and_kinds(void)
{
    static const struct {
        const char *name;
        int kind;
    } want[] = {
        {"space", SWNG_OPTION_STRING},        {"project_id", SWNG_OPTION_STRING},
        {"token", SWNG_OPTION_STRING},        {"base_url", SWNG_OPTION_STRING},
        {"ca_file", SWNG_OPTION_STRING},      {"connect_timeout", SWNG_OPTION_SECONDS},
        {"timeout", SWNG_OPTION_SECONDS},     {"max_retries", SWNG_OPTION_COUNT},
        {"retry_base", SWNG_OPTION_SECONDS},  {"retry_max", SWNG_OPTION_SECONDS},
        {"headers", SWNG_OPTION_HEADERS},     {"proxy", SWNG_OPTION_STRING},
    };
    const size_t nwant = sizeof want / sizeof want[0];
    int seen[sizeof want / sizeof want[0]] = {0};
    size_t i, k, count = 0;
    const char *name;

    for (i = 0; i < nwant; i++)
        CHECK_MSG(swng_client_option_kind(want[i].name) == want[i].kind, "kind(%s) = %d, want %d",
                  want[i].name, swng_client_option_kind(want[i].name), want[i].kind);

    /* Iteration lists each name exactly once, then NULL (and stays NULL). */
    for (i = 0; (name = swng_client_option_name(i)) != NULL && i < 1000; i++) {
        count++;
        for (k = 0; k < nwant; k++)
            if (strcmp(name, want[k].name) == 0) break;
        if (!CHECK_MSG(k < nwant, "swng_client_option_name(%lu) = %s: not a known option",
                       (unsigned long)i, th_q(name)))
            continue;
        CHECK_MSG(!seen[k], "%s listed twice", name);
        seen[k] = 1;
        CHECK_MSG(swng_client_option_kind(name) != SWNG_OPTION_UNKNOWN, "kind(%s) unknown", name);
    }
    CHECK_INT_EQ(count, nwant);
    for (k = 0; k < nwant; k++) CHECK_MSG(seen[k], "%s not listed", want[k].name);
    CHECK_NULL(swng_client_option_name(nwant));
    CHECK_NULL(swng_client_option_name(nwant + 1));
    CHECK_NULL(swng_client_option_name(1000));
    CHECK_NULL(swng_client_option_name((size_t)-1));
    /* Every listed duration is settable by name, every string too: the
     * table and the setters agree. */
    for (i = 0; (name = swng_client_option_name(i)) != NULL && i < 1000; i++) {
        swng_client_options o;
        swng_error *err = NULL;
        int kind = swng_client_option_kind(name);
        swng_client_options_init(&o);
        if (kind == SWNG_OPTION_SECONDS || kind == SWNG_OPTION_COUNT)
            CHECK_RC(swng_client_options_set_number(&o, name, 1.0, &err), SWNG_OK, err);
        else if (kind == SWNG_OPTION_STRING)
            CHECK_RC(swng_client_options_set_string(&o, name, "x", 1, &err), SWNG_OK, err);
        swng_error_free(err);
    }
}

/* ------------------------------------------------------- struct fields */

/* swng_client_new with o must fail naming `option`; nothing sent. */
static void expect_new_einval(const swng_client_options *o, const char *option, const char *what,
                              int line)
{
    swng_client *c = (swng_client *)&c; /* must be reset to NULL */
    swng_error *err = NULL;
    int rc = swng_client_new(&c, o, &err);
    check_refusal(rc, err, option, NULL, what, line);
    th_check_msg(c == NULL, __FILE__, line, "%s: *out not NULL on failure", what);
    th_check_long(__FILE__, line, "requests sent", th_journal_count(), "0", 0);
    if (rc == SWNG_OK) swng_client_free(c);
    swng_error_free(err);
}

static void expect_new_ok(const swng_client_options *o, const char *what, int line)
{
    swng_client *c = NULL;
    swng_error *err = NULL;
    int rc = swng_client_new(&c, o, &err);
    th_check_rc(__FILE__, line, what, rc, SWNG_OK, err);
    th_check_msg(c != NULL, __FILE__, line, "%s: no client", what);
    swng_client_free(c);
    swng_error_free(err);
}

static void test_struct_durations_v2(void)
{
    static const struct {
        long v;
        const char *label;
        int ok;
    } rows[] = {
        {0, "0", 0},
        {-1, "-1", 0},
        {-1000, "-1000", 0},
        {LONG_MIN, "LONG_MIN", 0},
        {SWNG_UNSET + 1, "SWNG_UNSET+1", 0},
        {SWNG_MAX_DURATION_MS + 1, "SWNG_MAX_DURATION_MS+1", 0},
        {LONG_MAX, "LONG_MAX", 0},
        {1, "1", 1},
        {SWNG_MAX_DURATION_MS, "SWNG_MAX_DURATION_MS", 1},
        {SWNG_UNSET, "SWNG_UNSET", 1},
    };
    size_t n, r;
    for (n = 0; n < NDURATIONS; n++) {
        for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            swng_client_options o;
            char what[128];
            th_space_options(&o);
            CHECK_INT_EQ(o.version, SWNG_CLIENT_OPTIONS_VERSION);
            *duration_field(&o, duration_names[n]) = rows[r].v;
            snprintf(what, sizeof what, "v2 %s_ms = %s", duration_names[n], rows[r].label);
            if (rows[r].ok)
                expect_new_ok(&o, what, __LINE__);
            else
                expect_new_einval(&o, duration_names[n], what, __LINE__);
        }
    }
    CHECK_NOTHING_SENT();
}

static void test_struct_durations_v1(void)
{
    static const struct {
        long v;
        const char *label;
        int ok;
    } rows[] = {
        {0, "0 (default in version 1)", 1},
        {SWNG_UNSET, "SWNG_UNSET", 1},
        {1, "1", 1},
        {SWNG_MAX_DURATION_MS, "SWNG_MAX_DURATION_MS", 1},
        {-1, "-1", 0},
        {SWNG_MAX_DURATION_MS + 1, "SWNG_MAX_DURATION_MS+1", 0},
    };
    size_t n, r;
    for (n = 0; n < NDURATIONS; n++) {
        for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            swng_client_options o;
            char what[128];
            th_space_options(&o);
            o.version = 1;
            *duration_field(&o, duration_names[n]) = rows[r].v;
            snprintf(what, sizeof what, "v1 %s_ms = %s", duration_names[n], rows[r].label);
            if (rows[r].ok)
                expect_new_ok(&o, what, __LINE__);
            else
                expect_new_einval(&o, duration_names[n], what, __LINE__);
        }
    }
    /* A version-1 caller that never heard of SWNG_UNSET: every duration 0. */
    {
        swng_client_options o;
        th_space_options(&o);
        o.version = 1;
        o.connect_timeout_ms = o.timeout_ms = o.retry_base_ms = o.retry_max_ms = 0;
        expect_new_ok(&o, "v1 all durations 0", __LINE__);
        /* The same is refused in version 2, naming the first duration. */
        o.version = 2;
        expect_new_einval(&o, "connect_timeout", "v2 all durations 0", __LINE__);
    }
    CHECK_NOTHING_SENT();
}

static void test_struct_max_retries_and_version(void)
{
    swng_client_options o;
    th_space_options(&o);
    o.max_retries = SWNG_MAX_RETRIES;
    expect_new_ok(&o, "v2 max_retries 100", __LINE__);
    o.max_retries = SWNG_MAX_RETRIES + 1;
    expect_new_einval(&o, "max_retries", "v2 max_retries 101", __LINE__);
    o.max_retries = UINT_MAX;
    expect_new_einval(&o, "max_retries", "v2 max_retries UINT_MAX", __LINE__);
    /* Version 1 had no maximum; it keeps its meaning. */
    o.version = 1;
    o.max_retries = SWNG_MAX_RETRIES + 1;
    expect_new_ok(&o, "v1 max_retries 101", __LINE__);

    th_space_options(&o);
    o.version = 0;
    expect_new_einval(&o, "version", "version 0", __LINE__);
    o.version = SWNG_CLIENT_OPTIONS_VERSION + 1;
    expect_new_einval(&o, "version", "version past the header's", __LINE__);
    o.version = 0xffffffffu;
    expect_new_einval(&o, "version", "version UINT_MAX", __LINE__);
    CHECK_NOTHING_SENT();
}

/* Options set by name reach the client: a name-set duration and
 * max_retries work in swng_client_new. */
static void test_by_name_then_client(void)
{
    swng_client_options o;
    swng_error *err = NULL;
    size_t n;
    th_space_options(&o);
    for (n = 0; n < NDURATIONS; n++) {
        CHECK_RC(swng_client_options_set_number(&o, duration_names[n], 1e-9, &err), SWNG_OK, err);
        swng_error_free(err);
    }
    CHECK_RC(swng_client_options_set_number(&o, "max_retries", SWNG_MAX_RETRIES, &err), SWNG_OK,
             err);
    swng_error_free(err);
    expect_new_ok(&o, "every duration 1 ms by name, max_retries 100", __LINE__);
    for (n = 0; n < NDURATIONS; n++) {
        CHECK_RC(swng_client_options_set_number(&o, duration_names[n], 86400, &err), SWNG_OK, err);
        swng_error_free(err);
    }
    expect_new_ok(&o, "every duration 1 day by name", __LINE__);
    CHECK_NOTHING_SENT();
}

/* The default retry_base (500 ms) is what SWNG_UNSET (version 2) and 0
 * (version 1) give: a 503 without Retry-After is retried after a wait in
 * [250, 500] ms (backoff with jitter down to half), not after 1 ms. An
 * explicit retry_base of 20 ms waits [10, 20] ms. */
static double retry_wait_ms(swng_client_options *o)
{
    swng_client *c;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    cJSON *reqs, *root;
    double span = -1;
    o->max_retries = 1;
    c = th_client(o);
    if (!c) return -1;
    CHECK_INT_EQ(th_space_reset(), 0);
    CHECK_INT_EQ(th_space_fault("{\"mode\":\"status\",\"status\":503}"), 0);
    CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(c);
    root = th_space_journal(&reqs);
    if (root && cJSON_GetArraySize(reqs) == 2)
        span = (cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 1), "time")->valuedouble -
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 0), "time")->valuedouble) *
               1000.0;
    else
        CHECK_MSG(0, "expected 2 requests (503, 200)");
    cJSON_Delete(root);
    return span;
}

static void test_unset_is_default(void)
{
    swng_client_options o;
    double w;

    th_space_options(&o);
    CHECK_INT_EQ(o.retry_base_ms, SWNG_UNSET);
    w = retry_wait_ms(&o);
    CHECK_MSG(w >= 240 && w < 1500, "v2 SWNG_UNSET retry_base: retry after %.0f ms, want 250..500",
              w);

    th_space_options(&o);
    o.version = 1;
    o.retry_base_ms = 0;
    o.retry_max_ms = 0;
    w = retry_wait_ms(&o);
    CHECK_MSG(w >= 240 && w < 1500, "v1 retry_base 0: retry after %.0f ms, want 250..500", w);

    th_space_options(&o);
    o.retry_base_ms = 20;
    w = retry_wait_ms(&o);
    CHECK_MSG(w >= 9 && w < 200, "retry_base 20 ms: retry after %.0f ms, want 10..20", w);

    /* Set by name: 0.02 s. */
    {
        swng_error *err = NULL;
        th_space_options(&o);
        CHECK_RC(swng_client_options_set_number(&o, "retry_base", 0.02, &err), SWNG_OK, err);
        swng_error_free(err);
        w = retry_wait_ms(&o);
        CHECK_MSG(w >= 9 && w < 200, "retry_base 0.02 s: retry after %.0f ms, want 10..20", w);
    }
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"durations_by_name", test_durations_by_name},
        {"decimal_seconds_exact", test_decimal_seconds_exact},
        {"max_retries_by_name", test_max_retries_by_name},
        {"strings_by_name", test_strings_by_name},
        {"unknown_and_mismatched_names", test_unknown_and_mismatched_names},
        {"names_and_kinds", test_names_and_kinds},
        {"struct_durations_v2", test_struct_durations_v2},
        {"struct_durations_v1", test_struct_durations_v1},
        {"struct_max_retries_and_version", test_struct_max_retries_and_version},
        {"by_name_then_client", test_by_name_then_client},
        {"unset_is_default", test_unset_is_default},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
