"""Step lines on the terminal: what is happening, and whether it worked."""

from __future__ import annotations

from rich.console import Console


class Steps:
    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.total = total
        self.number = 0

    def start(self, text: str) -> None:
        self.number += 1
        self.console.print(f"[bold cyan][{self.number}/{self.total}][/] {text} ...")

    def done(self, text: str) -> None:
        self.console.print(f"      [green]✓[/] {text}")

    def info(self, text: str) -> None:
        self.console.print(f"      [dim]{text}[/]")

    def fail(self, text: str) -> None:
        self.console.print(f"      [red]✗[/] {text}")
