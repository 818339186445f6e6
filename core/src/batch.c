/* batch.c - many numbers added to one group or taken out of it, on a loop:
 * bounded concurrency, one outcome per input with its position,
 * duplicates sent once, a 429 pausing the whole batch, an authentication
 * failure stopping it. Each item is an ordinary request (the same job as
 * swng_membership_create_ex / swng_number_group_remove_number); the batch
 * only decides when to start the next one. */
#include "engine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One input. */
struct item {
    struct item *next, *prev;
    swng_batch *batch; /* NULL: the batch was freed while it was in flight */
    swng_request *req; /* while in flight */
    size_t index;
    unsigned int rate_limited; /* times sent again after a 429 */
    int looking;  /* in flight: the lookup of an E.164 input */
    int resolved; /* an E.164 input whose id (now in id) was found */
    size_t len;
    char id[1]; /* len bytes and a NUL (allocated to size) */
};

/* An outcome kept for swng_batch_take. */
struct outcome {
    struct outcome *next;
    size_t index;
    int status;
    void *result;
    swng_error *err;
};

struct swng_batch {
    swng_loop *loop;
    swng_client *client;
    int op;
    char group[40];
    size_t group_len;
    const char *if_exists; /* "error" / "return" (adds) */
    unsigned int concurrency;
    swng_batch_options opts;
    struct item *wait_head, *wait_tail; /* pushed (or sent again), not in flight */
    struct item *flying;                /* in flight */
    size_t nwaiting, inflight;
    /* swng_batch_run's input, read as slots free up (no copies). */
    const char *const *src;
    const size_t *src_lens;
    size_t src_n, src_next;
    /* Every id started (without case) -> the position of its first
     * occurrence. */
    struct swng__map seen;
    size_t pushed, done;
    long long paused_until; /* monotonic ms: no start before */
    unsigned int seed;
    int closed, cancelled, stopped;
    struct outcome *out_head, *out_tail;
    /* swng_batch_run: outcomes stored by position. */
    swng_batch_result *store;
    /* Removes: the group's memberships, read once before the first delete
     * (phone id -> membership id), so each number costs one DELETE. */
    int index_state; /* INDEX_NONE, _LOADING, _READY, _FAILED */
    struct swng__walk walk;
    struct swng__map members; /* values: struct member */
    int index_code;
    char *index_why;
    /* Deletes of a sync: a membership already gone is not a failure. */
    int gone_ok;
    /* A batch that starts only when `after` has finished (a sync's
     * removes after its adds), and the one waiting for this one. */
    swng_batch *after, *blocks;
};

struct member {
    char id[40];
};

enum { INDEX_NONE, INDEX_LOADING, INDEX_READY, INDEX_FAILED };

struct swng_batch_result {
    size_t n;
    int *status;
    void **result;
    swng_error **err;
};

/* The position of an earlier occurrence of id, or records this one: 1
 * seen (*first set), 0 new, -1 out of memory. */
static int seen_id(swng_batch *b, const char *id, size_t len, size_t index, size_t *first)
{
    int added;
    size_t *v = swng__map_put(&b->seen, swng__key_of(id, len, 1), &added);
    if (!v) return -1;
    if (!added) {
        *first = *v;
        return 1;
    }
    *v = index;
    return 0;
}

/* ------------------------------------------------------------ outcomes */

static void emit(swng_batch *b, size_t index, int status, void *result, swng_error *err)
{
    b->done++;
    if (b->store) {
        if (index < b->store->n) {
            b->store->status[index] = status;
            b->store->result[index] = result;
            b->store->err[index] = err;
        }
    } else if (b->opts.on_item) {
        b->opts.on_item(index, status, result, err, b->opts.payload);
    } else {
        struct outcome *o = malloc(sizeof *o);
        if (!o) { /* the outcome is lost, but counted: nothing hangs */
            swng__object_free(result);
            swng_error_free(err);
        } else {
            o->next = NULL;
            o->index = index;
            o->status = status;
            o->result = result;
            o->err = err;
            if (b->out_tail)
                b->out_tail->next = o;
            else
                b->out_head = o;
            b->out_tail = o;
        }
    }
    if (b->opts.on_progress) b->opts.on_progress(b->done, b->pushed, b->opts.payload);
}

/* An outcome with no request: the message is pre, the input number, post. */
static void emit_status(swng_batch *b, size_t index, int status, const char *pre, size_t arg,
                        const char *post)
{
    emit(b, index, status, NULL, swng__error_new(status, "%s%lu%s", pre, (unsigned long)arg, post));
}

/* The outcome of an input that repeats input first (sent there). */
static void emit_duplicate(swng_batch *b, size_t index, size_t first)
{
    swng_error *dup = swng__error_new(SWNG_ESKIPPED, "a duplicate of input %lu (sent once, there)",
                                      (unsigned long)first);
    if (dup) dup->duplicate_of = first + 1;
    emit(b, index, SWNG_ESKIPPED, NULL, dup);
}

/* --------------------------------------------------------------- items */

static struct item *item_new(swng_batch *b, const char *id, size_t len, size_t index)
{
    /* Room for a UUID too: an E.164 input's id replaces it once found. */
    struct item *it = malloc(sizeof *it + (len > 36 ? len : 36));
    if (!it) return NULL;
    memset(it, 0, sizeof *it);
    it->batch = b;
    it->index = index;
    it->len = len;
    memcpy(it->id, id, len);
    it->id[len] = '\0';
    return it;
}

static void wait_push(swng_batch *b, struct item *it, int front)
{
    it->prev = NULL;
    if (front) {
        it->next = b->wait_head;
        b->wait_head = it;
        if (!b->wait_tail) b->wait_tail = it;
    } else {
        it->next = NULL;
        if (b->wait_tail)
            b->wait_tail->next = it;
        else
            b->wait_head = it;
        b->wait_tail = it;
    }
    b->nwaiting++;
}

static struct item *wait_pop(swng_batch *b)
{
    struct item *it = b->wait_head;
    if (!it) return NULL;
    b->wait_head = it->next;
    if (!b->wait_head) b->wait_tail = NULL;
    it->next = NULL;
    b->nwaiting--;
    return it;
}

static void fly_link(swng_batch *b, struct item *it)
{
    it->prev = NULL;
    it->next = b->flying;
    if (b->flying) b->flying->prev = it;
    b->flying = it;
    b->inflight++;
}

static void fly_unlink(swng_batch *b, struct item *it)
{
    if (it->prev)
        it->prev->next = it->next;
    else
        b->flying = it->next;
    if (it->next) it->next->prev = it->prev;
    it->next = it->prev = NULL;
    b->inflight--;
}

static int item_start(swng_batch *b, struct item *it, swng_error **err);
static void item_done(swng_request *req, int status, void *result, swng_error *err,
                      void *payload);

/* Sends an item: after the duplicate check (dedup), its request starts
 * and it is in flight; a duplicate, or an item refused before anything
 * was sent, gets its outcome here and is freed. */
static void launch(swng_batch *b, struct item *it, int dedup)
{
    swng_error *err = NULL;
    size_t first;
    int rc = dedup ? seen_id(b, it->id, it->len, it->index, &first) : 0;
    if (rc < 0) {
        emit_status(b, it->index, SWNG_ENOMEM, "out of memory (input ", it->index, ")");
    } else if (rc > 0) {
        emit_duplicate(b, it->index, first);
    } else if ((rc = item_start(b, it, &err)) != SWNG_OK) { /* nothing sent */
        emit(b, it->index, rc, NULL, err);
    } else {
        fly_link(b, it);
        return;
    }
    free(it);
}

/* An E.164 input's number was found: the item goes on with its id, in the
 * slot it holds (lookups count within the concurrency); the number given
 * both ways is sent once. */
static void found(swng_batch *b, struct item *it, void *number)
{
    memcpy(it->id, swng_phone_number_id((swng_phone_number *)number), 36);
    it->id[36] = '\0';
    it->len = 36;
    it->resolved = 1;
    swng__object_free(number);
    if (b->cancelled || b->stopped) { /* the pump gives its outcome */
        wait_push(b, it, 1);
        return;
    }
    launch(b, it, 1);
}

/* An item's request ended (called from swng_loop_step's delivery). */
static void item_done(swng_request *req, int status, void *result, swng_error *err, void *payload)
{
    struct item *it = payload;
    swng_batch *b = it->batch;
    int looked;
    (void)req;
    if (!b) { /* its batch is gone */
        swng__object_free(result);
        swng_error_free(err);
        free(it);
        return;
    }
    fly_unlink(b, it);
    it->req = NULL;
    looked = it->looking;
    it->looking = 0;
    if (status == SWNG_ERATELIMIT && !b->cancelled && !b->stopped &&
        it->rate_limited < SWNG_BATCH_MAX_RATE_LIMITED) {
        /* The whole batch waits (at least Retry-After), then this item
         * goes first. */
        long long until = swng__now_ms() + swng__backoff_ms(b->client, it->rate_limited,
                                                            swng_error_retry_after(err), &b->seed);
        if (until > b->paused_until) b->paused_until = until;
        it->rate_limited++;
        swng_error_free(err);
        wait_push(b, it, 1);
        return;
    }
    if (looked && status == SWNG_OK) {
        found(b, it, result);
        return;
    }
    if (status == SWNG_EAUTH) b->stopped = 1;
    if (status == SWNG_ENOTFOUND && b->gone_ok) { /* a sync: gone is what it wanted */
        status = SWNG_OK;
        swng_error_free(err);
        err = NULL;
    }
    emit(b, it->index, status, result, err);
    free(it);
}

/* The next item to start: a waiting one, else one from the run's input. */
static struct item *next_item(swng_batch *b)
{
    struct item *it = wait_pop(b);
    if (it || !b->src || b->src_next >= b->src_n) return it;
    {
        size_t i = b->src_next++;
        const char *id = b->src[i] ? b->src[i] : "";
        size_t len = b->src[i] ? (b->src_lens ? b->src_lens[i] : strlen(id)) : 0;
        if (!(it = item_new(b, id, len, i)))
            emit_status(b, i, SWNG_ENOMEM, "out of memory (input ", i, ")");
        return it;
    }
}

/* ---- the group's memberships, for removes */

static swng_batch *walk_batch(struct swng__walk *w)
{
    return (swng_batch *)((char *)w - offsetof(swng_batch, walk));
}

/* Each membership of the group: its number -> its id (one membership per
 * number is enough). */
static int index_item(struct swng__walk *w, struct swng__object *o, swng_error **err)
{
    swng_batch *b = walk_batch(w);
    const char *phone = swng_membership_phone_number_id((swng_membership *)o);
    int added;
    struct member *m = swng__map_put(&b->members, swng__key_of(phone, strlen(phone), 1), &added);
    if (m && added) snprintf(m->id, sizeof m->id, "%s", swng_membership_id((swng_membership *)o));
    swng__object_free(o);
    return m ? SWNG_OK : swng__fail(err, SWNG_ENOMEM, "out of memory");
}

static void index_end(struct swng__walk *w, int status, const swng_error *err)
{
    swng_batch *b = walk_batch(w);
    if (status == SWNG_OK) {
        b->index_state = INDEX_READY;
        return;
    }
    b->index_state = INDEX_FAILED;
    b->index_code = status;
    b->index_why = swng__strdup(err ? swng_error_message(err) : swng_strerror(status));
}

static int index_begin(swng_request *r, void *ctx, swng_error **err)
{
    swng_batch *b = ctx;
    swng_cursor *cur;
    int rc = swng_membership_list(&cur, b->client, b->group, 1000, err);
    return rc != SWNG_OK ? rc : swng__job_begin_walk(r, cur, &b->walk, err);
}

/* Starts reading the group's memberships (a remove batch's first step). */
static void index_start(swng_batch *b)
{
    swng_error *err = NULL;
    int rc;
    b->index_state = INDEX_LOADING;
    b->walk.item = index_item;
    b->walk.end = index_end;
    rc = swng__job_start(NULL, b->loop, index_begin, b, swng__discard, NULL, &err);
    if (rc != SWNG_OK) {
        index_end(&b->walk, rc, err);
        swng_error_free(err);
    }
}

/* Starts an item's request: an add, the DELETE of the membership the group's
 * list named for a remove, or a sync's DELETE by membership id. A bad id
 * or a number not in the group is its outcome, with nothing sent. */
static int item_start(swng_batch *b, struct item *it, swng_error **err)
{
    const char *args[3];
    size_t lens[3];
    int rc, op = b->op;
    if (!it->resolved && it->len && it->id[0] == '+' && op != SWNG_OP_MEMBERSHIP_DELETE) {
        /* An E.164 number: its id first (a bad one is refused here). */
        it->looking = 1;
        args[0] = it->id;
        lens[0] = it->len;
        rc = swng_request_start(&it->req, b->loop, SWNG_OP_PHONE_NUMBER_FIND, args, lens, 1,
                                item_done, it, err);
        if (rc != SWNG_OK) it->looking = 0;
        return rc;
    }
    if (op == SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER) {
        const struct member *m;
        if ((rc = swng__check_uuid("phone_number_id", it->id, it->len, err)) != SWNG_OK) {
            if (*err) (*err)->option = "phone_number_id";
            return rc;
        }
        if (b->index_state == INDEX_FAILED) {
            *err = swng__error_new(b->index_code, "the group's memberships could not be read: %s",
                                   b->index_why ? b->index_why : swng_strerror(b->index_code));
            return b->index_code;
        }
        if (!(m = swng__map_get(&b->members, swng__key_of(it->id, it->len, 1)))) {
            *err = swng__error_new(SWNG_ENOTFOUND, "phone number %s is not in number group %s",
                                   it->id, b->group);
            return SWNG_ENOTFOUND;
        }
        op = SWNG_OP_MEMBERSHIP_DELETE;
        args[0] = m->id;
        lens[0] = strlen(m->id);
        return swng_request_start(&it->req, b->loop, op, args, lens, 1, item_done, it, err);
    }
    if (op == SWNG_OP_MEMBERSHIP_DELETE) {
        args[0] = it->id;
        lens[0] = it->len;
        return swng_request_start(&it->req, b->loop, op, args, lens, 1, item_done, it, err);
    }
    args[0] = b->group;
    lens[0] = b->group_len;
    args[1] = it->id;
    lens[1] = it->len;
    args[2] = b->if_exists;
    lens[2] = b->if_exists ? strlen(b->if_exists) : 0;
    return swng_request_start(&it->req, b->loop, op, args, lens, b->if_exists ? 3 : 2, item_done,
                              it, err);
}

/* Starts what may start now and gives the outcomes that need no request.
 * Called after each step's delivery (swng__loop_batches_pump). */
static void pump(swng_batch *b)
{
    struct item *it;
    if (!b->cancelled && swng_cancel_triggered(b->client->cancel)) swng_batch_cancel(b);
    if (b->cancelled || b->stopped) {
        int status = b->cancelled ? SWNG_ECANCELLED : SWNG_ESKIPPED;
        const char *why = b->cancelled ? "cancelled (input "
                                       : "not attempted: the batch stopped after an "
                                         "authentication failure (input ";
        while ((it = next_item(b)) != NULL) {
            emit_status(b, it->index, status, why, it->index, ")");
            free(it);
        }
        return;
    }
    if (b->after && !swng_batch_finished(b->after)) return;
    if (swng__now_ms() < b->paused_until) return;
    if (b->op == SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER && b->index_state != INDEX_READY &&
        b->index_state != INDEX_FAILED) {
        if (b->index_state == INDEX_NONE && (b->nwaiting || (b->src && b->src_next < b->src_n)))
            index_start(b);
        if (b->index_state == INDEX_LOADING) return;
    }
    /* An item sent again after a 429 was checked the first time. */
    while (b->inflight < b->concurrency && (it = next_item(b)) != NULL)
        launch(b, it, !it->rate_limited);
}

/* ---------------------------------------------------------- public API */

static int batch_make(swng_batch **out, swng_loop *loop, int op, const char *group,
                      const swng_batch_options *opts, int internal, swng_error **err)
{
    swng_batch_options defaults;
    swng_batch *b;
    int rc;
    *out = NULL;
    if (!loop) return swng__fail_arg(err, "loop", "loop must not be NULL");
    if (!opts) {
        memset(&defaults, 0, sizeof defaults);
        defaults.version = SWNG_BATCH_OPTIONS_VERSION;
        opts = &defaults;
    }
    if (opts->version != SWNG_BATCH_OPTIONS_VERSION)
        return swng__fail_arg(err, "version",
                              "version is %u in the batch options; initialise them with "
                              "SWNG_BATCH_OPTIONS_INIT",
                              opts->version);
    if (op != SWNG_OP_MEMBERSHIP_CREATE && op != SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER &&
        !(internal && op == SWNG_OP_MEMBERSHIP_DELETE))
        return swng__fail_arg(err, "op",
                              "a batch adds (SWNG_OP_MEMBERSHIP_CREATE) or removes "
                              "(SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER) numbers");
    if (opts->concurrency > SWNG_BATCH_MAX_CONCURRENCY)
        return swng__fail_arg(err, "concurrency", "concurrency must be 0 (8) or 1 to %d",
                              SWNG_BATCH_MAX_CONCURRENCY);
    if (opts->if_exists != SWNG_IF_EXISTS_ERROR && opts->if_exists != SWNG_IF_EXISTS_RETURN)
        return swng__fail_arg(err, "if_exists",
                              "if_exists must be SWNG_IF_EXISTS_ERROR or SWNG_IF_EXISTS_RETURN");
    if (!group) return swng__fail_arg(err, "number_group_id", "number_group_id must not be NULL");
    if ((rc = swng__check_uuid("number_group_id", group, strlen(group), err)) != SWNG_OK) {
        if (err && *err) (*err)->option = "number_group_id";
        return rc;
    }
    if (!(b = calloc(1, sizeof *b))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    b->loop = loop;
    b->client = swng__loop_client(loop);
    b->op = op;
    b->group_len = strlen(group);
    memcpy(b->group, group, b->group_len);
    b->opts = *opts;
    b->concurrency = opts->concurrency ? opts->concurrency : 8;
    if (op == SWNG_OP_MEMBERSHIP_CREATE)
        b->if_exists = opts->if_exists == SWNG_IF_EXISTS_RETURN ? "return" : "error";
    b->seed = (unsigned int)swng__now_ms() ^ (unsigned int)(uintptr_t)b;
    swng__map_init(&b->seen, sizeof(size_t));
    swng__map_init(&b->members, sizeof(struct member));
    swng__loop_add_batch(loop, b);
    *out = b;
    return SWNG_OK;
}

int swng_batch_new(swng_batch **out, swng_loop *loop, int op, const char *number_group_id,
                   const swng_batch_options *opts, swng_error **err)
{
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    return batch_make(out, loop, op, number_group_id, opts, 0, err);
}

int swng_batch_push(swng_batch *b, const char *id, size_t len, size_t *index, swng_error **err)
{
    struct item *it;
    if (err) *err = NULL;
    if (!b) return swng__fail_arg(err, "batch", "batch must not be NULL");
    if (b->closed || b->cancelled)
        return swng__fail_arg(err, "batch", "the batch is closed to input");
    if (!id) {
        id = "";
        len = 0;
    }
    if (!(it = item_new(b, id, len, b->pushed)))
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (index) *index = b->pushed;
    b->pushed++;
    wait_push(b, it, 0);
    swng__loop_wake(b->loop);
    return SWNG_OK;
}

void swng_batch_close(swng_batch *b)
{
    if (!b) return;
    b->closed = 1;
    swng__loop_wake(b->loop);
}

size_t swng_batch_waiting(const swng_batch *b)
{
    return b ? b->nwaiting + (b->src ? b->src_n - b->src_next : 0) : 0;
}

int swng_batch_finished(const swng_batch *b)
{
    return b && b->closed && b->done >= b->pushed && b->inflight == 0;
}

void swng_batch_cancel(swng_batch *b)
{
    struct item *it;
    if (!b || b->cancelled) return;
    b->cancelled = 1;
    for (it = b->flying; it; it = it->next) swng_request_cancel(it->req);
    swng__loop_wake(b->loop);
}

int swng_batch_take(swng_batch *b, size_t *index, int *status, void **result, swng_error **err)
{
    struct outcome *o = b ? b->out_head : NULL;
    if (!o) return 0;
    b->out_head = o->next;
    if (!b->out_head) b->out_tail = NULL;
    if (index) *index = o->index;
    if (status) *status = o->status;
    if (result)
        *result = o->result;
    else
        swng__object_free(o->result);
    if (err)
        *err = o->err;
    else
        swng_error_free(o->err);
    free(o);
    return 1;
}

void swng_batch_free(swng_batch *b)
{
    struct item *it;
    if (!b) return;
    if (b->loop) swng__loop_remove_batch(b->loop, b);
    /* Items in flight end later, in a step: they find no batch. */
    for (it = b->flying; it; it = it->next) {
        it->batch = NULL;
        swng_request_cancel(it->req);
    }
    while ((it = wait_pop(b)) != NULL) free(it);
    while (swng_batch_take(b, NULL, NULL, NULL, NULL)) {
    }
    swng__walk_stop(&b->walk);
    if (b->after) b->after->blocks = NULL;
    if (b->blocks) b->blocks->after = NULL;
    swng__map_free(&b->members);
    free(b->index_why);
    swng__map_free(&b->seen);
    free(b);
}

/* Called by loop.c after each delivery, and for its timeout. */
void swng__batch_pump(swng_batch *b) { pump(b); }

long long swng__batch_due(const swng_batch *b)
{
    int more = b->nwaiting || (b->src && b->src_next < b->src_n);
    if (!more || (b->inflight >= b->concurrency && !b->cancelled && !b->stopped)) return -1;
    if (b->after && !swng_batch_finished(b->after) && !b->cancelled &&
        !swng_cancel_triggered(b->client->cancel))
        return -1; /* pumped when its last outcome is delivered */
    if (b->cancelled || b->stopped || swng_cancel_triggered(b->client->cancel)) return 0;
    return b->paused_until; /* 0 or past: now */
}

void swng__batch_detach(swng_batch *b) { b->loop = NULL; }

/* ------------------------------------------------------ blocking form */

static void result_free_items(swng_batch_result *r, size_t from)
{
    size_t i;
    for (i = from; i < r->n; i++) {
        swng__object_free(r->result[i]);
        swng_error_free(r->err[i]);
    }
}

static swng_batch_result *result_new(size_t n)
{
    swng_batch_result *res = calloc(1, sizeof *res);
    size_t i;
    if (!res || !(res->status = calloc(n ? n : 1, sizeof *res->status)) ||
        !(res->result = calloc(n ? n : 1, sizeof *res->result)) ||
        !(res->err = calloc(n ? n : 1, sizeof *res->err))) {
        swng_batch_result_free(res);
        return NULL;
    }
    res->n = n;
    for (i = 0; i < n; i++) res->status[i] = SWNG_ECANCELLED;
    return res;
}

/* Drives a private loop until every batch of bs has finished; the
 * client's interrupt function cancels them all. Returns SWNG_ECANCELLED
 * when one was cancelled. */
static int drive(swng_client *client, swng_loop *loop, swng_batch *const *bs, size_t n)
{
    size_t i;
    int cancelled = 0;
    for (;;) {
        for (i = 0; i < n && swng_batch_finished(bs[i]); i++) {
        }
        if (i == n) break;
        swng__loop_drive(loop, client->interrupt ? SWNG_INTERRUPT_INTERVAL_MS : -1);
        if (!cancelled && client->interrupt && client->interrupt(client->interrupt_payload)) {
            cancelled = 1;
            for (i = 0; i < n; i++) swng_batch_cancel(bs[i]);
        }
    }
    for (i = 0; i < n; i++)
        if (bs[i]->cancelled) return SWNG_ECANCELLED;
    return SWNG_OK;
}

int swng_batch_run(swng_batch_result **out, swng_client *client, int op,
                   const char *number_group_id, const char *const *ids, const size_t *lens,
                   size_t n, const swng_batch_options *opts, swng_error **err)
{
    swng_batch_result *res;
    swng_batch *b;
    swng_loop *loop;
    int rc;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    if (n && !ids) return swng__fail_arg(err, "ids", "ids must not be NULL");
    if (!(res = result_new(n))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    if (!(loop = swng__loop_acquire(client, err))) {
        swng_batch_result_free(res);
        return SWNG_ENOMEM;
    }
    if ((rc = batch_make(&b, loop, op, number_group_id, opts, 0, err)) != SWNG_OK) {
        swng__loop_release(client, loop);
        swng_batch_result_free(res);
        return rc;
    }
    b->store = res;
    b->src = ids;
    b->src_lens = lens;
    b->src_n = n;
    b->pushed = n;
    b->closed = 1;
    rc = drive(client, loop, &b, 1);
    swng_batch_free(b);
    swng__loop_release(client, loop);
    if (rc != SWNG_OK) swng__fail(err, rc, "the batch was cancelled");
    *out = res;
    return rc;
}

/* ------------------------------------------------------------ syncs */

int swng__sync_batches(swng_batch **added, swng_batch **removed, swng_loop *loop,
                       const char *group, const char *const *add, size_t nadd,
                       const char *const *mids, size_t nremove, const swng_batch_options *opts,
                       swng_error **err)
{
    swng_batch_options o;
    size_t i;
    int rc;
    *added = *removed = NULL;
    if (opts) {
        o = *opts;
    } else {
        memset(&o, 0, sizeof o);
        o.version = SWNG_BATCH_OPTIONS_VERSION;
    }
    /* A number added meanwhile by someone else is not a failure. */
    o.if_exists = SWNG_IF_EXISTS_RETURN;
    if ((rc = batch_make(added, loop, SWNG_OP_MEMBERSHIP_CREATE, group, &o, 0, err)) != SWNG_OK)
        return rc;
    o.if_exists = SWNG_IF_EXISTS_ERROR;
    if ((rc = batch_make(removed, loop, SWNG_OP_MEMBERSHIP_DELETE, group, &o, 1, err)) != SWNG_OK)
        goto fail;
    (*removed)->gone_ok = 1;
    (*removed)->after = *added;
    (*added)->blocks = *removed;
    for (i = 0; i < nadd; i++)
        if ((rc = swng_batch_push(*added, add[i], strlen(add[i]), NULL, err)) != SWNG_OK) goto fail;
    for (i = 0; i < nremove; i++)
        if ((rc = swng_batch_push(*removed, mids[i], strlen(mids[i]), NULL, err)) != SWNG_OK)
            goto fail;
    swng_batch_close(*added);
    swng_batch_close(*removed);
    return SWNG_OK;
fail:
    swng_batch_free(*added);
    swng_batch_free(*removed);
    *added = *removed = NULL;
    return rc;
}

int swng__sync_run(swng_batch_result **added, swng_batch_result **removed, swng_client *client,
                   const char *group, const char *const *add, size_t nadd,
                   const char *const *mids, size_t nremove, const swng_batch_options *opts,
                   swng_error **err)
{
    swng_batch *bs[2];
    swng_loop *loop;
    int rc;
    if (!(*added = result_new(nadd)) || !(*removed = result_new(nremove))) {
        swng_batch_result_free(*added);
        *added = NULL;
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    if (!(loop = swng__loop_acquire(client, err))) {
        rc = SWNG_ENOMEM;
        goto fail;
    }
    rc = swng__sync_batches(&bs[0], &bs[1], loop, group, add, nadd, mids, nremove, opts, err);
    if (rc == SWNG_OK) {
        bs[0]->store = *added;
        bs[1]->store = *removed;
        rc = drive(client, loop, bs, 2);
        swng_batch_free(bs[1]);
        swng_batch_free(bs[0]);
        if (rc != SWNG_OK) swng__fail(err, rc, "the sync was cancelled");
    }
    swng__loop_release(client, loop);
    if (rc == SWNG_OK || rc == SWNG_ECANCELLED) return rc;
fail:
    swng_batch_result_free(*added);
    swng_batch_result_free(*removed);
    *added = *removed = NULL;
    return rc;
}

size_t swng_batch_result_count(const swng_batch_result *r) { return r ? r->n : 0; }

int swng_batch_result_status(const swng_batch_result *r, size_t i)
{
    return r && i < r->n ? r->status[i] : SWNG_EINVAL;
}

void *swng_batch_result_take(swng_batch_result *r, size_t i)
{
    void *o;
    if (!r || i >= r->n) return NULL;
    o = r->result[i];
    r->result[i] = NULL;
    return o;
}

swng_error *swng_batch_result_take_error(swng_batch_result *r, size_t i)
{
    swng_error *e;
    if (!r || i >= r->n) return NULL;
    e = r->err[i];
    r->err[i] = NULL;
    return e;
}

void swng_batch_result_free(swng_batch_result *r)
{
    if (!r) return;
    if (r->result && r->err) result_free_items(r, 0);
    free(r->status);
    free(r->result);
    free(r->err);
    free(r);
}
