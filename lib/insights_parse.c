/*
 * insights_parse: a Logs Insights query's text into struct
 * insights_query — commands, expressions as trees, field names as
 * symbols (indexes into q->symbols, the builtins first), and what a run
 * needs decided once: which commands run on each event, the columns,
 * which fields rows keep, and how many rows a run must hold.
 *
 * Expressions, loosest first: or, and, not, a comparison (= != < <= > >=,
 * like, not like, =~, in, not in; one per level), + -, * / %, unary -,
 * then values: numbers, 'strings', /regexes/ (after like and =~),
 * durations (5m), fields and function calls.
 */
#include "lib/insights_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct function FUNCTIONS[] = {
	{"strlen", FN_STRLEN, 1, 1, false},
	{"tolower", FN_TOLOWER, 1, 1, false},
	{"toupper", FN_TOUPPER, 1, 1, false},
	{"concat", FN_CONCAT, 1, 64, false},
	{"substr", FN_SUBSTR, 2, 3, false},
	{"replace", FN_REPLACE, 3, 3, false},
	{"strcontains", FN_STRCONTAINS, 2, 2, false},
	{"trim", FN_TRIM, 1, 1, false},
	{"ltrim", FN_LTRIM, 1, 1, false},
	{"rtrim", FN_RTRIM, 1, 1, false},
	{"abs", FN_ABS, 1, 1, false},
	{"ceil", FN_CEIL, 1, 1, false},
	{"floor", FN_FLOOR, 1, 1, false},
	{"sqrt", FN_SQRT, 1, 1, false},
	{"log", FN_LOG, 1, 1, false},
	{"pow", FN_POW, 2, 2, false},
	{"greatest", FN_GREATEST, 1, 64, false},
	{"least", FN_LEAST, 1, 64, false},
	{"ispresent", FN_ISPRESENT, 1, 1, false},
	{"isempty", FN_ISEMPTY, 1, 1, false},
	{"isblank", FN_ISBLANK, 1, 1, false},
	{"coalesce", FN_COALESCE, 1, 64, false},
	{"datefloor", FN_DATEFLOOR, 2, 2, false},
	{"dateceil", FN_DATECEIL, 2, 2, false},
	{"bin", FN_BIN, 1, 1, false},
	{"frommillis", FN_FROMMILLIS, 1, 1, false},
	{"tomillis", FN_TOMILLIS, 1, 1, false},
	{"count", FN_COUNT, 0, 1, true},
	{"count_distinct", FN_COUNT_DISTINCT, 1, 1, true},
	{"sum", FN_SUM, 1, 1, true},
	{"avg", FN_AVG, 1, 1, true},
	{"min", FN_MIN, 1, 1, true},
	{"max", FN_MAX, 1, 1, true},
	{"pct", FN_PCT, 2, 2, true},
	{"percentile", FN_PCT, 2, 2, true},
	{"earliest", FN_EARLIEST, 1, 1, true},
	{"latest", FN_LATEST, 1, 1, true},
	{"stddev", FN_STDDEV, 1, 1, true},
};

const struct function *insights_function(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(FUNCTIONS) / sizeof(FUNCTIONS[0]); i++)
		if (strlen(FUNCTIONS[i].name) == len &&
		    strncasecmp(FUNCTIONS[i].name, name, len) == 0)
			return &FUNCTIONS[i];
	return NULL;
}

/* ---- the parser's small steps ---- */

int parser_nomem(struct parser *p)
{
	err_set(p->err, "out of memory parsing the query");
	return -ENOMEM;
}

static int fail(struct parser *p, size_t at, const char *what)
{
	return insights_fail(p->lx.s, at, p->err, "%s", what);
}

int parser_advance(struct parser *p)
{
	p->prev_end = p->tok.end;
	return insights_lex_next(&p->lx, &p->tok);
}

/* Whether the current token is the bare word w (case not minded). */
bool parser_at_word(const struct parser *p, const char *w)
{
	return p->tok.kind == TOK_NAME && !p->tok.quoted &&
	       strlen(w) == p->tok.len &&
	       strncasecmp(w, p->tok.text, p->tok.len) == 0;
}

/* The words that cannot name a field unquoted. */
static bool at_keyword(const struct parser *p)
{
	static const char *const WORDS[] = {"and", "or", "not", "like", "in",
					    "as",  "by", "asc", "desc"};
	size_t i;

	for (i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (parser_at_word(p, WORDS[i]))
			return true;
	return false;
}

/* Refuse the current token: "expected <what>, found '<token>'". */
int parser_unexpected(struct parser *p, const char *what)
{
	if (p->tok.kind == TOK_END)
		return insights_fail(p->lx.s, p->tok.pos, p->err,
				     "expected %s, found the end", what);
	return insights_fail(
		p->lx.s, p->tok.pos, p->err, "expected %s, found '%.*s'", what,
		(int)(p->tok.end - p->tok.pos > 32 ? 32
						   : p->tok.end - p->tok.pos),
		p->lx.s + p->tok.pos);
}

int parser_expect(struct parser *p, enum token_kind kind, const char *what)
{
	if (p->tok.kind != kind)
		return parser_unexpected(p, what);
	return parser_advance(p);
}

/* The symbol of field name[0..len), added when new. */
int parser_intern(struct parser *p, const char *name, size_t len,
		  size_t *symbol)
{
	struct insights_query *q = p->q;
	size_t i;

	for (i = 0; i < q->nsymbols; i++)
		if (strlen(q->symbols[i]) == len &&
		    memcmp(q->symbols[i], name, len) == 0) {
			*symbol = i;
			return 0;
		}
	if (q->nsymbols == q->symbols_cap) {
		size_t cap = q->symbols_cap ? q->symbols_cap * 2 : 16;
		char **grown = realloc(q->symbols, cap * sizeof(*grown));

		if (!grown)
			return parser_nomem(p);
		q->symbols = grown;
		q->symbols_cap = cap;
	}
	q->symbols[q->nsymbols] = strndup(name, len);
	if (!q->symbols[q->nsymbols])
		return parser_nomem(p);
	*symbol = q->nsymbols++;
	return 0;
}

/* Append one zeroed element of size to *array (count *n). */
void *parser_append(struct parser *p, void *array_ptr, size_t *n, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, (*n + 1) * size);

	if (!grown) {
		parser_nomem(p);
		return NULL;
	}
	*array = grown;
	memset(grown + *n * size, 0, size);
	return grown + (*n)++ * size;
}

/* ---- expressions ---- */

void insights_node_free(struct node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		insights_node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	if (n->has_regex)
		regfree(&n->regex);
	free(n);
}

static struct node *node_new(struct parser *p, enum node_kind kind, size_t pos)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n) {
		parser_nomem(p);
		return NULL;
	}
	n->kind = kind;
	n->pos = pos;
	return n;
}

/* Add kid to n; on failure kid is freed. */
static int add_kid(struct parser *p, struct node *n, struct node *kid)
{
	struct node **slot =
		parser_append(p, &n->kids, &n->nkids, sizeof(*slot));

	if (!slot) {
		insights_node_free(kid);
		return -ENOMEM;
	}
	*slot = kid;
	return 0;
}

/* A node of kind with kids a and b (both freed on failure). */
static struct node *node_pair(struct parser *p, enum node_kind kind, size_t pos,
			      struct node *a, struct node *b)
{
	struct node *n = node_new(p, kind, pos);

	if (!n || add_kid(p, n, a)) {
		insights_node_free(n);
		insights_node_free(a);
		insights_node_free(b);
		return NULL;
	}
	if (add_kid(p, n, b)) {
		insights_node_free(n);
		return NULL;
	}
	return n;
}

/* A regex at the current TOK_SLASH into *out (capture off). */
static int parse_regex(struct parser *p, struct node **out)
{
	struct err why = {""};
	struct node *n;
	size_t pos = p->tok.pos;
	int rc;

	rc = insights_lex_regex(&p->lx, &p->tok);
	if (rc)
		return rc;
	n = node_new(p, NODE_REGEX, pos);
	if (!n)
		return -ENOMEM;
	rc = insights_regex_compile(p->tok.text, p->tok.len, false, &n->regex,
				    NULL, NULL, &why);
	if (rc) {
		free(n);
		return rc == -ENOMEM ? parser_nomem(p) : fail(p, pos, why.msg);
	}
	n->has_regex = true;
	*out = n;
	return parser_advance(p);
}

/* What like or =~ compares with: a regex, or a string (a substring for
 * like, a regex for =~). */
static int parse_match_target(struct parser *p, bool regex_only,
			      struct node **out)
{
	struct err why = {""};
	struct node *n;
	int rc;

	if (p->tok.kind == TOK_SLASH)
		return parse_regex(p, out);
	if (p->tok.kind != TOK_STRING)
		return parser_unexpected(p, "a \"string\" or a /regex/");
	n = node_new(p, regex_only ? NODE_REGEX : NODE_STRING, p->tok.pos);
	if (!n)
		return -ENOMEM;
	if (regex_only) {
		rc = insights_regex_compile(p->tok.text, p->tok.len, false,
					    &n->regex, NULL, NULL, &why);
		if (rc) {
			free(n);
			return rc == -ENOMEM ? parser_nomem(p)
					     : fail(p, p->tok.pos, why.msg);
		}
		n->has_regex = true;
	} else {
		n->text = p->tok.owned;
		n->len = p->tok.len;
		p->tok.owned = NULL;
	}
	*out = n;
	return parser_advance(p);
}

/* Check a call's arguments: counts, durations, percentiles. */
static int check_call(struct parser *p, const struct function *fn,
		      struct node *n, size_t pos)
{
	char why[128];

	if (n->nkids < fn->min_args || n->nkids > fn->max_args) {
		if (fn->min_args == fn->max_args)
			snprintf(why, sizeof(why), "%s() takes %u argument%s",
				 fn->name, fn->min_args,
				 fn->min_args == 1 ? "" : "s");
		else
			snprintf(why, sizeof(why),
				 "%s() takes %u to %u arguments", fn->name,
				 fn->min_args, fn->max_args);
		return fail(p, pos, why);
	}
	if (fn->id == FN_BIN && n->kids[0]->kind != NODE_DURATION)
		return fail(p, n->kids[0]->pos,
			    "bin() takes a period such as 5m");
	if ((fn->id == FN_DATEFLOOR || fn->id == FN_DATECEIL) &&
	    n->kids[1]->kind != NODE_DURATION)
		return fail(p, n->kids[1]->pos,
			    "the second argument is a period such as 1h");
	if (fn->id == FN_PCT &&
	    (n->kids[1]->kind != NODE_NUMBER || n->kids[1]->number < 0 ||
	     n->kids[1]->number > 100))
		return fail(p, n->kids[1]->pos,
			    "the percentile is a number from 0 to 100");
	return 0;
}

/* A stats function's call n made into NODE_AGGREGATE of p->stats. */
static int make_aggregate(struct parser *p, const struct function *fn,
			  struct node *n)
{
	struct command *c = p->stats;
	struct aggregate *a;

	a = parser_append(p, &c->aggregates, &c->naggregates, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fn = fn->id;
	if (n->nkids > 0) {
		a->arg = n->kids[0];
		n->kids[0] = NULL;
	}
	if (fn->id == FN_PCT)
		a->percentile = n->kids[1]->number;
	n->kind = NODE_AGGREGATE;
	n->aggregate = c->naggregates - 1;
	return 0;
}

/* fn( args ) with the name taken, at the '('. */
static int parse_call(struct parser *p, const struct function *fn, size_t pos,
		      struct node **out)
{
	bool was_in_aggregate = p->in_aggregate;
	struct node *n, *arg;
	int rc;

	if (fn->aggregate && !p->stats)
		return insights_fail(p->lx.s, pos, p->err,
				     "%s() is a stats function", fn->name);
	if (fn->aggregate && p->in_aggregate)
		return fail(p, pos, "stats functions do not nest");
	if (p->depth + 1 > INSIGHTS_NESTING_MAX)
		return fail(p, pos, "too deeply nested");
	n = node_new(p, NODE_CALL, pos);
	if (!n)
		return -ENOMEM;
	p->depth++;
	n->fn = fn;
	p->in_aggregate = fn->aggregate || was_in_aggregate;
	rc = parser_advance(p); /* ( */
	if (!rc && fn->id == FN_COUNT && p->tok.kind == TOK_STAR) {
		rc = parser_advance(p);
	} else if (!rc && p->tok.kind != TOK_RPAREN) {
		for (;;) {
			rc = insights_parse_expr(p, &arg);
			if (!rc)
				rc = add_kid(p, n, arg);
			if (rc || p->tok.kind != TOK_COMMA)
				break;
			rc = parser_advance(p);
			if (rc)
				break;
		}
	}
	p->in_aggregate = was_in_aggregate;
	p->depth--;
	if (!rc)
		rc = parser_expect(p, TOK_RPAREN, "')' or ','");
	if (!rc)
		rc = check_call(p, fn, n, pos);
	if (!rc && fn->aggregate)
		rc = make_aggregate(p, fn, n);
	if (rc) {
		insights_node_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

/* A field or a call at the current name. */
static int parse_name(struct parser *p, struct node **out)
{
	size_t pos = p->tok.pos;
	const char *name = p->tok.text;
	size_t len = p->tok.len;
	bool quoted = p->tok.quoted;
	const struct function *fn;
	struct node *n;
	int rc;

	if (at_keyword(p))
		return parser_unexpected(p, "a value");
	rc = parser_advance(p);
	if (rc)
		return rc;
	if (!quoted && p->tok.kind == TOK_LPAREN) {
		fn = insights_function(name, len);
		if (!fn)
			return insights_fail(p->lx.s, pos, p->err,
					     "unknown function %.*s", (int)len,
					     name);
		return parse_call(p, fn, pos, out);
	}
	if (p->stats && !p->in_aggregate)
		return insights_fail(p->lx.s, pos, p->err,
				     "%.*s: a field in stats goes inside a "
				     "function such as count()",
				     (int)len, name);
	n = node_new(p, NODE_FIELD, pos);
	if (!n)
		return -ENOMEM;
	rc = parser_intern(p, name, len, &n->symbol);
	if (rc) {
		free(n);
		return rc;
	}
	*out = n;
	return 0;
}

static int parse_primary(struct parser *p, struct node **out)
{
	struct node *n;
	int rc;

	/* Expressions are evaluated and freed recursively: a query of
	 * bounded size keeps their depth bounded. */
	if (++p->operands > INSIGHTS_OPERANDS_MAX)
		return insights_fail(p->lx.s, p->tok.pos, p->err,
				     "more than %d values in one query",
				     INSIGHTS_OPERANDS_MAX);
	switch (p->tok.kind) {
	case TOK_NUMBER:
	case TOK_DURATION:
	case TOK_STRING:
		n = node_new(p,
			     p->tok.kind == TOK_NUMBER	   ? NODE_NUMBER
			     : p->tok.kind == TOK_DURATION ? NODE_DURATION
							   : NODE_STRING,
			     p->tok.pos);
		if (!n)
			return -ENOMEM;
		n->number = p->tok.number;
		n->duration = p->tok.duration;
		if (p->tok.kind == TOK_STRING) {
			n->text = p->tok.owned;
			n->len = p->tok.len;
			p->tok.owned = NULL;
		}
		*out = n;
		return parser_advance(p);
	case TOK_NAME:
		return parse_name(p, out);
	case TOK_LPAREN:
		if (++p->depth > INSIGHTS_NESTING_MAX)
			return fail(p, p->tok.pos, "too deeply nested");
		rc = parser_advance(p);
		if (!rc)
			rc = insights_parse_expr(p, out);
		if (!rc) {
			rc = parser_expect(p, TOK_RPAREN, "')'");
			if (rc) {
				insights_node_free(*out);
				*out = NULL;
			}
		}
		p->depth--;
		return rc;
	default:
		return parser_unexpected(p, "a value");
	}
}

static int parse_unary(struct parser *p, struct node **out)
{
	struct node *n, *kid;
	size_t pos = p->tok.pos;
	int rc;

	if (p->tok.kind != TOK_MINUS)
		return parse_primary(p, out);
	if (++p->depth > INSIGHTS_NESTING_MAX)
		return fail(p, pos, "too deeply nested");
	rc = parser_advance(p);
	if (!rc)
		rc = parse_unary(p, &kid);
	p->depth--;
	if (rc)
		return rc;
	if (kid->kind == NODE_NUMBER) {
		kid->number = -kid->number;
		kid->pos = pos;
		*out = kid;
		return 0;
	}
	n = node_new(p, NODE_NEGATE, pos);
	if (!n) {
		insights_node_free(kid);
		return -ENOMEM;
	}
	if (add_kid(p, n, kid)) {
		insights_node_free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

/* Left-associative binary levels: * / % over unary, + - over those. */
static int parse_binary(struct parser *p, bool additive, struct node **out)
{
	struct node *left = NULL, *right;
	int rc;

	rc = additive ? parse_binary(p, false, &left) : parse_unary(p, &left);
	while (!rc) {
		enum token_kind op = p->tok.kind;
		size_t pos = p->tok.pos;

		if (additive ? (op != TOK_PLUS && op != TOK_MINUS)
			     : (op != TOK_STAR && op != TOK_SLASH &&
				op != TOK_PERCENT))
			break;
		rc = parser_advance(p);
		if (!rc)
			rc = additive ? parse_binary(p, false, &right)
				      : parse_unary(p, &right);
		if (rc)
			break;
		left = node_pair(p, NODE_ARITH, pos, left, right);
		if (!left)
			return -ENOMEM;
		left->op = op;
	}
	if (rc) {
		insights_node_free(left);
		return rc;
	}
	*out = left;
	return 0;
}

/* in [ a, b, ... ] after the left operand, into n's kids. */
static int parse_in_list(struct parser *p, struct node *n)
{
	struct node *item;
	int rc = parser_expect(p, TOK_LBRACKET, "'['");

	while (!rc && p->tok.kind != TOK_RBRACKET) {
		rc = parse_binary(p, true, &item);
		if (!rc)
			rc = add_kid(p, n, item);
		if (!rc && p->tok.kind != TOK_RBRACKET)
			rc = parser_expect(p, TOK_COMMA, "',' or ']'");
	}
	return rc ? rc : parser_advance(p);
}

static int parse_comparison(struct parser *p, struct node **out)
{
	struct node *left, *right = NULL, *n;
	enum token_kind op;
	bool negated = false, like, in;
	size_t pos;
	int rc;

	rc = parse_binary(p, true, &left);
	if (rc)
		return rc;
	op = p->tok.kind;
	pos = p->tok.pos;
	if (parser_at_word(p, "not")) {
		negated = true;
		rc = parser_advance(p);
		if (!rc && !parser_at_word(p, "like") &&
		    !parser_at_word(p, "in"))
			rc = parser_unexpected(p, "like or in after not");
	}
	like = !rc && parser_at_word(p, "like");
	in = !rc && parser_at_word(p, "in");
	if (!rc && (like || in || (op >= TOK_EQ && op <= TOK_MATCH)))
		rc = parser_advance(p);
	else if (!rc) {
		*out = left;
		return 0;
	}
	if (rc) {
		insights_node_free(left);
		return rc;
	}
	if (in) {
		n = node_new(p, NODE_IN, pos);
		if (!n) {
			insights_node_free(left);
			return -ENOMEM;
		}
		if (add_kid(p, n, left)) {
			insights_node_free(n);
			return -ENOMEM;
		}
		n->negated = negated;
		rc = parse_in_list(p, n);
		if (rc) {
			insights_node_free(n);
			return rc;
		}
		*out = n;
		return 0;
	}
	if (like || op == TOK_MATCH)
		rc = parse_match_target(p, op == TOK_MATCH, &right);
	else
		rc = parse_binary(p, true, &right);
	if (rc) {
		insights_node_free(left);
		return rc;
	}
	n = node_pair(p, like || op == TOK_MATCH ? NODE_MATCH : NODE_COMPARE,
		      pos, left, right);
	if (!n)
		return -ENOMEM;
	n->op = op;
	n->negated = negated;
	*out = n;
	return 0;
}

static int parse_not(struct parser *p, struct node **out)
{
	struct node *n, *kid;
	size_t pos = p->tok.pos;
	int rc;

	if (!parser_at_word(p, "not"))
		return parse_comparison(p, out);
	if (++p->depth > INSIGHTS_NESTING_MAX)
		return fail(p, pos, "too deeply nested");
	rc = parser_advance(p);
	if (!rc)
		rc = parse_not(p, &kid);
	p->depth--;
	if (rc)
		return rc;
	n = node_new(p, NODE_NOT, pos);
	if (!n) {
		insights_node_free(kid);
		return -ENOMEM;
	}
	if (add_kid(p, n, kid)) {
		insights_node_free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

/* and binds tighter than or. */
static int parse_logic(struct parser *p, bool is_or, struct node **out)
{
	struct node *left = NULL, *right;
	int rc;

	rc = is_or ? parse_logic(p, false, &left) : parse_not(p, &left);
	while (!rc && parser_at_word(p, is_or ? "or" : "and")) {
		size_t pos = p->tok.pos;

		rc = parser_advance(p);
		if (!rc)
			rc = is_or ? parse_logic(p, false, &right)
				   : parse_not(p, &right);
		if (rc)
			break;
		left = node_pair(p, is_or ? NODE_OR : NODE_AND, pos, left,
				 right);
		if (!left)
			return -ENOMEM;
	}
	if (rc) {
		insights_node_free(left);
		return rc;
	}
	*out = left;
	return 0;
}

int insights_parse_expr(struct parser *p, struct node **out)
{
	return parse_logic(p, true, out);
}
