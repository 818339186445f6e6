/* loop.c - the engine's driver: libcurl's multi interface, jobs that run
 * one transfer at a time, retry waits as timers, cancellation. The
 * non-blocking API (swng_loop_*, swng_request_*) drives it from the host's
 * loop; every blocking call runs its job on a private loop of its client
 * until the job ends, so both forms share one path.
 *
 * Only how libcurl is fed differs. A public loop (swng_loop_new) is
 * watched by its host through one epoll descriptor: libcurl's socket API
 * (curl_multi_socket_action with socket and timer callbacks). A private
 * loop (the blocking calls, swng_batch_run) is driven by the thread that
 * holds it, as curl_easy_perform drives its own multi handle:
 * curl_multi_poll (with the cancel handle's descriptor as an extra one)
 * then curl_multi_perform, which costs fewer libcurl calls per request.
 * libcurl does not support both APIs on one multi handle, so a loop's mode
 * is fixed when it is made. */
#include "engine.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* Idle easy handles a loop keeps (each request in flight holds one). */
#define MAX_IDLE 64

struct swng_loop {
    swng_client *client;
    CURLM *multi;
    /* 1: a private loop, driven by curl_multi_poll + curl_multi_perform
     * (no epoll set, no wake descriptor: only its holder's thread touches
     * it, and other threads and signal handlers reach it through the
     * cancel handle's descriptor, which it polls). 0: a public loop, on
     * the socket API behind epfd. */
    int perform;
    size_t active; /* transfers in libcurl (private loops: whether to perform) */
    int epfd;      /* curl's sockets, wakefd, the cancel handle's descriptor */
    int wakefd;    /* eventfd: written when a request is cancelled */
    int wake_pending; /* wakefd written and not yet read */
    int cancel_fd; /* the cancel descriptor registered in epfd, or -1 */
    unsigned long cancel_serial; /* of the handle it belongs to (0: none) */
    long long curl_deadline; /* monotonic ms of libcurl's timer, -1: none */
    swng_request *head;      /* jobs in flight */
    size_t pending;
    swng_request *done_head, *done_tail; /* ended with no callback: swng_loop_take */
    unsigned long next_id;
    CURL *idle[MAX_IDLE];
    size_t nidle;
    pid_t pid;
    int delivering; /* in callbacks: no step, no free */
    int closing;    /* in swng_loop_free: no new request */
    swng_batch **batches; /* pumped after each delivery */
    size_t nbatches, capbatches;
    int dirty;      /* something to do at once (a cancel, a job that ended) */
};

struct swng_cancel {
    int fd; /* eventfd: readable (edge) when triggered */
    int triggered;
    unsigned long serial; /* unique per handle made: a loop re-registers on change */
};

static unsigned long cancel_serials;

long long swng__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- cancel */

int swng_cancel_new(swng_cancel **out, swng_error **err)
{
    swng_cancel *k;
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!(k = calloc(1, sizeof *k))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    k->serial = __atomic_add_fetch(&cancel_serials, 1, __ATOMIC_RELAXED);
    if ((k->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        free(k);
        return swng__fail(err, SWNG_ENOMEM, "cannot make an eventfd: %s", strerror(errno));
    }
    *out = k;
    return SWNG_OK;
}

void swng_cancel_trigger(swng_cancel *k)
{
    uint64_t one = 1;
    int saved = errno; /* a signal handler must leave errno as it was */
    if (!k) return;
    __atomic_store_n(&k->triggered, 1, __ATOMIC_SEQ_CST);
    if (write(k->fd, &one, sizeof one) < 0) {
        /* The counter is full only after 2^64-2 triggers; the flag is set. */
    }
    errno = saved;
}

int swng_cancel_triggered(const swng_cancel *k)
{
    return k ? __atomic_load_n(&k->triggered, __ATOMIC_SEQ_CST) : 0;
}

void swng_cancel_reset(swng_cancel *k)
{
    uint64_t n;
    if (!k) return;
    __atomic_store_n(&k->triggered, 0, __ATOMIC_SEQ_CST);
    while (read(k->fd, &n, sizeof n) > 0) {
    }
}

void swng_cancel_free(swng_cancel *k)
{
    if (!k) return;
    close(k->fd);
    free(k);
}

int swng_client_set_cancel(swng_client *c, swng_cancel *k)
{
    if (!c) return SWNG_EINVAL;
    c->cancel = k;
    return SWNG_OK;
}

int swng_client_set_trace(swng_client *c, swng_trace_fn fn, void *payload)
{
    if (!c) return SWNG_EINVAL;
    c->trace = fn;
    c->trace_payload = payload;
    return SWNG_OK;
}

int swng_client_set_interrupt(swng_client *c, swng_interrupt_fn fn, void *payload)
{
    if (!c) return SWNG_EINVAL;
    c->interrupt = fn;
    c->interrupt_payload = payload;
    return SWNG_OK;
}

/* --------------------------------------------------------------- loop */

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    swng_loop *loop = userp;
    struct epoll_event ev;
    (void)e;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(loop->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    memset(&ev, 0, sizeof ev);
    ev.data.fd = s;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    swng_loop *loop = userp;
    (void)m;
    loop->curl_deadline = timeout_ms < 0 ? -1 : swng__now_ms() + timeout_ms;
    return 0;
}

static void watch(swng_loop *loop, int fd, unsigned int events)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    ev.events = events;
    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Keeps the client's cancel descriptor in the epoll set (edge-triggered:
 * a triggered handle stays readable, and must not spin the host). */
static void watch_cancel(swng_loop *loop)
{
    const swng_cancel *k = loop->client->cancel;
    unsigned long serial = k ? k->serial : 0;
    /* By serial, not descriptor: a freed handle's descriptor number may
     * come back with a new handle, whose descriptor is then not in the set
     * (closing a descriptor took the old one out). */
    if (serial == loop->cancel_serial) return;
    if (loop->cancel_fd >= 0) epoll_ctl(loop->epfd, EPOLL_CTL_DEL, loop->cancel_fd, NULL);
    loop->cancel_fd = k ? k->fd : -1;
    loop->cancel_serial = serial;
    if (k) watch(loop, k->fd, EPOLLIN | EPOLLET);
}

/* A loop: private (perform 1) for the blocking calls, public (0) for
 * swng_loop_new. */
static swng_loop *loop_make(swng_client *c, int perform)
{
    swng_loop *loop = calloc(1, sizeof *loop);
    if (!loop) return NULL;
    loop->client = c;
    loop->perform = perform;
    loop->curl_deadline = -1;
    loop->cancel_fd = -1;
    loop->epfd = loop->wakefd = -1;
    loop->pid = swng__pid();
    loop->multi = curl_multi_init();
    if (!loop->multi) {
        swng__loop_destroy(loop);
        return NULL;
    }
    if (!perform) {
        loop->epfd = epoll_create1(EPOLL_CLOEXEC);
        loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (loop->epfd < 0 || loop->wakefd < 0) {
            swng__loop_destroy(loop);
            return NULL;
        }
        watch(loop, loop->wakefd, EPOLLIN);
        curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
        curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
    }
    /* libcurl's default cache is 4 connections per handle *in the multi*:
     * when most requests end in one step (their handles removed before the
     * callbacks start the next ones), kept-alive connections were closed
     * and reopened. As many as the idle handles kept. */
    curl_multi_setopt(loop->multi, CURLMOPT_MAXCONNECTS, (long)MAX_IDLE);
    return loop;
}

void swng__loop_destroy(swng_loop *loop)
{
    size_t i;
    if (!loop) return;
    /* Handles first, while the multi they belong to still exists. */
    for (i = 0; i < loop->nidle; i++) curl_easy_cleanup(loop->idle[i]);
    if (loop->multi) curl_multi_cleanup(loop->multi);
    if (loop->epfd >= 0) close(loop->epfd);
    if (loop->wakefd >= 0) close(loop->wakefd);
    free(loop->batches);
    free(loop);
}

static CURL *take_handle(swng_loop *loop)
{
    return loop->nidle ? loop->idle[--loop->nidle] : swng__client_new_handle(loop->client);
}

static void give_handle(swng_loop *loop, CURL *h)
{
    if (!h) return;
    if (loop->nidle < MAX_IDLE)
        loop->idle[loop->nidle++] = h;
    else
        curl_easy_cleanup(h);
}

static void link_job(swng_loop *loop, swng_request *r)
{
    r->loop = loop;
    r->prev = NULL;
    r->next = loop->head;
    if (loop->head) loop->head->prev = r;
    loop->head = r;
    loop->pending++;
    loop->dirty = 1;
}

static void unlink_job(swng_loop *loop, swng_request *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        loop->head = r->next;
    if (r->next) r->next->prev = r->prev;
    r->prev = r->next = NULL;
    loop->pending--;
}

/* Takes the transfer's handle out of libcurl (an active transfer is
 * abandoned: its connection is closed, nothing more is sent). */
static void drop_transfer(swng_loop *loop, struct swng__xfer *x)
{
    if (x->state == SWNG__X_ACTIVE) {
        curl_multi_remove_handle(loop->multi, x->h);
        loop->active--;
    }
    give_handle(loop, x->h);
    x->h = NULL;
}

/* Starts a pending transfer's next attempt. */
static void start_attempt(swng_loop *loop, swng_request *r)
{
    struct swng__xfer *x = &r->x;
    if (!x->h && !(x->h = take_handle(loop))) {
        x->state = SWNG__X_DONE;
        x->rc = swng__fail(&x->err, SWNG_ENOMEM, "out of memory");
        return;
    }
    swng__xfer_prepare(loop->client, x);
    /* (A private loop finds the job by its handle: see job_of.) */
    if (!loop->perform) curl_easy_setopt(x->h, CURLOPT_PRIVATE, (char *)r);
    if (curl_multi_add_handle(loop->multi, x->h) != CURLM_OK) {
        give_handle(loop, x->h);
        x->h = NULL;
        x->state = SWNG__X_DONE;
        x->rc = swng__fail(&x->err, SWNG_ENOMEM, "out of memory");
        return;
    }
    x->state = SWNG__X_ACTIVE;
    loop->active++;
}

void swng__job_free_state(swng_request *r)
{
    swng__xfer_clear(&r->x);
    swng__object_free(r->found);
    r->found = NULL;
    swng_error_free(r->first);
    r->first = NULL;
    if (r->own_cursor) swng_cursor_free(r->cursor);
    r->cursor = NULL;
    r->own_cursor = 0;
}

int swng__job_end(swng_request *r, int status, swng_error *err)
{
    swng__job_free_state(r);
    r->status = status;
    if (status != SWNG_OK) {
        swng__object_free(r->result);
        r->result = NULL;
        r->error = err;
    } else {
        swng_error_free(err);
    }
    r->x.state = SWNG__X_IDLE;
    r->finished = 1;
    if (r->loop) r->loop->dirty = 1;
    if (r->walk) { /* its owner learns the end now, however it came */
        struct swng__walk *w = r->walk;
        r->walk = NULL;
        w->job = NULL;
        w->end(w, status, r->error);
    }
    return status;
}

int swng__xfer_begin(swng_request *r, const struct swng__request *rq)
{
    struct swng__xfer *x = &r->x;
    x->rq = *rq;
    x->attempt_no = 0;
    x->seed = (unsigned int)swng__now_ms() ^ (unsigned int)(uintptr_t)r;
    x->state = SWNG__X_PENDING;
    if (r->loop) r->loop->dirty = 1;
    return SWNG__MORE;
}

static void cancel_job(swng_loop *loop, swng_request *r)
{
    drop_transfer(loop, &r->x);
    if (!r->own_cursor) swng__cursor_abandon(r->cursor);
    swng__job_end(r, SWNG_ECANCELLED, swng__error_new(SWNG_ECANCELLED, "cancelled"));
}

static int cancel_requested(const swng_loop *loop)
{
    return swng_cancel_triggered(loop->client->cancel);
}

/* The job whose attempt runs on handle h: a private loop holds a few jobs
 * (one for a blocking call, a batch's concurrency for swng_batch_run), so
 * it looks for it rather than paying libcurl to set and read it back on
 * every attempt; a public loop may hold any number. */
static swng_request *job_of(const swng_loop *loop, CURL *h)
{
    swng_request *r;
    char *priv = NULL;
    if (loop->perform) {
        for (r = loop->head; r; r = r->next)
            if (r->x.h == h && r->x.state == SWNG__X_ACTIVE) return r;
        return NULL;
    }
    curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);
    return (swng_request *)priv;
}

/* The work after libcurl was fed: finished attempts, due retries, cancels,
 * jobs' next transfers (a `then` may begin another transfer, started in
 * the same pass). Returns how many attempts it started (handed to
 * libcurl, which has not run them yet). */
static int work(swng_loop *loop)
{
    CURLMsg *msg;
    swng_request *r, *next;
    long long now;
    int n, progress, started = 0;

    if (loop->active) /* no transfer in libcurl: no message */
        while ((msg = curl_multi_info_read(loop->multi, &n)) != NULL) {
            if (msg->msg != CURLMSG_DONE || !(r = job_of(loop, msg->easy_handle))) continue;
            curl_multi_remove_handle(loop->multi, r->x.h);
            loop->active--;
            r->x.state = SWNG__X_IDLE; /* out of libcurl */
            swng__xfer_attempt_done(loop->client, &r->x, msg->data.result);
            if (r->x.state == SWNG__X_DONE) {
                give_handle(loop, r->x.h);
                r->x.h = NULL;
            }
        }
    loop->dirty = 0;
    if (cancel_requested(loop))
        for (r = loop->head; r; r = r->next) r->cancelled = 1;
    do {
        progress = 0;
        now = -1; /* read when a retry wait is checked */
        for (r = loop->head; r; r = next) {
            next = r->next;
            if (r->finished) continue;
            if (r->cancelled) {
                cancel_job(loop, r);
                continue;
            }
            if (r->x.state == SWNG__X_WAIT) {
                if (now < 0) now = swng__now_ms();
                if (now >= r->x.retry_at) r->x.state = SWNG__X_PENDING;
            }
            if (r->x.state == SWNG__X_PENDING) {
                start_attempt(loop, r);
                if (r->x.state == SWNG__X_ACTIVE) started++;
            }
            if (r->x.state == SWNG__X_DONE) {
                r->x.state = SWNG__X_IDLE;
                if (r->then(r) == SWNG__MORE) progress = 1;
            }
        }
    } while (progress);
    return started;
}

/* A public loop's pass: sockets and timers (after waiting up to wait_ms
 * for the descriptor), then the work. */
static void run_sockets(swng_loop *loop, long wait_ms)
{
    struct epoll_event ev[32];
    int n, i, running;

    watch_cancel(loop);
    n = epoll_wait(loop->epfd, ev, 32, wait_ms < 0 ? -1 : (int)(wait_ms > 1000000 ? 1000000 : wait_ms));
    for (i = 0; i < n; i++) {
        int fd = ev[i].data.fd, mask = 0;
        if (fd == loop->wakefd) {
            uint64_t v;
            while (read(loop->wakefd, &v, sizeof v) > 0) {
            }
            loop->wake_pending = 0;
            continue;
        }
        if (fd == loop->cancel_fd) continue; /* seen by work */
        if (ev[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
        if (ev[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (ev[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(loop->multi, fd, mask, &running);
    }
    for (;;) {
        /* libcurl's timer; after the first round it is due only when new
         * handles were added: libcurl starts them now rather than at the
         * next call, and a transfer may even end in that call, so its
         * message is read before returning (else a blocking wait would
         * never end). */
        if (loop->curl_deadline >= 0 && swng__now_ms() >= loop->curl_deadline) {
            loop->curl_deadline = -1;
            curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        work(loop);
        if (loop->curl_deadline < 0 || swng__now_ms() < loop->curl_deadline) break;
    }
}

/* A private loop's pass: waits up to wait_ms (0: not at all) for libcurl's
 * sockets, its timer or the cancel handle, lets libcurl run its transfers,
 * then the work; attempts that the work started are run at once (as the
 * socket API's timer does), and a transfer may even end in that call, so
 * its message is read before returning (else a blocking wait would never
 * end). */
static void run_perform(swng_loop *loop, long wait_ms)
{
    int running, again;
    if (wait_ms != 0) {
        struct curl_waitfd w;
        const swng_cancel *k = loop->client->cancel;
        /* The cancel descriptor is level-triggered here: once triggered,
         * every job of this loop ends in this pass. A signal (EINTR) ends
         * the wait too. */
        if (k) {
            w.fd = k->fd;
            w.events = CURL_WAIT_POLLIN;
            w.revents = 0;
        }
        curl_multi_poll(loop->multi, k ? &w : NULL, k ? 1u : 0u,
                        wait_ms < 0 || wait_ms > 1000000 ? 1000000 : (int)wait_ms, NULL);
    }
    again = loop->active != 0;
    for (;;) {
        if (again) curl_multi_perform(loop->multi, &running);
        if (!work(loop)) break;
        again = 1;
    }
}

/* One pass of work: libcurl fed (after waiting up to wait_ms), finished
 * attempts, due retries, cancels, jobs' next transfers. Leaves ended jobs
 * for the caller to deliver. */
static void run_once(swng_loop *loop, long wait_ms)
{
    if (loop->perform)
        run_perform(loop, wait_ms);
    else
        run_sockets(loop, wait_ms);
}

static long jobs_timeout(const swng_loop *loop);
static long batches_timeout(const swng_loop *loop, long t);

static long loop_timeout(const swng_loop *loop)
{
    long t = jobs_timeout(loop);
    return t == 0 || !loop->nbatches ? t : batches_timeout(loop, t);
}

static long jobs_timeout(const swng_loop *loop)
{
    long long t = loop->curl_deadline, now;
    const swng_request *r;
    /* Nothing in flight: no timer. (A job that ended in the last step left
     * `dirty` set; it was delivered since, and must not wake the host. A
     * private loop has no wake descriptor: a batch's wake-up is `dirty`.) */
    if (loop->pending == 0) return loop->perform && loop->dirty ? 0 : -1;
    if (loop->dirty) return 0;
    for (r = loop->head; r; r = r->next) {
        if (r->finished || r->cancelled || r->x.state == SWNG__X_PENDING ||
            r->x.state == SWNG__X_DONE)
            return 0;
        if (r->x.state == SWNG__X_WAIT && (t < 0 || r->x.retry_at < t)) t = r->x.retry_at;
    }
    if (t < 0) return -1;
    now = swng__now_ms();
    return t <= now ? 0 : (t - now > 2147483647LL ? 2147483647L : (long)(t - now));
}

static void wake(swng_loop *loop);
static void deliver(swng_loop *loop);

/* ------------------------------------------------------------ batches */

void swng__loop_add_batch(swng_loop *loop, swng_batch *b)
{
    if (loop->nbatches == loop->capbatches) {
        size_t cap = loop->capbatches ? loop->capbatches * 2 : 4;
        swng_batch **p = realloc(loop->batches, cap * sizeof *p);
        if (!p) return; /* not pumped by steps; swng_batch_run drives it */
        loop->batches = p;
        loop->capbatches = cap;
    }
    loop->batches[loop->nbatches++] = b;
}

void swng__loop_remove_batch(swng_loop *loop, swng_batch *b)
{
    size_t i;
    for (i = 0; i < loop->nbatches; i++)
        if (loop->batches[i] == b) {
            loop->batches[i] = loop->batches[--loop->nbatches];
            return;
        }
}

static long batches_timeout(const swng_loop *loop, long t)
{
    size_t i;
    long long now = -1;
    for (i = 0; i < loop->nbatches; i++) {
        long long due = swng__batch_due(loop->batches[i]);
        long w;
        if (due < 0) continue;
        if (now < 0) now = swng__now_ms();
        w = due <= now ? 0 : (due - now > 2147483647LL ? 2147483647L : (long)(due - now));
        if (t < 0 || w < t) t = w;
    }
    return t;
}

/* ------------------------------------------------- blocking: one path */

swng_loop *swng__loop_acquire(swng_client *c, swng_error **err)
{
    swng_loop *loop = swng__client_take_loop(c);
    if (!loop && !(loop = loop_make(c, 1))) swng__fail(err, SWNG_ENOMEM, "out of memory");
    return loop;
}

void swng__loop_release(swng_client *c, swng_loop *loop) { swng__client_give_loop(c, loop); }

int swng__job_run(swng_client *c, swng_request *r, struct swng__object **out, swng_error **err)
{
    swng_loop *loop;
    int status;
    unsigned int busy = 0;
    if (out) *out = NULL;
    if (!r->finished) {
        if (!(loop = swng__loop_acquire(c, err))) {
            swng__job_free_state(r);
            return SWNG_ENOMEM;
        }
        r->blocking = 1;
        link_job(loop, r);
        while (!r->finished) {
            long wait = loop_timeout(loop);
            if (c->interrupt && (wait < 0 || wait > SWNG_INTERRUPT_INTERVAL_MS))
                wait = SWNG_INTERRUPT_INTERVAL_MS;
            if (cancel_requested(loop)) wait = 0;
            run_once(loop, wait);
            /* After a wait (which a signal may have cut short); a pass that
             * did not wait took no time worth checking (every few, all the
             * same, should work keep the loop busy). */
            if (!r->finished && c->interrupt && (wait != 0 || ++busy % 8 == 0) &&
                c->interrupt(c->interrupt_payload)) {
                r->cancelled = 1;
                run_once(loop, 0);
            }
        }
        unlink_job(loop, r);
        swng__loop_release(c, loop);
    }
    status = r->status;
    if (out)
        *out = r->result;
    else
        swng__object_free(r->result);
    if (err)
        *err = r->error;
    else
        swng_error_free(r->error);
    return status;
}

/* --------------------------------------------------- non-blocking API */

int swng_loop_new(swng_loop **out, swng_client *client, swng_error **err)
{
    if (err) *err = NULL;
    if (!out) return swng__fail_arg(err, "out", "out must not be NULL");
    *out = NULL;
    if (!client) return swng__fail_arg(err, "client", "client must not be NULL");
    swng__client_check_fork(client);
    if (!(*out = loop_make(client, 0))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    return SWNG_OK;
}

static int loop_usable(const swng_loop *loop, swng_error **err)
{
    if (!loop) return swng__fail_arg(err, "loop", "loop must not be NULL");
    if (loop->pid != swng__pid())
        return swng__fail_arg(err, "loop",
                              "loop was made in another process (after fork(), make a new one)");
    if (loop->closing)
        return swng__fail_arg(err, "loop", "loop is being freed (called from a callback of "
                                           "swng_loop_free)");
    return SWNG_OK;
}

/* Calls the callbacks of the jobs that ended, and frees them. */
static void deliver(swng_loop *loop)
{
    swng_request *r, *next;
    size_t i;
    loop->delivering = 1;
    for (r = loop->head; r; r = next) {
        next = r->next;
        if (!r->finished || r->blocking) continue;
        unlink_job(loop, r);
        if (!r->cb) { /* kept for swng_loop_take */
            r->next = NULL;
            if (loop->done_tail)
                loop->done_tail->next = r;
            else
                loop->done_head = r;
            loop->done_tail = r;
            continue;
        }
        r->cb(r, r->status, r->result, r->error, r->payload);
        free(r->argbuf);
        free(r);
        /* The callback may have started jobs: they went to the head, and
         * are not finished yet. `next` is still linked (only this loop's
         * deliver unlinks). */
    }
    /* Batches start what the ended items made room for (their item
     * callbacks ran above). A batch may be freed by its owner only
     * outside delivery, so the array is stable here. */
    for (i = 0; i < loop->nbatches; i++) swng__batch_pump(loop->batches[i]);
    loop->delivering = 0;
}

int swng_loop_step(swng_loop *loop, swng_error **err)
{
    int rc;
    if (err) *err = NULL;
    if ((rc = loop_usable(loop, err)) != SWNG_OK) return rc;
    if (loop->delivering)
        return swng__fail_arg(err, "loop", "swng_loop_step called from a request's callback");
    run_once(loop, 0);
    deliver(loop);
    return (int)(loop->pending > 2147483647u ? 2147483647u : loop->pending);
}

int swng_loop_wait(swng_loop *loop, long max_ms, swng_error **err)
{
    long wait;
    int rc;
    if (err) *err = NULL;
    if ((rc = loop_usable(loop, err)) != SWNG_OK) return rc;
    if (loop->delivering)
        return swng__fail_arg(err, "loop", "swng_loop_wait called from a request's callback");
    wait = loop_timeout(loop);
    if (swng_loop_pending(loop) == 0) wait = 0;
    if (max_ms >= 0 && (wait < 0 || wait > max_ms)) wait = max_ms;
    run_once(loop, wait);
    deliver(loop);
    return (int)(loop->pending > 2147483647u ? 2147483647u : loop->pending);
}

int swng_loop_fd(const swng_loop *loop) { return loop ? loop->epfd : -1; }

long swng_loop_timeout(swng_loop *loop)
{
    if (!loop) return -1;
    if (cancel_requested(loop) && loop->pending) return 0;
    return loop_timeout(loop);
}

size_t swng_loop_pending(const swng_loop *loop)
{
    size_t n, i;
    if (!loop) return 0;
    n = loop->pending;
    for (i = 0; i < loop->nbatches; i++) n += swng_batch_waiting(loop->batches[i]);
    return n;
}

void swng__loop_wake(swng_loop *loop) { if (loop) wake(loop); }

swng_client *swng__loop_client(const swng_loop *loop) { return loop->client; }

void swng__loop_drive(swng_loop *loop, long max_ms)
{
    long wait = loop_timeout(loop);
    if (max_ms >= 0 && (wait < 0 || wait > max_ms)) wait = max_ms;
    run_once(loop, wait);
    deliver(loop);
}

static void wake(swng_loop *loop)
{
    uint64_t one = 1;
    loop->dirty = 1;
    /* A private loop is not waiting: its own thread is here. One write
     * until the descriptor is read is enough (one per step, not one per
     * request started). */
    if (loop->perform || loop->wake_pending) return;
    loop->wake_pending = 1;
    if (write(loop->wakefd, &one, sizeof one) < 0) {
        /* full counter: the descriptor is readable anyway */
    }
}

void swng_request_cancel(swng_request *r)
{
    if (!r || r->finished) return;
    r->cancelled = 1;
    if (r->loop) wake(r->loop);
}

void swng_loop_cancel_all(swng_loop *loop)
{
    swng_request *r;
    if (!loop) return;
    for (r = loop->head; r; r = r->next)
        if (!r->finished) r->cancelled = 1;
    wake(loop);
}

swng_request *swng_loop_take(swng_loop *loop)
{
    swng_request *r = loop ? loop->done_head : NULL;
    if (!r) return NULL;
    loop->done_head = r->next;
    if (!loop->done_head) loop->done_tail = NULL;
    r->next = NULL;
    r->loop = NULL;
    return r;
}

int swng_request_status(const swng_request *r) { return r ? r->status : SWNG_EINVAL; }

unsigned long swng_request_id(const swng_request *r) { return r ? r->id : 0; }

void *swng_request_take_result(swng_request *r)
{
    void *o = r ? r->result : NULL;
    if (r) r->result = NULL;
    return o;
}

swng_error *swng_request_take_error(swng_request *r)
{
    swng_error *e = r ? r->error : NULL;
    if (r) r->error = NULL;
    return e;
}

void swng_request_free(swng_request *r)
{
    if (!r || r->loop) return; /* only taken requests are the caller's */
    swng__object_free(r->result);
    swng_error_free(r->error);
    free(r->argbuf);
    free(r);
}

void swng_loop_free(swng_loop *loop)
{
    swng_request *r;
    if (!loop) return;
    if (loop->pid == swng__pid()) {
        /* The callbacks below may try to start requests: refused, as
         * nothing would ever call them back. */
        loop->closing = 1;
        for (r = loop->head; r; r = r->next)
            if (!r->finished) cancel_job(loop, r);
        deliver(loop);
        while ((r = swng_loop_take(loop)) != NULL) swng_request_free(r);
        while (loop->nbatches) swng__batch_detach(loop->batches[--loop->nbatches]);
        free(loop->batches);
        loop->batches = NULL;
        swng__loop_destroy(loop);
    } else {
        /* A child's copy: the descriptors and connections are the
         * parent's; only memory is freed. */
        while ((r = loop->head) != NULL) {
            unlink_job(loop, r);
            free(r->argbuf);
            free(r);
        }
        free(loop);
    }
}

/* A new job for a start function: attached to loop once begun. */
static int job_new(swng_request **r, swng_loop *loop, swng_request_cb cb, void *payload,
                   swng_error **err)
{
    int rc;
    *r = NULL;
    if ((rc = loop_usable(loop, err)) != SWNG_OK) return rc;
    if (!(*r = calloc(1, sizeof **r))) return swng__fail(err, SWNG_ENOMEM, "out of memory");
    (*r)->client = loop->client;
    (*r)->cb = cb;
    (*r)->payload = payload;
    return SWNG_OK;
}

static int job_started(swng_request **out, swng_loop *loop, swng_request *r, int rc)
{
    if (rc < 0) { /* refused before anything was sent */
        swng__job_free_state(r);
        free(r->argbuf);
        free(r);
        return rc;
    }
    r->id = ++loop->next_id;
    link_job(loop, r);
    wake(loop);
    if (out) *out = r;
    return SWNG_OK;
}

int swng_request_start(swng_request **out, swng_loop *loop, int op, const char *const *args,
                       const size_t *lens, size_t nargs, swng_request_cb cb, void *payload,
                       swng_error **err)
{
    struct swng__arg a[4];
    swng_request *r;
    size_t i, total = 0;
    char *p;
    int rc;
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (nargs > 4 || (nargs && !args))
        return swng__fail_arg(err, "args", "args must hold the operation's arguments (at most 4)");
    if ((rc = job_new(&r, loop, cb, payload, err)) != SWNG_OK) return rc;
    /* The arguments are copied: the caller's may go away before the job
     * ends. */
    for (i = 0; i < nargs; i++)
        if (args[i]) total += (lens ? lens[i] : strlen(args[i])) + 1;
    if (total && !(r->argbuf = malloc(total))) {
        free(r);
        return swng__fail(err, SWNG_ENOMEM, "out of memory");
    }
    memset(a, 0, sizeof a);
    for (i = 0, p = r->argbuf; i < nargs; i++) {
        if (!args[i]) continue;
        a[i].len = lens ? lens[i] : strlen(args[i]);
        memcpy(p, args[i], a[i].len);
        p[a[i].len] = '\0';
        a[i].value = p;
        p += a[i].len + 1;
    }
    rc = swng__start_op(r, loop->client, op, a, nargs, err);
    return job_started(out, loop, r, rc);
}

int swng_cursor_fetch(swng_request **out, swng_loop *loop, swng_cursor *cursor,
                      swng_request_cb cb, void *payload, swng_error **err)
{
    swng_request *r;
    int rc;
    if (err) *err = NULL;
    if (out) *out = NULL;
    if (!cursor) return swng__fail_arg(err, "cursor", "cursor must not be NULL");
    if ((rc = job_new(&r, loop, cb, payload, err)) != SWNG_OK) return rc;
    rc = swng__job_begin_fetch(r, cursor, err);
    return job_started(out, loop, r, rc);
}

int swng__job_start(swng_request **out, swng_loop *loop,
                    int (*begin)(swng_request *r, void *ctx, swng_error **err), void *ctx,
                    swng_request_cb cb, void *payload, swng_error **err)
{
    swng_request *r;
    int rc;
    if (out) *out = NULL;
    if ((rc = job_new(&r, loop, cb, payload, err)) != SWNG_OK) return rc;
    rc = begin(r, ctx, err);
    return job_started(out, loop, r, rc);
}

void swng__discard(swng_request *r, int status, void *result, swng_error *err, void *payload)
{
    (void)r;
    (void)status;
    (void)payload;
    swng__object_free(result);
    swng_error_free(err);
}
