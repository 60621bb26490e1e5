"""`mesh`: the project's command line (run the mesh, contracts, tokens)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Run and develop the agent mesh.", no_args_is_help=True)
contracts_app = typer.Typer(help="OpenAPI contracts and generated clients.", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")


@contracts_app.command("export")
def contracts_export(
    service: Annotated[
        list[str] | None, typer.Option(help="Only these services (default: all).")
    ] = None,
) -> None:
    """Write contracts/openapi/*.json from the code and regenerate contracts/clients/."""
    from meshdev import contracts

    selected = [s for s in contracts.SERVICES if not service or s.name in service]
    for item in selected:
        path = contracts.contract_path(item)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(contracts.render_contract(item))
        typer.echo(f"wrote {path.relative_to(contracts.contracts_dir().parent)}")
        if item.has_client:
            contracts.generate_client(item, path, contracts.client_path(item))
            client = contracts.client_path(item).relative_to(contracts.contracts_dir().parent)
            typer.echo(f"generated {client}")


@contracts_app.command("check")
def contracts_check() -> None:
    """Fail when code, committed contracts and committed clients disagree."""
    from meshdev import contracts

    problems = contracts.check_all()
    if problems:
        typer.echo("Contracts are out of date:", err=True)
        for problem in problems:
            typer.echo(f"  - {problem}", err=True)
        typer.echo("Run `make contracts` and commit the result.", err=True)
        raise typer.Exit(1)
    typer.echo("contracts and clients match the code")


@app.command("token")
def token(
    audience: Annotated[str, typer.Argument(help="The service the token is for.")],
    caller: Annotated[str, typer.Option(help="The calling service it names.")] = "mesh-cli",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print a service token for calling an agent by hand (for /docs or curl)."""
    from meshdev.localenv import local_service_secret
    from meshkit.auth import TokenMinter

    typer.echo(TokenMinter(local_service_secret(), caller, ttl).mint(audience))


@app.command("run")
def run(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    base_port: Annotated[int, typer.Option(help="Agents listen on base+1, base+2, ...")] = 8100,
    check: Annotated[
        bool, typer.Option("--check", help="Start, verify the seeded data, then stop.")
    ] = False,
) -> None:
    """Run the whole mesh locally on an embedded PostgreSQL."""
    import asyncio

    from meshdev.mesh import run_mesh

    raise typer.Exit(
        asyncio.run(run_mesh(host=host, base_port=base_port, check=check, echo=typer.echo))
    )


def main() -> None:
    app()
