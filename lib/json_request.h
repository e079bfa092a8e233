/*
 * json_request: what the parsers of AWS requests written as JSON share
 * (PutMetricAlarm's in lib/alarm_def_json.c, PutRule's and PutTargets'
 * in lib/rule_def_json.c): loading the text with messages fit for the
 * trail, naming a value's type, and telling a member the CLI's
 * `--generate-cli-skeleton` left empty (SPEC 5), which counts as absent.
 */
#ifndef MONFS_JSON_REQUEST_H
#define MONFS_JSON_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/*
 * Load text[0..len) as one JSON object, duplicate members refused. 0 and
 * *out (a new reference); -EINVAL with err saying "JSON line L column C:
 * ..." (jansson's words, control bytes and invalid UTF-8 shown as '?')
 * or "JSON: not an object"; -ENOMEM.
 */
int json_request_load(const char *text, size_t len, json_t **out,
		      struct err *err);

/* "an object", "an array", "a string", "a number", "a boolean", "null". */
const char *json_request_type_name(const json_t *v);

/*
 * For json_request_blank: whether the member key: v, inside an array or
 * object, holds a value the skeleton fills in by itself (an alarm's
 * "Unit": "Seconds"), and so counts as left empty too.
 */
typedef bool (*json_request_filled_fn)(const char *key, const json_t *v);

/*
 * Whether v holds nothing a user wrote: its strings all empty and its
 * numbers all 0, recursively (`""`, `[""]`, `[{"Name":"","Value":""}]`,
 * `{}`, `0`). nested: v is inside an array or object, where booleans do
 * not count either (the skeleton fills in true), nor the members that
 * filled names (filled may be NULL). Whether 0 is a valid value, and so not
 * "left empty", is the caller's to decide before asking.
 */
bool json_request_blank(json_t *v, bool nested, json_request_filled_fn filled);

#endif
