/*
 * insights: CloudWatch Logs Insights queries over a log group's events
 * (SPEC 16), parsed once and run over the events a caller feeds.
 *
 * The language: commands joined by '|' — fields, filter, parse, stats,
 * sort, limit, display, dedup, and SOURCE 'group' clauses at the front
 * (dashboard log widgets). Fields: @timestamp, @message, @logStream, @log
 * (the group's name as it is: monfs has no account id to put before it),
 * @ingestionTime, and the members of an event that is a JSON object,
 * flattened as Insights discovers them (`req.ms`, arrays as `a.0`);
 * `backquoted` names for any other bytes.
 *
 * Functions: strlen tolower toupper concat substr replace strcontains
 * trim ltrim rtrim abs ceil floor sqrt log pow greatest least ispresent
 * isempty isblank coalesce datefloor dateceil bin fromMillis toMillis;
 * in stats: count count_distinct sum avg min max pct (percentile)
 * earliest latest stddev, and arithmetic over them (sum(a) / count(*)).
 * Not supported: a second stats, stats after sort, limit or dedup, sort
 * by an expression (sort takes fields), Insights' other commands
 * (pattern, diff, unmask, anomaly, filterIndex: "unknown command"), and
 * fields Insights discovers in AWS services' own log formats.
 *
 * Where Insights says nothing, monfs chooses (the README repeats it):
 *   - Without sort, rows come newest first (@timestamp descending);
 *     stats rows come in the order their group was first seen, and by
 *     the bin ascending when a bin() is among the `by` keys.
 *   - `sort f` without asc or desc is ascending. Order is Insights'
 *     natural sort: text before numbers, digit runs by their value; a
 *     row without the field comes last either way; ties keep the order
 *     they had.
 *   - pct(f, p) is the nearest rank over the exact values: the value at
 *     rank ceil(p / 100 * n) of the n values sorted (rank 1 for p = 0).
 *   - count_distinct is exact (Insights estimates); stddev is the sample
 *     standard deviation (n - 1).
 *   - bin(Nw) weeks are aligned to the epoch (a Thursday); mo, q and y to
 *     the calendar month, quarter and year in UTC, N of them counted
 *     from January 1970.
 *   - Comparisons, ispresent() and the like are 1 or 0; a value that is
 *     not a number where one is needed makes null, never an error; a
 *     comparison, like or in with a missing field is false (0).
 *   - parse's glob: each '*' takes the bytes up to the first occurrence
 *     of the text after it (the text before the first '*' is searched
 *     for, not anchored; a last '*' takes the rest); no match sets the
 *     fields to null and the event goes on.
 *   - JSON true and false are the texts "true" and "false"; an object or
 *     array named whole is its compact JSON text.
 *   - Columns: display's, else stats' (`by` keys first), else the names
 *     of every `fields` command, else @timestamp and @message. Fields
 *     that parse extracts are columns only when named by fields or
 *     display.
 *   - In /regex/, `(?<name>...)` names a group (parse), `(?i)` in front
 *     ignores case, \w \W \s \S \d \D are their classes, and lazy
 *     quantifiers (`.*?`) are greedy: the regexes are POSIX extended
 *     ones behind the pattern module's guard; lookaround: EINVAL.
 *
 * Memory: events are not kept. Without stats, a query keeps the rows
 * its result can still show: at most its limit (default 10,000) when
 * rows keep the default order or a sort is followed by limit (or by
 * nothing); all matching rows when a filter or dedup follows a sort.
 * With stats, one accumulator per group, pct keeping the group's values.
 */
#ifndef MONFS_INSIGHTS_H
#define MONFS_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/strbuf.h"

#define INSIGHTS_LIMIT_MAX 10000 /* rows a query may return */

struct insights_query;

/*
 * Parse text[0..len). 0 and *out (immutable, reusable by any number of
 * runs, one at a time or at once); -EINVAL with err "position N: reason"
 * (N the 1-based character where the query is wrong), for bad syntax, an
 * unknown command or function, a limit past INSIGHTS_LIMIT_MAX, a regex
 * the pattern module refuses; -ENOMEM.
 */
int insights_parse(const char *text, size_t len, struct insights_query **out,
		   struct err *err);

/* Free q (NULL is fine). No run of q may be left. */
void insights_query_free(struct insights_query *q);

/*
 * The log groups the query's SOURCE clauses name, in order; their count,
 * and in *names an array owned by q (untouched when there are none).
 */
size_t insights_sources(const struct insights_query *q,
			const char *const **names);

/* One log event as the caller feeds it; valid during the feed only. */
struct insights_event {
	int64_t timestamp_ms;
	int64_t ingestion_ms;
	const char *message; /* len bytes, without the '\n' */
	size_t len;
	const char *log_stream; /* NUL-ended */
	const char *log_group;	/* NUL-ended */
};

struct insights_run;

/* A new run of q (q must outlive it). NULL when out of memory. */
struct insights_run *insights_run_new(const struct insights_query *q);

/*
 * Feed one event, events in ascending timestamp order. 0 or -ENOMEM
 * (the run is then unusable). An expression that cannot be computed
 * (a number expected, a text given) is null, as in Insights.
 */
int insights_run_feed(struct insights_run *r, const struct insights_event *ev);

/* The table a run produces: every string owned by it. */
struct insights_result {
	size_t ncolumns;
	char **columns;
	size_t nrows;
	char **cells; /* nrows * ncolumns, row by row; NULL: no value */
	uint64_t records_matched; /* events that passed every filter */
	uint64_t records_scanned; /* events fed */
	uint64_t bytes_scanned;	  /* their messages' bytes */
};

/*
 * End the run: order, limit and project its rows into *out (freed with
 * insights_result_free, also after a failure). 0 or -ENOMEM. The run
 * must be freed after, fed no more.
 */
int insights_run_finish(struct insights_run *r, struct insights_result *out);

/* Free r (NULL is fine). */
void insights_run_free(struct insights_run *r);

/* Free what res holds and zero it. */
void insights_result_free(struct insights_result *res);

/*
 * Append res as a text table: a header of the column names, then a line
 * per row, columns aligned (format_table_line), a cell without value
 * blank. 0 or -ENOMEM.
 */
int insights_result_text(const struct insights_result *res, struct strbuf *out);

/*
 * Append res as GetQueryResults' response: {"results":[[{"field","value"},
 * ...],...],"statistics":{"recordsMatched","recordsScanned",
 * "bytesScanned"},"status":"Complete"}, a cell without value left out of
 * its row (never null), bytes that are not UTF-8 replaced by U+FFFD.
 * 0 or -ENOMEM.
 */
int insights_result_json(const struct insights_result *res, struct strbuf *out);

#endif
