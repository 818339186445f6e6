/* ops.c - the operations, one row each, and their public functions: thin
 * wrappers that hand counted arguments to the engine (engine.c), plus the
 * accessors of the resources they return (fields in parse.c). To add an
 * operation, see docs/adding-an-operation.md. */
#include "engine.h"

#include <string.h>

#define LEN(s) ((s) ? strlen(s) : 0)

/* ------------------------------------------------------------ the rows */

/* POST /number_groups/{number_group_id}/number_group_memberships */
static const struct swng__param create_membership_params[] = {
    {"number_group_id", SWNG__IN_PATH, SWNG__A_UUID, 0},
    {"phone_number_id", SWNG__IN_BODY, SWNG__A_UUID, 0},
};
static const struct swng__op op_create_membership = {
    "POST", "/api/relay/rest/number_groups/{}/number_group_memberships",
    create_membership_params, 2, &swng__type_membership};

/* ----------------------------------------------------- public functions */

int swng_membership_create_n(swng_membership **out, swng_client *client,
                             const char *number_group_id, size_t number_group_id_len,
                             const char *phone_number_id, size_t phone_number_id_len,
                             swng_error **err)
{
    const struct swng__arg args[] = {{number_group_id, number_group_id_len},
                                     {phone_number_id, phone_number_id_len}};
    return swng__call(&op_create_membership, client, args, (struct swng__object **)out, err);
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
