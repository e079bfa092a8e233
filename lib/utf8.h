/*
 * utf8: what is well-formed UTF-8 (RFC 3629), which names (SPEC 2) must
 * be and which JSON views repair (SPEC 8).
 */
#ifndef MONFS_UTF8_H
#define MONFS_UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) (len > 0), or 0
 * when it is not one (overlong, surrogate, past U+10FFFF, truncated).
 */
size_t utf8_sequence_length(const unsigned char *s, size_t len);

#endif
