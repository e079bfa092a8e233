/*
 * Unit tests for lib/sql_dialect.c: the store's SQL, written in sqlite's
 * dialect, as PostgreSQL reads it (SPEC 17) — parameters numbered,
 * sqlite's words turned into PostgreSQL's, quoted text left alone.
 */
#include "lib/sql_dialect.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* sql_to_postgres of sql, checked against want and its parameters. */
static void turns(const char *sql, const char *want, int want_params)
{
	int n = -1;
	char *got = sql_to_postgres(sql, &n);

	cr_assert_not_null(got);
	cr_expect_str_eq(got, want);
	cr_expect_eq(n, want_params, "%s: %d parameters, not %d", sql, n,
		     want_params);
	free(got);
}

Test(sql_dialect, numbered_parameters_keep_their_numbers)
{
	turns("SELECT a FROM t WHERE b = ?2 AND c = ?1",
	      "SELECT a FROM t WHERE b = $2 AND c = $1", 2);
	turns("UPDATE t SET a = ?10 WHERE id = ?1",
	      "UPDATE t SET a = $10 WHERE id = $1", 10);
}

Test(sql_dialect, bare_parameters_are_numbered_in_order)
{
	turns("INSERT INTO t VALUES (?, ?, ?)",
	      "INSERT INTO t VALUES ($1, $2, $3)", 3);
}

Test(sql_dialect, quoted_text_is_copied_as_it_is)
{
	turns("SELECT '?1 instr(' FROM \"offset?\" WHERE a = ?1",
	      "SELECT '?1 instr(' FROM \"offset?\" WHERE a = $1", 1);
}

Test(sql_dialect, insert_or_ignore_is_on_conflict_do_nothing)
{
	turns("INSERT OR IGNORE INTO t (a) VALUES (?1)",
	      "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING", 1);
	/* before RETURNING, which must come last */
	turns("INSERT OR IGNORE INTO t (a) VALUES (?1) RETURNING id",
	      "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"
	      " RETURNING id",
	      1);
}

Test(sql_dialect, sqlite_words_become_postgresqls)
{
	turns("BEGIN IMMEDIATE", "BEGIN", 0);
	/* shorter than the words looked for: nothing read past the end */
	turns("BEGIN", "BEGIN", 0);
	turns("INSERT", "INSERT", 0);
	turns("INSERT OR", "INSERT OR", 0);
	turns("SELECT instr(name, '/') FROM t",
	      "SELECT strpos(name, '/') FROM t", 0);
	/* the column offset is quoted; the keyword OFFSET is not */
	turns("SELECT offset FROM r WHERE offset > ?1 LIMIT 5 OFFSET 2",
	      "SELECT \"offset\" FROM r WHERE \"offset\" > $1 LIMIT 5 OFFSET 2",
	      1);
	/* a word that merely contains one is left alone */
	turns("SELECT end_offset, offsets FROM r",
	      "SELECT end_offset, offsets FROM r", 0);
}

Test(sql_dialect, a_parameter_left_out_is_known_as_unused)
{
	const char *sql = "UPDATE t SET a = $3 WHERE name = $1 AND b = $12";

	cr_expect(sql_param_used(sql, 1));
	cr_expect_not(sql_param_used(sql, 2));
	cr_expect(sql_param_used(sql, 3));
	cr_expect(sql_param_used(sql, 12));
	cr_expect_not(sql_param_used(sql, 4));
}
