// Why this shim exists: libpq's diagnostic field codes (PG_DIAG_SQLSTATE, ...) are macros
// that Swift imports inconsistently as character literals; these return them as plain ints.
// pkg-config supplies -I/usr/include/postgresql for libpq-fe.h.
#ifndef TOUCHPOINT_CLIBPQ_SHIM_H
#define TOUCHPOINT_CLIBPQ_SHIM_H

#include <libpq-fe.h>

static inline int tp_pg_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int tp_pg_diag_severity(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }
static inline int tp_pg_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int tp_pg_diag_message_detail(void) { return PG_DIAG_MESSAGE_DETAIL; }
static inline int tp_pg_diag_message_hint(void) { return PG_DIAG_MESSAGE_HINT; }
static inline int tp_pg_diag_constraint_name(void) { return PG_DIAG_CONSTRAINT_NAME; }
static inline int tp_pg_diag_table_name(void) { return PG_DIAG_TABLE_NAME; }
static inline int tp_pg_diag_column_name(void) { return PG_DIAG_COLUMN_NAME; }

#endif
