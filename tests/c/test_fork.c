/* test_fork.c - a client used before fork() and then in both processes:
 * each must get its own answers (the child must never read from the
 * kept-alive connection it inherited). Against a space that allows
 * duplicate memberships, so both can repeat their calls. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#define CALLS 40

/* CALLS creates of (group, phone); the number of answers that are not for
 * that group and phone (a crossed answer) or that failed. */
static int run_calls(swng_client *c, const char *group, const char *phone)
{
    int i, bad = 0;
    for (i = 0; i < CALLS; i++) {
        swng_membership *m = NULL;
        swng_error *err = NULL;
        if (swng_membership_create(&m, c, group, phone, &err) != SWNG_OK ||
            strcasecmp(swng_membership_number_group_id(m), group) != 0 ||
            strcasecmp(swng_membership_phone_number_id(m), phone) != 0)
            bad++;
        swng_membership_free(m);
        swng_error_free(err);
    }
    return bad;
}

/* Ends a child with code. By exec: the child's client set the parent's
 * handles aside on purpose (never freed: cleaning them up could disturb
 * the parent's connection), and a leak checker must not count them. */
static void child_exit(int code)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "exit %d", code > 100 ? 100 : code);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(code > 100 ? 100 : code);
}

/* A client with a kept-alive connection, then fork(): the child's pid in
 * *pid (0 in the child); NULL (test failed) if either step failed. */
static swng_client *connected_then_fork(pid_t *pid)
{
    swng_client *c = th_client(NULL);
    swng_membership *m = NULL;
    swng_error *err = NULL;
    if (!c) return NULL;
    if (!CHECK_RC(swng_membership_create(&m, c, TH_GROUP_SALES, TH_PHONE_MAIN, &err), SWNG_OK,
                  err)) {
        swng_client_free(c);
        return NULL;
    }
    swng_membership_free(m);
    fflush(NULL);
    if (!CHECK((*pid = fork()) >= 0)) {
        swng_client_free(c);
        return NULL;
    }
    return c;
}

static void test_parent_and_child_get_their_own_answers(void)
{
    int status = 0, bad;
    pid_t pid;
    swng_client *c = connected_then_fork(&pid);
    REQUIRE(c);
    if (pid == 0) {
        /* The child: its own group and phone; its result is its exit code. */
        bad = run_calls(c, TH_GROUP_SUPPORT, TH_PHONE_ZURICH);
        swng_client_free(c);
        child_exit(bad);
    }
    bad = run_calls(c, TH_GROUP_SALES, TH_PHONE_SPARE);
    CHECK_INT_EQ(bad, 0);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_MSG(WEXITSTATUS(status) == 0, "the child got %d wrong or failed answers of %d",
              WEXITSTATUS(status), CALLS);
    /* The parent's client still works, on its own connection. */
    CHECK_INT_EQ(run_calls(c, TH_GROUP_SALES, TH_PHONE_MAIN), 0);
    swng_client_free(c);
}

/* A child that frees the client it inherited (without calling) must not
 * close the parent's connection either. */
static void test_child_frees_inherited_client(void)
{
    int status = 0;
    pid_t pid;
    swng_client *c = connected_then_fork(&pid);
    REQUIRE(c);
    if (pid == 0) {
        swng_client_free(c);
        child_exit(0);
    }
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The parent's connection still serves it. */
    CHECK_INT_EQ(run_calls(c, TH_GROUP_SALES, TH_PHONE_SPARE), 0);
    swng_client_free(c);
}

static const th_test tests[] = {
    {"parent_and_child_get_their_own_answers", test_parent_and_child_get_their_own_answers},
    {"child_frees_inherited_client", test_child_frees_inherited_client},
};

int main(int argc, char **argv) { return th_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
