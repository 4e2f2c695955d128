# shellcheck shell=bash
# Shared helpers for deploy/local scripts. Source it; it sets no shell options of its own.

section() { printf '\n==== %s ====\n' "$*" >&2; }

package_installed() { # PACKAGE
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

# Installs the packages listed in FILE (one per line, # comments) that dpkg does not report as
# installed. Package scripts must not leave Debian's own PostgreSQL or Dovecot running on the default
# ports: a policy-rc.d that forbids starting services is put in place for the install, and any
# service the install started anyway is stopped again.
ensure_packages() { # FILE
    local list=$1 package missing=() sudo=() policy=/usr/sbin/policy-rc.d policy_added=no status=0
    while read -r package; do
        package=${package%%#*}; package=${package//[[:space:]]/}
        [ -n "$package" ] || continue
        package_installed "$package" || missing+=("$package")
    done <"$list"
    if [ ${#missing[@]} -eq 0 ]; then
        echo "all $(grep -cv '^\s*\(#\|$\)' "$list") packages installed" >&2
        return 0
    fi
    echo "missing packages: ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "error: not root and no sudo: install ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    local running_before
    running_before=$(running_system_services | tr "\n" " ")
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# Added by deploy/local/lib.sh for the duration of a package install.\nexit 101\n' \
            | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        policy_added=yes
    fi
    {
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
            install -y -q --no-install-recommends "${missing[@]}"
    } >&2 || status=$?
    if [ "$policy_added" = yes ]; then "${sudo[@]}" rm -f "$policy"; fi
    [ "$status" -eq 0 ] || { echo "error: apt-get failed ($status)" >&2; return "$status"; }
    stop_services_started_since "$running_before" "${sudo[@]}"
    for package in "${missing[@]}"; do
        package_installed "$package" || { echo "error: $package still not installed" >&2; return 1; }
    done
}

running_system_services() { # prints the system services (postgresql, dovecot) running now
    local service
    for service in postgresql dovecot; do
        if [ -x "/etc/init.d/$service" ] && service "$service" status >/dev/null 2>&1; then echo "$service"; fi
    done
}

# Debian's postinst starts postgresql/dovecot where services may start (policy-rc.d permitting): stop
# those the install started, so they do not hold 5432/143/993. Services running before are left alone.
stop_services_started_since() { # RUNNING_BEFORE [sudo]
    local before=$1 service
    shift
    for service in $(running_system_services); do
        case " $before " in *" $service "*) continue ;; esac
        echo "stopping the system $service service that the install started" >&2
        "$@" service "$service" stop >&2 || true
    done
}
