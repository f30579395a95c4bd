"""Hold one load for a while, for profiling: ``bench/steady.py embedded 1000 1000 30 [ACKS]``.

Starts the target like ``run.py`` does, opens CHATS claimed chats, then has them send RATE
round trips/s in total for SECS seconds and prints p50/p99 every 5 s. ACKS is the clients'
acks mode as ``run.py --acks`` takes it (default ``resends``). Attach a profiler
(py-spy) to the server while it runs; it prints the server pids first.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scenarios
from bench.run import FACTORIES, raise_fd_limit, set_acks

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_secs(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (all their threads)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


async def main(kind: str, chats: int, rate: float, secs: float) -> None:
    with tempfile.TemporaryDirectory(prefix=f"steady-{kind}-") as tmp:
        async with FACTORIES[kind](Path(tmp), 50) as target:
            pids = [n.process.pid for n in target.nodes if n.process is not None]
            print("server pids", *pids, flush=True)
            team = await scenarios.crew(target)
            await scenarios.setup_chats(target, team, chats)
            print("chats set up; load starts", flush=True)
            for _ in range(max(1, int(secs // 5))):
                used, used_here = cpu_secs(pids), cpu_secs([os.getpid()])
                found = await scenarios.level(team, chats, rate, 5.0, "s", 10.0)
                trips = found.achieved * 5.0
                server_ms = (cpu_secs(pids) - used) * 1000 / trips if trips else 0.0
                client_ms = (cpu_secs([os.getpid()]) - used_here) * 1000 / trips if trips else 0.0
                print(
                    f"{found.achieved:.0f}/s p50 {found.p50_ms:.1f} ms p99 {found.p99_ms:.1f} ms"
                    f" skipped {found.skipped}; CPU per round trip: server {server_ms:.2f} ms,"
                    f" client {client_ms:.2f} ms",
                    flush=True,
                )
            await scenarios.shutdown(team)


if __name__ == "__main__":
    raise_fd_limit()
    scenarios.quiet_client_collector()
    kind, chats, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    set_acks(sys.argv[5] if len(sys.argv) > 5 else "resends")
    scenarios.run_client(main(kind, chats, rate, secs))
