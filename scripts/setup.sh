#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: Debian packages (when root), then npm ci when
# dependencies are missing or stale, then the detection model conversion. Used by `npm test`,
# `npm run demo` and CI. Safe to run again: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ffmpeg                                   # recorder, clips, frame feed
  python3-gi gir1.2-gst-rtsp-server-1.0    # simulated RTSP cameras
  gir1.2-gstreamer-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-x                           # clockoverlay/timeoverlay (pango) on simulated cameras
  victoria-metrics                         # InfluxDB-compatible metrics store for tests
  mosquitto                                # reference broker for the ingest benchmark
  chromium                                 # dashboard browser tests
  opencv-doc                               # real street/people/vehicle photos and video for detection tests
  crossbuild-essential-arm64               # the linux-arm64 agent: better-sqlite3 cross-compiled (npm run build:agent)
  qemu-user-static                         # the linux-arm64 agent tested under qemu-aarch64-static
  postgresql                               # PostgreSQL engine: contract tests start throwaway clusters (test/support/postgres.ts)
  rabbitmq-server                          # clustered MQTT tier: 3-node clusters in test/cluster and npm run cluster
  haproxy                                  # load balancer in front of aggregator instances and broker nodes
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (run as root, or install them): ${missing[*]}" >&2
  fi
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  # onnxruntime-node's install script downloads nothing we need (CPU binaries ship in the
  # package); its skip switch is read from this variable. Not in .npmrc: current npm warns
  # "Unknown project config" about any key it does not know, on every command.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi

if [ -f scripts/setup-models.ts ]; then
  node --import tsx scripts/setup-models.ts
fi
