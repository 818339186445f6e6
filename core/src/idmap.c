/* idmap.c - the one set/map of the core: 128-bit keys (a UUID's own bits,
 * or two hashes of any other text) to fixed-size values, open addressing.
 * Used by the cursors (fetched URLs), batches (ids started, the group's
 * memberships) and sync plans. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20; /* letters without case */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

struct swng__key swng__key_of(const char *s, size_t n, int fold)
{
    struct swng__key k = {0, 0};
    size_t i;
    int d = 0;
    if (swng__is_uuid(s, n)) {
        /* Exact: two UUIDs share a key only when they are the same UUID
         * (without case), so no collision can merge two numbers. */
        for (i = 0; i < n; i++) {
            int v = hexval((unsigned char)s[i]);
            if (v < 0) continue; /* a hyphen */
            if (d++ < 16)
                k.hi = k.hi << 4 | (unsigned)v;
            else
                k.lo = k.lo << 4 | (unsigned)v;
        }
        return k;
    }
    /* Anything else: FNV-1a (swng__hash) and a second FNV-1a from another
     * basis: two texts share a key only if both hashes collide. */
    k.hi = swng__hash(s, n, fold);
    k.lo = 0x84222325CBF29CE4ULL;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (fold && ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch - 'A' + 'a');
        k.lo = (k.lo ^ ch) * 0x100000001B3ULL;
    }
    return k;
}

static size_t slot_of(const struct swng__map *m, struct swng__key k)
{
    return (size_t)((k.hi ^ (k.lo * 0x9E3779B97F4A7C15ULL)) % m->cap);
}

static void *val_at(const struct swng__map *m, size_t i)
{
    return m->vals + i * m->vsize;
}

void swng__map_init(struct swng__map *m, size_t vsize)
{
    memset(m, 0, sizeof *m);
    m->vsize = vsize;
}

void *swng__map_get(const struct swng__map *m, struct swng__key k)
{
    size_t i;
    if (!m->cap) return NULL;
    for (i = slot_of(m, k); m->used[i]; i = (i + 1) % m->cap)
        if (m->keys[i].hi == k.hi && m->keys[i].lo == k.lo) return val_at(m, i);
    return NULL;
}

static int grow(struct swng__map *m)
{
    struct swng__map t = *m;
    size_t k, i;
    t.cap = m->cap ? m->cap * 2 : 16;
    t.n = 0;
    t.keys = malloc(t.cap * sizeof *t.keys);
    t.used = calloc(t.cap, 1);
    t.vals = malloc(t.cap * (m->vsize ? m->vsize : 1));
    if (!t.keys || !t.used || !t.vals) {
        free(t.keys);
        free(t.used);
        free(t.vals);
        return -1;
    }
    for (k = 0; k < m->cap; k++) {
        if (!m->used[k]) continue;
        for (i = slot_of(&t, m->keys[k]); t.used[i]; i = (i + 1) % t.cap) {
        }
        t.used[i] = 1;
        t.keys[i] = m->keys[k];
        if (m->vsize) memcpy(val_at(&t, i), val_at(m, k), m->vsize);
        t.n++;
    }
    swng__map_free(m);
    *m = t;
    return 0;
}

void *swng__map_put(struct swng__map *m, struct swng__key k, int *added)
{
    size_t i;
    void *v;
    *added = 0;
    if ((v = swng__map_get(m, k)) != NULL) return v;
    /* At most three quarters full: probes stay short (about 2.5 for a hit
     * with linear probing) and a batch's duplicate set stays small. */
    if (4 * (m->n + 1) > 3 * m->cap && grow(m) < 0) return NULL;
    for (i = slot_of(m, k); m->used[i]; i = (i + 1) % m->cap) {
    }
    m->used[i] = 1;
    m->keys[i] = k;
    m->n++;
    *added = 1;
    v = val_at(m, i);
    memset(v, 0, m->vsize);
    return v;
}

void swng__map_free(struct swng__map *m)
{
    free(m->keys);
    free(m->used);
    free(m->vals);
    m->keys = NULL;
    m->used = NULL;
    m->vals = NULL;
    m->n = m->cap = 0;
}
