/*
 * bruler: events per second through lib/event_ruler with 1,000 rules of
 * the kinds SPEC 13's buses carry (issue #19: 1,000 rules, 100 k
 * events, >= 50 k events/s end to end). Not part of make bench: build
 * it by hand beside the library,
 *
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -I. -o /tmp/bruler tests/bench/bruler.c \
 *      lib/event_pattern*.c lib/event_ruler.c lib/strbuf.c lib/err.c -ljansson
 *   taskset -c 0 /tmp/bruler [RULES] [EVENTS]
 *
 * It prints, for the same events: the ruler on parsed events, the ruler
 * with each event's JSON text parsed first (what the daemon pays), and
 * the loop the ruler replaces (every pattern matched in turn).
 */
#include "lib/event_pattern.h"
#include "lib/event_ruler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long rng = 42;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rule i of a bus: alarms by name, API calls, prefixes, ranges, $or. */
static void rule_text(char *buf, size_t size, unsigned i)
{
	switch (i % 10) {
	case 0:
	case 1:
	case 2:
	case 3:
		snprintf(buf, size,
			 "{\"source\":[\"aws.cloudwatch\"],\"detail-type\":"
			 "[\"CloudWatch Alarm State Change\"],\"detail\":{"
			 "\"alarmName\":[\"alarm-%u\"],\"state\":{\"value\":"
			 "[\"ALARM\"]}}}",
			 i);
		break;
	case 4:
	case 5:
		snprintf(
			buf, size,
			"{\"source\":[\"aws.logs\"],\"detail-type\":[\"AWS API "
			"Call via CloudTrail\"],\"detail\":{\"eventSource\":"
			"[\"logs.monfs\"],\"eventName\":[\"Put%u\"]}}",
			i);
		break;
	case 6:
		snprintf(buf, size,
			 "{\"source\":[\"aws.cloudwatch\"],\"detail\":{"
			 "\"alarmName\":[{\"prefix\":\"web-%u-\"}]}}",
			 i);
		break;
	case 7:
		snprintf(buf, size,
			 "{\"source\":[\"app.orders\"],\"detail\":{\"region\":"
			 "[\"r%u\"],\"amount\":[{\"numeric\":[\">\",%u]}]}}",
			 i % 50, i);
		break;
	case 8:
		snprintf(buf, size,
			 "{\"source\":[\"app.orders\"],\"$or\":[{\"detail\":{"
			 "\"customer\":[\"c%u\"]}},{\"detail\":{\"sku\":"
			 "[\"s%u\"]}}]}",
			 i, i);
		break;
	default:
		snprintf(
			buf, size,
			"{\"source\":[\"app.orders\"],\"detail\":{\"customer\":"
			"[\"c%u\"],\"state\":[{\"anything-but\":[\"test\","
			"\"dry-run\"]}],\"coupon\":[{\"exists\":false}]}}",
			i);
		break;
	}
}

static void event_text(char *buf, size_t size, unsigned rules)
{
	unsigned n = rnd(rules);

	switch (rnd(3)) {
	case 0:
		snprintf(
			buf, size,
			"{\"version\":\"0\",\"id\":\"%u\",\"detail-type\":"
			"\"CloudWatch Alarm State Change\",\"source\":"
			"\"aws.cloudwatch\",\"account\":\"000000000000\","
			"\"time\":\"2026-12-04T10:00:00Z\",\"region\":"
			"\"local\","
			"\"resources\":[\"arn:aws:cloudwatch:local:0:alarm:x\"]"
			","
			"\"detail\":{\"alarmName\":\"%s%u\",\"state\":{"
			"\"value\":\"%s\",\"reason\":\"Threshold Crossed\","
			"\"timestamp\":\"2026-12-04T10:00:00Z\"},"
			"\"previousState\":{\"value\":\"OK\"},"
			"\"configuration\":{\"metrics\":[{\"metricStat\":{"
			"\"metric\":{\"namespace\":\"System\",\"name\":\"cpu\","
			"\"dimensions\":{\"host\":\"a\"}},\"period\":60,"
			"\"stat\":\"Average\"}}]}}}",
			n, rnd(2) ? "alarm-" : "web-", n,
			rnd(2) ? "ALARM" : "OK");
		break;
	case 1:
		snprintf(buf, size,
			 "{\"version\":\"0\",\"id\":\"%u\",\"detail-type\":"
			 "\"AWS API Call via "
			 "CloudTrail\",\"source\":\"aws.logs\","
			 "\"account\":\"000000000000\",\"time\":"
			 "\"2026-12-04T10:00:00Z\",\"region\":\"local\","
			 "\"resources\":[],\"detail\":{\"eventVersion\":\"1."
			 "08\","
			 "\"eventSource\":\"logs.monfs\",\"eventName\":\"Put%"
			 "u\","
			 "\"userIdentity\":{\"type\":\"Unix\",\"uid\":1000},"
			 "\"sourceIPAddress\":\"127.0.0.1\","
			 "\"requestParameters\":"
			 "{\"logGroupName\":\"app\",\"logStreamName\":\"web\"}}"
			 "}",
			 n, n);
		break;
	default:
		snprintf(buf, size,
			 "{\"version\":\"0\",\"id\":\"%u\",\"detail-type\":"
			 "\"Order\",\"source\":\"app.orders\",\"account\":"
			 "\"000000000000\",\"time\":\"2026-12-04T10:00:00Z\","
			 "\"region\":\"local\",\"resources\":[],\"detail\":{"
			 "\"customer\":\"c%u\",\"sku\":\"s%u\",\"region\":\"r%"
			 "u\","
			 "\"amount\":%u.5,\"state\":\"%s\",\"items\":[1,2,3]}}",
			 n, n, rnd(rules), n % 50, rnd(2000),
			 rnd(4) ? "paid" : "test");
		break;
	}
}

static int count(int64_t id, void *arg)
{
	(void)id;
	++*(unsigned long *)arg;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned rules = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	unsigned events = argc > 2 ? (unsigned)atoi(argv[2]) : 100000;
	struct event_pattern **alone = calloc(rules, sizeof(*alone));
	char **texts = calloc(events, sizeof(*texts));
	json_t **parsed = calloc(events, sizeof(*parsed));
	struct event_ruler *r = event_ruler_new();
	unsigned long hits = 0, loop_hits = 0, text_hits = 0;
	char buf[2048];
	struct err err;
	double t0, ruler_s, text_s, loop_s;
	unsigned i, j;

	if (!alone || !texts || !parsed || !r)
		return 1;
	for (i = 0; i < rules; i++) {
		struct event_pattern *p, *q;

		rule_text(buf, sizeof(buf), i);
		if (event_pattern_compile(buf, strlen(buf), &p, &err) ||
		    event_pattern_compile(buf, strlen(buf), &q, &err) ||
		    event_ruler_add(r, i, p, &err)) {
			fprintf(stderr, "rule %u: %s\n", i, err.msg);
			return 1;
		}
		alone[i] = q;
	}
	for (j = 0; j < events; j++) {
		event_text(buf, sizeof(buf), rules);
		texts[j] = strdup(buf);
		parsed[j] = json_loads(buf, 0, NULL);
		if (!texts[j] || !parsed[j])
			return 1;
	}

	t0 = now();
	for (j = 0; j < events; j++)
		if (event_ruler_match(r, parsed[j], count, &hits))
			return 1;
	ruler_s = now() - t0;

	t0 = now();
	for (j = 0; j < events; j++) {
		json_t *e = json_loads(texts[j], 0, NULL);

		if (!e || event_ruler_match(r, e, count, &text_hits))
			return 1;
		json_decref(e);
	}
	text_s = now() - t0;

	t0 = now();
	for (j = 0; j < events; j++)
		for (i = 0; i < rules; i++)
			loop_hits += event_pattern_match(alone[i], parsed[j]);
	loop_s = now() - t0;

	printf("rules %u (unindexed %zu), events %u, matches %lu\n", rules,
	       event_ruler_unindexed(r), events, hits);
	printf("ruler, parsed events:      %10.0f events/s\n",
	       events / ruler_s);
	printf("ruler, JSON text parsed:   %10.0f events/s\n", events / text_s);
	printf("loop over every pattern:   %10.0f events/s\n", events / loop_s);
	if (hits != loop_hits || hits != text_hits) {
		fprintf(stderr, "ruler %lu, text %lu, loop %lu: differ\n", hits,
			text_hits, loop_hits);
		return 1;
	}
	for (i = 0; i < rules; i++)
		event_pattern_free(alone[i]);
	for (j = 0; j < events; j++) {
		free(texts[j]);
		json_decref(parsed[j]);
	}
	free(alone);
	free(texts);
	free(parsed);
	event_ruler_free(r);
	return 0;
}
