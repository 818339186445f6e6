/* ops.c - the operations, one row each, and their public functions: thin
 * wrappers that hand counted arguments to the engine (engine.c), plus the
 * accessors of the resources they return (fields in parse.c). To add an
 * operation, see docs/adding-an-operation.md. */
#include "engine.h"

#include <string.h>

#define LEN SWNG__LEN

/* ------------------------------------------------------------ the rows */

/* POST /number_groups/{number_group_id}/number_group_memberships */
static const struct swng__param create_membership_params[] = {
    {"number_group_id", SWNG__IN_PATH, SWNG__A_UUID, 0, NULL, "number_group_id"},
    {"phone_number_id", SWNG__IN_BODY, SWNG__A_UUID, 0, NULL, "phone_number.id"},
};
const struct swng__op swng__op_create_membership = {
    "POST", "/api/relay/rest/number_groups/{}/number_group_memberships",
    create_membership_params, 2, &swng__type_membership, 0};

/* GET /number_groups?filter_name=&page_size= */
static const struct swng__param list_number_groups_params[] = {
    {"filter_name", SWNG__IN_QUERY, SWNG__A_TEXT, 1, "name", NULL},
    {"page_size", SWNG__IN_QUERY, SWNG__A_TEXT, 1, NULL, NULL},
};
const struct swng__op swng__op_list_number_groups = {
    "GET", "/api/relay/rest/number_groups", list_number_groups_params, 2,
    &swng__type_number_group, 0};

/* POST /number_groups {name, sticky_sender} */
static const struct swng__param create_number_group_params[] = {
    {"name", SWNG__IN_BODY, SWNG__A_TEXT, 0, NULL, NULL},
    {"sticky_sender", SWNG__IN_BODY, SWNG__A_BOOL, 0, NULL, NULL},
};
static const struct swng__op op_create_number_group = {
    "POST", "/api/relay/rest/number_groups", create_number_group_params, 2,
    &swng__type_number_group, 0};

/* GET and DELETE /number_groups/{id} */
/* The id asked for is the id answered. */
static const struct swng__param id_param[] = {{"id", SWNG__IN_PATH, SWNG__A_UUID, 0, NULL, "id"}};
static const struct swng__op op_get_number_group = {
    "GET", "/api/relay/rest/number_groups/{}", id_param, 1, &swng__type_number_group, 0};
static const struct swng__op op_delete_number_group = {
    "DELETE", "/api/relay/rest/number_groups/{}", id_param, 1, NULL, 1};

/* PUT /number_groups/{id} {name, sticky_sender?} */
static const struct swng__param update_number_group_params[] = {
    {"id", SWNG__IN_PATH, SWNG__A_UUID, 0, NULL, "id"},
    {"name", SWNG__IN_BODY, SWNG__A_TEXT, 0, NULL, NULL},
    {"sticky_sender", SWNG__IN_BODY, SWNG__A_BOOL, 1, NULL, NULL},
};
static const struct swng__op op_update_number_group = {
    "PUT", "/api/relay/rest/number_groups/{}", update_number_group_params, 3,
    &swng__type_number_group, 0};

/* GET /number_groups/{number_group_id}/number_group_memberships?page_size= */
static const struct swng__param list_memberships_params[] = {
    {"number_group_id", SWNG__IN_PATH, SWNG__A_UUID, 0, NULL, "number_group_id"},
    {"page_size", SWNG__IN_QUERY, SWNG__A_TEXT, 1, NULL, NULL},
};
const struct swng__op swng__op_list_memberships = {
    "GET", "/api/relay/rest/number_groups/{}/number_group_memberships", list_memberships_params,
    2, &swng__type_membership, 0};

/* GET and DELETE /number_group_memberships/{id} */
static const struct swng__op op_get_membership = {
    "GET", "/api/relay/rest/number_group_memberships/{}", id_param, 1, &swng__type_membership, 0};
const struct swng__op swng__op_delete_membership = {
    "DELETE", "/api/relay/rest/number_group_memberships/{}", id_param, 1, NULL, 1};

/* GET /phone_numbers?filter_number=&filter_name=&page_size= */
static const struct swng__param list_phone_numbers_params[] = {
    {"filter_number", SWNG__IN_QUERY, SWNG__A_TEXT, 1, "number", NULL},
    {"filter_name", SWNG__IN_QUERY, SWNG__A_TEXT, 1, "name", NULL},
    {"page_size", SWNG__IN_QUERY, SWNG__A_TEXT, 1, NULL, NULL},
};
const struct swng__op swng__op_list_phone_numbers = {
    "GET", "/api/relay/rest/phone_numbers", list_phone_numbers_params, 3,
    &swng__type_phone_number, 1};

/* GET /phone_numbers/{id} */
static const struct swng__op op_get_phone_number = {
    "GET", "/api/relay/rest/phone_numbers/{}", id_param, 1, &swng__type_phone_number, 0};

/* ----------------------------------------------------- public functions */

#define OUT(out) ((struct swng__object **)(out))

/* sticky_sender as a SWNG__A_BOOL argument; keep_ok allows SWNG_KEEP (left
 * out). */
static int bool_arg(struct swng__arg *a, int v, int keep_ok, swng_error **err)
{
    a->value = v == 1 ? "true" : v == 0 ? "false" : NULL;
    a->len = a->value ? strlen(a->value) : 0;
    if (a->value || (keep_ok && v == SWNG_KEEP)) return SWNG_OK;
    return swng__fail_arg(err, "sticky_sender", "sticky_sender must be 0 or 1%s",
                          keep_ok ? " or SWNG_KEEP" : "");
}

int swng_number_group_create_n(swng_number_group **out, swng_client *client, const char *name,
                               size_t name_len, int sticky_sender, swng_error **err)
{
    struct swng__arg args[] = {{name, name_len}, {NULL, 0}};
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (bool_arg(&args[1], sticky_sender, 0, err) != SWNG_OK) return SWNG_EINVAL;
    return swng__call(&op_create_number_group, client, args, OUT(out), err);
}
int swng_number_group_create(swng_number_group **out, swng_client *client, const char *name,
                             int sticky_sender, swng_error **err)
{
    return swng_number_group_create_n(out, client, name, LEN(name), sticky_sender, err);
}

int swng_number_group_get_n(swng_number_group **out, swng_client *client, const char *id,
                            size_t id_len, swng_error **err)
{
    const struct swng__arg args[] = {{id, id_len}};
    return swng__call(&op_get_number_group, client, args, OUT(out), err);
}
int swng_number_group_get(swng_number_group **out, swng_client *client, const char *id,
                          swng_error **err)
{
    return swng_number_group_get_n(out, client, id, LEN(id), err);
}

int swng_number_group_update_n(swng_number_group **out, swng_client *client, const char *id,
                               size_t id_len, const char *name, size_t name_len,
                               int sticky_sender, swng_error **err)
{
    struct swng__arg args[] = {{id, id_len}, {name, name_len}, {NULL, 0}};
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (bool_arg(&args[2], sticky_sender, 1, err) != SWNG_OK) return SWNG_EINVAL;
    return swng__call(&op_update_number_group, client, args, OUT(out), err);
}
int swng_number_group_update(swng_number_group **out, swng_client *client, const char *id,
                             const char *name, int sticky_sender, swng_error **err)
{
    return swng_number_group_update_n(out, client, id, LEN(id), name, LEN(name), sticky_sender,
                                      err);
}

int swng_number_group_delete_n(swng_client *client, const char *id, size_t id_len,
                               swng_error **err)
{
    const struct swng__arg args[] = {{id, id_len}};
    return swng__call(&op_delete_number_group, client, args, NULL, err);
}
int swng_number_group_delete(swng_client *client, const char *id, swng_error **err)
{
    return swng_number_group_delete_n(client, id, LEN(id), err);
}

int swng_membership_get_n(swng_membership **out, swng_client *client, const char *id,
                          size_t id_len, swng_error **err)
{
    const struct swng__arg args[] = {{id, id_len}};
    return swng__call(&op_get_membership, client, args, OUT(out), err);
}
int swng_membership_get(swng_membership **out, swng_client *client, const char *id,
                        swng_error **err)
{
    return swng_membership_get_n(out, client, id, LEN(id), err);
}

int swng_membership_delete_n(swng_client *client, const char *id, size_t id_len,
                             swng_error **err)
{
    const struct swng__arg args[] = {{id, id_len}};
    return swng__call(&swng__op_delete_membership, client, args, NULL, err);
}
int swng_membership_delete(swng_client *client, const char *id, swng_error **err)
{
    return swng_membership_delete_n(client, id, LEN(id), err);
}

int swng_phone_number_get_n(swng_phone_number **out, swng_client *client, const char *id,
                            size_t id_len, swng_error **err)
{
    const struct swng__arg args[] = {{id, id_len}};
    return swng__call(&op_get_phone_number, client, args, OUT(out), err);
}
int swng_phone_number_get(swng_phone_number **out, swng_client *client, const char *id,
                          swng_error **err)
{
    return swng_phone_number_get_n(out, client, id, LEN(id), err);
}

int swng_membership_create_n(swng_membership **out, swng_client *client,
                             const char *number_group_id, size_t number_group_id_len,
                             const char *phone_number_id, size_t phone_number_id_len,
                             swng_error **err)
{
    const struct swng__arg args[] = {{number_group_id, number_group_id_len},
                                     {phone_number_id, phone_number_id_len}};
    return swng__call(&swng__op_create_membership, client, args, OUT(out), err);
}

int swng_membership_create(swng_membership **out, swng_client *client, const char *number_group_id,
                           const char *phone_number_id, swng_error **err)
{
    return swng_membership_create_n(out, client, number_group_id, LEN(number_group_id),
                                     phone_number_id, LEN(phone_number_id), err);
}

/* ------------------------------------------------------------ accessors */

#define M(m) ((m) ? &(m)->o : NULL)

const char *swng_membership_id(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_ID);
}
const char *swng_membership_number_group_id(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_NUMBER_GROUP_ID);
}
const char *swng_membership_phone_number_id(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_PHONE_ID);
}
const char *swng_membership_phone_number_name(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_PHONE_NAME);
}
const char *swng_membership_phone_number_number(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_PHONE_NUMBER_NUMBER);
}
size_t swng_membership_capability_count(const swng_membership *m)
{
    return swng__object_count(M(m), SWNG__M_PHONE_CAPABILITIES);
}
const char *swng_membership_capability(const swng_membership *m, size_t i)
{
    return swng__object_item(M(m), SWNG__M_PHONE_CAPABILITIES, i);
}
const char *swng_membership_created_at(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_CREATED_AT);
}
const char *swng_membership_updated_at(const swng_membership *m)
{
    return swng__object_str(M(m), SWNG__M_UPDATED_AT);
}
long swng_membership_http_status(const swng_membership *m) { return m ? m->o.http_status : 0; }
const char *swng_membership_request_id(const swng_membership *m)
{
    return m ? m->o.request_id : NULL;
}
const char *swng_membership_json(const swng_membership *m) { return m ? m->o.json : NULL; }
int swng_membership_existed(const swng_membership *m) { return m ? m->o.existed : 0; }

#define G(g) ((g) ? &(g)->o : NULL)

const char *swng_number_group_id(const swng_number_group *g)
{
    return swng__object_str(G(g), SWNG__G_ID);
}
const char *swng_number_group_name(const swng_number_group *g)
{
    return swng__object_str(G(g), SWNG__G_NAME);
}
int swng_number_group_sticky_sender(const swng_number_group *g)
{
    return g ? g->o.v[SWNG__G_STICKY_SENDER].b : 0;
}
long swng_number_group_phone_number_count(const swng_number_group *g)
{
    return swng__object_has(G(g), SWNG__G_PHONE_NUMBER_COUNT)
               ? (long)g->o.v[SWNG__G_PHONE_NUMBER_COUNT].i
               : -1;
}
long swng_number_group_http_status(const swng_number_group *g) { return g ? g->o.http_status : 0; }
const char *swng_number_group_request_id(const swng_number_group *g)
{
    return g ? g->o.request_id : NULL;
}
const char *swng_number_group_json(const swng_number_group *g) { return g ? g->o.json : NULL; }

#define P(p) ((p) ? &(p)->o : NULL)

const char *swng_phone_number_id(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_ID);
}
const char *swng_phone_number_number(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_NUMBER);
}
const char *swng_phone_number_name(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_NAME);
}
size_t swng_phone_number_capability_count(const swng_phone_number *p)
{
    return swng__object_count(P(p), SWNG__P_CAPABILITIES);
}
const char *swng_phone_number_capability(const swng_phone_number *p, size_t i)
{
    return swng__object_item(P(p), SWNG__P_CAPABILITIES, i);
}
const char *swng_phone_number_number_type(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_NUMBER_TYPE);
}
const char *swng_phone_number_e911_address_id(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_E911_ADDRESS_ID);
}
const char *swng_phone_number_e911_status(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_E911_STATUS);
}
const char *swng_phone_number_created_at(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_CREATED_AT);
}
const char *swng_phone_number_updated_at(const swng_phone_number *p)
{
    return swng__object_str(P(p), SWNG__P_UPDATED_AT);
}
long swng_phone_number_http_status(const swng_phone_number *p) { return p ? p->o.http_status : 0; }
const char *swng_phone_number_request_id(const swng_phone_number *p)
{
    return p ? p->o.request_id : NULL;
}
const char *swng_phone_number_json(const swng_phone_number *p) { return p ? p->o.json : NULL; }

/* ------------------------------------------------ started on a loop */

/* A sticky_sender text ("true" / "false"; NULL: dflt) as a SWNG__A_BOOL
 * argument (NULL value: left out). */
static int bool_text(struct swng__arg *a, const struct swng__arg *text, const char *dflt,
                     swng_error **err)
{
    if (!text->value) {
        a->value = dflt;
        a->len = dflt ? strlen(dflt) : 0;
        return SWNG_OK;
    }
    if ((text->len == 4 && memcmp(text->value, "true", 4) == 0) ||
        (text->len == 5 && memcmp(text->value, "false", 5) == 0)) {
        *a = *text;
        return SWNG_OK;
    }
    return swng__fail_arg(err, "sticky_sender", "sticky_sender must be \"true\" or \"false\"");
}

/* One row per swng_op: the operation and how many texts it takes. */
static const struct {
    const struct swng__op *op; /* NULL: a helper job */
    unsigned char min, max;
} start_rows[] = {
    {NULL, 0, 0},
    {NULL, 2, 3},                          /* SWNG_OP_MEMBERSHIP_CREATE */
    {&op_create_number_group, 1, 2},      /* SWNG_OP_NUMBER_GROUP_CREATE */
    {&op_get_number_group, 1, 1},         /* SWNG_OP_NUMBER_GROUP_GET */
    {&op_update_number_group, 2, 3},      /* SWNG_OP_NUMBER_GROUP_UPDATE */
    {&op_delete_number_group, 1, 1},      /* SWNG_OP_NUMBER_GROUP_DELETE */
    {&op_get_membership, 1, 1},           /* SWNG_OP_MEMBERSHIP_GET */
    {&swng__op_delete_membership, 1, 1},  /* SWNG_OP_MEMBERSHIP_DELETE */
    {&op_get_phone_number, 1, 1},         /* SWNG_OP_PHONE_NUMBER_GET */
    {NULL, 1, 1},                          /* SWNG_OP_NUMBER_GROUP_FIND */
    {NULL, 1, 1},                          /* SWNG_OP_PHONE_NUMBER_FIND */
    {NULL, 2, 2},                          /* SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER */
};

int swng__start_op(swng_request *r, swng_client *c, int op, const struct swng__arg *args,
                   size_t nargs, swng_error **err)
{
    struct swng__arg a[3];
    int rc;
    if (op <= 0 || (size_t)op >= sizeof start_rows / sizeof start_rows[0])
        return swng__fail_arg(err, "op", "op %d is not an operation (swng_op)", op);
    if (nargs < start_rows[op].min || nargs > start_rows[op].max)
        return swng__fail_arg(err, "args", "operation %d takes %u to %u arguments, not %lu", op,
                              start_rows[op].min, start_rows[op].max, (unsigned long)nargs);
    memset(a, 0, sizeof a);
    memcpy(a, args, nargs * sizeof *args);
    switch (op) {
    case SWNG_OP_MEMBERSHIP_CREATE: {
        int if_exists = SWNG_IF_EXISTS_ERROR;
        if (a[2].value && a[2].len == 6 && memcmp(a[2].value, "return", 6) == 0)
            if_exists = SWNG_IF_EXISTS_RETURN;
        else if (a[2].value && !(a[2].len == 5 && memcmp(a[2].value, "error", 5) == 0))
            return swng__fail_arg(err, "if_exists", "if_exists must be \"error\" or \"return\"");
        return swng__job_begin_create_ex(r, c, &a[0], &a[1], if_exists, err);
    }
    case SWNG_OP_NUMBER_GROUP_CREATE:
        if ((rc = bool_text(&a[1], &a[1], "false", err)) != SWNG_OK) return rc;
        break;
    case SWNG_OP_NUMBER_GROUP_UPDATE:
        if ((rc = bool_text(&a[2], &a[2], NULL, err)) != SWNG_OK) return rc;
        break;
    case SWNG_OP_NUMBER_GROUP_FIND:
        return swng__job_begin_find_group(r, c, a[0].value, a[0].len, err);
    case SWNG_OP_PHONE_NUMBER_FIND:
        return swng__job_begin_find_phone(r, c, a[0].value, a[0].len, err);
    case SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER:
        return swng__job_begin_remove_number(r, c, &a[0], &a[1], err);
    default:
        break;
    }
    return swng__job_begin_op(r, c, start_rows[op].op, a, err);
}
