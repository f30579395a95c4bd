"""The measured scenarios: idle connections, tag fan-out + claim races, relay load."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvloop

from bench import clients
from bench.clients import Ledger, Responder, TagBoard, Youth, new_responder, new_youth, now
from bench.servers import Target
from bench.stats import Level, Result, ms, percentile

CONNECT_CONCURRENCY = 100
OUTSTANDING_LIMIT = 2  # unanswered messages per chat before the client skips a send

T = TypeVar("T")


def run_client(main: Coroutine[Any, Any, T]) -> T:
    """Run the client on uvloop, as the servers run: the client shares the two cores with
    the server under test, so every microsecond it spends per frame is taken from the
    server's figures (and the floor's)."""
    return uvloop.run(main)


def quiet_client_collector() -> None:
    """Keep this client's own collector pauses out of the figures: it never collects on its
    own, only between measured windows (``settle_client_heap``). With the default collector
    its full passes took 340 ms (p50) to 950 ms as the ledger of sent messages grew, and
    with the server's settings passes of 5-250 ms remained; each one landed on the round
    trips in flight as latency of the server under test (bench/README.md, "fourth session")."""
    gc.disable()


def settle_client_heap() -> None:
    """Collect now, outside the measured window, and freeze what is left (open sockets, the
    ledger) so that a later collection does not walk it again."""
    gc.collect()
    gc.freeze()


async def bounded(count: int, make: Callable[[int], Awaitable[Youth]]) -> list[Youth | None]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(i: int) -> Youth | None:
        async with gate:
            try:
                return await make(i)
            except Exception:  # refused, reset or timed out: counted as not held
                return None

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def idle(target: Target, count: int, result: Result) -> None:
    """Hold ``count`` idle youth connections; RSS delta of the server(s) per connection."""
    ledger, sink = Ledger(), list[float]()
    before = target.rss_kib()
    held = await bounded(
        count, lambda i: new_youth(f"{target.node_for(i).ws_base}/ws/youth", ledger, sink)
    )
    youth = [y for y in held if y is not None]
    await asyncio.sleep(2.0)
    alive = [y for y in youth if y.alive]
    after = target.rss_kib()
    result.idle_asked, result.idle_held = count, len(alive)
    if alive:
        result.idle_kib_per_conn = (after - before) / len(alive)
    await asyncio.gather(*(y.close() for y in youth))


@dataclass
class Crew:
    """Connected responders sharing one tag board and one ledger."""

    responders: list[Responder]
    board: TagBoard
    ledger: Ledger
    sink: list[float] = field(default_factory=list)
    youth: list[Youth] = field(default_factory=list)


async def crew(target: Target) -> Crew:
    ledger, board = Ledger(), TagBoard()
    responders = await asyncio.gather(
        *(
            new_responder(f"{target.node_for(i).ws_base}/ws/responder", c, ledger, board)
            for i, c in enumerate(target.cookies)
        )
    )
    return Crew(list(responders), board, ledger)


async def open_chat(target: Target, team: Crew, index: int) -> tuple[Youth, str, float]:
    """Open one chat; returns its youth, chat id and when the open was sent."""
    youth = await new_youth(f"{target.node_for(index).ws_base}/ws/youth", team.ledger, team.sink)
    team.youth.append(youth)
    started = now()
    await youth.send(type="open", lang="fi", **clients.GREETING)
    await asyncio.wait_for(youth.opened, 30)
    chat_id = await asyncio.wait_for(team.board.fresh.get(), 30)
    return youth, chat_id, started


async def all_tagged(team: Crew, chat_id: str, within: float = 10.0) -> bool:
    deadline = now() + within
    while len(team.board.times[chat_id]) < len(team.responders):
        if now() > deadline:
            return False
        await asyncio.sleep(0.0005)
    return True


async def races(target: Target, team: Crew, count: int, contenders: int, result: Result) -> None:
    """Open ``count`` chats one at a time: time the tag fan-out, then race ``contenders``."""
    fanout: list[float] = []
    settle_client_heap()
    for i in range(count):
        youth, chat_id, started = await open_chat(target, team, i)
        if await all_tagged(team, chat_id):
            fanout.append(max(team.board.times[chat_id]) - started)
        else:
            result.fanout_incomplete += 1
        picked = random.sample(team.responders, contenders)
        outcomes = await asyncio.gather(*(r.claim(chat_id) for r in picked))
        winners = [r for r, won in zip(picked, outcomes, strict=True) if won]
        result.winners[len(winners)] = result.winners.get(len(winners), 0) + 1
        result.races += 1
        if winners:
            await winners[0].send(type="end", chat_id=chat_id)
            await asyncio.wait_for(winners[0].ended[chat_id].wait(), 30)
        await youth.close()
    team.youth.clear()
    result.fanout_p50_ms = ms(percentile(fanout, 50))
    result.fanout_p99_ms = ms(percentile(fanout, 99))


async def setup_chats(target: Target, team: Crew, count: int, batch: int = 50) -> None:
    """``count`` active chats spread evenly over the responders (claimed, not raced)."""
    for start in range(0, count, batch):
        size = min(batch, count - start)
        opened = await asyncio.gather(*(open_chat(target, team, start + k) for k in range(size)))
        claims = [
            team.responders[k % len(team.responders)].claim(chat_id)
            for k, (_, chat_id, _) in enumerate(opened)
        ]
        if not all(await asyncio.gather(*claims)):
            raise RuntimeError("a setup claim failed (responder cap too low?)")


async def chatter(youth: Youth, period: float, due: float, until: float, prefix: str) -> int:
    """Send one message every ``period`` seconds from ``due`` on; returns sends skipped."""
    skipped = 0
    while due < until:
        await asyncio.sleep(max(0.0, due - now()))
        if len(youth.pending) >= OUTSTANDING_LIMIT:
            skipped += 1
        else:
            await youth.say(prefix)
        due += period
    return skipped


def in_flight(team: Crew) -> int:
    return sum(len(y.pending) for y in team.youth)


async def drain(team: Crew, within: float, stall: float = 5.0) -> None:
    """Wait for every echo: up to ``within`` s, or until ``stall`` s pass with no progress."""
    deadline = now() + within
    last, moved = in_flight(team), now()
    while last and now() < deadline and now() - moved < stall:
        await asyncio.sleep(0.1)
        if (left := in_flight(team)) < last:
            last, moved = left, now()


async def level(
    team: Crew, chats: int, rate: float, secs: float, tag: str, drain_secs: float
) -> Level:
    """``chats`` chats together sending ``rate`` messages/s for ``secs`` seconds.

    Afterwards waits up to ``drain_secs`` for every echo, so a backlog never spills into the
    next level."""
    settle_client_heap()
    team.sink.clear()
    start = now()
    until = start + secs
    period = chats / rate
    # phases spread evenly, so exactly ``rate * secs`` messages are offered
    skipped = await asyncio.gather(
        *(
            chatter(y, period, start + period * i / chats, until, f"{tag}{i}")
            for i, y in enumerate(team.youth[:chats])
        )
    )
    await drain(team, drain_secs)
    lat = list(team.sink)  # every round trip completed, including in the drain after
    return Level(
        chats=chats,
        target=rate,
        achieved=len(lat) / secs,
        p50_ms=ms(percentile(lat, 50)),
        p99_ms=ms(percentile(lat, 99)),
        skipped=sum(skipped),
    )


async def ramp(
    team: Crew,
    start: float,
    factor: float,
    secs: float,
    steps: int,
    drain_secs: float,
    refine: int = 0,
) -> list[Level]:
    """Raise the rate over all chats until p99 > 100 ms or the rate is not reached; then
    ``refine`` more steps, each at the geometric middle of the highest rate sustained and the
    lowest not, so that the figure is not off by up to a whole ``factor``."""
    found: list[Level] = []
    rate = start
    for step in range(steps):
        found.append(await level(team, len(team.youth), rate, secs, f"u{step}-", drain_secs))
        if not found[-1].sustained:
            break
        rate *= factor
    else:
        return found
    if len(found) < 2:
        return found  # not even the first rate held: nothing to refine between
    low, high = found[-2].target, found[-1].target
    for step in range(refine):
        middle = math.sqrt(low * high)
        found.append(await level(team, len(team.youth), middle, secs, f"b{step}-", drain_secs))
        low, high = (middle, high) if found[-1].sustained else (low, middle)
    return found


async def shutdown(team: Crew) -> None:
    with contextlib.suppress(Exception):
        await asyncio.gather(*(c.close() for c in [*team.youth, *team.responders]))
