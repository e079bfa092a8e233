/*
 * Unit tests for the line joiner of fs/handle.c (handle_take,
 * handle_finish): bytes arrive in arbitrary pieces, whole lines go to the
 * consumer at once, and a refused write leaves the pending line as it was.
 */
#include "fs/handle.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#define MAX_PENDING 16

/* A consumer that records what it was given, or refuses with fail. */
struct sink {
	char got[256];
	size_t len;
	int calls;
	int fail; /* -errno to return instead of taking the lines */
};

static int sink_lines(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->fail)
		return s->fail;
	cr_assert_lt(s->len + len, sizeof(s->got));
	memcpy(s->got + s->len, buf, len);
	s->len += len;
	s->got[s->len] = '\0';
	return 0;
}

static struct handle *h;

static void setup(void)
{
	h = handle_new(HANDLE_STREAM, 1, 1, true);
	cr_assert_not_null(h);
}

static void teardown(void)
{
	handle_free(h);
}

static int take(const char *text, struct sink *s)
{
	return handle_take(h, text, strlen(text), MAX_PENDING, sink_lines, s);
}

static void assert_pending(const char *text)
{
	cr_assert_eq(h->pending.len, strlen(text));
	cr_assert_arr_eq(h->pending.buf ? h->pending.buf : "", text,
			 strlen(text));
}

TestSuite(handle, .init = setup, .fini = teardown);

Test(handle, whole_lines_go_to_the_consumer_in_one_call)
{
	struct sink s = {0};

	cr_assert_eq(take("a 1\nb 2\n", &s), 0);
	cr_assert_str_eq(s.got, "a 1\nb 2\n");
	cr_assert_eq(s.calls, 1);
	assert_pending("");
}

Test(handle, a_line_cut_across_two_writes_is_joined)
{
	struct sink s = {0};

	cr_assert_eq(take("hel", &s), 0);
	cr_assert_eq(s.calls, 0);
	assert_pending("hel");
	cr_assert_eq(take("lo\nwor", &s), 0);
	cr_assert_str_eq(s.got, "hello\n");
	assert_pending("wor");
	cr_assert_eq(take("ld\n", &s), 0);
	cr_assert_str_eq(s.got, "hello\nworld\n");
	assert_pending("");
}

Test(handle, a_refused_write_keeps_the_partial_line_before_it)
{
	struct sink s = {0};

	cr_assert_eq(take("par", &s), 0);
	s.fail = -EINVAL;
	cr_assert_eq(take("tial\nnext", &s), -EINVAL);
	assert_pending("par");
	s.fail = 0;
	cr_assert_eq(take("t\n", &s), 0);
	cr_assert_str_eq(s.got, "part\n");
}

Test(handle, a_refused_write_with_nothing_pending_keeps_nothing)
{
	struct sink s = {.fail = -EINVAL};

	cr_assert_eq(take("bad\nrest", &s), -EINVAL);
	assert_pending("");
}

Test(handle, a_partial_line_over_the_limit_is_emsgsize)
{
	struct sink s = {0};

	cr_assert_eq(take("0123456789", &s), 0);
	cr_assert_eq(take("0123456789", &s), -EMSGSIZE);
	assert_pending("0123456789");
	cr_assert_eq(s.calls, 0);
}

Test(handle, a_long_tail_after_a_newline_is_emsgsize_and_stores_nothing)
{
	struct sink s = {0};

	cr_assert_eq(take("ok\n01234567890123456789", &s), -EMSGSIZE);
	cr_assert_eq(s.calls, 0);
	assert_pending("");
}

Test(handle, a_partial_line_exactly_at_the_limit_is_kept)
{
	struct sink s = {0};

	cr_assert_eq(take("0123456789abcdef", &s), 0);
	assert_pending("0123456789abcdef");
}

Test(handle, finish_hands_the_partial_line_over_with_a_newline)
{
	struct sink s = {0};

	cr_assert_eq(take("last", &s), 0);
	cr_assert_eq(handle_finish(h, sink_lines, &s), 0);
	cr_assert_str_eq(s.got, "last\n");
	assert_pending("");
}

Test(handle, finish_with_nothing_pending_calls_nobody)
{
	struct sink s = {0};

	cr_assert_eq(handle_finish(h, sink_lines, &s), 0);
	cr_assert_eq(s.calls, 0);
}

Test(handle, finish_forgets_the_line_even_when_refused)
{
	struct sink s = {.fail = -EINVAL};

	cr_assert_eq(take("x", &s), 0);
	cr_assert_eq(handle_finish(h, sink_lines, &s), -EINVAL);
	assert_pending("");
}
