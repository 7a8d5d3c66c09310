#!/bin/sh
# Submits the example history to a running node, in order.
# Usage: submit.sh DATA_DIR [NODE_URL]   (DATA_DIR holds admin.key)
set -eu
data=$(cd "${1:?usage: submit.sh DATA_DIR [NODE_URL]}" && pwd)
export VLEDGER_NODE=${2:-http://127.0.0.1:6962}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cp "$here"/*.json "$work"
cd "$work"
for role in manufacturer registry workshop inspection_body exporter customs; do
  vledger keygen --name "$role.example" --out "$role.key" >/dev/null
  vledger enroll --admin-key "$data/admin.key" --key "$(cat "$role.vkey")" \
    --role "$role" --name "Example $role" --out "enroll-$role.tlog-proof"
done
submit() { vledger submit --key "$1.key" "$2"; }
submit inspection_body 00-inspection-protocol.json
submit manufacturer 01-factory.json
submit registry 02-registration.json
entry=$(submit workshop 03-maintenance.json | sed -n 's/^logged as entry \([0-9]*\).*/\1/p')
sed -i "s/\"target_index\": [0-9]*/\"target_index\": $entry/" 04-correction.json
submit workshop 04-correction.json
submit workshop 05-odometer-reading.json
submit workshop 06-damage.json
submit registry 07-ownership-transfer.json
submit registry 08-deregistration.json
submit inspection_body 09-inspection.json
submit exporter 10-export-license.json
submit inspection_body 11-compliance.json
submit customs 12-customs-clearance.json
echo "receipts in $work"
