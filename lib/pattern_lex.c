/*
 * pattern_lex: the reading every part of a pattern shares — numbers as
 * CloudWatch writes them (in the C locale, whatever the process's), the
 * refusal messages that say where the text is wrong, and the few lexing
 * steps too big to live inline in pattern_impl.h.
 */
#include "lib/parse.h"
#include "lib/pattern_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER_MAX_BYTES 400 /* longer than any honest number */

/* ---- numbers ---- */

/*
 * Whether s[0..len) is a finite decimal number as CloudWatch writes one:
 * optional sign, digits with an optional fraction, optional exponent. No
 * blanks, hexadecimal, "inf" or "nan". Its value in *out.
 */
bool pattern_number_from(const char *s, size_t len, double *out)
{
	char text[NUMBER_MAX_BYTES + 1];
	size_t i = 0, digits = 0, exp_digits = 0;
	char *end;
	double v;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; i < len && is_digit(s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && is_digit(s[i]); i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len && is_digit(s[i]); i++)
			exp_digits++;
		if (exp_digits == 0)
			return false;
	}
	if (i != len)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	v = parse_strtod_c(text, &end);
	if (end != text + len || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* The shortest text that reads back as v, for matching numbers as text:
 * integers without a fraction ("404"), others as "%g" would. */
size_t pattern_number_text(double v, char buf[NUMBER_TEXT_MAX])
{
	int n = 0;
	int precision;

	if (fabs(v) < 1e15 && v == (double)(long long)v)
		return (size_t)snprintf(buf, NUMBER_TEXT_MAX, "%.0f", v);
	for (precision = 1; precision <= 17; precision++) {
		n = snprintf(buf, NUMBER_TEXT_MAX, "%.*g", precision, v);
		if (parse_strtod_c(buf, NULL) == v)
			break;
	}
	return n > 0 ? (size_t)n : 0;
}

/* ---- errors ---- */

/* Quote up to SHOWN_MAX bytes of s for a message, printable ASCII only. */
const char *pattern_show(const char *s, size_t len, char out[SHOWN_MAX + 4])
{
	size_t i, n = len < SHOWN_MAX ? len : SHOWN_MAX;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/*
 * Refuse the text: "<what> (at byte <at + 1>: <the text from there>)"
 * in ps->err, or "<what> (at the end)", and -EINVAL. Bytes are counted
 * from 1, as a user counts them, and the text there is shown because a
 * user finds a place by what it says, not by counting.
 */
int pattern_fail(struct parser *ps, size_t at, const char *fmt, ...)
{
	char what[ERR_MSG_MAX], shown[SHOWN_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at >= ps->len)
		err_set(ps->err, "%s (at the end)", what);
	else
		err_set(ps->err, "%s (at byte %zu: %s)", what, at + 1,
			pattern_show(ps->s + at, ps->len - at, shown));
	return -EINVAL;
}

int pattern_fail_nomem(struct parser *ps)
{
	err_set(ps->err, "out of memory compiling the pattern");
	return -ENOMEM;
}

/* ---- lexing ---- */

/* Take word (any case) at pos if no name byte follows it. */
bool pattern_take_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word), i;

	if (ps->len - ps->pos < n)
		return false;
	for (i = 0; i < n; i++) {
		char c = ps->s[ps->pos + i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	if (ps->pos + n < ps->len && is_key_byte(ps->s[ps->pos + n]))
		return false;
	ps->pos += n;
	return true;
}

/*
 * From the opening byte at pos, find the closing one (close), a backslash
 * taking the byte after it. Its index in *end, or a refusal naming the
 * opening byte.
 */
int pattern_find_close(struct parser *ps, char close, size_t *end)
{
	size_t i = ps->pos + 1;

	for (; i < ps->len && ps->s[i] != close; i++)
		if (ps->s[i] == '\\' && i + 1 < ps->len)
			i++;
	if (i >= ps->len)
		return pattern_fail(ps, ps->pos,
				    "'%c' without its closing '%c'",
				    ps->s[ps->pos], close);
	*end = i;
	return 0;
}
