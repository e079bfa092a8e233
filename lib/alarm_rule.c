/*
 * alarm_rule: a composite alarm's rule (SPEC 12), parsed into postfix
 * steps and evaluated over a stack; the language is in alarm_rule.h.
 *
 * The parser is Dijkstra's shunting yard, not a recursive descent, so
 * that a rule of 10240 bytes nested as deep as its length allows needs
 * no stack of its own beyond two growable arrays (a composite is defined
 * on a FUSE worker thread, whose stack we do not size). It alternates
 * between expecting an operand (a state function, TRUE, FALSE, NOT or
 * '(') and expecting an operator (AND, OR, ')' or the end), which is
 * also what each error message says it expected.
 *
 * Invariants of a parsed rule: steps[] is a well-formed postfix program
 * (each binary step finds two values on the stack, each NOT one, and one
 * value is left at the end), never deeper than depth; operands keep the
 * order they have in the text, so walking steps[] visits the state
 * functions in rule order; names[] is distinct, at most
 * ALARM_RULE_ALARMS_MAX, each a valid name (parse_name).
 */
#include "lib/alarm_rule.h"

#include "lib/alarm.h"
#include "lib/format.h"
#include "lib/parse.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One step of the postfix program. */
enum step_kind {
	STEP_TRUE,
	STEP_FALSE,
	STEP_STATE, /* whether names[name] is in state want */
	STEP_NOT,
	STEP_AND,
	STEP_OR,
};

struct step {
	enum step_kind kind;
	enum alarm_state want; /* STEP_STATE */
	size_t name;	       /* STEP_STATE: index into names */
};

struct alarm_rule {
	struct step *steps;
	size_t nsteps, steps_alloc;
	char **names; /* each malloc'ed */
	size_t nnames, names_alloc;
	size_t depth; /* the evaluation stack the steps need */
};

/*
 * v (of *alloc elements of size bytes) with room for need: v itself or
 * its reallocation, *alloc updated; NULL (v untouched) if out of memory.
 */
static void *grow(void *v, size_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc ? *alloc : 8;
	void *bigger;

	if (need <= *alloc)
		return v;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size)
		return NULL;
	bigger = realloc(v, n * size);
	if (bigger)
		*alloc = n;
	return bigger;
}

/* ---- tokens ---- */

enum token_kind {
	TOKEN_END,
	TOKEN_OPEN,  /* ( */
	TOKEN_CLOSE, /* ) */
	TOKEN_AND,
	TOKEN_OR,
	TOKEN_NOT,
	TOKEN_TRUE,
	TOKEN_FALSE,
	TOKEN_ALARM,
	TOKEN_OK,
	TOKEN_INSUFFICIENT_DATA,
	TOKEN_WORD,  /* a word that is no keyword */
	TOKEN_OTHER, /* a byte that starts no token */
};

struct token {
	enum token_kind kind;
	size_t pos, len; /* its text: text[pos..pos+len) */
};

static const struct keyword {
	const char *word;
	enum token_kind kind;
} keywords[] = {
	{"AND", TOKEN_AND},	{"OR", TOKEN_OR},
	{"NOT", TOKEN_NOT},	{"TRUE", TOKEN_TRUE},
	{"FALSE", TOKEN_FALSE}, {"ALARM", TOKEN_ALARM},
	{"OK", TOKEN_OK},	{"INSUFFICIENT_DATA", TOKEN_INSUFFICIENT_DATA},
};

#define KEYWORD_COUNT (sizeof(keywords) / sizeof(keywords[0]))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_word_byte(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The keyword s[0..len) is, exactly or ignoring case; NULL if none. */
static const struct keyword *find_keyword(const char *s, size_t len,
					  bool ignore_case)
{
	size_t k;

	for (k = 0; k < KEYWORD_COUNT; k++) {
		if (strlen(keywords[k].word) != len)
			continue;
		if (ignore_case ? !strncasecmp(s, keywords[k].word, len)
				: !memcmp(s, keywords[k].word, len))
			return &keywords[k];
	}
	return NULL;
}

struct parser {
	const char *text;
	size_t len, pos; /* pos: where the next token may start */
	struct alarm_rule *rule;
	struct err *err;
};

static void skip_blanks(struct parser *p)
{
	while (p->pos < p->len && is_blank(p->text[p->pos]))
		p->pos++;
}

/* The next token, consumed. */
static struct token next_token(struct parser *p)
{
	struct token t;
	const struct keyword *k;

	skip_blanks(p);
	t.pos = p->pos;
	t.len = 1;
	if (p->pos == p->len) {
		t.kind = TOKEN_END;
		t.len = 0;
		return t;
	}
	switch (p->text[p->pos]) {
	case '(':
		t.kind = TOKEN_OPEN;
		break;
	case ')':
		t.kind = TOKEN_CLOSE;
		break;
	default:
		if (!is_word_byte(p->text[p->pos])) {
			t.kind = TOKEN_OTHER;
			break;
		}
		while (t.pos + t.len < p->len &&
		       is_word_byte(p->text[t.pos + t.len]))
			t.len++;
		k = find_keyword(p->text + t.pos, t.len, false);
		t.kind = k ? k->kind : TOKEN_WORD;
	}
	p->pos = t.pos + t.len;
	return t;
}

/*
 * "expected WHAT at position N, not "found"" for token t. A word that
 * is a keyword but for its case says so instead.
 */
static int expected(struct parser *p, const char *what, struct token t)
{
	const struct keyword *k;
	char q[FORMAT_QUOTE_SIZE];

	if (t.kind == TOKEN_WORD &&
	    (k = find_keyword(p->text + t.pos, t.len, true))) {
		err_set(p->err,
			"\"%s\" at position %zu: keywords are uppercase (%s)",
			format_quote(q, p->text + t.pos, t.len), t.pos + 1,
			k->word);
	} else if (t.kind == TOKEN_END) {
		err_set(p->err, "expected %s at position %zu, not the end",
			what, t.pos + 1);
	} else {
		err_set(p->err, "expected %s at position %zu, not \"%s\"", what,
			t.pos + 1, format_quote(q, p->text + t.pos, t.len));
	}
	return -EINVAL;
}

/* ---- names ---- */

/*
 * name[0..len), which started at position pos, as an ARN's name if it is
 * an alarm's ARN: arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME. A
 * name starting "arn:" that is no alarm ARN is refused, as CloudWatch
 * reads it as an ARN. 0 or -EINVAL.
 */
static int strip_arn(struct parser *p, const char **name, size_t *len,
		     size_t pos)
{
	static const char *const want[] = {"arn", NULL, "cloudwatch",
					   NULL,  NULL, "alarm"};
	const char *s = *name, *end = *name + *len, *colon;
	char q[FORMAT_QUOTE_SIZE];
	size_t field;

	if (*len < 4 || memcmp(s, "arn:", 4))
		return 0;
	for (field = 0; field < 6; field++) {
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon || colon == s)
			goto bad;
		if (want[field] &&
		    !(strlen(want[field]) == (size_t)(colon - s) &&
		      !memcmp(s, want[field], (size_t)(colon - s))))
			goto bad;
		if (field == 1 && memcmp(s, "aws", 3))
			goto bad;
		s = colon + 1;
	}
	if (s == end)
		goto bad;
	*len = (size_t)(end - s);
	*name = s;
	return 0;
bad:
	err_set(p->err,
		"\"%s\" at position %zu is not an alarm ARN"
		" (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)",
		format_quote(q, *name, *len), pos + 1);
	return -EINVAL;
}

/*
 * The name s[0..len), found at position pos, into the rule's names if it
 * is new: its index in *index. 0, -EINVAL or -ENOMEM.
 */
static int add_name(struct parser *p, const char *s, size_t len, size_t pos,
		    size_t *index)
{
	struct alarm_rule *r = p->rule;
	char q[FORMAT_QUOTE_SIZE];
	char *copy, **names;
	size_t i;

	if (strip_arn(p, &s, &len, pos))
		return -EINVAL;
	if (parse_name_explained(s, len, p->err)) {
		err_prefix(p->err, "alarm name at position %zu", pos + 1);
		return -EINVAL;
	}
	for (i = 0; i < r->nnames; i++) {
		if (strlen(r->names[i]) == len &&
		    !memcmp(r->names[i], s, len)) {
			*index = i;
			return 0;
		}
	}
	if (r->nnames == ALARM_RULE_ALARMS_MAX) {
		err_set(p->err,
			"\"%s\" at position %zu: a rule names at most %d"
			" alarms",
			format_quote(q, s, len), pos + 1,
			ALARM_RULE_ALARMS_MAX);
		return -EINVAL;
	}
	names = grow(r->names, &r->names_alloc, r->nnames + 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	r->names = names;
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	r->names[r->nnames] = copy;
	*index = r->nnames++;
	return 0;
}

/*
 * A quoted name from p->pos, just past its opening quote (at position
 * open), into name, unescaped, p->pos then past the closing quote.
 */
static int read_quoted_name(struct parser *p, size_t open, struct strbuf *name)
{
	char c;

	while (p->pos < p->len) {
		c = p->text[p->pos++];
		if (c == '"')
			return 0;
		if (c == '\\' && p->pos < p->len &&
		    (p->text[p->pos] == '"' || p->text[p->pos] == '\\'))
			c = p->text[p->pos++];
		if (strbuf_add(name, &c, 1))
			return -ENOMEM;
	}
	err_set(p->err, "the quoted name at position %zu has no closing quote",
		open + 1);
	return -EINVAL;
}

/*
 * A bare name from p->pos to the closing parenthesis (left for the
 * caller), blanks at its ends dropped: its text in *s, *len.
 */
static int read_bare_name(struct parser *p, const char **s, size_t *len)
{
	size_t start = p->pos, end;
	char c;

	while (p->pos < p->len && p->text[p->pos] != ')') {
		c = p->text[p->pos];
		if (c == '(' || c == '"') {
			err_set(p->err,
				"'%c' at position %zu: a name holding '(', ')'"
				" or '\"' must be quoted (\"...\", \\\" for a"
				" quote)",
				c, p->pos + 1);
			return -EINVAL;
		}
		p->pos++;
	}
	end = p->pos;
	while (end > start && is_blank(p->text[end - 1]))
		end--;
	*s = p->text + start;
	*len = end - start;
	return 0;
}

/*
 * The "(name)" after state function f (token f), consumed: the name's
 * index in the rule's names in *name_index. 0, -EINVAL or -ENOMEM.
 */
static int parse_call(struct parser *p, struct token f, size_t *name_index)
{
	struct strbuf quoted = STRBUF_INIT;
	size_t name_pos;
	const char *s;
	size_t len;
	char what[64];
	int rc;

	skip_blanks(p);
	if (p->pos == p->len || p->text[p->pos] != '(') {
		snprintf(what, sizeof(what), "'(' after %.*s", (int)f.len,
			 p->text + f.pos);
		return expected(p, what, next_token(p));
	}
	p->pos++;
	skip_blanks(p);
	name_pos = p->pos;
	if (p->pos < p->len && p->text[p->pos] == '"') {
		p->pos++;
		rc = read_quoted_name(p, name_pos, &quoted);
		s = quoted.buf ? quoted.buf : "";
		len = quoted.len;
		skip_blanks(p);
	} else {
		rc = read_bare_name(p, &s, &len);
		if (!rc && len == 0) {
			err_set(p->err,
				"expected an alarm name at position %zu",
				name_pos + 1);
			rc = -EINVAL;
		}
	}
	if (!rc && (p->pos == p->len || p->text[p->pos] != ')'))
		rc = expected(p, "')'", next_token(p));
	if (!rc) {
		p->pos++;
		rc = add_name(p, s, len, name_pos, name_index);
	}
	strbuf_release(&quoted);
	return rc;
}

/* ---- the shunting yard ---- */

/* An operator waiting on the stack: '(' , NOT, AND or OR. */
struct pending {
	enum token_kind kind;
	size_t pos;
};

/* Push operator t onto the stack of pending ones. 0 or -ENOMEM. */
static int push(struct pending **stack, size_t *n, size_t *alloc,
		struct token t)
{
	struct pending *bigger = grow(*stack, alloc, *n + 1, sizeof(**stack));

	if (!bigger)
		return -ENOMEM;
	*stack = bigger;
	bigger[(*n)++] = (struct pending){t.kind, t.pos};
	return 0;
}

/* How tightly an operator binds; '(' stops every pop. */
static int precedence(enum token_kind k)
{
	switch (k) {
	case TOKEN_NOT:
		return 3;
	case TOKEN_AND:
		return 2;
	case TOKEN_OR:
		return 1;
	default:
		return 0;
	}
}

/* Append one step; depth tracks the evaluation stack. */
static int emit(struct parser *p, struct step s, size_t *depth)
{
	struct alarm_rule *r = p->rule;
	struct step *steps;

	steps = grow(r->steps, &r->steps_alloc, r->nsteps + 1, sizeof(s));
	if (!steps)
		return -ENOMEM;
	r->steps = steps;
	r->steps[r->nsteps++] = s;
	if (s.kind == STEP_AND || s.kind == STEP_OR) {
		assert(*depth >= 2);
		(*depth)--;
	} else if (s.kind == STEP_NOT) {
		assert(*depth >= 1);
	} else {
		(*depth)++;
		if (*depth > r->depth)
			r->depth = *depth;
	}
	return 0;
}

static int emit_operator(struct parser *p, enum token_kind k, size_t *depth)
{
	struct step s = {STEP_NOT, ALARM_INSUFFICIENT_DATA, 0};

	if (k == TOKEN_AND)
		s.kind = STEP_AND;
	else if (k == TOKEN_OR)
		s.kind = STEP_OR;
	else
		assert(k == TOKEN_NOT);
	return emit(p, s, depth);
}

/* The shunting yard over p's text into p->rule. 0, -EINVAL, -ENOMEM. */
static int shunt(struct parser *p)
{
	static const char operand[] = "ALARM(name), OK(name),"
				      " INSUFFICIENT_DATA(name), TRUE, FALSE,"
				      " NOT or '('";
	struct pending *stack = NULL;
	size_t nstack = 0, alloc = 0, depth = 0, opens = 0;
	bool want_operand = true;
	struct step s;
	struct token t;
	int rc = 0;

	while (rc == 0) {
		t = next_token(p);
		if (want_operand) {
			s = (struct step){STEP_STATE, ALARM_ALARM, 0};
			switch (t.kind) {
			case TOKEN_OPEN:
				opens++;
				/* fall through */
			case TOKEN_NOT:
				rc = push(&stack, &nstack, &alloc, t);
				continue;
			case TOKEN_TRUE:
				s.kind = STEP_TRUE;
				break;
			case TOKEN_FALSE:
				s.kind = STEP_FALSE;
				break;
			case TOKEN_ALARM:
				s.want = ALARM_ALARM;
				rc = parse_call(p, t, &s.name);
				break;
			case TOKEN_OK:
				s.want = ALARM_OK;
				rc = parse_call(p, t, &s.name);
				break;
			case TOKEN_INSUFFICIENT_DATA:
				s.want = ALARM_INSUFFICIENT_DATA;
				rc = parse_call(p, t, &s.name);
				break;
			default:
				rc = expected(p, operand, t);
				continue;
			}
			if (!rc)
				rc = emit(p, s, &depth);
			want_operand = false;
			continue;
		}
		switch (t.kind) {
		case TOKEN_AND:
		case TOKEN_OR:
			/* Left to right: pop what binds as tight or tighter. */
			while (!rc && nstack > 0 &&
			       precedence(stack[nstack - 1].kind) >=
				       precedence(t.kind))
				rc = emit_operator(p, stack[--nstack].kind,
						   &depth);
			if (!rc)
				rc = push(&stack, &nstack, &alloc, t);
			want_operand = true;
			continue;
		case TOKEN_CLOSE:
			if (opens == 0) {
				rc = expected(p, "AND, OR or the end", t);
				continue;
			}
			while (!rc && stack[nstack - 1].kind != TOKEN_OPEN)
				rc = emit_operator(p, stack[--nstack].kind,
						   &depth);
			if (!rc) {
				nstack--;
				opens--;
			}
			continue;
		case TOKEN_END:
			if (opens > 0) {
				while (stack[nstack - 1].kind != TOKEN_OPEN)
					nstack--;
				err_set(p->err,
					"expected ')' at position %zu, not the"
					" end (for the '(' at position %zu)",
					t.pos + 1, stack[nstack - 1].pos + 1);
				rc = -EINVAL;
				continue;
			}
			while (!rc && nstack > 0)
				rc = emit_operator(p, stack[--nstack].kind,
						   &depth);
			assert(rc || depth == 1);
			free(stack);
			return rc;
		default:
			rc = expected(p,
				      opens ? "AND, OR or ')'"
					    : "AND, OR or the end",
				      t);
			continue;
		}
	}
	free(stack);
	return rc;
}

int alarm_rule_parse(const char *text, size_t len, struct alarm_rule **out,
		     struct err *err)
{
	struct parser p = {text, len, 0, NULL, err};
	int rc;

	if (len > ALARM_RULE_MAX_BYTES) {
		err_set(err,
			"%zu bytes: a rule is at most %d bytes (position %d"
			" is past the limit)",
			len, ALARM_RULE_MAX_BYTES, ALARM_RULE_MAX_BYTES + 1);
		return -EINVAL;
	}
	skip_blanks(&p);
	if (p.pos == len) {
		err_set(err, "empty rule");
		return -EINVAL;
	}
	p.pos = 0;
	p.rule = calloc(1, sizeof(*p.rule));
	if (!p.rule) {
		err_set(err, "out of memory");
		return -ENOMEM;
	}
	rc = shunt(&p);
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, "out of memory");
		alarm_rule_free(p.rule);
		return rc;
	}
	*out = p.rule;
	return 0;
}

void alarm_rule_free(struct alarm_rule *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->steps);
	free(r);
}

size_t alarm_rule_name_count(const struct alarm_rule *r)
{
	return r->nnames;
}

const char *alarm_rule_name(const struct alarm_rule *r, size_t i)
{
	assert(i < r->nnames);
	return r->names[i];
}

bool alarm_rule_names_alarm(const struct alarm_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], name))
			return true;
	return false;
}

/* ---- evaluation ---- */

/*
 * SPEC 12's reason: "Rule true: a is ALARM, b is OK" or "Rule false".
 * states[i] is names[i]'s state; listed[] (nnames, all false) is
 * scratch. 0 or -ENOMEM.
 */
static int put_reason(const struct alarm_rule *r, bool value, const int *states,
		      bool *listed, struct strbuf *reason)
{
	const char *sep = ": ";
	const struct step *s;
	size_t i;
	int rc;

	rc = strbuf_adds(reason, value ? "Rule true" : "Rule false");
	for (i = 0; value && !rc && i < r->nsteps; i++) {
		s = &r->steps[i];
		if (s->kind != STEP_STATE || listed[s->name] ||
		    states[s->name] != (int)s->want)
			continue;
		listed[s->name] = true;
		rc = strbuf_addf(reason, "%s%s is %s", sep, r->names[s->name],
				 alarm_state_name(s->want));
		sep = ", ";
	}
	return rc;
}

int alarm_rule_evaluate(const struct alarm_rule *r,
			alarm_rule_state_fn state_of, void *ctx, bool *value,
			struct strbuf *reason)
{
	size_t n = r->nnames, top = 0, start = reason->len, i;
	bool *stack = malloc(r->depth + n + 1);
	int *states = malloc((n + 1) * sizeof(*states));
	bool *listed = stack + r->depth;
	const struct step *s;
	int rc = 0;

	if (!stack || !states) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		states[i] = state_of(r->names[i], ctx);
		if (states[i] < 0)
			rc = states[i];
		else if (states[i] != ALARM_OK && states[i] != ALARM_ALARM &&
			 states[i] != ALARM_INSUFFICIENT_DATA)
			rc = -EINVAL;
		listed[i] = false;
	}
	for (i = 0; i < r->nsteps && !rc; i++) {
		s = &r->steps[i];
		switch (s->kind) {
		case STEP_TRUE:
		case STEP_FALSE:
			stack[top++] = s->kind == STEP_TRUE;
			break;
		case STEP_STATE:
			stack[top++] = states[s->name] == (int)s->want;
			break;
		case STEP_NOT:
			stack[top - 1] = !stack[top - 1];
			break;
		case STEP_AND:
			top--;
			stack[top - 1] = stack[top - 1] && stack[top];
			break;
		case STEP_OR:
			top--;
			stack[top - 1] = stack[top - 1] || stack[top];
			break;
		}
		assert(top >= 1 && top <= r->depth);
	}
	if (!rc) {
		assert(top == 1);
		rc = put_reason(r, stack[0], states, listed, reason);
	}
	if (rc && reason->buf) {
		reason->len = start;
		reason->buf[start] = '\0';
	}
	if (!rc)
		*value = stack[0];
out:
	free(stack);
	free(states);
	return rc;
}
