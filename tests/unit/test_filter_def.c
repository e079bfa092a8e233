/*
 * Unit tests for lib/filter_def.c: what a user may write to
 * filters/NAME (SPEC 7), what each refusal says, that a definition's
 * rendering reads back to the same definition, and which data point a
 * log event gives.
 */
#include "lib/filter.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* SPEC 7's example, comments included. */
static const char SPEC_EXAMPLE[] =
	"group = app                              # the log group it watches\n"
	"pattern = [ip, id, user, ts, request, status=5*, bytes]   # the rest"
	" of the line, as is\n"
	"metric = App/Http5xx                     # namespace/name, made at"
	" definition if missing\n"
	"value = 1                                # a number, or $field /"
	" $.json.path\n"
	"default_value = 0                        # optional\n";

static const char APACHE_500[] =
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif"
	" HTTP/1.0\" 500 2326";
static const char APACHE_200[] =
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif"
	" HTTP/1.0\" 200 2326";
static const char APACHE_500_NO_BYTES[] =
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif"
	" HTTP/1.0\" 503 -";

static int parse(const char *text, struct filter_def *d, struct err *err)
{
	memset(err, 0, sizeof(*err));
	return filter_def_parse(text, strlen(text), d, err);
}

/* Parse text, which must be refused with exactly message. */
static void refused(const char *text, const char *message)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(text, &d, &err), -EINVAL, "accepted: %s", text);
	cr_assert_str_eq(err.msg, message);
}

/* The data point line gives under d: filter_apply's result and *v. */
static int apply(const struct filter_def *d, const char *line, double *v)
{
	struct pattern *p;
	int rc;

	cr_assert_eq(pattern_compile(d->pattern, strlen(d->pattern), &p, NULL),
		     0);
	rc = filter_apply(d, p, line, strlen(line), v);
	pattern_free(p);
	return rc;
}

static void round_trips(const struct filter_def *d)
{
	struct strbuf sb = STRBUF_INIT;
	struct filter_def back;
	struct err err;

	cr_assert_eq(filter_def_render(d, &sb), 0);
	cr_assert_eq(parse(sb.buf, &back, &err), 0, "%s: %s", sb.buf, err.msg);
	cr_assert_eq(memcmp(d, &back, sizeof(back)), 0, "%s", sb.buf);
	strbuf_release(&sb);
}

Test(filter_def, the_spec_example_reads_with_its_comments)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(SPEC_EXAMPLE, &d, &err), 0, "%s", err.msg);
	cr_assert_str_eq(d.group, "app");
	cr_assert_str_eq(d.pattern,
			 "[ip, id, user, ts, request, status=5*, bytes]");
	cr_assert_str_eq(d.ns, "App");
	cr_assert_str_eq(d.metric, "Http5xx");
	cr_assert_str_eq(d.value, "1");
	cr_assert(d.value_is_number);
	cr_assert_eq(d.number, 1);
	cr_assert(d.has_default);
	cr_assert_eq(d.default_value, 0);
	round_trips(&d);
}

Test(filter_def, the_spec_example_counts_5xx_lines_with_value_1)
{
	struct filter_def d;
	struct err err;
	double v = -1;

	cr_assert_eq(parse(SPEC_EXAMPLE, &d, &err), 0, "%s", err.msg);
	cr_assert_eq(apply(&d, APACHE_500, &v), 1);
	cr_assert_eq(v, 1);
	cr_assert_eq(apply(&d, APACHE_200, &v), 0);
	cr_assert_eq(apply(&d, APACHE_500_NO_BYTES, &v), 1);
}

Test(filter_def, value_may_name_a_field_of_the_pattern)
{
	struct filter_def d;
	struct err err;
	double v = -1;

	cr_assert_eq(parse("group = /web/apache\n"
			   "pattern = [ip, id, user, ts, request, status=5*,"
			   " bytes]\n"
			   "metric = Web/Bytes5xx\n"
			   "value = $bytes\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(d.group, "web/apache", "the leading '/' is dropped");
	cr_assert_str_eq(d.value, "$bytes");
	cr_assert_not(d.value_is_number);
	cr_assert_not(d.has_default);
	cr_assert_eq(apply(&d, APACHE_500, &v), 1);
	cr_assert_eq(v, 2326);
	cr_assert_eq(apply(&d, APACHE_200, &v), 0);
	/* Matched, but "-" is no number: the event is skipped. */
	cr_assert_eq(apply(&d, APACHE_500_NO_BYTES, &v), -1);
	round_trips(&d);
}

Test(filter_def, a_json_filter_takes_its_value_from_a_json_path)
{
	struct filter_def d;
	struct err err;
	double v = -1;

	cr_assert_eq(parse("group = app\n"
			   "pattern = { $.level = \"error\" }  # errors only\n"
			   "metric = App/ErrorLatency\n"
			   "value = $.latency\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(d.pattern, "{ $.level = \"error\" }");
	cr_assert_eq(apply(&d, "{\"level\":\"error\",\"latency\":12.5}", &v),
		     1);
	cr_assert_eq(v, 12.5);
	cr_assert_eq(apply(&d, "{\"level\":\"info\",\"latency\":3}", &v), 0);
	cr_assert_eq(
		apply(&d, "{\"level\":\"error\",\"latency\":\"slow\"}", &v),
		-1);
	cr_assert_eq(apply(&d, "{\"level\":\"error\"}", &v), -1);
	cr_assert_eq(apply(&d, "not json", &v), 0);
	round_trips(&d);
}

Test(filter_def, a_pattern_is_taken_as_written_quotes_and_all)
{
	struct filter_def d;
	struct err err;
	double v;

	cr_assert_eq(parse("group = app\n"
			   "pattern = \"disk # full\" ?ERROR ?WARN  # note\n"
			   "metric = App/Disk\n"
			   "value = 2.5\n"
			   "default_value = -0\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(d.pattern, "\"disk # full\" ?ERROR ?WARN");
	cr_assert_eq(d.number, 2.5);
	cr_assert_eq(apply(&d, "ERROR: disk # full", &v), 1);
	cr_assert_eq(v, 2.5);
	cr_assert_eq(apply(&d, "ERROR: disk full", &v), 0);
	round_trips(&d);
}

Test(filter_def, an_empty_quoted_pattern_matches_every_event)
{
	struct filter_def d;
	struct err err;
	double v;

	cr_assert_eq(parse("group = app\npattern = \"\"\nmetric = App/All\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(apply(&d, "anything at all", &v), 1);
	cr_assert_eq(v, 1);
	round_trips(&d);
}

Test(filter_def, quoted_names_read_back)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse("group = \"a #1/b\"\npattern = x\n"
			   "metric = \"My NS/n #2\"\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(d.group, "a #1/b");
	cr_assert_str_eq(d.ns, "My NS");
	cr_assert_str_eq(d.metric, "n #2");
	round_trips(&d);
}

#define BASE "group = app\npattern = ERROR\nmetric = App/Errors\n"

Test(filter_def, required_keys_are_named_when_missing)
{
	refused("", "missing group, pattern, metric");
	refused("# just a comment\ngroup = app\n", "missing pattern, metric");
	refused("group = app\npattern = x\n", "missing metric");
}

Test(filter_def, the_counters_a_reading_adds_are_accepted_and_ignored)
{
	struct filter_def plain, shown;
	struct err err;

	memset(&plain, 0, sizeof(plain));
	memset(&shown, 0, sizeof(shown));
	cr_assert_eq(parse(BASE, &plain, &err), 0, "%s", err.msg);
	cr_assert_eq(parse(BASE "matched = 12\nskipped = 0\n", &shown, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(memcmp(&plain, &shown, sizeof(plain)), 0);
	refused("matched = 1\nskipped = 2\n", "missing group, pattern, metric");
	refused(BASE "matches = 1\n", "line 4: unknown key \"matches\"");
}

Test(filter_def, a_rendering_with_its_counters_reads_back_the_same)
{
	struct strbuf sb = STRBUF_INIT;
	struct filter_def d, back;
	struct err err;

	memset(&back, 0, sizeof(back));
	cr_assert_eq(parse(SPEC_EXAMPLE, &d, &err), 0, "%s", err.msg);
	cr_assert_eq(filter_def_render(&d, &sb), 0);
	cr_assert_eq(strbuf_adds(&sb, "matched = 3\nskipped = 1\n"), 0);
	cr_assert_eq(parse(sb.buf, &back, &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(&d, &back, sizeof(back)), 0, "%s", sb.buf);
	strbuf_release(&sb);
}

Test(filter_def, unknown_and_repeated_keys_are_refused)
{
	refused(BASE "filter = x\n", "line 4: unknown key \"filter\"");
	refused(BASE "group = other\n",
		"line 4: group given twice (first on line 1)");
	refused(BASE "value = 1\nvalue = 2\n",
		"line 5: value given twice (first on line 4)");
	refused("group = app\nnonsense\n",
		"line 2: \"nonsense\" is not key = value");
}

Test(filter_def, bad_names_are_refused_naming_line_and_key)
{
	refused("group = a//b\npattern = x\nmetric = A/B\n",
		"line 1: group: \"a//b\" has an empty level");
	refused("group = .hidden\npattern = x\nmetric = A/B\n",
		"line 1: group: \".hidden\" is not a name: it starts with"
		" '.'");
	refused("group = \"a\tb\"\npattern = x\nmetric = A/B\n",
		"line 1: group: \"a?b\" is not a name: it holds a control"
		" character");
	refused("group = \"a\xff\"\npattern = x\nmetric = A/B\n",
		"line 1: group: \"a?\" is not a name: it is not valid UTF-8");
}

Test(filter_def, metric_must_be_namespace_slash_name)
{
	refused("group = app\npattern = x\nmetric = Errors\n",
		"line 3: metric: \"Errors\" is not NAMESPACE/NAME");
	refused("group = app\npattern = x\nmetric = App/\n",
		"line 3: metric: empty name");
	refused("group = app\npattern = x\nmetric = App/a?b\n",
		"line 3: metric: \"a?b\" is not a name: it holds '?', which"
		" starts a view");
}

Test(filter_def, names_have_length_limits)
{
	char text[2048], level[300];

	memset(level, 'a', 200);
	level[200] = '\0';
	/* A 603-byte group, each level a fine name. */
	snprintf(text, sizeof(text),
		 "group = %s/%s/%s\npattern = x\n"
		 "metric = A/B\n",
		 level, level, level);
	refused(text,
		"line 1: group: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"...\" is longer than 512 bytes");
	/* A 401-byte namespace. */
	snprintf(text, sizeof(text),
		 "group = app\npattern = x\n"
		 "metric = %s/%s/B\n",
		 level, level);
	refused(text,
		"line 3: metric: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"...\" is longer than 255 bytes");
}

Test(filter_def, values_must_be_numbers_or_selectors_of_the_pattern)
{
	refused(BASE "value = lots\n",
		"line 4: value: \"lots\" is not a number, $field or"
		" $.json.path");
	refused(BASE "value = nan\n",
		"line 4: value: \"nan\" is not a number, $field or"
		" $.json.path");
	refused(BASE "default_value = 1e999\n",
		"line 4: default_value: \"1e999\" is not a number");
	refused(BASE "value =\n", "line 4: value: no value");
}

Test(filter_def, a_selector_the_pattern_cannot_give_is_refused)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse("group = app\npattern = [a, b]\nmetric = A/B\n"
			   "value = $c\n",
			   &d, &err),
		     -EINVAL);
	cr_assert(strncmp(err.msg, "line 4: value: ", 15) == 0, "%s", err.msg);
}

Test(filter_def, a_selector_refusal_names_the_selector_not_a_byte)
{
	refused("group = app\npattern = ERROR\nmetric = A/B\nvalue = $status\n",
		"line 4: value: '$status' names a field of a space-delimited"
		" pattern ([a, b, ...]), and the pattern is not one; a JSON"
		" event's values are $.json.path");
	refused("group = app\npattern = [ip, status]\nmetric = A/B\n"
		"value = $bytes\n",
		"line 4: value: '$bytes' is not a field of the pattern, which"
		" names ip, status");
}

Test(filter_def, a_pattern_of_no_fields_is_accepted)
{
	struct filter_def d;
	struct err err = {""};

	cr_assert_eq(
		parse("group = app\npattern = []\nmetric = A/B\n", &d, &err), 0,
		"%s", err.msg);
	cr_assert_str_eq(d.pattern, "[]");
}

Test(filter_def, a_pattern_that_does_not_compile_is_refused_with_why)
{
	struct pattern *p;
	struct err want, err;
	struct filter_def d;
	char expected[ERR_MSG_MAX + 32];

	cr_assert_eq(pattern_compile("{ $.a =", 7, &p, &want), -EINVAL);
	snprintf(expected, sizeof(expected), "line 2: pattern: %s", want.msg);
	cr_assert_eq(parse("group = app\npattern = { $.a = \nmetric = A/B\n",
			   &d, &err),
		     -EINVAL);
	cr_assert_str_eq(err.msg, expected);
	refused("group = app\npattern =   # nothing\nmetric = A/B\n",
		"line 2: pattern: no value (\"\" matches every event)");
}

Test(filter_def, a_refused_definition_leaves_out_untouched)
{
	struct filter_def d;
	struct err err;

	memset(&d, 0x5a, sizeof(d));
	cr_assert_eq(parse(BASE "value = x\n", &d, &err), -EINVAL);
	cr_assert_eq(((unsigned char *)&d)[0], 0x5a);
}

Test(filter_def, the_rendering_lists_the_keys_in_spec_order)
{
	struct strbuf sb = STRBUF_INIT;
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse("default_value = 2\nmetric = App/Errors\n"
			   "pattern = ERROR\ngroup = /app\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(filter_def_render(&d, &sb), 0);
	cr_assert_str_eq(sb.buf, "group = app\n"
				 "pattern = ERROR\n"
				 "metric = App/Errors\n"
				 "value = 1\n"
				 "default_value = 2\n");
	strbuf_release(&sb);
	round_trips(&d);
}

/* ---- dimension lines (SPEC 11) ---- */

#define HTTP_BASE                                                              \
	"group = web\npattern = [ip, user, status=5*, bytes]\n"                \
	"metric = Web/Errors\n"
#define JSON_BASE                                                              \
	"group = app\npattern = { $.level = \"error\" }\nmetric = "            \
	"App/Errors\n"

/*
 * The series path line goes to under d: filter_series_path's result,
 * the path in out (NUL-terminated, "" for none).
 */
static int series(const struct filter_def *d, const char *line, char out[512])
{
	struct strbuf sb = STRBUF_INIT;
	struct pattern *p;
	int rc;

	cr_assert_eq(pattern_compile(d->pattern, strlen(d->pattern), &p, NULL),
		     0);
	rc = filter_series_path(d, p, line, strlen(line), &sb);
	snprintf(out, 512, "%s", sb.buf ? sb.buf : "");
	pattern_free(p);
	strbuf_release(&sb);
	return rc;
}

Test(filter_def, dimension_lines_are_kept_in_order_and_read_back)
{
	struct strbuf sb = STRBUF_INIT;
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(HTTP_BASE "dimension = Status=$status\n"
				     "dimension = \"User=$user\"\n"
				     "value = $bytes\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(d.ndims, 2);
	cr_assert_str_eq(d.dims[0].name, "Status");
	cr_assert_str_eq(d.dims[0].field, "$status");
	cr_assert_str_eq(d.dims[1].name, "User");
	cr_assert_str_eq(d.dims[1].field, "$user");
	cr_assert_eq(filter_def_render(&d, &sb), 0);
	cr_assert_str_eq(sb.buf, "group = web\n"
				 "pattern = [ip, user, status=5*, bytes]\n"
				 "metric = Web/Errors\n"
				 "dimension = Status=$status\n"
				 "dimension = User=$user\n"
				 "value = $bytes\n");
	strbuf_release(&sb);
	round_trips(&d);
}

Test(filter_def, a_json_filter_takes_dimensions_from_json_paths)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(JSON_BASE "dimension = Service=$.service\n"
				     "dimension = Host=$.where.host\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(d.ndims, 2);
	round_trips(&d);
}

Test(filter_def, three_dimensions_at_most)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(HTTP_BASE "dimension = A=$ip\ndimension = B=$user\n"
				     "dimension = C=$status\n",
			   &d, &err),
		     0, "%s", err.msg);
	refused(HTTP_BASE "dimension = A=$ip\ndimension = B=$user\n"
			  "dimension = C=$status\ndimension = D=$bytes\n",
		"line 7: dimension: more than 3 dimensions (CloudWatch's"
		" limit)");
}

Test(filter_def, a_bad_dimension_line_is_refused_naming_the_line)
{
	refused(HTTP_BASE "dimension = Status=$status\n"
			  "dimension = Status=$user\n",
		"line 5: dimension: Status given twice (first on line 4)");
	refused(HTTP_BASE "dimension = =$status\n",
		"line 4: dimension: \"=$status\" is not Name=$field");
	refused(HTTP_BASE "dimension = Status\n",
		"line 4: dimension: \"Status\" is not Name=$field");
	refused(HTTP_BASE "dimension = Status=500\n",
		"line 4: dimension: \"500\" is not a $field or $.json.path"
		" of the event");
	refused(HTTP_BASE "dimension = Status=\n",
		"line 4: dimension: \"\" is not a $field or $.json.path of"
		" the event");
	refused(HTTP_BASE "dimension =\n", "line 4: dimension: no value");
}

Test(filter_def, a_dimension_name_is_a_name)
{
	struct filter_def d;
	struct err err;

	cr_assert_eq(parse(HTTP_BASE "dimension = .hidden=$user\n", &d, &err),
		     -EINVAL);
	cr_assert(strncmp(err.msg, "line 4: dimension: dimension name", 33) ==
			  0,
		  "%s", err.msg);
}

Test(filter_def, a_dimension_must_name_a_field_of_the_pattern)
{
	refused(HTTP_BASE "dimension = Status=$code\n",
		"line 4: dimension Status: '$code' is not a field of the"
		" pattern, which names ip, user, status, bytes");
	refused("group = app\npattern = ERROR\nmetric = A/B\n"
		"dimension = S=$service\n",
		"line 4: dimension S: '$service' names a field of a"
		" space-delimited pattern ([a, b, ...]), and the pattern is"
		" not one; a JSON event's values are $.json.path");
}

Test(filter_def, dimensions_are_all_fields_or_all_json_paths)
{
	refused(HTTP_BASE "dimension = A=$ip\ndimension = B=$.b\n",
		"line 5: dimension: $.b and $ip (line 4) are not of one kind:"
		" all $field or all $.json.path");
}

Test(filter_def, default_value_with_dimensions_is_refused)
{
	refused(HTTP_BASE "dimension = Status=$status\ndefault_value = 0\n",
		"line 5: default_value: not with dimension lines (line 4), as"
		" CloudWatch refuses it");
}

Test(filter_def, a_field_event_goes_to_its_series_in_canonical_order)
{
	struct filter_def d;
	struct err err;
	char path[512];

	cr_assert_eq(parse(HTTP_BASE "dimension = User=$user\n"
				     "dimension = Status=$status\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(series(&d, "10.0.0.1 bob 503 12", path), 1);
	cr_assert_str_eq(path, "Status=503/User=bob");
	/* '/' and '%' in a value are encoded as the tree spells them */
	cr_assert_eq(series(&d, "10.0.0.1 a/b%c 500 1", path), 1);
	cr_assert_str_eq(path, "Status=500/User=a%2Fb%25c");
	/* "-" is no value: no series */
	cr_assert_eq(series(&d, "10.0.0.1 - 500 1", path), 0);
	cr_assert_str_eq(path, "");
}

Test(filter_def, a_json_event_goes_to_its_series)
{
	struct filter_def d;
	struct err err;
	char path[512];

	cr_assert_eq(parse(JSON_BASE "dimension = Service=$.service\n"
				     "dimension = Code=$.code\n",
			   &d, &err),
		     0, "%s", err.msg);
	cr_assert_eq(series(&d,
			    "{\"level\":\"error\",\"service\":\"pay\","
			    "\"code\":503}",
			    path),
		     1);
	cr_assert_str_eq(path, "Code=503/Service=pay");
	cr_assert_eq(series(&d,
			    "{\"level\":\"error\",\"service\":\"pay\","
			    "\"code\":true}",
			    path),
		     1);
	cr_assert_str_eq(path, "Code=true/Service=pay");
}

Test(filter_def, an_event_without_a_good_dimension_value_has_no_series)
{
	static const char *const lines[] = {
		"{\"level\":\"error\"}",			   /* missing */
		"{\"level\":\"error\",\"service\":\"\"}",	   /* empty */
		"{\"level\":\"error\",\"service\":null}",	   /* null */
		"{\"level\":\"error\",\"service\":{\"a\":1}}",	   /* object */
		"{\"level\":\"error\",\"service\":\"a\\u0001b\"}", /* control */
		"not json at all",
	};
	struct filter_def d;
	struct err err;
	char path[512];
	size_t i;

	cr_assert_eq(
		parse(JSON_BASE "dimension = Service=$.service\n", &d, &err), 0,
		"%s", err.msg);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		cr_assert_eq(series(&d, lines[i], path), 0, "%s", lines[i]);
		cr_assert_str_eq(path, "");
	}
}

Test(filter_def, a_value_too_long_for_a_path_component_has_no_series)
{
	char line[400], path[512];
	struct filter_def d;
	struct err err;

	cr_assert_eq(
		parse(JSON_BASE "dimension = Service=$.service\n", &d, &err), 0,
		"%s", err.msg);
	/* "Service=" and 247 bytes fit in 255; 248 do not */
	snprintf(line, sizeof(line),
		 "{\"level\":\"error\",\"service\":\"%0*d\"}", 247, 0);
	cr_assert_eq(series(&d, line, path), 1);
	cr_assert_eq(strlen(path), 255);
	snprintf(line, sizeof(line),
		 "{\"level\":\"error\",\"service\":\"%0*d\"}", 248, 0);
	cr_assert_eq(series(&d, line, path), 0);
}
