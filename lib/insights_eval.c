/*
 * insights_eval: Logs Insights expressions over a record — operators,
 * the scalar functions, and parse's extraction of fields by a glob or a
 * regex with named groups.
 *
 * Null in, null out, mostly: arithmetic and functions on a value that is
 * not a number (or absent) give null; comparisons, like and in with a
 * null side are false (0), so `filter` drops those events.
 */
#include "lib/insights_impl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REGEX_TEXT_ON_STACK 4096 /* texts copied for regexec on the stack */

static struct ival null_value(void)
{
	struct ival v = {.kind = IVAL_NULL};

	return v;
}

static struct ival number_value(double d)
{
	struct ival v = {.kind = isfinite(d) ? IVAL_NUMBER : IVAL_NULL};

	v.number = d;
	return v;
}

static struct ival bool_value(bool b)
{
	return number_value(b ? 1 : 0);
}

static struct ival time_value(int64_t ms)
{
	struct ival v = {.kind = IVAL_TIME};

	v.ms = ms;
	return v;
}

/* An owned text of len bytes to fill: its buffer in *buf, or -ENOMEM. */
static int owned_text(struct ival *out, size_t len, char **buf)
{
	*buf = malloc(len + 1);
	if (!*buf)
		return -ENOMEM;
	(*buf)[len] = '\0';
	*out = null_value();
	out->kind = IVAL_STRING;
	out->owned = true;
	out->str = *buf;
	out->len = len;
	return 0;
}

/*
 * Whether re matches s[0..len): 1 or 0, matches[0..nmatch) set (offsets
 * into s), -ENOMEM. regexec wants a NUL-ended copy; REG_STARTEND lets it
 * see past a NUL byte inside the text.
 */
static int regex_exec(const regex_t *re, const char *s, size_t len,
		      size_t nmatch, regmatch_t *matches)
{
	char stack[REGEX_TEXT_ON_STACK];
	char *copy = len < sizeof(stack) ? stack : malloc(len + 1);
	regmatch_t whole = {.rm_so = 0, .rm_eo = 0};
	int flags = 0, found;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (nmatch == 0) {
		nmatch = 1;
		matches = &whole;
	}
#ifdef REG_STARTEND
	if (len <= INT_MAX) {
		matches[0].rm_so = 0;
		matches[0].rm_eo = (regoff_t)len;
		flags = REG_STARTEND;
	}
#endif
	found = regexec(re, copy, nmatch, matches, flags) == 0;
	if (copy != stack)
		free(copy);
	return found;
}

/* Evaluate n's kid i into *out. */
static int eval_kid(struct record *r, const struct node *n, size_t i,
		    struct ival *out)
{
	return insights_eval(r, n->kids[i], out);
}

/* The number kid i makes, when it makes one. */
static int kid_number(struct record *r, const struct node *n, size_t i,
		      bool *is_number, double *d)
{
	struct ival v;
	int rc = eval_kid(r, n, i, &v);

	if (rc)
		return rc;
	*is_number = ival_number(&v, d);
	ival_release(&v);
	return 0;
}

static int eval_arith(struct record *r, const struct node *n, struct ival *out)
{
	bool ok_a, ok_b;
	double a, b;
	int rc;

	*out = null_value();
	rc = kid_number(r, n, 0, &ok_a, &a);
	if (!rc)
		rc = kid_number(r, n, 1, &ok_b, &b);
	if (rc || !ok_a || !ok_b)
		return rc;
	switch (n->op) {
	case TOK_PLUS:
		*out = number_value(a + b);
		break;
	case TOK_MINUS:
		*out = number_value(a - b);
		break;
	case TOK_STAR:
		*out = number_value(a * b);
		break;
	case TOK_SLASH:
		if (b != 0)
			*out = number_value(a / b);
		break;
	default:
		if (b != 0)
			*out = number_value(fmod(a, b));
		break;
	}
	return 0;
}

static bool compare_holds(enum token_kind op, const struct ival *a,
			  const struct ival *b)
{
	int cmp;

	if (a->kind == IVAL_NULL || b->kind == IVAL_NULL)
		return false;
	if (op == TOK_EQ)
		return ival_equal(a, b);
	if (op == TOK_NE)
		return !ival_equal(a, b);
	cmp = ival_compare(a, b);
	return op == TOK_LT   ? cmp < 0
	       : op == TOK_LE ? cmp <= 0
	       : op == TOK_GT ? cmp > 0
			      : cmp >= 0;
}

/* like / =~: a substring or a regex found in the subject's text. */
static int eval_match(struct record *r, const struct node *n, struct ival *out)
{
	char buf[INSIGHTS_TIME_TEXT_MAX];
	const struct node *target = n->kids[1];
	struct ival v;
	const char *s;
	size_t len;
	int rc, found = 0;

	rc = eval_kid(r, n, 0, &v);
	if (rc)
		return rc;
	if (ival_text(&v, buf, &s, &len)) {
		if (target->kind == NODE_REGEX)
			found = regex_exec(&target->regex, s, len, 0, NULL);
		else
			found = target->len == 0 ||
				memmem(s, len, target->text, target->len);
		found = found < 0 ? found : (found != 0) != n->negated;
	}
	ival_release(&v);
	if (found < 0)
		return found;
	*out = bool_value(found);
	return 0;
}

static int eval_in(struct record *r, const struct node *n, struct ival *out)
{
	struct ival subject, item;
	bool found = false;
	size_t i;
	int rc;

	rc = eval_kid(r, n, 0, &subject);
	if (rc)
		return rc;
	for (i = 1; !rc && !found && i < n->nkids; i++) {
		rc = eval_kid(r, n, i, &item);
		if (!rc)
			found = compare_holds(TOK_EQ, &subject, &item);
		ival_release(&item);
	}
	*out = bool_value(subject.kind != IVAL_NULL && found != n->negated);
	ival_release(&subject);
	return rc;
}

static int eval_logic(struct record *r, const struct node *n, struct ival *out)
{
	struct ival v;
	bool result;
	int rc;

	rc = eval_kid(r, n, 0, &v);
	if (rc)
		return rc;
	result = ival_truthy(&v);
	ival_release(&v);
	if (result == (n->kind == NODE_AND)) {
		rc = eval_kid(r, n, 1, &v);
		if (rc)
			return rc;
		result = ival_truthy(&v);
		ival_release(&v);
	}
	*out = bool_value(result);
	return 0;
}

/* ---- functions ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* The byte offset of character index chars of s[0..len) (len past it). */
static size_t char_offset(const char *s, size_t len, double chars)
{
	size_t i = 0;

	if (!(chars > 0))
		return 0;
	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

/* The functions of one text: strlen, case, trims. */
static int call_on_text(const struct node *n, const char *s, size_t len,
			struct ival *out)
{
	size_t i, start = 0, end = len, chars = 0;
	char *o;
	int rc;

	switch (n->fn->id) {
	case FN_STRLEN:
		for (i = 0; i < len; i++)
			chars += ((unsigned char)s[i] & 0xC0) != 0x80;
		*out = number_value((double)chars);
		return 0;
	case FN_TOLOWER:
	case FN_TOUPPER:
		rc = owned_text(out, len, &o);
		for (i = 0; !rc && i < len; i++)
			o[i] = (char)(n->fn->id == FN_TOLOWER
					      ? tolower((unsigned char)s[i])
					      : toupper((unsigned char)s[i]));
		return rc;
	default: /* the trims */
		if (n->fn->id != FN_RTRIM)
			while (start < end && is_space(s[start]))
				start++;
		if (n->fn->id != FN_LTRIM)
			while (end > start && is_space(s[end - 1]))
				end--;
		rc = owned_text(out, end - start, &o);
		if (!rc)
			memcpy(o, s + start, end - start);
		return rc;
	}
}

/* An owned text out of sb (taken over; an empty one allocated). */
static int text_from_strbuf(struct strbuf *sb, struct ival *out)
{
	char *o;
	int rc;

	if (sb->buf) {
		*out = null_value();
		out->kind = IVAL_STRING;
		out->owned = true;
		out->str = sb->buf;
		out->len = sb->len;
		return 0;
	}
	rc = owned_text(out, 0, &o);
	return rc;
}

/* concat(a, ...), replace(s, search, with), substr(s, start[, n]),
 * strcontains(s, part): functions of several texts. */
static int call_on_texts(struct record *r, const struct node *n,
			 struct ival *out)
{
	char bufs[3][INSIGHTS_TIME_TEXT_MAX];
	struct ival v[3] = {null_value(), null_value(), null_value()};
	struct strbuf sb = STRBUF_INIT;
	const char *s[3] = {NULL, NULL, NULL};
	size_t len[3] = {0, 0, 0}, i, from, to;
	double d[3] = {0, 0, 0};
	bool have[3] = {false, false, false};
	int rc = 0;

	*out = null_value();
	if (n->fn->id == FN_CONCAT) {
		for (i = 0; !rc && i < n->nkids; i++) {
			rc = eval_kid(r, n, i, &v[0]);
			if (!rc && ival_text(&v[0], bufs[0], &s[0], &len[0]))
				rc = strbuf_add(&sb, s[0], len[0]);
			ival_release(&v[0]);
		}
		if (!rc)
			rc = text_from_strbuf(&sb, out);
		else
			strbuf_release(&sb);
		return rc;
	}
	for (i = 0; !rc && i < n->nkids && i < 3; i++) {
		rc = eval_kid(r, n, i, &v[i]);
		have[i] = !rc && ival_text(&v[i], bufs[i], &s[i], &len[i]);
		if (!rc && n->fn->id == FN_SUBSTR && i > 0)
			have[i] = ival_number(&v[i], &d[i]);
	}
	if (rc || !have[0] || !have[1])
		goto out;
	switch (n->fn->id) {
	case FN_STRCONTAINS:
		*out = bool_value(len[1] == 0 ||
				  memmem(s[0], len[0], s[1], len[1]));
		break;
	case FN_SUBSTR:
		from = char_offset(s[0], len[0], floor(d[1]));
		to = n->nkids < 3 ? len[0]
		     : !have[2]	  ? from
				: from + char_offset(s[0] + from, len[0] - from,
						     floor(d[2]));
		rc = strbuf_add(&sb, s[0] + from, to - from);
		if (!rc)
			rc = text_from_strbuf(&sb, out);
		break;
	default: /* FN_REPLACE */
		if (!have[2])
			break;
		for (from = 0; !rc && from < len[0];) {
			const char *hit =
				len[1] ? memmem(s[0] + from, len[0] - from,
						s[1], len[1])
				       : NULL;

			to = hit ? (size_t)(hit - s[0]) : len[0];
			rc = strbuf_add(&sb, s[0] + from, to - from);
			if (!rc && hit)
				rc = strbuf_add(&sb, s[2], len[2]);
			from = hit ? to + len[1] : len[0];
		}
		if (!rc)
			rc = text_from_strbuf(&sb, out);
		break;
	}
out:
	if (rc)
		strbuf_release(&sb);
	for (i = 0; i < 3; i++)
		ival_release(&v[i]);
	return rc;
}

/* abs, ceil, floor, sqrt, log, pow, greatest, least, the time ones. */
static int call_on_numbers(struct record *r, const struct node *n,
			   struct ival *out)
{
	double a = 0, b = 0, best = 0;
	bool ok = false, ok_b = true, any = false;
	size_t i;
	int rc;

	*out = null_value();
	if (n->fn->id == FN_GREATEST || n->fn->id == FN_LEAST) {
		for (i = 0; i < n->nkids; i++) {
			rc = kid_number(r, n, i, &ok, &a);
			if (rc)
				return rc;
			if (ok &&
			    (!any ||
			     (n->fn->id == FN_GREATEST ? a > best : a < best)))
				best = a;
			any = any || ok;
		}
		if (any)
			*out = number_value(best);
		return 0;
	}
	rc = kid_number(r, n, 0, &ok, &a);
	if (!rc && n->fn->id == FN_POW)
		rc = kid_number(r, n, 1, &ok_b, &b);
	if (rc || !ok || !ok_b)
		return rc;
	switch (n->fn->id) {
	case FN_ABS:
		*out = number_value(fabs(a));
		break;
	case FN_CEIL:
		*out = number_value(ceil(a));
		break;
	case FN_FLOOR:
		*out = number_value(floor(a));
		break;
	case FN_SQRT:
		*out = number_value(sqrt(a));
		break;
	case FN_LOG:
		*out = number_value(log(a));
		break;
	case FN_POW:
		*out = number_value(pow(a, b));
		break;
	case FN_FROMMILLIS:
		if (fabs(a) < 9e15)
			*out = time_value((int64_t)floor(a));
		break;
	case FN_TOMILLIS:
		*out = number_value(a);
		break;
	default: /* datefloor, dateceil */
		if (fabs(a) < 9e15) {
			int64_t ms = (int64_t)floor(a);
			int64_t start =
				insights_bin_floor(ms, n->kids[1]->duration);

			if (n->fn->id == FN_DATECEIL && start != ms)
				start = insights_bin_next(start,
							  n->kids[1]->duration);
			*out = time_value(start);
		}
		break;
	}
	return 0;
}

/* ispresent, isempty, isblank, coalesce: what is there or not. */
static int call_on_presence(struct record *r, const struct node *n,
			    struct ival *out)
{
	struct ival v;
	size_t i;
	int rc;

	if (n->fn->id == FN_COALESCE) {
		*out = null_value();
		for (i = 0; i < n->nkids; i++) {
			rc = eval_kid(r, n, i, out);
			if (rc || out->kind != IVAL_NULL)
				return rc;
		}
		return 0;
	}
	rc = eval_kid(r, n, 0, &v);
	if (rc)
		return rc;
	if (n->fn->id == FN_ISPRESENT) {
		*out = bool_value(v.kind != IVAL_NULL);
	} else if (v.kind != IVAL_STRING) {
		*out = bool_value(v.kind == IVAL_NULL);
	} else {
		for (i = 0;
		     n->fn->id == FN_ISBLANK && i < v.len && is_space(v.str[i]);
		     i++)
			;
		*out = bool_value(i == v.len);
	}
	ival_release(&v);
	return 0;
}

static int eval_call(struct record *r, const struct node *n, struct ival *out)
{
	char buf[INSIGHTS_TIME_TEXT_MAX];
	struct ival v;
	const char *s;
	size_t len;
	int rc;

	switch (n->fn->id) {
	case FN_STRLEN:
	case FN_TOLOWER:
	case FN_TOUPPER:
	case FN_TRIM:
	case FN_LTRIM:
	case FN_RTRIM:
		*out = null_value();
		rc = eval_kid(r, n, 0, &v);
		if (!rc && ival_text(&v, buf, &s, &len))
			rc = call_on_text(n, s, len, out);
		ival_release(&v);
		return rc;
	case FN_CONCAT:
	case FN_SUBSTR:
	case FN_REPLACE:
	case FN_STRCONTAINS:
		return call_on_texts(r, n, out);
	case FN_ISPRESENT:
	case FN_ISEMPTY:
	case FN_ISBLANK:
	case FN_COALESCE:
		return call_on_presence(r, n, out);
	case FN_BIN:
		rc = record_get(r, SYM_TIMESTAMP, &v);
		*out = null_value();
		if (!rc && v.kind == IVAL_TIME)
			*out = time_value(
				insights_bin_floor(v.ms, n->kids[0]->duration));
		return rc;
	default:
		return call_on_numbers(r, n, out);
	}
}

int insights_eval(struct record *r, const struct node *n, struct ival *out)
{
	struct ival v;
	double d;
	int rc;

	*out = null_value();
	switch (n->kind) {
	case NODE_NUMBER:
		*out = number_value(n->number);
		return 0;
	case NODE_STRING:
		out->kind = IVAL_STRING;
		out->str = n->text;
		out->len = n->len;
		return 0;
	case NODE_DURATION:
		if (n->duration.unit <= UNIT_WEEK)
			*out = number_value(
				(double)(insights_bin_next(0, n->duration)));
		return 0;
	case NODE_REGEX:
		return 0;
	case NODE_FIELD:
		return record_get(r, n->symbol, out);
	case NODE_AGGREGATE:
		if (r->aggregates)
			*out = r->aggregates[n->aggregate];
		out->owned = false;
		return 0;
	case NODE_NEGATE:
		rc = eval_kid(r, n, 0, &v);
		if (!rc && ival_number(&v, &d))
			*out = number_value(-d);
		ival_release(&v);
		return rc;
	case NODE_NOT:
		rc = eval_kid(r, n, 0, &v);
		*out = bool_value(!ival_truthy(&v));
		ival_release(&v);
		return rc;
	case NODE_AND:
	case NODE_OR:
		return eval_logic(r, n, out);
	case NODE_COMPARE: {
		struct ival b;

		rc = eval_kid(r, n, 0, &v);
		if (rc)
			return rc;
		rc = eval_kid(r, n, 1, &b);
		*out = bool_value(!rc && compare_holds(n->op, &v, &b));
		ival_release(&v);
		ival_release(&b);
		return rc;
	}
	case NODE_ARITH:
		return eval_arith(r, n, out);
	case NODE_MATCH:
		return eval_match(r, n, out);
	case NODE_IN:
		return eval_in(r, n, out);
	case NODE_CALL:
		return eval_call(r, n, out);
	}
	return 0;
}

/* ---- parse ---- */

/* Set the fields of symbols[0..n) to null (NO_INDEX ones skipped). */
static int set_nulls(struct record *r, const size_t *symbols, size_t n)
{
	struct ival v;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < n; i++) {
		if (symbols[i] == INSIGHTS_NO_INDEX)
			continue;
		v = null_value();
		rc = record_set(r, symbols[i], &v);
	}
	return rc;
}

static int set_text(struct record *r, size_t symbol, const char *s, size_t len)
{
	struct ival v = null_value();

	v.kind = IVAL_STRING;
	v.str = s;
	v.len = len;
	return record_set(r, symbol, &v); /* copies s */
}

/*
 * The glob's runs found in order, each '*' taking the bytes up to the
 * next run's first occurrence (the last '*', when the glob ends in one,
 * takes the rest). The first run is searched for, not anchored.
 */
static int parse_glob(struct record *r, const struct parse_spec *p,
		      const char *s, size_t len)
{
	size_t at = 0, i, start[p->nstars], end[p->nstars];
	const char *hit;
	int rc = 0;

	if (p->literal_lens[0]) {
		hit = memmem(s, len, p->literals[0], p->literal_lens[0]);
		if (!hit)
			return set_nulls(r, p->star_symbols, p->nstars);
		at = (size_t)(hit - s) + p->literal_lens[0];
	}
	for (i = 1; i <= p->nstars; i++) {
		start[i - 1] = at;
		if (i == p->nstars && p->literal_lens[i] == 0) {
			end[i - 1] = at = len;
			break;
		}
		hit = memmem(s + at, len - at, p->literals[i],
			     p->literal_lens[i]);
		if (!hit)
			return set_nulls(r, p->star_symbols, p->nstars);
		end[i - 1] = (size_t)(hit - s);
		at = end[i - 1] + p->literal_lens[i];
	}
	for (i = 0; !rc && i < p->nstars; i++)
		rc = set_text(r, p->star_symbols[i], s + start[i],
			      end[i] - start[i]);
	return rc;
}

static int parse_regex(struct record *r, const struct parse_spec *p,
		       const char *s, size_t len)
{
	regmatch_t matches[p->ngroups + 1];
	size_t i;
	int found, rc = 0;

	found = regex_exec(&p->regex, s, len, p->ngroups + 1, matches);
	if (found < 0)
		return found;
	if (!found)
		return set_nulls(r, p->group_symbols, p->ngroups + 1);
	for (i = 1; !rc && i <= p->ngroups; i++) {
		struct ival none = null_value();

		if (p->group_symbols[i] == INSIGHTS_NO_INDEX)
			continue;
		if (matches[i].rm_so < 0)
			rc = record_set(r, p->group_symbols[i], &none);
		else
			rc = set_text(
				r, p->group_symbols[i], s + matches[i].rm_so,
				(size_t)(matches[i].rm_eo - matches[i].rm_so));
	}
	return rc;
}

int insights_apply_parse(struct record *r, const struct parse_spec *p)
{
	char buf[INSIGHTS_TIME_TEXT_MAX];
	struct ival source;
	const char *s;
	size_t len;
	int rc;

	rc = insights_eval(r, p->source, &source);
	if (rc)
		return rc;
	/* The fields are set from a copy: the source may be one of them. */
	if (ival_text(&source, buf, &s, &len)) {
		rc = ival_own(&source);
		if (!rc && source.kind == IVAL_STRING) {
			s = source.str;
			len = source.len;
		}
		if (!rc)
			rc = p->is_regex ? parse_regex(r, p, s, len)
					 : parse_glob(r, p, s, len);
	} else {
		rc = p->is_regex
			     ? set_nulls(r, p->group_symbols, p->ngroups + 1)
			     : set_nulls(r, p->star_symbols, p->nstars);
	}
	ival_release(&source);
	return rc;
}
