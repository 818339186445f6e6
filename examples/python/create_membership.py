#!/usr/bin/env python3
"""Add a phone number to a SignalWire number group.

    create_membership.py NUMBER_GROUP_ID PHONE_NUMBER_ID

Configuration comes from the environment, as in SignalWire's own SDKs:
SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE (or
SIGNALWIRE_REST_BASE_URL, e.g. the local emulated space).

Prints the new membership and exits 0; on failure prints the error's code,
HTTP status and message to stderr and exits 1 (2 for bad arguments).
"""

import sys
from typing import List

import swng

USAGE = "usage: create_membership.py NUMBER_GROUP_ID PHONE_NUMBER_ID"

def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print(USAGE, file=sys.stderr)
        return 2
    group_id, phone_number_id = argv[1], argv[2]
    try:
        with swng.Client() as client:
            m = client.create_membership(group_id, phone_number_id)
    except swng.InvalidArgument as e:
        print("swng: %s" % e, file=sys.stderr)
        return 2
    except swng.Error as e:
        print("swng: %s (%s, HTTP %s)" % (e, e.code, e.http_status or "-"), file=sys.stderr)
        for item in e.errors:
            print("  %s: %s" % (item.code, item.detail), file=sys.stderr)
        if e.retry_after is not None:
            print("  retry after %d s" % e.retry_after, file=sys.stderr)
        return 1
    phone = m.phone_number
    print("membership %s" % m.id)
    print("  number group  %s" % m.number_group_id)
    print("  phone number  %s %s (%s)" % (phone.id, phone.number, phone.name))
    print("  capabilities  %s" % (", ".join(phone.capabilities) or "-"))
    print("  created       %s" % m.created_at)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
