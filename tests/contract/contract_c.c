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
 * its small functions. An ARG of "-" is "not given" (NULL, page_size 0,
 * sticky_sender 0 for a create and SWNG_KEEP for an update). A list is read
 * to its end and answers count=N and ids=ID,ID,... (the items' ids in
 * order); a delete answers no fields and HTTP "-" (the API does not give
 * its status).
 *
 * An empty BASE_URL, PROJECT_ID or TOKEN is not passed (NULL: the core reads
 * the environment, which the driver clears). HEADERS is a '|'-separated list
 * of "Name: value" given as swng_client_options.headers. One client is kept
 * per distinct (base URL, project, token, headers), so sequential cases reuse
 * a kept-alive connection as real programs do. CODE is "ok" or the error's
 * code name; KIND is the result's kind ("membership", "number_group",
 * "phone_number", "list", "none") or "error"; ITEM_COUNT
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

/* An optional argument: "-" is "not given" (NULL). */
static const char *opt(const char *a) { return strcmp(a, "-") == 0 ? NULL : a; }

/* page_size / sticky_sender columns: "-" is dflt. */
static int opt_int(const char *a, int dflt) { return opt(a) ? atoi(a) : dflt; }

/* ---- memberships */

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

static void membership_ex_fields(const void *r)
{
    membership_fields(r);
    printf("\texisted=%d", swng_membership_existed(r));
}

static void membership_free(void *r) { swng_membership_free(r); }

/* create_membership GROUP_ID PHONE_NUMBER_ID */
static int membership_create_call(void **out, swng_client *client, char **args,
                                  swng_error **err)
{
    return swng_membership_create((swng_membership **)out, client, args[0], args[1], err);
}

/* create_membership_if_exists GROUP_ID PHONE_NUMBER_ID error|return */
static int membership_create_ex_call(void **out, swng_client *client, char **args,
                                     swng_error **err)
{
    int policy = strcmp(args[2], "return") == 0 ? SWNG_IF_EXISTS_RETURN
               : strcmp(args[2], "error") == 0 ? SWNG_IF_EXISTS_ERROR : 99;
    return swng_membership_create_ex((swng_membership **)out, client, args[0], args[1], policy,
                                     err);
}

/* get_membership ID */
static int membership_get_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_membership_get((swng_membership **)out, client, opt(args[0]), err);
}

/* ---- number groups */

static long group_http(const void *r) { return swng_number_group_http_status(r); }

static void group_fields(const void *r)
{
    const swng_number_group *g = r;
    put_kv("id", swng_number_group_id(g));
    put_kv("name", swng_number_group_name(g));
    printf("\tsticky_sender=%d", swng_number_group_sticky_sender(g));
    printf("\tphone_number_count=%ld", swng_number_group_phone_number_count(g));
    if (swng_number_group_request_id(g)) (void)strlen(swng_number_group_request_id(g));
    (void)strlen(swng_number_group_json(g));
}

static void group_free(void *r) { swng_number_group_free(r); }

/* create_number_group NAME STICKY(0|1|-) */
static int group_create_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_number_group_create((swng_number_group **)out, client, opt(args[0]),
                                    opt_int(args[1], 0), err);
}

/* get_number_group ID */
static int group_get_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_number_group_get((swng_number_group **)out, client, opt(args[0]), err);
}

/* update_number_group ID NAME STICKY(0|1|-: SWNG_KEEP) */
static int group_update_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_number_group_update((swng_number_group **)out, client, opt(args[0]),
                                    opt(args[1]), opt_int(args[2], SWNG_KEEP), err);
}

/* find_number_group NAME */
static int group_find_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_number_group_find((swng_number_group **)out, client, opt(args[0]), err);
}

/* ---- phone numbers */

static long phone_http(const void *r) { return swng_phone_number_http_status(r); }

static void phone_fields(const void *r)
{
    const swng_phone_number *p = r;
    size_t i;
    put_kv("id", swng_phone_number_id(p));
    put_kv("number", swng_phone_number_number(p));
    put_kv("name", swng_phone_number_name(p));
    put_kv_size("capabilities", swng_phone_number_capability_count(p));
    for (i = 0; i < swng_phone_number_capability_count(p); i++)
        (void)strlen(swng_phone_number_capability(p, i));
    {
        const char *s[6];
        int k;
        s[0] = swng_phone_number_number_type(p);
        s[1] = swng_phone_number_e911_address_id(p);
        s[2] = swng_phone_number_e911_status(p);
        s[3] = swng_phone_number_created_at(p);
        s[4] = swng_phone_number_updated_at(p);
        s[5] = swng_phone_number_json(p);
        for (k = 0; k < 6; k++)
            if (s[k]) (void)strlen(s[k]);
    }
}

static void phone_free(void *r) { swng_phone_number_free(r); }

/* get_phone_number ID */
static int phone_get_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_phone_number_get((swng_phone_number **)out, client, opt(args[0]), err);
}

/* find_phone_number E164 */
static int phone_find_call(void **out, swng_client *client, char **args, swng_error **err)
{
    return swng_phone_number_find((swng_phone_number **)out, client, opt(args[0]), err);
}

/* ---- deletes: no result (HTTP answered as "-": the API does not give it) */

static long none_http(const void *r) { (void)r; return -1; }
static void none_fields(const void *r) { (void)r; }
static void none_free(void *r) { (void)r; }
static int done = 1; /* a non-NULL result for calls without one */

/* delete_number_group ID */
static int group_delete_call(void **out, swng_client *client, char **args, swng_error **err)
{
    int rc = swng_number_group_delete(client, opt(args[0]), err);
    if (rc == SWNG_OK) *out = &done;
    return rc;
}

/* delete_membership ID */
static int membership_delete_call(void **out, swng_client *client, char **args,
                                  swng_error **err)
{
    int rc = swng_membership_delete(client, opt(args[0]), err);
    if (rc == SWNG_OK) *out = &done;
    return rc;
}

/* remove_number GROUP_ID PHONE_NUMBER_ID */
static int remove_number_call(void **out, swng_client *client, char **args, swng_error **err)
{
    int rc = swng_number_group_remove_number(client, opt(args[0]), opt(args[1]), err);
    if (rc == SWNG_OK) *out = &done;
    return rc;
}

/* ---- lists: read to the end; the answer is count=N ids=ID,ID,... */

struct list_result {
    size_t count, pages;
    char *ids;        /* comma-separated, in order */
    size_t len, cap;
};

static void list_add(struct list_result *l, const char *id)
{
    size_t n = strlen(id) + 1;
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->len + n + 1) * 2;
        l->ids = realloc(l->ids, l->cap);
        if (!l->ids) {
            fputs("contract_c: out of memory\n", stderr);
            exit(70);
        }
    }
    if (l->len) l->ids[l->len++] = ',';
    memcpy(l->ids + l->len, id, n);
    l->len += n - 1;
    l->count++;
}

static struct list_result *list_new(void)
{
    struct list_result *l = calloc(1, sizeof *l);
    if (!l) {
        fputs("contract_c: out of memory\n", stderr);
        exit(70);
    }
    return l;
}

/* Reads cur to its end with next(); any error ends it (and the list). */
typedef int (*next_fn)(swng_cursor *, void **, swng_error **);
typedef const char *(*id_fn)(const void *);
typedef void (*free_fn)(void *);

static int read_list(void **out, swng_cursor *cur, next_fn next, id_fn id, free_fn fr,
                     swng_error **err)
{
    struct list_result *l = list_new();
    void *item;
    int rc;
    while ((rc = next(cur, &item, err)) == SWNG_OK && item) {
        list_add(l, id(item));
        fr(item);
    }
    l->pages = swng_cursor_page_count(cur);
    swng_cursor_free(cur);
    if (rc != SWNG_OK) {
        free(l->ids);
        free(l);
        return rc;
    }
    *out = l;
    return SWNG_OK;
}

static int next_group(swng_cursor *c, void **o, swng_error **e)
{ return swng_number_group_next(c, (swng_number_group **)o, e); }
static int next_membership(swng_cursor *c, void **o, swng_error **e)
{ return swng_membership_next(c, (swng_membership **)o, e); }
static int next_phone(swng_cursor *c, void **o, swng_error **e)
{ return swng_phone_number_next(c, (swng_phone_number **)o, e); }
static const char *group_id(const void *r) { return swng_number_group_id(r); }
static const char *membership_id(const void *r) { return swng_membership_id(r); }
static const char *phone_id(const void *r) { return swng_phone_number_id(r); }

/* list_number_groups NAME PAGE_SIZE */
static int group_list_call(void **out, swng_client *client, char **args, swng_error **err)
{
    swng_cursor *cur;
    int rc = swng_number_group_list(&cur, client, opt(args[0]), opt_int(args[1], 0), err);
    return rc ? rc : read_list(out, cur, next_group, group_id, group_free, err);
}

/* list_memberships GROUP_ID PAGE_SIZE */
static int membership_list_call(void **out, swng_client *client, char **args,
                                swng_error **err)
{
    swng_cursor *cur;
    int rc = swng_membership_list(&cur, client, opt(args[0]), opt_int(args[1], 0), err);
    return rc ? rc : read_list(out, cur, next_membership, membership_id, membership_free, err);
}

/* list_phone_numbers NUMBER NAME PAGE_SIZE */
static int phone_list_call(void **out, swng_client *client, char **args, swng_error **err)
{
    swng_cursor *cur;
    int rc = swng_phone_number_list(&cur, client, opt(args[0]), opt(args[1]),
                                    opt_int(args[2], 0), err);
    return rc ? rc : read_list(out, cur, next_phone, phone_id, phone_free, err);
}

static long list_http(const void *r) { (void)r; return -1; }

static void list_fields(const void *r)
{
    const struct list_result *l = r;
    put_kv_size("count", l->count);
    put_kv("ids", l->ids ? l->ids : "");
}

static void list_free(void *r)
{
    struct list_result *l = r;
    free(l->ids);
    free(l);
}

/* ---- the operation table: one row per operation */

struct operation {
    const char *name;        /* the OPERATION column */
    int nargs;               /* ARG columns it takes */
    const char *kind;        /* KIND of a result */
    int (*call)(void **out, swng_client *client, char **args, swng_error **err);
    long (*http_status)(const void *result);  /* -1: not known ("-") */
    void (*fields)(const void *result);   /* prints the \tNAME=VALUE fields */
    void (*free_result)(void *result);
};

static const struct operation OPERATIONS[] = {
    {"create_membership", 2, "membership", membership_create_call, membership_http,
     membership_fields, membership_free},
    {"create_membership_if_exists", 3, "membership", membership_create_ex_call,
     membership_http, membership_ex_fields, membership_free},
    {"list_number_groups", 2, "list", group_list_call, list_http, list_fields, list_free},
    {"create_number_group", 2, "number_group", group_create_call, group_http, group_fields,
     group_free},
    {"get_number_group", 1, "number_group", group_get_call, group_http, group_fields,
     group_free},
    {"update_number_group", 3, "number_group", group_update_call, group_http, group_fields,
     group_free},
    {"delete_number_group", 1, "none", group_delete_call, none_http, none_fields, none_free},
    {"find_number_group", 1, "number_group", group_find_call, group_http, group_fields,
     group_free},
    {"list_memberships", 2, "list", membership_list_call, list_http, list_fields, list_free},
    {"get_membership", 1, "membership", membership_get_call, membership_http,
     membership_fields, membership_free},
    {"delete_membership", 1, "none", membership_delete_call, none_http, none_fields,
     none_free},
    {"remove_number", 2, "none", remove_number_call, none_http, none_fields, none_free},
    {"list_phone_numbers", 3, "list", phone_list_call, list_http, list_fields, list_free},
    {"get_phone_number", 1, "phone_number", phone_get_call, phone_http, phone_fields,
     phone_free},
    {"find_phone_number", 1, "phone_number", phone_find_call, phone_http, phone_fields,
     phone_free},
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
        long http = op->http_status(result);
        if (http < 0)
            printf("\tok\t-\t%s\t0\t\t", op->kind);
        else
            printf("\tok\t%ld\t%s\t0\t\t", http, op->kind);
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
