# The shared-server scenarios of scripts/bench, which sources this file and provides
# what it uses (start_server, server_config, run_timed, gen_events, edit_files, ...).
#
# A server scenario gives each tool a fresh server of its own, and times one after the
# other over an hour; the servers' speed drifts by more than the tools differ at 5,000
# events (the page's edit bullet has the figures). Here one server holds a calendar for
# each of pimsync, vdirsyncer and the floor, and the three take turns: the upload in
# --turns parts (each part's events added to every tool's vdir, then each tool syncs,
# starting with the next tool at every part), then --turns edits of 1% (the same events
# in each calendar). The upload row is the sum of a tool's parts; the edit row the
# median of its turns. A server slows as all its calendars fill, so whoever goes last
# in a part pays for the others' new items (at 5000 events in 5 parts, the third of
# the last part took a quarter longer than the first): many parts, and a multiple of 3
# of them.

# shared_scenario KIND: for each size, shared_run on a fresh server of KIND.
shared_scenario() {
	local kind=$1 name n run
	name=${kind^}
	for n in "${sizes[@]}"; do
		phase "shared-$kind-$n-upload" "$name $n, one server: upload in $turns parts"
		phase "shared-$kind-$n-edit" "$name $n, one server: 1% edited"
	done
	for n in "${sizes[@]}"; do
		gen_events "$n"
		for run in $(seq "$server_runs"); do shared_run "$kind" "$n" "$run"; done
	done
}

scenario_radicale_shared() { shared_scenario radicale; }
scenario_xandikos_shared() { shared_scenario xandikos; }

# shared_run KIND N RUN: one server of KIND, a calendar per tool (named after the tool),
# N events uploaded in $turns parts, then $turns edits of N/100 of them.
shared_run() {
	local kind=$1 n=$2 run=$3 up id=shared-$1-$2 src tool order files chunk names i c e
	up=$work/shared-$kind-$n-$run
	src=$work/events-$n/calendars/personal
	order=("${tools[@]}" floor)
	start_server "$kind" "$up"
	for tool in "${order[@]}"; do
		mkdir -p "$up/$tool/a/$tool"
		server_config "$tool" "$up/$tool"
	done
	if [ "${tools[*]}" != pimsync ]; then vdirsyncer_discover "$up/vdirsyncer" up; fi # creates its calendar
	printf '== the floor'"'"'s calendar (not timed)\n' >>"$reqlog"
	"$davbench" floor -user "$user" -password "$password" upload "${home}floor/" "$up/floor/a/floor" >/dev/null
	mapfile -t files < <(find "$src" -name '*.ics' -printf '%f\n' | sort)
	c=$(((n + turns - 1) / turns))
	for i in $(seq 0 $((turns - 1))); do
		chunk=("${files[@]:i*c:c}")
		[ "${#chunk[@]}" -gt 0 ] || continue
		for tool in "${order[@]}"; do (cd "$src" && cp -- "${chunk[@]}" "$up/$tool/a/$tool/"); done
		shared_turn "$id-upload.$run" upload $((i + run - 1)) "$up" "${chunk[@]}"
	done
	for tool in "${order[@]}"; do shared_sum "$id-upload.$run" "$id-upload" "$tool"; done
	e=$((n >= 100 ? n / 100 : 1))
	for i in $(seq 0 $((turns - 1))); do
		names=("${files[@]:i*e:e}")
		for tool in "${order[@]}"; do (cd "$up/$tool/a/$tool" && edit_files "$e" "${names[@]}"); done
		shared_turn "$id-edit" edit $((i + run - 1)) "$up" "${names[@]}"
	done
	for tool in "${order[@]}"; do shared_check "$tool" "$up"; done
	stop_server "$up"
}

# shared_turn PHASE STEP FIRST UP NAME... has each tool take its STEP, starting with the
# FIRST-th (counted round the order): the files are in place, the turns rotate.
shared_turn() {
	local phase=$1 step=$2 first=$3 up=$4 order=("${tools[@]}" floor) k tool
	shift 4
	sync
	k=$((first % ${#order[@]}))
	for tool in "${order[@]:k}" "${order[@]:0:k}"; do shared_step "$phase" "$tool" "$up" "$step" "$@"; done
}

# shared_step PHASE TOOL UP STEP NAME... times TOOL's STEP (upload: the NAMEd events were
# added to its vdir; edit: they were edited there) and checks that its vdir did not change.
shared_step() {
	local phase=$1 tool=$2 up=$3 step=$4 dir=$3/$2 coll=${home}floor/
	shift 4
	case $tool in
	pimsync) argv=("$root/bin/pimsync" -c "$dir/pimsync.conf" sync up) ;;
	vdirsyncer) argv=(vdirsyncer -c "$dir/vdirsyncer.conf" sync up) ;;
	floor)
		if [ "$step" = upload ]; then
			argv=("$davbench" floor -user "$user" -password "$password" put "$coll" "$dir/a/floor" "$@")
		else
			floor_edit_argv "$dir/etags" "$coll" "$dir/a/floor" "$@"
		fi
		;;
	esac
	manifest "$dir/a" >"$dir/expected"
	failed=false
	run_timed "$phase" "$tool" "$dir" "$base"
	"$failed" && die "vdirsyncer failed in $phase: the turns of a shared server mean nothing without it"
	same_bytes "$tool" "after $phase, a is not as it was" "$dir/a" "$dir/expected"
}

# shared_sum TURNS PHASE TOOL adds to the results TOOL's line for PHASE that sums its
# lines for TURNS: seconds and requests added, the largest peak RSS, requests by method
# added up.
shared_sum() {
	awk -F'\t' -v p="$1" -v q="$2" -v t="$3" '
		$1 == p && $2 == t {
			secs += $3; if ($4 > kib) kib = $4; total += $5
			n = split($6, m, ", ")
			for (i = 1; i <= n; i++) { split(m[i], x, " "); if (!(x[2] in by)) order[++k] = x[2]; by[x[2]] += x[1] }
		}
		END {
			if (!kib) exit
			for (i = 1; i <= k; i++) methods = methods (i > 1 ? ", " : "") by[order[i]] " " order[i]
			printf "%s\t%s\t%.3f\t%s\t%s\t%s\n", q, t, secs, kib, total, methods
		}' "$results" >>"$results"
}

# shared_check TOOL UP checks that TOOL's calendar on the server holds the events of its
# vdir, edits and all (a download by the floor, not timed).
shared_check() {
	local tool=$1 dir=$2/$1
	mkdir -p "$dir/check"
	printf '== check of %s'"'"'s calendar (not timed)\n' "$tool" >>"$reqlog"
	"$davbench" floor -user "$user" -password "$password" -nosync download "${home}$tool/" "$dir/check" >/dev/null
	"$davbench" same "$dir/a/$tool" "$dir/check" >"$dir/same.log" 2>&1 ||
		{ head -n 20 "$dir/same.log" >&2; die "$tool: its calendar does not hold its vdir's events (see $dir/same.log)"; }
}
