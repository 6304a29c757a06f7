"""Locust users for ``bench/load.py`` (run there; the token comes from ``CHAINATLAS_TOKEN``).

``ReadUser`` browses as officers do: chains, a chain's page and fishbone, segment and firm
searches, a firm, the project library, the month's lists, the masters library. ``MixedUser``
does the same and, one request in five, writes: updates one of 50 firms (spread over the
chains' segments), updates one of 100 demands, raises a problem — so that the graph a minute of
load leaves behind is about the size it started with. Every user paces itself at
``CHAINATLAS_USER_RPS`` requests/s (``constant_throughput``), so the offered load is users × that
rate.
"""

from __future__ import annotations

import itertools
import os
import random
from urllib.parse import urlencode

from locust import FastHttpUser, constant_throughput, task

TOKEN = os.environ.get("CHAINATLAS_TOKEN", "")
RATE = float(os.environ.get("CHAINATLAS_USER_RPS", "5"))
CHAINS = ["1366:icv", "1366:storage", "1366:semi", "1366:bio", "1366:textile", "e2:nev"]
SEGMENTS = [
    "seg:动力电池",
    "seg:电芯",
    "seg:储能变流器",
    "seg:传感器",
    "seg:AI芯片",
    "seg:产业用纺织品",
]
QUERIES = ["电池", "材料", "芯片", "装备", "纺织", "氢"]
_ids = itertools.count()


class _Officer(FastHttpUser):  # geventhttpclient: the load generator's own cost stays small
    abstract = True
    wait_time = constant_throughput(RATE)
    default_headers = {"Authorization": f"Bearer {TOKEN}"}

    def _read(self) -> None:
        chain = random.choice(CHAINS)
        pick = random.random()
        if pick < 0.15:
            self.client.get("/api/v1/chains", name="/chains")
        elif pick < 0.30:
            self.client.get(f"/api/v1/chains/{chain}", name="/chains/{id}")
        elif pick < 0.45:
            self.client.get(f"/api/v1/maps/fishbone/{chain}", name="/maps/fishbone/{chain}")
        elif pick < 0.55:
            q = random.choice(QUERIES)
            self.client.get("/api/v1/segments?" + urlencode({"q": q}), name="/segments?q")
        elif pick < 0.68:
            q = random.choice(QUERIES)
            self.client.get("/api/v1/firms?" + urlencode({"q": q, "limit": 50}), name="/firms?q")
        elif pick < 0.76:
            firm = f"firm:sample-{random.randint(1, 200):04d}"
            self.client.get(f"/api/v1/firms/{firm}", name="/firms/{id}")
        elif pick < 0.86:
            self.client.get(
                "/api/v1/projects?" + urlencode({"chain": chain, "limit": 50}), name="/projects"
            )
        elif pick < 0.93:
            self.client.get(
                "/api/v1/ledger/lists?" + urlencode({"month": "2026-10"}), name="/ledger/lists"
            )
        else:
            self.client.get(f"/api/v1/maps/masters/{chain}", name="/maps/masters/{chain}")


class ReadUser(_Officer):
    @task
    def browse(self) -> None:
        self._read()


class MixedUser(_Officer):
    @task(4)
    def browse(self) -> None:
        self._read()

    @task(1)
    def write(self) -> None:
        n = next(_ids)
        pick = n % 3
        if pick == 0:
            body = {
                "name": f"压测企业{n}",
                "region": random.choice(["吴兴区", "南浔区", "长兴县", "德清县", "安吉县"]),
                "segments": [SEGMENTS[n % len(SEGMENTS)]],
                "output": round(random.uniform(0.1, 30), 2),
            }
            self.client.put(f"/api/v1/firms/firm:load-{n % 50}", json=body, name="PUT /firms/{id}")
        elif pick == 1:
            body = {
                "props": {
                    "kind": "土地",
                    "description": f"压测用地需求{n}",
                    "quantity": 30,
                    "unit": "亩",
                },
                "region": "长兴县",
                "chain": "1366:icv",
            }
            self.client.put(
                f"/api/v1/records/demands/demand:load-{n % 100}",
                json=body,
                name="PUT /records/demands/{id}",
            )
        else:
            body = {"title": f"压测问题{n}", "chain": "1366:icv", "level": "一般"}
            self.client.post("/api/v1/problems", json=body, name="POST /problems")
