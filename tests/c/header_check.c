/* header_check.c - compiled (syntax only) as C89, C99, C++98 and C++17
 * with -pedantic -Werror: swng.h must be self-contained (it comes first),
 * idempotent, and clean in every one of those languages. Uses every public
 * type, macro and function so that each declaration is checked. */
#include "swng.h"
#include "swng.h"

/* Compile-time checks that work in C89 and C++98 (a negative array size
 * fails to compile). */
typedef char swng_check_version_num[(SWNG_VERSION_NUM == ((SWNG_VERSION_MAJOR << 16) |
                                                          (SWNG_VERSION_MINOR << 8) |
                                                          SWNG_VERSION_PATCH))
                                        ? 1
                                        : -1];
typedef char swng_check_ok_is_zero[SWNG_OK == 0 ? 1 : -1];
typedef char swng_check_first[SWNG_STATUS_FIRST == SWNG_OK ? 1 : -1];
typedef char swng_check_last[SWNG_STATUS_LAST < SWNG_OK ? 1 : -1];
typedef char swng_check_options_version[SWNG_CLIENT_OPTIONS_VERSION >= 1 ? 1 : -1];

int swng_header_check(void);

int swng_header_check(void)
{
    static const char *const extra[] = {"X-Trace: 1", 0};
    swng_client_options opts = SWNG_CLIENT_OPTIONS_INIT;
    swng_client *client = 0;
    swng_error *err = 0;
    swng_membership *m = 0;
    swng_status st = SWNG_EPROTOCOL;
    const char *s;
    size_t n;
    long l;
    int rc;

    opts.base_url = "http://127.0.0.1:1";
    opts.headers = extra;
    opts.max_retries = 1u;
    rc = swng_client_options_init(&opts);
    rc = swng_client_new(&client, &opts, &err);
    s = swng_client_base_url(client);
    s = swng_client_project_id(client);
    rc = swng_membership_create(&m, client, "g", "p", &err);
    rc = swng_membership_create_n(&m, client, "g", 1, "p", 1, &err);
    s = swng_membership_id(m);
    s = swng_membership_number_group_id(m);
    s = swng_membership_phone_number_id(m);
    s = swng_membership_phone_number_name(m);
    s = swng_membership_phone_number_number(m);
    n = swng_membership_capability_count(m);
    s = swng_membership_capability(m, n);
    s = swng_membership_created_at(m);
    s = swng_membership_updated_at(m);
    l = swng_membership_http_status(m);
    s = swng_membership_request_id(m);
    s = swng_membership_json(m);
    rc = swng_error_code(err);
    s = swng_error_code_name(err);
    s = swng_error_message(err);
    l = swng_error_http_status(err);
    s = swng_error_request_id(err);
    s = swng_error_body(err);
    l = swng_error_retry_after(err);
    n = swng_error_item_count(err);
    s = swng_error_item_detail(err, 0);
    s = swng_error_item_status(err, 0);
    s = swng_error_item_title(err, 0);
    s = swng_error_item_code(err, 0);
    s = swng_strerror(st);
    s = swng_status_name(SWNG_ECLOSED);
    s = swng_version();
    rc = swng_version_num() == SWNG_VERSION_NUM;
    s = SWNG_VERSION;
    {
        swng_cursor *cur = 0;
        swng_number_group *g = 0;
        swng_phone_number *p = 0;
        rc = swng_number_group_list(&cur, client, "n", 10, &err);
        rc = swng_number_group_list_n(&cur, client, "n", 1, 0, &err);
        rc = swng_number_group_next(cur, &g, &err);
        n = swng_cursor_page_count(cur);
        rc = swng_number_group_create(&g, client, "n", 1, &err);
        rc = swng_number_group_create_n(&g, client, "n", 1, 0, &err);
        rc = swng_number_group_get(&g, client, "g", &err);
        rc = swng_number_group_get_n(&g, client, "g", 1, &err);
        rc = swng_number_group_update(&g, client, "g", "n", SWNG_KEEP, &err);
        rc = swng_number_group_update_n(&g, client, "g", 1, "n", 1, 1, &err);
        rc = swng_number_group_delete(client, "g", &err);
        rc = swng_number_group_delete_n(client, "g", 1, &err);
        rc = swng_number_group_find(&g, client, "n", &err);
        rc = swng_number_group_find_n(&g, client, "n", 1, &err);
        s = swng_number_group_id(g);
        s = swng_number_group_name(g);
        rc = swng_number_group_sticky_sender(g);
        l = swng_number_group_phone_number_count(g);
        l = swng_number_group_http_status(g);
        s = swng_number_group_request_id(g);
        s = swng_number_group_json(g);
        rc = swng_membership_create_ex(&m, client, "g", "p", SWNG_IF_EXISTS_RETURN, &err);
        rc = swng_membership_create_ex_n(&m, client, "g", 1, "p", 1, SWNG_IF_EXISTS_ERROR, &err);
        rc = swng_membership_existed(m);
        rc = swng_membership_list(&cur, client, "g", 0, &err);
        rc = swng_membership_list_n(&cur, client, "g", 1, 0, &err);
        rc = swng_membership_next(cur, &m, &err);
        rc = swng_membership_get(&m, client, "m", &err);
        rc = swng_membership_get_n(&m, client, "m", 1, &err);
        rc = swng_membership_delete(client, "m", &err);
        rc = swng_membership_delete_n(client, "m", 1, &err);
        rc = swng_number_group_remove_number(client, "g", "p", &err);
        rc = swng_number_group_remove_number_n(client, "g", 1, "p", 1, &err);
        rc = swng_phone_number_list(&cur, client, "+1", 0, SWNG_MAX_EMPTY_PAGES, &err);
        rc = swng_phone_number_list_n(&cur, client, "+1", 2, 0, 0, 0, &err);
        rc = swng_phone_number_next(cur, &p, &err);
        rc = swng_phone_number_get(&p, client, "p", &err);
        rc = swng_phone_number_get_n(&p, client, "p", 1, &err);
        rc = swng_phone_number_find(&p, client, "+15550100", &err);
        rc = swng_phone_number_find_n(&p, client, "+15550100", 9, &err);
        s = swng_phone_number_id(p);
        s = swng_phone_number_number(p);
        s = swng_phone_number_name(p);
        n = swng_phone_number_capability_count(p);
        s = swng_phone_number_capability(p, n);
        s = swng_phone_number_number_type(p);
        s = swng_phone_number_e911_address_id(p);
        s = swng_phone_number_e911_status(p);
        s = swng_phone_number_created_at(p);
        s = swng_phone_number_updated_at(p);
        l = swng_phone_number_http_status(p);
        s = swng_phone_number_request_id(p);
        s = swng_phone_number_json(p);
        s = swng_status_name(SWNG_EAMBIGUOUS);
        {
            swng_cancel *k = NULL;
            swng_loop *loop = NULL;
            swng_request *req = NULL;
            const char *args[1];
            args[0] = "g";
            rc = swng_cancel_new(&k, &err);
            swng_cancel_trigger(k);
            rc = swng_cancel_triggered(k);
            swng_cancel_reset(k);
            rc = swng_client_set_cancel(client, k);
            rc = swng_client_set_interrupt(client, 0, 0);
            rc = swng_loop_new(&loop, client, &err);
            rc = swng_loop_fd(loop);
            l = swng_loop_timeout(loop);
            rc = swng_request_start(&req, loop, SWNG_OP_NUMBER_GROUP_GET, args, 0, 1, 0, 0, &err);
            rc = swng_cursor_fetch(&req, loop, cur, 0, 0, &err);
            rc = swng_cursor_needs_fetch(cur);
            swng_request_cancel(req);
            swng_loop_cancel_all(loop);
            rc = swng_loop_step(loop, &err);
            rc = swng_loop_wait(loop, 0, &err);
            n = swng_loop_pending(loop);
            req = swng_loop_take(loop);
            l = swng_request_id(req) != 0;
            rc = swng_request_status(req);
            rc = swng_request_take_result(req) != 0;
            swng_error_free(swng_request_take_error(req));
            swng_request_free(req);
            {
                swng_batch_options bo = SWNG_BATCH_OPTIONS_INIT;
                swng_batch *b = NULL;
                swng_batch_result *br = NULL;
                size_t index = 0;
                void *res = 0;
                swng_error *ie = NULL;
                rc = swng_batch_new(&b, loop, SWNG_OP_MEMBERSHIP_CREATE, "g", &bo, &err);
                rc = swng_batch_push(b, "p", 1, &index, &err);
                swng_batch_close(b);
                n = swng_batch_waiting(b);
                rc = swng_batch_finished(b);
                swng_batch_cancel(b);
                rc = swng_batch_take(b, &index, &rc, &res, &ie);
                swng_batch_free(b);
                rc = swng_batch_run(&br, client, SWNG_OP_MEMBERSHIP_CREATE, "g", args, 0, 1, &bo,
                                    &err);
                n = swng_batch_result_count(br);
                rc = swng_batch_result_status(br, 0);
                rc = swng_batch_result_take(br, 0) != 0;
                swng_error_free(swng_batch_result_take_error(br, 0));
                swng_batch_result_free(br);
                rc = SWNG_ESKIPPED + SWNG_BATCH_MAX_RATE_LIMITED + SWNG_BATCH_MAX_CONCURRENCY;
                {
                    swng_sync_plan *sp = NULL;
                    swng_batch_result *ra = NULL, *rr = NULL;
                    rc = swng_sync_plan_new(&sp, client, "g", args, 0, 1, &err);
                    n = swng_sync_plan_add_count(sp) + swng_sync_plan_remove_count(sp) +
                        swng_sync_plan_keep_count(sp);
                    s = swng_sync_plan_add(sp, 0);
                    s = swng_sync_plan_remove(sp, 0);
                    rc = swng_sync_plan_apply(&ra, &rr, client, sp, &bo, &err);
                    swng_sync_plan_free(sp);
                    rc = swng_client_set_trace(client, 0, 0);
                }
            }
            swng_loop_free(loop);
            swng_client_set_cancel(client, 0);
            swng_cancel_free(k);
            rc = SWNG_ECANCELLED;
        }
        swng_phone_number_free(p);
        swng_number_group_free(g);
        swng_cursor_free(cur);
    }
    swng_membership_free(m);
    swng_error_free(err);
    swng_client_free(client);
    return rc + (s != 0) + (n != 0) + (l != 0);
}
