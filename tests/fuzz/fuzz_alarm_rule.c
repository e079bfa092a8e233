/*
 * Fuzz alarm_rule_parse (SPEC 12). A rule that parses names distinct
 * alarms, at most ALARM_RULE_ALARMS_MAX, each a valid name, and
 * evaluates in every world to a reason that starts as SPEC 12 says.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alarm.h"
#include "lib/alarm_rule.h"

/* A state for each name, from its bytes and the world's seed. */
static int state_of(const char *name, void *ctx)
{
	unsigned h = *(unsigned *)ctx;

	while (*name)
		h = h * 31 + (unsigned char)*name++;
	return (int)(h % 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf reason = {0};
	struct alarm_rule *r;
	struct err err = {{0}};
	unsigned seed;
	size_t n, i, j;
	bool value;

	if (alarm_rule_parse((const char *)data, size, &r, &err) != 0)
		return 0;
	n = alarm_rule_name_count(r);
	if (n > ALARM_RULE_ALARMS_MAX)
		abort();
	for (i = 0; i < n; i++) {
		const char *name = alarm_rule_name(r, i);

		if (parse_name(name, strlen(name)) != 0 ||
		    !alarm_rule_names_alarm(r, name))
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(name, alarm_rule_name(r, j)))
				abort();
	}
	for (seed = 0; seed < 3; seed++) {
		strbuf_reset(&reason);
		if (alarm_rule_evaluate(r, state_of, &seed, &value, &reason))
			abort();
		if (strncmp(reason.buf, value ? "Rule true" : "Rule false",
			    value ? 9 : 10) != 0) {
			fprintf(stderr, "reason \"%s\" for %d\n", reason.buf,
				value);
			abort();
		}
	}
	strbuf_release(&reason);
	alarm_rule_free(r);
	return 0;
}
