/*
 * contract_c.c - the C side of swng's contract tests (see README.md here).
 *
 * Reads one case per line on stdin and answers one line per case on stdout,
 * both tab-separated (run_contract.py drives it and judges the answers):
 *
 *   in:  ID BASE_URL PROJECT_ID TOKEN HEADERS GROUP_ID PHONE_NUMBER_ID
 *   out: ID CODE HTTP KIND MEMBERSHIP_ID GROUP_ID PHONE_ID COUNT ITEM_CODE MESSAGE
 *
 * An empty BASE_URL, PROJECT_ID or TOKEN is not passed (NULL: the core reads
 * the environment, which the driver clears). HEADERS is a '|'-separated list
 * of "Name: value" given as swng_client_options.headers. One client is kept
 * per distinct (base URL, project, token, headers), so sequential cases reuse
 * a kept-alive connection as real programs do. CODE is "ok" or the error's
 * code name; COUNT is the number of capabilities (ok) or of 422 items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swng.h"

#define MAX_FIELDS 7
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

    snprintf(key, sizeof key, "%s\t%s\t%s\t%s", f[1], f[2], f[3], f[4]);
    for (c = cache; c; c = c->next)
        if (strcmp(c->key, key) == 0) return c->client;

    opts.base_url = *f[1] ? f[1] : NULL;
    opts.project_id = *f[2] ? f[2] : NULL;
    opts.token = *f[3] ? f[3] : NULL;
    opts.timeout_ms = 30000;
    hcopy = dup_str(f[4]);
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

static void run_case(char **f)
{
    swng_error *err = NULL;
    swng_membership *m = NULL;
    swng_client *client = client_for(f, &err);
    int rc = client ? swng_membership_create(&m, client, f[5], f[6], &err)
                    : swng_error_code(err);

    put_field(f[0]);
    if (rc == SWNG_OK) {
        printf("\tok\t%ld\tmembership\t", swng_membership_http_status(m));
        put_field(swng_membership_id(m));
        putchar('\t');
        put_field(swng_membership_number_group_id(m));
        putchar('\t');
        put_field(swng_membership_phone_number_id(m));
        printf("\t%lu\t\t", (unsigned long)swng_membership_capability_count(m));
        /* touch every accessor: a crash here is a finding too */
        put_field(swng_membership_created_at(m));
        if (swng_membership_phone_number_name(m)) (void)strlen(swng_membership_phone_number_name(m));
        if (swng_membership_phone_number_number(m)) (void)strlen(swng_membership_phone_number_number(m));
        if (swng_membership_json(m)) (void)strlen(swng_membership_json(m));
    } else {
        size_t i, items = swng_error_item_count(err);
        printf("\t%s\t%ld\terror\t\t\t\t%lu\t", swng_error_code_name(err),
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
    swng_membership_free(m);
    swng_error_free(err);
}

int main(void)
{
    static char line[16384];
    struct cached *c, *next;

    while (fgets(line, sizeof line, stdin)) {
        char *f[MAX_FIELDS];
        char *p = line;
        int n = 0;
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "quit") == 0) break;
        /* split on tabs, keeping empty fields */
        while (n < MAX_FIELDS) {
            char *tab = strchr(p, '\t');
            f[n++] = p;
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n != MAX_FIELDS) {
            fprintf(stderr, "contract_c: bad case line (%d fields)\n", n);
            return 2;
        }
        run_case(f);
    }
    for (c = cache; c; c = next) {
        next = c->next;
        swng_client_free(c->client);
        free(c->key);
        free(c);
    }
    return 0;
}
