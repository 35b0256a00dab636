"""The member table: a line-API ScrollView that renders only the rows on screen (as in toolong).

It holds a list of ``storage.roster.Row`` (100,000 of them is fine) and a function turning a row into
its cells; a repaint formats the thirty-odd visible rows only, each cached until the rows change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from storage.roster import Row
from tui.widgets.keys import localize_bindings

# The least the flexible column (the name) keeps while a column of little use (drop 2 and more) is left to
# give up: at 120 columns 23 cut "Drs. H. Moh. Ali Wafa, M.Si" while the UPT column sat beside it.
FLEX_MIN = 26


@dataclass(frozen=True)
class Column:
    """One column: the row field it shows, its header, its width and how soon it is dropped when narrow."""

    name: str
    header: str
    width: int  # 0 = takes the remaining width
    drop: int = 0  # dropped first when the table is narrow: higher drops sooner


class MemberTable(ScrollView, can_focus=True):
    """Members, one per line, with a fixed header line; arrows/page keys move, Enter opens."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "-", show=False, id="table.up"),
        Binding("down", "cursor(1)", "-", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "-", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "-", show=False, id="table.page_down"),
        Binding("home", "edge(-1)", "-", show=False, id="table.home"),
        Binding("end", "edge(1)", "-", show=False, id="table.end"),
        Binding("enter", "open", "-", show=False, id="table.open"),
    ]
    COMPONENT_CLASSES = {"member-table--header", "member-table--cursor", "member-table--inactive",
                         "member-table--sorted"}

    cursor = reactive(0, always_update=False, repaint=False)

    class Opened(Message):
        """Enter (or a click on the selected row) on a member."""

        def __init__(self, member_id: str) -> None:
            super().__init__()
            self.member_id = member_id

    class Highlighted(Message):
        """The cursor moved to another member (None when the table is empty)."""

        def __init__(self, member_id: str | None) -> None:
            super().__init__()
            self.member_id = member_id

    class HeaderClicked(Message):
        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self, columns: Sequence[Column], cells: Callable[[Row], Sequence[str]],
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        localize_bindings(self)
        self.columns = list(columns)
        self.cells = cells
        self.rows: Sequence[Row] = []
        self.sort_column = ""
        self.sort_reverse = False
        self._line_cache: LRUCache[tuple, Strip] = LRUCache(512)
        self._layouts: dict[int, list[tuple[int, int]]] = {}
        self._generation = 0

    # ------------------------------------------------------------------ data

    def set_rows(self, rows: Sequence[Row], keep: str | None = None) -> None:
        """Show ``rows``; the cursor stays on member ``keep`` when it is still there, else goes to the top."""
        self.rows = rows
        self._generation += 1
        self._line_cache.clear()
        size = Size(self.size.width, len(rows) + 1)
        if size != self.virtual_size:
            # As Textual's own resize does (Widget._size_updated, layout=False): the scrollbars follow
            # without a layout of the whole screen, which the reactive would ask for on every keystroke
            # (the table's own size does not change); a scrollbar that comes or goes still asks for one.
            self.set_reactive(MemberTable.virtual_size, size)
            self._scroll_update(size)
        index = self._find(keep) if keep is not None else 0
        self.set_reactive(MemberTable.cursor, index)
        self.scroll_to(y=max(0, index - (self._page() // 2)) if index else 0, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))

    def move_to_id(self, rid: str) -> bool:
        """Put the cursor on row ``rid`` (scrolled into sight); False when it is not listed."""
        index = self._find(rid, -1)
        if index >= 0:
            self._move_to(index)
        return index >= 0

    def _find(self, rid: str, missing: int = 0) -> int:
        """The index of row ``rid``: near the cursor first (a saved edit mostly stays where it was),
        then the whole list."""
        rows, at = self.rows, self.cursor
        for i in range(max(0, at - 50), min(len(rows), at + 50)):
            if rows[i].id == rid:
                return i
        for i, r in enumerate(rows):
            if r.id == rid:
                return i
        return missing

    def set_cells(self, cells: Callable[[Row], Sequence[str]]) -> None:
        self.cells = cells
        self.invalidate()

    def invalidate(self) -> None:
        """Forget rendered lines (after labels, masking or sorting changed)."""
        self._generation += 1
        self._line_cache.clear()
        self.refresh()

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].id
        return None

    # ------------------------------------------------------------------ layout

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def visible_columns(self, width: int) -> list[tuple[Column, int]]:
        """The columns that fit ``width`` with their widths; the flexible one takes what is left."""
        columns = list(self.columns)
        while True:
            fixed = sum(c.width for c in columns if c.width) + len(columns) - 1
            flex = [c for c in columns if not c.width]
            left = width - fixed
            # 18 cells are enough to keep every column; a name under FLEX_MIN gives up the columns of
            # least use (drop 2 and more: UPT, position, kecamatan), never the status.
            enough = 18 if not any(c.drop >= 2 for c in columns) else FLEX_MIN
            if left >= enough * len(flex) or not any(c.drop for c in columns):
                break
            worst = max(columns, key=lambda c: c.drop)
            columns.remove(worst)
        out = []
        for c in columns:
            out.append((c, c.width or max(8, left // max(1, len(flex)))))
        return out

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self._line_cache.clear()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header_line(width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        key = (self._generation, index, index == self.cursor, width, self.has_focus)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._row_line(index, width)
            self._line_cache[key] = strip
        return strip

    def _layout(self, width: int) -> list[tuple[int, int]]:
        """(column index, width) of the visible columns, cached per table width."""
        cached = self._layouts.get(width)
        if cached is None:
            cached = self._layouts[width] = [(self.columns.index(c), w) for c, w in self.visible_columns(width)]
        return cached

    def _join(self, texts: Sequence[str], width: int) -> str:
        parts = []
        for index, w in self._layout(width):
            text = texts[index]
            # plain ASCII (nearly every cell) is padded or cut by slicing; wide characters go through rich
            parts.append(text[:w].ljust(w) if text.isascii() else set_cell_size(text, w))
        line = " ".join(parts)
        return set_cell_size(line, width) if cell_len(line) != width else line

    def _header_line(self, width: int) -> Strip:
        style = self.get_component_rich_style("member-table--header")
        texts = []
        for c in self.columns:
            mark = ""
            if c.name == self.sort_column:
                mark = " ▼" if self.sort_reverse else " ▲"
            texts.append(c.header + mark)
        return Strip([Segment(self._join(texts, width), style)], width)

    def _row_line(self, index: int, width: int) -> Strip:
        row = self.rows[index]
        style = self.rich_style
        if row.status != "ACTIVE":
            style = style + self.get_component_rich_style("member-table--inactive")
        if index == self.cursor:
            style = style + self.get_component_rich_style("member-table--cursor")
        return Strip([Segment(self._join(self.cells(row), width), style)], width)

    # ------------------------------------------------------------------ cursor

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(len(self.rows) - 1, index))
        self.cursor = index
        top = int(self.scroll_offset.y)
        page = self._page()
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        page = self._page()
        top = int(self.scroll_offset.y)
        self.scroll_to(y=max(0, top + direction * page), animate=False, immediate=True)
        self._move_to(self.cursor + direction * page)

    def action_edge(self, direction: int) -> None:
        self._move_to(0 if direction < 0 else len(self.rows) - 1)

    def action_open(self) -> None:
        if self.current_id:
            self.post_message(self.Opened(self.current_id))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x
            for c, w in self.visible_columns(self.scrollable_content_region.width):
                if x < w + 1:
                    self.post_message(self.HeaderClicked(c.name))
                    return
                x -= w + 1
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self._move_to(index)

    def on_focus(self) -> None:
        self._line_cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._line_cache.clear()
        self.refresh()
