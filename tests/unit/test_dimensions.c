/*
 * Dimension sets in the store (store/dimensions.c, store/tree.c, SPEC
 * 11) on a temporary database: a set is a namespace row under its
 * canonical prefixes, made with them; a step in another order resolves
 * as an alias while a larger set holds it; series= finds a metric
 * name's series by selector; the trail names namespace and dimensions
 * apart.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/support/tmpstore.h"

static struct tmpstore fixture;
static struct store *st;
static const struct caller alice = {.uid = 1000,
				    .gid = 1000,
				    .pid = 42,
				    .user = "alice",
				    .process = "test"};

static void open_store(void)
{
	tmpstore_open(&fixture, "dims", &st);
}

static void close_store(void)
{
	tmpstore_close(&fixture, st);
}

TestSuite(dimensions, .init = open_store, .fini = close_store);

static int mkdir_(const char *name)
{
	struct err err = {""};

	return store_dir_create(st, TREE_NAMESPACES, name, 0755, &alice, &err);
}

static int64_t metric(const char *ns, const char *name)
{
	struct metric_info m;
	struct err err = {""};

	cr_assert_eq(store_metric_create(st, ns, name, 0644, &alice, &m, &err),
		     0, "%s: %s", ns, err.msg);
	return m.id;
}

/* The last record of today's trail, parsed; the caller decrefs it. */
static json_t *last_record(void)
{
	int64_t day = store_now_ms() / MS_PER_DAY;
	struct trail_day d;
	char *buf, *last;
	json_t *rec;
	json_error_t jerr;
	int n;

	cr_assert_eq(store_trail_day(st, day, &d), 0);
	buf = malloc((size_t)d.size + 1);
	cr_assert_not_null(buf);
	n = store_trail_read(st, day, 0, buf, (size_t)d.size);
	cr_assert_eq(n, d.size);
	buf[n - 1] = '\0';
	last = strrchr(buf, '\n');
	rec = json_loads(last ? last + 1 : buf, 0, &jerr);
	cr_assert_not_null(rec, "%s", jerr.text);
	free(buf);
	return rec;
}

Test(dimensions, a_set_is_made_with_its_canonical_prefixes)
{
	struct node_attr a;

	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(mkdir_("NS/A=x/B=y/C=z"), 0);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/A=x", &a), 0);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/A=x/B=y", &a), 0);
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/A=x/B=y/C=z", &a),
		     0);
	cr_assert_eq(a.uid, 1000);
	/* Only the canonical prefixes: no B=y alone. */
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/B=y", &a), -ENOENT);
	cr_assert_eq(mkdir_("NS/A=x/B=y/C=z"), -EEXIST);
}

Test(dimensions, a_set_needs_its_namespace_and_a_canonical_name)
{
	cr_assert_eq(mkdir_("NS/A=x"), -ENOENT);
	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(mkdir_("NS/B=y/A=x"), -EINVAL); /* not canonical */
	cr_assert_eq(mkdir_("NS/A=x/A=y"), -EINVAL);
	cr_assert_eq(mkdir_("NS/A=x/Sub"), -EINVAL);
	cr_assert_eq(mkdir_("NS/A=%2f"), -EINVAL); /* lowercase escape */
	cr_assert_eq(mkdir_("NS/A=%2F"), 0);
}

Test(dimensions, a_metric_name_holds_no_equals_sign)
{
	struct metric_info m;
	struct err err = {""};

	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(
		store_metric_create(st, "NS", "a=b", 0644, &alice, &m, &err),
		-EINVAL);
	cr_assert(strstr(err.msg, "a=b") != NULL, "%s", err.msg);
}

Test(dimensions, a_series_made_in_a_missing_set_makes_the_set)
{
	struct node_attr a;

	cr_assert_eq(mkdir_("NS"), 0);
	metric("NS/A=x/B=y", "cpu");
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/A=x", &a), 0);
	cr_assert_eq(a.mode & 07777, 0755); /* the namespace's */
	cr_assert_eq(store_dir_get(st, TREE_NAMESPACES, "NS/A=x/B=y", &a), 0);
}

Test(dimensions, a_step_out_of_order_is_an_alias_while_a_larger_set_holds_it)
{
	struct node_attr a;

	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(mkdir_("NS/Sub"), 0);
	cr_assert_eq(store_dimension_alias(st, "NS/B=y", &a), -ENOENT);
	cr_assert_eq(mkdir_("NS/A=x/B=y/C=z"), 0);
	cr_assert_eq(store_dimension_alias(st, "NS/B=y", &a), 0);
	cr_assert_eq(a.uid, 1000);
	cr_assert_eq(store_dimension_alias(st, "NS/C=z", &a), 0);
	cr_assert_eq(store_dimension_alias(st, "NS/B=y/C=z", &a), 0);
	/* A value that differs, or a set of another namespace: no alias. */
	cr_assert_eq(store_dimension_alias(st, "NS/B=yy", &a), -ENOENT);
	cr_assert_eq(store_dimension_alias(st, "NS/D=1", &a), -ENOENT);
	cr_assert_eq(store_dimension_alias(st, "NS/Sub/B=y", &a), -ENOENT);
	cr_assert_eq(store_dimension_alias(st, "Other/B=y", &a), -ENOENT);
	/* The whole set is no alias of itself: it exists. */
	cr_assert_eq(store_dimension_alias(st, "NS/A=x/B=y/C=z", &a), -ENOENT);
}

struct found {
	int n;
	char paths[8][64];
	int64_t ids[8];
};

static int collect(void *ctx, const struct series *s)
{
	struct found *f = ctx;
	struct strbuf sb = STRBUF_INIT;

	cr_assert_lt(f->n, 8);
	cr_assert_eq(dimension_set_path(&sb, &s->dims, s->dims.count), 0);
	snprintf(f->paths[f->n], sizeof(f->paths[0]), "%s",
		 sb.len ? sb.buf : "-");
	f->ids[f->n++] = s->metric_id;
	strbuf_release(&sb);
	return 0;
}

static struct found series_of(const char *ns, const char *name,
			      const char *selector)
{
	struct dimension_selector sel;
	struct found f = {0};
	struct err err = {""};

	cr_assert_eq(dimension_selector_parse(selector, strlen(selector), &sel,
					      &err),
		     0, "%s", err.msg);
	cr_assert_eq(store_metric_series(st, ns, name, &sel, collect, &f), 0);
	dimension_selector_free(&sel);
	return f;
}

Test(dimensions, series_finds_a_names_series_by_their_dimension_names)
{
	struct found f;
	int64_t plain, web, db, lone;

	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(mkdir_("NS/Sub"), 0);
	plain = metric("NS", "cpu");
	web = metric("NS/Host=a/Role=web", "cpu");
	db = metric("NS/Host=b/Role=db", "cpu");
	lone = metric("NS/Host=c", "cpu");
	metric("NS/Host=a/Role=web", "mem"); /* another name */
	metric("NS/Sub", "cpu");	     /* a deeper namespace's */
	metric("NS/Sub/Host=a", "cpu");	     /* a deeper namespace's set */

	f = series_of("NS", "cpu", "*");
	cr_assert_eq(f.n, 4);
	cr_assert_str_eq(f.paths[0], "-");
	cr_assert_eq(f.ids[0], plain);
	cr_assert_str_eq(f.paths[1], "Host=a/Role=web");
	cr_assert_eq(f.ids[1], web);
	cr_assert_str_eq(f.paths[2], "Host=b/Role=db");
	cr_assert_eq(f.ids[2], db);
	cr_assert_str_eq(f.paths[3], "Host=c");
	cr_assert_eq(f.ids[3], lone);

	f = series_of("NS", "cpu", "Role,Host");
	cr_assert_eq(f.n, 2);
	cr_assert_eq(f.ids[0], web);
	cr_assert_eq(f.ids[1], db);

	f = series_of("NS", "cpu", "Host");
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.ids[0], lone);

	f = series_of("NS", "nothing", "*");
	cr_assert_eq(f.n, 0);
}

Test(dimensions, trail_records_name_the_namespace_and_its_dimensions_apart)
{
	json_t *rec, *params, *dims;

	cr_assert_eq(mkdir_("NS"), 0);
	cr_assert_eq(mkdir_("NS/Host=a%2Fb"), 0);
	metric("NS/Host=a%2Fb", "cpu");
	rec = last_record();
	params = json_object_get(rec, "requestParameters");
	cr_assert_str_eq(
		json_string_value(json_object_get(params, "namespace")), "NS");
	dims = json_object_get(params, "dimensions");
	cr_assert_eq(json_array_size(dims), 1);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(dims, 0), "name")),
			 "Host");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(dims, 0), "value")),
			 "a/b");
	json_decref(rec);
	/* A namespace without dimensions has no "dimensions" member. */
	cr_assert_eq(mkdir_("Plain"), 0);
	rec = last_record();
	params = json_object_get(rec, "requestParameters");
	cr_assert_null(json_object_get(params, "dimensions"));
	json_decref(rec);
}
