/*
 * sql_dialect: the store's SQL, written in sqlite's dialect where it and
 * PostgreSQL's agree, turned into PostgreSQL's where they do not. Pure
 * text: the statements are ours, so the turns needed are few and known.
 *
 *   ?N and ?           $N, the bare ones numbered in order
 *   INSERT OR IGNORE   INSERT ... ON CONFLICT DO NOTHING
 *   BEGIN IMMEDIATE    BEGIN (the store takes its fleet-wide lock itself)
 *   instr(a, b)        strpos(a, b)
 *   offset             "offset" (a column of ours, a reserved word there:
 *                      the store's SQL writes the keyword OFFSET in capitals)
 *
 * Quoted text ('...', "...") is copied as it is.
 */
#ifndef MONFS_LIB_SQL_DIALECT_H
#define MONFS_LIB_SQL_DIALECT_H

#include <stdbool.h>

/*
 * PostgreSQL's text for sqlite's sql, allocated (free it), and in
 * *nparams the number of parameters it takes. NULL when out of memory.
 */
char *sql_to_postgres(const char *sql, int *nparams);

/*
 * Whether PostgreSQL's text pg_sql refers to its parameter $k. One it
 * does not (sqlite's ?2 left out of one statement of a family that binds
 * it) has no type PostgreSQL can infer: the driver declares it text.
 */
bool sql_param_used(const char *pg_sql, int k);

#endif
