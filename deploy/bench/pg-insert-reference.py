#!/usr/bin/python3
"""PostgreSQL insert-rate references for `touchpoint-bench store` (Debian's python3-psycopg2, libpq).

  pg-insert-reference.py --database URL [--rows 200000] [--single-rows 5000]

Into a fresh scratch table shaped like an interaction row (ids, addresses, subject, timestamps,
size; ~200 bytes), each method committed and timed from the first row to the COMMIT:
  copy      COPY … FROM STDIN (text format) of --rows rows, one transaction
  multirow  INSERT … VALUES (…),(…)… with 1,000 rows per statement, one transaction
  single    one INSERT per row, autocommit (one fsync'd commit per row), --single-rows rows
Prints one logfmt line per method:
  bench=pg-reference method=M rows=N seconds=S rows_per_s=X
psql-copy, psql-multirow, psql-single: the same through psql reading files prepared beforehand (no Python
formatting in the timed part; psql start-up, ~10 ms, is included).
psql-copy-narrow, psql-multirow-narrow: into a two-column table without indexes (id, address): the
server's upper bound on this disk, to tell table shape from machine speed.
The scratch table (touchpoint_bench_reference) is dropped at the end; the files go to --workdir.
"""
import argparse
import io
import os
import subprocess
import sys
import time

import psycopg2
import psycopg2.extras

TABLE = "touchpoint_bench_reference"
COLUMNS = "(mailbox_id, uid, message_id, from_address, to_address, subject, sent_at, received_at, size_bytes)"


def make_rows(n):
    rows = []
    for i in range(n):
        rows.append((1 + i % 10, i + 1, "<%d.%x@mail.example.com>" % (i, i * 2654435761 % 2**32),
                     "customer%d@example.org" % (i % 5000), "sales@example.com",
                     "Re: order %d: delivery schedule and invoice" % i,
                     "2024-01-%02d 10:%02d:%02d+00" % (1 + i % 28, i % 60, i % 60),
                     "2024-01-%02d 10:%02d:%02d+00" % (1 + i % 28, i % 60, (i + 7) % 60),
                     1000 + i % 50000))
    return rows


def recreate(conn, narrow=False):
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS %s" % TABLE)
        if narrow:  # two columns, no index: the upper bound the server reaches on this disk
            cur.execute("CREATE TABLE %s (id bigint NOT NULL, address text NOT NULL)" % TABLE)
            conn.commit()
            return
        cur.execute("""CREATE TABLE %s (
            id bigserial PRIMARY KEY, mailbox_id integer NOT NULL, uid bigint NOT NULL,
            message_id text NOT NULL, from_address text NOT NULL, to_address text NOT NULL,
            subject text NOT NULL, sent_at timestamptz NOT NULL, received_at timestamptz NOT NULL,
            size_bytes integer NOT NULL, UNIQUE (mailbox_id, uid))""" % TABLE)
    conn.commit()


def by_copy(conn, rows):
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join(str(v) for v in r))
        buf.write("\n")
    text = buf.getvalue()
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.copy_expert("COPY %s %s FROM STDIN" % (TABLE, COLUMNS), io.StringIO(text))
    conn.commit()
    return time.perf_counter() - start


def by_multirow(conn, rows):
    start = time.perf_counter()
    with conn.cursor() as cur:
        psycopg2.extras.execute_values(cur, "INSERT INTO %s %s VALUES %%s" % (TABLE, COLUMNS), rows, page_size=1000)
    conn.commit()
    return time.perf_counter() - start


def by_single(conn, rows):
    conn.autocommit = True
    sql = "INSERT INTO %s %s VALUES (%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s)" % (TABLE, COLUMNS)
    start = time.perf_counter()
    with conn.cursor() as cur:
        for r in rows:
            cur.execute(sql, r)
    seconds = time.perf_counter() - start
    conn.autocommit = False
    return seconds


def sql_literal(v):
    return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"


def run_psql(database, path, stdin_path=None, command=None):
    argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database]
    argv += ["-c", command] if command else ["-f", path]
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        subprocess.run(argv, stdin=stdin, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        if stdin_path:
            stdin.close()


def psql_methods(database, rows, single_rows, workdir):
    """The same three methods through psql reading prepared files: no client-side formatting is timed."""
    os.makedirs(workdir, exist_ok=True)
    copy_path = os.path.join(workdir, "pg-copy.tsv")
    with open(copy_path, "w") as f:
        for r in rows:
            f.write("\t".join(str(v) for v in r) + "\n")
    multi_path = os.path.join(workdir, "pg-multirow.sql")
    with open(multi_path, "w") as f:
        f.write("BEGIN;\n")
        for i in range(0, len(rows), 1000):
            f.write("INSERT INTO %s %s VALUES\n" % (TABLE, COLUMNS))
            f.write(",\n".join("(" + ",".join(sql_literal(v) for v in r) + ")" for r in rows[i:i + 1000]))
            f.write(";\n")
        f.write("COMMIT;\n")
    single_path = os.path.join(workdir, "pg-single.sql")
    with open(single_path, "w") as f:
        for r in rows[:single_rows]:
            f.write("INSERT INTO %s %s VALUES (%s);\n" % (TABLE, COLUMNS, ",".join(sql_literal(v) for v in r)))
    narrow_copy = os.path.join(workdir, "pg-copy-narrow.tsv")
    with open(narrow_copy, "w") as f:
        for i in range(len(rows)):
            f.write("%d\tcustomer%d@example.org\n" % (i, i))
    narrow_multi = os.path.join(workdir, "pg-multirow-narrow.sql")
    with open(narrow_multi, "w") as f:
        f.write("BEGIN;\n")
        for i in range(0, len(rows), 1000):
            f.write("INSERT INTO %s (id, address) VALUES\n" % TABLE)
            f.write(",\n".join("(%d,'customer%d@example.org')" % (j, j) for j in range(i, min(i + 1000, len(rows)))))
            f.write(";\n")
        f.write("COMMIT;\n")
    return {
        "psql-copy-narrow": (lambda conn: run_psql(database, None, narrow_copy, "COPY %s (id, address) FROM STDIN" % TABLE),
                             len(rows)),
        "psql-multirow-narrow": (lambda conn: run_psql(database, narrow_multi), len(rows)),
        "psql-copy": (lambda conn: run_psql(database, None, copy_path, "COPY %s %s FROM STDIN" % (TABLE, COLUMNS)),
                      len(rows)),
        "psql-multirow": (lambda conn: run_psql(database, multi_path), len(rows)),
        "psql-single": (lambda conn: run_psql(database, single_path), min(single_rows, len(rows))),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", required=True)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--single-rows", type=int, default=5000)
    ap.add_argument("--methods", default="copy,multirow,single,psql-copy,psql-multirow,psql-single,psql-copy-narrow,psql-multirow-narrow")
    ap.add_argument("--workdir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    args = ap.parse_args()
    conn = psycopg2.connect(args.database)
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit'), version()")
        fsync, sync_commit, version = cur.fetchone()
    conn.commit()
    print("bench=pg-settings fsync=%s synchronous_commit=%s server=\"%s\"" % (fsync, sync_commit, version.split(",")[0]))
    rows = make_rows(args.rows)
    methods = {"copy": (lambda c: by_copy(c, rows), len(rows)),
               "multirow": (lambda c: by_multirow(c, rows), len(rows)),
               "single": (lambda c: by_single(c, rows[:args.single_rows]), min(args.single_rows, len(rows)))}
    wanted = args.methods.split(",")
    if any(m.startswith("psql-") for m in wanted):
        methods.update(psql_methods(args.database, rows, args.single_rows, args.workdir))
    try:
        for name in wanted:
            run, count = methods[name]
            recreate(conn, narrow=name.endswith("-narrow"))
            seconds = run(conn)
            print("bench=pg-reference method=%s rows=%d seconds=%.3f rows_per_s=%.0f"
                  % (name, count, seconds, count / seconds))
            sys.stdout.flush()
    finally:
        conn.rollback()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS %s" % TABLE)
        conn.close()


if __name__ == "__main__":
    main()
