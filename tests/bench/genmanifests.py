#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# genmanifests.py: the Kubernetes manifests of the apply benchmark
# (tests/bench/apply.sh), as YAML files in a directory, or as JSON for the
# stand-in API server (tests/k8s/apiserver.py), and the few requests to it
# that the benchmark times.
#
#   genmanifests.py gen DIR N
#       N Services bench/svc-I (clusterIP 10.96.0.0 + I + 1, port 80 to
#       targetPort 8080), one EndpointSlice each (svc-I-a, 5 ready endpoints
#       10.128.0.0 + 5 I + J + 1, J = 0..4, port 8080), and N / 10 Ingress
#       rules (at least 1), 10 to an Ingress (bench/ing-G): rule H is host
#       hH.bench.example, one path "/" (Prefix) to svc-(H * 10 % N):80,
#       of class "kgate" (an IngressClass of controller
#       kgate.io/ingress-controller).  Files of 100 objects each, by kind:
#       00-class.yaml, svc-NNNN.yaml, eps-NNNN.yaml, ing-NNNN.yaml.
#   genmanifests.py change DIR N K V STAGE
#       Rewrite the file that holds EndpointSlice svc-K-a with that slice's
#       last endpoint moved to 10.200.0.0 + V (V = 0: back to its own
#       address): written into the directory STAGE (on DIR's file system),
#       then renamed over the file in DIR, atomically, as a controller would.
#       Prints the time (seconds since the epoch, the clock of bash's
#       $EPOCHREALTIME) just before the rename, and the changed address.
#   genmanifests.py json N FILE
#       The same objects as gen (each with apiVersion, kind and metadata, in
#       the order of the files) as one JSON document {"objects": [...]}.
#   genmanifests.py json-change N K V FILE
#       EndpointSlice svc-K-a as change makes it, as {"object": {...}} in
#       FILE (the body of one /_control/put); prints the changed address.
#   genmanifests.py load URL FILE
#       Load FILE (of json) into the stand-in at URL: POST /_control/put
#       {"objects": [...]}, or where that stand-in takes one object a put,
#       POST /_control/drop {"then": [...]} (which puts them all; no watch
#       is open yet to be cut); then POST /_control/compact, so that the
#       stand-in's watches do not scan the load's events again on each
#       later one (a real API server's watch cache does not; etcd compacts
#       too).  Prints the seconds the load took and the resourceVersion.
#   genmanifests.py put URL FILE
#       POST FILE to URL/_control/put on a connection made beforehand;
#       prints the time just before the request was sent, the time its
#       answer was read, and the resourceVersion of the change.  FILE "-":
#       one FILE a line from standard input, each put on the same
#       connection as it comes, one line printed for each (flushed).
#   genmanifests.py watch URL
#       Watch EndpointSlices at URL from its resourceVersion now; prints
#       "watching" once the stream is open, then one line an event: the
#       time it was read, its type, name and resourceVersion (flushed).
#   genmanifests.py lists URL
#       From the stand-in's request log: the seconds from the first LIST
#       request (a GET that is not a watch) to the last, and their number.
#
# Debian's python3, standard library only.

import http.client
import ipaddress
import json
import os
import sys
import time
import urllib.parse

PER_FILE = 100
RULES_PER_INGRESS = 10
ENDPOINTS = 5
SVC_BASE = int(ipaddress.IPv4Address("10.96.0.0"))
EP_BASE = int(ipaddress.IPv4Address("10.128.0.0"))
MOVED_BASE = int(ipaddress.IPv4Address("10.200.0.0"))


def ip(n):
    return str(ipaddress.IPv4Address(n))


def service(i):
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n"
            f"  name: svc-{i}\n  namespace: bench\n"
            f"spec:\n  clusterIP: {ip(SVC_BASE + i + 1)}\n"
            f"  ports:\n  - port: 80\n    targetPort: 8080\n")


def endpoint_ip(i, j):
    return ip(EP_BASE + ENDPOINTS * i + j + 1)


def endpoint_slice(i, moved=0):
    addrs = [endpoint_ip(i, j) for j in range(ENDPOINTS)]
    if moved:
        addrs[-1] = ip(MOVED_BASE + moved)
    eps = "".join(f"- addresses: [{a}]\n  conditions: {{ready: true}}\n"
                  for a in addrs)
    return (f"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
            f"metadata:\n  name: svc-{i}-a\n  namespace: bench\n"
            f"  labels:\n    kubernetes.io/service-name: svc-{i}\n"
            f"addressType: IPv4\nports:\n- port: 8080\nendpoints:\n{eps}")


def ingress(g, first, last, n):
    rules = "".join(
        f"  - host: h{h}.bench.example\n    http:\n      paths:\n"
        f"      - path: /\n        pathType: Prefix\n        backend:\n"
        f"          service:\n            name: svc-{h * 10 % n}\n"
        f"            port:\n              number: 80\n"
        for h in range(first, last))
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
            f"metadata:\n  name: ing-{g}\n  namespace: bench\n"
            f"spec:\n  ingressClassName: kgate\n  rules:\n{rules}")


CLASS = ("apiVersion: networking.k8s.io/v1\nkind: IngressClass\n"
         "metadata:\n  name: kgate\n"
         "spec:\n  controller: kgate.io/ingress-controller\n")


def service_obj(i):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"svc-{i}", "namespace": "bench"},
            "spec": {"clusterIP": ip(SVC_BASE + i + 1),
                     "ports": [{"port": 80, "targetPort": 8080}]}}


def endpoint_slice_obj(i, moved=0):
    addrs = [endpoint_ip(i, j) for j in range(ENDPOINTS)]
    if moved:
        addrs[-1] = ip(MOVED_BASE + moved)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"svc-{i}-a", "namespace": "bench",
                         "labels": {"kubernetes.io/service-name":
                                    f"svc-{i}"}},
            "addressType": "IPv4", "ports": [{"port": 8080}],
            "endpoints": [{"addresses": [a], "conditions": {"ready": True}}
                          for a in addrs]}


def ingress_obj(g, first, last, n):
    rules = [{"host": f"h{h}.bench.example",
              "http": {"paths": [{
                  "path": "/", "pathType": "Prefix",
                  "backend": {"service": {"name": f"svc-{h * 10 % n}",
                                          "port": {"number": 80}}}}]}}
             for h in range(first, last)]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": f"ing-{g}", "namespace": "bench"},
            "spec": {"ingressClassName": "kgate", "rules": rules}}


CLASS_OBJ = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
             "metadata": {"name": "kgate"},
             "spec": {"controller": "kgate.io/ingress-controller"}}


def ingress_groups(n):
    """(g, first, last) of each Ingress: rules first..last - 1."""
    rules = max(1, n // 10)
    per = RULES_PER_INGRESS
    return [(g, g * per, min(g * per + per, rules))
            for g in range((rules + per - 1) // per)]


def write(path, docs):
    with open(path, "w") as f:
        f.write("---\n".join(docs))


def slice_file(k):
    return f"eps-{k // PER_FILE:04d}.yaml"


def slice_chunk(k, n, moved):
    first = k - k % PER_FILE
    return [endpoint_slice(i, moved if i == k else 0)
            for i in range(first, min(first + PER_FILE, n))]


def gen(d, n):
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "00-class.yaml"), [CLASS])
    for first in range(0, n, PER_FILE):
        last = min(first + PER_FILE, n)
        c = first // PER_FILE
        write(os.path.join(d, f"svc-{c:04d}.yaml"),
              [service(i) for i in range(first, last)])
        write(os.path.join(d, slice_file(first)), slice_chunk(first, n, 0))
    ings = [ingress(g, first, last, n)
            for g, first, last in ingress_groups(n)]
    for first in range(0, len(ings), PER_FILE):
        write(os.path.join(d, f"ing-{first // PER_FILE:04d}.yaml"),
              ings[first:first + PER_FILE])


def change(d, n, k, moved, stage):
    name = slice_file(k)
    tmp = os.path.join(stage, name)
    write(tmp, slice_chunk(k, n, moved))
    t = time.time()
    os.rename(tmp, os.path.join(d, name))
    addr = ip(MOVED_BASE + moved) if moved else endpoint_ip(k, ENDPOINTS - 1)
    print(f"{t:.6f} {addr}")


def json_objects(n, path):
    objs = [CLASS_OBJ]
    objs += [service_obj(i) for i in range(n)]
    objs += [endpoint_slice_obj(i) for i in range(n)]
    objs += [ingress_obj(g, first, last, n)
             for g, first, last in ingress_groups(n)]
    with open(path, "w") as f:
        json.dump({"objects": objs}, f, separators=(",", ":"))


def json_change(n, k, moved, path):
    with open(path, "w") as f:
        json.dump({"object": endpoint_slice_obj(k, moved)}, f)
    print(ip(MOVED_BASE + moved) if moved else endpoint_ip(k, ENDPOINTS - 1))


def connect(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        sys.exit(f"genmanifests.py: not an http:// URL: '{url}'")
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=600)
    c.connect()
    return c


def post(c, path, body):
    """POST @body (bytes) on @c; the answer's JSON, None if not 200."""
    c.request("POST", path, body=body,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    return json.loads(data) if r.status == 200 else None


def load(url, path):
    with open(path, "rb") as f:
        body = f.read()
    objs = json.loads(body)["objects"]
    t = time.time()
    # One object first: a stand-in without "objects" drops the connection.
    try:
        one = post(connect(url), "/_control/put",
                   json.dumps({"objects": objs[:1]}).encode())
    except (http.client.HTTPException, OSError):
        one = None
    c = connect(url)
    if one is not None:
        rest = json.dumps({"objects": objs[1:]}).encode()
        ans = post(c, "/_control/put", rest) if len(objs) > 1 else one
    else:
        ans = post(c, "/_control/drop", json.dumps({"then": objs}).encode())
    if ans is None or post(c, "/_control/compact", b'{"mode": "event"}') \
            is None:
        sys.exit("genmanifests.py: the stand-in refused the load")
    print(f"{time.time() - t:.6f} {ans['resourceVersion']}")


def put_one(c, path):
    with open(path, "rb") as f:
        body = f.read()
    t0 = time.time()
    ans = post(c, "/_control/put", body)
    t1 = time.time()
    if ans is None:
        sys.exit("genmanifests.py: the stand-in refused the put")
    print(f"{t0:.6f} {t1:.6f} {ans['resourceVersion']}", flush=True)


def put(url, path):
    c = connect(url)
    if path != "-":
        return put_one(c, path)
    # a client that stays, as a controller's: no start-up in the timing
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        put_one(c, line.strip())


def watch(url):
    c = connect(url)
    c.request("GET", "/_control/state")
    r = c.getresponse()
    rv = json.loads(r.read())["resourceVersion"]
    c.request("GET", "/apis/discovery.k8s.io/v1/endpointslices?watch=1"
              f"&resourceVersion={rv}")
    r = c.getresponse()
    if r.status != 200:
        sys.exit(f"genmanifests.py: watch: HTTP {r.status}")
    print("watching", flush=True)
    while True:
        line = r.readline()
        if not line:
            return
        t = time.time()
        ev = json.loads(line)
        meta = ev.get("object", {}).get("metadata", {})
        print(f"{t:.6f} {ev.get('type')} {meta.get('name')} "
              f"{meta.get('resourceVersion')}", flush=True)


def lists(url):
    c = connect(url)
    c.request("GET", "/_control/requests")
    r = c.getresponse()
    t = [q["time"] for q in json.loads(r.read())
         if q["method"] == "GET" and
         q["query"].get("watch") not in ("1", "true")]
    if not t:
        sys.exit("genmanifests.py: the stand-in served no LIST")
    print(f"{max(t) - min(t):.6f} {len(t)}")


def number(s, what, low):
    try:
        v = int(s)
    except ValueError:
        v = low - 1
    if v < low:
        sys.exit(f"genmanifests.py: {what} must be a number >= {low}, "
                 f"got '{s}'")
    return v


def main(argv):
    if len(argv) == 4 and argv[1] == "gen":
        gen(argv[2], number(argv[3], "N", 1))
    elif len(argv) == 7 and argv[1] == "change":
        n = number(argv[3], "N", 1)
        k = number(argv[4], "K", 0)
        if k >= n:
            sys.exit(f"genmanifests.py: K {k} out of range 0..{n - 1}")
        change(argv[2], n, k, number(argv[5], "V", 0), argv[6])
    elif len(argv) == 4 and argv[1] == "json":
        json_objects(number(argv[2], "N", 1), argv[3])
    elif len(argv) == 6 and argv[1] == "json-change":
        n = number(argv[2], "N", 1)
        k = number(argv[3], "K", 0)
        if k >= n:
            sys.exit(f"genmanifests.py: K {k} out of range 0..{n - 1}")
        json_change(n, k, number(argv[4], "V", 0), argv[5])
    elif len(argv) == 4 and argv[1] in ("load", "put"):
        (load if argv[1] == "load" else put)(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "watch":
        watch(argv[2])
    elif len(argv) == 3 and argv[1] == "lists":
        lists(argv[2])
    else:
        sys.exit("usage: genmanifests.py gen DIR N | "
                 "change DIR N K V STAGE | json N FILE | "
                 "json-change N K V FILE | load URL FILE | put URL FILE | "
                 "watch URL | lists URL")


if __name__ == "__main__":
    main(sys.argv)
