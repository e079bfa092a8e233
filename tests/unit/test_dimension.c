/*
 * Unit tests for lib/dimension: how a Name=Value component is read, the
 * one canonical spelling of a set whatever the order it was written in,
 * what is refused (and that the message names the component), and the
 * series= selector (SPEC 11).
 */
#include "lib/dimension.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dimension_path parse_ok(const char *s,
				      enum dimension_path_kind kind)
{
	struct dimension_path p;
	struct err err = {""};
	int rc = dimension_parse_path(s, strlen(s), kind, &p, &err);

	cr_assert_eq(rc, 0, "\"%s\" refused (%d): %s", s, rc, err.msg);
	return p;
}

/* s is refused with rc, and the message holds needle. */
static void expect_refused(const char *s, enum dimension_path_kind kind,
			   int want, const char *needle)
{
	struct dimension_path p;
	struct err err = {""};
	int rc = dimension_parse_path(s, strlen(s), kind, &p, &err);

	cr_assert_eq(rc, want, "\"%s\": got %d, want %d (%s)", s, rc, want,
		     err.msg);
	cr_assert(strstr(err.msg, needle), "\"%s\": message \"%s\" lacks %s", s,
		  err.msg, needle);
}

/* The canonical directory of a parsed directory path, NUL-terminated. */
static char *dir_of(const struct dimension_path *p)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(dimension_dir_path(&sb, p->ns, p->ns_len, &p->dims,
					p->dims.count),
		     0);
	return sb.buf ? sb.buf : strdup("");
}

static char *metric_of(const struct dimension_path *p)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(dimension_metric_path(&sb, p->ns, p->ns_len, &p->dims,
					   p->name, p->name_len),
		     0);
	return sb.buf;
}

/* Parse s as a metric path and check its canonical spelling. */
static void expect_canonical_metric(const char *s, const char *want,
				    bool already)
{
	struct dimension_path p = parse_ok(s, DIMENSION_PATH_METRIC);
	char *got = metric_of(&p);

	cr_assert_str_eq(got, want, "\"%s\"", s);
	cr_assert_eq(p.canonical, already, "\"%s\" canonical: %d", s,
		     p.canonical);
	free(got);
	dimension_path_free(&p);
}

/* ---- reading paths ---- */

Test(dimension, a_path_splits_into_namespace_dimensions_and_name)
{
	struct dimension_path p =
		parse_ok("AWS/EC2/InstanceId=i-1/AutoScalingGroupName=web/"
			 "CPUUtilization",
			 DIMENSION_PATH_METRIC);

	cr_assert_eq(p.ns_len, 7);
	cr_assert_eq(memcmp(p.ns, "AWS/EC2", 7), 0);
	cr_assert_eq(p.name_len, strlen("CPUUtilization"));
	cr_assert_eq(memcmp(p.name, "CPUUtilization", p.name_len), 0);
	cr_assert_eq(p.dims.count, 2);
	/* Canonical order: names sorted bytewise. */
	cr_assert_str_eq(p.dims.dims[0].name, "AutoScalingGroupName");
	cr_assert_str_eq(p.dims.dims[0].value, "web");
	cr_assert_str_eq(p.dims.dims[1].name, "InstanceId");
	cr_assert_str_eq(p.dims.dims[1].value, "i-1");
	cr_assert_not(p.canonical);
	dimension_path_free(&p);
}

Test(dimension, a_path_without_dimensions_is_a_namespace_and_name)
{
	struct dimension_path p =
		parse_ok("AWS/EC2/CPUUtilization", DIMENSION_PATH_METRIC);

	cr_assert_eq(p.ns_len, 7);
	cr_assert_eq(p.dims.count, 0);
	cr_assert(p.canonical);
	dimension_path_free(&p);

	p = parse_ok("AWS/EC2", DIMENSION_PATH_DIR);
	cr_assert_eq(p.ns_len, 7);
	cr_assert_null(p.name);
	cr_assert_eq(p.dims.count, 0);
	dimension_path_free(&p);
}

Test(dimension, a_directory_path_ends_in_a_dimension_or_namespace_level)
{
	struct dimension_path p =
		parse_ok("System/path=%2Fvar", DIMENSION_PATH_DIR);
	char *dir = dir_of(&p);

	cr_assert_null(p.name);
	cr_assert_eq(p.ns_len, 6);
	cr_assert_eq(p.dims.count, 1);
	cr_assert_str_eq(p.dims.dims[0].value, "/var");
	cr_assert_str_eq(dir, "System/path=%2Fvar");
	cr_assert(p.canonical);
	free(dir);
	dimension_path_free(&p);
}

Test(dimension, both_orders_of_two_dimensions_give_one_canonical_path)
{
	expect_canonical_metric("AWS/EC2/InstanceId=i-1/"
				"AutoScalingGroupName=web/CPUUtilization",
				"AWS/EC2/AutoScalingGroupName=web/"
				"InstanceId=i-1/CPUUtilization",
				false);
	expect_canonical_metric("AWS/EC2/AutoScalingGroupName=web/"
				"InstanceId=i-1/CPUUtilization",
				"AWS/EC2/AutoScalingGroupName=web/"
				"InstanceId=i-1/CPUUtilization",
				true);
}

Test(dimension, both_orders_make_equal_sets)
{
	struct dimension_path a = parse_ok("NS/B=y/A=x", DIMENSION_PATH_DIR);
	struct dimension_path b = parse_ok("NS/A=x/B=y", DIMENSION_PATH_DIR);
	struct dimension_path c = parse_ok("NS/A=x/B=z", DIMENSION_PATH_DIR);
	struct dimension_path d = parse_ok("NS/A=x", DIMENSION_PATH_DIR);

	cr_assert(dimension_set_equal(&a.dims, &b.dims));
	cr_assert_not(dimension_set_equal(&a.dims, &c.dims));
	cr_assert_not(dimension_set_equal(&a.dims, &d.dims));
	cr_assert(dimension_set_is_subset(&d.dims, &a.dims));
	cr_assert_not(dimension_set_is_subset(&a.dims, &d.dims));
	cr_assert_not(dimension_set_is_subset(&c.dims, &a.dims));
	dimension_path_free(&a);
	dimension_path_free(&b);
	dimension_path_free(&c);
	dimension_path_free(&d);
}

Test(dimension, names_sort_bytewise_not_by_locale)
{
	/* 'Z' (0x5A) < 'a' (0x61); "a" before "a0"; UTF-8 after ASCII. */
	expect_canonical_metric("NS/\xc3\xa9=1/a0=2/a=3/Z=4/m",
				"NS/Z=4/a=3/a0=2/\xc3\xa9=1/m", false);
}

Test(dimension, a_value_may_hold_equals_signs)
{
	struct dimension_path p = parse_ok("NS/q=a=b/m", DIMENSION_PATH_METRIC);

	cr_assert_str_eq(p.dims.dims[0].name, "q");
	cr_assert_str_eq(p.dims.dims[0].value, "a=b");
	cr_assert(p.canonical);
	dimension_path_free(&p);
}

/* ---- percent encoding ---- */

Test(dimension, escapes_decode_and_reencode_uppercase)
{
	struct dimension_path p =
		parse_ok("System/path=%2Fvar%2flog%25x%3f%3Fy%41/m",
			 DIMENSION_PATH_METRIC);
	char *got = metric_of(&p);

	cr_assert_str_eq(p.dims.dims[0].value, "/var/log%x??yA");
	cr_assert_str_eq(got, "System/path=%2Fvar%2Flog%25x%3F%3FyA/m");
	cr_assert_not(p.canonical, "lowercase and needless escapes");
	dimension_path_free(&p);

	/* The canonical spelling reads back to the same set, canonical. */
	p = parse_ok(got, DIMENSION_PATH_METRIC);
	cr_assert_str_eq(p.dims.dims[0].value, "/var/log%x??yA");
	cr_assert(p.canonical);
	dimension_path_free(&p);
	free(got);
}

Test(dimension, encoding_escapes_percent_slash_question_and_controls_only)
{
	struct strbuf sb = STRBUF_INIT;
	const char raw[] = "a%b/c?d\x01\x1f\x7f=e f\xc3\xa9";

	cr_assert_eq(dimension_encode_value(&sb, raw, sizeof(raw) - 1), 0);
	cr_assert_str_eq(sb.buf, "a%25b%2Fc%3Fd%01%1F%7F=e f\xc3\xa9");
	strbuf_release(&sb);
}

Test(dimension, every_utf8_value_round_trips_through_its_encoding)
{
	const char *values[] = {"%",	   "/",	  "?",	     "%2F",
				"a/b?c%d", "x=y", ".hidden", "\xe2\x82\xac",
				" blank "};
	struct dimension_set set = DIMENSION_SET_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct dimension_path p;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		cr_assert_eq(dimension_set_add(&set, "v", 1, values[i],
					       strlen(values[i]), &err),
			     0, "%s", err.msg);
		cr_assert_eq(dimension_metric_path(&sb, "NS", 2, &set, "m", 1),
			     0);
		cr_assert_eq(dimension_parse_path(sb.buf, sb.len,
						  DIMENSION_PATH_METRIC, &p,
						  &err),
			     0, "\"%s\": %s", sb.buf, err.msg);
		cr_assert(dimension_set_equal(&p.dims, &set), "\"%s\"", sb.buf);
		cr_assert(p.canonical, "\"%s\"", sb.buf);
		dimension_path_free(&p);
		dimension_set_free(&set);
		strbuf_reset(&sb);
	}
	strbuf_release(&sb);
}

/* ---- refusals ---- */

Test(dimension, a_namespace_level_after_a_dimension_is_refused)
{
	expect_refused("AWS/InstanceId=i-1/EC2/CPUUtilization",
		       DIMENSION_PATH_METRIC, -EINVAL, "\"EC2\"");
	expect_refused("AWS/InstanceId=i-1/EC2", DIMENSION_PATH_DIR, -EINVAL,
		       "\"EC2\"");
}

Test(dimension, a_dimension_needs_a_namespace_before_it)
{
	expect_refused("InstanceId=i-1/CPUUtilization", DIMENSION_PATH_METRIC,
		       -EINVAL, "\"InstanceId=i-1\"");
	expect_refused("InstanceId=i-1", DIMENSION_PATH_DIR, -EINVAL,
		       "\"InstanceId=i-1\"");
}

Test(dimension, a_name_twice_is_refused)
{
	expect_refused("NS/InstanceId=a/InstanceId=b/m", DIMENSION_PATH_METRIC,
		       -EINVAL, "\"InstanceId=b\"");
	expect_refused("NS/InstanceId=a/InstanceId=a", DIMENSION_PATH_DIR,
		       -EINVAL, "\"InstanceId=a\"");
}

Test(dimension, an_empty_name_or_value_is_refused)
{
	expect_refused("NS/=v/m", DIMENSION_PATH_METRIC, -EINVAL, "\"=v\"");
	expect_refused("NS/Name=/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"Name=\"");
	expect_refused("NS/=", DIMENSION_PATH_DIR, -EINVAL, "\"=\"");
}

Test(dimension, a_bad_or_cut_escape_is_refused)
{
	expect_refused("NS/path=%G1/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=%G1\"");
	expect_refused("NS/path=%G1/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"%G1\" is not an escape");
	expect_refused("NS/path=%2", DIMENSION_PATH_DIR, -EINVAL,
		       "\"path=%2\"");
	expect_refused("NS/path=x%/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=x%\"");
	expect_refused("NS/path=%1G/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=%1G\"");
}

Test(dimension, a_control_byte_after_decoding_is_refused)
{
	expect_refused("NS/path=a%0Ab/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=a%0Ab\" is not a dimension: its value holds a "
		       "control character");
	expect_refused("NS/path=%00", DIMENSION_PATH_DIR, -EINVAL,
		       "\"path=%00\"");
	expect_refused("NS/path=%7F", DIMENSION_PATH_DIR, -EINVAL,
		       "\"path=%7F\"");
}

Test(dimension, invalid_utf8_is_refused_encoded_or_not)
{
	expect_refused("NS/path=%C3/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=%C3\" is not a dimension: its value is not "
		       "valid UTF-8");
	expect_refused("NS/path=%ED%A0%80", DIMENSION_PATH_DIR, -EINVAL,
		       "\"path=%ED%A0%80\"");
	/* A raw bad byte fails SPEC 2 on the component itself. */
	expect_refused("NS/path=\xff/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "not valid UTF-8");
}

Test(dimension, a_component_breaking_section_2_is_refused)
{
	expect_refused("NS/.path=x/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\".path=x\"");
	expect_refused("NS/path=a?b/m", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"path=a?b\"");
	expect_refused("NS//m", DIMENSION_PATH_METRIC, -EINVAL, "empty level");
	expect_refused("NS/A=x/", DIMENSION_PATH_DIR, -EINVAL, "empty level");
	expect_refused("", DIMENSION_PATH_DIR, -EINVAL, "empty");
}

Test(dimension, a_component_over_255_bytes_is_too_long)
{
	char path[400];

	memcpy(path, "NS/", 3);
	memcpy(path + 3, "k=", 2);
	memset(path + 5, 'v', 254);
	path[5 + 254] = '\0';
	expect_refused(path, DIMENSION_PATH_DIR, -ENAMETOOLONG,
		       "longer than 255 bytes");
	path[5 + 253] = '\0';
	struct dimension_path p = parse_ok(path, DIMENSION_PATH_DIR);
	cr_assert_eq(p.dims.dims[0].value_len, 253);
	dimension_path_free(&p);
}

Test(dimension, equals_in_a_metric_name_is_refused)
{
	expect_refused("NS/A=x/B=y", DIMENSION_PATH_METRIC, -EINVAL,
		       "\"B=y\" cannot be a metric name");
	expect_refused("NS", DIMENSION_PATH_METRIC, -EINVAL,
		       "not NAMESPACE/NAME");
}

/* "NS/D01=v/D02=v/.../Dnn=v/m" */
static void many_dimensions(char *out, int n)
{
	int i;

	out += sprintf(out, "NS");
	for (i = 1; i <= n; i++)
		out += sprintf(out, "/D%02d=v", i);
	sprintf(out, "/m");
}

Test(dimension, thirty_dimensions_are_accepted)
{
	char path[400];
	struct dimension_path p;

	many_dimensions(path, 30);
	p = parse_ok(path, DIMENSION_PATH_METRIC);
	cr_assert_eq(p.dims.count, 30);
	cr_assert(p.canonical);
	dimension_path_free(&p);
}

Test(dimension, thirty_one_dimensions_are_refused)
{
	char path[400];

	many_dimensions(path, 31);
	expect_refused(path, DIMENSION_PATH_METRIC, -EINVAL,
		       "\"D31=v\": more than 30 dimensions");
}

Test(dimension, a_refused_add_leaves_the_set_as_it_was)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	struct err err;

	cr_assert_eq(dimension_set_add_component(&set, "A=1", 3, &err), 0);
	cr_assert_eq(dimension_set_add_component(&set, "A=2", 3, &err),
		     -EINVAL);
	cr_assert_eq(dimension_set_add_component(&set, "B=%2", 4, &err),
		     -EINVAL);
	cr_assert_eq(dimension_set_add(&set, "C", 1, "", 0, &err), -EINVAL);
	cr_assert_eq(dimension_set_add(&set, "C=", 2, "x", 1, &err), -EINVAL);
	cr_assert_eq(set.count, 1);
	cr_assert_str_eq(set.dims[0].value, "1");
	cr_assert_not_null(dimension_set_find(&set, "A", 1));
	cr_assert_null(dimension_set_find(&set, "B", 1));
	dimension_set_free(&set);
	cr_assert_eq(set.count, 0);
	cr_assert_null(set.dims);
}

Test(dimension, a_decoded_value_too_long_to_show_is_refused)
{
	struct dimension_set set = DIMENSION_SET_INIT;
	char value[200];
	struct err err;

	/* 100 '/' encode to 300 bytes: no path component could show it. */
	memset(value, '/', 100);
	cr_assert_eq(dimension_set_add(&set, "p", 1, value, 100, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "255 bytes"), "%s", err.msg);
	cr_assert_eq(dimension_set_add(&set, "p", 1, value, 84, &err), 0, "%s",
		     err.msg);
	dimension_set_free(&set);
}

/* ---- the prefix chain ---- */

Test(dimension, every_prefix_of_a_canonical_path_is_a_set)
{
	struct dimension_path p =
		parse_ok("AWS/EC2/C=3/A=1/B=%2f", DIMENSION_PATH_DIR);
	const char *want[] = {"AWS/EC2", "AWS/EC2/A=1", "AWS/EC2/A=1/B=%2F",
			      "AWS/EC2/A=1/B=%2F/C=3"};
	struct strbuf sb = STRBUF_INIT;
	size_t k;

	cr_assert_eq(p.dims.count, 3);
	for (k = 0; k <= p.dims.count; k++) {
		strbuf_reset(&sb);
		cr_assert_eq(
			dimension_dir_path(&sb, p.ns, p.ns_len, &p.dims, k), 0);
		cr_assert_str_eq(sb.buf, want[k], "prefix %zu", k);
	}
	strbuf_reset(&sb);
	cr_assert_eq(dimension_set_path(&sb, &p.dims, 2), 0);
	cr_assert_str_eq(sb.buf, "A=1/B=%2F");
	strbuf_release(&sb);
	dimension_path_free(&p);
}

/* ---- series= ---- */

static struct dimension_selector selector(const char *s)
{
	struct dimension_selector sel;
	struct err err = {""};
	int rc = dimension_selector_parse(s, strlen(s), &sel, &err);

	cr_assert_eq(rc, 0, "series=%s refused: %s", s, err.msg);
	return sel;
}

static void expect_bad_selector(const char *s, const char *needle)
{
	struct dimension_selector sel;
	struct err err = {""};

	cr_assert_eq(dimension_selector_parse(s, strlen(s), &sel, &err),
		     -EINVAL, "series=%s accepted", s);
	cr_assert(strstr(err.msg, needle), "series=%s: \"%s\" lacks %s", s,
		  err.msg, needle);
}

static bool matches(const struct dimension_selector *sel, const char *path)
{
	struct dimension_path p = parse_ok(path, DIMENSION_PATH_DIR);
	bool m = dimension_selector_matches(sel, &p.dims);

	dimension_path_free(&p);
	return m;
}

Test(dimension, series_names_match_sets_with_exactly_those_names)
{
	struct dimension_selector sel =
		selector("InstanceId,AutoScalingGroupName");

	cr_assert_not(sel.all);
	cr_assert_eq(sel.count, 2);
	cr_assert(matches(&sel, "NS/InstanceId=a/AutoScalingGroupName=b"));
	cr_assert(matches(&sel, "NS/AutoScalingGroupName=c/InstanceId=d"));
	cr_assert_not(matches(&sel, "NS/InstanceId=a"));
	cr_assert_not(matches(&sel, "NS"));
	cr_assert_not(
		matches(&sel, "NS/InstanceId=a/AutoScalingGroupName=b/X=1"));
	cr_assert_not(matches(&sel, "NS/InstanceId=a/Other=b"));
	dimension_selector_free(&sel);

	sel = selector("InstanceId");
	cr_assert(matches(&sel, "NS/InstanceId=a"));
	cr_assert_not(matches(&sel, "NS/InstanceIds=a"));
	dimension_selector_free(&sel);
}

Test(dimension, series_star_matches_every_set_dimensionless_included)
{
	struct dimension_selector sel = selector("*");

	cr_assert(sel.all);
	cr_assert(matches(&sel, "NS"));
	cr_assert(matches(&sel, "NS/A=1/B=2"));
	dimension_selector_free(&sel);
}

Test(dimension, bad_series_values_are_refused)
{
	char many[400];
	int i, n = 0;

	expect_bad_selector("", "series=");
	expect_bad_selector("A,,B", "empty name");
	expect_bad_selector("A,", "empty name");
	expect_bad_selector("A,*", "stands alone");
	expect_bad_selector("A,B,A", "\"A\" is named twice");
	expect_bad_selector("A=1", "\"A=1\" holds '='");
	expect_bad_selector(".A", "\".A\"");
	for (i = 1; i <= 31; i++)
		n += sprintf(many + n, "%sD%02d", i > 1 ? "," : "", i);
	expect_bad_selector(many, "more than 30");
	many[n - 4] = '\0'; /* 30 names */
	struct dimension_selector sel = selector(many);
	cr_assert_eq(sel.count, 30);
	dimension_selector_free(&sel);
}

/* ---- rendering ---- */

Test(dimension, json_lists_pairs_in_canonical_order_decoded)
{
	struct dimension_path p =
		parse_ok("NS/path=%2Fvar/device=sda1/m", DIMENSION_PATH_METRIC);
	json_t *j = dimension_set_json(&p.dims, "name", "value");
	char *text;

	cr_assert_not_null(j);
	text = json_dumps(j, JSON_COMPACT);
	cr_assert_str_eq(text, "[{\"name\":\"device\",\"value\":\"sda1\"},"
			       "{\"name\":\"path\",\"value\":\"/var\"}]");
	free(text);
	json_decref(j);
	dimension_path_free(&p);
}
