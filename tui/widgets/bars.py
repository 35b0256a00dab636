"""Horizontal bar charts drawn with block characters, one line per bar, sized to the widget's width.

Why not a plotting widget: textual-plotext (tried with textual 8.2.8) quantises horizontal bars to
whole rows, and at the nine rows the Ringkasan has for nine pillars it drew 243 and 704 members as bars
of the same length. One bar per line with eighth-block ends is exact to 1/8 of a cell and readable at
80×24. A bar may be split in parts (paid / outstanding / returned), each with its own style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from tui.widgets.keys import localize_bindings

EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class Bar:
    """One line: a label, its parts (numbers added up to the bar) and the figure printed after it."""

    label: str
    parts: tuple[float, ...]
    shown: str


def blocks(value: float, scale: float) -> str:
    """``value`` in cells of width ``scale`` as full blocks and one eighth-block end."""
    eighths = round(value / scale * 8) if scale > 0 else 0
    full, rest = divmod(max(0, eighths), 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


class Bars(Widget):
    """A list of bars; ``set_bars`` replaces them. The longest bar fills the width left by the labels.

    ``selectable``: focusable, up/down move a cursor over the bars and Enter posts ``Bars.Selected``."""

    BINDINGS = [
        Binding("up", "move(-1)", "-", id="table.up", show=False),
        Binding("down", "move(1)", "-", id="table.down", show=False),
        Binding("enter", "select", "-", id="summary.open", show=False),
    ]

    @dataclass
    class Selected(Message):
        """Enter on a bar: its index in ``bars``."""

        bars: Bars
        index: int

        @property
        def control(self) -> Bars:
            return self.bars

    DEFAULT_CSS = """
    Bars { height: auto; padding: 0 1; }
    Bars > .bars--part-0 { color: $primary; }
    Bars > .bars--part-1 { color: $warning; }
    Bars > .bars--part-2 { color: $error; }
    Bars > .bars--title { text-style: bold; }
    Bars > .bars--legend { color: $text-muted; }
    Bars > .bars--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    """
    COMPONENT_CLASSES = {"bars--part-0", "bars--part-1", "bars--part-2", "bars--title", "bars--legend",
                         "bars--cursor"}

    def __init__(self, title: str = "", legend: Sequence[str] = (), selectable: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.title = title
        self.legend = tuple(legend)
        self.bars: list[Bar] = []
        self.can_focus = selectable
        self.cursor = 0

    def action_move(self, step: int) -> None:
        if self.bars:
            self.cursor = max(0, min(len(self.bars) - 1, self.cursor + step))
            self.refresh()

    def action_select(self) -> None:
        if self.bars:
            self.post_message(self.Selected(self, self.cursor))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def set_bars(self, bars: Sequence[Bar], title: str | None = None) -> None:
        self.bars = list(bars)
        self.cursor = min(self.cursor, max(0, len(self.bars) - 1))
        if title is not None:
            self.title = title
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.bars) + (1 if self.title else 0) + (1 if self.legend else 0)

    def render(self) -> Text:
        width = max(10, self.content_region.width or self.size.width)
        label_w = max((len(b.label) for b in self.bars), default=0)
        shown_w = max((len(b.shown) for b in self.bars), default=0)
        room = max(4, width - label_w - shown_w - 3)
        top = max((sum(b.parts) for b in self.bars), default=0)
        scale = top / room if top else 1.0
        styles = [self.get_component_rich_style(f"bars--part-{i}") for i in range(3)]
        out = Text(no_wrap=True, overflow="crop")
        if self.title:
            out.append(self.title + "\n", style=self.get_component_rich_style("bars--title"))
        cursor = self.get_component_rich_style("bars--cursor") if self.has_focus else None
        for n, b in enumerate(self.bars):
            out.append(b.label.rjust(label_w), style=cursor if n == self.cursor and cursor else "")
            out.append(" ")
            if len(b.parts) == 1:
                out.append(blocks(b.parts[0], scale), style=styles[0])
            else:
                # stacked: each part ends where the running total ends (whole cells), so they add up
                used, done = 0.0, 0
                for i, part in enumerate(b.parts):
                    used += part
                    end = round(used / scale)
                    out.append("█" * (end - done), style=styles[i % 3])
                    done = end
            out.append(" " + b.shown + "\n")
        if self.legend:
            for i, name in enumerate(self.legend):
                out.append("█ ", style=styles[i % 3])
                out.append(name + "  ", style=self.get_component_rich_style("bars--legend"))
        out.rstrip()
        return out
