/* sync.c - a group's numbers made to match a list: the plan (what to add,
 * what to remove, from one read of the group's memberships, a walk job
 * that runs on a private loop or the caller's) and its application with
 * two batches (batch.c). */
#include "engine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { PLAN_READING, PLAN_READY, PLAN_FAILED };

struct swng_sync_plan {
    char group[40];
    swng_client *client;
    /* The wanted phone-number ids, in input order (checked UUIDs). */
    char (*ids)[37];
    size_t n;
    struct swng__map want; /* id -> struct want */
    size_t *add;           /* positions in ids: wanted and not there, once each */
    size_t nadd;
    struct removal {
        char phone[37];
        char membership[37];
    } *remove; /* there and not wanted: one per membership */
    size_t nremove, capremove;
    size_t keep;
    int state;
    struct swng__walk walk;
};

struct want {
    int there; /* found in the group (or already planned) */
};

static swng_sync_plan *walk_plan(struct swng__walk *w)
{
    return (swng_sync_plan *)((char *)w - offsetof(swng_sync_plan, walk));
}

/* Each membership of the group: kept if wanted, else removed. A wanted
 * number with a second membership is left as it is: it is in the group. */
static int plan_item(struct swng__walk *w, struct swng__object *o, swng_error **err)
{
    swng_sync_plan *p = walk_plan(w);
    const char *phone = swng_membership_phone_number_id((swng_membership *)o);
    struct want *wn = swng__map_get(&p->want, swng__key_of(phone, strlen(phone), 1));
    int rc = SWNG_OK;
    if (wn) {
        if (!wn->there) p->keep++;
        wn->there = 1;
    } else {
        if (p->nremove == p->capremove) {
            size_t cap = p->capremove ? p->capremove * 2 : 16;
            struct removal *t = realloc(p->remove, cap * sizeof *t);
            if (!t) rc = swng__fail(err, SWNG_ENOMEM, "out of memory");
            else {
                p->remove = t;
                p->capremove = cap;
            }
        }
        if (rc == SWNG_OK) {
            struct removal *r = &p->remove[p->nremove++];
            memcpy(r->phone, phone, 37);
            memcpy(r->membership, swng_membership_id((swng_membership *)o), 37);
        }
    }
    swng__object_free(o);
    return rc;
}

/* After the last page: what is wanted and not there, in input order. */
static void plan_end(struct swng__walk *w, int status, const swng_error *err)
{
    swng_sync_plan *p = walk_plan(w);
    size_t i;
    (void)err;
    if (status != SWNG_OK) {
        p->state = PLAN_FAILED;
        return;
    }
    for (i = 0; i < p->n; i++) {
        struct want *wn = swng__map_get(&p->want, swng__key_of(p->ids[i], 36, 1));
        if (wn->there) continue;
        wn->there = 1;
        p->add[p->nadd++] = i;
    }
    p->state = PLAN_READY;
}

static int plan_begin(swng_request *r, void *ctx, swng_error **err)
{
    swng_sync_plan *p = ctx;
    swng_cursor *cur;
    int rc = swng_membership_list(&cur, p->client, p->group, 1000, err);
    return rc != SWNG_OK ? rc : swng__job_begin_walk(r, cur, &p->walk, err);
}

/* A plan, not yet read: every wanted id checked (a sync must be exact, so
 * one bad id refuses the whole plan) and copied. */
static int plan_make(swng_sync_plan **out, swng_client *client, const char *group,
                     const char *const *ids, const size_t *lens, size_t n, swng_error **err)
{
    swng_sync_plan *p;
    size_t i;
    int rc, added;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    if (n && !ids) return swng__fail_arg(err, "ids", "ids must not be NULL");
    if (!group) return swng__fail_arg(err, "number_group_id", "number_group_id must not be NULL");
    if ((rc = swng__check_uuid("number_group_id", group, strlen(group), err)) != SWNG_OK) {
        if (err && *err) (*err)->option = "number_group_id";
        return rc;
    }
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
    if (!(p = calloc(1, sizeof *p))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    swng__map_init(&p->want, sizeof(struct want));
    p->client = client;
    p->walk.item = plan_item;
    p->walk.end = plan_end;
    memcpy(p->group, group, strlen(group) + 1);
    if (n && (!(p->ids = malloc(n * sizeof *p->ids)) || !(p->add = malloc(n * sizeof *p->add)))) {
        swng_sync_plan_free(p);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        memcpy(p->ids[i], ids[i], 36);
        p->ids[i][36] = '\0';
        if (!swng__map_put(&p->want, swng__key_of(ids[i], 36, 1), &added)) {
            swng_sync_plan_free(p);
            return swng__fail(err, SWNG_ENOMEM, "out of memory");
        }
    }
    p->n = n;
    *out = p;
    return SWNG_OK;
}

int swng_sync_plan_new(swng_sync_plan **out, swng_client *client, const char *number_group_id,
                       const char *const *ids, const size_t *lens, size_t n, swng_error **err)
{
    swng_sync_plan *p;
    swng_request r;
    int rc;
    if (err) *err = NULL;
    if ((rc = plan_make(&p, client, number_group_id, ids, lens, n, err)) != SWNG_OK) return rc;
    memset(&r, 0, sizeof r);
    if ((rc = plan_begin(&r, p, err)) < 0)
        swng__job_free_state(&r);
    else
        rc = swng__job_run(client, &r, NULL, err);
    if (rc != SWNG_OK) {
        swng_sync_plan_free(p);
        return rc;
    }
    *out = p;
    return SWNG_OK;
}

int swng_sync_plan_start(swng_sync_plan **out, swng_request **req, swng_loop *loop,
                         const char *number_group_id, const char *const *ids, const size_t *lens,
                         size_t n, swng_request_cb cb, void *payload, swng_error **err)
{
    swng_sync_plan *p;
    int rc;
    if (err) *err = NULL;
    if (req) *req = NULL;
    if (out) *out = NULL;
    if (!loop) return swng__fail_arg(err, "loop", "loop must not be NULL");
    rc = plan_make(&p, swng__loop_client(loop), number_group_id, ids, lens, n, err);
    if (rc != SWNG_OK) return rc;
    if ((rc = swng__job_start(req, loop, plan_begin, p, cb, payload, err)) != SWNG_OK) {
        swng_sync_plan_free(p);
        return rc;
    }
    *out = p;
    return SWNG_OK;
}

size_t swng_sync_plan_add_count(const swng_sync_plan *p) { return p ? p->nadd : 0; }
const char *swng_sync_plan_add(const swng_sync_plan *p, size_t i)
{
    return p && i < p->nadd ? p->ids[p->add[i]] : NULL;
}
size_t swng_sync_plan_remove_count(const swng_sync_plan *p) { return p ? p->nremove : 0; }
const char *swng_sync_plan_remove(const swng_sync_plan *p, size_t i)
{
    return p && i < p->nremove ? p->remove[i].phone : NULL;
}
const char *swng_sync_plan_remove_membership(const swng_sync_plan *p, size_t i)
{
    return p && i < p->nremove ? p->remove[i].membership : NULL;
}
size_t swng_sync_plan_keep_count(const swng_sync_plan *p) { return p ? p->keep : 0; }

/* The plan's ids to add and memberships to delete, as pointer arrays
 * (one block, *v) for the batches; a plan not ready is refused. */
static int plan_lists(const swng_sync_plan *p, const char ***v, swng_error **err)
{
    size_t i;
    if (!p) return swng__fail_arg(err, "plan", "plan must not be NULL");
    if (p->state != PLAN_READY)
        return swng__fail_arg(err, "plan", "the plan is not ready: its read of the group %s",
                              p->state == PLAN_READING ? "has not finished" : "failed");
    if (!(*v = malloc((p->nadd + p->nremove + 1) * sizeof **v)))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    for (i = 0; i < p->nadd; i++) (*v)[i] = p->ids[p->add[i]];
    for (i = 0; i < p->nremove; i++) (*v)[p->nadd + i] = p->remove[i].membership;
    return SWNG_OK;
}

int swng_sync_plan_apply(swng_batch_result **added, swng_batch_result **removed,
                         swng_client *client, const swng_sync_plan *p,
                         const swng_batch_options *opts, swng_error **err)
{
    const char **v;
    int rc;
    if (err) *err = NULL;
    if (!added || !removed) return swng__fail_arg(err, "out", "added and removed must not be NULL");
    *added = *removed = NULL;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    if ((rc = plan_lists(p, &v, err)) != SWNG_OK) return rc;
    rc = swng__sync_run(added, removed, client, p->group, v, p->nadd, v + p->nadd, p->nremove,
                        opts, err);
    free(v);
    return rc;
}

int swng_sync_plan_apply_start(swng_batch **added, swng_batch **removed, swng_loop *loop,
                               const swng_sync_plan *p, const swng_batch_options *opts,
                               swng_error **err)
{
    const char **v;
    int rc;
    if (err) *err = NULL;
    if (!added || !removed) return swng__fail_arg(err, "out", "added and removed must not be NULL");
    *added = *removed = NULL;
    if (!loop) return swng__fail_arg(err, "loop", "loop must not be NULL");
    if ((rc = plan_lists(p, &v, err)) != SWNG_OK) return rc;
    rc = swng__sync_batches(added, removed, loop, p->group, v, p->nadd, v + p->nadd, p->nremove,
                            opts, err);
    free(v);
    return rc;
}

void swng_sync_plan_free(swng_sync_plan *p)
{
    if (!p) return;
    swng__walk_stop(&p->walk);
    swng__map_free(&p->want);
    free(p->ids);
    free(p->add);
    free(p->remove);
    free(p);
}
