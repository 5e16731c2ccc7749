#!/bin/sh
# A local job for security/battery.sh: what a hostile job would try. With SECRET_TOKEN set it holds
# that secret in its environment and waits; otherwise it looks for the service's secrets and for
# another job's, and prints one line per attempt; with TLS_PRIVATE_KEY set it prints that
# multi-line secret line by line (the service must mask every line).
if [ -n "${TLS_PRIVATE_KEY:-}" ]; then printf '%s\n' "$TLS_PRIVATE_KEY"; echo printed; exit 0; fi
if [ -n "${SECRET_TOKEN:-}" ]; then echo ready; sleep "${HOLD_SECONDS:-30}"; exit 0; fi
if cat "/proc/$SERVICE_PID/environ" >/dev/null 2>&1; then echo environ=readable; else echo environ=denied; fi
if cat "$CONFIG_DIR/platform.ini" >/dev/null 2>&1; then echo platform.ini=readable; else echo platform.ini=denied; fi
echo "other-jobs=$(grep -l "SECRET_TOKEN=zz-$OTHER_MARKER" /proc/[0-9]*/environ 2>/dev/null | wc -l)"
echo "uid=$(id -u)"
