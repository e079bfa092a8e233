/*
 * sql_dialect: sqlite's SQL as PostgreSQL reads it (lib/sql_dialect.h).
 */
#include "lib/sql_dialect.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A growing output; bad once an allocation failed. */
struct out {
	char *p;
	size_t len, cap;
	bool bad;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->bad)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *p;

		while (o->len + n + 1 > cap)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->bad = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Whether s starts with the keyword kw (any case) ending there. */
static bool keyword_at(const char *s, const char *kw)
{
	size_t n = strlen(kw);

	return strncasecmp(s, kw, n) == 0 &&
	       !(isalnum((unsigned char)s[n]) || s[n] == '_');
}

/*
 * Whether s starts with the keywords a, b (and c, unless NULL), one
 * blank between each, never reading past s's end.
 */
static bool keywords_at(const char *s, const char *a, const char *b,
			const char *c)
{
	const char *kw[] = {a, b, c};
	size_t i;

	for (i = 0; i < 3 && kw[i]; i++) {
		if (i > 0 && *s++ != ' ')
			return false;
		if (!keyword_at(s, kw[i]))
			return false;
		s += strlen(kw[i]);
	}
	return true;
}

static bool word_start(const char *sql, const char *s)
{
	return s == sql || !(isalnum((unsigned char)s[-1]) || s[-1] == '_');
}

/* Where a top-level RETURNING clause starts in s, or NULL. */
static const char *find_returning(const char *s)
{
	const char *start = s;
	char quote = 0;

	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if ((*s == 'R' || *s == 'r') && word_start(start, s) &&
			   keyword_at(s, "RETURNING")) {
			return s;
		}
	}
	return NULL;
}

char *sql_to_postgres(const char *sql, int *nparams)
{
	struct out o = {0};
	const char *s = sql, *returning = NULL;
	bool ignore = false;
	int next = 0, max = 0;
	char quote = 0;

	if (keywords_at(s, "BEGIN", "IMMEDIATE", NULL)) {
		*nparams = 0;
		return strdup("BEGIN");
	}
	if (keywords_at(s, "INSERT", "OR", "IGNORE")) {
		puts_(&o, "INSERT");
		s += 16;
		ignore = true;
		returning = find_returning(s);
	}
	while (*s) {
		if (ignore && s == returning) {
			puts_(&o, "ON CONFLICT DO NOTHING ");
			ignore = false;
		}
		if (quote) {
			if (*s == quote)
				quote = 0;
			put(&o, s++, 1);
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
			put(&o, s++, 1);
		} else if (*s == '?') {
			char num[16];
			int n;

			s++;
			if (isdigit((unsigned char)*s)) {
				n = (int)strtol(s, (char **)&s, 10);
			} else {
				n = ++next;
			}
			if (n > max)
				max = n;
			snprintf(num, sizeof(num), "$%d", n);
			puts_(&o, num);
		} else if (word_start(sql, s) && strncmp(s, "offset", 6) == 0 &&
			   keyword_at(s, "offset")) {
			/* A column of ours; a reserved word of PostgreSQL's. */
			puts_(&o, "\"offset\"");
			s += 6;
		} else if (word_start(sql, s) && keyword_at(s, "instr") &&
			   s[5] == '(') {
			puts_(&o, "strpos");
			s += 5;
		} else {
			put(&o, s++, 1);
		}
	}
	if (ignore)
		puts_(&o, " ON CONFLICT DO NOTHING");
	if (o.bad || !o.p) {
		free(o.p);
		return o.bad ? NULL : strdup("");
	}
	*nparams = max;
	return o.p;
}

bool sql_param_used(const char *pg_sql, int k)
{
	char mark[16];
	size_t n = (size_t)snprintf(mark, sizeof(mark), "$%d", k);
	const char *p = pg_sql;

	while ((p = strstr(p, mark))) {
		p += n;
		if (!isdigit((unsigned char)*p))
			return true;
	}
	return false;
}
