"""The Python side of the parity test (run by run_parity.py with the venv's
python, so that `swng` is the installed package).

Reads requests as JSON lines on stdin and answers each with one line:

    ID <TAB> STAGE <TAB> OUTCOME <TAB> OPTION <TAB> MESSAGE

A request is {"id", "options": {name: value}, "call": [group, phone] or
null}, values already decoded by the driver into {"num": TEXT},
{"str": S} or {"headers": [[name, value], ...]}. STAGE is "client" or
"call"; OUTCOME is "ok", "type_error" (a TypeError), the swng error's code,
or "exception:<class>" for anything else; OPTION is e.option ("-": none).
{"cmd": "options"} answers "options <TAB> name,name,..." (the core's list).
"""

import json
import re
import sys

import swng
from swng import swng_core


def number(text):
    # An integer literal is an int (as a Python caller would write it).
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


def value(v):
    if "num" in v:
        return number(v["num"])
    if "str" in v:
        return v["str"]
    if "headers" in v:
        return {name: val for name, val in v["headers"]}
    raise ValueError("unknown value %r" % (v,))


def clean(text):
    return re.sub(r"[\t\r\n]", " ", str(text))


def outcome_of(e):
    if isinstance(e, swng.Error):
        return e.code, getattr(e, "option", None)
    if isinstance(e, TypeError):
        return "type_error", None
    return "exception:" + type(e).__name__, None


def run(req):
    kwargs = {name: value(v) for name, v in req["options"].items()}
    try:
        client = swng.Client(**kwargs)
    except Exception as e:  # noqa: BLE001 - every outcome is reported
        code, option = outcome_of(e)
        return "client", code, option, e
    try:
        if req.get("call"):
            group, phone = req["call"]
            try:
                m = client.create_membership(group, phone)
            except Exception as e:  # noqa: BLE001
                code, option = outcome_of(e)
                return "call", code, option, e
            return "call", "ok", None, "membership %s" % m.id
        return "client", "ok", None, "client %s" % client.base_url
    finally:
        client.close()


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("cmd") == "options":
            names, i = [], 0
            while True:
                name = swng_core.swng_client_option_name(i)
                if name is None:
                    break
                names.append(name)
                i += 1
            print("options\t" + ",".join(names), flush=True)
            continue
        stage, outcome, option, message = run(req)
        print("\t".join([req["id"], stage, outcome, option or "-", clean(message)]), flush=True)


if __name__ == "__main__":
    main()
