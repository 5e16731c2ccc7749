#!/usr/bin/env python3
"""Runs the `run:` steps of one job of a GitHub Actions workflow here, the way a runner would.

Enough of a runner to test a workflow made of shell steps against a real service:
  - a small YAML reader (block mappings, lists, block scalars, quoted and plain scalars; no PyYAML);
  - `${{ ... }}` expressions that are plain context paths (github.*, inputs.*, vars.*, secrets.*,
    steps.<id>.outputs.<name>), resolved from the values given on the command line; anything
    else is an error, so a workflow that outgrows this runner fails its test instead of passing;
  - `if:` conditions success(), failure(), always() (the default is success());
  - workflow, job and step `env:`, GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
    the job's timeout-minutes;
  - each step runs as `bash --noprofile --norc -eo pipefail FILE`, GitHub's `shell: bash`.

  run_steps.py WORKFLOW.yml [--job NAME] [--only STEP-ID] [--set github.run_id=1 --set inputs.city=London ...]

Prints each step's output and outcome, then one line `job: success|failure`, and a JSON line
`RESULT {"conclusion": ..., "steps": {"<id or name>": "success|failure|skipped"}, "outputs": {...}}`.
Exits 0 when the job succeeded, 1 when it failed, 2 for a workflow this runner cannot run.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time


class Unsupported(Exception):
    pass


# --- a small YAML reader ------------------------------------------------------------------------

def _strip_comment(text):
    """Removes a trailing ' # comment' outside quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return json.loads(text)
    if text[:1] in "[{&*!|>":
        raise Unsupported(f"YAML value not supported here: {text}")
    return text


def _indent(line):
    return len(line) - len(line.lstrip(" "))


class _Reader:
    def __init__(self, text):
        if any(line.startswith("\t") for line in text.splitlines()):
            raise Unsupported("tabs used for indentation")
        self.lines = text.splitlines()
        self.i = 0

    def _skip_blank(self):
        while self.i < len(self.lines) and not _strip_comment(self.lines[self.i]).strip():
            self.i += 1

    def node(self, indent):
        self._skip_blank()
        if self.i >= len(self.lines):
            return None
        line = self.lines[self.i]
        if _indent(line) < indent:
            return None
        if line.lstrip().startswith("- ") or line.strip() == "-":
            return self._list(_indent(line))
        return self._mapping(_indent(line))

    def _list(self, indent):
        items = []
        while True:
            self._skip_blank()
            if self.i >= len(self.lines):
                break
            line = self.lines[self.i]
            if _indent(line) != indent or not line.lstrip().startswith("-"):
                break
            rest = line[indent + 1:]
            if not rest.strip():
                self.i += 1
                items.append(self.node(indent + 1))
            elif re.match(r"^\s+[^\s'\"][^:]*:(\s|$)", rest) or re.match(r"^\s+['\"].*['\"]\s*:(\s|$)", rest):
                # "- key: value": a mapping whose first line shares the dash; read it as indented.
                self.lines[self.i] = " " * (indent + 1) + rest
                items.append(self._mapping(_indent(self.lines[self.i])))
            else:
                items.append(_scalar(_strip_comment(rest)))
                self.i += 1
        return items

    def _mapping(self, indent):
        result = {}
        while True:
            self._skip_blank()
            if self.i >= len(self.lines):
                break
            line = self.lines[self.i]
            if _indent(line) != indent or line.lstrip().startswith("- "):
                if _indent(line) > indent:
                    raise Unsupported(f"unexpected indentation at line {self.i + 1}: {line.strip()}")
                break
            match = re.match(r"^\s*('[^']*'|\"[^\"]*\"|[^:#]+?)\s*:(?:\s+(.*))?$", line)
            if not match:
                raise Unsupported(f"cannot read line {self.i + 1}: {line.strip()}")
            key, value = _scalar(match.group(1)), _strip_comment(match.group(2) or "")
            self.i += 1
            if value in ("|", "|-", "|+", ">", ">-", ">+"):
                result[key] = self._block(indent, value)
            elif value:
                result[key] = _scalar(value)
            else:
                self._skip_blank()
                nested = self.lines[self.i] if self.i < len(self.lines) else ""
                if _indent(nested) == indent and nested.lstrip().startswith("-"):
                    result[key] = self._list(indent)  # "key:" then "- item" at the key's own indentation
                else:
                    result[key] = self.node(indent + 1)
        return result

    def _block(self, indent, style):
        lines = []
        block_indent = None
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip():
                if _indent(line) <= indent:
                    break
                if block_indent is None:
                    block_indent = _indent(line)
                if _indent(line) < block_indent:
                    raise Unsupported(f"block scalar indentation at line {self.i + 1}")
                lines.append(line[block_indent:])
            else:
                lines.append("")
            self.i += 1
        while lines and lines[-1] == "":
            lines.pop()
        if style.startswith(">"):
            text = re.sub(r"(?<!\n)\n(?!\n)", " ", "\n".join(lines))
        else:
            text = "\n".join(lines)
        return text if style.endswith("-") else text + "\n"


def read_yaml(text):
    return _Reader(text).node(0) or {}


# --- expressions --------------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)+$")


def evaluate(text, context, steps):
    def replace(match):
        path = match.group(1)
        if not PATH.match(path):
            raise Unsupported(f"expression not supported here: ${{{{ {path} }}}}")
        parts = path.split(".")
        if parts[0] == "steps":
            if len(parts) != 4 or parts[2] != "outputs":
                raise Unsupported(f"expression not supported here: {path}")
            return steps.get(parts[1], {}).get("outputs", {}).get(parts[3], "")
        if path not in context:
            raise Unsupported(f"no value for {path} (pass --set {path}=...)")
        return context[path]

    return EXPRESSION.sub(replace, str(text))


def condition(expression, failed):
    expression = EXPRESSION.sub(lambda m: m.group(1), str(expression or "success()")).strip()
    if expression == "success()":
        return not failed
    if expression == "failure()":
        return failed
    if expression == "always()":
        return True
    raise Unsupported(f"if: {expression} is not supported here")


def read_key_values(path):
    """GITHUB_OUTPUT / GITHUB_ENV: name=value lines and name<<DELIMITER blocks."""
    values = {}
    if not os.path.exists(path):
        return values
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


# --- the runner ---------------------------------------------------------------------------------

def run_job(workflow, job_name, context, only=None):
    jobs = workflow.get("jobs") or {}
    if job_name is None:
        if len(jobs) != 1:
            raise Unsupported(f"the workflow has jobs {list(jobs)}; name one with --job")
        job_name = next(iter(jobs))
    job = jobs[job_name]
    shell = ((job.get("defaults") or {}).get("run") or {}).get("shell") \
        or ((workflow.get("defaults") or {}).get("run") or {}).get("shell") or "bash"
    if shell != "bash":
        raise Unsupported(f"shell {shell} is not supported here")
    context = dict(context)
    context.setdefault("github.job", job_name)
    deadline = time.monotonic() + float(job.get("timeout-minutes", 360)) * 60

    steps, results, failed = {}, {}, False
    with tempfile.TemporaryDirectory(prefix="gha-") as home:
        workspace, runner_temp = os.path.join(home, "workspace"), os.path.join(home, "temp")
        os.makedirs(workspace)
        os.makedirs(runner_temp)
        env_file, summary = os.path.join(home, "env"), os.path.join(home, "summary.md")
        open(env_file, "w").close()
        base_env = dict(os.environ)
        base_env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "RUNNER_TEMP": runner_temp,
            "GITHUB_ENV": env_file, "GITHUB_STEP_SUMMARY": summary, "GITHUB_JOB": job_name,
            "GITHUB_RUN_ID": context.get("github.run_id", ""), "GITHUB_RUN_ATTEMPT": context.get("github.run_attempt", ""),
            "GITHUB_ACTOR": context.get("github.actor", ""), "GITHUB_REPOSITORY": context.get("github.repository", ""),
        })
        for scope in (workflow.get("env") or {}, job.get("env") or {}):
            for key, value in scope.items():
                base_env[key] = evaluate(value, context, steps)

        for index, step in enumerate(job.get("steps") or []):
            key = step.get("id") or step.get("name") or f"step-{index + 1}"
            name = step.get("name") or key
            if only and key != only:
                continue
            if "uses" in step:
                raise Unsupported(f"step '{name}' uses an action; only run: steps are supported here")
            if not (only or condition(step.get("if"), failed)):
                results[key] = "skipped"
                print(f"--- {name}: skipped", flush=True)
                continue
            env = dict(base_env)
            env.update(read_key_values(env_file))
            for k, value in (step.get("env") or {}).items():
                env[k] = evaluate(value, context, steps)
            output_file = os.path.join(home, f"output-{index}")
            open(output_file, "w").close()
            env["GITHUB_OUTPUT"] = output_file
            script = os.path.join(home, f"step-{index}.sh")
            with open(script, "w", encoding="utf-8") as file:
                file.write(evaluate(step.get("run", ""), context, steps))
            print(f"--- {name}", flush=True)
            try:
                code = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=workspace, env=env,
                                      timeout=max(deadline - time.monotonic(), 1)).returncode
            except subprocess.TimeoutExpired:
                print(f"--- {name}: the job's timeout-minutes passed", flush=True)
                code = 124
            steps[key] = {"outputs": read_key_values(output_file)}
            results[key] = "success" if code == 0 else "failure"
            print(f"--- {name}: {results[key]}" + ("" if code == 0 else f" (exit code {code})"), flush=True)
            failed = failed or code != 0

    conclusion = "failure" if failed else "success"
    print(f"job: {conclusion}")
    print("RESULT " + json.dumps({"conclusion": conclusion, "steps": results,
                                  "outputs": {k: v["outputs"] for k, v in steps.items()}}), flush=True)
    return 1 if failed else 0


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(description="Run a workflow job's run: steps locally.")
    parser.add_argument("workflow")
    parser.add_argument("--job")
    parser.add_argument("--only", help="run just this step (by id or name)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="a context value, e.g. github.run_id=42, inputs.city=London, secrets.JTS_API_KEY=...")
    args = parser.parse_args(argv)
    context = {"github.run_attempt": "1", "github.actor": "local-runner"}
    for item in args.set:
        path, _, value = item.partition("=")
        context[path] = value
    try:
        with open(args.workflow, encoding="utf-8") as file:
            workflow = read_yaml(file.read())
        # Inputs that are not given take the workflow_dispatch defaults, as on GitHub.
        inputs = ((workflow.get("on") or {}).get("workflow_dispatch") or {}).get("inputs") or {}
        for name, spec in inputs.items():
            context.setdefault(f"inputs.{name}", (spec or {}).get("default", ""))
        return run_job(workflow, args.job, context, args.only)
    except Unsupported as problem:
        print(f"run_steps.py: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
