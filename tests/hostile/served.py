#!/usr/bin/python3
"""served.py STATE-DIR METHOD KIND: exit 0 if the XenAPI simulator recorded a call of
METHOD ("*" = any) that met fault KIND (its transport_fault, or its result: an error
code).  One process instead of simctl calls piped into a parser, for speed."""
import http.client
import json
import os
import ssl
import sys

state, method, kind = sys.argv[1:4]
port = int(open(os.path.join(state, "port")).read())
addr = open(os.path.join(state, "master")).read().strip()
ctx = ssl.create_default_context(cafile=os.path.join(state, "ca.pem"))
c = http.client.HTTPSConnection(addr, port, context=ctx, timeout=30)
c.request("GET", "/sim/calls")
calls = json.loads(c.getresponse().read())
sys.exit(0 if any(method in (x["method"], "*") and kind in (x.get("transport_fault"), x.get("result"))
                  for x in calls) else 1)
