"""A throwaway SQLite demo city for the benchmarks."""

import statistics
import tempfile
from pathlib import Path

from flask import Flask

from gridcare import create_app
from gridcare.config import TestConfig


def build_app() -> Flask:
    folder = Path(tempfile.mkdtemp(prefix="gridcare-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(folder)
    return app


def median_ms(samples: list[float]) -> str:
    median, fastest = statistics.median(samples) * 1000, min(samples) * 1000
    return f"{median:.1f} ms (min {fastest:.1f}, n={len(samples)})"
