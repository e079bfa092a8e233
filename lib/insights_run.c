/*
 * insights_run: one execution of a query. Each event fed runs the
 * query's stream commands (fields, filter, parse) on a record of its
 * fields; an event that passes goes to stats, or becomes a row holding
 * copies of the fields later commands and the columns read (q->kept).
 *
 * Rows are held as q->keep says: the newest keep_rows in a ring
 * (events arrive oldest first, and the default order shows the newest),
 * or, before a sort that a limit follows, every row until twice
 * keep_rows are held and then only the first keep_rows of the sort
 * (so a top-N costs N rows, not every event), or all of them.
 *
 * At the end the rows (or stats' rows) are put in their current order
 * — newest first, or stats' order — and the remaining commands run over
 * them in turn: sort (stable), limit, dedup, fields, filter, parse.
 */
#include "lib/insights_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct row {
	struct ival *values; /* q->nsymbols, owned; UNSET: not kept */
	uint64_t seq;	     /* the order events were fed, or a position */
};

struct insights_run {
	const struct insights_query *q;
	struct record rec;
	uint64_t scanned;
	uint64_t matched;
	uint64_t bytes;
	uint64_t seq;
	struct row *rows; /* KEEP_NEWEST: a ring, the oldest at head */
	size_t nrows;
	size_t rows_cap;
	size_t head;
	struct stats_table *stats;
	bool failed; /* out of memory once: the run is over */
};

static void row_release(const struct insights_query *q, struct row *row)
{
	size_t i;

	if (!row->values)
		return;
	for (i = 0; i < q->nsymbols; i++)
		ival_release(&row->values[i]);
	free(row->values);
	row->values = NULL;
}

static void rows_free(const struct insights_query *q, struct row *rows,
		      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row_release(q, &rows[i]);
	free(rows);
}

struct insights_run *insights_run_new(const struct insights_query *q)
{
	struct insights_run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->q = q;
	if (record_init(&r->rec, q))
		goto fail;
	if (q->stats != INSIGHTS_NO_INDEX) {
		r->stats = stats_table_new(&q->commands[q->stats]);
		if (!r->stats)
			goto fail;
	}
	return r;
fail:
	insights_run_free(r);
	return NULL;
}

void insights_run_free(struct insights_run *r)
{
	if (!r)
		return;
	record_release(&r->rec);
	rows_free(r->q, r->rows, r->nrows);
	stats_table_free(r->stats);
	free(r);
}

/* ---- commands on a record ---- */

/*
 * Run command c on rec: 1 when the record goes on, 0 when a filter drops
 * it, -ENOMEM.
 */
static int run_on_record(const struct command *c, struct record *rec)
{
	struct ival v;
	size_t i;
	int rc = 0;

	switch (c->kind) {
	case CMD_FIELDS:
		for (i = 0; !rc && i < c->nitems; i++) {
			if (!c->items[i].expr)
				continue;
			rc = insights_eval(rec, c->items[i].expr, &v);
			if (!rc)
				rc = record_set(rec, c->items[i].symbol, &v);
		}
		return rc ? rc : 1;
	case CMD_FILTER:
		rc = insights_eval(rec, c->filter, &v);
		if (rc)
			return rc;
		rc = ival_truthy(&v);
		ival_release(&v);
		return rc;
	case CMD_PARSE:
		rc = insights_apply_parse(rec, &c->parse);
		return rc ? rc : 1;
	default:
		return 1;
	}
}

/* ---- sorting rows ---- */

struct sort_context {
	const struct command *sort;
	bool newest_first; /* ties: higher seq first (else lower) */
};

static int compare_rows(const void *a, const void *b, void *ctx)
{
	const struct sort_context *s = ctx;
	const struct row *x = a, *y = b;
	size_t i;
	int cmp;

	for (i = 0; i < s->sort->nitems; i++) {
		const struct item *key = &s->sort->items[i];
		const struct ival *vx = &x->values[key->symbol];
		const struct ival *vy = &y->values[key->symbol];
		bool nx = vx->kind == IVAL_NULL || vx->kind == IVAL_UNSET;
		bool ny = vy->kind == IVAL_NULL || vy->kind == IVAL_UNSET;

		if (nx || ny) {
			if (nx != ny)
				return nx ? 1 : -1; /* no value: last */
			continue;
		}
		cmp = ival_order(vx, vy);
		if (cmp)
			return key->descending ? -cmp : cmp;
	}
	cmp = (x->seq > y->seq) - (x->seq < y->seq);
	return s->newest_first ? -cmp : cmp;
}

static void sort_rows(struct row *rows, size_t n, const struct command *sort,
		      bool newest_first)
{
	struct sort_context s = {sort, newest_first};

	qsort_r(rows, n, sizeof(*rows), compare_rows, &s);
}

/* Keep rows[0..keep) of *n, freeing the others. */
static void truncate_rows(const struct insights_query *q, struct row *rows,
			  size_t *n, size_t keep)
{
	while (*n > keep)
		row_release(q, &rows[--*n]);
}

/* ---- keeping rows ---- */

/* The record's kept fields copied into a new row. */
static int make_row(struct insights_run *r, struct row *row)
{
	const struct insights_query *q = r->q;
	struct ival v;
	size_t i;
	int rc = 0;

	row->values = calloc(q->nsymbols, sizeof(*row->values));
	if (!row->values)
		return -ENOMEM;
	row->seq = r->seq++;
	for (i = 0; !rc && i < q->nsymbols; i++) {
		if (!q->kept[i])
			continue;
		rc = record_get(&r->rec, i, &v);
		if (!rc)
			rc = ival_copy(&row->values[i], &v);
	}
	if (rc)
		row_release(q, row);
	return rc;
}

/* Room for one more row at the end. */
static int rows_reserve(struct insights_run *r, size_t most)
{
	size_t cap;
	struct row *grown;

	if (r->nrows < r->rows_cap)
		return 0;
	cap = r->rows_cap ? r->rows_cap * 2 : 64;
	if (cap > most)
		cap = most;
	grown = realloc(r->rows, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->rows = grown;
	r->rows_cap = cap;
	return 0;
}

static int keep_row(struct insights_run *r)
{
	const struct insights_query *q = r->q;
	struct row row;
	int rc;

	if (q->keep == KEEP_NEWEST && r->nrows == q->keep_rows) {
		rc = make_row(r, &row);
		if (rc)
			return rc;
		row_release(q, &r->rows[r->head]);
		r->rows[r->head] = row;
		r->head = (r->head + 1) % r->nrows;
		return 0;
	}
	rc = rows_reserve(r, q->keep == KEEP_TOP      ? 2 * q->keep_rows
			     : q->keep == KEEP_NEWEST ? q->keep_rows
						      : SIZE_MAX / sizeof(row));
	if (!rc)
		rc = make_row(r, &r->rows[r->nrows]);
	if (rc)
		return rc;
	r->nrows++;
	if (q->keep == KEEP_TOP && r->nrows == 2 * q->keep_rows) {
		sort_rows(r->rows, r->nrows, &q->commands[q->nstream], true);
		truncate_rows(q, r->rows, &r->nrows, q->keep_rows);
	}
	return 0;
}

int insights_run_feed(struct insights_run *r, const struct insights_event *ev)
{
	const struct insights_query *q = r->q;
	size_t i;
	int rc = 1;

	if (r->failed)
		return -ENOMEM;
	r->scanned++;
	r->bytes += ev->len;
	r->rec.ev = ev;
	for (i = 0; rc == 1 && i < q->nstream; i++)
		rc = run_on_record(&q->commands[i], &r->rec);
	if (rc == 1) {
		r->matched++;
		rc = r->stats ? stats_table_add(r->stats, &r->rec)
			      : keep_row(r);
	}
	record_clear(&r->rec);
	if (rc < 0) {
		r->failed = true;
		return rc;
	}
	return 0;
}

/* ---- the end of the run ---- */

static int compare_newest_first(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return (x->seq < y->seq) - (x->seq > y->seq);
}

/* The rows stats makes, in its order, into *rows. */
static int stats_rows(struct insights_run *r, struct row **rows, size_t *n)
{
	const struct insights_query *q = r->q;
	size_t count = stats_table_size(r->stats), i;
	int rc = 0;

	*rows = calloc(count + 1, sizeof(**rows));
	if (!*rows)
		return -ENOMEM;
	for (i = 0; !rc && i < count; i++) {
		struct record rec = {.q = q};

		(*rows)[i].values = calloc(q->nsymbols, sizeof(struct ival));
		if (!(*rows)[i].values)
			return -ENOMEM;
		*n = i + 1;
		rec.values = (*rows)[i].values;
		rc = stats_table_row(r->stats, i, &rec);
	}
	return rc;
}

/* The rows kept, newest first, taken out of r into *rows. */
static int kept_rows(struct insights_run *r, struct row **rows, size_t *n)
{
	size_t i;

	*rows = malloc((r->nrows + 1) * sizeof(**rows));
	if (!*rows)
		return -ENOMEM;
	if (r->q->keep == KEEP_NEWEST) {
		for (i = 0; i < r->nrows; i++)
			(*rows)[i] = r->rows[(r->head + r->nrows - 1 - i) %
					     r->nrows];
	} else {
		memcpy(*rows, r->rows, r->nrows * sizeof(**rows));
		qsort(*rows, r->nrows, sizeof(**rows), compare_newest_first);
	}
	*n = r->nrows;
	free(r->rows);
	r->rows = NULL;
	r->nrows = r->rows_cap = r->head = 0;
	return 0;
}

/* Drop the rows whose dedup fields repeat an earlier row's (rows with a
 * null among them are kept, as Insights keeps them). */
static int dedup_rows(const struct insights_query *q, const struct command *c,
		      struct row *rows, size_t *n)
{
	struct keyset seen = {0};
	struct strbuf key = STRBUF_INIT;
	size_t i, j, kept = 0, unused = 0;
	bool added, has_null;
	int rc = 0;

	for (i = 0; i < *n; i++) {
		has_null = false;
		strbuf_reset(&key);
		for (j = 0; !rc && j < c->nitems; j++) {
			const struct ival *v =
				&rows[i].values[c->items[j].symbol];

			has_null = has_null || v->kind == IVAL_NULL ||
				   v->kind == IVAL_UNSET;
			rc = ival_key(v, &key);
		}
		added = true;
		if (!rc && !has_null)
			rc = keyset_put(&seen, key.buf ? key.buf : "", key.len,
					&unused, &added);
		if (rc)
			break;
		if (added)
			rows[kept++] = rows[i];
		else
			row_release(q, &rows[i]);
	}
	for (; i < *n; i++) /* after a failure: keep the rest as they are */
		rows[kept++] = rows[i];
	*n = kept;
	keyset_release(&seen);
	strbuf_release(&key);
	return rc;
}

/* fields, filter or parse on every row; a filter drops rows. */
static int rows_through(const struct insights_query *q, const struct command *c,
			struct row *rows, size_t *n)
{
	size_t i, kept = 0;
	int rc = 1;

	for (i = 0; i < *n; i++) {
		struct record rec = {.q = q, .values = rows[i].values};

		rc = rc < 0 ? rc : run_on_record(c, &rec);
		if (rc == 0)
			row_release(q, &rows[i]);
		else
			rows[kept++] = rows[i];
		rc = rc == 0 ? 1 : rc;
	}
	*n = kept;
	return rc < 0 ? rc : 0;
}

/* The commands after the stream (or after stats) over rows. */
static int rows_after(const struct insights_query *q, struct row *rows,
		      size_t *n)
{
	size_t i = q->stats != INSIGHTS_NO_INDEX ? q->stats + 1 : q->nstream;
	size_t k;
	int rc = 0;

	for (; !rc && i < q->ncommands; i++) {
		const struct command *c = &q->commands[i];

		switch (c->kind) {
		case CMD_SORT:
			for (k = 0; k < *n; k++)
				rows[k].seq = k;
			sort_rows(rows, *n, c, false);
			break;
		case CMD_LIMIT:
			truncate_rows(q, rows, n, c->limit);
			break;
		case CMD_DEDUP:
			rc = dedup_rows(q, c, rows, n);
			break;
		case CMD_FIELDS:
		case CMD_FILTER:
		case CMD_PARSE:
			rc = rows_through(q, c, rows, n);
			break;
		default:
			break;
		}
	}
	if (!rc)
		truncate_rows(q, rows, n, INSIGHTS_LIMIT_MAX);
	return rc;
}

/* rows[0..n) into out's columns and cells. */
static int project(const struct insights_query *q, const struct row *rows,
		   size_t n, struct insights_result *out)
{
	size_t i, j;
	int rc = 0;

	out->columns = calloc(q->ncolumns + 1, sizeof(*out->columns));
	out->cells = calloc(n * q->ncolumns + 1, sizeof(*out->cells));
	if (!out->columns || !out->cells)
		return -ENOMEM;
	out->ncolumns = q->ncolumns;
	for (j = 0; j < q->ncolumns; j++) {
		out->columns[j] = strdup(q->symbols[q->columns[j]]);
		if (!out->columns[j])
			return -ENOMEM;
	}
	out->nrows = n;
	for (i = 0; !rc && i < n; i++)
		for (j = 0; !rc && j < q->ncolumns; j++)
			rc = ival_render(&rows[i].values[q->columns[j]],
					 &out->cells[i * q->ncolumns + j]);
	return rc;
}

int insights_run_finish(struct insights_run *r, struct insights_result *out)
{
	const struct insights_query *q = r->q;
	struct row *rows = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->records_matched = r->matched;
	out->records_scanned = r->scanned;
	out->bytes_scanned = r->bytes;
	if (r->failed)
		return -ENOMEM;
	rc = r->stats ? stats_rows(r, &rows, &n) : kept_rows(r, &rows, &n);
	if (!rc)
		rc = rows_after(q, rows, &n);
	if (!rc)
		rc = project(q, rows, n, out);
	rows_free(q, rows, n);
	r->failed = true; /* finished: fed no more */
	return rc;
}
