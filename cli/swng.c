/* swng - command-line face of libswng. Every behaviour (validation, option
 * rules, HTTP, errors) comes from the library; this file only parses flags,
 * dispatches subcommands from a table and prints. */
#define _POSIX_C_SOURCE 200809L
#include <swng.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 32
#define MAX_ARGS 8

/* Exit statuses of a many-number command (members add/remove with several
 * numbers, --from or stdin): some inputs failed, or every one did. They are
 * above status.def's exits so that codes appended there do not meet them. */
#define EXIT_SOME_FAILED 20
#define EXIT_ALL_FAILED 21

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
    "usage: swng RESOURCE COMMAND [options] ARGS...\n"
    "       swng RESOURCE --help | swng --help | swng --version\n"
    "\n"
    "%s"
    "\n"
    "command flags:\n"
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
    "  -o, --output json|table\n"
    "                        json (default): a result as JSON, a list as one JSON\n"
    "                        object per line; table: a table for people\n"
    "  -h, --help            this help\n"
    "  --debug               a line on stderr for every request attempt: method, path,\n"
    "                        HTTP status, outcome, time, attempt, request id (never\n"
    "                        the token)\n"
    "  -V, --version         print the version\n"
    "\n"
    "exit status: 0 ok, 1 other, 2 invalid argument or usage, 3 authentication,\n"
    "4 not found, 5 validation, 6 rate limited, 7 server error, 8 transport,\n"
    "9 timeout, 10 protocol (the response breaks the API contract), 11 ambiguous\n"
    "(a name or number matches several), 130 cancelled (Ctrl-C or SIGTERM: nothing\n"
    "more is sent)\n"
    "many numbers (members add/remove with several NUMBERs, --from or -): 0 every\n"
    "input succeeded (or was a skipped duplicate), 20 some inputs failed, 21 none\n"
    "succeeded, 130 cancelled (the rest is printed as cancelled); a failure before\n"
    "the first input (usage, the group, authentication) has its status above\n";

/* ------------------------------------------------------ safe text */

/* The length of the valid UTF-8 sequence at s (at most n bytes), with its
 * code point in *cp; 0 if it is not valid UTF-8 (overlong, surrogate, past
 * U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
    size_t len, i;
    unsigned long v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) len = 2, v = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) len = 3, v = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) len = 4, v = s[0] & 0x07;
    else return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* 1 for the code points a line must not carry raw: C0 and C1 controls,
 * DEL, bidirectional controls and marks, line and paragraph separators
 * (what safe_text escapes), so that the line is safe on a terminal too. */
static int unsafe_cp(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e ||
           cp == 0x200f || cp == 0x061c;
}

/* Text from the server (names, messages) as it may be shown on a terminal:
 * a new string in which C0 and C1 controls, DEL, the bidirectional
 * overrides and isolates, the line and paragraph separators and bytes that
 * are not UTF-8 are escaped (\xNN, \uNNNN), and so is a backslash (\\), so
 * that the text cannot move the cursor, recolour or reorder the terminal.
 * NULL only when out of memory. */
static char *safe_text(const char *s)
{
    size_t n = strlen(s), i = 0, o = 0;
    char *r = malloc(n * 4 + 1); /* at most 4 bytes out per byte in */
    if (!r) return NULL;
    while (i < n) {
        const unsigned char *u = (const unsigned char *)s + i;
        unsigned long cp = 0;
        size_t len = utf8_seq(u, n - i, &cp);
        if (len == 0 || cp < 0x20 || cp == 0x7f) {
            o += (size_t)sprintf(r + o, "\\x%02x", u[0]);
            i++;
        } else if (cp == '\\') {
            r[o++] = '\\', r[o++] = '\\';
            i++;
        } else if (unsafe_cp(cp)) {
            o += (size_t)sprintf(r + o, "\\u%04lx", cp);
            i += len;
        } else {
            memcpy(r + o, u, len);
            o += len;
            i += len;
        }
    }
    r[o] = '\0';
    return r;
}

/* The width of safe text in columns: its code points. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) w++;
    return w;
}

/* Writes s to out through safe_text. */
static void put_safe(FILE *out, const char *s)
{
    char *t = safe_text(s);
    fputs(t ? t : "?", out);
    free(t);
}

/* ------------------------------------------------------ command flags */

/* Flags of the commands themselves (the library options are in flags[]). */
enum {
    F_NAME = 1 << 0,
    F_NUMBER = 1 << 1,
    F_PAGE_SIZE = 1 << 2,
    F_STICKY = 1 << 3,
    F_NO_STICKY = 1 << 4,
    F_GROUP_NAME = 1 << 5,
    F_IGNORE_EXISTING = 1 << 6,
    F_OUTPUT = 1 << 7,
    F_FROM = 1 << 8,
    F_PARALLEL = 1 << 9,
    F_DRY_RUN = 1 << 10
};

static const struct cmd_flag {
    const char *flag;
    const char *alias;  /* a short form, or NULL */
    unsigned bit;
    const char *value;  /* the value's name, or NULL: takes no value */
    const char *option; /* the library argument it becomes, for messages */
    const char *help;
} cmd_flags[] = {
    {"--name", NULL, F_NAME, "NAME", "name", "a group's new name; in lists: names containing NAME"},
    {"--number", NULL, F_NUMBER, "SUBSTR", "number", "numbers containing SUBSTR"},
    {"--page-size", NULL, F_PAGE_SIZE, "N", "page_size",
     "items per request (1 to 1000; the lists read every page)"},
    {"--sticky-sender", NULL, F_STICKY, NULL, NULL, "turn sticky sender on"},
    {"--no-sticky-sender", NULL, F_NO_STICKY, NULL, NULL, "turn sticky sender off"},
    {"--group-name", NULL, F_GROUP_NAME, "NAME", "name",
     "give GROUP as its exact name instead of its id"},
    {"--ignore-existing", NULL, F_IGNORE_EXISTING, NULL, NULL,
     "a number already in the group is not an error: prints its membership"},
    {"--from", NULL, F_FROM, "FILE", NULL,
     "read NUMBERs from FILE ('-': stdin), one a line"},
    {"--parallel", NULL, F_PARALLEL, "N", "concurrency",
     "requests in flight for many numbers (default 8, 1 to 64)"},
    {"--dry-run", NULL, F_DRY_RUN, NULL, NULL,
     "resolve and check every number, change nothing (GETs only)"},
    {"--output", "-o", F_OUTPUT, "FORMAT", NULL, NULL /* under options */},
};
#define NCMDFLAGS (sizeof cmd_flags / sizeof cmd_flags[0])

/* Prints an error; a message about a library option names the flag, and so
 * does one about an argument given by a command flag in `given` (bits). */
static void print_error_for(const swng_error *err, unsigned given)
{
    size_t i, n = swng_error_item_count(err);
    const char *msg = swng_error_message(err), *opt = swng_error_option(err);
    const char *flag = flag_for(opt);
    for (i = 0; !flag && opt && i < NCMDFLAGS; i++)
        if ((given & cmd_flags[i].bit) && cmd_flags[i].option &&
            strcmp(cmd_flags[i].option, opt) == 0)
            flag = cmd_flags[i].flag;
    fputs("swng: ", stderr);
    if (flag && strncmp(msg, opt, strlen(opt)) == 0) {
        fputs(flag, stderr);
        msg += strlen(opt);
    }
    put_safe(stderr, msg);
    fprintf(stderr, " [%s", swng_error_code_name(err));
    if (swng_error_http_status(err)) fprintf(stderr, ", HTTP %ld", swng_error_http_status(err));
    if (swng_error_request_id(err)) {
        fputs(", request id ", stderr);
        put_safe(stderr, swng_error_request_id(err));
    }
    if (swng_error_retry_after(err) >= 0)
        fprintf(stderr, ", retry after %lds", swng_error_retry_after(err));
    fprintf(stderr, "]\n");
    for (i = 0; i < n; i++) {
        const char *code = swng_error_item_code(err, i), *detail = swng_error_item_detail(err, i);
        fputs("  - ", stderr);
        put_safe(stderr, code ? code : "?");
        fputs(": ", stderr);
        put_safe(stderr, detail ? detail : "");
        fputc('\n', stderr);
    }
}

static void print_error(const swng_error *err) { print_error_for(err, 0); }

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
    const char **args; /* argc entries */
    size_t nargs;
    /* The command flags: which were given (F_* bits)
     * and their values. */
    unsigned given;
    const char *name, *number, *group_name, *page_size, *output, *from, *parallel;
    int help;
    int debug; /* --debug: a trace line per request attempt on stderr */
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

/* ----------------------------------------------------------- output */

/* Where results go: JSON lines, or a table printed at the end. */
struct out {
    int table;
    size_t ncols, nrows, cap;
    const char *const *heads;
    char **cells; /* nrows * ncols safe strings */
};

/* Prints a resource's JSON on its own line. */
static void print_json(const char *json)
{
    size_t n = strlen(json);
    fputs(json, stdout);
    if (n == 0 || json[n - 1] != '\n') fputc('\n', stdout);
}

/* One result: its JSON, or its row of cells (NULL cells are empty). */
static int emit(struct out *o, const char *json, const char *const *heads, size_t ncols,
                const char *const *cells)
{
    size_t i;
    if (!o->table) {
        print_json(json);
        return SWNG_OK;
    }
    o->heads = heads;
    o->ncols = ncols;
    if (o->nrows == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        char **more = realloc(o->cells, cap * ncols * sizeof *more);
        if (!more) return SWNG_ENOMEM;
        o->cells = more;
        o->cap = cap;
    }
    for (i = 0; i < ncols; i++)
        if (!(o->cells[o->nrows * ncols + i] = safe_text(cells[i] ? cells[i] : ""))) {
            while (i--) free(o->cells[o->nrows * ncols + i]);
            return SWNG_ENOMEM;
        }
    o->nrows++;
    return SWNG_OK;
}

/* Prints the table (if any) and frees it. */
static void out_finish(struct out *o)
{
    size_t r, i, w[8] = {0};
    if (o->table && o->heads) {
        for (i = 0; i < o->ncols; i++) w[i] = text_width(o->heads[i]);
        for (r = 0; r < o->nrows; r++)
            for (i = 0; i < o->ncols; i++)
                if (text_width(o->cells[r * o->ncols + i]) > w[i])
                    w[i] = text_width(o->cells[r * o->ncols + i]);
        for (r = 0; r <= o->nrows; r++)
            for (i = 0; i < o->ncols; i++) {
                const char *t = r == 0 ? o->heads[i] : o->cells[(r - 1) * o->ncols + i];
                fputs(t, stdout);
                if (i + 1 == o->ncols)
                    fputc('\n', stdout);
                else
                    printf("%*s", (int)(w[i] - text_width(t) + 2), "");
            }
    }
    for (r = 0; r < o->nrows * o->ncols; r++) free(o->cells[r]);
    free(o->cells);
}

/* The columns of each resource in a table. */
static const char *const group_heads[] = {"ID", "NAME", "STICKY_SENDER", "PHONE_NUMBER_COUNT"};
static const char *const member_heads[] = {"ID", "PHONE_NUMBER", "NAME"};
static const char *const number_heads[] = {"ID", "NUMBER", "NAME", "NUMBER_TYPE"};

/* A command's result: one resource, or a cursor over a list of them. */
union one {
    swng_number_group *group;
    swng_membership *member;
    swng_phone_number *number;
};
struct result {
    union one one;
    swng_cursor *list;
};

/* What a command runs with: positional arguments with GROUP and NUMBER
 * already resolved to ids. */
struct ctx {
    swng_client *client;
    const struct cli *c;
    const char *const *args;
    int page_size;
    struct out out;
};

/* A resource type: how to page through, show and free one. */
struct kind {
    int (*next)(swng_cursor *cur, union one *o, swng_error **err);
    int (*present)(const union one *o);
    int (*emit)(struct out *out, const union one *o);
    void (*free)(union one *o);
};

static int group_next(swng_cursor *cur, union one *o, swng_error **err)
{
    return swng_number_group_next(cur, &o->group, err);
}
static int group_present(const union one *o) { return o->group != NULL; }
static void group_free(union one *o) { swng_number_group_free(o->group); }
static int group_emit(struct out *out, const union one *o)
{
    const swng_number_group *g = o->group;
    char count[32] = "";
    const char *cells[4];
    if (swng_number_group_phone_number_count(g) >= 0)
        snprintf(count, sizeof count, "%ld", swng_number_group_phone_number_count(g));
    cells[0] = swng_number_group_id(g);
    cells[1] = swng_number_group_name(g);
    cells[2] = swng_number_group_sticky_sender(g) ? "true" : "false";
    cells[3] = count;
    return emit(out, swng_number_group_json(g), group_heads, 4, cells);
}
static const struct kind groups_kind = {group_next, group_present, group_emit, group_free};

static int member_next(swng_cursor *cur, union one *o, swng_error **err)
{
    return swng_membership_next(cur, &o->member, err);
}
static int member_present(const union one *o) { return o->member != NULL; }
static void member_free(union one *o) { swng_membership_free(o->member); }
static int member_emit(struct out *out, const union one *o)
{
    const char *cells[3];
    cells[0] = swng_membership_id(o->member);
    cells[1] = swng_membership_phone_number_number(o->member);
    cells[2] = swng_membership_phone_number_name(o->member);
    return emit(out, swng_membership_json(o->member), member_heads, 3, cells);
}
static const struct kind members_kind = {member_next, member_present, member_emit, member_free};

static int number_next(swng_cursor *cur, union one *o, swng_error **err)
{
    return swng_phone_number_next(cur, &o->number, err);
}
static int number_present(const union one *o) { return o->number != NULL; }
static void number_free(union one *o) { swng_phone_number_free(o->number); }
static int number_emit(struct out *out, const union one *o)
{
    const char *cells[4];
    cells[0] = swng_phone_number_id(o->number);
    cells[1] = swng_phone_number_number(o->number);
    cells[2] = swng_phone_number_name(o->number);
    cells[3] = swng_phone_number_number_type(o->number);
    return emit(out, swng_phone_number_json(o->number), number_heads, 4, cells);
}
static const struct kind numbers_kind = {number_next, number_present, number_emit, number_free};

/* Shows a command's result: the one resource, or every item of the list
 * (page after page), then frees it. A delete has nothing to show. */
static int show(struct out *out, const struct kind *k, struct result *r, swng_error **err)
{
    int rc = SWNG_OK;
    if (!k) return SWNG_OK;
    if (r->list) {
        while ((rc = k->next(r->list, &r->one, err)) == SWNG_OK && k->present(&r->one)) {
            rc = k->emit(out, &r->one);
            k->free(&r->one);
            if (rc != SWNG_OK) break;
        }
        swng_cursor_free(r->list);
        return rc;
    }
    rc = k->emit(out, &r->one);
    k->free(&r->one);
    return rc;
}

/* ----------------------------------------------------------- commands */

/* Each command makes one library call; show() prints what it returns. */
static int cmd_groups_list(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_number_group_list(&r->list, x->client, x->c->name, x->page_size, err);
}
static int cmd_groups_create(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_number_group_create(&r->one.group, x->client, x->args[0],
                                    (x->c->given & F_STICKY) ? 1 : 0, err);
}
static int cmd_groups_get(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_number_group_get(&r->one.group, x->client, x->args[0], err);
}
static int cmd_groups_update(struct ctx *x, struct result *r, swng_error **err)
{
    int sticky = (x->c->given & F_STICKY) ? 1 : (x->c->given & F_NO_STICKY) ? 0 : SWNG_KEEP;
    return swng_number_group_update(&r->one.group, x->client, x->args[0], x->c->name, sticky,
                                    err);
}
static int cmd_groups_delete(struct ctx *x, struct result *r, swng_error **err)
{
    (void)r;
    return swng_number_group_delete(x->client, x->args[0], err);
}
static int cmd_members_list(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_membership_list(&r->list, x->client, x->args[0], x->page_size, err);
}
static int cmd_members_add(struct ctx *x, struct result *r, swng_error **err)
{
    int if_exists =
        (x->c->given & F_IGNORE_EXISTING) ? SWNG_IF_EXISTS_RETURN : SWNG_IF_EXISTS_ERROR;
    return swng_membership_create_ex(&r->one.member, x->client, x->args[0], x->args[1],
                                     if_exists, err);
}
static int cmd_members_remove(struct ctx *x, struct result *r, swng_error **err)
{
    (void)r;
    return swng_number_group_remove_number(x->client, x->args[0], x->args[1], err);
}
/* members sync never runs as a single call (main runs run_sync). */
static int cmd_members_sync(struct ctx *x, struct result *r, swng_error **err)
{
    (void)x;
    (void)r;
    (void)err;
    return SWNG_EINVAL;
}
static int cmd_numbers_list(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_phone_number_list(&r->list, x->client, x->c->number, x->c->name, x->page_size,
                                  err);
}
static int cmd_numbers_find(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_phone_number_find(&r->one.number, x->client, x->args[0], err);
}
static int cmd_numbers_get(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_phone_number_get(&r->one.number, x->client, x->args[0], err);
}
/* The create-membership command of swng 0.1: members add without
 * resolution (both ids as given), output unchanged. */
static int cmd_create_membership(struct ctx *x, struct result *r, swng_error **err)
{
    return swng_membership_create(&r->one.member, x->client, x->args[0], x->args[1], err);
}

/* Positional arguments that are resolved before the command runs. */
enum {
    A_GROUP = 1, /* args[0] is GROUP: an id, or --group-name NAME */
    A_NUMBER = 2 /* args[1] is NUMBER: an id, or an E.164 number ("+...") */
};

/* The commands: a row each, `swng RESOURCE VERB` (or one word, when verb
 * is NULL). Help, argument counts and flag checks all come from here. */
static const struct command {
    const char *resource;
    const char *verb;
    size_t nargs;
    const char *args; /* for messages and help */
    unsigned resolve; /* A_* */
    unsigned flags;   /* F_* it accepts */
    unsigned needs;   /* F_* it requires */
    const char *help;
    int (*run)(struct ctx *x, struct result *r, swng_error **err);
    const struct kind *kind; /* what run returns; NULL: nothing */
    int many; /* NUMBER may be repeated, read from a file or stdin: a batch
                 (1), or the whole list of a sync (2) */
} commands[] = {
    {"groups", "list", 0, "", 0, F_NAME | F_PAGE_SIZE, 0,
     "list number groups (--name: names containing NAME)", cmd_groups_list, &groups_kind, 0},
    {"groups", "create", 1, "NAME", 0, F_STICKY, 0, "create a number group", cmd_groups_create,
     &groups_kind, 0},
    {"groups", "get", 1, "GROUP", A_GROUP, F_GROUP_NAME, 0, "show a number group",
     cmd_groups_get, &groups_kind, 0},
    {"groups", "update", 1, "GROUP", A_GROUP, F_GROUP_NAME | F_NAME | F_STICKY | F_NO_STICKY,
     F_NAME, "rename a number group, set its sticky sender", cmd_groups_update, &groups_kind, 0},
    {"groups", "delete", 1, "GROUP", A_GROUP, F_GROUP_NAME, 0,
     "delete a number group (its numbers stay in the project)", cmd_groups_delete, NULL, 0},
    {"members", "list", 1, "GROUP", A_GROUP, F_GROUP_NAME | F_PAGE_SIZE, 0,
     "list the numbers in a group (its memberships)", cmd_members_list, &members_kind, 0},
    {"members", "add", 2, "GROUP NUMBER...", A_GROUP | A_NUMBER,
     F_GROUP_NAME | F_IGNORE_EXISTING | F_FROM | F_PARALLEL | F_DRY_RUN, 0,
     "add phone numbers to a group; one NUMBER: prints the membership", cmd_members_add,
     &members_kind, 1},
    {"members", "remove", 2, "GROUP NUMBER...", A_GROUP | A_NUMBER,
     F_GROUP_NAME | F_FROM | F_PARALLEL | F_DRY_RUN, 0, "take phone numbers out of a group",
     cmd_members_remove, NULL, 1},
    {"members", "sync", 2, "GROUP NUMBER...", A_GROUP | A_NUMBER,
     F_GROUP_NAME | F_FROM | F_PARALLEL | F_DRY_RUN, 0,
     "make a group's numbers exactly NUMBER...: prints the plan, then applies it", cmd_members_sync,
     NULL, 2},
    {"numbers", "list", 0, "", 0, F_NUMBER | F_NAME | F_PAGE_SIZE, 0,
     "list the project's phone numbers (--number, --name: containing)", cmd_numbers_list,
     &numbers_kind, 0},
    {"numbers", "find", 1, "E164", 0, 0, 0, "show the phone number that is exactly E164",
     cmd_numbers_find, &numbers_kind, 0},
    {"numbers", "get", 1, "ID", 0, 0, 0, "show a phone number by id", cmd_numbers_get,
     &numbers_kind, 0},
    {"create-membership", NULL, 2, "NUMBER_GROUP_ID PHONE_NUMBER_ID", 0, 0, 0,
     "add a phone number to a number group by ids; prints the membership as JSON",
     cmd_create_membership, &members_kind, 0},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Appends to a fixed buffer (truncating). */
static void add(char *buf, size_t size, size_t *len, const char *fmt, const char *a,
                const char *b)
{
    if (*len < size) *len += (size_t)snprintf(buf + *len, size - *len, fmt, a, b);
}

/* "swng groups get GROUP [--group-name NAME]"-style synopsis of a row,
 * without "swng ". */
static void synopsis(char *buf, size_t size, const struct command *cmd)
{
    size_t len = 0, i;
    buf[0] = '\0';
    add(buf, size, &len, "%s%s", cmd->resource, cmd->verb ? " " : "");
    add(buf, size, &len, "%s%s", cmd->verb ? cmd->verb : "", *cmd->args ? " " : "");
    if (cmd->resolve & A_GROUP) /* "GROUP ..." */
        add(buf, size, &len, "(GROUP | --group-name NAME)%s", cmd->args + strlen("GROUP"), "");
    else
        add(buf, size, &len, "%s%s", cmd->args, "");
    for (i = 0; i < NCMDFLAGS; i++) {
        const struct cmd_flag *f = &cmd_flags[i];
        if (!(cmd->flags & f->bit) || f->bit == F_GROUP_NAME) continue;
        add(buf, size, &len, (cmd->needs & f->bit) ? " %s" : " [%s", f->flag, "");
        if (f->value) add(buf, size, &len, " %s%s", f->value, "");
        if (!(cmd->needs & f->bit)) add(buf, size, &len, "]", "", "");
    }
}

/* The usage, for every command or for one resource's. */
static void print_usage(FILE *out, const char *resource)
{
    char list[8192], flaglist[2048], line[256];
    size_t i, len = 0, flen = 0;
    unsigned shown = 0, resolved = 0;
    list[0] = flaglist[0] = '\0';
    add(list, sizeof list, &len, "%s%s", resource ? resource : "", resource ? " commands:\n"
                                                                            : "commands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        if (resource && strcmp(commands[i].resource, resource) != 0) continue;
        synopsis(line, sizeof line, &commands[i]);
        add(list, sizeof list, &len, "  swng %s\n", line, "");
        add(list, sizeof list, &len, "      %s\n", commands[i].help, "");
        shown |= commands[i].flags;
        resolved |= commands[i].resolve;
    }
    if (resolved & A_GROUP)
        add(list, sizeof list, &len, "%s%s", "\nGROUP: a number group's id, or its exact name ",
            "given as --group-name NAME.\n");
    if (resolved & A_NUMBER)
        add(list, sizeof list, &len, "%s%s", "NUMBER: a phone number's id, or its E.164 form ",
            "(+15551230001).\n");
    if (resolved & A_NUMBER)
        add(list, sizeof list, &len, "%s%s",
            "NUMBER...: several NUMBERs, '-' (stdin) or --from FILE (one a line; blank\n"
            "lines and lines starting with # are skipped) make a batch: --parallel\n"
            "requests at once, a number given twice is sent once (the repeat is\n"
            "\"skipped\"), E.164 numbers are looked up first. One JSON line per input\n"
            "on stdout as each finishes, failures included:\n",
            "  {\"index\": 0, \"input\": \"+15551230001\", \"outcome\": \"ok\",\n"
            "   \"phone_number_id\": \"...\", \"membership\": {...}, \"existed\": false}\n"
            "  {\"index\": 1, \"input\": \"...\", \"outcome\": \"not_found\", \"phone_number_id\": ...,\n"
            "   \"error\": {\"code\", \"message\", \"http_status\", \"request_id\", \"items\"}}\n"
            "(outcome: ok, or the error's code: validation, not_found, skipped,\n"
            "cancelled, ...); a summary on stderr, and a progress line when stderr is\n"
            "a terminal. --dry-run sends only GETs; its ok lines carry \"dry_run\": true\n"
            "and the \"phone_number\".\n");
    for (i = 0; i < NCMDFLAGS; i++)
        if (cmd_flags[i].help && (!resource || (shown & cmd_flags[i].bit))) {
            char f[64];
            snprintf(f, sizeof f, "%s%s%s", cmd_flags[i].flag, cmd_flags[i].value ? " " : "",
                     cmd_flags[i].value ? cmd_flags[i].value : "");
            if (flen < sizeof flaglist)
                flen += (size_t)snprintf(flaglist + flen, sizeof flaglist - flen, "  %-21s %s\n",
                                         f, cmd_flags[i].help);
        }
    fprintf(out, usage_text, list, flaglist);
}

/* The row for args (resource, verb), or NULL with *known set to whether the
 * resource exists. */
static const struct command *find_command(const char *const *args, size_t nargs, int *known)
{
    size_t i;
    *known = 0;
    for (i = 0; nargs > 0 && i < NCOMMANDS; i++) {
        if (strcmp(commands[i].resource, args[0]) != 0) continue;
        *known = 1;
        if (!commands[i].verb || (nargs > 1 && strcmp(commands[i].verb, args[1]) == 0))
            return &commands[i];
    }
    return NULL;
}

/* The verbs of a resource, "list, create, ...". */
static void verbs_of(char *buf, size_t size, const char *resource)
{
    size_t i, len = 0;
    buf[0] = '\0';
    for (i = 0; i < NCOMMANDS; i++)
        if (commands[i].verb && strcmp(commands[i].resource, resource) == 0)
            add(buf, size, &len, "%s%s", len ? ", " : "", commands[i].verb);
}

/* A command flag, or NULL. */
static const struct cmd_flag *cmd_flag_named(const char *a, const char **val)
{
    size_t k, n;
    *val = NULL;
    for (k = 0; k < NCMDFLAGS; k++) {
        n = strlen(cmd_flags[k].flag);
        if (strcmp(a, cmd_flags[k].flag) == 0 ||
            (cmd_flags[k].alias && strcmp(a, cmd_flags[k].alias) == 0))
            return &cmd_flags[k];
        if (cmd_flags[k].value && strncmp(a, cmd_flags[k].flag, n) == 0 && a[n] == '=') {
            *val = a + n + 1;
            return &cmd_flags[k];
        }
    }
    return NULL;
}

/* Records a command flag. Returns 0, or an exit status. */
static int set_cmd_flag(struct cli *c, const struct cmd_flag *f, const char *val)
{
    c->given |= f->bit;
    switch (f->bit) {
    case F_NAME: c->name = val; break;
    case F_NUMBER: c->number = val; break;
    case F_GROUP_NAME: c->group_name = val; break;
    case F_PAGE_SIZE: c->page_size = val; break;
    case F_FROM: c->from = val; break;
    case F_PARALLEL: c->parallel = val; break;
    case F_OUTPUT:
        if (strcmp(val, "json") != 0 && strcmp(val, "table") != 0)
            return usage_error("--output must be json or table, not %s", val);
        c->output = val;
        break;
    default: break;
    }
    return 0;
}

/* Parses argv into c. Returns -1 to go on, else an exit status. */
static int parse(struct cli *c, int argc, char **argv)
{
    int i, rc, rest = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        const struct cmd_flag *cf;
        size_t k;
        if (rest || a[0] != '-' || a[1] == '\0') {
            c->args[c->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            rest = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            c->help = 1;
            return -1;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("swng %s\n", swng_version());
            return 0;
        }
        if (strcmp(a, "--debug") == 0) {
            c->debug = 1;
            continue;
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
        if ((cf = cmd_flag_named(a, &val)) != NULL) {
            if (cf->value && !val) {
                if (i + 1 >= argc) return usage_error("%s needs a value", a);
                val = argv[++i];
            }
            if ((rc = set_cmd_flag(c, cf, val)) != 0) return rc;
            continue;
        }
        return usage_error("unknown option %s", a);
    }
    return -1;
}

/* Checks the command line against the command's row. Returns -1 to go
 * on, else an exit status. */
static int check(const struct cli *c, const struct command *cmd, size_t nargs)
{
    char full[64];
    size_t i, want = cmd->nargs;
    snprintf(full, sizeof full, "%s%s%s", cmd->resource, cmd->verb ? " " : "",
             cmd->verb ? cmd->verb : "");
    for (i = 0; i < NCMDFLAGS; i++) {
        const struct cmd_flag *f = &cmd_flags[i];
        if ((c->given & f->bit) && !(cmd->flags & f->bit) && f->bit != F_OUTPUT) {
            fprintf(stderr, "swng: %s does not take %s\nTry 'swng %s --help'.\n", full, f->flag,
                    cmd->resource);
            return 2;
        }
        if ((cmd->needs & f->bit) && !(c->given & f->bit)) {
            fprintf(stderr, "swng: %s needs %s %s\nTry 'swng %s --help'.\n", full, f->flag,
                    f->value ? f->value : "", cmd->resource);
            return 2;
        }
    }
    if ((c->given & F_STICKY) && (c->given & F_NO_STICKY))
        return usage_error("%s", "--sticky-sender and --no-sticky-sender exclude each other");
    if (c->given & F_GROUP_NAME) want--;
    if (cmd->many && nargs >= want - 1 && (nargs >= want || (c->given & F_FROM))) return -1;
    if (nargs != want) {
        const char *rest = cmd->args + strcspn(cmd->args, " "); /* the args after GROUP */
        if (c->given & F_GROUP_NAME)
            fprintf(stderr, "swng: %s with --group-name needs %s\n", full,
                    *rest ? rest + 1 : "no other argument");
        else
            fprintf(stderr, "swng: %s needs %s%s%s\n", full, *cmd->args ? cmd->args : "no argument",
                    (cmd->resolve & A_GROUP) ? " (or --group-name NAME for GROUP)" : "",
                    cmd->many ? " (or --from FILE for NUMBER...)" : "");
        fprintf(stderr, "Try 'swng%s%s --help'.\n", cmd->verb ? " " : "",
                cmd->verb ? cmd->resource : "");
        return 2;
    }
    return -1;
}

/* Resolves GROUP (--group-name) and NUMBER (E.164) to ids in ids[], in an
 * order that checks what the library can check without sending before
 * anything is sent: a malformed group id or E.164 number sends nothing.
 * (A malformed NUMBER id together with --group-name is refused only after
 * the group lookup: the library has no call that checks a phone number id
 * without sending.) Returns SWNG_OK or a status, with *flags_for_error the
 * command flags that the error may name. */
static int resolve(swng_client *client, const struct cli *c, const struct command *cmd,
                   const char **ids, char **owned, swng_error **err, unsigned *flags_for_error)
{
    int rc = SWNG_OK;
    size_t shift = (c->given & F_GROUP_NAME) ? 1 : 0, i;
    for (i = 0; i + shift < cmd->nargs; i++) ids[i + shift] = c->args[i + (cmd->verb ? 2 : 1)];
    *flags_for_error = c->given & ~F_GROUP_NAME;
    if ((cmd->resolve & A_GROUP) && !shift && (cmd->resolve & A_NUMBER) && ids[1][0] == '+') {
        /* The group id is checked before the number is looked up: a list
         * cursor checks its group id and sends nothing. */
        swng_cursor *cur = NULL;
        rc = swng_membership_list(&cur, client, ids[0], 0, err);
        swng_cursor_free(cur);
    }
    if (rc == SWNG_OK && (cmd->resolve & A_NUMBER) && ids[1][0] == '+') {
        swng_phone_number *p = NULL;
        rc = swng_phone_number_find(&p, client, ids[1], err);
        if (rc == SWNG_OK && !(ids[1] = owned[1] = strdup(swng_phone_number_id(p))))
            rc = SWNG_ENOMEM;
        swng_phone_number_free(p);
    }
    if (rc == SWNG_OK && (cmd->resolve & A_GROUP) && shift) {
        swng_number_group *g = NULL;
        *flags_for_error = F_GROUP_NAME;
        rc = swng_number_group_find(&g, client, c->group_name, err);
        if (rc == SWNG_OK && !(ids[0] = owned[0] = strdup(swng_number_group_id(g))))
            rc = SWNG_ENOMEM;
        swng_number_group_free(g);
        if (rc == SWNG_OK) *flags_for_error = c->given & ~F_GROUP_NAME;
    }
    return rc;
}

/* Ctrl-C (or SIGTERM) cancels the call in progress at once: the library
 * sends nothing more (no retry after it) and the command exits 130. A
 * second signal has the default effect (SA_RESETHAND). */
static swng_cancel *interrupt_cancel;

static void on_interrupt(int sig)
{
    (void)sig;
    swng_cancel_trigger(interrupt_cancel); /* async-signal-safe */
}

/* --debug: the library's trace, one line per attempt. The core cleans the
 * path and request id (no control characters, no credentials). */
static void debug_trace(const char *method, const char *path, long http_status, int status,
                        double seconds, unsigned int attempt, const char *request_id,
                        void *payload)
{
    (void)payload;
    fprintf(stderr, "swng: debug: %s %s -> %ld %s in %.3f s (attempt %u%s%s)\n", method, path,
            http_status, swng_status_name(status), seconds, attempt + 1,
            request_id ? ", request id " : "", request_id ? request_id : "");
}

static void cancel_on_signals(swng_client *client)
{
    struct sigaction sa;
    if (swng_cancel_new(&interrupt_cancel, NULL) != SWNG_OK) return; /* Ctrl-C then kills */
    swng_client_set_cancel(client, interrupt_cancel);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ------------------------------------------------------- many numbers */

/* members add / remove with many numbers: the inputs are read as they are
 * needed, E.164 ones looked up on the loop, and the ids fed to a swng_batch,
 * which does the rest (concurrency, duplicates, 429 pauses, a 401 stopping
 * it, if_exists). The command prints each outcome as one JSON line when it
 * arrives. Memory follows --parallel, not the input. */

#define BULK_BUF (64 * 1024) /* the longest input line, and the read buffer */

/* The bytes from run to end, in one write (runs of plain text are written
 * whole: one call per line, not per character). */
static void put_run(FILE *out, const unsigned char *run, const unsigned char *end)
{
    if (end > run) fwrite(run, 1, (size_t)(end - run), out);
}

/* Writes s (n bytes) as a JSON string: quotes, backslashes and unsafe_cp
 * code points escaped; bytes that are not UTF-8 become U+FFFD. */
static void json_str(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    fputc('"', out);
    while (p < end) {
        unsigned long cp = 0;
        size_t len;
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
            p++;
            continue;
        }
        len = utf8_seq(p, (size_t)(end - p), &cp);
        if (len && cp >= 0x80 && !unsafe_cp(cp)) {
            p += len;
            continue;
        }
        put_run(out, run, p);
        if (len == 0) {
            fputs("\\ufffd", out);
            len = 1;
        } else if (cp == '"' || cp == '\\') fprintf(out, "\\%c", (int)cp);
        else if (cp == '\n') fputs("\\n", out);
        else if (cp == '\t') fputs("\\t", out);
        else if (cp == '\r') fputs("\\r", out);
        else fprintf(out, "\\u%04lx", cp);
        p += len;
        run = p;
    }
    put_run(out, run, p);
    fputc('"', out);
}

static void json_str0(FILE *out, const char *s)
{
    if (s) json_str(out, s, strlen(s));
    else fputs("null", out);
}

/* Writes a resource's JSON (valid JSON, from the library) on one line:
 * whitespace between tokens dropped, and inside strings the terminal-unsafe
 * code points that JSON allows raw written as \u escapes. */
static void json_compact(FILE *out, const char *j)
{
    const unsigned char *p = (const unsigned char *)j, *end = p + strlen(j), *run = p;
    int in_str = 0;
    while (p < end) {
        unsigned long cp = 0;
        size_t len;
        if (!in_str) {
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                put_run(out, run, p);
                run = ++p;
                continue;
            }
            if (*p == '"') in_str = 1;
            p++;
            continue;
        }
        if (*p >= 0x20 && *p < 0x7f) { /* an escape is kept as it is */
            if (*p == '\\' && p + 1 < end) {
                p += 2;
                continue;
            }
            if (*p == '"') in_str = 0;
            p++;
            continue;
        }
        len = utf8_seq(p, (size_t)(end - p), &cp);
        if (len && !unsafe_cp(cp)) {
            p += len;
            continue;
        }
        put_run(out, run, p);
        if (len == 0) {
            fputs("\\ufffd", out);
            len = 1;
        } else {
            fprintf(out, "\\u%04lx", cp);
        }
        p += len;
        run = p;
    }
    put_run(out, run, p);
}

/* One input, from when it is read until its line is printed. */
enum { R_READY, R_LOOKUP, R_LOOKING, R_FAILED, R_DONE, R_PUSHED };
struct rec {
    struct rec *next;
    struct bulk *b;
    size_t index;  /* input position */
    size_t bindex; /* batch position, once pushed */
    int state;
    int status;             /* R_FAILED: the failure (err or msg says why) */
    swng_error *err;
    const char *msg;        /* a failure found here, with no swng_error */
    swng_phone_number *pn;  /* --dry-run: the number */
    char *id;               /* the resolved id of an E.164 input */
    size_t len;
    char text[1];           /* the input, len bytes and a NUL */
};

/* An input source: a NUMBER argument, or a file (stdin for "-"). */
struct source {
    const char *arg;
    int file;
};

struct bulk {
    swng_client *client;
    swng_loop *loop;
    swng_batch *batch; /* NULL with --dry-run */
    int op, dry, add;
    unsigned parallel;
    /* input */
    struct source *src;
    size_t nsrc, cur;
    int fd, readable, input_done, skip_long;
    const char *fdname;
    char *buf;
    size_t bstart, bend;
    /* records read and not yet pushed (or, dry, printed): input order */
    struct rec *head, *tail;
    size_t nqueued, lookups;
    struct rec *pushed; /* in the batch, waiting for their outcome */
    size_t nread, closed, cancelled_seen;
    /* the tally */
    size_t ok, existed, skipped, failed, cancelled, codes[32];
    /* progress */
    int tty, bar_shown;
    long long last_draw;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void bar_clear(struct bulk *b)
{
    if (b->bar_shown) fputs("\r\033[K", stderr);
    b->bar_shown = 0;
}

static void bar_draw(struct bulk *b, int force)
{
    size_t done = b->ok + b->skipped + b->failed + b->cancelled;
    long long t;
    if (!b->tty) return;
    t = now_ms();
    if (!force && t - b->last_draw < 100) return;
    b->last_draw = t;
    fputs("\r\033[K", stderr);
    if (b->input_done && b->nread) {
        char bar[31];
        size_t k, fill = done * 30 / b->nread;
        for (k = 0; k < 30; k++) bar[k] = k < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "swng: [%s] %lu/%lu, %lu failed", bar, (unsigned long)done,
                (unsigned long)b->nread, (unsigned long)b->failed);
    } else {
        fprintf(stderr, "swng: %lu done of %lu read, %lu failed", (unsigned long)done,
                (unsigned long)b->nread, (unsigned long)b->failed);
    }
    b->bar_shown = 1;
}

/* Prints an input's line and counts its outcome. */
/* ', "error": {...}' of an outcome line: the code, message, HTTP status,
 * request id and 422 items, every text JSON-escaped. */
static void print_error_json(int status, const swng_error *err, const char *msg)
{
    size_t i, n = err ? swng_error_item_count(err) : 0;
    fprintf(stdout, ", \"error\": {\"code\": \"%s\", \"message\": ", swng_status_name(status));
    json_str0(stdout, err ? swng_error_message(err) : msg ? msg : swng_strerror(status));
    fputs(", \"http_status\": ", stdout);
    if (err && swng_error_http_status(err)) printf("%ld", swng_error_http_status(err));
    else fputs("null", stdout);
    fputs(", \"request_id\": ", stdout);
    json_str0(stdout, err ? swng_error_request_id(err) : NULL);
    {
        size_t first;
        if (swng_error_duplicate_of(err, &first)) /* the input sent in its place */
            printf(", \"duplicate_of\": %lu", (unsigned long)first);
    }
    fputs(", \"items\": [", stdout);
    for (i = 0; i < n; i++) {
        fputs(i ? ", {\"code\": " : "{\"code\": ", stdout);
        json_str0(stdout, swng_error_item_code(err, i));
        fputs(", \"detail\": ", stdout);
        json_str0(stdout, swng_error_item_detail(err, i));
        fputc('}', stdout);
    }
    fputs("]}", stdout);
}

static void print_outcome(struct bulk *b, const struct rec *r, int status, void *result,
                          const swng_error *err, const char *msg)
{
    const char *pid = r->id ? r->id : (r->text[0] == '+' ? NULL : r->text);
    const char *code = swng_status_name(status);
    bar_clear(b);
    if (status == SWNG_OK) b->ok++;
    else if (status == SWNG_ESKIPPED) b->skipped++;
    else if (status == SWNG_ECANCELLED) b->cancelled++;
    else {
        b->failed++;
        if (-status > 0 && -status < 32) b->codes[-status]++;
    }
    printf("{\"index\": %lu, \"input\": ", (unsigned long)r->index);
    json_str(stdout, r->text, r->len);
    printf(", \"outcome\": \"%s\", \"phone_number_id\": ", code);
    if (status == SWNG_OK && b->dry && r->pn) pid = swng_phone_number_id(r->pn);
    json_str0(stdout, pid);
    if (status == SWNG_OK && b->dry) {
        fputs(", \"dry_run\": true, \"phone_number\": ", stdout);
        if (r->pn) json_compact(stdout, swng_phone_number_json(r->pn));
        else fputs("null", stdout);
    } else if (status == SWNG_OK && b->add && result) {
        fputs(", \"membership\": ", stdout);
        json_compact(stdout, swng_membership_json(result));
        if (swng_membership_existed(result)) b->existed++;
        printf(", \"existed\": %s", swng_membership_existed(result) ? "true" : "false");
    } else if (status != SWNG_OK) {
        print_error_json(status, err, msg);
    }
    fputs("}\n", stdout);
}

static void rec_free(struct rec *r)
{
    swng_error_free(r->err);
    swng_phone_number_free(r->pn);
    free(r->id);
    free(r);
}

/* Prints a record that failed here (or was cancelled here) and frees it. */
static void print_rec(struct bulk *b, struct rec *r, int status)
{
    print_outcome(b, r, status, NULL, r->err, r->msg);
    rec_free(r);
}

/* A batch outcome: the line of the input pushed at that position. */
static void on_item(size_t index, int status, void *result, swng_error *err, void *payload)
{
    struct bulk *b = payload;
    struct rec **p = &b->pushed, *r;
    while (*p && (*p)->bindex != index) p = &(*p)->next;
    if ((r = *p) != NULL) {
        *p = r->next;
        if (r->state == R_FAILED) /* its own failure; the batch held its place */
            print_outcome(b, r, r->status, NULL, r->err, r->msg);
        else
            print_outcome(b, r, status, result, err, NULL);
        rec_free(r);
    }
    if (result) swng_membership_free(result);
    swng_error_free(err);
}

/* A lookup (E.164 find, or a --dry-run GET) finished. */
static void on_lookup(swng_request *req, int status, void *result, swng_error *err,
                      void *payload)
{
    struct rec *r = payload;
    (void)req;
    r->b->lookups--;
    if (status == SWNG_OK) {
        swng_phone_number *p = result;
        if (r->text[0] == '+' && !(r->id = strdup(swng_phone_number_id(p)))) {
            r->state = R_FAILED;
            r->status = SWNG_ENOMEM;
            r->msg = "out of memory";
        } else {
            r->state = r->b->dry ? R_DONE : R_READY;
        }
        if (r->b->dry) r->pn = p;
        else swng_phone_number_free(p);
    } else {
        r->state = R_FAILED;
        r->status = status;
        r->err = err;
    }
}

static void queue_rec(struct bulk *b, struct rec *r)
{
    r->next = NULL;
    if (b->tail) b->tail->next = r;
    else b->head = r;
    b->tail = r;
    b->nqueued++;
}

static struct rec *new_rec(struct bulk *b, const char *s, size_t n)
{
    struct rec *r = calloc(1, sizeof *r + n);
    if (!r) return NULL;
    r->b = b;
    r->index = b->nread++;
    r->len = n;
    memcpy(r->text, s, n);
    r->text[n] = '\0';
    /* E.164 is looked up; with --dry-run an id is fetched (a GET) to
     * check it. */
    r->state = (s[0] == '+' || b->dry) ? R_LOOKUP : R_READY;
    return r;
}

/* Opens source b->cur if it is a file. Returns 0, or an exit status. */
static int open_source(struct bulk *b)
{
    const struct source *s = &b->src[b->cur];
    if (!s->file) return 0;
    b->fdname = strcmp(s->arg, "-") == 0 ? "stdin" : s->arg;
    b->fd = strcmp(s->arg, "-") == 0 ? 0 : open(s->arg, O_RDONLY | O_CLOEXEC);
    if (b->fd < 0) {
        bar_clear(b);
        fprintf(stderr, "swng: --from: cannot open %s: %s\n", s->arg, strerror(errno));
        return 2;
    }
    b->readable = 1;
    b->bstart = b->bend = 0;
    b->skip_long = 0;
    return 0;
}

static void next_source(struct bulk *b)
{
    if (b->fd > 0) close(b->fd);
    b->fd = -1;
    b->cur++;
}

/* One input (*s, *n; a pointer into the argument or the buffer, valid until
 * the next call): 1, or 0 when none is available now (the file must be
 * readable first: b->readable), or -1 at the end of the input. A line over
 * BULK_BUF bytes gives its first bytes with *too_long set. */
static int next_input(struct bulk *b, const char **s, size_t *n, int *too_long, int *rc)
{
    *too_long = 0;
    for (;;) {
        const struct source *src;
        char *nl;
        if (b->cur >= b->nsrc) return -1;
        src = &b->src[b->cur];
        if (!src->file) {
            *s = src->arg;
            *n = strlen(src->arg);
            next_source(b);
            if (b->cur < b->nsrc && (*rc = open_source(b)) != 0) return -1;
            return 1;
        }
        nl = memchr(b->buf + b->bstart, '\n', b->bend - b->bstart);
        if (nl || (b->fd < 0 && b->bend > b->bstart) || b->bend - b->bstart == BULK_BUF) {
            char *line = b->buf + b->bstart, *end = nl ? nl : b->buf + b->bend;
            int skip = b->skip_long;
            b->bstart = nl ? (size_t)(nl + 1 - b->buf) : b->bend;
            b->skip_long = !nl; /* a line too long: the rest of it goes */
            if (skip) continue;
            if (!nl && b->fd >= 0) *too_long = 1;
            /* blank, whitespace and \r trimmed; # comments skipped */
            while (line < end && (*line == ' ' || *line == '\t')) line++;
            while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
            if (!*too_long && (line == end || *line == '#')) continue;
            *s = line;
            *n = (size_t)(end - line);
            return 1;
        }
        if (b->fd < 0) { /* this file is done */
            next_source(b);
            if (b->cur < b->nsrc && (*rc = open_source(b)) != 0) return -1;
            continue;
        }
        if (!b->readable) return 0;
        if (b->bstart > 0) {
            memmove(b->buf, b->buf + b->bstart, b->bend - b->bstart);
            b->bend -= b->bstart;
            b->bstart = 0;
        }
        {
            ssize_t got = read(b->fd, b->buf + b->bend, BULK_BUF - b->bend);
            if (got < 0 && errno == EINTR) return 0;
            if (got < 0 && errno == EAGAIN) {
                b->readable = 0;
                return 0;
            }
            if (got < 0) {
                bar_clear(b);
                fprintf(stderr, "swng: cannot read %s: %s\n", b->fdname, strerror(errno));
                *rc = 1;
                return -1;
            }
            b->readable = 0;
            if (got == 0) { /* the end of this file: what is left is its last line */
                if (b->fd > 0) close(b->fd);
                b->fd = -1;
                if (b->skip_long) b->bstart = b->bend;
            }
            b->bend += (size_t)got;
        }
    }
}

/* Reads inputs while there is room, starts lookups, and moves finished
 * records on: pushed to the batch in input order (so that a batch position
 * is the input position), or printed (--dry-run, or after a cancel).
 * Returns 0, or an exit status for a fatal input error. */
static int feed(struct bulk *b, int cancelled)
{
    struct rec *r;
    int rc = 0;
    size_t room = 2 * (size_t)b->parallel;
    while (!cancelled && !b->input_done && b->nqueued < room) {
        const char *s;
        size_t n;
        int too_long, got = next_input(b, &s, &n, &too_long, &rc);
        if (got < 0) b->input_done = 1;
        if (got <= 0) break;
        if (!(r = new_rec(b, s, too_long && n > 64 ? 64 : n))) {
            rc = 1;
            fprintf(stderr, "swng: out of memory\n");
            b->input_done = 1;
            break;
        }
        if (too_long) {
            r->state = R_FAILED;
            r->status = SWNG_EINVAL;
            r->msg = "the line is longer than 65536 bytes (its first 64 bytes are shown)";
        }
        queue_rec(b, r);
    }
    if (rc) return rc;
    for (r = b->head; r && !cancelled && b->lookups < b->parallel; r = r->next) {
        swng_error *err = NULL;
        const char *args[1];
        size_t lens[1];
        int st;
        if (r->state != R_LOOKUP) continue;
        args[0] = r->text;
        lens[0] = r->len;
        st = swng_request_start(NULL, b->loop,
                                r->text[0] == '+' ? SWNG_OP_PHONE_NUMBER_FIND
                                                  : SWNG_OP_PHONE_NUMBER_GET,
                                args, lens, 1, on_lookup, r, &err);
        if (st == SWNG_OK) {
            r->state = R_LOOKING;
            b->lookups++;
        } else { /* a malformed number: its failure, nothing sent */
            r->state = R_FAILED;
            r->status = st;
            r->err = err;
        }
    }
    while ((r = b->head) != NULL && r->state != R_LOOKING) {
        if (!cancelled && !b->dry && swng_batch_waiting(b->batch) >= b->parallel) break;
        if (!cancelled && (r->state == R_LOOKUP)) break;
        b->head = r->next;
        if (!b->head) b->tail = NULL;
        b->nqueued--;
        if (cancelled || b->dry) {
            if (r->state == R_DONE) print_outcome(b, r, SWNG_OK, NULL, NULL, NULL), rec_free(r);
            else if (r->state == R_FAILED) print_rec(b, r, r->status);
            else {
                r->msg = "cancelled before it was sent";
                print_rec(b, r, SWNG_ECANCELLED);
            }
            continue;
        }
        {
            /* A failure found here still takes its batch position (the
             * empty id is refused there without sending), so that the
             * batch's positions stay the input's. */
            const char *id = r->state == R_FAILED ? "" : r->id ? r->id : r->text;
            size_t len = r->state == R_FAILED ? 0 : r->id ? strlen(r->id) : r->len;
            swng_error *err = NULL;
            if (swng_batch_push(b->batch, id, len, &r->bindex, &err) != SWNG_OK) {
                swng_error_free(err);
                if (r->state != R_FAILED) r->msg = "cancelled before it was sent";
                print_rec(b, r, r->state == R_FAILED ? r->status : SWNG_ECANCELLED);
                continue;
            }
            if (r->state != R_FAILED) r->state = R_PUSHED;
            r->next = b->pushed;
            b->pushed = r;
        }
    }
    if (b->batch && !b->closed && (cancelled || (b->input_done && !b->head))) {
        swng_batch_close(b->batch);
        b->closed = 1;
    }
    return 0;
}

static void print_summary(struct bulk *b, int cancelled)
{
    const char *verb = b->add ? "added" : "removed";
    size_t i, k = 0;
    bar_clear(b);
    fprintf(stderr, "swng: %s%lu %s%s", b->dry ? "dry run: " : "", (unsigned long)b->ok,
            b->dry ? "would be " : "", b->dry ? (b->add ? "added" : "removed") : verb);
    if (b->existed) fprintf(stderr, " (%lu already there)", (unsigned long)b->existed);
    if (b->skipped) fprintf(stderr, ", %lu skipped", (unsigned long)b->skipped);
    fprintf(stderr, ", %lu failed", (unsigned long)b->failed);
    for (i = 1; i < 32; i++)
        if (b->codes[i]) {
            fprintf(stderr, "%s%lu %s", k++ ? ", " : " (", (unsigned long)b->codes[i],
                    swng_status_name(-(int)i));
        }
    if (k) fputc(')', stderr);
    if (b->cancelled || cancelled)
        fprintf(stderr, ", %lu cancelled%s", (unsigned long)b->cancelled,
                b->input_done ? "" : "; the rest of the input was not read");
    fputc('\n', stderr);
}

/* --parallel N into the batch options: the form checked here (a whole
 * number, at least 1), the upper bound by the library. Returns 0, or the
 * exit status of a usage error. */
static int parse_parallel(const struct cli *c, swng_batch_options *bo)
{
    char *end;
    long v;
    if (!c->parallel) return 0;
    errno = 0;
    v = strtol(c->parallel, &end, 10);
    if (end == c->parallel || *end || errno || v < 1 || v > 1000000) {
        fprintf(stderr, "swng: --parallel must be a whole number from 1 to %d, not %s\n"
                        "Try 'swng members --help'.\n",
                SWNG_BATCH_MAX_CONCURRENCY, c->parallel);
        return 2;
    }
    bo->concurrency = (unsigned)v;
    return 0;
}

/* The group of members add/remove/sync: GROUP, or the one group named
 * --group-name (the library's find: none or several is an error). */
static int group_of(swng_client *client, const struct cli *c, char **id, swng_error **err)
{
    swng_number_group *g = NULL;
    int rc = SWNG_OK;
    if (!(c->given & F_GROUP_NAME)) {
        if (!(*id = strdup(c->args[2]))) rc = SWNG_ENOMEM;
        return rc;
    }
    rc = swng_number_group_find(&g, client, c->group_name, err);
    if (rc == SWNG_OK && !(*id = strdup(swng_number_group_id(g)))) rc = SWNG_ENOMEM;
    swng_number_group_free(g);
    return rc;
}

/* ------------------------------------------------------------- sync */

/* Every NUMBER of a sync, in order (arguments, then --from; '-': stdin),
 * trimmed, blank lines and # comments skipped; E.164 numbers resolved to
 * ids. A number that cannot be read or resolved ends the command: a sync
 * must know the whole list. Returns 0 with *ids (each malloc'd), or an exit
 * status. */
static int sync_inputs(swng_client *client, const struct cli *c, const char *const *numbers,
                       size_t nnumbers, char ***ids, size_t *n)
{
    char **v = NULL, *line = NULL;
    size_t cap = 0, linecap = 0, i;
    int status = 0, stdin_used = 0;
    const char *from[2];
    *ids = NULL;
    *n = 0;
    for (i = 0; i <= nnumbers && status == 0; i++) {
        const char *arg = i < nnumbers ? numbers[i] : c->from;
        FILE *f = NULL;
        ssize_t got;
        if (!arg) continue;
        if (i < nnumbers && strcmp(arg, "-") != 0) { /* a NUMBER argument */
            from[0] = arg;
            got = (ssize_t)strlen(arg);
        } else {
            if (strcmp(arg, "-") == 0 && stdin_used++) {
                status = usage_error("%s", "stdin ('-') can be read only once");
                break;
            }
            f = strcmp(arg, "-") == 0 ? stdin : fopen(arg, "r");
            if (!f) {
                fprintf(stderr, "swng: --from: cannot open %s: %s\n", arg, strerror(errno));
                status = 2;
                break;
            }
            got = 0;
        }
        for (;;) {
            char *s, *e;
            if (f) {
                if ((got = getline(&line, &linecap, f)) < 0) break;
                s = line;
            } else {
                s = (char *)from[0];
            }
            e = s + got;
            while (s < e && (*s == ' ' || *s == '\t')) s++;
            while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) e--;
            if (e > s && *s != '#') {
                char *id = NULL;
                if (*n == cap) {
                    char **t = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
                    if (!t) {
                        status = 1;
                        break;
                    }
                    v = t;
                }
                if (*s == '+') { /* E.164: the library finds the one number */
                    swng_phone_number *p = NULL;
                    swng_error *err = NULL;
                    char *e164 = strndup(s, (size_t)(e - s));
                    int rc = e164 ? swng_phone_number_find(&p, client, e164, &err) : SWNG_ENOMEM;
                    if (rc == SWNG_OK) id = strdup(swng_phone_number_id(p));
                    else {
                        fputs("swng: ", stderr);
                        json_str0(stderr, e164);
                        fputs(": ", stderr);
                        print_error(err);
                        status = exit_code_for(rc);
                    }
                    free(e164);
                    swng_phone_number_free(p);
                    swng_error_free(err);
                    if (status) break;
                } else {
                    id = strndup(s, (size_t)(e - s));
                }
                if (!id) {
                    status = 1;
                    break;
                }
                v[(*n)++] = id;
            }
            if (!f) break;
        }
        if (f && f != stdin) fclose(f);
    }
    free(line);
    if (status) {
        for (i = 0; i < *n; i++) free(v[i]);
        free(v);
        *n = 0;
        return status == 1 ? (fprintf(stderr, "swng: out of memory\n"), 1) : status;
    }
    *ids = v;
    return 0;
}

/* One line of a sync's plan or outcome. */
static void sync_line(const char *action, const char *id, int has_outcome, int status,
                      swng_error *err)
{
    printf("{\"action\": \"%s\", \"phone_number_id\": ", action);
    json_str0(stdout, id);
    if (has_outcome) {
        printf(", \"outcome\": \"%s\"", status == SWNG_OK ? "ok" : swng_status_name(status));
        if (status != SWNG_OK) print_error_json(status, err, NULL);
    }
    fputs("}\n", stdout);
}

/* members sync: plan (and print) with the library, then apply unless
 * --dry-run. Returns the exit status. */
static int run_sync(swng_client *client, const struct cli *c, const char *const *numbers,
                    size_t nnumbers)
{
    swng_batch_options bo = SWNG_BATCH_OPTIONS_INIT;
    swng_batch_result *added = NULL, *removed = NULL;
    swng_sync_plan *plan = NULL;
    swng_error *err = NULL;
    char **ids = NULL, *group = NULL;
    size_t n = 0, i, ok = 0, failed = 0, cancelled = 0;
    int status, rc;
    unsigned err_flags = 0;

    if ((status = parse_parallel(c, &bo)) != 0) return status;
    if (c->given & F_GROUP_NAME) err_flags = F_GROUP_NAME;
    if ((rc = group_of(client, c, &group, &err)) != SWNG_OK) goto fail;
    if ((status = sync_inputs(client, c, numbers, nnumbers, &ids, &n)) != 0) goto out;
    if ((rc = swng_sync_plan_new(&plan, client, group, (const char *const *)ids, NULL, n, &err)) !=
        SWNG_OK)
        goto fail;
    for (i = 0; i < swng_sync_plan_add_count(plan); i++)
        sync_line("add", swng_sync_plan_add(plan, i), 0, 0, NULL);
    for (i = 0; i < swng_sync_plan_remove_count(plan); i++)
        sync_line("remove", swng_sync_plan_remove(plan, i), 0, 0, NULL);
    fprintf(stderr, "swng: plan: %lu to add, %lu to remove, %lu kept%s\n",
            (unsigned long)swng_sync_plan_add_count(plan),
            (unsigned long)swng_sync_plan_remove_count(plan),
            (unsigned long)swng_sync_plan_keep_count(plan), (c->given & F_DRY_RUN) ? " (dry run)" : "");
    status = 0;
    if (c->given & F_DRY_RUN) goto out;
    rc = swng_sync_plan_apply(&added, &removed, client, plan, &bo, &err);
    if (rc != SWNG_OK && rc != SWNG_ECANCELLED) goto fail;
    for (i = 0; i < swng_batch_result_count(added) + swng_batch_result_count(removed); i++) {
        int add = i < swng_batch_result_count(added);
        swng_batch_result *r = add ? added : removed;
        size_t k = add ? i : i - swng_batch_result_count(added);
        int st = swng_batch_result_status(r, k);
        swng_error *e = swng_batch_result_take_error(r, k);
        sync_line(add ? "add" : "remove", add ? swng_sync_plan_add(plan, k)
                                              : swng_sync_plan_remove(plan, k),
                  1, st, e);
        swng_error_free(e);
        if (st == SWNG_OK) ok++;
        else if (st == SWNG_ECANCELLED) cancelled++;
        else failed++;
    }
    fprintf(stderr, "swng: %lu changed, %lu failed%s%s\n", (unsigned long)ok,
            (unsigned long)failed, cancelled ? ", cancelled: " : "",
            cancelled ? "the rest was not done" : "");
    status = rc == SWNG_ECANCELLED ? exit_code_for(rc)
             : failed == 0         ? 0
             : ok == 0             ? EXIT_ALL_FAILED
                                   : EXIT_SOME_FAILED;
    goto out;
fail:
    print_error_for(err, err_flags);
    status = exit_code_for(rc);
out:
    swng_error_free(err);
    swng_batch_result_free(added);
    swng_batch_result_free(removed);
    swng_sync_plan_free(plan);
    for (i = 0; i < n; i++) free(ids[i]);
    free(ids);
    free(group);
    return status;
}

/* Runs members add/remove over many numbers. Returns the exit status. */
static int run_bulk(swng_client *client, const struct cli *c, const struct command *cmd,
                    const char *const *numbers, size_t nnumbers)
{
    struct bulk b;
    swng_batch_options bo = SWNG_BATCH_OPTIONS_INIT;
    swng_error *err = NULL;
    char *group_id = NULL;
    int rc = SWNG_OK, status = 0, cancelled = 0, stdin_used = 0;
    unsigned flags_for_error = c->given & ~F_GROUP_NAME;
    size_t i;

    memset(&b, 0, sizeof b);
    b.client = client;
    b.add = cmd->run == cmd_members_add;
    b.op = b.add ? SWNG_OP_MEMBERSHIP_CREATE : SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER;
    b.dry = (c->given & F_DRY_RUN) != 0;
    b.fd = -1;
    b.tty = isatty(2);
    bo.concurrency = 8;
    if ((status = parse_parallel(c, &bo)) != 0) return status;
    if (c->output && strcmp(c->output, "table") == 0) {
        fprintf(stderr, "swng: many numbers are printed as JSON lines only (no --output table)\n");
        return 2;
    }
    b.parallel = bo.concurrency;
    bo.if_exists = (c->given & F_IGNORE_EXISTING) ? SWNG_IF_EXISTS_RETURN : SWNG_IF_EXISTS_ERROR;
    bo.on_item = on_item;
    bo.payload = &b;

    /* The sources, in order: the NUMBER arguments ('-': stdin), then --from. */
    b.src = calloc(nnumbers + 1, sizeof *b.src);
    if (!b.src || !(b.buf = malloc(BULK_BUF))) {
        free(b.src);
        fprintf(stderr, "swng: out of memory\n");
        return 1;
    }
    for (i = 0; i < nnumbers; i++) {
        b.src[b.nsrc].arg = numbers[i];
        b.src[b.nsrc++].file = strcmp(numbers[i], "-") == 0;
        stdin_used += strcmp(numbers[i], "-") == 0;
    }
    if (c->from) {
        b.src[b.nsrc].arg = c->from;
        b.src[b.nsrc++].file = 1;
        stdin_used += strcmp(c->from, "-") == 0;
    }
    if (stdin_used > 1) {
        status = usage_error("%s", "stdin ('-') can be read only once");
        goto done;
    }
    if (b.nsrc && (status = open_source(&b)) != 0) goto done;

    /* The group: resolved (--group-name) or fetched once, so that an
     * unknown group, or refused credentials, end the command before any
     * input is sent. */
    if (c->given & F_GROUP_NAME) {
        flags_for_error = F_GROUP_NAME;
        rc = group_of(client, c, &group_id, &err);
    } else {
        const char *gid = c->args[2];
        swng_number_group *g = NULL;
        /* the batch checks the id (and --parallel) before anything is sent */
        if ((rc = swng_loop_new(&b.loop, client, &err)) == SWNG_OK &&
            (rc = swng_batch_new(&b.batch, b.loop, b.op, gid, &bo, &err)) == SWNG_OK)
            rc = swng_number_group_get(&g, client, gid, &err);
        if (rc == SWNG_OK) rc = group_of(client, c, &group_id, &err);
        swng_number_group_free(g);
        swng_batch_free(b.batch);
        b.batch = NULL;
    }
    if (rc == SWNG_OK) flags_for_error = c->given & ~F_GROUP_NAME;
    if (rc == SWNG_OK && !b.loop) rc = swng_loop_new(&b.loop, client, &err);
    if (rc == SWNG_OK && (rc = swng_batch_new(&b.batch, b.loop, b.op, group_id, &bo, &err)) ==
                             SWNG_OK && b.dry) {
        swng_batch_free(b.batch); /* --dry-run: it only checked the options */
        b.batch = NULL;
    }
    if (rc != SWNG_OK) {
        if (err) print_error_for(err, flags_for_error);
        else fprintf(stderr, "swng: %s\n", swng_strerror(rc));
        status = exit_code_for(rc);
        goto done;
    }

    for (;;) {
        struct pollfd pfd[2];
        nfds_t nfd = 1;
        long t;
        if (!cancelled && swng_cancel_triggered(interrupt_cancel)) cancelled = 1;
        if ((status = feed(&b, cancelled)) != 0) {
            /* an input that cannot be read: stop, as after a cancel */
            int keep = status;
            cancelled = 1;
            if (b.batch) swng_batch_cancel(b.batch);
            feed(&b, 1);
            status = keep;
        }
        fflush(stdout);
        if (b.batch ? (b.closed && swng_batch_finished(b.batch) && !b.lookups)
                    : (b.input_done || cancelled) && !b.head && !b.lookups)
            break;
        pfd[0].fd = swng_loop_fd(b.loop);
        pfd[0].events = POLLIN;
        if (!cancelled && !b.input_done && b.fd >= 0 && !b.readable &&
            b.nqueued < 2 * (size_t)b.parallel) {
            pfd[1].fd = b.fd;
            pfd[1].events = POLLIN;
            nfd = 2;
        }
        t = swng_loop_timeout(b.loop);
        if (t > 100 && b.tty) t = 100;
        if (poll(pfd, nfd, t < 0 ? -1 : t > 60000 ? 60000 : (int)t) > 0 && nfd == 2 &&
            pfd[1].revents)
            b.readable = 1;
        if (swng_loop_step(b.loop, &err) < 0) {
            bar_clear(&b);
            print_error(err);
            swng_error_free(err);
            err = NULL;
            status = 1;
            break;
        }
        bar_draw(&b, 0);
    }
    print_summary(&b, cancelled);
    if (status == 0) {
        if (cancelled) status = 130;
        else if (b.failed && !b.ok) status = EXIT_ALL_FAILED;
        else if (b.failed) status = EXIT_SOME_FAILED;
    }
done:
    swng_batch_free(b.batch);
    swng_loop_free(b.loop);
    while (b.head) {
        struct rec *r = b.head;
        b.head = r->next;
        rec_free(r);
    }
    while (b.pushed) {
        struct rec *r = b.pushed;
        b.pushed = r->next;
        rec_free(r);
    }
    if (b.fd > 0) close(b.fd);
    free(b.buf);
    free(b.src);
    free(group_id);
    swng_error_free(err);
    return status;
}

int main(int argc, char **argv)
{
    struct cli c;
    struct ctx x;
    struct result res;
    const struct command *cmd = NULL;
    swng_client *client = NULL;
    swng_error *err = NULL;
    const char *ids[MAX_ARGS] = {0};
    char *owned[2] = {NULL, NULL};
    unsigned name_flags = 0;
    int rc, known = 0;

    memset(&c, 0, sizeof c);
    memset(&x, 0, sizeof x);
    memset(&res, 0, sizeof res);
    swng_client_options_init(&c.opts);
    if (!(c.args = calloc((size_t)argc + 1, sizeof *c.args))) {
        fputs("swng: out of memory\n", stderr);
        return 1;
    }
    rc = parse(&c, argc, argv);
    if (rc < 0 && c.help) {
        find_command(c.args, c.nargs, &known);
        print_usage(stdout, known ? c.args[0] : NULL);
        rc = 0;
    }
    if (rc < 0 && c.nargs == 0) {
        print_usage(stderr, NULL);
        rc = 2;
    }
    if (rc < 0 && !(cmd = find_command(c.args, c.nargs, &known))) {
        char verbs[256];
        if (!known) {
            rc = usage_error("unknown command %s", c.args[0]);
        } else {
            verbs_of(verbs, sizeof verbs, c.args[0]);
            if (c.nargs == 1)
                fprintf(stderr, "swng: %s needs a command: %s\n", c.args[0], verbs);
            else
                fprintf(stderr, "swng: unknown command %s %s (%s has: %s)\n", c.args[0],
                        c.args[1], c.args[0], verbs);
            fprintf(stderr, "Try 'swng %s --help'.\n", c.args[0]);
            rc = 2;
        }
    }
    if (rc < 0) rc = check(&c, cmd, c.nargs - (cmd->verb ? 2 : 1));
    if (rc < 0 && c.page_size) {
        char *end;
        long v;
        errno = 0;
        v = strtol(c.page_size, &end, 10);
        if (end == c.page_size || *end) {
            fprintf(stderr, "swng: --page-size: not a number: %s\nTry 'swng --help'.\n",
                    c.page_size);
            rc = 2;
        }
        /* The range is the library's to check (and to explain). */
        x.page_size = errno || v < -1 || v > 1000000 ? -1 : (int)v;
    }
    if (rc < 0) {
        x.c = &c;
        x.out.table = c.output && strcmp(c.output, "table") == 0;
        x.args = ids;
        rc = swng_client_new(&client, &c.opts, &err);
        x.client = client;
        if (rc == SWNG_OK) cancel_on_signals(client);
        if (rc == SWNG_OK && c.debug) swng_client_set_trace(client, debug_trace, NULL);
        if (rc == SWNG_OK && cmd->many == 2) {
            size_t first = (c.given & F_GROUP_NAME) ? 2 : 3;
            rc = run_sync(client, &c, c.args + first, c.nargs - first);
            goto finish;
        }
        if (rc == SWNG_OK && cmd->many) {
            /* One NUMBER (not '-') and no batch flag: the single form. */
            size_t first = (c.given & F_GROUP_NAME) ? 2 : 3;
            size_t n = c.nargs - first;
            if (n != 1 || strcmp(c.args[first], "-") == 0 ||
                (c.given & (F_FROM | F_PARALLEL | F_DRY_RUN))) {
                rc = run_bulk(client, &c, cmd, c.args + first, n);
                goto finish;
            }
        }
        if (rc == SWNG_OK) rc = resolve(client, &c, cmd, ids, owned, &err, &name_flags);
        if (rc == SWNG_OK && (rc = cmd->run(&x, &res, &err)) == SWNG_OK)
            rc = show(&x.out, cmd->kind, &res, &err);
        if (rc == SWNG_OK || x.out.nrows) out_finish(&x.out);
        else free(x.out.cells);
        if (rc != SWNG_OK && err) print_error_for(err, name_flags);
        else if (rc != SWNG_OK) fprintf(stderr, "swng: %s\n", swng_strerror(rc));
        rc = exit_code_for(rc);
        if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
            fprintf(stderr, "swng: cannot write the output: %s\n", strerror(errno));
            rc = 1;
        }
    }
    if (0) {
    finish:
        if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
            fprintf(stderr, "swng: cannot write the output: %s\n", strerror(errno));
            rc = 1;
        }
    }
    free(c.args);
    free(owned[0]);
    free(owned[1]);
    swng_error_free(err);
    swng_client_free(client);
    swng_cancel_free(interrupt_cancel);
    if (c.token) {
        memset(c.token, 0, strlen(c.token));
        free(c.token);
    }
    return rc;
}
