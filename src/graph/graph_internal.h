/*
 * Internal helpers of the graph layer that the loaders share.
 */
#ifndef GS_GRAPH_INTERNAL_H
#define GS_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parses s as an integer written in canonical form: an optional '-', then decimal digits
 * without leading zeros ("0" itself is fine, "-0", "+1" and "007" are not).  Canonical form
 * makes name and value interchangeable, so numeric node names can be ordered by value.
 * Returns false, leaving *value unchanged, for anything else or on overflow.
 */
bool gs_i_parse_canonical_int(const char *s, int64_t *value);

#endif
