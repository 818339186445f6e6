"""The Python side of swng's contract tests: the same line protocol as
contract_c.c (see there), over the `swng` Python module.

    in:  ID OPERATION BASE_URL PROJECT_ID TOKEN HEADERS ARG...
    out: ID CODE HTTP KIND ITEM_COUNT ITEM_CODE MESSAGE [NAME=VALUE...]

OPERATIONS below has one row per operation: how many ARGs it takes, how to
call the client, and the NAME=VALUE fields of its result. KIND is the class
of the result: "Membership" or the exception's class name, which
run_contract.py checks against the code (swng.NotFoundError for
"not_found", ...). Run by run_contract.py with PYTHONPATH pointing at the
build tree's package (<build>/python) or inside a venv where swng is installed.
"""

import sys

import swng


def membership_fields(m):
    m.to_dict()  # the body parses as JSON
    for cap in m.phone_number.capabilities:
        str(cap)
    return [("id", m.id), ("number_group_id", m.number_group_id),
            ("phone_number.id", m.phone_number.id),
            ("phone_number.capabilities", len(m.phone_number.capabilities)),
            ("created_at", m.created_at)]


# name: (number of ARGs, call(client, args), fields(result))
OPERATIONS = {
    "create_membership": (2, lambda client, a: client.create_membership(a[0], a[1]),
                          membership_fields),
}


def clean(value):
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def main():
    clients = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if line == "quit":
            break
        f = line.split("\t")
        op = OPERATIONS.get(f[1]) if len(f) > 1 else None
        if op is None:
            print("contract_test.py: unknown operation %r" % (f[1:2],), file=sys.stderr)
            return 2
        nargs, call, result_fields = op
        if len(f) != 6 + nargs:
            print("contract_test.py: bad case line for %s (%d fields)" % (f[1], len(f)),
                  file=sys.stderr)
            return 2
        case_id, _op, base_url, project, token, headers = f[:6]
        key = (base_url, project, token, headers)
        try:
            client = clients.get(key)
            if client is None:
                hdrs = {}
                for h in filter(None, headers.split("|")):
                    name, _, value = h.partition(":")
                    hdrs[name.strip()] = value.strip()
                client = swng.Client(project_id=project or None, token=token or None,
                                     base_url=base_url or None, headers=hdrs or None,
                                     timeout=30)
                clients[key] = client
            result = call(client, f[6:])
        except swng.Error as e:
            if not isinstance(e.errors, tuple):
                raise TypeError("errors is not a tuple")
            for item in e.errors:  # every field readable, strings or None
                for v in (item.detail, item.status, item.title, item.code):
                    if v is not None and not isinstance(v, str):
                        raise TypeError("item field %r is not a str" % (v,))
            str(e), repr(e)
            fields = [case_id, e.code, e.http_status or 0, type(e).__name__,
                      len(e.errors), e.errors[0].code if e.errors else "", e.message]
        else:
            fields = [case_id, "ok", result.http_status, type(result).__name__, 0, "", ""]
            fields += ["%s=%s" % (k, clean(v)) for k, v in result_fields(result)]
        out.write("\t".join(clean(x) for x in fields) + "\n")
        out.flush()
    for client in clients.values():
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
