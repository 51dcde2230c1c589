"""Setup of the local Apache Kafka broker (libs/bus/local_kafka.py runs it): the pinned version, its runtime classpath
resolved once from Maven Central (`deploy/kafka/pom.xml`) into the cache by `python -m libs.bus.local_kafka fetch`
(`make install`), and the one-node configuration it starts with (server.properties, log4j2)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

KAFKA_VERSION = "4.1.1"  # deploy/kafka/pom.xml, docker-compose.yml and deploy/k8s/infra/kafka.yaml pin the same
HOST = "127.0.0.1"
NODE_ID = 1
# Records up to 1 MiB of text plus the envelope (libs.bus.kafka.MAX_MESSAGE_BYTES).
MESSAGE_MAX_BYTES = 4 * 1024 * 1024
POM = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "pom.xml"

INSTALL_HINT = (
    "Apache Kafka needs a Java runtime (17+) and, once at install, Maven: `apt-get install openjdk-17-jdk-headless "
    "maven`, then `make install`. Without them: `switchboard up --inproc` (all services in one process on the "
    "in-memory bus) or `docker compose up`."
)


class KafkaSetupError(RuntimeError):
    """The local broker cannot be installed or started; the message says what to do."""


def kafka_home() -> Path:
    """Where the broker's jars live: SWITCHBOARD_KAFKA_HOME, else ~/.cache/switchboard/kafka-<version>."""
    override = os.environ.get("SWITCHBOARD_KAFKA_HOME")
    return Path(override) if override else Path.home() / ".cache" / "switchboard" / f"kafka-{KAFKA_VERSION}"


def classpath_dir() -> Path:
    return kafka_home() / "libs"


def is_fetched() -> bool:
    return (classpath_dir() / ".complete").exists()


def fetch(quiet: bool = True) -> Path:
    """Resolve the broker's runtime classpath from Maven Central into the cache (a no-op once done)."""
    target = classpath_dir()
    if is_fetched():
        return target
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise KafkaSetupError(f"`{tool}` not found. {INSTALL_HINT}")
    staging = target.with_name(f"libs.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        "mvn",
        "-B",
        *(["-q"] if quiet else []),
        "-f",
        str(POM),
        f"-Dkafka.version={KAFKA_VERSION}",
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise KafkaSetupError(f"Maven could not fetch Apache Kafka {KAFKA_VERSION}:\n{tail}")
    (staging / ".complete").write_text(KAFKA_VERSION)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # atomic: a half-fetched classpath is never taken for a whole one
    return target


def server_properties(
    log_dir: Path, port: int, controller_port: int, overrides: dict[str, object] | None = None
) -> str:
    """A one-node production install: durable log, no auto-created topics, internal topics at replication 1."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": 1,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "min.insync.replicas": 1,
        "message.max.bytes": MESSAGE_MAX_BYTES,
        # One node has no other members to wait for: the first consumer group forms at once.
        "group.initial.rebalance.delay.ms": 0,
        # Fewer offset partitions than the 50 default: a one-node broker creates them all on the first group join.
        "offsets.topic.num.partitions": 10,
        # After a crash the restarted node waits out its old incarnation's broker session before it may register
        # again: 9 s by default, a dead stack for that long. One node heartbeats to itself, so a short one is safe.
        "broker.heartbeat.interval.ms": 1000,
        "broker.session.timeout.ms": 3000,
        # Sized for a 2-core machine with a few dozen loopback clients (defaults 3 and 8): fewer threads handing
        # each request over. bench_broker-style no-op request/reply, 4 pairs side by side: broker CPU per round
        # trip 0.97/0.86/1.18/1.01 -> 0.84/0.82/1.05/0.87 ms, p50 unchanged or lower.
        "num.network.threads": 1,
        "num.io.threads": 2,
    }
    settings |= overrides or {}
    return "".join(f"{key}={value}\n" for key, value in settings.items())


LOG4J2_YAML = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka
        level: INFO
      - name: org.apache.kafka
        level: INFO
      - name: state.change.logger
        level: WARN
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
"""
