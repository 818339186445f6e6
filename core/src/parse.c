/* parse.c - response bodies to memberships and error detail (cJSON). */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void swng_membership_free(swng_membership *m)
{
    size_t i;
    if (!m) return;
    for (i = 0; i < m->capability_count; i++) free(m->capabilities[i]);
    free(m->capabilities);
    free(m->id);
    free(m->number_group_id);
    free(m->phone_number_id);
    free(m->phone_number_name);
    free(m->phone_number_number);
    free(m->created_at);
    free(m->updated_at);
    free(m->request_id);
    free(m->json);
    free(m);
}

/* Result of reading one string field. */
enum { FIELD_OK, FIELD_ABSENT, FIELD_BAD, FIELD_NOMEM };

/* Copies obj[name] into *out. JSON null counts as absent; any other
 * non-string is FIELD_BAD. */
static int get_string(const cJSON *obj, const char *name, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return FIELD_ABSENT;
    if (!cJSON_IsString(v) || !v->valuestring) return FIELD_BAD;
    *out = swng__strdup(v->valuestring);
    return *out ? FIELD_OK : FIELD_NOMEM;
}

/* Reads a field into *out and reports a contract violation in *err. */
static int field(const cJSON *obj, const char *path, const char *name, int required, int uuid,
                 char **out, swng_error **err)
{
    int r = get_string(obj, name, out);
    if (r == FIELD_NOMEM) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (r == FIELD_BAD)
        return swng__fail(err, SWNG_EPROTOCOL, "response breaks the contract: %s%s is not a string",
                          path, name);
    if (r == FIELD_ABSENT) {
        if (!required) return SWNG_OK;
        return swng__fail(err, SWNG_EPROTOCOL,
                          "response breaks the contract: required field %s%s is missing", path,
                          name);
    }
    if (uuid && !swng__is_uuid(*out, strlen(*out)))
        return swng__fail(err, SWNG_EPROTOCOL, "response breaks the contract: %s%s is not a UUID",
                          path, name);
    return SWNG_OK;
}

static int parse_capabilities(swng_membership *m, const cJSON *pn, swng_error **err)
{
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(pn, "capabilities");
    const cJSON *c;
    size_t n = 0;
    if (!caps || cJSON_IsNull(caps)) return SWNG_OK;
    if (!cJSON_IsArray(caps))
        return swng__fail(err, SWNG_EPROTOCOL,
                          "response breaks the contract: phone_number.capabilities is not an array");
    n = (size_t)cJSON_GetArraySize(caps);
    if (n == 0) return SWNG_OK;
    m->capabilities = calloc(n, sizeof *m->capabilities);
    if (!m->capabilities) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    cJSON_ArrayForEach(c, caps)
    {
        if (!cJSON_IsString(c) || !c->valuestring)
            return swng__fail(err, SWNG_EPROTOCOL,
                              "response breaks the contract: phone_number.capabilities holds a "
                              "non-string");
        m->capabilities[m->capability_count] = swng__strdup(c->valuestring);
        if (!m->capabilities[m->capability_count])
            return swng__fail(err, SWNG_ENOMEM, "out of memory");
        m->capability_count++;
    }
    return SWNG_OK;
}

static int parse_root(swng_membership *m, const cJSON *root, swng_error **err)
{
    const cJSON *pn;
    int rc;
    if (!cJSON_IsObject(root))
        return swng__fail(err, SWNG_EPROTOCOL, "response breaks the contract: body is not a JSON object");
    if ((rc = field(root, "", "id", 1, 1, &m->id, err)) != SWNG_OK) return rc;
    if ((rc = field(root, "", "number_group_id", 1, 1, &m->number_group_id, err)) != SWNG_OK)
        return rc;
    pn = cJSON_GetObjectItemCaseSensitive(root, "phone_number");
    if (!pn || cJSON_IsNull(pn))
        return swng__fail(err, SWNG_EPROTOCOL,
                          "response breaks the contract: required field phone_number is missing");
    if (!cJSON_IsObject(pn))
        return swng__fail(err, SWNG_EPROTOCOL,
                          "response breaks the contract: phone_number is not an object");
    if ((rc = field(pn, "phone_number.", "id", 0, 1, &m->phone_number_id, err)) != SWNG_OK) return rc;
    if ((rc = field(pn, "phone_number.", "name", 0, 0, &m->phone_number_name, err)) != SWNG_OK)
        return rc;
    if ((rc = field(pn, "phone_number.", "number", 0, 0, &m->phone_number_number, err)) != SWNG_OK)
        return rc;
    if ((rc = parse_capabilities(m, pn, err)) != SWNG_OK) return rc;
    if ((rc = field(root, "", "created_at", 1, 0, &m->created_at, err)) != SWNG_OK) return rc;
    return field(root, "", "updated_at", 1, 0, &m->updated_at, err);
}

/* Parses body[0..len) as one JSON value with nothing but JSON whitespace
 * after it (cJSON_ParseWithLength alone accepts trailing garbage). */
static cJSON *parse_whole(const char *body, size_t len)
{
    const char *end = NULL, *stop = body + len;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root) return NULL;
    while (end && end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != stop) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

int swng__parse_membership(swng_membership **out, const char *body, size_t len, swng_error **err)
{
    swng_membership *m;
    cJSON *root;
    int rc;
    *out = NULL;
    if (!swng__is_utf8(body, len))
        return swng__fail(err, SWNG_EPROTOCOL, "response breaks the contract: body is not UTF-8");
    root = parse_whole(body, len);
    if (!root)
        return swng__fail(err, SWNG_EPROTOCOL, "response breaks the contract: body is not valid JSON");
    m = calloc(1, sizeof *m);
    if (!m) {
        cJSON_Delete(root);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    rc = parse_root(m, root, err);
    cJSON_Delete(root);
    if (rc == SWNG_OK && !(m->json = swng__strndup(body, len)))
        rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (rc != SWNG_OK) {
        swng_membership_free(m);
        return rc;
    }
    *out = m;
    return SWNG_OK;
}

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
            if (text) {
                char buf[512];
                if (e->item_count > 1)
                    snprintf(buf, sizeof buf, "%s (and %lu more)", text,
                             (unsigned long)(e->item_count - 1));
                else
                    snprintf(buf, sizeof buf, "%s", text);
                msg = swng__strdup(buf);
            }
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
