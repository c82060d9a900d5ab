#!/bin/sh
# azd preprovision hook: what the Bicep needs to know about this environment before each provision. Reads the
# environment azd passes (its .env values and the shell's), reads Azure with `az` on the control plane (Reader is
# enough; the secret is looked up as an ARM resource, its value is never read) and, only when the vault exists without
# the secret, asks Key Vault whether the secret is soft-deleted (and recovers it). Records with `azd env set`:
#   AZURE_RESOURCE_SUFFIX             per-deployment part of every resource name (created once, renewed by postdown)
#   THIRD_PARTY_API_SECRET_EXISTS     true when the vault already holds the key: the Bicep then leaves it alone
#   SERVICE_<NAME>_IMAGE_NAME         the image each site runs now, so the provision keeps it (empty: placeholder)
# Never prints a secret value.
set -eu

secret_name=third-party-api-key
say() { printf 'preprovision: %s\n' "$*"; }
die() {
  printf 'preprovision: %s\n' "$*" >&2
  exit 1
}

# 1. Resource name suffix. A pipeline must reuse the one the environment was created with, or it would create a
#    second copy of everything: it gets it from a repository variable (`azd pipeline config` copies it).
if [ -z "${AZURE_RESOURCE_SUFFIX:-}" ]; then
  if [ -n "${CI:-}" ]; then
    die "AZURE_RESOURCE_SUFFIX is empty. Set the pipeline variable AZURE_RESOURCE_SUFFIX to the value in your azd environment (azd env get-value AZURE_RESOURCE_SUFFIX; azd pipeline config sets it), or to a new value for a new deployment."
  fi
  AZURE_RESOURCE_SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
  azd env set AZURE_RESOURCE_SUFFIX "$AZURE_RESOURCE_SUFFIX"
  say "new resource name suffix $AZURE_RESOURCE_SUFFIX (kept in the azd environment)"
fi

# 2. What already exists in the environment's resource group (named as infra/main.bicep names it).
resource_group="rg-${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set}"
az_read() {
  # Prints the answer; an absent resource group or resource prints nothing; any other failure stops the hook.
  if answer=$(az "$@" 2>&1); then
    printf '%s' "$answer"
  else
    case "$answer" in
    *NotFound*) ;;
    *) die "az $1 $2 failed (is the Azure CLI signed in? az login): $answer" ;;
    esac
  fi
}
resource_in_group() { # <type> [azd-service-name tag]
  query="[0].name"
  [ $# -gt 1 ] && query="[?tags.\"azd-service-name\"=='$2'] | [0].name"
  az_read resource list --resource-group "$resource_group" --resource-type "$1" --query "$query" -o tsv
}

# 3. The key is written by the provision that creates the vault's secret, and never again: rotation owns it then.
vault=$(resource_in_group Microsoft.KeyVault/vaults)
secret_in_vault() {
  az_read resource show --resource-group "$resource_group" --namespace Microsoft.KeyVault \
    --parent "vaults/$vault" --resource-type secrets --name "$secret_name" --query name -o tsv
}
secret=""
[ -z "$vault" ] || secret=$(secret_in_vault)
# A deleted secret stays soft-deleted for the vault's retention period: its name cannot be reused (the ARM write of a
# new secret fails with 409 Conflict) and purge protection forbids purging it, so the only way on is to recover it.
if [ -n "$vault" ] && [ -z "$secret" ]; then
  recover="az keyvault secret recover --vault-name $vault --name $secret_name"
  if ! deleted=$(az keyvault secret show-deleted --vault-name "$vault" --name "$secret_name" --query recoveryId -o tsv 2>&1); then
    case "$deleted" in
    *NotFound*) deleted="" ;; # not deleted either: the Bicep writes the key
    *)
      # No data role on the vault (a pipeline principal) or no network path to it (AZURE_NETWORK_ISOLATION): the
      # Bicep tries to write the key; if that fails with 409 Conflict, the secret is soft-deleted.
      say "cannot tell whether $vault holds $secret_name soft-deleted ($(printf '%s' "$deleted" | head -n 1)); if the provision fails with 409 Conflict on the secret, recover it with: $recover"
      deleted=""
      ;;
    esac
  fi
  if [ -n "$deleted" ]; then
    if ! recovered=$(az keyvault secret recover --vault-name "$vault" --name "$secret_name" --query id -o tsv 2>&1); then
      die "$secret_name is soft-deleted in $vault and could not be recovered ($recovered). Recover it with: $recover (needs Key Vault Secrets Officer on the vault), then provision again"
    fi
    # Recovery finishes in the background; the provision needs the secret back (the reference API's role is scoped to it).
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      secret=$(secret_in_vault)
      [ -n "$secret" ] && break
      sleep 3
    done
    [ -n "$secret" ] || die "recovering $secret_name in $vault has not finished yet; provision again in a minute"
    say "recovered the soft-deleted $secret_name in $vault (its last version is the key again; rotate it if it was deleted on purpose)"
  fi
fi

secret_exists=false
[ -z "$secret" ] || secret_exists=true
if [ "$secret_exists" = true ]; then
  if [ -n "${THIRD_PARTY_API_KEY:-}" ]; then
    say "the vault $vault already holds $secret_name: THIRD_PARTY_API_KEY is not written (rotate with az keyvault secret set, see docs/deployment.md)"
  fi
elif [ -z "${THIRD_PARTY_API_KEY:-}" ] || [ "${#THIRD_PARTY_API_KEY}" -lt 16 ]; then
  die "the first provision stores the third-party key in Key Vault: export THIRD_PARTY_API_KEY (16 characters or more, e.g. \"\$(openssl rand -base64 32)\") and run it again"
fi
azd env set THIRD_PARTY_API_SECRET_EXISTS "$secret_exists"

# 4. Keep the images the sites run, so the provision does not put them back on the placeholder.
for service in app reference-api; do
  variable="SERVICE_$(printf '%s' "$service" | tr 'a-z-' 'A-Z_')_IMAGE_NAME"
  image=""
  site=$(resource_in_group Microsoft.Web/sites "$service")
  if [ -n "$site" ]; then
    running=$(az_read webapp config show --resource-group "$resource_group" --name "$site" --query linuxFxVersion -o tsv)
    case "$running" in
    DOCKER\|*.azurecr.io/*) image=${running#DOCKER|} ;;
    esac
  fi
  azd env set "$variable" "$image"
  say "$service: ${image:-no published image yet (placeholder until azd deploy)}"
done
