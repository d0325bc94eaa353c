/*
 * gzip-compressed input, recognised by its magic bytes (1f 8b) rather than by the file
 * name, and inflated into memory with zlib.  Concatenated gzip members (what `cat a.gz b.gz`
 * or pigz produce) are read one after another, as gunzip does.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common_internal.h"
#include "io/text_internal.h"

bool gs_i_gzip_magic(const char *buf, size_t len)
{
    return len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
}

/* Doubles the output buffer; false when out of memory. */
static bool grow_output(char **out, size_t *cap)
{
    char *bigger = realloc(*out, *cap * 2);

    if (!bigger) {
        return false;
    }
    *out = bigger;
    *cap *= 2;
    return true;
}

static gs_status_t stream_error(const char *name, int rc, size_t left)
{
    const char *found = rc == Z_DATA_ERROR ? "corrupt data" :
                        left > 0 ? "bytes that are not gzip after the end" : "a truncated stream";

    if (rc == Z_MEM_ERROR) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory decompressing", name);
    }
    return gs_i_error(GS_ERR_PARSE, "%s: expected complete gzip data, found %s", name, found);
}

/* Inflates every member of in[0 .. n) into *out (len bytes, room for one more). */
static gs_status_t inflate_all(const char *name, const char *in, size_t n, char **out,
                               size_t *len, size_t *cap)
{
    z_stream z;
    size_t left = n;
    int rc;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory starting zlib", name);
    }
    z.next_in = (Bytef *)in;
    for (;;) {
        size_t room = *cap - 1 - *len;

        /* zlib counts in unsigned int; feed it at most that much at a time. */
        z.avail_in = (uInt)(left < UINT_MAX ? left : UINT_MAX);
        z.next_out = (Bytef *)*out + *len;
        z.avail_out = (uInt)(room < UINT_MAX ? room : UINT_MAX);
        rc = inflate(&z, Z_NO_FLUSH);
        *len = (size_t)((char *)z.next_out - *out);
        left = n - (size_t)((const char *)z.next_in - in);

        if (rc == Z_STREAM_END && left > 0 && gs_i_gzip_magic((const char *)z.next_in, left)) {
            inflateReset(&z);
            continue;
        }
        if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) {
            break;
        }
        if (*len + 1 < *cap) {
            if (left == 0 || rc == Z_BUF_ERROR) {
                break;
            }
            continue;
        }
        if (!grow_output(out, cap)) {
            inflateEnd(&z);
            return gs_i_error(GS_ERR_NOMEM, "%s: out of memory decompressing", name);
        }
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END && left == 0 ? GS_OK : stream_error(name, rc, left);
}

gs_status_t gs_i_gunzip(const char *name, char **buf, size_t *len)
{
    size_t cap = *len < SIZE_MAX / 8 ? 4 * *len + 64 : *len;
    size_t out_len = 0;
    char *out = malloc(cap);
    gs_status_t status;

    if (!out) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory decompressing", name);
    }
    status = inflate_all(name, *buf, *len, &out, &out_len, &cap);
    if (status != GS_OK) {
        free(out);
        return status;
    }
    free(*buf);
    out[out_len] = '\0';
    *buf = out;
    *len = out_len;
    return GS_OK;
}
