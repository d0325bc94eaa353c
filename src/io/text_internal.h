/*
 * The line reader every text parser shares.  It holds the whole input in memory and hands
 * out one data line at a time, already split into tokens that point into its buffer (cut
 * in place, so no token is allocated).  Tokens stay valid until gs_i_text_close().
 */
#ifndef GS_IO_TEXT_INTERNAL_H
#define GS_IO_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "graphssl/common.h"

typedef enum gs_i_text_mode {
    GS_I_TEXT_WORDS,  /* tokens split on spaces, tabs and commas; '#' and '%' lines skipped */
    GS_I_TEXT_CSV,    /* fields split on commas, "double quotes" honoured, no comments */
    GS_I_TEXT_BYTES   /* not checked for text yet: see gs_i_text_require_text() */
} gs_i_text_mode_t;

typedef struct gs_i_text {
    char *buf;            /* the input and a final NUL */
    size_t len;           /* bytes of input in buf */
    size_t pos;           /* offset of the next unread line */
    const char *name;     /* the file name messages use ("<stdin>" for "-") */
    long line;            /* 1-based number of the line last read */
    gs_i_text_mode_t mode;
    char **tok;           /* the tokens of that line */
    int n_tok;            /* 0 once the input is exhausted */
    int cap_tok;
} gs_i_text_t;

/*
 * Reads path ("-" for standard input) into memory, inflates it when it is gzip data, and
 * skips a UTF-8 byte-order mark.  Unless mode is GS_I_TEXT_BYTES, refuses input that is not
 * text (see gs_i_text_require_text).  GS_ERR_IO with the path and the system's reason when
 * it cannot be read, GS_ERR_PARSE for corrupt gzip data or binary content.
 */
gs_status_t gs_i_text_open(gs_i_text_t *t, const char *path, gs_i_text_mode_t mode);

/*
 * Sets the mode of a text opened as GS_I_TEXT_BYTES, after checking it is text: a NUL byte
 * anywhere, or another control character among the first bytes, is GS_ERR_PARSE
 * "FILE:LINE: expected text, found ...".
 */
gs_status_t gs_i_text_require_text(gs_i_text_t *t, gs_i_text_mode_t mode);

/* Whether a buffer starts with gzip's magic bytes; and inflating a whole buffer in place
 * (*buf is replaced by the inflated data, NUL-terminated; name is for messages). */
bool gs_i_gzip_magic(const char *buf, size_t len);
gs_status_t gs_i_gunzip(const char *name, char **buf, size_t *len);

/* Whether a buffer starts with NumPy's .npy magic ("\x93NUMPY"). */
bool gs_i_npy_magic(const char *buf, size_t len);

void gs_i_text_close(gs_i_text_t *t);

/*
 * Moves to the next line holding data, skipping blank lines (and, for words, comment
 * lines), and splits it into t->tok[0 .. t->n_tok - 1].  A line may end in "\n", "\r\n" or
 * the end of the input.  At the end t->n_tok is 0.  GS_ERR_PARSE for an unterminated quote
 * in CSV mode, GS_ERR_NOMEM when the token array cannot grow.
 */
gs_status_t gs_i_text_next(gs_i_text_t *t);

/*
 * Before the first gs_i_text_next(): when the first line is a comment, consumes it and
 * returns its text after the '#' or '%'; otherwise returns NULL and consumes nothing.
 */
const char *gs_i_text_first_comment(gs_i_text_t *t);

/* Parses a whole token as a float; true only for a finite number.  *is_number (may be
 * NULL) tells the two failures apart: true for "nan", "inf" or an overflow, false for text
 * that is no number at all. */
bool gs_i_parse_float(const char *s, float *value, bool *is_number);

#endif
