# Running one fuzz target, shared by scripts/test and scripts/fuzz. Source after common.sh.

# fuzz_targets prints "IMPORTPATH<tab>DIR<tab>TARGET" for every Fuzz target of the
# packages matching the given patterns.
fuzz_targets() {
	local line pkg dir target
	# Read up front: what the loop runs must not read the list as its standard input.
	local -a tested
	mapfile -t tested < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' "$@")
	for line in "${tested[@]}"; do
		[ -n "$line" ] || continue # a package without tests
		pkg=${line%% *} dir=${line#* }
		# Listing builds the package's tests; a package without Fuzz targets lists none.
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			printf '%s\t%s\t%s\n' "$pkg" "$dir" "$target"
		done
	done
}

# fuzz_one PKG DIR TARGET FUZZTIME [GO TEST FLAGS...] fuzzes one target and dies on a
# failure, naming the input it wrote.
#
# Go before 1.27 can fail a target at the end of -fuzztime with a bare "context
# deadline exceeded" and no input written: a race in its fuzz coordinator, not in our
# code (golang/go#75804). A failure with that message and no new input is run again,
# up to twice; a real failure always writes its input, and fails at once.
fuzz_one() {
	local pkg=$1 dir=$2 target=$3 fuzztime=$4
	shift 4
	local corpus="$dir/testdata/fuzz/$target" log before attempt raced written
	log=$(mktemp "${TMPDIR:-/tmp}/pimsync-fuzz.XXXXXX")
	for attempt in 1 2 3; do
		before=$(ls "$corpus" 2>/dev/null || true)
		if go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" "$@" "$pkg" >"$log" 2>&1; then
			rm -f "$log"
			return 0
		fi
		raced=
		if [ "$(ls "$corpus" 2>/dev/null || true)" = "$before" ] &&
			tail -n 4 "$log" | grep -qx '    context deadline exceeded'; then
			raced=1
		fi
		[ -n "$raced" ] && [ "$attempt" -lt 3 ] || break
		say "$target: go's fuzz coordinator stopped with \"context deadline exceeded\" and no input (golang/go#75804); running it again"
	done
	cat "$log" >&2
	rm -f "$log"
	[ -z "$raced" ] || die "$pkg $target stopped with \"context deadline exceeded\" three times and wrote no input"
	written=$(comm -13 <(printf '%s\n' "$before") <(ls "$corpus" 2>/dev/null || true) | head -n 1)
	if [ -n "$written" ]; then
		die "$pkg $target found a failure; the input is ${corpus#"$(repo_root)"/}/$written (fix the code, keep the file as a regression case)"
	fi
	die "$pkg $target failed on a seed or a kept testdata/fuzz input, or did not build: no new input was written"
}
