/*
 * The model file every method saves and loads: a versioned binary container holding the
 * method's name, its hyperparameters (named integers, reals and strings) and its trained
 * tensors (named float32 matrices), closed by a CRC-32 of everything before it.
 *
 * Layout, all integers little-endian:
 *
 *   magic       8 bytes  "\x89GSMODEL" (the high byte catches 7-bit transfers)
 *   version     u32      GS_MODEL_FILE_VERSION
 *   length      u64      bytes in the whole file, checksum included
 *   method      str      u32 length + bytes ("gcc", "dgi", ...)
 *   n_params    u32      then per parameter: key str, type u8 (0 int, 1 real, 2 string),
 *                        value (i64, f64 bit pattern, or str)
 *   n_tensors   u32      then per tensor: name str, rows u32, cols u32, rows * cols f32
 *   crc32       u32      CRC-32 (IEEE 802.3) of every byte before it
 *
 * Saving is atomic: the bytes go to a temporary file beside the target, which is flushed to
 * disk and renamed over it, so a reader sees the old file or the new one, never a mix.
 * Loading checks, in order, the magic, the version, the length and the checksum, and says
 * which one failed: "m.model: not a graphssl model file", "... is truncated (812 of 4096
 * bytes)", "... is damaged (checksum mismatch)", "... holds a dgi model, not gcc".
 */
#ifndef GRAPHSSL_MODEL_FILE_H
#define GRAPHSSL_MODEL_FILE_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GS_MODEL_FILE_VERSION 1

typedef struct gs_model_file gs_model_file_t;

/* An empty container for a model of the given method (copied); NULL when out of memory. */
GS_API gs_model_file_t *gs_model_file_new(const char *method);
GS_API void gs_model_file_free(gs_model_file_t *mf);

/* The method the container was made for or loaded with. */
GS_API const char *gs_model_file_method(const gs_model_file_t *mf);

/* Adds or replaces a hyperparameter.  GS_ERR_NOMEM when out of memory. */
GS_API gs_status_t gs_model_file_set_int(gs_model_file_t *mf, const char *key, int64_t value);
GS_API gs_status_t gs_model_file_set_real(gs_model_file_t *mf, const char *key, double value);
GS_API gs_status_t gs_model_file_set_string(gs_model_file_t *mf, const char *key,
                                            const char *value);

/* Adds a tensor under a unique name, copying its values (not its gradient).  GS_ERR_INVALID
 * when the name is taken, GS_ERR_NOMEM when out of memory. */
GS_API gs_status_t gs_model_file_add_tensor(gs_model_file_t *mf, const char *name,
                                            const gs_tensor_t *t);

/* Writes the container to path atomically.  GS_ERR_IO with the system's reason. */
GS_API gs_status_t gs_model_file_save(const gs_model_file_t *mf, const char *path);

/*
 * Reads path.  When method is not NULL the file must hold a model of that method.
 * GS_ERR_IO when it cannot be read; GS_ERR_PARSE, naming the file and the failed check, when
 * it is not a model file, comes from a newer version, is truncated, damaged, malformed or
 * holds another method's model.
 */
GS_API gs_status_t gs_model_file_load(gs_model_file_t **out, const char *path,
                                      const char *method);

/* Hyperparameter lookups.  GS_ERR_PARSE naming the file and key when the key is missing or
 * holds another type.  The string stays owned by mf. */
GS_API gs_status_t gs_model_file_get_int(const gs_model_file_t *mf, const char *key,
                                         int64_t *value);
GS_API gs_status_t gs_model_file_get_real(const gs_model_file_t *mf, const char *key,
                                          double *value);
GS_API gs_status_t gs_model_file_get_string(const gs_model_file_t *mf, const char *key,
                                            const char **value);

/* Copies the tensor called name into dst, whose shape it must have.  GS_ERR_PARSE naming the
 * file and tensor when it is missing or has another shape. */
GS_API gs_status_t gs_model_file_read_tensor(const gs_model_file_t *mf, const char *name,
                                             gs_tensor_t *dst);

#ifdef __cplusplus
}
#endif

#endif
