"""What a person reads when the config is refused: every way it breaks the JSON-schema
(``schemas/config.schema.yaml``), one line each with the key first and a near spelling
of a misspelt key, then what to do."""

from __future__ import annotations


def key_path(parts) -> str:
    """``("methods", 0, "selection")`` -> ``methods[0].selection``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the config)"


def _allowed(schema: dict) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    bounds = [
        f"{word} {schema[key]}"
        for key, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="))
        if key in schema
    ]
    if kinds or bounds:
        return " or ".join(map(str, kinds)) + (f" {' and '.join(bounds)}" if bounds else "")
    return ""


def _schema_message(error) -> str:
    """One line for one JSON-schema error: the key, what is wrong, what is allowed."""
    import difflib

    where = key_path(error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        given = error.instance if isinstance(error.instance, dict) else {}
        lines = []
        for name in (n for n in given if n not in known):
            near = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(known)})"
            lines.append(f"{key_path([*error.absolute_path, name])}: unknown key{hint}")
        return "\n".join(lines)
    if error.validator in ("oneOf", "anyOf"):
        options = [_allowed(option) for option in error.validator_value]
        allowed = "; ".join(option for option in options if option)
        return f"{where}: {error.instance!r} is not allowed (allowed: {allowed})"
    if error.validator == "enum":
        near = difflib.get_close_matches(str(error.instance), list(map(str, error.validator_value)))
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return f"{where}: {error.instance!r} is not {_allowed(error.schema)}{hint}"
    if error.validator == "required":
        return f"{where}: {error.message}"
    allowed = _allowed(error.schema)
    return f"{where}: {error.message}" + (f" (allowed: {allowed})" if allowed else "")


def schema_problems(config: dict, schema: dict) -> list[str]:
    """Every way ``config`` breaks the schema, one line each (key path first), in key
    order; nothing else (no dump of the schema or the config)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    return [line for error in errors for line in _schema_message(error).splitlines()]


def problems_message(problems: list[str], where: str = "the config") -> str:
    """What a person reads when the config is refused: the problems first, one line
    each, then what to do."""
    shown = [f"config: {problem}" for problem in problems[:8]]
    if len(problems) > 8:
        shown.append(f"config: ... {len(problems) - 8} more")
    return "\n".join(
        [
            *shown,
            f"Nothing was run. Fix {where} and run again (every key: schemas/config.schema.yaml).",
        ]
    )
