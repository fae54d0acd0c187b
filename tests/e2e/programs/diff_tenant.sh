# Shared by the console's diff scripts (sourced after lib.sh, with the
# simulator started): tenant acct-001 imported from the simulator's
# reference data, its cutover snapshot taken into DB, then one service
# edited on the target with PUT, so the diff pane has a change to show.

# diff_tenant PROGRAM DB: sets SID, the edited service's id.
diff_tenant() {
	local prog=$1 db=$2 k
	curl -sf -XPOST "$SIM_URL/v1/tenants" -d '{"id":"acct-001","name":"acct-001"}' >/dev/null
	for k in services teams users schedules escalation_policies integrations incidents; do
		curl -sf -XPOST "$SIM_URL/v1/tenants/acct-001/import/$k" >/dev/null
	done
	expect_exit 0 "$WARROOM" drift "$prog" --db "$db" --snapshot --account acct-001
	SID=$(curl -sf "$SIM_URL/v1/tenants/acct-001/services?page_size=1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
	curl -sf "$SIM_URL/v1/tenants/acct-001/services/$SID" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); d["name"]="edited-after-cutover"; print(json.dumps(d))' >"$T/edit.json"
	curl -sf -XPUT "$SIM_URL/v1/tenants/acct-001/services/$SID" -d @"$T/edit.json" >/dev/null
}
