"""One command: start each system under test, drive it over real WebSockets, print a table.

    .venv/bin/python bench/run.py [--quick] [--only embedded,cluster,floor,floor-stored]

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import clients, scenarios, servers
from bench.report import ramp_detail, table
from bench.servers import Target
from bench.stats import Result

Factory = Callable[[Path, int], AbstractAsyncContextManager[Target]]
FACTORIES: dict[str, Factory] = {
    "embedded": servers.embedded,
    "cluster": servers.cluster,
    "floor": servers.floor,
    "floor-stored": servers.floor_stored,
}


@dataclass(frozen=True)
class Plan:
    idle: int
    responders: int
    races: int
    contenders: int
    levels: tuple[int, ...]
    level_secs: float
    ramp_start: float
    ramp_factor: float
    ramp_secs: float
    ramp_steps: int
    budget_secs: float
    drain_secs: float
    ramp_refine: int  # steps between the last rate sustained and the first not


FULL = Plan(10_000, 50, 200, 5, (100, 500, 1000), 10.0, 25.0, 1.5, 6.0, 18, 300.0, 20.0, 2)
QUICK = Plan(2_000, 50, 30, 5, (100, 300), 2.0, 50.0, 2.0, 2.0, 8, 90.0, 3.0, 0)


def load() -> str:
    """The machine's 1/5/15-minute load averages: other work shares these two cores."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def raise_fd_limit() -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def measure(kind: str, plan: Plan) -> Result:
    result = Result(kind, kind)
    timer = asyncio.timeout(plan.budget_secs)
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        try:
            async with timer, FACTORIES[kind](Path(tmp), plan.responders) as target:
                result.name = target.name
                await drive(target, plan, result)
        except Exception as exc:  # report what was reached, then go on to the next target
            expired = isinstance(exc, TimeoutError) and timer.expired()
            note = (
                f"stopped at the {plan.budget_secs:.0f} s budget" if expired else f"failed: {exc!r}"
            )
            result.notes.append(note)
    return result


async def drive(target: Target, plan: Plan, result: Result) -> None:
    step = Stepper(target.name)
    await scenarios.idle(target, plan.idle, result)
    step(f"idle: {result.idle_held} held")
    team = await scenarios.crew(target)
    try:
        await scenarios.races(target, team, plan.races, plan.contenders, result)
        step("fan-out + races")
        await scenarios.setup_chats(target, team, max(plan.levels))
        await scenarios.level(team, len(team.youth), 50.0, 2.0, "warm-", plan.drain_secs)
        step("chats set up (and warmed up at 50 round trips/s)")
        result.ramp = await scenarios.ramp(
            team,
            plan.ramp_start,
            plan.ramp_factor,
            plan.ramp_secs,
            plan.ramp_steps,
            plan.drain_secs,
            plan.ramp_refine,
        )
        step(f"ramp: sustained {result.sustained_rps:.0f}/s")
        for n in plan.levels:
            result.levels.append(
                await scenarios.level(team, n, float(n), plan.level_secs, f"l{n}-", plan.drain_secs)
            )
            step(f"{n} chats: p99 {result.levels[-1].p99_ms:.1f} ms")
    finally:
        await scenarios.drain(team, 3 * plan.drain_secs)
        result.unanswered = scenarios.in_flight(team)
        result.sent = team.ledger.sent
        result.gaps, result.duplicated = team.ledger.gaps, team.ledger.duplicated
        await scenarios.shutdown(team)


class Stepper:
    def __init__(self, name: str) -> None:
        self.name, self.started = name, time.monotonic()

    def __call__(self, what: str) -> None:
        print(f"  [{time.monotonic() - self.started:6.1f}s] {self.name}: {what}", flush=True)


async def main_async(kinds: list[str], plan: Plan) -> list[Result]:
    results = []
    for kind in kinds:
        print(f"== {kind} (load average {load()})", flush=True)
        results.append(await measure(kind, plan))
        print(f"   done (load average {load()})", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (under ~2 minutes)")
    parser.add_argument(
        "--only", default="embedded,cluster,floor,floor-stored", help="targets, comma-separated"
    )
    parser.add_argument(
        "--rev", help="benchmark this commit (exported to a temp dir), not the tree"
    )
    parser.add_argument(
        "--patch", type=Path, action="append", default=[], help="with --rev: apply this diff"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="extra server setting"
    )
    parser.add_argument(
        "--acks",
        choices=["resends", "all", "none"],
        default="resends",
        help="the clients' acks mode (none: leave the field out, for older commits)",
    )
    args = parser.parse_args()
    set_acks(args.acks)
    servers.EXTRA_SETTINGS.update(dict(item.split("=", 1) for item in args.set))
    with tempfile.TemporaryDirectory(prefix="bench-code-") as code:
        if args.rev:
            print(f"benchmarking commit {servers.snapshot(args.rev, Path(code))}", flush=True)
        for patch in args.patch:
            servers.apply_patch(patch, Path(code))
            print(f"with {patch} applied", flush=True)
        return run(args.only.split(","), QUICK if args.quick else FULL)


def set_acks(mode: str) -> None:
    clients.GREETING.clear()
    if mode != "none":
        clients.GREETING["acks"] = mode


def run(kinds: list[str], plan: Plan) -> int:
    limit = raise_fd_limit()
    scenarios.quiet_client_collector()
    print(f"file descriptor limit {limit}; plan {plan}", flush=True)
    started = time.monotonic()
    results = scenarios.run_client(main_async(kinds, plan))
    print()
    print(table(results, list(plan.levels)))
    print()
    print(ramp_detail(results))
    for r in results:
        for note in r.notes:
            print(f"note: {r.name}: {note}")
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
