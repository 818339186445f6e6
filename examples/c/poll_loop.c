/* poll_loop.c - the non-blocking API in a plain poll() loop: find a group
 * and several numbers at once, add the numbers to the group (all in
 * flight together), then page through the group's members, without ever
 * blocking in libswng. Ctrl-C cancels whatever is in flight.
 *
 *     export SIGNALWIRE_PROJECT_ID=...  SIGNALWIRE_API_TOKEN=...  SIGNALWIRE_SPACE=example
 *     cc poll_loop.c $(pkg-config --cflags --libs swng) -o poll_loop
 *     ./poll_loop Sales +15551230001 +41445550002
 *
 * A host with its own event loop (libuv, glib, asyncio...) watches
 * swng_loop_fd() for reading and arms a timer from swng_loop_timeout()
 * instead of calling poll() itself; everything else is the same.
 */
#include <swng.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define MAX_NUMBERS 32

static swng_cancel *cancel; /* triggered by Ctrl-C (async-signal-safe) */

static void on_sigint(int sig)
{
    (void)sig;
    swng_cancel_trigger(cancel);
}

/* What the program knows so far; the callbacks fill it in. */
struct state {
    swng_number_group *group;
    swng_phone_number *numbers[MAX_NUMBERS];
    int failed;
};

static void report(const char *what, int status, swng_error *err, struct state *s)
{
    fprintf(stderr, "poll_loop: %s: %s [%s]\n", what, swng_error_message(err),
            swng_status_name(status));
    swng_error_free(err);
    s->failed = 1;
}

/* The callbacks run inside swng_loop_step, on this thread. result and err
 * are ours. */
static void on_group(swng_request *req, int status, void *result, swng_error *err, void *payload)
{
    struct state *s = payload;
    (void)req;
    if (status != SWNG_OK) return report("find group", status, err, s);
    s->group = result;
}

static void on_number(swng_request *req, int status, void *result, swng_error *err,
                      void *payload)
{
    struct state *s = payload;
    /* Request ids are 1, 2, ... in start order: the group was 1. */
    unsigned long long i = swng_request_id(req) - 2;
    if (status != SWNG_OK) return report("find number", status, err, s);
    s->numbers[i] = result;
}

static void on_added(swng_request *req, int status, void *result, swng_error *err, void *payload)
{
    struct state *s = payload;
    swng_membership *m = result;
    (void)req;
    if (status != SWNG_OK) return report("add number", status, err, s);
    printf("%s %s\n", swng_membership_phone_number_number(m),
           swng_membership_existed(m) ? "was already there" : "added");
    swng_membership_free(m);
}

static void on_page(swng_request *req, int status, void *result, swng_error *err, void *payload)
{
    (void)req;
    (void)result; /* NULL: the page waits in the cursor */
    if (status != SWNG_OK) report("list members", status, err, payload);
}

/* Runs the loop until nothing is in flight: poll() on its descriptor, for
 * no longer than its timeout, then a step (which calls the callbacks). */
static int run(swng_loop *loop)
{
    swng_error *err = NULL;
    while (swng_loop_pending(loop) > 0) {
        struct pollfd p;
        p.fd = swng_loop_fd(loop);
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, (int)swng_loop_timeout(loop)) < 0 && errno != EINTR) {
            perror("poll");
            return 1;
        }
        if (swng_loop_step(loop, &err) < 0) {
            fprintf(stderr, "poll_loop: %s\n", swng_error_message(err));
            swng_error_free(err);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct state s;
    swng_client *client = NULL;
    swng_loop *loop = NULL;
    swng_cursor *cursor = NULL;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    struct sigaction sa;
    int i, n = argc - 2, rc, status = 1;

    if (argc < 3 || n > MAX_NUMBERS) {
        fprintf(stderr, "usage: %s GROUP_NAME E164 [E164...]\n", argv[0]);
        return 2;
    }
    memset(&s, 0, sizeof s);
    /* Credentials from SIGNALWIRE_* (NULL options); Ctrl-C cancels. */
    if (swng_client_new(&client, NULL, &err) != SWNG_OK ||
        swng_cancel_new(&cancel, &err) != SWNG_OK || swng_loop_new(&loop, client, &err) != SWNG_OK) {
        fprintf(stderr, "poll_loop: %s\n", swng_error_message(err));
        goto out;
    }
    swng_client_set_cancel(client, cancel);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    /* 1. The group and every number, looked up at once. */
    {
        const char *name[1];
        name[0] = argv[1];
        if (swng_request_start(NULL, loop, SWNG_OP_NUMBER_GROUP_FIND, name, NULL, 1, on_group, &s,
                               &err) != SWNG_OK)
            goto refused;
    }
    for (i = 0; i < n; i++) {
        const char *e164[1];
        e164[0] = argv[2 + i];
        /* Bad arguments are refused here, before anything is sent. */
        if (swng_request_start(NULL, loop, SWNG_OP_PHONE_NUMBER_FIND, e164, NULL, 1, on_number, &s,
                               &err) != SWNG_OK)
            goto refused;
    }
    if (run(loop) || s.failed) goto out;
    printf("group %s\n", swng_number_group_name(s.group));

    /* 2. Every number added to the group, all in flight together ("return":
     *    a number already there is not an error). */
    for (i = 0; i < n; i++) {
        const char *args[3];
        args[0] = swng_number_group_id(s.group);
        args[1] = swng_phone_number_id(s.numbers[i]);
        args[2] = "return";
        if (swng_request_start(NULL, loop, SWNG_OP_MEMBERSHIP_CREATE, args, NULL, 3, on_added, &s,
                               &err) != SWNG_OK)
            goto refused;
    }
    if (run(loop) || s.failed) goto out;

    /* 3. The group's members, page by page: the loop fetches a page, then
     *    _next hands out its items without blocking. */
    if (swng_membership_list(&cursor, client, swng_number_group_id(s.group), 0, &err) != SWNG_OK)
        goto refused;
    for (;;) {
        if (swng_cursor_needs_fetch(cursor)) {
            if (swng_cursor_fetch(NULL, loop, cursor, on_page, &s, &err) != SWNG_OK) goto refused;
            if (run(loop) || s.failed) goto out;
        }
        rc = swng_membership_next(cursor, &m, &err);
        if (rc != SWNG_OK) goto refused;
        if (!m) break; /* the end of the list */
        printf("in %s: %s (%s)\n", swng_number_group_name(s.group),
               swng_membership_phone_number_number(m), swng_membership_phone_number_name(m));
        swng_membership_free(m);
    }
    status = 0;
    goto out;
refused:
    fprintf(stderr, "poll_loop: %s [%s]\n", swng_error_message(err), swng_error_code_name(err));
out:
    swng_error_free(err);
    swng_cursor_free(cursor);
    swng_loop_free(loop); /* anything still in flight is cancelled first */
    for (i = 0; i < MAX_NUMBERS; i++) swng_phone_number_free(s.numbers[i]);
    swng_number_group_free(s.group);
    swng_client_set_cancel(client, NULL);
    swng_cancel_free(cancel);
    swng_client_free(client);
    return status;
}
