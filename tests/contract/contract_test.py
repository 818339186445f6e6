"""The Python side of swng's contract tests: the same line protocol as
contract_c.c (see there), over the `swng` Python module.

    in:  ID BASE_URL PROJECT_ID TOKEN HEADERS GROUP_ID PHONE_NUMBER_ID
    out: ID CODE HTTP KIND MEMBERSHIP_ID GROUP_ID PHONE_ID COUNT ITEM_CODE MESSAGE

KIND is the class of the result: "Membership" or the exception's class name,
which run_contract.py checks against the code (swng.NotFoundError for
"not_found", ...). Run by run_contract.py with PYTHONPATH pointing at the
build tree's package (<build>/python) or inside a venv where swng is installed.
"""

import sys

import swng


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
        if len(f) != 7:
            print("contract_test.py: bad case line (%d fields)" % len(f), file=sys.stderr)
            return 2
        case_id, base_url, project, token, headers, group, phone = f
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
            m = client.create_membership(group, phone)
        except swng.Error as e:
            if not isinstance(e.errors, tuple):
                raise TypeError("errors is not a tuple")
            for item in e.errors:  # every field readable, strings or None
                for v in (item.detail, item.status, item.title, item.code):
                    if v is not None and not isinstance(v, str):
                        raise TypeError("item field %r is not a str" % (v,))
            str(e), repr(e)
            fields = [case_id, e.code, e.http_status or 0, type(e).__name__, "", "", "",
                      len(e.errors), e.errors[0].code if e.errors else "", e.message]
        else:
            m.to_dict()  # the body parses as JSON
            fields = [case_id, "ok", m.http_status, type(m).__name__, m.id, m.number_group_id,
                      m.phone_number.id, len(m.phone_number.capabilities), "", m.created_at]
        out.write("\t".join(clean(x) for x in fields) + "\n")
        out.flush()
    for client in clients.values():
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
