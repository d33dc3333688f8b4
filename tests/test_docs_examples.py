"""Docs that cannot lie: every console example of README.md and docs/*.md is run.

A console example is a ```console block of `$ rouge ...` lines. Each document's
blocks run in order, in one fresh folder that holds a copy of the bundled
`rulebooks/` (so `rulebooks/metallic_rouge/sheets/rouge.yaml` and the bundled
sheets by name work), with no campaign. For each command:

- the lines after it, up to the next `$` line, are what it must print (standard
  output and standard error as they interleave; trailing spaces ignored);
- a command with no lines after it must succeed (exit status 0);
- `# ...` ends a command; `> FILE` writes its standard output to FILE; `*` globs.

An HTML comment `<!-- file NAME` ... `-->` before a block writes NAME (the
comment's other lines) into the folder first: the files an example assumes.
Commands run in-process through Click's runner, so the whole lot takes a second.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rouge_rpg import resources

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\s*$")


class Step:
    def __init__(self, command: str, line: int) -> None:
        self.command = command
        self.line = line
        self.expected: list[str] = []


def examples(text: str) -> list[tuple[dict[str, str], list[Step]]]:
    """Each console block of a document: the files to write first, and its commands."""
    out: list[tuple[dict[str, str], list[Step]]] = []
    files: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("<!-- file "):
            name = line.removeprefix("<!-- file ").strip()
            end = lines.index("-->", index)
            files[name] = "\n".join(lines[index + 1 : end]) + "\n"
            index = end + 1
            continue
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        end = index + 1
        while not lines[end].startswith("```"):
            end += 1
        if fence.group(1) == "console":
            steps: list[Step] = []
            for number in range(index + 1, end):
                body = lines[number]
                if body.startswith("$ "):
                    steps.append(Step(body[2:], number + 1))
                elif steps:
                    steps[-1].expected.append(body.rstrip())
            out.append((files, steps))
            files = {}
        index = end + 1
    return out


def run(runner: CliRunner, folder: Path, step: Step, where: str) -> None:
    from rouge_rpg.cli import cli

    words = shlex.split(step.command, comments=True)
    assert words[0] == "rouge", f"{where}: only rouge commands are run"
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    args: list[str] = []
    for word in words[1:]:
        matched = sorted(glob.glob(word, root_dir=folder)) if "*" in word else []
        args.extend(matched or [word])
    result = runner.invoke(cli, args, prog_name="rouge")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if target is not None:
        (folder / target).write_text(result.stdout, encoding="utf-8")
    printed = [line.rstrip() for line in result.output.rstrip("\n").split("\n")]
    if step.expected:
        expected = list(step.expected)
        while expected and not expected[-1]:
            expected.pop()
        assert printed == expected, f"{where}: `{step.command}` printed otherwise"
    else:
        assert result.exit_code == 0, f"{where}: `{step.command}` failed:\n{result.output}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_console_example_runs_as_written(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = examples(document.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip("no console examples")
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    shutil.copytree(resources.data_dir("rulebooks"), tmp_path / "rulebooks")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for files, steps in blocks:
        for name, content in files.items():
            (tmp_path / name).write_text(content, encoding="utf-8")
        for step in steps:
            run(runner, tmp_path, step, f"{document.name}:{step.line}")


def test_the_collector_reads_commands_outputs_and_files() -> None:
    text = (
        "<!-- file a.yaml\nname: A\n-->\n```console\n$ rouge roll 1d6 --seed 1  # x\n3\n"
        "$ rouge odds 1d2\n```\n```sh\n$ rouge not-run\n```\n"
    )
    [(files, steps)] = examples(text)
    assert files == {"a.yaml": "name: A\n"}
    assert [(s.command, s.expected) for s in steps] == [
        ("rouge roll 1d6 --seed 1  # x", ["3"]),
        ("rouge odds 1d2", []),
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_no_console_example_hides_outside_a_console_block(document: Path) -> None:
    """A `$ rouge` line in a `text` or `sh` block would not be run: it must be `console`."""
    inside: str | None = None
    for number, line in enumerate(document.read_text(encoding="utf-8").split("\n"), 1):
        fence = _FENCE.match(line)
        if fence is not None:
            inside = None if inside is not None else fence.group(1)
        elif line.startswith("$ rouge"):
            assert inside == "console", f"{document.name}:{number}: {line}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_python_example_runs(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each ```python block runs as written, from the project's folder."""
    blocks: list[str] = []
    inside: str | None = None  # the language of the open fence
    current: list[str] = []
    for line in document.read_text(encoding="utf-8").splitlines():
        fence = _FENCE.match(line)
        if fence and inside is None:
            inside, current = fence.group(1), []
        elif fence:
            if inside == "python":
                blocks.append("\n".join(current))
            inside = None
        elif inside == "python":
            current.append(line)
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, str(document), "exec"), {})
