"""The local Apache Kafka launcher's failure paths: no Java, a foreign or corrupt data dir, each a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from libs.bus.local_kafka import KafkaSetupError, LocalKafka
from tests.support.kafka import Broker

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def test_without_java_switchboard_up_stops_at_once_and_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # the venv's python, no java
    result = subprocess.run(
        [sys.executable, "-m", "services.launcher.cli", "up", "--data-dir", str(tmp_path), "--port", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Java runtime" in result.stderr and "--inproc" in result.stderr and "docker compose up" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_data_dir_that_is_not_a_kafka_log_is_refused_by_name(tmp_path: Path) -> None:
    log_dir = tmp_path / "kafka" / "log"
    log_dir.mkdir(parents=True)
    (log_dir / "notes.txt").write_text("someone else's files")
    with pytest.raises(KafkaSetupError, match=str(log_dir)):
        LocalKafka(tmp_path / "kafka").start()
    assert (log_dir / "notes.txt").exists()  # nothing of theirs was formatted away


def test_another_nodes_log_is_refused_by_name(tmp_path: Path) -> None:
    log_dir = tmp_path / "kafka" / "log"
    log_dir.mkdir(parents=True)
    (log_dir / "meta.properties").write_text("version=1\nnode.id=7\ncluster.id=abc\n")
    with pytest.raises(KafkaSetupError, match="another Kafka node"):
        LocalKafka(tmp_path / "kafka").start()


def test_a_corrupt_log_stops_with_the_directory_named_not_a_hang(own_broker: Broker) -> None:
    own_broker.stop()
    meta = own_broker.log_dir / "meta.properties"
    meta.write_text(meta.read_text().replace("version=1", "version=9"))  # a format no Kafka reads
    with pytest.raises(KafkaSetupError, match=str(own_broker.data_dir)):
        own_broker.start(timeout=60)
