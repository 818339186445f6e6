/* fuzz_page.c - libFuzzer target for list pages (core/src/list.c): the
 * page parser take_page, the next-link checks of next_link (scheme, host,
 * port, user, path) and the cycle check of seen_before, over a run of
 * pages as fetch hands them over, with no network.
 *
 * list.c is #included (and left out of the sources this target links: see
 * CMakeLists.txt) so that these static functions are fuzzed as they are,
 * without a core change; the cursor is filled as cursor_new fills it.
 *
 * Input: byte 0: bits 0-1 pick the listed type (membership, number group,
 * phone number), bit 2 the base URL (http://127.0.0.1:8080 or
 * https://space.signalwire.com); the rest is one to eight page bodies
 * separated by the bytes FF FF (never in UTF-8). Checked:
 *  - an accepted next link, read again by libcurl, has the base URL's
 *    scheme, host and port (443 when left out), no user or password, no
 *    fragment, and exactly the list's path;
 *  - it was not fetched before (the first page included), compared as
 *    strings (a hash collision may refuse a new link, never accept an old
 *    one);
 *  - a page is accepted only if it is UTF-8, an object with links (self,
 *    first strings) and a data array; no more than SWNG_MAX_EMPTY_PAGES
 *    empty pages in a row are followed;
 *  - a refusal is SWNG_EPROTOCOL with a message;
 *  - every item of an accepted page either becomes an object of the type
 *    (required fields present, UUID fields UUIDs) or fails cleanly. */
#include "../../core/src/list.c"

#include "fuzz_check.h"

#define MAX_PAGES 8

static const struct swng__type *const types[] = {&swng__type_membership, &swng__type_number_group,
                                                 &swng__type_phone_number};
static const char *const paths[] = {
    "/api/relay/rest/number_groups/41148420-0549-49cf-924c-e4a320c8c1e9/number_group_memberships",
    "/api/relay/rest/number_groups", "/api/relay/rest/phone_numbers"};
static const char *const origins[] = {"http://127.0.0.1:8080", "https://space.signalwire.com"};
static const char *const ports[] = {"8080", "443"};
static const char *const schemes[] = {"http", "https"};
static const char *const hosts[] = {"127.0.0.1", "space.signalwire.com"};

static char *get_part(CURLU *u, CURLUPart part, unsigned flags)
{
    char *v = NULL;
    return curl_url_get(u, part, &v, flags) == CURLUE_OK ? v : NULL;
}

/* The accepted link against the base URL and the list's path. */
static void check_link(const char *url, int base, int type)
{
    CURLU *u = curl_url();
    char *scheme, *host, *port, *path, *user, *password, *fragment;
    CHECK(u != NULL);
    CHECK(curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK);
    scheme = get_part(u, CURLUPART_SCHEME, 0);
    host = get_part(u, CURLUPART_HOST, 0);
    port = get_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    path = get_part(u, CURLUPART_PATH, 0);
    user = get_part(u, CURLUPART_USER, 0);
    password = get_part(u, CURLUPART_PASSWORD, 0);
    fragment = get_part(u, CURLUPART_FRAGMENT, 0);
    if (!(scheme && strcasecmp(scheme, schemes[base]) == 0 && host &&
          strcasecmp(host, hosts[base]) == 0 && port && strcmp(port, ports[base]) == 0 && path &&
          strcmp(path, paths[type]) == 0 && !user && !password && !fragment)) {
        fprintf(stderr, "fuzz_page: accepted next link %s\n", url);
        abort();
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(user);
    curl_free(password);
    curl_free(fragment);
    curl_url_cleanup(u);
}

/* Every item of the current page, as cursor_next makes objects of them. */
static void check_items(swng_cursor *cur)
{
    while (cur->item) {
        const cJSON *item = cur->item;
        struct swng__object *o = (struct swng__object *)&o;
        swng_error *err = NULL;
        int rc;
        size_t i;
        cur->item = item->next;
        rc = swng__object_from_node(&o, cur->type, item, &err);
        if (rc != SWNG_OK) {
            CHECK(o == NULL && err && swng_error_code(err) == rc);
            CHECK(rc == SWNG_EPROTOCOL || rc == SWNG_ENOMEM);
            swng_error_free(err);
            continue;
        }
        for (i = 0; i < cur->type->nfields; i++) {
            const struct swng__field *f = &cur->type->fields[i];
            if (f->required && (f->parent < 0 || o->set[f->parent])) CHECK(o->set[i]);
            if (f->type == SWNG__F_UUID && o->set[i])
                CHECK(swng__is_uuid(o->v[i].s, strlen(o->v[i].s)));
        }
        swng__object_free(o);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *accepted[MAX_PAGES + 1];
    size_t naccepted = 0, i, pos, pages = 0;
    unsigned empty_run = 0;
    int type, base;
    swng_cursor *cur;
    CURLU *u;

    if (size < 1) return 0;
    type = (data[0] & 3) % 3;
    base = (data[0] >> 2) & 1;

    /* The cursor as cursor_new fills it (the list's own URL). */
    if (!(cur = calloc(1, sizeof *cur))) abort();
    cur->type = types[type];
    cur->next_url = swng__format("%s%s?page_size=2", origins[base], paths[type]);
    u = curl_url();
    CHECK(u && cur->next_url && curl_url_set(u, CURLUPART_URL, cur->next_url, 0) == CURLUE_OK);
    cur->scheme = url_part(u, CURLUPART_SCHEME);
    cur->host = url_part(u, CURLUPART_HOST);
    cur->port = url_part(u, CURLUPART_PORT);
    cur->path = url_part(u, CURLUPART_PATH);
    curl_url_cleanup(u);
    CHECK(cur->scheme && cur->host && cur->port && cur->path);
    accepted[naccepted++] = swng__strdup(cur->next_url);

    for (pos = 1; pos <= size && cur->next_url && pages < MAX_PAGES; pages++) {
        /* The next page's body: up to FF FF or the end. */
        size_t end = pos;
        struct swng__response rs;
        swng_error *err = NULL;
        char *url;
        int rc;
        while (end < size && !(data[end] == 0xff && end + 1 < size && data[end + 1] == 0xff)) end++;
        /* As fetch does before take_page. */
        url = cur->next_url;
        cur->next_url = NULL;
        cJSON_Delete(cur->page);
        cur->page = NULL;
        cur->item = NULL;
        if (pages == 0) CHECK(seen_before(cur, url) == 0);
        memset(&rs, 0, sizeof rs);
        rs.status = 200;
        rs.len = end - pos;
        if (rs.len) {
            if (!(rs.body = malloc(rs.len + 1))) abort();
            memcpy(rs.body, data + pos, rs.len);
            rs.body[rs.len] = '\0';
        }
        rc = take_page(cur, url, &rs, &err);
        /* FUZZ_VERBOSE=1 shows what each page came to (for the seeds). */
        if (getenv("FUZZ_VERBOSE"))
            fprintf(stderr, "page %zu: %s -> %s\n", pages, rc == SWNG_OK ? "ok" : "refused",
                    rc != SWNG_OK ? swng_error_message(err)
                    : cur->next_url ? cur->next_url : "(last)");
        if (rc == SWNG_OK) {
            const cJSON *d;
            CHECK(err == NULL);
            CHECK(swng__is_utf8(rs.body ? rs.body : "", rs.len));
            d = cJSON_GetObjectItemCaseSensitive(cur->page, "data");
            CHECK(cJSON_IsObject(cur->page) && cJSON_IsArray(d));
            empty_run = d->child ? 0 : empty_run + 1;
            if (cur->next_url) {
                CHECK(empty_run <= SWNG_MAX_EMPTY_PAGES);
                check_link(cur->next_url, base, type);
                for (i = 0; i < naccepted; i++) CHECK(strcmp(accepted[i], cur->next_url) != 0);
                accepted[naccepted++] = swng__strdup(cur->next_url);
            }
            check_items(cur);
        } else {
            CHECK(rc == SWNG_EPROTOCOL || rc == SWNG_ENOMEM);
            CHECK(err && swng_error_code(err) == rc && *swng_error_message(err));
            free(cur->next_url);
            cur->next_url = NULL;
            swng_error_free(err);
        }
        free(rs.body);
        free(url);
        pos = end + 2;
    }
    for (i = 0; i < naccepted; i++) free(accepted[i]);
    swng_cursor_free(cur);
    return 0;
}
