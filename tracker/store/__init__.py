"""The SQL store: tables, engine, migrations, upserts and queries."""
