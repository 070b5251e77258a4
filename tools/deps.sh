#!/bin/sh
# Installs teleqd's build and test dependencies on Debian 12 (bookworm).
# Non-interactive; runs apt-get update first. Uses sudo when not root.
# python3-aiosmtpd and msmtp: the SMTP round trip of tests/integration/t_notify.sh.
# logrotate: tests/integration/t_install.sh runs the shipped logrotate examples
# (systemd-analyze, man and groff, also used by the tests, come with Debian's
# systemd, man-db and groff-base, present on a standard Debian 12 install).
# debhelper, dpkg-dev, fakeroot and lintian: `make deb` (dpkg-buildpackage with
# debhelper compat 13, then lintian on the .deb); `make deb-check` (CI) installs it,
# and the package depends on systemd (systemd-sysusers creates the user teleqd):
# listed so that a minimal image without it (a container) gets it.
# clang and libclang-rt-14-dev (libFuzzer's runtime on Debian 12): `make fuzz`.
# valgrind: `make check VALGRIND=1`, `make valgrind-quick`; cppcheck and
# clang-tidy (2.10 and 14 on Debian 12): `make lint`.
# chromium: tests/integration/t_dashboard.sh renders the dashboard in a real
# (headless) browser; it fails, never skips, without it. poppler-utils (and
# chromium): tests/integration/t_followup.sh prints the follow-up document to
# PDF and reads it back (pdftotext, pdfinfo, pdftoppm).
# libxlsxwriter-dev: teleqctl report --format xlsx (an XLSX file is a zip of Office
# Open XML parts we would otherwise write and keep valid ourselves); teleqctl only.
# python3-openpyxl: tests/integration/t_xlsx.sh reads that workbook back.
# python3-yaml: tools/grafana-dashboards.py reads teleqd.yaml to write the Grafana
# dashboards; t_grafana checks the provisioning and that the shipped JSON is its output.
# libssl-dev: the https webhook (src/webhook.c: OpenSSL through libevent's
# libevent_openssl, which libevent-dev ships); openssl: t_webhook_tls.sh makes
# its test CA and certificates with it.
# redis-sentinel: tests/integration/t_sentinel.sh (a failover on the loopback:
# a master, a replica and three sentinels).
set -eu
PKGS="build-essential pkg-config libevent-dev libhiredis-dev libyaml-dev libcmocka-dev libsystemd-dev
      libssl-dev openssl
      libxlsxwriter-dev python3-openpyxl python3-yaml
      redis-server redis-sentinel redis-tools tzdata python3 procps python3-aiosmtpd msmtp logrotate
      clang libclang-rt-14-dev valgrind cppcheck clang-tidy chromium poppler-utils
      debhelper dpkg-dev fakeroot lintian systemd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all installed"; exit 0; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
# Debian starts the packaged redis-server as a service; the tests run their own.
