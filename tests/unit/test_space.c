/*
 * The reserve beside the database that lets removals commit on a full
 * disk: made at its size, given up once, made again.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/space.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static char reserve[160];

static void make_dir(void)
{
	tmpstore_dir(&fixture, "space");
	snprintf(reserve, sizeof(reserve), "%s.reserve", fixture.path);
}

static void remove_dir(void)
{
	tmpstore_remove(&fixture);
}

TestSuite(space, .init = make_dir, .fini = remove_dir);

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

Test(space, the_reserve_is_a_16th_of_the_disk_at_most_1_mib)
{
	int64_t want = space_reserve_bytes(fixture.path);

	cr_assert_gt(want, 0);
	cr_assert_leq(want, RESERVE_MAX_BYTES);
	cr_assert_eq(space_reserve(fixture.path), 0);
	cr_assert_eq(size_of(reserve), want);
	/* Whole already: nothing to do. */
	cr_assert_eq(space_reserve(fixture.path), 0);
	cr_assert_eq(size_of(reserve), want);
}

Test(space, a_reserve_given_up_is_gone_once_and_made_again)
{
	cr_assert_eq(space_release(fixture.path), -ENOENT);
	cr_assert_eq(space_reserve(fixture.path), 0);
	cr_assert_eq(space_release(fixture.path), 0);
	cr_assert_eq(size_of(reserve), -1);
	cr_assert_eq(space_release(fixture.path), -ENOENT);
	cr_assert_eq(space_reserve(fixture.path), 0);
	cr_assert_eq(size_of(reserve), space_reserve_bytes(fixture.path));
}

Test(space, a_partial_reserve_is_completed)
{
	FILE *f = fopen(reserve, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite("abc", 1, 3, f), 3);
	fclose(f);
	cr_assert_eq(space_reserve(fixture.path), 0);
	cr_assert_eq(size_of(reserve), space_reserve_bytes(fixture.path));
}

Test(space, free_bytes_are_those_of_the_disk_holding_the_database)
{
	cr_assert_gt(space_free(fixture.path), 0);
	cr_assert_lt(space_free("/nonexistent/dir/t.db"), 0);
}
