/* parse.c - response bodies to memberships and error detail (cJSON). */
#include "internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ resources */

/* A membership: POST .../number_group_memberships answers with one. */
static const struct swng__field membership_fields[] = {
    /* name            parent                 type            required object */
    {"id", -1, SWNG__F_UUID, 1, NULL},
    {"number_group_id", -1, SWNG__F_UUID, 1, NULL},
    {"phone_number", -1, SWNG__F_OBJECT, 1, "phone_number"},
    {"id", SWNG__M_PHONE_NUMBER, SWNG__F_UUID, 0, NULL},
    {"name", SWNG__M_PHONE_NUMBER, SWNG__F_STRING, 0, NULL},
    {"number", SWNG__M_PHONE_NUMBER, SWNG__F_STRING, 0, NULL},
    {"capabilities", SWNG__M_PHONE_NUMBER, SWNG__F_STRINGS, 0, NULL},
    {"created_at", -1, SWNG__F_STRING, 1, NULL},
    {"updated_at", -1, SWNG__F_STRING, 1, NULL},
};
const struct swng__type swng__type_membership = {
    "membership", membership_fields, sizeof membership_fields / sizeof membership_fields[0]};

/* A number group (NumberGroupResponse; list items may leave out
 * phone_number_count). */
static const struct swng__field number_group_fields[] = {
    {"id", -1, SWNG__F_UUID, 1, NULL},
    {"name", -1, SWNG__F_STRING, 1, NULL},
    {"sticky_sender", -1, SWNG__F_BOOL, 1, NULL},
    {"phone_number_count", -1, SWNG__F_INT, 0, NULL},
};
const struct swng__type swng__type_number_group = {
    "number_group", number_group_fields, sizeof number_group_fields / sizeof number_group_fields[0]};

/* A phone number: the fields of the list item schema (PhoneNumber); the
 * full resource's other fields stay in its json. name, e911_address_id and
 * e911_status may be null. The type name is the membership's nested
 * phone_number's too: the bindings build one class for both. */
static const struct swng__field phone_number_fields[] = {
    {"id", -1, SWNG__F_UUID, 1, NULL},
    {"number", -1, SWNG__F_STRING, 1, NULL},
    {"name", -1, SWNG__F_STRING, 0, NULL},
    {"capabilities", -1, SWNG__F_STRINGS, 1, NULL},
    {"number_type", -1, SWNG__F_STRING, 1, NULL},
    {"e911_address_id", -1, SWNG__F_UUID, 0, NULL},
    {"e911_status", -1, SWNG__F_STRING, 0, NULL},
    {"created_at", -1, SWNG__F_STRING, 1, NULL},
    {"updated_at", -1, SWNG__F_STRING, 1, NULL},
};
const struct swng__type swng__type_phone_number = {
    "phone_number", phone_number_fields, sizeof phone_number_fields / sizeof phone_number_fields[0]};

/* Longest type this parser handles (the nodes array below). */
#define MAX_FIELDS 64

void swng__object_free(struct swng__object *o)
{
    size_t i, k;
    if (!o) return;
    /* Strings and lists live in o->strings when it is set: then no value
     * is allocated on its own. */
    for (i = 0; !o->strings && i < o->type->nfields; i++) {
        switch (o->type->fields[i].type) {
        case SWNG__F_STRING:
        case SWNG__F_UUID: free(o->v[i].s); break;
        case SWNG__F_STRINGS:
            for (k = 0; k < o->v[i].list.n; k++) free(o->v[i].list.items[k]);
            free(o->v[i].list.items);
            break;
        default: break;
        }
    }
    free(o->strings);
    free(o->request_id);
    free(o->json);
    free(o);
}

int swng__object_has(const struct swng__object *o, int field) { return o && o->set[field]; }

const char *swng__object_str(const struct swng__object *o, int field)
{
    return o ? o->v[field].s : NULL;
}

size_t swng__object_count(const struct swng__object *o, int field)
{
    return o ? o->v[field].list.n : 0;
}

const char *swng__object_item(const struct swng__object *o, int field, size_t i)
{
    return o && i < o->v[field].list.n ? o->v[field].list.items[i] : NULL;
}

/* "phone_number." for a nested field, "" at the top. */
static const char *prefix_of(const struct swng__type *t, const struct swng__field *f)
{
    return f->parent >= 0 ? t->fields[f->parent].name : "";
}

#define BREAKS "response breaks the contract: "

static int parse_field(struct swng__object *o, size_t i, const cJSON *v, swng_error **err)
{
    const struct swng__type *t = o->type;
    const struct swng__field *f = &t->fields[i];
    const char *pre = prefix_of(t, f), *dot = *pre ? "." : "";
    const cJSON *c;
    switch (f->type) {
    case SWNG__F_STRING:
    case SWNG__F_UUID:
        if (!cJSON_IsString(v) || !v->valuestring)
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not a string", pre, dot,
                              f->name);
        if (f->type == SWNG__F_UUID && !swng__is_uuid(v->valuestring, strlen(v->valuestring)))
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not a UUID", pre, dot, f->name);
        return SWNG_OK; /* copied by own_strings */
    case SWNG__F_STRINGS:
        if (!cJSON_IsArray(v))
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not an array", pre, dot,
                              f->name);
        cJSON_ArrayForEach(c, v)
        {
            if (!cJSON_IsString(c) || !c->valuestring)
                return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s holds a non-string", pre, dot,
                                  f->name);
        }
        return SWNG_OK; /* copied by own_strings */
    case SWNG__F_OBJECT:
        if (!cJSON_IsObject(v))
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not an object", pre, dot,
                              f->name);
        o->v[i].present = 1;
        return SWNG_OK;
    case SWNG__F_BOOL:
        if (!cJSON_IsBool(v))
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not a boolean", pre, dot,
                              f->name);
        o->v[i].b = cJSON_IsTrue(v);
        return SWNG_OK;
    default: /* SWNG__F_INT */
        /* Range-checked before converting: a server's number is untrusted. */
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= -9007199254740992.0 &&
                                    v->valuedouble <= 9007199254740992.0) ||
            (double)(long long)v->valuedouble != v->valuedouble)
            return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s%s%s is not an integer", pre, dot,
                              f->name);
        o->v[i].i = (long long)v->valuedouble;
        return SWNG_OK;
    }
}

/* Copies every string field and list (validated by parse_field, still in
 * the cJSON tree: nodes[i] for each field that is set) into one block,
 * o->strings: the lists' pointer arrays first, then the characters. One
 * allocation instead of one per string. */
static int own_strings(struct swng__object *o, const cJSON *const *nodes, swng_error **err)
{
    const struct swng__type *t = o->type;
    size_t i, ptrs = 0, chars = 0, used;
    const cJSON *c;
    char *block, **next_ptr;
    for (i = 0; i < t->nfields; i++) {
        if (!o->set[i]) continue;
        if (t->fields[i].type == SWNG__F_STRING || t->fields[i].type == SWNG__F_UUID) {
            chars += strlen(nodes[i]->valuestring) + 1;
        } else if (t->fields[i].type == SWNG__F_STRINGS) {
            cJSON_ArrayForEach(c, nodes[i])
            {
                ptrs++;
                chars += strlen(c->valuestring) + 1;
            }
        }
    }
    if (ptrs + chars == 0) return SWNG_OK;
    if (!(block = malloc(ptrs * sizeof(char *) + chars)))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    o->strings = block;
    next_ptr = (char **)(void *)block;
    block += ptrs * sizeof(char *);
    for (i = 0; i < t->nfields; i++) {
        if (!o->set[i]) continue;
        if (t->fields[i].type == SWNG__F_STRING || t->fields[i].type == SWNG__F_UUID) {
            used = strlen(nodes[i]->valuestring) + 1;
            o->v[i].s = memcpy(block, nodes[i]->valuestring, used);
            block += used;
        } else if (t->fields[i].type == SWNG__F_STRINGS) {
            o->v[i].list.items = next_ptr;
            cJSON_ArrayForEach(c, nodes[i])
            {
                used = strlen(c->valuestring) + 1;
                *next_ptr++ = memcpy(block, c->valuestring, used);
                block += used;
                o->v[i].list.n++;
            }
            if (o->v[i].list.n == 0) o->v[i].list.items = NULL;
        }
    }
    return SWNG_OK;
}

static int parse_fields(struct swng__object *o, const cJSON *root, swng_error **err)
{
    const struct swng__type *t = o->type;
    const cJSON *nodes[MAX_FIELDS];
    size_t i;
    int rc;
    if (!cJSON_IsObject(root))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "body is not a JSON object");
    for (i = 0; i < t->nfields; i++) {
        const struct swng__field *f = &t->fields[i];
        const cJSON *parent = f->parent < 0 ? root : (o->set[f->parent] ? nodes[f->parent] : NULL);
        const cJSON *v;
        nodes[i] = NULL;
        if (!parent) continue; /* inside an optional object that is absent */
        v = cJSON_GetObjectItemCaseSensitive(parent, f->name);
        if (!v || cJSON_IsNull(v)) {
            if (f->required) {
                const char *pre = prefix_of(t, f);
                return swng__fail(err, SWNG_EPROTOCOL, BREAKS "required field %s%s%s is missing",
                                  pre, *pre ? "." : "", f->name);
            }
            continue;
        }
        if ((rc = parse_field(o, i, v, err)) != SWNG_OK) return rc;
        o->set[i] = 1;
        nodes[i] = v;
    }
    return own_strings(o, nodes, err);
}

/* What cJSON lets through but JSON (RFC 8259) or swng does not: a raw NUL
 * byte, a raw control character inside a string, and the escape \u0000
 * (a C string would end there, so C would see less than Python). Returns
 * the reason, or NULL. */
static const char *lexical_problem(const char *body, size_t len)
{
    const unsigned char *p = (const unsigned char *)body, *end = p + len, *q;
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    if (memchr(body, '\0', len)) return "body holds a NUL byte";
    /* From string to string: outside them nothing matters here. */
    while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
        p = q + 1;
        for (;;) {
            /* Eight bytes at a time while none is a control, '"' or '\\'
             * (a false alarm only sends that byte to the check below). */
            while (end - p >= 8) {
                uint64_t w, quote, slash;
                memcpy(&w, p, 8);
                quote = w ^ (ones * '"');
                slash = w ^ (ones * '\\');
                if (((w - ones * 0x20) & ~w & highs) | ((quote - ones) & ~quote & highs) |
                    ((slash - ones) & ~slash & highs))
                    break;
                p += 8;
            }
            if (p >= end) return NULL; /* an unterminated string: cJSON refuses it */
            if (*p == '"') {
                p++;
                break;
            }
            if (*p < 0x20) return "a string holds a raw control character";
            if (*p == '\\') {
                if (end - p >= 6 && p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
                    return "a string holds \\u0000";
                p += 2; /* the escaped character (for \\u, the hex digits are harmless) */
                continue;
            }
            p++;
        }
    }
    return NULL;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define OOM_REASON "out of memory"

/* Duplicate member names anywhere in the tree: cJSON keeps both and reads
 * the first, Python's json the last, so C and to_dict() could disagree.
 * Likewise a number beyond a double (1e999): cJSON holds inf and prints it
 * as null (a list item's json is printed), Python reads inf.
 * Returns the reason, or NULL. */
static const char *tree_problem(const cJSON *node)
{
    const cJSON *c;
    const char *why;
    size_t n = 0, i;
    if (cJSON_IsNumber(node) && !isfinite(node->valuedouble)) return "a number is out of range";
    for (c = node ? node->child : NULL; c; c = c->next) {
        if ((why = tree_problem(c)) != NULL) return why;
        n++;
    }
    if (!cJSON_IsObject(node) || n < 2) return NULL;
    if (n <= 16) { /* small objects: pairwise, no allocation */
        const cJSON *d;
        for (c = node->child; c; c = c->next)
            for (d = c->next; d; d = d->next)
                /* most names differ in their first byte: no call for them */
                if (c->string && d->string && c->string[0] == d->string[0] &&
                    strcmp(c->string, d->string) == 0)
                    return "an object has a duplicate key";
        return NULL;
    }
    {
        const char **names = malloc(n * sizeof *names);
        why = NULL;
        if (!names) return OOM_REASON;
        for (i = 0, c = node->child; c; c = c->next) names[i++] = c->string ? c->string : "";
        qsort(names, n, sizeof *names, cmp_names);
        for (i = 1; i < n && !why; i++)
            if (strcmp(names[i - 1], names[i]) == 0) why = "an object has a duplicate key";
        free(names);
        return why;
    }
}

/* Strict parse of exactly body[0..len): *why (if not NULL) says what was
 * refused (OOM_REASON when memory ran out). */
static cJSON *parse_strict(const char *body, size_t len, const char **why)
{
    const char *end = NULL, *stop = body + len, *problem;
    cJSON *root;
    if (why) *why = "body is not valid JSON";
    if ((problem = lexical_problem(body, len)) != NULL) {
        if (why) *why = problem;
        return NULL;
    }
    root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root) return NULL;
    /* cJSON_ParseWithLength alone accepts trailing garbage. */
    while (end && end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != stop || (problem = tree_problem(root)) != NULL) {
        if (why && end == stop) *why = problem;
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cJSON *swng__parse_json(const char *body, size_t len) { return parse_strict(body, len, NULL); }

/* A new object of type t filled from root: one allocation for the object,
 * its values, then its `set` flags. Its json is the caller's to set. */
static int object_fill(struct swng__object **out, const struct swng__type *t, const cJSON *root,
                       swng_error **err)
{
    struct swng__object *o;
    int rc;
    *out = NULL;
    if (t->nfields > MAX_FIELDS) return swng__fail(err, SWNG_ENOMEM, "type too large");
    o = calloc(1, sizeof *o + t->nfields * sizeof o->v[0] + t->nfields);
    if (!o) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    o->type = t;
    o->set = (unsigned char *)&o->v[t->nfields > 0 ? t->nfields : 1];
    if ((rc = parse_fields(o, root, err)) != SWNG_OK) {
        swng__object_free(o);
        return rc;
    }
    *out = o;
    return SWNG_OK;
}

int swng__object_from_node(struct swng__object **out, const struct swng__type *t,
                           const cJSON *node, swng_error **err)
{
    char *printed;
    int rc = object_fill(out, t, node, err);
    if (rc != SWNG_OK) return rc;
    /* cJSON_free and free may differ (cJSON_InitHooks): copy into ours. */
    if ((printed = cJSON_PrintUnformatted(node)) != NULL) {
        (*out)->json = swng__strdup(printed);
        cJSON_free(printed);
    }
    if (!(*out)->json) {
        swng__object_free(*out);
        *out = NULL;
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    return SWNG_OK;
}

/* ------------------------------------------------------------ fast path
 *
 * The strict path above goes over a 2xx body several times: the UTF-8
 * and lexical checks, cJSON's tree, the tree walk (duplicate keys,
 * numbers), the field table against the tree, then frees the tree. Most
 * bodies are plain JSON, and one pass over the body does the same for them: the grammar (RFC 8259), UTF-8 inside strings, the
 * duplicate keys of every object, and the type's fields picked up as they
 * go by, with their strings copied straight from the body into the
 * object's one block.
 *
 * It is only a short cut: it accepts a subset of what the strict path
 * accepts, with the same result, and hands everything else over to it
 * (anything it is not sure of, and every failure, so that the strict path
 * alone decides what is refused and says why). What it leaves to the
 * strict path: exponents and numbers longer than FAST_MAX_NUMBER (cJSON
 * reads at most 63 characters of a number; an exponent may overflow a
 * double), a number in an integer field that is not a plain integer of at
 * most 15 digits, escapes in member names, \u escapes of surrogates or of
 * U+0000, more than FAST_MAX_KEYS members in one object, nesting deeper
 * than FAST_MAX_DEPTH, whitespace other than JSON's four (cJSON skips any
 * byte up to 0x20, and a UTF-8 byte order mark), a root that is not an
 * object, a field of the wrong type or a required one missing, a UUID
 * field with an escape, and running out of memory. fuzz_types compares it
 * with the strict path. */

#define FAST_MAX_DEPTH 32
#define FAST_MAX_KEYS 32
#define FAST_MAX_NUMBER 40

enum { FAST_ABSENT, FAST_STRING, FAST_NUMBER, FAST_TRUE, FAST_FALSE, FAST_NULL, FAST_OBJECT, FAST_ARRAY };

/* What the pass saw of a value (of a field: one per field of the type). */
struct fast_value {
    const unsigned char *p; /* STRING: after its opening quote; ARRAY: at '[' */
    size_t len;             /* STRING: decoded length; ARRAY: the items' decoded lengths */
    size_t n;               /* ARRAY: items */
    long long i;            /* NUMBER: the value when `integer` */
    unsigned char kind, escaped, strings, integer;
};

struct fast {
    const unsigned char *end;
    const struct swng__type *t;
    struct fast_value *fields;
    size_t next; /* where the next search for a member's field starts */
};

static const unsigned char *fast_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

static int fast_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The code point of the 4 hex digits at p (checked), else -1. */
static long fast_hex4(const unsigned char *p)
{
    int a = fast_hex(p[0]), b = fast_hex(p[1]), c = fast_hex(p[2]), d = fast_hex(p[3]);
    if ((a | b | c | d) < 0) return -1;
    return ((long)a << 12) | (b << 8) | (c << 4) | d;
}

/* A string from p (after its opening quote): past its closing quote, or
 * NULL. *len: its decoded length; *escaped: 1 if it holds an escape. */
static const unsigned char *fast_string(const unsigned char *p, const unsigned char *end,
                                        size_t *len, unsigned char *escaped)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    const unsigned char *start = p;
    size_t shrink = 0; /* bytes the escapes lose when decoded */
    for (;;) {
        unsigned char c;
        /* Eight bytes at a time while none is a control, '"', '\\' or
         * past ASCII (a false alarm only sends a byte to the checks below). */
        while (end - p >= 8) {
            uint64_t w, quote, slash, hit;
            memcpy(&w, p, 8);
            quote = w ^ (ones * '"');
            slash = w ^ (ones * '\\');
            hit = (w | ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
                   ((slash - ones) & ~slash)) &
                  highs;
            if (hit) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* The lowest flagged byte is never a false alarm: go
                 * straight to it. */
                p += __builtin_ctzll(hit) / 8;
#endif
                break;
            }
            p += 8;
        }
        if (p >= end) return NULL;
        c = *p;
        if (c == '"') {
            *len = (size_t)(p - start) - shrink;
            return p + 1;
        }
        if (c < 0x20) return NULL;
        if (c >= 0x80) {
            size_t k = swng__utf8_char(p, (size_t)(end - p));
            if (!k) return NULL;
            p += k;
            continue;
        }
        if (c != '\\') {
            p++;
            continue;
        }
        *escaped = 1;
        if (end - p < 2) return NULL;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            shrink += 1;
            break;
        case 'u': {
            long v;
            if (end - p < 6 || (v = fast_hex4(p + 2)) <= 0 || (v >= 0xd800 && v <= 0xdfff))
                return NULL;
            shrink += v < 0x80 ? 5 : v < 0x800 ? 4 : 3;
            p += 6;
            break;
        }
        default: return NULL;
        }
    }
}

/* Decodes the string checked by fast_string at *pp (after its opening
 * quote) into dst, NUL-terminated; *pp moves past its closing quote.
 * Returns the end of what was written (after the NUL). */
static char *fast_decode(char *dst, const unsigned char **pp)
{
    const unsigned char *p = *pp;
    for (;;) {
        unsigned char c = *p;
        long v;
        if (c == '"') break;
        if (c != '\\') {
            *dst++ = (char)c;
            p++;
            continue;
        }
        switch (p[1]) {
        case 'b': *dst++ = '\b'; break;
        case 'f': *dst++ = '\f'; break;
        case 'n': *dst++ = '\n'; break;
        case 'r': *dst++ = '\r'; break;
        case 't': *dst++ = '\t'; break;
        case 'u':
            v = fast_hex4(p + 2);
            if (v < 0x80) {
                *dst++ = (char)v;
            } else if (v < 0x800) {
                *dst++ = (char)(0xc0 | (v >> 6));
                *dst++ = (char)(0x80 | (v & 0x3f));
            } else {
                *dst++ = (char)(0xe0 | (v >> 12));
                *dst++ = (char)(0x80 | ((v >> 6) & 0x3f));
                *dst++ = (char)(0x80 | (v & 0x3f));
            }
            p += 4;
            break;
        default: *dst++ = (char)p[1]; break; /* '"', '\\', '/' */
        }
        p += 2;
    }
    *dst++ = '\0';
    *pp = p + 1;
    return dst;
}

/* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?, no exponent. */
static const unsigned char *fast_number(const unsigned char *p, const unsigned char *end,
                                        struct fast_value *v)
{
    const unsigned char *start = p;
    unsigned long long n = 0;
    int digits = 0, neg = 0, fraction = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') return NULL;
    if (*p == '0') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9' && digits <= FAST_MAX_NUMBER) {
            n = n * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
    }
    if (p < end && *p == '.') {
        fraction = 1;
        if (++p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9' && p - start <= FAST_MAX_NUMBER) p++;
    }
    if (p - start > FAST_MAX_NUMBER || (p < end && (*p == 'e' || *p == 'E'))) return NULL;
    v->kind = FAST_NUMBER;
    v->integer = !fraction && digits <= 15;
    v->i = !v->integer ? 0 : neg ? -(long long)n : (long long)n;
    return p;
}

static const unsigned char *fast_value(struct fast *f, const unsigned char *p, int match,
                                       int depth, struct fast_value *v);

/* An object at p ('{'); its members are matched against the fields whose
 * parent is `match` (-1: the top; -2: none). */
static const unsigned char *fast_object_members(struct fast *f, const unsigned char *p, int match,
                                                int depth)
{
    struct {
        const unsigned char *p;
        size_t len;
    } keys[FAST_MAX_KEYS];
    const struct swng__type *t = f->t;
    const unsigned char *end = f->end;
    size_t nkeys = 0, i;
    if (depth > FAST_MAX_DEPTH) return NULL;
    p = fast_ws(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        const unsigned char *key;
        size_t len;
        unsigned char escaped = 0;
        struct fast_value other, *v = &other;
        int inner = -2;
        if (p >= end || *p != '"') return NULL;
        key = p + 1;
        /* A name without escapes is its bytes: compared as they are. */
        if (!(p = fast_string(key, end, &len, &escaped)) || escaped || nkeys == FAST_MAX_KEYS)
            return NULL;
        for (i = 0; i < nkeys; i++)
            if (keys[i].len == len && memcmp(keys[i].p, key, len) == 0) return NULL;
        keys[nkeys].p = key;
        keys[nkeys++].len = len;
        if (match != -2) {
            /* Bodies mostly list the fields in table order: the search
             * starts after the last field found. */
            size_t n = t->nfields, j;
            for (j = 0; j < n; j++) {
                const struct swng__field *fd;
                size_t k;
                i = f->next + j < n ? f->next + j : f->next + j - n;
                fd = &t->fields[i];
                if (fd->parent != match) continue;
                for (k = 0; k < len && fd->name[k] == (char)key[k]; k++)
                    ;
                if (k == len && fd->name[len] == '\0') {
                    v = &f->fields[i];
                    if (fd->type == SWNG__F_OBJECT) inner = (int)i;
                    f->next = i + 1 < n ? i + 1 : 0;
                    break;
                }
            }
        }
        p = fast_ws(p, end);
        if (p >= end || *p != ':') return NULL;
        p = fast_ws(p + 1, end);
        if (p >= end || !(p = fast_value(f, p, inner, depth, v))) return NULL;
        p = fast_ws(p, end);
        if (p >= end) return NULL;
        if (*p == '}') return p + 1;
        if (*p != ',') return NULL;
        p = fast_ws(p + 1, end);
    }
}

/* An array at p ('['): v counts its items and their decoded lengths, and
 * says whether all of them are strings. */
static const unsigned char *fast_array(struct fast *f, const unsigned char *p, int depth,
                                       struct fast_value *v)
{
    const unsigned char *end = f->end;
    v->kind = FAST_ARRAY;
    v->p = p;
    v->n = 0;
    v->len = 0;
    v->strings = 1;
    if (depth > FAST_MAX_DEPTH) return NULL;
    p = fast_ws(p + 1, end);
    if (p < end && *p == ']') return p + 1;
    for (;;) {
        struct fast_value item;
        item.kind = FAST_ABSENT;
        item.len = 0;
        if (p >= end || !(p = fast_value(f, p, -2, depth, &item))) return NULL;
        v->n++;
        if (item.kind == FAST_STRING)
            v->len += item.len;
        else
            v->strings = 0;
        p = fast_ws(p, end);
        if (p >= end) return NULL;
        if (*p == ']') return p + 1;
        if (*p != ',') return NULL;
        p = fast_ws(p + 1, end);
    }
}

/* A value at p (not at the end): past it, or NULL. */
static const unsigned char *fast_value(struct fast *f, const unsigned char *p, int match,
                                       int depth, struct fast_value *v)
{
    const unsigned char *end = f->end;
    size_t left = (size_t)(end - p);
    switch (*p) {
    case '"':
        v->kind = FAST_STRING;
        v->p = p + 1;
        v->escaped = 0;
        return fast_string(p + 1, end, &v->len, &v->escaped);
    case '{':
        v->kind = FAST_OBJECT;
        return fast_object_members(f, p, match, depth + 1);
    case '[': return fast_array(f, p, depth + 1, v);
    case 't':
        v->kind = FAST_TRUE;
        return left >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        v->kind = FAST_FALSE;
        return left >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        v->kind = FAST_NULL;
        return left >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        if (*p == '-' || (*p >= '0' && *p <= '9')) return fast_number(p, end, v);
        return NULL;
    }
}

/* The object of type t that the strict path would make of body[0..len)
 * (without its json), in *out and 1; or 0 (nothing made) when the strict
 * path must decide. */
static int fast_object(struct swng__object **out, const struct swng__type *t, const char *body,
                       size_t len)
{
    struct fast_value vals[MAX_FIELDS];
    struct fast f;
    const unsigned char *p = (const unsigned char *)body, *end = p + len;
    struct swng__object *o;
    size_t i, k, ptrs = 0, chars = 0;
    char *block, **next_ptr;
    *out = NULL;
    if (t->nfields > MAX_FIELDS) return 0;
    memset(vals, 0, t->nfields * sizeof vals[0]);
    f.end = end;
    f.t = t;
    f.fields = vals;
    f.next = 0;
    p = fast_ws(p, end);
    if (p >= end || *p != '{' || !(p = fast_object_members(&f, p, -1, 1)) || fast_ws(p, end) != end)
        return 0;
    o = calloc(1, sizeof *o + t->nfields * sizeof o->v[0] + t->nfields);
    if (!o) return 0;
    o->type = t;
    o->set = (unsigned char *)&o->v[t->nfields > 0 ? t->nfields : 1];
    /* The fields in table order, as parse_fields checks them. */
    for (i = 0; i < t->nfields; i++) {
        const struct swng__field *fd = &t->fields[i];
        const struct fast_value *v = &vals[i];
        if (fd->parent >= 0 && !o->set[fd->parent]) continue;
        if (v->kind == FAST_ABSENT || v->kind == FAST_NULL) {
            if (fd->required) goto strict;
            continue;
        }
        switch (fd->type) {
        case SWNG__F_STRING:
            if (v->kind != FAST_STRING) goto strict;
            chars += v->len + 1;
            break;
        case SWNG__F_UUID:
            if (v->kind != FAST_STRING || v->escaped ||
                !swng__is_uuid((const char *)v->p, v->len))
                goto strict;
            chars += v->len + 1;
            break;
        case SWNG__F_STRINGS:
            if (v->kind != FAST_ARRAY || !v->strings) goto strict;
            ptrs += v->n;
            chars += v->len + v->n;
            break;
        case SWNG__F_OBJECT:
            if (v->kind != FAST_OBJECT) goto strict;
            o->v[i].present = 1;
            break;
        case SWNG__F_BOOL:
            if (v->kind != FAST_TRUE && v->kind != FAST_FALSE) goto strict;
            o->v[i].b = v->kind == FAST_TRUE;
            break;
        default: /* SWNG__F_INT */
            if (v->kind != FAST_NUMBER || !v->integer) goto strict;
            o->v[i].i = v->i;
            break;
        }
        o->set[i] = 1;
    }
    /* The strings into one block, as own_strings lays them out. */
    if (ptrs + chars > 0) {
        if (!(block = malloc(ptrs * sizeof(char *) + chars))) goto strict;
        o->strings = block;
        next_ptr = (char **)(void *)block;
        block += ptrs * sizeof(char *);
        for (i = 0; i < t->nfields; i++) {
            const struct fast_value *v = &vals[i];
            const unsigned char *s;
            if (!o->set[i]) continue;
            switch (t->fields[i].type) {
            case SWNG__F_STRING:
            case SWNG__F_UUID:
                o->v[i].s = block;
                if (v->escaped) {
                    s = v->p;
                    block = fast_decode(block, &s);
                } else {
                    memcpy(block, v->p, v->len);
                    block[v->len] = '\0';
                    block += v->len + 1;
                }
                break;
            case SWNG__F_STRINGS:
                if (v->n == 0) break;
                o->v[i].list.items = next_ptr;
                o->v[i].list.n = v->n;
                s = v->p + 1;
                for (k = 0; k < v->n; k++) {
                    while (*s != '"') s++; /* whitespace and commas */
                    s++;
                    *next_ptr++ = block;
                    block = fast_decode(block, &s);
                }
                break;
            default: break;
            }
        }
    }
    *out = o;
    return 1;
strict:
    swng__object_free(o);
    return 0;
}

/* The strict path: the object of type t from body[0..len) (without its
 * json), or the reason it is refused. */
static int strict_object(struct swng__object **out, const struct swng__type *t, const char *body,
                         size_t len, swng_error **err)
{
    cJSON *root;
    const char *why;
    int rc;
    *out = NULL;
    if (!swng__is_utf8(body, len))
        return swng__fail(err, SWNG_EPROTOCOL, BREAKS "body is not UTF-8");
    root = parse_strict(body, len, &why);
    if (!root && strcmp(why, OOM_REASON) == 0) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (!root) return swng__fail(err, SWNG_EPROTOCOL, BREAKS "%s", why);
    rc = object_fill(out, t, root, err);
    cJSON_Delete(root);
    return rc;
}

/* take: NULL, or the malloc'd body itself (NUL-terminated at len), which
 * the object keeps as its json on success instead of a copy (on failure it
 * stays the caller's). */
static int parse_object(struct swng__object **out, const struct swng__type *t, const char *body,
                        size_t len, char **take, swng_error **err)
{
    int rc;
    if (!fast_object(out, t, body, len) && (rc = strict_object(out, t, body, len, err)) != SWNG_OK)
        return rc;
    if (take) {
        (*out)->json = *take;
        *take = NULL;
    } else if (!((*out)->json = swng__strndup(body, len))) {
        swng__object_free(*out);
        *out = NULL;
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    return SWNG_OK;
}

int swng__parse_object(struct swng__object **out, const struct swng__type *t, const char *body,
                       size_t len, swng_error **err)
{
    return parse_object(out, t, body, len, NULL, err);
}

int swng__parse_object_take(struct swng__object **out, const struct swng__type *t, char **body,
                            size_t len, swng_error **err)
{
    return parse_object(out, t, *body, len, body, err);
}

int swng__parse_membership(swng_membership **out, const char *body, size_t len, swng_error **err)
{
    return swng__parse_object((struct swng__object **)out, &swng__type_membership, body, len, err);
}

void swng_membership_free(swng_membership *m) { swng__object_free(m ? &m->o : NULL); }
void swng_number_group_free(swng_number_group *g) { swng__object_free(g ? &g->o : NULL); }
void swng_phone_number_free(swng_phone_number *p) { swng__object_free(p ? &p->o : NULL); }

/* A string, or a number printed as one, from an error item (the contract
 * says strings; servers that send "status": 422 are still understood). */
static char *item_field(const cJSON *item, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    char buf[64];
    if (cJSON_IsString(v) && v->valuestring) return swng__strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        snprintf(buf, sizeof buf, "%.15g", v->valuedouble);
        return swng__strdup(buf);
    }
    return NULL;
}

char *swng__parse_error_body(swng_error *e, const char *body, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    const cJSON *v, *it;
    char *msg = NULL;
    if (!root) return NULL;
    if (!cJSON_IsObject(root)) goto done;
    v = cJSON_GetObjectItemCaseSensitive(root, "errors");
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
        size_t n = (size_t)cJSON_GetArraySize(v);
        e->items = calloc(n, sizeof *e->items);
        if (!e->items) goto done;
        cJSON_ArrayForEach(it, v)
        {
            struct swng_error_item *dst;
            if (!cJSON_IsObject(it)) continue;
            dst = &e->items[e->item_count++];
            dst->detail = item_field(it, "detail");
            dst->status = item_field(it, "status");
            dst->title = item_field(it, "title");
            dst->code = item_field(it, "code");
        }
        if (e->item_count > 0) {
            const struct swng_error_item *first = &e->items[0];
            const char *text = first->detail ? first->detail : first->title;
            /* Whole: the caller masks credentials before anything is cut. */
            if (text && e->item_count > 1)
                msg = swng__format("%s (and %lu more)", text, (unsigned long)(e->item_count - 1));
            else if (text)
                msg = swng__strdup(text);
        }
    }
    if (!msg) {
        v = cJSON_GetObjectItemCaseSensitive(root, "error");
        if (!cJSON_IsString(v)) v = cJSON_GetObjectItemCaseSensitive(root, "message");
        if (cJSON_IsString(v) && v->valuestring) msg = swng__strdup(v->valuestring);
    }
done:
    cJSON_Delete(root);
    return msg;
}
