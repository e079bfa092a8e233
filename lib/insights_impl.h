/*
 * insights_impl: what the parts of the Logs Insights module share — the
 * parsed query's representation, values, the record an expression reads,
 * and the functions one part calls in another. Only lib/insights*.c
 * include it; callers use lib/insights.h.
 *
 * The parts: insights_lex.c (tokens, positions in messages, /regex/
 * translated for regcomp), insights_parse.c (expressions into trees),
 * insights_query.c (commands into struct insights_query and what is
 * decided once), insights_value.c (values, fields, JSON discovery,
 * time bins), insights_eval.c (expressions, functions, parse's
 * extraction),
 * insights_stats.c (groups and their accumulators), insights_run.c
 * (feeding events, the rows kept, sort, limit, dedup, the result) and
 * insights_result.c (the text and JSON renderings).
 */
#ifndef MONFS_INSIGHTS_IMPL_H
#define MONFS_INSIGHTS_IMPL_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/insights.h"

#define INSIGHTS_NESTING_MAX 64	   /* parentheses and calls inside each other */
#define INSIGHTS_OPERANDS_MAX 4096 /* values in one query: bounds its trees */
#define INSIGHTS_TIME_TEXT_MAX 32  /* "2026-12-06 10:00:00.000" and its NUL */
#define INSIGHTS_NO_INDEX SIZE_MAX

/* The fields every event has: their symbols are these, in this order. */
enum builtin_symbol {
	SYM_TIMESTAMP,
	SYM_MESSAGE,
	SYM_LOG_STREAM,
	SYM_LOG,
	SYM_INGESTION_TIME,
	SYM_BUILTINS,
};

/* ---- tokens (insights_lex.c) ---- */

enum token_kind {
	TOK_END,
	TOK_NAME, /* a word, an @field, a `quoted name` */
	TOK_NUMBER,
	TOK_DURATION, /* 5m: a number with a unit attached */
	TOK_STRING,
	TOK_REGEX, /* /body/, lexed only where an operand may start */
	TOK_PIPE,
	TOK_COMMA,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_EQ,
	TOK_NE,
	TOK_LT,
	TOK_LE,
	TOK_GT,
	TOK_GE,
	TOK_MATCH, /* =~ */
	TOK_PLUS,
	TOK_MINUS,
	TOK_STAR,
	TOK_SLASH,
	TOK_PERCENT,
};

enum time_unit {
	UNIT_MS,
	UNIT_SECOND,
	UNIT_MINUTE,
	UNIT_HOUR,
	UNIT_DAY,
	UNIT_WEEK,
	UNIT_MONTH,
	UNIT_QUARTER,
	UNIT_YEAR,
};

struct duration {
	int64_t count; /* > 0 */
	enum time_unit unit;
};

struct token {
	enum token_kind kind;
	size_t pos;	  /* byte offset of its first byte in the query */
	size_t end;	  /* past its last byte */
	const char *text; /* NAME: the name; STRING: decoded; REGEX: body */
	size_t len;
	bool quoted;   /* NAME written in backquotes: never a keyword */
	char *owned;   /* STRING: text's allocation, NULL once taken */
	double number; /* NUMBER */
	struct duration duration; /* DURATION */
};

struct lexer {
	const char *s;
	size_t len;
	size_t pos;
	struct err *err;
};

/*
 * The token at lx->pos into *tok (what tok owned freed first), lx->pos
 * past it; blanks and `# comments` skipped. 0, -EINVAL with err, -ENOMEM.
 */
int insights_lex_next(struct lexer *lx, struct token *tok);

/* Read the token at tok->pos again as a /regex/ (tok a TOK_SLASH). */
int insights_lex_regex(struct lexer *lx, struct token *tok);

/* Free what tok owns. */
void insights_token_release(struct token *tok);

/*
 * Refuse the query: "position N: <reason>" in err, N the 1-based
 * character (UTF-8 sequences count one) at byte at of s. -EINVAL.
 */
int insights_fail(const char *s, size_t at, struct err *err, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/*
 * Compile a /regex/ body raw[0..len) for regcomp (see insights.h for what
 * is translated) behind the pattern module's guard. capture: keep
 * subexpressions, and set *names to an array of *ngroups + 1 entries,
 * names[i] the name of group i or NULL (names[0] is NULL); free it with
 * insights_group_names_free. 0; -EINVAL with the reason in why (no
 * position); -ENOMEM.
 */
int insights_regex_compile(const char *raw, size_t len, bool capture,
			   regex_t *re, char ***names, size_t *ngroups,
			   struct err *why);

void insights_group_names_free(char **names, size_t ngroups);

/* ---- the parsed query (insights_parse.c) ---- */

enum function_id {
	FN_STRLEN,
	FN_TOLOWER,
	FN_TOUPPER,
	FN_CONCAT,
	FN_SUBSTR,
	FN_REPLACE,
	FN_STRCONTAINS,
	FN_TRIM,
	FN_LTRIM,
	FN_RTRIM,
	FN_ABS,
	FN_CEIL,
	FN_FLOOR,
	FN_SQRT,
	FN_LOG,
	FN_POW,
	FN_GREATEST,
	FN_LEAST,
	FN_ISPRESENT,
	FN_ISEMPTY,
	FN_ISBLANK,
	FN_COALESCE,
	FN_DATEFLOOR,
	FN_DATECEIL,
	FN_BIN,
	FN_FROMMILLIS,
	FN_TOMILLIS,
	/* aggregates: stats only */
	FN_COUNT,
	FN_COUNT_DISTINCT,
	FN_SUM,
	FN_AVG,
	FN_MIN,
	FN_MAX,
	FN_PCT,
	FN_EARLIEST,
	FN_LATEST,
	FN_STDDEV,
};

struct function {
	const char *name;
	enum function_id id;
	unsigned min_args;
	unsigned max_args;
	bool aggregate;
};

enum node_kind {
	NODE_NUMBER,
	NODE_STRING,
	NODE_DURATION,
	NODE_REGEX,
	NODE_FIELD,
	NODE_NEGATE,
	NODE_NOT,
	NODE_AND,
	NODE_OR,
	NODE_COMPARE, /* op: TOK_EQ .. TOK_GE */
	NODE_ARITH,   /* op: TOK_PLUS .. TOK_PERCENT */
	NODE_MATCH,   /* kids[0] like|=~ kids[1] (a string or a regex) */
	NODE_IN,      /* kids[0] in [kids[1..]] */
	NODE_CALL,
	NODE_AGGREGATE, /* a stats function: its result, by index */
};

struct node {
	enum node_kind kind;
	size_t pos;		   /* byte offset, for messages */
	enum token_kind op;	   /* COMPARE, ARITH */
	bool negated;		   /* MATCH, IN: not like, not in */
	double number;		   /* NUMBER */
	char *text;		   /* STRING: owned bytes, NUL-ended */
	size_t len;		   /* of text */
	struct duration duration;  /* DURATION */
	regex_t regex;		   /* REGEX */
	bool has_regex;		   /* regex must be regfree'd */
	size_t symbol;		   /* FIELD */
	const struct function *fn; /* CALL, AGGREGATE */
	size_t aggregate;	   /* AGGREGATE: index in its stats command */
	struct node **kids;
	size_t nkids;
};

enum command_kind {
	CMD_FIELDS,
	CMD_FILTER,
	CMD_PARSE,
	CMD_STATS,
	CMD_SORT,
	CMD_LIMIT,
	CMD_DISPLAY,
	CMD_DEDUP,
};

/* An expression and the field it makes (fields, stats, by), or a field
 * (display, dedup, sort with its direction). */
struct item {
	struct node *expr; /* NULL: the field symbol, as it is */
	size_t symbol;
	bool descending; /* sort */
};

/* One stats function call, computed per group. */
struct aggregate {
	enum function_id fn;
	struct node *arg;  /* NULL: count(*) */
	double percentile; /* pct */
};

struct parse_spec {
	struct node *source; /* the text parsed, often @message */
	bool is_regex;
	regex_t regex;
	size_t *group_symbols; /* regex: [1..ngroups], NO_INDEX unnamed */
	size_t ngroups;
	char **literals; /* glob: the nstars + 1 runs around the '*'s */
	size_t *literal_lens;
	size_t *star_symbols; /* glob: the field each '*' fills */
	size_t nstars;
};

struct command {
	enum command_kind kind;
	size_t pos;
	struct item *items; /* fields, display, dedup, sort, stats' outputs */
	size_t nitems;
	struct item *by; /* stats */
	size_t nby;
	struct aggregate *aggregates; /* stats */
	size_t naggregates;
	size_t bin_key;	     /* stats: index in by of a bin(), or NO_INDEX */
	struct node *filter; /* filter */
	struct parse_spec parse;
	size_t limit; /* limit */
};

/* What a run keeps of the rows it has seen, without stats. */
enum keep_mode {
	KEEP_NEWEST, /* the newest keep_rows rows (a ring) */
	KEEP_TOP,    /* the first keep_rows of the sort that follows */
	KEEP_ALL,
};

struct insights_query {
	char *text;	/* the query, NUL-ended */
	char **symbols; /* field names; the builtins first */
	size_t nsymbols;
	size_t symbols_cap;
	char **sources;
	size_t nsources;
	struct command *commands;
	size_t ncommands;
	size_t nstream;	 /* commands[0..nstream) run on each event */
	size_t stats;	 /* the stats command's index, or NO_INDEX */
	size_t *columns; /* symbols, in order */
	size_t ncolumns;
	bool *kept; /* per symbol: rows keep its value past the stream */
	enum keep_mode keep;
	size_t keep_rows;
};

/* The function called name[0..len) (case not minded), or NULL. */
const struct function *insights_function(const char *name, size_t len);

/* ---- the parser (insights_parse.c: expressions; insights_query.c:
 * commands and the query) ---- */

struct parser {
	struct lexer lx;
	struct token tok; /* the current token */
	size_t prev_end;  /* past the last token taken */
	struct insights_query *q;
	struct err *err;
	int depth;	       /* parentheses, calls, unary operators open */
	size_t operands;       /* values read so far: bounds the trees' size */
	struct command *stats; /* while a stats command's items are read */
	bool in_aggregate;     /* inside a stats function's arguments */
};

/* "out of memory parsing the query" in p->err; -ENOMEM. */
int parser_nomem(struct parser *p);

/* Take the current token, lex the next. 0, -EINVAL, -ENOMEM. */
int parser_advance(struct parser *p);

/* Whether the current token is the bare word w (case not minded). */
bool parser_at_word(const struct parser *p, const char *w);

/* Refuse the current token: "expected <what>, found ...". -EINVAL. */
int parser_unexpected(struct parser *p, const char *what);

/* Take a token of kind, or refuse as parser_unexpected. */
int parser_expect(struct parser *p, enum token_kind kind, const char *what);

/* The symbol of the field name[0..len), added when new. 0 or -ENOMEM. */
int parser_intern(struct parser *p, const char *name, size_t len,
		  size_t *symbol);

/* Grow *array_ptr (of *n elements of size) by a zeroed one: it, or NULL
 * (ENOMEM said in p->err). */
void *parser_append(struct parser *p, void *array_ptr, size_t *n, size_t size);

/* An expression at the current token into *out. 0, -EINVAL, -ENOMEM. */
int insights_parse_expr(struct parser *p, struct node **out);

/* Free n and its kids (NULL is fine). */
void insights_node_free(struct node *n);

/* ---- values and records (insights_value.c) ---- */

enum ival_kind {
	IVAL_UNSET, /* a record's field not looked up yet */
	IVAL_NULL,
	IVAL_NUMBER,
	IVAL_STRING,
	IVAL_TIME, /* ms since the epoch, shown as Insights shows times */
};

struct ival {
	enum ival_kind kind;
	bool owned; /* str is malloc'd, NUL-ended, this value's own */
	double number;
	int64_t ms;
	const char *str;
	size_t len;
};

/*
 * The fields of one event (ev set) or of one kept row (ev NULL): what
 * commands set, and the event's fields looked up as asked.
 */
struct record {
	const struct insights_query *q;
	const struct insights_event *ev;
	struct ival *values; /* q->nsymbols */
	json_t *json;	     /* the message as a JSON object, once read */
	bool json_read;
	const struct ival *aggregates; /* stats results, while rows are made */
};

/* Free what v owns and make it null. */
void ival_release(struct ival *v);

/* *dst: an owned copy of src (UNSET copied as NULL). 0 or -ENOMEM. */
int ival_copy(struct ival *dst, const struct ival *src);

/* Make v own its bytes (a borrowed string copied). 0 or -ENOMEM. */
int ival_own(struct ival *v);

/* Whether v reads as a number (a number, a time, a text that is one). */
bool ival_number(const struct ival *v, double *out);

/*
 * v as text: its bytes in *s, *len (a number or a time written into
 * buf). False for null.
 */
bool ival_text(const struct ival *v, char buf[INSIGHTS_TIME_TEXT_MAX],
	       const char **s, size_t *len);

/* v as a result cell: malloc'd in *out, NULL for null. 0 or -ENOMEM. */
int ival_render(const struct ival *v, char **out);

/* Insights' sort order of two values (neither null): <0, 0, >0. */
int ival_order(const struct ival *a, const struct ival *b);

/* Whether a and b are equal (=): as numbers when both read as numbers,
 * else as text; null equals nothing. */
bool ival_equal(const struct ival *a, const struct ival *b);

/* a against b (< <= > >=): as numbers when both are, else their bytes;
 * 0 when either is null. */
int ival_compare(const struct ival *a, const struct ival *b);

/* Start r for q with every field unset. 0 or -ENOMEM. */
int record_init(struct record *r, const struct insights_query *q);

/* Forget the event's fields (before the next one). */
void record_clear(struct record *r);

void record_release(struct record *r);

/* The value of field symbol, borrowed from r. 0 or -ENOMEM. */
int record_get(struct record *r, size_t symbol, struct ival *out);

/* Set field symbol to v, taken over (copied when borrowed). 0, -ENOMEM. */
int record_set(struct record *r, size_t symbol, struct ival *v);

/* Whether v counts as true for filter. */
bool ival_truthy(const struct ival *v);

/* ms floored to the start of its bin of d (UTC calendar for mo, q, y). */
int64_t insights_bin_floor(int64_t ms, struct duration d);

/* The start of the bin of d after the one starting at start. */
int64_t insights_bin_next(int64_t start, struct duration d);

/* ---- expressions (insights_eval.c) ---- */

/* The value of n over r into *out (release it after). 0 or -ENOMEM. */
int insights_eval(struct record *r, const struct node *n, struct ival *out);

/* Run a parse command on r: its fields set, null when it does not
 * match. 0 or -ENOMEM. */
int insights_apply_parse(struct record *r, const struct parse_spec *p);

/* ---- stats (insights_stats.c) ---- */

struct stats_table;

/* An empty table for the stats command c. NULL: ENOMEM. */
struct stats_table *stats_table_new(const struct command *c);

/* Add the event r holds to its group. 0 or -ENOMEM. */
int stats_table_add(struct stats_table *t, struct record *r);

/* Groups so far. */
size_t stats_table_size(const struct stats_table *t);

/*
 * Group i's `by` values and aggregate results, in the table's output
 * order (see insights.h), into values[symbol] for the command's `by` and
 * output symbols; the results computed for r->aggregates. 0 or -ENOMEM.
 */
int stats_table_row(struct stats_table *t, size_t i, struct record *r);

void stats_table_free(struct stats_table *t);

/* ---- bytes keyed sets (insights_stats.c) ---- */

struct keyset {
	struct keyslot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t count;
};

/*
 * Find key[0..len) in s, adding it (copied) with value when absent.
 * 0 and *value the value stored, *added whether it was added; -ENOMEM.
 */
int keyset_put(struct keyset *s, const void *key, size_t len, size_t *value,
	       bool *added);

void keyset_release(struct keyset *s);

/*
 * Append v to key so that different values append different bytes
 * (a text and the same number written as text being different).
 * 0 or -ENOMEM.
 */
int ival_key(const struct ival *v, struct strbuf *key);

#endif
