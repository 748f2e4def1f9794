"""The right-hand side of the main window (学校详情, 待处理的文件, 总览): folded away or shown.

At 1366 pixels the table needs most of the width, so the side starts at about a third of it, and
the clerk can fold it away (收起右侧, F9, or dragging the splitter) to see every column; choosing a
school brings it back. A mixin of ``MainWindow``: it needs the window's ``split``, ``tabs`` and
``act_side``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent

DETAILS_TAB, FILES_TAB, OVERVIEW_TAB = range(3)
SIDE_WIDTH = 420  # the side's first width: about a third of a 1366-pixel window
FOLD, UNFOLD = "收起右侧 ▸", "展开右侧 ◂"


class SidePane:
    _side_width = SIDE_WIDTH  # what the side had before it was folded away

    def side_shown(self) -> bool:
        sizes = self.split.sizes()
        return len(sizes) > 1 and sizes[1] > 0

    def fold_or_unfold_side(self) -> None:
        self.toggle_side(not self.side_shown())

    def toggle_side(self, show: bool) -> None:
        """Fold the side away (the table takes the whole width) or give it its width back."""
        sizes = self.split.sizes()
        if show != self.side_shown() and len(sizes) > 1:
            total = sum(sizes)
            if show:
                side = min(self._side_width, total // 2)
                self.split.setSizes([total - side, side])
            else:
                self._side_width = sizes[1]
                self.split.setSizes([total, 0])
        self.side_changed()

    def side_changed(self) -> None:
        """The button says what it will do: fold the side away, or bring it back."""
        shown = self.side_shown()
        self.act_side.setText(FOLD if shown else UNFOLD)
        self.act_side.setToolTip("收起右侧的学校详情、待处理的文件和总览，让表格占满窗口（F9）" if shown else
                                 "展开右侧的学校详情、待处理的文件和总览（F9）")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """The side laid out anew (shown, folded, restored, the window resized): the button follows."""
        if watched is self.tabs and event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self.side_changed()
        return super().eventFilter(watched, event)

    def _show_side(self, tab: int) -> None:
        self.toggle_side(True)
        self.tabs.setCurrentIndex(tab)
