#!/bin/sh
# Install one workspace package and exactly its locked runtime dependencies into a fresh
# virtual environment, from wheels. The Dockerfile runs this; so does tests/test_deploy.py,
# which starts the service from the result, so the image recipe is exercised without Docker.
#
#   deploy/install-service.sh PACKAGE VENV      e.g. deploy/install-service.sh gateway /opt/venv
#
# Third-party packages come pinned and hash-checked from uv.lock; workspace members (the
# service, meshkit, generated clients) are built as wheels, so nothing is installed editable
# and no source tree is needed at run time. Dev-only packages (meshdev, pytest, ...) are in
# no service's dependencies, so they never reach a production image.
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: $0 PACKAGE VENV" >&2
    exit 64
fi
package=$1
mkdir -p "$(dirname "$2")"
venv="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --locked: a uv.lock that no longer matches the pyproject files fails the build.
uv export --locked --no-dev --package "$package" --no-emit-workspace \
    --format requirements.txt --no-header --output-file "$work/requirements.txt" --quiet
uv export --locked --no-dev --package "$package" --no-editable --no-hashes \
    --format requirements.txt --no-header --no-annotate --quiet |
    sed -n 's|^\./||p' >"$work/members.txt"
if [ ! -s "$work/members.txt" ]; then
    echo "$package: no workspace members to build" >&2
    exit 1
fi
while read -r member; do
    uv build --wheel --out-dir "$work/wheels" --quiet "$member"
done <"$work/members.txt"

uv venv --quiet "$venv"
uv pip install --quiet --python "$venv/bin/python" --compile-bytecode \
    --require-hashes --no-deps --requirement "$work/requirements.txt"
uv pip install --quiet --python "$venv/bin/python" --compile-bytecode \
    --no-deps "$work"/wheels/*.whl
# Every requirement of every installed distribution is met: nothing was left out.
uv pip check --quiet --python "$venv/bin/python"
