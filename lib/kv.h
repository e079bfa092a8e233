/*
 * kv: the `key = value` text form of alarms (SPEC 5) and metric filters
 * (SPEC 7), read and written.
 *
 * A text is lines split at '\n' (a '\r' before it dropped), numbered
 * from 1. A line is blank, a comment (`#` first after any blanks), or
 * `key = value`. In a value, `#` starts a comment at the start or after
 * a blank; a value in double quotes may hold `#` and the escapes \" \\
 * \n \r \t. Which keys exist and what their values mean is the caller's.
 *
 * scripts/monfs-agent reads its configuration in shell, not through this
 * module, and accepts the same grammar without quoting: lines, '\r',
 * blanks, comments and `key = value` (split at the first '=', both sides
 * trimmed) as above, but a '"' is an ordinary byte and there are no
 * escapes, so a value cannot hold " #". Its values (paths, a namespace,
 * seconds) never need them.
 */
#ifndef MONFS_KV_H
#define MONFS_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"

struct kv_reader {
	const char *text;
	size_t len;
	size_t pos;	     /* where the next line starts */
	unsigned lineno;     /* of the last line read */
	struct strbuf value; /* the last decoded value */
};

struct kv_line {
	unsigned lineno;
	const char *key; /* into the text; not NUL-terminated */
	size_t key_len;
	/*
	 * The text after '=', blanks at its ends and a trailing comment (a
	 * '#' after a blank, outside double quotes) removed, quotes and
	 * backslashes kept: for values with a grammar of their own, such as
	 * filter patterns. Into the text; not NUL-terminated.
	 */
	const char *raw;
	size_t raw_len;
	/* Set by kv_value: NUL-terminated, in the reader's buffer, valid
	 * until the next kv_next or kv_value. NULL until then. */
	const char *value;
	size_t value_len;
};

/* Start reading text[0..len) (text may be NULL when len is 0). */
void kv_init(struct kv_reader *r, const char *text, size_t len);

/*
 * The next `key = value` line, blank and comment lines skipped: 1 and
 * *out (key, raw and lineno), 0 at the end of the text, or -EINVAL with
 * err saying "line N: ..." when a line is not key = value or has no key.
 * The value is not decoded yet, so that the caller can refuse an
 * unknown or repeated key first.
 */
int kv_next(struct kv_reader *r, struct kv_line *out, struct err *err);

/*
 * Decode line's value: a quoted value unquoted and unescaped, otherwise
 * the raw text. Sets line->value and line->value_len. 0, -EINVAL with
 * err saying "line N: KEY: ..." (no closing quote, unknown escape, text
 * after the closing quote, an empty unquoted value), or -ENOMEM.
 */
int kv_value(struct kv_reader *r, struct kv_line *line, struct err *err);

/*
 * Whether line's key is one of names (a NULL-terminated list). For the
 * lines a reading adds after a definition (an alarm's state, a filter's
 * counters): writing back what a read shows is a valid definition, so
 * a parser accepts and ignores them (SPEC 2).
 */
bool kv_key_in(const struct kv_line *line, const char *const names[]);

/* Free what the reader holds. */
void kv_release(struct kv_reader *r);

/*
 * Append "key = value\n" to out, the value quoted (and escaped) when it
 * would not read back bare: empty, blanks at an end, or holding '#', '"',
 * CR or LF. 0 or -ENOMEM (out may then hold part of the line).
 */
int kv_put(struct strbuf *out, const char *key, const char *value, size_t len);

#endif
