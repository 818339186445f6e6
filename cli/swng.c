/* swng - command-line face of libswng. Every behaviour (validation, HTTP,
 * errors) comes from the library; this file only parses flags and prints. */
#define _POSIX_C_SOURCE 200809L
#include <swng.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 32

/* Exit codes, one per error class, stable for scripts. */
enum {
    EXIT_OK = 0,
    EXIT_OTHER = 1,
    EXIT_USAGE = 2, /* also invalid_argument */
    EXIT_AUTH = 3,
    EXIT_NOT_FOUND = 4,
    EXIT_VALIDATION = 5,
    EXIT_RATE_LIMITED = 6,
    EXIT_SERVER = 7,
    EXIT_TRANSPORT = 8,
    EXIT_TIMEOUT = 9,
    EXIT_PROTOCOL = 10
};

static const char usage_text[] =
    "usage: swng create-membership [options] NUMBER_GROUP_ID PHONE_NUMBER_ID\n"
    "       swng --help | --version\n"
    "\n"
    "Adds a phone number to a SignalWire number group and prints the\n"
    "membership as JSON on standard output.\n"
    "\n"
    "options:\n"
    "  --space NAME|HOST     space name (NAME.signalwire.com) or host\n"
    "                        [env SIGNALWIRE_SPACE]\n"
    "  --base-url URL        base URL, e.g. http://127.0.0.1:8080 (http:// only\n"
    "                        to loopback) [env SIGNALWIRE_REST_BASE_URL]\n"
    "  --project-id ID       project id [env SIGNALWIRE_PROJECT_ID]\n"
    "  --token-file FILE     read the API token from FILE ('-': stdin)\n"
    "                        [env SIGNALWIRE_API_TOKEN]; there is no --token\n"
    "                        flag, so the token never shows in `ps`\n"
    "  --ca-file FILE        CA bundle (PEM) [env SIGNALWIRE_REST_CA_FILE]\n"
    "  --timeout SEC         total timeout per attempt (default 30)\n"
    "  --connect-timeout SEC connect timeout (default 10)\n"
    "  --retries N           retries on 429/503/connect failure (default 0)\n"
    "  -H, --header 'Name: value'\n"
    "                        extra request header (repeatable)\n"
    "  -h, --help            this help\n"
    "  -V, --version         print the version\n"
    "\n"
    "exit status: 0 ok, 1 other, 2 invalid argument or usage, 3 authentication,\n"
    "4 not found, 5 validation, 6 rate limited, 7 server error, 8 transport,\n"
    "9 timeout, 10 protocol (the response breaks the API contract)\n";

static int exit_code_for(int status)
{
    switch (status) {
    case SWNG_OK: return EXIT_OK;
    case SWNG_EINVAL: return EXIT_USAGE;
    case SWNG_EAUTH: return EXIT_AUTH;
    case SWNG_ENOTFOUND: return EXIT_NOT_FOUND;
    case SWNG_EVALIDATION: return EXIT_VALIDATION;
    case SWNG_ERATELIMIT: return EXIT_RATE_LIMITED;
    case SWNG_ESERVER: return EXIT_SERVER;
    case SWNG_ETRANSPORT: return EXIT_TRANSPORT;
    case SWNG_ETIMEOUT: return EXIT_TIMEOUT;
    case SWNG_EPROTOCOL: return EXIT_PROTOCOL;
    default: return EXIT_OTHER;
    }
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "swng: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'swng --help'.\n");
    return EXIT_USAGE;
}

/* Seconds (may be fractional) to milliseconds; -1 if not a number >= 0. */
static long parse_seconds(const char *s)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 86400) return -1;
    return (long)(v * 1000.0 + 0.5);
}

/* Reads the first line of a file (or stdin for "-") into a new string. */
static char *read_token(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char buf[1024];
    size_t n;
    if (!f) return NULL;
    if (!fgets(buf, sizeof buf, f)) buf[0] = '\0';
    if (f != stdin) fclose(f);
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return strdup(buf);
}

static void print_error(const swng_error *err)
{
    size_t i, n = swng_error_item_count(err);
    fprintf(stderr, "swng: %s [%s", swng_error_message(err), swng_error_code_name(err));
    if (swng_error_http_status(err)) fprintf(stderr, ", HTTP %ld", swng_error_http_status(err));
    if (swng_error_request_id(err)) fprintf(stderr, ", request id %s", swng_error_request_id(err));
    if (swng_error_retry_after(err) >= 0)
        fprintf(stderr, ", retry after %lds", swng_error_retry_after(err));
    fprintf(stderr, "]\n");
    for (i = 0; i < n; i++) {
        const char *code = swng_error_item_code(err, i), *detail = swng_error_item_detail(err, i);
        fprintf(stderr, "  - %s: %s\n", code ? code : "?", detail ? detail : "");
    }
}

int main(int argc, char **argv)
{
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    const char *headers[MAX_HEADERS + 1];
    const char *positional[3];
    size_t nheaders = 0, npos = 0;
    char *token = NULL;
    swng_client *client = NULL;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        /* Flags that take a value. */
        const char *const valued[] = {"--space", "--base-url", "--project-id", "--token-file",
                                      "--ca-file", "--timeout", "--connect-timeout", "--retries",
                                      "--header", "-H"};
        const char *val = NULL;
        size_t k;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            free(token);
            return EXIT_OK;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("swng %s\n", swng_version());
            free(token);
            return EXIT_OK;
        }
        if (strcmp(a, "--token") == 0 || strncmp(a, "--token=", 8) == 0) {
            free(token);
            return usage_error("%s: pass the token in SIGNALWIRE_API_TOKEN or --token-file, not "
                               "on the command line",
                               "--token");
        }
        for (k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            size_t n = strlen(valued[k]);
            if (strcmp(a, valued[k]) == 0) {
                if (i + 1 >= argc) {
                    free(token);
                    return usage_error("%s needs a value", a);
                }
                val = argv[++i];
                break;
            }
            if (strncmp(a, valued[k], n) == 0 && a[n] == '=' && valued[k][1] == '-') {
                val = a + n + 1;
                break;
            }
        }
        if (val) {
            const char *name = valued[k];
            if (strcmp(name, "--space") == 0) opts.space = val;
            else if (strcmp(name, "--base-url") == 0) opts.base_url = val;
            else if (strcmp(name, "--project-id") == 0) opts.project_id = val;
            else if (strcmp(name, "--ca-file") == 0) opts.ca_file = val;
            else if (strcmp(name, "--token-file") == 0) {
                free(token);
                if (!(token = read_token(val))) return usage_error("cannot read token file %s", val);
                opts.token = token;
            } else if (strcmp(name, "--timeout") == 0 || strcmp(name, "--connect-timeout") == 0) {
                long ms = parse_seconds(val);
                if (ms < 0) {
                    free(token);
                    return usage_error("bad number of seconds: %s", val);
                }
                /* The library reads 0 as "default"; a 0 s timeout is 1 ms. */
                if (ms == 0) ms = 1;
                if (name[2] == 't') opts.timeout_ms = ms;
                else opts.connect_timeout_ms = ms;
            } else if (strcmp(name, "--retries") == 0) {
                char *end;
                long n = strtol(val, &end, 10);
                if (*end || end == val || n < 0 || n > 100) {
                    free(token);
                    return usage_error("bad number of retries: %s", val);
                }
                opts.max_retries = (unsigned int)n;
            } else {
                if (nheaders == MAX_HEADERS) {
                    free(token);
                    return usage_error("too many headers (at most %s)", "32");
                }
                headers[nheaders++] = val;
            }
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            free(token);
            return usage_error("unknown option %s", a);
        }
        if (npos == 3) {
            free(token);
            return usage_error("too many arguments (%s ...)", a);
        }
        positional[npos++] = a;
    }
    if (npos == 0) {
        fputs(usage_text, stderr);
        free(token);
        return EXIT_USAGE;
    }
    if (strcmp(positional[0], "create-membership") != 0) {
        free(token);
        return usage_error("unknown command %s", positional[0]);
    }
    if (npos != 3) {
        free(token);
        return usage_error("%s needs NUMBER_GROUP_ID and PHONE_NUMBER_ID", "create-membership");
    }
    headers[nheaders] = NULL;
    if (nheaders) opts.headers = headers;

    rc = swng_client_new(&client, &opts, &err);
    if (rc == SWNG_OK) rc = swng_membership_create(&m, client, positional[1], positional[2], &err);
    if (rc == SWNG_OK) {
        const char *json = swng_membership_json(m);
        size_t n = strlen(json);
        fputs(json, stdout);
        if (n == 0 || json[n - 1] != '\n') fputc('\n', stdout);
    } else {
        print_error(err);
    }
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(client);
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    return exit_code_for(rc);
}
