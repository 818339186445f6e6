/* fuzz_types.c - libFuzzer target for the strict 2xx parser of every
 * resource type (core/src/parse.c): swng__parse_object for a membership,
 * a number group and a phone number, and swng__object_from_node for the
 * items of a list page (swng__parse_json, then each item of "data").
 *
 * parse.c is #included (and left out of the sources this target links:
 * see CMakeLists.txt) so that its static lexical_problem (eight bytes at a
 * time) and tree_problem (duplicate keys, numbers beyond a double) can be compared with the byte-by-byte and
 * pairwise references below, and its one-pass fast_object with the strict
 * path (strict_object: cJSON and the checks above) that it stands in for,
 * without widening the core's interface.
 *
 * Input: byte 0: bits 0-1 pick the type (3: all three), bit 2 reads the
 * rest as a list page instead of a single body. Checked on success: every
 * required field (of a present parent) is set, every UUID field is a UUID,
 * every set string and list item equals what a lenient cJSON read of the
 * same JSON holds, unset fields are NULL/empty; a body is accepted only if
 * it is UTF-8, lexically clean and free of duplicate keys by the
 * references; the object's json is the body verbatim. On failure: no
 * object and an error with SWNG_EPROTOCOL (or SWNG_ENOMEM). Freeing is
 * left to ASan/LSan. */
#include "../../core/src/parse.c"

#include <float.h>
#include <stdio.h>

#include "fuzz_check.h"

/* ----------------------------------------------------------- references */

/* lexical_problem, one byte at a time. */
static const char *ref_lexical(const char *body, size_t len)
{
    const unsigned char *p = (const unsigned char *)body;
    size_t i = 0;
    int in_string = 0;
    for (i = 0; i < len; i++)
        if (p[i] == 0) return "body holds a NUL byte";
    for (i = 0; i < len; i++) {
        if (!in_string) {
            if (p[i] == '"') in_string = 1;
            continue;
        }
        if (p[i] == '"') {
            in_string = 0;
        } else if (p[i] < 0x20) {
            return "a string holds a raw control character";
        } else if (p[i] == '\\') {
            if (len - i >= 6 && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0)
                return "a string holds \\u0000";
            i++; /* the escaped byte */
        }
    }
    return NULL;
}

/* 1 if any object in the tree has two members of the same name (pairwise)
 * or any number is beyond a double. */
static int ref_duplicates(const cJSON *node)
{
    const cJSON *c, *d;
    if (cJSON_IsNumber(node) && (node->valuedouble > DBL_MAX || node->valuedouble < -DBL_MAX ||
                                 node->valuedouble != node->valuedouble))
        return 1;
    for (c = node ? node->child : NULL; c; c = c->next)
        if (ref_duplicates(c)) return 1;
    if (!cJSON_IsObject(node)) return 0;
    for (c = node->child; c; c = c->next)
        for (d = c->next; d; d = d->next)
            if (strcmp(c->string ? c->string : "", d->string ? d->string : "") == 0) return 1;
    return 0;
}

/* ---------------------------------------------------------------- checks */

/* The object against a lenient read of the JSON it came from. */
static void check_object(const struct swng__object *o, const struct swng__type *t,
                         const cJSON *root)
{
    const cJSON *nodes[MAX_FIELDS];
    size_t i, k;
    CHECK(o && o->type == t && o->json);
    for (i = 0; i < t->nfields; i++) {
        const struct swng__field *f = &t->fields[i];
        const cJSON *parent = f->parent < 0 ? root : nodes[f->parent];
        const cJSON *v = parent ? cJSON_GetObjectItemCaseSensitive(parent, f->name) : NULL;
        int present = v && !cJSON_IsNull(v);
        nodes[i] = present ? v : NULL;
        CHECK(!!o->set[i] == present);
        if (f->required && parent) CHECK(o->set[i]);
        switch (f->type) {
        case SWNG__F_STRING:
        case SWNG__F_UUID:
            if (!present) {
                CHECK(o->v[i].s == NULL);
                break;
            }
            CHECK(o->v[i].s && cJSON_IsString(v) && strcmp(o->v[i].s, v->valuestring) == 0);
            if (f->type == SWNG__F_UUID) CHECK(swng__is_uuid(o->v[i].s, strlen(o->v[i].s)));
            break;
        case SWNG__F_STRINGS:
            if (!present) {
                CHECK(o->v[i].list.n == 0);
                break;
            }
            CHECK(cJSON_IsArray(v) && o->v[i].list.n == (size_t)cJSON_GetArraySize(v));
            for (k = 0; k < o->v[i].list.n; k++) {
                const cJSON *item = cJSON_GetArrayItem(v, (int)k);
                CHECK(o->v[i].list.items[k] && cJSON_IsString(item) &&
                      strcmp(o->v[i].list.items[k], item->valuestring) == 0);
            }
            CHECK(swng__object_item(o, (int)i, o->v[i].list.n) == NULL);
            break;
        case SWNG__F_OBJECT:
            CHECK(!present || cJSON_IsObject(v));
            break;
        case SWNG__F_BOOL:
            if (present) CHECK(cJSON_IsBool(v) && !!o->v[i].b == !!cJSON_IsTrue(v));
            break;
        default: /* INT */
            if (present)
                CHECK(cJSON_IsNumber(v) && (double)o->v[i].i == v->valuedouble);
            break;
        }
    }
}

/* Two objects of type t hold the same values (the fast path's against the
 * strict path's). */
static void check_same(const struct swng__object *a, const struct swng__object *b,
                       const struct swng__type *t)
{
    size_t i, k;
    CHECK(a->type == t && b->type == t);
    CHECK(!a->strings == !b->strings);
    for (i = 0; i < t->nfields; i++) {
        CHECK(a->set[i] == b->set[i]);
        switch (t->fields[i].type) {
        case SWNG__F_STRING:
        case SWNG__F_UUID:
            CHECK(!a->v[i].s == !b->v[i].s);
            if (a->v[i].s) CHECK(strcmp(a->v[i].s, b->v[i].s) == 0);
            break;
        case SWNG__F_STRINGS:
            CHECK(a->v[i].list.n == b->v[i].list.n);
            CHECK(!a->v[i].list.items == !b->v[i].list.items);
            for (k = 0; k < a->v[i].list.n; k++)
                CHECK(strcmp(a->v[i].list.items[k], b->v[i].list.items[k]) == 0);
            break;
        case SWNG__F_OBJECT: CHECK(a->v[i].present == b->v[i].present); break;
        case SWNG__F_BOOL: CHECK(a->v[i].b == b->v[i].b); break;
        default: CHECK(a->v[i].i == b->v[i].i); break;
        }
    }
}

/* The one-pass fast path accepts only what the strict path accepts, with
 * the same values. */
static void fast_vs_strict(const struct swng__type *t, const char *body, size_t len)
{
    struct swng__object *fast = (struct swng__object *)&fast, *strict = NULL;
    swng_error *err = NULL;
    int rc;
    if (!fast_object(&fast, t, body, len)) {
        CHECK(fast == NULL);
        return;
    }
    rc = strict_object(&strict, t, body, len, &err);
    if (rc != SWNG_OK)
        fprintf(stderr, "fast path accepted what the strict path refuses: %s\n",
                swng_error_message(err));
    CHECK(rc == SWNG_OK && err == NULL);
    check_same(fast, strict, t);
    swng__object_free(fast);
    swng__object_free(strict);
}

static const struct swng__type *const types[] = {&swng__type_membership, &swng__type_number_group,
                                                 &swng__type_phone_number};

static void check_failure(int rc, struct swng__object *o, swng_error *err)
{
    CHECK(o == NULL);
    CHECK(rc == SWNG_EPROTOCOL || rc == SWNG_ENOMEM);
    CHECK(err && swng_error_code(err) == rc && *swng_error_message(err));
    CHECK(swng__is_utf8(swng_error_message(err), strlen(swng_error_message(err))));
    swng_error_free(err);
}

static void one_body(const struct swng__type *t, const char *body, size_t len)
{
    struct swng__object *o = (struct swng__object *)&o;
    swng_error *err = NULL;
    int rc = swng__parse_object(&o, t, body, len, &err);
    if (rc == SWNG_OK) {
        cJSON *lenient = cJSON_ParseWithLength(body, len);
        CHECK(err == NULL);
        CHECK(swng__is_utf8(body, len));
        CHECK(ref_lexical(body, len) == NULL);
        CHECK(lenient && !ref_duplicates(lenient));
        CHECK(memcmp(o->json, body, len) == 0 && o->json[len] == '\0');
        check_object(o, t, lenient);
        cJSON_Delete(lenient);
        swng__object_free(o);
    } else {
        check_failure(rc, o, err);
    }
}

static void list_page(const struct swng__type *t, const char *body, size_t len)
{
    cJSON *page;
    const cJSON *data, *item;
    /* As take_page in list.c reads a page. */
    if (!swng__is_utf8(body, len) || !(page = swng__parse_json(body, len))) return;
    CHECK(ref_lexical(body, len) == NULL && !ref_duplicates(page));
    data = cJSON_IsArray(page) ? page : cJSON_GetObjectItemCaseSensitive(page, "data");
    if (!cJSON_IsArray(data)) data = NULL;
    cJSON_ArrayForEach(item, data)
    {
        struct swng__object *o = (struct swng__object *)&o;
        swng_error *err = NULL;
        int rc = swng__object_from_node(&o, t, item, &err);
        if (rc == SWNG_OK) {
            cJSON *again;
            CHECK(err == NULL);
            check_object(o, t, item);
            /* json is the item printed: it reads back to the same item. */
            again = cJSON_Parse(o->json);
            CHECK(again && cJSON_Compare(again, item, 1));
            cJSON_Delete(again);
            swng__object_free(o);
        } else {
            check_failure(rc, o, err);
        }
    }
    cJSON_Delete(page);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body;
    size_t len, i;
    unsigned sel;
    if (size < 1) return 0;
    sel = data[0];
    body = (const char *)data + 1;
    len = size - 1;

    /* The eight-bytes-at-a-time lexical check against the reference, and
     * the duplicate check (sorted past 16 members) against pairwise. */
    CHECK(lexical_problem(body, len) == ref_lexical(body, len) ||
          strcmp(lexical_problem(body, len), ref_lexical(body, len)) == 0);
    {
        cJSON *lenient = cJSON_ParseWithLength(body, len);
        if (lenient) {
            const char *why = tree_problem(lenient);
            CHECK(!why == !ref_duplicates(lenient));
            cJSON_Delete(lenient);
        }
    }

    for (i = 0; i < 3; i++) {
        if ((sel & 3) != 3 && (sel & 3) != i) continue;
        if (sel & 4) {
            list_page(types[i], body, len);
        } else {
            fast_vs_strict(types[i], body, len);
            one_body(types[i], body, len);
        }
    }
    return 0;
}
