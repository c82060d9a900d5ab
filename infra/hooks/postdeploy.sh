#!/bin/sh
# azd postdeploy hook: where the deployed app is and how to watch it. Prints URLs and commands only: never a key,
# a connection string or any other value from the environment.
set -eu

app="${SERVICE_APP_URI:?SERVICE_APP_URI is not set (azd provision writes it)}"
app="${app%/}"
cat <<TEXT

  App:       $app
  API docs:  $app/docs
  Try it:    curl -s $app/api/v1/getcode
  Smoke:     set -a; eval "\$(azd env get-values)"; set +a; bash scripts/smoke.sh "\$SERVICE_APP_URI"
  Monitor:   azd monitor --overview   (dashboard; --live for live metrics, --logs for logs)

TEXT
