/*
 * rule_input_path: a rule's input_path (SPEC 13), the part of
 * EventBridge's JSONPath that InputPath documents (rule_def.h): `$`,
 * then `.name` and `[N]` steps. Checked when the rule is defined,
 * walked for each delivery: the walk trusts the check.
 */
#include "lib/rule_def.h"

#include "lib/format.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A byte of a `.name` step: EventBridge's letters, digits, _ - /. */
static bool name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/';
}

/* One step at s[*at]: a name's or an index's extent; 0 or -EINVAL. */
static int check_step(const char *s, size_t len, size_t *at, struct err *err)
{
	size_t i = *at + 1, start = i;

	if (s[*at] == '.') {
		while (i < len && name_byte(s[i]))
			i++;
		if (i == start) {
			err_set(err,
				"byte %zu: '.' must be followed by a name"
				" (letters, digits, _ - /)",
				start);
			return -EINVAL;
		}
	} else if (s[*at] == '[') {
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start || i - start > 9 || i == len || s[i] != ']' ||
		    (s[start] == '0' && i - start > 1)) {
			err_set(err,
				"byte %zu: '[' must hold an array index"
				" (digits, no leading zero) and ']'",
				start);
			return -EINVAL;
		}
		i++;
	} else {
		err_set(err,
			"byte %zu: '%c' is not a step (.name or [N]; wildcards"
			" and filters are not supported)",
			*at + 1,
			s[*at] >= 0x20 && s[*at] < 0x7F ? s[*at] : '?');
		return -EINVAL;
	}
	*at = i;
	return 0;
}

int rule_input_path_check(const char *s, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];
	size_t at = 1;

	if (len > RULE_INPUT_PATH_MAX) {
		err_set(err, "longer than %d bytes (EventBridge's limit)",
			RULE_INPUT_PATH_MAX);
		return -EINVAL;
	}
	if (len == 0 || s[0] != '$') {
		err_set(err, "\"%s\" does not start with $",
			format_quote(q, s, len));
		return -EINVAL;
	}
	while (at < len) {
		if (check_step(s, len, &at, err)) {
			err_prefix(err, "\"%s\"", format_quote(q, s, len));
			return -EINVAL;
		}
	}
	return 0;
}

json_t *rule_input_path_apply(const char *input_path, const json_t *event)
{
	const char *s = input_path[0] == '$' ? input_path + 1 : input_path;
	const json_t *v = event;
	char name[RULE_INPUT_PATH_MAX + 1];
	size_t n;

	while (*s && v) {
		if (*s == '.') {
			n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_-/");
			if (n == 0 || n > RULE_INPUT_PATH_MAX)
				return NULL; /* not checked: select nothing */
			memcpy(name, s + 1, n);
			name[n] = '\0';
			v = json_object_get(v, name);
			s += n + 1;
		} else if (*s == '[') {
			char *end;
			unsigned long i = strtoul(s + 1, &end, 10);

			if (*end != ']' || !json_is_array(v))
				return NULL;
			v = json_array_get(v, (size_t)i);
			s = end + 1;
		} else {
			return NULL;
		}
	}
	return v ? json_incref((json_t *)v) : NULL;
}
