"""Training service settings (env prefix SWITCHBOARD_TRAINING_), with the platform's shared settings embedded."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings
from services.training.exchange import Exchange, open_exchange
from services.training.s3 import S3Reader


class TrainingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_TRAINING_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "training"
    # Jobs trained at once: training is CPU bound and shares the cores with every other service.
    max_parallel_jobs: int = Field(default=1, ge=1, le=8)
    # instance_count > 1 on the local backend: that many gradient worker processes, at most this many.
    max_local_workers: int = Field(default=4, ge=1, le=64)
    # Where data-parallel jobs run: worker processes here, or an indexed Kubernetes Job.
    backend: Literal["local", "kubernetes"] = "local"
    # A cluster for deployment_strategy=kubernetes: in-cluster service account, or this kubeconfig file.
    kubeconfig: Path | None = None
    # Namespace the training Jobs and model Deployments go to (default: the pod's own, or the kubeconfig context's),
    # and the image their pods run.
    kubernetes_namespace: str | None = None
    image: str = "switchboard:latest"
    # How often a Kubernetes training Job's status is read back into its job.
    kubernetes_poll_s: float = Field(default=2.0, gt=0, le=60)
    # s3:// training data: an S3-compatible endpoint (http://minio:9000, https://s3.eu-west-1.amazonaws.com) and keys.
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_region: str | None = None
    # Where the service and its pods (training workers, --serve model servers) hand each other files:
    # s3://bucket/prefix (with the S3 settings above) or file:///path on a volume both mount. The kubernetes backend
    # and deployment_strategy need it: the pods cannot read the service's own volume.
    exchange_uri: str | None = None
    # --serve: the model version a model Deployment's pods load (set by the Deployment the service applies).
    serve_model_uri: str | None = None
    warm_model_on_start: bool = True
    # Parts of dataset uploads that never received their last part are dropped at start after this long.
    upload_ttl_s: int = Field(default=3600, ge=60)

    def root(self) -> Path:
        """Dataset rows, cached embeddings, checkpoints and model artifacts (a PVC in the prod overlay)."""
        return self.platform.data_dir / "training"

    def s3_reader(self) -> S3Reader | None:
        """The S3 client for s3:// URIs, or None (s3:// is then a 400) unless endpoint and both keys are set."""
        if not (self.s3_endpoint and self.s3_access_key and self.s3_secret_key):
            return None
        secret = self.s3_secret_key.get_secret_value()
        return S3Reader(self.s3_endpoint, self.s3_access_key, secret, region=self.s3_region)

    def exchange(self) -> Exchange | None:
        """The job exchange, or None when SWITCHBOARD_TRAINING_EXCHANGE_URI is not set."""
        if not self.exchange_uri:
            return None
        secret = self.s3_secret_key.get_secret_value() if self.s3_secret_key else None
        return open_exchange(self.exchange_uri, endpoint=self.s3_endpoint, access_key=self.s3_access_key,
                             secret_key=secret, region=self.s3_region)  # fmt: skip
