#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The family driven by the kernel's own YNL tool from our netlink spec
# (include/uapi/linux/kgate.yaml), independent of libkgate and the CLI:
# the spec must describe what the module really speaks.  TAP; needs the
# module loaded, in the guest.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/include/uapi/linux/kgate.yaml
ynl=$(KGATE_CACHE=${KGATE_CACHE:-/var/cache/kgate} "$top/tests/tools/kselftest.sh" ynl 2>/dev/null)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - ynl: $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - ynl: $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/# /'; }

# The plan first (tests/tools/tap.sh): 10 cases, or the one skip.
if [ ! -f "$ynl" ]; then
	echo "1..1"
	echo "ok 1 - ynl # SKIP tools/net/ynl not extracted from linux-source-6.12"
	exit 0
fi
echo "1..10"
y() { /usr/bin/python3 "$ynl" --spec "$spec" --no-schema --output-json "$@"; }

# 10.96.0.10:80/tcp and [fd00::10]:80/udp -> 10.244.1.5:8080 weight 3, a range.
svc='{"name": "ynl/svc:http", "affinity": "clientip", "affinity-timeout": 600,
      "frontends": {"item": [
         {"addr": "0a60000a", "port": 80, "proto": 6, "kind": "cluster"},
         {"addr": "fd000000000000000000000000000010", "port": 80, "proto": 17}]},
      "backends": {"item": [{"addr": "0af40105", "port": 8080, "weight": 3}]},
      "source-ranges": {"item": [{"addr": "c0a80000", "plen": 16}]}}'

if out=$(y --do service-add --json "{\"service\": $svc}" 2>&1); then
	ok "service-add from the spec is accepted"
else
	fail "service-add from the spec is accepted" "$out"
fi

# What the kernel sends back, decoded with the spec, field by field.
check_get() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
r = json.loads(sys.argv[1])["service"]
want = {"name": "ynl/svc:http", "sched": "maglev", "table-size": 0,
        "affinity": "clientip", "affinity-timeout": 600,
        "ext-policy": "cluster", "int-policy": "cluster"}
bad = [f"{k}: {r.get(k)!r} != {v!r}" for k, v in want.items() if r.get(k) != v]
fe = r["frontends"]["item"]
if [(f["addr"], f["port"], f["proto"], f["kind"]) for f in fe] != \
   [("0a60000a", 80, 6, "cluster"),
    ("fd000000000000000000000000000010", 80, 17, "cluster")]:
    bad.append(f"frontends {fe}")
be = r["backends"]["item"]
if [(b["addr"], b["port"], b["weight"], b["state"], b["flags"]) for b in be] != \
   [("0af40105", 8080, 3, "ready", [])]:
    bad.append(f"backends {be}")
rg = r["source-ranges"]["item"]
if [(x["addr"], x["plen"]) for x in rg] != [("c0a80000", 16)]:
    bad.append(f"ranges {rg}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

if out=$(y --do service-get --json '{"service": {"name": "ynl/svc:http"}}' 2>&1) &&
   why=$(check_get "$out"); then
	ok "service-get decodes to what was added, defaults filled in"
else
	fail "service-get decodes to what was added, defaults filled in" "${why:-$out}"
fi

if out=$(y --dump service-get 2>&1) && grep -q '"ynl/svc:http"' <<<"$out"; then
	ok "service-get dump lists the service"
else
	fail "service-get dump lists the service" "$out"
fi

if out=$(y --do backend-set --json '{"service": {"name": "ynl/svc:http",
	"backends": {"item": [{"addr": "0af40105", "port": 8080, "state": "terminating"}]}}}' 2>&1) &&
   out=$(y --do service-get --json '{"service": {"name": "ynl/svc:http"}}' 2>&1) &&
   grep -q '"state": "terminating"' <<<"$out" && grep -q '"weight": 3' <<<"$out"; then
	ok "backend-set changes the state and keeps the weight"
else
	fail "backend-set changes the state and keeps the weight" "$out"
fi

if out=$(y --do stats-get 2>&1) && grep -q '"services": 1' <<<"$out"; then
	ok "stats-get counts the service"
else
	fail "stats-get counts the service" "$out"
fi

# A refusal comes back through YNL as the kernel's error with its message.
out=$(y --do service-add --json "{\"service\": $svc}" 2>&1)
if [ $? -ne 0 ] && grep -q "exists" <<<"$out"; then
	ok "a duplicate service-add is refused with the kernel's message"
else
	fail "a duplicate service-add is refused with the kernel's message" "$out"
fi

if out=$(y --do service-del --json '{"service": {"name": "ynl/svc:http"}}' 2>&1) &&
   out=$(y --dump service-get 2>&1) && ! grep -q '"ynl/svc:http"' <<<"$out"; then
	ok "service-del removes it"
else
	fail "service-del removes it" "$out"
fi
# L7: a listener and a route written and read with the spec alone.
if out=$(y --do listener-add --json '{"listener": {"name": "ynl-web",
	"addr": "7f000001", "port": 18280, "flags": ["access-log"],
	"limits": {"head-bytes": 20000}}}' 2>&1) &&
   out=$(y --do listener-get --json '{"listener": {"name": "ynl-web"}}' 2>&1) &&
   /usr/bin/python3 -c '
import json, sys
l = json.loads(sys.argv[1])["listener"]
ok = (l["addr"], l["port"], l["flags"], l["limits"]["head-bytes"],
      l["limits"]["headers"], l["max-conns"]) == \
     ("7f000001", 18280, ["access-log"], 20000, 100, 65536)
sys.exit(0 if ok else 1)' "$out"; then
	ok "listener-add and listener-get from the spec, defaults filled in"
else
	fail "listener-add and listener-get from the spec, defaults filled in" "$out"
fi

if out=$(y --do route-add --json '{"route": {"name": "ynl/rt",
	"listeners": {"item": ["ynl-web"]}, "hostnames": {"item": ["a.example"]},
	"rules": {"item": [{"matches": {"item": [{"path-type": "exact", "path": "/x"}]},
	  "backends": {"item": [{"service": "ynl/svc:http", "weight": 7}]}}]}}}' 2>&1) &&
   out=$(y --dump route-get 2>&1) && grep -q '"ynl/rt"' <<<"$out" &&
   grep -q '"weight": 7' <<<"$out" && grep -q '"path-type": "exact"' <<<"$out"; then
	ok "route-add from the spec, route-get dump decodes it"
else
	fail "route-add from the spec, route-get dump decodes it" "$out"
fi

if out=$(y --do route-del --json '{"route": {"name": "ynl/rt"}}' 2>&1) &&
   out=$(y --do listener-del --json '{"listener": {"name": "ynl-web"}}' 2>&1) &&
   out=$(y --dump listener-get 2>&1) && ! grep -q '"ynl-web"' <<<"$out"; then
	ok "route-del and listener-del remove them"
else
	fail "route-del and listener-del remove them" "$out"
fi
[ "$failed" -eq 0 ]
