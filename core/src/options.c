/* options.c - every client option's meaning and range, in one place.
 *
 * C programs set swng_client_options fields; the bindings and the command
 * set options by name through swng_client_options_set_*; both end in the
 * same checks here, so a value means the same thing in every language. */
#include "internal.h"

#include <stddef.h>
#include <string.h>

static const struct option_def {
    const char *name;
    int kind;      /* swng_option_kind */
    size_t offset; /* of the field in swng_client_options */
    long def_ms;   /* SECONDS: the default, in milliseconds */
    unsigned int since; /* the options version that has the field (0: all) */
} options[] = {
    {"space", SWNG_OPTION_STRING, offsetof(swng_client_options, space), 0, 0},
    {"project_id", SWNG_OPTION_STRING, offsetof(swng_client_options, project_id), 0, 0},
    {"token", SWNG_OPTION_STRING, offsetof(swng_client_options, token), 0, 0},
    {"base_url", SWNG_OPTION_STRING, offsetof(swng_client_options, base_url), 0, 0},
    {"ca_file", SWNG_OPTION_STRING, offsetof(swng_client_options, ca_file), 0, 0},
    {"connect_timeout", SWNG_OPTION_SECONDS, offsetof(swng_client_options, connect_timeout_ms),
     10000, 0},
    {"timeout", SWNG_OPTION_SECONDS, offsetof(swng_client_options, timeout_ms), 30000, 0},
    {"max_retries", SWNG_OPTION_COUNT, offsetof(swng_client_options, max_retries), 0, 0},
    {"retry_base", SWNG_OPTION_SECONDS, offsetof(swng_client_options, retry_base_ms), 500, 0},
    {"retry_max", SWNG_OPTION_SECONDS, offsetof(swng_client_options, retry_max_ms), 30000, 0},
    {"headers", SWNG_OPTION_HEADERS, offsetof(swng_client_options, headers), 0, 0},
    {"proxy", SWNG_OPTION_STRING, offsetof(swng_client_options, proxy), 0, 3},
};
#define NOPTIONS (sizeof options / sizeof options[0])

int swng_client_options_init(swng_client_options *opts)
{
    static const swng_client_options init = SWNG_CLIENT_OPTIONS_INIT;
    if (!opts) return SWNG_EINVAL;
    *opts = init;
    return SWNG_OK;
}

static const struct option_def *find(const char *name)
{
    size_t i;
    if (!name) return NULL;
    for (i = 0; i < NOPTIONS; i++)
        if (strcmp(options[i].name, name) == 0) return &options[i];
    return NULL;
}

int swng_client_option_kind(const char *name)
{
    const struct option_def *d = find(name);
    return d ? d->kind : SWNG_OPTION_UNKNOWN;
}

const char *swng_client_option_name(size_t i) { return i < NOPTIONS ? options[i].name : NULL; }

static int lookup(swng_client_options *opts, const char *name, int kind,
                  const struct option_def **out, swng_error **err)
{
    const struct option_def *d = find(name);
    if (err) *err = NULL;
    if (!opts) return swng__fail_arg(err, "opts", "opts must not be NULL");
    if (!d) return swng__fail_arg(err, NULL, "unknown option '%s'", name ? name : "(null)");
    if (d->kind != kind) {
        static const char *const what[] = {"", "a string", "a number of seconds",
                                           "a whole number", "a list of headers"};
        return swng__fail_arg(err, d->name, "%s must be %s", d->name, what[d->kind]);
    }
    /* A caller's struct of an older version ends before this field. */
    if (d->since && opts->version < d->since)
        return swng__fail_arg(err, d->name, "%s needs options version %u (SWNG_CLIENT_OPTIONS_INIT)",
                              d->name, d->since);
    *out = d;
    return SWNG_OK;
}

int swng_client_options_set_string(swng_client_options *opts, const char *name, const char *value,
                                   size_t len, swng_error **err)
{
    const struct option_def *d;
    int rc = lookup(opts, name, SWNG_OPTION_STRING, &d, err);
    if (rc != SWNG_OK) return rc;
    if (value && memchr(value, '\0', len))
        return swng__fail_arg(err, d->name, "%s must not contain a NUL byte", d->name);
    if (value && value[len] != '\0')
        return swng__fail_arg(err, d->name, "%s must be NUL-terminated after len bytes", d->name);
    *(const char **)((char *)opts + d->offset) = value;
    return SWNG_OK;
}

int swng_client_options_set_number(swng_client_options *opts, const char *name, double value,
                                   swng_error **err)
{
    const struct option_def *d = find(name);
    int rc;
    if (d && d->kind == SWNG_OPTION_COUNT) {
        if (err) *err = NULL;
        if (!opts) return swng__fail_arg(err, "opts", "opts must not be NULL");
        /* Written so that NaN fails every comparison. */
        if (!(value >= 0 && value <= SWNG_MAX_RETRIES) || (double)(unsigned int)value != value)
            return swng__fail_arg(err, d->name, "%s must be a whole number from 0 to %d", d->name,
                                  SWNG_MAX_RETRIES);
        *(unsigned int *)((char *)opts + d->offset) = (unsigned int)value;
        return SWNG_OK;
    }
    if ((rc = lookup(opts, name, SWNG_OPTION_SECONDS, &d, err)) != SWNG_OK) return rc;
    if (!(value > 0 && value <= SWNG_MAX_DURATION_MS / 1000))
        return swng__fail_arg(err, d->name,
                              "%s must be a positive number of seconds, at most %ld", d->name,
                              SWNG_MAX_DURATION_MS / 1000);
    {
        /* Rounded up, so that a tiny positive duration is 1 ms, never 0. */
        double ms = value * 1000.0;
        long nearest = (long)(ms + 0.5), whole = (long)ms;
        /* 4.03 s is 4030.0000000000005 ms in binary: a whole number of
         * milliseconds within rounding error is that number. */
        if (ms - (double)nearest < 1e-6 && (double)nearest - ms < 1e-6)
            whole = nearest;
        else if ((double)whole < ms)
            whole++;
        if (whole < 1) whole = 1; /* a positive duration is never 0 */
        *(long *)((char *)opts + d->offset) = whole;
    }
    return SWNG_OK;
}

int swng__option_ms(const swng_client_options *opts, const char *name, long *out, swng_error **err)
{
    const struct option_def *d = find(name);
    long v = *(const long *)((const char *)opts + d->offset);
    /* Version 1 callers had 0 for "default"; version 2 has SWNG_UNSET. */
    if (v == SWNG_UNSET || (opts->version == 1 && v == 0)) {
        *out = d->def_ms;
        return SWNG_OK;
    }
    if (v <= 0 || v > SWNG_MAX_DURATION_MS)
        return swng__fail_arg(err, d->name, "%s_ms must be from 1 to %ld milliseconds (got %ld)",
                              d->name, SWNG_MAX_DURATION_MS, v);
    *out = v;
    return SWNG_OK;
}
