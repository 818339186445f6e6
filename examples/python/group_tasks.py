#!/usr/bin/env python3
"""group_tasks.py - the README's number-group tasks, as written there: find
a group by name, add a number by E.164, add without failing on numbers
already there, see what is in a group, remove a number.

    export SIGNALWIRE_PROJECT_ID=...  SIGNALWIRE_API_TOKEN=...  SIGNALWIRE_SPACE=example
    python3 group_tasks.py "Sales" +15551230001

A failure raises a swng.Error subclass (NotFoundError, AmbiguousError, ...).
"""

import sys

import swng

group_name = sys.argv[1] if len(sys.argv) > 1 else "Sales"
e164 = sys.argv[2] if len(sys.argv) > 2 else "+15551230001"

with swng.Client() as client:  # SIGNALWIRE_* from the environment
    # Find a group by name (exact; NotFoundError if none, AmbiguousError if several)
    group = client.find_number_group(group_name)

    # Add a number by E.164
    number = client.find_phone_number(e164)
    assert number.id is not None
    client.create_membership(group.id, number.id)

    # Add without failing on numbers already there
    m = client.create_membership(group.id, number.id, if_exists="return")
    print("%s already there: %s" % (m.phone_number.number, m.existed))

    # What is in a group (a lazy iterator: pages are fetched as needed)
    for member in client.list_memberships(group.id):
        print("in %s: %s (%s)" % (group.name, member.phone_number.number, member.phone_number.name))

    # Remove a number
    client.remove_number(group.id, number.id)
    print("removed %s from %s" % (number.number, group.name))
