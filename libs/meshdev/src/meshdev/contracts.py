"""Contracts: export each service's OpenAPI document and regenerate the typed clients.

`contracts/openapi/<service>.json` is the committed contract; `contracts/clients/
<service>-client/` is generated from it by openapi-python-client and never edited by hand.
"""

from __future__ import annotations

import filecmp
import importlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from meshdev.localenv import repo_root

GENERATOR_VERSION = "0.29.1"


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    module: str
    has_client: bool = True

    @property
    def client_project(self) -> str:
        return f"{self.name}-client"

    @property
    def client_package(self) -> str:
        return self.client_project.replace("-", "_")


SERVICES = (
    Service("sales-agent", "sales_agent"),
    Service("review-agent", "review_agent"),
    Service("leadgen-agent", "leadgen_agent"),
    # Nothing calls the gateway through a generated client: Telegram and scripts use HTTP.
    Service("gateway", "gateway", has_client=False),
)
AGENTS = tuple(s for s in SERVICES if s.has_client)


def contracts_dir() -> Path:
    return repo_root() / "contracts"


def contract_path(service: Service) -> Path:
    return contracts_dir() / "openapi" / f"{service.name}.json"


def client_path(service: Service) -> Path:
    return contracts_dir() / "clients" / service.client_project


def render_contract(service: Service) -> str:
    """The service's OpenAPI document as the running code produces it."""
    from meshkit.openapi import render_openapi
    from meshkit.settings import load_settings

    main = importlib.import_module(f"{service.module}.main")
    config = importlib.import_module(f"{service.module}.config")
    settings = load_settings(config.Settings, MESH_ENV="test", LOG_LEVEL="WARNING")
    return render_openapi(main.create_app(settings))


def _generator_config(service: Service, directory: Path) -> Path:
    config = directory / f"{service.name}-config.yaml"
    ruff = f"{sys.executable} -m ruff"
    config.write_text(
        f"project_name_override: {service.client_project}\n"
        f"package_name_override: {service.client_package}\n"
        "post_hooks:\n"
        f"  - '{ruff} check --isolated --fix-only --quiet .'\n"
        f"  - '{ruff} format --isolated --quiet .'\n"
    )
    return config


def generate_client(service: Service, contract: Path, output: Path) -> None:
    """Run openapi-python-client on `contract`, writing a fresh client to `output`."""
    with tempfile.TemporaryDirectory() as tmp:
        config = _generator_config(service, Path(tmp))
        target = Path(tmp) / service.client_project
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(contract),
                "--meta",
                "uv",
                "--config",
                str(config),
                "--output-path",
                str(target),
                "--fail-on-warning",
                "--overwrite",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"openapi-python-client failed for {service.name}:\n{result.stdout}{result.stderr}"
            )
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(target, output)


def export_all() -> list[Path]:
    """Write every contract and regenerate every client. Returns the files written."""
    written = []
    for service in SERVICES:
        path = contract_path(service)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_contract(service))
        written.append(path)
        if service.has_client:
            generate_client(service, path, client_path(service))
            written.append(client_path(service))
    return written


def _tree_differences(left: Path, right: Path) -> list[str]:
    out: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(f"{prefix}{name} (only in committed)" for name in cmp.left_only)
        out.extend(f"{prefix}{name} (missing from committed)" for name in cmp.right_only)
        out.extend(f"{prefix}{name} (differs)" for name in cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__", ".ruff_cache"]), "")
    return out


def check_all() -> list[str]:
    """Every way the code, committed contracts and committed clients disagree."""
    problems = []
    for service in SERVICES:
        path = contract_path(service)
        current = render_contract(service)
        if not path.exists():
            problems.append(f"{path} is missing")
            continue
        if path.read_text() != current:
            problems.append(f"{path} differs from what {service.name}'s code publishes")
        if service.has_client:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = Path(tmp) / service.client_project
                generate_client(service, path, fresh)
                committed = client_path(service)
                if not committed.exists():
                    problems.append(f"{committed} is missing")
                    continue
                for diff in _tree_differences(committed, fresh):
                    problems.append(f"{committed}: {diff}")
    return problems
