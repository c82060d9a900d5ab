#!/usr/bin/env bash
# Smoke test of a deployed (or local) instance:
#   scripts/smoke.sh https://app-xxxx.azurewebsites.net
# Waits for readiness (azd deploy sets the image and returns while the new container still starts: up to
# SMOKE_READY_TIMEOUT_SECONDS, default 300), then checks one code (JSON shape and response headers) and, when the
# Azure CLI is signed in and STORAGE_ACCOUNT_NAME is exported (`set -a; eval "$(azd env get-values)"; set +a`), that
# the queue holds the message of that code, reading it with Entra ID (--auth-mode login), not a key.
# Exit code 0 = pass, 1 = fail.
set -uo pipefail

base="${1:?usage: scripts/smoke.sh <base-url>}"
base="${base%/}"
queue="${STORAGE_QUEUE_NAME:-code-requests}"
failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

# 1. Readiness: poll until 200 or the deadline; nothing else is worth checking before.
ready_timeout="${SMOKE_READY_TIMEOUT_SECONDS:-300}"
ready_interval="${SMOKE_READY_INTERVAL_SECONDS:-5}"
deadline=$((SECONDS + ready_timeout))
while :; do
  ready_status=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$base/health/ready" 2>/dev/null) || ready_status=000
  [ "$ready_status" = 200 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "GET /health/ready -> $ready_status, still not ready after ${ready_timeout}s (container still starting, or failing: see its log stream, az webapp log tail)"
    echo "smoke test failed: the instance never became ready"
    exit 1
  fi
  printf 'wait  GET /health/ready -> %s, retrying in %ss\n' "$ready_status" "$ready_interval"
  sleep "$ready_interval"
done
pass "GET /health/ready -> 200"

# 2. One code, with its headers
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT
body=$(curl -sS -D "$headers" --max-time 30 "$base/api/v1/getcode") || body=""
status=$(awk 'NR==1 {print $2}' "$headers")
header() { grep -i "^$1:" "$headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
[ "$status" = 200 ] && pass "GET /api/v1/getcode -> 200" || fail "GET /api/v1/getcode -> ${status:-no answer} (want 200): $body"
if [[ "$body" =~ ^\{\"code\":\"([A-Za-z]{3}-[0-9]+-[A-Za-z]{3})\",\"timestamp\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\"\}$ ]]; then
  code="${BASH_REMATCH[1]}"
  pass "body is {\"code\": \"$code\", \"timestamp\": ...}"
else
  code=""
  fail "body is not {\"code\": \"<AAA>-<n>-<BBB>\", \"timestamp\": \"<ISO 8601 UTC>\"}: $body"
fi
[[ "$(header content-type)" == application/json* ]] && pass "content-type: application/json" || fail "content-type is '$(header content-type)'"
[[ "$(header cache-control)" == *no-store* ]] && pass "cache-control: no-store" || fail "cache-control is '$(header cache-control)'"
[ -n "$(header x-request-id)" ] && pass "x-request-id: $(header x-request-id)" || fail "no x-request-id header"
[ "$(header x-content-type-options)" = nosniff ] && pass "x-content-type-options: nosniff" || fail "no x-content-type-options: nosniff"

# 3. The message on the queue (optional: needs az, a sign-in with Storage Queue Data Reader, and the account name)
if [ -n "$code" ] && [ -n "${STORAGE_ACCOUNT_NAME:-}" ] && command -v az >/dev/null 2>&1; then
  found=""
  for _ in 1 2 3 4 5; do
    messages=$(az storage message peek --auth-mode login --account-name "$STORAGE_ACCOUNT_NAME" \
      --queue-name "$queue" --num-messages 32 --query '[].content' -o tsv 2>/dev/null) || messages=""
    while IFS= read -r content; do
      [ -z "$content" ] && continue
      decoded=$(printf '%s' "$content" | base64 -d 2>/dev/null || printf '%s' "$content")
      [[ "$decoded" == *"\"code\":\"$code\""* ]] && found=yes && break
    done <<<"$messages"
    [ -n "$found" ] && break
    sleep 2
  done
  [ -n "$found" ] && pass "queue '$queue' holds the message of $code" || fail "no message with $code among the first 32 on '$queue'"
else
  printf 'skip  queue check (needs az signed in and STORAGE_ACCOUNT_NAME)\n'
fi

[ "$failures" -eq 0 ] && { echo "smoke test passed"; exit 0; }
echo "smoke test failed: $failures check(s)"
exit 1
