/* utf8: well-formed UTF-8 sequences. */
#include "lib/utf8.h"

#include <string.h>

/*
 * Length of the UTF-8 sequence at s[0..len), or 0 if it is not well
 * formed: no overlong forms, no surrogates (U+D800-U+DFFF), nothing past
 * U+10FFFF (RFC 3629, Table 3-7 of the Unicode standard). The second
 * byte's range depends on the lead byte; later ones are 0x80-0xBF.
 */
size_t utf8_sequence_length(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		if (s[0] == 0xE0)
			lo = 0xA0;
		else if (s[0] == 0xED)
			hi = 0x9F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		if (s[0] == 0xF0)
			lo = 0x90;
		else if (s[0] == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

bool utf8_text_ok(const char *s, size_t len, const char *allowed)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] < 0x20 || u[i] == 0x7F) {
			if (u[i] == 0 || !strchr(allowed, u[i]))
				return false;
			i++;
			continue;
		}
		n = utf8_sequence_length(u + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}
