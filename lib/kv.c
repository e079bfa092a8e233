/*
 * kv: one reader and one writer for the `key = value` form, so that an
 * alarm, a metric filter and the agent's configuration quote, escape and
 * comment the same way.
 *
 * A line gives its value twice over: raw, for values that have a grammar
 * with quotes of its own (a filter pattern's "quoted phrases"), and
 * decoded, for plain text. They differ in one case besides quoting: a
 * bare value does not treat '"' specially, so in `a = x "y # z"` the
 * decoded value is `x "y` (as alarms have always read it) while raw,
 * which knows quotes, is `x "y # z"`.
 */
#include "lib/kv.h"

#include "lib/format.h"

#include <errno.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void kv_init(struct kv_reader *r, const char *text, size_t len)
{
	struct strbuf empty = STRBUF_INIT;

	r->text = text;
	r->len = text ? len : 0;
	r->pos = 0;
	r->lineno = 0;
	r->value = empty;
}

void kv_release(struct kv_reader *r)
{
	strbuf_release(&r->value);
}

/* The next line of the text, without its '\n' nor a '\r' before it. */
static bool next_line(struct kv_reader *r, const char **line, size_t *n)
{
	const char *nl;

	if (r->pos >= r->len)
		return false;
	*line = r->text + r->pos;
	nl = memchr(*line, '\n', r->len - r->pos);
	*n = nl ? (size_t)(nl - *line) : r->len - r->pos;
	r->pos += *n + (nl ? 1 : 0);
	r->lineno++;
	if (*n > 0 && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

/*
 * The raw value of line[eq + 1 .. n): blanks at its ends dropped, and a
 * '#' after a blank, outside double quotes (where \x escapes x), ends it.
 */
static void set_raw(struct kv_line *out, const char *line, size_t n, size_t eq)
{
	size_t i, start = eq + 1, end;
	bool quoted = false;

	while (start < n && is_blank(line[start]))
		start++;
	end = start;
	for (i = start; i < n; i++) {
		if (quoted && line[i] == '\\' && i + 1 < n) {
			end = ++i + 1;
			continue;
		}
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted && line[i] == '#' && is_blank(line[i - 1]))
			break;
		if (!is_blank(line[i]))
			end = i + 1;
	}
	out->raw = line + start;
	out->raw_len = end - start;
}

int kv_next(struct kv_reader *r, struct kv_line *out, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t i, n, key_start;
	const char *line;

	for (;;) {
		if (!next_line(r, &line, &n))
			return 0;
		for (i = 0; i < n && is_blank(line[i]); i++)
			;
		if (i < n && line[i] != '#')
			break;
	}
	key_start = i;
	while (i < n && line[i] != '=' && !is_blank(line[i]))
		i++;
	out->lineno = r->lineno;
	out->key = line + key_start;
	out->key_len = i - key_start;
	while (i < n && is_blank(line[i]))
		i++;
	if (i == n || line[i] != '=') {
		err_set(err, "line %u: \"%s\" is not key = value", r->lineno,
			format_quote(q, line + key_start, n - key_start));
		return -EINVAL;
	}
	if (out->key_len == 0) {
		err_set(err, "line %u: no key before '='", r->lineno);
		return -EINVAL;
	}
	set_raw(out, line, n, i);
	out->value = NULL;
	out->value_len = 0;
	return 1;
}

/* A quoted value from raw[0] == '"', unescaped into sb. 0 or -errno. */
static int unquote(const char *raw, size_t n, struct strbuf *sb,
		   struct err *err)
{
	size_t i;
	char c;

	for (i = 1;; i++) {
		if (i == n) {
			err_set(err, "no closing quote");
			return -EINVAL;
		}
		c = raw[i];
		if (c == '"')
			break;
		if (c == '\\') {
			if (++i == n) {
				err_set(err, "no closing quote");
				return -EINVAL;
			}
			c = raw[i];
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\') {
				err_set(err,
					"unknown escape \\%c (use \\\" \\\\ \\n"
					" \\r \\t)",
					c > 0x20 && c < 0x7F ? c : '?');
				return -EINVAL;
			}
		}
		if (strbuf_add(sb, &c, 1))
			return -ENOMEM;
	}
	for (i++; i < n && is_blank(raw[i]); i++)
		;
	if (i < n && raw[i] != '#') {
		err_set(err, "text after the closing quote");
		return -EINVAL;
	}
	return 0;
}

int kv_value(struct kv_reader *r, struct kv_line *line, struct err *err)
{
	/* The line's end: raw stops before a comment, which may matter. */
	const char *end =
		memchr(line->raw, '\n', (size_t)(r->text + r->len - line->raw));
	size_t n = end ? (size_t)(end - line->raw)
		       : (size_t)(r->text + r->len - line->raw);
	size_t i, vlen = 0;
	int rc = 0;

	if (n > 0 && line->raw[n - 1] == '\r')
		n--;
	strbuf_reset(&r->value);
	if (n > 0 && line->raw[0] == '"') {
		rc = unquote(line->raw, n, &r->value, err);
	} else {
		/*
		 * Bare: up to a '#' after a blank, quotes or not. raw[-1]
		 * is in the line: the '=' or a blank after it.
		 */
		for (i = 0; i < n; i++) {
			if (line->raw[i] == '#' &&
			    is_blank(*(line->raw + i - 1)))
				break;
			if (!is_blank(line->raw[i]))
				vlen = i + 1;
		}
		if (vlen == 0) {
			err_set(err, "no value");
			rc = -EINVAL;
		} else {
			rc = strbuf_add(&r->value, line->raw, vlen);
		}
	}
	if (rc == -EINVAL)
		err_prefix(err, "line %u: %.*s", line->lineno,
			   (int)line->key_len, line->key);
	if (rc == -ENOMEM)
		err_set(err, "out of memory");
	if (rc)
		return rc;
	line->value = r->value.buf ? r->value.buf : "";
	line->value_len = r->value.len;
	return 0;
}

bool kv_key_in(const struct kv_line *line, const char *const names[])
{
	size_t i;

	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == line->key_len &&
		    !memcmp(names[i], line->key, line->key_len))
			return true;
	return false;
}

/* Whether s[0..len) must be quoted to read back as itself. */
static bool needs_quotes(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || is_blank(s[0]) || is_blank(s[len - 1]))
		return true;
	for (i = 0; i < len; i++)
		if (strchr("#\"\n\r", s[i]) && s[i] != '\0')
			return true;
	return false;
}

/* s[0..len) in double quotes, with \" \\ \n \r \t. 0 or -ENOMEM. */
static int put_quoted(struct strbuf *out, const char *s, size_t len)
{
	const char *escape;
	size_t i, run = 0;
	int rc = strbuf_add(out, "\"", 1);

	for (i = 0; i < len && rc == 0; i++) {
		switch (s[i]) {
		case '"':
			escape = "\\\"";
			break;
		case '\\':
			escape = "\\\\";
			break;
		case '\n':
			escape = "\\n";
			break;
		case '\r':
			escape = "\\r";
			break;
		case '\t':
			escape = "\\t";
			break;
		default:
			continue;
		}
		rc = strbuf_add(out, s + run, i - run);
		if (rc == 0)
			rc = strbuf_add(out, escape, 2);
		run = i + 1;
	}
	if (rc == 0)
		rc = strbuf_add(out, s + run, len - run);
	if (rc == 0)
		rc = strbuf_add(out, "\"", 1);
	return rc;
}

int kv_put(struct strbuf *out, const char *key, const char *value, size_t len)
{
	int rc = strbuf_addf(out, "%s = ", key);

	if (rc == 0)
		rc = needs_quotes(value, len) ? put_quoted(out, value, len)
					      : strbuf_add(out, value, len);
	if (rc == 0)
		rc = strbuf_add(out, "\n", 1);
	return rc;
}
