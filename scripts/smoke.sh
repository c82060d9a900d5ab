#!/usr/bin/env bash
# Smoke test of a deployed (or local) instance:
#   scripts/smoke.sh https://app-xxxx.azurewebsites.net
# Waits for readiness (azd deploy sets the image and returns while the new container still starts: up to
# SMOKE_READY_TIMEOUT_SECONDS, default 300), then checks one code (JSON shape and response headers) and, when the
# Azure CLI is on PATH and the azd values are exported (`set -a; eval "$(azd env get-values)"; set +a`), that the code
# reached the queue, reading it with the CLI's Entra ID sign-in (Storage Queue Data Reader), never a key:
#   - public queue: a peek at the 32 oldest messages finds the code's message; when more wait (a peek cannot reach
#     further, and nothing here may consume a message), the queue's message count must have risen since before the
#     code was asked for. Needs STORAGE_QUEUE_URL.
#   - AZURE_NETWORK_ISOLATION=true (the queue takes no traffic from here): Azure Monitor must count a successful
#     PutMessage on the account since the code was asked for (up to SMOKE_METRIC_TIMEOUT_SECONDS, default 300).
#     Needs STORAGE_ACCOUNT_NAME and AZURE_RESOURCE_GROUP.
# A sign-in or access failure is reported as such. Exit code 0 = pass, 1 = fail.
set -uo pipefail

base="${1:?usage: scripts/smoke.sh <base-url>}"
base="${base%/}"
queue_url="${STORAGE_QUEUE_URL:-}"
queue_url="${queue_url%/}"
failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
first_line() { printf '%s' "$1" | head -n 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

# 2. The queue check's starting point, taken before the code exists: the CLI's token and how many messages wait.
queue_check=skip
if command -v az >/dev/null 2>&1; then
  if [ "${AZURE_NETWORK_ISOLATION:-false}" = true ] && [ -n "${STORAGE_ACCOUNT_NAME:-}" ]; then
    queue_check=metrics
  elif [ -n "$queue_url" ]; then
    queue_check=peek
  fi
fi

# GET <queue URL><suffix> with the token: body in $work/body, headers in $work/headers; prints why it failed.
queue_get() {
  local status code
  status=$(curl -sS --max-time 20 -o "$work/body" -D "$work/headers" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'x-ms-version: 2021-12-02' "$queue_url$1" 2>&1) || {
    printf 'GET %s failed: %s' "$queue_url$1" "$(first_line "$status")"
    return 1
  }
  [ "$status" = 200 ] && return 0
  code=$(grep -o '<Code>[^<]*</Code>' "$work/body" | sed 's/<[^>]*>//g')
  printf 'GET %s -> %s %s' "$queue_url$1" "$status" "$code"
  case "$code" in
  AuthorizationPermissionMismatch) printf ' (the signed-in principal needs Storage Queue Data Reader on the queue; a new role assignment takes a few minutes)' ;;
  AuthorizationFailure) printf ' (is public network access off? with AZURE_NETWORK_ISOLATION=true the check uses Azure Monitor instead)' ;;
  esac
  return 1
}
message_count() {
  queue_get '?comp=metadata' || return 1
  grep -i '^x-ms-approximate-messages-count:' "$work/headers" | tr -dc '0-9'
}

if [ "$queue_check" = peek ]; then
  if ! token=$(az account get-access-token --resource https://storage.azure.com --query accessToken -o tsv 2>&1); then
    fail "queue check: the Azure CLI could not sign in to Storage (az login; in CI, sign in again right before this step): $(first_line "$token")"
    queue_check=failed
  elif ! before=$(message_count); then
    fail "queue check: $before"
    queue_check=failed
  fi
elif [ "$queue_check" = metrics ]; then
  since=$(date -u +%Y-%m-%dT%H:%M:00Z)
fi

# 3. One code, with its headers
body=$(curl -sS -D "$work/code-headers" --max-time 30 "$base/api/v1/getcode") || body=""
status=$(awk 'NR==1 {print $2}' "$work/code-headers")
header() { grep -i "^$1:" "$work/code-headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
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

# 4. The code on the queue, without consuming anything.
peek_for_code() {
  local attempt texts seen after
  for attempt in 1 2 3 4 5; do
    [ "$attempt" -gt 1 ] && sleep 2
    queue_get '/messages?peekonly=true&numofmessages=32' || return 1
    texts=$(grep -o '<MessageText>[^<]*</MessageText>' "$work/body" | sed -e 's/<MessageText>//' -e 's#</MessageText>##')
    seen=$(printf '%s' "$texts" | grep -c .)
    while IFS= read -r text; do
      [ -n "$text" ] || continue
      if [[ "$(printf '%s' "$text" | base64 -d 2>/dev/null || printf '%s' "$text")" == *"\"code\":\"$code\""* ]]; then
        printf 'the queue holds the message of %s' "$code"
        return 0
      fi
    done <<<"$texts"
    if [ "$seen" -ge 32 ]; then
      after=$(message_count) || { printf '%s' "$after"; return 1; }
      if [ "$after" -gt "$before" ]; then
        printf 'the queue took a message (%s -> %s waiting); the one of %s is behind the 32 oldest, which a peek cannot reach' "$before" "$after" "$code"
        return 0
      fi
    fi
  done
  if [ "$seen" -ge 32 ]; then
    printf 'no message with %s among the 32 oldest, and the message count did not rise (%s -> %s)' "$code" "$before" "$after"
  else
    printf 'no message with %s among all %s messages on the queue' "$code" "$seen"
  fi
  return 1
}

# Private queue: Azure Monitor's count of successful PutMessage calls on the account (reached through ARM), which
# shows a message arrived but not whose: other traffic in the same minutes counts too.
metric_for_code() {
  local account total deadline
  account=$(az storage account show --name "$STORAGE_ACCOUNT_NAME" --resource-group "${AZURE_RESOURCE_GROUP:-}" --query id -o tsv 2>&1) || {
    printf 'az storage account show failed (is the Azure CLI signed in? az login): %s' "$(first_line "$account")"
    return 1
  }
  deadline=$((SECONDS + ${SMOKE_METRIC_TIMEOUT_SECONDS:-300}))
  while :; do
    total=$(az monitor metrics list --resource "$account/queueServices/default" --metric Transactions \
      --aggregation Total --interval PT1M --start-time "$since" \
      --filter "ApiName eq 'PutMessage' and ResponseType eq 'Success'" \
      --query 'value[0].timeseries[].data[].total' -o tsv 2>&1) || {
      printf 'az monitor metrics list failed (is the Azure CLI signed in? az login): %s' "$(first_line "$total")"
      return 1
    }
    total=$(printf '%s\n' "$total" | awk '$1 ~ /^[0-9.]+$/ { sum += $1 } END { printf "%d", sum }')
    if [ "$total" -ge 1 ]; then
      printf 'Azure Monitor counted %s successful PutMessage on the private queue since %s' "$total" "$since"
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'Azure Monitor counted no successful PutMessage since %s (metrics arrive within minutes: SMOKE_METRIC_TIMEOUT_SECONDS)' "$since"
      return 1
    fi
    printf 'wait  no PutMessage in Azure Monitor yet, retrying in %ss\n' "${SMOKE_METRIC_INTERVAL_SECONDS:-30}" >&2
    sleep "${SMOKE_METRIC_INTERVAL_SECONDS:-30}"
  done
}

if [ "$queue_check" = failed ]; then
  : # already reported
elif [ -z "$code" ] || [ "$queue_check" = skip ]; then
  printf 'skip  queue check (needs a code, az on PATH, and STORAGE_QUEUE_URL, or STORAGE_ACCOUNT_NAME with AZURE_NETWORK_ISOLATION=true)\n'
elif [ "$queue_check" = peek ]; then
  verdict=$(peek_for_code) && pass "$verdict" || fail "queue check: $verdict"
else
  verdict=$(metric_for_code) && pass "$verdict" || fail "queue check: $verdict"
fi

[ "$failures" -eq 0 ] && { echo "smoke test passed"; exit 0; }
echo "smoke test failed: $failures check(s)"
exit 1
