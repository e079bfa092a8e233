/*
 * rule_def: a rule's definition (SPEC 13) parsed in either form (the
 * dispatch to rule_def_kv.c or rule_def_json.c, which share the setters
 * of rule_def_fields.c) and rendered.
 */
#include "lib/rule_def_impl.h"

#include "lib/kv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether text is the JSON form: its first non-blank byte is '{' (or
 * '[', which no `key = value` line starts with: "JSON: not an object"
 * says more than "not key = value").
 */
static bool is_json(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return text[i] == '{' || text[i] == '[';
	return false;
}

int rule_def_parse(const char *text, size_t len, struct rule_def *out,
		   struct err *err)
{
	struct rule_def *d;
	int rc;

	/* Calloc'd, so every unused byte is zero (see rule_def.h). */
	d = calloc(1, sizeof(*d));
	if (!d) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	d->enabled = true;
	rc = is_json(text, len) ? rule_def_parse_json(text, len, d, err)
				: rule_def_parse_kv(text, len, d, err);
	if (rc == 0)
		memcpy(out, d, sizeof(*d));
	free(d);
	return rc;
}

size_t rule_def_target_buses(const struct rule_def *d,
			     const char *buses[RULE_TARGETS_MAX])
{
	size_t i, n = 0;

	for (i = 0; i < d->ntargets && i < RULE_TARGETS_MAX; i++)
		if (d->targets[i].kind == RULE_TARGET_EVENTS)
			buses[n++] = d->targets[i].bus;
	return n;
}

/* A field of d, bounded by its array in case it lacks its NUL. */
#define FIELD_LEN(field) strnlen(field, sizeof(field))

int rule_def_render(const struct rule_def *d, struct strbuf *out)
{
	size_t start = out->len, i;
	int rc;

	/*
	 * The pattern raw, as the reader takes it: compact JSON is one
	 * line, starts with '{' and holds no blank outside its strings, so
	 * no '#' in it can start a comment.
	 */
	if (d->has_schedule) {
		const char *text = schedule_format(&d->schedule);

		rc = kv_put(out, "schedule", text, strlen(text));
	} else {
		rc = strbuf_adds(out, "pattern = ");
		if (rc == 0)
			rc = strbuf_add(out, d->pattern, FIELD_LEN(d->pattern));
		if (rc == 0)
			rc = strbuf_adds(out, "\n");
		if (rc == 0)
			rc = kv_put(out, "bus", d->bus, FIELD_LEN(d->bus));
	}
	for (i = 0; rc == 0 && i < d->ntargets && i < RULE_TARGETS_MAX; i++)
		rc = kv_put(out, "target", d->targets[i].text,
			    FIELD_LEN(d->targets[i].text));
	if (rc == 0 && d->input_path[0])
		rc = kv_put(out, "input_path", d->input_path,
			    FIELD_LEN(d->input_path));
	if (rc == 0)
		rc = strbuf_adds(out, d->enabled ? "state = ENABLED\n"
						 : "state = DISABLED\n");
	if (rc == 0 && d->description[0])
		rc = kv_put(out, "description", d->description,
			    FIELD_LEN(d->description));
	if (rc && out->buf) {
		/* Leave out as it was. */
		out->len = start;
		out->buf[start] = '\0';
	}
	return rc;
}
