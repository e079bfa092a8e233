/*
 * insights_query: the commands of a Logs Insights query into struct
 * insights_query, and what a run needs decided once:
 *
 *   - nstream: the commands that run on each event as it is fed (fields,
 *     filter, parse, display), up to the first stats, sort, limit or
 *     dedup; those and the rest run on the rows kept (or on stats' rows).
 *   - the columns (see insights.h), and which fields rows keep: those
 *     the later commands read and the columns.
 *   - keep: how many rows a run must hold (KEEP_NEWEST when the rows
 *     keep their default order until a limit, KEEP_TOP when a sort is
 *     followed by a limit or by nothing, else KEEP_ALL).
 */
#include "lib/insights_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PARSE_STARS_MAX 64 /* fields one parse glob extracts */

static void command_release(struct command *c)
{
	size_t i;

	for (i = 0; i < c->nitems; i++)
		insights_node_free(c->items[i].expr);
	free(c->items);
	for (i = 0; i < c->nby; i++)
		insights_node_free(c->by[i].expr);
	free(c->by);
	for (i = 0; i < c->naggregates; i++)
		insights_node_free(c->aggregates[i].arg);
	free(c->aggregates);
	insights_node_free(c->filter);
	insights_node_free(c->parse.source);
	if (c->parse.is_regex)
		regfree(&c->parse.regex);
	free(c->parse.group_symbols);
	if (c->parse.literals)
		for (i = 0; i <= c->parse.nstars; i++)
			free(c->parse.literals[i]);
	free(c->parse.literals);
	free(c->parse.literal_lens);
	free(c->parse.star_symbols);
}

void insights_query_free(struct insights_query *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->ncommands; i++)
		command_release(&q->commands[i]);
	free(q->commands);
	for (i = 0; i < q->nsymbols; i++)
		free(q->symbols[i]);
	free(q->symbols);
	for (i = 0; i < q->nsources; i++)
		free(q->sources[i]);
	free(q->sources);
	free(q->columns);
	free(q->kept);
	free(q->text);
	free(q);
}

size_t insights_sources(const struct insights_query *q,
			const char *const **names)
{
	if (q->nsources)
		*names = (const char *const *)q->sources;
	return q->nsources;
}

/* A field name (a bare word not a keyword, or `quoted`) into *symbol. */
static int parse_field_name(struct parser *p, size_t *symbol)
{
	int rc;

	if (p->tok.kind != TOK_NAME ||
	    (!p->tok.quoted &&
	     (parser_at_word(p, "as") || parser_at_word(p, "by") ||
	      parser_at_word(p, "asc") || parser_at_word(p, "desc") ||
	      parser_at_word(p, "and") || parser_at_word(p, "or") ||
	      parser_at_word(p, "not") || parser_at_word(p, "like") ||
	      parser_at_word(p, "in"))))
		return parser_unexpected(p, "a field name");
	rc = parser_intern(p, p->tok.text, p->tok.len, symbol);
	return rc ? rc : parser_advance(p);
}

/*
 * An expression and what it is called: its alias after `as`, the field
 * it names, or its text as written ("count(*)", "bin(5m)").
 */
static int parse_item(struct parser *p, struct item *it)
{
	size_t start = p->tok.pos, end;
	int rc;

	rc = insights_parse_expr(p, &it->expr);
	if (rc)
		return rc;
	end = p->prev_end;
	if (parser_at_word(p, "as")) {
		rc = parser_advance(p);
		if (!rc)
			rc = parse_field_name(p, &it->symbol);
	} else if (it->expr->kind == NODE_FIELD) {
		it->symbol = it->expr->symbol;
	} else {
		rc = parser_intern(p, p->lx.s + start, end - start,
				   &it->symbol);
	}
	if (!rc && it->expr->kind == NODE_FIELD &&
	    it->expr->symbol == it->symbol) {
		insights_node_free(it->expr);
		it->expr = NULL;
	}
	return rc;
}

/* item, item, ... into *items. */
static int parse_items(struct parser *p, struct item **items, size_t *n,
		       bool in_stats)
{
	struct item *it;
	size_t before;
	int rc;

	for (;;) {
		size_t pos = p->tok.pos;

		it = parser_append(p, items, n, sizeof(*it));
		if (!it)
			return -ENOMEM;
		before = in_stats ? p->stats->naggregates : 0;
		rc = parse_item(p, it);
		if (rc)
			return rc;
		if (in_stats && p->stats->naggregates == before)
			return insights_fail(p->lx.s, pos, p->err,
					     "stats takes functions such as "
					     "count(*) or avg(field)");
		if (p->tok.kind != TOK_COMMA)
			return 0;
		rc = parser_advance(p);
		if (rc)
			return rc;
	}
}

/* name, name, ... into *items (sort: each with asc or desc). */
static int parse_names(struct parser *p, struct item **items, size_t *n,
		       bool directions)
{
	struct item *it;
	int rc;

	for (;;) {
		it = parser_append(p, items, n, sizeof(*it));
		if (!it)
			return -ENOMEM;
		rc = parse_field_name(p, &it->symbol);
		if (!rc && directions &&
		    (parser_at_word(p, "asc") || parser_at_word(p, "desc"))) {
			it->descending = parser_at_word(p, "desc");
			rc = parser_advance(p);
		}
		if (rc || p->tok.kind != TOK_COMMA)
			return rc;
		rc = parser_advance(p);
		if (rc)
			return rc;
	}
}

static int parse_stats(struct parser *p, struct command *c)
{
	size_t i;
	int rc;

	p->stats = c;
	rc = parse_items(p, &c->items, &c->nitems, true);
	p->stats = NULL;
	if (rc || !parser_at_word(p, "by"))
		return rc;
	rc = parser_advance(p);
	if (!rc)
		rc = parse_items(p, &c->by, &c->nby, false);
	for (i = 0; !rc && i < c->nby; i++)
		if (c->by[i].expr && c->by[i].expr->kind == NODE_CALL &&
		    (c->by[i].expr->fn->id == FN_BIN ||
		     c->by[i].expr->fn->id == FN_DATEFLOOR) &&
		    c->bin_key == INSIGHTS_NO_INDEX)
			c->bin_key = i;
	return rc;
}

/* parse SOURCE "a * b * c" as x, y — the glob's runs and names. */
static int parse_glob(struct parser *p, struct parse_spec *ps)
{
	const char *text = p->tok.text, *star;
	size_t len = p->tok.len, pos = p->tok.pos, nstars = 0, i, n = 0;
	struct item *names = NULL;
	int rc;

	for (i = 0; i < len; i++)
		nstars += text[i] == '*';
	if (nstars == 0)
		return insights_fail(p->lx.s, pos, p->err,
				     "the pattern has no '*' to extract");
	if (nstars > PARSE_STARS_MAX)
		return insights_fail(p->lx.s, pos, p->err,
				     "a pattern has at most %d '*'",
				     PARSE_STARS_MAX);
	ps->literals = calloc(nstars + 1, sizeof(*ps->literals));
	ps->literal_lens = calloc(nstars + 1, sizeof(*ps->literal_lens));
	if (!ps->literals || !ps->literal_lens)
		return parser_nomem(p);
	ps->nstars = nstars;
	for (i = 0; i <= nstars; i++) {
		star = memchr(text, '*', len);
		ps->literal_lens[i] = star ? (size_t)(star - text) : len;
		ps->literals[i] = strndup(text, ps->literal_lens[i]);
		if (!ps->literals[i])
			return parser_nomem(p);
		if (star) {
			len -= (size_t)(star - text) + 1;
			text = star + 1;
		}
	}
	rc = parser_advance(p);
	if (!rc && !parser_at_word(p, "as"))
		rc = parser_unexpected(p, "as and the names of the '*'s");
	if (!rc)
		rc = parser_advance(p);
	if (!rc)
		rc = parse_names(p, &names, &n, false);
	if (!rc && n != nstars)
		rc = insights_fail(p->lx.s, pos, p->err,
				   "the pattern has %zu '*' and %zu names "
				   "follow as",
				   nstars, n);
	if (!rc) {
		ps->star_symbols = calloc(n, sizeof(*ps->star_symbols));
		if (!ps->star_symbols)
			rc = parser_nomem(p);
	}
	for (i = 0; !rc && i < n; i++)
		ps->star_symbols[i] = names[i].symbol;
	free(names);
	return rc;
}

/* parse SOURCE /regex/ — named groups make the fields. */
static int parse_parse_regex(struct parser *p, struct parse_spec *ps)
{
	struct err why = {""};
	char **names = NULL;
	size_t ngroups = 0, pos = p->tok.pos, i;
	bool named = false;
	int rc;

	rc = insights_lex_regex(&p->lx, &p->tok);
	if (rc)
		return rc;
	rc = insights_regex_compile(p->tok.text, p->tok.len, true, &ps->regex,
				    &names, &ngroups, &why);
	if (rc)
		return rc == -ENOMEM ? parser_nomem(p)
				     : insights_fail(p->lx.s, pos, p->err, "%s",
						     why.msg);
	ps->is_regex = true;
	ps->ngroups = ngroups;
	ps->group_symbols = calloc(ngroups + 1, sizeof(*ps->group_symbols));
	if (!ps->group_symbols)
		rc = parser_nomem(p);
	for (i = 0; !rc && i <= ngroups; i++) {
		ps->group_symbols[i] = INSIGHTS_NO_INDEX;
		if (i > 0 && names[i]) {
			named = true;
			rc = parser_intern(p, names[i], strlen(names[i]),
					   &ps->group_symbols[i]);
		}
	}
	insights_group_names_free(names, ngroups);
	if (!rc && !named)
		rc = insights_fail(p->lx.s, pos, p->err,
				   "the regex names no group: write "
				   "(?<name>...)");
	return rc ? rc : parser_advance(p);
}

static int parse_parse(struct parser *p, struct command *c)
{
	struct node *source;
	size_t pos = p->tok.pos;
	int rc;

	source = calloc(1, sizeof(*source));
	if (!source)
		return parser_nomem(p);
	source->kind = NODE_FIELD;
	source->pos = pos;
	c->parse.source = source;
	rc = parse_field_name(p, &source->symbol);
	if (rc)
		return rc;
	if (p->tok.kind == TOK_STRING)
		return parse_glob(p, &c->parse);
	if (p->tok.kind == TOK_SLASH)
		return parse_parse_regex(p, &c->parse);
	return parser_unexpected(p, "a \"glob * pattern\" or a /regex/");
}

static int parse_limit(struct parser *p, struct command *c)
{
	if (p->tok.kind != TOK_NUMBER ||
	    p->tok.number != floor(p->tok.number) || p->tok.number < 1)
		return parser_unexpected(p, "a number of rows, 1 or more");
	if (p->tok.number > INSIGHTS_LIMIT_MAX)
		return insights_fail(p->lx.s, p->tok.pos, p->err,
				     "limit is at most %d", INSIGHTS_LIMIT_MAX);
	c->limit = (size_t)p->tok.number;
	return parser_advance(p);
}

/* SOURCE 'group' [, 'group' ...] */
static int parse_source(struct parser *p)
{
	struct insights_query *q = p->q;
	char **slot;
	int rc = parser_advance(p);

	for (;;) {
		if (rc)
			return rc;
		if (p->tok.kind != TOK_STRING || p->tok.len == 0)
			return parser_unexpected(p, "a log group's 'name'");
		slot = parser_append(p, &q->sources, &q->nsources,
				     sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		*slot = p->tok.owned;
		p->tok.owned = NULL;
		rc = parser_advance(p);
		if (rc || p->tok.kind != TOK_COMMA)
			return rc;
		rc = parser_advance(p);
	}
}

static const struct {
	const char *name;
	enum command_kind kind;
} COMMANDS[] = {
	{"fields", CMD_FIELDS},	  {"filter", CMD_FILTER}, {"parse", CMD_PARSE},
	{"stats", CMD_STATS},	  {"sort", CMD_SORT},	  {"limit", CMD_LIMIT},
	{"display", CMD_DISPLAY}, {"dedup", CMD_DEDUP},
};

static int parse_command(struct parser *p)
{
	struct insights_query *q = p->q;
	struct command c = {.pos = p->tok.pos, .bin_key = INSIGHTS_NO_INDEX};
	struct command *slot;
	size_t i;
	int rc;

	if (p->tok.kind != TOK_NAME || p->tok.quoted)
		return parser_unexpected(p, "a command");
	for (i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
		if (parser_at_word(p, COMMANDS[i].name))
			break;
	if (i == sizeof(COMMANDS) / sizeof(COMMANDS[0]))
		return insights_fail(p->lx.s, p->tok.pos, p->err,
				     "unknown command %.*s", (int)p->tok.len,
				     p->tok.text);
	c.kind = COMMANDS[i].kind;
	rc = parser_advance(p);
	if (rc)
		return rc;
	switch (c.kind) {
	case CMD_FIELDS:
		rc = parse_items(p, &c.items, &c.nitems, false);
		break;
	case CMD_FILTER:
		rc = insights_parse_expr(p, &c.filter);
		break;
	case CMD_PARSE:
		rc = parse_parse(p, &c);
		break;
	case CMD_STATS:
		rc = parse_stats(p, &c);
		break;
	case CMD_SORT:
		rc = parse_names(p, &c.items, &c.nitems, true);
		break;
	case CMD_LIMIT:
		rc = parse_limit(p, &c);
		break;
	case CMD_DISPLAY:
	case CMD_DEDUP:
		rc = parse_names(p, &c.items, &c.nitems, false);
		break;
	}
	slot = rc ? NULL
		  : parser_append(p, &q->commands, &q->ncommands, sizeof(c));
	if (!slot) {
		command_release(&c);
		return rc ? rc : -ENOMEM;
	}
	*slot = c;
	return 0;
}

/* ---- what is decided once ---- */

static void mark_node(const struct node *n, bool *kept)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == NODE_FIELD)
		kept[n->symbol] = true;
	for (i = 0; i < n->nkids; i++)
		mark_node(n->kids[i], kept);
}

static int add_column(struct parser *p, size_t symbol)
{
	struct insights_query *q = p->q;
	size_t *slot, i;

	for (i = 0; i < q->ncolumns; i++)
		if (q->columns[i] == symbol)
			return 0;
	slot = parser_append(p, &q->columns, &q->ncolumns, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = symbol;
	return 0;
}

static int add_columns(struct parser *p, const struct item *items, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < n; i++)
		rc = add_column(p, items[i].symbol);
	return rc;
}

/* Where the stream ends, and the orders Insights refuses. */
static int plan_stream(struct parser *p)
{
	struct insights_query *q = p->q;
	bool dedup = false;
	size_t i;

	q->stats = INSIGHTS_NO_INDEX;
	q->nstream = q->ncommands;
	for (i = 0; i < q->ncommands; i++) {
		const struct command *c = &q->commands[i];

		if (dedup && c->kind != CMD_LIMIT && c->kind != CMD_DISPLAY)
			return insights_fail(p->lx.s, c->pos, p->err,
					     "only limit may follow dedup");
		dedup = dedup || c->kind == CMD_DEDUP;
		if (c->kind == CMD_STATS && q->stats != INSIGHTS_NO_INDEX)
			return insights_fail(p->lx.s, c->pos, p->err,
					     "one stats per query");
		if (c->kind == CMD_STATS && q->nstream < i)
			return insights_fail(p->lx.s, c->pos, p->err,
					     "stats after sort, limit or dedup "
					     "is not supported");
		if (c->kind == CMD_STATS)
			q->stats = i;
		if ((c->kind == CMD_STATS || c->kind == CMD_SORT ||
		     c->kind == CMD_LIMIT || c->kind == CMD_DEDUP) &&
		    q->nstream == q->ncommands)
			q->nstream = i;
	}
	return 0;
}

static int plan_columns(struct parser *p)
{
	struct insights_query *q = p->q;
	const struct command *display = NULL;
	bool fields = false;
	size_t i;
	int rc = 0;

	for (i = 0; i < q->ncommands; i++)
		if (q->commands[i].kind == CMD_DISPLAY)
			display = &q->commands[i];
	if (display)
		return add_columns(p, display->items, display->nitems);
	if (q->stats != INSIGHTS_NO_INDEX) {
		const struct command *s = &q->commands[q->stats];

		rc = add_columns(p, s->by, s->nby);
		if (!rc)
			rc = add_columns(p, s->items, s->nitems);
	}
	for (i = q->stats == INSIGHTS_NO_INDEX ? 0 : q->stats;
	     !rc && i < q->ncommands; i++)
		if (q->commands[i].kind == CMD_FIELDS) {
			fields = true;
			rc = add_columns(p, q->commands[i].items,
					 q->commands[i].nitems);
		}
	if (!rc && !fields && q->stats == INSIGHTS_NO_INDEX) {
		rc = add_column(p, SYM_TIMESTAMP);
		if (!rc)
			rc = add_column(p, SYM_MESSAGE);
	}
	return rc;
}

/* The first command from i on that is not display, or ncommands. */
static size_t next_acting(const struct insights_query *q, size_t i)
{
	while (i < q->ncommands && q->commands[i].kind == CMD_DISPLAY)
		i++;
	return i;
}

static int plan_rows(struct parser *p)
{
	struct insights_query *q = p->q;
	size_t i, j;

	q->kept = calloc(q->nsymbols, sizeof(*q->kept));
	if (!q->kept)
		return parser_nomem(p);
	for (i = q->nstream; i < q->ncommands; i++) {
		const struct command *c = &q->commands[i];

		if (c->kind == CMD_STATS)
			continue;
		for (j = 0; j < c->nitems; j++) {
			q->kept[c->items[j].symbol] = true;
			mark_node(c->items[j].expr, q->kept);
		}
		mark_node(c->filter, q->kept);
		mark_node(c->parse.source, q->kept);
	}
	for (i = 0; i < q->ncolumns; i++)
		q->kept[q->columns[i]] = true;

	q->keep = KEEP_ALL;
	q->keep_rows = INSIGHTS_LIMIT_MAX;
	i = next_acting(q, q->nstream);
	if (i == q->ncommands || q->commands[i].kind == CMD_LIMIT) {
		q->keep = KEEP_NEWEST;
	} else if (q->commands[i].kind == CMD_SORT) {
		j = next_acting(q, i + 1);
		if (j == q->ncommands || q->commands[j].kind == CMD_LIMIT) {
			q->keep = KEEP_TOP;
			i = j;
		}
	}
	if (q->keep != KEEP_ALL && i < q->ncommands)
		q->keep_rows = q->commands[i].limit;
	return 0;
}

static int parse_query(struct parser *p)
{
	static const char *const BUILTINS[SYM_BUILTINS] = {
		"@timestamp", "@message", "@logStream", "@log",
		"@ingestionTime"};
	size_t i, symbol;
	int rc = 0;

	for (i = 0; !rc && i < SYM_BUILTINS; i++)
		rc = parser_intern(p, BUILTINS[i], strlen(BUILTINS[i]),
				   &symbol);
	if (!rc)
		rc = parser_advance(p);
	while (!rc && p->tok.kind != TOK_END) {
		if (parser_at_word(p, "SOURCE") && p->q->ncommands == 0)
			rc = parse_source(p);
		else
			rc = parse_command(p);
		if (rc || p->tok.kind == TOK_END)
			break;
		rc = parser_expect(p, TOK_PIPE, "'|' or the end");
		if (!rc && p->tok.kind == TOK_END)
			rc = parser_unexpected(p, "a command after '|'");
	}
	if (!rc)
		rc = plan_stream(p);
	if (!rc)
		rc = plan_columns(p);
	if (!rc)
		rc = plan_rows(p);
	return rc;
}

int insights_parse(const char *text, size_t len, struct insights_query **out,
		   struct err *err)
{
	struct parser p = {.err = err};
	int rc;

	p.q = calloc(1, sizeof(*p.q));
	if (p.q)
		p.q->text = malloc(len + 1);
	if (!p.q || !p.q->text) {
		insights_query_free(p.q);
		err_set(err, "out of memory parsing the query");
		return -ENOMEM;
	}
	memcpy(p.q->text, text, len);
	p.q->text[len] = '\0';
	p.lx.s = p.q->text;
	p.lx.len = len;
	p.lx.err = err;
	rc = parse_query(&p);
	insights_token_release(&p.tok);
	if (rc) {
		insights_query_free(p.q);
		return rc;
	}
	*out = p.q;
	return 0;
}
