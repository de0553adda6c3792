"""Console output shared by the commands: a rich console, number formats, training progress."""

from __future__ import annotations

import math


def console(stderr: bool = False):
    """A rich Console; on a pipe or a log file it is 120 columns wide so tables stay whole."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = 120  # a log file or a pipe: no terminal width to fit, keep tables whole
    return out


def fmt(value, width: int, digits: int) -> str:
    """``value`` right-aligned with ``digits`` decimals, or ``-`` for None."""
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def pct(value) -> str:
    """A proportion as a percentage with one decimal, ``-`` when undefined."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}%"


def options_text(options: dict) -> str:
    return "(" + ", ".join(f"{k} {v}" for k, v in options.items()) + ")" if options else "(defaults)"


class RichProgress:
    """A :class:`ml2dl.train.TrainEvent` callback: a progress bar per epoch and a line per epoch."""

    def __init__(self, console, *, show_bar: bool = True):
        self.console = console
        self.show_bar = show_bar
        self.progress = None
        self.task = None

    def __call__(self, e):
        if e.stage == "start":
            self._start(e)
        elif e.stage == "batch" and self.progress is not None:
            self.progress.update(self.task, completed=e.batch, epoch=e.epoch, loss=f"{e.loss:.4f}")
        elif e.stage == "epoch":
            self._epoch(e)
        elif e.stage == "end":
            self.close()

    def _start(self, e):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console.print(f"{'epoch':>5}  {'train loss':>10}  {'val loss':>8}  {'val AUC':>7}  "
                           f"{'val acc':>7}  {'lr':>8}  {'time':>6}")
        if self.show_bar:
            self.progress = Progress(TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
                                     BarColumn(), MofNCompleteColumn(), TextColumn("batches"),
                                     TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(),
                                     console=self.console, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("train", total=e.batches, epoch=e.epoch, epochs=e.epochs, loss="-")

    def _epoch(self, e):
        r = e.row
        line = (f"{r['epoch']:>5}  {r['train_loss']:>10.4f}  {fmt(r.get('val_loss'), 8, 4)}  "
                f"{fmt(r.get('val_auc'), 7, 4)}  {fmt(r.get('val_accuracy'), 7, 4)}  {r['lr']:>8.2e}  "
                f"{r['epoch_seconds']:>5.1f}s" + ("  ★ best" if r.get("best") else ""))
        if self.progress is not None:
            self.progress.console.print(line)
            self.progress.reset(self.task, total=e.batches, epoch=min(e.epoch + 1, e.epochs), epochs=e.epochs,
                                loss="-")
        else:
            self.console.print(line)

    def close(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
