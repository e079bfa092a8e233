/*
 * The evaluator's bookkeeping: which alarms' period boundaries have come,
 * with no cap on how many alarms exist, come and go, or are due at once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lib/alarm_due.h"
#include "lib/timeutil.h"

static struct alarm_due due = ALARM_DUE_INIT;

static void release(void)
{
	alarm_due_release(&due);
}

TestSuite(alarm_due, .fini = release);

/* One sweep over alarms first..last (period one minute) at now_ms. */
static size_t sweep(int64_t first, int64_t last, int64_t now_ms)
{
	char name[32];
	int64_t id;

	alarm_due_begin(&due);
	for (id = first; id <= last; id++) {
		snprintf(name, sizeof(name), "a%lld", (long long)id);
		cr_assert_geq(
			alarm_due_check(&due, id, name, MS_PER_MINUTE, now_ms),
			0);
	}
	alarm_due_end(&due);
	return due.nnames;
}

Test(alarm_due, a_new_alarm_is_due_at_once_then_at_each_boundary)
{
	int64_t t = 1000 * MS_PER_MINUTE;

	cr_assert_eq(alarm_due_check(&due, 7, "cpu", MS_PER_MINUTE, t + 5), 1);
	cr_assert_str_eq(due.names[0], "cpu");
	cr_assert_eq(alarm_due_check(&due, 7, "cpu", MS_PER_MINUTE, t + 9000),
		     0);
	cr_assert_eq(alarm_due_check(&due, 7, "cpu", MS_PER_MINUTE,
				     t + MS_PER_MINUTE),
		     1);
	cr_assert_eq(due.nnames, 2);
}

Test(alarm_due, a_renamed_alarm_is_due_under_its_new_name)
{
	int64_t t = 1000 * MS_PER_MINUTE;

	alarm_due_begin(&due);
	cr_assert_eq(alarm_due_check(&due, 7, "old", MS_PER_MINUTE, t), 1);
	alarm_due_end(&due);
	alarm_due_begin(&due);
	cr_assert_eq(alarm_due_check(&due, 7, "new", MS_PER_MINUTE,
				     t + MS_PER_MINUTE),
		     1);
	cr_assert_eq(due.nnames, 1);
	cr_assert_str_eq(due.names[0], "new");
}

Test(alarm_due, far_more_than_64_alarms_are_due_in_one_sweep)
{
	int64_t t = 1000 * MS_PER_MINUTE;
	size_t i;

	cr_assert_eq(sweep(1, 10000, t), 10000);
	for (i = 0; i < due.nnames; i++) {
		char name[32];

		snprintf(name, sizeof(name), "a%zu", i + 1);
		cr_assert_str_eq(due.names[i], name);
	}
	/* The same boundary again: none; the next: all. */
	cr_assert_eq(sweep(1, 10000, t + 30000), 0);
	cr_assert_eq(sweep(1, 10000, t + MS_PER_MINUTE), 10000);
	cr_assert_eq(due.nseen, 10000);
}

Test(alarm_due, ids_met_in_any_order_are_each_kept_once)
{
	int64_t t = 1000 * MS_PER_MINUTE, id;
	size_t n = 0;

	alarm_due_begin(&due);
	/* 997 is prime: id * 389 mod 997 visits every id below 997 once. */
	for (id = 0; id < 997; id++)
		n += (size_t)alarm_due_check(&due, id * 389 % 997 + 1, "x",
					     MS_PER_MINUTE, t);
	alarm_due_end(&due);
	cr_assert_eq(n, 997);
	cr_assert_eq(due.nseen, 997);
	for (size_t i = 1; i < due.nseen; i++)
		cr_assert_lt(due.seen[i - 1].id, due.seen[i].id);
	cr_assert_eq(sweep(1, 997, t + 1), 0);
}

Test(alarm_due, five_thousand_alarms_made_and_deleted_in_turn_leave_no_trace)
{
	int64_t t = 1000 * MS_PER_MINUTE, id;

	/*
	 * Alarm id exists during sweep id only: each is new, so due at once,
	 * and forgotten at the next sweep's end (a table of 4,096 that never
	 * shrank stopped evaluating new alarms here).
	 */
	for (id = 1; id <= 5000; id++) {
		cr_assert_eq(sweep(id, id, t + id), 1, "alarm %lld",
			     (long long)id);
		cr_assert_eq(due.nseen, 1);
	}
	/* A new alarm beside an old one is still due, and acts. */
	cr_assert_eq(sweep(5000, 5001, t + 5001), 1);
	cr_assert_str_eq(due.names[0], "a5001");
	cr_assert_eq(due.nseen, 2);
}

Test(alarm_due,
     an_alarm_deleted_is_forgotten_and_a_sweep_not_ended_forgets_none)
{
	int64_t t = 1000 * MS_PER_MINUTE;

	cr_assert_eq(sweep(1, 3, t), 3);
	/* A sweep cut short (no end): alarm 3 unseen but kept. */
	alarm_due_begin(&due);
	cr_assert_eq(alarm_due_check(&due, 1, "a1", MS_PER_MINUTE, t + 1), 0);
	cr_assert_eq(due.nseen, 3);
	/* A complete sweep without 2: forgotten. */
	cr_assert_eq(sweep(1, 1, t + 2), 0);
	cr_assert_eq(due.nseen, 1);
	cr_assert_eq(due.seen[0].id, 1);
}
