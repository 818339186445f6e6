/*
 * contract_c.c - the C side of swng's contract tests (see README.md here).
 *
 * Reads one case per line on stdin and answers one line per case on stdout,
 * both tab-separated (run_contract.py drives it and judges the answers):
 *
 *   in:  ID OPERATION BASE_URL PROJECT_ID TOKEN HEADERS ARG...
 *   out: ID CODE HTTP KIND ITEM_COUNT ITEM_CODE MESSAGE [NAME=VALUE...]
 *
 * OPERATION selects a row of OPERATIONS below, which says how many ARGs the
 * operation takes, how to call the public API, and which NAME=VALUE fields of
 * the result to answer (for an error: none). Adding an operation is a row and
 * its two small functions.
 *
 * An empty BASE_URL, PROJECT_ID or TOKEN is not passed (NULL: the core reads
 * the environment, which the driver clears). HEADERS is a '|'-separated list
 * of "Name: value" given as swng_client_options.headers. One client is kept
 * per distinct (base URL, project, token, headers), so sequential cases reuse
 * a kept-alive connection as real programs do. CODE is "ok" or the error's
 * code name; KIND is the result's kind ("membership") or "error"; ITEM_COUNT
 * and ITEM_CODE are the 422 items' count and the first item's code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swng.h"

#define COMMON_FIELDS 6   /* ID OPERATION BASE_URL PROJECT_ID TOKEN HEADERS */
#define MAX_ARGS 8
#define MAX_FIELDS (COMMON_FIELDS + MAX_ARGS)
#define MAX_HEADERS 16

struct cached {
    char *key;
    swng_client *client;
    struct cached *next;
};

static struct cached *cache;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p) {
        fputs("contract_c: out of memory\n", stderr);
        exit(70);
    }
    memcpy(p, s, n);
    return p;
}

/* Prints s with tabs and line breaks turned into spaces. */
static void put_field(const char *s)
{
    if (!s) return;
    for (; *s; s++) putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Returns a client for these settings (cached), or NULL with *err set. */
static swng_client *client_for(char **f, swng_error **err)
{
    char key[8192];
    struct cached *c;
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    const char *headers[MAX_HEADERS + 1];
    char *hcopy, *h, *save = NULL;
    int n = 0, rc;
    swng_client *client = NULL;

    snprintf(key, sizeof key, "%s\t%s\t%s\t%s", f[2], f[3], f[4], f[5]);
    for (c = cache; c; c = c->next)
        if (strcmp(c->key, key) == 0) return c->client;

    opts.base_url = *f[2] ? f[2] : NULL;
    opts.project_id = *f[3] ? f[3] : NULL;
    opts.token = *f[4] ? f[4] : NULL;
    opts.timeout_ms = 30000;
    hcopy = dup_str(f[5]);
    for (h = strtok_r(hcopy, "|", &save); h && n < MAX_HEADERS; h = strtok_r(NULL, "|", &save))
        headers[n++] = h;
    headers[n] = NULL;
    if (n) opts.headers = headers;
    rc = swng_client_new(&client, &opts, err);
    free(hcopy); /* the core copies every option string */
    if (rc != SWNG_OK) return NULL;
    c = malloc(sizeof *c);
    if (!c) {
        fputs("contract_c: out of memory\n", stderr);
        exit(70);
    }
    c->key = dup_str(key);
    c->client = client;
    c->next = cache;
    cache = c;
    return client;
}

/* Prints "\tNAME=VALUE" (VALUE with tabs and line breaks as spaces). */
static void put_kv(const char *name, const char *value)
{
    printf("\t%s=", name);
    put_field(value);
}

static void put_kv_size(const char *name, size_t value)
{
    printf("\t%s=%lu", name, (unsigned long)value);
}

/* ---- operation: create_membership GROUP_ID PHONE_NUMBER_ID */

static int membership_create_call(void **out, swng_client *client, char **args,
                                  swng_error **err)
{
    return swng_membership_create((swng_membership **)out, client, args[0], args[1], err);
}

static long membership_http(const void *r) { return swng_membership_http_status(r); }

static void membership_fields(const void *r)
{
    const swng_membership *m = r;
    size_t i;
    put_kv("id", swng_membership_id(m));
    put_kv("number_group_id", swng_membership_number_group_id(m));
    put_kv("phone_number.id", swng_membership_phone_number_id(m));
    put_kv_size("phone_number.capabilities", swng_membership_capability_count(m));
    put_kv("created_at", swng_membership_created_at(m));
    /* touch every accessor: a crash here is a finding too */
    for (i = 0; i < swng_membership_capability_count(m); i++)
        (void)strlen(swng_membership_capability(m, i));
    if (swng_membership_phone_number_name(m)) (void)strlen(swng_membership_phone_number_name(m));
    if (swng_membership_phone_number_number(m)) (void)strlen(swng_membership_phone_number_number(m));
    if (swng_membership_updated_at(m)) (void)strlen(swng_membership_updated_at(m));
    if (swng_membership_json(m)) (void)strlen(swng_membership_json(m));
}

static void membership_free(void *r) { swng_membership_free(r); }

/* ---- the operation table: one row per operation */

struct operation {
    const char *name;        /* the OPERATION column */
    int nargs;               /* ARG columns it takes */
    const char *kind;        /* KIND of a result */
    int (*call)(void **out, swng_client *client, char **args, swng_error **err);
    long (*http_status)(const void *result);
    void (*fields)(const void *result);   /* prints the \tNAME=VALUE fields */
    void (*free_result)(void *result);
};

static const struct operation OPERATIONS[] = {
    {"create_membership", 2, "membership", membership_create_call, membership_http,
     membership_fields, membership_free},
};

static const struct operation *find_operation(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof OPERATIONS / sizeof OPERATIONS[0]; i++)
        if (strcmp(OPERATIONS[i].name, name) == 0) return &OPERATIONS[i];
    return NULL;
}

static void run_case(const struct operation *op, char **f)
{
    swng_error *err = NULL;
    void *result = NULL;
    swng_client *client = client_for(f, &err);
    int rc = client ? op->call(&result, client, f + COMMON_FIELDS, &err)
                    : swng_error_code(err);

    put_field(f[0]);
    if (rc == SWNG_OK) {
        printf("\tok\t%ld\t%s\t0\t\t", op->http_status(result), op->kind);
        op->fields(result);
    } else {
        size_t i, items = swng_error_item_count(err);
        printf("\t%s\t%ld\terror\t%lu\t", swng_error_code_name(err),
               swng_error_http_status(err), (unsigned long)items);
        put_field(items ? swng_error_item_code(err, 0) : "");
        putchar('\t');
        put_field(swng_error_message(err));
        for (i = 0; i < items; i++) {  /* every item field must be readable */
            const char *s[4];
            int k;
            s[0] = swng_error_item_detail(err, i);
            s[1] = swng_error_item_status(err, i);
            s[2] = swng_error_item_title(err, i);
            s[3] = swng_error_item_code(err, i);
            for (k = 0; k < 4; k++)
                if (s[k]) (void)strlen(s[k]);
        }
        if (swng_error_body(err)) (void)strlen(swng_error_body(err));
    }
    putchar('\n');
    fflush(stdout);
    if (result) op->free_result(result);
    swng_error_free(err);
}

int main(void)
{
    static char line[16384];
    struct cached *c, *next;

    while (fgets(line, sizeof line, stdin)) {
        char *f[MAX_FIELDS + 1];
        char *p = line;
        int n = 0;
        const struct operation *op;
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "quit") == 0) break;
        /* split on tabs, keeping empty fields */
        while (n < MAX_FIELDS + 1) {
            char *tab = strchr(p, '\t');
            f[n++] = p;
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        op = n > 1 ? find_operation(f[1]) : NULL;
        if (!op) {
            fprintf(stderr, "contract_c: unknown operation %s\n", n > 1 ? f[1] : "(none)");
            return 2;
        }
        if (n != COMMON_FIELDS + op->nargs) {
            fprintf(stderr, "contract_c: bad case line for %s (%d fields)\n", op->name, n);
            return 2;
        }
        run_case(op, f);
    }
    for (c = cache; c; c = next) {
        next = c->next;
        swng_client_free(c->client);
        free(c->key);
        free(c);
    }
    return 0;
}
