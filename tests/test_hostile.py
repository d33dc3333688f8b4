"""Hostile input (issue 16): each input is refused with a located error, never a traceback."""

from __future__ import annotations

import importlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

rules_load = importlib.import_module("rouge_rpg.rules.load")

Rouge = Callable[..., Any]


def no_traceback(result: Any) -> None:
    assert result.exit_code in (0, 1, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.exception


def book(folder: Path, entry: str, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rulebook.rouge").write_text(entry)
    for name, text in files.items():
        (folder / f"{name}.rouge").write_text(text)
    return folder


# -- 2: a symlinked rulebook.rouge is refused before it is read ------------------------------


def test_a_linked_entry_file_outside_the_folder_is_refused_before_it_is_read(
    rouge: Rouge, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "elsewhere").mkdir()
    secret = isolated / "elsewhere" / "secret.rouge"
    secret.write_text("constant a = 1\n")
    (isolated / "rb").mkdir()
    (isolated / "rb" / "rulebook.rouge").symlink_to(secret)
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(rules_load.os, "open", spy)
    result = rouge("rules", "check", "rb")
    no_traceback(result)
    assert result.exit_code == 2
    assert "rb/rulebook.rouge:1:1" in result.output
    assert "outside the rulebook's folder" in result.output
    assert str(secret) not in opened


# -- 14, 15, 16: files that are not files, CR line ends, hostile includes ---------------------


def test_a_fifo_rules_file_is_refused_not_waited_on(rouge: Rouge, isolated: Path) -> None:
    book(isolated / "rb", 'include "pipe.rouge"\n')
    os.mkfifo(isolated / "rb" / "pipe.rouge")
    result = rouge("rules", "check", "rb")
    no_traceback(result)
    assert "not a regular file" in result.output


def test_cr_only_line_ends_are_line_breaks(rouge: Rouge, isolated: Path) -> None:
    folder = isolated / "rb"
    folder.mkdir()
    (folder / "rulebook.rouge").write_bytes(b'include "a.rouge"\r')
    (folder / "a.rouge").write_bytes(b"const one = 1\rconst two = 2\r")
    result = rouge("rules", "list", "--rulebook", "rb")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "one" in result.output and "two" in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [("a\\0b.rouge", "NUL"), ("x" * 300 + ".rouge", "longer than 255 bytes")],
)
def test_hostile_include_names(rouge: Rouge, isolated: Path, name: str, message: str) -> None:
    book(isolated / "rb", f'include "{name}"\n')
    result = rouge("rules", "check", "rb")
    no_traceback(result)
    assert result.exit_code in (1, 2)
    assert message in result.output or "rulebook.rouge:1" in result.output


def test_a_long_chain_of_includes_is_a_located_error(rouge: Rouge, isolated: Path) -> None:
    files = {f"f{i}": f'include "f{i + 1}.rouge"\n' for i in range(486)}
    files["f486"] = "const last = 1\n"
    book(isolated / "rb", 'include "f0.rouge"\n', **files)
    result = rouge("rules", "check", "rb")
    no_traceback(result)
    assert result.exit_code == 1
    assert f"nest more than {rules_load.MAX_INCLUDE_DEPTH} deep" in result.output


def test_an_empty_rulebook_lists_nothing(rouge: Rouge, isolated: Path) -> None:
    book(isolated / "rb", "")
    result = rouge("rules", "list", "--rulebook", "rb")
    no_traceback(result)
    assert result.exit_code == 0
    assert "no definitions" in result.output


# -- 1: every cache is read through cache.read_private ---------------------------------------


def test_every_unpickled_cache_is_read_through_read_private() -> None:
    package = Path(rules_load.__file__).resolve().parent.parent
    for path in package.rglob("*.py"):
        if path.name == "_standalone.py":
            continue
        text = path.read_text()
        if "pickle.loads" in text or "pickle.load(" in text:
            assert "read_private" in text, path


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str, str]]:
        return (open, (self.path, "w"))


@pytest.mark.parametrize("how", ["private", "others-may-write", "symlink"])
def test_a_planted_rulebook_cache_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    rb = book(tmp_path / "rb", "const one = 1\n")
    rules_load.forget()
    rules_load.read(rb)  # a whole cache file: its header is what a plant must match
    target = rules_load.cache_file([rb])
    assert target is not None and target.exists()
    found = rules_load._whole(target.read_bytes())
    assert found is not None
    marker = tmp_path / "planted-code-ran"
    body = pickle.dumps(_Marker(str(marker)))
    payload = rules_load._header(found[0], body) + body
    target.unlink()
    if how == "symlink":
        elsewhere = tmp_path / "elsewhere.pickle"
        elsewhere.write_bytes(payload)
        target.symlink_to(elsewhere)
    else:
        target.write_bytes(payload)
        target.chmod(0o600 if how == "private" else 0o666)
    rules_load.forget()
    loaded = rules_load.read(rb)
    assert loaded.rulebook is not None
    # The control: a whole file in a private folder is read, so the plant runs there.
    assert marker.exists() is (how == "private")


def test_a_planted_sheet_cache_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_rulebook: Any, bundled_sheet: Any
) -> None:
    from rouge_rpg import checked_sheets

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    sheet = tmp_path / "rouge.yaml"
    sheet.write_bytes(bundled_sheet("rouge").read_bytes())
    key = os.path.realpath(sheet)
    target = checked_sheets._sheet_file(sheet, key, bundled_rulebook)
    assert target is not None and not target.exists()
    marker = tmp_path / "planted-code-ran"
    target.write_bytes(checked_sheets.SHEET_MAGIC + pickle.dumps(_Marker(str(marker))))
    target.chmod(0o646)
    checked_sheets._sheets.clear()
    assert checked_sheets.read_sheet(sheet, bundled_rulebook).name
    assert not marker.exists()


# -- 3: terminal escapes in names -------------------------------------------------------------

HOSTILE_NAME = "Evil\x1b]0;owned\x07\x1b[2J\x9b31m"


def test_printable_escapes_what_a_terminal_obeys() -> None:
    from rouge_rpg.cli.output import json_line, printable

    assert printable(HOSTILE_NAME) == "Evil\\x1b]0;owned\\x07\\x1b[2J\\x9b31m"
    assert printable("line\nnext\tcol é 漢") == "line\nnext\tcol é 漢"
    assert printable("\ud800\u200e") == "\\ud800\\u200e"
    assert "\x1b" not in json_line({"n": HOSTILE_NAME}) and "\x9b" not in json_line([HOSTILE_NAME])


def test_names_from_a_sheet_are_escaped_in_text_output(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    text = bundled_sheet("rouge").read_text()
    lines = [
        'name: "Evil\\e]0;owned\\a\\e[2J"' if line.startswith("name:") else line
        for line in text.splitlines()
    ]
    (isolated / "evil.yaml").write_text("\n".join(lines) + "\n")
    outputs = [rouge("sheet", "show", "evil.yaml").output]
    assert rouge("campaign", "init", "c.db").exit_code == 0
    joined = rouge("campaign", "join", "evil.yaml", "--campaign", "c.db")
    outputs += [joined.output]
    for command in ("status", "log", "export"):
        outputs.append(rouge("campaign", command, "--campaign", "c.db").output)
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output
    assert any("Evil\\x1b]0;owned\\x07\\x1b[2J" in output for output in outputs)
    status = rouge("campaign", "status", "--json", "--campaign", "c.db")
    assert "\\u001b" in status.stdout


# -- 4, 18: export -o, init and names ---------------------------------------------------------


@pytest.fixture
def campaign(rouge: Rouge, isolated: Path) -> Path:
    assert rouge("campaign", "init", "c.db").exit_code == 0
    return isolated / "c.db"


def test_export_never_writes_through_a_link(rouge: Rouge, campaign: Path, isolated: Path) -> None:
    (isolated / "link.md").symlink_to(isolated / "target.md")
    result = rouge("campaign", "export", "-o", "link.md", "--campaign", "c.db")
    no_traceback(result)
    assert result.exit_code == 2 and "link" in result.stderr
    assert not (isolated / "target.md").exists()


@pytest.mark.parametrize("output", ["nodir/out.md", "c.db/out.md", "x" * 300 + ".md", "c.db"])
def test_export_to_a_bad_place_is_an_error(rouge: Rouge, campaign: Path, output: str) -> None:
    before = campaign.read_bytes()
    result = rouge("campaign", "export", "-o", output, "--campaign", "c.db")
    no_traceback(result)
    assert result.exit_code == 2
    assert campaign.read_bytes() == before


@pytest.mark.parametrize("name", ["a.db/x.db", "nodir/x.db", "x" * 300 + ".db", "c.db"])
def test_init_in_a_bad_place_is_an_error(rouge: Rouge, isolated: Path, name: str) -> None:
    (isolated / "a.db").write_text("a file")
    (isolated / "c.db").write_text("not a campaign")
    result = rouge("campaign", "init", name)
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in isolated.iterdir()) == ["a.db", "c.db"]
    assert (isolated / "c.db").read_text() == "not a campaign"


def test_a_fifo_campaign_is_refused(rouge: Rouge, isolated: Path) -> None:
    os.mkfifo(isolated / "pipe.db")
    result = rouge("campaign", "status", "--campaign", "pipe.db")
    no_traceback(result)
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_log_since_beyond_the_limit_is_a_usage_error(rouge: Rouge, campaign: Path) -> None:
    result = rouge("campaign", "log", "--since", "9223372036854775808", "--campaign", "c.db")
    no_traceback(result)
    assert result.exit_code == 2


def test_a_fifo_sheet_is_refused(rouge: Rouge, isolated: Path) -> None:
    os.mkfifo(isolated / "pipe.yaml")
    for args in (("sheet", "validate", "pipe.yaml"), ("sheet", "show", "pipe.yaml")):
        result = rouge(*args)
        no_traceback(result)
        assert "not a regular file" in result.output
    assert rouge("campaign", "init", "c.db").exit_code == 0
    joined = rouge("campaign", "join", "pipe.yaml", "--campaign", "c.db")
    no_traceback(joined)
    assert joined.exit_code == 2 and "not a regular file" in joined.output


# -- 12: numbers too large --------------------------------------------------------------------


def test_one_magnitude_limit() -> None:
    from rouge_rpg.campaign import events
    from rouge_rpg.cli import output
    from rouge_rpg.sheets import types

    assert output.MAX_MAGNITUDE == types.MAX_MAGNITUDE == events.MAX_MAGNITUDE == 10**15


@pytest.mark.parametrize(
    "number",
    ["0x" + "f" * 300, "9" * 4301, "9" * 17, "0b" + "1" * 1100, ":".join(["1"] + ["0"] * 90)],
)
def test_a_sheet_number_beyond_the_limit_is_a_located_error(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path], number: str
) -> None:
    lines = bundled_sheet("rouge").read_text().splitlines()
    at = next(
        i for i, line in enumerate(lines) if line.startswith("  ") and line.strip()[-1:].isdigit()
    )
    key = lines[at].split(":")[0]
    lines[at] = f"{key}: {number}"
    (isolated / "big.yaml").write_text("\n".join(lines) + "\n")
    result = rouge("sheet", "validate", "big.yaml")
    no_traceback(result)
    assert result.exit_code in (1, 2)
    assert f"big.yaml:{at + 1}:" in result.output and "too large" in result.output


def test_advance_by_a_number_beyond_the_limit(rouge: Rouge, campaign: Path) -> None:
    before = campaign.read_bytes()
    result = rouge("campaign", "advance", "9" * 4301 + "m", "--campaign", "c.db")
    no_traceback(result)
    assert result.exit_code == 2 and "at most" in result.stderr
    assert campaign.read_bytes() == before


# -- 9, 10: exact odds that ran for a minute or crashed ---------------------------------------

SLOW_OR_DEEP = [
    "1d3000*1d3000",
    "100d100kh50",
    "1000d6kh999",
    "31d100dl1",
    "1d300*1d300*1d300",
    "10d1000kh5",
    "{10d100,10d100,10d100,10d100}kh2",
    "{20d50,20d50,20d50,20d50,20d50,20d50}kh3",
    "1d1000000!",
    "2d900kh1",
]


@pytest.mark.parametrize("expression", SLOW_OR_DEEP)
def test_odds_too_large_are_refused_at_once_saying_why(expression: str) -> None:
    import time

    from rouge_rpg.dice.odds import odds
    from rouge_rpg.errors import LimitError

    start = time.process_time()
    with pytest.raises(LimitError) as caught:
        odds(expression)
    assert "too large to compute" in caught.value.message
    assert time.process_time() - start < 1.0  # refused before the work, not after it


def test_odds_that_used_to_recurse_compute() -> None:
    from rouge_rpg.dice.odds import odds

    assert odds("1d1000kh1").max == 1000
    assert odds("4d6kh3").mean == odds("4d6dl1").mean


def test_the_mean_of_huge_products_is_exact(rouge: Rouge) -> None:
    from fractions import Fraction

    from rouge_rpg.dice.odds import odds

    text = "*".join(["1000000000"] * 36) + "*1d2"
    assert odds(text).mean == Fraction(3, 2) * 10**324
    result = rouge("odds", text)
    no_traceback(result)
    assert result.exit_code == 0 and "mean 1.500e+324" in result.output
    as_json = rouge("odds", "--json", text)
    assert as_json.exit_code == 0 and '"mean": "1.5' in as_json.output


def test_large_distributions_are_summarised_and_json_is_capped(rouge: Rouge) -> None:
    from rouge_rpg.cli.dice import MAX_JSON_OUTCOMES, MAX_TEXT_ROWS

    result = rouge("odds", "1d700*1d700")
    assert result.exit_code == 0
    assert "outcomes;" in result.output
    assert len(result.output.splitlines()) < MAX_TEXT_ROWS
    capped = rouge("odds", "--json", "1d700*1d700")
    if capped.exit_code == 2:
        assert f"at most {MAX_JSON_OUTCOMES:,}" in capped.output


def test_sheet_names_no_file_system_holds(rouge: Rouge, isolated: Path) -> None:
    import json

    from rouge_rpg.errors import InputError
    from rouge_rpg.sheets import load

    name = "x" * 300 + ".yaml"
    result = rouge("sheet", "validate", "--json", name)
    no_traceback(result)
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["readable"] is False
    no_traceback(rouge("sheet", "show", name))
    # no command line holds a NUL (argv cannot), but the library is told one
    with pytest.raises(InputError, match="NUL"):
        load("bad\x00name.yaml")


def test_a_lone_surrogate_in_a_name_never_breaks_output(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    """Item 5: such a name is a validation error, so nothing is committed; every view works."""
    lines = bundled_sheet("rouge").read_text().splitlines()
    lines = ['name: "\\ud800"' if line.startswith("name:") else line for line in lines]
    (isolated / "evil.yaml").write_text("\n".join(lines) + "\n")
    assert rouge("campaign", "init", "c.db").exit_code == 0
    joined = rouge("campaign", "join", "evil.yaml", "--campaign", "c.db")
    no_traceback(joined)
    assert joined.exit_code == 1
    assert "a lone surrogate" in joined.output
    commands = [
        ("campaign", "status"),
        ("campaign", "status", "--json"),
        ("campaign", "log"),
        ("campaign", "log", "--json"),
        ("campaign", "export"),
        ("campaign", "export", "--json"),
    ]
    for command in commands:
        result = rouge(*command, "--campaign", "c.db")
        no_traceback(result)
        assert result.exit_code == 0, (command, result.output)
    for command in (("sheet", "show", "evil.yaml"), ("sheet", "show", "--json", "evil.yaml")):
        no_traceback(rouge(*command))


def test_a_lone_surrogate_in_a_sheet_is_a_located_validation_error(
    rouge: Any, tmp_path: Path
) -> None:
    sheet = tmp_path / "odd.yaml"
    sheet.write_text('name: "Rou\\ud800ge"\nfaction: aletheia\nkind: nean\n', encoding="utf-8")
    before = sheet.read_bytes()
    result = rouge("sheet", "validate", str(sheet))
    assert result.exit_code == 1
    assert f"{sheet}:1:7: error: this text holds a character no file can store" in result.output
    assert sheet.read_bytes() == before


def _constants_rulebook(folder: Path, body: list[str], last: str) -> Path:
    folder.mkdir()
    lines = [
        'rulebook consts "Constants"',
        'attribute body "Body" range 1..5 default 2',
        'kind nean "Nean"',
        'faction f "F":',
        "  kind nean",
        *body,
        'check t "T" default:',
        f"  roll 2d6 + {last}",
        "  ok when total >= 8",
        "  no otherwise",
    ]
    (folder / "rulebook.rouge").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder.parent / "s.yaml").write_text("name: S\nfaction: f\nkind: nean\n", encoding="utf-8")
    return folder


def test_a_long_chain_of_constants_is_worked_out_without_recursion(
    rouge: Any, tmp_path: Path
) -> None:
    chain = ["const c0 = 1", *(f"const c{i} = c{i - 1} + 1" for i in range(1, 600))]
    book = _constants_rulebook(tmp_path / "chain", chain, "c599")
    assert rouge("rules", "check", str(book)).exit_code == 0
    rolled = rouge(
        "check",
        str(tmp_path / "s.yaml"),
        "t",
        "--rulebook",
        str(book),
        "--seed",
        "1",
        "--no-campaign",
    )
    assert rolled.exit_code == 0, rolled.output
    assert "+ 600 = " in rolled.stdout


def test_doubling_constants_are_quick_and_bounded(rouge: Any, tmp_path: Path) -> None:
    doubling = ["const k0 = 1", *(f"const k{i} = k{i - 1} + k{i - 1}" for i in range(1, 45))]
    book = _constants_rulebook(tmp_path / "dbl", doubling, "k44")
    assert rouge("rules", "check", str(book)).exit_code == 0
    too_big = ["const k0 = 1", *(f"const k{i} = k{i - 1} + k{i - 1}" for i in range(1, 60))]
    big = _constants_rulebook(tmp_path / "big", too_big, "k59")
    refused = rouge("rules", "check", str(big))
    assert refused.exit_code == 1
    assert "constant 'k50' comes to 1.126e+15, beyond the limit of 1,000,000,000,000,000" in (
        refused.output
    )


def test_a_ladder_of_thousands_of_rungs_is_checked_and_shadowing_found(
    rouge: Any, tmp_path: Path
) -> None:
    lines = ['rulebook r "R"', 'check t "T" default:', "  roll 1d10000"]
    lines += [f"  r{i} when total >= {i}" for i in range(2000, 0, -1)]
    lines += ["  late when total >= 1500", "  none otherwise"]
    book = tmp_path / "big"
    book.mkdir()
    (book / "rulebook.rouge").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = rouge("rules", "check", str(book))
    assert result.exit_code == 1
    # the first rung in ladder order that covers it is named (the one at 1500 itself)
    assert "outcome 'late' can never be reached: 'r1500 when total >= 1500' comes first" in (
        result.output
    )


def test_many_problems_on_one_long_line_are_shown_cheaply(rouge: Any, tmp_path: Path) -> None:
    names = ", ".join(f"nope{i}" for i in range(3000))
    sheet = tmp_path / "many.yaml"
    sheet.write_text(f"name: M\nfaction: aletheia\nkind: nean\nabilities: [{names}]\n")
    result = rouge("sheet", "validate", str(sheet))
    assert result.exit_code == 1
    assert result.output.count("^") == 3000
    assert max(len(line) for line in result.output.splitlines()) < 200


def test_a_number_of_thousands_of_digits_in_a_rulebook_is_a_located_error(
    rouge: Any, tmp_path: Path
) -> None:
    book = tmp_path / "digits"
    book.mkdir()
    (book / "rulebook.rouge").write_text(
        'rulebook r "R"\nconst big = ' + "9" * 4400 + "\n", encoding="utf-8"
    )
    result = rouge("rules", "check", str(book))
    assert result.exit_code == 1
    assert "rulebook.rouge:2:13: error: 99999999999999999999... is too large" in result.output
