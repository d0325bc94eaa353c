/*
 * The shared line reader: the whole file in one buffer (inflated first when it is gzip
 * data), lines found with memchr, tokens cut in place by writing NULs over their
 * separators.  One read and no per-token allocation keep edge lists of millions of lines
 * fast to parse.
 */
#include "io/text_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"

/* Doubles the buffer; false when out of memory (the old buffer is then freed). */
static bool grow_buffer(gs_i_text_t *t, size_t *cap)
{
    char *bigger = realloc(t->buf, *cap * 2);

    if (!bigger) {
        free(t->buf);
        t->buf = NULL;
        return false;
    }
    t->buf = bigger;
    *cap *= 2;
    return true;
}

static gs_status_t read_stream(FILE *f, gs_i_text_t *t)
{
    struct stat st;
    size_t cap = 1 << 16;

    /* A regular file's size (plus room for the NUL and the read that meets the end)
     * avoids regrowing; pipes grow by doubling. */
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        cap = (size_t)st.st_size + 2;
    }
    t->buf = malloc(cap);
    while (t->buf) {
        size_t want = cap - 1 - t->len;
        size_t got = fread(t->buf + t->len, 1, want, f);

        t->len += got;
        if (got < want || !grow_buffer(t, &cap)) {
            break;
        }
    }
    if (!t->buf) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory reading the file", t->name);
    }
    if (ferror(f)) {
        return gs_i_error(GS_ERR_IO, "%s: cannot read: %s", t->name, strerror(errno));
    }
    t->buf[t->len] = '\0';
    return GS_OK;
}

gs_status_t gs_i_text_open(gs_i_text_t *t, const char *path, gs_i_text_mode_t mode)
{
    bool is_stdin = path && strcmp(path, "-") == 0;
    FILE *f;
    gs_status_t status;

    memset(t, 0, sizeof *t);
    t->mode = mode;
    if (!path) {
        return gs_i_error(GS_ERR_INVALID, "no file name given");
    }
    t->name = is_stdin ? "<stdin>" : path;
    f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        return gs_i_error(GS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    errno = 0;
    status = read_stream(f, t);
    if (!is_stdin) {
        fclose(f);
    }
    if (status == GS_OK && gs_i_gzip_magic(t->buf, t->len)) {
        status = gs_i_gunzip(t->name, &t->buf, &t->len);
    }
    if (status == GS_OK && t->len >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0) {
        t->pos = 3;
    }
    if (status == GS_OK && mode != GS_I_TEXT_BYTES) {
        status = gs_i_text_require_text(t, mode);
    }
    if (status != GS_OK) {
        gs_i_text_close(t);
    }
    return status;
}

/* Line number (1-based) of the byte at offset. */
static long line_of(const gs_i_text_t *t, size_t offset)
{
    long line = 1;

    for (const char *p = t->buf; (p = memchr(p, '\n', (size_t)(t->buf + offset - p))); p++) {
        line++;
    }
    return line;
}

/* Control characters that never occur in text files; tab, line feed, vertical tab, form
 * feed, carriage return and escape do. */
static bool is_binary_byte(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' &&
           c != 0x1b;
}

/* Bytes checked for control characters; a NUL is looked for everywhere (memchr is cheap). */
enum { TEXT_PROBE = 4096 };

gs_status_t gs_i_text_require_text(gs_i_text_t *t, gs_i_text_mode_t mode)
{
    const char *nul = memchr(t->buf, '\0', t->len);
    size_t probe = t->len < TEXT_PROBE ? t->len : TEXT_PROBE;

    t->mode = mode;
    if (nul) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected text, found a NUL byte (is this a "
                          "binary file?)", t->name, line_of(t, (size_t)(nul - t->buf)));
    }
    for (size_t i = 0; i < probe; i++) {
        if (is_binary_byte((unsigned char)t->buf[i])) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected text, found the control byte "
                              "0x%02x (is this a binary file?)", t->name, line_of(t, i),
                              (unsigned char)t->buf[i]);
        }
    }
    return GS_OK;
}

void gs_i_text_close(gs_i_text_t *t)
{
    free(t->buf);
    free(t->tok);
    t->buf = NULL;
    t->tok = NULL;
    t->n_tok = 0;
    t->cap_tok = 0;
}

static gs_status_t push_token(gs_i_text_t *t, char *token)
{
    if (t->n_tok == t->cap_tok) {
        int cap = t->cap_tok ? 2 * t->cap_tok : 16;
        char **bigger = realloc(t->tok, (size_t)cap * sizeof *bigger);

        if (!bigger) {
            return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory splitting the line",
                              t->name, t->line);
        }
        t->tok = bigger;
        t->cap_tok = cap;
    }
    t->tok[t->n_tok++] = token;
    return GS_OK;
}

static bool is_word_separator(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The line [p, end) split on separators; *end may be overwritten (it is the line's end). */
static gs_status_t split_words(gs_i_text_t *t, char *p, char *end)
{
    while (p < end) {
        while (p < end && is_word_separator(*p)) {
            p++;
        }
        if (p == end) {
            break;
        }
        GS_TRY(push_token(t, p));
        while (p < end && !is_word_separator(*p)) {
            p++;
        }
        *p++ = '\0';
    }
    return GS_OK;
}

/* Unquotes the field starting at the opening quote *p, in place; returns the character
 * after the closing quote, or NULL when there is none on this line. */
static char *unquote_field(char *p, char *end)
{
    char *w = p;

    for (p++; p < end; p++) {
        if (*p == '"' && p + 1 < end && p[1] == '"') {
            *w++ = '"';
            p++;
        } else if (*p == '"') {
            *w = '\0';
            return p + 1;
        } else {
            *w++ = *p;
        }
    }
    return NULL;
}

static gs_status_t split_csv(gs_i_text_t *t, char *p, char *end)
{
    for (;;) {
        char *field = p;

        if (p < end && *p == '"') {
            p = unquote_field(p, end);
            if (!p || (p < end && *p != ',')) {
                return gs_i_error(GS_ERR_PARSE, "%s:%ld: malformed quoted field", t->name,
                                  t->line);
            }
        } else {
            while (p < end && *p != ',') {
                p++;
            }
        }
        GS_TRY(push_token(t, field));
        if (p >= end) {
            *end = '\0';
            return GS_OK;
        }
        *p++ = '\0';
    }
}

/* Whether the line [p, end) holds no data: only blanks, or (words mode) a comment. */
static bool skip_line(const gs_i_text_t *t, const char *p, const char *end)
{
    while (p < end && is_blank(*p)) {
        p++;
    }
    if (p == end) {
        return true;
    }
    return t->mode == GS_I_TEXT_WORDS && (*p == '#' || *p == '%');
}

/* Cuts the next line out of the buffer: returns its start and sets *end past its data
 * (before "\r\n" or "\n"); NULL at the end of the input. */
static char *take_line(gs_i_text_t *t, char **end)
{
    char *start = t->buf + t->pos;
    char *nl;

    if (t->pos >= t->len) {
        return NULL;
    }
    nl = memchr(start, '\n', t->len - t->pos);
    *end = nl ? nl : t->buf + t->len;
    t->pos = (size_t)(*end - t->buf) + (nl ? 1 : 0);
    t->line++;
    if (*end > start && (*end)[-1] == '\r') {
        (*end)--;
    }
    return start;
}

gs_status_t gs_i_text_next(gs_i_text_t *t)
{
    char *start;
    char *end;

    t->n_tok = 0;
    while ((start = take_line(t, &end)) != NULL) {
        if (skip_line(t, start, end)) {
            continue;
        }
        return t->mode == GS_I_TEXT_CSV ? split_csv(t, start, end) : split_words(t, start, end);
    }
    return GS_OK;
}

const char *gs_i_text_first_comment(gs_i_text_t *t)
{
    size_t saved_pos = t->pos;
    long saved_line = t->line;
    char *start;
    char *end;

    start = take_line(t, &end);
    while (start && start < end && is_blank(*start)) {
        start++;
    }
    if (!start || start == end || (*start != '#' && *start != '%')) {
        t->pos = saved_pos;
        t->line = saved_line;
        return NULL;
    }
    *end = '\0';
    return start + 1;
}

bool gs_i_parse_float(const char *s, float *value, bool *is_number)
{
    char *end;
    float v;

    errno = 0;
    v = strtof(s, &end);
    if (is_number) {
        *is_number = end != s && *end == '\0';
    }
    if (end == s || *end != '\0' || !isfinite(v)) {
        return false;
    }
    *value = v;
    return true;
}
