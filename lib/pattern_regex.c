/*
 * pattern_regex: %regex% values — CloudWatch's spelling turned into a
 * POSIX extended expression, a guard that refuses what would make glibc's
 * regcomp build an exponential tree (gigabytes from a few dozen bytes),
 * and the search of a line.
 */
#include "lib/pattern_impl.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define REGEX_LINE_ON_STACK 4096 /* lines copied for regexec on the stack */
#define REGEX_NODES_MAX 2048	 /* regcomp's tree, repetitions expanded */

/*
 * The text of a regex written raw[0..len) as an ERE for regcomp: \% is a
 * '%', and outside bracket expressions \d and \D are [0-9] and [^0-9].
 * Malloc'd, NULL when out of memory.
 */
static char *regex_text(const char *raw, size_t len)
{
	char *out = malloc(len * 3 + 1);
	char *o = out;
	bool in_bracket = false;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < len) {
		char c = raw[i];

		if (in_bracket) {
			if (c == '[' && i + 1 < len &&
			    in_set(raw[i + 1], ":.=")) {
				/* [:digit:] and its kind run to ":]" */
				char kind = raw[i + 1];

				*o++ = raw[i++];
				*o++ = raw[i++];
				while (i < len &&
				       !(raw[i] == kind && i + 1 < len &&
					 raw[i + 1] == ']'))
					*o++ = raw[i++];
				continue;
			}
			if (c == ']')
				in_bracket = false;
			*o++ = c;
			i++;
		} else if (c == '\\' && i + 1 < len) {
			char next = raw[i + 1];

			if (next == 'd')
				o = stpcpy(o, "[0-9]");
			else if (next == 'D')
				o = stpcpy(o, "[^0-9]");
			else if (next == '%')
				*o++ = '%';
			else {
				*o++ = c;
				*o++ = next;
			}
			i += 2;
		} else if (c == '[') {
			/* a ']' first in the bracket is a member, not its end
			 */
			in_bracket = true;
			*o++ = raw[i++];
			if (i < len && raw[i] == '^')
				*o++ = raw[i++];
			if (i < len && raw[i] == ']')
				*o++ = raw[i++];
		} else {
			*o++ = c;
			i++;
		}
	}
	*o = '\0';
	return out;
}

/* a + b and a * b, stuck at REGEX_NODES_MAX + 1 past it. */
static size_t nodes_add(size_t a, size_t b)
{
	return a + b > REGEX_NODES_MAX ? REGEX_NODES_MAX + 1 : a + b;
}

static size_t nodes_mul(size_t a, size_t b)
{
	return b && a > (REGEX_NODES_MAX + 1) / b ? REGEX_NODES_MAX + 1
						  : nodes_add(a * b, 0);
}

/*
 * The repetition count of the interval "{m}", "{m,}" or "{m,n}" at
 * ere[*i] == '{' (the copies glibc's regcomp makes of what it repeats),
 * *i moved past it; 0 when it is no interval (regcomp judges it).
 */
static size_t interval_copies(const char *ere, size_t *i)
{
	size_t j = *i + 1, m = 0, n = 0;
	bool comma = false, has_n = false;

	for (; ere[j] >= '0' && ere[j] <= '9'; j++)
		m = nodes_add(nodes_mul(m, 10), (size_t)(ere[j] - '0'));
	if (ere[j] == ',') {
		comma = true;
		for (j++; ere[j] >= '0' && ere[j] <= '9'; j++, has_n = true)
			n = nodes_add(nodes_mul(n, 10), (size_t)(ere[j] - '0'));
	}
	if (ere[j] != '}')
		return 0;
	*i = j + 1;
	if (!comma)
		return m ? m : 1;
	if (!has_n)
		return m + 1;
	return n > m ? n : (m ? m : 1);
}

/*
 * An estimate of the nodes regcomp builds for ere: glibc copies what a
 * '+' or an interval repeats, so stacked or nested repetitions (`a++++`,
 * `(a{999}){999}`) grow a tree exponential in the text, gigabytes from a
 * few dozen bytes. Each atom counts 1, a repetition multiplies what it
 * repeats. Stuck at REGEX_NODES_MAX + 1 once past it, and at once for a
 * repetition of a repetition (`a+?`, `a*{2}`).
 */
static size_t regex_nodes(const char *ere)
{
	/* Per open group: nodes so far, and those of the last atom. */
	size_t total[NESTING_MAX + 1] = {0}, last[NESTING_MAX + 1] = {0};
	size_t depth = 0, i = 0, atom, copies;
	bool repeated = false; /* the last thing read was a repetition */

	while (ere[i]) {
		char c = ere[i];

		if (c == '*' || c == '?' || c == '+' || c == '{') {
			if (c == '{') {
				copies = interval_copies(ere, &i);
				if (!copies) {
					i++;
					goto plain;
				}
			} else {
				copies = c == '+' ? 2 : 1;
				i++;
			}
			/*
			 * `a+?*`: POSIX leaves it undefined, and glibc's
			 * epsilon closures grow exponential in the run.
			 */
			if (repeated)
				return REGEX_NODES_MAX + 1;
			repeated = true;
			atom = nodes_add(nodes_mul(last[depth], copies), 1);
			total[depth] =
				nodes_add(total[depth] - last[depth], atom);
			last[depth] = atom;
			continue;
		}
		repeated = false;
		if (c == '(') {
			if (depth == NESTING_MAX)
				return REGEX_NODES_MAX + 1;
			depth++;
			total[depth] = last[depth] = 0;
			i++;
			continue;
		}
		if (c == ')' && depth > 0) {
			atom = nodes_add(total[depth], 1);
			depth--;
			total[depth] = nodes_add(total[depth], atom);
			last[depth] = atom;
			i++;
			continue;
		}
		if (c == '[') {
			/* A bracket expression is one node, whatever it holds.
			 */
			i++;
			if (ere[i] == '^')
				i++;
			if (ere[i] == ']')
				i++;
			while (ere[i] && ere[i] != ']') {
				if (ere[i] == '[' &&
				    in_set(ere[i + 1], ":.=")) {
					char kind = ere[i + 1];

					for (i += 2;
					     ere[i] && !(ere[i] == kind &&
							 ere[i + 1] == ']');
					     i++)
						;
					if (ere[i])
						i++;
				}
				if (ere[i])
					i++;
			}
			if (ere[i])
				i++;
		} else if (c == '\\' && ere[i + 1]) {
			i += 2;
		} else {
			i++;
		}
	plain:
		total[depth] = nodes_add(total[depth], 1);
		last[depth] = 1;
	}
	while (depth > 0) {
		total[depth - 1] = nodes_add(total[depth - 1], total[depth]);
		depth--;
	}
	return total[0];
}

/* Compile raw[0..len) as a %regex% holds it, guarded: see pattern.h. */
int pattern_regex_compile(const char *raw, size_t len, int cflags, regex_t *re,
			  struct err *err)
{
	char why[128];
	char *text;
	int rc;

	if (len == 0) {
		err_set(err, "empty regular expression");
		return -EINVAL;
	}
	if (memchr(raw, '\0', len)) {
		err_set(err, "NUL byte in a regular expression");
		return -EINVAL;
	}
	text = regex_text(raw, len);
	if (!text) {
		err_set(err, "out of memory compiling a regular expression");
		return -ENOMEM;
	}
	if (regex_nodes(text) > REGEX_NODES_MAX) {
		free(text);
		err_set(err,
			"regular expression too complex (a repeated"
			" repetition, or repetitions expanding past %d"
			" nodes)",
			REGEX_NODES_MAX);
		return -EINVAL;
	}
	rc = regcomp(re, text, cflags | REG_EXTENDED);
	free(text);
	if (rc) {
		regerror(rc, NULL, why, sizeof(why));
		err_set(err, "bad regular expression (%s)", why);
		return rc == REG_ESPACE ? -ENOMEM : -EINVAL;
	}
	return 0;
}

/* Read %regex% at pos into v. */
int pattern_regex_read(struct parser *ps, struct value *v)
{
	size_t open = ps->pos, end;
	struct err why = {""};
	int rc;

	rc = pattern_find_close(ps, '%', &end);
	if (rc)
		return rc;
	if (end == open + 1)
		return pattern_fail(ps, open,
				    "empty regular expression '%%%%'");
	rc = pattern_regex_compile(ps->s + open + 1, end - open - 1, REG_NOSUB,
				   &v->regex, &why);
	if (rc == -ENOMEM)
		return pattern_fail_nomem(ps);
	if (rc)
		return pattern_fail(ps, open, "%s", why.msg);
	v->is_regex = true;
	ps->pos = end + 1;
	return 0;
}

/*
 * Whether re matches anywhere in s[0..n). regexec wants a C string (and
 * sanitizers check it as one even under REG_STARTEND), so the bytes are
 * copied and NUL-ended: on the stack for short lines, else malloc'd.
 * REG_STARTEND, where the C library has it, lets the regex see past a
 * NUL byte inside the line.
 */
bool pattern_regex_search(const regex_t *re, const char *s, size_t n)
{
	char stack[REGEX_LINE_ON_STACK];
	char *copy = n < sizeof(stack) ? stack : malloc(n + 1);
	regmatch_t range = {.rm_so = 0, .rm_eo = 0};
	int flags = 0;
	bool found;

	if (!copy)
		return false;
	memcpy(copy, s, n);
	copy[n] = '\0';
#ifdef REG_STARTEND
	if (n <= INT_MAX) { /* what glibc's int regoff_t can hold */
		range.rm_eo = (regoff_t)n;
		flags = REG_STARTEND;
	}
#endif
	found = regexec(re, copy, 1, &range, flags) == 0;
	if (copy != stack)
		free(copy);
	return found;
}
