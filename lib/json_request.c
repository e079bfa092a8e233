/*
 * json_request: loading a JSON request, naming types, and the CLI
 * skeleton's "left empty" rule, shared by every JSON definition parser.
 */
#include "lib/json_request.h"

#include "lib/utf8.h"

#include <errno.h>
#include <string.h>

/*
 * Replace, in place, each control byte and each byte that does not begin
 * a well-formed UTF-8 sequence with '?' (jansson quotes the input).
 */
static void clean_text(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = u[i] < 0x20 || u[i] == 0x7F
			    ? 0
			    : utf8_sequence_length(u + i, len - i);
		if (n == 0) {
			u[i++] = '?';
			continue;
		}
		i += n;
	}
}

int json_request_load(const char *text, size_t len, json_t **out,
		      struct err *err)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root && json_error_code(&jerr) == json_error_out_of_memory) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (!root) {
		clean_text(jerr.text);
		err_set(err, "JSON line %d column %d: %s", jerr.line,
			jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		err_set(err, "JSON: not an object");
		json_decref(root);
		return -EINVAL;
	}
	*out = root;
	return 0;
}

const char *json_request_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

bool json_request_blank(json_t *v, bool nested, json_request_filled_fn filled)
{
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
	case JSON_REAL:
		return json_number_value(v) == 0;
	case JSON_TRUE:
	case JSON_FALSE:
		return nested;
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
		{
			if (!json_request_blank(item, true, filled))
				return false;
		}
		return true;
	case JSON_OBJECT:
		json_object_foreach(v, key, item)
		{
			if (filled && filled(key, item))
				continue;
			if (!json_request_blank(item, true, filled))
				return false;
		}
		return true;
	default:
		return false;
	}
}
