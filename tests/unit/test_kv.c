/*
 * Unit tests for lib/kv.c: how a `key = value` text is read (lines,
 * comments, quotes, escapes, raw values) and written back.
 */
#include "lib/kv.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Read text's lines into at most 8 keys/raws/values; the count or -errno. */
struct read_result {
	int n;
	unsigned lineno[8];
	char key[8][64];
	char raw[8][128];
	char value[8][128];
	struct err err;
};

static void read_all(const char *text, struct read_result *res)
{
	struct kv_reader r;
	struct kv_line line;
	int rc;

	memset(res, 0, sizeof(*res));
	kv_init(&r, text, strlen(text));
	while ((rc = kv_next(&r, &line, &res->err)) == 1) {
		int i = res->n;

		cr_assert_lt(i, 8);
		res->lineno[i] = line.lineno;
		snprintf(res->key[i], sizeof(res->key[i]), "%.*s",
			 (int)line.key_len, line.key);
		snprintf(res->raw[i], sizeof(res->raw[i]), "%.*s",
			 (int)line.raw_len, line.raw);
		rc = kv_value(&r, &line, &res->err);
		if (rc)
			break;
		cr_assert_eq(strlen(line.value), line.value_len);
		memcpy(res->value[i], line.value, line.value_len + 1);
		res->n++;
	}
	if (rc)
		res->n = rc;
	kv_release(&r);
}

Test(kv, lines_are_numbered_and_blank_and_comment_lines_skipped)
{
	struct read_result res;

	read_all("\n# a comment\n  a = 1\r\n\t# indented comment\nb=2", &res);
	cr_assert_eq(res.n, 2);
	cr_assert_eq(res.lineno[0], 3);
	cr_assert_str_eq(res.key[0], "a");
	cr_assert_str_eq(res.value[0], "1");
	cr_assert_eq(res.lineno[1], 5);
	cr_assert_str_eq(res.key[1], "b");
	cr_assert_str_eq(res.value[1], "2");
}

Test(kv, a_hash_after_a_blank_starts_a_comment)
{
	struct read_result res;

	read_all("a = x y   # note\nb = x#y\nc = #only a comment\n", &res);
	cr_assert_eq(res.n, -EINVAL);
	cr_assert_str_eq(res.value[0], "x y");
	cr_assert_str_eq(res.raw[0], "x y");
	cr_assert_str_eq(res.value[1], "x#y");
	cr_assert_str_eq(res.err.msg, "line 3: c: no value");
}

Test(kv, quoted_values_are_unescaped_and_may_hold_a_hash)
{
	struct read_result res;

	read_all("a = \"x # \\\"y\\\" \\\\ \\n\\r\\t\"  # note\nb = \"\"\n",
		 &res);
	cr_assert_eq(res.n, 2);
	cr_assert_str_eq(res.value[0], "x # \"y\" \\ \n\r\t");
	cr_assert_str_eq(res.raw[0], "\"x # \\\"y\\\" \\\\ \\n\\r\\t\"");
	cr_assert_str_eq(res.value[1], "");
	cr_assert_str_eq(res.raw[1], "\"\"");
}

Test(kv, raw_keeps_quotes_and_knows_a_hash_inside_them)
{
	struct read_result res;

	read_all("p = [a, b=\"x # y\", c]   # the rest\n", &res);
	cr_assert_eq(res.n, 1);
	cr_assert_str_eq(res.raw[0], "[a, b=\"x # y\", c]");
	/* The decoded bare value knows no quotes, as alarms always read. */
	cr_assert_str_eq(res.value[0], "[a, b=\"x");
}

Test(kv, a_line_without_equals_is_refused_with_its_number)
{
	struct read_result res;

	read_all("a = 1\njust words\n", &res);
	cr_assert_eq(res.n, -EINVAL);
	cr_assert_str_eq(res.err.msg,
			 "line 2: \"just words\" is not key = value");
	read_all(" = 1\n", &res);
	cr_assert_str_eq(res.err.msg, "line 1: no key before '='");
}

Test(kv, bad_quoting_is_refused_naming_line_and_key)
{
	struct read_result res;

	read_all("a = \"open\n", &res);
	cr_assert_str_eq(res.err.msg, "line 1: a: no closing quote");
	read_all("\nb = \"x\" y\n", &res);
	cr_assert_str_eq(res.err.msg,
			 "line 2: b: text after the closing quote");
	read_all("c = \"\\q\"\n", &res);
	cr_assert_str_eq(
		res.err.msg,
		"line 1: c: unknown escape \\q (use \\\" \\\\ \\n \\r \\t)");
}

Test(kv, an_empty_text_has_no_lines)
{
	struct kv_reader r;
	struct kv_line line;

	kv_init(&r, NULL, 0);
	cr_assert_eq(kv_next(&r, &line, NULL), 0);
	kv_release(&r);
}

Test(kv, put_quotes_only_what_would_not_read_back_bare)
{
	struct strbuf sb = STRBUF_INIT;
	struct read_result res;

	cr_assert_eq(kv_put(&sb, "a", "plain text", 10), 0);
	cr_assert_eq(kv_put(&sb, "b", "x # \"y\"\n\t", 9), 0);
	cr_assert_eq(kv_put(&sb, "c", "", 0), 0);
	cr_assert_eq(kv_put(&sb, "d", " pad ", 5), 0);
	cr_assert_str_eq(sb.buf, "a = plain text\n"
				 "b = \"x # \\\"y\\\"\\n\\t\"\n"
				 "c = \"\"\n"
				 "d = \" pad \"\n");
	read_all(sb.buf, &res);
	cr_assert_eq(res.n, 4);
	cr_assert_str_eq(res.value[1], "x # \"y\"\n\t");
	cr_assert_str_eq(res.value[2], "");
	cr_assert_str_eq(res.value[3], " pad ");
	strbuf_release(&sb);
}

Test(kv, key_in_matches_whole_keys_of_a_list)
{
	static const char *const names[] = {"state", "reason", NULL};
	struct kv_reader r;
	struct kv_line line;
	struct err err = {""};
	const char *text = "state = OK\nstates = OK\nreas = x\nreason =\n";
	bool want[] = {true, false, false, true};
	int i;

	kv_init(&r, text, strlen(text));
	for (i = 0; i < 4; i++) {
		cr_assert_eq(kv_next(&r, &line, &err), 1, "%s", err.msg);
		cr_assert_eq(kv_key_in(&line, names), want[i], "line %d",
			     i + 1);
	}
	kv_release(&r);
}
