# shellcheck shell=bash
# Shared set-up for bin/run, bin/test, bin/lint and bin/benchmark.
#
# Everything that is not the add-on itself lives outside the clone, so that a
# fresh clone (CI, a second work tree) reuses it:
#   FOLLOWUP_CACHE  (default ~/.cache/followup_manager): the Python virtualenv,
#                   Odoo's data dir (filestores; FOLLOWUP_DATA_DIR elsewhere) and logs.
#   ODOO_SRC        an Odoo 18.0 source tree (odoo-bin at its root). When unset:
#                   ~/odoo-18.0, then /opt/odoo-18.0, else a shallow git clone of
#                   upstream branch 18.0 into ~/odoo-18.0.
#   PostgreSQL      as root: the machine's cluster (pg_ctlcluster), with a role
#                   "odoo"; otherwise a private cluster in <clone>/.pgdata.
#                   PGHOST/PGPORT/PGUSER/PGPASSWORD, when all set, are used as is.
set -euo pipefail

FM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FM_CACHE=${FOLLOWUP_CACHE:-$HOME/.cache/followup_manager}
FM_DATA_DIR=${FOLLOWUP_DATA_DIR:-$FM_CACHE/data}
FM_ODOO_UPSTREAM=${ODOO_UPSTREAM:-https://github.com/odoo/odoo.git}
FM_MODULE=followup_manager
# Every add-on of this repository (a folder with a manifest), the core first: what a
# whole run installs and tests. FM_INSTALL (comma-separated) narrows it, e.g. to the
# core alone or to one companion (the template database then holds only their
# dependencies).
FM_MODULES=$(cd "$FM_ROOT" && { echo "$FM_MODULE"; ls -d -- */__manifest__.py 2>/dev/null | cut -d/ -f1 | { grep -vx "$FM_MODULE" || true; } | sort; } | paste -sd,)
FM_INSTALL=${FM_INSTALL:-$FM_MODULES}
mkdir -p "$FM_CACHE" "$FM_DATA_DIR"

fm_log() { printf '[followup_manager] %s\n' "$*" >&2; }
fm_die() {
    printf '[followup_manager] ERROR: %s\n' "$*" >&2
    exit 2
}

# --- Odoo source -----------------------------------------------------------
fm_find_odoo() {
    local candidate
    for candidate in "${ODOO_SRC:-}" "$HOME/odoo-18.0" /opt/odoo-18.0; do
        [[ -n "$candidate" ]] || continue
        if [[ -f "$candidate/odoo-bin" && -f "$candidate/odoo/release.py" ]]; then
            ODOO_SRC=$(cd "$candidate" && pwd)
            break
        elif [[ "$candidate" == "${ODOO_SRC:-}" ]]; then
            fm_die "ODOO_SRC=$candidate is not an Odoo source tree (no odoo-bin there)."
        fi
    done
    if [[ -z "${ODOO_SRC:-}" || ! -f "$ODOO_SRC/odoo-bin" ]]; then
        fm_log "No Odoo 18.0 source found; cloning $FM_ODOO_UPSTREAM (branch 18.0) into ~/odoo-18.0"
        if ! git clone --depth 1 --branch 18.0 "$FM_ODOO_UPSTREAM" "$HOME/odoo-18.0.part"; then
            rm -rf "$HOME/odoo-18.0.part"
            fm_die "Could not get Odoo 18.0. Put an Odoo 18.0 source tree at ~/odoo-18.0 or point ODOO_SRC at one (git clone -b 18.0 --depth 1 https://github.com/odoo/odoo.git)."
        fi
        mv "$HOME/odoo-18.0.part" "$HOME/odoo-18.0"
        ODOO_SRC=$HOME/odoo-18.0
    fi
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" ||
        fm_die "$ODOO_SRC is not Odoo 18.0 ($(grep -m1 '^version_info' "$ODOO_SRC/odoo/release.py"))."
    export ODOO_SRC
}

# A short fingerprint of the Odoo source, for cache keys.
fm_odoo_fingerprint() {
    if git -C "$ODOO_SRC" rev-parse HEAD >/dev/null 2>&1; then
        git -C "$ODOO_SRC" rev-parse --short=10 HEAD
    else
        stat -c '%Y' "$ODOO_SRC/odoo/release.py" "$ODOO_SRC/requirements.txt" | md5sum | cut -c1-10
    fi
}

# --- System packages ---------------------------------------------------------
fm_apt_install() {
    # Installs Debian packages when we can (root), else says what is missing.
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        fm_log "Installing Debian packages: ${missing[*]}"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        fm_die "Missing system packages: ${missing[*]} (install them with your package manager)."
    fi
}

fm_system_deps() {
    command -v dpkg-query >/dev/null || return 0 # not Debian: trust the user
    # python-ldap and psycopg2 build from source; chromium runs the tours.
    fm_apt_install libldap2-dev libsasl2-dev libpq-dev gcc chromium fonts-liberation
}

# --- Python ----------------------------------------------------------------------
fm_python() {
    local py
    for py in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        [[ -n "$py" ]] && command -v "$py" >/dev/null || continue
        if "$py" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))'; then
            echo "$py"
            return
        fi
    done
    fm_die "Odoo 18.0 needs Python 3.10 to 3.12; set PYTHON to one."
}

fm_venv() {
    local py key req
    py=$(fm_python)
    # A file of its own per run: several runs may set up at once.
    req=$(mktemp "$FM_CACHE/requirements.XXXXXX")
    # Odoo pins cbor2==5.4.2, whose sdist no longer builds: any 5.4.x wheel works.
    sed -e 's/^cbor2==5\.4\.2/cbor2==5.4.6/' "$ODOO_SRC/requirements.txt" >"$req"
    cat "$FM_ROOT/requirements-dev.txt" >>"$req"
    key=$("$py" -c 'import sys; print("%d%d" % sys.version_info[:2])')-$(md5sum <"$req" | cut -c1-10)
    FM_VENV=$FM_CACHE/venv-py$key
    if [[ ! -f "$FM_VENV/.complete" ]]; then
        fm_log "Creating the Python environment $FM_VENV (Odoo's requirements + the add-on's)"
        rm -rf "$FM_VENV"
        "$py" -m venv "$FM_VENV"
        "$FM_VENV/bin/pip" install -q --upgrade pip wheel "setuptools<81"
        "$FM_VENV/bin/pip" install -q -r "$req"
        touch "$FM_VENV/.complete"
    fi
    rm -f "$req"
    export PATH=$FM_VENV/bin:$PATH
    export FM_VENV
}

# --- PostgreSQL --------------------------------------------------------------------
fm_postgres() {
    if [[ -n "${PGHOST:-}" && -n "${PGUSER:-}" ]]; then
        : # the user's own server
    elif [[ $(id -u) -eq 0 ]] && command -v pg_ctlcluster >/dev/null; then
        fm_postgres_system
    else
        fm_postgres_private
    fi
    export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE=postgres
    [[ "$PGUSER" != postgres ]] || fm_die "Odoo refuses the 'postgres' role: use another PGUSER."
    local i
    for i in $(seq 1 30); do
        psql -Atqc 'select 1' >/dev/null 2>&1 && return 0
        sleep 1
    done
    fm_die "PostgreSQL at $PGHOST:$PGPORT does not answer for user $PGUSER."
}

fm_postgres_system() {
    local version cluster
    read -r version cluster _ < <(pg_lsclusters --no-header 2>/dev/null | head -1) || true
    if [[ -z "${version:-}" ]]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -1)
        cluster=main
        fm_log "Creating PostgreSQL cluster $version/$cluster"
        pg_createcluster "$version" "$cluster" >/dev/null
    fi
    if ! pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
        fm_log "Starting PostgreSQL $version/$cluster"
        pg_ctlcluster "$version" "$cluster" start
    fi
    PGPORT=$(pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
    PGHOST=127.0.0.1
    PGUSER=${FOLLOWUP_DB_USER:-odoo}
    PGPASSWORD=${FOLLOWUP_DB_PASSWORD:-odoo}
    runuser -u postgres -- psql -p "$PGPORT" -Atqc "SELECT 1 FROM pg_roles WHERE rolname = '$PGUSER'" | grep -q 1 ||
        runuser -u postgres -- psql -p "$PGPORT" -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD'"
}

fm_postgres_private() {
    local bindir dir=$FM_ROOT/.pgdata
    bindir=$(dirname "$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)")
    [[ -x "$bindir/pg_ctl" ]] || fm_die "PostgreSQL server binaries not found (install postgresql)."
    PGUSER=${FOLLOWUP_DB_USER:-odoo}
    PGPASSWORD=
    PGPORT=${FOLLOWUP_PGPORT:-54329}
    PGHOST=$dir
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        fm_log "Creating a private PostgreSQL cluster in $dir"
        "$bindir/initdb" -D "$dir" -U "$PGUSER" -A trust -E UTF8 --locale=C >/dev/null
    fi
    if ! "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
            -o "-k $dir -p $PGPORT -c listen_addresses=''" start >/dev/null
    fi
}

# --- Odoo ------------------------------------------------------------------------
fm_odoo_args() {
    ODOO_ARGS=(
        --addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$FM_ROOT"
        --data-dir="$FM_DATA_DIR"
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER"
        --db_password="${PGPASSWORD:-False}"
    )
}

fm_odoo() {
    python "$ODOO_SRC/odoo-bin" "${ODOO_ARGS[@]}" "$@"
}

# The dependencies of the add-ons to install ($FM_INSTALL) outside this repository,
# read from their manifests (the template database has exactly these installed, so
# installing the add-ons on a copy is fast).
fm_module_depends() {
    python - "$FM_ROOT" "$FM_INSTALL" <<'PY'
import ast, os, sys
root, wanted = sys.argv[1], sys.argv[2].split(",")
ours = {d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "__manifest__.py"))}
seen, todo, outside = set(), list(wanted), []
while todo:
    name = todo.pop(0)
    if name in seen:
        continue
    seen.add(name)
    manifest = ast.literal_eval(open(os.path.join(root, name, "__manifest__.py")).read())
    for dep in manifest.get("depends", []):
        if dep in ours:
            todo.append(dep)
        elif dep not in outside:
            outside.append(dep)
print(",".join(outside))
PY
}

fm_db_exists() { psql -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }

fm_drop_db() {
    fm_db_exists "$1" || { rm -rf "$FM_DATA_DIR/filestore/$1"; return 0; }
    psql -qc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$1'" >/dev/null
    dropdb "$1"
    rm -rf "$FM_DATA_DIR/filestore/$1"
}

# A database with the add-on's dependencies (and their demo data) installed,
# built once per Odoo source and dependency list, then copied for each run.
fm_template_db() {
    local deps name
    deps=$(fm_module_depends)
    # The data dir is part of the key: the template's filestore lives there.
    name=fm_tmpl_$(echo "$(fm_odoo_fingerprint) $deps $FM_DATA_DIR" | md5sum | cut -c1-10)
    if ! fm_db_exists "$name"; then
        fm_log "Building template database $name with: $deps (a few minutes, once)"
        fm_drop_db "${name}_part"
        fm_odoo -d "${name}_part" -i "$deps" --stop-after-init --no-http \
            --log-level=warn >"$FM_CACHE/$name.log" 2>&1 ||
            { tail -50 "$FM_CACHE/$name.log" >&2; fm_die "Template database build failed (log: $FM_CACHE/$name.log)"; }
        psql -qc "ALTER DATABASE \"${name}_part\" RENAME TO \"$name\""
        [[ ! -d "$FM_DATA_DIR/filestore/${name}_part" ]] ||
            mv "$FM_DATA_DIR/filestore/${name}_part" "$FM_DATA_DIR/filestore/$name"
    fi
    FM_TEMPLATE_DB=$name
}

# Copies the template (database and filestore) to a new database.
fm_db_from_template() {
    local target=$1
    fm_drop_db "$target"
    createdb -T "$FM_TEMPLATE_DB" "$target"
    # A copy must not share the template's secret (it signs the preference and
    # unsubscribe links) nor its identity, as Odoo's own database duplication does.
    psql -d "$target" -qc "UPDATE ir_config_parameter SET value = gen_random_uuid()::text
        WHERE key IN ('database.secret', 'database.uuid')"
    if [[ -d "$FM_DATA_DIR/filestore/$FM_TEMPLATE_DB" ]]; then
        mkdir -p "$FM_DATA_DIR/filestore"
        cp -a "$FM_DATA_DIR/filestore/$FM_TEMPLATE_DB" "$FM_DATA_DIR/filestore/$target"
    fi
}

# --- Another day (bin/test --date) ------------------------------------------------
# FM_FAKE_DATE="YYYY-MM-DD[ HH:MM[:SS]]" (UTC) runs everything that follows with the
# clock of that day for Odoo and PostgreSQL alike: libfaketime (Debian's faketime) is
# preloaded with one fixed offset from the real clock, so every process (the database
# server and its backends, Odoo, the browser of the tours, pytest) reads the same moving
# clock. The database server is a private cluster of its own, started here under that
# clock and removed on exit; Odoo's data dir is a temporary one too, so nothing of the
# machine's own cluster or caches is touched.
fm_faketime() {
    local target now offset lib dir port bindir owner=()
    fm_apt_install faketime
    lib=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$') ||
        fm_die "libfaketime not found (install Debian's faketime)."
    [[ "$FM_FAKE_DATE" == *:* ]] && target=$FM_FAKE_DATE || target="$FM_FAKE_DATE $(date -u +%H:%M:%S)"
    target=$(date -u -d "$target" +%s 2>/dev/null) || fm_die "--date: not a date: $FM_FAKE_DATE"
    now=$(date -u +%s)
    offset=$((target - now))
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [[ -x "$bindir/pg_ctl" ]] || fm_die "PostgreSQL server binaries not found (install postgresql)."
    dir=$(mktemp -d "${TMPDIR:-/tmp}/fm-faketime.XXXXXX")
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
        owner=(runuser -u postgres --)
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    ((offset < 0)) && FAKETIME=$offset || FAKETIME=+$offset
    # The monotonic clock moves with the rest: with it left real, libfaketime makes
    # Python's time.sleep() (an absolute clock_nanosleep) fail with EINVAL.
    export FAKETIME
    "${owner[@]}" "$bindir/initdb" -D "$dir/data" -U odoo -A trust -E UTF8 --locale=C >/dev/null
    "${owner[@]}" env LD_PRELOAD="$lib" FAKETIME="$FAKETIME" \
        "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >/dev/null ||
        { cat "$dir/server.log" >&2; fm_die "The private PostgreSQL cluster did not start."; }
    FM_FAKE_DIR=$dir FM_FAKE_PGCTL=("${owner[@]}" "$bindir/pg_ctl")
    trap fm_faketime_stop EXIT
    export PGHOST=$dir PGPORT=$port PGUSER=odoo PGPASSWORD=
    # Exported: bin/upgrade-check, started by bin/test, finds the same data dir.
    export FOLLOWUP_DATA_DIR=$dir/odoo-data
    FM_DATA_DIR=$FOLLOWUP_DATA_DIR
    mkdir -p "$FM_DATA_DIR"
    export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
    fm_log "The clock reads $(date -u '+%Y-%m-%d %H:%M:%S') UTC for Odoo and PostgreSQL (libfaketime, offset ${FAKETIME}s; private cluster in $dir)"
}

fm_faketime_stop() {
    [[ -n "${FM_FAKE_DIR:-}" && -d "$FM_FAKE_DIR" ]] || return 0
    LD_PRELOAD= "${FM_FAKE_PGCTL[@]}" -D "$FM_FAKE_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$FM_FAKE_DIR"
}

fm_setup() {
    fm_find_odoo
    fm_system_deps
    fm_venv
    [[ -z "${FM_FAKE_DATE:-}" ]] || fm_faketime
    fm_postgres
    fm_odoo_args
}
