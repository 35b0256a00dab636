"""The Pilar Textual app: one data folder, five sections (Roster, Events, Payouts, Sync, Ringkasan).

The header (Textual's ``Header``) shows the office name as the title and the operator, the data folder
and the number of sync conflicts as the sub-title, so every section's screen shows them. The sync
section sets ``app.conflict_count``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import importlib
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from storage.core import i18n
from storage.core.db import Database, read_office, write_office
from storage.core.errors import PilarError
from storage.core.formats import migrated_sentence
from storage.core.i18n import t
from storage.office import operators
from storage.summary.start import StartFigures, probe_lock
from tui.dialogs import ErrorDialog, GuardedForm, OperatorDialog, UnsavedDialog
from tui.screens.help import HelpScreen, key_rows
from tui.screens.summary.screen import EarlySummary, SummaryScreen
from tui.widgets.keys import localize_bindings, localize_textual
from tui.widgets.palette import PilarPalette

SECTIONS = ("roster", "events", "payouts", "sync", "summary", "privacy")
THEMES = ("textual-dark", "textual-light")


class PilarCommands(Provider):
    """Command palette (ctrl+p): every action of the screen it was opened on (with its key), then the
    sections, help, language, theme and quit, in the user's language."""

    def _screen_commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """The enabled, described bindings of the screen below the palette (its widgets' and its own)."""
        app = self.app
        items, seen = [], set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or active.node is app or not binding.id or not binding.description \
                    or binding.description == "-" or binding.id.startswith("table."):
                continue
            if (binding.action, id(active.node)) in seen:
                continue
            seen.add((binding.action, id(active.node)))
            key = binding.key_display or app.get_key_display(binding)
            items.append((f"{binding.description} ({key})", partial(app.run_action, binding.action, active.node),
                          binding.tooltip or t("ui.palette.key", shortcut=key)))
        return items

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        assert isinstance(app, PilarApp)
        items: list[tuple[str, Callable[[], object], str]] = self._screen_commands()
        for section in SECTIONS:
            items.append((t("ui.palette.open", section=t(f"ui.section.{section}")),
                          partial(app.switch_mode, section), t(f"ui.section.help.{section}")))
        items += [
            (t("ui.palette.help"), app.action_help, t("ui.palette.help.detail")),
            (t("ui.palette.operator"), app.action_change_operator, t("ui.palette.operator.detail")),
            (t("ui.palette.settings"), app.action_settings, t("ui.palette.settings.detail")),
            (t("ui.palette.lang"), app.action_toggle_lang, t("ui.palette.lang.detail")),
            (t("ui.palette.theme"), app.action_toggle_theme, t("ui.palette.theme.detail")),
            (t("ui.palette.quit"), app.action_quit, t("ui.palette.quit.detail")),
        ]
        return items

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _later(module: str, name: str) -> Callable[[], Screen]:
    """A section imported when first opened: the app starts on the roster or the Ringkasan, and the
    events, payouts and sync screens (with their document and report modules) cost ~0.07 s to import;
    the roster screen (with the roster service, the statement and the payouts it imports) ~0.3 s, which the
    province's first frame, on the Ringkasan, need not wait for (issue 25)."""
    def make() -> Screen:
        return getattr(importlib.import_module(module), name)()
    return make


def open_folder(path: Path, operator: str | None = None) -> Database:
    """``storage.backup.upgrade.open_folder`` (the backup before a migration), imported when the folder is
    opened: at the province that is on the opening thread, after the first frame (issue 25)."""
    from storage.backup.upgrade import open_folder as open_upgrading

    return open_upgrading(path, operator=operator)


def _state_now(db: Database, shown: dict) -> list:
    """What the figures ``shown`` would depend on now (``storage.summary.state_key``)."""
    from datetime import date

    from storage.summary import state_key

    return state_key(db, date.fromisoformat(shown["today"]), shown["silent_days"])


class FiguresCounted(Message):
    """Posted by the thread that counted the Ringkasan's figures from the files (a folder without tallies)."""


class FolderOpened(Message):
    """Posted by the thread that opened the data folder in the background: the folder (or the error)
    and the first figures of the Ringkasan counted on that thread."""

    def __init__(self, db: Database | None, error: BaseException | None, early=None) -> None:
        super().__init__()
        self.db = db
        self.error = error
        self.early = early


class PilarApp(App[int]):
    """Keyboard-driven app over one office's data folder.

    With ``background_open`` (what ``pilar`` does) and the Ringkasan as the first screen (the province), the
    folder is opened on a thread after the first frame: the Ringkasan shows the figures kept by the last
    session, said to be kept, until the current ones are counted. Until the folder is open ``db`` is None:
    nothing can be written (the lock is the open's), the other sections open once it is ready (a key
    pressed for one is remembered), settings wait for it, and quitting waits for the open to finish."""

    TITLE = "Pilar"
    CSS_PATH = "app.tcss"
    COMMANDS = {PilarCommands}
    MODES = {
        "roster": _later("tui.screens.roster.screen", "RosterScreen"),
        "events": _later("tui.screens.events.screen", "EventsScreen"),
        "payouts": _later("tui.screens.payouts.screen", "PayoutsScreen"),
        "sync": _later("tui.screens.sync.screen", "SyncScreen"),
        "summary": SummaryScreen,
        "privacy": _later("tui.screens.privacy.screen", "PrivacyScreen"),
    }
    DEFAULT_MODE = "roster"
    BINDINGS = [
        Binding("1", "switch_mode('roster')", "-", id="section.roster"),
        Binding("2", "switch_mode('events')", "-", id="section.events"),
        Binding("3", "switch_mode('payouts')", "-", id="section.payouts"),
        Binding("4", "switch_mode('sync')", "-", id="section.sync"),
        Binding("5", "switch_mode('summary')", "-", id="section.summary"),
        Binding("6", "switch_mode('privacy')", "-", id="app.privacy", show=False),
        Binding("f1", "help", "-", id="app.help_f1", show=False),
        Binding("question_mark", "help", "-", id="app.help", key_display="?"),
        Binding("f10", "settings", "-", id="app.settings", show=False),
        Binding("f9", "change_operator", "-", id="app.operator", show=False),
        Binding("ctrl+q", "quit", "-", id="app.quit", priority=True, show=False),
        Binding("ctrl+p", "command_palette", "-", id="app.palette", show=False, priority=True),
    ]

    conflict_count: reactive[int] = reactive(0)
    operator_name: reactive[str] = reactive("")

    def __init__(self, data_dir: Path, operator: str | None = None, lang: str | None = None,
                 db: Database | None = None, start: str | None = None, daily_backup: bool = False,
                 background_open: bool = False, figures: StartFigures | None = None) -> None:
        self.data_dir = Path(data_dir)
        self._operator_given_at_start = operator
        # the folder opened on a thread after the first frame (see the class): its thread, its error
        self._opening: threading.Thread | None = None
        self.open_error: BaseException | None = None
        self._when_open: list[Callable[[], object]] = []
        self._pending_mode: str | None = None
        self.kept_summary: tuple[dict, float] | None = None
        self.current_summary: dict | None = None
        # the figures counted from the files when the folder keeps no tallies (``_count_figures``), begun by
        # ``figures`` (tui.cli.core.make_app: before this module was imported) or by this app
        self._figures = figures
        self._counting: threading.Thread | None = None
        self._count_lock = threading.Lock()
        self._count_done = False
        self._count_deliver = False
        # the counted figures painted (or never to be): the open waits for it, not to take the GIL from the paint
        self._figures_painted = threading.Event()
        office = db.office if db is not None else None
        if db is None and background_open and start in ("auto", "summary"):
            office = read_office(self.data_dir.expanduser().resolve())
            if start == "summary" or office.get("type") == "PROVINCE":
                self.data_dir = self.data_dir.expanduser().resolve()
                if figures is None:  # (``storage.summary.start.begin`` probed it)
                    probe_lock(self.data_dir)
                start = "summary"
            else:
                office = None
        if office is None or db is not None or start != "summary":
            db = db or open_folder(self.data_dir, operator=operator)
            office = db.office
        self.db: Database | None = db
        self._office = office
        if self.db is not None and operator:
            self.db.operator = operator
        lang = lang or office.get("lang")
        if lang in i18n.LANGS:
            i18n.set_lang(lang)
        # The first screen: ``start`` ("auto": the Ringkasan at the province, the roster at a UPT).
        if start == "auto":
            start = "summary" if office.get("type") == "PROVINCE" else "roster"
        if start in self.MODES:
            self.DEFAULT_MODE = start
        super().__init__()
        localize_bindings(self)
        self._group_sections()
        localize_textual()
        # who is on duty: as Database.__init__ has it (given, kept in office.json, or PILAR_OPERATOR)
        self.operator = self.db.operator if self.db is not None else \
            (operator or office.get("operator") or os.environ.get("PILAR_OPERATOR", "").strip())
        self._roster = None
        self._roster_loading = False
        self._roster_waiting: list[Callable[[], object]] = []
        self._roster_mounting: asyncio.Future | None = None  # the roster screen mounted unseen
        # the daily backup (tui.cli.core.run_app): taken in a thread after the first frame, not before it
        self.daily_backup = daily_backup
        self.title = office.get("name") or office.get("code", "")
        self.set_reactive(PilarApp.operator_name, self.operator)
        self._conflicts = None
        self.early_summary = None
        if self.db is not None:
            self._with_folder()
        else:
            # While the folder opens the Ringkasan shows its current figures, from the tallies the folder
            # keeps and the journal (no part of the members read); without them (a folder an older Pilar
            # wrote last, just restored) the last session's, said to be kept.
            if self._figures is None:
                self._figures = StartFigures(self.data_dir)
            self.current_summary = self._figures.current
            if self.current_summary is None:
                # none kept (an older Pilar folded last, an older backup restored): counted from the files
                # on a thread (and child processes) since StartFigures began; the last session's, said to be
                # kept, meanwhile
                self.kept_summary = self._figures.kept
                self._start_count()
        self._update_subtitle()
        theme = office.get("theme")
        if theme in THEMES:
            self.theme = theme

    def _with_folder(self, early: bool = True) -> None:
        """What needs the open folder: the header's conflict count and, with the Ringkasan first, its
        first figures (counted from now on, while Textual starts; not when ``early`` is False: the current
        ones are on screen)."""
        from tui.screens.sync.conflicts import install_conflict_count  # sync: the header's conflict count

        self._conflicts = install_conflict_count(self)
        if early and self.early_summary is None and self.DEFAULT_MODE == "summary":
            self.early_summary = EarlySummary(self.db, self.conflict_count)

    @property
    def office(self) -> dict:
        """This folder's office.json: the open folder's, or as read at the start while it opens."""
        return self.db.office if self.db is not None else self._office

    @property
    def folder_open(self) -> bool:
        return self.db is not None

    def when_open(self, then: Callable[[], object]) -> None:
        """Run ``then`` now if the folder is open, else as soon as it is (on this thread)."""
        if self.db is not None:
            then()
        else:
            self._when_open.append(then)

    def needs_folder(self) -> bool:
        """True when the folder is open; else says it is still opening (for a key that needs the data)."""
        if self.db is not None:
            return True
        self.notify(t("ui.opening.wait"), timeout=3)
        return False

    def switch_mode(self, mode: str):
        """A section other than the Ringkasan waits for the folder: the last one asked for opens then."""
        if self.db is None and mode != "summary" and mode in self.MODES:
            self._pending_mode = mode
            self.notify(t("ui.opening.section", section=t(f"ui.section.{mode}")), timeout=3)
            return AwaitComplete(asyncio.sleep(0))
        return super().switch_mode(mode)

    @property
    def counting_figures(self) -> bool:
        """The Ringkasan's figures are being counted from the files (the folder keeps no tallies)."""
        return self._counting is not None and not self._count_done

    def _start_count(self) -> None:
        self._counting = threading.Thread(target=self._count_figures, name="pilar-count", daemon=True)
        self._counting.start()

    def _count_figures(self) -> None:
        """On its thread, from before the first frame: the current figures counted part by part from the
        files (storage/summary/count.py: a big folder's parts shared by child processes, so that the other
        core counts while this process starts Textual), waited for (``StartFigures.counted``). The folder's
        open waits for it (the two would share the cores). A failure leaves the figures to the open folder,
        which says what is wrong."""
        counted = self._figures.counted()
        with self._count_lock:
            self._count_done = True
            if counted is not None and self.current_summary is None:
                self.current_summary = counted
            deliver = self._count_deliver
        if deliver:
            # posted, not called and waited for: the app may be quitting, its thread waiting for this one
            self.post_message(FiguresCounted())

    def on_figures_counted(self, _message: FiguresCounted) -> None:
        self._figures_counted()

    def _figures_counted(self) -> None:
        """The counted figures to the Ringkasan (on the app's thread); the open let go once they are painted."""
        for screen in self.screen_stack:
            shown = getattr(screen, "figures_counted", None)
            if shown is not None:
                shown()
        self.call_after_refresh(self._figures_painted.set)

    def _open_in_background(self) -> None:
        if self._opening is not None:
            return
        self._opening = threading.Thread(target=self._open_folder, name="pilar-open", daemon=True)
        self._opening.start()

    def _open_folder(self) -> None:
        """On the opening thread: take the lock, load the folder, count the Ringkasan's first figures."""
        started = time.perf_counter()
        if self._counting is not None:
            self._counting.join()  # the figures first: the open would share the cores with their count
            # and their paint: a part's parse holds the GIL for tens of milliseconds (at most a second: the
            # app may be quitting, or its screen elsewhere)
            if self.current_summary is not None:
                self._figures_painted.wait(1.0)
        try:
            db = open_folder(self.data_dir, operator=self._operator_given_at_start)
        except BaseException as exc:  # noqa: BLE001 - said by the app, then by the command line
            self.open_error = exc
            self.post_message(FolderOpened(None, exc))
            return
        if self._operator_given_at_start:
            db.operator = self._operator_given_at_start
        counted = (self.current_summary or {}).get("counted")
        if counted is not None:
            db.adopt_tallies(counted)  # the fold that writes them recounts only the files changed since
        current = self.current_summary
        if current is not None and current.get("state") == _state_now(db, current):
            early = None  # the current figures are on screen: only the records waiting are left to count
        else:
            early = EarlySummary.counted_here(db, started)
        self._opened_db = db
        if not self.post_message(FolderOpened(db, None, early)):
            pass  # the app is closing: on_unmount closes the folder

    def on_folder_opened(self, message: FolderOpened) -> None:
        if message.error is not None:
            self.exit(return_code=1)  # tui.cli.core.run_app says why (and offers a backup if damaged)
            return
        db = message.db
        self.db = db
        self.operator = db.operator
        self.early_summary = message.early
        self._with_folder(early=message.early is not None or self.current_summary is None)
        self._update_subtitle()  # the conflicts, now counted
        if db.migrated:
            self.notify(migrated_sentence(db.migrated), timeout=15)
        # the day's backup once the Ringkasan shows the folder's figures (figures_shown), not racing them
        self._backup_after_figures = self.daily_backup
        for screen in self.screen_stack:
            attach = getattr(screen, "folder_opened", None)
            if attach is not None:
                attach()
        waiting, self._when_open = self._when_open, []
        for then in waiting:
            then()
        if self._pending_mode is not None:
            mode, self._pending_mode = self._pending_mode, None
            self.switch_mode(mode)

    def _group_sections(self) -> None:
        """The section keys take one place in the footer ("12345 Bagian"), so every screen's own keys fit
        at 80 columns; their names are in help (?) and the palette."""
        group = Binding.Group(t("ui.key.sections"), compact=True)
        bindings = self._bindings.key_to_bindings
        for key, items in list(bindings.items()):
            bindings[key] = [dataclasses.replace(b, group=group) if (b.id or "").startswith("section.") else b
                             for b in items]

    def adopt_roster(self, roster) -> None:
        """Take a roster built in a worker thread (see RosterScreen)."""
        self._roster = roster
        gc.freeze()

    def figures_shown(self) -> None:
        """The Ringkasan shows the open folder's figures: the day's backup (when the folder was opened after
        the first frame) and the roster are started now, on threads."""
        if getattr(self, "_backup_after_figures", False):
            self._backup_after_figures = False
            self._start_daily_backup()
        elif self.db is not None and self.db.owes_upkeep:
            self._start_daily_backup(backup=False)  # the Ringkasan's tallies an older Pilar left out
        self.preload_roster()

    def preload_roster(self, then: Callable[[], object] | None = None) -> None:
        """Build the roster (rows, name order, then the search index) in a thread, once; ``then`` runs on
        this thread when it is there. The Ringkasan starts it after its first figures, so that key 1
        finds the roster ready; the roster screen waits for it when opened first (issue 25)."""
        if self._roster is not None:
            if then is not None:
                then()
            return
        if then is not None:
            self._roster_waiting.append(then)
        if not self._roster_loading:
            self._roster_loading = True
            self.run_worker(self._build_roster, thread=True, group="roster-load", exit_on_error=False)

    def _build_roster(self) -> None:
        from storage.roster import Roster

        try:
            roster = Roster(self.db)
            roster.sorted_rows("name")
        except BaseException:
            self.call_from_thread(self._roster_built, None)
            raise
        self.call_from_thread(self._roster_built, roster)
        # A big roster's screen is mounted unseen on the app's thread (key 1 then only switches to it):
        # this thread waits for it, so that the roster's load ends when the roster section is ready.
        mounted = threading.Event()

        def mount() -> None:
            self._install_roster_screen()
            mounting = self._roster_mounting
            if mounting is None or mounting.done():
                mounted.set()
            else:
                mounting.add_done_callback(lambda _: mounted.set())
        self.call_from_thread(mount)
        mounted.wait(10)
        # after the hand-over: searching works meanwhile (a pass over the rows), the index makes the
        # first letter a lookup
        roster.build_index()

    def _roster_built(self, roster) -> None:
        self._roster_loading = False
        if roster is not None:
            if self._roster is None:
                self.adopt_roster(roster)
            else:
                roster.close()
        waiting, self._roster_waiting = self._roster_waiting, []
        if self._roster is not None:
            for then in waiting:
                then()

    def _install_roster_screen(self) -> None:
        """Mount the roster's screen, unseen, once a big roster is built (the Ringkasan is on screen
        meanwhile): key 1 then only switches to it. Composing it and re-reading the whole stylesheet as
        it mounted were 0.2-0.5 s of key 1 at the province (issue 25)."""
        from tui.screens.roster import screen as roster_screen

        if ("roster" in self._screen_stacks or not self.is_running or self._roster is None
                or len(self._roster) < roster_screen.PREMOUNT_ROSTER):
            return
        mounted = self._init_mode("roster")  # textual is pinned exactly: a mode set up without switching to it
        screen = self._screen_stacks["roster"][0]
        # _init_mode re-read the stylesheet (the new widgets' default CSS) and applied it to every node,
        # this screen's included: no second pass when key 1 switches to it
        screen._css_update_count = self._css_update_count
        self._roster_mounting = asyncio.ensure_future(mounted())

    async def _shutdown(self) -> None:
        # Quitting while that screen is still composing: Textual stops awaiting the children it mounts
        # once it is shutting down, and a Select whose own parts were never composed fails as it mounts.
        mounting = self._roster_mounting
        if mounting is not None and not mounting.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(mounting), 10)
        await super()._shutdown()

    @property
    def roster(self):
        """The roster service (members in memory), built on first use and shared by every screen."""
        if self._roster is None:
            from storage.roster import Roster

            self._roster = Roster(self.db)
            # Everything loaded so far lives as long as the app: keep the collector from rescanning
            # millions of long-lived objects on every later keystroke.
            gc.freeze()
        return self._roster

    # ------------------------------------------------------------------ header

    def _update_subtitle(self) -> None:
        # The conflicts first: at 80 columns the header cuts the end (the data folder), never the warning.
        parts = []
        if self.conflict_count:
            parts.append(t("ui.header.conflicts", count=self.conflict_count))
        if self.operator_name:
            parts.append(t("ui.header.operator", operator=self.operator_name))
        parts.append(t("ui.header.folder", path=str(self.data_dir)))
        self.sub_title = " · ".join(parts)

    def watch_conflict_count(self) -> None:
        self._update_subtitle()

    def watch_operator_name(self, name: str) -> None:
        if self.db is not None:
            self.db.operator = name
        self.operator = name
        self._update_subtitle()

    # ------------------------------------------------------------------ start and stop

    # Upkeep (see Database.upkeep): after this many seconds without a key or a click, and no worker
    # busy, a big action's audit entries are appended and the journal folded, in a worker thread.
    UPKEEP_IDLE_SECONDS = 3.0
    # After a failed upkeep (disk full, a file held open past the retries): tried again this much later,
    # the error said once until it succeeds.
    UPKEEP_RETRY_SECONDS = 60.0

    def on_mount(self) -> None:
        if self.db is not None and self.db.migrated:  # the folder was brought up to date by this Pilar (a backup first)
            self.notify(migrated_sentence(self.db.migrated), timeout=15)
        if not self.operator:
            self.push_screen(OperatorDialog(remember=operators.remember_by_default(self.office, False)),
                             self._operator_given)
        self._last_input = time.monotonic()
        self._upkeep_failed = False
        self._upkeep_retry_at = 0.0
        self.set_interval(1.0, self._maybe_upkeep)
        with self._count_lock:  # figures counted from now on are handed over on this thread
            self._count_deliver = True
            counted = self._counting is not None and self._count_done
        if counted:
            self.call_after_refresh(self._figures_counted)
        if self.db is None:  # after the first frame (the kept figures): the folder, on a thread
            self.call_after_refresh(self._open_in_background)
        elif self.daily_backup:
            self.call_after_refresh(self._start_daily_backup)

    def _start_daily_backup(self, backup: bool = True) -> None:
        self.run_worker(partial(self._daily_backup, backup), thread=True, group="daily-backup", exit_on_error=False)

    def _daily_backup(self, backup: bool = True) -> None:
        """The day's first backup, after the first frame (3.4 s at 100,000 members): the folder's write
        lock is held meanwhile, so a save made in those seconds waits for it and nothing changes
        while it is copied. A failure is a warning, as on the command line. Then the upkeep owed at
        start (the Ringkasan's tallies of a folder an older Pilar folded last), rather than at the first
        quiet moment, when the clerk may be typing already."""
        if backup:
            self._backup_if_due()
        if self.db.owes_upkeep and not self.db.read_only:
            self._upkeep()

    def _backup_if_due(self) -> None:
        from storage.backup import backup_now, daily_due

        # Never wait for the app's thread while holding the lock: it may itself be waiting for the lock.
        problem = None
        try:
            if not daily_due(self.db):
                return
            self.call_from_thread(self.notify, t("backup.daily_running"))
            with self.db._write_lock:
                backup_now(self.db, "daily")
        except PilarError as exc:
            problem = str(exc)
        if problem is not None:
            self.call_from_thread(self.notify, t("backup.daily_failed", problem=problem), severity="warning")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _maybe_upkeep(self) -> None:
        if self.db is None or self.db.read_only or not self.db.owes_upkeep or time.monotonic() < self._upkeep_retry_at:
            return
        if time.monotonic() - self._last_input < self.UPKEEP_IDLE_SECONDS:
            return
        if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers):
            return
        self.run_worker(self._upkeep, thread=True, exclusive=True, group="upkeep", exit_on_error=False)

    def _upkeep(self) -> None:
        try:
            self.db.upkeep()
        except PilarError as exc:
            # Disk full, a file held open by another program: said once, tried again a minute later
            # (and at close, or the next open); nothing is lost, the journal holds every change.
            self._upkeep_retry_at = time.monotonic() + self.UPKEEP_RETRY_SECONDS
            if not self._upkeep_failed:
                self._upkeep_failed = True
                self.show_error(str(exc))
            return
        self._upkeep_failed = False

    def _operator_given(self, values: dict | None) -> None:
        """The name from the operator dialog (at the start or on F9): on duty from now on (audited when it
        changes; see storage.operators)."""
        if not values:
            return
        if self.db is None:  # written (office.json, the audit log) once the folder is open and locked
            self.when_open(partial(self._operator_given, values))
            return
        before = self.operator_name
        try:
            name = operators.set_operator(self.db, values["name"], bool(values.get("_checkbox")))
        except PilarError as exc:
            self.show_error(str(exc))
            return
        self.operator_name = name
        if before and name != before:
            self.notify(t("ui.operator.changed", operator=name))

    def action_change_operator(self) -> None:
        """F9 / Ganti petugas: another clerk takes the PC without closing Pilar."""
        if isinstance(self.screen, OperatorDialog):
            return
        self.push_screen(OperatorDialog(self.operator_name, changing=bool(self.operator_name),
                                        remember=operators.remember_by_default(self.office,
                                                                               bool(self.operator_name))),
                         self._operator_given)

    def remember(self, **settings: object) -> None:
        """Keep a setting (operator, lang, theme) in office.json of this data folder."""
        if self.db is None:  # written once the folder is open and locked
            self.when_open(partial(self.remember, **settings))
            return
        if self.db.read_only:
            return
        self.db.office = dict(self.db.office, **settings)
        try:
            write_office(self.db.path, self.db.office)
        except PilarError as exc:
            self.show_error(str(exc))

    def on_unmount(self) -> None:
        if self._roster is not None:
            self._roster.close()
        if self._opening is not None and self._opening.is_alive():
            self._figures_painted.set()  # (no paint to wait for)
            self._opening.join()  # quit while the folder opened: let the open finish, then close it
        db = self.db or getattr(self, "_opened_db", None)
        if db is not None:
            db.close()

    # ------------------------------------------------------------------ actions

    def _dirty_form(self) -> tuple[str, GuardedForm] | None:
        """A form with unsaved typing in any section (the current one first), with its section."""
        stacks = sorted(self._screen_stacks.items(), key=lambda kv: kv[0] != self.current_mode)
        for mode, stack in stacks:
            for screen in reversed(stack):
                if isinstance(screen, GuardedForm) and screen.is_dirty():
                    return mode, screen
        return None

    async def action_quit(self) -> None:
        """ctrl+q: quits at once unless a form holds unsaved typing; then asks save / discard / keep editing."""
        found = self._dirty_form()
        if found is None:
            self.exit()
            return
        mode, form = found
        if mode != self.current_mode:
            await self.switch_mode(mode)

        def answered(answer: str | None) -> None:
            if answer == "discard":
                self.exit()
            elif answer == "save":
                callbacks = getattr(form, "_result_callbacks", None)
                requester = callbacks[-1].requester if callbacks else None
                form.guard_save()
                if not form._guard_closed:
                    return  # refused (the form says why): the clerk stays in it
                # after the form's result has been handled (saved) by the screen that opened it
                (requester or self).call_next(self.exit)

        if form is not self.screen:
            # a help or error dialog over the form closes first: the form's save must close the form itself
            form.pop_until_active()
            self.call_later(self.push_screen, UnsavedDialog(form.guard_title()), answered)
            return
        self.push_screen(UnsavedDialog(form.guard_title()), answered)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(key_rows(self.screen)))

    def action_settings(self) -> None:
        """F10: the office's settings (name, letterhead city; at the province signers and separation of duties)."""
        from tui.screens.settings import SettingsScreen

        if not self.needs_folder():
            return
        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(PilarPalette(placeholder=t("ui.palette.placeholder"), id="--command-palette"))

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]
        self.remember(theme=self.theme)

    def action_toggle_lang(self) -> None:
        """Choose the other language for this data folder; it applies from the next start."""
        lang = "en" if (self.office.get("lang") or i18n.get_lang()) == "id" else "id"
        self.remember(lang=lang)
        self.notify(t("ui.lang.saved", lang=lang))

    # ------------------------------------------------------------------ errors and threads

    def show_error(self, message: str) -> None:
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.show_error, message)
            return
        self.push_screen(ErrorDialog(message))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            text = str(error) if isinstance(error, PilarError) else t("ui.error.unexpected", detail=repr(error))
            self.show_error(text)

