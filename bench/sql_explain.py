"""EXPLAIN (ANALYZE, BUFFERS) of the statements inside a SQL or PL/pgSQL function.

EXPLAIN of `SELECT f(x)` shows one Result node: the function's own queries are
planned inside it. This server has no auto_explain, so the statements are
taken from the function's source in pg_proc (not copied by hand, so they
cannot drift from the migration), its arguments and PL/pgSQL variables
replaced by literals or their declared expressions, and explained one by one.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

BIG_TABLES = ("leads", "lead_products", "lead_activity", "assignments")


def _split_statements(body: str) -> list[str]:
    """Split on semicolons outside parentheses and quotes."""
    statements, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(body):
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and char == ";" and depth == 0:
            statements.append(body[start:i])
            start = i + 1
    statements.append(body[start:])
    return [" ".join(s.split()) for s in statements if s.strip()]


def _strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def _plpgsql_parts(source: str) -> tuple[dict[str, str], list[str]]:
    """(variable -> expression, statements) of a PL/pgSQL body."""
    source = _strip_comments(source)
    declare, _, body = source.partition("BEGIN")
    body = body.rsplit("END", 1)[0]
    variables: dict[str, str] = {}
    for declaration in _split_statements(declare.replace("DECLARE", "", 1)):
        for name, type_and_default in _declarations(declaration):
            vtype, _, default = type_and_default.partition(":=")
            variables[name] = f"({default.strip()})::{vtype.strip()}" if default else f"NULL::{vtype.strip()}"
    statements = []
    for statement in _split_statements(body):
        if statement.upper().startswith("RETURN QUERY"):
            statement = statement[len("RETURN QUERY") :].strip()
        elif statement.upper().startswith("RETURN"):
            statement = "SELECT " + statement[len("RETURN") :].strip()
        if not statement.upper().startswith("SELECT") or " FROM " not in statement.upper():
            continue  # assignments and RETURN of a variable read no table
        # SELECT ... INTO a, b FROM ...: the INTO target is PL/pgSQL, not SQL.
        statement = re.sub(r"\s+INTO\s+\w+(\s*,\s*\w+)*\s+(?=FROM\b)", " ", statement, flags=re.IGNORECASE)
        statements.append(statement)
    return variables, statements


def _declarations(declaration: str) -> list[tuple[str, str]]:
    """`a bigint` or `a bigint; b bigint` or `a, b bigint` forms, as (name, rest)."""
    match = re.match(r"\s*(\w+)\s+(.*)", declaration)
    return [(match.group(1), match.group(2))] if match else []


def function_statements(
    conn: psycopg.Connection, schema: str, name: str, arguments: dict[str, sql.Composable]
) -> tuple[list[str], bool]:
    """(statements with arguments and variables substituted, security_definer)."""
    source, language, definer = conn.execute(
        "SELECT p.prosrc, l.lanname, p.prosecdef FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
        " WHERE p.proname = %s AND p.pronamespace = %s::regnamespace",
        [name, schema],
    ).fetchone()
    if language == "sql":
        variables, statements = {}, _split_statements(_strip_comments(source))
    else:
        variables, statements = _plpgsql_parts(source)
    replacements = {key: value.as_string(conn) for key, value in arguments.items()} | variables
    substituted = []
    for statement in statements:
        for key, value in replacements.items():
            statement = re.sub(rf"(?<![.'\w]){re.escape(key)}(?![\w'])", lambda _m, v=value: v, statement)
        substituted.append(statement)
    return substituted, definer


def explain(conn: psycopg.Connection, statement: str) -> list[str]:
    rows = conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + sql.SQL(statement)).fetchall()
    return [row[0] for row in rows]


def key_lines(plan: list[str]) -> list[str]:
    """Scan nodes (which index or table), the top node's buffers, and the total time."""
    if plan[0].startswith("ERROR"):
        return plan
    keep = [plan[0].strip()]
    if len(plan) > 1 and "Buffers" in plan[1]:
        keep.append(plan[1].strip())
    keep += [line.strip() for line in plan if "Scan" in line and "->" in line]
    keep += [line.strip() for line in plan if line.startswith("Execution Time")]
    return keep


def big_table_seq_scans(plan: list[str]) -> list[str]:
    """Seq Scan nodes on the four big tables: what the targets forbid."""
    return [line.strip() for line in plan if re.search(r"Seq Scan on (\w+\.)?(" + "|".join(BIG_TABLES) + r")\b", line)]


def uses_index(plan: list[str]) -> bool:
    return any(re.search(r"Index (Only )?Scan|Bitmap Index Scan", line) for line in plan)
