#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# genmanifests.py: the Kubernetes manifests of the apply benchmark
# (tests/bench/apply.sh), as YAML files in a directory.
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
#
# Debian's python3, standard library only.

import ipaddress
import os
import sys
import time

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
    rules = max(1, n // 10)
    per = RULES_PER_INGRESS
    ings = [ingress(g, g * per, min(g * per + per, rules), n)
            for g in range((rules + per - 1) // per)]
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
    else:
        sys.exit("usage: genmanifests.py gen DIR N | "
                 "change DIR N K V STAGE")


if __name__ == "__main__":
    main(sys.argv)
