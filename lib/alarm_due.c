/*
 * alarm_due: which alarms' period boundaries have come (see alarm_due.h).
 *
 * The seen table is kept sorted by id, so a sweep over n alarms costs
 * n binary searches; a new id is inserted in its place (a memmove, paid
 * once per alarm created). Invariant: ids strictly increase along seen.
 */
#include "lib/alarm_due.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ALARM_DUE_FIRST_ALLOC 64

/* Make room for one more element of size bytes in *v. 0 or -ENOMEM. */
static int grow(void **v, size_t n, size_t *alloc, size_t size)
{
	size_t want;
	void *p;

	if (n < *alloc)
		return 0;
	want = *alloc ? *alloc * 2 : ALARM_DUE_FIRST_ALLOC;
	if (want < *alloc || want > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*v, want * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*alloc = want;
	return 0;
}

/* The index of id in seen, or where it would be inserted; *found says. */
static size_t find(const struct alarm_due *d, int64_t id, int *found)
{
	size_t lo = 0, hi = d->nseen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->seen[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < d->nseen && d->seen[lo].id == id;
	return lo;
}

/* Insert a never-due entry for id at index i. 0 or -ENOMEM. */
static int insert(struct alarm_due *d, size_t i, int64_t id)
{
	int rc = grow((void **)&d->seen, d->nseen, &d->seen_alloc,
		      sizeof(*d->seen));

	if (rc)
		return rc;
	memmove(d->seen + i + 1, d->seen + i,
		(d->nseen - i) * sizeof(*d->seen));
	d->seen[i] = (struct alarm_due_seen){id, INT64_MIN, 0};
	d->nseen++;
	return 0;
}

/* Add a copy of name to the due names. 0 or -ENOMEM. */
static int add_name(struct alarm_due *d, const char *name)
{
	char *copy;
	int rc = grow((void **)&d->names, d->nnames, &d->names_alloc,
		      sizeof(*d->names));

	if (rc)
		return rc;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	d->names[d->nnames++] = copy;
	return 0;
}

void alarm_due_begin(struct alarm_due *d)
{
	size_t i;

	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	d->nnames = 0;
	d->sweep++;
}

int alarm_due_check(struct alarm_due *d, int64_t id, const char *name,
		    int64_t period_ms, int64_t now_ms)
{
	int64_t boundary;
	int found, rc;
	size_t i;

	assert(period_ms > 0);
	boundary = now_ms / period_ms * period_ms;
	i = find(d, id, &found);
	if (!found) {
		rc = insert(d, i, id);
		if (rc)
			return rc;
	}
	d->seen[i].sweep = d->sweep;
	if (d->seen[i].boundary_ms >= boundary)
		return 0;
	rc = add_name(d, name);
	if (rc)
		return rc;
	d->seen[i].boundary_ms = boundary;
	return 1;
}

void alarm_due_end(struct alarm_due *d)
{
	size_t i, kept = 0;

	for (i = 0; i < d->nseen; i++) {
		assert(i == 0 || d->seen[i - 1].id < d->seen[i].id);
		if (d->seen[i].sweep == d->sweep)
			d->seen[kept++] = d->seen[i];
	}
	d->nseen = kept;
}

void alarm_due_release(struct alarm_due *d)
{
	alarm_due_begin(d);
	free(d->names);
	free(d->seen);
	*d = (struct alarm_due)ALARM_DUE_INIT;
}
