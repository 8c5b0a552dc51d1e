# shellcheck shell=bash
# Shared by ./run and ./test: install what is missing, start local services, build the site.
# Everything here is idempotent and quiet when there is nothing to do.

set -euo pipefail

EL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EL_DATA_DIR="${EVENTLOOM_DATA_DIR:-$EL_ROOT/.eventloom}"
EL_TOOLS_DIR="${EVENTLOOM_TOOLS_DIR:-$EL_DATA_DIR/tools}"
EL_TARGET_DIR="${CARGO_TARGET_DIR:-$EL_ROOT/target}"
EL_SITE_DIR="$EL_TARGET_DIR/site"
EL_LOG_DIR="$EL_DATA_DIR/logs"

# Pinned tool versions. wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
EL_MOTO_VERSION="5.2.5"
EL_PG_BIN_DEFAULT="/usr/lib/postgresql/15/bin"

# Processes this script started, stopped by PID on exit.
EL_PIDS=()
EL_PG_STARTED=()

el_say() { printf '%s\n' "$*" >&2; }
el_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

el_have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
el_as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif el_have sudo; then
		sudo "$@"
	else
		el_die "need root to run '$*'; install it yourself or run as root"
	fi
}

el_apt_install() {
	el_say "installing $* (apt)…"
	el_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$EL_LOG_DIR/apt.log" 2>&1 ||
		{
			el_as_root apt-get update -qq >>"$EL_LOG_DIR/apt.log" 2>&1 &&
				el_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$EL_LOG_DIR/apt.log" 2>&1
		} ||
		el_die "apt-get install $* failed; see $EL_LOG_DIR/apt.log"
}

el_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

el_port_taken() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
# Like the servers themselves: a port whose old connections linger in TIME_WAIT is free.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)
PY
}

el_wasm_bindgen_version() {
	awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$EL_ROOT/Cargo.lock"
}

# --- tools -----------------------------------------------------------------------------------

el_ensure_rust() {
	el_have cargo || el_die "cargo not found; install Rust with rustup (https://rustup.rs) first"
	# rustup brings no C toolchain, and crates with C parts (and every link) need one.
	if ! el_have cc; then
		el_apt_install build-essential pkg-config
	fi
	if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
		el_say "adding the wasm32-unknown-unknown target…"
		rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || el_die "rustup target add wasm32-unknown-unknown failed"
	fi
	local want have
	want="$(el_wasm_bindgen_version)"
	[ -n "$want" ] || el_die "cannot read the wasm-bindgen version from Cargo.lock"
	have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
	if [ "$have" != "$want" ]; then
		el_say "installing wasm-bindgen-cli $want (about 3 minutes on 2 cores, once)…"
		# No --locked: its lockfile pins a webpki-roots the registry no longer serves.
		CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
			cargo install wasm-bindgen-cli --version "$want" --force --quiet >"$EL_LOG_DIR/wasm-bindgen-install.log" 2>&1 ||
			el_die "installing wasm-bindgen-cli $want failed; see $EL_LOG_DIR/wasm-bindgen-install.log"
	fi
}

el_ensure_node() {
	if ! el_have npm; then
		el_apt_install nodejs npm
	fi
	local stamp="$EL_ROOT/end2end/node_modules/.eventloom-lock"
	local lock_sum
	lock_sum="$(sha256sum "$EL_ROOT/end2end/package-lock.json" | cut -d' ' -f1)"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
		el_say "installing browser-test and wasm-opt packages (npm)…"
		(cd "$EL_ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >"$EL_LOG_DIR/npm.log" 2>&1) ||
			el_die "npm ci in end2end/ failed; see $EL_LOG_DIR/npm.log"
		echo "$lock_sum" >"$stamp"
	fi
	# npm's binaryen first on PATH: Debian 12's wasm-opt writes wasm that never hydrates.
	export PATH="$EL_ROOT/end2end/node_modules/.bin:$PATH"
}

el_ensure_moto() {
	local venv="$EL_TOOLS_DIR/venv"
	if [ ! -x "$venv/bin/moto_server" ] || [ "$(cat "$venv/.moto-version" 2>/dev/null)" != "$EL_MOTO_VERSION" ]; then
		el_have python3 || el_apt_install python3 python3-venv
		el_say "installing the AWS emulator (moto $EL_MOTO_VERSION) into $venv…"
		rm -rf "$venv"
		python3 -m venv "$venv" >"$EL_LOG_DIR/moto-install.log" 2>&1 ||
			{ el_apt_install python3-venv && python3 -m venv "$venv" >>"$EL_LOG_DIR/moto-install.log" 2>&1; } ||
			el_die "cannot create a Python venv; see $EL_LOG_DIR/moto-install.log"
		"$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$EL_MOTO_VERSION" >>"$EL_LOG_DIR/moto-install.log" 2>&1 ||
			el_die "pip install moto[server]==$EL_MOTO_VERSION failed; see $EL_LOG_DIR/moto-install.log"
		echo "$EL_MOTO_VERSION" >"$venv/.moto-version"
	fi
}

el_pg_bin() {
	local dir
	for dir in "${EVENTLOOM_PG_BIN:-}" "$EL_PG_BIN_DEFAULT" /usr/lib/postgresql/*/bin; do
		if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

el_ensure_postgres() {
	if ! el_pg_bin >/dev/null || ! el_have psql; then
		el_apt_install postgresql postgresql-client
	fi
	el_pg_bin >/dev/null || el_die "Postgres server binaries not found; install postgresql or set EVENTLOOM_PG_BIN"
	el_have psql || el_die "psql not found; install postgresql-client"
}

el_ensure_chromium() {
	if [ ! -x /usr/bin/chromium ]; then
		el_apt_install chromium
	fi
}

el_prepare_dirs() {
	mkdir -p "$EL_DATA_DIR" "$EL_TOOLS_DIR" "$EL_LOG_DIR"
}

# --- services --------------------------------------------------------------------------------

# Postgres refuses to run as root, so as root the cluster belongs to the postgres user.
el_pg_run() {
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# el_start_postgres DIR PORT: creates the cluster on first use and starts it, or reuses it.
# el_start_postgres DIR PORT [SETTING]: starts (or reuses) the cluster in DIR on PORT;
# SETTING names the variable that chooses the port, for the messages.
el_start_postgres() {
	local dir="$1" port="$2" setting="${3:-EVENTLOOM_PG_PORT}" bin
	bin="$(el_pg_bin)"
	if [ ! -f "$dir/PG_VERSION" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" = 0 ] && { el_pg_run true; chown postgres: "$dir"; chmod 700 "$dir"; }
		el_pg_run "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 --no-instructions >"$EL_LOG_DIR/initdb.log" 2>&1 ||
			el_die "initdb failed for $dir; see $EL_LOG_DIR/initdb.log"
	fi
	if el_pg_run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		# Already running (an earlier run's, or one a killed run left): only if on our port.
		local running
		running="$(sed -n 4p "$dir/postmaster.pid" 2>/dev/null || true)"
		if [ -n "$running" ] && [ "$running" != "$port" ]; then
			el_die "the Postgres in $dir is running on port $running, not $port; stop it (pg_ctl -D $dir stop) or set $setting=$running"
		fi
		return 0
	fi
	if el_port_taken "$port"; then
		el_die "port $port is taken by another program, so the project-local Postgres cannot start; free it or choose another with $setting"
	fi
	local log="$dir/server.log"
	el_pg_run "$bin/pg_ctl" -D "$dir" -l "$log" -w -t 30 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${EL_PG_FSYNC:-on}" start >/dev/null 2>&1 ||
		el_die "Postgres did not start; see $log"
	EL_PG_STARTED+=("$dir")
}

el_stop_postgres() {
	local dir="$1" bin
	bin="$(el_pg_bin)" || return 0
	el_pg_run "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# el_create_db URL_BASE NAME: creates the database NAME unless it exists.
el_create_db() {
	local port="$1" name="$2"
	if ! psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres | grep -q 1; then
		psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE \"$name\"" postgres >/dev/null ||
			el_die "cannot create database $name"
	fi
}

# el_start_moto PORT: starts the emulator in the background and waits until it is warm.
el_start_moto() {
	local port="$1" log="$EL_LOG_DIR/moto.log"
	if el_port_taken "$port"; then
		el_die "port $port for the AWS emulator is taken; set EVENTLOOM_MOTO_PORT to a free port"
	fi
	: >"$log" # so the readiness line below cannot be a previous run's
	"$EL_TOOLS_DIR/venv/bin/python" "$EL_ROOT/scripts/moto_launcher.py" "$port" >>"$log" 2>&1 &
	EL_PIDS+=("$!")
	local i
	for i in $(seq 1 300); do
		# The launcher says so once its services have answered their first (slow) call.
		if grep -q "moto listening" "$log" 2>/dev/null; then
			return 0
		fi
		kill -0 "${EL_PIDS[-1]}" 2>/dev/null || el_die "the AWS emulator exited at start-up; see $log"
		sleep 0.1
	done
	el_die "the AWS emulator was not ready on port $port within 30 s; see $log"
}

el_cleanup() {
	local pid dir
	for pid in "${EL_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${EL_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	EL_PIDS=()
	for dir in "${EL_PG_STARTED[@]}"; do
		el_stop_postgres "$dir"
	done
	EL_PG_STARTED=()
}

# el_wait_http URL PID SECONDS: waits for URL to answer while PID lives.
# el_check_database_url URL: one line saying what to fix when the database cannot be reached.
el_check_database_url() {
	python3 - "$1" <<'PY' || exit 1
import socket, sys
from urllib.parse import urlsplit
url = sys.argv[1]
try:
    u = urlsplit(url)
    scheme, host, port = u.scheme, u.hostname, u.port or 5432
except ValueError:
    scheme, host, port = "", None, 0
if scheme not in ("postgres", "postgresql") or not host:
    sys.stderr.write("error: DATABASE_URL must look like postgres://USER[:PASSWORD]@HOST:PORT/DATABASE\n")
    sys.exit(1)
try:
    socket.create_connection((host, port), timeout=3).close()
except OSError as e:
    sys.stderr.write(f"error: nothing answers at {host}:{port} (DATABASE_URL): {e.strerror or e}; start Postgres there, or unset DATABASE_URL to use the local one\n")
    sys.exit(1)
PY
}

el_wait_http() {
	local url="$1" pid="$2" secs="$3" i
	for i in $(seq 1 $((secs * 10))); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --- build -----------------------------------------------------------------------------------

# el_build_site release|dev: the hydrate wasm, its JS glue, CSS and public assets in $EL_SITE_DIR.
# The code splitter (scripts/wasm-split), built once into the target dir.
el_wasm_split_bin() {
	local bin="$EL_TARGET_DIR/wasm-split/release/eventloom-wasm-split"
	local src="$EL_ROOT/scripts/wasm-split"
	if [ ! -x "$bin" ] || [ "$src/src/main.rs" -nt "$bin" ] || [ "$src/Cargo.lock" -nt "$bin" ]; then
		el_say "building the wasm code splitter (once, about a minute)…"
		cargo build --quiet --release --locked --manifest-path "$src/Cargo.toml" \
			--target-dir "$EL_TARGET_DIR/wasm-split" >"$EL_LOG_DIR/wasm-split-build.log" 2>&1 ||
			el_die "building scripts/wasm-split failed; see $EL_LOG_DIR/wasm-split-build.log"
	fi
	echo "$bin"
}

el_build_site() {
	local mode="$1" profile wasm_dir splitter
	if [ "$mode" = release ]; then profile=wasm-release; else profile=dev; fi
	wasm_dir="$EL_TARGET_DIR/wasm32-unknown-unknown/$([ "$profile" = dev ] && echo debug || echo "$profile")"
	splitter="$(el_wasm_split_bin)"
	cargo build --quiet -p app --lib --target wasm32-unknown-unknown --profile "$profile" \
		--no-default-features --features hydrate
	local pkg="$EL_SITE_DIR/pkg"
	mkdir -p "$pkg"
	local out="$pkg/eventloom_bg.wasm" stamp="$pkg/.built-from"
	# Splitting, wasm-bindgen and wasm-opt take ~30 s; skip them when the wasm they start
	# from is unchanged.
	if [ ! -f "$out" ] || [ "$wasm_dir/app.wasm" -nt "$out" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$mode" ]; then
		# The stamp is written last, so a build stopped half-way is redone next time.
		rm -f "$stamp" "$pkg"/split_*.wasm* "$pkg"/chunk_*.wasm* "$pkg"/__wasm_split*
		# Cut at the lazy routes: the main module, one module per lazy page, chunks they share.
		"$splitter" "$wasm_dir/app.wasm" "$pkg" eventloom 2>"$EL_LOG_DIR/wasm-split.log" ||
			el_die "splitting the wasm failed; see $EL_LOG_DIR/wasm-split.log"
		wasm-bindgen "$pkg/eventloom_split.wasm" --target web --no-typescript --keep-lld-exports \
			--out-dir "$pkg" --out-name eventloom || el_die "wasm-bindgen failed on the split module"
		rm -f "$pkg/eventloom_split.wasm"
		if [ "$mode" = release ]; then
			local f
			# It warns about the name sections wasm-split leaves; only failures matter.
			: >"$EL_LOG_DIR/wasm-opt.log"
			for f in "$out" "$pkg"/split_*.wasm "$pkg"/chunk_*.wasm; do
				[ -f "$f" ] || continue
				# The features rustc enables for wasm32 by default; wasm-opt must be told them.
				wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
					--enable-mutable-globals --enable-reference-types --enable-multivalue \
					"$f" -o "$f" 2>>"$EL_LOG_DIR/wasm-opt.log" || el_die "wasm-opt failed on $f; see $EL_LOG_DIR/wasm-opt.log"
			done
			node "$EL_ROOT/scripts/brotli.mjs" "$pkg"/*.wasm "$pkg"/*.js || el_die "compressing the site failed"
		else
			rm -f "$pkg"/*.br
		fi
		echo "$mode" >"$stamp"
	fi
	cp "$EL_ROOT/style/main.css" "$pkg/eventloom.css"
	cp -r "$EL_ROOT/public/." "$EL_SITE_DIR/"
	if [ "$mode" = release ]; then
		node "$EL_ROOT/scripts/brotli.mjs" "$pkg/eventloom.css"
	else
		rm -f "$pkg/eventloom.css.br"
	fi
}

el_build_server() {
	local mode="$1"
	if [ "$mode" = release ]; then
		cargo build --quiet --release -p server --bin eventloom
	else
		cargo build --quiet -p server --bin eventloom
	fi
}

el_server_bin() {
	if [ "$1" = release ]; then echo "$EL_TARGET_DIR/release/eventloom"; else echo "$EL_TARGET_DIR/debug/eventloom"; fi
}
