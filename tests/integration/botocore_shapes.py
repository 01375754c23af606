"""Values checked against a botocore shape: member names, types, enums and required members, recursively.

Shared by the contract test (our requests against the input shapes) and the Bedrock stand-in (its answers
against the output shapes). `query`: timestamps are ISO 8601 strings (Query and rest-json wire forms) rather
than epoch seconds (the JSON protocols' form).
"""


def structural(value, shape, path, problems, query):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return problems.append(f"{path}: expected a structure ({shape.name}), got {type(value).__name__}")
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required member missing")
        for k, v in value.items():
            if k not in shape.members:
                problems.append(f"{path}.{k}: not a member of {shape.name} (members: {', '.join(shape.members)})")
            else:
                structural(v, shape.members[k], f"{path}.{k}", problems, query)
    elif t == "list":
        if not isinstance(value, list):
            return problems.append(f"{path}: expected a list, got {type(value).__name__}")
        for i, v in enumerate(value):
            structural(v, shape.member, f"{path}[{i}]", problems, query)
    elif t == "map":
        if not isinstance(value, dict):
            return problems.append(f"{path}: expected a map, got {type(value).__name__}")
        for k, v in value.items():
            structural(k, shape.key, f"{path}<key>", problems, query)
            structural(v, shape.value, f"{path}[{k}]", problems, query)
    elif t in ("string", "blob"):
        if not isinstance(value, str):
            return problems.append(f"{path}: expected a string, got {type(value).__name__}")
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number, got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean, got {value!r}")
    elif t == "timestamp":
        ok = isinstance(value, str) if query else isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            problems.append(f"{path}: expected a timestamp ({'ISO 8601' if query else 'epoch seconds'}), got {value!r}")
    return problems
