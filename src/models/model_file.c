/*
 * The versioned model file (layout in include/graphssl/model_file.h): an in-memory
 * container of hyperparameters and tensors, serialised little-endian into one buffer that
 * is closed by a CRC-32 and written atomically.
 */
#include "graphssl/model_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common_internal.h"

static const unsigned char magic[8] = {0x89, 'G', 'S', 'M', 'O', 'D', 'E', 'L'};

/* Bytes before the first variable-length field: magic, version and length. */
enum { HEADER_BYTES = 8 + 4 + 8, CRC_BYTES = 4 };

/* Strings and shapes beyond these are taken as damage rather than allocated. */
enum { MAX_STRING = 1 << 16, MAX_ENTRIES = 1 << 20 };

typedef enum param_type { PARAM_INT = 0, PARAM_REAL = 1, PARAM_STRING = 2 } param_type_t;

typedef struct param {
    char *key;
    param_type_t type;
    int64_t i;
    double r;
    char *s;
} param_t;

typedef struct named_tensor {
    char *name;
    gs_tensor_t *t;
} named_tensor_t;

struct gs_model_file {
    char *method;
    char *path;              /* the file it was loaded from, for messages; NULL when new */
    param_t *params;
    int n_params;
    int cap_params;
    named_tensor_t *tensors;
    int n_tensors;
    int cap_tensors;
};

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: model files are small
 * enough that a lookup table would buy nothing worth its shared state. */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
    }
    return c ^ 0xFFFFFFFFu;
}

/* --- The container ------------------------------------------------------------------ */

gs_model_file_t *gs_model_file_new(const char *method)
{
    gs_model_file_t *mf = calloc(1, sizeof *mf);

    if (!mf || !(mf->method = strdup(method))) {
        free(mf);
        return NULL;
    }
    return mf;
}

void gs_model_file_free(gs_model_file_t *mf)
{
    if (!mf) {
        return;
    }
    for (int i = 0; i < mf->n_params; i++) {
        free(mf->params[i].key);
        free(mf->params[i].s);
    }
    for (int i = 0; i < mf->n_tensors; i++) {
        free(mf->tensors[i].name);
        gs_tensor_free(mf->tensors[i].t);
    }
    free(mf->params);
    free(mf->tensors);
    free(mf->method);
    free(mf->path);
    free(mf);
}

const char *gs_model_file_method(const gs_model_file_t *mf)
{
    return mf->method;
}

static const char *display_name(const gs_model_file_t *mf)
{
    return mf->path ? mf->path : "model";
}

static param_t *find_param(const gs_model_file_t *mf, const char *key)
{
    for (int i = 0; i < mf->n_params; i++) {
        if (!strcmp(mf->params[i].key, key)) {
            return &mf->params[i];
        }
    }
    return NULL;
}

/* The parameter called key, created empty when missing; NULL when out of memory. */
static param_t *param_slot(gs_model_file_t *mf, const char *key)
{
    param_t *p = find_param(mf, key);

    if (p) {
        free(p->s);
        p->s = NULL;
        return p;
    }
    if (mf->n_params == mf->cap_params) {
        int cap = mf->cap_params ? 2 * mf->cap_params : 16;
        param_t *grown = realloc(mf->params, (size_t)cap * sizeof *grown);

        if (!grown) {
            return NULL;
        }
        mf->params = grown;
        mf->cap_params = cap;
    }
    p = &mf->params[mf->n_params];
    memset(p, 0, sizeof *p);
    if (!(p->key = strdup(key))) {
        return NULL;
    }
    mf->n_params++;
    return p;
}

gs_status_t gs_model_file_set_int(gs_model_file_t *mf, const char *key, int64_t value)
{
    param_t *p = param_slot(mf, key);

    if (!p) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding hyperparameter '%s'", key);
    }
    p->type = PARAM_INT;
    p->i = value;
    return GS_OK;
}

gs_status_t gs_model_file_set_real(gs_model_file_t *mf, const char *key, double value)
{
    param_t *p = param_slot(mf, key);

    if (!p) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding hyperparameter '%s'", key);
    }
    p->type = PARAM_REAL;
    p->r = value;
    return GS_OK;
}

gs_status_t gs_model_file_set_string(gs_model_file_t *mf, const char *key, const char *value)
{
    param_t *p = param_slot(mf, key);

    if (!p || !(p->s = strdup(value))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding hyperparameter '%s'", key);
    }
    p->type = PARAM_STRING;
    return GS_OK;
}

static const named_tensor_t *find_tensor(const gs_model_file_t *mf, const char *name)
{
    for (int i = 0; i < mf->n_tensors; i++) {
        if (!strcmp(mf->tensors[i].name, name)) {
            return &mf->tensors[i];
        }
    }
    return NULL;
}

/* Appends (name, t), taking ownership of t; frees t when out of memory. */
static gs_status_t append_tensor(gs_model_file_t *mf, const char *name, gs_tensor_t *t)
{
    named_tensor_t *slot;

    if (mf->n_tensors == mf->cap_tensors) {
        int cap = mf->cap_tensors ? 2 * mf->cap_tensors : 32;
        named_tensor_t *grown = realloc(mf->tensors, (size_t)cap * sizeof *grown);

        if (!grown) {
            gs_tensor_free(t);
            return gs_i_error(GS_ERR_NOMEM, "out of memory adding tensor '%s'", name);
        }
        mf->tensors = grown;
        mf->cap_tensors = cap;
    }
    slot = &mf->tensors[mf->n_tensors];
    if (!(slot->name = strdup(name))) {
        gs_tensor_free(t);
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding tensor '%s'", name);
    }
    slot->t = t;
    mf->n_tensors++;
    return GS_OK;
}

gs_status_t gs_model_file_add_tensor(gs_model_file_t *mf, const char *name,
                                     const gs_tensor_t *t)
{
    gs_tensor_t *copy;

    if (find_tensor(mf, name)) {
        return gs_i_error(GS_ERR_INVALID, "the model already holds a tensor named '%s'", name);
    }
    if (!(copy = gs_tensor_new(t->rows, t->cols))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding tensor '%s'", name);
    }
    memcpy(copy->data, t->data, (size_t)t->rows * (size_t)t->cols * sizeof *copy->data);
    return append_tensor(mf, name, copy);
}

/* --- Lookups -------------------------------------------------------------------------- */

static gs_status_t typed_param(const gs_model_file_t *mf, const char *key, param_type_t type,
                               const param_t **out)
{
    static const char *const type_names[] = {"an integer", "a real number", "a string"};
    const param_t *p = find_param(mf, key);

    if (!p) {
        return gs_i_error(GS_ERR_PARSE, "%s: the model file has no hyperparameter '%s'",
                          display_name(mf), key);
    }
    if (p->type != type) {
        return gs_i_error(GS_ERR_PARSE, "%s: hyperparameter '%s' is %s, expected %s",
                          display_name(mf), key, type_names[p->type], type_names[type]);
    }
    *out = p;
    return GS_OK;
}

gs_status_t gs_model_file_get_int(const gs_model_file_t *mf, const char *key, int64_t *value)
{
    const param_t *p;

    GS_TRY(typed_param(mf, key, PARAM_INT, &p));
    *value = p->i;
    return GS_OK;
}

gs_status_t gs_model_file_get_real(const gs_model_file_t *mf, const char *key, double *value)
{
    const param_t *p;

    GS_TRY(typed_param(mf, key, PARAM_REAL, &p));
    *value = p->r;
    return GS_OK;
}

gs_status_t gs_model_file_get_string(const gs_model_file_t *mf, const char *key,
                                     const char **value)
{
    const param_t *p;

    GS_TRY(typed_param(mf, key, PARAM_STRING, &p));
    *value = p->s;
    return GS_OK;
}

gs_status_t gs_model_file_read_tensor(const gs_model_file_t *mf, const char *name,
                                      gs_tensor_t *dst)
{
    const named_tensor_t *nt = find_tensor(mf, name);

    if (!nt) {
        return gs_i_error(GS_ERR_PARSE, "%s: the model file has no tensor '%s'",
                          display_name(mf), name);
    }
    if (nt->t->rows != dst->rows || nt->t->cols != dst->cols) {
        return gs_i_error(GS_ERR_PARSE, "%s: tensor '%s' is %d x %d, expected %d x %d",
                          display_name(mf), name, nt->t->rows, nt->t->cols, dst->rows,
                          dst->cols);
    }
    memcpy(dst->data, nt->t->data, (size_t)dst->rows * (size_t)dst->cols * sizeof *dst->data);
    return GS_OK;
}

/* --- Serialising ---------------------------------------------------------------------- */

typedef struct writer {
    unsigned char *buf;
    size_t len;
    size_t cap;
    bool failed;
} writer_t;

static unsigned char *reserve(writer_t *w, size_t n)
{
    if (w->failed) {
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        unsigned char *grown;

        while (cap < w->len + n) {
            cap *= 2;
        }
        if (!(grown = realloc(w->buf, cap))) {
            w->failed = true;
            return NULL;
        }
        w->buf = grown;
        w->cap = cap;
    }
    w->len += n;
    return w->buf + w->len - n;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int b = 0; b < bytes; b++) {
        p[b] = (unsigned char)(v >> (8 * b));
    }
}

static void put_u32(writer_t *w, uint32_t v)
{
    unsigned char *p = reserve(w, 4);

    if (p) {
        put_le(p, v, 4);
    }
}

static void put_u64(writer_t *w, uint64_t v)
{
    unsigned char *p = reserve(w, 8);

    if (p) {
        put_le(p, v, 8);
    }
}

static void put_str(writer_t *w, const char *s)
{
    size_t n = strlen(s);
    unsigned char *p;

    put_u32(w, (uint32_t)n);
    if ((p = reserve(w, n))) {
        memcpy(p, s, n);
    }
}

static void put_param(writer_t *w, const param_t *p)
{
    unsigned char *type;
    uint64_t bits;

    put_str(w, p->key);
    if ((type = reserve(w, 1))) {
        *type = (unsigned char)p->type;
    }
    switch (p->type) {
    case PARAM_INT: put_u64(w, (uint64_t)p->i); break;
    case PARAM_REAL:
        memcpy(&bits, &p->r, sizeof bits);
        put_u64(w, bits);
        break;
    case PARAM_STRING: put_str(w, p->s); break;
    }
}

static void put_tensor(writer_t *w, const named_tensor_t *nt)
{
    size_t n = (size_t)nt->t->rows * (size_t)nt->t->cols;
    unsigned char *p;

    put_str(w, nt->name);
    put_u32(w, (uint32_t)nt->t->rows);
    put_u32(w, (uint32_t)nt->t->cols);
    if (!(p = reserve(w, 4 * n))) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;

        memcpy(&bits, &nt->t->data[i], sizeof bits);
        put_le(p + 4 * i, bits, 4);
    }
}

/* The whole file in w; the length field is patched in once the size is known. */
static void serialise(const gs_model_file_t *mf, writer_t *w)
{
    unsigned char *p = reserve(w, sizeof magic);

    if (p) {
        memcpy(p, magic, sizeof magic);
    }
    put_u32(w, GS_MODEL_FILE_VERSION);
    put_u64(w, 0);
    put_str(w, mf->method);
    put_u32(w, (uint32_t)mf->n_params);
    for (int i = 0; i < mf->n_params; i++) {
        put_param(w, &mf->params[i]);
    }
    put_u32(w, (uint32_t)mf->n_tensors);
    for (int i = 0; i < mf->n_tensors; i++) {
        put_tensor(w, &mf->tensors[i]);
    }
    if (w->failed) {
        return;
    }

    put_le(w->buf + 12, (uint64_t)w->len + CRC_BYTES, 8);
    put_u32(w, crc32_of(w->buf, w->len));
}

/* Writes n bytes to a temporary file in path's directory, syncs it and renames it. */
static gs_status_t write_atomically(const char *path, const unsigned char *buf, size_t n)
{
    char *tmp = NULL;
    FILE *f = NULL;
    int fd;
    bool ok;

    GS_TRY(gs_i_check_replaceable(path));
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory saving %s", path);
    }
    if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "wb"))) {
        gs_status_t status = gs_i_error(GS_ERR_IO, "cannot create a file beside %s: %s", path,
                                        strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return status;
    }

    /* Without the sync a crash after the rename could leave an empty file in its place. */
    ok = fwrite(buf, 1, n, f) == n && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fchmod(fileno(f), 0644) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        gs_status_t status = gs_i_error(GS_ERR_IO, "cannot write %s: %s", path,
                                        strerror(errno));
        unlink(tmp);
        free(tmp);
        return status;
    }
    free(tmp);
    return GS_OK;
}

gs_status_t gs_model_file_save(const gs_model_file_t *mf, const char *path)
{
    writer_t w = {0};
    gs_status_t status;

    serialise(mf, &w);
    if (w.failed) {
        free(w.buf);
        return gs_i_error(GS_ERR_NOMEM, "out of memory serialising the model for %s", path);
    }
    status = write_atomically(path, w.buf, w.len);
    free(w.buf);
    return status;
}

/* --- Parsing -------------------------------------------------------------------------- */

typedef struct reader {
    const unsigned char *p;
    size_t len;
    size_t pos;
    bool failed;             /* ran past the end: the content is malformed */
} reader_t;

static uint64_t get_le(reader_t *r, int bytes)
{
    uint64_t v = 0;

    if (r->failed || r->len - r->pos < (size_t)bytes) {
        r->failed = true;
        return 0;
    }
    for (int b = 0; b < bytes; b++) {
        v |= (uint64_t)r->p[r->pos + b] << (8 * b);
    }
    r->pos += (size_t)bytes;
    return v;
}

/* A freshly allocated copy of the next string; NULL when malformed or out of memory. */
static char *get_str(reader_t *r)
{
    uint64_t n = get_le(r, 4);
    char *s;

    if (r->failed || n > MAX_STRING || r->len - r->pos < n || !(s = malloc(n + 1))) {
        r->failed = true;
        return NULL;
    }
    memcpy(s, r->p + r->pos, n);
    s[n] = '\0';
    r->pos += n;
    return s;
}

static gs_status_t malformed(const char *path, const char *what)
{
    return gs_i_error(GS_ERR_PARSE, "%s: malformed model file (%s)", path, what);
}

static gs_status_t parse_params(gs_model_file_t *mf, reader_t *r, const char *path)
{
    uint64_t n = get_le(r, 4);

    if (r->failed || n > MAX_ENTRIES) {
        return malformed(path, "hyperparameter count");
    }
    for (uint64_t i = 0; i < n; i++) {
        char *key = get_str(r);
        int type = (int)get_le(r, 1);
        gs_status_t status = GS_OK;
        uint64_t bits;
        double real;
        char *s;

        if (r->failed || type > PARAM_STRING) {
            free(key);
            return malformed(path, "hyperparameter");
        }
        if (type == PARAM_INT) {
            status = gs_model_file_set_int(mf, key, (int64_t)get_le(r, 8));
        } else if (type == PARAM_REAL) {
            bits = get_le(r, 8);
            memcpy(&real, &bits, sizeof real);
            status = gs_model_file_set_real(mf, key, real);
        } else if ((s = get_str(r))) {
            status = gs_model_file_set_string(mf, key, s);
            free(s);
        }
        free(key);
        GS_TRY(status);
        if (r->failed) {
            return malformed(path, "hyperparameter value");
        }
    }
    return GS_OK;
}

static gs_status_t parse_tensor(gs_model_file_t *mf, reader_t *r, const char *path)
{
    char *name = get_str(r);
    uint64_t rows = get_le(r, 4), cols = get_le(r, 4);
    gs_tensor_t *t;
    gs_status_t status;

    if (r->failed || rows > INT32_MAX || cols > INT32_MAX ||
        (r->len - r->pos) / 4 / (cols ? cols : 1) < rows) {
        free(name);
        return malformed(path, "tensor header");
    }
    if (!(t = gs_tensor_new((int)rows, (int)cols))) {
        free(name);
        return gs_i_error(GS_ERR_NOMEM, "out of memory reading %s", path);
    }
    for (size_t i = 0; i < rows * cols; i++) {
        uint32_t bits = (uint32_t)get_le(r, 4);

        memcpy(&t->data[i], &bits, sizeof bits);
    }
    if (find_tensor(mf, name)) {
        gs_tensor_free(t);
        status = malformed(path, "a tensor name occurs twice");
    } else {
        status = append_tensor(mf, name, t);
    }
    free(name);
    return status;
}

static gs_status_t parse_body(gs_model_file_t *mf, reader_t *r, const char *path)
{
    uint64_t n;

    GS_TRY(parse_params(mf, r, path));
    n = get_le(r, 4);
    if (r->failed || n > MAX_ENTRIES) {
        return malformed(path, "tensor count");
    }
    for (uint64_t i = 0; i < n; i++) {
        GS_TRY(parse_tensor(mf, r, path));
    }
    if (r->pos != r->len) {
        return malformed(path, "bytes after the last tensor");
    }
    return GS_OK;
}

/* Checks magic, version, length and checksum of a whole file held in buf. */
static gs_status_t check_envelope(const unsigned char *buf, size_t size, const char *path)
{
    reader_t r = {buf, size, sizeof magic, false};
    uint64_t version, length;
    uint32_t stored;

    if (size < sizeof magic || memcmp(buf, magic, sizeof magic) != 0) {
        return gs_i_error(GS_ERR_PARSE, "%s: not a graphssl model file", path);
    }
    version = get_le(&r, 4);
    length = get_le(&r, 8);
    if (r.failed) {
        return gs_i_error(GS_ERR_PARSE, "%s: is truncated (%zu bytes)", path, size);
    }
    if (version != GS_MODEL_FILE_VERSION) {
        return gs_i_error(GS_ERR_PARSE,
                          "%s: model file version %llu, but this build reads version %d",
                          path, (unsigned long long)version, GS_MODEL_FILE_VERSION);
    }
    if (length > size) {
        return gs_i_error(GS_ERR_PARSE, "%s: is truncated (%zu of %llu bytes)", path, size,
                          (unsigned long long)length);
    }
    if (length != size || length < HEADER_BYTES + CRC_BYTES) {
        return gs_i_error(GS_ERR_PARSE, "%s: is damaged (%zu bytes, the header says %llu)",
                          path, size, (unsigned long long)length);
    }

    r.pos = size - CRC_BYTES;
    stored = (uint32_t)get_le(&r, 4);
    if (stored != crc32_of(buf, size - CRC_BYTES)) {
        return gs_i_error(GS_ERR_PARSE, "%s: is damaged (checksum mismatch)", path);
    }
    return GS_OK;
}

static gs_status_t read_whole(const char *path, unsigned char **buf, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    bool ok;

    if (!f) {
        return gs_i_error(GS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return gs_i_error(GS_ERR_IO, "%s is not a regular file", path);
    }
    *size = (size_t)st.st_size;
    if (!(*buf = malloc(*size ? *size : 1))) {
        fclose(f);
        return gs_i_error(GS_ERR_NOMEM, "out of memory reading %s", path);
    }
    ok = fread(*buf, 1, *size, f) == *size;
    fclose(f);
    if (!ok) {
        free(*buf);
        return gs_i_error(GS_ERR_IO, "cannot read %s", path);
    }
    return GS_OK;
}

static gs_status_t parse_file(gs_model_file_t **out, const unsigned char *buf, size_t size,
                              const char *path, const char *method)
{
    reader_t r = {buf, size - CRC_BYTES, HEADER_BYTES, false};
    char *found = get_str(&r);
    gs_model_file_t *mf;
    gs_status_t status;

    if (!found) {
        return malformed(path, "method name");
    }
    if (method && strcmp(found, method) != 0) {
        status = gs_i_error(GS_ERR_PARSE, "%s: holds a %s model, not %s", path, found, method);
        free(found);
        return status;
    }
    mf = gs_model_file_new(found);
    free(found);
    if (!mf || !(mf->path = strdup(path))) {
        gs_model_file_free(mf);
        return gs_i_error(GS_ERR_NOMEM, "out of memory reading %s", path);
    }
    status = parse_body(mf, &r, path);
    if (status != GS_OK) {
        gs_model_file_free(mf);
        return status;
    }
    *out = mf;
    return GS_OK;
}

gs_status_t gs_model_file_load(gs_model_file_t **out, const char *path, const char *method)
{
    unsigned char *buf = NULL;
    size_t size = 0;
    gs_status_t status;

    GS_TRY(read_whole(path, &buf, &size));
    status = check_envelope(buf, size, path);
    if (status == GS_OK) {
        status = parse_file(out, buf, size, path, method);
    }
    free(buf);
    return status;
}
