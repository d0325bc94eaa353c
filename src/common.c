/*
 * The last-error message, the log handler and thread control.
 */
#include "common_internal.h"

#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static _Thread_local char last_error[1024];
static gs_log_handler_t log_handler;
static void *log_user;
static gs_log_level_t log_level = GS_LOG_WARN;
static int n_threads;

const char *gs_last_error(void)
{
    return last_error;
}

gs_status_t gs_i_error(gs_status_t status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

const char *gs_status_name(gs_status_t status)
{
    switch (status) {
    case GS_OK: return "ok";
    case GS_ERR_IO: return "i/o error";
    case GS_ERR_PARSE: return "parse error";
    case GS_ERR_INVALID: return "invalid input";
    case GS_ERR_NOMEM: return "out of memory";
    case GS_ERR_NUMERIC: return "numeric error";
    case GS_ERR_UNSUPPORTED: return "unsupported";
    case GS_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int gs_status_exit_code(gs_status_t status)
{
    switch (status) {
    case GS_OK: return 0;
    case GS_ERR_PARSE:
    case GS_ERR_INVALID: return 3;
    default: return 1;
    }
}

void gs_log_set_handler(gs_log_handler_t handler, void *user)
{
    log_handler = handler;
    log_user = user;
}

void gs_log_set_level(gs_log_level_t min_level)
{
    log_level = min_level;
}

gs_log_level_t gs_log_get_level(void)
{
    return log_level;
}

void gs_i_log(gs_log_level_t level, const char *fmt, ...)
{
    static const char *const prefix[] = {"debug: ", "", "warning: ", "error: "};
    char message[1024];
    va_list ap;

    if (level < log_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    if (log_handler) {
        log_handler(level, message, log_user);
    } else {
        fprintf(stderr, "%s%s\n", prefix[level], message);
    }
}

void gs_threads_set(int n)
{
    if (n <= 0) {
        n = omp_get_num_procs();
    }
    n_threads = n;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

int gs_threads_get(void)
{
    return n_threads > 0 ? n_threads : omp_get_max_threads();
}

double gs_clock_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double gs_peak_rss_mb(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return 0.0;
    }
    return (double)ru.ru_maxrss / 1024.0;
}

gs_status_t gs_i_check_memory(double bytes, const char *what)
{
    double total = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);

    /* Linux hands out memory it does not have and kills the process when it is touched;
     * a size no machine of this one's kind can hold is better refused with a reason. */
    if (total > 0.0 && bytes > total) {
        return gs_i_error(GS_ERR_NOMEM, "%s needs about %.1f GB, more than this machine's "
                          "%.1f GB of memory", what, bytes / 1e9, total / 1e9);
    }
    return GS_OK;
}

const char *gs_file_kind(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFLNK: return "a symbolic link";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    default: return "a special file";
    }
}

/*
 * rename() replaces whatever the target is: a device node or a FIFO would become a regular
 * file, and a symbolic link would be replaced instead of the file it points to.  lstat, not
 * stat, so that the link itself is what is judged.
 */
gs_status_t gs_i_check_replaceable(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode)) {
        return GS_OK;
    }
    return gs_i_error(GS_ERR_IO, "%s: is %s, not a regular file; refusing to replace it",
                      path, gs_file_kind(st.st_mode));
}
