/*
 * tmpstore: see tmpstore.h.
 */
#include "tests/support/tmpstore.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tmpstore_dir(struct tmpstore *t, const char *tag)
{
	int n = snprintf(t->dir, sizeof(t->dir), "/tmp/monfs-%s-XXXXXX", tag);

	cr_assert(n > 0 && (size_t)n < sizeof(t->dir), "tag \"%s\" too long",
		  tag);
	cr_assert_not_null(mkdtemp(t->dir), "mkdtemp %s: %m", t->dir);
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
}

void tmpstore_open(struct tmpstore *t, const char *tag, struct store **st)
{
	struct err err = {""};

	tmpstore_dir(t, tag);
	cr_assert_eq(store_open(t->path, st, &err), 0, "%s", err.msg);
}

static int remove_one(const char *path, const struct stat *sb, int type,
		      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

void tmpstore_remove(struct tmpstore *t)
{
	cr_assert_eq(nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0,
		     "removing %s: %m", t->dir);
}

void tmpstore_close(struct tmpstore *t, struct store *st)
{
	if (st)
		store_close(st);
	tmpstore_remove(t);
}

char *tmpstore_trail_today(struct store *st)
{
	int64_t day = store_now_ms() / MS_PER_DAY;
	struct trail_day d;
	char *buf;
	int n;

	cr_assert_eq(store_trail_day(st, day, &d), 0);
	buf = calloc(1, (size_t)d.size + 1);
	cr_assert_not_null(buf);
	n = store_trail_read(st, day, 0, buf, (size_t)d.size);
	cr_assert_eq(n, d.size);
	return buf;
}
