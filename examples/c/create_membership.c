/* Minimal use of libswng: add a phone number to a number group.
 *
 * Build against the installed library:
 *   cc create_membership.c $(pkg-config --cflags --libs swng) -o create_membership
 * Run (credentials and space from the environment):
 *   SIGNALWIRE_PROJECT_ID=... SIGNALWIRE_API_TOKEN=... SIGNALWIRE_SPACE=example \
 *     ./create_membership NUMBER_GROUP_ID PHONE_NUMBER_ID
 */
#include <stdio.h>
#include <swng.h>

int main(int argc, char **argv)
{
    swng_client *client = NULL;
    swng_membership *m = NULL;
    swng_error *err = NULL;
    size_t i;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: %s NUMBER_GROUP_ID PHONE_NUMBER_ID\n", argv[0]);
        return 2;
    }
    /* NULL options: everything comes from SIGNALWIRE_* environment variables. */
    rc = swng_client_new(&client, NULL, &err);
    if (rc == SWNG_OK) rc = swng_membership_create(&m, client, argv[1], argv[2], &err);
    if (rc != SWNG_OK) {
        fprintf(stderr, "error: %s (%s, HTTP %ld)\n", swng_error_message(err),
                swng_error_code_name(err), swng_error_http_status(err));
        swng_error_free(err);
        swng_client_free(client);
        return 1;
    }
    printf("membership %s\n", swng_membership_id(m));
    printf("  group    %s\n", swng_membership_number_group_id(m));
    printf("  number   %s (%s)\n", swng_membership_phone_number_number(m),
           swng_membership_phone_number_name(m));
    printf("  can     ");
    for (i = 0; i < swng_membership_capability_count(m); i++)
        printf(" %s", swng_membership_capability(m, i));
    printf("\n  created  %s\n", swng_membership_created_at(m));
    swng_membership_free(m);
    swng_client_free(client);
    return 0;
}
