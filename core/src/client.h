/* client.h - the client's internals, shared by client.c and the engine. */
#ifndef SWNG_CLIENT_H
#define SWNG_CLIENT_H

#include "internal.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/types.h>

struct swng_client {
    char *base_url; /* scheme://host[:port], no trailing slash */
    char *project_id;
    char *token;
    /* What error texts are cleaned of: the token and Base64(project:token)
     * in the standard and URL-safe alphabets (see make_secrets). */
    struct swng__secret secrets[4];
    char *ca_file;
    char *proxy;       /* http://host:port, set only for https:// non-loopback */
    int base_loopback; /* the base URL's host is loopback */
    long connect_timeout_ms;
    long timeout_ms;
    unsigned int max_retries;
    long retry_base_ms;
    long retry_max_ms;
    /* Request headers: with Content-Type for requests with a body, and
     * without it for the others. */
    struct curl_slist *headers_body;
    struct curl_slist *headers;

    /* Idle private loops of the blocking calls, most recently used on top,
     * so that sequential calls reuse the same loop and so its kept-alive
     * connections. Each loop has its own connection cache: libcurl does
     * not support sharing one between concurrent threads. DNS and TLS
     * sessions are shared through `share`. */
    pthread_mutex_t pool_lock;
    swng_loop **pool;
    size_t pool_len;
    size_t pool_cap;
    /* One more idle private loop, taken and given back with atomic
     * exchanges (no lock): a client used by one thread at a time, the
     * common case, never takes pool_lock. */
    swng_loop *hot;

    /* What cancels this client's calls (swng_client_set_cancel,
     * swng_client_set_interrupt). */
    swng_cancel *cancel;
    swng_interrupt_fn interrupt;
    void *interrupt_payload;
    swng_trace_fn trace; /* swng_client_set_trace */
    void *trace_payload;

    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

    /* The process that owns the pool's connections. In a child after
     * fork() it differs from getpid(): the inherited handles and share are
     * then set aside (never used, never cleaned up, which could send a TLS
     * close_notify on a socket the parent still reads) and the child starts
     * afresh. Read and written with atomics. */
    pid_t pid;
    swng_loop **inherited_pool; /* set aside in a child: still reachable, never freed */
    swng_loop *inherited_hot;
    CURLSH *inherited_share;
};

/* A new easy handle with the client-wide options. */
CURL *swng__client_new_handle(swng_client *c);
/* Takes an idle private loop from the pool (NULL: none). */
swng_loop *swng__client_take_loop(swng_client *c);
/* Returns a private loop to the pool (or frees it if the pool is full). */
void swng__client_give_loop(swng_client *c, swng_loop *loop);
/* In a child after fork(): sets the parent's connections aside. */
void swng__client_check_fork(swng_client *c);

/* This process's id, cheap after the first call (client.c): it changes in a
 * child after fork(), like getpid(), without a system call per request. */
pid_t swng__pid(void);

#endif
