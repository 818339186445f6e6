/* swng - command-line face of libswng. Every behaviour (validation, option
 * rules, HTTP, errors) comes from the library; this file only parses flags,
 * dispatches subcommands from a table and prints. */
#define _POSIX_C_SOURCE 200809L
#include <swng.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_HEADERS 32
#define MAX_ARGS 8

/* Exit statuses, one per status code, from the library's one table. */
static int exit_code_for(int status)
{
    switch (status) {
#define SWNG_STATUS(ENUM, value, name, text, exit, pyclass, pybases, outcome, doc) \
    case value: return exit;
#include "status.def"
#undef SWNG_STATUS
    default: return 1;
    }
}

/* ------------------------------------------------------------ options */

/* Each flag that sets a library option, and that option's name: the
 * library checks every value, and its messages name the option, which is
 * shown as the flag instead. */
static const struct flag {
    const char *flag;
    const char *option; /* NULL: handled here (--token-file, --header) */
} flags[] = {
    {"--space", "space"},
    {"--base-url", "base_url"},
    {"--project-id", "project_id"},
    {"--ca-file", "ca_file"},
    {"--timeout", "timeout"},
    {"--connect-timeout", "connect_timeout"},
    {"--retries", "max_retries"},
    {"--token-file", "token"},
    {"--header", "headers"},
    {"-H", "headers"},
};
#define NFLAGS (sizeof flags / sizeof flags[0])

/* The flag for a library option name, or NULL. */
static const char *flag_for(const char *option)
{
    size_t i;
    for (i = 0; option && i < NFLAGS; i++)
        if (strcmp(flags[i].option, option) == 0) return flags[i].flag;
    return NULL;
}

static const char usage_text[] =
    "usage: swng COMMAND [options] ARGS...\n"
    "       swng --help | --version\n"
    "\n"
    "commands:\n"
    "%s"
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
    "  --timeout SEC         total timeout per attempt (default 30, at most 86400)\n"
    "  --connect-timeout SEC connect timeout (default 10, at most 86400)\n"
    "  --retries N           retries on 429/503/connect failure (default 0, at most 100)\n"
    "  -H, --header 'Name: value'\n"
    "                        extra request header (repeatable)\n"
    "  -h, --help            this help\n"
    "  -V, --version         print the version\n"
    "\n"
    "exit status: 0 ok, 1 other, 2 invalid argument or usage, 3 authentication,\n"
    "4 not found, 5 validation, 6 rate limited, 7 server error, 8 transport,\n"
    "9 timeout, 10 protocol (the response breaks the API contract)\n";

/* Prints an error; a message about a library option names the flag. */
static void print_error(const swng_error *err)
{
    size_t i, n = swng_error_item_count(err);
    const char *msg = swng_error_message(err), *opt = swng_error_option(err);
    const char *flag = flag_for(opt);
    if (flag && strncmp(msg, opt, strlen(opt)) == 0)
        fprintf(stderr, "swng: %s%s [%s", flag, msg + strlen(opt), swng_error_code_name(err));
    else
        fprintf(stderr, "swng: %s [%s", msg, swng_error_code_name(err));
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

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "swng: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'swng --help'.\n");
    return 2;
}

/* The largest token file read; a token is some 50 bytes, so anything near
 * this is not a token file (documented in --help and the README). */
#define TOKEN_FILE_MAX (64 * 1024)

/* Reads a whole token file (stdin for "-") into a new string: at most
 * TOKEN_FILE_MAX bytes, exactly one trailing newline (LF or CRLF) removed.
 * Anything that would silently give a different token is refused: a
 * directory, a larger file, a UTF-8 byte order mark, a NUL byte, an empty
 * token. Prints why and returns NULL on failure. */
static char *read_token(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    const char *why = NULL;
    struct stat st;
    char *buf = NULL;
    size_t n = 0;
    int read_errno = 0;
    if (!f) {
        fprintf(stderr, "swng: --token-file: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        why = "is a directory";
    else if (!(buf = malloc(TOKEN_FILE_MAX + 2)))
        why = "cannot be read: out of memory";
    else {
        n = fread(buf, 1, TOKEN_FILE_MAX + 1, f);
        if (ferror(f)) read_errno = errno ? errno : EIO;
    }
    if (f != stdin) fclose(f);
    if (why) {
    } else if (read_errno) {
        why = strerror(read_errno);
    } else if (n > TOKEN_FILE_MAX) {
        why = "is larger than 65536 bytes (a token file holds only the token)";
    } else if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        why = "starts with a UTF-8 byte order mark; save it without one";
    } else if (memchr(buf, '\0', n)) {
        why = "holds a NUL byte";
    } else {
        if (n > 0 && buf[n - 1] == '\n') {
            n--;
            if (n > 0 && buf[n - 1] == '\r') n--;
        }
        if (n == 0) why = "holds no token";
    }
    if (why) {
        fprintf(stderr, "swng: --token-file: %s %s\nTry 'swng --help'.\n", path, why);
        if (buf) memset(buf, 0, TOKEN_FILE_MAX + 2);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* What the command line said. */
struct cli {
    swng_client_options opts;
    const char *headers[MAX_HEADERS + 1];
    size_t nheaders;
    char *token;
    const char *args[MAX_ARGS];
    size_t nargs;
};

/* Sets one flag's value. Returns 0, or an exit status. */
static int set_flag(struct cli *c, const struct flag *f, const char *val)
{
    swng_error *err = NULL;
    int rc, kind = swng_client_option_kind(f->option);
    if (strcmp(f->flag, "--token-file") == 0) {
        free(c->token);
        if (!(c->token = read_token(val))) return 2; /* read_token said why */
        rc = swng_client_options_set_string(&c->opts, f->option, c->token, strlen(c->token), &err);
    } else if (kind == SWNG_OPTION_HEADERS) {
        if (c->nheaders == MAX_HEADERS) return usage_error("too many headers (at most %s)", "32");
        c->headers[c->nheaders++] = val;
        c->headers[c->nheaders] = NULL;
        c->opts.headers = c->headers;
        return 0;
    } else if (kind == SWNG_OPTION_STRING) {
        rc = swng_client_options_set_string(&c->opts, f->option, val, strlen(val), &err);
    } else {
        /* A number: only the form is checked here, the range by the library. */
        char *end;
        double v;
        errno = 0;
        v = strtod(val, &end);
        if (errno == ERANGE && v != 0) errno = 0; /* huge: the library says why not */
        if (errno || end == val || *end) {
            fprintf(stderr, "swng: %s: not a number: %s\nTry 'swng --help'.\n", f->flag, val);
            return 2;
        }
        rc = swng_client_options_set_number(&c->opts, f->option, v, &err);
    }
    if (rc != SWNG_OK) print_error(err);
    swng_error_free(err);
    return rc == SWNG_OK ? 0 : exit_code_for(rc);
}

/* ----------------------------------------------------------- commands */

/* Prints a resource's JSON on its own line. */
static void print_json(const char *json)
{
    size_t n = strlen(json);
    fputs(json, stdout);
    if (n == 0 || json[n - 1] != '\n') fputc('\n', stdout);
}

static int cmd_create_membership(swng_client *client, const char *const *args, swng_error **err)
{
    swng_membership *m = NULL;
    int rc = swng_membership_create(&m, client, args[0], args[1], err);
    if (rc == SWNG_OK) print_json(swng_membership_json(m));
    swng_membership_free(m);
    return rc;
}

/* The subcommands: a row each. */
static const struct command {
    const char *name;
    size_t nargs;
    const char *args; /* for messages and help */
    const char *help;
    int (*run)(swng_client *client, const char *const *args, swng_error **err);
} commands[] = {
    {"create-membership", 2, "NUMBER_GROUP_ID PHONE_NUMBER_ID",
     "add a phone number to a number group; prints the membership as JSON",
     cmd_create_membership},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
    char list[2048];
    size_t i, len = 0;
    list[0] = '\0';
    for (i = 0; i < NCOMMANDS && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "  %s %s\n      %s\n",
                                commands[i].name, commands[i].args, commands[i].help);
    fprintf(out, usage_text, list);
}

/* Parses argv into c. Returns -1 to go on, else an exit status. */
static int parse(struct cli *c, int argc, char **argv)
{
    int i, rc;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        size_t k;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("swng %s\n", swng_version());
            return 0;
        }
        if (strcmp(a, "--token") == 0 || strncmp(a, "--token=", 8) == 0)
            return usage_error("%s: pass the token in SIGNALWIRE_API_TOKEN or --token-file, not "
                               "on the command line",
                               "--token");
        for (k = 0; k < NFLAGS; k++) {
            size_t n = strlen(flags[k].flag);
            if (strcmp(a, flags[k].flag) == 0) {
                if (i + 1 >= argc) return usage_error("%s needs a value", a);
                val = argv[++i];
                break;
            }
            if (strncmp(a, flags[k].flag, n) == 0 && a[n] == '=' && flags[k].flag[1] == '-') {
                val = a + n + 1;
                break;
            }
        }
        if (val) {
            if ((rc = set_flag(c, &flags[k], val)) != 0) return rc;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') return usage_error("unknown option %s", a);
        if (c->nargs == MAX_ARGS) return usage_error("too many arguments (%s ...)", a);
        c->args[c->nargs++] = a;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct cli c;
    const struct command *cmd = NULL;
    swng_client *client = NULL;
    swng_error *err = NULL;
    size_t i;
    int rc;

    memset(&c, 0, sizeof c);
    swng_client_options_init(&c.opts);
    rc = parse(&c, argc, argv);
    if (rc < 0 && c.nargs == 0) {
        print_usage(stderr);
        rc = 2;
    }
    if (rc < 0) {
        for (i = 0; i < NCOMMANDS; i++)
            if (strcmp(c.args[0], commands[i].name) == 0) cmd = &commands[i];
        if (!cmd)
            rc = usage_error("unknown command %s", c.args[0]);
        else if (c.nargs - 1 != cmd->nargs) {
            fprintf(stderr, "swng: %s needs %s\nTry 'swng --help'.\n", cmd->name, cmd->args);
            rc = 2;
        }
    }
    if (rc < 0) {
        rc = swng_client_new(&client, &c.opts, &err);
        if (rc == SWNG_OK) rc = cmd->run(client, c.args + 1, &err);
        if (rc != SWNG_OK) print_error(err);
        rc = exit_code_for(rc);
    }
    swng_error_free(err);
    swng_client_free(client);
    if (c.token) {
        memset(c.token, 0, strlen(c.token));
        free(c.token);
    }
    return rc;
}
