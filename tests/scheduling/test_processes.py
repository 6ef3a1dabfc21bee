"""Two real `gridcare scheduler run` processes sharing one database."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gridcare.config import TestConfig
from gridcare.scheduling.runner import JOBS

GRIDCARE = shutil.which("gridcare") or str(Path(sys.executable).with_name("gridcare"))


def wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return None


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "scheduler-test",
        "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
        "GRIDCARE_LEASE_SECONDS": "2",
    }
    env.pop("GRIDCARE_TEST_DATABASE_URL", None)
    subprocess.run([GRIDCARE, "db", "upgrade"], env=env, check=True, capture_output=True)
    engine = create_engine(url)
    yield env, engine
    engine.dispose()


def start(env, name):
    return subprocess.Popen(
        [GRIDCARE, "scheduler", "run"],
        env={**env, "GRIDCARE_SCHEDULER_ID": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_one_scheduler_leads_and_the_standby_takes_over_when_it_dies(database):
    env, engine = database

    def leader():
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT holder FROM scheduler_lease WHERE expires_at >= :now"),
                {"now": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
            ).scalar()

    def runs_by(holder):
        with engine.connect() as conn:
            return (
                conn.execute(
                    text("SELECT job FROM job_run WHERE holder = :h AND ok"), {"h": holder}
                )
                .scalars()
                .all()
            )

    first = start(env, "alpha")
    assert wait_for(lambda: leader() == "alpha", 20)
    second = start(env, "beta")
    try:
        # The leader caught up on the nightly jobs it found never run; the standby did nothing.
        assert wait_for(lambda: len(runs_by("alpha")) == len(JOBS), 20)
        time.sleep(3)
        assert leader() == "alpha"
        assert runs_by("beta") == []

        first.send_signal(signal.SIGKILL)  # no chance to release the lease
        first.wait(timeout=10)
        assert wait_for(lambda: leader() == "beta", 2 + 2 + 3), "standby did not take over"
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
    # A clean stop releases the lease at once.
    assert leader() is None
