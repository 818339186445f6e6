/* group_tasks.c - the README's number-group tasks in C: find a group by
 * name, add a number by E.164, add without failing on numbers already
 * there, see what is in a group, remove a number.
 *
 *     export SIGNALWIRE_PROJECT_ID=...  SIGNALWIRE_API_TOKEN=...  SIGNALWIRE_SPACE=example
 *     cc group_tasks.c $(pkg-config --cflags --libs swng) -o group_tasks
 *     ./group_tasks Sales +15551230001
 */
#include <swng.h>

#include <stdio.h>

/* Prints err and returns 1 when rc is a failure. */
static int failed(int rc, const swng_error *err)
{
    if (rc == SWNG_OK) return 0;
    fprintf(stderr, "group_tasks: %s [%s]\n", swng_error_message(err), swng_error_code_name(err));
    return 1;
}

int main(int argc, char **argv)
{
    const char *group_name = argc > 1 ? argv[1] : "Sales";
    const char *e164 = argc > 2 ? argv[2] : "+15551230001";
    swng_client *client = NULL;
    swng_number_group *group = NULL;
    swng_phone_number *number = NULL;
    swng_membership *m = NULL;
    swng_cursor *cursor = NULL;
    swng_error *err = NULL;
    int rc, status = 1;

    /* Credentials from SIGNALWIRE_* (NULL options). */
    if (failed(swng_client_new(&client, NULL, &err), err)) goto out;

    /* Find a group by name (exactly that name; not_found or ambiguous). */
    if (failed(swng_number_group_find(&group, client, group_name, &err), err)) goto out;

    /* Add a number by E.164. */
    if (failed(swng_phone_number_find(&number, client, e164, &err), err)) goto out;
    rc = swng_membership_create(&m, client, swng_number_group_id(group),
                                swng_phone_number_id(number), &err);
    if (failed(rc, err)) goto out;
    swng_membership_free(m);

    /* Add without failing on numbers already there. */
    rc = swng_membership_create_ex(&m, client, swng_number_group_id(group),
                                   swng_phone_number_id(number), SWNG_IF_EXISTS_RETURN, &err);
    if (failed(rc, err)) goto out;
    printf("%s already there: %s\n", swng_membership_phone_number_number(m),
           swng_membership_existed(m) ? "yes" : "no");
    swng_membership_free(m);
    m = NULL;

    /* What is in a group: a cursor fetches the pages as they are needed. */
    if (failed(swng_membership_list(&cursor, client, swng_number_group_id(group), 0, &err), err))
        goto out;
    while ((rc = swng_membership_next(cursor, &m, &err)) == SWNG_OK && m) {
        printf("in %s: %s (%s)\n", swng_number_group_name(group),
               swng_membership_phone_number_number(m), swng_membership_phone_number_name(m));
        swng_membership_free(m);
    }
    m = NULL;
    if (failed(rc, err)) goto out;

    /* Remove a number. */
    rc = swng_number_group_remove_number(client, swng_number_group_id(group),
                                         swng_phone_number_id(number), &err);
    if (failed(rc, err)) goto out;
    printf("removed %s from %s\n", swng_phone_number_number(number), swng_number_group_name(group));
    status = 0;
out:
    swng_membership_free(m);
    swng_cursor_free(cursor);
    swng_phone_number_free(number);
    swng_number_group_free(group);
    swng_error_free(err);
    swng_client_free(client);
    return status;
}
