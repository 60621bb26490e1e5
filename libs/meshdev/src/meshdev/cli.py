"""`mesh`: the project's command line (run the mesh, contracts, tokens)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(help="Run and develop the agent mesh.", no_args_is_help=True)
contracts_app = typer.Typer(help="OpenAPI contracts and generated clients.", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")
traces_app = typer.Typer(
    help="Traces of the local mesh (.data/traces): one trace per message.", no_args_is_help=True
)
app.add_typer(traces_app, name="traces")


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


@contracts_app.command("diff")
def contracts_diff(
    old: Annotated[
        str,
        typer.Argument(help="Old contracts: a directory of <service>.json files, or git:<ref>."),
    ],
    new: Annotated[
        str | None,
        typer.Argument(
            help="New contracts, the same way (default: the working tree's).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        Literal["markdown", "json"], typer.Option("--format", help="Report format.")
    ] = "markdown",
    announcements: Annotated[
        Path | None,
        typer.Option(
            help="Apply the policy with this announcements file (contracts/announcements.toml)."
        ),
    ] = None,
) -> None:
    """Classify every change between two versions of the contracts. Exits 1 on a breaking
    change; with --announcements, on an unannounced one or a version bump that is wrong."""
    from meshdev.contractdiff.documents import ContractError
    from meshdev.contractdiff.gitref import GitError
    from meshdev.contractdiff.report import render
    from meshdev.contractdiff.review import run_diff
    from meshdev.localenv import repo_root

    try:
        review = run_diff(old, new, repo=repo_root(), announcements=announcements)
    except (ContractError, GitError, NotADirectoryError) as exc:
        typer.echo(f"mesh contracts diff: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(render(review, output_format), nl=False)
    raise typer.Exit(0 if review.passed else 1)


@contracts_app.command("review")
def contracts_review(
    base: Annotated[
        str | None,
        typer.Option(
            help="Review against the merge-base with this ref (default: origin/main, else HEAD~1)."
        ),
    ] = None,
) -> None:
    """CI's contract review: the working tree's contracts against the base, with the
    announcements in contracts/announcements.toml. Prints Markdown (also appended to
    $GITHUB_STEP_SUMMARY when set); exits 1 on an unannounced breaking change or a wrong
    version bump."""
    import os

    from meshdev.contractdiff.documents import ContractError
    from meshdev.contractdiff.gitref import GitError
    from meshdev.contractdiff.report import render_markdown
    from meshdev.contractdiff.review import run_review
    from meshdev.localenv import repo_root

    try:
        review = run_review(repo_root(), base)
    except (ContractError, GitError) as exc:
        typer.echo(f"mesh contracts review: {exc}", err=True)
        raise typer.Exit(2) from None
    if review is None:
        markdown = (
            "## Contract review: nothing to compare\n\n"
            "No base commit (first commit or shallow clone); pass --base REF to choose one.\n"
        )
    else:
        markdown = render_markdown(review)
    typer.echo(markdown, nl=False)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    raise typer.Exit(0 if review is None or review.passed else 1)


@traces_app.command("show")
def traces_show(
    trace_id: Annotated[
        str | None, typer.Argument(help="A trace id (or a unique start of one).")
    ] = None,
    chat: Annotated[
        int | None, typer.Option("--chat", help="The latest trace of this Telegram chat.")
    ] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="The latest message's trace (the default).")
    ] = False,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where the trace files are (.data/traces).")
    ] = None,
) -> None:
    """Print a trace as a waterfall across services: durations, model calls, tool calls,
    database statements and errors."""
    from meshdev.traces.sink import traces_dir
    from meshdev.traces.waterfall import find_trace, group_traces, load_spans, render

    if trace_id and (chat is not None or latest):
        typer.echo("Give a trace id, --chat or --latest, not several.", err=True)
        raise typer.Exit(2)
    folder = directory or traces_dir()
    traces = group_traces(load_spans(folder))
    found = find_trace(traces, trace_id=trace_id, chat_id=chat)
    if found is None:
        wanted = (
            f"trace {trace_id}" if trace_id else f"chat {chat}" if chat is not None else "trace"
        )
        typer.echo(f"No {wanted} in {folder} ({len(traces)} traces there).", err=True)
        raise typer.Exit(1)
    for line in render(found):
        typer.echo(line)


@traces_app.command("list")
def traces_list(
    limit: Annotated[int, typer.Option(help="How many, newest last.")] = 20,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where the trace files are (.data/traces).")
    ] = None,
) -> None:
    """The latest traces, one line each: id, start, duration, spans, root span, chat."""
    from meshdev.traces.sink import traces_dir
    from meshdev.traces.waterfall import group_traces, load_spans, summary

    for trace in group_traces(load_spans(directory or traces_dir()))[-limit:]:
        typer.echo(summary(trace))


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


@app.command("chat", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def chat(ctx: typer.Context) -> None:
    """Talk to the bot through the local Telegram emulator, as a Telegram user would.

    Options: --url, --user-id, --chat-id, --first-name, --username, --plain."""
    from meshdev.telegram_emulator.chat import main as chat_main

    chat_main(list(ctx.args))


@app.command("offline-model")
def offline_model(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8109,
) -> None:
    """Serve the bundled offline model (the Messages API, deterministic) on its own."""
    from meshdev.offline_model.server import serve

    serve(host, port)


def main() -> None:
    app()
