/*
 * rule_bus_cycle: whether rules' `events:` targets make buses forward
 * to each other in a circle (SPEC 13 refuses it: one event would go
 * round for ever). The store gives every edge; this finds a cycle by
 * depth-first search over the edges sorted by their bus of origin.
 */
#include "lib/rule_def.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum visit { UNSEEN, ON_PATH, DONE };

struct graph {
	const struct rule_bus_edge **by_from; /* sorted by from */
	size_t n;
	enum visit *visit; /* per edge group: the entry of its first edge */
};

static int compare_from(const void *a, const void *b)
{
	const struct rule_bus_edge *const *x = a, *const *y = b;

	return strcmp((*x)->from, (*y)->from);
}

/* Index of the first edge leaving bus, or n when none does. */
static size_t first_edge(const struct graph *g, const char *bus)
{
	size_t lo = 0, hi = g->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(g->by_from[mid]->from, bus) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && !strcmp(g->by_from[lo]->from, bus) ? lo : g->n;
}

/*
 * The cycle that ends with the edge at path[depth - 1] (its `to` is on
 * the path), written into err from where it starts.
 */
static void name_cycle(const struct graph *g, const size_t *path, size_t depth,
		       struct err *err)
{
	const char *back = g->by_from[path[depth - 1]]->to;
	char msg[ERR_MSG_MAX];
	size_t start = 0, i, used;

	for (i = 0; i < depth; i++)
		if (!strcmp(g->by_from[path[i]]->from, back))
			start = i;
	used = (size_t)snprintf(msg, sizeof(msg),
				"a cycle of events: targets: %s", back);
	for (i = start; i < depth && used < sizeof(msg); i++)
		used += (size_t)snprintf(
			msg + used, sizeof(msg) - used, " -> %s (rule %s)",
			g->by_from[path[i]]->to, g->by_from[path[i]]->rule);
	err_set(err, "%s", msg);
}

/*
 * Depth-first from the edge group at root, without recursion: path
 * holds the edge taken at each depth. 1 when a cycle was found.
 */
static int search(struct graph *g, size_t root, size_t *path, struct err *err)
{
	size_t depth = 0, at = root, next;

	g->visit[root] = ON_PATH;
	path[depth++] = root;
	for (;;) {
		next = first_edge(g, g->by_from[path[depth - 1]]->to);
		if (next < g->n && g->visit[next] == ON_PATH) {
			name_cycle(g, path, depth, err);
			return 1;
		}
		if (next < g->n && g->visit[next] == UNSEEN) {
			g->visit[next] = ON_PATH;
			path[depth++] = next;
			continue;
		}
		/* This edge leads nowhere new: try its group's next edge. */
		for (;;) {
			at = path[depth - 1];
			if (at + 1 < g->n && !strcmp(g->by_from[at + 1]->from,
						     g->by_from[at]->from)) {
				path[depth - 1] = at + 1;
				break;
			}
			g->visit[first_edge(g, g->by_from[at]->from)] = DONE;
			if (--depth == 0)
				return 0;
		}
	}
}

int rule_bus_cycle(const struct rule_bus_edge *edges, size_t n, struct err *err)
{
	struct graph g = {NULL, n, NULL};
	size_t *path = NULL, i;
	int rc = 0;

	if (n == 0)
		return 0;
	g.by_from = malloc(n * sizeof(*g.by_from));
	g.visit = calloc(n, sizeof(*g.visit));
	path = malloc(n * sizeof(*path));
	if (!g.by_from || !g.visit || !path) {
		err_set(err, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		g.by_from[i] = &edges[i];
	qsort(g.by_from, n, sizeof(*g.by_from), compare_from);
	for (i = 0; i < n && rc == 0; i++)
		if (g.visit[i] == UNSEEN &&
		    first_edge(&g, g.by_from[i]->from) == i)
			if (search(&g, i, path, err))
				rc = -EINVAL;
out:
	free(g.by_from);
	free(g.visit);
	free(path);
	return rc;
}
