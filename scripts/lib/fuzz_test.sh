#!/usr/bin/env bash
# Tests fuzz_one's verdicts against a stand-in for go: a run again after Go's
# coordinator race, and never after a real failure. scripts/test runs it before fuzzing.
set -euo pipefail
lib=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/pkg"

# The stand-in's Nth run does what $RUNS says at word N: pass, race (fail with the
# coordinator's message and no input) or crash (write an input and fail).
cat >"$tmp/bin/go" <<'EOF'
#!/usr/bin/env bash
n=$(($(cat "$STUB/count" 2>/dev/null || echo 0) + 1))
echo "$n" >"$STUB/count"
set -- $RUNS
case ${!n:-pass} in
pass) echo ok ;;
race) printf -- '--- FAIL: FuzzX (30.11s)\n    context deadline exceeded\nFAIL\nexit status 1\n'; exit 1 ;;
crash)
	mkdir -p "$STUB/pkg/testdata/fuzz/FuzzX"
	echo input >"$STUB/pkg/testdata/fuzz/FuzzX/0123abcd"
	printf -- '--- FAIL: FuzzX (1.00s)\n    Failing input written to testdata/fuzz/FuzzX/0123abcd\n'
	exit 1
	;;
esac
EOF
chmod +x "$tmp/bin/go"

failed=0
# check RUNS WANT_EXIT WANT_RUNS WANT_MESSAGE
check() {
	rm -rf "$tmp/count" "$tmp/pkg/testdata"
	local out code=0
	out=$(PATH="$tmp/bin:$PATH" STUB=$tmp RUNS=$1 bash -c '
		set -euo pipefail
		. "$0/common.sh"
		. "$0/fuzz.sh"
		fuzz_one example.org/pkg "$STUB/pkg" FuzzX 30s' "$lib" 2>&1) || code=$?
	local runs
	runs=$(cat "$tmp/count")
	if [ "$code" != "$2" ] || [ "$runs" != "$3" ] || ! grep -q "$4" <<<"$out"; then
		printf 'runs "%s": exit %s after %s runs, want exit %s after %s runs and %q in:\n%s\n' \
			"$1" "$code" "$runs" "$2" "$3" "$4" "$out" >&2
		failed=1
	fi
}

check "pass" 0 1 ''
check "race pass" 0 2 'golang/go#75804'
check "race race pass" 0 3 'running it again'
check "race race race" 1 3 'three times and wrote no input'
check "crash" 1 1 'the input is .*/testdata/fuzz/FuzzX/0123abcd'
check "race crash" 1 2 'found a failure'
[ "$failed" = 0 ] || exit 1
echo "fuzz_test.sh: ok"
