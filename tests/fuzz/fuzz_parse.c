/* fuzz_parse.c - libFuzzer target for the core's response parsers
 * (core/src/parse.c): swng__parse_membership for 2xx bodies and
 * swng__parse_error_body for error bodies, plus swng__redact on what they
 * produce. The first input byte picks the parser; the rest is the body.
 *
 * Besides the sanitizers' checks, it checks the parsers' promises: a
 * parsed membership has its required fields (id and number_group_id are
 * UUIDs), keeps the body verbatim, and a failure sets no membership and
 * carries SWNG_EPROTOCOL. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)              \
    do {                         \
        if (!(cond)) abort();    \
    } while (0)

static void check_membership(const swng_membership *m, const char *body, size_t len)
{
    size_t i, n;
    CHECK(swng_membership_id(m) && swng__is_uuid(swng_membership_id(m), strlen(swng_membership_id(m))));
    CHECK(swng_membership_number_group_id(m) &&
          swng__is_uuid(swng_membership_number_group_id(m),
                        strlen(swng_membership_number_group_id(m))));
    if (swng_membership_phone_number_id(m))
        CHECK(swng__is_uuid(swng_membership_phone_number_id(m),
                            strlen(swng_membership_phone_number_id(m))));
    CHECK(swng_membership_created_at(m) && swng_membership_updated_at(m));
    n = swng_membership_capability_count(m);
    for (i = 0; i < n; i++) CHECK(swng_membership_capability(m, i) != NULL);
    CHECK(swng_membership_capability(m, n) == NULL);
    CHECK(swng_membership_json(m) && memcmp(swng_membership_json(m), body, len) == 0 &&
          swng_membership_json(m)[len] == '\0');
    /* Only valid UTF-8 is accepted. */
    CHECK(swng__is_utf8(body, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body;
    size_t len;
    if (size < 1) return 0;
    body = (const char *)data + 1;
    len = size - 1;

    if (data[0] & 1) {
        swng_membership *m = (swng_membership *)&m;
        swng_error *err = NULL;
        int rc = swng__parse_membership(&m, body, len, &err);
        if (rc == SWNG_OK) {
            CHECK(m != NULL && err == NULL);
            check_membership(m, body, len);
            swng_membership_free(m);
        } else {
            CHECK(m == NULL);
            CHECK(rc == SWNG_EPROTOCOL || rc == SWNG_ENOMEM);
            CHECK(err != NULL && swng_error_code(err) == rc && *swng_error_message(err));
            swng_error_free(err);
        }
    } else {
        swng_error *e = swng__error_new(SWNG_EVALIDATION, "x");
        char *msg;
        size_t i;
        if (!e) return 0;
        msg = swng__parse_error_body(e, body, len);
        for (i = 0; i < swng_error_item_count(e); i++) {
            /* Touch every field: ASan sees any bad pointer. */
            const char *f[4];
            size_t k;
            f[0] = swng_error_item_detail(e, i);
            f[1] = swng_error_item_status(e, i);
            f[2] = swng_error_item_title(e, i);
            f[3] = swng_error_item_code(e, i);
            for (k = 0; k < 4; k++)
                if (f[k]) (void)strlen(f[k]);
        }
        CHECK(swng_error_item_detail(e, swng_error_item_count(e)) == NULL);
        if (msg) {
            /* Redaction never grows the string and removes every match. */
            size_t before = strlen(msg);
            const char *secret = "PTsecret";
            swng__redact(msg, secret);
            CHECK(strlen(msg) <= before);
            CHECK(strstr(msg, secret) == NULL);
            if (before > 2) {
                /* A secret taken from the message itself. */
                char s3[4];
                memcpy(s3, msg, 3);
                s3[3] = '\0';
                if (strlen(s3) == 3 && !strchr(s3, '*')) {
                    swng__redact(msg, s3);
                    CHECK(strstr(msg, s3) == NULL);
                }
            }
            free(msg);
        }
        swng_error_free(e);
    }
    return 0;
}
