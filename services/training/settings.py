"""Training service settings (env prefix SWITCHBOARD_TRAINING_), with the platform's shared settings embedded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


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
    warm_model_on_start: bool = True
    # Parts of dataset uploads that never received their last part are dropped at start after this long.
    upload_ttl_s: int = Field(default=3600, ge=60)

    def root(self) -> Path:
        """Dataset rows, cached embeddings, checkpoints and model artifacts (a PVC in the prod overlay)."""
        return self.platform.data_dir / "training"

    def kubernetes_configured(self) -> bool:
        return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) or (
            self.kubeconfig is not None and self.kubeconfig.exists()
        )
