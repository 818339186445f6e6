/* spawn.c - runs one command and reports what it cost the child alone.
 *
 *   bench_spawn REPORT_FILE COMMAND [ARGS...]
 *
 * The command inherits stdin/stdout/stderr. REPORT_FILE receives one line:
 * "CPU_US WALL_US MAXRSS_KB EXIT" (user+system CPU of the child from wait4,
 * wall time from fork to reaping, peak RSS, exit status or 128+signal).
 *
 * Why a launcher: on Linux a child's ru_maxrss starts at the RSS of the
 * process it was forked from, so a command started straight from the Python
 * harness (about 20 MiB) would report at least that. Forked from this small
 * program, it reports its own peak. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status, code;
    pid_t pid;
    FILE *f;

    if (argc < 3) {
        fprintf(stderr, "usage: %s REPORT_FILE COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 125;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!(f = fopen(argv[1], "w"))) {
        perror(argv[1]);
        return 125;
    }
    fprintf(f, "%.0f %.0f %ld %d\n",
            (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec),
            (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3, ru.ru_maxrss, code);
    fclose(f);
    return code;
}
