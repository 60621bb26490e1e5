#!/usr/bin/env bash
# Deploy the mesh to Cloud Run: sales-agent, review-agent, leadgen-agent, then the gateway,
# each one ready before the next starts, then register the Telegram webhook.
#
#   PROJECT_ID=my-project IMAGE_TAG=0.1.0 \
#   CLOUDSQL_INSTANCE=my-project:europe-west1:mesh \
#   OTEL_EXPORTER_OTLP_ENDPOINT=http://10.8.0.5:4318 \
#       deploy/cloudrun/deploy.sh
#
#   deploy/cloudrun/deploy.sh --render-only DIR    # write the four service files, deploy nothing
#
# Optional: REGION (europe-west1), IMAGE_REPO (REGION-docker.pkg.dev/PROJECT_ID/agent-mesh),
# VPC_NETWORK and VPC_SUBNET (default), PROJECT_NUMBER (looked up), PUBLIC_URL and the
# agents' URLs (Cloud Run's URLs by default), TELEGRAM_API_BASE_URL (Telegram's).
# One-time project setup (images, secrets, service accounts, VPC): README.md beside this.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SERVICES=(sales-agent review-agent leadgen-agent gateway)
# The update types the gateway handles: gateway.polling.ALLOWED_UPDATES.
ALLOWED_UPDATES='["message","callback_query"]'

render_only=""
case "${1:-}" in
    --render-only) render_only=${2:?usage: $0 --render-only DIR} ;;
    "") ;;
    *)
        echo "usage: $0 [--render-only DIR]" >&2
        exit 64
        ;;
esac

: "${PROJECT_ID:?set PROJECT_ID}"
: "${IMAGE_TAG:?set IMAGE_TAG, the release to deploy}"
: "${CLOUDSQL_INSTANCE:?set CLOUDSQL_INSTANCE, as project:region:instance}"
: "${OTEL_EXPORTER_OTLP_ENDPOINT:?set OTEL_EXPORTER_OTLP_ENDPOINT, a collector the services reach}"
REGION=${REGION:-europe-west1}
IMAGE_REPO=${IMAGE_REPO:-$REGION-docker.pkg.dev/$PROJECT_ID/agent-mesh}
VPC_NETWORK=${VPC_NETWORK:-default}
VPC_SUBNET=${VPC_SUBNET:-default}
if [[ -z ${PROJECT_NUMBER:-} ]]; then
    PROJECT_NUMBER=$(gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)')
fi

# Cloud Run's deterministic URLs (https://SERVICE-PROJECT_NUMBER.REGION.run.app) are known
# before anything runs, so every file is rendered, and checked, before the first deploy.
run_url() { printf 'https://%s-%s.%s.run.app' "$1" "$PROJECT_NUMBER" "$REGION"; }
SALES_AGENT_URL=${SALES_AGENT_URL:-$(run_url sales-agent)}
REVIEW_AGENT_URL=${REVIEW_AGENT_URL:-$(run_url review-agent)}
LEADGEN_AGENT_URL=${LEADGEN_AGENT_URL:-$(run_url leadgen-agent)}
PUBLIC_URL=${PUBLIC_URL:-$(run_url gateway)}
PUBLIC_URL=${PUBLIC_URL%/}

PLACEHOLDERS=(
    PROJECT_ID REGION IMAGE_REPO IMAGE_TAG CLOUDSQL_INSTANCE OTEL_EXPORTER_OTLP_ENDPOINT
    VPC_NETWORK VPC_SUBNET SALES_AGENT_URL REVIEW_AGENT_URL LEADGEN_AGENT_URL PUBLIC_URL
)

# render SOURCE TARGET: fill in ${NAME} for the names above; refuse a file with any other.
render() {
    local text name left
    text=$(<"$1")
    for name in "${PLACEHOLDERS[@]}"; do
        text=${text//"\${$name}"/"${!name}"}
    done
    # shellcheck disable=SC2016  # a literal "${", left over
    if [[ $text == *'${'* ]]; then
        left=$(grep -o '\${[^}]*}' <<<"$text" | sort -u | tr '\n' ' ')
        echo "$1: unknown placeholders: $left" >&2
        return 1
    fi
    printf '%s\n' "$text" >"$2"
}

if [[ -n $render_only ]]; then
    out=$render_only
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
for service in "${SERVICES[@]}"; do
    render "$here/$service.yaml" "$out/$service.yaml"
done
if [[ -n $render_only ]]; then
    echo "rendered ${SERVICES[*]} into $out"
    exit 0
fi

# In order: `replace` returns once the new revision is ready (and fails if it is not), so
# every agent answers before the gateway, whose tools they are, takes traffic.
for service in "${SERVICES[@]}"; do
    echo "deploying $service ($IMAGE_REPO/$service:$IMAGE_TAG) ..."
    gcloud run services replace "$out/$service.yaml" \
        --project "$PROJECT_ID" --region "$REGION" --quiet
done

# The gateway registers its webhook at start-up too; registering here, and reading it
# back, makes a wrong PUBLIC_URL or secret fail the deploy instead of a chat going silent.
webhook="$PUBLIC_URL/telegram/webhook"
echo "registering the Telegram webhook: $webhook ..."
token=$(gcloud secrets versions access latest --secret=telegram-bot-token --project "$PROJECT_ID")
secret=$(gcloud secrets versions access latest --secret=telegram-webhook-secret \
    --project "$PROJECT_ID")
api=${TELEGRAM_API_BASE_URL:-https://api.telegram.org}

json_escape() {
    local s=${1//\\/\\\\}
    printf '%s' "${s//\"/\\\"}"
}
# telegram METHOD JSON: one Bot API call. The token is part of the URL, so curl reads the
# URL and the body from its standard input, never from its (visible) command line.
telegram() {
    curl --silent --show-error --max-time 30 --config - <<EOF
url = "$api/bot$token/$1"
header = "Content-Type: application/json"
data = "$(json_escape "$2")"
EOF
}

answer=$(telegram setWebhook \
    "{\"url\": \"$webhook\", \"secret_token\": \"$secret\", \"allowed_updates\": $ALLOWED_UPDATES}")
if [[ $answer != *'"ok":true'* ]]; then
    echo "Telegram refused the webhook: $answer" >&2
    exit 1
fi
info=$(telegram getWebhookInfo '{}')
info=${info//'\/'/'/'}  # JSON may escape the slashes
if [[ $info != *"\"url\":\"$webhook\""* ]]; then
    echo "Telegram reports another webhook: $info" >&2
    exit 1
fi
echo "done: Telegram delivers to $webhook"
