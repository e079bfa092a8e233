/*
 * event_pattern_impl: the compiled form of an EventBridge event pattern,
 * shared by the parts of the module and by the ruler that indexes it,
 * and nothing else. Only lib/event_pattern*.c and lib/event_ruler.c
 * include it; callers use lib/event_pattern.h and lib/event_ruler.h.
 *
 * The parts: event_pattern.c (objects, leaves, $or, the entry points),
 * event_pattern_ops.c (one operator object: {"prefix": ...} and the
 * rest), event_pattern_match.c (a compiled pattern against an event).
 *
 * A compiled pattern is a tree that mirrors the pattern's JSON: a node
 * is one object level (fields ANDed, each $or group ANDed with them and
 * satisfied by any of its branches); a field is either a leaf (a list
 * of matchers, any of which may match) or a child node. Everything in
 * the tree is owned by it and never changes after compilation.
 */
#ifndef MONFS_EVENT_PATTERN_IMPL_H
#define MONFS_EVENT_PATTERN_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/event_pattern.h"
#include "lib/strbuf.h"

/* EventBridge's limit on the combinations a pattern's $or make. */
#define EVENT_PATTERN_COMBINATIONS_MAX 1000

enum ep_kind {
	EP_STRING, /* exact string: text[0..len) */
	EP_NUMBER, /* exact number, compared as a double: number */
	EP_TRUE,
	EP_FALSE,
	EP_NULL,
	EP_PREFIX,
	EP_PREFIX_IGNORE_CASE,
	EP_SUFFIX,
	EP_SUFFIX_IGNORE_CASE,
	EP_EQUALS_IGNORE_CASE,
	EP_WILDCARD,	 /* text holds the literal bytes, seg_len the runs */
	EP_NUMERIC,	 /* range */
	EP_CIDR,	 /* cidr */
	EP_EXISTS,	 /* exists */
	EP_ANYTHING_BUT, /* none of but[0..nbut) may match */
};

/* A numeric range; a missing bound is -inf or +inf, closed. */
struct ep_range {
	double low, high;
	bool low_open, high_open; /* > rather than >=, < rather than <= */
};

struct ep_cidr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network order, bits past prefix zeroed */
	unsigned prefix_bits;	/* 0..32 or 0..128 */
};

/* One value test of a leaf. */
struct ep_matcher {
	enum ep_kind kind;
	char *text; /* string operand, decoded, NUL-ended; NULL if none */
	size_t len;
	/*
	 * EP_WILDCARD: text is the pattern's literal bytes with the '*'
	 * taken out and escapes decoded; the value must be seg_len[0]
	 * bytes, anything, seg_len[1] bytes, ..., anything,
	 * seg_len[nsegs - 1] bytes (nsegs - 1 stars; 1 = no star).
	 */
	size_t *seg_len;
	size_t nsegs;
	double number;
	struct ep_range range;
	struct ep_cidr cidr;
	bool exists;
	struct ep_matcher *but; /* EP_ANYTHING_BUT: owned array */
	size_t nbut;
};

/*
 * A leaf: the event's value at the field matches when any matcher
 * does. needs_value: no matcher is {"exists": false}, so the leaf can
 * only match where the event holds a value at its path (the ruler
 * relies on it).
 */
struct ep_leaf {
	struct ep_matcher *matchers;
	size_t count;
	bool needs_value;
};

struct ep_node;

struct ep_field {
	char *key;	      /* NUL-ended; "$or" only as a plain field */
	struct ep_leaf *leaf; /* exactly one of leaf and child */
	struct ep_node *child;
};

/* "$or": [ {...}, {...} ]: at least two branches. */
struct ep_or {
	struct ep_node **branches;
	size_t count;
};

struct ep_node {
	struct ep_field *fields;
	size_t nfields;
	struct ep_or *ors;
	size_t nors;
};

struct event_pattern {
	struct ep_node *root;
	size_t combinations; /* 1..EVENT_PATTERN_COMBINATIONS_MAX */
};

/* c with ASCII letters made lower case: the case folding of
 * equals-ignore-case, which the ruler's keys must fold alike. */
static inline unsigned char ep_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Compile the operator object op (inside a leaf array) into *m. path
 * is the field's JSON path for messages. 0, -EINVAL (err says what,
 * after the path), or -ENOMEM; on failure *m owns nothing.
 */
int ep_compile_operator(const json_t *op, const char *path,
			struct ep_matcher *m, struct err *err);

/* Free what m owns (not m itself). */
void ep_matcher_release(struct ep_matcher *m);

/* Whether the scalar v (string, number, true, false or null) matches m.
 * EP_EXISTS is decided by the leaf, not here. */
bool ep_matcher_matches(const struct ep_matcher *m, const json_t *v);

/* Whether node matches obj, one object of an event (NULL or a
 * non-object counts as an object without fields). */
bool ep_node_matches(const struct ep_node *node, const json_t *obj);

#endif
