"""Compose files read the way Compose v2 reads them, for DockerComposeModelTest (run by the Python that runs
docker-compose v1, whose dependencies PyYAML and jsonschema are all this needs).

  compose_model.py model SCHEMA ENV_FILE COMPOSE_FILE...
      As compose-go (Docker Compose v2's loader) does: each file is YAML (anchors and << merge keys), is
      interpolated with the env file's variables, is merged onto the files before it, and the result is validated
      against the compose-spec JSON schema after each file. Prints the merged model as JSON; on a problem, prints
      it on stderr and exits 1. Simplified where the files here do not need more: service volumes merge by their
      target path, ports append, other lists replace, mappings merge key by key; nested ${...} is refused, as
      Compose v1 cannot read it.
  compose_model.py json
      YAML on stdin (docker-compose config's output) to JSON on stdout.
"""
import json
import re
import sys

import jsonschema
import yaml


def read_env_file(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            key = key.strip()
            if key.startswith("export "):
                key = key[len("export "):].strip()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key] = value
    return values


PLACEHOLDER = re.compile(r"\$(?:(\$)|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
BRACED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$", re.S)


def interpolate_string(text, env, where):
    def replace(match):
        if match.group(1):
            return "$"
        if match.group(3):
            return env.get(match.group(3), "")
        body = match.group(2)
        if "${" in body or "$" in body.replace("$$", ""):
            raise ValueError(f"{where}: nested interpolation in '${{{body}}}' (Compose v1 does not expand it)")
        parts = BRACED.match(body)
        if not parts:
            raise ValueError(f"{where}: invalid interpolation '${{{body}}}'")
        name, operator, argument = parts.group(1), parts.group(2), parts.group(3) or ""
        value = env.get(name)
        unset_or_empty = value is None or (operator is not None and operator.startswith(":") and value == "")
        if operator is None:
            return value or ""
        if operator.endswith("-"):
            return argument if unset_or_empty else value
        if operator.endswith("?"):
            if unset_or_empty:
                raise ValueError(f"{where}: required variable {name} is missing a value: {argument}")
            return value
        return "" if unset_or_empty else argument  # + and :+

    # ${...} bodies contain no "}" here (no nesting), so a single pass with the regex is exact.
    return PLACEHOLDER.sub(replace, text)


def interpolate(node, env, where="$"):
    if isinstance(node, dict):
        return {key: interpolate(value, env, f"{where}.{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env, f"{where}[{i}]") for i, value in enumerate(node)]
    if isinstance(node, str):
        return interpolate_string(node, env, where)
    return node


def volume_target(volume):
    if isinstance(volume, dict):
        return volume.get("target")
    parts = volume.split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def merge(base, override, path=()):
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value, path + (key,)) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        if len(path) == 3 and path[0] == "services" and path[2] == "volumes":
            targets = {volume_target(v) for v in override}
            return [v for v in base if volume_target(v) not in targets] + override
        if len(path) == 3 and path[0] == "services" and path[2] == "ports":
            return base + [p for p in override if p not in base]
    return override


def model(schema_path, env_path, files):
    with open(schema_path, encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    env = read_env_file(env_path)
    project = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            loaded = yaml.safe_load(f)
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: the top level must be a mapping")
        project = merge(project, interpolate(loaded, env))
        errors = sorted(validator.iter_errors(project), key=lambda e: list(e.absolute_path))
        if errors:
            raise ValueError(f"{path}: " + "; ".join(
                "/".join(str(p) for p in e.absolute_path) + ": " + e.message for e in errors))
    return project


def main(args):
    if args[:1] == ["json"]:
        json.dump(yaml.safe_load(sys.stdin), sys.stdout)
        return 0
    if args[:1] == ["model"] and len(args) >= 4:
        try:
            json.dump(model(args[1], args[2], args[3:]), sys.stdout)
        except (ValueError, yaml.YAMLError) as problem:
            print(problem, file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
