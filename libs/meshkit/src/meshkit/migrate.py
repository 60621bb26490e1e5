"""`python -m meshkit.migrate PACKAGE`: apply one service's migrations, then exit.

A deployment step for before a release starts (a Kubernetes Job, a release hook). Every
service applies its migrations at start-up anyway, under the same per-schema advisory lock,
so this step is optional and racing it against starting replicas is safe; running it first
only keeps schema changes out of the replicas' start-up time and shows a failed migration
as a failed step. It reads the service's own settings (`PACKAGE.config.Settings`: the same
environment as the service) for `DATABASE_URL` and the schema, and seeds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
from importlib.resources import files

import asyncpg

from meshkit.db import (
    DatabaseConfigError,
    MigrationError,
    load_migrations,
    prepare_database,
    resolve_database_url,
)
from meshkit.logs import configure_logging
from meshkit.settings import ServiceSettings, SettingsError, load_settings

log = logging.getLogger("meshkit.migrate")


def settings_class(package: str) -> type[ServiceSettings]:
    """The service's settings class, `<package>.config.Settings`."""
    try:
        module = importlib.import_module(f"{package}.config")
    except ModuleNotFoundError as exc:
        raise LookupError(f"{package!r} is not an installed service package ({exc})") from None
    cls = getattr(module, "Settings", None)
    if not (isinstance(cls, type) and issubclass(cls, ServiceSettings)):
        raise LookupError(f"{package}.config has no Settings class built on ServiceSettings")
    return cls


async def migrate_service(package: str, settings: ServiceSettings) -> list[int]:
    """Apply `package`'s pending migrations to its schema; the versions applied."""
    dsn = await resolve_database_url(
        settings.database_url.get_secret_value() if settings.database_url else None
    )
    migrations = load_migrations(files(package) / "migrations")
    return await prepare_database(dsn, settings.db_schema, migrations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m meshkit.migrate",
        description="Apply a service's database migrations (under the advisory lock) and exit.",
    )
    parser.add_argument(
        "package", help="the service's package: sales_agent (or sales-agent), gateway, ..."
    )
    args = parser.parse_args(argv)
    package = args.package.replace("-", "_")
    try:
        cls = settings_class(package)
    except LookupError as exc:
        parser.error(str(exc))
    try:
        settings = load_settings(cls)
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    try:
        applied = asyncio.run(migrate_service(package, settings))
    except (MigrationError, DatabaseConfigError, OSError, asyncpg.PostgresError) as exc:
        log.error("migration failed", extra={"error": str(exc), "schema": settings.db_schema})
        return 1
    log.info(
        "migrations up to date",
        extra={"schema": settings.db_schema, "applied": applied},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
