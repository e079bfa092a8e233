/*
 * Rules in the store (SPEC 13), through store/store.h: definitions put,
 * renamed and deleted with their trail records; a read's counters and
 * writing a read back; the events: cycle and the writer's rights
 * checked at definition; matching per bus, DISABLED, and what a writer
 * may read on default; deliveries made durable with the event; exec:
 * failures; schedules' phase and their catch-up.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller bob = {
	.uid = 1001, .gid = 1001, .pid = 7, .user = "bob", .process = "test"};
static const struct caller root = {
	.uid = 0, .gid = 0, .pid = 8, .user = "root", .process = "test"};

/* An event bob or root puts: source shop, detail {"n":N}. */
#define SHOP(n)                                                                \
	"{\"Source\":\"shop\",\"DetailType\":\"order\",\"Detail\":{\"n\":" #n  \
	"}}\n"

static void open_store(void)
{
	tmpstore_open(&fixture, "rules", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(rules, .init = open_store, .fini = close_store);

/* ---- helpers ---- */

/* Define rule name from text as who, who owning it. */
static int define(const char *name, const char *text, const struct caller *who,
		  struct err *err)
{
	const struct node_owner o = {who->uid, who->gid, 0644};

	return store_rule_put(st, name, text, strlen(text), &o, who, err);
}

/* define, asserting it worked. */
static void defined(const char *name, const char *text,
		    const struct caller *who)
{
	struct err err = {""};

	cr_assert_eq(define(name, text, who, &err), 0, "%s: %s", name, err.msg);
}

/* What a read of rule name shows, malloc'ed. */
static char *render(const char *name)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(store_rule_render(st, name, &out), 0, "%s", name);
	cr_assert_not_null(out.buf);
	return out.buf;
}

/* The value of counter key (`key = N`) in a read of rule name. */
static long long counter(const char *name, const char *key)
{
	char *text = render(name), needle[64], *at;
	long long v;

	snprintf(needle, sizeof(needle), "\n%s = ", key);
	at = strstr(text, needle);
	cr_assert_not_null(at, "no %s in:\n%s", key, text);
	v = strtoll(at + strlen(needle), NULL, 10);
	free(text);
	return v;
}

/* How many lines of text hold needle. */
static int lines_with(const char *text, const char *needle)
{
	const char *at = text;
	int n = 0;

	while ((at = strstr(at, needle))) {
		n++;
		at = strchr(at, '\n');
		if (!at)
			break;
	}
	return n;
}

/* Today's trail, whole, malloc'ed. */
static char *trail_today(void)
{
	return tmpstore_trail_today(st);
}

/* The last record of today's trail, parsed; the caller decrefs it. */
static json_t *last_record(void)
{
	char *buf = trail_today(), *last;
	json_t *rec;
	json_error_t jerr;
	size_t len = strlen(buf);

	cr_assert_gt(len, 0);
	buf[len - 1] = '\0';
	last = strrchr(buf, '\n');
	rec = json_loads(last ? last + 1 : buf, 0, &jerr);
	cr_assert_not_null(rec, "%s", jerr.text);
	free(buf);
	return rec;
}

/* The whole of stream info s, malloc'ed. */
static char *read_all(const struct stream_info *s)
{
	char *buf = calloc(1, (size_t)(s->end - s->start) + 1);
	int n;

	cr_assert_not_null(buf);
	n = store_stream_read(st, s->id, 0, buf, (size_t)(s->end - s->start));
	cr_assert_eq(n, s->end - s->start);
	return buf;
}

static char *read_bus(const char *name)
{
	struct stream_info s;

	cr_assert_eq(store_bus_get(st, name, &s), 0, "bus %s", name);
	return read_all(&s);
}

/* The stream group/name, whole; NULL when there is no such stream. */
static char *read_stream(const char *group, const char *name)
{
	struct stream_info s;

	if (store_stream_get(st, group, name, &s))
		return NULL;
	return read_all(&s);
}

/* PutEvents of text onto bus name as who. */
static int put(const char *name, const char *text, const struct caller *who,
	       struct err *err)
{
	struct stream_info s;
	struct data_session *ds;
	int rc;

	cr_assert_eq(store_bus_get(st, name, &s), 0, "bus %s", name);
	ds = store_data_open(DATA_BUS, s.id, "", name, who);
	cr_assert_not_null(ds);
	rc = store_data_put(st, ds, text, strlen(text), store_now_ms(), err);
	cr_assert_eq(store_data_close(st, ds), 0);
	return rc;
}

static void put_ok(const char *bus, const char *text, const struct caller *who)
{
	struct err err = {""};

	cr_assert_eq(put(bus, text, who, &err), 0, "%s", err.msg);
}

static void bus(const char *name, mode_t mode, const struct caller *who)
{
	struct stream_info s;
	struct err err = {""};

	cr_assert_eq(store_bus_create(st, name, mode, who, &s, &err), 0,
		     "%s: %s", name, err.msg);
}

/* The exec: deliveries the evaluator would start, as the test saw them. */
struct execs {
	int n;
	bool refuse; /* say the program could not start */
	char rule[64], path[256], line[1024], source[64], type[128];
	uid_t uid;
};

static struct execs execs;

static int record_exec(void *ctx, const struct rule_exec *d, char *why)
{
	struct execs *x = ctx;

	x->n++;
	snprintf(x->rule, sizeof(x->rule), "%s", d->rule);
	snprintf(x->path, sizeof(x->path), "%s", d->path);
	snprintf(x->line, sizeof(x->line), "%s", d->line);
	snprintf(x->source, sizeof(x->source), "%s", d->source);
	snprintf(x->type, sizeof(x->type), "%s", d->detail_type);
	x->uid = d->uid;
	if (x->refuse) {
		snprintf(why, 128, "cannot start %s: refused by the test",
			 d->path);
		return -ENOEXEC;
	}
	return 0;
}

/* The evaluator's delivery, once every rule defined so far has settled. */
static int deliver_settled(void)
{
	return store_rules_deliver(st,
				   store_now_ms() + DEFINITION_SETTLE_MS + 1000,
				   record_exec, &execs);
}

/* The `time` of each Scheduled Event on default, in order, in v. */
static int scheduled_times(int64_t *v, int max)
{
	char *text = read_bus("default"), *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *e = json_loads(line, 0, NULL);
		const char *type =
			json_string_value(json_object_get(e, "detail-type"));
		struct tm tm = {0};
		const char *t = json_string_value(json_object_get(e, "time"));

		cr_assert_not_null(e, "%s", line);
		if (type && !strcmp(type, "Scheduled Event")) {
			cr_assert_lt(n, max);
			cr_assert_not_null(
				strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm), "%s",
				t);
			v[n++] = (int64_t)timegm(&tm);
		}
		json_decref(e);
	}
	free(text);
	return n;
}

/* ---- definitions ---- */

Test(rules, a_rule_is_put_renamed_and_deleted_with_its_trail_records)
{
	struct alarm_info a;
	struct err err = {""};
	json_t *rec;
	char *trail;

	defined("r1", "pattern = {\"source\":[\"shop\"]}\n", &bob);
	cr_assert_eq(store_rule_get(st, "r1", &a), 0);
	cr_assert_eq(a.attr.uid, bob.uid);
	rec = last_record();
	cr_assert_str_eq(json_string_value(json_object_get(rec, "eventName")),
			 "PutRule");
	cr_assert_str_eq(json_string_value(json_object_get(rec, "eventSource")),
			 "rules.monfs");
	cr_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(rec, "requestParameters"), "name")),
		"r1");
	json_decref(rec);

	cr_assert_eq(store_rule_rename(st, "r1", "r2", &bob, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(store_rule_get(st, "r1", &a), -ENOENT);
	cr_assert_eq(store_rule_get(st, "r2", &a), 0);
	trail = trail_today();
	cr_assert_eq(lines_with(trail, "\"sourceRuleName\":\"r1\""), 1, "%s",
		     trail);
	cr_assert_eq(lines_with(trail, "\"eventName\":\"DeleteRule\""), 1);
	free(trail);

	cr_assert_eq(store_rule_delete(st, "r2", &bob, &err), 0, "%s", err.msg);
	cr_assert_eq(store_rule_get(st, "r2", &a), -ENOENT);
	rec = last_record();
	cr_assert_str_eq(json_string_value(json_object_get(rec, "eventName")),
			 "DeleteRule");
	cr_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(rec, "requestParameters"), "name")),
		"r2");
	json_decref(rec);
	cr_assert_eq(store_rule_delete(st, "r2", &bob, &err), -ENOENT);
	cr_assert_eq(store_rule_rename(st, "r2", "r3", &bob, &err), -ENOENT);
}

Test(rules, a_bad_definition_is_refused_and_the_old_one_stays)
{
	struct err err = {""};
	char *before, *after;
	json_t *rec;

	defined("r", "pattern = {\"source\":[\"shop\"]}\n", &bob);
	before = render("r");
	cr_assert_eq(define("r",
			    "pattern = {\"source\":[\"shop\"]}\nbogus = 1\n",
			    &bob, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "line 2"), "%s", err.msg);
	after = render("r");
	cr_assert_str_eq(after, before);
	rec = last_record();
	cr_assert_str_eq(json_string_value(json_object_get(rec, "eventName")),
			 "PutRule");
	cr_assert_not_null(json_object_get(rec, "errorCode"));
	json_decref(rec);
	free(before);
	free(after);
}

Test(rules, a_read_shows_the_definition_then_the_counters_and_writes_back)
{
	struct err err = {""};
	char *text, *again, *tail;
	const char *first = "pattern = {\"source\":[\"shop\"]}\n";
	const char *counters = "matched = 0\ninvocations = 0\n"
			       "failed_invocations = 0\n";

	defined("r",
		"pattern = {\"source\":[\"shop\"]}\ndescription = d\n"
		"target = log:ops/out\n",
		&root);
	text = render("r");
	/* The definition, defaults filled in, then the counters, last. */
	cr_assert(!strncmp(text, first, strlen(first)), "%s", text);
	cr_assert(strstr(text, "\nbus = default\n"), "%s", text);
	cr_assert(strstr(text, "\ntarget = log:ops/out\n"), "%s", text);
	cr_assert(strstr(text, "\nstate = ENABLED\n"), "%s", text);
	cr_assert(strstr(text, "\ndescription = d\n"), "%s", text);
	tail = text + strlen(text) - strlen(counters);
	cr_assert_str_eq(tail, counters);
	cr_assert(strstr(text, "description") < tail);
	cr_assert_null(strstr(text, "last_fired"));

	/* Writing back what a read shows is the same definition. */
	cr_assert_eq(define("r", text, &root, &err), 0, "%s", err.msg);
	again = render("r");
	cr_assert_str_eq(again, text);
	free(again);

	/* Once it matched: the counters move and last_fired shows. */
	put_ok("default", SHOP(1), &root);
	cr_assert_eq(counter("r", "matched"), 1);
	free(text);
	text = render("r");
	cr_assert(strstr(text, "\nlast_fired = "), "%s", text);
	/* Still writes back, and the counters stay. */
	cr_assert_eq(define("r", text, &root, &err), 0, "%s", err.msg);
	again = render("r");
	cr_assert_str_eq(again, text);
	free(again);
	free(text);
}

Test(rules, an_events_cycle_across_rules_is_einval_naming_it)
{
	struct alarm_info a;
	struct err err = {""};
	json_t *rec;

	bus("a", 0644, &bob);
	bus("b", 0644, &bob);
	bus("c", 0644, &bob);
	defined("x",
		"pattern = {\"source\":[\"s\"]}\nbus = a\ntarget = events:b\n",
		&bob);
	/* Disabled rules take part: enabling them must not close a cycle. */
	defined("y",
		"pattern = {\"source\":[\"s\"]}\nbus = b\ntarget = events:c\n"
		"state = DISABLED\n",
		&bob);
	cr_assert_eq(define("z",
			    "pattern = {\"source\":[\"s\"]}\nbus = c\n"
			    "target = events:a\n",
			    &bob, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
	cr_assert(strstr(err.msg, "rule x"), "%s", err.msg);
	cr_assert(strstr(err.msg, "rule y"), "%s", err.msg);
	cr_assert(strstr(err.msg, "rule z"), "%s", err.msg);
	cr_assert_eq(store_rule_get(st, "z", &a), -ENOENT);
	rec = last_record();
	cr_assert(
		strstr(json_string_value(json_object_get(rec, "errorMessage")),
		       "cycle"));
	json_decref(rec);

	/* Redefining y to close a shorter cycle: refused, y stays. */
	cr_assert_eq(define("y",
			    "pattern = {\"source\":[\"s\"]}\nbus = b\n"
			    "target = events:a\n",
			    &bob, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
	cr_assert_eq(counter("y", "matched"), 0);
	cr_assert(strstr(render("y"), "target = events:c\n"));

	/* Its own bus: refused too. */
	cr_assert_eq(define("w",
			    "pattern = {\"source\":[\"s\"]}\nbus = a\n"
			    "target = events:a\n",
			    &bob, &err),
		     -EINVAL);

	/* With x gone, z closes nothing. */
	cr_assert_eq(store_rule_delete(st, "x", &bob, &err), 0);
	defined("z",
		"pattern = {\"source\":[\"s\"]}\nbus = c\ntarget = events:a\n",
		&bob);
}

Test(rules, a_target_the_writer_may_not_use_is_refused)
{
	struct alarm_info a;
	struct err err = {""};
	char prog[128];
	FILE *f;

	cr_assert_eq(store_dir_create(st, TREE_LOG_GROUPS, "private", 0700,
				      &root, &err),
		     0, "%s", err.msg);
	cr_assert_eq(define("n",
			    "pattern = {\"source\":[\"s\"]}\n"
			    "target = log:private/s\n",
			    &bob, &err),
		     -EACCES);
	cr_assert(strstr(err.msg, "log:private/s: bob may not write to it"),
		  "%s", err.msg);
	cr_assert_eq(store_rule_get(st, "n", &a), -ENOENT);

	/* A bus bob may not write, and default (root's: it carries aws.). */
	bus("roots", 0644, &root);
	cr_assert_eq(define("n",
			    "pattern = {\"source\":[\"s\"]}\n"
			    "target = events:roots\n",
			    &bob, &err),
		     -EACCES);
	bus("bobs", 0644, &bob);
	cr_assert_eq(define("n",
			    "pattern = {\"source\":[\"s\"]}\nbus = bobs\n"
			    "target = events:default\n",
			    &bob, &err),
		     -EACCES);
	/* A bus that is not there. */
	cr_assert_eq(define("n",
			    "pattern = {\"source\":[\"s\"]}\n"
			    "target = events:nosuch\n",
			    &bob, &err),
		     -EINVAL);

	/* A program without an x bit. */
	cr_assert_eq(chmod(fixture.dir, 0755), 0);
	snprintf(prog, sizeof(prog), "%s/prog", fixture.dir);
	f = fopen(prog, "w");
	cr_assert_not_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	cr_assert_eq(chmod(prog, 0644), 0);
	{
		char text[256];

		snprintf(text, sizeof(text),
			 "pattern = {\"source\":[\"s\"]}\ntarget = exec:%s\n",
			 prog);
		cr_assert_eq(define("n", text, &bob, &err), -EACCES);
		cr_assert(strstr(err.msg, "not executable"), "%s", err.msg);
		/* Executable: accepted (the refusal was about rights). */
		cr_assert_eq(chmod(prog, 0755), 0);
		cr_assert_eq(define("n", text, &bob, &err), 0, "%s", err.msg);
	}

	/* Root may write all of them. */
	defined("m",
		"pattern = {\"source\":[\"s\"]}\ntarget = log:private/s\n"
		"target = events:roots\n",
		&root);
}

/* ---- matching ---- */

Test(rules, a_pattern_rule_counts_what_is_put_on_its_bus_and_disabled_none)
{
	char *text;

	bus("app", 0644, &bob);
	defined("on",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = log:ops/on\n",
		&bob);
	defined("off",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = log:ops/off\nstate = DISABLED\n",
		&bob);
	/* Same pattern, another bus: sees none of app's. */
	defined("elsewhere",
		"pattern = {\"source\":[\"shop\"]}\ntarget = log:ops/else\n",
		&root);

	put_ok("app",
	       SHOP(1) SHOP(2) "{\"Source\":\"other\",\"DetailType\":\"o\","
			       "\"Detail\":{}}\n" SHOP(3),
	       &bob);
	put_ok("app", SHOP(4), &bob);
	cr_assert_eq(counter("on", "matched"), 4);
	cr_assert_eq(counter("off", "matched"), 0);
	cr_assert_eq(counter("elsewhere", "matched"), 0);

	cr_assert_eq(deliver_settled(), 4);
	text = read_stream("ops", "on");
	cr_assert_not_null(text);
	cr_assert_eq(lines_with(text, "\"source\":\"shop\""), 4, "%s", text);
	/* In event order. */
	cr_assert(strstr(text, "{\"n\":1}") < strstr(text, "{\"n\":2}"));
	cr_assert(strstr(text, "{\"n\":3}") < strstr(text, "{\"n\":4}"));
	free(text);
	cr_assert_null(read_stream("ops", "off"));
	cr_assert_null(read_stream("ops", "else"));
	cr_assert_eq(counter("on", "invocations"), 4);
	cr_assert_eq(counter("on", "failed_invocations"), 0);
	cr_assert_eq(deliver_settled(), 0);
}

Test(rules, on_default_a_writer_who_may_not_read_the_trail_gets_no_api_call)
{
	struct node_attr closed = {0, 0, 0600, 0, 0};
	struct node_attr group = {0, 1001, 0640, 0, 0};
#define CREATED(who)                                                           \
	"pattern = {\"source\":[\"aws.events\"],"                              \
	"\"detail\":{\"eventName\":[\"CreateEventBus\"]}}\n"                   \
	"target = log:" who "/got\n"

	store_rules_set_trail_attr(st, &closed);
	defined("bobs", CREATED("bob"), &bob);
	defined("roots", CREATED("root"), &root);

	bus("b1", 0644, &bob); /* CreateEventBus, on default */
	cr_assert_eq(counter("roots", "matched"), 1);
	cr_assert_eq(counter("bobs", "matched"), 0);

	/* The trail 0640 with bob's group: bob receives. */
	store_rules_set_trail_attr(st, &group);
	bus("b2", 0644, &bob);
	cr_assert_eq(counter("roots", "matched"), 2);
	cr_assert_eq(counter("bobs", "matched"), 1);

	cr_assert_eq(deliver_settled(), 3);
	{
		char *mine = read_stream("bob", "got");

		cr_assert_not_null(mine);
		cr_assert_eq(lines_with(mine, "CreateEventBus"), 1, "%s", mine);
		cr_assert(strstr(mine, "\"eventBusName\":\"b2\""), "%s", mine);
		free(mine);
	}
}

/* ---- deliveries ---- */

Test(rules, deliveries_are_durable_with_the_event)
{
	struct err err = {""};
	char *text;

	bus("app", 0644, &bob);
	defined("d",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = log:ops/durable\n",
		&bob);
	put_ok("app", SHOP(1), &bob);
	put_ok("app", SHOP(2), &bob);
	/* Not settled yet: nothing done before the store closes. */
	cr_assert_eq(
		store_rules_deliver(st, store_now_ms(), record_exec, &execs),
		0);
	cr_assert_null(read_stream("ops", "durable"));
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(fixture.path, &st, &err), 0, "%s", err.msg);

	cr_assert_eq(deliver_settled(), 2);
	text = read_stream("ops", "durable");
	cr_assert_not_null(text);
	cr_assert_eq(lines_with(text, "\"source\":\"shop\""), 2, "%s", text);
	cr_assert(strstr(text, "{\"n\":1}") < strstr(text, "{\"n\":2}"), "%s",
		  text);
	free(text);
	cr_assert_eq(counter("d", "invocations"), 2);
	/* Done once: nothing left. */
	cr_assert_eq(deliver_settled(), 0);
	text = read_stream("ops", "durable");
	cr_assert_eq(lines_with(text, "\"source\":\"shop\""), 2, "%s", text);
	free(text);
	/* monfs's own write is no data event. */
	text = trail_today();
	cr_assert_eq(lines_with(text, "PutLogEvents"), 0, "%s", text);
	free(text);
}

Test(rules, a_rule_deleted_or_renamed_before_delivery_delivers_nothing)
{
	struct err err = {""};
	char *text;

	bus("app", 0644, &bob);
	defined("r",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = log:ops/x\n",
		&bob);
	put_ok("app", SHOP(1), &bob);
	cr_assert_eq(store_rule_delete(st, "r", &bob, &err), 0);
	cr_assert_eq(deliver_settled(), 0);
	cr_assert_null(read_stream("ops", "x"));

	defined(".r.swp",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = log:ops/x\n",
		&bob);
	put_ok("app", SHOP(2), &bob);
	cr_assert_eq(store_rule_rename(st, ".r.swp", "r", &bob, &err), 0);
	cr_assert_geq(deliver_settled(), 0); /* dropped, not done */
	cr_assert_null(read_stream("ops", "x"));
	cr_assert_eq(counter("r", "invocations"), 0);
	put_ok("app", SHOP(3), &bob);
	cr_assert_eq(deliver_settled(), 1);
	text = read_stream("ops", "x");
	cr_assert_eq(lines_with(text, "\"source\""), 1, "%s", text);
	cr_assert(strstr(text, "{\"n\":3}"), "%s", text);
	free(text);
}

Test(rules, an_exec_target_gets_its_line_and_failures_are_counted_and_recorded)
{
	struct alarm_info a;
	char *text;

	bus("app", 0644, &bob);
	defined("run",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = exec:/bin/true\ninput_path = $.detail\n",
		&bob);
	cr_assert_eq(store_rule_get(st, "run", &a), 0);
	put_ok("app", SHOP(7), &bob);
	cr_assert_eq(deliver_settled(), 1);
	cr_assert_eq(execs.n, 1);
	cr_assert_str_eq(execs.rule, "run");
	cr_assert_str_eq(execs.path, "/bin/true");
	cr_assert_str_eq(execs.line, "{\"n\":7}");
	cr_assert_str_eq(execs.source, "shop");
	cr_assert_str_eq(execs.type, "order");
	cr_assert_eq(execs.uid, bob.uid);
	cr_assert_eq(counter("run", "invocations"), 1);
	cr_assert_eq(counter("run", "failed_invocations"), 0);

	/* It started, then exited non-zero (what the evaluator reaps). */
	cr_assert_eq(
		store_rule_failed(st, a.id, "exec:/bin/true", "exit status 3"),
		0);
	cr_assert_eq(counter("run", "failed_invocations"), 1);
	text = trail_today();
	cr_assert_eq(lines_with(text, "\"eventName\":\"FailedInvocation\""), 1);
	cr_assert(strstr(text, "\"reason\":\"exit status 3\""), "%s", text);
	free(text);

	/* It could not start. */
	execs.refuse = true;
	put_ok("app", SHOP(8), &bob);
	cr_assert_eq(deliver_settled(), 1);
	cr_assert_eq(execs.n, 2);
	cr_assert_eq(counter("run", "invocations"), 2);
	cr_assert_eq(counter("run", "failed_invocations"), 2);
	text = trail_today();
	cr_assert(strstr(text, "refused by the test"), "%s", text);
	free(text);
	/* Not retried. */
	cr_assert_eq(deliver_settled(), 0);
	cr_assert_eq(execs.n, 2);
	/* monfs's own failures are not emitted: no rule feeds on them. */
	text = read_bus("default");
	cr_assert_eq(lines_with(text, "FailedInvocation"), 0, "%s", text);
	free(text);
}

Test(rules, an_events_target_forwards_the_whole_envelope_despite_input_path)
{
	char *from, *to, *part;

	bus("app", 0644, &bob);
	bus("b2", 0644, &bob);
	defined("fwd",
		"pattern = {\"source\":[\"shop\"]}\nbus = app\n"
		"target = events:b2\ntarget = log:ops/part\n"
		"input_path = $.detail\n",
		&bob);
	put_ok("app", SHOP(5), &bob);
	cr_assert_eq(deliver_settled(), 2);
	from = read_bus("app");
	to = read_bus("b2");
	/* README: events:BUS puts the same envelope on BUS. */
	cr_assert_str_eq(to, from);
	part = read_stream("ops", "part");
	cr_assert_str_eq(part, "{\"n\":5}\n");
	cr_assert_eq(counter("fwd", "invocations"), 2);
	cr_assert_eq(counter("fwd", "failed_invocations"), 0);
	free(from);
	free(to);
	free(part);
}

/* ---- schedules ---- */

Test(rules, a_rate_fires_from_its_definition_and_missed_firings_fire_once)
{
	int64_t t0, t1, v[8];
	char *text;

	t0 = store_now_ms();
	defined("tick", "schedule = rate(1 minute)\ntarget = log:ops/tick\n",
		&root);
	t1 = store_now_ms();
	cr_assert_eq(store_rules_fire(st, t0 + 30000), 0);
	cr_assert_eq(store_rules_fire(st, t1 + 60000), 1);
	cr_assert_eq(store_rules_fire(st, t1 + 60000), 0);
	cr_assert_eq(scheduled_times(v, 8), 1);
	cr_assert(v[0] >= (t0 + 60000) / 1000 && v[0] <= (t1 + 60000) / 1000,
		  "%lld not within [%lld, %lld]", (long long)v[0],
		  (long long)(t0 + 60000) / 1000,
		  (long long)(t1 + 60000) / 1000);
	/* Down for nine minutes: one firing, not nine. */
	cr_assert_eq(store_rules_fire(st, t1 + 10 * 60000 + 500), 1);
	cr_assert_eq(store_rules_fire(st, t1 + 10 * 60000 + 500), 0);
	/* The phase holds: the next at eleven minutes from the definition. */
	cr_assert_eq(store_rules_fire(st, t0 + 11 * 60000 - 1000), 0);
	cr_assert_eq(store_rules_fire(st, t1 + 11 * 60000), 1);
	cr_assert_eq(scheduled_times(v, 8), 3);
	cr_assert(v[2] >= (t0 + 11 * 60000) / 1000 &&
			  v[2] <= (t1 + 11 * 60000) / 1000,
		  "%lld", (long long)v[2]);
	cr_assert_eq(counter("tick", "matched"), 3);
	text = render("tick");
	cr_assert(strstr(text, "\nlast_fired = "), "%s", text);
	free(text);

	cr_assert_eq(deliver_settled(), 3);
	text = read_stream("ops", "tick");
	cr_assert_eq(lines_with(text, "\"detail-type\":\"Scheduled Event\""), 3,
		     "%s", text);
	cr_assert(strstr(text, "rule/tick\""), "%s", text);
	free(text);
}

Test(rules, a_disabled_schedule_fires_nothing)
{
	defined("tick",
		"schedule = rate(1 minute)\ntarget = log:ops/tick\n"
		"state = DISABLED\n",
		&root);
	cr_assert_eq(store_rules_fire(st, store_now_ms() + 10 * 60000), 0);
	cr_assert_eq(counter("tick", "matched"), 0);
}

Test(rules, a_redefinition_keeps_the_phase)
{
	int64_t t0, t1, v[4];

	t0 = store_now_ms();
	defined("tick", "schedule = rate(1 minute)\n", &root);
	t1 = store_now_ms();
	usleep(1500 * 1000);
	defined("tick", "schedule = rate(1 minute)\ntarget = log:ops/tick\n",
		&root);
	cr_assert_eq(store_rules_fire(st, t1 + 60000), 1);
	cr_assert_eq(scheduled_times(v, 4), 1);
	cr_assert(v[0] >= (t0 + 60000) / 1000 && v[0] <= (t1 + 60000) / 1000,
		  "%lld not within [%lld, %lld]", (long long)v[0],
		  (long long)(t0 + 60000) / 1000,
		  (long long)(t1 + 60000) / 1000);
}

/*
 * SPEC 2: renaming onto a name is a redefinition, keeping the target's
 * state (sed -i, and editors that save by rename, do this); SPEC 13: a
 * redefinition keeps the phase.
 */
Test(rules, a_rename_onto_a_rule_keeps_its_phase)
{
	struct err err = {""};
	int64_t t0, t1, v[4];

	t0 = store_now_ms();
	defined("tick", "schedule = rate(1 minute)\n", &root);
	t1 = store_now_ms();
	usleep(1500 * 1000);
	defined(".tick.tmp",
		"schedule = rate(1 minute)\ntarget = log:ops/tick\n", &root);
	cr_assert_eq(store_rule_rename(st, ".tick.tmp", "tick", &root, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(store_rules_fire(st, t1 + 60000), 1,
		     "tick's firing at its own phase did not come");
	cr_assert_eq(scheduled_times(v, 4), 1);
	cr_assert(v[0] >= (t0 + 60000) / 1000 && v[0] <= (t1 + 60000) / 1000,
		  "%lld not within [%lld, %lld]", (long long)v[0],
		  (long long)(t0 + 60000) / 1000,
		  (long long)(t1 + 60000) / 1000);
}
