# shellcheck shell=bash
# Helpers shared by the scripts in scripts/. Source it; it defines functions only.

# repo_root prints the checkout's top directory.
repo_root() {
	cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd
}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "$*"; exit 1; }

# as_root runs a command as root, through sudo when needed.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_go puts a Go toolchain on PATH or explains what is missing. The modules pin
# `go 1.25`; any Go from 1.21 on downloads a newer toolchain through the module proxy itself.
ensure_go() {
	if ! command -v go >/dev/null 2>&1; then
		for d in /usr/local/go/bin "$HOME/go/bin" /usr/lib/go/bin; do
			[ -x "$d/go" ] && PATH="$d:$PATH" && break
		done
	fi
	command -v go >/dev/null 2>&1 ||
		die "no Go toolchain: install Go 1.21 or newer (https://go.dev/dl/) into /usr/local/go"
	export PATH
}

# ensure_debs installs the named Debian packages that are missing. apt-get update runs only
# when the package lists are absent or the first attempt fails.
ensure_debs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
		as_root apt-get update -q
	fi
	if ! as_root apt-get install -y -q "${missing[@]}"; then
		as_root apt-get update -q
		as_root apt-get install -y -q "${missing[@]}"
	fi
}

# render_man renders every docs/man/*.scd with scdoc(1) into DIR (made when missing), one
# page per source: docs/man/pimsync.1.scd becomes DIR/pimsync.1. scdoc is installed when it
# is not on PATH. The pages are dated like the last commit (SOURCE_DATE_EPOCH, unless set),
# so that building the same sources twice gives the same bytes. A source scdoc refuses is
# named (scdoc's own message has only the line and column) and makes it fail, after the
# others were tried.
render_man() {
	local dir=$1 root src page epoch failed=0
	root=$(repo_root)
	command -v scdoc >/dev/null 2>&1 || ensure_debs scdoc || return 1
	epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
	mkdir -p "$dir" || return 1
	for src in "$root"/docs/man/*.scd; do
		page=$(basename "$src" .scd)
		if ! SOURCE_DATE_EPOCH=$epoch scdoc <"$src" >"$dir/$page.tmp"; then
			say "scdoc refuses docs/man/$page.scd (its line and column are above)"
			rm -f "$dir/$page.tmp"
			failed=1
			continue
		fi
		mv "$dir/$page.tmp" "$dir/$page" || return 1
	done
	return "$failed"
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# go_modules prints the directory of every module in go.work, one per line.
go_modules() {
	(cd "$(repo_root)" && go list -m -f '{{.Dir}}')
}
