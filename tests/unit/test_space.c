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

static char dir[] = "/tmp/monfs-space-XXXXXX";
static char db[300], reserve[320];

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	snprintf(reserve, sizeof(reserve), "%s.reserve", db);
}

static void remove_dir(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	strcpy(dir, "/tmp/monfs-space-XXXXXX");
}

TestSuite(space, .init = make_dir, .fini = remove_dir);

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

Test(space, the_reserve_is_a_16th_of_the_disk_at_most_1_mib)
{
	int64_t want = space_reserve_bytes(db);

	cr_assert_gt(want, 0);
	cr_assert_leq(want, RESERVE_MAX_BYTES);
	cr_assert_eq(space_reserve(db), 0);
	cr_assert_eq(size_of(reserve), want);
	/* Whole already: nothing to do. */
	cr_assert_eq(space_reserve(db), 0);
	cr_assert_eq(size_of(reserve), want);
}

Test(space, a_reserve_given_up_is_gone_once_and_made_again)
{
	cr_assert_eq(space_release(db), -ENOENT);
	cr_assert_eq(space_reserve(db), 0);
	cr_assert_eq(space_release(db), 0);
	cr_assert_eq(size_of(reserve), -1);
	cr_assert_eq(space_release(db), -ENOENT);
	cr_assert_eq(space_reserve(db), 0);
	cr_assert_eq(size_of(reserve), space_reserve_bytes(db));
}

Test(space, a_partial_reserve_is_completed)
{
	FILE *f = fopen(reserve, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite("abc", 1, 3, f), 3);
	fclose(f);
	cr_assert_eq(space_reserve(db), 0);
	cr_assert_eq(size_of(reserve), space_reserve_bytes(db));
}

Test(space, free_bytes_are_those_of_the_disk_holding_the_database)
{
	cr_assert_gt(space_free(db), 0);
	cr_assert_lt(space_free("/nonexistent/dir/t.db"), 0);
}
