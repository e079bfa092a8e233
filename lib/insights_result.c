/*
 * insights_result: a query's result table freed and rendered — as text
 * for a terminal (a header, columns aligned by format_table_line) and
 * as GetQueryResults' JSON response.
 */
#include "lib/format.h"
#include "lib/insights.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void insights_result_free(struct insights_result *res)
{
	size_t i;

	if (res->columns)
		for (i = 0; i < res->ncolumns; i++)
			free(res->columns[i]);
	free(res->columns);
	if (res->cells)
		for (i = 0; i < res->nrows * res->ncolumns; i++)
			free(res->cells[i]);
	free(res->cells);
	memset(res, 0, sizeof(*res));
}

int insights_result_text(const struct insights_result *res, struct strbuf *out)
{
	size_t n = res->ncolumns, i, j, len;
	const char **line = calloc(n + 1, sizeof(*line));
	size_t *width = calloc(n + 1, sizeof(*width));
	int rc = 0;

	if (!line || !width) {
		rc = -ENOMEM;
		goto out;
	}
	for (j = 0; j < n; j++) {
		width[j] = strlen(res->columns[j]);
		for (i = 0; i < res->nrows; i++) {
			const char *cell = res->cells[i * n + j];

			len = cell ? strlen(cell) : 0;
			width[j] = len > width[j] ? len : width[j];
		}
	}
	for (j = 0; j < n; j++)
		line[j] = res->columns[j];
	if (n)
		rc = format_table_line(out, line, width, n);
	for (i = 0; !rc && i < res->nrows; i++) {
		for (j = 0; j < n; j++)
			line[j] = res->cells[i * n + j] ? res->cells[i * n + j]
							: "";
		rc = format_table_line(out, line, width, n);
	}
out:
	free(line);
	free(width);
	return rc;
}

/* A JSON string of s, bytes that are not UTF-8 replaced; NULL: ENOMEM. */
static json_t *json_text(const char *s)
{
	struct strbuf clean = STRBUF_INIT;
	json_t *v;

	if (format_utf8_lossy(&clean, s, strlen(s)))
		return NULL;
	v = json_stringn(clean.buf ? clean.buf : "", clean.len);
	strbuf_release(&clean);
	return v;
}

/* {"field": name, "value": cell} appended to row. 0 or -ENOMEM. */
static int add_cell(json_t *row, const char *name, const char *cell)
{
	json_t *pair = json_object();

	if (!pair || json_object_set_new(pair, "field", json_text(name)) ||
	    json_object_set_new(pair, "value", json_text(cell)) ||
	    json_array_append_new(row, pair))
		return -ENOMEM; /* jansson frees what it was given */
	return 0;
}

static json_t *statistics(const struct insights_result *res)
{
	return json_pack("{s:I,s:I,s:I}", "recordsMatched",
			 (json_int_t)res->records_matched, "recordsScanned",
			 (json_int_t)res->records_scanned, "bytesScanned",
			 (json_int_t)res->bytes_scanned);
}

int insights_result_json(const struct insights_result *res, struct strbuf *out)
{
	json_t *doc = json_object(), *results = json_array(), *row;
	size_t i, j, n = res->ncolumns;
	char *text = NULL;
	int rc = -ENOMEM;

	if (!doc || !results || json_object_set(doc, "results", results))
		goto out;
	for (i = 0; i < res->nrows; i++) {
		row = json_array();
		if (!row || json_array_append_new(results, row))
			goto out;
		for (j = 0; j < n; j++)
			if (res->cells[i * n + j] &&
			    add_cell(row, res->columns[j],
				     res->cells[i * n + j]))
				goto out;
	}
	if (json_object_set_new(doc, "statistics", statistics(res)) ||
	    json_object_set_new(doc, "status", json_string("Complete")))
		goto out;
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		rc = strbuf_adds(out, text);
out:
	free(text);
	json_decref(results);
	json_decref(doc);
	return rc;
}
