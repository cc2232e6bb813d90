#!/usr/bin/env python3
"""A DNS server for Candor's tests (PyPI dnslib), answering TXT queries from a file.

  dns_server.py RECORDS.json
      Serves DNS on 127.0.0.1 (UDP and TCP, one port) and prints {"port": PORT} on
      stdout. RECORDS.json maps names to TXT values, {"_x.host.test": ["v", ...]}
      (a value that is a list is one record of several strings),
      and is read again for every query, so a test can publish a record while the
      server runs. Names not in the file get NXDOMAIN. Serves until stdin closes.
"""
import json
import socket
import sys

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class FileResolver(BaseResolver):
    def __init__(self, path):
        self.path = path

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        try:
            with open(self.path) as f:
                records = {k.lower(): v for k, v in json.load(f).items()}
        except (OSError, ValueError):
            records = {}
        if name not in records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in records[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=5))
        return reply


def free_port():
    # One port free for both UDP and TCP.
    while True:
        tcp = socket.socket()
        tcp.bind(("127.0.0.1", 0))
        port = tcp.getsockname()[1]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", port))
        except OSError:
            tcp.close()
            continue
        tcp.close()
        udp.close()
        return port


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    resolver = FileResolver(sys.argv[1])
    port = free_port()
    for tcp in (False, True):
        # dnslib logs every query to stdout by default, where the port goes.
        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data")
        DNSServer(resolver, port=port, address="127.0.0.1", tcp=tcp, logger=quiet).start_thread()
    print(json.dumps({"port": port}), flush=True)
    sys.stdin.read()
