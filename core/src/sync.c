/* sync.c - a group's numbers made to match a list: the plan (what to add,
 * what to remove, from one read of the group's memberships) and its
 * application with two batches. */
#include "engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct swng_sync_plan {
    char group[40];
    /* Phone-number ids (36 characters and a NUL each). */
    char (*add)[37];
    size_t nadd;
    char (*remove)[37];
    size_t nremove;
    size_t keep;
};

/* A set of ids (case-folded FNV-1a hashes; equal hashes are compared as
 * text, so a collision cannot merge two numbers). */
struct idset {
    struct slot {
        uint64_t h;
        const char *id; /* borrowed */
        int seen;       /* found in the group */
    } *slots;
    size_t n, cap;
};

/* Every id here is a checked UUID: 36 characters. */
static uint64_t hash36(const char *s) { return swng__hash(s, 36, 1); }

/* The slot of id, or NULL; with add, a new slot for it (NULL: no memory). */
static struct slot *idset_get(struct idset *s, const char *id, int add, int *added)
{
    uint64_t h = hash36(id);
    size_t i;
    if (added) *added = 0;
    if (add && 2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64, k;
        struct slot *t = calloc(cap, sizeof *t);
        if (!t) return NULL;
        for (k = 0; k < s->cap; k++) {
            if (!s->slots[k].h) continue;
            for (i = s->slots[k].h % cap; t[i].h; i = (i + 1) % cap) {
            }
            t[i] = s->slots[k];
        }
        free(s->slots);
        s->slots = t;
        s->cap = cap;
    }
    if (!s->cap) return NULL;
    for (i = h % s->cap; s->slots[i].h; i = (i + 1) % s->cap)
        if (s->slots[i].h == h && strncasecmp(s->slots[i].id, id, 36) == 0) return &s->slots[i];
    if (!add) return NULL;
    s->slots[i].h = h;
    s->slots[i].id = id;
    s->n++;
    if (added) *added = 1;
    return &s->slots[i];
}

int swng_sync_plan_new(swng_sync_plan **out, swng_client *client, const char *number_group_id,
                       const char *const *ids, const size_t *lens, size_t n, swng_error **err)
{
    struct idset want = {0};
    swng_sync_plan *p = NULL;
    swng_cursor *cur = NULL;
    swng_membership *m = NULL;
    size_t i, cap_remove = 0;
    int rc;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    if (n && !ids) return swng__fail_arg(err, "ids", "ids must not be NULL");
    if (!number_group_id)
        return swng__fail_arg(err, "number_group_id", "number_group_id must not be NULL");
    if ((rc = swng__check_uuid("number_group_id", number_group_id, strlen(number_group_id),
                               err)) != SWNG_OK) {
        if (err && *err) (*err)->option = "number_group_id";
        return rc;
    }
    /* Every wanted id checked before anything is sent: a sync must be
     * exact, so one bad id refuses the whole plan. */
    for (i = 0; i < n; i++) {
        size_t len = ids[i] ? (lens ? lens[i] : strlen(ids[i])) : 0;
        if (!ids[i] || (rc = swng__check_uuid("phone_number_id", ids[i], len, err)) != SWNG_OK) {
            if (!ids[i]) rc = swng__fail_arg(err, "phone_number_id", "ids[%lu] is NULL", (unsigned long)i);
            if (err && *err) {
                char *msg = swng__format("ids[%lu]: %s", (unsigned long)i, swng_error_message(*err));
                if (msg) {
                    free((*err)->message);
                    (*err)->message = msg;
                }
                (*err)->option = "phone_number_id";
            }
            return rc;
        }
    }
    if (!(p = calloc(1, sizeof *p)) || (n && !(p->add = malloc(n * sizeof *p->add)))) {
        rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
        goto fail;
    }
    memcpy(p->group, number_group_id, strlen(number_group_id) + 1);
    for (i = 0; i < n; i++) {
        int added;
        if (!idset_get(&want, ids[i], 1, &added)) {
            rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
            goto fail;
        }
    }
    /* One read of the group: each membership is kept (wanted) or removed. */
    if ((rc = swng_membership_list(&cur, client, number_group_id, 1000, err)) != SWNG_OK) goto fail;
    while ((rc = swng_membership_next(cur, &m, err)) == SWNG_OK && m) {
        const char *phone = swng_membership_phone_number_id(m);
        struct slot *s = idset_get(&want, phone, 0, NULL);
        if (s && !s->seen) {
            s->seen = 1;
            p->keep++;
        } else if (!s) {
            if (p->nremove == cap_remove) {
                size_t cap = cap_remove ? cap_remove * 2 : 16;
                char(*t)[37] = realloc(p->remove, cap * sizeof *t);
                if (!t) {
                    rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
                    break;
                }
                p->remove = t;
                cap_remove = cap;
            }
            memcpy(p->remove[p->nremove++], phone, 37);
        }
        swng_membership_free(m);
        m = NULL;
    }
    swng_membership_free(m);
    if (rc != SWNG_OK) goto fail;
    /* What is wanted and not there, in input order, once each. */
    for (i = 0; i < n; i++) {
        struct slot *s = idset_get(&want, ids[i], 0, NULL);
        if (s->seen) continue;
        s->seen = 1;
        memcpy(p->add[p->nadd], ids[i], 36);
        p->add[p->nadd++][36] = '\0';
    }
    swng_cursor_free(cur);
    free(want.slots);
    *out = p;
    return SWNG_OK;
fail:
    swng_cursor_free(cur);
    free(want.slots);
    swng_sync_plan_free(p);
    return rc;
}

size_t swng_sync_plan_add_count(const swng_sync_plan *p) { return p ? p->nadd : 0; }
const char *swng_sync_plan_add(const swng_sync_plan *p, size_t i)
{
    return p && i < p->nadd ? p->add[i] : NULL;
}
size_t swng_sync_plan_remove_count(const swng_sync_plan *p) { return p ? p->nremove : 0; }
const char *swng_sync_plan_remove(const swng_sync_plan *p, size_t i)
{
    return p && i < p->nremove ? p->remove[i] : NULL;
}
size_t swng_sync_plan_keep_count(const swng_sync_plan *p) { return p ? p->keep : 0; }

/* The plan's ids as an array of pointers for swng_batch_run. */
static const char **pointers(char (*ids)[37], size_t n)
{
    const char **v = malloc((n ? n : 1) * sizeof *v);
    size_t i;
    if (v)
        for (i = 0; i < n; i++) v[i] = ids[i];
    return v;
}

int swng_sync_plan_apply(swng_batch_result **added, swng_batch_result **removed,
                         swng_client *client, const swng_sync_plan *p,
                         const swng_batch_options *opts, swng_error **err)
{
    swng_batch_options o;
    const char **v;
    int rc;
    if (err) *err = NULL;
    if (!added || !removed) return swng__fail_arg(err, "out", "added and removed must not be NULL");
    *added = *removed = NULL;
    if (!p) return swng__fail_arg(err, "plan", "plan must not be NULL");
    if (opts) {
        o = *opts;
    } else {
        memset(&o, 0, sizeof o);
        o.version = SWNG_BATCH_OPTIONS_VERSION;
    }
    /* A number added meanwhile by someone else is not a failure. */
    o.if_exists = SWNG_IF_EXISTS_RETURN;
    if (!(v = pointers(p->add, p->nadd))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    rc = swng_batch_run(added, client, SWNG_OP_MEMBERSHIP_CREATE, p->group, v, NULL, p->nadd, &o,
                        err);
    free(v);
    if (rc != SWNG_OK) return rc;
    if (!(v = pointers(p->remove, p->nremove))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    rc = swng_batch_run(removed, client, SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, p->group, v, NULL,
                        p->nremove, &o, err);
    free(v);
    return rc;
}

void swng_sync_plan_free(swng_sync_plan *p)
{
    if (!p) return;
    free(p->add);
    free(p->remove);
    free(p);
}
