# The upload in parts of the server scenarios (scripts/bench --parts N), which
# scripts/bench sources; it uses server_setup, use_server, server_step, server_phases and
# shared_sum.
#
# Each tool's initial upload on a fresh server of its own takes minutes at 5000 events on
# Radicale (every PUT there reads the whole calendar), and the same upload from the same
# client took from 437 to 486 s in three runs of one benchmark (all uploads: 437 to
# 517 s): timed one after the other, the three uploads compare stretches of the machine
# as much as the clients. With --parts, the three servers are started together, and the
# events go in N parts: each part's events are added to every vdir, then each tool syncs
# its own server, starting with the next tool at every part. The upload row is the sum
# of a tool's parts; each server still holds only its own tool's calendar, unlike the
# shared scenarios. The other phases follow on each server, one tool after the other,
# as without --parts. N is best a multiple of 3, for each tool to go first as often.

# parts_run KIND N RUN: pimsync, vdirsyncer and the floor each on a fresh server of KIND,
# the N events uploaded in $parts parts taking turns, then the other phases.
parts_run() {
	local kind=$1 n=$2 run=$3 id=$1-$2 order=("${tools[@]}" floor) src files chunk c i k step tool
	local dir base home coll reqlog
	local -A at_dir
	src=$work/events-$n/calendars/personal
	for tool in "${order[@]}"; do
		server_setup "$kind" "$n" "$run" "$tool" empty
		at_dir[$tool]=$dir
	done
	mapfile -t files < <(find "$src" -name '*.ics' -printf '%f\n' | sort)
	c=$(((n + parts - 1) / parts))
	for i in $(seq 0 $((parts - 1))); do
		chunk=("${files[@]:i*c:c}")
		[ "${#chunk[@]}" -gt 0 ] || continue
		for tool in "${order[@]}"; do (cd "$src" && cp -- "${chunk[@]}" "${at_dir[$tool]}/a/personal/"); done
		sync
		step=part
		if [ "$i" -eq 0 ]; then step=upload; fi # the floor's creates the calendar
		k=$(((i + run - 1) % ${#order[@]}))
		for tool in "${order[@]:k}" "${order[@]:0:k}"; do
			dir=${at_dir[$tool]}
			use_server "$kind" "$dir"
			server_step "$id-upload.$run" "$tool" "$dir" "$step" "${chunk[@]}"
			"$failed" && die "vdirsyncer failed in a part of $id-upload: the turns mean nothing without it"
		done
	done
	for tool in "${order[@]}"; do shared_sum "$id-upload.$run" "$id-upload" "$tool"; done
	k=$(((run - 1) % ${#order[@]}))
	for tool in "${order[@]:k}" "${order[@]:0:k}"; do
		dir=${at_dir[$tool]}
		use_server "$kind" "$dir"
		if [ "$tool" = floor ]; then
			# The floor's edit needs every event's etag; its parts did not keep them.
			printf '== etags of %s for the floor'"'"'s edit (not timed)\n' "$coll" >>"$reqlog"
			"$davbench" floor -user "$user" -password "$password" -state "$dir/etags" etags "$coll" >/dev/null
		fi
		server_phases "$id" "$tool" "$dir" "$n" noop edit after download
	done
}
