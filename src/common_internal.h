/*
 * Internal helpers shared by every layer: setting the last error, logging.
 */
#ifndef GS_COMMON_INTERNAL_H
#define GS_COMMON_INTERNAL_H

#include "graphssl/common.h"

/* Records a message for gs_last_error() and returns status, so callers can write
 * `return gs_i_error(GS_ERR_PARSE, "%s:%d: expected ...", path, line);`. */
gs_status_t gs_i_error(gs_status_t status, const char *fmt, ...) GS_PRINTF(2, 3);

void gs_i_log(gs_log_level_t level, const char *fmt, ...) GS_PRINTF(2, 3);

/* GS_ERR_NOMEM, with a message saying what needs how much, when bytes exceed the machine's
 * physical memory. */
gs_status_t gs_i_check_memory(double bytes, const char *what);

/* GS_ERR_IO, with a message, when path exists and is not a regular file: the writers put
 * their output in a temporary file renamed over path, which would replace such a file. */
gs_status_t gs_i_check_replaceable(const char *path);

/* OpenBLAS exports these; declared here because not every cblas.h does. */
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);

#define GS_TRY(expr)                                                                        \
    do {                                                                                    \
        gs_status_t gs_try_status_ = (expr);                                                \
        if (gs_try_status_ != GS_OK) {                                                      \
            return gs_try_status_;                                                          \
        }                                                                                   \
    } while (0)

#endif
