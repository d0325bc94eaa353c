/*
 * Status codes, the last-error message, logging and thread control shared by every layer.
 *
 * Every public function returns a gs_status_t.  When it is not GS_OK, a one-sentence message
 * with the details (file, line, what was expected, what was found) is kept per thread and
 * returned by gs_last_error().  The library never prints on its own except through the log
 * handler, and never exits.
 */
#ifndef GRAPHSSL_COMMON_H
#define GRAPHSSL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GS_BUILDING_LIBRARY) && defined(__GNUC__)
#define GS_API __attribute__((visibility("default")))
#else
#define GS_API
#endif

#if defined(__GNUC__)
#define GS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GS_PRINTF(fmt, args)
#endif

typedef enum gs_status {
    GS_OK = 0,
    GS_ERR_IO,          /* a file could not be opened, read or written */
    GS_ERR_PARSE,       /* a file's content is not what its format expects */
    GS_ERR_INVALID,     /* an argument or a combination of inputs is not acceptable */
    GS_ERR_NOMEM,       /* an allocation failed */
    GS_ERR_NUMERIC,     /* training produced a non-finite value */
    GS_ERR_UNSUPPORTED, /* a valid request this build does not implement */
    GS_ERR_INTERNAL     /* an invariant of the library itself was broken */
} gs_status_t;

/* The message of the last failure on this thread; never NULL ("" when none). */
GS_API const char *gs_last_error(void);

/* A short constant name for a status, such as "parse error". */
GS_API const char *gs_status_name(gs_status_t status);

/* Exit code the command-line tool uses for a status: 0 ok, 1 runtime, 3 bad input data. */
GS_API int gs_status_exit_code(gs_status_t status);

typedef enum gs_log_level {
    GS_LOG_DEBUG = 0,
    GS_LOG_INFO,
    GS_LOG_WARN,
    GS_LOG_ERROR
} gs_log_level_t;

typedef void (*gs_log_handler_t)(gs_log_level_t level, const char *message, void *user);

/*
 * Routes the library's log lines to handler (NULL restores the default, which writes to
 * stderr) and drops lines below min_level.  The default level is GS_LOG_WARN.
 */
GS_API void gs_log_set_handler(gs_log_handler_t handler, void *user);
GS_API void gs_log_set_level(gs_log_level_t min_level);
GS_API gs_log_level_t gs_log_get_level(void);

/*
 * Sets the number of threads of both the project's own kernels (OpenMP) and OpenBLAS.
 * n <= 0 means the number of available cores.
 */
GS_API void gs_threads_set(int n);
GS_API int gs_threads_get(void);

/* Seconds on a monotonic clock, and the peak resident set size of the process in MB. */
GS_API double gs_clock_seconds(void);
GS_API double gs_peak_rss_mb(void);

/* What a stat() mode names, for messages: "a regular file", "a directory", "a FIFO", ... */
GS_API const char *gs_file_kind(mode_t mode);

#ifdef __cplusplus
}
#endif

#endif
