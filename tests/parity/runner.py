"""The Python side of the parity test (run by run_parity.py with the venv's
python, so that `swng` is the installed package).

Reads requests as JSON lines on stdin and answers each with one line:

    ID <TAB> STAGE <TAB> OUTCOME <TAB> OPTION <TAB> MESSAGE <TAB> VALUE

A request is {"id", "options": {name: value}, "call": CALL or null}, values
already decoded by the driver into {"num": TEXT}, {"str": S}, {"bool": B}
or {"headers": [[name, value], ...]}. CALL is [OPERATION, ARG..., KWARGS]:
the Client method's name, its positional arguments (values as above) and
its optional arguments as {name: value} (keyword arguments here). STAGE is
"client" or "call"; OUTCOME is "ok", "type_error" (a TypeError), the swng
error's code, or "exception:<class>" for anything else; OPTION is e.option
("-": none). VALUE ("-" unless ok after a call) is what the call gave,
summarised the same way by every runner: NAME=HEX pairs joined by ","
(see summary()); a list is read to its end.
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
    if "bool" in v:
        return v["bool"]
    if "headers" in v:
        return {name: val for name, val in v["headers"]}
    raise ValueError("unknown value %r" % (v,))


def clean(text):
    return re.sub(r"[\t\r\n]", " ", str(text))


def _text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def fields_of(item):
    """The compared fields of one result, {name: text}."""
    if isinstance(item, swng.Membership):
        return {"type": "membership", "id": item.id, "number_group_id": item.number_group_id,
                "phone_number_id": _text(item.phone_number.id),
                "phone_number_number": _text(item.phone_number.number),
                "existed": _text(item.existed)}
    if isinstance(item, swng.NumberGroup):
        return {"type": "number_group", "id": item.id, "name": item.name,
                "sticky_sender": _text(item.sticky_sender),
                "phone_number_count": _text(item.phone_number_count)}
    if isinstance(item, swng.PhoneNumber):
        return {"type": "phone_number", "id": _text(item.id), "number": _text(item.number),
                "name": _text(item.name)}
    return {"type": "unknown:" + type(item).__name__}


def summary(result, is_list):
    """NAME=HEX,... of a result: a list's count, item type and ids (a
    membership's id/phone_number_id), one resource's fields, or type=none."""
    if is_list:
        items = [fields_of(x) for x in result]
        f = {"type": "list", "count": str(len(items)),
             "item_type": items[0]["type"] if items else "",
             "ids": " ".join(x["id"] + ("/" + x["phone_number_id"] if x["type"] == "membership"
                                        else "") for x in items)}
    elif result is None:
        f = {"type": "none"}
    else:
        f = fields_of(result)
    return ",".join("%s=%s" % (k, v.encode("utf-8", "surrogateescape").hex())
                    for k, v in sorted(f.items()))


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
        return "client", code, option, e, "-"
    try:
        if req.get("call"):
            op, args, kw = req["call"][0], req["call"][1:-1], req["call"][-1]
            try:
                result = getattr(client, op)(*[value(a) for a in args],
                                             **{k: value(v) for k, v in kw.items()})
                is_list = op.startswith("list_")
                if is_list:
                    result = list(result)  # read to the end: errors while paging count
                return "call", "ok", None, "%s done" % op, summary(result, is_list)
            except Exception as e:  # noqa: BLE001
                code, option = outcome_of(e)
                return "call", code, option, e, "-"
        return "client", "ok", None, "client %s" % client.base_url, "-"
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
        stage, outcome, option, message, val = run(req)
        print("\t".join([req["id"], stage, outcome, option or "-", clean(message), val]),
              flush=True)


if __name__ == "__main__":
    main()
