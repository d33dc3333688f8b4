"""The campaign journal: an append-only log of events in one SQLite file.

Every command is one `BEGIN IMMEDIATE` transaction, so concurrent writers
queue instead of failing, and a crash leaves either the whole command or
none of it. The file is checked before anything is written: a file that is
not a rouge campaign, or is damaged, is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from rouge_rpg.campaign.events import Damaged, decode, parse
from rouge_rpg.campaign.state import CampaignState, fold
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record

#: Marks a SQLite file as a rouge campaign (`PRAGMA application_id`), "ROUG".
APPLICATION_ID = 0x524F5547
#: The journal's schema version (`PRAGMA user_version`).
SCHEMA_VERSION = 1
#: A snapshot of the state is kept every this many events: reading the state folds fewer.
#: (About 20 µs an event to fold, against about 1 ms to read a 25-member snapshot.)
SNAPSHOT_EVERY = 100
#: How long a writer waits for another to finish, in milliseconds.
BUSY_TIMEOUT_MS = 10_000
#: The file a campaign lives in when no path is given.
DEFAULT_FILE = "campaign.rouge.db"

_HEADER = b"SQLite format 3\x00"
#: Longest file or folder name, in bytes.
MAX_NAME_BYTES = 255


class CampaignError(RougeError):
    """A campaign file that cannot be used: missing, foreign, damaged, or too new."""


class DamagedEvent(CampaignError):
    """An event whose contents do not decode (see `rouge_rpg.campaign.events`)."""

    def __init__(self, seq: int, why: str) -> None:
        super().__init__(f"event #{seq} is damaged; run rouge campaign verify")
        self.seq = seq
        self.why = why


@attrs.frozen(repr=False, eq=False, slots=False)
class Event(Record):
    """One entry of the journal."""

    seq: int
    time: int
    recorded: str
    kind: str
    character: str | None
    payload: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "recorded": self.recorded,
            "kind": self.kind,
            "character": self.character,
            **dict(self.payload),
        }


def _event(row: tuple[Any, ...]) -> Event:
    """A row of `events` as an `Event`, through the one decoder."""
    seq, time, recorded, kind, character, payload = row
    try:
        decoded = decode(seq, kind, time, payload)
        if character is not None and not isinstance(character, str):
            raise Damaged("its character is not text")
    except Damaged as error:
        raise DamagedEvent(int(seq), str(error)) from None
    return Event(seq, time, str(recorded), kind, character, decoded)


def _schema_v1(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE events ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " time INTEGER NOT NULL,"
        " recorded TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " character TEXT,"
        " payload TEXT NOT NULL)"
    )
    db.execute("CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, state TEXT NOT NULL)")


#: Migrations: version N+1 is reached by MIGRATIONS[N] (0 is an empty file).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _schema_v1}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Journal:
    """An open campaign file."""

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self.db = db
        #: Whether to keep the current state as last read, so that the next read folds
        #: only the events since (the journal only grows): set by a session that reads
        #: it at every command (`rouge table`); a single command reads it once or twice,
        #: and copying would cost it more than the fold saves.
        self.remembers = False
        #: That state (shared with the journal's borrowers); forgotten when a transaction
        #: does not commit.
        self._memory: list[CampaignState | None] = [None]

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, meta: Mapping[str, Any] | None = None) -> Journal:
        """A new campaign file at `path`, which must not exist.

        Built whole in a temporary file beside it, then linked into place (never over
        a file that appeared meanwhile): a crash leaves no campaign or a whole one.
        """
        _check_name(path)
        try:
            if os.path.lexists(path):
                raise CampaignError(f"{path} already exists; a campaign is never overwritten")
            parent = path.parent
            if not parent.exists():
                raise CampaignError(f"{parent} does not exist")
            if not parent.is_dir():
                raise CampaignError(f"{parent} is not a folder")
        except OSError as error:
            raise CampaignError(f"{path}: {error.strerror or error}") from None
        import tempfile

        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".init", dir=parent)
            os.close(fd)
        except OSError as error:
            raise CampaignError(f"cannot create {path}: {error.strerror or error}") from None
        building = Path(name)
        try:
            db = _connect(building)
            try:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute("PRAGMA journal_mode = WAL")
                with _immediate(db):
                    for version in range(SCHEMA_VERSION):
                        MIGRATIONS[version](db)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    rows = {
                        "created": _now(),
                        **{k: json.dumps(v) for k, v in (meta or {}).items()},
                    }
                    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", rows.items())
            finally:
                db.close()  # checkpoints: the whole campaign is in the one file
            try:
                os.link(building, path)
            except FileExistsError:
                raise CampaignError(
                    f"{path} already exists; a campaign is never overwritten"
                ) from None
            except OSError:  # no hard links here: rename, having checked it is free
                if os.path.lexists(path):
                    raise CampaignError(
                        f"{path} already exists; a campaign is never overwritten"
                    ) from None
                os.replace(building, path)
        except sqlite3.DatabaseError as error:
            raise CampaignError(f"cannot create {path}: {error}") from None
        except OSError as error:
            raise CampaignError(f"cannot create {path}: {error.strerror or error}") from None
        finally:
            for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Journal:
        """An existing campaign file, checked before anything is written to it.

        `read_only` for commands that only read: a read-only file, or one in a
        read-only folder, can then be viewed (nothing is written, not even SQLite's
        side files when they cannot be).
        """
        if read_only and _writable(path):
            read_only = False  # as every command opens it: migrated if it is old
        _check_file(path, writing=not read_only)
        try:
            db = _connect_read_only(path) if read_only else _connect(path)
        except sqlite3.DatabaseError as error:
            raise CampaignError(f"{path} is damaged or not a campaign: {error}") from None
        try:
            app_id, version = _identity(db, path)
            if app_id != APPLICATION_ID:
                raise CampaignError(f"{path} is an SQLite database, but not a rouge campaign")
            if version < 0:
                raise CampaignError(f"{path} is damaged: its schema version is {version}")
            if version > SCHEMA_VERSION:
                raise CampaignError(
                    f"{path} was written by a newer rouge (schema {version}; this one reads up "
                    f"to {SCHEMA_VERSION})"
                )
            if read_only and version < SCHEMA_VERSION:
                raise CampaignError(
                    f"{path} needs upgrading (schema {version}), and it is read-only"
                )
            if read_only:
                return cls(path, db)
            db.execute("PRAGMA journal_mode = WAL")
            if version < SCHEMA_VERSION:
                with _immediate(db):
                    for step in range(version, SCHEMA_VERSION):
                        MIGRATIONS[step](db)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            db.close()
            raise CampaignError(f"{path} is damaged or not a campaign: {error}") from None
        except BaseException:
            db.close()
            raise
        return cls(path, db)

    def close(self) -> None:
        self.db.close()

    def borrowed(self) -> Journal:
        """This journal for one command of a session that keeps it open: the same
        connection and remembered state; closing it leaves the journal open."""
        other = Journal(self.path, self.db)
        other.remembers = self.remembers
        other._memory = self._memory
        other.close = lambda: None  # type: ignore[method-assign]  # the session closes it
        return other

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One command's writes: all of them, or none."""
        try:
            with _immediate(self.db):
                yield
        except sqlite3.DatabaseError as error:
            self._memory[0] = None
            raise CampaignError(f"{self.path}: {error}") from None
        except BaseException:
            self._memory[0] = None  # it may hold events that were rolled back
            raise

    # -- reading ----------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[None]:
        """SQLite's complaints about a damaged file (or a damaged event), as a `CampaignError`."""
        try:
            yield
        except DamagedEvent as error:
            if not error.message.startswith(f"{self.path}: "):
                error.message = f"{self.path}: {error.message}"
            raise
        except (sqlite3.DatabaseError, ValueError, RecursionError) as error:
            raise CampaignError(f"{self.path} is damaged: {error}") from None

    def meta(self, key: str) -> Any:
        with self._reading():
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            return row[0] if key == "created" else parse(row[0], f"the campaign's {key}")

    def state(self, upto: int | None = None) -> CampaignState:
        """The current state, or the state after event `upto`: a snapshot and the events after.

        The current state is folded on from the one this journal last read, when it has.
        Each call gives a state of its own, for the caller to change.
        """
        until = "" if upto is None else " AND seq <= ?"
        bound: tuple[int, ...] = () if upto is None else (upto,)
        with self._reading():
            remembered = self._memory[0]
            if upto is None and remembered is not None:
                state = remembered
            else:
                row = self.db.execute(
                    f"SELECT seq, state FROM snapshots WHERE 1{until} ORDER BY seq DESC LIMIT 1",
                    bound,
                ).fetchone()
                state = CampaignState() if row is None else _snapshot(row[0], row[1])
            cursor = self.db.execute(
                f"SELECT seq, time, kind, payload FROM events WHERE seq > ?{until} ORDER BY seq",
                (state.seq, *bound),
            )
            for seq, time, kind, payload in cursor:
                try:
                    decoded = decode(seq, kind, time, payload)
                except Damaged as error:
                    raise DamagedEvent(int(seq), str(error)) from None
                _fold(state, seq, kind, time, decoded)
        if upto is not None or not self.remembers:
            return state
        self._memory[0] = state
        return state.copy()

    def events(self, since: int = 0) -> list[Event]:
        """Events after `since`, oldest first."""
        with self._reading():
            cursor = self.db.execute(
                "SELECT seq, time, recorded, kind, character, payload FROM events WHERE seq > ? "
                "ORDER BY seq",
                (since,),
            )
            return [_event(row) for row in cursor]

    def latest(self, count: int, since: int = 0) -> list[Event]:
        """The last `count` events after `since`, oldest first: only those are read."""
        with self._reading():
            cursor = self.db.execute(
                "SELECT seq, time, recorded, kind, character, payload FROM events WHERE seq > ? "
                "ORDER BY seq DESC LIMIT ?",
                (since, max(count, 0)),
            )
            rows = cursor.fetchall()
        return [_event(row) for row in reversed(rows)]

    def resolutions_with_seed(self, seed: int) -> list[Event]:
        """The resolutions recorded with this seed (found by the index-free JSON path)."""
        with self._reading():
            cursor = self.db.execute(
                "SELECT seq, time, recorded, kind, character, payload FROM events "
                "WHERE kind = 'resolution' AND json_extract(payload, '$.request.seed') = ? "
                "ORDER BY seq",
                (seed,),
            )
            return [_event(row) for row in cursor]

    def backwards(self) -> Generator[Event, None, None]:
        """Events from the newest back, read as they are needed."""
        with self._reading():
            cursor = self.db.execute(
                "SELECT seq, time, recorded, kind, character, payload FROM events ORDER BY seq DESC"
            )
            for row in cursor:
                yield _event(row)

    def damaged(self) -> list[tuple[int, str]]:
        """Every event that does not decode (its number and what is wrong), oldest first.

        Each is decoded and folded in order, the snapshots too, as every command would.
        """
        found: list[tuple[int, str]] = []
        state = CampaignState()
        with self._reading():
            cursor = self.db.execute(
                "SELECT seq, time, recorded, kind, character, payload FROM events ORDER BY seq"
            )
            for row in cursor:
                try:
                    event = _event(row)
                    _fold(state, event.seq, event.kind, event.time, event.payload)
                except DamagedEvent as error:
                    found.append((error.seq, error.why))
            for seq, text in self.db.execute("SELECT seq, state FROM snapshots ORDER BY seq"):
                try:
                    _snapshot(seq, text)
                except DamagedEvent as error:
                    found.append((error.seq, f"its snapshot: {error.why}"))
        return found

    def count(self) -> int:
        with self._reading():
            row = self.db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])

    def integrity(self) -> str:
        """`ok`, or what `PRAGMA integrity_check` found."""
        with self._reading():
            rows = self.db.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    # -- writing ----------------------------------------------------------------------------
    def append(
        self,
        state: CampaignState,
        kind: str,
        time: int,
        payload: Mapping[str, Any],
        character: str | None = None,
    ) -> int:
        """Record an event (inside a transaction) and fold it into `state`."""
        if not self.db.in_transaction:
            raise RuntimeError("append outside a transaction")
        cursor = self.db.execute(
            "INSERT INTO events (time, recorded, kind, character, payload) VALUES (?, ?, ?, ?, ?)",
            (time, _now(), kind, character, json.dumps(payload, sort_keys=True)),
        )
        seq = int(cursor.lastrowid or 0)
        fold(state, seq, kind, time, payload)
        last = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM snapshots").fetchone()[0]
        if seq - int(last) >= SNAPSHOT_EVERY:
            self.db.execute(
                "INSERT INTO snapshots (seq, state) VALUES (?, ?)",
                # not sorted: the characters keep their join order, as `status` lists them
                (seq, json.dumps(state.to_json())),
            )
        return seq


def _fold(state: CampaignState, seq: int, kind: str, time: int, payload: Mapping[str, Any]) -> None:
    """`fold`, with what the decoder cannot see (a value of the wrong shape deep inside) damage."""
    try:
        fold(state, seq, kind, time, payload)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        raise DamagedEvent(seq, f"it cannot be applied ({type(error).__name__}: {error})") from None


def _snapshot(seq: int, text: object) -> CampaignState:
    """A stored snapshot of the state, checked like an event."""
    try:
        data = parse(text, "the snapshot")
        if not isinstance(data, dict):
            raise Damaged("the snapshot is not a mapping")
        return CampaignState.from_json(data)
    except Damaged as error:
        raise DamagedEvent(int(seq), str(error)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DamagedEvent(int(seq), f"its snapshot ({type(error).__name__}: {error})") from None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """The file opened read-only; if SQLite cannot make its side files, as immutable."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}"
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        pass
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA synchronous = FULL")
    return db


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _writable(path: Path) -> bool:
    """Whether the file and its folder can be written (SQLite writes beside the file)."""
    try:
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    except (OSError, ValueError):
        return False


def _check_name(path: Path) -> None:
    """A path whose every name a file system can hold (255 bytes, no NUL)."""
    text = str(path)
    if "\0" in text:
        raise CampaignError("a campaign's path cannot hold a NUL character")
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise CampaignError(
                f"the name {part[:40]}... is longer than {MAX_NAME_BYTES} bytes, "
                "more than a file system allows"
            )


def _check_file(path: Path, *, writing: bool = True) -> None:
    _check_name(path)
    if not path.exists():
        raise CampaignError(
            f"no campaign at {path}", hint=f"create one: rouge campaign init {path}"
        )
    if path.is_dir():
        raise CampaignError(f"{path} is a folder, not a campaign file")
    try:
        if not path.is_file():
            raise CampaignError(f"{path} is not a regular file; a campaign is an SQLite file")
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
    except OSError as error:
        raise CampaignError(f"{path}: {error.strerror or error}") from None
    if header != _HEADER:
        raise CampaignError(f"{path} is not a rouge campaign (not an SQLite database)")
    if writing and not os.access(path, os.W_OK):
        raise CampaignError(
            f"{path} is read-only", hint="commands that only read can still view it"
        )
    if writing and not os.access(path.parent if str(path.parent) else Path("."), os.W_OK):
        raise CampaignError(
            f"the folder of {path} is read-only, and SQLite needs to write beside the file",
            hint="commands that only read can still view it",
        )


def _identity(db: sqlite3.Connection, path: Path) -> tuple[int, int]:
    try:
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise CampaignError(f"{path} is damaged or not a campaign: {error}") from None
    return app_id, version


def kept_path(path: str, campaign: Path) -> str:
    """A path as the campaign keeps it: relative to the campaign's folder when it is inside
    it (so it moves with the folder), else absolute."""
    absolute = Path(path).resolve()
    home = campaign.resolve().parent
    if absolute.is_relative_to(home):
        return os.path.relpath(absolute, home)
    return str(absolute)


def campaign_path(option: str | None, *, must_exist: bool = True) -> Path | None:
    """The active campaign: --campaign, else ROUGE_CAMPAIGN, else the default file if present."""
    if option:
        return Path(option)
    env = os.environ.get("ROUGE_CAMPAIGN")
    if env:
        return Path(env)
    default = Path(DEFAULT_FILE)
    if default.exists() or not must_exist:
        return default
    return None
