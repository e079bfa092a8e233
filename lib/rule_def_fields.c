/*
 * rule_def_fields: one setter per part of a rule's definition (SPEC 13),
 * shared by both forms (rule_def_kv.c, rule_def_json.c).
 *
 * A pattern is kept compacted (json_dumps with JSON_COMPACT, members in
 * the order written), so that its rendering is one line that reads back
 * to the same text. Numbers given with a fraction or exponent are
 * printed with the fewest significant digits (the same for the whole
 * pattern) that read back to the same values: jansson's default of 17
 * would show 0.1 as 0.10000000000000001.
 */
#include "lib/rule_def_impl.h"

#include "lib/format.h"
#include "lib/kv.h"
#include "lib/event_pattern.h"
#include "lib/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

static bool text_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Copy s[0..len) into dst (len < its size) as a NUL-terminated string. */
static void copy_text(char *dst, const char *s, size_t len)
{
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* ---- the pattern ---- */

static bool has_real(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_real(v))
		return true;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			if (has_real(item))
				return true;
		}
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
		{
			if (has_real(item))
				return true;
		}
	}
	return false;
}

/*
 * pattern compacted, with the fewest digits that read back the same (see
 * the file header): a string to free, or NULL (out of memory).
 */
static char *compact(json_t *pattern)
{
	bool reals = has_real(pattern);
	json_t *back;
	char *text;
	unsigned digits;
	bool same;

	for (digits = reals ? 1 : 17;; digits++) {
		text = json_dumps(pattern,
				  (size_t)JSON_COMPACT |
					  (size_t)JSON_REAL_PRECISION(digits));
		if (!text || digits == 17)
			return text;
		back = json_loads(text, 0, NULL);
		same = back && json_equal(back, pattern);
		json_decref(back);
		if (same)
			return text;
		free(text);
	}
}

/* Compile pattern (checked), then keep its compact text. */
int rule_def_set_pattern_object(struct rule_def *d, json_t *pattern,
				struct err *err)
{
	struct event_pattern *p;
	char *text;
	size_t len;
	int rc;

	rc = event_pattern_compile_json(pattern, &p, err);
	if (rc)
		return rc;
	event_pattern_free(p);
	text = compact(pattern);
	if (!text) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	len = strlen(text);
	if (len > RULE_PATTERN_MAX) {
		err_set(err, "%zu bytes as compact JSON, more than %d", len,
			RULE_PATTERN_MAX);
		free(text);
		return -EINVAL;
	}
	copy_text(d->pattern, text, len);
	free(text);
	return 0;
}

int rule_def_set_pattern(struct rule_def *d, const char *s, size_t len,
			 struct err *err)
{
	struct event_pattern *p;
	json_t *root;
	int rc;

	if (len > RULE_PATTERN_MAX) {
		err_set(err, "longer than %d bytes (EventBridge's limit)",
			RULE_PATTERN_MAX);
		return -EINVAL;
	}
	/* Its messages for JSON that does not parse. */
	rc = event_pattern_compile(s, len, &p, err);
	if (rc)
		return rc;
	event_pattern_free(p);
	root = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	rc = rule_def_set_pattern_object(d, root, err);
	json_decref(root);
	return rc;
}

/* ---- the other parts ---- */

int rule_def_set_schedule(struct rule_def *d, const char *s, size_t len,
			  struct err *err)
{
	/* No stack bytes into d, padding included (see rule_def.h). */
	struct schedule *sched = calloc(1, sizeof(*sched));
	int rc;

	if (!sched) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	rc = schedule_parse(s, len, sched, err);
	if (rc == 0) {
		memcpy(&d->schedule, sched, sizeof(*sched));
		d->has_schedule = true;
	}
	free(sched);
	return rc;
}

/* A bus: a file in events/, so one path component (SPEC 2). */
static int check_bus(const char *s, size_t len, struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (parse_name_explained(s, len, err))
		return -EINVAL;
	if (memchr(s, '/', len)) {
		err_set(err, "\"%s\" is not a bus name (it holds '/')",
			format_quote(q, s, len));
		return -EINVAL;
	}
	return 0;
}

int rule_def_set_bus(struct rule_def *d, const char *s, size_t len,
		     struct err *err)
{
	if (check_bus(s, len, err))
		return -EINVAL;
	copy_text(d->bus, s, len);
	return 0;
}

/*
 * log:GROUP/STREAM, split at the last '/', the group's leading '/'
 * dropped (SPEC 2), into t.
 */
static int parse_log_target(const char *s, size_t len, struct rule_target *t,
			    struct err *err)
{
	const char *dest;
	size_t n, group_len;

	if (parse_log_destination(s, len, &dest, &n, &group_len, err))
		return -EINVAL;
	/* At most 4 + 512 + 1 + 255 bytes: it fits. */
	t->kind = RULE_TARGET_LOG;
	memcpy(t->text, "log:", 4);
	copy_text(t->text + 4, dest, n);
	copy_text(t->group, dest, group_len);
	copy_text(t->stream, dest + group_len + 1, n - group_len - 1);
	return 0;
}

/* exec:/ABSOLUTE/PATH, as an alarm's exec: action (SPEC 5). */
static int parse_exec_target(const char *s, size_t len, struct rule_target *t,
			     struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (len == 5 || s[5] != '/') {
		err_set(err, "\"%s\": the program must be an absolute path",
			format_quote(q, s, len));
		return -EINVAL;
	}
	if (len > RULE_TARGET_MAX) {
		err_set(err, "\"%s\" is longer than %d bytes",
			format_quote(q, s, len), RULE_TARGET_MAX);
		return -EINVAL;
	}
	if (!utf8_text_ok(s, len, "")) {
		err_set(err,
			"\"%s\" holds a control character or invalid UTF-8",
			format_quote(q, s, len));
		return -EINVAL;
	}
	t->kind = RULE_TARGET_EXEC;
	copy_text(t->text, s, len);
	copy_text(t->path, s + 5, len - 5);
	return 0;
}

/* events:BUS, a bus name; whether it is the rule's own is finish's. */
static int parse_events_target(const char *s, size_t len, struct rule_target *t,
			       struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (check_bus(s + 7, len - 7, err)) {
		err_prefix(err, "\"%s\"", format_quote(q, s, len));
		return -EINVAL;
	}
	t->kind = RULE_TARGET_EVENTS;
	copy_text(t->text, s, len);
	copy_text(t->bus, s + 7, len - 7);
	return 0;
}

int rule_def_add_target(struct rule_def *d, const char *s, size_t len,
			struct err *err)
{
	struct rule_target *t = &d->targets[d->ntargets];
	char q[FORMAT_QUOTE_SIZE];
	size_t i;
	int rc;

	if (d->ntargets == RULE_TARGETS_MAX) {
		err_set(err, "more than %d targets (EventBridge's limit)",
			RULE_TARGETS_MAX);
		return -EINVAL;
	}
	if (has_prefix(s, len, "log:")) {
		rc = parse_log_target(s, len, t, err);
	} else if (has_prefix(s, len, "exec:")) {
		rc = parse_exec_target(s, len, t, err);
	} else if (has_prefix(s, len, "events:")) {
		rc = parse_events_target(s, len, t, err);
	} else {
		err_set(err,
			"\"%s\" is not log:GROUP/STREAM, exec:/PATH or"
			" events:BUS%s",
			format_quote(q, s, len),
			has_prefix(s, len, "arn:")
				? " (AWS targets are not supported)"
				: "");
		rc = -EINVAL;
	}
	for (i = 0; rc == 0 && i < d->ntargets; i++) {
		if (!strcmp(d->targets[i].text, t->text)) {
			err_set(err, "\"%s\" given twice",
				format_quote(q, t->text, strlen(t->text)));
			rc = -EINVAL;
		}
	}
	if (rc) {
		/* Leave the slot as it was: all zero. */
		memset(t, 0, sizeof(*t));
		return rc;
	}
	d->ntargets++;
	return 0;
}

int rule_def_set_input_path(struct rule_def *d, const char *s, size_t len,
			    struct err *err)
{
	if (rule_input_path_check(s, len, err))
		return -EINVAL;
	copy_text(d->input_path, s, len);
	return 0;
}

int rule_def_set_state(struct rule_def *d, const char *s, size_t len, bool json,
		       struct err *err)
{
	char q[FORMAT_QUOTE_SIZE];

	if (text_is(s, len, "ENABLED") ||
	    (json &&
	     text_is(s, len,
		     "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))) {
		d->enabled = true;
		return 0;
	}
	if (text_is(s, len, "DISABLED")) {
		d->enabled = false;
		return 0;
	}
	err_set(err, "\"%s\" is not ENABLED or DISABLED%s",
		format_quote(q, s, len),
		json ? " (or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)"
		     : "");
	return -EINVAL;
}

int rule_def_set_description(struct rule_def *d, const char *s, size_t len,
			     struct err *err)
{
	if (len > RULE_DESCRIPTION_MAX) {
		err_set(err, "longer than %d bytes (EventBridge's limit)",
			RULE_DESCRIPTION_MAX);
		return -EINVAL;
	}
	if (!utf8_text_ok(s, len, "\t\n\r")) {
		err_set(err, "holds a control character or invalid UTF-8");
		return -EINVAL;
	}
	copy_text(d->description, s, len);
	return 0;
}

/* ---- cross-field rules ---- */

bool rule_def_schedule_bus_refused(const struct rule_def *d)
{
	return d->bus[0] && strcmp(d->bus, RULE_DEFAULT_BUS);
}

void rule_def_finish_bus(struct rule_def *d)
{
	if (d->has_schedule)
		memset(d->bus, 0, sizeof(d->bus));
	else if (!d->bus[0])
		strcpy(d->bus, RULE_DEFAULT_BUS);
}

bool rule_def_target_is_own_bus(const struct rule_def *d, size_t i)
{
	return d->targets[i].kind == RULE_TARGET_EVENTS && d->bus[0] &&
	       !strcmp(d->targets[i].bus, d->bus);
}

/* ---- the API ---- */
