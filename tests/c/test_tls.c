/* test_tls.c - TLS verification against an HTTPS space (with_space.py
 * --tls-cert, a self-signed certificate for IP 127.0.0.1 only, exported as
 * SWNG_TEST_CA_FILE). Verification is on by default and cannot be skipped:
 * only the right CA, by option or environment, and the right host, work. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ca_file(void) { return getenv("SWNG_TEST_CA_FILE"); }

/* The unrelated certificate beside the space's (make_certs.sh). */
static void other_ca(char *buf, size_t n)
{
    const char *slash;
    snprintf(buf, n, "%s", ca_file());
    slash = strrchr(buf, '/');
    if (slash) snprintf(buf + (slash - buf) + 1, n - (size_t)(slash - buf) - 1, "other.pem");
}

/* One call with these options: the status, and the journal's length after. */
static int call(swng_client_options *o, const char *phone, swng_error **err)
{
    swng_client *c = NULL;
    swng_membership *m = NULL;
    int rc;
    *err = NULL;
    rc = swng_client_new(&c, o, err);
    if (rc == SWNG_OK) rc = swng_membership_create(&m, c, TH_GROUP_SALES, phone, err);
    if (rc == SWNG_OK) {
        CHECK_STR_EQ(swng_membership_phone_number_id(m), phone);
        CHECK_INT_EQ(swng_membership_http_status(m), 200);
    }
    swng_membership_free(m);
    swng_client_free(c);
    return rc;
}

static void test_https_base_url(void)
{
    REQUIRE(ca_file() != NULL);
    CHECK_MSG(strncmp(th_base_url(), "https://", 8) == 0, "base url %s", th_base_url());
}

static void test_verified_with_ca_file_option(void)
{
    swng_client_options o;
    swng_error *err;
    th_space_options(&o);
    o.ca_file = ca_file();
    CHECK_RC(call(&o, TH_PHONE_MAIN, &err), SWNG_OK, err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 1);
}

static void test_verified_with_ca_file_from_env(void)
{
    swng_client_options o;
    swng_error *err;
    th_space_options(&o);
    setenv("SIGNALWIRE_REST_CA_FILE", ca_file(), 1);
    CHECK_RC(call(&o, TH_PHONE_ZURICH, &err), SWNG_OK, err);
    unsetenv("SIGNALWIRE_REST_CA_FILE");
    swng_error_free(err);
}

/* The system store does not know a self-signed certificate: refused before
 * any HTTP is sent, so the space never sees a request. */
static void test_untrusted_certificate_refused(void)
{
    swng_client_options o;
    swng_error *err;
    th_space_options(&o);
    CHECK_RC(call(&o, TH_PHONE_SPARE, &err), SWNG_ETRANSPORT, err);
    CHECK_STR_CONTAINS(swng_error_message(err), "certificate");
    CHECK_INT_EQ(swng_error_http_status(err), 0);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 0);
}

static void test_wrong_ca_refused(void)
{
    swng_client_options o;
    swng_error *err;
    char other[1024];
    other_ca(other, sizeof other);
    th_space_options(&o);
    o.ca_file = other;
    CHECK_RC(call(&o, TH_PHONE_SPARE, &err), SWNG_ETRANSPORT, err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 0);
}

/* The right CA but another name: the certificate is for 127.0.0.1 only, so
 * https://localhost:PORT fails host verification. */
static void test_wrong_host_refused(void)
{
    swng_client_options o;
    swng_error *err;
    char url[256];
    const char *port = strrchr(th_base_url(), ':');
    REQUIRE(port != NULL);
    snprintf(url, sizeof url, "https://localhost%s", port);
    th_space_options(&o);
    o.base_url = url;
    o.ca_file = ca_file();
    CHECK_RC(call(&o, TH_PHONE_SPARE, &err), SWNG_ETRANSPORT, err);
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 0);
}

/* Plain http:// to the TLS port is a transport failure, never a downgrade. */
static void test_plain_http_to_tls_port_fails(void)
{
    swng_client_options o;
    swng_error *err;
    char url[256];
    snprintf(url, sizeof url, "http://%s", th_base_url() + strlen("https://"));
    th_space_options(&o);
    o.base_url = url;
    o.timeout_ms = 3000;
    CHECK_MSG(call(&o, TH_PHONE_SPARE, &err) != SWNG_OK, "plain http to a TLS port succeeded");
    swng_error_free(err);
    CHECK_INT_EQ(th_journal_count(), 0);
}

int main(int argc, char **argv)
{
    static const th_test tests[] = {
        {"https_base_url", test_https_base_url},
        {"verified_with_ca_file_option", test_verified_with_ca_file_option},
        {"verified_with_ca_file_from_env", test_verified_with_ca_file_from_env},
        {"untrusted_certificate_refused", test_untrusted_certificate_refused},
        {"wrong_ca_refused", test_wrong_ca_refused},
        {"wrong_host_refused", test_wrong_host_refused},
        {"plain_http_to_tls_port_fails", test_plain_http_to_tls_port_fails},
    };
    return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]);
}
