/*
 * utf8: what is well-formed UTF-8 (RFC 3629), which names (SPEC 2) must
 * be and which JSON views repair (SPEC 8).
 */
#ifndef MONFS_UTF8_H
#define MONFS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) (len > 0), or 0
 * when it is not one (overlong, surrogate, past U+10FFFF, truncated).
 */
size_t utf8_sequence_length(const unsigned char *s, size_t len);

/*
 * Whether s[0..len) is well-formed UTF-8 whose only control bytes
 * (0x00-0x1F, 0x7F) are among allowed (a string, possibly empty; NUL
 * is never allowed): a definition's free text (descriptions, paths).
 */
bool utf8_text_ok(const char *s, size_t len, const char *allowed);

#endif
