#!/usr/bin/env bash
# Starts the action server (with the /nlg endpoint), the web app (demo site, chat widget,
# staff admin, and the model server Rasa pulls from, so it starts before Rasa) and the
# Rasa server, waits until all answer, says how to talk to the assistant,
# and stops them all on Ctrl-C.
# Called by `make run`, which sets PY, RASA and the settings from .env.example.
set -euo pipefail

model=${1:?usage: scripts/run.sh MODEL}
: "${PY:?}" "${RASA:?}" "${RASA_HOST:?}" "${RASA_PORT:?}" "${ACTION_HOST:?}" "${ACTION_PORT:?}" "${WEB_HOST:?}" "${WEB_PORT:?}"

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

wait_for() {  # url, name, seconds
  for _ in $(seq "$3"); do
    curl -fs -o /dev/null "$1" && return 0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "error: the $2 stopped while starting (see its log above)" >&2; exit 1; }; done
    sleep 1
  done
  echo "error: the $2 did not answer at $1 within $3 s" >&2; exit 1
}

for port in "$ACTION_PORT" "$RASA_PORT" "$WEB_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "error: port $port is already in use; stop what runs there or set ACTION_PORT/RASA_PORT" >&2; exit 1
  fi
done

echo "Starting the action server on $ACTION_HOST:$ACTION_PORT ..."
"$PY" -m actions.server &
pids+=($!)
wait_for "http://$ACTION_HOST:$ACTION_PORT/health" "action server" 60

echo "Starting the web app on $WEB_HOST:$WEB_PORT ..."
"$PY" -m web.app &
pids+=($!)
wait_for "http://$WEB_HOST:$WEB_PORT/health" "web app" 60

rasa_args=(run --model "$model" --endpoints endpoints.yml --credentials credentials.yml
           --interface "$RASA_HOST" --port "$RASA_PORT")
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  rasa_args+=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
  api_note="HTTP API enabled (token from RASA_AUTH_TOKEN)"
else
  api_note="HTTP API disabled (set RASA_AUTH_TOKEN to enable it)"
fi
echo "Starting the Rasa server on $RASA_HOST:$RASA_PORT ..."
"$RASA" "${rasa_args[@]}" &
pids+=($!)
wait_for "http://$RASA_HOST:$RASA_PORT/" "Rasa server" 180

cat <<MSG

The assistant is running ($api_note).

Website demo with the chat widget:  http://$WEB_HOST:$WEB_PORT/
Staff admin:                        http://$WEB_HOST:$WEB_PORT/admin/
  (create a login first: make admin-user NAME=alice ROLE=publisher)

Or talk to it over the REST channel:

  curl -s http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook \\
       -H 'Content-Type: application/json' \\
       -d '{"sender": "investor-1", "message": "湘潭经开区离机场多远？"}'

Press Ctrl-C to stop all servers.
MSG
wait -n "${pids[@]}"
echo "A server stopped; shutting the others down." >&2
exit 1
